// Package funnel computes funnel-plot control limits for rates, following
//
//	Spiegelhalter DJ (2005). Funnel plots for comparing institutional
//	performance. Statistics in Medicine 24:1185-1202.
//
// # Units
//
// Every rate in this package, inputs and outputs alike, is a rate per
// [Per] (10,000) people, the scale on which DfE publishes children's social
// care rates. A population is the denominator in people (for example
// children aged 0-17 in the local authority) and a count is the numerator
// (for example children starting to be looked after during the year).
// With a target rate θ per 10,000 the expected count in a unit with
// population n is
//
//	E = θ·n / 10,000.
//
// # Exact Poisson limits
//
// The observed count Y is taken as Poisson(E). For a probability p
// (0.025 and 0.975 for 95% limits, 0.001 and 0.999 for 99.8% limits) let
// r_p be the Poisson p-quantile, the smallest integer r with F(r) ≥ p,
// where F is the Poisson(E) distribution function. Following
// Spiegelhalter's appendix A.1.1 the quantile is interpolated so that the
// limits are smooth in n:
//
//	α = (F(r_p) − p) / (F(r_p) − F(r_p − 1))
//	limit count = r_p − α
//	limit rate  = (r_p − α) / n · 10,000
//
// Limits are never below zero: when F(0) ≥ p the lower limit is 0.
//
// # Overdispersion
//
// See [Overdispersion] and [ODLimit]: an additive
// random-effects adjustment (Spiegelhalter 2005, sections 6.1 and 6.2)
// with z-scores winsorised at their 10th and 90th percentiles, worked on
// the rate, square-root or log scale ([Scale]).
package funnel

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/cscstats/cscstats/pkg/stats"
	"gonum.org/v1/gonum/mathext"
)

// Per is the rate scale used throughout the package: rates are per 10,000.
const Per = 10000.0

// Probabilities defining the two standard pairs of limits.
const (
	P998Lower = 0.001 // lower 99.8% limit (about 3 standard deviations)
	P95Lower  = 0.025 // lower 95% limit (about 2 standard deviations)
	P95Upper  = 0.975 // upper 95% limit
	P998Upper = 0.999 // upper 99.8% limit
)

// PoissonCDF returns P(Y ≤ k) for Y ~ Poisson(mu). It is 0 for k < 0.
// It uses the identity P(Y ≤ k) = Q(k+1, mu), the regularised upper
// incomplete gamma function.
func PoissonCDF(k int, mu float64) float64 {
	if k < 0 {
		return 0
	}
	if mu <= 0 {
		return 1
	}
	return mathext.GammaIncRegComp(float64(k+1), mu)
}

// PoissonQuantile returns the smallest integer r ≥ 0 with
// P(Y ≤ r) ≥ p for Y ~ Poisson(mu). It panics if p is not in (0, 1).
func PoissonQuantile(p, mu float64) int {
	if !(p > 0 && p < 1) {
		panic(fmt.Sprintf("funnel: probability %v not in (0, 1)", p))
	}
	if mu <= 0 {
		return 0
	}
	// Start from the normal approximation and walk to the exact answer.
	r := int(math.Floor(mu + normalQuantile(p)*math.Sqrt(mu)))
	if r < 0 {
		r = 0
	}
	for PoissonCDF(r, mu) < p {
		r++
	}
	for r > 0 && PoissonCDF(r-1, mu) >= p {
		r--
	}
	return r
}

// Expected returns the expected count E = target·population/10,000 for a
// target rate per 10,000.
func Expected(target, population float64) float64 {
	return target * population / Per
}

// LimitCount returns Spiegelhalter's interpolated exact Poisson limit on
// the count scale, r_p − α (see the package documentation), for expected
// count e and probability p. The result is never negative.
func LimitCount(e, p float64) float64 {
	if !(p > 0 && p < 1) {
		panic(fmt.Sprintf("funnel: probability %v not in (0, 1)", p))
	}
	if e <= 0 || math.IsNaN(e) || math.IsInf(e, 0) {
		return math.NaN()
	}
	r := PoissonQuantile(p, e)
	fr := PoissonCDF(r, e)
	fr1 := PoissonCDF(r-1, e)
	alpha := (fr - p) / (fr - fr1)
	return math.Max(0, float64(r)-alpha)
}

