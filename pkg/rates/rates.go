package rates

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

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
	Basis      string                   // Reported, or Harmonised (see Note)
	Per        population.Band          // the denominator's age band
	PopFrom    dataset.PopulationSource // where Population came from (ONS, or DfE's published figure)
	Break      bool                     // missing because of a boundary change
	Note       string                   // why the value is missing, or how it was harmonised
	// Sources lists the files and lines ("path:line") of a harmonised
	// sum's parts; for a reported rate, SourceRefs makes them from
	// Provenance. Use SourceRefs to read either.
	Sources []string
	// Provenance says where the count came from (file, line, release);
	// zero for harmonised sums (see Sources).
	Provenance dataset.Provenance
	// Vintage is the population vintage of the denominator, and
	// PopSource names the estimate and its file ("" when none).
	Vintage   population.Vintage
	PopSource string
}

// OK reports whether the rate has a value.
func (r Rate) OK() bool { return !math.IsNaN(r.Value) }

// Calculator computes rates from a loaded data directory.
type Calculator struct {
	Store    *dataset.Store
	Registry *la.Registry
	Pop      *population.Table
	// Vintage chooses the denominators (population.Latest when empty).
	Vintage population.Vintage
	// index finds a measure's figure by area and year; it points into
	// the store's observations (read-only once loaded) rather than
	// copying them.
	index map[string]map[obsKey]*dataset.Observation
	// areas lists, per measure and year, the regions and authorities
	// with a row, in the order Year gives them (built by New).
	areas map[string]map[int][]yearRow
	las   map[string]*la.Authority // Registry.All by code
	// described remembers Estimate.Describe per estimate: one estimate
	// divides every measure's count for its area and year, and the
	// text was a tenth of a table's time. A map (not sync.Map) so that
	// the key type is checked as comparable when the code is compiled.
	described *describedMemo
	per       population.Band // denominator age band; "" means population.Children
	// rankCodes is the code of each area rank (see areaRanks), and
	// denominators the areas' denominators by rank and year, a table per
	// vintage and band, made when first asked for (see denominator).
	rankCodes    []string
	denominators *denominatorTables
}

// Per returns a calculator sharing c's data whose rates divide by the
// population in band b (population.Children, Under1 or Under5) instead of
// children aged 0-17.
func (c *Calculator) Per(b population.Band) *Calculator {
	cp := *c
	cp.per = b
	return &cp
}

// WithVintage returns a calculator sharing c's data whose rates divide by
// the population of vintage v (population.Latest or AsPublished).
func (c *Calculator) WithVintage(v population.Vintage) *Calculator {
	cp := *c
	cp.Vintage = v
	return &cp
}

// Band is the denominator's age band.
func (c *Calculator) Band() population.Band {
	if c.per == "" {
		return population.Children
	}
	return c.per
}

type obsKey struct {
	level string
	code  string
	year  int
}

// yearRow is an area's row in a year of c.areas: its key and the
// observation index[key] holds, so that Year need not look it up again.
type yearRow struct {
	key  obsKey
	o    *dataset.Observation
	rank int // the area's rank (see areaRanks)
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
	reg := la.NewInYearOrder(st.RegistrySightings(changes), changes)
	c := &Calculator{Store: st, Registry: reg, index: map[string]map[obsKey]*dataset.Observation{},
		areas: map[string]map[int][]yearRow{}, described: &describedMemo{m: map[population.Estimate]string{}},
		denominators: &denominatorTables{m: map[denominatorKey]*denominatorTable{}}}
	// The population table and each measure's indexes need only the
	// registry: they are built a CPU at a time (a tenth of a warm run
	// each way when built one after another). Task 0 is the population
	// table, task i the index of measure i-1.
	rank, nRanks := c.areaRanks()
	type built struct {
		index map[obsKey]*dataset.Observation
		areas map[int][]yearRow
	}
	out := make([]built, len(measures.Catalogue))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := min(runtime.GOMAXPROCS(0), len(out)+1); w > 0; w-- {
		wg.Go(func() {
			for t := int(next.Add(1)) - 1; t <= len(out); t = int(next.Add(1)) - 1 {
				if t == 0 {
					c.Pop = population.New(st.Population, reg)
					continue
				}
				idx := c.indexMeasure(measures.Catalogue[t-1].ID)
				out[t-1] = built{idx, indexAreas(idx, rank, nRanks)}
			}
		})
	}
	wg.Wait()
	for i, m := range measures.Catalogue {
		c.index[m.ID], c.areas[m.ID] = out[i].index, out[i].areas
	}
	return c
}

