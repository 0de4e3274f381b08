package rates_test

import (
	"math"
	"testing"

	"github.com/cscstats/cscstats/pkg/rates"
	"gonum.org/v1/gonum/stat/distuv"
)

// poissonCDF is P(X <= k) for X ~ Poisson(mu), summed term by term: an
// implementation independent of the chi-square quantiles PoissonCI uses.
func poissonCDF(k int, mu float64) float64 {
	if k < 0 {
		return 0
	}
	sum := 0.0
	for i := 0; i <= k; i++ {
		lg, _ := math.Lgamma(float64(i + 1))
		sum += math.Exp(float64(i)*math.Log(mu) - mu - lg)
	}
	return sum
}

// Exact (Garwood) 95% limits for a Poisson count, to the digits printed in
// tables of exact Poisson confidence limits. Where each number is checked:
//   - k=0, upper 3.689: epitools::pois.exact documentation ("When x = 0,
//     for the upper confidence limit pois.exact returns 3.689"); also the
//     closed form -ln(0.025) = 3.688879 (tested below).
//   - k=10, 4.795 to 18.390: printed as 4.80 to 18.39 in two-decimal
//     tables and calculators (e.g. calculatorhub.com's exact Poisson
//     calculator: "for k = 10 the 95 percent interval is approximately
//     4.80 to 18.39").
//   - k=1, 0.0253 to 5.572, and k=100, 81.36 to 121.63: the usual printed
//     values. No scanned table was at hand to quote for these two rows, so
//     they rest on the independent re-derivation below and, for the k=1
//     lower limit, on the closed form -ln(0.975) = 0.025318.
//
// All seven were re-derived for this test, independently of gonum, by
// solving Garwood's defining equations P(X >= k | L) = 0.025 and
// P(X <= k | U) = 0.025 with 30-digit arithmetic (Python mpmath: findroot
// on the summed Poisson probabilities); those are the `precise` values.
// Garwood F (1936), Fiducial limits for the Poisson distribution,
// Biometrika 28:437-442.
var garwood95 = []struct {
	k                      float64
	lower, upper           float64 // as printed
	lowerTol, upperTol     float64 // half a unit in the last printed digit
	preciseLow, preciseUpp float64 // 15 significant digits (mpmath)
}{
	{0, 0, 3.689, 0, 0.0005, 0, 3.68887945411394},
	{1, 0.0253, 5.572, 0.00005, 0.0005, 0.0253178079842899, 5.5716433909389},
	{10, 4.795, 18.390, 0.0005, 0.0005, 4.79538869613243, 18.3903560420178},
	{100, 81.36, 121.63, 0.005, 0.005, 81.3639912509231, 121.626793792426},
}

func TestPoissonCIPublished(t *testing.T) {
	for _, c := range garwood95 {
		lo, hi := rates.PoissonCI(c.k, 0.95)
		if math.Abs(lo-c.lower) > c.lowerTol || math.Abs(hi-c.upper) > c.upperTol {
			t.Errorf("PoissonCI(%v) = (%.6f, %.6f), published (%v, %v)", c.k, lo, hi, c.lower, c.upper)
		}
		if rel(lo, c.preciseLow) > 1e-9 || rel(hi, c.preciseUpp) > 1e-9 {
			t.Errorf("PoissonCI(%v) = (%.15g, %.15g), want (%.15g, %.15g) to 1e-9", c.k, lo, hi, c.preciseLow, c.preciseUpp)
		}
	}
	// Closed forms: for k=0 the upper limit solves e^-U = α/2, for k=1 the
	// lower limit solves 1 - e^-L = α/2.
	for _, level := range []float64{0.90, 0.95, 0.99} {
		a := 1 - level
		if _, hi := rates.PoissonCI(0, level); rel(hi, -math.Log(a/2)) > 1e-9 {
			t.Errorf("level %v: k=0 upper = %v, want -ln(%v) = %v", level, hi, a/2, -math.Log(a/2))
		}
		if lo, _ := rates.PoissonCI(1, level); rel(lo, -math.Log(1-a/2)) > 1e-9 {
			t.Errorf("level %v: k=1 lower = %v, want -ln(%v) = %v", level, lo, 1-a/2, -math.Log(1-a/2))
		}
	}
}

// The limits satisfy Garwood's defining equations, checked with Poisson
// probabilities summed term by term.
func TestPoissonCIDefinition(t *testing.T) {
	for _, k := range []int{1, 2, 3, 5, 10, 37, 100, 546, 1910} {
		for _, level := range []float64{0.95, 0.99} {
			a := (1 - level) / 2
			lo, hi := rates.PoissonCI(float64(k), level)
			if !(lo < float64(k) && float64(k) < hi) {
				t.Errorf("k=%d: interval (%v, %v) does not contain k", k, lo, hi)
			}
			if p := 1 - poissonCDF(k-1, lo); math.Abs(p-a) > 1e-9 {
				t.Errorf("k=%d level %v: P(X >= k | %v) = %v, want %v", k, level, lo, p, a)
			}
			if p := poissonCDF(k, hi); math.Abs(p-a) > 1e-9 {
				t.Errorf("k=%d level %v: P(X <= k | %v) = %v, want %v", k, level, hi, p, a)
			}
		}
	}
}