// Limit returns the exact Poisson control limit, as a rate per 10,000, at
// probability p for a unit with the given population when the target
// (England) rate is target per 10,000:
//
//	Limit = (r_p − α)/n · 10,000, with E = target·n/10,000.
//
// It returns NaN for a non-positive population or target.
func Limit(target, population, p float64) float64 {
	if !(population > 0) || !(target > 0) {
		return math.NaN()
	}
	return LimitCount(Expected(target, population), p) / population * Per
}

// ODLimit returns the overdispersed (additive random-effects) limit, as a
// rate per 10,000, at probability p, worked on the given scale (see
// [Scale]): with T, s_i and the back-transformation g of that scale,
//
//	limit = g(T + z_p·sqrt(s_i² + τ²))
//
// where z_p is the standard normal p-quantile and τ² comes from
// [Overdispersion] on the same scale. On the rate scale T = θ,
// s_i² = θ·10,000/n and g(v) = max(0, v); on the square-root scale
// T = √θ, s_i² = 10,000/(4n) and g(v) = max(0, v)²; on the log scale
// T = ln θ, s_i² = 10,000/(θ·n) and g(v) = e^v. No limit is below zero.
// With tau2 = 0 this is the normal approximation to the Poisson limit on
// that scale.
func ODLimit(target, population, p, tau2 float64, scale Scale) float64 {
	if !(population > 0) || !(target > 0) || tau2 < 0 {
		return math.NaN()
	}
	t, s2 := scale.centre(target), scale.variance(target, population)
	return scale.back(t + normalQuantile(p)*math.Sqrt(s2+tau2))
}

// normalQuantile is the standard normal quantile function Φ⁻¹(p).
func normalQuantile(p float64) float64 {
	return math.Sqrt2 * math.Erfinv(2*p-1)
}

// Verdict places a unit relative to the 95% and 99.8% funnel limits.
type Verdict int

// The five verdicts, from lowest to highest.
const (
	Below998 Verdict = iota - 2 // below the lower 99.8% limit
	Below95                     // below the lower 95% limit, within 99.8%
	Within                      // within the 95% limits
	Above95                     // above the upper 95% limit, within 99.8%
	Above998                    // above the upper 99.8% limit
)

// String returns "below 99.8%", "below 95%", "within", "above 95%" or
// "above 99.8%".
func (v Verdict) String() string {
	switch v {
	case Below998:
		return "below 99.8%"
	case Below95:
		return "below 95%"
	case Within:
		return "within"
	case Above95:
		return "above 95%"
	case Above998:
		return "above 99.8%"
	}
	return fmt.Sprintf("Verdict(%d)", int(v))
}

// Outside998 reports whether the verdict is beyond a 99.8% limit.
func (v Verdict) Outside998() bool { return v == Below998 || v == Above998 }

// Outside95 reports whether the verdict is beyond a 95% limit (including
// beyond a 99.8% limit).
func (v Verdict) Outside95() bool { return v != Within }

// Limits holds the four standard limits for one population, as rates per
// 10,000.
type Limits struct {
	Lower998, Lower95, Upper95, Upper998 float64
}

// PoissonLimits returns the exact Poisson 95% and 99.8% limits.
func PoissonLimits(target, population float64) Limits {
	return Limits{
		Lower998: Limit(target, population, P998Lower),
		Lower95:  Limit(target, population, P95Lower),
		Upper95:  Limit(target, population, P95Upper),
		Upper998: Limit(target, population, P998Upper),
	}
}

// ODLimits returns the overdispersed 95% and 99.8% limits for τ² = tau2
// on the given scale.
func ODLimits(target, population, tau2 float64, scale Scale) Limits {
	return Limits{
		Lower998: ODLimit(target, population, P998Lower, tau2, scale),
		Lower95:  ODLimit(target, population, P95Lower, tau2, scale),
		Upper95:  ODLimit(target, population, P95Upper, tau2, scale),
		Upper998: ODLimit(target, population, P998Upper, tau2, scale),
	}
}

// Classify returns where rate lies relative to l. A rate exactly on a
// limit is within it; only a rate strictly beyond a limit is outside.
func (l Limits) Classify(rate float64) Verdict {
	switch {
	case rate > l.Upper998:
		return Above998
	case rate > l.Upper95:
		return Above95
	case rate < l.Lower998:
		return Below998
	case rate < l.Lower95:
		return Below95
	}
	return Within
}

// Assess returns the verdict for an observed count in a unit with the
// given population against the exact Poisson limits around target (per
// 10,000). The count is compared with the interpolated limit r_p − α, so
// the verdict is exactly what the funnel plot shows: a point above the
// drawn upper curve is "above". Because the interpolated limit lies
// between r_p − 1 and r_p, a count of r_p or more is above the upper limit.
func Assess(count, population, target float64) Verdict {
	return AssessRate(count/population*Per, population, target)
}

