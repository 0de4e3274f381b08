package claims

import (
	"fmt"
	"math"
	"strings"

	"github.com/cscstats/cscstats/pkg/divergence"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/spec"
	"github.com/cscstats/cscstats/pkg/stats"
)

// SpreadYears returns the spread of councils' rates for a measure in one
// year, with the default exclusions of pkg/spec (Isles of Scilly, City of
// London) and councils without a value left out, and the spread net of
// Poisson noise (see divergence.YearSpread).
func SpreadYears(calc *rates.Calculator, measure string, year int) (divergence.Stats, error) {
	return divergence.YearSpread(calc, measure, year, spec.Options{})
}

// window returns the years a row evaluates: the claim's own, or the
// latest Since.Years span ending in the latest year all the measures
// have, shortened to start no earlier than the latest first year they
// share (so "the latest years" means the latest the data have).
func window(calc *rates.Calculator, c Claim, row string, measures ...string) (from, to int, ok bool) {
	if row == RowOwn {
		return c.From, c.To, true
	}
	first, last := 0, 0
	for _, m := range measures {
		ys := calc.Years(m)
		if len(ys) == 0 {
			return 0, 0, false
		}
		if l := ys[len(ys)-1]; last == 0 || l < last {
			last = l
		}
		if f := ys[0]; f > first {
			first = f
		}
	}
	from = max(last-c.Since.Years, first)
	return from, last, from < last
}

