package stats_test

import (
	"fmt"

	"github.com/cscstats/cscstats/pkg/stats"
)

// The example of R's ?cor.test; compare R's output
// t = 1.8411, df = 7, p-value = 0.1082, 95% CI -0.1497426 0.8955795.
func ExamplePearson() {
	x := []float64{44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1}
	y := []float64{2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8}
	c, err := stats.Pearson(x, y, nil, 0.95)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("r = %.7f, t = %.4f, df = %d, p = %.4f, 95%% CI [%.7f, %.7f]\n",
		c.R, c.Statistic, c.DF, c.PValue, c.CILower, c.CIUpper)
	// Output:
	// r = 0.5711816, t = 1.8411, df = 7, p = 0.1082, 95% CI [-0.1497426, 0.8955795]
}

// Type 7 quantiles, as R's quantile(1:10).
func ExampleQuantile() {
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, p := range []float64{0, 0.25, 0.5, 0.75, 1} {
		q, _ := stats.Quantile(x, p)
		fmt.Printf("%.2f ", q)
	}
	fmt.Println()
	// Output:
	// 1.00 3.25 5.50 7.75 10.00
}

// Influence of each pair on r. Here r = 7/sqrt(5·14) = sqrt(0.7) on all
// four pairs; the leave-one-out values are worked by hand in
// TestLeaveOneOut.
func ExampleLeaveOneOut() {
	x := []float64{1, 2, 3, 4}
	y := []float64{1, 3, 2, 6}
	r, _ := stats.PearsonR(x, y)
	loo, _ := stats.LeaveOneOut(x, y, stats.PearsonR)
	for i, ri := range loo {
		fmt.Printf("without %d: r = %.4f (change %+.4f)\n", i, ri, ri-r)
	}
	// Output:
	// without 0: r = 0.7206 (change -0.1161)
	// without 1: r = 0.8660 (change +0.0294)
	// without 2: r = 0.9972 (change +0.1605)
	// without 3: r = 0.5000 (change -0.3367)
}
