package la_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/la"
)

// sight is one authority as a DfE file names it, seen in the given years.
func sight(code, old, name, region string, years ...int) []la.Sighting {
	regions := map[string]string{
		"E12000001": "North East", "E12000002": "North West", "E12000003": "Yorkshire and The Humber",
		"E12000004": "East Midlands", "E12000008": "South East", "E12000009": "South West",
	}
	var out []la.Sighting
	for _, y := range years {
		out = append(out, la.Sighting{Year: y, Geo: ees.Geography{Level: "Local authority", NewLACode: code, OldLACode: old,
			LAName: name, RegionCode: region, RegionName: regions[region]}})
	}
	return out
}

// handRegistry is built from hand-written sightings: codes and names as
// DfE's CIN files write them (ONS register of codes; the years each code is
// used are from DfE's la lookup and the boundary-change table).
func handRegistry(t *testing.T) *la.Registry {
	t.Helper()
	changes, err := la.DefaultChanges()
	if err != nil {
		t.Fatal(err)
	}
	var s []la.Sighting
	for _, part := range [][]la.Sighting{
		sight("E08000035", "383", "Leeds", "E12000003", 2013, 2025),
		sight("E06000048", "929", "Northumberland", "E12000001", 2013, 2019),
		sight("E06000057", "929", "Northumberland", "E12000001", 2020, 2025),
		sight("E10000002", "825", "Buckinghamshire", "E12000008", 2013, 2020),
		sight("E06000060", "825", "Buckinghamshire", "E12000008", 2021, 2025),
		sight("E06000010", "810", "Kingston upon Hull, City of", "E12000003", 2013, 2025),
		sight("E09000021", "314", "Kingston upon Thames", "E12000007", 2013, 2025),
		sight("E06000023", "801", "Bristol, City of", "E12000009", 2013, 2025),
		sight("E08000013", "342", "St. Helens", "E12000002", 2013, 2025),
		sight("E06000028", "837", "Bournemouth", "E12000009", 2013, 2019),
		sight("E06000029", "836", "Poole", "E12000009", 2013, 2019),
		sight("E10000009", "835", "Dorset", "E12000009", 2013, 2019),
		sight("E06000058", "839", "Bournemouth, Christchurch and Poole", "E12000009", 2020, 2025),
		sight("E06000059", "838", "Dorset", "E12000009", 2020, 2025),
		sight("E10000021", "928", "Northamptonshire", "E12000004", 2013, 2021),
		sight("E06000061", "940", "North Northamptonshire", "E12000004", 2022, 2025),
		sight("E06000062", "941", "West Northamptonshire", "E12000004", 2022, 2025),
		sight("E08000022", "392", "North Tyneside", "E12000001", 2013, 2025),
		sight("E10000006", "909", "Cumbria", "E12000002", 2013, 2023),
		sight("E06000063", "942", "Cumberland", "E12000002", 2024, 2025),
		sight("E06000064", "943", "Westmorland and Furness", "E12000002", 2024, 2025),
		sight("E06000016", "856", "Leicester", "E12000004", 2013, 2025),
		sight("E10000018", "855", "Leicestershire", "E12000004", 2013, 2025),
		sight("E06000047", "840", "County Durham", "E12000001", 2013, 2025),
		// Rows the registry must skip: national, and a combined code.
		{{Year: 2022, Geo: ees.Geography{Level: "National", LAName: ""}}},
		{{Year: 2022, Geo: ees.Geography{Level: "Local authority", NewLACode: "E06000061 / E06000062", LAName: "North and West Northamptonshire"}}},
		{{Year: 2022, Geo: ees.Geography{Level: "Regional", RegionCode: "E12000003", RegionName: "Yorkshire and The Humber"}}},
	} {
		s = append(s, part...)
	}
	return la.New(s, changes)
}

