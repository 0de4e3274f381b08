package spec

import (
	"fmt"
	"github.com/cscstats/cscstats/pkg/timeperiod"
	"math"
	"strings"

	"gonum.org/v1/gonum/stat"

	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
)

// Check reports whether the data can answer the spec at all: the measure
// has data for the years it names (for a slope, at least MinSlopeYears
// years in the window).
func Check(calc *rates.Calculator, s Spec) error {
	if s.IsIMD() {
		return nil
	}
	have := calc.Years(s.Measure)
	if len(have) == 0 {
		return fmt.Errorf("%s: no %s data in the data directory; run `cscstats measures` to see what is there", s, s.Measure)
	}
	if s.Stat == Slope {
		if n := len(windowYears(have, s.From, s.To)); n < MinSlopeYears {
			return fmt.Errorf("%s: a slope needs at least %d years of data in the window, %s data has %d between %d and %d; years available: %s",
				s, MinSlopeYears, s.Measure, n, s.From, s.To, timeperiod.Span(have))
		}
		return nil
	}
	for _, y := range []int{s.From, s.To} {
		if !timeperiod.Contains(have, y) {
			return fmt.Errorf("%s: no %s data for %d; years available: %s", s, s.Measure, y, timeperiod.Span(have))
		}
	}
	return nil
}

func windowYears(have []int, from, to int) []int {
	var out []int
	for _, y := range have {
		if y >= from && y <= to {
			out = append(out, y)
		}
	}
	return out
}

// Values is one spec evaluated for every council.
type Values struct {
	Spec     Spec
	Units    []Unit             // the councils with a value, sorted by name
	Value    map[string]float64 // by Unit.Code
	Excluded []Exclusion        // sorted by name
	Notes    []string
}

// Evaluate computes a spec for every current council (see Units for how
// boundary changes are handled), applying opts.IncludeSmall and
// opts.Exclude. Councils without a value are listed in Excluded with the
// reason.
func Evaluate(calc *rates.Calculator, s Spec, opts Options) (*Values, error) {
	t, err := Collect(calc, []Spec{s}, opts)
	if err != nil {
		return nil, err
	}
	v := &Values{Spec: s, Value: map[string]float64{}, Excluded: t.Excluded, Notes: t.Notes}
	for _, r := range t.Rows {
		v.Units = append(v.Units, r.Unit)
		v.Value[r.Unit.Code] = r.Values[0]
	}
	return v, nil
}

// Row is one council with a value for every spec of a Table.
type Row struct {
	Unit   Unit
	Values []float64 // in the order of Table.Specs
	Weight float64   // 0-17 population in Table.WeightYear when weighted, else 0
}

// Table is several specs evaluated on the same councils: only councils
// with a value for every spec are rows (complete cases).
type Table struct {
	Specs      []Spec
	Rows       []Row       // sorted by name
	Excluded   []Exclusion // sorted by name
	Notes      []string
	WeightYear int // reporting year of the weights; 0 when unweighted
}

// Column returns the values of spec i, in row order.
func (t *Table) Column(i int) []float64 {
	out := make([]float64, len(t.Rows))
	for k, r := range t.Rows {
		out[k] = r.Values[i]
	}
	return out
}

// Weights returns the row weights, or nil when unweighted.
func (t *Table) Weights() []float64 {
	if t.WeightYear == 0 {
		return nil
	}
	out := make([]float64, len(t.Rows))
	for k, r := range t.Rows {
		out[k] = r.Weight
	}
	return out
}

// Collect evaluates several specs on one set of councils. The councils
// are chosen once, for the years all the specs span together, so a
// council is the same area in every column.
func Collect(calc *rates.Calculator, specs []Spec, opts Options) (*Table, error) {
	if len(specs) == 0 {
		return nil, fmt.Errorf("no spec given; %s", Syntax)
	}
	if opts.Weight != "" && opts.Weight != WeightPopulation {
		return nil, fmt.Errorf("unknown weight %q; the only weight is %q (the 0-17 population)", opts.Weight, WeightPopulation)
	}
	from, to := 0, 0
	weightYear := 0
	for _, s := range specs {
		if err := Check(calc, s); err != nil {
			return nil, err
		}
		f, t := s.Window()
		if from == 0 || f < from {
			from = f
		}
		if t > to {
			to = t
		}
		if !s.IsIMD() && s.To > weightYear {
			weightYear = s.To
		}
	}
	if opts.Weight == WeightPopulation && weightYear == 0 {
		return nil, fmt.Errorf("--weight population needs a measure spec to date the population: imd:score alone has no year")
	}
	units, excl := Units(calc.Registry, from, to)
	units, more, err := selectUnits(calc.Registry, units, opts)
	if err != nil {
		return nil, err
	}
	excl = append(excl, more...)

	t := &Table{Specs: specs}
	type col struct {
		value  map[string]float64
		reason map[string]string
	}
	cols := make([]col, len(specs))
	for i, s := range specs {
		v, r, notes, err := evaluateOn(calc, s, units)
		if err != nil {
			return nil, err
		}
		cols[i] = col{v, r}
		t.Notes = append(t.Notes, notes...)
	}
	if opts.Weight == WeightPopulation {
		t.WeightYear = weightYear
	}
	for _, u := range units {
		row := Row{Unit: u, Values: make([]float64, len(specs))}
		var why []string
		for i, s := range specs {
			if v, ok := cols[i].value[u.Code]; ok {
				row.Values[i] = v
			} else {
				why = append(why, s.Measure+": "+cols[i].reason[u.Code])
			}
		}
		if len(why) > 0 {
			excl = append(excl, Exclusion{Code: u.Code, Name: u.Name, Kind: ExcludedMissing, Reason: strings.Join(dedupe(why), "; ")})
			continue
		}
		if t.WeightYear != 0 {
			w, note := unitPopulation(calc, u, t.WeightYear)
			if w <= 0 {
				excl = append(excl, Exclusion{Code: u.Code, Name: u.Name, Kind: ExcludedWeight, Reason: "no weight: " + note})
				continue
			}
			row.Weight = w
		}
		t.Rows = append(t.Rows, row)
		if u.Formed != "" {
			t.Notes = append(t.Notes, u.Formed+".")
		}
	}
	sortExclusions(excl)
	t.Excluded = excl
	t.Notes = dedupe(t.Notes)
	return t, nil
}

