package rates

import (
	"math"
	"testing"
)

func TestRateRatioTest(t *testing.T) {
	for _, c := range []struct {
		name                   string
		cf, pf, ct, pt         float64
		ratio, lower, upper, p float64
		tol                    float64
	}{
		// The two-sample example in R's documentation of poisson.test
		// (11 events in 800 person-years against 6+8+7 in 1083+1050+878):
		// R prints rate ratio 1.971488, 95% CI 0.8584264 to 4.2772659,
		// p-value = 0.07967. Re-worked independently to 12 digits by
		// summing binomial probabilities in 50-digit arithmetic (mpmath):
		// p = 0.0796686330333, CI 0.858426403392 to 4.27726594365.
		{"R poisson.test example", 21, 3011, 11, 800, 1.97148809524, 0.858426403392, 4.27726594365, 0.0796686330333, 1e-9},
		// Yorkshire and the Humber, child protection plans at 31 March,
		// 2013 → 2025: 5,280 in 1,131,201 children → 5,730 in 1,181,103
		// (CPP_At31 in d5_cpps_at31march_by_duration_2013_to_2025.csv;
		// ONS 0-17 mid-2012 and mid-2024). The 95% intervals overlap
		// (45.4-48.0 and 47.3-49.8 per 10,000), yet the exact test gives
		// p = 0.0433 (issue 14). Independent calculation (mpmath, every
		// binomial term summed; CI by bisection on the summed tails):
		// RR 1.039376055, CI 1.0010568 to 1.0791776, p 0.04328935431.
		{"Yorkshire plans 2013-2025", 5280, 1131201, 5730, 1181103, 1.039376055, 1.0010568, 1.0791776, 0.04328935431, 1e-7},
		// By hand: 10 events then 0, equal populations. N = 10, π₀ = 0.5,
		// x = 0: P(X = 0) = 1/1024; the only outcome as unlikely is
		// X = 10, so p = 2/1024. Clopper-Pearson upper π = 1 − 0.025^(1/10)
		// = 1 − e^(−0.3688879) = 0.3084972, ratio = π/(1−π) = 0.3084972/0.6915028 = 0.4461255; lower 0.
		{"hand 10 vs 0", 10, 1000, 0, 1000, 0, 0, 0.4461255, 2.0 / 1024, 1e-6},
	} {
		got := RateRatioTest(c.cf, c.pf, c.ct, c.pt, 0.95)
		rel := func(a, b float64) bool {
			if b == 0 {
				return math.Abs(a) <= c.tol
			}
			return math.Abs(a/b-1) <= c.tol
		}
		if !rel(got.Ratio, c.ratio) || !rel(got.Lower, c.lower) || !rel(got.Upper, c.upper) || !rel(got.P, c.p) {
			t.Errorf("%s: got %+v, want ratio %v CI %v-%v p %v", c.name, got, c.ratio, c.lower, c.upper, c.p)
		}
	}
	// The test is symmetric: swapping the years gives the reciprocal ratio
	// and the same p-value.
	a := RateRatioTest(5280, 1131201, 5730, 1181103, 0.95)
	b := RateRatioTest(5730, 1181103, 5280, 1131201, 0.95)
	if math.Abs(a.Ratio*b.Ratio-1) > 1e-12 || math.Abs(a.P-b.P) > 1e-12 || math.Abs(a.Lower*b.Upper-1) > 1e-9 {
		t.Errorf("not symmetric: %+v vs %+v", a, b)
	}
	if r := RateRatioTest(0, 10, 0, 10, 0.95); r.P != 1 || !math.IsNaN(r.Ratio) {
		t.Errorf("0 vs 0: %+v", r)
	}
	if r := RateRatioTest(1.5, 10, 2, 10, 0.95); !math.IsNaN(r.P) {
		t.Errorf("fractional count: %+v", r)
	}
	if r := RateRatioTest(3, 0, 2, 10, 0.95); !math.IsNaN(r.P) {
		t.Errorf("zero population: %+v", r)
	}
}
