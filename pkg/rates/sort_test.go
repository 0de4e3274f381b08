package rates_test

import (
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/testfiles"
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

// sightings lists every catalogued measure's observations, in catalogue
// order, then the population rows (ONS estimates in year 0), as a stable
// sort by year orders them; on the fixtures of several years and releases
// and on the shared files.
func TestSightingsAreAStableSortByYear(t *testing.T) {
	dirs := map[string]func(t *testing.T) string{
		"rates":   func(t *testing.T) string { return testfiles.Fixture(t, "ees", "rates") },
		"recoded": func(t *testing.T) string { return testfiles.Fixture(t, "ees", "recoded") },
		"babies":  func(t *testing.T) string { return testfiles.Fixture(t, "ees", "babies") },
		"shared":  func(t *testing.T) string { return testfiles.SharedEES(t) },
	}
	for name, dirOf := range dirs {
		t.Run(name, func(t *testing.T) { checkSightings(t, dirOf(t)) })
	}
}

func checkSightings(t *testing.T, dir string) {
	st, err := dataset.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var want []la.Sighting
	for _, m := range measures.Catalogue {
		for _, o := range st.Observations(m.ID) {
			want = append(want, la.Sighting{Geo: o.Geo, Year: o.Year})
		}
	}
	for _, p := range st.Population {
		y := p.Year
		if p.Source == dataset.ONS {
			y = 0
		}
		want = append(want, la.Sighting{Geo: p.Geo, Year: y})
	}
	if len(want) == 0 {
		t.Fatalf("%s: no sightings at all", dir)
	}
	sort.SliceStable(want, func(i, j int) bool { return want[i].Year < want[j].Year })
	got := rates.Sightings(st)
	if len(got) != len(want) {
		t.Fatalf("%s: %d sightings, want %d", dir, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s: position %d holds %+v, a stable sort puts %+v", dir, i, got[i], want[i])
		}
	}
}