// Paired is the data of one correlation: x, y and any controls for every
// council that has them all.
type Paired struct {
	X, Y     Spec
	Controls []Spec
	*Table
}

// XS returns the x values in row order.
func (p *Paired) XS() []float64 { return p.Column(0) }

// YS returns the y values in row order.
func (p *Paired) YS() []float64 { return p.Column(1) }

// ControlColumns returns one slice per control, in row order.
func (p *Paired) ControlColumns() [][]float64 {
	out := make([][]float64, len(p.Controls))
	for i := range p.Controls {
		out[i] = p.Column(2 + i)
	}
	return out
}

// Pair evaluates x, y and the controls on the same councils (see Collect).
func Pair(calc *rates.Calculator, x, y Spec, controls []Spec, opts Options) (*Paired, error) {
	t, err := Collect(calc, append([]Spec{x, y}, controls...), opts)
	if err != nil {
		return nil, err
	}
	return &Paired{X: x, Y: y, Controls: controls, Table: t}, nil
}

// evaluateOn computes a spec for each unit: a value, or the reason there
// is none.
func evaluateOn(calc *rates.Calculator, s Spec, units []Unit) (map[string]float64, map[string]string, []string, error) {
	vals := map[string]float64{}
	why := map[string]string{}
	if s.IsIMD() {
		imd, err := loadIMD(calc)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, u := range units {
			if v, ok := imd.score[u.Code]; ok {
				vals[u.Code] = v
			} else {
				why[u.Code] = "no IMD 2019 score for this area"
			}
		}
		note := fmt.Sprintf("imd:score is the IMD 2019 average score from %s (column %q), read by 2019 upper-tier code mapped to current codes; councils formed after April 2019 are analysed as the county they replaced, whose 2019 score covers the same area.",
			imd.file, "IMD - Average score")
		return vals, why, []string{note}, nil
	}
	years := []int{s.From, s.To}
	switch s.Stat {
	case Level:
		years = years[:1]
	case Slope:
		years = windowYears(calc.Years(s.Measure), s.From, s.To)
	}
	partial := 0
	for _, u := range units {
		rs := make([]rates.Rate, len(years))
		var missing []missingYear
		for i, y := range years {
			rs[i] = rateAt(calc, s.Measure, u, y)
			if !rs[i].OK() {
				missing = append(missing, missingYear{MissingReason(rs[i]), y})
			}
		}
		switch s.Stat {
		case Slope:
			var xs, ys []float64
			for _, r := range rs {
				if r.OK() {
					xs, ys = append(xs, float64(r.Year)), append(ys, r.Value)
				}
			}
			if len(xs) < MinSlopeYears {
				why[u.Code] = fmt.Sprintf("a slope needs a value in at least %d years, has %d (%s)", MinSlopeYears, len(xs), groupReasons(missing))
				continue
			}
			if len(xs) < len(years) {
				partial++
			}
			_, beta := stat.LinearRegression(xs, ys, nil, false)
			vals[u.Code] = beta
			continue
		}
		if len(missing) > 0 {
			why[u.Code] = groupReasons(missing)
			continue
		}
		first, last := rs[0].Value, rs[len(rs)-1].Value
		switch s.Stat {
		case Level:
			vals[u.Code] = first
		case Change:
			vals[u.Code] = last - first
		case Pct:
			if first == 0 {
				why[u.Code] = fmt.Sprintf("percent change undefined: the rate was 0 in %d", s.From)
				continue
			}
			vals[u.Code] = (last - first) / first * 100
		case LogRatio:
			switch {
			case first == 0:
				why[u.Code] = fmt.Sprintf("log ratio undefined: the rate was 0 in %d", s.From)
			case last == 0:
				why[u.Code] = fmt.Sprintf("log ratio undefined: the rate was 0 in %d", s.To)
			default:
				vals[u.Code] = math.Log(last / first)
			}
		}
	}
	var notes []string
	if partial > 0 {
		notes = append(notes, fmt.Sprintf("%s: %d council(s) lack a value in some years of the window; their slope is over the years they have (at least %d).", s, partial, MinSlopeYears))
	}
	return vals, why, notes, nil
}