// denominator is c.Pop.ForVintage(c.vintage(), code, year, c.Band()),
// read for an area of known rank from a table of every area's
// denominators by year, made once per vintage and band: every measure's
// rates for an area and year share one denominator, and looking it up
// for each of a table's 16,620 rates was a tenth of a warm run.
func (c *Calculator) denominator(code string, year, rank int) (population.Estimate, bool, string) {
	v, band := c.vintage(), c.Band()
	if rank < 0 || c.denominators == nil || rank >= len(c.rankCodes) {
		return c.Pop.ForVintage(v, code, year, band)
	}
	t := c.denominators.table(denominatorKey{v, band})
	t.once.Do(func() { t.fill(c, v, band) })
	if year < t.first || year >= t.first+t.years || c.rankCodes[rank] != code {
		return c.Pop.ForVintage(v, code, year, band)
	}
	d := &t.cells[rank*t.years+year-t.first]
	return d.est, d.ok, d.why
}

type denominatorKey struct {
	vintage population.Vintage
	band    population.Band
}

// denominatorTables holds a calculator's denominator tables, shared by
// the calculators Per and WithVintage make from it.
type denominatorTables struct {
	mu sync.Mutex
	m  map[denominatorKey]*denominatorTable
}

func (ts *denominatorTables) table(k denominatorKey) *denominatorTable {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t := ts.m[k]
	if t == nil {
		t = &denominatorTable{}
		ts.m[k] = t
	}
	return t
}

// denominatorTable is ForVintage's answer for each area rank and each
// reporting year from first to first+years-1.
type denominatorTable struct {
	once         sync.Once
	first, years int
	cells        []denominatorCell
}

type denominatorCell struct {
	est population.Estimate
	ok  bool
	why string
}

func (t *denominatorTable) fill(c *Calculator, v population.Vintage, band population.Band) {
	first, last := 0, 0
	for _, m := range measures.Catalogue {
		if ys := c.Store.Years(m.ID); len(ys) > 0 {
			if first == 0 || ys[0] < first {
				first = ys[0]
			}
			last = max(last, ys[len(ys)-1])
		}
	}
	if first == 0 {
		return
	}
	t.first, t.years = first, last-first+1
	t.cells = make([]denominatorCell, len(c.rankCodes)*t.years)
	for r, code := range c.rankCodes {
		if code == "" {
			continue
		}
		for y := first; y <= last; y++ {
			d := &t.cells[r*t.years+y-first]
			d.est, d.ok, d.why = c.Pop.ForVintage(v, code, y, band)
		}
	}
}

// indexMeasure finds a measure's figures by area and year. Two rows can
// reach the same canonical code and year when releases file an authority
// under different codes (Northumberland's E06000048 and E06000057): the
// newer release wins, as in the store's own duplicate resolution.
func (c *Calculator) indexMeasure(measure string) map[obsKey]*dataset.Observation {
	obs := c.Store.Observations(measure)
	idx := make(map[obsKey]*dataset.Observation, len(obs))
	for i := range obs {
		o := &obs[i]
		code := c.areaCode(o.Geo)
		if code == "" {
			continue
		}
		k := obsKey{o.Geo.Level, code, o.Year}
		if old, ok := idx[k]; ok && old.Release > o.Release {
			continue
		}
		idx[k] = o
	}
	return idx
}