// AssessRate is [Assess] for an observed rate per 10,000.
func AssessRate(rate, population, target float64) Verdict {
	return PoissonLimits(target, population).Classify(rate)
}

// AssessOD is [AssessRate] against the overdispersed limits of [ODLimit].
func AssessOD(rate, population, target, tau2 float64, scale Scale) Verdict {
	return ODLimits(target, population, tau2, scale).Classify(rate)
}

// Bands holds limit curves over a range of populations, for plotting.
// Each slice has one entry per population.
type Bands struct {
	Population                           []float64
	Lower998, Lower95, Upper95, Upper998 []float64
}

// PoissonBands returns the exact Poisson limits at each population.
func PoissonBands(target float64, populations []float64) Bands {
	return bands(populations, func(n float64) Limits { return PoissonLimits(target, n) })
}

// ODBands returns the overdispersed limits at each population.
func ODBands(target, tau2 float64, scale Scale, populations []float64) Bands {
	return bands(populations, func(n float64) Limits { return ODLimits(target, n, tau2, scale) })
}

func bands(pops []float64, f func(float64) Limits) Bands {
	b := Bands{Population: append([]float64(nil), pops...)}
	for _, n := range pops {
		l := f(n)
		b.Lower998 = append(b.Lower998, l.Lower998)
		b.Lower95 = append(b.Lower95, l.Lower95)
		b.Upper95 = append(b.Upper95, l.Upper95)
		b.Upper998 = append(b.Upper998, l.Upper998)
	}
	return b
}

// LogSpace returns n populations spaced evenly on a log scale from min to
// max inclusive (n ≥ 2, 0 < min < max), suitable for drawing smooth
// curves. It returns nil for invalid arguments.
func LogSpace(min, max float64, n int) []float64 {
	if n < 2 || !(min > 0) || !(max > min) {
		return nil
	}
	out := make([]float64, n)
	lmin, lmax := math.Log(min), math.Log(max)
	for i := range out {
		out[i] = math.Exp(lmin + (lmax-lmin)*float64(i)/float64(n-1))
	}
	out[0], out[n-1] = min, max
	return out
}

// Scale is the scale on which z-scores and overdispersed limits are
// worked. Exact Poisson limits do not depend on it.
type Scale int

const (
	// ScaleRate works on the rate itself: y_i = rate, T = θ,
	// s_i² = θ·10,000/n_i (Spiegelhalter 2005, section 6). Its lower
	// limits fall to zero for small councils with rare events.
	ScaleRate Scale = iota
	// ScaleSqrt works on the square root of the rate, the variance-
	// stabilising transformation of a Poisson count used by the Care
	// Quality Commission: y_i = √rate, T = √θ, s_i² = 10,000/(4n_i), so
	// z_i = 2(√O_i − √E_i).
	ScaleSqrt
	// ScaleLog works on the log rate: y_i = ln rate, T = ln θ,
	// s_i² = 10,000/(θ·n_i) = 1/E_i. A council with no events has no log;
	// its rate is taken as 0.5/n_i·10,000 (half an event), the usual
	// continuity correction.
	ScaleLog
)

// ParseScale reads "rate", "sqrt" or "log".
func ParseScale(s string) (Scale, error) {
	switch s {
	case "rate", "":
		return ScaleRate, nil
	case "sqrt":
		return ScaleSqrt, nil
	case "log":
		return ScaleLog, nil
	}
	return ScaleRate, fmt.Errorf("funnel: unknown scale %q (want rate, sqrt or log)", s)
}

// String returns "rate", "sqrt" or "log".
func (s Scale) String() string {
	switch s {
	case ScaleSqrt:
		return "sqrt"
	case ScaleLog:
		return "log"
	}
	return "rate"
}

// Describe words the scale for notes.
func (s Scale) Describe() string {
	switch s {
	case ScaleSqrt:
		return "square-root scale"
	case ScaleLog:
		return "log scale"
	}
	return "rate scale"
}

// centre is T, the target on the scale.
func (s Scale) centre(target float64) float64 {
	switch s {
	case ScaleSqrt:
		return math.Sqrt(target)
	case ScaleLog:
		return math.Log(target)
	}
	return target
}

