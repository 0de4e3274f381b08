package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Status says what happened to one file.
type Status string

const (
	StatusDownloaded Status = "downloaded" // new or changed content written
	StatusUnchanged  Status = "unchanged"  // 304 Not Modified, local hash verified
	StatusFailed     Status = "failed"
)

// FileResult is the outcome for one wanted file.
type FileResult struct {
	File   DataSetFile
	Entry  Entry // valid when Err == nil
	Status Status
	Err    error
}

var errLocalChanged = errors.New("local copy does not match the manifest hash")

// FileURL is the content API URL of one file of a release version.
func (c *Client) FileURL(releaseVersionID, fileID string) string {
	return c.contentURL(nil, "releases", strings.ToLower(releaseVersionID), "files", strings.ToLower(fileID))
}

// DownloadFile fetches one data file into
// dir/<publication-slug>/<release-slug>/<filename>. prev is the file's manifest
// entry from an earlier fetch (or nil): when it has an ETag or Last-Modified and
// the file is still there, the request is conditional and a 304 keeps the file
// after re-checking its SHA-256 offline (a mismatch forces a full download).
// The body streams to a temp file in the same folder, hashed as it arrives,
// capped at Options.MaxFileBytes and checked against Content-Length, then
// validated and renamed into place. On error the previous copy is untouched
// and no temp file remains. Truncated bodies are retried like 5xx responses.
func (c *Client) DownloadFile(ctx context.Context, dir string, rel *Release, f DataSetFile, prev *Entry) (Entry, Status, error) {
	if err := checkFileName(f.Filename); err != nil {
		return Entry{}, StatusFailed, err
	}
	if _, err := NormaliseSlug(rel.PublicationSlug); err != nil {
		return Entry{}, StatusFailed, err
	}
	if _, err := NormaliseSlug(rel.Slug); err != nil {
		return Entry{}, StatusFailed, err
	}
	u := c.FileURL(rel.ReleaseVersionID, f.FileID)
	destDir := filepath.Join(dir, rel.PublicationSlug, rel.Slug)
	dest := filepath.Join(destDir, f.Filename)
	conditional := prev != nil && prev.SHA256 != "" && (prev.ETag != "" || prev.LastModified != "") && fileExists(dest)
	base := Entry{
		Publication:      rel.PublicationSlug,
		ReleaseSlug:      rel.Slug,
		ReleaseVersionID: rel.ReleaseVersionID,
		FileID:           f.FileID,
		FileName:         f.Filename,
		Path:             relPath(rel.PublicationSlug, rel.Slug, f.Filename),
		Source:           SourceEES,
		SourceURL:        u,
	}
	c.progress.Start(f.Filename, -1)
	for attempt := 0; ; attempt++ {
		e, st, err := c.downloadOnce(ctx, u, destDir, dest, base, prev, conditional, c.opt.Validate)
		switch {
		case err == nil:
			c.progress.Finish(f.Filename, nil)
			return e, st, nil
		case errors.Is(err, errLocalChanged) && conditional:
			c.logf("%s: %v; downloading again", dest, err)
			conditional = false
			continue
		case errors.Is(err, ErrTruncated) && attempt < c.opt.MaxRetries && ctx.Err() == nil:
			wait := c.backoff(attempt)
			c.logf("%v; retrying in %s", err, wait)
			if serr := c.opt.Sleep(ctx, wait); serr != nil {
				c.progress.Finish(f.Filename, serr)
				return Entry{}, StatusFailed, serr
			}
			continue
		}
		c.progress.Finish(f.Filename, err)
		return Entry{}, StatusFailed, err
	}
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func (c *Client) downloadOnce(ctx context.Context, u, destDir, dest string, base Entry, prev *Entry, conditional bool, validate func(string) error) (Entry, Status, error) {
	hdr := http.Header{}
	hdr.Set("Accept", "text/csv, */*;q=0.5")
	if conditional {
		if prev.ETag != "" {
			hdr.Set("If-None-Match", prev.ETag)
		}
		if prev.LastModified != "" {
			hdr.Set("If-Modified-Since", prev.LastModified)
		}
	}
	resp, err := c.get(ctx, u, hdr)
	if err != nil {
		return Entry{}, StatusFailed, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		if !conditional {
			return Entry{}, StatusFailed, fmt.Errorf("GET %s: 304 Not Modified to an unconditional request", u)
		}
		sum, n, err := HashFile(dest)
		if err != nil {
			return Entry{}, StatusFailed, err
		}
		if sum != prev.SHA256 || n != prev.Bytes {
			return Entry{}, StatusFailed, errLocalChanged
		}
		e := *prev
		// Keep the new identifiers (a new release version may serve the same bytes).
		e.ReleaseVersionID, e.FileID, e.SourceURL, e.Source = base.ReleaseVersionID, base.FileID, base.SourceURL, base.Source
		if et := resp.Header.Get("ETag"); et != "" {
			e.ETag = et
		}
		if lm := resp.Header.Get("Last-Modified"); lm != "" {
			e.LastModified = lm
		}
		c.logf("%s: not modified, hash verified", base.Path)
		return e, StatusUnchanged, nil
	}
	if resp.StatusCode != http.StatusOK {
		return Entry{}, StatusFailed, &HTTPError{URL: u, StatusCode: resp.StatusCode}
	}
	if resp.ContentLength > c.opt.MaxFileBytes {
		return Entry{}, StatusFailed, fmt.Errorf("GET %s: %w: Content-Length %d, cap %d bytes", u, ErrTooLarge, resp.ContentLength, c.opt.MaxFileBytes)
	}
	s, err := stage(destDir, base.FileName, &progressReader{r: resp.Body, p: c.progress, name: base.FileName}, c.opt.MaxFileBytes)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return Entry{}, StatusFailed, fmt.Errorf("GET %s: %w: %v", u, ErrTruncated, err)
		}
		if errors.Is(err, ErrTooLarge) {
			return Entry{}, StatusFailed, fmt.Errorf("GET %s: %w", u, err)
		}
		return Entry{}, StatusFailed, fmt.Errorf("GET %s: %w", u, err)
	}
	if resp.ContentLength >= 0 && s.n != resp.ContentLength {
		s.discard()
		return Entry{}, StatusFailed, fmt.Errorf("GET %s: %w: got %d of %d bytes", u, ErrTruncated, s.n, resp.ContentLength)
	}
	if err := validate(s.tmp); err != nil {
		s.discard()
		return Entry{}, StatusFailed, &ValidationError{Name: base.FileName + " from " + u, Err: err}
	}
	if err := s.commit(dest); err != nil {
		return Entry{}, StatusFailed, err
	}
	e := base
	e.Bytes, e.SHA256 = s.n, s.hash
	e.ETag = resp.Header.Get("ETag")
	e.LastModified = resp.Header.Get("Last-Modified")
	e.FetchedAt = stamp(c.opt.Now())
	c.logf("%s: %d bytes, sha256 %s", base.Path, s.n, s.hash)
	return e, StatusDownloaded, nil
}