// rateAt is a unit's rate in one year: the authority's own figure, or for
// a harmonised unit from SumFrom on the sum of its successors.
//
// rates.Calculator.Series harmonises a former authority's later years only
// when the file has no row for it; DfE files such as
// la_children_who_ceased_during_the_year.csv carry placeholder rows (z,
// "not applicable") for Cumbria from 2024 and Northamptonshire from 2022,
// so those years are summed here from the successors' own rows instead.
func rateAt(calc *rates.Calculator, measure string, u Unit, year int) rates.Rate {
	area := u.Area()
	rs := calc.Series(measure, area, year, year)
	var r rates.Rate
	if len(rs) == 1 {
		r = rs[0]
	} else {
		r = calc.Get(measure, area, year)
	}
	if u.Harmonised() && year >= u.SumFrom && r.Basis != rates.Harmonised {
		r = sumParts(calc, measure, u, year)
	}
	return r
}

// sumParts harmonises a year as the sum of the unit's parts, as
// rates.Calculator.Series does: counts and populations are added, and the
// year has no value unless every part has both.
func sumParts(calc *rates.Calculator, measure string, u Unit, year int) rates.Rate {
	r := rates.Rate{Measure: measure, Year: year, Area: u.Area(), Value: math.NaN(), Lower: math.NaN(), Upper: math.NaN(), Basis: rates.Harmonised}
	var count, pop float64
	for _, code := range u.Parts {
		a, ok := calc.Registry.Get(code)
		if !ok {
			r.Count = ees.Missing(ees.NotAvailable)
			r.Note = fmt.Sprintf("harmonised value not available: %s is not in the data", code)
			return r
		}
		p := calc.Get(measure, rates.LAArea(a), year)
		r.Sources = append(r.Sources, p.SourceRefs()...)
		switch {
		case !p.Count.OK():
			r.Count = ees.Missing(ees.NotAvailable)
			r.Note = fmt.Sprintf("harmonised value not available: %s %s", a.Name, MissingReason(p))
			return r
		case p.Population <= 0:
			r.Count = ees.Missing(ees.NotAvailable)
			r.Note = fmt.Sprintf("harmonised value not available: %s has no population estimate", a.Name)
			return r
		}
		count += p.Count.Number
		pop += p.Population
		r.PopMidYear = p.PopMidYear
	}
	r.Count = ees.Num(count)
	r.Population = pop
	r.Value, r.Lower, r.Upper = rates.RateCI(count, pop)
	return r
}

// unitPopulation is a unit's 0-17 population for a reporting year (the
// rate denominator), summed over its parts when harmonised.
func unitPopulation(calc *rates.Calculator, u Unit, year int) (float64, string) {
	codes := []string{u.Code}
	if u.Harmonised() && year >= u.SumFrom {
		codes = u.Parts
	}
	var sum float64
	for _, c := range codes {
		e, ok, why := calc.Pop.ForVintage(calc.Vintage, c, year, population.Children)
		if !ok && calc.Vintage == population.AsPublished {
			return 0, why
		}
		if !ok {
			return 0, fmt.Sprintf("no population estimate for mid-%d (the denominator for %d)", population.MidYearFor(year), year)
		}
		sum += e.Value
	}
	return sum, ""
}

// MissingReason says why a rate has no value, without the year: "count
// suppressed (c)", "no figure in the data (missing year)", ...
func MissingReason(r rates.Rate) string {
	switch {
	case r.Break || strings.HasPrefix(r.Note, "harmonised value not available"):
		return r.Note
	case !r.Count.OK() && len(r.SourceRefs()) == 0:
		return "no figure in the data (missing year)"
	case !r.Count.OK():
		return "count " + r.Count.Symbol.Describe()
	case r.Population <= 0:
		return fmt.Sprintf("no population estimate for mid-%d", population.MidYearFor(r.Year))
	}
	return r.Note
}

type missingYear struct {
	reason string
	year   int
}

// groupReasons writes "count suppressed (c) in 2020 and 2024; no figure in
// the data (missing year) in 2022".
func groupReasons(ms []missingYear) string {
	var order []string
	years := map[string][]string{}
	for _, m := range ms {
		if _, ok := years[m.reason]; !ok {
			order = append(order, m.reason)
		}
		years[m.reason] = append(years[m.reason], fmt.Sprint(m.year))
	}
	parts := make([]string, len(order))
	for i, r := range order {
		parts[i] = r + " in " + joinAnd(years[r])
	}
	return strings.Join(parts, "; ")
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// UnitPopulation is a unit's 0-17 population for a reporting year, the
// denominator of its rates (summed over its parts when harmonised), and
// why there is none when ok is false.
func UnitPopulation(calc *rates.Calculator, u Unit, year int) (pop float64, why string, ok bool) {
	p, why := unitPopulation(calc, u, year)
	return p, why, p > 0
}
