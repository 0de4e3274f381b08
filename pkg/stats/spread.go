package stats

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat"
)

// Spread summarises how a measure varies across units (e.g. councils).
type Spread struct {
	N           int
	Mean, SD    float64 // SD is the sample standard deviation (divisor n−1)
	Min, Max    float64
	Median      float64 // Quantile 0.5
	Q1, Q3, IQR float64 // Quantiles 0.25 and 0.75; IQR = Q3 − Q1
	P10, P90    float64 // Quantiles 0.10 and 0.90
	P90P10      float64 // P90/P10; NaN when P10 ≤ 0
	CV          float64 // SD/Mean; NaN when Mean = 0 or N = 1
}

// Describe returns the Spread of values. All quantiles use the definition of
// Quantile (Hyndman & Fan type 7).
//
//	Mean = Σxᵢ/n,  SD = sqrt(Σ(xᵢ−Mean)²/(n−1)),  CV = SD/Mean
//	P90P10 = P90/P10 (the decile ratio)
//
// The decile ratio is NaN when P10 ≤ 0 (undefined at 0 and meaningless for
// a negative denominator); CV is NaN when the mean is 0 or n = 1 (no sample
// SD). values must be non-empty and finite; it is not modified.
//
// References: Hyndman, R. J. & Fan, Y. (1996), "Sample quantiles in
// statistical packages", The American Statistician 50(4), 361–365; Everitt,
// B. S. & Skrondal, A. (2010), The Cambridge Dictionary of Statistics, 4th
// ed., CUP ("coefficient of variation").
func Describe(values []float64) (Spread, error) {
	if len(values) == 0 {
		return Spread{}, fmt.Errorf("%w: no values", ErrTooFew)
	}
	if err := checkFinite("values", values); err != nil {
		return Spread{}, err
	}
	s := append([]float64(nil), values...)
	sort.Float64s(s)
	return describeSorted(s), nil
}

// DescribeSorted is [Describe] for values already in ascending order
// (not checked), which it reads without copying: for callers that can
// order the values more cheaply than by sorting, such as a bootstrap
// replicate (whose values are a multiset of one sample that is sorted
// once). The mean and SD are summed in ascending order, as Describe
// sums its sorted copy, so equal inputs give bit-identical results.
func DescribeSorted(sorted []float64) (Spread, error) {
	if len(sorted) == 0 {
		return Spread{}, fmt.Errorf("%w: no values", ErrTooFew)
	}
	if err := checkFinite("values", sorted); err != nil {
		return Spread{}, err
	}
	return describeSorted(sorted), nil
}

func describeSorted(s []float64) Spread {
	n := len(s)
	d := Spread{
		N:      n,
		Mean:   stat.Mean(s, nil),
		SD:     math.NaN(),
		Min:    s[0],
		Max:    s[n-1],
		Median: quantileSorted(s, 0.5),
		Q1:     quantileSorted(s, 0.25),
		Q3:     quantileSorted(s, 0.75),
		P10:    quantileSorted(s, 0.10),
		P90:    quantileSorted(s, 0.90),
		P90P10: math.NaN(),
		CV:     math.NaN(),
	}
	d.IQR = d.Q3 - d.Q1
	if n > 1 {
		d.SD = stat.StdDev(s, nil)
		if d.Mean != 0 {
			d.CV = d.SD / d.Mean
		}
	}
	if d.P10 > 0 {
		d.P90P10 = d.P90 / d.P10
	}
	return d
}

// Quantile returns the p-quantile of x by Hyndman & Fan's (1996) definition
// 7, the default of R's quantile(), pandas and NumPy: with x₍₁₎ ≤ … ≤ x₍ₙ₎
// the sorted values,
//
//	h = (n−1)·p + 1,  Q(p) = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎)
//
// i.e. linear interpolation between order statistics placed at
// probabilities (i−1)/(n−1). This is not gonum's stat.Quantile with
// stat.LinInterp, which places x₍ᵢ₎ at i/n (type 4) and so gives, for
// example, a lower P10 for small n. x must be non-empty and finite and p in
// [0, 1]; x is not modified (the order statistics are selected in a copy).
//
// Reference: Hyndman, R. J. & Fan, Y. (1996), "Sample quantiles in
// statistical packages", The American Statistician 50(4), 361–365.
func Quantile(x []float64, p float64) (float64, error) {
	if !(p >= 0 && p <= 1) {
		return math.NaN(), fmt.Errorf("%w: quantile probability %v not in [0, 1]", ErrArgument, p)
	}
	if len(x) == 0 {
		return math.NaN(), fmt.Errorf("%w: no values", ErrTooFew)
	}
	if err := checkFinite("x", x); err != nil {
		return math.NaN(), err
	}
	return quantilesInPlace(append([]float64(nil), x...), p)[0], nil
}

// Quantiles returns the quantiles of x at each of ps, as [Quantile] gives
// them, selecting the order statistics they need in one copy of x rather
// than sorting it.
func Quantiles(x []float64, ps ...float64) ([]float64, error) {
	for _, p := range ps {
		if !(p >= 0 && p <= 1) {
			return nil, fmt.Errorf("%w: quantile probability %v not in [0, 1]", ErrArgument, p)
		}
	}
	if len(x) == 0 {
		return nil, fmt.Errorf("%w: no values", ErrTooFew)
	}
	if err := checkFinite("x", x); err != nil {
		return nil, err
	}
	return quantilesInPlace(append([]float64(nil), x...), ps...), nil
}

// quantileSorted is Quantile (type 7) for sorted, non-empty s.
func quantileSorted(s []float64, p float64) float64 {
	h := float64(len(s)-1) * p // 0-based position
	lo := int(math.Floor(h))
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[lo] + (h-float64(lo))*(s[lo+1]-s[lo])
}
