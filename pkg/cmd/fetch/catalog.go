package fetch

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/cscstats/cscstats/data"
	"github.com/cscstats/cscstats/pkg/measures"
)

// Targets are the names `cscstats fetch` accepts besides publication slugs.
const (
	TargetCIN        = "cin"
	TargetCLA        = "cla"
	TargetPopulation = "population"
	TargetAll        = "all"
)

// Catalog is data/sources.json: what fetch downloads and from where.
type Catalog struct {
	About        string            `json:"_about"`
	Publications []PublicationSpec `json:"publications"`
}

// PublicationSpec is one publication of sources.json.
type PublicationSpec struct {
	Key           string     `json:"key"` // cin, cla, population
	Title         string     `json:"title"`
	FormerTitles  []string   `json:"former_titles,omitempty"`
	Slug          string     `json:"slug"`
	FormerSlugs   []string   `json:"former_slugs"`
	PublicationID string     `json:"publication_id"`
	Source        string     `json:"source"` // "ees" or "nomis"
	Nomis         *NomisSpec `json:"nomis,omitempty"`
	Verified      string     `json:"verified"`
	Files         []FileSpec `json:"files"`
}

// NomisSpec is the Nomis query behind the population file.
type NomisSpec struct {
	Dataset   string `json:"dataset"`
	Geography string `json:"geography"`
	// Dates is a fixed Nomis date parameter; FromMidYear (preferred) asks
	// for every mid-year from that one to the latest.
	Dates       string `json:"dates,omitempty"`
	FromMidYear int    `json:"from_mid_year,omitempty"`
	Ages        string `json:"ages"`
	Output      string `json:"output"`
	// TotalsGeography asks for England and the regions by their Nomis ids.
	TotalsGeography string `json:"totals_geography"`
	// Earlier are earlier geography types asked for former councils.
	Earlier []NomisEarlier `json:"earlier_geographies"`
	// FreshDays is how long a copy is reused without asking Nomis.
	FreshDays int `json:"fresh_days"`
	// Known and Assumed record what is known and what is assumed about
	// Nomis (geography types, ids, age codes, row limits, paging).
	Known   []string `json:"known"`
	Assumed []string `json:"assumed"`
}

// NomisEarlier is one earlier geography type and the former councils
// wanted from it.
type NomisEarlier struct {
	Geography   string   `json:"geography"`
	Label       string   `json:"label"`
	Dates       string   `json:"dates,omitempty"` // Nomis date parameter, e.g. "2009-2022"
	Authorities []string `json:"authorities"`     // GSS codes wanted from it
	Evidence    string   `json:"evidence"`
}

// FileSpec is one file of a publication.
type FileSpec struct {
	Kind     string   `json:"kind"` // measures.FileKind ID; "" for files no measure reads
	Measures []string `json:"measures"`
	// Needed files are what fetch downloads by default; the others only
	// with --all-files.
	Needed bool `json:"needed"`
	// SearchOlderReleases: when the chosen release has no such file, look
	// for it in earlier releases.
	SearchOlderReleases bool     `json:"search_older_releases"`
	NamePatterns        []string `json:"name_patterns"`
	TypicalName         string   `json:"typical_name"`
	Release             string   `json:"release"`
	Bytes               int64    `json:"bytes"`
	Years               string   `json:"years"`
	Verified            string   `json:"verified"`
	// Manual files are not on Explore education statistics (the SFR
	// underlying data of 2010-2017): fetch never downloads them; URL is
	// where a user can get them by hand, to import with --from, and
	// Archive the folder under shared/ees-archive holding the checked copy.
	Manual  bool   `json:"manual,omitempty"`
	URL     string `json:"url,omitempty"`
	Archive string `json:"archive,omitempty"`

	res []*regexp.Regexp
}

// Matches reports whether a file name (case-insensitive) fits the spec.
func (s *FileSpec) Matches(name string) bool {
	n := strings.ToLower(name)
	for _, re := range s.res {
		if re.MatchString(n) {
			return true
		}
	}
	return false
}

// KindTitle is the readable name of the spec's kind.
func (s *FileSpec) KindTitle() string {
	if k, ok := measures.Kind(s.Kind); ok {
		return k.Title
	}
	return "a file no measure reads"
}

var (
	catOnce sync.Once
	cat     *Catalog
	catErr  error
)

// Sources returns the parsed data/sources.json.
func Sources() (*Catalog, error) {
	catOnce.Do(func() { cat, catErr = ParseCatalog(data.Sources) })
	return cat, catErr
}

// ParseCatalog parses and checks a sources.json document.
func ParseCatalog(b []byte) (*Catalog, error) {
	var c Catalog
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("sources.json: %w", err)
	}
	for i := range c.Publications {
		p := &c.Publications[i]
		if p.Key == "" || p.Slug == "" {
			return nil, fmt.Errorf("sources.json: publication %d lacks key or slug", i)
		}
		for j := range p.Files {
			f := &p.Files[j]
			if len(f.NamePatterns) == 0 {
				return nil, fmt.Errorf("sources.json: %s file %d has no name_patterns", p.Key, j)
			}
			for _, pat := range f.NamePatterns {
				re, err := regexp.Compile(pat)
				if err != nil {
					return nil, fmt.Errorf("sources.json: %s: %w", p.Key, err)
				}
				f.res = append(f.res, re)
			}
			if f.Kind != "" {
				if _, ok := measures.Kind(f.Kind); !ok {
					return nil, fmt.Errorf("sources.json: %s: unknown file kind %q", p.Key, f.Kind)
				}
			}
		}
	}
	return &c, nil
}

// ByKey returns the publication with the given key (cin, cla, population).
func (c *Catalog) ByKey(key string) *PublicationSpec {
	for i := range c.Publications {
		if c.Publications[i].Key == key {
			return &c.Publications[i]
		}
	}
	return nil
}

// BySlug returns the publication whose slug or former slug is given.
func (c *Catalog) BySlug(slug string) *PublicationSpec {
	slug = strings.ToLower(slug)
	for i := range c.Publications {
		p := &c.Publications[i]
		if p.Slug == slug {
			return p
		}
		for _, s := range p.FormerSlugs {
			if s == slug {
				return p
			}
		}
	}
	return nil
}

// SpecFor returns the file spec a file name matches, in any publication.
func (c *Catalog) SpecFor(name string) (*PublicationSpec, *FileSpec) {
	for i := range c.Publications {
		p := &c.Publications[i]
		for j := range p.Files {
			if p.Files[j].Matches(name) {
				return p, &p.Files[j]
			}
		}
	}
	return nil, nil
}

// PublicationForKind returns the publication whose files include a kind.
func (c *Catalog) PublicationForKind(kind string) *PublicationSpec {
	for i := range c.Publications {
		for _, f := range c.Publications[i].Files {
			if f.Kind == kind && kind != "" {
				return &c.Publications[i]
			}
		}
	}
	return nil
}

// NeededBytes is the total size of the needed files as last checked.
func (c *Catalog) NeededBytes() int64 {
	var n int64
	for _, p := range c.Publications {
		for _, f := range p.Files {
			if f.Needed {
				n += f.Bytes
			}
		}
	}
	return n
}
