package stats

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Method names accepted by Partial, CorrelationMatrix and Coefficient, and
// reported in Correlation.Method.
const (
	MethodPearson  = "pearson"
	MethodSpearman = "spearman"
	MethodKendall  = "kendall"
)

// Correlation is the result of a correlation test between two variables.
type Correlation struct {
	// Method is MethodPearson, MethodSpearman or MethodKendall.
	Method string
	// N is the number of pairs used. For weighted Pearson it is the number
	// of pairs with a positive weight.
	N int
	// Controls is the number of covariates partialled out (Partial only).
	Controls int
	// R is the coefficient: Pearson r, Spearman rho or Kendall tau-b.
	R float64
	// CILower and CIUpper bound the confidence interval for R. They are NaN
	// when the interval's standard error is undefined for N.
	CILower, CIUpper float64
	// Statistic is the test statistic: t for Pearson, Spearman and Partial,
	// z for Kendall.
	Statistic float64
	// DF is the degrees of freedom of the t statistic; 0 for Kendall, whose
	// reference distribution is the standard normal.
	DF int
	// PValue is the two-sided p-value for the null hypothesis of zero
	// association.
	PValue float64
	// Slope and Intercept are the least-squares line y = Intercept +
	// Slope*x, and SlopeLower and SlopeUpper the confidence interval for the
	// slope. Pearson only; NaN for the other methods.
	Slope, SlopeLower, SlopeUpper, Intercept float64
}

// clampR guards against |r| exceeding 1 through rounding.
func clampR(r float64) float64 {
	return math.Max(-1, math.Min(1, r))
}

// tTest returns t = r·sqrt(df/(1−r²)) and its two-sided p-value on df
// degrees of freedom. |r| = 1 gives t = ±Inf and p = 0.
func tTest(r float64, df int) (t, p float64) {
	den := 1 - r*r
	if den <= 0 {
		return math.Copysign(math.Inf(1), r), 0
	}
	t = r * math.Sqrt(float64(df)/den)
	p = 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Survival(math.Abs(t))
	return t, math.Min(p, 1)
}

// fisherCI returns tanh(atanh(r) ∓ z_{(1+level)/2}·se). A non-finite or
// non-positive se (sample too small) gives NaN bounds.
func fisherCI(r, se, level float64) (lo, hi float64) {
	if !(se > 0) || math.IsInf(se, 0) {
		return math.NaN(), math.NaN()
	}
	zc := distuv.UnitNormal.Quantile(0.5 + level/2)
	z := math.Atanh(r)
	return math.Tanh(z - zc*se), math.Tanh(z + zc*se)
}

// fisherSE returns sqrt(c/m), or NaN when m ≤ 0.
func fisherSE(c float64, m int) float64 {
	if m <= 0 {
		return math.NaN()
	}
	return math.Sqrt(c / float64(m))
}

