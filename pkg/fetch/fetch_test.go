package fetch_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cscstats/cscstats/pkg/fetch"
	"github.com/cscstats/cscstats/pkg/fetch/eestest"
)

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Happy path on the real DfE files: old slug redirected, latest and a named
// release, every byte equal to the original, manifest complete, then a re-run
// answered entirely by 304s.
func TestFetchRealFiles(t *testing.T) {
	shared := eestest.RequireSharedEES(t)
	cfg, err := eestest.RealConfig(shared)
	if err != nil {
		t.Fatal(err)
	}
	srv := eestest.NewServer(t, cfg)
	c, _ := newClient(t, srv, nil)
	data := filepath.Join(t.TempDir(), "data")

	res, err := c.Fetch(ctx(t), fetch.Request{Dir: data, Publication: eestest.CINOldSlug, AllFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Release.PublicationSlug != eestest.CINSlug || res.Release.Slug != eestest.CINRelease || !res.Release.Latest || res.Release.RequestedSlug != eestest.CINOldSlug {
		t.Fatalf("resolved %+v", res.Release)
	}
	if n := srv.Requests("/api/redirects"); n != 1 {
		t.Errorf("redirects fetched %d times, want 1", n)
	}
	// CLA: latest release, chosen by predicate; and the named older release.
	resCLA, err := c.Fetch(ctx(t), fetch.Request{Dir: data, Publication: eestest.CLASlug,
		Want: func(f fetch.DataSetFile) bool {
			return strings.HasPrefix(f.Filename, "la_") || strings.HasPrefix(f.Filename, "cla_") || strings.HasPrefix(f.Filename, "national_")
		}})
	if err != nil {
		t.Fatal(err)
	}
	if resCLA.Release.Slug != eestest.CLARelease {
		t.Fatalf("CLA latest = %q", resCLA.Release.Slug)
	}
	resOld, err := c.Fetch(ctx(t), fetch.Request{Dir: data, Publication: eestest.CLASlug, Release: eestest.CLAOldRelease, WantNames: []string{eestest.CLAOldFile}})
	if err != nil {
		t.Fatal(err)
	}
	if resOld.Release.Slug != eestest.CLAOldRelease || resOld.Release.Latest {
		t.Fatalf("CLA named release = %+v", resOld.Release)
	}

	m, err := fetch.LoadManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{} // relative path -> original file
	for _, sub := range []struct{ dir, pub, rel string }{
		{"cin", eestest.CINSlug, eestest.CINRelease},
		{"cla", eestest.CLASlug, eestest.CLARelease},
	} {
		ents, _ := os.ReadDir(filepath.Join(shared, sub.dir))
		for _, e := range ents {
			if !strings.HasSuffix(e.Name(), ".csv") {
				continue
			}
			rel := sub.rel
			if e.Name() == eestest.CLAOldFile {
				rel = eestest.CLAOldRelease
			}
			want[sub.pub+"/"+rel+"/"+e.Name()] = filepath.Join(shared, sub.dir, e.Name())
		}
	}
	if len(m.Files) != len(want) {
		t.Errorf("manifest has %d files, want %d", len(m.Files), len(want))
	}
	for rp, orig := range want {
		o := readFile(t, orig)
		got := readFile(t, filepath.Join(data, filepath.FromSlash(rp)))
		if sha(got) != sha(o) {
			t.Errorf("%s: sha256 differs from the original", rp)
		}
		e := m.Get(rp)
		if e == nil {
			t.Errorf("%s missing from manifest", rp)
			continue
		}
		if e.SHA256 != sha(o) || e.Bytes != int64(len(o)) || e.ETag == "" || e.LastModified == "" ||
			e.FetchedAt != "2026-03-01T12:00:00Z" || e.Source != fetch.SourceEES || e.FileID == "" || e.ReleaseVersionID == "" ||
			!strings.HasPrefix(e.SourceURL, srv.ContentURL+"/releases/") || e.FileName != filepath.Base(rp) {
			t.Errorf("%s: manifest entry %+v", rp, *e)
		}
	}
	if rep, err := fetch.Check(data); err != nil || !rep.Clean() || len(rep.OK) != len(want) {
		t.Fatalf("Check: %+v %v", rep, err)
	}
	if len(tempFiles(t, data)) != 0 {
		t.Fatal("temp files left")
	}

	// Re-run: every file answered 304, nothing downloaded again.
	res2, err := c.Fetch(ctx(t), fetch.Request{Dir: data, Publication: eestest.CINSlug, AllFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, fr := range res2.Files {
		if fr.Status != fetch.StatusUnchanged {
			t.Errorf("%s: status %s on re-run", fr.File.Filename, fr.Status)
		}
		p := eestest.FilePath(res2.Release.ReleaseVersionID, fr.File.FileID)
		if srv.Served(p) != 1 || srv.NotModified(p) != 1 || srv.Requests(p) != 2 {
			t.Errorf("%s: served %d, 304 %d, requests %d", fr.File.Filename, srv.Served(p), srv.NotModified(p), srv.Requests(p))
		}
	}
	if uas := srv.UserAgents(); len(uas) != 1 || uas[0] != "cscstats/test (+https://github.com/cscstats/cscstats)" {
		t.Errorf("User-Agent %q", uas)
	}
}

func TestResolveRelease(t *testing.T) {
	srv := eestest.NewServer(t, smallConfig(2))
	c, _ := newClient(t, srv, nil)
	r, err := c.ResolveRelease(ctx(t), "PUB-A", "")
	if err != nil || r.Slug != "2024-25" || !r.Latest || r.Via != "releases" || r.ReleaseVersionID != eestest.ID("rv:pub-a/2024-25") {
		t.Fatalf("latest: %+v %v", r, err)
	}
	r, err = c.ResolveRelease(ctx(t), "pub-a", "2023-24")
	if err != nil || r.Slug != "2023-24" || r.Latest || r.ReleaseVersionID != eestest.ID("rv:pub-a/2023-24") {
		t.Fatalf("named: %+v %v", r, err)
	}
	_, err = c.ResolveRelease(ctx(t), "pub-a", "1999-00")
	if err == nil || !strings.Contains(err.Error(), "2023-24, 2024-25") {
		t.Fatalf("missing release: %v", err)
	}
	if _, err := c.ResolveRelease(ctx(t), "../etc", ""); err == nil {
		t.Fatal("unsafe slug accepted")
	}
}

func TestRedirectChainAndLoop(t *testing.T) {
	cfg := smallConfig(1)
	cfg.PublicationRedirects = map[string]string{"old-a": "older-a", "older-a": "pub-a", "loop-x": "loop-y", "loop-y": "loop-x"}
	srv := eestest.NewServer(t, cfg)
	c, _ := newClient(t, srv, nil)
	r, err := c.ResolveRelease(ctx(t), "old-a", "")
	if err != nil || r.PublicationSlug != "pub-a" || r.RequestedSlug != "old-a" {
		t.Fatalf("chain: %+v %v", r, err)
	}
	_, err = c.ResolveRelease(ctx(t), "loop-x", "")
	if err == nil || !strings.Contains(err.Error(), "loop") {
		t.Fatalf("loop: %v", err)
	}
	if n := srv.Requests("/api/publications/loop-x/releases"); n != 1 {
		t.Errorf("loop-x asked %d times", n)
	}
	// A renamed release is found through releaseRedirectsByPublicationSlug.
	cfg.ReleaseRedirects = map[string]map[string]string{"pub-a": {"2024": "2024-25"}}
	srv2 := eestest.NewServer(t, cfg)
	c2, _ := newClient(t, srv2, nil)
	r, err = c2.ResolveRelease(ctx(t), "pub-a", "2024")
	if err != nil || r.Slug != "2024-25" || r.ReleaseVersionID != eestest.ID("rv:pub-a/2024-25") {
		t.Fatalf("release redirect: %+v %v", r, err)
	}
}

func TestResolveFallbackVersionSummary(t *testing.T) {
	cfg := smallConfig(1)
	cfg.NoReleasesList = true
	cfg.PublicationRedirects = map[string]string{"old-a": "pub-a"}
	srv := eestest.NewServer(t, cfg)
	c, _ := newClient(t, srv, nil)
	r, err := c.ResolveRelease(ctx(t), "old-a", "")
	if err != nil || r.Via != "version-summary" || r.Slug != "2024-25" || r.PublicationSlug != "pub-a" || r.ReleaseVersionID != eestest.ID("rv:pub-a/2024-25") {
		t.Fatalf("fallback latest: %+v %v", r, err)
	}
	r, err = c.ResolveRelease(ctx(t), "pub-a", "2023-24")
	if err != nil || r.Slug != "2023-24" || r.ReleaseVersionID != eestest.ID("rv:pub-a/2023-24") {
		t.Fatalf("fallback named: %+v %v", r, err)
	}
	if _, err := c.ResolveRelease(ctx(t), "nope", ""); !errors.Is(err, fetch.ErrNotFound) {
		t.Fatalf("unknown publication: %v", err)
	}
	// Without /redirects either, the publication endpoint is still tried.
	srv2 := eestest.NewServer(t, cfg)
	srv2.Fault("/api/redirects", eestest.Fault{Status: 404})
	c2, _ := newClient(t, srv2, nil)
	if r, err := c2.ResolveRelease(ctx(t), "pub-a", ""); err != nil || r.Via != "version-summary" {
		t.Fatalf("no redirects endpoint: %+v %v", r, err)
	}
}

func TestShapeErrors(t *testing.T) {
	srv := eestest.NewServer(t, smallConfig(2))
	c, _ := newClient(t, srv, nil)
	// An unexpected releases shape falls back to the newer endpoints.
	srv.Fault("/api/publications/pub-a/releases", eestest.Fault{Status: 200, Body: `{"releases":[]}`, ContentType: "application/json"})
	r, err := c.ResolveRelease(ctx(t), "pub-a", "")
	if err != nil || r.Via != "version-summary" {
		t.Fatalf("fallback after shape change: %+v %v", r, err)
	}
	// A file list without "results" is a clear error naming the URL.
	srv.Fault("/api/data-set-files", eestest.Fault{Status: 200, Body: `{"items":[],"paging":{"page":1,"totalPages":1}}`, ContentType: "application/json"})
	_, err = c.ListFiles(ctx(t), r.ReleaseVersionID)
	var se *fetch.ShapeError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), `"results"`) || !strings.Contains(err.Error(), srv.ContentURL+"/data-set-files?") {
		t.Fatalf("shape error: %v", err)
	}
	// Not JSON at all.
	srv.Fault("/api/data-set-files", eestest.Fault{Status: 200, Body: `<!DOCTYPE html><p>maintenance</p>`, ContentType: "text/html"})
	_, err = c.ListFiles(ctx(t), r.ReleaseVersionID)
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "maintenance") {
		t.Fatalf("html instead of JSON: %v", err)
	}
}

func TestListFilesPaging(t *testing.T) {
	srv := eestest.NewServer(t, smallConfig(95))
	c, _ := newClient(t, srv, nil)
	r, err := c.ResolveRelease(ctx(t), "pub-a", "")
	if err != nil {
		t.Fatal(err)
	}
	files, err := c.ListFiles(ctx(t), r.ReleaseVersionID)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 95 || files[0].Filename != "file_00.csv" || files[94].Filename != "file_94.csv" {
		t.Fatalf("got %d files", len(files))
	}
	if n := srv.Requests("/api/data-set-files"); n != 3 {
		t.Fatalf("%d list requests, want 3 pages", n)
	}
	var pages []string
	for _, l := range srv.Log() {
		if strings.Contains(l, "/api/data-set-files?") {
			if !strings.Contains(l, "pageSize=40") || !strings.Contains(l, "releaseId="+r.ReleaseVersionID) {
				t.Errorf("request %s", l)
			}
			pages = append(pages, l[strings.Index(l, "page="):][:6])
		}
	}
	if strings.Join(pages, " ") != "page=1 page=2 page=3" {
		t.Errorf("pages %v", pages)
	}
}

func TestConditionalRequest304(t *testing.T) {
	srv := eestest.NewServer(t, smallConfig(3))
	c, _ := newClient(t, srv, nil)
	data := t.TempDir()
	req := fetch.Request{Dir: data, Publication: "pub-a", WantNames: []string{"FILE_01.csv", "missing.csv"}}
	res, err := c.Fetch(ctx(t), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 || res.Files[0].Status != fetch.StatusDownloaded || fmt.Sprint(res.NotListed) != "[missing.csv]" {
		t.Fatalf("first run %+v", res)
	}
	p := eestest.FilePath(res.Release.ReleaseVersionID, res.Files[0].File.FileID)
	local := filepath.Join(data, "pub-a", "2024-25", "file_01.csv")
	st1, _ := os.Stat(local)

	res, err = c.Fetch(ctx(t), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Files[0].Status != fetch.StatusUnchanged {
		t.Fatalf("second run status %s", res.Files[0].Status)
	}
	if srv.Requests(p) != 2 || srv.Served(p) != 1 || srv.NotModified(p) != 1 {
		t.Fatalf("requests %d served %d 304 %d", srv.Requests(p), srv.Served(p), srv.NotModified(p))
	}
	st2, _ := os.Stat(local)
	if !st2.ModTime().Equal(st1.ModTime()) || string(readFile(t, local)) != string(csvData("file_01.csv", 5)) {
		t.Fatal("file touched on 304")
	}
	// Local damage: 304 but the offline hash check fails, so it downloads again.
	os.WriteFile(local, []byte("damaged\n"), 0o644)
	res, err = c.Fetch(ctx(t), req)
	if err != nil || res.Files[0].Status != fetch.StatusDownloaded {
		t.Fatalf("after damage: %+v %v", res.Files, err)
	}
	if srv.Requests(p) != 4 || srv.NotModified(p) != 2 || string(readFile(t, local)) != string(csvData("file_01.csv", 5)) {
		t.Fatalf("repair: requests %d 304s %d", srv.Requests(p), srv.NotModified(p))
	}
	// Force: unconditional.
	req.Force = true
	if _, err = c.Fetch(ctx(t), req); err != nil || srv.Served(p) != 3 {
		t.Fatalf("force: served %d %v", srv.Served(p), err)
	}
}

func TestReleaseZip(t *testing.T) {
	cfg := smallConfig(3)
	rel := &cfg.Publications[0].Releases[1]
	rel.Supporting = []eestest.File{{Name: "methodology.pdf", Data: []byte("%PDF-1.4 not text \x00")}}
	rel.ZipSkip = []string{"file_02.csv"}
	srv := eestest.NewServer(t, cfg)
	c, _ := newClient(t, srv, nil)
	data := t.TempDir()
	res, err := c.Fetch(ctx(t), fetch.Request{Dir: data, Publication: "pub-a", AllFiles: true, Zip: true})
	if err == nil || !strings.Contains(err.Error(), "file_02.csv: not in the release zip") {
		t.Fatalf("want a missing-from-zip error, got %v", err)
	}
	dir := filepath.Join(data, "pub-a", "2024-25")
	for i, name := range []string{"file_00.csv", "file_01.csv"} {
		if got := readFile(t, filepath.Join(dir, name)); sha(got) != sha(csvData(name, 5)) {
			t.Errorf("%s differs", name)
		}
		if fr := res.Files[i]; fr.Status != fetch.StatusDownloaded || fr.Entry.Source != fetch.SourceEESZip || fr.Entry.FileID == "" {
			t.Errorf("%s: %+v", name, fr)
		}
	}
	if g := readFile(t, filepath.Join(dir, fetch.GuidanceFileName)); !strings.Contains(string(g), "Filename: file_00.csv") {
		t.Errorf("guidance %q", g)
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "data-guidance.txt,file_00.csv,file_01.csv" {
		t.Errorf("release folder holds %v", names)
	}
	m, _ := fetch.LoadManifest(data)
	if len(m.Files) != 3 || m.Get("pub-a/2024-25/data-guidance.txt") == nil {
		t.Errorf("manifest %+v", m.Files)
	}
	if n := srv.Served(eestest.ZipPath(res.Release.ReleaseVersionID)); n != 1 {
		t.Errorf("zip served %d", n)
	}
	for _, l := range srv.Log() {
		if strings.Contains(l, "/files?") && !strings.Contains(l, "fromPage=ReleaseDownloads") {
			t.Errorf("zip request without fromPage: %s", l)
		}
	}
}

func TestRetryAfter429(t *testing.T) {
	srv := eestest.NewServer(t, smallConfig(1))
	c, sl := newClient(t, srv, nil)
	srv.Fault("/api/publications/pub-a/releases", eestest.Fault{Status: 429, RetryAfter: "7", Times: 1})
	if _, err := c.ResolveRelease(ctx(t), "pub-a", ""); err != nil {
		t.Fatal(err)
	}
	if got := sl.All(); len(got) != 1 || got[0] != 7*time.Second {
		t.Fatalf("sleeps %v, want [7s]", got)
	}
	// HTTP-date form, against the injected clock.
	srv.Fault("/api/publications/pub-a/releases", eestest.Fault{Status: 503, RetryAfter: fixedNow.Add(5 * time.Second).Format(http.TimeFormat), Times: 1})
	if _, err := c.ResolveRelease(ctx(t), "pub-a", ""); err != nil {
		t.Fatal(err)
	}
	if got := sl.All(); len(got) != 2 || got[1] != 5*time.Second {
		t.Fatalf("sleeps %v, want [7s 5s]", got)
	}
	// A Retry-After beyond the allowed wait fails at once.
	srv.Fault("/api/publications/pub-a/releases", eestest.Fault{Status: 429, RetryAfter: "86400", Times: 1})
	if _, err := c.ResolveRelease(ctx(t), "pub-a", ""); err == nil || !strings.Contains(err.Error(), "Retry-After") {
		t.Fatalf("long Retry-After: %v", err)
	}
}

func TestRetry500ThenSuccess(t *testing.T) {
	srv := eestest.NewServer(t, smallConfig(1))
	c, sl := newClient(t, srv, nil)
	srv.Fault("/api/publications/pub-a/releases", eestest.Fault{Status: 500, Times: 1})
	if _, err := c.ResolveRelease(ctx(t), "pub-a", ""); err != nil {
		t.Fatal(err)
	}
	// Base 1s, jitter fixed at 0.5: half + 0.5*half = 750ms.
	if got := sl.All(); len(got) != 1 || got[0] != 750*time.Millisecond {
		t.Fatalf("sleeps %v", got)
	}
	if n := srv.Requests("/api/publications/pub-a/releases"); n != 2 {
		t.Fatalf("%d requests", n)
	}
	// Persistent 502: 1 + MaxRetries tries with growing waits, then an HTTPError.
	srv.Fault("/api/publications/pub-a/releases", eestest.Fault{Status: 502, Body: "bad gateway", ContentType: "text/plain"})
	_, err := c.ResolveRelease(ctx(t), "pub-a", "")
	var he *fetch.HTTPError
	if !errors.As(err, &he) || he.StatusCode != 502 {
		t.Fatalf("persistent 502: %v", err)
	}
	if n := srv.Requests("/api/publications/pub-a/releases"); n != 2+1+fetch.DefaultMaxRetries {
		t.Fatalf("%d requests", n)
	}
	got := sl.All()[1:]
	want := []time.Duration{750 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second, 6 * time.Second}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("backoff %v, want %v", got, want)
	}
}

func TestTruncatedBodyKeepsGoodCopy(t *testing.T) {
	srv := eestest.NewServer(t, smallConfig(2))
	c, _ := newClient(t, srv, nil)
	data := t.TempDir()
	req := fetch.Request{Dir: data, Publication: "pub-a", WantNames: []string{"file_00.csv"}}
	res, err := c.Fetch(ctx(t), req)
	if err != nil {
		t.Fatal(err)
	}
	good := csvData("file_00.csv", 5)
	p := eestest.FilePath(res.Release.ReleaseVersionID, res.Files[0].File.FileID)
	srv.SetFileData("file_00.csv", csvData("new", 500)) // changed upstream: new ETag
	srv.Fault(p, eestest.Fault{TruncateAt: 100})
	_, err = c.Fetch(ctx(t), req)
	if !errors.Is(err, fetch.ErrTruncated) {
		t.Fatalf("want ErrTruncated, got %v", err)
	}
	local := filepath.Join(data, "pub-a", "2024-25", "file_00.csv")
	if string(readFile(t, local)) != string(good) {
		t.Fatal("previous good copy changed")
	}
	if tf := tempFiles(t, data); len(tf) != 0 {
		t.Fatalf("temp files left: %v", tf)
	}
	m, _ := fetch.LoadManifest(data)
	if e := m.Get("pub-a/2024-25/file_00.csv"); e == nil || e.SHA256 != sha(good) {
		t.Fatalf("manifest entry changed: %+v", e)
	}
	if n := srv.Requests(p); n != 1+1+fetch.DefaultMaxRetries {
		t.Errorf("%d requests, want truncated bodies retried", n)
	}
	// Fault cleared: the new content arrives.
	srv.ClearFaults()
	if _, err := c.Fetch(ctx(t), req); err != nil || sha(readFile(t, local)) != sha(csvData("new", 500)) {
		t.Fatalf("after recovery: %v", err)
	}
}

func TestHTMLErrorPageRejected(t *testing.T) {
	srv := eestest.NewServer(t, smallConfig(1))
	c, _ := newClient(t, srv, nil)
	data := t.TempDir()
	r, _ := c.ResolveRelease(ctx(t), "pub-a", "")
	files, _ := c.ListFiles(ctx(t), r.ReleaseVersionID)
	srv.Fault(eestest.FilePath(r.ReleaseVersionID, files[0].FileID), eestest.Fault{Status: 200,
		Body: "\ufeff \r\n<!DOCTYPE html>\n<html><body>Sorry, the service is unavailable</body></html>"})
	_, err := c.Fetch(ctx(t), fetch.Request{Dir: data, Publication: "pub-a", AllFiles: true})
	var ve *fetch.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "HTML") {
		t.Fatalf("want a validation error, got %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, "pub-a", "2024-25", "file_00.csv")); !os.IsNotExist(err) {
		t.Fatal("HTML page saved as CSV")
	}
	if tf := tempFiles(t, data); len(tf) != 0 {
		t.Fatalf("temp files left: %v", tf)
	}
}

func TestNotFoundNotRetried(t *testing.T) {
	srv := eestest.NewServer(t, smallConfig(1))
	c, sl := newClient(t, srv, nil)
	_, err := c.ResolveRelease(ctx(t), "no-such-publication", "")
	var nf *fetch.NotFoundError
	if !errors.Is(err, fetch.ErrNotFound) || !errors.As(err, &nf) || !strings.Contains(err.Error(), `publication "no-such-publication"`) {
		t.Fatalf("got %v", err)
	}
	if n := srv.Requests("/api/publications/no-such-publication/releases"); n != 1 {
		t.Errorf("%d requests", n)
	}
	r, _ := c.ResolveRelease(ctx(t), "pub-a", "")
	_, _, err = c.DownloadFile(ctx(t), t.TempDir(), r, fetch.DataSetFile{FileID: "0000", Filename: "x.csv"}, nil)
	if !errors.Is(err, fetch.ErrNotFound) || srv.Requests(eestest.FilePath(r.ReleaseVersionID, "0000")) != 1 {
		t.Fatalf("file 404: %v", err)
	}
	if len(sl.All()) != 0 {
		t.Errorf("slept %v on 404", sl.All())
	}
}

func TestPlainHTTPRefused(t *testing.T) {
	var ie *fetch.InsecureURLError
	for _, base := range []string{"http://content.example.org/api", "ftp://127.0.0.1/api", "http://10.0.0.1/api"} {
		if _, err := fetch.New(fetch.Options{ContentBaseURL: base}); !errors.As(err, &ie) {
			t.Errorf("%s: %v", base, err)
		}
	}
	if _, err := fetch.New(fetch.Options{NomisBaseURL: "http://nomis.example.org/api/v01"}); !errors.As(err, &ie) {
		t.Errorf("nomis: %v", err)
	}
	for _, base := range []string{"https://content.example.org/api", "http://127.0.0.1:1/api", "http://[::1]:1/api", "http://localhost:1/api"} {
		if _, err := fetch.New(fetch.Options{ContentBaseURL: base}); err != nil {
			t.Errorf("%s refused: %v", base, err)
		}
	}
	// A loopback server redirecting to plain http elsewhere: refused, not followed.
	hits := 0
	rs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		http.Redirect(w, r, "http://content.example.org/api/publications/x/releases", http.StatusMovedPermanently)
	}))
	defer rs.Close()
	sl := &sleeps{}
	c, err := fetch.New(fetch.Options{ContentBaseURL: rs.URL + "/api", Sleep: sl.Sleep, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ResolveRelease(ctx(t), "x", "")
	if !errors.As(err, &ie) || hits != 1 || len(sl.All()) != 0 {
		t.Fatalf("redirect to http: %v (hits %d)", err, hits)
	}
}

func TestSizeCapAndConcurrency(t *testing.T) {
	srv := eestest.NewServer(t, smallConfig(10))
	c, _ := newClient(t, srv, func(o *fetch.Options) { o.MaxConcurrent = 2 })
	data := t.TempDir()
	if _, err := c.Fetch(ctx(t), fetch.Request{Dir: data, Publication: "pub-a", AllFiles: true}); err != nil {
		t.Fatal(err)
	}
	if n := srv.MaxInFlight(); n > 2 {
		t.Errorf("%d requests in flight, limit 2", n)
	}
	small, _ := newClient(t, srv, func(o *fetch.Options) { o.MaxFileBytes = 50 })
	data2 := t.TempDir()
	_, err := small.Fetch(ctx(t), fetch.Request{Dir: data2, Publication: "pub-a", WantNames: []string{"file_03.csv"}})
	if !errors.Is(err, fetch.ErrTooLarge) {
		t.Fatalf("want ErrTooLarge, got %v", err)
	}
	if tf := tempFiles(t, data2); len(tf) != 0 {
		t.Fatalf("temp files left: %v", tf)
	}
	if _, err := os.Stat(filepath.Join(data2, "pub-a", "2024-25", "file_03.csv")); !os.IsNotExist(err) {
		t.Fatal("oversized file written")
	}
}

func TestCheck(t *testing.T) {
	srv := eestest.NewServer(t, smallConfig(3))
	c, _ := newClient(t, srv, nil)
	data := t.TempDir()
	if _, err := c.Fetch(ctx(t), fetch.Request{Dir: data, Publication: "pub-a", AllFiles: true}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(data, "pub-a", "2024-25")
	os.WriteFile(filepath.Join(dir, "file_00.csv"), []byte("edited\n"), 0o644)
	os.Remove(filepath.Join(dir, "file_01.csv"))
	rep, err := fetch.Check(data)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Clean() || len(rep.Changed) != 1 || rep.Changed[0].Path != "pub-a/2024-25/file_00.csv" || rep.Changed[0].ActualBytes != 7 ||
		len(rep.Missing) != 1 || rep.Missing[0].Path != "pub-a/2024-25/file_01.csv" || len(rep.OK) != 1 {
		t.Fatalf("%+v", rep)
	}
}

func TestImport(t *testing.T) {
	from := t.TempDir()
	os.MkdirAll(filepath.Join(from, "sub"), 0o755)
	b1 := csvData("b1", 3)
	os.WriteFile(filepath.Join(from, "b1_children_in_need.csv"), b1, 0o644)
	os.WriteFile(filepath.Join(from, "sub", "cla_number.csv"), csvData("cla", 3), 0o644)
	os.WriteFile(filepath.Join(from, "notes.txt"), []byte("hello"), 0o644)
	os.WriteFile(filepath.Join(from, "c1_saved_error.csv"), []byte("<html><body>Error</body></html>"), 0o644)
	data := t.TempDir()
	rep, err := fetch.Import(from, data, func(p string) (string, bool) {
		switch base := filepath.Base(p); {
		case strings.HasPrefix(base, "b1_"), strings.HasPrefix(base, "c1_"):
			return "children-in-need", true
		case strings.HasPrefix(base, "cla_"):
			return "children-looked-after-in-england-including-adoptions", true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Imported) != 2 || len(rep.Unrecognised) != 1 || len(rep.Failed) != 1 || !strings.Contains(rep.Failed[0].Err.Error(), "HTML") {
		t.Fatalf("%+v", rep)
	}
	m, _ := fetch.LoadManifest(data)
	e := m.Get("children-in-need/local/b1_children_in_need.csv")
	if e == nil || e.Source != fetch.SourceLocal || e.SHA256 != sha(b1) || e.ReleaseSlug != fetch.ImportReleaseDir {
		t.Fatalf("entry %+v", e)
	}
	if rep, err := fetch.Check(data); err != nil || !rep.Clean() || len(rep.OK) != 2 {
		t.Fatalf("check after import %+v %v", rep, err)
	}
}

func TestDefaultValidator(t *testing.T) {
	cases := []struct {
		name, body string
		ok         bool
	}{
		{"csv", "a,b\n1,2\n", true},
		{"bom csv", "\ufeffa,b\n\"Bristol, City of\",2\n", true},
		{"utf8 names", "la_name\nYnys Môn\n", true},
		{"empty", "", false},
		{"blank", " \n\n", false},
		{"doctype", "\ufeff\n  <!DOCTYPE html><html></html>", false},
		{"html", "<HTML><body>502</body></HTML>", false},
		{"xml", "<?xml version=\"1.0\"?><Error/>", false},
		{"latin1", "la_name\nYnys M\xf4n\n", false},
		{"nul", "a,b\n1,\x002\n", false},
		{"cut rune", "a\n\xc3", false},
	}
	dir := t.TempDir()
	for _, tc := range cases {
		p := filepath.Join(dir, tc.name+".csv")
		os.WriteFile(p, []byte(tc.body), 0o644)
		if err := fetch.DefaultValidator(p); (err == nil) != tc.ok {
			t.Errorf("%s: err %v", tc.name, err)
		}
	}
	// A multi-byte character straddling the 64 KiB read boundary is fine.
	big := strings.Repeat("a", 64<<10-1) + "é\n"
	p := filepath.Join(dir, "big.csv")
	os.WriteFile(p, []byte(big), 0o644)
	if err := fetch.DefaultValidator(p); err != nil {
		t.Errorf("boundary: %v", err)
	}
}
