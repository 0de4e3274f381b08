package funnel

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// odByHand is Overdispersion written out plainly: z-scores, a sorted
// copy for the type 7 percentiles, winsorising, the sums in input order.
func odByHand(target float64, rates, pops []float64, scale Scale) OD {
	I := len(rates)
	z := make([]float64, I)
	var sw, sw2 float64
	for i, y := range rates {
		s2 := scale.variance(target, pops[i])
		z[i] = (scale.value(y, pops[i]) - scale.centre(target)) / math.Sqrt(s2)
		w := 1 / s2
		sw += w
		sw2 += w * w
	}
	sorted := append([]float64(nil), z...)
	sort.Float64s(sorted)
	q := func(p float64) float64 {
		h := float64(I-1) * p
		k := int(math.Floor(h))
		if k >= I-1 {
			return sorted[I-1]
		}
		return sorted[k] + (h-float64(k))*(sorted[k+1]-sorted[k])
	}
	od := OD{Target: target, Scale: scale, Units: I, Low: q(Trim), High: q(1 - Trim)}
	var sz2 float64
	for _, v := range z {
		if v < od.Low || v > od.High {
			od.Winsorised++
		}
		v = math.Min(math.Max(v, od.Low), od.High)
		sz2 += v * v
	}
	od.Phi = sz2 / float64(I)
	od.Tau2 = (float64(I)*od.Phi - float64(I-1)) / (sw - sw2/sw)
	if od.Tau2 < 0 || math.IsNaN(od.Tau2) {
		od.Tau2 = 0
	}
	return od
}

func sameOD(a, b OD) bool {
	bits := math.Float64bits
	return a.Target == b.Target && a.Scale == b.Scale && a.Units == b.Units && a.Winsorised == b.Winsorised &&
		bits(a.Phi) == bits(b.Phi) && bits(a.Tau2) == bits(b.Tau2) && bits(a.Low) == bits(b.Low) && bits(a.High) == bits(b.High)
}

// Overdispersion, and ODSample.Resample on resamples with repeats, give
// bit for bit what the plain computation gives, on every scale, with
// tied and zero rates and units of very different sizes.
func TestODSampleSameAsPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for trial := range 30 {
		m := 2 + rng.IntN(160)
		rates, pops := make([]float64, m), make([]float64, m)
		for i := range m {
			pops[i] = 500 + 200000*rng.Float64()
			if trial%3 == 0 {
				rates[i] = float64(rng.IntN(4)) * 12.5 // ties and zeros
			} else {
				rates[i] = 60 * rng.Float64()
			}
		}
		for _, scale := range []Scale{ScaleRate, ScaleSqrt, ScaleLog} {
			target := 20 + float64(trial)
			got, err := Overdispersion(target, rates, pops, scale)
			if err != nil {
				t.Fatal(err)
			}
			if want := odByHand(target, rates, pops, scale); !sameOD(got, want) {
				t.Fatalf("trial %d %v: %+v, plainly %+v", trial, scale, got, want)
			}
			s, err := NewODSample(target, rates, pops, scale)
			if err != nil {
				t.Fatal(err)
			}
			for range 5 {
				idx := make([]int, 2+rng.IntN(2*m))
				var rs, ps []float64
				for i := range idx {
					idx[i] = rng.IntN(m)
					rs, ps = append(rs, rates[idx[i]]), append(ps, pops[idx[i]])
				}
				for _, counted := range []bool{false, true} {
					var times []int
					if counted {
						times = make([]int, m)
						for _, u := range idx {
							times[u]++
						}
					}
					got, err := s.Resample(idx, times)
					if err != nil {
						t.Fatal(err)
					}
					if want := odByHand(target, rs, ps, scale); !sameOD(got, want) {
						t.Fatalf("trial %d %v resample of %d: %+v, plainly %+v", trial, scale, len(idx), got, want)
					}
				}
			}
		}
	}
	if _, err := NewODSample(10, []float64{1, math.NaN()}, []float64{100, 100}, ScaleRate); err == nil {
		t.Error("NaN rate: no error")
	}
	s, err := NewODSample(10, []float64{1, 2}, []float64{100, 100}, ScaleRate)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Resample([]int{1}, nil); err == nil {
		t.Error("resample of one unit: no error")
	}
}
