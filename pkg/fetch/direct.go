package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
)

// SourceDirect is recorded in the manifest for a file downloaded from a
// fixed address or found on a GOV.UK page, rather than from EES or Nomis.
const SourceDirect = "direct"

// Direct is a file published outside EES: either at a fixed URL, or as an
// attachment of a GOV.UK page found through the page's content API
// (IndexURL) by its file name.
type Direct struct {
	Key      string // folder under the data directory, e.g. "ofsted"
	URL      string // the file itself, when its address is fixed
	IndexURL string // a GOV.UK content API page listing attachments
	// Pattern picks the attachment by file name (IndexURL only).
	Pattern *regexp.Regexp
	// FileName names the file when URL has no usable name.
	FileName string
	// Validate checks the staged file before it replaces the old copy.
	Validate func(path string) error
}

// govukContent is the part of a GOV.UK content API response that lists a
// publication's attachments.
type govukContent struct {
	Details struct {
		Attachments []struct {
			URL      string `json:"url"`
			Filename string `json:"filename"`
		} `json:"attachments"`
	} `json:"details"`
}

// resolveDirect returns the file's URL and name: URL itself, or the
// attachment of IndexURL whose file name matches Pattern (the last one
// listed when several do).
func (c *Client) resolveDirect(ctx context.Context, d Direct) (string, string, error) {
	if d.URL != "" {
		name := d.FileName
		if name == "" {
			u, err := url.Parse(d.URL)
			if err != nil {
				return "", "", err
			}
			name = path.Base(u.Path)
		}
		return d.URL, name, checkFileName(name)
	}
	if d.IndexURL == "" || d.Pattern == nil {
		return "", "", fmt.Errorf("%s: no URL and no page to find it on", d.Key)
	}
	var page govukContent
	if err := c.getJSON(ctx, d.IndexURL, &page); err != nil {
		return "", "", fmt.Errorf("%s: %w", d.Key, err)
	}
	var found, name string
	for _, a := range page.Details.Attachments {
		n := a.Filename
		if n == "" {
			if u, err := url.Parse(a.URL); err == nil {
				n = path.Base(u.Path)
			}
		}
		if d.Pattern.MatchString(n) {
			found, name = a.URL, n
		}
	}
	if found == "" {
		return "", "", fmt.Errorf("%s: no attachment named like %s on %s (%d attachments); the file may have been renamed, or published on a newer page", d.Key, d.Pattern, d.IndexURL, len(page.Details.Attachments))
	}
	ref, err := url.Parse(found)
	if err != nil {
		return "", "", err
	}
	base, err := url.Parse(d.IndexURL)
	if err != nil {
		return "", "", err
	}
	return base.ResolveReference(ref).String(), name, checkFileName(name)
}

// DownloadDirect fetches a Direct file into dir/<Key>/<file name>, with
// the same care as DownloadFile: conditional re-requests against prev,
// streamed to a temporary file with a size cap, checked with d.Validate,
// renamed into place, and recorded in dir/manifest.json. On error the
// previous copy is untouched.
func (c *Client) DownloadDirect(ctx context.Context, dir string, d Direct, prev *Entry) (Entry, Status, error) {
	if _, err := NormaliseSlug(d.Key); err != nil {
		return Entry{}, StatusFailed, err
	}
	if d.Validate == nil {
		return Entry{}, StatusFailed, errors.New("fetch: a direct download needs a validator")
	}
	u, name, err := c.resolveDirect(ctx, d)
	if err != nil {
		return Entry{}, StatusFailed, err
	}
	pu, err := url.Parse(u)
	if err != nil {
		return Entry{}, StatusFailed, err
	}
	if err := CheckURL(pu); err != nil {
		return Entry{}, StatusFailed, err
	}
	destDir := filepath.Join(dir, d.Key)
	dest := filepath.Join(destDir, name)
	base := Entry{Publication: d.Key, ReleaseSlug: "latest", FileName: name, Path: relPath(d.Key, name), Source: SourceDirect, SourceURL: u}
	if prev != nil && prev.SourceURL != u {
		prev = nil // another file: download it whole
	}
	conditional := prev != nil && prev.SHA256 != "" && (prev.ETag != "" || prev.LastModified != "") && fileExists(dest)
	c.progress.Start(name, -1)
	e, st, err := c.downloadOnce(ctx, u, destDir, dest, base, prev, conditional, d.Validate)
	if errors.Is(err, errLocalChanged) {
		e, st, err = c.downloadOnce(ctx, u, destDir, dest, base, prev, false, d.Validate)
	}
	c.progress.Finish(name, err)
	if err != nil {
		return Entry{}, StatusFailed, err
	}
	if err := updateManifest(dir, []Entry{e}); err != nil {
		return e, st, err
	}
	return e, st, nil
}
