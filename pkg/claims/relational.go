package claims

import (
	"fmt"
	"math"
	"strings"

	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/spec"
	"github.com/cscstats/cscstats/pkg/stats"
)

// Evaluate checks any claim against the data.
func Evaluate(calc *rates.Calculator, c Claim) (Result, error) {
	switch c.Kind {
	case KindSpreadRising:
		return EvaluateSpread(calc, c)
	case KindCorrelationPositive:
		return EvaluateCorrelation(calc, c)
	}
	return EvaluateRate(calc, c)
}

// EvaluateAll checks every claim of a file, in order.
func EvaluateAll(calc *rates.Calculator, f File) ([]Result, error) {
	out := make([]Result, 0, len(f.Claims))
	for _, c := range f.Claims {
		r, err := Evaluate(calc, c)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// SpreadYears returns the spread of councils' rates for a measure in one
// year, with the default exclusions of pkg/spec (Isles of Scilly, City of
// London) and councils without a value left out.
func SpreadYears(calc *rates.Calculator, measure string, year int) (stats.Spread, error) {
	s, err := spec.Parse(fmt.Sprintf("%s:level@%d", measure, year))
	if err != nil {
		return stats.Spread{}, err
	}
	v, err := spec.Evaluate(calc, s, spec.Options{})
	if err != nil {
		return stats.Spread{}, err
	}
	vals := make([]float64, 0, len(v.Units))
	for _, u := range v.Units {
		vals = append(vals, v.Value[u.Code])
	}
	return stats.Describe(vals)
}

// EvaluateSpread checks "councils differ increasingly": the coefficient
// of variation and the P90/P10 ratio of councils' rates in the first and
// last year the data have. Both rising is reproduced, one rising is close.
func EvaluateSpread(calc *rates.Calculator, c Claim) (Result, error) {
	r := Result{Claim: c, Computed: math.NaN(), Difference: math.NaN(), Verdict: Differs}
	years := calc.Years(c.Measure)
	if len(years) < 2 {
		r.Detail = "not computable: fewer than two years of data"
		return r, nil
	}
	first, last := years[0], years[len(years)-1]
	a, err := SpreadYears(calc, c.Measure, first)
	if err != nil {
		return r, fmt.Errorf("claim %s: %w", c.ID, err)
	}
	b, err := SpreadYears(calc, c.Measure, last)
	if err != nil {
		return r, fmt.Errorf("claim %s: %w", c.ID, err)
	}
	r.Computed = b.CV - a.CV
	r.Detail = fmt.Sprintf("coefficient of variation %.3f in %d (n=%d) to %.3f in %d (n=%d); P90/P10 ratio %.2f to %.2f",
		a.CV, first, a.N, b.CV, last, b.N, a.P90P10, b.P90P10)
	cvUp, ratioUp := b.CV > a.CV, b.P90P10 > a.P90P10
	switch {
	case cvUp && ratioUp:
		r.Verdict = Reproduced
	case cvUp || ratioUp:
		r.Verdict = Close
		r.Explanation = "The two measures of spread disagree on the direction over these years."
	default:
		r.Explanation = "Over the years in the current files the spread between councils did not grow; the report looked at earlier years."
	}
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

// PairFor builds the x and y specs of a correlation claim ("adoptions:change"
// with no years) on the latest common window, and pairs the councils.
func PairFor(calc *rates.Calculator, c Claim) (*spec.Paired, error) {
	xm, xstat, _ := strings.Cut(c.X, ":")
	ym, ystat, _ := strings.Cut(c.Y, ":")
	from, to, err := CorrelationWindow(calc, xm, ym)
	if err != nil {
		return nil, err
	}
	xs, err := spec.Parse(fmt.Sprintf("%s:%s@%d-%d", xm, xstat, from, to))
	if err != nil {
		return nil, err
	}
	ys, err := spec.Parse(fmt.Sprintf("%s:%s@%d-%d", ym, ystat, from, to))
	if err != nil {
		return nil, err
	}
	return spec.Pair(calc, xs, ys, nil, spec.Options{})
}

// EvaluateCorrelation checks "where x rose, y rose too" as a Pearson
// correlation across councils: positive and significant at 5% is
// reproduced, positive without significance is close.
func EvaluateCorrelation(calc *rates.Calculator, c Claim) (Result, error) {
	r := Result{Claim: c, Computed: math.NaN(), Difference: math.NaN(), Verdict: Differs}
	p, err := PairFor(calc, c)
	if err != nil {
		return r, fmt.Errorf("claim %s: %w", c.ID, err)
	}
	corr, err := stats.Pearson(p.XS(), p.YS(), nil, 0.95)
	if err != nil {
		r.Detail = "not computable: " + err.Error()
		return r, nil
	}
	r.Computed = corr.R
	r.Detail = fmt.Sprintf("Pearson r = %.3f (95%% CI %.3f to %.3f), p = %.3g, n = %d councils; %s against %s; %d councils left out",
		corr.R, corr.CILower, corr.CIUpper, corr.PValue, corr.N, p.X, p.Y, len(p.Excluded))
	switch {
	case corr.R > 0 && corr.PValue < 0.05:
		r.Verdict = Reproduced
	case corr.R > 0:
		r.Verdict = Close
		r.Explanation = "The correlation is positive but could well be chance at the 5% level."
	default:
		r.Explanation = "In the current files the correlation is not positive."
	}
	return r, nil
}
