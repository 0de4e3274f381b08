// Package la is the registry of English local authorities as they appear in
// DfE files: ONS 9-character code, DfE 3-digit code, name and region, with
// the code and boundary changes that make joining across years a trap.
//
// Every authority has one canonical code, its latest ONS code: rows filed
// under an older code for the same area (Northumberland's E06000048,
// Buckinghamshire's E10000002, ...) are mapped to it, so series join across
// years. Authorities that ended in a boundary change keep their own codes
// and point to their successors.
package la

import (
	"fmt"
	"iter"
	"sort"
	"strings"

	"github.com/cscstats/cscstats/pkg/ees"
)

// Authority is one local authority.
type Authority struct {
	Code         string   // canonical (latest) ONS code
	OldCode      string   // DfE 3-digit code
	Name         string   // name as in the latest file that mentions it
	RegionCode   string   // ONS region code
	RegionName   string   // region name
	FormerCodes  []string // earlier ONS codes for the same area
	FirstYear    int      // first reporting year seen in the data (0 if none)
	LastYear     int      // last reporting year seen in the data
	Predecessors []string // canonical codes of authorities it replaced (all areas before its boundary change)
	// FormedFrom are the canonical codes of the predecessors whose ground
	// it took (a subset of Predecessors when the change says so).
	FormedFrom []string
	Successors []string // canonical codes of authorities that replaced it
	Change     *BoundaryChange
}

// Current reports whether the authority still exists (has no successors).
func (a *Authority) Current() bool { return len(a.Successors) == 0 }

// Registry holds the authorities seen in the data plus those named in the
// boundary-change table.
type Registry struct {
	byCode  map[string]*Authority // canonical code -> authority
	alias   map[string]string     // any ONS or DfE code (upper case) -> canonical
	list    []*Authority
	regions map[string]string // region code -> name
	changes Changes
}

// Sighting is one appearance of an authority in a file.
type Sighting struct {
	Geo  ees.Geography
	Year int
}

// New builds a registry from the authorities seen in the data and the
// change table. Rows whose geographic_level is not "Local authority", and
// combined rows such as "E06000061 / E06000062", are skipped.
func New(seen []Sighting, changes Changes) *Registry {
	sort.SliceStable(seen, func(i, j int) bool { return seen[i].Year < seen[j].Year })
	return NewInYearOrder(func(yield func(*Sighting) bool) {
		for i := range seen {
			if !yield(&seen[i]) {
				return
			}
		}
	}, changes)
}

// Compact returns the sightings of seen (given in year order, as
// NewInYearOrder takes them) that NewInYearOrder does not apply to no
// effect, in order: it drops a sighting equal to the last one kept of
// the same authority (by its code under changes' code changes, as New
// files it) or region, and one of no authority or region. An authority's
// or region's fields take the values of its last sighting that sets
// them, and a repeated sighting sets nothing new, so NewInYearOrder gives
// the same registry from the result as from seen (tested on the data).
// A data set's figures sight each area once per measure and year: the
// result is a fraction of them, for a cache to keep.
func Compact(seen iter.Seq[*Sighting], changes Changes) []Sighting {
	r := &Registry{alias: map[string]string{}}
	for _, c := range changes.CodeChanges {
		r.alias[strings.ToUpper(c.From)] = c.To
	}
	type key struct {
		region bool
		code   string
	}
	last := map[key]int{} // index in out of the last sighting kept
	var out []Sighting
	for s := range seen {
		g := &s.Geo
		var k key
		switch {
		case g.Level == "Regional" && g.RegionCode != "":
			k = key{true, g.RegionCode}
		case g.Level == "Local authority" && g.NewLACode != "" && !strings.Contains(g.NewLACode, "/"):
			k = key{false, r.Canonical(g.NewLACode)}
		default:
			continue // New skips it
		}
		if i, ok := last[k]; ok && out[i] == *s {
			continue
		}
		last[k] = len(out)
		out = append(out, *s)
	}
	return out
}

