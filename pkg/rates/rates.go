package rates

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/population"
)

// Geographic levels, as EES spells them.
const (
	National       = "National"
	Regional       = "Regional"
	LocalAuthority = "Local authority"
)

// Area is a place a rate is for.
type Area struct {
	Level      string
	Code       string // ONS code: E92000001, a region code, or a canonical LA code
	Name       string
	OldCode    string // DfE 3-digit code (local authorities)
	RegionCode string
	RegionName string
}

// Basis says how a figure was obtained.
const (
	Reported   = "reported"
	Harmonised = "harmonised"
)

// Rate is one measure's rate for one area and year.
type Rate struct {
	Measure    string
	Year       int // reporting year ending 31 March
	Area       Area
	Count      ees.Value
	Population float64 // 0 when unknown
	PopMidYear int
	Value      float64 // per 10,000 children; NaN when missing
	Lower      float64 // 95% CI, NaN when missing
	Upper      float64
	Basis      string // Reported, or Harmonised (see Note)
	Break      bool   // missing because of a boundary change
	Note       string // why the value is missing, or how it was harmonised
	Sources    []string
}

// OK reports whether the rate has a value.
func (r Rate) OK() bool { return !math.IsNaN(r.Value) }

// Calculator computes rates from a loaded data directory.
type Calculator struct {
	Store    *dataset.Store
	Registry *la.Registry
	Pop      *population.Table
	index    map[string]map[obsKey]dataset.Observation
}

type obsKey struct {
	level string
	code  string
	year  int
}

// Load reads a data directory and prepares the calculator.
func Load(dir string) (*Calculator, error) {
	st, err := dataset.Load(dir)
	if err != nil {
		return nil, err
	}
	changes, err := la.DefaultChanges()
	if err != nil {
		return nil, err
	}
	return New(st, changes), nil
}

// New builds the registry and population table for a store.
func New(st *dataset.Store, changes la.Changes) *Calculator {
	var seen []la.Sighting
	for _, m := range measures.Catalogue {
		for _, o := range st.Observations(m.ID) {
			seen = append(seen, la.Sighting{Geo: o.Geo, Year: o.Year})
		}
	}
	for _, p := range st.Population {
		y := p.Year
		if p.Source == dataset.ONS {
			y = 0 // a mid-year is not a reporting year
		}
		seen = append(seen, la.Sighting{Geo: p.Geo, Year: y})
	}
	reg := la.New(seen, changes)
	c := &Calculator{Store: st, Registry: reg, Pop: population.New(st.Population, reg), index: map[string]map[obsKey]dataset.Observation{}}
	// Two rows can reach the same canonical code and year when releases
	// file an authority under different codes (Northumberland's E06000048
	// and E06000057): the file reaching the later year wins, as in the
	// store's own duplicate resolution.
	fileMax := map[string]int{}
	for _, f := range st.Files {
		if len(f.Years) > 0 {
			fileMax[f.Path] = f.Years[len(f.Years)-1]
		}
	}
	for _, m := range measures.Catalogue {
		idx := map[obsKey]dataset.Observation{}
		for _, o := range st.Observations(m.ID) {
			code := c.areaCode(o.Geo)
			if code == "" {
				continue
			}
			k := obsKey{o.Geo.Level, code, o.Year}
			if old, ok := idx[k]; ok && fileMax[old.File] > fileMax[o.File] {
				continue
			}
			idx[k] = o
		}
		c.index[m.ID] = idx
	}
	return c
}

func (c *Calculator) areaCode(g ees.Geography) string {
	switch g.Level {
	case National:
		return population.EnglandCode
	case Regional:
		return g.RegionCode
	case LocalAuthority:
		return c.Registry.CanonicalGeo(g)
	}
	return ""
}

// Years lists the reporting years with data for a measure.
func (c *Calculator) Years(measure string) []int { return c.Store.Years(measure) }

// England returns the England area.
func England() Area { return Area{Level: National, Code: population.EnglandCode, Name: "England"} }

