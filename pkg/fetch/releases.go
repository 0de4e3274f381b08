package fetch

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
)

// ListReleases lists the releases of a publication from
// GET /publications/{slug}/releases, in the order the service gives them
// (newest first on the live service). publication must be the canonical
// slug (Release.PublicationSlug from ResolveRelease): redirects are not
// followed here. Callers use it to look for a file that the latest release
// no longer carries in an earlier release.
func (c *Client) ListReleases(ctx context.Context, publication string) ([]Release, error) {
	slug, err := NormaliseSlug(publication)
	if err != nil {
		return nil, err
	}
	u := c.contentURL(nil, "publications", slug, "releases")
	var raw json.RawMessage
	if err := c.getJSON(ctx, u, &raw); err != nil {
		return nil, err
	}
	var list []releaseSummaryJSON
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, &ShapeError{URL: u, Missing: "expected a JSON array of release summaries"}
	}
	out := make([]Release, 0, len(list))
	for i, r := range list {
		if r.ID == "" || r.Slug == "" {
			return nil, &ShapeError{URL: u, Missing: fmt.Sprintf(`release %d lacks "id" or "slug"`, i)}
		}
		rs, err := NormaliseSlug(r.Slug)
		if err != nil {
			return nil, &ShapeError{URL: u, Missing: "usable release slug: " + err.Error()}
		}
		out = append(out, Release{
			PublicationSlug:  slug,
			ReleaseVersionID: strings.ToLower(r.ID),
			ReleaseID:        strings.ToLower(r.ReleaseID),
			Slug:             rs,
			Title:            r.Title,
			Latest:           r.LatestRelease != nil && *r.LatestRelease,
			Published:        r.Published,
			Via:              "releases",
		})
	}
	return out, nil
}

// StagedName returns the real file name behind a path given to
// Options.Validate: files are staged as ".tmp-<digits>-<name>" beside their
// destination, so a validator can tell which file it is looking at. Any
// other path comes back as its base name.
func StagedName(path string) string {
	base := filepath.Base(path)
	rest, ok := strings.CutPrefix(base, TempPrefix)
	if !ok {
		return base
	}
	if _, name, ok := strings.Cut(rest, "-"); ok && name != "" {
		return name
	}
	return base
}