func TestPoissonCIInvalid(t *testing.T) {
	for _, k := range []float64{-1, math.NaN()} {
		lo, hi := rates.PoissonCI(k, 0.95)
		if !math.IsNaN(lo) || !math.IsNaN(hi) {
			t.Errorf("PoissonCI(%v) = (%v, %v), want NaN", k, lo, hi)
		}
	}
	if lo, _ := rates.PoissonCI(0, 0.95); lo != 0 {
		t.Errorf("k=0 lower = %v, want exactly 0", lo)
	}
}

func TestRateCI(t *testing.T) {
	// 10 events in 50,000 children: 2 per 10,000; the interval is the
	// k=10 interval scaled by 10,000/50,000.
	r, lo, hi := rates.RateCI(10, 50000)
	if r != 2 || rel(lo, 4.79538869613243/5) > 1e-9 || rel(hi, 18.3903560420178/5) > 1e-9 {
		t.Errorf("RateCI(10, 50000) = %v (%v, %v); want 2 (0.959078, 3.678071)", r, lo, hi)
	}
	if got := rates.PerTenThousand(1910, 156568); got != 1910.0/156568.0*10000 {
		t.Errorf("PerTenThousand = %v", got)
	}
}

func rel(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

// garwoodGonum is PoissonCI's formula written out here with gonum's
// chi-square quantiles, uncached: the reference the remembered intervals
// must equal exactly.
func garwoodGonum(k, level float64) (lower, upper float64) {
	alpha := 1 - level
	if k > 0 {
		lower = distuv.ChiSquared{K: 2 * k}.Quantile(alpha/2) / 2
	}
	return lower, distuv.ChiSquared{K: 2*k + 2}.Quantile(1-alpha/2) / 2
}

// Remembering intervals (per process, and across runs through Intervals
// and Remember) must give bit for bit what the quantiles give.
func TestPoissonCIRememberedEqualsComputed(t *testing.T) {
	var counts []float64
	for k := 0; k <= 3000; k++ {
		counts = append(counts, float64(k))
	}
	counts = append(counts, 12345, 98765, 250000, 712345, 2.5, 17.25)
	for pass := 0; pass < 2; pass++ { // computed, then recalled
		for _, k := range counts {
			for _, level := range []float64{0.95, 0.99, 0.998} {
				lo, hi := rates.PoissonCI(k, level)
				wlo, whi := garwoodGonum(k, level)
				if lo != wlo || hi != whi {
					t.Fatalf("pass %d: PoissonCI(%v, %v) = (%v, %v), gonum gives (%v, %v)", pass, k, level, lo, hi, wlo, whi)
				}
			}
		}
	}
	ivs := rates.Intervals([]float64{5, 3, 5, -1, math.NaN(), 100000})
	if len(ivs) != 3 || ivs[0].K != 3 || ivs[1].K != 5 || ivs[2].K != 100000 {
		t.Fatalf("Intervals: want one per distinct valid count, ascending, got %+v", ivs)
	}
	for _, iv := range ivs {
		wlo, whi := garwoodGonum(iv.K, 0.95)
		if iv.Level != 0.95 || iv.Lower != wlo || iv.Upper != whi {
			t.Errorf("Intervals: %+v, gonum gives (%v, %v)", iv, wlo, whi)
		}
	}
	// Remembered intervals are what PoissonCI then returns.
	rates.Remember([]rates.Interval{{K: 4242.5, Level: 0.95, Lower: 1, Upper: 2}})
	if lo, hi := rates.PoissonCI(4242.5, 0.95); lo != 1 || hi != 2 {
		t.Errorf("Remember: PoissonCI gives (%v, %v), want the remembered (1, 2)", lo, hi)
	}
}

// Goroutines asking for intervals while others are remembered get what
// the quantiles give, whether from the lock-free remembered map, the
// recent ones or computed (run with -race to see the memo's locking).
func TestPoissonCIConcurrent(t *testing.T) {
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- true }()
			for k := 5000.0; k < 5400; k++ {
				kk := k + float64(g%2)*0.5
				lo, hi := rates.PoissonCI(kk, 0.95)
				if wlo, whi := garwoodGonum(kk, 0.95); lo != wlo || hi != whi {
					t.Errorf("PoissonCI(%v) = (%v, %v), gonum gives (%v, %v)", kk, lo, hi, wlo, whi)
					return
				}
				if int(k)%50 == 0 {
					rates.Remember(rates.Intervals([]float64{kk}))
				}
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
}