// value is y_i, a unit's rate per 10,000 on the scale.
func (s Scale) value(rate, population float64) float64 {
	switch s {
	case ScaleSqrt:
		return math.Sqrt(rate)
	case ScaleLog:
		if rate <= 0 {
			rate = 0.5 / population * Per
		}
		return math.Log(rate)
	}
	return rate
}

// variance is s_i², the Poisson variance of y_i at the target.
func (s Scale) variance(target, population float64) float64 {
	switch s {
	case ScaleSqrt:
		return Per / (4 * population)
	case ScaleLog:
		return Per / (target * population)
	}
	return target * Per / population
}

// back returns a value on the scale to a rate per 10,000, never below 0.
func (s Scale) back(v float64) float64 {
	switch s {
	case ScaleSqrt:
		v = math.Max(0, v)
		return v * v
	case ScaleLog:
		return math.Exp(v)
	}
	return math.Max(0, v)
}

// Trim is the share of z-scores winsorised at each end, 10% as in
// Spiegelhalter (2005) and the CQC's method.
const Trim = 0.1

// OD is the result of [Overdispersion].
type OD struct {
	// Target is θ, the rate per 10,000 the units are compared with.
	Target float64
	// Scale is the scale the z-scores, φ and τ² are on.
	Scale Scale
	// Phi is the overdispersion factor φ = (1/I)·Σ z_i² of the
	// winsorised z-scores; about 1 when there is no overdispersion.
	Phi float64
	// Tau2 is the between-unit variance τ² of the additive random-effects
	// model, on the scale's units squared (for the rate scale, (rate per
	// 10,000)²); 0 when φ shows no overdispersion.
	Tau2 float64
	// Units is I, the number of units used.
	Units int
	// Low and High are the 10th and 90th percentiles of the z-scores
	// (type 7), the winsorising limits.
	Low, High float64
	// Winsorised is the number of z-scores pulled in to Low or High.
	Winsorised int
}

// Limits returns the overdispersed limits for a unit of the given
// population ([ODLimits] with this estimate's target, τ² and scale).
func (od OD) Limits(population float64) Limits {
	return ODLimits(od.Target, population, od.Tau2, od.Scale)
}

// Assess places a rate per 10,000 against [OD.Limits].
func (od OD) Assess(rate, population float64) Verdict {
	return od.Limits(population).Classify(rate)
}

// Overdispersion estimates overdispersion of rates (per 10,000) around
// target, following Spiegelhalter (2005) sections 6.1-6.2 as the CQC and
// FunnelPlotR implement it, on the given scale (see [Scale] for y_i, T
// and s_i):
//
//	z_i  = (y_i − T)/s_i
//	winsorise: z_i below the 10th percentile of the z_i is set to it, and
//	           z_i above the 90th percentile likewise (percentiles by
//	           Hyndman & Fan type 7, R's default, see stats.Quantile)
//	φ    = (1/I)·Σ z_i²
//	w_i  = 1/s_i²
//	τ²   = max(0, (I·φ − (I − 1)) / (Σw_i − Σw_i²/Σw_i))
//
// The overdispersed limits are then g(T ± z_p·sqrt(s_i² + τ²)) ([ODLimit]).
// Units with a non-positive population or a NaN rate are an error, as are
// fewer than two units.
//
// References: Spiegelhalter DJ (2005). Handling over-dispersion of
// performance indicators. Quality and Safety in Health Care 14:347-351;
// Spiegelhalter DJ (2005). Funnel plots for comparing institutional
// performance. Statistics in Medicine 24:1185-1202.
func Overdispersion(target float64, rates, populations []float64, scale Scale) (OD, error) {
	s, err := NewODSample(target, rates, populations, scale)
	if err != nil {
		return OD{}, err
	}
	return s.estimate(nil, nil), nil
}

// ODSample is a sample of units prepared for [Overdispersion] on many
// resamples of it (a bootstrap over units): each unit's z-score and
// weight are computed once, and the units put in order of z-score once,
// so that a resample's winsorising percentiles are found by counting how
// often each unit was drawn rather than by ordering its z-scores again.
// An ODSample is only read once made: it may be resampled from several
// goroutines at once.
type ODSample struct {
	target float64
	scale  Scale
	z, w   []float64 // z_i and w_i = 1/s_i², by unit
	byZ    []int     // the units in ascending order of z_i
}

