// Package eestest is a fake of the EES content API and of Nomis's CSV
// dataset API, for tests. It listens on loopback only (httptest) and imitates
// the parts cscstats uses closely enough: JSON shapes and field names,
// paging, slug redirects, ETag/Last-Modified with 304s, streamed release zips
// without Content-Length, the lower-case path rule, and Nomis record paging.
// Faults (status codes, Retry-After, truncated or replaced bodies) can be
// injected per path.
package eestest

import (
	"archive/zip"
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// File is one data file of a release. Give Data, or Path to read from disk
// at each request (real files are served as they are, never copied).
type File struct {
	ID     string // dataSetFileId; derived from the name when empty
	FileID string // file id used in /releases/{id}/files/{fileId}; derived when empty
	Name   string // e.g. "b1_children_in_need_2013_to_2025.csv"
	Title  string
	Data   []byte
	Path   string
}

// Release is one release version of a publication.
type Release struct {
	ID         string // release version id; derived when empty
	ReleaseID  string // derived when empty
	Slug       string // e.g. "2024-25"
	Title      string
	Latest     bool
	Published  time.Time // Last-Modified of its files; default 2025-01-01
	Files      []File
	Supporting []File   // put in the zip under supporting-files/
	Guidance   string   // data-guidance.txt; generated when empty
	Zip        []byte   // replaces the generated release zip (e.g. hostile zips)
	NoGuidance bool     // leave data-guidance.txt out of the zip
	ZipSkip    []string // file names left out of the zip (EES skips unreadable blobs)
}

// Publication is a publication with its releases.
type Publication struct {
	ID       string // derived when empty
	Slug     string
	Title    string
	Releases []Release
}

// Config describes what the fake serves.
type Config struct {
	Publications         []Publication
	PublicationRedirects map[string]string            // fromSlug -> toSlug
	ReleaseRedirects     map[string]map[string]string // publication slug -> fromSlug -> toSlug
	// NoReleasesList makes GET /publications/{slug}/releases answer 404, as if
	// the endpoint were removed, so clients must use the newer endpoints.
	NoReleasesList bool
	// NomisCSV is served for any Nomis dataset request, paged by
	// recordoffset/recordlimit (header line repeated on every page).
	NomisCSV []byte
	// NomisMaxRecords caps rows per Nomis page (default 25000, as Nomis).
	NomisMaxRecords int
	// NomisGeographies, when set, makes the fake answer only the areas a
	// request's geography names, as Nomis does: each comma-separated item
	// is a type ("TYPE423"), a Nomis id or a range of ids ("a...b");
	// NomisGeographies maps a type to the GSS codes it holds, NomisIDs an
	// id to its GSS code. A type or id it does not know answers 400 with
	// an error body, like a query Nomis cannot build (assumed; see
	// data/sources.json). Rows are then also filtered by the date
	// parameter (years, "a-b", or "latestMINUSn-latest" against the
	// newest year in NomisCSV). Nil keeps the old behaviour: every row.
	NomisGeographies map[string][]string
	NomisIDs         map[string]string
}

// NomisEnglandAndRegionIDs are the Nomis ids of England and the nine
// English regions with their GSS codes, for Config.NomisIDs.
func NomisEnglandAndRegionIDs() map[string]string {
	m := map[string]string{"2092957699": "E92000001"}
	for i := 1; i <= 9; i++ {
		m[strconv.Itoa(2013265920+i)] = fmt.Sprintf("E1200000%d", i)
	}
	return m
}

// Fault changes the answers to requests for one path.
type Fault struct {
	Status      int    // status code; default 500 unless Body or TruncateAt is set (then 200)
	RetryAfter  string // Retry-After header value
	Body        string // replaces the body
	ContentType string // with Body; default text/csv
	TruncateAt  int    // >0: declare the full Content-Length, send only this many bytes
	Times       int    // requests it applies to; 0 means every request
}

type faultState struct {
	Fault
	used int
}

// Server is a running fake. Use ContentURL and NomisURL as base URLs.
type Server struct {
	*httptest.Server
	ContentURL string // e.g. http://127.0.0.1:PORT/api
	NomisURL   string // e.g. http://127.0.0.1:PORT/nomis/api/v01

	mu          sync.Mutex
	cfg         Config
	faults      map[string]*faultState
	requests    map[string]int
	served      map[string]int // 200 with a body
	notModified map[string]int
	log         []string
	nomisQuery  []string
	inFlight    int
	maxInFlight int
	userAgents  map[string]int
}

// ID returns a stable GUID-shaped id for a seed.
func ID(seed string) string {
	h := sha1.Sum([]byte(seed))
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// NewServer starts a fake on loopback; it is closed when the test ends.
func NewServer(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	s := &Server{
		faults:      map[string]*faultState{},
		requests:    map[string]int{},
		served:      map[string]int{},
		notModified: map[string]int{},
		userAgents:  map[string]int{},
	}
	s.setConfig(cfg)
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	s.ContentURL = s.Server.URL + "/api"
	s.NomisURL = s.Server.URL + "/nomis/api/v01"
	tb.Cleanup(s.Close)
	return s
}

func (s *Server) setConfig(cfg Config) {
	for i := range cfg.Publications {
		p := &cfg.Publications[i]
		if p.ID == "" {
			p.ID = ID("pub:" + p.Slug)
		}
		if p.Title == "" {
			p.Title = p.Slug
		}
		for j := range p.Releases {
			r := &p.Releases[j]
			if r.ID == "" {
				r.ID = ID("rv:" + p.Slug + "/" + r.Slug)
			}
			if r.ReleaseID == "" {
				r.ReleaseID = ID("rel:" + p.Slug + "/" + r.Slug)
			}
			if r.Title == "" {
				r.Title = r.Slug
			}
			if r.Published.IsZero() {
				r.Published = time.Date(2025, 1, 1, 9, 30, 0, 0, time.UTC)
			}
			for k := range r.Files {
				f := &r.Files[k]
				if f.FileID == "" {
					f.FileID = ID("file:" + r.ID + "/" + f.Name)
				}
				if f.ID == "" {
					f.ID = ID("dsf:" + r.ID + "/" + f.Name)
				}
				if f.Title == "" {
					f.Title = strings.TrimSuffix(f.Name, path.Ext(f.Name))
				}
			}
		}
	}
	if cfg.NomisMaxRecords <= 0 {
		cfg.NomisMaxRecords = 25000
	}
	s.cfg = cfg
}

// FilePath is the URL path of one file: /api/releases/{rv}/files/{fileId}.
func FilePath(releaseVersionID, fileID string) string {
	return "/api/releases/" + releaseVersionID + "/files/" + fileID
}

// ZipPath is the URL path of a release zip.
func ZipPath(releaseVersionID string) string {
	return "/api/releases/" + releaseVersionID + "/files"
}

// Release returns a copy of a configured release (with derived ids).
func (s *Server) Release(pubSlug, relSlug string) (Release, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, r := s.findRelease(pubSlug, relSlug)
	if r == nil {
		return Release{}, false
	}
	return *r, true
}

// SetFileData replaces a file's content (new ETag) in every release that has it.
func (s *Server) SetFileData(name string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.cfg.Publications {
		for j := range s.cfg.Publications[i].Releases {
			r := &s.cfg.Publications[i].Releases[j]
			for k := range r.Files {
				if r.Files[k].Name == name {
					r.Files[k].Data, r.Files[k].Path = data, ""
				}
			}
		}
	}
}

// SetZip replaces the zip served for a release version.
func (s *Server) SetZip(releaseVersionID string, zip []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, r := s.releaseByID(releaseVersionID)
	if r != nil {
		r.Zip = zip
	}
}

// Fault injects a fault for requests whose URL path equals p.
func (s *Server) Fault(p string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[p] = &faultState{Fault: f}
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string]*faultState{}
}

// Requests counts requests whose URL path equals p.
func (s *Server) Requests(p string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[p]
}

// RequestsWithPrefix counts requests whose URL path starts with prefix.
func (s *Server) RequestsWithPrefix(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for p, c := range s.requests {
		if strings.HasPrefix(p, prefix) {
			n += c
		}
	}
	return n
}

// Served counts 200 responses with a full body for path p.
func (s *Server) Served(p string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.served[p]
}

// NotModified counts 304 responses for path p.
func (s *Server) NotModified(p string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.notModified[p]
}

// Log lists "GET /path?query -> status" for every request so far.
func (s *Server) Log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

// NomisQueries lists the raw queries of Nomis requests so far.
func (s *Server) NomisQueries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.nomisQuery...)
}

