// Package divergence asks whether councils' rates are moving apart: the
// spread of a measure across the same councils in several years (a
// balanced panel), the change in each spread statistic between two years
// with a paired bootstrap interval, and the spread between councils net
// of the Poisson noise that small counts add.
//
// Comparing two years' spread over whichever councils reported each year
// mixes a change in spread with a change in who is counted, and a single
// difference between two coefficients of variation says nothing about
// chance. The panel keeps the councils fixed; the bootstrap resamples
// councils (keeping each council's years together) to give an interval for
// each change; and the net spread τ/θ takes out the part of the spread
// that sampling variation in small counts alone would produce.
package divergence

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/cscstats/cscstats/pkg/funnel"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/spec"
	"github.com/cscstats/cscstats/pkg/stats"
)

// Panel is a measure's rates for the same councils in every year.
type Panel struct {
	Measure string
	Years   []int
	Units   []spec.Unit
	// Rate and Pop are indexed [unit][year]: the rate per 10,000 and the
	// 0-17 population it was computed on.
	Rate, Pop [][]float64
	// England is England's rate per 10,000 in each year (its count ÷ its
	// 0-17 population), the centre for the net spread.
	England  []float64
	Excluded []spec.Exclusion
	Notes    []string
}

// Balanced builds the panel of the councils with a rate in every one of
// years (see spec.Collect: each council is the same area throughout,
// harmonised across boundary changes where possible, with sel's
// exclusions).
func Balanced(calc *rates.Calculator, measure string, years []int, sel spec.Options) (*Panel, error) {
	if len(years) == 0 {
		return nil, fmt.Errorf("no years for %s", measure)
	}
	specs := make([]spec.Spec, len(years))
	for i, y := range years {
		specs[i] = spec.Spec{Measure: measure, Stat: spec.Level, From: y, To: y}
	}
	t, err := spec.Collect(calc, specs, sel)
	if err != nil {
		return nil, err
	}
	p := &Panel{Measure: measure, Years: years, Excluded: t.Excluded, Notes: t.Notes}
	for _, y := range years {
		e := calc.Get(measure, rates.England(), y)
		if !e.OK() || !(e.Value > 0) {
			p.Notes = append(p.Notes, fmt.Sprintf("No England %s rate for %d: no net spread that year.", measure, y))
		}
		p.England = append(p.England, e.Value)
	}
	for _, r := range t.Rows {
		pops := make([]float64, len(years))
		ok := true
		for i, y := range years {
			v, why, have := spec.UnitPopulation(calc, r.Unit, y)
			if !have {
				p.Excluded = append(p.Excluded, spec.Exclusion{Code: r.Unit.Code, Name: r.Unit.Name, Kind: spec.ExcludedMissing, Reason: why})
				ok = false
				break
			}
			pops[i] = v
		}
		if !ok {
			continue
		}
		p.Units = append(p.Units, r.Unit)
		p.Rate = append(p.Rate, append([]float64(nil), r.Values...))
		p.Pop = append(p.Pop, pops)
	}
	if len(p.Units) < 2 {
		return nil, fmt.Errorf("fewer than two councils have a %s rate in every year %d-%d", measure, years[0], years[len(years)-1])
	}
	return p, nil
}

// Stats is the spread of one year.
type Stats struct {
	Spread stats.Spread
	// Tau2 is the between-council variance of the rate net of Poisson
	// noise, τ² of funnel.Overdispersion on the rate scale around
	// England's rate (z-scores winsorised at their 10th and 90th
	// percentiles), in (rate per 10,000)².
	Tau2 float64
	// Net is τ/θ, the between-council standard deviation net of Poisson
	// noise as a share of England's rate: a coefficient of variation of
	// the underlying rates, which small councils' chance swings do not
	// inflate.
	Net float64
}