// lookupCases hold for the hand registry and for the one built from the
// real files.
var lookupCases = []struct{ query, code, name string }{
	{"E08000035", "E08000035", "Leeds"},
	{"e08000035", "E08000035", "Leeds"},
	{" Leeds ", "E08000035", "Leeds"},
	{"LEEDS", "E08000035", "Leeds"},
	{"383", "E08000035", "Leeds"},
	{"E06000048", "E06000057", "Northumberland"}, // former code
	{"E06000057", "E06000057", "Northumberland"},
	{"929", "E06000057", "Northumberland"},
	{"E10000002", "E06000060", "Buckinghamshire"}, // county became unitary, 2020
	{"825", "E06000060", "Buckinghamshire"},
	{"kingston upon hull", "E06000010", "Kingston upon Hull, City of"},
	{"Kingston upon Hull, City of", "E06000010", "Kingston upon Hull, City of"},
	{"hull", "E06000010", "Kingston upon Hull, City of"},
	{"bristol", "E06000023", "Bristol, City of"},
	{"st helens", "E08000013", "St. Helens"},
	{"St. Helens", "E08000013", "St. Helens"},
	{"ST HELENS", "E08000013", "St. Helens"},
	{"bcp", "E06000058", "Bournemouth, Christchurch and Poole"},
	{"BCP", "E06000058", "Bournemouth, Christchurch and Poole"},
	{"bournemouth christchurch & poole", "E06000058", "Bournemouth, Christchurch and Poole"},
	{"Dorset", "E06000059", "Dorset"}, // the current unitary, not the former county
	{"838", "E06000059", "Dorset"},
	{"E10000009", "E10000009", "Dorset (county, to 2019)"}, // the former county by its own code, named distinctly
	{"Dorset county", "E10000009", "Dorset (county, to 2019)"},
	{"Bournemouth", "E06000028", "Bournemouth"},
	{"Northamptonshire", "E10000021", "Northamptonshire"},
	{"west northamptonshire", "E06000062", "West Northamptonshire"},
	{"Cumberland", "E06000063", "Cumberland"},
	{"westmorland & furness", "E06000064", "Westmorland and Furness"},
	{"Westmorland", "E06000064", "Westmorland and Furness"},
	{"durham", "E06000047", "County Durham"},
	{"Leicester", "E06000016", "Leicester"}, // exact name beats Leicestershire
}

func checkLookups(t *testing.T, reg *la.Registry) {
	t.Helper()
	for _, c := range lookupCases {
		a, err := reg.Lookup(c.query)
		if err != nil {
			t.Errorf("Lookup(%q): %v", c.query, err)
			continue
		}
		if a.Code != c.code || a.Name != c.name {
			t.Errorf("Lookup(%q) = %s %q, want %s %q", c.query, a.Code, a.Name, c.code, c.name)
		}
	}
}

func TestLookupHand(t *testing.T) { checkLookups(t, handRegistry(t)) }

func TestLookupSuggestions(t *testing.T) {
	reg := handRegistry(t)
	for query, want := range map[string]string{
		"Leds":          "Leeds",
		"leeeds":        "Leeds",
		"Cumbrland":     "Cumberland",
		"Northumberlnd": "Northumberland",
		"Bristle":       "Bristol, City of",
	} {
		_, err := reg.Lookup(query)
		var nf *la.NotFoundError
		if !errors.As(err, &nf) {
			t.Errorf("Lookup(%q) error = %v, want *NotFoundError", query, err)
			continue
		}
		if !slices.Contains(nf.Suggestions, want) {
			t.Errorf("Lookup(%q) suggests %v, want %q among them", query, nf.Suggestions, want)
		}
		if msg := err.Error(); !strings.Contains(msg, "did you mean") || !strings.Contains(msg, want) || !strings.Contains(msg, query) {
			t.Errorf("message %q", msg)
		}
	}
	// Nothing close: no suggestions, still a helpful message.
	_, err := reg.Lookup("Zzyzx Qwerty")
	var nf *la.NotFoundError
	if !errors.As(err, &nf) || len(nf.Suggestions) != 0 || !strings.Contains(err.Error(), "cscstats la search") {
		t.Errorf("Lookup(nonsense) = %v", err)
	}
	if _, err := reg.Lookup("  ,. "); !errors.As(err, &nf) {
		t.Errorf("Lookup(punctuation) = %v, want not found", err)
	}
}

func TestLookupAmbiguous(t *testing.T) {
	reg := handRegistry(t)
	for query, want := range map[string][]string{
		"north":    {"North Northamptonshire", "North Tyneside"},
		"kingston": {"Kingston upon Hull, City of", "Kingston upon Thames"},
	} {
		_, err := reg.Lookup(query)
		var amb *la.AmbiguousError
		if !errors.As(err, &amb) {
			t.Errorf("Lookup(%q) = %v, want *AmbiguousError", query, err)
			continue
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Lookup(%q) message %q lacks %q", query, err, w)
			}
		}
	}
}

