package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
)

// CorrFunc computes a correlation coefficient of paired samples. PearsonR,
// SpearmanRho and KendallTau satisfy it. Functions passed to LeaveOneOut and
// BootstrapCI receive scratch slices that are reused between calls: they must
// not modify or retain them.
type CorrFunc func(x, y []float64) (float64, error)

// LeaveOneOut returns, for each i, the coefficient corr computes on the data
// with pair i removed (the jackknife values r₍₋ᵢ₎). The influence of pair i
// is r₍₋ᵢ₎ − r, where r is the coefficient on all the data; sorting by
// |r₍₋ᵢ₎ − r| is the caller's job. An element is NaN when corr fails on that
// subset (e.g. the rest of the data is constant). Needs len(x) = len(y) ≥ 2,
// finite values and a non-nil corr.
//
// Reference: Devlin, S. J., Gnanadesikan, R. & Kettenring, J. R. (1975),
// "Robust estimation and outlier detection with correlation coefficients",
// Biometrika 62, 531–545 (influence of single observations on r); Efron, B.
// & Tibshirani, R. J. (1993), An Introduction to the Bootstrap, Chapman &
// Hall, ch. 11 (the jackknife).
func LeaveOneOut(x, y []float64, corr CorrFunc) ([]float64, error) {
	if corr == nil {
		return nil, fmt.Errorf("%w: nil CorrFunc", ErrArgument)
	}
	if err := checkPair(x, y, 2); err != nil {
		return nil, err
	}
	n := len(x)
	out := make([]float64, n)
	bx, by := make([]float64, n-1), make([]float64, n-1)
	for i := range x {
		copy(bx, x[:i])
		copy(bx[i:], x[i+1:])
		copy(by, y[:i])
		copy(by[i:], y[i+1:])
		r, err := corr(bx, by)
		if err != nil {
			r = math.NaN()
		}
		out[i] = r
	}
	return out, nil
}

// BootstrapCI returns a percentile bootstrap confidence interval at the
// given level for the coefficient computed by corr, resampling the pairs
// (xᵢ, yᵢ) with replacement.
//
// Each replicate draws len(x) indices uniformly with replacement and
// evaluates corr on the resampled pairs. Degenerate resamples — those for
// which corr returns an error or NaN, typically because every drawn x (or y)
// is equal — are discarded and redrawn, so the interval is conditional on a
// defined coefficient; if fewer than n usable replicates are found within
// 10·n draws an ErrTooFew error is returned. The bounds are the
// (1−level)/2 and (1+level)/2 quantiles (type 7, see Quantile) of the n
// replicates. Efron & Tibshirani recommend n of at least 1000 for percentile
// intervals.
//
// The generator is math/rand/v2's PCG seeded with (seed, 0) and indices are
// drawn with Rand.IntN, so a given seed gives the same interval on every run
// and platform, and different seeds give different streams. (The Go
// standard library does not formally promise that IntN's mapping never
// changes between releases, so record the Go version alongside a seed if
// bit-for-bit reproducibility across toolchains matters.) corr is first
// evaluated on the full data and its error, if any, returned.
//
// Reference: Efron, B. & Tibshirani, R. J. (1993), An Introduction to the
// Bootstrap, Chapman & Hall, ch. 13.
func BootstrapCI(x, y []float64, corr CorrFunc, n int, level float64, seed uint64) (lo, hi float64, err error) {
	nan := math.NaN()
	if corr == nil {
		return nan, nan, fmt.Errorf("%w: nil CorrFunc", ErrArgument)
	}
	if n < 1 {
		return nan, nan, fmt.Errorf("%w: %d bootstrap replicates", ErrArgument, n)
	}
	if err := checkLevel(level); err != nil {
		return nan, nan, err
	}
	if err := checkPair(x, y, 2); err != nil {
		return nan, nan, err
	}
	if _, err := corr(x, y); err != nil {
		return nan, nan, err
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	m := len(x)
	bx, by := make([]float64, m), make([]float64, m)
	reps := make([]float64, 0, n)
	maxDraws := 10 * n
	for draws := 0; len(reps) < n && draws < maxDraws; draws++ {
		for j := range bx {
			k := rng.IntN(m)
			bx[j], by[j] = x[k], y[k]
		}
		r, err := corr(bx, by)
		if err != nil || math.IsNaN(r) {
			continue
		}
		reps = append(reps, r)
	}
	if len(reps) < n {
		return nan, nan, fmt.Errorf("%w: only %d of %d bootstrap resamples were non-degenerate in %d draws", ErrTooFew, len(reps), n, maxDraws)
	}
	q := quantilesInPlace(reps, (1-level)/2, (1+level)/2)
	return q[0], q[1], nil
}

// ResampleCI is a nonparametric bootstrap over m units for statistics
// that need more than two columns (for example the change in a spread
// statistic between two years, computed on the same councils in both):
// it draws n resamples of m unit indices with replacement, calls
// stat(idx) for each, which returns k statistics, and returns the
// percentile interval at the given level of each statistic over the
// replicates (type 7 quantiles of the (1−level)/2 and (1+level)/2
// points). A replicate's NaN statistics are skipped for that statistic
// only; a statistic with fewer than n/2 usable replicates gets NaN bounds.
// Resampling whole units keeps each council's values in different years
// together (a paired bootstrap). The generator is as in [BootstrapCI]: a
// given seed gives the same intervals on every run. stat is called from
// several goroutines at once (one per CPU), each with its own idx: it
// must not change what it shares, and must not modify or retain idx.
//
// Reference: Efron, B. & Tibshirani, R. J. (1993), An Introduction to the
// Bootstrap, Chapman & Hall, ch. 13.
func ResampleCI(m, n int, level float64, seed uint64, stat func(idx []int) []float64) (lo, hi []float64, err error) {
	if m < 2 {
		return nil, nil, fmt.Errorf("%w: %d units to resample", ErrTooFew, m)
	}
	if n < 1 {
		return nil, nil, fmt.Errorf("%w: %d bootstrap replicates", ErrArgument, n)
	}
	if err := checkLevel(level); err != nil {
		return nil, nil, err
	}
	// The draws are made in order, from one generator, before any
	// statistic is computed; the statistics are then computed a
	// replicate per CPU at a time and gathered in replicate order, so
	// the intervals are those of computing them one after another.
	rng := rand.New(rand.NewPCG(seed, 0))
	draws := make([]int, n*m)
	for i := range draws {
		draws[i] = rng.IntN(m)
	}
	vals := make([][]float64, n)
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Go(func() {
			for b := w; b < n; b += workers {
				vals[b] = stat(draws[b*m : (b+1)*m : (b+1)*m])
			}
		})
	}
	wg.Wait()
	var reps [][]float64
	for _, v := range vals {
		if reps == nil {
			reps = make([][]float64, len(v))
		}
		for k, x := range v {
			if !math.IsNaN(x) && !math.IsInf(x, 0) {
				reps[k] = append(reps[k], x)
			}
		}
	}
	lo, hi = make([]float64, len(reps)), make([]float64, len(reps))
	for k, r := range reps {
		if 2*len(r) < n {
			lo[k], hi[k] = math.NaN(), math.NaN()
			continue
		}
		q := quantilesInPlace(r, (1-level)/2, (1+level)/2)
		lo[k], hi[k] = q[0], q[1]
	}
	return lo, hi, nil
}
