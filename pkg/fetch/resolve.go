package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

const maxJSONBytes = 64 << 20

// Release identifies one release (version) of a publication.
type Release struct {
	RequestedSlug    string `json:"requested_slug,omitempty"` // the slug asked for, before redirects
	PublicationSlug  string `json:"publication_slug"`         // canonical slug after redirects
	PublicationTitle string `json:"publication_title,omitempty"`
	ReleaseVersionID string `json:"release_version_id"` // "id" in the content API; used for files
	ReleaseID        string `json:"release_id,omitempty"`
	Slug             string `json:"slug"` // release slug, e.g. "2024-25" or "2025"
	Title            string `json:"title,omitempty"`
	Latest           bool   `json:"latest"`
	Published        string `json:"published,omitempty"`
	Via              string `json:"via"` // "releases" or "version-summary": which API shape was used
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(?:[-_][a-z0-9]+)*$`)

// NormaliseSlug lower-cases and trims a publication or release slug and
// checks it is safe as a URL segment and a folder name.
func NormaliseSlug(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if !slugRE.MatchString(s) || len(s) > 200 {
		return "", fmt.Errorf("invalid slug %q: use lower-case letters, digits and hyphens, e.g. children-in-need", s)
	}
	return s, nil
}

// getJSON GETs url and decodes JSON into v. With Options.ReuseLookups a
// Client asks for each URL once: later calls (a release's list when
// looking for older releases, a file list when downloading) reuse the body
// of the first good answer, so one run looks each release up once.
func (c *Client) getJSON(ctx context.Context, u string, v any) error {
	c.memoMu.Lock()
	body, ok := c.memo[u]
	c.memoMu.Unlock()
	if ok {
		c.logf("reusing the answer to GET %s from earlier in this run", u)
	} else {
		resp, err := c.get(ctx, u, nil)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, err = io.ReadAll(io.LimitReader(resp.Body, maxJSONBytes+1))
		if err != nil {
			return fmt.Errorf("GET %s: %w", u, err)
		}
		if len(body) > maxJSONBytes {
			return &ShapeError{URL: u, Missing: "JSON body larger than 64 MiB"}
		}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &ShapeError{URL: u, Missing: fmt.Sprintf("expected JSON (%v); body starts %q", err, truncate(string(body), 80))}
	}
	if !ok && c.opt.ReuseLookups {
		c.memoMu.Lock()
		if c.memo == nil {
			c.memo = map[string][]byte{}
		}
		c.memo[u] = body
		c.memoMu.Unlock()
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

type releaseSummaryJSON struct {
	ID            string `json:"id"`
	ReleaseID     string `json:"releaseId"`
	Slug          string `json:"slug"`
	Title         string `json:"title"`
	Published     string `json:"published"`
	LatestRelease *bool  `json:"latestRelease"`
}

type redirectsJSON struct {
	PublicationRedirects *[]struct {
		FromSlug string `json:"fromSlug"`
		ToSlug   string `json:"toSlug"`
	} `json:"publicationRedirects"`
	ReleaseRedirectsByPublicationSlug map[string][]struct {
		FromSlug string `json:"fromSlug"`
		ToSlug   string `json:"toSlug"`
	} `json:"releaseRedirectsByPublicationSlug"`
}

type redirects struct {
	pubs     map[string]string
	releases map[string]map[string]string
}

func (c *Client) loadRedirects(ctx context.Context) (*redirects, error) {
	u := c.contentURL(nil, "redirects")
	var rj redirectsJSON
	if err := c.getJSON(ctx, u, &rj); err != nil {
		return nil, err
	}
	if rj.PublicationRedirects == nil {
		return nil, &ShapeError{URL: u, Missing: `no "publicationRedirects" array`}
	}
	r := &redirects{pubs: map[string]string{}, releases: map[string]map[string]string{}}
	for _, p := range *rj.PublicationRedirects {
		from, to := strings.ToLower(p.FromSlug), strings.ToLower(p.ToSlug)
		if from != "" && to != "" {
			r.pubs[from] = to
		}
	}
	for pub, list := range rj.ReleaseRedirectsByPublicationSlug {
		m := map[string]string{}
		for _, p := range list {
			if p.FromSlug != "" && p.ToSlug != "" {
				m[strings.ToLower(p.FromSlug)] = strings.ToLower(p.ToSlug)
			}
		}
		r.releases[strings.ToLower(pub)] = m
	}
	return r, nil
}

const maxRedirectHops = 20

// ResolveRelease finds a release of a publication. release "" means the
// latest release. The publication slug is lower-cased; old slugs are followed
// through GET /redirects (chains followed, loops refused). When
// GET /publications/{slug}/releases is missing or has an unexpected shape it
// falls back to GET /publications/{slug} and
// GET /publications/{slug}/releases/{releaseSlug}/version-summary.
func (c *Client) ResolveRelease(ctx context.Context, publication, release string) (*Release, error) {
	slug, err := NormaliseSlug(publication)
	if err != nil {
		return nil, err
	}
	relSlug := ""
	if strings.TrimSpace(release) != "" && !strings.EqualFold(strings.TrimSpace(release), "latest") {
		if relSlug, err = NormaliseSlug(release); err != nil {
			return nil, err
		}
	}
	requested := slug
	var redir *redirects
	seen := map[string]bool{}
	for hop := 0; ; hop++ {
		if seen[slug] || hop > maxRedirectHops {
			return nil, fmt.Errorf("publication %q: redirect loop via %q in %s", requested, slug, c.contentURL(nil, "redirects"))
		}
		seen[slug] = true
		rel, err := c.resolveFromList(ctx, slug, relSlug)
		var shapeErr *ShapeError
		switch {
		case err == nil:
			rel.RequestedSlug = requested
			return rel, nil
		case errors.Is(err, ErrNotFound):
			if redir == nil {
				var rerr error
				if redir, rerr = c.loadRedirects(ctx); rerr != nil {
					var se *ShapeError
					if !errors.Is(rerr, ErrNotFound) && !errors.As(rerr, &se) {
						return nil, fmt.Errorf("publication %q not found and redirects unavailable: %w", slug, rerr)
					}
					c.logf("redirects unusable (%v); trying the publication endpoint", rerr)
					redir = &redirects{pubs: map[string]string{}, releases: map[string]map[string]string{}}
				}
			}
			if to, ok := redir.pubs[slug]; ok {
				c.logf("publication %q redirects to %q", slug, to)
				slug = to
				continue
			}
			// The list endpoint may be gone (the API is unversioned): try the newer shape.
			rel, ferr := c.resolveFromSummary(ctx, slug, relSlug, redir)
			if ferr != nil {
				if errors.Is(ferr, ErrNotFound) {
					return nil, &NotFoundError{URL: c.contentURL(nil, "publications", slug, "releases"), What: fmt.Sprintf("publication %q", requested)}
				}
				return nil, ferr
			}
			rel.RequestedSlug = requested
			return rel, nil
		case errors.As(err, &shapeErr):
			rel, ferr := c.resolveFromSummary(ctx, slug, relSlug, redir)
			if ferr != nil {
				return nil, fmt.Errorf("%w; fallback also failed: %v", err, ferr)
			}
			rel.RequestedSlug = requested
			return rel, nil
		default:
			return nil, err
		}
	}
}

// releaseNotListedError marks a named release missing from a valid list.
type releaseNotListedError struct {
	pub, rel  string
	available []string
}

func (e *releaseNotListedError) Error() string {
	return fmt.Sprintf("publication %q has no release %q (available: %s)", e.pub, e.rel, strings.Join(e.available, ", "))
}

func (c *Client) resolveFromList(ctx context.Context, slug, relSlug string) (*Release, error) {
	u := c.contentURL(nil, "publications", slug, "releases")
	var raw json.RawMessage
	if err := c.getJSON(ctx, u, &raw); err != nil {
		return nil, err
	}
	var list []releaseSummaryJSON
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, &ShapeError{URL: u, Missing: "expected a JSON array of release summaries"}
	}
	if len(list) == 0 {
		return nil, &ShapeError{URL: u, Missing: "empty release list"}
	}
	var avail []string
	for i, r := range list {
		if r.ID == "" || r.Slug == "" {
			return nil, &ShapeError{URL: u, Missing: fmt.Sprintf(`release %d lacks "id" or "slug"`, i)}
		}
		avail = append(avail, r.Slug)
	}
	pick := -1
	if relSlug == "" {
		for i, r := range list {
			if r.LatestRelease == nil {
				return nil, &ShapeError{URL: u, Missing: `no "latestRelease" flag on release ` + r.Slug}
			}
			if *r.LatestRelease {
				pick = i
				break
			}
		}
		if pick < 0 {
			return nil, &ShapeError{URL: u, Missing: `no release has "latestRelease": true`}
		}
	} else {
		for i, r := range list {
			if strings.EqualFold(r.Slug, relSlug) {
				pick = i
				break
			}
		}
		if pick < 0 {
			// A renamed release: try the release redirects, then the newer endpoint.
			rel, err := c.resolveFromSummary(ctx, slug, relSlug, nil)
			if err == nil {
				return rel, nil
			}
			if errors.Is(err, ErrNotFound) {
				return nil, &releaseNotListedError{pub: slug, rel: relSlug, available: avail}
			}
			return nil, err
		}
	}
	r := list[pick]
	rs, err := NormaliseSlug(r.Slug)
	if err != nil {
		return nil, &ShapeError{URL: u, Missing: "usable release slug: " + err.Error()}
	}
	return &Release{
		PublicationSlug:  slug,
		ReleaseVersionID: strings.ToLower(r.ID),
		ReleaseID:        strings.ToLower(r.ReleaseID),
		Slug:             rs,
		Title:            r.Title,
		Latest:           r.LatestRelease != nil && *r.LatestRelease,
		Published:        r.Published,
		Via:              "releases",
	}, nil
}

type publicationJSON struct {
	ID            string `json:"id"`
	Slug          string `json:"slug"`
	Title         string `json:"title"`
	LatestRelease *struct {
		ID    string `json:"id"`
		Slug  string `json:"slug"`
		Title string `json:"title"`
	} `json:"latestRelease"`
}

type versionSummaryJSON struct {
	ID              string `json:"id"`
	ReleaseID       string `json:"releaseId"`
	Slug            string `json:"slug"`
	Title           string `json:"title"`
	IsLatestRelease *bool  `json:"isLatestRelease"`
	Published       string `json:"published"`
}

func (c *Client) resolveFromSummary(ctx context.Context, slug, relSlug string, redir *redirects) (*Release, error) {
	pu := c.contentURL(nil, "publications", slug)
	var pub publicationJSON
	if err := c.getJSON(ctx, pu, &pub); err != nil {
		return nil, err
	}
	if pub.Slug == "" {
		return nil, &ShapeError{URL: pu, Missing: `no "slug"`}
	}
	canon := strings.ToLower(pub.Slug)
	if relSlug == "" {
		if pub.LatestRelease == nil || pub.LatestRelease.Slug == "" {
			return nil, &ShapeError{URL: pu, Missing: `no "latestRelease.slug"`}
		}
		relSlug = strings.ToLower(pub.LatestRelease.Slug)
	}
	var vs versionSummaryJSON
	vu := c.contentURL(nil, "publications", canon, "releases", relSlug, "version-summary")
	err := c.getJSON(ctx, vu, &vs)
	if errors.Is(err, ErrNotFound) {
		if redir == nil {
			if r, rerr := c.loadRedirects(ctx); rerr == nil {
				redir = r
			}
		}
		if redir != nil {
			if to, ok := redir.releases[canon][relSlug]; ok && to != relSlug {
				c.logf("release %q of %q redirects to %q", relSlug, canon, to)
				relSlug = to
				vu = c.contentURL(nil, "publications", canon, "releases", relSlug, "version-summary")
				err = c.getJSON(ctx, vu, &vs)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if vs.ID == "" {
		return nil, &ShapeError{URL: vu, Missing: `no "id" (release version id)`}
	}
	rs := relSlug
	if vs.Slug != "" {
		rs = strings.ToLower(vs.Slug)
	}
	if rs, err = NormaliseSlug(rs); err != nil {
		return nil, &ShapeError{URL: vu, Missing: "usable release slug: " + err.Error()}
	}
	return &Release{
		PublicationSlug:  canon,
		PublicationTitle: pub.Title,
		ReleaseVersionID: strings.ToLower(vs.ID),
		ReleaseID:        strings.ToLower(vs.ReleaseID),
		Slug:             rs,
		Title:            vs.Title,
		Latest:           vs.IsLatestRelease != nil && *vs.IsLatestRelease,
		Published:        vs.Published,
		Via:              "version-summary",
	}, nil
}
