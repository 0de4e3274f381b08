package rates_test

import (
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"

	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/rates"
)

// SortBy moves positions, not Rates; its order must be a stable sort's,
// ties, missing values and levels included, on every key.
func TestSortByIsAStableSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	levels := []string{rates.National, rates.Regional, rates.LocalAuthority, "Other"}
	rank := map[string]int{rates.National: 0, rates.Regional: 1, rates.LocalAuthority: 2, "Other": 0}
	for trial := 0; trial < 200; trial++ {
		n := rng.IntN(60)
		rs := make([]rates.Rate, n)
		for i := range rs {
			rs[i] = rates.Rate{
				Area:  rates.Area{Level: levels[rng.IntN(len(levels))], Name: "A" + strconv.Itoa(rng.IntN(8))},
				Value: float64(rng.IntN(5)), Count: ees.Num(float64(rng.IntN(5))),
				Note: strconv.Itoa(i), // tells equal rows apart
			}
			if rng.IntN(5) == 0 {
				rs[i].Value = math.NaN()
				rs[i].Count = ees.Missing(ees.Suppressed)
			}
		}
		for _, key := range []string{"name", "rate", "count"} {
			want := append([]rates.Rate(nil), rs...)
			less := func(a, b rates.Rate) bool {
				switch key {
				case "name":
					return a.Area.Name < b.Area.Name
				case "rate":
					if a.OK() != b.OK() {
						return a.OK()
					}
					return a.OK() && a.Value > b.Value
				}
				if a.Count.OK() != b.Count.OK() {
					return a.Count.OK()
				}
				return a.Count.OK() && a.Count.Number > b.Count.Number
			}
			sort.SliceStable(want, func(i, j int) bool {
				if ri, rj := rank[want[i].Area.Level], rank[want[j].Area.Level]; ri != rj {
					return ri < rj
				}
				return less(want[i], want[j])
			})
			got := append([]rates.Rate(nil), rs...)
			if err := rates.SortBy(got, key); err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if got[i].Note != want[i].Note {
					t.Fatalf("trial %d, sort by %s: row %d is input row %s, a stable sort puts input row %s there", trial, key, i, got[i].Note, want[i].Note)
				}
			}
		}
	}
}

// byYear orders sightings as a stable sort by year does.
func TestByYearIsAStableSortByYear(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 100; trial++ {
		seen := make([]la.Sighting, rng.IntN(80))
		for i := range seen {
			seen[i] = la.Sighting{Year: rng.IntN(6) * 1000, Geo: ees.Geography{LAName: strconv.Itoa(i)}}
		}
		want := append([]la.Sighting(nil), seen...)
		sort.SliceStable(want, func(i, j int) bool { return want[i].Year < want[j].Year })
		got := rates.ByYear(append([]la.Sighting(nil), seen...))
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("trial %d: position %d holds sighting %s (year %d), a stable sort puts %s (year %d)", trial, i, got[i].Geo.LAName, got[i].Year, want[i].Geo.LAName, want[i].Year)
			}
		}
	}
}
