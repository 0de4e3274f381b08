package la_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// sharedRegistry builds the registry from every row of the real files, the
// way rates.New does.
func sharedRegistry(t *testing.T) *la.Registry {
	t.Helper()
	st, err := dataset.Load(testfiles.SharedEES(t))
	if err != nil {
		t.Fatal(err)
	}
	var seen []la.Sighting
	for _, m := range measures.Catalogue {
		for _, o := range st.Observations(m.ID) {
			seen = append(seen, la.Sighting{Geo: o.Geo, Year: o.Year})
		}
	}
	for _, p := range st.Population {
		seen = append(seen, la.Sighting{Geo: p.Geo})
	}
	changes, err := la.DefaultChanges()
	if err != nil {
		t.Fatal(err)
	}
	return la.New(seen, changes)
}

func TestLookupShared(t *testing.T) {
	reg := sharedRegistry(t)
	checkLookups(t, reg)

	_, err := reg.Lookup("Leds")
	var nf *la.NotFoundError
	if !errors.As(err, &nf) || len(nf.Suggestions) == 0 || nf.Suggestions[0] != "Leeds" {
		t.Errorf("Lookup(Leds) = %v, want Leeds suggested first", err)
	}
	var amb *la.AmbiguousError
	if _, err := reg.Lookup("north"); !errors.As(err, &amb) || len(amb.Matches) < 5 {
		t.Errorf("Lookup(north) = %v, want ambiguous between the many North ... authorities", err)
	}

	// England has had 153 local authorities with children's services since
	// Cumbria split in April 2023 (152 before); the 2024-25 CIN file has a
	// row for each.
	if n := len(reg.Current()); n != 153 {
		var names []string
		for _, a := range reg.Current() {
			names = append(names, a.Name)
		}
		t.Errorf("%d current authorities, want 153: %s", n, strings.Join(names, "; "))
	}
	// The nine English regions, plus Inner and Outer London: DfE files
	// publish those as regional rows too, and file each London borough
	// under one of them (region_code E13000001/E13000002), not under
	// London (E12000007). They overlap London: a list of regions must not
	// be summed.
	var regions []string
	for _, c := range reg.Regions() {
		regions = append(regions, c+" "+reg.RegionName(c))
	}
	want := []string{"E12000004 East Midlands", "E12000006 East of England", "E13000001 Inner London", "E12000007 London",
		"E12000001 North East", "E12000002 North West", "E13000002 Outer London", "E12000008 South East",
		"E12000009 South West", "E12000005 West Midlands", "E12000003 Yorkshire and The Humber"}
	if !slices.Equal(regions, want) {
		t.Errorf("regions = %q\nwant %q", regions, want)
	}
	if code, _, err := reg.LookupRegion("london"); err != nil || code != "E12000007" {
		t.Errorf("LookupRegion(london) = %s, %v", code, err)
	}
	if a, err := reg.Lookup("Camden"); err != nil || a.RegionCode != "E13000001" {
		t.Errorf("Camden = %+v, %v; want in Inner London", a, err)
	}
	for code, want := range map[string][]string{
		"E10000021": {"E06000061", "E06000062"},
		"E10000006": {"E06000063", "E06000064"},
	} {
		if a, ok := reg.Get(code); !ok || !slices.Equal(a.Successors, want) {
			t.Errorf("%s successors = %v, want %v", code, a.Successors, want)
		}
	}
	if a, ok := reg.Get("E06000063"); !ok || !slices.Equal(a.Predecessors, []string{"E10000006"}) || a.Name != "Cumberland" {
		t.Errorf("Cumberland = %+v", a)
	}
	// Files write Northumberland under both codes; one authority results.
	a, _ := reg.Get("E06000048")
	b, _ := reg.Get("E06000057")
	if a == nil || a != b || a.OldCode != "929" || a.RegionName != "North East" {
		t.Errorf("Northumberland: %+v / %+v", a, b)
	}
}
