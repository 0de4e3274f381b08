// Package rates turns counts into rates per 10,000 children with confidence
// intervals, for every local authority, region and England, computed the
// same way for all three, and the change between years.
package rates

import (
	"math"
	"sort"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/stat/distuv"
)

// PerTenThousand is count ÷ population × 10,000.
func PerTenThousand(count, population float64) float64 {
	return count / population * 10000
}

// PoissonCI returns the exact (Garwood) two-sided confidence interval for
// the mean of a Poisson count k at the given level (0.95 for 95%):
//
//	lower = χ²(α/2; 2k) / 2,  upper = χ²(1−α/2; 2k+2) / 2,  α = 1 − level,
//
// where χ²(p; ν) is the p-quantile of the chi-square distribution with ν
// degrees of freedom, and lower = 0 when k = 0. Garwood F (1936) "Fiducial
// limits for the Poisson distribution", Biometrika 28:437-442; the method
// used for rates in Public Health England's "Technical guide: confidence
// intervals" (2018) for small counts. Non-integer counts (sums of rounded
// figures never are, but weighted ones may be) are used as they are.
//
// Each distinct (k, level) is computed once per process and remembered
// (the same count recurs across areas, years and measures), and the
// intervals of a data directory's counts can be carried between runs
// (Intervals, Remember): every value is the quantile computation's own
// result, never an approximation of it.
func PoissonCI(k, level float64) (lower, upper float64) {
	if k < 0 || math.IsNaN(k) {
		return math.NaN(), math.NaN()
	}
	key := ciKey{k, level}
	// Remembered intervals (a cache's, or those of earlier calls moved
	// there) are read without a lock: several goroutines compute a
	// table's rows at once, and a read lock shared between CPUs costs
	// more than the lookup.
	if b, ok := (*ciMemo.frozen.Load())[key]; ok {
		return b[0], b[1]
	}
	ciMemo.Lock()
	b, ok := ciMemo.recent[key]
	ciMemo.Unlock()
	if ok {
		return b[0], b[1]
	}
	lower, upper = garwood(k, level)
	ciMemo.Lock()
	if len(ciMemo.recent) < maxMemo {
		ciMemo.recent[key] = [2]float64{lower, upper}
	}
	ciMemo.Unlock()
	return lower, upper
}

// garwood computes PoissonCI's interval from the chi-square quantiles.
func garwood(k, level float64) (lower, upper float64) {
	alpha := 1 - level
	if k > 0 {
		lower = distuv.ChiSquared{K: 2 * k}.Quantile(alpha/2) / 2
	}
	upper = distuv.ChiSquared{K: 2*k + 2}.Quantile(1-alpha/2) / 2
	return lower, upper
}

// RateCI is a rate per 10,000 with its exact Poisson 95% confidence
// interval: the interval for the count (PoissonCI) divided by the
// population and scaled like the rate. The population is treated as known
// exactly, as DfE and PHE do for rates on ONS denominators.
func RateCI(count, population float64) (rate, lower, upper float64) {
	lo, hi := PoissonCI(count, 0.95)
	return PerTenThousand(count, population), PerTenThousand(lo, population), PerTenThousand(hi, population)
}

type ciKey struct{ k, level float64 }

// maxMemo bounds the remembered intervals (a few MB at most).
const maxMemo = 1 << 18

// ciMemo remembers intervals: frozen is a map never written once
// published (read without a lock), recent the intervals computed since,
// under the mutex. Remember publishes a new frozen map with both.
var ciMemo = struct {
	sync.Mutex
	frozen atomic.Pointer[map[ciKey][2]float64]
	recent map[ciKey][2]float64
}{recent: map[ciKey][2]float64{}}

func init() {
	empty := map[ciKey][2]float64{}
	ciMemo.frozen.Store(&empty)
}

// Interval is one exact Poisson interval: the count, the level and the
// limits PoissonCI gives.
type Interval struct {
	K, Level     float64
	Lower, Upper float64
}

// Intervals computes (or recalls) the 95% intervals of the given counts,
// one per distinct count in ascending order, for a cache to carry to the
// next run (see Remember).
func Intervals(counts []float64) []Interval {
	seen := map[float64]bool{}
	var out []Interval
	for _, k := range counts {
		if k < 0 || math.IsNaN(k) || seen[k] {
			continue
		}
		seen[k] = true
		lo, hi := PoissonCI(k, 0.95)
		out = append(out, Interval{K: k, Level: 0.95, Lower: lo, Upper: hi})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].K < out[j].K })
	return out
}

// Remember makes PoissonCI return these intervals without computing
// them: intervals Intervals gave in an earlier run of the same build
// (the cache that carries them is keyed by the build, so a change to the
// computation invalidates it).
func Remember(ivs []Interval) {
	ciMemo.Lock()
	defer ciMemo.Unlock()
	old := *ciMemo.frozen.Load()
	m := make(map[ciKey][2]float64, len(old)+len(ciMemo.recent)+len(ivs))
	for k, v := range old {
		m[k] = v
	}
	for k, v := range ciMemo.recent {
		m[k] = v
	}
	for _, iv := range ivs {
		if len(m) >= maxMemo {
			break
		}
		if iv.K < 0 || math.IsNaN(iv.K) {
			continue
		}
		m[ciKey{iv.K, iv.Level}] = [2]float64{iv.Lower, iv.Upper}
	}
	ciMemo.recent = map[ciKey][2]float64{}
	ciMemo.frozen.Store(&m)
}
