package fetch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cscstats/cscstats/pkg/safefile"
)

// ManifestName is the manifest's file name at the root of the data folder.
const ManifestName = "manifest.json"

// ManifestVersion is the format version written to manifest.json.
const ManifestVersion = 1

// Sources recorded in Entry.Source.
const (
	SourceEES        = "ees"
	SourceEESZip     = "ees release zip"
	SourceNomis      = "nomis"
	SourceLocal      = "local import"
	ImportReleaseDir = "local" // release folder used by Import
)

// Entry describes one file in the data folder.
type Entry struct {
	Publication      string `json:"publication"`
	ReleaseSlug      string `json:"release_slug"`
	ReleaseVersionID string `json:"release_version_id,omitempty"`
	FileID           string `json:"file_id,omitempty"`
	FileName         string `json:"file_name"`
	Path             string `json:"path"` // relative to the data folder, '/'-separated
	Source           string `json:"source"`
	SourceURL        string `json:"source_url,omitempty"`
	Bytes            int64  `json:"bytes"`
	SHA256           string `json:"sha256"`
	ETag             string `json:"etag,omitempty"`
	LastModified     string `json:"last_modified,omitempty"`
	FetchedAt        string `json:"fetched_at"` // RFC 3339, UTC
	// Requests lists, space-separated, the first-page URL of every
	// request that made a file assembled from several (the Nomis
	// population): a later run reuses the copy only if it would make the
	// same requests. (A string, so that Entry stays comparable.)
	Requests string `json:"requests,omitempty"`
}

// Manifest is the content of DIR/manifest.json.
type Manifest struct {
	Version int     `json:"version"`
	Files   []Entry `json:"files"`
}

// LoadManifest reads DIR/manifest.json; a missing file gives an empty manifest.
func LoadManifest(dir string) (*Manifest, error) {
	p := filepath.Join(dir, ManifestName)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return &Manifest{Version: ManifestVersion}, nil
	}
	if err != nil {
		return nil, err
	}
	return parseManifest(b, p)
}

// parseManifest reads manifest JSON; name is used in errors.
func parseManifest(b []byte, name string) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if m.Version > ManifestVersion {
		return nil, fmt.Errorf("%s: manifest version %d is newer than this cscstats understands (%d)", name, m.Version, ManifestVersion)
	}
	m.Version = ManifestVersion
	return &m, nil
}

// Save writes the manifest atomically (temp file and rename), sorted by path.
func (m *Manifest) Save(dir string) error {
	m.Version = ManifestVersion
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })
	if m.Files == nil {
		m.Files = []Entry{}
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, ManifestName), append(b, '\n'))
}

// Get returns the entry for a relative path, or nil.
func (m *Manifest) Get(path string) *Entry {
	for i := range m.Files {
		if m.Files[i].Path == path {
			return &m.Files[i]
		}
	}
	return nil
}

// Put adds or replaces the entry with the same Path.
func (m *Manifest) Put(e Entry) {
	for i := range m.Files {
		if m.Files[i].Path == e.Path {
			m.Files[i] = e
			return
		}
	}
	m.Files = append(m.Files, e)
}

// manifestMu serialises read-modify-write of manifests in this process;
// a flock on the data folder does it across processes, so two fetches
// into one folder at once both keep their entries.
var manifestMu sync.Mutex

// updateManifest adds entries to DIR/manifest.json: load, change and save
// under the lock. Fetch and Import call it after each file, so an
// interrupted run keeps the entries of the files it completed.
func updateManifest(dir string, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	manifestMu.Lock()
	defer manifestMu.Unlock()
	if err := os.MkdirAll(dir, safefile.Dir); err != nil {
		return err
	}
	lock, err := safefile.LockDir(dir)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	m, err := LoadManifest(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		m.Put(e)
	}
	return m.Save(dir)
}

func relPath(parts ...string) string { return strings.Join(parts, "/") }

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// CheckItem is one file that failed the offline check.
type CheckItem struct {
	Path           string
	ExpectedSHA256 string
	ActualSHA256   string // empty when missing or unreadable
	ExpectedBytes  int64
	ActualBytes    int64
	Err            error // unreadable file, unsafe path
}

// CheckReport is the result of Check.
type CheckReport struct {
	OK      []string
	Missing []CheckItem
	Changed []CheckItem
}

// Clean reports whether every manifest entry is present and unchanged.
func (r *CheckReport) Clean() bool { return len(r.Missing) == 0 && len(r.Changed) == 0 }

// Check re-hashes every file listed in DIR/manifest.json, offline. Only
// regular files of at most DefaultMaxFileBytes are read (see HashFile);
// anything else is reported as changed, with the reason.
func Check(dir string) (*CheckReport, error) {
	m, err := LoadManifest(dir)
	if err != nil {
		return nil, err
	}
	rep := &CheckReport{}
	for _, e := range m.Files {
		it := CheckItem{Path: e.Path, ExpectedSHA256: e.SHA256, ExpectedBytes: e.Bytes}
		if !filepath.IsLocal(filepath.FromSlash(e.Path)) {
			it.Err = fmt.Errorf("unsafe path %q in manifest", e.Path)
			rep.Changed = append(rep.Changed, it)
			continue
		}
		sum, n, err := HashFile(filepath.Join(dir, filepath.FromSlash(e.Path)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			rep.Missing = append(rep.Missing, it)
		case err != nil:
			it.Err = err
			rep.Changed = append(rep.Changed, it)
		case sum != e.SHA256 || n != e.Bytes:
			it.ActualSHA256, it.ActualBytes = sum, n
			rep.Changed = append(rep.Changed, it)
		default:
			rep.OK = append(rep.OK, e.Path)
		}
	}
	return rep, nil
}
