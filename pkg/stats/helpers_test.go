package stats

import (
	"math"
	"testing"
)

// near fails the test unless |got − want| ≤ tol. For "to k decimal places"
// checks against a published rounded value, tol is half a unit in the last
// published place (e.g. 0.0005 for 3 dp).
func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s = %.10g, want %.10g ± %g", what, got, want, tol)
	}
}

// isNaN fails the test unless v is NaN.
func isNaN(t *testing.T, what string, v float64) {
	t.Helper()
	if !math.IsNaN(v) {
		t.Errorf("%s = %v, want NaN", what, v)
	}
}