// RegionArea returns a region's area.
func (c *Calculator) RegionArea(code string) Area {
	return Area{Level: Regional, Code: code, Name: c.Registry.RegionName(code), RegionCode: code, RegionName: c.Registry.RegionName(code)}
}

// LAArea returns a local authority's area.
func LAArea(a *la.Authority) Area {
	return Area{Level: LocalAuthority, Code: a.Code, Name: a.Name, OldCode: a.OldCode, RegionCode: a.RegionCode, RegionName: a.RegionName}
}

// Get returns the rate for one area and year as reported (no
// harmonisation): the count from the file and the population from the
// denominator convention.
func (c *Calculator) Get(measure string, area Area, year int) Rate {
	r := Rate{Measure: measure, Year: year, Area: area, Value: math.NaN(), Lower: math.NaN(), Upper: math.NaN(), Basis: Reported}
	o, ok := c.index[measure][obsKey{area.Level, area.Code, year}]
	if !ok {
		r.Count = ees.Missing(ees.NotAvailable)
		r.Note = fmt.Sprintf("no %s figure for %s in %d", measure, area.Name, year)
		return r
	}
	r.Count = o.Count
	r.Sources = []string{fmt.Sprintf("%s:%d", o.File, o.Line)}
	if area.Level == LocalAuthority && area.Name == "" {
		r.Area.Name = o.Geo.LAName
	}
	pop, popOK := c.Pop.For(area.Code, year, population.Children)
	if popOK {
		r.Population, r.PopMidYear = pop.Value, pop.MidYear
	}
	switch {
	case !o.Count.OK():
		r.Note = "count " + o.Count.Symbol.Describe()
	case !popOK:
		r.Note = fmt.Sprintf("no population estimate for mid-%d", population.MidYearFor(year))
	default:
		r.Value, r.Lower, r.Upper = RateCI(o.Count.Number, pop.Value)
	}
	return r
}

// Year returns, for one measure and year, England, every region and every
// local authority with a row in the data, in that order (authorities by
// name).
func (c *Calculator) Year(measure string, year int) []Rate {
	out := []Rate{c.Get(measure, England(), year)}
	for _, rc := range c.Registry.Regions() {
		if _, ok := c.index[measure][obsKey{Regional, rc, year}]; ok {
			out = append(out, c.Get(measure, c.RegionArea(rc), year))
		}
	}
	for _, a := range c.Registry.All() {
		if _, ok := c.index[measure][obsKey{LocalAuthority, a.Code, year}]; ok {
			out = append(out, c.Get(measure, LAArea(a), year))
		}
	}
	return out
}

// Authorities returns the local authority rows of Year.
func (c *Calculator) Authorities(measure string, year int) []Rate {
	var out []Rate
	for _, r := range c.Year(measure, year) {
		if r.Area.Level == LocalAuthority {
			out = append(out, r)
		}
	}
	return out
}

// Series returns one area's rates for each year from..to that the measure
// has data for (from=0 or to=0: no bound). For a local authority that
// ended in a boundary change into several successors, later years are
// harmonised by summing the successors' counts and populations (only when
// every part has both); years before an authority existed are breaks.
func (c *Calculator) Series(measure string, area Area, from, to int) []Rate {
	var out []Rate
	for _, y := range c.Years(measure) {
		if (from != 0 && y < from) || (to != 0 && y > to) {
			continue
		}
		r := c.Get(measure, area, y)
		// A year with no row, or only a placeholder (files carry "z" or
		// "x" rows for authorities that no longer or do not yet exist),
		// may be harmonised or is a break.
		if area.Level == LocalAuthority && !r.Count.OK() {
			r = c.acrossChange(measure, area, y, r)
		}
		out = append(out, r)
	}
	return out
}