// spread checks "councils differ increasingly": the spread of councils'
// rates in every year of the window, and, for the verdict, the change in
// the coefficient of variation (sample SD ÷ mean) from the first to the
// last year over the councils with a rate in both, with a paired bootstrap
// interval. An interval above 0 is reproduced; a rise whose interval
// includes 0 is close; no rise differs. The spread net of Poisson noise
// (τ ÷ England's rate) is shown beside it.
func (ev Evaluator) spread(c Claim, row string) (Result, error) {
	r := newResult(c, row)
	from, to, ok := window(ev.Calc, c, row, c.Measure)
	if !ok {
		return notCheckable(r, "no data at all for "+c.Measure), nil
	}
	// Years with counts but no denominator are left out and named; the
	// verdict rests on the first and last years that have rates.
	asked := fmt.Sprintf("%d-%d", from, to)
	withRates, noRates := RateYears(ev.Calc, c.Measure, from, to)
	var left []string
	if len(noRates) > 0 {
		left = append(left, NoDenominatorText(ev.Calc, noRates))
	}
	if len(withRates) < 2 {
		r.Years = asked
		why := fmt.Sprintf("fewer than two years with %s rates in %s", c.Measure, asked)
		if miss := missingYears(ev.Calc, c.Measure, from, to); len(miss) == to-from+1 {
			why = noData(c, c.Measure, miss) // no data at all: that says it
		} else if len(miss) > 0 {
			why += "; " + noData(c, c.Measure, miss)
		}
		if len(left) > 0 {
			why += "; " + left[0]
		}
		return notCheckable(r, why), nil
	}
	if withRates[0] != from || withRates[len(withRates)-1] != to {
		if miss := missingYears(ev.Calc, c.Measure, from, withRates[0]-1); len(miss) > 0 {
			left = append(left, noData(c, c.Measure, miss))
		}
		if miss := missingYears(ev.Calc, c.Measure, withRates[len(withRates)-1]+1, to); len(miss) > 0 {
			left = append(left, noData(c, c.Measure, miss))
		}
		from, to = withRates[0], withRates[len(withRates)-1]
	}
	r.Years = fmt.Sprintf("%d-%d", from, to)
	miss := missingYears(ev.Calc, c.Measure, from, to)
	gap := map[int]bool{}
	for _, y := range miss {
		gap[y] = true
	}
	for _, y := range noRates {
		gap[y] = true
	}
	var cvs, nets []string
	peak, peakCV := 0, math.Inf(-1)
	for y := from; y <= to; y++ {
		if gap[y] {
			cvs, nets = append(cvs, fmt.Sprintf("%d no rate", y)), append(nets, fmt.Sprintf("%d no rate", y))
			continue
		}
		s, err := SpreadYears(ev.Calc, c.Measure, y)
		if err != nil {
			cvs, nets = append(cvs, fmt.Sprintf("%d none (%v)", y, err)), append(nets, fmt.Sprintf("%d none", y))
			continue
		}
		cvs = append(cvs, fmt.Sprintf("%d %.3f", y, s.Spread.CV))
		nets = append(nets, fmt.Sprintf("%d %.3f", y, s.Net))
		if s.Spread.CV > peakCV {
			peak, peakCV = y, s.Spread.CV
		}
	}
	p, err := divergence.Balanced(ev.Calc, c.Measure, []int{from, to}, spec.Options{})
	if err != nil {
		return notCheckable(r, err.Error()), nil
	}
	seed := ev.Seed
	if seed == 0 {
		seed = DefaultSeed
	}
	ch, err := p.Change(0, 1, Bootstrap, 0.95, seed)
	if err != nil {
		return notCheckable(r, err.Error()), nil
	}
	get := func(name string) divergence.Change {
		for _, x := range ch {
			if x.Statistic == name {
				return x
			}
		}
		return divergence.Change{}
	}
	cv, net, sd, iqr := get("cv"), get("net_spread"), get("sd"), get("iqr")
	r.Computed = cv.Change
	r.Detail = fmt.Sprintf("coefficient of variation (sample SD ÷ mean) of councils' rates each year: %s (highest in %d); net of Poisson noise (τ ÷ England's rate): %s. Over the %d councils with a rate in both %d and %d the CV changed by %+.3f (95%% paired bootstrap interval %.3f to %.3f, %d resamples, seed %d); SD %+.2f, IQR %+.2f per 10,000; over those councils the net spread went from %.3f to %.3f",
		strings.Join(cvs, ", "), peak, strings.Join(nets, ", "), len(p.Units), from, to, cv.Change, cv.Lower, cv.Upper, Bootstrap, seed, sd.Change, iqr.Change, net.First, net.Last)
	switch {
	case cv.Lower > 0:
		r.Verdict = Reproduced
		r.Explanation = fmt.Sprintf("Councils moved apart relative to the average: the CV rose and the paired bootstrap interval excludes no change. Over the same councils, net of Poisson noise, the spread went from %.3f to %.3f of England's rate.", net.First, net.Last)
	case cv.Change > 0:
		r.Verdict = Close
		r.Explanation = fmt.Sprintf("The CV rose, but the paired bootstrap interval (%.3f to %.3f) includes no change, so this could be chance; over the same councils, net of Poisson noise, the spread went from %.3f to %.3f of England's rate.", cv.Lower, cv.Upper, net.First, net.Last)
	default:
		r.Verdict = Differs
		r.Explanation = fmt.Sprintf("The CV did not rise over these councils (change %+.3f, interval %.3f to %.3f).", cv.Change, cv.Lower, cv.Upper)
	}
	if sd.Change < 0 && iqr.Change < 0 && cv.Change > 0 {
		r.Explanation += " The absolute spread (SD and IQR) fell; the CV rose because the average fell faster."
	}
	if len(left) > 0 {
		r.Explanation = fmt.Sprintf("Evaluated on %s, the years of %s with rates: %s. ", r.Years, asked, strings.Join(left, "; ")) + r.Explanation
	}
	r.addShared(c.Note)
	return r, nil
}

// CorrelationWindow is the latest span of years both measures have: from
// the later of their first years to the earlier of their last years.
func CorrelationWindow(calc *rates.Calculator, x, y string) (int, int, error) {
	xs, ys := calc.Years(x), calc.Years(y)
	if len(xs) == 0 || len(ys) == 0 {
		return 0, 0, fmt.Errorf("no data for %s or %s", x, y)
	}
	from, to := max(xs[0], ys[0]), min(xs[len(xs)-1], ys[len(ys)-1])
	if from >= to {
		return 0, 0, fmt.Errorf("%s and %s share no span of years", x, y)
	}
	return from, to, nil
}

