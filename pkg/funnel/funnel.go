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
// with 10% winsorised z-scores.
package funnel

import (
	"errors"
	"fmt"
	"math"
	"sort"

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
// rate per 10,000, at probability p:
//
//	θ + z_p·sqrt(s² + τ²),  s² = θ·10,000/n,
//
// where z_p is the standard normal p-quantile, s is the Poisson standard
// error of a rate per 10,000 with population n, and τ² (per 10,000,
// squared) comes from [Overdispersion]. With tau2 = 0 this is the normal
// approximation to the Poisson limit. Lower limits are truncated at 0.
func ODLimit(target, population, p, tau2 float64) float64 {
	if !(population > 0) || !(target > 0) || tau2 < 0 {
		return math.NaN()
	}
	s2 := target * Per / population
	return math.Max(0, target+normalQuantile(p)*math.Sqrt(s2+tau2))
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

// ODLimits returns the overdispersed 95% and 99.8% limits for τ² = tau2.
func ODLimits(target, population, tau2 float64) Limits {
	return Limits{
		Lower998: ODLimit(target, population, P998Lower, tau2),
		Lower95:  ODLimit(target, population, P95Lower, tau2),
		Upper95:  ODLimit(target, population, P95Upper, tau2),
		Upper998: ODLimit(target, population, P998Upper, tau2),
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
func AssessOD(rate, population, target, tau2 float64) Verdict {
	return ODLimits(target, population, tau2).Classify(rate)
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
func ODBands(target, tau2 float64, populations []float64) Bands {
	return bands(populations, func(n float64) Limits { return ODLimits(target, n, tau2) })
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

// OD is the result of [Overdispersion].
type OD struct {
	// Phi is the overdispersion factor φ = (1/I)·Σ z_i² of the
	// winsorised z-scores; about 1 when there is no overdispersion.
	Phi float64
	// Tau2 is the between-unit variance τ² of the additive random-effects
	// model, in (rate per 10,000)²; 0 when φ shows no overdispersion.
	Tau2 float64
	// Units is I, the number of units used.
	Units int
	// Winsorised is the number of z-scores pulled in at each end.
	Winsorised int
}

// Overdispersion estimates overdispersion of rates (per 10,000) around
// target, following Spiegelhalter (2005) sections 6.1-6.2:
//
//	s_i² = θ·10,000/n_i                        (Poisson variance of a rate per 10,000)
//	z_i  = (y_i − θ)/s_i                       (on the rate scale, not square-root transformed)
//	winsorise: with k = ⌊0.1·I⌋, the k smallest z_i are set to the (k+1)-th
//	           smallest and the k largest to the (k+1)-th largest
//	φ    = (1/I)·Σ z_i²
//	w_i  = 1/s_i²
//	τ²   = max(0, (I·φ − (I − 1)) / (Σw_i − Σw_i²/Σw_i))
//
// The overdispersed limits are then θ ± z_p·sqrt(s_i² + τ²) ([ODLimit]).
// Units with a non-positive population or a NaN rate are an error, as are
// fewer than two units.
func Overdispersion(target float64, rates, populations []float64) (OD, error) {
	if len(rates) != len(populations) {
		return OD{}, fmt.Errorf("funnel: %d rates but %d populations", len(rates), len(populations))
	}
	if !(target > 0) {
		return OD{}, errors.New("funnel: target rate must be positive")
	}
	I := len(rates)
	if I < 2 {
		return OD{}, errors.New("funnel: overdispersion needs at least two units")
	}
	z := make([]float64, I)
	var sw, sw2 float64
	for i, y := range rates {
		n := populations[i]
		if !(n > 0) || math.IsNaN(y) || math.IsInf(y, 0) {
			return OD{}, fmt.Errorf("funnel: unit %d has rate %v, population %v", i, y, n)
		}
		s2 := target * Per / n
		z[i] = (y - target) / math.Sqrt(s2)
		w := 1 / s2
		sw += w
		sw2 += w * w
	}
	sorted := append([]float64(nil), z...)
	sort.Float64s(sorted)
	k := int(math.Floor(0.1 * float64(I)))
	lo, hi := sorted[k], sorted[I-1-k]
	var sz2 float64
	for _, v := range z {
		v = math.Min(math.Max(v, lo), hi)
		sz2 += v * v
	}
	phi := sz2 / float64(I)
	tau2 := (float64(I)*phi - float64(I-1)) / (sw - sw2/sw)
	if tau2 < 0 || math.IsNaN(tau2) {
		tau2 = 0
	}
	return OD{Phi: phi, Tau2: tau2, Units: I, Winsorised: k}, nil
}
