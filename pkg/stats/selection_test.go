package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// Selecting the order statistics a quantile needs gives exactly what
// sorting gives: random samples of many sizes, with ties (values drawn
// from a few levels), runs already in order or reversed, and
// probabilities at both ends, between ranks and on them.
func TestQuantilesInPlaceSameAsSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	ps := []float64{0, 0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975, 1, 1.0 / 3}
	for n := 1; n <= 300; n++ {
		for shape := range 4 {
			x := make([]float64, n)
			for i := range x {
				switch shape {
				case 0:
					x[i] = rng.NormFloat64()
				case 1:
					x[i] = float64(rng.IntN(4))
				case 2:
					x[i] = float64(i)
				case 3:
					x[i] = float64(n - i)
				}
			}
			sorted := append([]float64(nil), x...)
			sort.Float64s(sorted)
			got := quantilesInPlace(append([]float64(nil), x...), ps...)
			for i, p := range ps {
				// The definition, on the sorted values.
				h := float64(n-1) * p
				lo := int(math.Floor(h))
				want := sorted[n-1]
				if lo < n-1 {
					want = sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
				}
				if math.Float64bits(got[i]) != math.Float64bits(want) {
					t.Fatalf("n=%d shape %d p=%v: got %v, sorting gives %v", n, shape, p, got[i], want)
				}
			}
		}
	}
}

// DescribeSorted on sorted values is Describe, bit for bit.
func TestDescribeSortedIsDescribe(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 1; n <= 60; n++ {
		x := make([]float64, n)
		for i := range x {
			x[i] = 10 + 40*rng.Float64()
		}
		want, err := Describe(x)
		if err != nil {
			t.Fatal(err)
		}
		sorted := append([]float64(nil), x...)
		sort.Float64s(sorted)
		got, err := DescribeSorted(sorted)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", want) {
			t.Fatalf("n=%d: %#v, Describe gives %#v", n, got, want)
		}
	}
	if _, err := DescribeSorted(nil); err == nil {
		t.Error("DescribeSorted(nil): no error")
	}
	if _, err := DescribeSorted([]float64{1, math.Inf(1)}); err == nil {
		t.Error("DescribeSorted with +Inf: no error")
	}
}

// Quantiles (selection) beside sorting a copy, on a council-sized
// sample at the funnel's winsorising points.
func BenchmarkQuantiles150(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 150)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	b.Run("select", func(b *testing.B) {
		for b.Loop() {
			if _, err := Quantiles(x, 0.1, 0.9); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sort", func(b *testing.B) {
		for b.Loop() {
			s := append([]float64(nil), x...)
			sort.Float64s(s)
			_, _ = quantileSorted(s, 0.1), quantileSorted(s, 0.9)
		}
	})
}