// specsFor builds the x and y specs of a correlation claim
// ("adoptions:change" with no years) on from-to.
func specsFor(c Claim, from, to int) (spec.Spec, spec.Spec, error) {
	xm, xstat, _ := strings.Cut(c.X, ":")
	ym, ystat, _ := strings.Cut(c.Y, ":")
	xs, err := spec.Parse(fmt.Sprintf("%s:%s@%d-%d", xm, xstat, from, to))
	if err != nil {
		return spec.Spec{}, spec.Spec{}, err
	}
	ys, err := spec.Parse(fmt.Sprintf("%s:%s@%d-%d", ym, ystat, from, to))
	return xs, ys, err
}

// PairFor pairs the councils for a correlation claim on the latest years:
// the claim's "and since" window when it has one, else the latest span
// both measures have.
func PairFor(calc *rates.Calculator, c Claim) (*spec.Paired, error) {
	xm, _, _ := strings.Cut(c.X, ":")
	ym, _, _ := strings.Cut(c.Y, ":")
	from, to, err := CorrelationWindow(calc, xm, ym)
	if err != nil {
		return nil, err
	}
	if c.Since != nil && to-c.Since.Years > from {
		from = to - c.Since.Years
	}
	xs, ys, err := specsFor(c, from, to)
	if err != nil {
		return nil, err
	}
	return spec.Pair(calc, xs, ys, nil, spec.Options{})
}

// correlation checks "where x rose, y rose too" as a Pearson correlation
// across councils of the two changes, with the baseline-adjusted (ANCOVA)
// partial correlation beside it. With a Design the verdict is "different
// design"; otherwise positive and significant at 5% is reproduced,
// positive without significance close, and not positive differs.
func (ev Evaluator) correlation(c Claim, row string) (Result, error) {
	r := newResult(c, row)
	xm, _, _ := strings.Cut(c.X, ":")
	ym, _, _ := strings.Cut(c.Y, ":")
	from, to, ok := window(ev.Calc, c, row, xm, ym)
	if !ok {
		return notCheckable(r, fmt.Sprintf("no data at all for %s or %s", xm, ym)), nil
	}
	r.Years = fmt.Sprintf("%d-%d", from, to)
	xs, ys, err := specsFor(c, from, to)
	if err != nil {
		return r, fmt.Errorf("claim %s: %w", c.ID, err)
	}
	// a change needs its two end years; a slope every year
	var why []string
	var all []int
	for _, s := range []spec.Spec{xs, ys} {
		var miss []int
		for _, y := range missingYears(ev.Calc, s.Measure, from, to) {
			if s.Stat == spec.Slope || y == from || y == to {
				miss = append(miss, y)
			}
		}
		if len(miss) > 0 {
			why = append(why, fmt.Sprintf("no %s data for %s", s.Measure, yearsText(miss)))
			all = append(all, miss...)
		}
	}
	// and each measure needs rates (a denominator) in both end years
	if len(why) == 0 {
		for _, s := range []spec.Spec{xs, ys} {
			_, without := RateYears(ev.Calc, s.Measure, from, to)
			var ends []int
			for _, y := range without {
				if s.Stat == spec.Slope || y == from || y == to {
					ends = append(ends, y)
				}
			}
			if len(ends) > 0 {
				why = append(why, s.Measure+": "+NoDenominatorText(ev.Calc, ends))
			}
		}
	}
	if len(why) > 0 {
		reason := strings.Join(why, "; ") + needsText(c, all)
		r = notCheckable(r, reason)
		if c.Design != "" {
			r.Explanation += " Even with those years, the test would be of a different design."
			r.addShared(c.Design)
		}
		return r, nil
	}
	p, err := spec.Pair(ev.Calc, xs, ys, nil, spec.Options{})
	if err != nil {
		return r, fmt.Errorf("claim %s: %w", c.ID, err)
	}
	corr, err := stats.Pearson(p.XS(), p.YS(), nil, 0.95)
	if err != nil {
		return notCheckable(r, err.Error()), nil
	}
	r.Computed = corr.R
	r.Detail = fmt.Sprintf("Pearson r = %.3f (95%% CI %.3f to %.3f), p = %.3g, n = %d councils; %s against %s; %d councils left out",
		corr.R, corr.CILower, corr.CIUpper, corr.PValue, corr.N, p.X, p.Y, len(p.Excluded))
	if _, adj, err := spec.BaselineAdjusted(ev.Calc, xs, ys, stats.MethodPearson, spec.Options{}, 0.95); err == nil {
		r.Detail += fmt.Sprintf("; baseline-adjusted (ANCOVA) partial r = %.3f (95%% CI %.3f to %.3f), the %d level of %s against that of %s controlling for both %d levels",
			adj.R, adj.CILower, adj.CIUpper, to, ym, xm, from)
	}
	direction := "not positive"
	switch {
	case corr.R > 0 && corr.PValue < 0.05:
		direction = "positive and statistically significant"
	case corr.R > 0:
		direction = "positive but could well be chance at the 5% level"
	}
	if c.Design != "" {
		r.Verdict = DifferentDesign
		r.addShared(c.Design)
		r.Explanation += fmt.Sprintf(" The nearest test the council figures allow is %s here; it neither confirms nor refutes the original finding.", direction)
		return r, nil
	}
	switch {
	case corr.R > 0 && corr.PValue < 0.05:
		r.Verdict = Reproduced
	case corr.R > 0:
		r.Verdict = Close
		r.Explanation = "The correlation is positive but could well be chance at the 5% level."
	default:
		r.Verdict = Differs
		r.Explanation = "The correlation is not positive."
	}
	return r, nil
}

