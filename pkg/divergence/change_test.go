package divergence

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cscstats/cscstats/pkg/spec"
	"github.com/cscstats/cscstats/pkg/stats"
)

// Change's bootstrap orders each replicate by walking the councils in
// rate order instead of sorting it; its intervals are bit for bit those
// of describing each replicate's rates as drawn (the straightforward
// loop, written out here), on panels with tied rates, zero rates and
// councils of very different sizes, and without an England rate.
func TestChangeSameAsDescribingEachReplicate(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 6 {
		m := 20 + 37*trial
		p := &Panel{Measure: "x", Years: []int{2020, 2024}, England: []float64{31.5, 36.25}}
		if trial == 5 {
			p.England[0] = math.NaN() // no England rate: no net spread that year
		}
		for u := range m {
			p.Units = append(p.Units, spec.Unit{Code: string(rune('A' + u%26))})
			rate := func() float64 {
				if trial%2 == 1 {
					return float64(rng.IntN(5)) * 7.5 // many ties, some zero
				}
				return 5 + 60*rng.Float64()
			}
			p.Rate = append(p.Rate, []float64{rate(), rate()})
			p.Pop = append(p.Pop, []float64{1000 + 90000*rng.Float64(), 1000 + 90000*rng.Float64()})
		}
		const n, level = 400, 0.95
		seed := uint64(100 + trial)
		got, err := p.Change(0, 1, n, level, seed)
		if err != nil {
			t.Fatal(err)
		}
		lo, hi, err := stats.ResampleCI(m, n, level, seed, func(idx []int) []float64 {
			var ra, pa, rb, pb []float64
			for _, u := range idx {
				ra, pa = append(ra, p.Rate[u][0]), append(pa, p.Pop[u][0])
				rb, pb = append(rb, p.Rate[u][1]), append(pb, p.Pop[u][1])
			}
			sa, errA := Describe(ra, pa, p.England[0])
			sb, errB := Describe(rb, pb, p.England[1])
			d := make([]float64, len(Statistics))
			for k := range d {
				d[k] = math.NaN()
			}
			if errA == nil && errB == nil {
				xa, xb := values(sa), values(sb)
				for k := range d {
					d[k] = xb[k] - xa[k]
				}
			}
			return d
		})
		if err != nil {
			t.Fatal(err)
		}
		for k, c := range got {
			if !sameBits(c.Lower, lo[k]) || !sameBits(c.Upper, hi[k]) {
				t.Errorf("trial %d %s: interval [%v, %v], describing each replicate gives [%v, %v]", trial, c.Statistic, c.Lower, c.Upper, lo[k], hi[k])
			}
		}
	}
}

func sameBits(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
}