// Describe returns the spread of rates with populations pops around
// England's rate england.
//
//	Spread: stats.Describe (CV = sample SD ÷ mean)
//	τ²:     funnel.Overdispersion(england, rates, pops, rate scale)
//	Net:    sqrt(τ²) / england
//
// Tau2 and Net are NaN when england is not a positive rate or there are
// fewer than two councils.
func Describe(rs, pops []float64, england float64) (Stats, error) {
	d, err := stats.Describe(rs)
	if err != nil {
		return Stats{}, err
	}
	return withNet(d, rs, pops, england), nil
}

// withNet adds the net spread of rs (with populations pops) around
// england to their spread d.
func withNet(d stats.Spread, rs, pops []float64, england float64) Stats {
	st := Stats{Spread: d, Tau2: math.NaN(), Net: math.NaN()}
	if od, err := funnel.Overdispersion(england, rs, pops, funnel.ScaleRate); err == nil {
		st.Tau2, st.Net = od.Tau2, math.Sqrt(od.Tau2)/england
	}
	return st
}

// Year returns the spread of year index i over the panel's councils.
func (p *Panel) Year(i int) (Stats, error) {
	rs, pops := p.column(i, nil)
	return Describe(rs, pops, p.England[i])
}

func (p *Panel) column(i int, idx []int) (rs, pops []float64) {
	if idx == nil {
		for u := range p.Units {
			rs = append(rs, p.Rate[u][i])
			pops = append(pops, p.Pop[u][i])
		}
		return rs, pops
	}
	for _, u := range idx {
		rs = append(rs, p.Rate[u][i])
		pops = append(pops, p.Pop[u][i])
	}
	return rs, pops
}

// byRate returns the panel's unit indices in ascending order of their
// rate in year index i.
func (p *Panel) byRate(i int) []int {
	order := make([]int, len(p.Units))
	for u := range order {
		order[u] = u
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(p.Rate[a][i], p.Rate[b][i]) })
	return order
}

// drawYear is what describing year index i of many resamples of the
// panel needs, made once: the councils in order of their rate that year,
// and their z-scores for the net spread (nil when the panel's column
// cannot be prepared, for example without an England rate: each resample
// then tries on its own, as Describe would).
type drawYear struct {
	i      int
	byRate []int
	od     *funnel.ODSample
}

func (p *Panel) drawYear(i int) drawYear {
	rs, pops := p.column(i, nil)
	od, err := funnel.NewODSample(p.England[i], rs, pops, funnel.ScaleRate)
	if err != nil {
		od = nil
	}
	return drawYear{i: i, byRate: p.byRate(i), od: od}
}

// describeDrawn is [Describe] of year y's rates of the resample that drew
// the councils idx, unit u times[u] times, bit for bit. The ascending
// values are the rates of y.byRate, each repeated times[u] times: the
// values sort.Float64s gives for the drawn rates (equal rates are equal
// numbers, so the order among them cannot matter), so
// stats.DescribeSorted of them is stats.Describe of the drawn rates; and
// the net spread is funnel.ODSample.Resample, which is
// funnel.Overdispersion of the drawn rates in draw order.
// The ordered rates are built in *buf (reused; stats.DescribeSorted keeps
// nothing of them).
func (p *Panel) describeDrawn(y drawYear, idx, times []int, buf *[]float64) (Stats, error) {
	sorted := (*buf)[:0]
	for _, u := range y.byRate {
		for range times[u] {
			sorted = append(sorted, p.Rate[u][y.i])
		}
	}
	*buf = sorted
	d, err := stats.DescribeSorted(sorted)
	if err != nil {
		return Stats{}, err
	}
	if y.od == nil {
		rs, pops := p.column(y.i, idx)
		return withNet(d, rs, pops, p.England[y.i]), nil
	}
	st := Stats{Spread: d, Tau2: math.NaN(), Net: math.NaN()}
	if od, err := y.od.Resample(idx, times); err == nil {
		st.Tau2, st.Net = od.Tau2, math.Sqrt(od.Tau2)/p.England[y.i]
	}
	return st, nil
}