// UserAgents lists the distinct User-Agent headers seen.
func (s *Server) UserAgents() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for ua := range s.userAgents {
		out = append(out, ua)
	}
	sort.Strings(out)
	return out
}

// MaxInFlight is the largest number of requests handled at once so far.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		if w.status == 0 {
			w.status = http.StatusOK
		}
		f.Flush()
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests[r.URL.Path]++
	s.userAgents[r.UserAgent()]++
	s.inFlight++
	if s.inFlight > s.maxInFlight {
		s.maxInFlight = s.inFlight
	}
	var fault *Fault
	if f := s.faults[r.URL.Path]; f != nil && (f.Times == 0 || f.used < f.Times) {
		f.used++
		cp := f.Fault
		fault = &cp
	}
	s.mu.Unlock()
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		s.mu.Lock()
		s.inFlight--
		q := ""
		if r.URL.RawQuery != "" {
			q = "?" + r.URL.RawQuery
		}
		s.log = append(s.log, fmt.Sprintf("%s %s%s -> %d", r.Method, r.URL.Path, q, sw.status))
		s.mu.Unlock()
	}()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(sw, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	// The content API lower-cases paths with a 308 (LowercasePathRule).
	if lp := strings.ToLower(r.URL.Path); lp != r.URL.Path && strings.HasPrefix(r.URL.Path, "/api/") {
		u := *r.URL
		u.Path = lp
		http.Redirect(sw, r, u.String(), http.StatusPermanentRedirect)
		return
	}
	if fault != nil && fault.TruncateAt == 0 {
		st := fault.Status
		if st == 0 {
			st = http.StatusInternalServerError
			if fault.Body != "" {
				st = http.StatusOK
			}
		}
		if fault.RetryAfter != "" {
			sw.Header().Set("Retry-After", fault.RetryAfter)
		}
		ct := fault.ContentType
		if ct == "" {
			ct = "text/csv"
		}
		sw.Header().Set("Content-Type", ct)
		sw.WriteHeader(st)
		io.WriteString(sw, fault.Body)
		return
	}
	p := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case strings.HasPrefix(p, "/nomis/api/v01/dataset/"):
		s.serveNomis(sw, r)
	case strings.HasPrefix(p, "/api/"):
		s.serveContent(sw, r, strings.Split(strings.TrimPrefix(p, "/api/"), "/"), fault)
	default:
		notFound(sw)
	}
}

func notFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, map[string]any{
		"type": "https://tools.ietf.org/html/rfc7231#section-6.5.4", "title": "Not Found", "status": 404,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func (s *Server) findPub(slug string) *Publication {
	for i := range s.cfg.Publications {
		if s.cfg.Publications[i].Slug == slug {
			return &s.cfg.Publications[i]
		}
	}
	return nil
}

func (s *Server) findRelease(pubSlug, relSlug string) (*Publication, *Release) {
	p := s.findPub(pubSlug)
	if p == nil {
		return nil, nil
	}
	for j := range p.Releases {
		if p.Releases[j].Slug == relSlug {
			return p, &p.Releases[j]
		}
	}
	return p, nil
}

func (s *Server) releaseByID(id string) (*Publication, *Release) {
	for i := range s.cfg.Publications {
		p := &s.cfg.Publications[i]
		for j := range p.Releases {
			if p.Releases[j].ID == id {
				return p, &p.Releases[j]
			}
		}
	}
	return nil, nil
}

func latest(p *Publication) *Release {
	for j := range p.Releases {
		if p.Releases[j].Latest {
			return &p.Releases[j]
		}
	}
	return nil
}

func fileData(f File) ([]byte, error) {
	if f.Path != "" {
		return os.ReadFile(f.Path)
	}
	return f.Data, nil
}

// displaySize imitates EES's FileExtensions.DisplaySize ("12 Kb").
func displaySize(n int64) string {
	units := []string{"B", "Kb", "Mb", "Gb", "Tb"}
	i := 0
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	return fmt.Sprintf("%d %s", n, units[i])
}

func (s *Server) serveContent(w http.ResponseWriter, r *http.Request, seg []string, fault *Fault) {
	// JSON answers are written under the lock; file and zip bodies after it.
	var after func()
	s.mu.Lock()
	defer func() {
		s.mu.Unlock()
		if after != nil {
			after()
		}
	}()
	switch {
	case len(seg) == 1 && seg[0] == "redirects":
		s.serveRedirects(w)
	case len(seg) == 3 && seg[0] == "publications" && seg[2] == "releases":
		p := s.findPub(seg[1])
		if p == nil || s.cfg.NoReleasesList {
			notFound(w)
			return
		}
		out := []map[string]any{}
		for _, rel := range p.Releases {
			out = append(out, map[string]any{
				"id": rel.ID, "releaseId": rel.ReleaseID, "title": rel.Title, "slug": rel.Slug,
				"yearTitle": rel.Title, "coverageTitle": "Financial year", "published": rel.Published.Format(time.RFC3339),
				"type": "AccreditedOfficialStatistics", "latestRelease": rel.Latest,
			})
		}
		writeJSON(w, 200, out)
	case len(seg) == 2 && seg[0] == "publications":
		p := s.findPub(seg[1])
		if p == nil {
			notFound(w)
			return
		}
		out := map[string]any{"id": p.ID, "slug": p.Slug, "title": p.Title, "summary": "",
			"theme": map[string]any{"id": ID("theme"), "title": "Children's social care", "summary": ""}}
		if l := latest(p); l != nil {
			out["latestRelease"] = map[string]any{"id": l.ReleaseID, "slug": l.Slug, "title": l.Title}
		}
		writeJSON(w, 200, out)
	case len(seg) == 5 && seg[0] == "publications" && seg[2] == "releases" && seg[4] == "version-summary":
		p, rel := s.findRelease(seg[1], seg[3])
		if rel == nil {
			notFound(w)
			return
		}
		writeJSON(w, 200, map[string]any{
			"id": rel.ID, "releaseId": rel.ReleaseID, "slug": rel.Slug, "title": rel.Title,
			"isLatestRelease": rel.Latest, "published": rel.Published.Format(time.RFC3339),
			"lastUpdated": rel.Published.Format(time.RFC3339), "type": "AccreditedOfficialStatistics", "updateCount": 0,
			"publication": map[string]any{"id": p.ID, "slug": p.Slug, "title": p.Title},
		})
	case len(seg) == 1 && seg[0] == "data-set-files":
		s.serveFileList(w, r)
	case len(seg) == 4 && seg[0] == "releases" && seg[2] == "files":
		after = s.serveFile(w, r, seg[1], seg[3], fault)
	case len(seg) == 3 && seg[0] == "releases" && seg[2] == "files":
		after = s.serveZip(w, r, seg[1])
	default:
		notFound(w)
	}
}

func (s *Server) serveRedirects(w http.ResponseWriter) {
	pubs := []map[string]string{}
	keys := make([]string, 0, len(s.cfg.PublicationRedirects))
	for k := range s.cfg.PublicationRedirects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		pubs = append(pubs, map[string]string{"fromSlug": k, "toSlug": s.cfg.PublicationRedirects[k]})
	}
	rel := map[string][]map[string]string{}
	for pub, m := range s.cfg.ReleaseRedirects {
		for from, to := range m {
			rel[pub] = append(rel[pub], map[string]string{"fromSlug": from, "toSlug": to})
		}
	}
	writeJSON(w, 200, map[string]any{
		"publicationRedirects":              pubs,
		"methodologyRedirects":              []any{},
		"releaseRedirectsByPublicationSlug": rel,
	})
}

