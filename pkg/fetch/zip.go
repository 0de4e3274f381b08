package fetch

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// GuidanceFileName is where the zip's data-guidance/data-guidance.txt goes.
const GuidanceFileName = "data-guidance.txt"

const zipGuidanceEntry = "data-guidance/data-guidance.txt"

// ReleaseZipURL is the URL of a release version's whole-release zip.
func (c *Client) ReleaseZipURL(releaseVersionID string) string {
	q := url.Values{}
	q.Set("fromPage", "ReleaseDownloads")
	return c.contentURL(q, "releases", strings.ToLower(releaseVersionID), "files")
}

// ZipResult is what DownloadReleaseZip extracted.
type ZipResult struct {
	Files    []Entry // data CSVs, by file name
	Guidance *Entry  // data-guidance.txt, if the zip had one
}

// DownloadReleaseZip downloads GET /releases/{id}/files?fromPage=ReleaseDownloads
// to a temp file and extracts only data/*.csv (those for which keep returns
// true; nil keeps all) and data-guidance/data-guidance.txt into
// dir/<publication-slug>/<release-slug>/. Before extracting anything it
// rejects the whole zip if any entry is absolute, escapes the folder, is a
// symlink, if there are more than Options.MaxZipEntries entries, or a wanted
// entry declares more than Options.MaxFileBytes; while extracting it enforces
// the same cap on the actual bytes. Files are extracted into a temp folder,
// validated, then renamed into place; on error nothing is changed.
func (c *Client) DownloadReleaseZip(ctx context.Context, dir string, rel *Release, keep func(name string) bool) (*ZipResult, error) {
	if _, err := NormaliseSlug(rel.PublicationSlug); err != nil {
		return nil, err
	}
	if _, err := NormaliseSlug(rel.Slug); err != nil {
		return nil, err
	}
	u := c.ReleaseZipURL(rel.ReleaseVersionID)
	destDir := filepath.Join(dir, rel.PublicationSlug, rel.Slug)
	name := rel.PublicationSlug + "_" + rel.Slug + ".zip"
	c.progress.Start(name, -1)
	zr, err := c.downloadZip(ctx, u, destDir, name, rel, keep)
	c.progress.Finish(name, err)
	return zr, err
}

func (c *Client) downloadZip(ctx context.Context, u, destDir, name string, rel *Release, keep func(string) bool) (*ZipResult, error) {
	resp, err := c.get(ctx, u, http.Header{"Accept": {"application/zip, application/octet-stream, */*;q=0.5"}})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, &HTTPError{URL: u, StatusCode: resp.StatusCode}
	}
	if resp.ContentLength > c.opt.MaxZipBytes {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %w: Content-Length %d, cap %d", u, ErrTooLarge, resp.ContentLength, c.opt.MaxZipBytes)
	}
	s, err := stage(destDir, name, &progressReader{r: resp.Body, p: c.progress, name: name}, c.opt.MaxZipBytes)
	resp.Body.Close()
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return nil, fmt.Errorf("GET %s: %w", u, err)
		}
		return nil, fmt.Errorf("GET %s: %w: %v", u, ErrTruncated, err)
	}
	defer s.discard()
	if resp.ContentLength >= 0 && s.n != resp.ContentLength {
		return nil, fmt.Errorf("GET %s: %w: got %d of %d bytes", u, ErrTruncated, s.n, resp.ContentLength)
	}
	zr, err := zip.OpenReader(s.tmp)
	if err != nil {
		return nil, fmt.Errorf("GET %s: not a readable zip (%v)", u, err)
	}
	defer zr.Close()

	plan, err := c.planZip(zr.File, keep)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u, err)
	}
	stagingDir, err := os.MkdirTemp(destDir, TempPrefix+"zip-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(stagingDir)

	type out struct {
		base string
		n    int64
		hash string
	}
	var outs []out
	budget := c.opt.MaxZipTotalBytes // actual bytes, whatever the headers say
	for _, zf := range plan {
		base := path.Base(zf.Name)
		if zf.Name == zipGuidanceEntry {
			base = GuidanceFileName
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: entry %q: %v", u, zf.Name, err)
		}
		st, err := stage(stagingDir, base, ctxReader{ctx, rc}, min(c.opt.MaxFileBytes, budget))
		rc.Close()
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				return nil, fmt.Errorf("%s: entry %q: %w", u, zf.Name, err)
			}
			if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrChecksum) {
				// Go's reader stops at the declared size and checks the CRC.
				return nil, fmt.Errorf("%s: %w: entry %q does not match its header (%v)", u, ErrUnsafeZip, zf.Name, err)
			}
			return nil, fmt.Errorf("%s: entry %q: %v", u, zf.Name, err)
		}
		budget -= st.n
		if uint64(st.n) != zf.UncompressedSize64 {
			st.discard()
			return nil, fmt.Errorf("%s: entry %q: %w: %d bytes, header says %d", u, zf.Name, ErrUnsafeZip, st.n, zf.UncompressedSize64)
		}
		if err := c.opt.Validate(st.tmp); err != nil {
			st.discard()
			return nil, &ValidationError{Name: zf.Name + " in " + u, Err: err}
		}
		if err := st.commit(filepath.Join(stagingDir, base)); err != nil {
			return nil, err
		}
		outs = append(outs, out{base: base, n: st.n, hash: st.hash})
	}
	// Everything is extracted and checked: move into place.
	res := &ZipResult{}
	now := stamp(c.opt.Now())
	for _, o := range outs {
		if err := os.Rename(filepath.Join(stagingDir, o.base), filepath.Join(destDir, o.base)); err != nil {
			return nil, err
		}
		e := Entry{
			Publication:      rel.PublicationSlug,
			ReleaseSlug:      rel.Slug,
			ReleaseVersionID: rel.ReleaseVersionID,
			FileName:         o.base,
			Path:             relPath(rel.PublicationSlug, rel.Slug, o.base),
			Source:           SourceEESZip,
			SourceURL:        u,
			Bytes:            o.n,
			SHA256:           o.hash,
			FetchedAt:        now,
		}
		if o.base == GuidanceFileName {
			g := e
			res.Guidance = &g
		} else {
			res.Files = append(res.Files, e)
		}
	}
	syncDir(destDir)
	return res, nil
}

