package la_test

import (
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/rates"
)

// sharedDir is the read-only folder of real DfE files, next to the repo.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "ees"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real DfE files not found at %s (they sit beside the repository as ../shared/ees); skipping", dir)
	}
	return dir
}

var (
	realOnce sync.Once
	realReg  *la.Registry
	realErr  error
)

// realRegistry is the registry built from the real files, as the CLI does.
func realRegistry(t *testing.T) *la.Registry {
	t.Helper()
	dir := sharedDir(t)
	realOnce.Do(func() {
		var c *rates.Calculator
		c, realErr = rates.Load(dir)
		if c != nil {
			realReg = c.Registry
		}
	})
	if realErr != nil {
		t.Fatal(realErr)
	}
	return realReg
}

// smallRegistry is a hand-made registry: a few authorities as DfE files
// name them, plus the boundary-change table.
func smallRegistry(t *testing.T) *la.Registry {
	t.Helper()
	ch, err := la.DefaultChanges()
	if err != nil {
		t.Fatal(err)
	}
	geo := func(old, code, name, region string) la.Sighting {
		return la.Sighting{Year: 2024, Geo: ees.Geography{Level: "Local authority", OldLACode: old, NewLACode: code, LAName: name, RegionCode: "R" + region, RegionName: region}}
	}
	seen := []la.Sighting{
		geo("342", "E08000013", "St. Helens", "North West"),
		geo("810", "E06000010", "Kingston upon Hull, City of", "Yorkshire and The Humber"),
		geo("334", "E08000029", "Solihull", "West Midlands"),
		geo("801", "E06000023", "Bristol, City of", "South West"),
		geo("839", "E06000058", "Bournemouth, Christchurch and Poole", "South West"),
		geo("838", "E06000059", "Dorset", "South West"),
		geo("940", "E06000061", "North Northamptonshire", "East Midlands"),
		geo("941", "E06000062", "West Northamptonshire", "East Midlands"),
		geo("943", "E06000064", "Westmorland and Furness", "North West"),
		geo("942", "E06000063", "Cumberland", "North West"),
		geo("310", "E09000015", "Harrow", "London"),
		geo("383", "E08000035", "Leeds", "Yorkshire and The Humber"),
	}
	old := la.Sighting{Year: 2019, Geo: ees.Geography{Level: "Local authority", OldLACode: "928", NewLACode: "E10000021", LAName: "Northamptonshire", RegionCode: "REast Midlands", RegionName: "East Midlands"}}
	return la.New(append(seen, old), ch)
}

func names(ms []la.Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Name())
	}
	return out
}

