package stats

import (
	"errors"
	"math"
	"testing"
)

// Anscombe, F. J. (1973), "Graphs in statistical analysis", The American
// Statistician 27(1), 17–21, Table 1. Anscombe reports for all four sets:
// n = 11, regression line y = 3 + 0.5x, estimated standard error of the
// slope 0.118, t = 4.24, r = 0.82.
//
// The often-quoted "r = 0.816 to three decimal places" is true of sets I–III
// only: worked independently (mpmath, 30 digits) the four values are
// 0.816421, 0.816237, 0.816287 and 0.816521, so set IV rounds to 0.817.
var (
	anscombeX123 = []float64{10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5}
	anscombeY1   = []float64{8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68}
	anscombeY2   = []float64{9.14, 8.14, 8.74, 8.77, 9.26, 8.10, 6.13, 3.10, 9.13, 7.26, 4.74}
	anscombeY3   = []float64{7.46, 6.77, 12.74, 7.11, 7.81, 8.84, 6.08, 5.39, 8.15, 6.42, 5.73}
	anscombeX4   = []float64{8, 8, 8, 8, 8, 8, 8, 19, 8, 8, 8}
	anscombeY4   = []float64{6.58, 5.76, 7.71, 8.84, 8.47, 7.04, 5.25, 12.50, 5.56, 7.91, 6.89}
)

func TestPearsonAnscombe(t *testing.T) {
	// t(0.975, 9 df) = 2.262157 from standard t tables; used to turn the
	// slope CI half-width back into Anscombe's published standard error.
	const t975df9 = 2.262157
	sets := []struct {
		name string
		x, y []float64
		r3   float64 // r to 3 dp
	}{
		{"I", anscombeX123, anscombeY1, 0.816},
		{"II", anscombeX123, anscombeY2, 0.816},
		{"III", anscombeX123, anscombeY3, 0.816},
		{"IV", anscombeX4, anscombeY4, 0.817},
	}
	for _, s := range sets {
		t.Run(s.name, func(t *testing.T) {
			c, err := Pearson(s.x, s.y, nil, 0.95)
			if err != nil {
				t.Fatal(err)
			}
			if c.Method != MethodPearson || c.N != 11 || c.DF != 9 {
				t.Errorf("Method, N, DF = %q, %d, %d; want pearson, 11, 9", c.Method, c.N, c.DF)
			}
			near(t, "r (Anscombe, 2 dp)", c.R, 0.82, 0.005)
			near(t, "r (3 dp)", c.R, s.r3, 0.0005)
			near(t, "slope", c.Slope, 0.500, 0.0005)
			near(t, "intercept", c.Intercept, 3.00, 0.005)
			near(t, "t", c.Statistic, 4.24, 0.005)
			near(t, "se(slope)", (c.SlopeUpper-c.Slope)/t975df9, 0.118, 0.0005)
			near(t, "slope CI symmetric", c.Slope-c.SlopeLower, c.SlopeUpper-c.Slope, 1e-12)
		})
	}
}

// R's ?cor.test example (Hollander & Wolfe 1973, p. 187f.: assessment of
// tuna quality, Hunter L lightness x against mean consumer panel score y in
// 9 lots of canned tuna):
var (
	hwX = []float64{44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1}
	hwY = []float64{2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8}
)

