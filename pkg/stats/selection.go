package stats

import (
	"math"
	"math/bits"
	"slices"
)

// quantilesInPlace returns the type 7 quantiles ([Quantile]) of s at each
// of ps, reordering s. Each quantile needs only the order statistics
// x₍⌊h⌋₎ and x₍⌊h⌋+1₎, so rather than sorting s it selects those: a
// selection puts the k-th smallest value at s[k], no larger value before
// it and no smaller one after, and the next (larger) rank is then
// selected among s[k+1:] only (rank k+1, which type 7 interpolation
// needs next, is simply the smallest of them). The values picked are the sorted
// values at those ranks, so the quantiles are exactly those of sorting
// (TestQuantilesInPlaceSameAsSort). s must be non-empty and NaN-free.
//
// Reference: Hoare, C. A. R. (1961), "Algorithm 65: Find",
// Communications of the ACM 4(7), 321–322.
func quantilesInPlace(s []float64, ps ...float64) []float64 {
	n := len(s)
	ranks := make([]int, 0, 2*len(ps))
	for _, p := range ps {
		lo := int(math.Floor(float64(n-1) * p))
		if lo >= n-1 {
			ranks = append(ranks, n-1)
		} else {
			ranks = append(ranks, lo, lo+1)
		}
	}
	slices.Sort(ranks)
	from := 0
	for _, k := range slices.Compact(ranks) {
		if k == from {
			// The smallest of s[from:] (the rank after one just
			// selected): one pass.
			i := from
			for j := from + 1; j < n; j++ {
				if s[j] < s[i] {
					i = j
				}
			}
			s[from], s[i] = s[i], s[from]
		} else {
			selectRank(s[from:], k-from)
		}
		from = k + 1
	}
	out := make([]float64, len(ps))
	for i, p := range ps {
		out[i] = quantileSorted(s, p) // reads only the selected ranks
	}
	return out
}

// selectRank reorders s so that s[k] is the value a sort would put there,
// with no larger value before it and no smaller one after: quickselect
// with a median-of-three pivot, finishing small ranges (and any range
// that stops shrinking fast enough) by sorting them.
func selectRank(s []float64, k int) {
	lo, hi := 0, len(s) // s[lo:hi] holds rank k
	budget := 2 * bits.Len(uint(len(s)))
	for hi-lo > 16 {
		if budget == 0 {
			break
		}
		budget--
		// Median of three as the pivot, placed at s[lo].
		mid := lo + (hi-lo)/2
		a, b, c := lo, mid, hi-1
		if s[b] < s[a] {
			a, b = b, a
		}
		if s[c] < s[b] {
			b = c
			if s[b] < s[a] {
				b = a
			}
		}
		s[lo], s[b] = s[b], s[lo]
		pivot := s[lo]
		// Hoare partition of s[lo+1:hi] around pivot.
		i, j := lo+1, hi-1
		for {
			for i <= j && s[i] < pivot {
				i++
			}
			for i <= j && s[j] > pivot {
				j--
			}
			if i >= j {
				break
			}
			s[i], s[j] = s[j], s[i]
			i++
			j--
		}
		// s[lo+1:i] ≤ pivot ≤ s[j+1:hi]; put the pivot at j.
		s[lo], s[j] = s[j], s[lo]
		switch {
		case k < j:
			hi = j
		case k > j:
			lo = j + 1
		default:
			return
		}
	}
	slices.Sort(s[lo:hi])
}
