package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"testing"
)

func TestLeaveOneOut(t *testing.T) {
	// x = 1 2 3 4, y = 1 3 2 6. Worked by hand, Pearson r without pair i:
	//   −0: x 2 3 4, y 3 2 6: Sxy = 3, Sxx = 2, Syy = 78/9 → 9/sqrt(156)
	//   −1: x 1 3 4, y 1 2 6: Sxy = 7, Sxx = 42/9, Syy = 14 → √3/2
	//   −2: x 1 2 4, y 1 3 6: Sxy = 69/9, Sxx = 42/9, Syy = 114/9 → 69/sqrt(4788)
	//   −3: x 1 2 3, y 1 3 2: Sxy = 1, Sxx = 2, Syy = 2 → 0.5
	x := []float64{1, 2, 3, 4}
	y := []float64{1, 3, 2, 6}
	got, err := LeaveOneOut(x, y, PearsonR)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{9 / math.Sqrt(156), math.Sqrt(3) / 2, 69 / math.Sqrt(4788), 0.5}
	for i := range want {
		near(t, "r(-i)", got[i], want[i], 1e-12)
	}
	if x[0] != 1 || y[3] != 6 {
		t.Error("LeaveOneOut modified its input")
	}

	// Removing the one distinct x leaves a constant x: that entry is NaN.
	got, err = LeaveOneOut([]float64{1, 1, 1, 5}, []float64{1, 2, 3, 4}, PearsonR)
	if err != nil {
		t.Fatal(err)
	}
	isNaN(t, "r(-3)", got[3])
	for i := 0; i < 3; i++ {
		if math.IsNaN(got[i]) {
			t.Errorf("r(-%d) = NaN", i)
		}
	}

	if _, err := LeaveOneOut(x, y[:3], PearsonR); !errors.Is(err, ErrLength) {
		t.Errorf("length: err = %v, want ErrLength", err)
	}
	if _, err := LeaveOneOut(x, y, nil); !errors.Is(err, ErrArgument) {
		t.Errorf("nil corr: err = %v, want ErrArgument", err)
	}
}

func TestBootstrapReproducible(t *testing.T) {
	lo1, hi1, err := BootstrapCI(anscombeX123, anscombeY1, PearsonR, 2000, 0.95, 42)
	if err != nil {
		t.Fatal(err)
	}
	lo2, hi2, err := BootstrapCI(anscombeX123, anscombeY1, PearsonR, 2000, 0.95, 42)
	if err != nil {
		t.Fatal(err)
	}
	if lo1 != lo2 || hi1 != hi2 {
		t.Errorf("same seed: [%v, %v] then [%v, %v]", lo1, hi1, lo2, hi2)
	}
	lo3, hi3, err := BootstrapCI(anscombeX123, anscombeY1, PearsonR, 2000, 0.95, 43)
	if err != nil {
		t.Fatal(err)
	}
	if lo1 == lo3 && hi1 == hi3 {
		t.Errorf("seeds 42 and 43 gave the same interval [%v, %v]", lo1, hi1)
	}
	// Sanity: a 95% interval is ordered, inside [−1, 1], and brackets the
	// sample r = 0.816 for this well-behaved set.
	for _, b := range [][2]float64{{lo1, hi1}, {lo3, hi3}} {
		if !(-1 <= b[0] && b[0] < 0.816 && 0.816 < b[1] && b[1] <= 1) {
			t.Errorf("interval [%v, %v] does not bracket 0.816 within [−1, 1]", b[0], b[1])
		}
	}
}

func TestBootstrapSkipsDegenerate(t *testing.T) {
	// Three exactly collinear pairs: every resample with at least two
	// distinct pairs has r = 1 exactly, and the 3 of 27 equally likely index
	// draws that pick one pair three times are degenerate (constant x) and
	// must be skipped, so the interval is [1, 1] and corr is called more
	// than n times (plus once on the full data).
	x := []float64{1, 2, 3}
	y := []float64{5, 7, 9}
	calls, failures := 0, 0
	corr := func(a, b []float64) (float64, error) {
		calls++
		r, err := PearsonR(a, b)
		if err != nil {
			failures++
		}
		return r, err
	}
	const n = 500
	lo, hi, err := BootstrapCI(x, y, corr, n, 0.9, 7)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "lo", lo, 1, 1e-12)
	near(t, "hi", hi, 1, 1e-12)
	if failures == 0 {
		t.Errorf("no degenerate resamples in %d draws; expected about 1 in 9", calls-1)
	}
	if calls != 1+n+failures {
		t.Errorf("calls = %d, want 1 + %d + %d", calls, n, failures)
	}

	// Spearman on a perfectly decreasing relation: −1 throughout.
	lo, hi, err = BootstrapCI([]float64{1, 2, 3, 4, 5}, []float64{50, 40, 30, 20, 10}, SpearmanRho, 200, 0.95, 1)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "spearman lo", lo, -1, 1e-12)
	near(t, "spearman hi", hi, -1, 1e-12)
}