func (s *Server) serveFileList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, pageSize := 1, 10
	var err error
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 || page > 9999 {
			writeJSON(w, 400, map[string]any{"title": "page must be 1-9999", "status": 400})
			return
		}
	}
	if v := q.Get("pageSize"); v != "" {
		if pageSize, err = strconv.Atoi(v); err != nil || pageSize < 1 || pageSize > 40 {
			writeJSON(w, 400, map[string]any{"title": "pageSize must be 1-40", "status": 400})
			return
		}
	}
	var files []File
	var p *Publication
	var rel *Release
	if id := q.Get("releaseId"); id != "" {
		p, rel = s.releaseByID(strings.ToLower(id))
		if rel != nil {
			files = rel.Files
		}
	}
	total := len(files)
	totalPages := (total + pageSize - 1) / pageSize
	results := []map[string]any{}
	for i := (page - 1) * pageSize; i < total && i < page*pageSize; i++ {
		f := files[i]
		size := int64(len(f.Data))
		if f.Path != "" {
			if st, err := os.Stat(f.Path); err == nil {
				size = st.Size()
			}
		}
		results = append(results, map[string]any{
			"id": f.ID, "fileId": f.FileID, "filename": f.Name, "fileSize": displaySize(size),
			"fileExtension": strings.TrimPrefix(path.Ext(f.Name), "."), "title": f.Title, "content": "<p>" + f.Title + "</p>",
			"theme":       map[string]any{"id": ID("theme"), "title": "Children's social care"},
			"publication": map[string]any{"id": p.ID, "title": p.Title, "slug": p.Slug},
			"release":     map[string]any{"id": rel.ID, "title": rel.Title, "slug": rel.Slug},
			"latestData":  rel.Latest, "isSuperseded": false,
			"published": rel.Published.Format(time.RFC3339), "lastUpdated": rel.Published.Format(time.RFC3339),
			"meta": map[string]any{"geographicLevels": []string{"National", "Local authority"}, "filters": []string{}, "indicators": []string{}},
		})
	}
	writeJSON(w, 200, map[string]any{
		"results": results,
		"paging":  map[string]int{"page": page, "pageSize": pageSize, "totalResults": total, "totalPages": totalPages},
	})
}