// acrossChange explains or harmonises a local authority year with no row.
func (c *Calculator) acrossChange(measure string, area Area, year int, r Rate) Rate {
	a, ok := c.Registry.Get(area.Code)
	if !ok || a.Change == nil || year < 1 {
		return r
	}
	bc := a.Change
	switch {
	case !a.Current() && year >= bc.FirstReportingYear:
		if len(bc.Before) != 1 {
			r.Break = true
			r.Note = fmt.Sprintf("boundary break: %s ended on %s (%s) and no successor covers the same area", a.Name, bc.Effective, bc.Name)
			return r
		}
		return c.sumOf(measure, area, year, a.Successors)
	case len(a.Predecessors) > 0 && year < bc.FirstReportingYear:
		var names []string
		for _, p := range a.FormedFrom {
			if pa, ok := c.Registry.Get(p); ok {
				names = append(names, pa.Name)
			}
		}
		r.Break = true
		r.Note = fmt.Sprintf("boundary break: %s began on %s, formed from %s; no comparable figure before %d", a.Name, bc.Effective, strings.Join(names, ", "), bc.FirstReportingYear)
	}
	return r
}

// sumOf harmonises a predecessor's year as the sum of its successors.
func (c *Calculator) sumOf(measure string, area Area, year int, parts []string) Rate {
	r := Rate{Measure: measure, Year: year, Area: area, Value: math.NaN(), Lower: math.NaN(), Upper: math.NaN(), Basis: Harmonised}
	var count, pop float64
	var names []string
	midYear := 0
	for _, code := range parts {
		pa, _ := c.Registry.Get(code)
		part := c.Get(measure, LAArea(pa), year)
		names = append(names, pa.Name)
		r.Sources = append(r.Sources, part.Sources...)
		if !part.Count.OK() || part.Population == 0 {
			r.Count = ees.Missing(ees.NotAvailable)
			r.Note = fmt.Sprintf("harmonised value not available: %s has no %s", pa.Name, map[bool]string{true: "population", false: "count"}[part.Count.OK()])
			return r
		}
		count += part.Count.Number
		pop += part.Population
		midYear = part.PopMidYear
	}
	r.Count = ees.Num(count)
	r.Population, r.PopMidYear = pop, midYear
	r.Value, r.Lower, r.Upper = RateCI(count, pop)
	r.Note = "harmonised: sum of " + strings.Join(names, " and ") + " (boundary change)"
	return r
}

// Change compares two rates of the same area.
type Change struct {
	From, To Rate
	Absolute float64 // To − From, per 10,000
	Percent  float64 // (To − From) ÷ From × 100
	Overlap  bool    // the 95% intervals overlap (no clear evidence of change)
}

// Compare returns the change from a to b; NaN fields where either is missing.
func Compare(a, b Rate) Change {
	ch := Change{From: a, To: b, Absolute: math.NaN(), Percent: math.NaN()}
	if a.OK() && b.OK() {
		ch.Absolute = b.Value - a.Value
		if a.Value != 0 {
			ch.Percent = ch.Absolute / a.Value * 100
		}
		ch.Overlap = a.Lower <= b.Upper && b.Lower <= a.Upper
	}
	return ch
}

// SortBy sorts rates: "rate" (highest first, missing last), "name" or
// "count" (highest first, missing last). England and regions stay first.
func SortBy(rs []Rate, key string) error {
	less := map[string]func(a, b Rate) bool{
		"name": func(a, b Rate) bool { return a.Area.Name < b.Area.Name },
		"rate": func(a, b Rate) bool { return higher(a.Value, b.Value, a.OK(), b.OK()) },
		"count": func(a, b Rate) bool {
			return higher(a.Count.Number, b.Count.Number, a.Count.OK(), b.Count.OK())
		},
	}[key]
	if less == nil {
		return fmt.Errorf("unknown sort %q; use rate, name or count", key)
	}
	rank := map[string]int{National: 0, Regional: 1, LocalAuthority: 2}
	sort.SliceStable(rs, func(i, j int) bool {
		if rank[rs[i].Area.Level] != rank[rs[j].Area.Level] {
			return rank[rs[i].Area.Level] < rank[rs[j].Area.Level]
		}
		return less(rs[i], rs[j])
	})
	return nil
}

func higher(a, b float64, aok, bok bool) bool {
	if aok != bok {
		return aok
	}
	return aok && a > b
}
