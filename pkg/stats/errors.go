package stats

import (
	"errors"
	"fmt"
	"math"
)

// Sentinel errors. Errors returned by this package wrap one of these with
// context; test for them with errors.Is.
var (
	// ErrLength reports slices whose lengths should match but do not.
	ErrLength = errors.New("stats: length mismatch")
	// ErrTooFew reports a sample too small for the requested statistic.
	ErrTooFew = errors.New("stats: too few observations")
	// ErrNonFinite reports a NaN or infinite input value.
	ErrNonFinite = errors.New("stats: NaN or infinite value")
	// ErrZeroVariance reports a variable that is constant, so that a
	// correlation or coefficient of variation is undefined.
	ErrZeroVariance = errors.New("stats: zero variance")
	// ErrCollinear reports control variables that are (nearly) linearly
	// dependent, so that a partial correlation is undefined.
	ErrCollinear = errors.New("stats: collinear controls")
	// ErrMethod reports an unknown or unsupported method name.
	ErrMethod = errors.New("stats: unsupported method")
	// ErrArgument reports an invalid scalar argument such as a confidence
	// level outside (0, 1) or a non-positive replicate count.
	ErrArgument = errors.New("stats: invalid argument")
)

// checkFinite returns ErrNonFinite if any element of v is NaN or ±Inf.
func checkFinite(name string, v []float64) error {
	for i, f := range v {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%w: %s[%d] = %v", ErrNonFinite, name, i, f)
		}
	}
	return nil
}

// checkPair validates a pair of samples: equal lengths, at least min
// observations and only finite values.
func checkPair(x, y []float64, min int) error {
	if len(x) != len(y) {
		return fmt.Errorf("%w: len(x) = %d, len(y) = %d", ErrLength, len(x), len(y))
	}
	if len(x) < min {
		return fmt.Errorf("%w: n = %d, need at least %d", ErrTooFew, len(x), min)
	}
	if err := checkFinite("x", x); err != nil {
		return err
	}
	return checkFinite("y", y)
}

// checkLevel validates a confidence level.
func checkLevel(level float64) error {
	if !(level > 0 && level < 1) {
		return fmt.Errorf("%w: confidence level %v not in (0, 1)", ErrArgument, level)
	}
	return nil
}

// constant reports whether all elements of v are identical.
func constant(v []float64) bool {
	for _, f := range v[1:] {
		if f != v[0] {
			return false
		}
	}
	return true
}

// checkVariance returns ErrZeroVariance if x or y is constant. len(x) ≥ 1.
func checkVariance(x, y []float64) error {
	if constant(x) {
		return fmt.Errorf("%w: x is constant", ErrZeroVariance)
	}
	if constant(y) {
		return fmt.Errorf("%w: y is constant", ErrZeroVariance)
	}
	return nil
}
