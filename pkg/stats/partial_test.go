package stats

import (
	"errors"
	"math"
	"testing"
)

func TestPartialWikipedia(t *testing.T) {
	// Wikipedia, "Partial correlation", Example: X = 2 4 15 20, Y = 1 2 3 4,
	// Z = 0 0 1 1; the partial correlation of X and Y given Z is
	// 0.919145 (0.9191450300180579).
	// By hand (residuals on the binary Z are deviations from group means):
	// eX = −1 1 −2.5 2.5, eY = −.5 .5 −.5 .5, r = 3.5/sqrt(14.5·1).
	// Textbook formula with the hand-worked r's of TestCorrelationMatrix
	// gives the same value. df = 4−2−1 = 1, t = r/sqrt(1−r²) = 3.5/1.5 = 7/3,
	// p (Cauchy) = (2/π)·atan(3/7) = 0.2577621168. The Fisher CI needs
	// n−3−k > 0, so it is NaN.
	X := []float64{2, 4, 15, 20}
	Y := []float64{1, 2, 3, 4}
	Z := []float64{0, 0, 1, 1}
	c, err := Partial(X, Y, [][]float64{Z}, MethodPearson, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "r (Wikipedia)", c.R, 0.9191450300180579, 1e-12)
	rxy, rxz, ryz := 0.9695015519208121, 14.5/math.Sqrt(224.75), 2/math.Sqrt(5)
	formula := (rxy - rxz*ryz) / math.Sqrt((1-rxz*rxz)*(1-ryz*ryz))
	near(t, "r (textbook formula)", c.R, formula, 1e-12)
	if c.N != 4 || c.Controls != 1 || c.DF != 1 || c.Method != MethodPearson {
		t.Errorf("N, Controls, DF, Method = %d, %d, %d, %q", c.N, c.Controls, c.DF, c.Method)
	}
	near(t, "t", c.Statistic, 7.0/3, 1e-12)
	near(t, "p", c.PValue, 2/math.Pi*math.Atan(3.0/7), 1e-12)
	isNaN(t, "CI lower", c.CILower)
	isNaN(t, "CI upper", c.CIUpper)

	// Same data, X and Z given Y, by the textbook formula with hand r's
	// (r_xz − r_xy·r_yz)/sqrt((1−r_xy²)(1−r_yz²)) = 0.9128709.
	c, err = Partial(X, Z, [][]float64{Y}, MethodPearson, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "r_XZ·Y", c.R, (rxz-rxy*ryz)/math.Sqrt((1-rxy*rxy)*(1-ryz*ryz)), 1e-12)
	near(t, "r_XZ·Y (4 dp)", c.R, 0.9128709, 5e-8)
}