// Statistic names, in the order of [Panel.Change]'s results.
var Statistics = []string{"mean", "median", "sd", "iqr", "p90_p10", "cv", "net_spread"}

func values(s Stats) []float64 {
	d := s.Spread
	return []float64{d.Mean, d.Median, d.SD, d.IQR, d.P90P10, d.CV, s.Net}
}

// Change is the change in one statistic from one year to another.
type Change struct {
	Statistic   string
	First, Last float64
	Change      float64 // Last − First
	// Lower and Upper bound the paired bootstrap percentile interval for
	// the change (NaN without a bootstrap).
	Lower, Upper float64
}

// Change returns the change in each of [Statistics] from year index i to
// year index j, with paired bootstrap intervals at the given level from n
// resamples of the panel's councils (n = 0: no intervals). Resampling
// councils keeps each council's two years together, so the interval
// reflects which councils happen to be in the panel, not only the noise
// in each year.
func (p *Panel) Change(i, j, n int, level float64, seed uint64) ([]Change, error) {
	a, err := p.Year(i)
	if err != nil {
		return nil, err
	}
	b, err := p.Year(j)
	if err != nil {
		return nil, err
	}
	va, vb := values(a), values(b)
	out := make([]Change, len(Statistics))
	for k, name := range Statistics {
		out[k] = Change{Statistic: name, First: va[k], Last: vb[k], Change: vb[k] - va[k], Lower: math.NaN(), Upper: math.NaN()}
	}
	if n == 0 {
		return out, nil
	}
	// A replicate's rates are a multiset of the panel's, so they are put
	// in order by walking the councils in the order of their rates, each
	// as many times as it was drawn, rather than by sorting each
	// replicate: the same ascending values as sorting them, so the same
	// spread to the last bit (see describeDrawn).
	yi, yj := p.drawYear(i), p.drawYear(j)
	// Each replicate's counts and ordered rates are scratch, reused
	// (a pool, as replicates are computed on several goroutines).
	type scratch struct {
		times  []int
		sorted []float64
	}
	scratches := sync.Pool{New: func() any { return &scratch{times: make([]int, len(p.Units))} }}
	lo, hi, err := stats.ResampleCI(len(p.Units), n, level, seed, func(idx []int) []float64 {
		sc := scratches.Get().(*scratch)
		defer scratches.Put(sc)
		times := sc.times
		clear(times)
		for _, u := range idx {
			times[u]++
		}
		sa, errA := p.describeDrawn(yi, idx, times, &sc.sorted)
		sb, errB := p.describeDrawn(yj, idx, times, &sc.sorted)
		d := make([]float64, len(Statistics))
		if errA != nil || errB != nil {
			for k := range d {
				d[k] = math.NaN()
			}
			return d
		}
		xa, xb := values(sa), values(sb)
		for k := range d {
			d[k] = xb[k] - xa[k]
		}
		return d
	})
	if err != nil {
		return nil, err
	}
	for k := range out {
		out[k].Lower, out[k].Upper = lo[k], hi[k]
	}
	return out, nil
}

// YearSpread is the spread of a measure's rates in one year over every
// council with a rate (spec.Evaluate of MEASURE:level@YEAR with sel's
// exclusions: the Isles of Scilly and the City of London out by
// default), with the net spread around England's rate.
func YearSpread(calc *rates.Calculator, measure string, year int, sel spec.Options) (Stats, error) {
	v, err := spec.Evaluate(calc, spec.Spec{Measure: measure, Stat: spec.Level, From: year, To: year}, sel)
	if err != nil {
		return Stats{}, err
	}
	var rs, pops []float64
	for _, u := range v.Units {
		p, _, ok := spec.UnitPopulation(calc, u, year)
		if !ok {
			continue
		}
		rs = append(rs, v.Value[u.Code])
		pops = append(pops, p)
	}
	england := math.NaN()
	if e := calc.Get(measure, rates.England(), year); e.OK() {
		england = e.Value
	}
	return Describe(rs, pops, england)
}
