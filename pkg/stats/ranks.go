package stats

import (
	"math"
	"sort"
)

// Ranks returns the ranks 1..n of the elements of x, giving tied values the
// average of the ranks they span ("mid-ranks"): for example
// Ranks([]float64{10, 20, 20, 5}) is [2, 3.5, 3.5, 1]. NaN elements are left
// out of the ranking and get rank NaN. x is not modified.
//
// Mid-ranks are the standard treatment of ties for rank correlation; with
// them the Pearson correlation of the ranks is Spearman's rho corrected for
// ties. Reference: Kendall, M. G. (1945), "The treatment of ties in ranking
// problems", Biometrika 33, 239–251; Hollander, M. & Wolfe, D. A. (1999),
// Nonparametric Statistical Methods, 2nd ed., Wiley, ch. 8.
func Ranks(x []float64) []float64 {
	r := make([]float64, len(x))
	idx := make([]int, 0, len(x))
	for i, v := range x {
		if math.IsNaN(v) {
			r[i] = math.NaN()
			continue
		}
		idx = append(idx, i)
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && x[idx[j]] == x[idx[i]] {
			j++
		}
		// Positions i..j-1 (0-based) hold ranks i+1..j; their mean is (i+1+j)/2.
		avg := float64(i+1+j) / 2
		for _, k := range idx[i:j] {
			r[k] = avg
		}
		i = j
	}
	return r
}
