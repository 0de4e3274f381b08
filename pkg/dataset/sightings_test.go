package dataset

import (
	"reflect"
	"testing"

	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// The registry made from a store's compact sightings is the one made from
// all of them (authorities, names, codes, former codes, years, regions,
// boundary changes), on fixtures, the shared files and the long series,
// also after the store goes through its binary form; under other code
// changes the store gives all its sightings.
func TestCompactSightingsGiveTheSameRegistry(t *testing.T) {
	dirs := map[string]func(t *testing.T) string{
		"rates":   func(t *testing.T) string { return testfiles.Fixture(t, "ees", "rates") },
		"recoded": func(t *testing.T) string { return testfiles.Fixture(t, "ees", "recoded") },
		"babies":  func(t *testing.T) string { return testfiles.Fixture(t, "ees", "babies") },
		"shared":  func(t *testing.T) string { return testfiles.SharedEES(t) },
		"long":    func(t *testing.T) string { return testfiles.LongSeriesDir(t) },
	}
	changes, err := la.DefaultChanges()
	if err != nil {
		t.Fatal(err)
	}
	for name, dirOf := range dirs {
		t.Run(name, func(t *testing.T) {
			st, err := Load(dirOf(t))
			if err != nil {
				t.Fatal(err)
			}
			b, err := st.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var cached Store
			if err := cached.UnmarshalBinary(b); err != nil {
				t.Fatal(err)
			}
			all := 0
			for range st.Sightings() {
				all++
			}
			want := la.NewInYearOrder(st.Sightings(), changes)
			for _, s := range []*Store{st, &cached} {
				if got := la.NewInYearOrder(s.RegistrySightings(changes), changes); !reflect.DeepEqual(got, want) {
					t.Fatalf("the registry from %d compact sightings differs from the one from all %d", len(s.compact.sightings), all)
				}
			}
			if n := len(st.compact.sightings); n == 0 || n > all {
				t.Errorf("%d compact sightings of %d", n, all)
			}
			t.Logf("%d sightings, %d kept", all, len(st.compact.sightings))
			other := la.Changes{CodeChanges: append(append([]la.CodeChange(nil), changes.CodeChanges...), la.CodeChange{From: "E06000001", To: "E06000002"})}
			n := 0
			for range cached.RegistrySightings(other) {
				n++
			}
			if n != all {
				t.Errorf("under other code changes: %d sightings, want all %d", n, all)
			}
		})
	}
}