func TestPearsonRCorTestExample(t *testing.T) {
	// Published R output of cor.test(x, y): t = 1.8411, df = 7,
	// p-value = 0.1082, 95 percent CI -0.1497426 0.8955795,
	// cor 0.5711816.
	c, err := Pearson(hwX, hwY, nil, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "r", c.R, 0.5711816, 5e-8)
	near(t, "t", c.Statistic, 1.8411, 5e-5)
	if c.DF != 7 {
		t.Errorf("DF = %d, want 7", c.DF)
	}
	near(t, "p", c.PValue, 0.1082, 5e-5)
	near(t, "CI lower", c.CILower, -0.1497426, 5e-8)
	near(t, "CI upper", c.CIUpper, 0.8955795, 5e-8)
	// Slope, intercept and the slope CI worked independently with mpmath at
	// 30 digits from b = Sxy/Sxx, se = sqrt(SSE/7/Sxx) and
	// t(0.975, 7) = 2.364624 (as confint(lm(y ~ x)) would report).
	near(t, "slope", c.Slope, 0.09718095394872217, 1e-12)
	near(t, "intercept", c.Intercept, -1.024107164903906, 1e-11)
	near(t, "slope lower", c.SlopeLower, -0.02763497540864004, 1e-9)
	near(t, "slope upper", c.SlopeUpper, 0.2219968833060844, 1e-9)
}