type describedMemo struct {
	sync.RWMutex
	m map[population.Estimate]string
}

// describeKey is pop with the fields Describe does not read zeroed: an
// ONS estimate is described by its mid-year and file alone, so that one
// entry serves every area of a year (the value and line differ by area).
func describeKey(pop population.Estimate) population.Estimate {
	if pop.Source == dataset.ONS {
		return population.Estimate{Source: pop.Source, MidYear: pop.MidYear, File: pop.File}
	}
	pop.Value = 0
	return pop
}

// describe is pop.Describe(), remembered.
func (c *Calculator) describe(pop population.Estimate) string {
	if c.described == nil {
		return pop.Describe()
	}
	k := describeKey(pop)
	c.described.RLock()
	s, ok := c.described.m[k]
	c.described.RUnlock()
	if ok {
		return s
	}
	s = pop.Describe()
	c.described.Lock()
	c.described.m[k] = s
	c.described.Unlock()
	return s
}

// lastDescribed remembers the last estimate described in a run of rates
// (a year's areas share one), so that the run need not look in the
// shared memo, and lock it, for every row.
type lastDescribed struct {
	key  population.Estimate
	text string
	ok   bool
}

func (c *Calculator) describeIn(last *lastDescribed, pop population.Estimate) string {
	if last == nil {
		return c.describe(pop)
	}
	if k := describeKey(pop); !last.ok || k != last.key {
		last.key, last.text, last.ok = k, c.describe(pop), true
	}
	return last.text
}

// areaKey is an area in the ranking of areaRanks.
type areaKey struct{ level, code string }

// areaRanks orders the areas as Year gives them: regions in
// Registry.Regions order, then authorities in Registry.All order. It also
// fills c.las. Ranks are below n.
func (c *Calculator) areaRanks() (rank map[areaKey]int, n int) {
	rank = map[areaKey]int{}
	c.las = map[string]*la.Authority{}
	regions, all := c.Registry.Regions(), c.Registry.All()
	c.rankCodes = make([]string, len(regions)+len(all))
	for i, rc := range regions {
		rank[areaKey{Regional, rc}] = i // regions before authorities
		c.rankCodes[i] = rc
	}
	base := len(rank)
	for i, a := range all {
		k := areaKey{LocalAuthority, a.Code}
		if _, dup := rank[k]; !dup {
			rank[k] = base + i
			c.las[a.Code] = a
			c.rankCodes[base+i] = a.Code
		}
	}
	return rank, base + len(all)
}