func TestBoundaryChanges(t *testing.T) {
	reg := handRegistry(t)
	get := func(code string) *la.Authority {
		t.Helper()
		a, ok := reg.Get(code)
		if !ok {
			t.Fatalf("no authority %s", code)
		}
		return a
	}
	northants := get("E10000021")
	if !slices.Equal(northants.Successors, []string{"E06000061", "E06000062"}) || northants.Current() {
		t.Errorf("Northamptonshire successors = %v, current %v", northants.Successors, northants.Current())
	}
	for _, code := range []string{"E06000061", "E06000062"} {
		if a := get(code); !slices.Equal(a.Predecessors, []string{"E10000021"}) || !a.Current() {
			t.Errorf("%s predecessors = %v", a.Name, a.Predecessors)
		}
	}
	cumberland := get("E06000063")
	if !slices.Equal(cumberland.Predecessors, []string{"E10000006"}) || cumberland.Change == nil || cumberland.Change.FirstReportingYear != 2024 {
		t.Errorf("Cumberland predecessors = %v, change %+v", cumberland.Predecessors, cumberland.Change)
	}
	if c := get("E10000006"); !slices.Equal(c.Successors, []string{"E06000063", "E06000064"}) {
		t.Errorf("Cumbria successors = %v", c.Successors)
	}
	// Bournemouth, Poole and Dorset county together became BCP and Dorset.
	for _, code := range []string{"E06000028", "E06000029", "E10000009"} {
		if a := get(code); !slices.Equal(a.Successors, []string{"E06000058", "E06000059"}) || a.Current() {
			t.Errorf("%s %s successors = %v", code, a.Name, a.Successors)
		}
	}
	// Code changes are not boundary changes: same authority, one code.
	n := get("E06000048")
	if n.Code != "E06000057" || !slices.Contains(n.FormerCodes, "E06000048") || len(n.Predecessors) != 0 || n.Change != nil {
		t.Errorf("Northumberland = %+v", n)
	}
	if n.FirstYear != 2013 || n.LastYear != 2025 {
		t.Errorf("Northumberland years %d-%d, want 2013-2025 across both codes", n.FirstYear, n.LastYear)
	}
	for from, to := range map[string]string{"E06000048": "E06000057", "e10000002": "E06000060", "E10000023": "E06000065",
		"E10000027": "E06000066", "E08000020": "E08000037", "E08000035": "E08000035", "E99999999": "E99999999"} {
		if got := reg.Canonical(from); got != to {
			t.Errorf("Canonical(%s) = %s, want %s", from, got, to)
		}
	}
	if got := reg.CanonicalGeo(ees.Geography{Level: "Local authority", NewLACode: "E06000061 / E06000062"}); got != "" {
		t.Errorf("combined row mapped to %q", got)
	}
	if got := reg.CanonicalGeo(ees.Geography{Level: "Local authority", OldLACode: "929"}); got != "E06000057" {
		t.Errorf("row with only a DfE code mapped to %q", got)
	}
	if got := reg.CanonicalGeo(ees.Geography{Level: "National", NewLACode: "E08000035"}); got != "" {
		t.Errorf("national row mapped to %q", got)
	}
	for _, a := range reg.All() {
		if strings.Contains(a.Code, "/") {
			t.Errorf("combined row registered as %s", a.Code)
		}
	}
	code, name, err := reg.LookupRegion("yorkshire and the humber")
	if err != nil || code != "E12000003" || name != "Yorkshire and The Humber" {
		t.Errorf("LookupRegion = %s %s %v", code, name, err)
	}
	if _, _, err := reg.LookupRegion("Mercia"); err == nil || !strings.Contains(err.Error(), "North West") {
		t.Errorf("LookupRegion(unknown) = %v, want the list of regions", err)
	}
}

func TestNormalise(t *testing.T) {
	for in, want := range map[string]string{
		"St. Helens":                          "st helens",
		"Bristol, City of":                    "bristol city of",
		"Brighton & Hove":                     "brighton and hove",
		"King's Lynn":                         "kings lynn",
		"Kings’ Lynn":                         "kings lynn",
		"  Southend-on-Sea ":                  "southend on sea",
		"Bournemouth, Christchurch and Poole": "bournemouth christchurch and poole",
		"":                                    "",
	} {
		if got := la.Normalise(in); got != want {
			t.Errorf("Normalise(%q) = %q, want %q", in, got, want)
		}
	}
}

// Item 6 of issue 12: Dorset (2019) was formed from Dorset county alone;
// Bournemouth and Poole (and Christchurch, from the county) went into BCP.
func TestFormedFrom(t *testing.T) {
	reg := handRegistry(t)
	for code, want := range map[string]string{
		"E06000059": "E10000009",
		"E06000058": "E06000028 E06000029 E10000009",
	} {
		a, ok := reg.Get(code)
		if !ok {
			t.Fatalf("%s not in the registry", code)
		}
		if got := strings.Join(a.FormedFrom, " "); got != want {
			t.Errorf("%s formed from %q, want %q", a.Name, got, want)
		}
		if len(a.Predecessors) != 3 {
			t.Errorf("%s: predecessors (the whole change) %v", a.Name, a.Predecessors)
		}
	}
}