// planZip checks every entry and returns the ones to extract.
func (c *Client) planZip(files []*zip.File, keep func(string) bool) ([]*zip.File, error) {
	if len(files) > c.opt.MaxZipEntries {
		return nil, fmt.Errorf("%w: %d entries, more than the %d allowed", ErrUnsafeZip, len(files), c.opt.MaxZipEntries)
	}
	var plan []*zip.File
	var total uint64
	seen := map[string]bool{}
	for _, zf := range files {
		n := zf.Name
		switch {
		case n == "":
			return nil, fmt.Errorf("%w: entry with an empty name", ErrUnsafeZip)
		case strings.HasPrefix(n, "/") || strings.HasPrefix(n, `\`) || (len(n) > 1 && n[1] == ':'):
			return nil, fmt.Errorf("%w: absolute path %q", ErrUnsafeZip, n)
		case strings.Contains(n, `\`) || strings.ContainsRune(n, 0):
			return nil, fmt.Errorf("%w: entry name %q has a backslash or NUL", ErrUnsafeZip, n)
		case !filepath.IsLocal(filepath.FromSlash(strings.TrimSuffix(n, "/"))) || hasDotDot(n):
			return nil, fmt.Errorf("%w: entry %q escapes the target folder", ErrUnsafeZip, n)
		case zf.Mode()&fs.ModeSymlink != 0:
			return nil, fmt.Errorf("%w: entry %q is a symlink", ErrUnsafeZip, n)
		}
		if zf.FileInfo().IsDir() {
			continue
		}
		want := false
		if n == zipGuidanceEntry {
			want = true
		} else if dirName, base := path.Split(n); dirName == "data/" && strings.HasSuffix(strings.ToLower(base), ".csv") {
			if checkFileName(base) == nil && (keep == nil || keep(base)) {
				want = true
			}
		}
		if !want {
			continue
		}
		if !zf.Mode().IsRegular() {
			return nil, fmt.Errorf("%w: entry %q is not a regular file", ErrUnsafeZip, n)
		}
		if zf.UncompressedSize64 > uint64(c.opt.MaxFileBytes) {
			return nil, fmt.Errorf("entry %q: %w: declares %d bytes, cap %d", n, ErrTooLarge, zf.UncompressedSize64, c.opt.MaxFileBytes)
		}
		if zf.UncompressedSize64 > zipRatioFloor && zf.UncompressedSize64 > uint64(c.opt.MaxZipRatio)*max(zf.CompressedSize64, 1) {
			return nil, fmt.Errorf("%w: entry %q expands %d bytes to %d, more than %d times (a zip bomb?)",
				ErrUnsafeZip, n, zf.CompressedSize64, zf.UncompressedSize64, c.opt.MaxZipRatio)
		}
		total += zf.UncompressedSize64
		if total > uint64(c.opt.MaxZipTotalBytes) {
			return nil, fmt.Errorf("%w: the entries to extract declare more than %d bytes in all", ErrTooLarge, c.opt.MaxZipTotalBytes)
		}
		key := strings.ToLower(path.Base(n))
		if seen[key] {
			return nil, fmt.Errorf("%w: entry %q appears twice", ErrUnsafeZip, n)
		}
		seen[key] = true
		plan = append(plan, zf)
	}
	return plan, nil
}

// zipRatioFloor: entries up to this size are not ratio-checked (a small
// file of repeated cells can compress far better than a large one).
const zipRatioFloor = 10 << 20

func hasDotDot(n string) bool {
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return true
		}
	}
	return false
}

func (c *Client) fetchZip(ctx context.Context, req Request, rel *Release, wanted []DataSetFile, res *Result) (*Result, error) {
	byName := map[string]DataSetFile{}
	for _, f := range wanted {
		byName[strings.ToLower(f.Filename)] = f
	}
	zr, err := c.DownloadReleaseZip(ctx, req.Dir, rel, func(name string) bool {
		_, ok := byName[strings.ToLower(name)]
		return ok
	})
	if err != nil {
		return res, err
	}
	got := map[string]Entry{}
	for _, e := range zr.Files {
		got[strings.ToLower(e.FileName)] = e
	}
	for _, f := range wanted {
		e, ok := got[strings.ToLower(f.Filename)]
		if !ok {
			res.Files = append(res.Files, FileResult{File: f, Status: StatusFailed,
				Err: fmt.Errorf("not in the release zip %s (EES leaves out files it cannot read)", c.ReleaseZipURL(rel.ReleaseVersionID))})
			continue
		}
		e.FileID = f.FileID
		res.Files = append(res.Files, FileResult{File: f, Entry: e, Status: StatusDownloaded})
	}
	var extra []Entry
	if zr.Guidance != nil {
		extra = append(extra, *zr.Guidance)
		res.Extra = extra
	}
	return res, c.record(req.Dir, res.Files, extra)
}