// NewODSample prepares rates (per 10,000) with their populations for
// [ODSample.Resample], checking them as [Overdispersion] does.
func NewODSample(target float64, rates, populations []float64, scale Scale) (*ODSample, error) {
	if len(rates) != len(populations) {
		return nil, fmt.Errorf("funnel: %d rates but %d populations", len(rates), len(populations))
	}
	if !(target > 0) {
		return nil, errors.New("funnel: target rate must be positive")
	}
	I := len(rates)
	if I < 2 {
		return nil, errors.New("funnel: overdispersion needs at least two units")
	}
	s := &ODSample{target: target, scale: scale, z: make([]float64, I), w: make([]float64, I), byZ: make([]int, I)}
	t := scale.centre(target)
	for i, y := range rates {
		n := populations[i]
		if !(n > 0) || math.IsNaN(y) || math.IsInf(y, 0) || y < 0 {
			return nil, fmt.Errorf("funnel: unit %d has rate %v, population %v", i, y, n)
		}
		s2 := scale.variance(target, n)
		s.z[i] = (scale.value(y, n) - t) / math.Sqrt(s2)
		s.w[i] = 1 / s2
		s.byZ[i] = i
	}
	for _, v := range s.z {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			// A zero rate on the log scale: the percentiles are
			// undefined, as stats.Quantiles says.
			_, err := stats.Quantiles(s.z, Trim, 1-Trim)
			return nil, fmt.Errorf("funnel: %w", err)
		}
	}
	slices.SortFunc(s.byZ, func(a, b int) int { return cmp.Compare(s.z[a], s.z[b]) })
	return s, nil
}

// Resample returns [Overdispersion] of the resample that draws the units
// idx (indexes into the rates NewODSample was given, with repeats), bit
// for bit what Overdispersion gives for those units' rates and
// populations in that order. times, when not nil, is how many times idx
// draws each unit (len(times) is the number of units); otherwise it is
// counted here.
func (s *ODSample) Resample(idx, times []int) (OD, error) {
	if len(idx) < 2 {
		return OD{}, errors.New("funnel: overdispersion needs at least two units")
	}
	if times == nil {
		times = make([]int, len(s.z))
		for _, u := range idx {
			times[u]++
		}
	}
	return s.estimate(idx, times), nil
}

// estimate is the estimate on the units idx, drawn times[u] times each
// (all units once, in order, when idx is nil):
//
//	lo, hi = type 7 quantiles Trim and 1−Trim of the drawn z-scores,
//	         read off the units in z order, each counted times[u] times
//	φ  = (1/I)·Σ min(max(z, lo), hi)²,  τ² as in Overdispersion
//
// with every sum taken in draw order.
func (s *ODSample) estimate(idx, times []int) OD {
	I := len(idx)
	if idx == nil {
		I = len(s.z)
	}
	unit := func(i int) int {
		if idx == nil {
			return i
		}
		return idx[i]
	}
	var sw, sw2 float64
	for i := range I {
		w := s.w[unit(i)]
		sw += w
		sw2 += w * w
	}
	lo, hi := s.quantile(I, times, Trim), s.quantile(I, times, 1-Trim)
	od := OD{Target: s.target, Scale: s.scale, Units: I, Low: lo, High: hi}
	var sz2 float64
	for i := range I {
		v := s.z[unit(i)]
		if v < lo || v > hi {
			od.Winsorised++
		}
		v = math.Min(math.Max(v, lo), hi)
		sz2 += v * v
	}
	od.Phi = sz2 / float64(I)
	od.Tau2 = (float64(I)*od.Phi - float64(I-1)) / (sw - sw2/sw)
	if od.Tau2 < 0 || math.IsNaN(od.Tau2) {
		od.Tau2 = 0
	}
	return od
}

// quantile is the type 7 p-quantile (stats.Quantile) of the I drawn
// z-scores: with x₍ₖ₎ the k-th smallest (from 0), h = (I−1)·p,
// x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎), reading x₍ₖ₎ off the units in z
// order, each counted times[u] times (once when times is nil).
func (s *ODSample) quantile(I int, times []int, p float64) float64 {
	h := float64(I-1) * p
	k := int(math.Floor(h))
	at := func(k int) float64 { // x₍ₖ₎
		seen := 0
		for _, u := range s.byZ {
			if times == nil {
				seen++
			} else {
				seen += times[u]
			}
			if seen > k {
				return s.z[u]
			}
		}
		return s.z[s.byZ[len(s.byZ)-1]]
	}
	if k >= I-1 {
		return at(I - 1)
	}
	lo := at(k)
	return lo + (h-float64(k))*(at(k+1)-lo)
}