// indexAreas lists a measure's areas per year in the order of rank, so
// that Year visits the rows there are instead of every area for every
// year.
func indexAreas(idx map[obsKey]*dataset.Observation, rank map[areaKey]int, n int) map[int][]yearRow {
	// Each year's rows go straight into their rank's slot, so nothing is
	// sorted; the slots are then closed up.
	slots := map[int][]yearRow{}
	for k, o := range idx {
		r, ok := rank[areaKey{k.level, k.code}]
		if !ok {
			continue
		}
		s := slots[k.year]
		if s == nil {
			s = make([]yearRow, n)
			slots[k.year] = s
		}
		s[r] = yearRow{k, o, r}
	}
	for y, s := range slots {
		kept := 0
		for _, row := range s {
			if row.o != nil {
				s[kept] = row
				kept++
			}
		}
		slots[y] = s[:kept:kept]
	}
	return slots
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

func (c *Calculator) vintage() population.Vintage {
	if c.Vintage == "" {
		return population.Latest
	}
	return c.Vintage
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
	return c.rate(measure, area, year, c.index[measure][obsKey{area.Level, area.Code, year}], nil, -1)
}

// rate is Get with the area's observation already looked up (nil: none).
// last, when not nil, remembers the estimate described last (see
// lastDescribed); rank is the area's rank, or -1 when not known.
func (c *Calculator) rate(measure string, area Area, year int, o *dataset.Observation, last *lastDescribed, rank int) Rate {
	r := Rate{Measure: measure, Year: year, Area: area, Value: math.NaN(), Lower: math.NaN(), Upper: math.NaN(), Basis: Reported, Per: c.Band(), Vintage: c.vintage()}
	if o == nil {
		r.Count = ees.Missing(ees.NotAvailable)
		r.Note = fmt.Sprintf("no %s figure for %s in %d", measure, area.Name, year)
		return r
	}
	r.Count = o.Count
	r.Provenance = o.Provenance() // SourceRefs gives "file:line" from it
	if area.Level == LocalAuthority && area.Name == "" {
		r.Area.Name = o.Geo.LAName
	}
	pop, popOK, why := c.denominator(area.Code, year, rank)
	if popOK {
		r.Population, r.PopMidYear, r.PopFrom, r.PopSource = pop.Value, pop.MidYear, pop.Source, c.describeIn(last, pop)
	}
	switch {
	case !o.Count.OK():
		r.Note = "count " + o.Count.Symbol.Describe()
	case !popOK:
		r.Note = why
		if b := c.Band(); b != population.Children {
			r.Note = fmt.Sprintf("%s (%s)", why, b.Label())
		}
	default:
		r.Value, r.Lower, r.Upper = RateCI(o.Count.Number, pop.Value)
		if pop.Source == dataset.DfE {
			r.Note = fmt.Sprintf("denominator: DfE's published population_estimate for %d (no ONS estimate for mid-%d)", year, population.MidYearFor(year))
		}
	}
	return r
}

// Year returns, for one measure and year, England, every region and every
// local authority with a row in the data, in that order (authorities by
// name).
func (c *Calculator) Year(measure string, year int) []Rate {
	return c.AppendYear(make([]Rate, 0, c.YearLen(measure, year)), measure, year)
}

// YearLen is len(c.Year(measure, year)), without computing the rates:
// to size a table of several years before it is filled.
func (c *Calculator) YearLen(measure string, year int) int {
	return 1 + len(c.areas[measure][year])
}

// AppendYear appends c.Year(measure, year) to dst and returns the
// extended slice, so that a table of many years is built in one slice
// rather than copied from one per year (a Rate is some 400 bytes).
func (c *Calculator) AppendYear(dst []Rate, measure string, year int) []Rate {
	var last lastDescribed
	dst = append(dst, c.rate(measure, England(), year, c.index[measure][obsKey{National, population.EnglandCode, year}], &last, -1))
	for _, row := range c.areas[measure][year] {
		if row.key.level == Regional {
			dst = append(dst, c.rate(measure, c.RegionArea(row.key.code), year, row.o, &last, row.rank))
			continue
		}
		dst = append(dst, c.rate(measure, LAArea(c.las[row.key.code]), year, row.o, &last, row.rank))
	}
	return dst
}

// MeasureYear names one measure's reporting year.
type MeasureYear struct {
	Measure string
	Year    int
}

// AppendYears appends c.Year(my.Measure, my.Year) for each of mys, in
// order, and returns the extended slice and where each year's rows start
// (starts[i] to starts[i+1], the last ending at len). The years are
// computed a CPU at a time, each into its own part of the one slice, so
// the rows are those AppendYear gives one year after another.
func (c *Calculator) AppendYears(dst []Rate, mys []MeasureYear) ([]Rate, []int) {
	starts := make([]int, len(mys)+1)
	at := len(dst)
	for i, my := range mys {
		starts[i] = at
		at += c.YearLen(my.Measure, my.Year)
	}
	starts[len(mys)] = at
	dst = slices.Grow(dst, at-len(dst))[:at]
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := min(runtime.GOMAXPROCS(0), len(mys)); w > 0; w-- {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(mys); i = int(next.Add(1)) - 1 {
				// The part has exactly the capacity of the year's rows,
				// so AppendYear fills it in place.
				if got := c.AppendYear(dst[starts[i]:starts[i]:starts[i+1]], mys[i].Measure, mys[i].Year); len(got) != starts[i+1]-starts[i] {
					panic(fmt.Sprintf("rates: %s %d gave %d rows, YearLen %d", mys[i].Measure, mys[i].Year, len(got), starts[i+1]-starts[i]))
				}
			}
		})
	}
	wg.Wait()
	return dst, starts[:len(mys)]
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
	r := Rate{Measure: measure, Year: year, Area: area, Value: math.NaN(), Lower: math.NaN(), Upper: math.NaN(), Basis: Harmonised, Per: c.Band(), Vintage: c.vintage()}
	var count, pop float64
	var names []string
	midYear := 0
	for _, code := range parts {
		pa, _ := c.Registry.Get(code)
		part := c.Get(measure, LAArea(pa), year)
		names = append(names, pa.Name)
		r.Sources = append(r.Sources, part.SourceRefs()...)
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
	// Test is the exact test of the change: the rate ratio To ÷ From with
	// its exact 95% interval and two-sided p-value (RateRatioTest, the
	// conditional binomial test with the two populations as offsets).
	// NaN fields when either rate is missing or a count is not a whole
	// number.
	Test RateRatio
}