func etagOf(b []byte) string {
	h := md5.Sum(b)
	return `W/"` + hex.EncodeToString(h[:]) + `"`
}

func etagMatch(header, etag string) bool {
	strip := func(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "W/") }
	for _, part := range strings.Split(header, ",") {
		if p := strings.TrimSpace(part); p == "*" || strip(p) == strip(etag) {
			return true
		}
	}
	return false
}

// serveFile answers under the lock and returns the body writer to run after it.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rvID, fileID string, fault *Fault) func() {
	_, rel := s.releaseByID(rvID)
	if rel == nil {
		notFound(w)
		return nil
	}
	var file *File
	for i := range rel.Files {
		if rel.Files[i].FileID == fileID {
			file = &rel.Files[i]
		}
	}
	if file == nil {
		notFound(w)
		return nil
	}
	data, err := fileData(*file)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return nil
	}
	etag := etagOf(data)
	lm := rel.Published.UTC().Format(http.TimeFormat)
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Last-Modified", lm)
	h.Set("Cache-Control", "public, max-age=300")
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		if etagMatch(inm, etag) {
			w.WriteHeader(http.StatusNotModified)
			s.notModified[r.URL.Path]++
			return nil
		}
	} else if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !rel.Published.Truncate(time.Second).After(t) {
			w.WriteHeader(http.StatusNotModified)
			s.notModified[r.URL.Path]++
			return nil
		}
	}
	h.Set("Content-Type", "text/csv")
	h.Set("Content-Disposition", "attachment; filename="+file.Name)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	if fault != nil && fault.TruncateAt > 0 && fault.TruncateAt < len(data) {
		// Declared full length, short body: the server then closes the connection.
		data = data[:fault.TruncateAt]
		return func() {
			w.WriteHeader(http.StatusOK)
			w.Write(data)
		}
	}
	p := r.URL.Path
	return func() {
		w.WriteHeader(http.StatusOK)
		if _, err := w.Write(data); err == nil {
			s.mu.Lock()
			s.served[p]++
			s.mu.Unlock()
		}
	}
}