func TestSearchTrickyNames(t *testing.T) {
	regs := map[string]func(*testing.T) *la.Registry{"small": smallRegistry, "real": realRegistry}
	for label, build := range regs {
		t.Run(label, func(t *testing.T) {
			r := build(t)
			cases := []struct {
				query     string
				first     string
				firstCode string
				on        string
				current   bool
				succ      []string // successors of the first match
				also      []string // further matches that must be present
			}{
				{query: "hull", first: "Kingston upon Hull, City of", firstCode: "E06000010", on: la.OnAlias, current: true, also: []string{"Solihull"}},
				{query: "HULL ", first: "Kingston upon Hull, City of", firstCode: "E06000010", on: la.OnAlias, current: true},
				{query: "bristol", first: "Bristol, City of", firstCode: "E06000023", on: la.OnName, current: true},
				{query: "barrow", first: "Barrow-in-Furness", firstCode: "E07000027", on: la.OnDistrict, current: false, succ: []string{"E06000064"}},
				{query: "Barrow in Furness", first: "Barrow-in-Furness", firstCode: "E07000027", on: la.OnDistrict, current: false, succ: []string{"E06000064"}},
				{query: "barow", first: "Barrow-in-Furness", firstCode: "E07000027", on: la.OnDistrict, current: false, succ: []string{"E06000064"}},
				{query: "northamptonshire", first: "Northamptonshire", firstCode: "E10000021", on: la.OnName, current: false,
					succ: []string{"E06000061", "E06000062"}, also: []string{"North Northamptonshire", "West Northamptonshire", "East Northamptonshire", "South Northamptonshire"}},
				{query: "st helens", first: "St. Helens", firstCode: "E08000013", on: la.OnName, current: true},
				{query: "St. Helens", first: "St. Helens", firstCode: "E08000013", on: la.OnName, current: true},
				{query: "saint helens", first: "St. Helens", firstCode: "E08000013", on: la.OnName, current: true}, // by edit distance
				{query: "bcp", first: "Bournemouth, Christchurch and Poole", firstCode: "E06000058", on: la.OnInitials, current: true},
				{query: "Christchurch", first: "Christchurch", firstCode: "E07000048", on: la.OnDistrict, current: false, succ: []string{"E06000058"},
					also: []string{"Bournemouth, Christchurch and Poole"}},
				{query: "kettering", first: "Kettering", firstCode: "E07000153", on: la.OnDistrict, succ: []string{"E06000061"}},
				{query: "383", first: "Leeds", firstCode: "E08000035", on: la.OnOldCode, current: true},
				{query: "e08000035", first: "Leeds", firstCode: "E08000035", on: la.OnCode, current: true},
				{query: "928", first: "Northamptonshire", firstCode: "E10000021", on: la.OnOldCode, succ: []string{"E06000061", "E06000062"}},
			}
			for _, c := range cases {
				ms := r.Search(c.query, 0)
				if c.first == "" {
					if len(ms) > 0 && ms[0].Score < 5 {
						t.Errorf("Search(%q): want no close match, got %s (%s, score %d)", c.query, ms[0].Name(), ms[0].On, ms[0].Score)
					}
					continue
				}
				if len(ms) == 0 {
					t.Errorf("Search(%q): no matches", c.query)
					continue
				}
				m := ms[0]
				if m.Name() != c.first || m.Code() != c.firstCode {
					t.Errorf("Search(%q) first = %s (%s); want %s (%s); all: %v", c.query, m.Name(), m.Code(), c.first, c.firstCode, names(ms))
				}
				if m.On != c.on {
					t.Errorf("Search(%q) matched on %q, want %q", c.query, m.On, c.on)
				}
				if m.Current() != c.current {
					t.Errorf("Search(%q) current = %v, want %v", c.query, m.Current(), c.current)
				}
				if strings.Join(m.Successors(), ",") != strings.Join(c.succ, ",") {
					t.Errorf("Search(%q) successors = %v, want %v", c.query, m.Successors(), c.succ)
				}
				got := strings.Join(names(ms), "|")
				for _, a := range c.also {
					if !strings.Contains("|"+got+"|", "|"+a+"|") {
						t.Errorf("Search(%q) lacks %s: %v", c.query, a, names(ms))
					}
				}
			}
		})
	}
}

func TestSearchOrderAndLimit(t *testing.T) {
	r := smallRegistry(t)
	ms := r.Search("barrow", 0)
	// The district first (start of its name), Harrow later (one edit).
	if len(ms) < 2 || ms[0].Name() != "Barrow-in-Furness" || ms[1].Name() != "Harrow" {
		t.Fatalf("barrow: %v", names(ms))
	}
	if ms[1].Score <= ms[0].Score {
		t.Errorf("fuzzy match scored %d, not after %d", ms[1].Score, ms[0].Score)
	}
	if got := r.Search("northamptonshire", 2); len(got) != 2 {
		t.Errorf("limit 2 gave %d", len(got))
	}
	if got := r.Search("   ", 0); len(got) != 0 {
		t.Errorf("blank query matched %v", names(got))
	}
	if got := r.Search("zzzzzzzz", 0); len(got) != 0 {
		t.Errorf("nonsense matched %v", names(got))
	}
}