// Compare returns the change from a to b; NaN fields where either is
// missing.
func Compare(a, b Rate) Change {
	nan := math.NaN()
	ch := Change{From: a, To: b, Absolute: nan, Percent: nan, Test: RateRatio{Ratio: nan, Lower: nan, Upper: nan, P: nan}}
	if a.OK() && b.OK() {
		ch.Absolute = b.Value - a.Value
		if a.Value != 0 {
			ch.Percent = ch.Absolute / a.Value * 100
		}
		ch.Test = RateRatioTest(a.Count.Number, a.Population, b.Count.Number, b.Population, 0.95)
	}
	return ch
}

// Significant reports whether the exact test finds a change at the 5%
// level (p < 0.05); false when it could not be computed.
func (ch Change) Significant() bool { return ch.Test.P < 0.05 }

// SortBy sorts rates: "rate" (highest first, missing last), "name" or
// "count" (highest first, missing last). England and regions stay first.
// The sort is stable.
func SortBy(rs []Rate, key string) error {
	less := map[string]func(a, b *Rate) bool{
		"name": func(a, b *Rate) bool { return a.Area.Name < b.Area.Name },
		"rate": func(a, b *Rate) bool { return higher(a.Value, b.Value, a.OK(), b.OK()) },
		"count": func(a, b *Rate) bool {
			return higher(a.Count.Number, b.Count.Number, a.Count.OK(), b.Count.OK())
		},
	}[key]
	if less == nil {
		return fmt.Errorf("unknown sort %q; use rate, name or count", key)
	}
	before := func(a, b *Rate) bool {
		if ra, rb := levelRank(a.Area.Level), levelRank(b.Area.Level); ra != rb {
			return ra < rb
		}
		return less(a, b)
	}
	// Rows already in order (as Year gives them, by name) stay as they
	// are, as a stable sort would leave them.
	sorted := true
	for i := 1; i < len(rs) && sorted; i++ {
		sorted = !before(&rs[i], &rs[i-1])
	}
	if sorted {
		return nil
	}
	// Sort positions, then move each Rate (some 400 bytes) once, rather
	// than swapping Rates as a sort of the slice itself would.
	perm := make([]int, len(rs))
	for i := range perm {
		perm[i] = i
	}
	sort.SliceStable(perm, func(i, j int) bool { return before(&rs[perm[i]], &rs[perm[j]]) })
	permute(rs, perm)
	return nil
}

// permute puts rs[perm[i]] at i for every i, following each cycle of the
// permutation with one spare Rate.
func permute(rs []Rate, perm []int) {
	for i := range perm {
		if perm[i] == i || perm[i] < 0 {
			continue
		}
		spare := rs[i]
		j := i
		for {
			k := perm[j]
			perm[j] = -1 // placed
			if k == i {
				rs[j] = spare
				break
			}
			rs[j] = rs[k]
			j = k
		}
	}
}