// Request says what Fetch should download.
type Request struct {
	Dir         string // data folder (DIR)
	Publication string // publication slug; old slugs are redirected
	Release     string // release slug such as "2024-25" or "2025"; "" or "latest" for the latest

	// Which files: any file for which Want returns true, or whose name is in
	// WantNames (case-insensitive), or every file with AllFiles. At least one
	// must be set.
	Want      func(DataSetFile) bool
	WantNames []string
	AllFiles  bool

	Zip   bool // one whole-release zip instead of one request per file
	Force bool // ignore ETag/Last-Modified and download again
}

// Result is what Fetch did.
type Result struct {
	Release   Release
	Listed    []DataSetFile // every file of the release
	Files     []FileResult  // the wanted files, in listing order
	NotListed []string      // WantNames that the release does not have
	Extra     []Entry       // zip only: data-guidance.txt
}

// Fetch resolves the publication and release, lists its files, downloads the
// wanted ones (or the release zip) and records them in DIR/manifest.json.
// Files that fail are reported in Result.Files and in the joined error;
// files that succeed are kept and recorded even when others fail.
func (c *Client) Fetch(ctx context.Context, req Request) (*Result, error) {
	if req.Dir == "" {
		return nil, errors.New("fetch: no data folder given")
	}
	if req.Want == nil && len(req.WantNames) == 0 && !req.AllFiles {
		return nil, errors.New("fetch: no files selected (give Want, WantNames or AllFiles)")
	}
	rel, err := c.ResolveRelease(ctx, req.Publication, req.Release)
	if err != nil {
		return nil, err
	}
	c.logf("publication %q -> %q release %q (version %s, via %s)", req.Publication, rel.PublicationSlug, rel.Slug, rel.ReleaseVersionID, rel.Via)
	files, err := c.ListFiles(ctx, rel.ReleaseVersionID)
	if err != nil {
		return nil, err
	}
	res := &Result{Release: *rel, Listed: files}
	names := map[string]bool{}
	for _, n := range req.WantNames {
		names[strings.ToLower(n)] = true
	}
	var wanted []DataSetFile
	for _, f := range files {
		ln := strings.ToLower(f.Filename)
		if req.AllFiles || names[ln] || (req.Want != nil && req.Want(f)) {
			wanted = append(wanted, f)
		}
		delete(names, ln)
	}
	for _, n := range req.WantNames {
		if names[strings.ToLower(n)] {
			res.NotListed = append(res.NotListed, n)
		}
	}
	if len(wanted) == 0 {
		return res, fmt.Errorf("fetch: none of the %d files of %s/%s was selected", len(files), rel.PublicationSlug, rel.Slug)
	}
	removeStaleTemps(filepath.Join(req.Dir, rel.PublicationSlug, rel.Slug), time.Now())
	// A manifest that cannot be read stops the fetch before any download.
	m, err := LoadManifest(req.Dir)
	if err != nil {
		return nil, fmt.Errorf("%w; move it away or fix it before fetching", err)
	}
	if req.Zip {
		return c.fetchZip(ctx, req, rel, wanted, res)
	}
	res.Files = make([]FileResult, len(wanted))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(c.opt.MaxConcurrent, len(wanted)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				f := wanted[i]
				var prev *Entry
				if !req.Force {
					if p := m.Get(relPath(rel.PublicationSlug, rel.Slug, f.Filename)); p != nil {
						cp := *p
						prev = &cp
					}
				}
				e, st, err := c.DownloadFile(ctx, req.Dir, rel, f, prev)
				if err == nil {
					// Recorded as soon as it is in place: an interrupted
					// run keeps the files it completed.
					if merr := updateManifest(req.Dir, []Entry{e}); merr != nil {
						err = fmt.Errorf("writing %s: %w", filepath.Join(req.Dir, ManifestName), merr)
					}
				}
				res.Files[i] = FileResult{File: f, Entry: e, Status: st, Err: err}
			}
		}()
	}
	for i := range wanted {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return res, c.record(req.Dir, res.Files, nil)
}

// record writes successful entries to the manifest (again, for those
// recorded file by file: Put replaces) and joins the errors.
func (c *Client) record(dir string, results []FileResult, extra []Entry) error {
	var entries []Entry
	var errs []error
	for _, r := range results {
		if r.Err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.File.Filename, r.Err))
			continue
		}
		entries = append(entries, r.Entry)
	}
	entries = append(entries, extra...)
	if err := updateManifest(dir, entries); err != nil {
		errs = append(errs, fmt.Errorf("writing %s: %w", filepath.Join(dir, ManifestName), err))
	}
	return errors.Join(errs...)
}

// removeStaleTemps deletes this package's temp files in dir (not recursive)
// left by a run that was killed: only those older than an hour, so a
// download in progress elsewhere is never touched.
func removeStaleTemps(dir string, now time.Time) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), TempPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > time.Hour {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}