func TestResolve(t *testing.T) {
	r := smallRegistry(t)
	a, f, err := r.Resolve("Barrow-in-Furness")
	if err != nil || a.Code != "E06000064" || f == nil || f.Code != "E07000027" {
		t.Fatalf("Resolve(Barrow-in-Furness) = %v, %v, %v", a, f, err)
	}
	if !strings.Contains(f.Describe(), "former district E07000027, until 2023-03-31") {
		t.Errorf("Describe = %q", f.Describe())
	}
	a, f, err = r.Resolve("Leeds")
	if err != nil || a.Code != "E08000035" || f != nil {
		t.Fatalf("Resolve(Leeds) = %v, %v, %v", a, f, err)
	}
	// Whole words at the start of a district name, any case.
	if a, _, err := r.Resolve("weymouth"); err != nil || a.Code != "E06000059" {
		t.Fatalf("Resolve(weymouth) = %v, %v", a, err)
	}
	_, _, err = r.Resolve("Barow")
	var nf *la.NotFoundError
	if !errors.As(err, &nf) || len(nf.Suggestions) == 0 || nf.Suggestions[0] != "Barrow-in-Furness (former district)" {
		t.Fatalf("Resolve(Barow) error = %v", err)
	}
}

// TestFormerNamesAgainstLookup checks every former district against the
// ONS April 2023 LTLA→UTLA lookup in the shared folder, read here with its
// own CSV loop: a district that ended in 2023 or earlier must be absent
// from it as a lower tier, and each successor must be an upper tier in it
// (England rows) under the same code. Successors must also be current
// authorities in the registry built from the real files.
func TestFormerNamesAgainstLookup(t *testing.T) {
	dir := sharedDir(t)
	f, err := os.Open(filepath.Join(dir, "reference", "LTLA-UTLA_Apr23_Lookup_England-Wales.csv"))
	if err != nil {
		t.Skipf("lookup file absent: %v", err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	head, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	ltla, utla := map[string]string{}, map[string]string{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ltla[rec[col["LTLA23CD"]]] = rec[col["LTLA23NM"]]
		utla[rec[col["UTLA23CD"]]] = rec[col["UTLA23NM"]]
	}
	reg := realRegistry(t)
	names, err := la.DefaultFormerNames()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 30 {
		t.Fatalf("only %d former names", len(names))
	}
	for _, n := range names {
		if n.Kind == la.KindFormerDistrict {
			if n.Code == "" || n.Until == "" {
				t.Errorf("%s: district without code or end date", n.Name)
			}
			if name, ok := ltla[n.Code]; ok {
				t.Errorf("%s (%s) is still a district in April 2023 (%s)", n.Name, n.Code, name)
			}
		} else if n.Kind != la.KindAlias {
			t.Errorf("%s: unknown kind %q", n.Name, n.Kind)
		}
		if len(n.Successors) == 0 {
			t.Errorf("%s: no successors", n.Name)
		}
		for _, s := range n.Successors {
			if _, ok := utla[s]; !ok {
				t.Errorf("%s: successor %s is not an upper-tier authority in April 2023", n.Name, s)
			}
			a, ok := reg.Get(s)
			if !ok || !a.Current() || a.Code != s {
				t.Errorf("%s: successor %s is not a current authority in the registry", n.Name, s)
			}
		}
	}
	// The brief's named cases.
	want := map[string]string{
		"Barrow-in-Furness": "Westmorland and Furness", "Eden": "Westmorland and Furness", "South Lakeland": "Westmorland and Furness",
		"Allerdale": "Cumberland", "Carlisle": "Cumberland", "Copeland": "Cumberland",
		"Christchurch": "Bournemouth, Christchurch and Poole",
		"Kettering":    "North Northamptonshire", "Corby": "North Northamptonshire", "Wellingborough": "North Northamptonshire", "East Northamptonshire": "North Northamptonshire",
		"Daventry": "West Northamptonshire", "Northampton": "West Northamptonshire", "South Northamptonshire": "West Northamptonshire",
		"Hull": "Kingston upon Hull, City of",
	}
	for _, n := range names {
		if w, ok := want[n.Name]; ok {
			delete(want, n.Name)
			if got := utla[n.Successors[0]]; got != w {
				t.Errorf("%s → %s in the ONS lookup, want %s", n.Name, got, w)
			}
		}
	}
	for n := range want {
		t.Errorf("former_names.json lacks %s", n)
	}
}

func TestFormerNamesOf(t *testing.T) {
	r := smallRegistry(t)
	var got []string
	for _, f := range r.FormerNamesOf("943") {
		got = append(got, f.Name)
	}
	if strings.Join(got, ",") != "Barrow-in-Furness,Eden,South Lakeland" {
		t.Errorf("FormerNamesOf(943) = %v", got)
	}
}