// levelRank orders England, then regions, then authorities (any other
// level with England, as before).
func levelRank(level string) int {
	switch level {
	case National:
		return 0
	case Regional:
		return 1
	case LocalAuthority:
		return 2
	}
	return 0
}

func higher(a, b float64, aok, bok bool) bool {
	if aok != bok {
		return aok
	}
	return aok && a > b
}

// Gap is an area with counts but no population estimate for some years.
type Gap struct {
	Area     Area
	Years    []int    // reporting years, ascending
	Measures []string // measures with a count in those years
}

// MissingDenominators lists the areas (England, regions, authorities) that
// have a count of some measure for a reporting year but no population
// estimate in the calculator's band for it: their rates are missing, and
// a warning should name them. Authorities come in name order.
func (c *Calculator) MissingDenominators() []Gap {
	type acc struct {
		area     Area
		years    map[int]bool
		measures map[string]bool
	}
	// Each measure's gaps are found by the next free CPU (every figure
	// asks for its denominator), then gathered in catalogue order.
	type gap struct {
		id   string
		key  obsKey
		name string
	}
	found := make([][]gap, len(measures.Catalogue))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := min(runtime.GOMAXPROCS(0), len(found)); w > 0; w-- {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(found); i = int(next.Add(1)) - 1 {
				check := func(k obsKey, o *dataset.Observation, rank int) {
					if !o.Count.OK() {
						return
					}
					if _, ok, _ := c.denominator(k.code, k.year, rank); ok {
						return
					}
					found[i] = append(found[i], gap{k.level + "|" + k.code, k, o.Geo.LAName})
				}
				// England's figures, then every ranked area's by year (their
				// denominators read from the table by rank); should the index
				// hold any other figure, it is read whole instead.
				id := measures.Catalogue[i].ID
				idx, seen := c.index[id], 0
				for _, y := range c.Store.Years(id) {
					k := obsKey{National, population.EnglandCode, y}
					if o := idx[k]; o != nil {
						check(k, o, -1)
						seen++
					}
				}
				for _, rows := range c.areas[id] {
					for _, row := range rows {
						check(row.key, row.o, row.rank)
						seen++
					}
				}
				if seen != len(idx) {
					found[i] = found[i][:0]
					for k, o := range idx {
						check(k, o, -1)
					}
				}
			}
		})
	}
	wg.Wait()
	by := map[string]*acc{}
	for i, gaps := range found {
		for _, g := range gaps {
			k := g.key
			a := by[g.id]
			if a == nil {
				var area Area
				switch k.level {
				case National:
					area = England()
				case Regional:
					area = c.RegionArea(k.code)
				default:
					if la, ok := c.Registry.Get(k.code); ok {
						area = LAArea(la)
					} else {
						area = Area{Level: LocalAuthority, Code: k.code, Name: g.name}
					}
				}
				a = &acc{area: area, years: map[int]bool{}, measures: map[string]bool{}}
				by[g.id] = a
			}
			a.years[k.year] = true
			a.measures[measures.Catalogue[i].ID] = true
		}
	}
	rank := map[string]int{National: 0, Regional: 1, LocalAuthority: 2}
	out := make([]Gap, 0, len(by))
	for _, a := range by {
		g := Gap{Area: a.area}
		for y := range a.years {
			g.Years = append(g.Years, y)
		}
		sort.Ints(g.Years)
		for m := range a.measures {
			g.Measures = append(g.Measures, m)
		}
		sort.Strings(g.Measures)
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		if rank[out[i].Area.Level] != rank[out[j].Area.Level] {
			return rank[out[i].Area.Level] < rank[out[j].Area.Level]
		}
		if out[i].Area.Name != out[j].Area.Name {
			return out[i].Area.Name < out[j].Area.Name
		}
		return out[i].Area.Code < out[j].Area.Code
	})
	return out
}