// NewInYearOrder is New for sightings the caller gives already in the
// order New sorts them to (a stable sort by year), one at a time: a
// caller holding them elsewhere (a data set's figures) need not copy
// them into a slice to be sorted. A sighting given is not kept.
func NewInYearOrder(seen iter.Seq[*Sighting], changes Changes) *Registry {
	r := &Registry{byCode: map[string]*Authority{}, alias: map[string]string{}, regions: map[string]string{}, changes: changes}
	for _, c := range changes.CodeChanges {
		r.alias[strings.ToUpper(c.From)] = c.To
	}
	// Latest sighting names the authority; keep years.
	for s := range seen {
		g := s.Geo
		if g.Level == "Regional" && g.RegionCode != "" {
			r.regions[g.RegionCode] = g.RegionName
		}
		if g.Level != "Local authority" || g.NewLACode == "" || strings.Contains(g.NewLACode, "/") {
			continue
		}
		code := r.Canonical(g.NewLACode)
		a := r.byCode[code]
		if a == nil {
			a = &Authority{Code: code}
			r.byCode[code] = a
			r.list = append(r.list, a)
		}
		a.Name = g.LAName
		if g.OldLACode != "" {
			a.OldCode = g.OldLACode
		}
		if g.RegionCode != "" {
			a.RegionCode, a.RegionName = g.RegionCode, g.RegionName
			if _, ok := r.regions[g.RegionCode]; !ok {
				r.regions[g.RegionCode] = g.RegionName
			}
		}
		if g.NewLACode != code && !contains(a.FormerCodes, g.NewLACode) {
			a.FormerCodes = append(a.FormerCodes, g.NewLACode)
		}
		if s.Year > 0 && (a.FirstYear == 0 || s.Year < a.FirstYear) {
			a.FirstYear = s.Year
		}
		if s.Year > a.LastYear {
			a.LastYear = s.Year
		}
	}
	for _, c := range changes.CodeChanges {
		if a := r.byCode[c.To]; a != nil && !contains(a.FormerCodes, c.From) {
			a.FormerCodes = append(a.FormerCodes, c.From)
		}
	}
	for i := range changes.BoundaryChanges {
		bc := &changes.BoundaryChanges[i]
		ensure := func(ar Area) *Authority {
			code := r.Canonical(ar.NewLACode)
			a := r.byCode[code]
			if a == nil {
				a = &Authority{Code: code, OldCode: ar.OldLACode, Name: ar.Name}
				r.byCode[code] = a
				r.list = append(r.list, a)
			}
			return a
		}
		for _, b := range bc.Before {
			pa := ensure(b)
			pa.Change = bc
			if b.Name != "" {
				// The change table names former areas distinctly
				// ("Dorset (county, to 2019)", not "Dorset" twice).
				pa.Name = b.Name
			}
			for _, af := range bc.After {
				pa.Successors = appendOnce(pa.Successors, r.Canonical(af.NewLACode))
			}
		}
		for _, af := range bc.After {
			sa := ensure(af)
			for _, b := range bc.Before {
				sa.Predecessors = appendOnce(sa.Predecessors, r.Canonical(b.NewLACode))
				if len(af.From) == 0 || contains(af.From, b.NewLACode) {
					sa.FormedFrom = appendOnce(sa.FormedFrom, r.Canonical(b.NewLACode))
				}
			}
			if sa.Change == nil {
				sa.Change = bc
			}
		}
	}
	for _, a := range r.list {
		r.alias[strings.ToUpper(a.Code)] = a.Code
		if a.OldCode != "" {
			// A DfE code reused across a boundary change (none are today)
			// would point at the current authority.
			if prev, ok := r.alias[a.OldCode]; !ok || !r.byCode[prev].Current() {
				r.alias[a.OldCode] = a.Code
			}
		}
		for _, f := range a.FormerCodes {
			r.alias[strings.ToUpper(f)] = a.Code
		}
	}
	sort.Slice(r.list, func(i, j int) bool { return r.list[i].Name < r.list[j].Name })
	return r
}

// Canonical maps any ONS code of an authority to its canonical code. Codes
// it does not know come back unchanged.
func (r *Registry) Canonical(code string) string {
	c := strings.ToUpper(strings.TrimSpace(code))
	for i := 0; i < 5; i++ { // follow chains of code changes
		next, ok := r.alias[c]
		if !ok || next == c {
			break
		}
		c = next
	}
	return c
}

// CanonicalGeo gives the canonical code for a row's geography, or "" when
// the row is not a single local authority.
func (r *Registry) CanonicalGeo(g ees.Geography) string {
	if g.Level != "Local authority" || strings.Contains(g.NewLACode, "/") {
		return ""
	}
	if g.NewLACode == "" {
		return r.alias[g.OldLACode]
	}
	return r.Canonical(g.NewLACode)
}

// Get returns the authority with a canonical code.
func (r *Registry) Get(code string) (*Authority, bool) {
	a, ok := r.byCode[r.Canonical(code)]
	return a, ok
}

// All returns every authority, sorted by name.
func (r *Registry) All() []*Authority { return r.list }

// Current returns the authorities that still exist, sorted by name.
func (r *Registry) Current() []*Authority {
	var out []*Authority
	for _, a := range r.list {
		if a.Current() {
			out = append(out, a)
		}
	}
	return out
}

// Changes returns the change table the registry was built with.
func (r *Registry) Changes() Changes { return r.changes }

// RegionName returns the name of a region by ONS code.
func (r *Registry) RegionName(code string) string { return r.regions[code] }

// Regions returns the region codes, sorted by name.
func (r *Registry) Regions() []string {
	out := make([]string, 0, len(r.regions))
	for c := range r.regions {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return r.regions[out[i]] < r.regions[out[j]] })
	return out
}

// LookupRegion finds a region by name or code, ignoring case and
// punctuation ("Yorkshire and the Humber" matches "Yorkshire and The Humber").
func (r *Registry) LookupRegion(q string) (code, name string, err error) {
	nq := Normalise(q)
	for c, n := range r.regions {
		if strings.EqualFold(c, strings.TrimSpace(q)) || Normalise(n) == nq {
			return c, n, nil
		}
	}
	var names []string
	for _, c := range r.Regions() {
		names = append(names, r.regions[c])
	}
	return "", "", fmt.Errorf("unknown region %q; regions: %s", q, strings.Join(names, ", "))
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func appendOnce(s []string, v string) []string {
	if contains(s, v) {
		return s
	}
	return append(s, v)
}