// BuildZip builds a release zip the way EES lays it out: data/<file>,
// data-guidance/data-guidance.txt and supporting-files/<file>, sorted by name.
func BuildZip(rel Release, pubTitle string) ([]byte, error) {
	type ent struct {
		name string
		data []byte
	}
	var ents []ent
	skip := map[string]bool{}
	for _, n := range rel.ZipSkip {
		skip[n] = true
	}
	for _, f := range rel.Files {
		if skip[f.Name] {
			continue
		}
		d, err := fileData(f)
		if err != nil {
			return nil, err
		}
		ents = append(ents, ent{"data/" + f.Name, d})
	}
	if len(rel.Files) > 0 && !rel.NoGuidance {
		g := rel.Guidance
		if g == "" {
			var b strings.Builder
			fmt.Fprintf(&b, "%s\n\n%s\n\nData files\n\n", pubTitle, rel.Title)
			for _, f := range rel.Files {
				fmt.Fprintf(&b, "%s\nFilename: %s\n\n", f.Title, f.Name)
			}
			g = b.String()
		}
		ents = append(ents, ent{"data-guidance/data-guidance.txt", []byte(g)})
	}
	for _, f := range rel.Supporting {
		d, err := fileData(f)
		if err != nil {
			return nil, err
		}
		ents = append(ents, ent{"supporting-files/" + f.Name, d})
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].name < ents[j].name })
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range ents {
		fw, err := zw.Create(e.name)
		if err != nil {
			return nil, err
		}
		if _, err := fw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (s *Server) serveZip(w http.ResponseWriter, r *http.Request, rvID string) func() {
	p, rel := s.releaseByID(rvID)
	if rel == nil {
		notFound(w)
		return nil
	}
	data := rel.Zip
	if data == nil {
		var err error
		if data, err = BuildZip(*rel, p.Title); err != nil {
			http.Error(w, err.Error(), 500)
			return nil
		}
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", "attachment; filename="+p.Slug+"_"+rel.Slug+".zip")
	path := r.URL.Path
	return func() {
		w.WriteHeader(http.StatusOK)
		// Streamed as it is built: chunked, no Content-Length.
		for off := 0; off < len(data); off += 32 << 10 {
			end := min(off+32<<10, len(data))
			if _, err := w.Write(data[off:end]); err != nil {
				return
			}
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
		}
		s.mu.Lock()
		s.served[path]++
		s.mu.Unlock()
	}
}

func (s *Server) serveNomis(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.nomisQuery = append(s.nomisQuery, r.URL.RawQuery)
	data := s.cfg.NomisCSV
	maxRec := s.cfg.NomisMaxRecords
	s.mu.Unlock()
	if data == nil || !strings.HasSuffix(r.URL.Path, ".data.csv") {
		http.Error(w, "dataset not found", http.StatusNotFound)
		return
	}
	// Nomis takes its query values as given ("101...118"); read them raw.
	vals := map[string]string{}
	for _, kv := range strings.Split(r.URL.RawQuery, "&") {
		k, v, _ := strings.Cut(kv, "=")
		vals[strings.ToLower(k)] = v
	}
	off, _ := strconv.Atoi(vals["recordoffset"])
	limit, err := strconv.Atoi(vals["recordlimit"])
	if err != nil || limit <= 0 || limit > maxRec {
		limit = maxRec
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(recs) == 0 {
		http.Error(w, "bad fixture", 500)
		return
	}
	rows := recs[1:]
	if s.cfg.NomisGeographies != nil {
		if rows, err = s.nomisSelect(recs[0], rows, vals["geography"], vals["date"]); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	}
	if off > len(rows) {
		off = len(rows)
	}
	end := min(off+limit, len(rows))
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write(recs[0])
	cw.WriteAll(rows[off:end])
	w.Header().Set("Content-Type", "text/csv")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(200)
	w.Write(buf.Bytes())
	s.mu.Lock()
	s.served[r.URL.Path]++
	s.mu.Unlock()
}

// nomisSelect keeps the rows a geography and date parameter select.
func (s *Server) nomisSelect(head []string, rows [][]string, geography, date string) ([][]string, error) {
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToUpper(strings.TrimSpace(h))] = i
	}
	gi, ok1 := col["GEOGRAPHY_CODE"]
	di, ok2 := col["DATE_NAME"]
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("fixture lacks GEOGRAPHY_CODE or DATE_NAME")
	}
	s.mu.Lock()
	types, ids := s.cfg.NomisGeographies, s.cfg.NomisIDs
	s.mu.Unlock()
	want := map[string]bool{}
	for _, item := range strings.Split(geography, ",") {
		switch {
		case strings.HasPrefix(strings.ToUpper(item), "TYPE"):
			codes, ok := types[strings.ToUpper(item)]
			if !ok {
				return nil, fmt.Errorf("Cannot create query: geography %s is not available for this dataset", item)
			}
			for _, c := range codes {
				want[c] = true
			}
		case strings.Contains(item, "..."):
			a, b, _ := strings.Cut(item, "...")
			lo, err1 := strconv.Atoi(a)
			hi, err2 := strconv.Atoi(b)
			if err1 != nil || err2 != nil || hi < lo || hi-lo > 1000 {
				return nil, fmt.Errorf("Cannot create query: bad geography range %s", item)
			}
			for id := lo; id <= hi; id++ {
				c, ok := ids[strconv.Itoa(id)]
				if !ok {
					return nil, fmt.Errorf("Cannot create query: geography %d unknown", id)
				}
				want[c] = true
			}
		default:
			c, ok := ids[item]
			if !ok {
				return nil, fmt.Errorf("Cannot create query: geography %s unknown", item)
			}
			want[c] = true
		}
	}
	yearOf := func(r []string) int {
		d := r[di]
		y, _ := strconv.Atoi(d[max(0, len(d)-4):])
		return y
	}
	newest := 0
	for _, r := range rows {
		newest = max(newest, yearOf(r))
	}
	years := map[int]bool{}
	for _, item := range strings.Split(date, ",") {
		switch {
		case item == "" || item == "latest":
			years[newest] = true
		case strings.HasPrefix(item, "latestMINUS"):
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(item, "latestMINUS"), "-latest"))
			if err != nil {
				return nil, fmt.Errorf("Cannot create query: bad date %s", item)
			}
			for y := newest - n; y <= newest; y++ {
				years[y] = true
			}
		case strings.Contains(item, "-"):
			a, b, _ := strings.Cut(item, "-")
			lo, err1 := strconv.Atoi(a)
			hi, err2 := strconv.Atoi(b)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("Cannot create query: bad date %s", item)
			}
			for y := lo; y <= hi; y++ {
				years[y] = true
			}
		default:
			y, err := strconv.Atoi(item)
			if err != nil {
				return nil, fmt.Errorf("Cannot create query: bad date %s", item)
			}
			years[y] = true
		}
	}
	var out [][]string
	for _, r := range rows {
		if want[r[gi]] && years[yearOf(r)] {
			out = append(out, r)
		}
	}
	return out, nil
}