func TestPartialPPCor(t *testing.T) {
	// R package ppcor, ?pcor example (Kim 2015): n = 10, each pair given the
	// other two variables (k = 2, df = 6). Published pcor(y.data) output:
	//              hl       disp        deg        BC
	// hl    1.0000000 -0.6720863 -0.6161163 0.1148459
	// disp -0.6720863  1.0000000 -0.7215522 0.2855420
	// deg  -0.6161163 -0.7215522  1.0000000 0.6940953
	// $p.value
	// hl   0.00000000 0.06789202 0.10383620 0.78654997
	// disp 0.06789202 0.00000000 0.04332869 0.49299871
	// deg  0.10383620 0.04332869 0.00000000 0.05615021
	hl := []float64{7, 15, 19, 15, 21, 22, 57, 15, 20, 18}
	disp := []float64{0.000, 0.964, 0.000, 0.000, 0.921, 0.000, 0.000, 1.006, 0.000, 1.011}
	deg := []float64{9, 2, 3, 4, 1, 3, 1, 3, 6, 1}
	bc := []float64{1.78e-02, 1.05e-06, 1.37e-05, 7.18e-03, 0, 0, 0, 4.48e-03, 2.10e-06, 0}
	v := [][]float64{hl, disp, deg, bc}
	want := []struct {
		i, j int
		r, p float64
	}{
		{0, 1, -0.6720863, 0.06789202},
		{0, 2, -0.6161163, 0.10383620},
		{0, 3, 0.1148459, 0.78654997},
		{1, 2, -0.7215522, 0.04332869},
		{1, 3, 0.2855420, 0.49299871},
		{2, 3, 0.6940953, 0.05615021},
	}
	for _, w := range want {
		var controls [][]float64
		for k := range v {
			if k != w.i && k != w.j {
				controls = append(controls, v[k])
			}
		}
		c, err := Partial(v[w.i], v[w.j], controls, MethodPearson, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		if c.DF != 6 || c.Controls != 2 {
			t.Errorf("(%d,%d): DF, Controls = %d, %d; want 6, 2", w.i, w.j, c.DF, c.Controls)
		}
		near(t, "r", c.R, w.r, 5e-8)
		near(t, "p", c.PValue, w.p, 5e-9)
	}
}

func TestPartialSpearman(t *testing.T) {
	// Worked by hand. The raw values are chosen so their ranks are
	// x: 1 2 3 4 5 6, y: 2 1 4 3 6 5, z: 1 3 2 5 4 6 (no ties), so
	// rho = 1 − 6Σd²/(n(n²−1)) = 1 − 6Σd²/210:
	//   xy: Σd² = 6  → 29/35;  xz: Σd² = 4 → 31/35;  yz: Σd² = 18 → 17/35.
	// rho_xy·z = (29/35 − (31/35)(17/35)) / sqrt((1−(31/35)²)(1−(17/35)²))
	//          = (1015 − 527)/sqrt(264·936) = 488/sqrt(247104) = 0.9817025842.
	// df = 3, t = r·sqrt(3/(1−r²)) = 8.929485667, p = 0.002962940474
	// (mpmath, 30 digits); CI with se = sqrt(1.06/2):
	// [0.7238095161, 0.9989363908].
	x := []float64{0.5, 3, 7, 20, 21, 100}
	y := []float64{10, 2, 30, 25, 70, 60}
	z := []float64{-4, 1.5, 0, 9, 8, 12}
	c, err := Partial(x, y, [][]float64{z}, MethodSpearman, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if c.Method != MethodSpearman || c.DF != 3 {
		t.Errorf("Method, DF = %q, %d", c.Method, c.DF)
	}
	near(t, "r", c.R, 488/math.Sqrt(247104), 1e-12)
	near(t, "t", c.Statistic, 8.929485667, 1e-8)
	near(t, "p", c.PValue, 0.002962940474, 1e-11)
	near(t, "CI lower", c.CILower, 0.7238095161, 1e-9)
	near(t, "CI upper", c.CIUpper, 0.9989363908, 1e-9)
}

func TestPartialNoControls(t *testing.T) {
	// With k = 0 Partial must reproduce Pearson and Spearman (R ?cor.test
	// example values, see correlation_test.go).
	c, err := Partial(hwX, hwY, nil, MethodPearson, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "pearson r", c.R, 0.5711816, 5e-8)
	near(t, "pearson p", c.PValue, 0.1082, 5e-5)
	near(t, "pearson CI lower", c.CILower, -0.1497426, 5e-8)
	c, err = Partial(hwX, hwY, nil, MethodSpearman, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "spearman rho", c.R, 0.6, 1e-12)
	near(t, "spearman CI lower", c.CILower, -0.1299211730, 1e-8)
}

func TestPartialErrors(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6}
	y := []float64{2, 1, 4, 3, 6, 5}
	z := []float64{1, 3, 2, 5, 4, 6}
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"kendall", second(Partial(x, y, [][]float64{z}, MethodKendall, 0.95)), ErrMethod},
		{"control length", second(Partial(x, y, [][]float64{z[:5]}, MethodPearson, 0.95)), ErrLength},
		{"control NaN", second(Partial(x, y, [][]float64{{1, 2, 3, math.NaN(), 5, 6}}, MethodPearson, 0.95)), ErrNonFinite},
		{"too few", second(Partial(x[:4], y[:4], [][]float64{z[:4], {1, 0, 1, 1}}, MethodPearson, 0.95)), ErrTooFew},
		{"constant control", second(Partial(x, y, [][]float64{{7, 7, 7, 7, 7, 7}}, MethodPearson, 0.95)), ErrZeroVariance},
		{"collinear controls", second(Partial(x, y, [][]float64{z, scale(z, -3, 10)}, MethodPearson, 0.95)), ErrCollinear},
		{"x explained by control", second(Partial(x, y, [][]float64{scale(x, 2, 1)}, MethodPearson, 0.95)), ErrCollinear},
	}
	for _, c := range cases {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, c.err, c.want)
		}
	}
}

// scale returns a·v + b.
func scale(v []float64, a, b float64) []float64 {
	out := make([]float64, len(v))
	for i, f := range v {
		out[i] = a*f + b
	}
	return out
}
