package la

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/cscstats/cscstats/pkg/ees"
)

// Compact keeps what New needs: random sightings of a few authorities
// under codes that code changes join (E1 became E2, E3 became E1), with
// names, old codes and regions that change between sightings, regions
// and rows New skips, give the same registry from the compact list as
// from all of them; and repeats are dropped.
func TestCompactGivesTheSameRegistry(t *testing.T) {
	changes := Changes{CodeChanges: []CodeChange{{From: "E1", To: "E2"}, {From: "e3", To: "E1"}}}
	geos := []ees.Geography{
		{Level: "Local authority", NewLACode: "E1", LAName: "One", OldLACode: "101", RegionCode: "R1", RegionName: "North"},
		{Level: "Local authority", NewLACode: "E2", LAName: "One (new)", OldLACode: "101", RegionCode: "R1", RegionName: "North East"},
		{Level: "Local authority", NewLACode: "e3", LAName: "Three", RegionCode: "R2", RegionName: "South"},
		{Level: "Local authority", NewLACode: "E4", LAName: "Four", OldLACode: "104"},
		{Level: "Local authority", NewLACode: "E4", LAName: "Four, City of", OldLACode: "104", RegionCode: "R2", RegionName: "South"},
		{Level: "Local authority", NewLACode: "E5 / E6", LAName: "Five and Six"},
		{Level: "Local authority", NewLACode: "", OldLACode: "107", LAName: "Seven"},
		{Level: "Regional", RegionCode: "R1", RegionName: "North"},
		{Level: "Regional", RegionCode: "R1", RegionName: "North East"},
		{Level: "Regional", RegionCode: "R2", RegionName: "South"},
		{Level: "National"},
	}
	rng := rand.New(rand.NewPCG(11, 12))
	dropped := 0
	for trial := 0; trial < 3000; trial++ {
		seen := make([]Sighting, rng.IntN(40))
		for i := range seen {
			seen[i] = Sighting{Geo: geos[rng.IntN(len(geos))], Year: []int{0, 2019, 2020, 2021}[rng.IntN(4)]}
		}
		sort.SliceStable(seen, func(i, j int) bool { return seen[i].Year < seen[j].Year })
		each := func(yield func(*Sighting) bool) {
			for i := range seen {
				if !yield(&seen[i]) {
					return
				}
			}
		}
		compact := Compact(each, changes)
		dropped += len(seen) - len(compact)
		want := New(slices.Clone(seen), changes)
		got := NewInYearOrder(func(yield func(*Sighting) bool) {
			for i := range compact {
				if !yield(&compact[i]) {
					return
				}
			}
		}, changes)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("trial %d: the registry from %d compact sightings differs from the one from %d:\n%+v\n%+v", trial, len(compact), len(seen), compact, seen)
		}
	}
	if dropped == 0 {
		t.Fatal("Compact dropped nothing in any trial")
	}
}