// Pearson returns the Pearson product-moment correlation of x and y with its
// t test, a Fisher-z confidence interval at the given level, and the
// least-squares regression of y on x with a confidence interval for the
// slope.
//
// Unweighted (weights == nil), with n pairs:
//
//	r     = Σ(xᵢ−x̄)(yᵢ−ȳ) / sqrt(Σ(xᵢ−x̄)² Σ(yᵢ−ȳ)²)
//	t     = r·sqrt((n−2)/(1−r²)),  p = 2·P(T_{n−2} > |t|)
//	CI(r) = tanh(atanh(r) ∓ z_{(1+level)/2}/sqrt(n−3))     (NaN when n = 3)
//	b     = Sxy/Sxx,  a = ȳ − b·x̄
//	se(b) = sqrt(SSE/(n−2) / Sxx),  SSE = Σ(yᵢ − a − b·xᵢ)²
//	CI(b) = b ∓ t_{(1+level)/2, n−2}·se(b)
//
// This is what R's cor.test(x, y) and confint(lm(y ~ x)) report.
//
// Weighted (weights != nil, same length as x, all ≥ 0): weights are treated
// as analytic (precision) weights, e.g. child population. r is the weighted
// correlation (gonum stat.Correlation with weights), the line is weighted
// least squares minimising Σwᵢ(yᵢ − a − b·xᵢ)², with the sums above replaced
// by weighted sums about the weighted means, and SSE = Σwᵢeᵢ². Pairs with zero
// weight are dropped. N is the number of pairs with positive weight and all
// degrees of freedom use that N, exactly as R's lm(y ~ x, weights = w) does,
// so the result does not change when all weights are multiplied by a
// constant. The t test on r and the t test on the WLS slope then coincide.
// The Fisher-z interval with N is an approximation: with very unequal
// weights the effective sample size is smaller than N and the interval is too
// narrow.
//
// At least 3 pairs (with positive weight) are needed; neither variable may be
// constant.
//
// References: Pearson, K. (1896), Phil. Trans. R. Soc. A 187, 253–318;
// Fisher, R. A. (1921), "On the 'probable error' of a coefficient of
// correlation deduced from a small sample", Metron 1, 3–32; Draper, N. R. &
// Smith, H. (1998), Applied Regression Analysis, 3rd ed., Wiley, ch. 1;
// Weisberg, S. (2005), Applied Linear Regression, 3rd ed., Wiley, §5.1
// (weighted least squares).
func Pearson(x, y, weights []float64, level float64) (Correlation, error) {
	if err := checkLevel(level); err != nil {
		return Correlation{}, err
	}
	if err := checkPair(x, y, 0); err != nil {
		return Correlation{}, err
	}
	xs, ys, ws := x, y, []float64(nil)
	if weights != nil {
		if len(weights) != len(x) {
			return Correlation{}, fmt.Errorf("%w: len(weights) = %d, len(x) = %d", ErrLength, len(weights), len(x))
		}
		if err := checkFinite("weights", weights); err != nil {
			return Correlation{}, err
		}
		xs, ys, ws = nil, nil, nil
		for i, w := range weights {
			if w < 0 {
				return Correlation{}, fmt.Errorf("%w: negative weight %v at %d", ErrArgument, w, i)
			}
			if w > 0 {
				xs, ys, ws = append(xs, x[i]), append(ys, y[i]), append(ws, w)
			}
		}
	}
	n := len(xs)
	if n < 3 {
		return Correlation{}, fmt.Errorf("%w: Pearson needs at least 3 pairs (with positive weight), have %d", ErrTooFew, n)
	}
	if err := checkVariance(xs, ys); err != nil {
		return Correlation{}, err
	}

	df := n - 2
	r := clampR(stat.Correlation(xs, ys, ws))
	t, p := tTest(r, df)
	lo, hi := fisherCI(r, fisherSE(1, n-3), level)

	// Least squares written out rather than via stat.LinearRegression,
	// whose weighted (co)variances divide by Σw−1 and so break down for
	// weights that sum to 1 or less.
	xm, ym := stat.Mean(xs, ws), stat.Mean(ys, ws)
	var sxx, sxy float64
	for i := range xs {
		w := 1.0
		if ws != nil {
			w = ws[i]
		}
		dx := xs[i] - xm
		sxx += w * dx * dx
		sxy += w * dx * (ys[i] - ym)
	}
	b := sxy / sxx
	a := ym - b*xm
	var sse float64
	for i := range xs {
		w := 1.0
		if ws != nil {
			w = ws[i]
		}
		e := ys[i] - a - b*xs[i]
		sse += w * e * e
	}
	seB := math.Sqrt(sse / float64(df) / sxx)
	tc := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.5 + level/2)

	return Correlation{
		Method:     MethodPearson,
		N:          n,
		R:          r,
		CILower:    lo,
		CIUpper:    hi,
		Statistic:  t,
		DF:         df,
		PValue:     p,
		Slope:      b,
		SlopeLower: b - tc*seB,
		SlopeUpper: b + tc*seB,
		Intercept:  a,
	}, nil
}