func TestPearsonWeighted(t *testing.T) {
	// Worked by hand in exact fractions.
	//   x = 1..5, y = 2 1 4 3 6, w = 1 2 1 2 1, Σw = 7
	//   x̄w = 21/7 = 3, ȳw = 20/7
	//   Sxx = Σw(x−3)² = 4+2+0+2+4 = 12
	//   Sxy = 12/7 + 26/7 + 0 + 2/7 + 44/7 = 12  → b = 1, a = 20/7 − 3 = −1/7
	//   Syy = (36 + 2·169 + 64 + 2·1 + 484)/49 = 924/49
	//   r² = 12²/(12·924/49) = 7/11 → r = sqrt(7/11) = 0.7977240352
	//   residuals 8/7 −6/7 8/7 −6/7 8/7 → SSE_w = 336/49 = 48/7
	//   N = 5, df = 3, se(b) = sqrt((48/7)/3/12) = sqrt(4/21) = 0.4364357805
	//   t = b/se(b) = r·sqrt(3/(1−r²)) = sqrt(21/4) = 2.2912878475
	//   p (3 df, closed form 1 − (2/π)[θ + sinθcosθ], θ = atan(t/√3))
	//     = 0.1058311331
	//   slope CI = 1 ∓ 3.182446·sqrt(4/21) = [−0.3889334, 2.3889334]
	//   r CI = tanh(atanh(r) ∓ 1.959964/sqrt(2)) = [−0.2854283, 0.9860227]
	x := []float64{1, 2, 3, 4, 5}
	y := []float64{2, 1, 4, 3, 6}
	check := func(t *testing.T, w []float64) {
		c, err := Pearson(x, y, w, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		if c.N != 5 || c.DF != 3 {
			t.Errorf("N, DF = %d, %d; want 5, 3", c.N, c.DF)
		}
		near(t, "r", c.R, math.Sqrt(7.0/11), 1e-12)
		near(t, "slope", c.Slope, 1, 1e-12)
		near(t, "intercept", c.Intercept, -1.0/7, 1e-12)
		near(t, "t", c.Statistic, math.Sqrt(21.0/4), 1e-10)
		near(t, "p", c.PValue, 0.1058311331, 1e-9)
		near(t, "slope lower", c.SlopeLower, -0.3889334371, 1e-7)
		near(t, "slope upper", c.SlopeUpper, 2.3889334371, 1e-7)
		near(t, "CI lower", c.CILower, -0.2854282771, 1e-8)
		near(t, "CI upper", c.CIUpper, 0.9860226549, 1e-8)
	}
	t.Run("integer weights", func(t *testing.T) { check(t, []float64{1, 2, 1, 2, 1}) })
	// Weights summing to 1 must give the same answer (analytic weights are
	// scale-free); gonum's weighted variance divides by Σw−1 and would not.
	t.Run("normalised weights", func(t *testing.T) {
		check(t, []float64{1.0 / 7, 2.0 / 7, 1.0 / 7, 2.0 / 7, 1.0 / 7})
	})
	// A zero-weight pair is dropped, including from N.
	t.Run("zero weight", func(t *testing.T) {
		c, err := Pearson(append(x, 100), append(y, -50), []float64{1, 2, 1, 2, 1, 0}, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		if c.N != 5 {
			t.Errorf("N = %d, want 5", c.N)
		}
		near(t, "r", c.R, math.Sqrt(7.0/11), 1e-12)
	})
	// Frequency check: the point estimates equal the unweighted ones with
	// pairs 2 and 4 duplicated (but N and the tests differ).
	c, err := Pearson([]float64{1, 2, 2, 3, 4, 4, 5}, []float64{2, 1, 1, 4, 3, 3, 6}, nil, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "replicated r", c.R, math.Sqrt(7.0/11), 1e-12)
	near(t, "replicated slope", c.Slope, 1, 1e-12)
}

func TestPearsonPerfect(t *testing.T) {
	// y = 3 − 2x exactly: r = −1, p = 0, CIs collapse.
	c, err := Pearson([]float64{1, 2, 3, 4, 5}, []float64{1, -1, -3, -5, -7}, nil, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "r", c.R, -1, 1e-12)
	near(t, "p", c.PValue, 0, 1e-12)
	near(t, "slope", c.Slope, -2, 1e-12)
	near(t, "intercept", c.Intercept, 3, 1e-12)
	near(t, "slope lower", c.SlopeLower, -2, 1e-6)
	near(t, "slope upper", c.SlopeUpper, -2, 1e-6)
}

func TestPearsonSmallN(t *testing.T) {
	// n = 3: t has 1 df, so r and p exist, but the Fisher interval needs
	// n > 3. x = 1 2 3, y = 1 3 2: Sxy = 1, Sxx = Syy = 2, r = 0.5,
	// t = 0.5·sqrt(1/0.75) = 1/√3, p (Cauchy) = 1 − (2/π)·atan(1/√3) = 2/3.
	c, err := Pearson([]float64{1, 2, 3}, []float64{1, 3, 2}, nil, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "r", c.R, 0.5, 1e-12)
	near(t, "t", c.Statistic, 1/math.Sqrt(3), 1e-12)
	near(t, "p", c.PValue, 2.0/3, 1e-10)
	isNaN(t, "CI lower", c.CILower)
	isNaN(t, "CI upper", c.CIUpper)
}

func TestSpearmanRCorTestExample(t *testing.T) {
	// R's ?cor.test example, method = "spearman": rho = 0.6 (published; the
	// R default p = 0.0968 is exact and not what this function computes).
	// By hand: the rank differences give Σd² = 48, rho = 1 − 6·48/(9·80) =
	// 0.6. t = 0.6·sqrt(7/0.64) = 1.9843135; two-sided p on 7 df computed
	// independently (mpmath, incomplete beta, 30 digits) = 0.08762283, as
	// cor.test(..., exact = FALSE) reports (0.0876).
	// CI: tanh(atanh(0.6) ∓ 1.959964·sqrt(1.06/6)) = [−0.1299212, 0.9081654].
	c, err := Spearman(hwX, hwY, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if c.Method != MethodSpearman || c.N != 9 || c.DF != 7 {
		t.Errorf("Method, N, DF = %q, %d, %d", c.Method, c.N, c.DF)
	}
	near(t, "rho", c.R, 0.6, 1e-12)
	near(t, "t", c.Statistic, 1.984313483298443, 1e-10)
	near(t, "p", c.PValue, 0.08762282904, 1e-9)
	near(t, "CI lower", c.CILower, -0.1299211730, 1e-8)
	near(t, "CI upper", c.CIUpper, 0.9081653699, 1e-8)
	isNaN(t, "slope", c.Slope)
}

func TestSpearmanTies(t *testing.T) {
	// SciPy spearmanr docstring example (SciPy ≤ 1.x reference guide):
	// spearmanr([1,2,3,4,5], [5,6,7,8,7]) = (0.82078268166812329,
	// 0.088587005313543798); the t statistic 2.4886840673530211 is from the
	// statsmodels/scipy.stats.mstats docstring of the same example. y has a
	// tie (two 7s), ranked 3.5 and 3.5. The p-value is the t approximation
	// on 3 df, which is what this function computes.
	c, err := Spearman([]float64{1, 2, 3, 4, 5}, []float64{5, 6, 7, 8, 7}, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "rho", c.R, 0.82078268166812329, 1e-14)
	near(t, "t", c.Statistic, 2.4886840673530211, 1e-12)
	near(t, "p", c.PValue, 0.088587005313543798, 1e-12)
}

func TestKendallRCorTestExample(t *testing.T) {
	// R's ?cor.test example, method = "kendall": T = 26, tau = 0.4444444
	// (published; R's default p = 0.1194 is the exact p-value, which this
	// function does not compute).
	// By hand: n = 9, no ties, nc = 26, nd = 10, S = 16, tau = 16/36 = 4/9.
	// Var(S) = 9·8·23/18 = 92, z = 16/sqrt(92) = 1.6681153, and
	// p = 2(1 − Φ(1.6681153)) = 0.0952928 (normal tables: Φ(1.67) = 0.95254;
	// 30-digit value via mpmath erfc), matching cor.test(..., exact = FALSE),
	// z = 1.6681, p-value = 0.09529.
	// CI: tanh(atanh(4/9) ∓ 1.959964·sqrt(0.437/5)) = [−0.1013291, 0.7845858].
	c, err := Kendall(hwX, hwY, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if c.Method != MethodKendall || c.N != 9 || c.DF != 0 {
		t.Errorf("Method, N, DF = %q, %d, %d", c.Method, c.N, c.DF)
	}
	near(t, "tau", c.R, 4.0/9, 1e-12)
	near(t, "z", c.Statistic, 16/math.Sqrt(92), 1e-12)
	near(t, "p", c.PValue, 0.09529283802, 1e-9)
	near(t, "CI lower", c.CILower, -0.1013290996, 1e-8)
	near(t, "CI upper", c.CIUpper, 0.7845858118, 1e-8)
	isNaN(t, "slope", c.Slope)
}

func TestKendallTies(t *testing.T) {
	// SciPy kendalltau docstring example, "cross-checked with R:
	// cor.test(c(12,2,1,12,2), c(1,4,7,1,0), method = "kendall",
	// exact = FALSE)": tau = -0.47140452079103173,
	// p = 0.2827454599327748.
	// By hand: nc = 2, nd = 6, S = −4; x ties {12,12},{2,2}, y ties {1,1};
	// tau_b = −4/sqrt((10−2)(10−1)) = −4/sqrt(72) = −√2/3;
	// Var(S) = (5·4·15 − 2·14 − 14)/18 + (4·2)/(2·20) + 0 = 13.8667,
	// z = −4/sqrt(13.8667) = −1.0741723.
	c, err := Kendall([]float64{12, 2, 1, 12, 2}, []float64{1, 4, 7, 1, 0}, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "tau", c.R, -0.47140452079103173, 1e-14)
	near(t, "tau exact", c.R, -math.Sqrt2/3, 1e-14)
	near(t, "z", c.Statistic, -4/math.Sqrt(208.0/15), 1e-12)
	near(t, "p", c.PValue, 0.2827454599327748, 1e-12)
	// n = 5: the Fisher interval needs n > 4, so it is defined (se = sqrt(0.437)).
	if math.IsNaN(c.CILower) || math.IsNaN(c.CIUpper) {
		t.Errorf("CI = [%v, %v], want finite", c.CILower, c.CIUpper)
	}
}

func TestRanks(t *testing.T) {
	// 5 → 1, 10 → 2, the two 20s share ranks 3 and 4 → 3.5, the three 30s
	// share 5, 6, 7 → 6. NaN is left out of the ranking.
	got := Ranks([]float64{10, 20, 30, 20, 30, 30, 5, math.NaN()})
	want := []float64{2, 3.5, 6, 3.5, 6, 6, 1}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("rank[%d] = %v, want %v", i, got[i], w)
		}
	}
	isNaN(t, "rank of NaN", got[7])
	if r := Ranks(nil); len(r) != 0 {
		t.Errorf("Ranks(nil) = %v", r)
	}
}

func TestCorrelationMatrix(t *testing.T) {
	// Wikipedia "Partial correlation" example data.
	// Pearson: r_XY = 0.9695015519208121 (Wikipedia); by hand
	// r_XZ = 14.5/sqrt(224.75·1) and r_YZ = 2/sqrt(5·1).
	// Spearman: ranks X = Y = 1 2 3 4, Z = 1.5 1.5 3.5 3.5 → rho_XY = 1,
	// rho_XZ = rho_YZ = 2/√5.
	// Kendall: tau_XY = 1; X vs Z: 4 concordant, 2 pairs tied in Z,
	// tau_b = 4/sqrt(6·4) = 0.8164966.
	cols := [][]float64{{2, 4, 15, 20}, {1, 2, 3, 4}, {0, 0, 1, 1}}
	for _, tc := range []struct {
		method        string
		rxy, rxz, ryz float64
	}{
		{MethodPearson, 0.9695015519208121, 14.5 / math.Sqrt(224.75), 2 / math.Sqrt(5)},
		{MethodSpearman, 1, 2 / math.Sqrt(5), 2 / math.Sqrt(5)},
		{MethodKendall, 1, 4 / math.Sqrt(24), 4 / math.Sqrt(24)},
	} {
		m, err := CorrelationMatrix(cols, tc.method)
		if err != nil {
			t.Fatalf("%s: %v", tc.method, err)
		}
		for i := 0; i < 3; i++ {
			near(t, tc.method+" diagonal", m[i][i], 1, 0)
		}
		near(t, tc.method+" xy", m[0][1], tc.rxy, 1e-12)
		near(t, tc.method+" xz", m[0][2], tc.rxz, 1e-12)
		near(t, tc.method+" yz", m[1][2], tc.ryz, 1e-12)
		near(t, tc.method+" symmetric", m[2][1], m[1][2], 0)
	}
	if _, err := CorrelationMatrix(cols, "bogus"); !errors.Is(err, ErrMethod) {
		t.Errorf("bad method: err = %v, want ErrMethod", err)
	}
	if _, err := CorrelationMatrix([][]float64{{1, 2, 3}, {1, 2}}, MethodPearson); !errors.Is(err, ErrLength) {
		t.Errorf("ragged: err = %v, want ErrLength", err)
	}
}

func TestCorrelationErrors(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"length", second(Pearson(x, []float64{1, 2, 3}, nil, 0.95)), ErrLength},
		{"weights length", second(Pearson(x, x, []float64{1, 1}, 0.95)), ErrLength},
		{"negative weight", second(Pearson(x, x, []float64{1, -1, 1, 1}, 0.95)), ErrArgument},
		{"too few weighted", second(Pearson(x, x, []float64{1, 1, 0, 0}, 0.95)), ErrTooFew},
		{"too few", second(Pearson(x[:2], x[:2], nil, 0.95)), ErrTooFew},
		{"NaN", second(Pearson(x, []float64{1, math.NaN(), 3, 4}, nil, 0.95)), ErrNonFinite},
		{"Inf", second(Spearman([]float64{1, math.Inf(1), 3, 4}, x, 0.95)), ErrNonFinite},
		{"constant x", second(Pearson([]float64{2, 2, 2, 2}, x, nil, 0.95)), ErrZeroVariance},
		{"constant y", second(Spearman(x, []float64{2, 2, 2, 2}, 0.95)), ErrZeroVariance},
		{"constant kendall", second(Kendall(x, []float64{2, 2, 2, 2}, 0.95)), ErrZeroVariance},
		{"kendall too few", second(Kendall(x[:2], x[:2], 0.95)), ErrTooFew},
		{"level 0", second(Pearson(x, x, nil, 0)), ErrArgument},
		{"level 1", second(Spearman(x, x, 1)), ErrArgument},
		{"level NaN", second(Kendall(x, x, math.NaN())), ErrArgument},
	}
	for _, c := range cases {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, c.err, c.want)
		}
	}
	if _, err := Coefficient("pearsonr"); !errors.Is(err, ErrMethod) {
		t.Errorf("Coefficient: err = %v, want ErrMethod", err)
	}
}