func TestBootstrapErrors(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	if _, _, err := BootstrapCI(x, []float64{2, 2, 2, 2}, PearsonR, 100, 0.95, 1); !errors.Is(err, ErrZeroVariance) {
		t.Errorf("constant y: err = %v, want ErrZeroVariance", err)
	}
	if _, _, err := BootstrapCI(x, x, PearsonR, 0, 0.95, 1); !errors.Is(err, ErrArgument) {
		t.Errorf("n = 0: err = %v, want ErrArgument", err)
	}
	if _, _, err := BootstrapCI(x, x, PearsonR, 100, 1.2, 1); !errors.Is(err, ErrArgument) {
		t.Errorf("level 1.2: err = %v, want ErrArgument", err)
	}
	if _, _, err := BootstrapCI(x, x[:3], PearsonR, 100, 0.95, 1); !errors.Is(err, ErrLength) {
		t.Errorf("length: err = %v, want ErrLength", err)
	}
	// A coefficient that fails on every resample (but not on the full data)
	// exhausts the 10·n draw budget.
	first := true
	always := func(a, b []float64) (float64, error) {
		if first {
			first = false
			return 0, nil
		}
		return math.NaN(), nil
	}
	if _, _, err := BootstrapCI(x, x, always, 10, 0.95, 1); !errors.Is(err, ErrTooFew) {
		t.Errorf("all degenerate: err = %v, want ErrTooFew", err)
	}
}

// TestResampleCI: with two units of values 0 and 1 the mean of a resample
// is 0, 0.5 or 1 with probabilities 1/4, 1/2, 1/4, so over many
// replicates the 2.5% and 97.5% points are 0 and 1; a constant statistic
// has a degenerate interval; the same seed repeats exactly.
func TestResampleCI(t *testing.T) {
	x := []float64{0, 1}
	stat := func(idx []int) []float64 {
		return []float64{(x[idx[0]] + x[idx[1]]) / 2, 7, math.NaN()}
	}
	lo, hi, err := ResampleCI(2, 2000, 0.95, 1, stat)
	if err != nil {
		t.Fatal(err)
	}
	if lo[0] != 0 || hi[0] != 1 || lo[1] != 7 || hi[1] != 7 || !math.IsNaN(lo[2]) {
		t.Errorf("got %v %v", lo, hi)
	}
	// 80% interval: the 10% and 90% points of {0: 25%, 0.5: 50%, 1: 25%} are 0 and 1,
	// and the 30%-70% interval is 0.5 to 0.5.
	lo, hi, _ = ResampleCI(2, 4000, 0.4, 1, stat)
	if lo[0] != 0.5 || hi[0] != 0.5 {
		t.Errorf("40%% interval %v-%v, want 0.5-0.5", lo[0], hi[0])
	}
	a1, b1, _ := ResampleCI(5, 100, 0.95, 42, func(idx []int) []float64 { return []float64{float64(idx[0] + 3*idx[1])} })
	a2, b2, _ := ResampleCI(5, 100, 0.95, 42, func(idx []int) []float64 { return []float64{float64(idx[0] + 3*idx[1])} })
	if a1[0] != a2[0] || b1[0] != b2[0] {
		t.Error("same seed, different intervals")
	}
	if _, _, err := ResampleCI(1, 10, 0.95, 1, stat); err == nil {
		t.Error("one unit: want error")
	}
}

// ResampleCI computes replicates concurrently; its intervals must be
// those of drawing and computing them one after another (written out
// here as the sequential loop), on any number of CPUs.
func TestResampleCIConcurrentIsSequential(t *testing.T) {
	data := []float64{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4}
	stat := func(idx []int) []float64 {
		var sum float64
		s := make([]float64, len(idx))
		for j, i := range idx {
			sum += data[i]
			s[j] = data[i]
		}
		sort.Float64s(s)
		odd := math.NaN()
		if idx[0]%2 == 1 {
			odd = sum // NaN for about half the replicates
		}
		return []float64{sum / float64(len(idx)), s[len(s)/2], odd}
	}
	sequential := func(m, n int, level float64, seed uint64) (lo, hi []float64) {
		rng := rand.New(rand.NewPCG(seed, 0))
		idx := make([]int, m)
		reps := make([][]float64, 3)
		for b := 0; b < n; b++ {
			for j := range idx {
				idx[j] = rng.IntN(m)
			}
			for k, x := range stat(idx) {
				if !math.IsNaN(x) {
					reps[k] = append(reps[k], x)
				}
			}
		}
		for _, r := range reps {
			if 2*len(r) < n {
				lo, hi = append(lo, math.NaN()), append(hi, math.NaN())
				continue
			}
			sort.Float64s(r)
			lo, hi = append(lo, quantileSorted(r, (1-level)/2)), append(hi, quantileSorted(r, (1+level)/2))
		}
		return lo, hi
	}
	same := func(a, b []float64) bool {
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
				return false
			}
		}
		return len(a) == len(b)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 3, 8} {
		runtime.GOMAXPROCS(procs)
		for _, n := range []int{1, 7, 999} {
			for seed := uint64(1); seed <= 3; seed++ {
				lo, hi, err := ResampleCI(len(data), n, 0.9, seed, stat)
				if err != nil {
					t.Fatal(err)
				}
				wlo, whi := sequential(len(data), n, 0.9, seed)
				if !same(lo, wlo) || !same(hi, whi) {
					t.Errorf("GOMAXPROCS %d, n %d, seed %d: got [%v, %v], one after another gives [%v, %v]", procs, n, seed, lo, hi, wlo, whi)
				}
			}
		}
	}
}