// Spearman returns Spearman's rank correlation rho of x and y, its t-test
// p-value and a Fisher-z confidence interval.
//
//	rho   = Pearson correlation of Ranks(x) and Ranks(y) (average ranks for
//	        ties, so tied data need no separate correction)
//	t     = rho·sqrt((n−2)/(1−rho²)),  p = 2·P(T_{n−2} > |t|)
//	CI    = tanh(atanh(rho) ∓ z_{(1+level)/2}·sqrt(1.06/(n−3)))   (NaN when n = 3)
//
// The p-value is the t approximation (as R's cor.test(method = "spearman",
// exact = FALSE) and SciPy's spearmanr give), not the exact permutation
// p-value R reports by default for small untied samples. The variance
// 1.06/(n−3) for atanh(rho) is Fieller, Hartley & Pearson's (1957)
// approximation. At least 3 pairs are needed; neither variable may be
// constant.
//
// References: Spearman, C. (1904), Am. J. Psychol. 15, 72–101; Fieller, E. C.,
// Hartley, H. O. & Pearson, E. S. (1957), "Tests for rank correlation
// coefficients. I", Biometrika 44, 470–481; Zar, J. H. (1972), "Significance
// testing of the Spearman rank correlation coefficient", JASA 67, 578–580.
func Spearman(x, y []float64, level float64) (Correlation, error) {
	if err := checkLevel(level); err != nil {
		return Correlation{}, err
	}
	r, err := SpearmanRho(x, y)
	if err != nil {
		return Correlation{}, err
	}
	n := len(x)
	t, p := tTest(r, n-2)
	lo, hi := fisherCI(r, fisherSE(1.06, n-3), level)
	return rankResult(MethodSpearman, n, r, lo, hi, t, n-2, p), nil
}

func rankResult(method string, n int, r, lo, hi, statistic float64, df int, p float64) Correlation {
	nan := math.NaN()
	return Correlation{
		Method: method, N: n, R: r, CILower: lo, CIUpper: hi,
		Statistic: statistic, DF: df, PValue: p,
		Slope: nan, SlopeLower: nan, SlopeUpper: nan, Intercept: nan,
	}
}

// Kendall returns Kendall's tau-b of x and y with a large-sample normal test
// and a Fisher-z confidence interval.
//
// With nc concordant and nd discordant pairs, S = nc − nd, n₀ = n(n−1)/2,
// and tᵢ (uⱼ) the sizes of the groups of tied x (y) values,
//
//	tau_b  = S / sqrt((n₀ − Σtᵢ(tᵢ−1)/2)(n₀ − Σuⱼ(uⱼ−1)/2))
//	Var(S) = [n(n−1)(2n+5) − Σtᵢ(tᵢ−1)(2tᵢ+5) − Σuⱼ(uⱼ−1)(2uⱼ+5)]/18
//	       + [Σtᵢ(tᵢ−1)][Σuⱼ(uⱼ−1)] / (2n(n−1))
//	       + [Σtᵢ(tᵢ−1)(tᵢ−2)][Σuⱼ(uⱼ−1)(uⱼ−2)] / (9n(n−1)(n−2))
//	z      = S / sqrt(Var(S)),  p = 2·(1 − Φ(|z|)) = erfc(|z|/√2)   (no continuity correction)
//	CI     = tanh(atanh(tau_b) ∓ z_{(1+level)/2}·sqrt(0.437/(n−4)))   (NaN when n ≤ 4)
//
// Var(S) is the exact null variance of S allowing for ties (Kendall 1970),
// so z and p match R's cor.test(method = "kendall", exact = FALSE) and
// SciPy's kendalltau(method = "asymptotic"). R's default for small untied
// samples is an exact p-value, which differs. The variance 0.437/(n−4) for
// atanh(tau) is Fieller, Hartley & Pearson's (1957) approximation. The
// computation is O(n²). At least 3 pairs are needed; neither variable may be
// constant.
//
// References: Kendall, M. G. (1938), Biometrika 30, 81–93; Kendall, M. G.
// (1945), "The treatment of ties in ranking problems", Biometrika 33,
// 239–251; Kendall, M. G. (1970), Rank Correlation Methods, 4th ed., Griffin,
// ch. 4; Hollander, M. & Wolfe, D. A. (1999), Nonparametric Statistical
// Methods, 2nd ed., Wiley, ch. 8; Fieller, Hartley & Pearson (1957),
// Biometrika 44, 470–481.
func Kendall(x, y []float64, level float64) (Correlation, error) {
	if err := checkLevel(level); err != nil {
		return Correlation{}, err
	}
	tau, s, varS, err := kendall(x, y)
	if err != nil {
		return Correlation{}, err
	}
	n := len(x)
	z := s / math.Sqrt(varS)
	p := NormalTwoSided(z)
	lo, hi := fisherCI(tau, fisherSE(0.437, n-4), level)
	return rankResult(MethodKendall, n, tau, lo, hi, z, 0, p), nil
}