// RateYears splits the years from..to (0: no bound) that the data have a
// measure's counts for into those with England's rate — a population
// estimate in calc's vintage to divide by — and those with counts only.
// A council's rate needs the same denominator series, so a year without
// England's has no council rates either.
func RateYears(calc *rates.Calculator, measure string, from, to int) (with, without []int) {
	for _, y := range calc.Years(measure) {
		if (from != 0 && y < from) || (to != 0 && y > to) {
			continue
		}
		if e := calc.Get(measure, rates.England(), y); e.Count.OK() && !e.OK() {
			without = append(without, y)
			continue
		}
		with = append(with, y)
	}
	return with, without
}

// NoDenominatorText says why years have counts but no rates and how to
// get them: "2010-2012 have counts but no population estimate for
// children aged 0-17 in the latest vintage (mid-2009 to mid-2011 are
// missing); `cscstats fetch population` asks Nomis for mid-2009 onwards".
func NoDenominatorText(calc *rates.Calculator, years []int) string {
	if len(years) == 0 {
		return ""
	}
	mids := make([]int, len(years))
	for i, y := range years {
		mids[i] = population.MidYearFor(y)
	}
	verb := "have"
	if len(years) == 1 {
		verb = "has"
	}
	v := calc.Vintage
	if v == "" {
		v = population.Latest
	}
	s := fmt.Sprintf("%s %s counts but no population estimate for %s in the %s vintage (estimates for %s are not in the data)", yearsText(years), verb, calc.Band().Label(), v, population.MidYearsText(mids))
	if v == population.AsPublished {
		return s + ", as no DfE release in the data prints its estimate for them; the latest vintage (`--population latest`) may have them"
	}
	return s + "; `cscstats fetch population` asks Nomis for the ONS estimates from mid-2009"
}

// PairOn pairs the councils for a correlation claim on the years
// from-to (a change from the first to the last).
func PairOn(calc *rates.Calculator, c Claim, from, to int) (*spec.Paired, error) {
	xs, ys, err := specsFor(c, from, to)
	if err != nil {
		return nil, err
	}
	return spec.Pair(calc, xs, ys, nil, spec.Options{})
}
