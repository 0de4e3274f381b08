package divergence

import (
	"math"
	"testing"
)

// TestDescribeNet: the hand-worked set of pkg/funnel's overdispersion
// test (θ = 100; z = 2, −1, 3, −2, 1, −1 winsorised at −1.5 and 2.5) has
// τ² = 10.5/0.0725 = 144.827586, so the net spread is
// sqrt(144.827586)/100 = 0.1203443. The CV is the sample SD over the mean:
// rates 120 90 115 90 120 80, mean 102.5, squared deviations
// 306.25 156.25 156.25 156.25 306.25 506.25 = 1587.5, SD sqrt(1587.5/5)
// = 17.81853, CV 0.1738393.
func TestDescribeNet(t *testing.T) {
	st, err := Describe([]float64{120, 90, 115, 90, 120, 80}, []float64{10000, 10000, 40000, 40000, 2500, 2500}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(st.Tau2-144.827586) > 1e-5 || math.Abs(st.Net-0.1203443) > 1e-6 {
		t.Errorf("tau2 %v net %v", st.Tau2, st.Net)
	}
	if math.Abs(st.Spread.CV-0.1738393) > 1e-6 {
		t.Errorf("cv %v", st.Spread.CV)
	}
	// No England rate: no net spread, but the spread itself.
	st, err = Describe([]float64{1, 2}, []float64{10, 10}, math.NaN())
	if err != nil || !math.IsNaN(st.Net) || st.Spread.N != 2 {
		t.Errorf("no England: %+v %v", st, err)
	}
}