// NormalTwoSided returns the two-sided standard normal tail probability
// P(|Z| ≥ |z|) = 2·(1 − Φ(|z|)), computed as erfc(|z|/√2) so that it keeps
// full relative precision far into the tail (1 − Φ computed as
// 1 − erf loses digits below about 1e-8 and is 0 beyond |z| ≈ 8.3).
// NaN for NaN z.
func NormalTwoSided(z float64) float64 {
	return math.Erfc(math.Abs(z) / math.Sqrt2)
}

// kendall returns tau-b, S and the tie-corrected null variance of S.
func kendall(x, y []float64) (tau, s, varS float64, err error) {
	if err := checkPair(x, y, 3); err != nil {
		return 0, 0, 0, err
	}
	if err := checkVariance(x, y); err != nil {
		return 0, 0, 0, err
	}
	n := len(x)
	var nc, nd int
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			p := sign(x[i]-x[j]) * sign(y[i]-y[j])
			switch {
			case p > 0:
				nc++
			case p < 0:
				nd++
			}
		}
	}
	tx, ty := tieSums(x), tieSums(y)
	fn := float64(n)
	n0 := fn * (fn - 1) / 2
	s = float64(nc - nd)
	tau = clampR(s / math.Sqrt((n0-tx.pairs)*(n0-ty.pairs)))
	varS = (fn*(fn-1)*(2*fn+5)-tx.v0-ty.v0)/18 +
		tx.v1*ty.v1/(2*fn*(fn-1)) +
		tx.v2*ty.v2/(9*fn*(fn-1)*(fn-2))
	return tau, s, varS, nil
}

func sign(f float64) int {
	switch {
	case f > 0:
		return 1
	case f < 0:
		return -1
	}
	return 0
}

// ties holds, over groups of tied values of size t: pairs = Σt(t−1)/2,
// v0 = Σt(t−1)(2t+5), v1 = Σt(t−1), v2 = Σt(t−1)(t−2).
type ties struct{ pairs, v0, v1, v2 float64 }

func tieSums(v []float64) ties {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	var r ties
	for i := 0; i < len(s); {
		j := i + 1
		for j < len(s) && s[j] == s[i] {
			j++
		}
		if t := float64(j - i); t > 1 {
			r.pairs += t * (t - 1) / 2
			r.v0 += t * (t - 1) * (2*t + 5)
			r.v1 += t * (t - 1)
			r.v2 += t * (t - 1) * (t - 2)
		}
		i = j
	}
	return r
}

// PearsonR returns the unweighted Pearson correlation of x and y (see
// Pearson) without the tests. It needs at least 3 pairs and non-constant x
// and y. It satisfies CorrFunc.
func PearsonR(x, y []float64) (float64, error) {
	if err := checkPair(x, y, 3); err != nil {
		return math.NaN(), err
	}
	if err := checkVariance(x, y); err != nil {
		return math.NaN(), err
	}
	return clampR(stat.Correlation(x, y, nil)), nil
}

// SpearmanRho returns Spearman's rho of x and y, the Pearson correlation of
// their average ranks (see Spearman), without the tests. It needs at least
// 3 pairs and non-constant x and y. It satisfies CorrFunc.
func SpearmanRho(x, y []float64) (float64, error) {
	if err := checkPair(x, y, 3); err != nil {
		return math.NaN(), err
	}
	if err := checkVariance(x, y); err != nil {
		return math.NaN(), err
	}
	return clampR(stat.Correlation(Ranks(x), Ranks(y), nil)), nil
}

// KendallTau returns Kendall's tau-b of x and y (see Kendall) without the
// tests. It needs at least 3 pairs and non-constant x and y. It satisfies
// CorrFunc.
func KendallTau(x, y []float64) (float64, error) {
	tau, _, _, err := kendall(x, y)
	if err != nil {
		return math.NaN(), err
	}
	return tau, nil
}

