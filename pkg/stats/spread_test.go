package stats

import (
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/stat"
)

func TestDescribe(t *testing.T) {
	// Hand-worked. Sorted values x(1..10) = 2 4 4 5 7 9 10 12 15 20.
	// Type 7: h = (n−1)p + 1 = 9p + 1, Q = x(⌊h⌋) + (h−⌊h⌋)(x(⌊h⌋+1) − x(⌊h⌋)).
	//   P10: h = 1.9  → 2 + 0.9·(4−2)    = 3.8
	//   Q1:  h = 3.25 → 4 + 0.25·(5−4)   = 4.25
	//   Med: h = 5.5  → 7 + 0.5·(9−7)    = 8
	//   Q3:  h = 7.75 → 10 + 0.75·(12−10) = 11.5
	//   P90: h = 9.1  → 15 + 0.1·(20−15) = 15.5
	// IQR = 7.25, P90/P10 = 15.5/3.8 = 4.0789474.
	// Mean = 88/10 = 8.8; squared deviations sum to 285.6, so
	// SD = sqrt(285.6/9) = 5.6332347, CV = SD/8.8 = 0.6401403.
	values := []float64{10, 4, 20, 2, 9, 12, 4, 15, 7, 5} // unsorted on purpose
	orig := append([]float64(nil), values...)
	d, err := Describe(values)
	if err != nil {
		t.Fatal(err)
	}
	if d.N != 10 {
		t.Errorf("N = %d", d.N)
	}
	near(t, "mean", d.Mean, 8.8, 1e-12)
	near(t, "SD", d.SD, math.Sqrt(285.6/9), 1e-12)
	near(t, "min", d.Min, 2, 0)
	near(t, "max", d.Max, 20, 0)
	near(t, "P10", d.P10, 3.8, 1e-12)
	near(t, "Q1", d.Q1, 4.25, 1e-12)
	near(t, "median", d.Median, 8, 1e-12)
	near(t, "Q3", d.Q3, 11.5, 1e-12)
	near(t, "P90", d.P90, 15.5, 1e-12)
	near(t, "IQR", d.IQR, 7.25, 1e-12)
	near(t, "P90/P10", d.P90P10, 15.5/3.8, 1e-12)
	near(t, "CV", d.CV, math.Sqrt(285.6/9)/8.8, 1e-12)
	for i := range values {
		if values[i] != orig[i] {
			t.Fatal("Describe modified its input")
		}
	}
}

func TestQuantileType7(t *testing.T) {
	// R: quantile(1:10) gives 1.00 3.25 5.50 7.75 10.00 (type 7 default);
	// by hand h = 9p + 1.
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for p, want := range map[float64]float64{0: 1, 0.25: 3.25, 0.5: 5.5, 0.75: 7.75, 1: 10} {
		got, err := Quantile(x, p)
		if err != nil {
			t.Fatal(err)
		}
		near(t, "quantile", got, want, 1e-12)
	}
	// gonum's stat.Quantile(LinInterp) is Hyndman & Fan type 4 (x(i) at
	// i/n), not type 7: on the TestDescribe sample its P10 is x(1) = 2 and
	// its Q1 is x(2) + 0.5·(x(3) − x(2)) = 4, against 3.8 and 4.25 above.
	// This documents why Quantile does not delegate to gonum.
	s := []float64{2, 4, 4, 5, 7, 9, 10, 12, 15, 20}
	near(t, "gonum LinInterp P10", stat.Quantile(0.1, stat.LinInterp, s, nil), 2, 1e-12)
	near(t, "gonum LinInterp Q1", stat.Quantile(0.25, stat.LinInterp, s, nil), 4, 1e-12)
	if _, err := Quantile(x, 1.5); !errors.Is(err, ErrArgument) {
		t.Errorf("p = 1.5: err = %v, want ErrArgument", err)
	}
	if _, err := Quantile(nil, 0.5); !errors.Is(err, ErrTooFew) {
		t.Errorf("empty: err = %v, want ErrTooFew", err)
	}
}

func TestDescribeEdgeCases(t *testing.T) {
	// One value: every quantile is that value; SD and CV undefined.
	d, err := Describe([]float64{5})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "median", d.Median, 5, 0)
	near(t, "P90/P10", d.P90P10, 1, 0)
	isNaN(t, "SD", d.SD)
	isNaN(t, "CV", d.CV)

	// P10 = 0 → decile ratio undefined. Sorted 0 0 0 1 2: P10 h = 1.4 → 0;
	// P90 h = 4.6 → 1 + 0.6·1 = 1.6. Mean 0.6.
	d, err = Describe([]float64{0, 2, 0, 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "P10", d.P10, 0, 0)
	near(t, "P90", d.P90, 1.6, 1e-12)
	isNaN(t, "P90/P10", d.P90P10)

	// Mean 0 → CV undefined.
	d, err = Describe([]float64{-1, 0, 1})
	if err != nil {
		t.Fatal(err)
	}
	isNaN(t, "CV", d.CV)
	isNaN(t, "P90/P10 (negative P10)", d.P90P10)

	if _, err := Describe(nil); !errors.Is(err, ErrTooFew) {
		t.Errorf("empty: err = %v, want ErrTooFew", err)
	}
	if _, err := Describe([]float64{1, math.NaN()}); !errors.Is(err, ErrNonFinite) {
		t.Errorf("NaN: err = %v, want ErrNonFinite", err)
	}
}

// Quantiles gives, at each p, what Quantile gives (worked by hand for
// 1..5 at p = 0.1: h = 0.4, 1 + 0.4·(2 − 1) = 1.4).
func TestQuantilesAsQuantile(t *testing.T) {
	x := []float64{5, 1, 4, 2, 3}
	ps := []float64{0, 0.1, 0.25, 0.5, 0.9, 1}
	got, err := Quantiles(x, ps...)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range ps {
		want, _ := Quantile(x, p)
		if got[i] != want {
			t.Errorf("Quantiles at %v = %v, Quantile gives %v", p, got[i], want)
		}
	}
	if got[1] != 1.4 {
		t.Errorf("P10 of 1..5 = %v, want 1.4", got[1])
	}
	if x[0] != 5 {
		t.Error("x was modified")
	}
	if _, err := Quantiles(x, 0.5, 1.5); err == nil {
		t.Error("p = 1.5: no error")
	}
	if _, err := Quantiles(nil, 0.5); err == nil {
		t.Error("no values: no error")
	}
}