func second[T any](_ T, err error) error { return err }

// TestNormalTwoSided checks the normal tail against values worked to 30
// digits (mpmath erfc): z = 1.959963984540054 gives 0.05; z = 6 gives
// 1.973175290075458e-9; z = 10 gives 1.523970604832105e-23 (where
// 1 − erf(10/√2) would print 0); z = 40 gives 7.312e-350, below the
// smallest float64, so 0.
func TestNormalTwoSided(t *testing.T) {
	for _, c := range []struct{ z, want float64 }{
		{1.959963984540054, 0.05},
		{-1.959963984540054, 0.05},
		{6, 1.973175290075458e-9},
		{10, 1.523970604832105e-23},
		{0, 1},
	} {
		if got := NormalTwoSided(c.z); math.Abs(got/c.want-1) > 1e-12 {
			t.Errorf("NormalTwoSided(%v) = %v, want %v", c.z, got, c.want)
		}
	}
	if got := NormalTwoSided(40); got != 0 {
		t.Errorf("NormalTwoSided(40) = %v", got)
	}
}

// TestKendallTinyP: perfectly concordant n = 60 has S = n(n−1)/2 = 1770,
// Var(S) = n(n−1)(2n+5)/18 = 60·59·125/18 = 24583.33, z = 11.2889, and
// p = erfc(z/√2) = 1.4883e-29 (mpmath), not 0.
func TestKendallTinyP(t *testing.T) {
	var x []float64
	for i := 0; i < 60; i++ {
		x = append(x, float64(i))
	}
	c, err := Kendall(x, x, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	z := 1770 / math.Sqrt(60.0*59*125/18)
	if math.Abs(c.Statistic-z) > 1e-9 {
		t.Errorf("z = %v, want %v", c.Statistic, z)
	}
	if !(c.PValue > 0) || math.Abs(c.PValue/1.48833041779382691797921892221e-29-1) > 1e-9 {
		t.Errorf("p = %v, want erfc(%v/√2) = %v", c.PValue, z, math.Erfc(z/math.Sqrt2))
	}
}

// TestEffectiveN: weights 1, 1, 2, 4 give (Σw)²/Σw² = 64/22; equal weights
// give n. WithEffectiveN for r = 0.5 and n_eff = 12 (worked in 25-digit
// arithmetic, mpmath): t = 0.5·sqrt(10/0.75) = 1.825741858, two-sided
// p on 10 df = 0.0978546143 (I_{10/(10+t²)}(5, 1/2)), Fisher interval
// tanh(atanh 0.5 ∓ 1.959964/3) = −0.1036416812 to 0.8344542852.
func TestEffectiveN(t *testing.T) {
	if got := EffectiveN([]float64{1, 1, 2, 4}); math.Abs(got-64.0/22) > 1e-12 {
		t.Errorf("EffectiveN = %v, want %v", got, 64.0/22)
	}
	if got := EffectiveN([]float64{3, 3, 3, 0}); math.Abs(got-3) > 1e-12 {
		t.Errorf("equal weights: %v, want 3", got)
	}
	c := Correlation{R: 0.5, N: 40}.WithEffectiveN(12, 0.95)
	if math.Abs(c.Statistic-1.825741858) > 1e-8 || math.Abs(c.PValue-0.0978546143) > 1e-9 ||
		math.Abs(c.CILower+0.1036416812) > 1e-9 || math.Abs(c.CIUpper-0.8344542852) > 1e-9 || c.DF != 10 || c.N != 40 {
		t.Errorf("WithEffectiveN: %+v", c)
	}
}