// Coefficient returns the coefficient function for a method name
// (MethodPearson, MethodSpearman or MethodKendall), for use with
// LeaveOneOut and BootstrapCI.
func Coefficient(method string) (CorrFunc, error) {
	switch method {
	case MethodPearson:
		return PearsonR, nil
	case MethodSpearman:
		return SpearmanRho, nil
	case MethodKendall:
		return KendallTau, nil
	}
	return nil, fmt.Errorf("%w: %q (want %q, %q or %q)", ErrMethod, method, MethodPearson, MethodSpearman, MethodKendall)
}

// CorrelationMatrix returns the p×p matrix of pairwise coefficients
// (Pearson r, Spearman rho or Kendall tau-b, as defined for Pearson,
// Spearman and Kendall) between the p columns, with 1 on the diagonal. All
// columns must have the same length n ≥ 3, be finite and be non-constant;
// pairwise-complete handling of missing data is the caller's job. For
// Spearman each column is ranked once and the ranks are correlated (Spearman
// 1904); Kendall is O(p²n²).
func CorrelationMatrix(cols [][]float64, method string) ([][]float64, error) {
	corr, err := Coefficient(method)
	if err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("%w: no columns", ErrTooFew)
	}
	n := len(cols[0])
	for j, c := range cols {
		if len(c) != n {
			return nil, fmt.Errorf("%w: column %d has length %d, column 0 has %d", ErrLength, j, len(c), n)
		}
	}
	if n < 3 {
		return nil, fmt.Errorf("%w: n = %d, need at least 3", ErrTooFew, n)
	}
	for j, c := range cols {
		if err := checkFinite(fmt.Sprintf("column %d", j), c); err != nil {
			return nil, err
		}
		if constant(c) {
			return nil, fmt.Errorf("%w: column %d is constant", ErrZeroVariance, j)
		}
	}
	work := cols
	if method == MethodSpearman {
		work = make([][]float64, len(cols))
		for j, c := range cols {
			work[j] = Ranks(c)
		}
		corr = PearsonR
	}
	m := make([][]float64, len(cols))
	for i := range m {
		m[i] = make([]float64, len(cols))
		m[i][i] = 1
	}
	for i := range work {
		for j := i + 1; j < len(work); j++ {
			r, err := corr(work[i], work[j])
			if err != nil {
				return nil, fmt.Errorf("columns %d and %d: %w", i, j, err)
			}
			m[i][j], m[j][i] = r, r
		}
	}
	return m, nil
}

// EffectiveN returns Kish's effective sample size of a set of weights,
//
//	n_eff = (Σwᵢ)² / Σwᵢ²,
//
// the number of equally weighted observations that would give a weighted
// mean the same variance; n_eff = n for equal weights and less otherwise.
// Zero weights count for nothing. NaN when no weight is positive.
//
// Reference: Kish, L. (1965), Survey Sampling, Wiley, §11.7.
func EffectiveN(weights []float64) float64 {
	var s, s2 float64
	for _, w := range weights {
		s += w
		s2 += w * w
	}
	if !(s2 > 0) {
		return math.NaN()
	}
	return s * s / s2
}

// WithEffectiveN returns c with its inference redone for an effective
// sample size neff (for example [EffectiveN] of the weights of a weighted
// Pearson correlation) in place of N: the Fisher-z interval
// tanh(atanh r ∓ z_{(1+level)/2}/sqrt(neff−3)) and the t test
// t = r·sqrt((neff−2)/(1−r²)) on neff−2 (fractional) degrees of freedom.
// The coefficient and the least-squares line are unchanged; DF is
// neff−2 rounded down, for display.
func (c Correlation) WithEffectiveN(neff, level float64) Correlation {
	out := c
	df := neff - 2
	if !(df > 0) {
		out.CILower, out.CIUpper, out.PValue, out.Statistic = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		return out
	}
	r := clampR(c.R)
	out.Statistic = r * math.Sqrt(df/(1-r*r))
	out.PValue = 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(math.Abs(out.Statistic))
	if math.Abs(r) == 1 {
		out.PValue = 0
	}
	out.CILower, out.CIUpper = math.NaN(), math.NaN()
	if neff > 3 {
		out.CILower, out.CIUpper = fisherCI(r, 1/math.Sqrt(neff-3), level)
	}
	out.DF = int(math.Floor(df))
	return out
}
