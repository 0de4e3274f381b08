package stats

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// collinearCond is the largest condition number of the standardised control
// matrix accepted by Partial. Standardising each control first means this
// measures genuine near-linear dependence, not differences of scale.
const collinearCond = 1e10

// Partial returns the partial correlation of x and y controlling for the k
// covariates in controls (each a slice of the same length as x), with its t
// test and a Fisher-z confidence interval.
//
// Both x and y are regressed by least squares on an intercept and the
// controls, and the partial correlation is the correlation of the two sets of
// residuals eₓ, e_y:
//
//	r_xy·Z = Σ eₓᵢ e_yᵢ / sqrt(Σ eₓᵢ² Σ e_yᵢ²)
//
// For one control this equals the textbook formula
// (r_xy − r_xz r_yz) / sqrt((1 − r_xz²)(1 − r_yz²)). The sample partial
// correlation is distributed as an ordinary correlation from n − k
// observations (Fisher 1924), so
//
//	t  = r·sqrt((n−2−k)/(1−r²)),  p = 2·P(T_{n−2−k} > |t|)
//	CI = tanh(atanh(r) ∓ z_{(1+level)/2}·se)
//
// with se = 1/sqrt(n−3−k) for "pearson". method "spearman" ranks x, y and
// every control first (average ranks) and then proceeds as above, with
// se = sqrt(1.06/(n−3−k)) as in Spearman, so that Partial with no controls
// reproduces Pearson and Spearman exactly. The CI is NaN when n−3−k ≤ 0.
// Kendall partial correlation is not supported (ErrMethod).
//
// Needs n ≥ k+3. Returns ErrZeroVariance if x, y or a control is constant
// and ErrCollinear if the controls are (nearly) linearly dependent or
// explain x or y exactly. Slope fields are NaN; Controls is k.
//
// References: Fisher, R. A. (1924), "The distribution of the partial
// correlation coefficient", Metron 3, 329–332; Anderson, T. W. (2003), An
// Introduction to Multivariate Statistical Analysis, 3rd ed., Wiley, §4.3;
// Kim, S. (2015), "ppcor: an R package for a fast calculation to semi-partial
// correlation coefficients", Commun. Stat. Appl. Methods 22, 665–674 (same
// test statistic).
func Partial(x, y []float64, controls [][]float64, method string, level float64) (Correlation, error) {
	if err := checkLevel(level); err != nil {
		return Correlation{}, err
	}
	var seC float64
	switch method {
	case MethodPearson:
		seC = 1
	case MethodSpearman:
		seC = 1.06
	default:
		return Correlation{}, fmt.Errorf("%w: partial correlation supports %q and %q, not %q", ErrMethod, MethodPearson, MethodSpearman, method)
	}
	if err := checkPair(x, y, 0); err != nil {
		return Correlation{}, err
	}
	n, k := len(x), len(controls)
	for j, c := range controls {
		if len(c) != n {
			return Correlation{}, fmt.Errorf("%w: control %d has length %d, x has %d", ErrLength, j, len(c), n)
		}
		if err := checkFinite(fmt.Sprintf("control %d", j), c); err != nil {
			return Correlation{}, err
		}
	}
	if n < k+3 {
		return Correlation{}, fmt.Errorf("%w: n = %d with %d controls, need at least %d", ErrTooFew, n, k, k+3)
	}
	if err := checkVariance(x, y); err != nil {
		return Correlation{}, err
	}
	for j, c := range controls {
		if constant(c) {
			return Correlation{}, fmt.Errorf("%w: control %d is constant", ErrZeroVariance, j)
		}
	}
	if method == MethodSpearman {
		x, y = Ranks(x), Ranks(y)
		rc := make([][]float64, k)
		for j, c := range controls {
			rc[j] = Ranks(c)
		}
		controls = rc
	}
	ex, ey, err := residuals(x, y, controls)
	if err != nil {
		return Correlation{}, err
	}
	r := clampR(stat.Correlation(ex, ey, nil))
	df := n - 2 - k
	t, p := tTest(r, df)
	lo, hi := fisherCI(r, fisherSE(seC, n-3-k), level)
	res := rankResult(method, n, r, lo, hi, t, df, p)
	res.Controls = k
	return res, nil
}

// residuals returns the residuals of x and y after least-squares regression
// on an intercept and the controls. Centring x, y and the controls removes
// the intercept; scaling the controls to unit SD makes the condition number
// of the design a measure of collinearity alone.
func residuals(x, y []float64, controls [][]float64) (ex, ey []float64, err error) {
	n, k := len(x), len(controls)
	center := func(v []float64) []float64 {
		m := stat.Mean(v, nil)
		c := make([]float64, len(v))
		for i, f := range v {
			c[i] = f - m
		}
		return c
	}
	ex, ey = center(x), center(y)
	if k == 0 {
		return ex, ey, nil
	}
	z := mat.NewDense(n, k, nil)
	for j, c := range controls {
		m, sd := stat.MeanStdDev(c, nil)
		for i, f := range c {
			z.Set(i, j, (f-m)/sd)
		}
	}
	var qr mat.QR
	qr.Factorize(z)
	if c := qr.Cond(); !(c <= collinearCond) {
		return nil, nil, fmt.Errorf("%w: condition number %.3g of the standardised controls", ErrCollinear, c)
	}
	b := mat.NewDense(n, 2, nil)
	b.SetCol(0, ex)
	b.SetCol(1, ey)
	var coef mat.Dense
	if err := qr.SolveTo(&coef, false, b); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrCollinear, err)
	}
	var fit mat.Dense
	fit.Mul(z, &coef)
	for col, v := range [][]float64{ex, ey} {
		var ss0, ss1 float64
		for i := range v {
			ss0 += v[i] * v[i]
			v[i] -= fit.At(i, col)
			ss1 += v[i] * v[i]
		}
		// A residual SD below 1e-10 of the centred SD is rounding error:
		// the controls explain the variable exactly.
		if ss1 <= 1e-20*ss0 {
			return nil, nil, fmt.Errorf("%w: %s is an exact linear function of the controls", ErrCollinear, [2]string{"x", "y"}[col])
		}
	}
	return ex, ey, nil
}
