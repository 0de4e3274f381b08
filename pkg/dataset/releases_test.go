package dataset_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// Two different values for one key in one release are refused, naming
// both lines; an identical repeat is noted and kept once.
func TestConflictInOneRelease(t *testing.T) {
	_, err := dataset.Load(testfiles.Fixture(t, "ees", "conflict"))
	var ce *dataset.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a *ConflictError", err)
	}
	msg := err.Error()
	for _, want := range []string{"s47_conflict.csv:3", "s47_conflict.csv:5", "170", "171", "Leeds", "s47", "2021"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not name %q", msg, want)
		}
	}

	st, err := dataset.Load(testfiles.Fixture(t, "ees", "duplicate"))
	if err != nil {
		t.Fatal(err)
	}
	rep := report(t, st, "s47_duplicate.csv")
	// Line 4 repeats line 3 for s47 and for ICPC.
	if rep.Duplicates != 2 || len(rep.Notes) == 0 {
		t.Errorf("duplicates %d, notes %v; want 2 noted", rep.Duplicates, rep.Notes)
	}
	n := 0
	for _, o := range st.Observations("s47") {
		if o.Geo.NewLACode == "E08000035" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("Leeds s47 kept %d times, want once", n)
	}
}

// A file's release is what fetch recorded in the manifest (the slug
// 2022-23 is release 2023), else the latest year it covers (2024 for the
// imported copy); the newest release wins and the older values that
// differ are revisions.
func TestReleaseFromManifestOrYears(t *testing.T) {
	dir := testfiles.Fixture(t, "ees", "manifest")
	st, err := dataset.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range st.Files {
		rel, _ := filepath.Rel(dir, f.Path)
		switch filepath.ToSlash(rel) {
		case "cin/2022-23/c4_children_in_need_section_47s_and_icpcs.csv":
			if f.Release != 2023 || f.ReleaseFrom != dataset.ReleaseFromManifest {
				t.Errorf("%s: release %d from %q, want 2023 from the manifest", rel, f.Release, f.ReleaseFrom)
			}
		case "cin/local/c4_children_in_need_section_47s_and_icpcs.csv":
			if f.Release != 2024 || f.ReleaseFrom != dataset.ReleaseFromYears {
				t.Errorf("%s: release %d from %q, want 2024 from the years covered", rel, f.Release, f.ReleaseFrom)
			}
		default:
			t.Errorf("unexpected file %s", rel)
		}
	}
	// The fixture's cells: release 2023 has 2022 = 2000, 2023 = 2100;
	// release 2024 has 2022 = 1990, 2023 = 2105, 2024 = 2200.
	want := map[int]string{2022: "1990", 2023: "2105", 2024: "2200"}
	for _, o := range st.Observations("s47") {
		if o.Count.String() != want[o.Year] || o.Release != 2024 || !strings.Contains(o.File, "local") {
			t.Errorf("s47 %d = %v from %s, want %s from release 2024", o.Year, o.Count, o.Provenance(), want[o.Year])
		}
	}
	var got []string
	for _, r := range st.Revisions() {
		ch, _ := r.Change()
		got = append(got, fmt.Sprintf("%s %d %d→%d %v→%v %+g", r.Measure, r.Year, r.Old.Release, r.New.Release, r.Old.Count, r.New.Count, ch))
	}
	wantRev := []string{"s47 2022 2023→2024 2000→1990 -10", "s47 2023 2023→2024 2100→2105 +5"}
	if strings.Join(got, "; ") != strings.Join(wantRev, "; ") {
		t.Errorf("revisions\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantRev, "\n"))
	}
}

func TestReleaseYear(t *testing.T) {
	for slug, want := range map[string]int{"2025": 2025, "2024-25": 2025, "2022": 2022, "local": 0, "": 0, "local-2022": 0, "1999-00": 2000} {
		if got := dataset.ReleaseYear(slug); got != want {
			t.Errorf("ReleaseYear(%q) = %d, want %d", slug, got, want)
		}
	}
}

// cellKey identifies a figure in the hand diff.
type cellKey struct {
	measure, level, code string
	year                 int
}

// releaseCells reads, with a plain CSV loop, one CLA release's figures
// for the measures two releases share: the number-and-rate file (looked
// after at 31 March, starts, ceased; its filter column and wording differ
// between the 2022 and later layouts) and adoptions and SGOs (the
// reasons-for-ceasing file, else the Total row of the adoption/SGO
// breakdown, as the catalogue orders them).
func releaseCells(t *testing.T, rates, ceased, breakdown string) map[cellKey]string {
	out := map[cellKey]string{}
	key := func(row map[string]string, m string) (cellKey, bool) {
		y, err := strconv.Atoi(row["time_period"])
		if err != nil {
			t.Fatalf("bad time_period %q", row["time_period"])
		}
		k := cellKey{measure: m, level: row["geographic_level"], year: y}
		switch k.level {
		case "National":
		case "Regional":
			k.code = row["region_code"]
		case "Local authority":
			k.code = sameArea(row["new_la_code"])
		default:
			return k, false
		}
		return k, true
	}
	popMeasure := map[string]string{
		"children looked after at 31 march each year": "cla_31march", "children looked after on 31 march each year": "cla_31march",
		"children starting to be looked after each year": "cla_starts", "children ceasing to be looked after each year": "cla_ceased",
	}
	testfiles.EachRow(t, rates, func(row map[string]string) {
		pt, ok := row["population_type"]
		val := row["children_count"]
		if !ok {
			pt, val = row["population_count"], row["number"]
		}
		if m := popMeasure[strings.ToLower(pt)]; m != "" {
			if k, ok := key(row, m); ok {
				out[k] = val
			}
		}
	})
	reasons := map[string]string{"adopted": "adoptions", "special guardianship orders": "sgo"}
	testfiles.EachRow(t, ceased, func(row map[string]string) {
		if row["cla_group"] == "Reason episode ceased" {
			if m := reasons[strings.ToLower(row["characteristic"])]; m != "" {
				if k, ok := key(row, m); ok {
					out[k] = row["number"]
				}
			}
		}
	})
	testfiles.EachRow(t, breakdown, func(row map[string]string) {
		if m := reasons[strings.ToLower(row["cla_group"])]; m != "" && row["characteristic"] == "Total" {
			if k, ok := key(row, m); ok {
				if _, have := out[k]; !have {
					out[k] = row["number"]
				}
			}
		}
	})
	return out
}

// sameArea maps the ONS codes that changed for an unchanged area to the
// current one (ONS register of geographic codes): the 2022 release files
// North Yorkshire and Somerset under their county codes, today's files
// under the unitary ones.
func sameArea(code string) string {
	if c, ok := map[string]string{
		"E10000023": "E06000065", "E10000027": "E06000066", "E06000048": "E06000057",
		"E08000020": "E08000037", "E10000002": "E06000060",
	}[code]; ok {
		return c
	}
	return code
}

// same compares two published cells: numbers as numbers, symbols as text.
func same(a, b string) bool {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		return x == y
	}
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// With ../shared/ees and ../shared/ees-archive in one data directory the
// newest release wins for the years the November 2022 release and
// today's share, and Revisions lists exactly the cells that differ,
// checked against a hand diff of the raw files.
func TestNewestReleaseWinsAndRevisionsMatchHandDiff(t *testing.T) {
	archive := filepath.Join(testfiles.SharedArchive(t), "cla-release-2022")
	cla := filepath.Join(testfiles.SharedEES(t), "cla")
	old := releaseCells(t, filepath.Join(archive, "cla_number_and_rate_per_10k_children.csv"),
		filepath.Join(archive, "la_children_who_ceased_during_year.csv"),
		filepath.Join(archive, "la_children_who_ceased_during_the_year_sgo_adoptions.csv"))
	// Today's files: the rates file is release 2025 (covers 2021-2025),
	// the ceased files release 2024 (they cover 2020-2024).
	cur := releaseCells(t, filepath.Join(cla, "cla_number_and_rate_per_10k_children.csv"),
		filepath.Join(cla, "la_children_who_ceased_during_the_year.csv"),
		filepath.Join(cla, "la_children_who_ceased_during_the_year_sgo_adoption.csv"))
	newRelease := func(m string) int {
		if m == "adoptions" || m == "sgo" {
			return 2024
		}
		return 2025
	}

	st, err := dataset.Load(testfiles.LongSeriesDir(t))
	if err != nil {
		t.Fatal(err)
	}
	kept := map[cellKey]dataset.Observation{}
	for _, m := range []string{"cla_31march", "cla_starts", "cla_ceased", "adoptions", "sgo"} {
		for _, o := range st.Observations(m) {
			k := cellKey{measure: m, level: o.Geo.Level, year: o.Year}
			switch o.Geo.Level {
			case "Regional":
				k.code = o.Geo.RegionCode
			case "Local authority":
				k.code = sameArea(o.Geo.NewLACode)
			}
			kept[k] = o
		}
	}
	var diff []string
	overlap, differ := 0, 0
	for k, was := range old {
		now, ok := cur[k]
		if !ok {
			continue
		}
		overlap++
		o, ok := kept[k]
		if !ok {
			t.Errorf("%+v: no figure kept", k)
			continue
		}
		// Newest release wins: the kept figure is today's cell.
		if !same(o.Count.String(), now) || o.Release != newRelease(k.measure) {
			t.Errorf("%+v: kept %v from %s, want %s from release %d", k, o.Count, o.Provenance(), now, newRelease(k.measure))
		}
		if !same(was, now) {
			differ++
			diff = append(diff, fmt.Sprintf("%s %d %s %s: 2022 %s -> %d %s", k.measure, k.year, k.level, k.code, was, newRelease(k.measure), now))
		}
	}
	if overlap < 1000 || differ < 50 {
		t.Fatalf("hand diff: %d shared cells, %d differ; expected the 2022 release and today's to share 2020-2022 with revisions", overlap, differ)
	}
	var got []string
	for _, r := range st.Revisions() {
		k := cellKey{measure: r.Measure, level: r.Geo.Level, year: r.Year}
		switch r.Geo.Level {
		case "Regional":
			k.code = r.Geo.RegionCode
		case "Local authority":
			k.code = sameArea(r.Geo.NewLACode)
		}
		got = append(got, fmt.Sprintf("%s %d %s %s: %d %s -> %d %s", k.measure, k.year, k.level, k.code, r.Old.Release, r.Old.Count, r.New.Release, r.New.Count))
	}
	sort.Strings(diff)
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(diff, "\n") {
		t.Errorf("Revisions (%d) differ from the hand diff (%d)", len(got), len(diff))
		gs, ds := map[string]bool{}, map[string]bool{}
		for _, g := range got {
			gs[g] = true
		}
		for _, d := range diff {
			ds[d] = true
			if !gs[d] {
				t.Errorf("missing from Revisions: %s", d)
			}
		}
		for _, g := range got {
			if !ds[g] {
				t.Errorf("not in the hand diff: %s", g)
			}
		}
	}
	// A few cells named outright (Leeds and England), found by the hand
	// diff: a reader can check them in the two files.
	leeds := func(m string, y int) cellKey { return cellKey{m, "Local authority", "E08000035", y} }
	england := func(m string, y int) cellKey { return cellKey{m, "National", "", y} }
	for _, c := range []struct {
		k        cellKey
		was, now string
	}{
		{leeds("cla_31march", 2022), "1373", "1374"},
		{leeds("cla_starts", 2022), "452", "453"},
		{england("cla_31march", 2022), "82170", "82090"},
		{england("cla_starts", 2021), "28480", "28470"},
		{england("adoptions", 2022), "2950", "3010"},
		{england("sgo", 2022), "3870", "3910"},
	} {
		if old[c.k] != c.was || cur[c.k] != c.now {
			t.Errorf("%+v: files have %s and %s, the table says %s and %s", c.k, old[c.k], cur[c.k], c.was, c.now)
		}
		if o := kept[c.k]; o.Count.String() != c.now {
			t.Errorf("%+v: kept %v (%s), want the newer release's %s", c.k, o.Count, o.Provenance(), c.now)
		}
	}
}

// The 2010 SFR tables give authorities only by their 3-digit DfE code:
// each gets the ONS code the 2011 tables give the same DfE code (read here
// with a plain CSV loop), old boundaries and old codes included (old
// Dorset 835, Poole 836, Bournemouth 837, Northamptonshire 928, Cumbria
// 909, Gateshead 390 and Northumberland 929 under their codes of the time).
func TestSFR2010CodesFromLaterFiles(t *testing.T) {
	archive := testfiles.SharedArchive(t)
	ons := map[string]string{}
	testfiles.EachRow(t, filepath.Join(archive, "sfr", "2011", "SFR21_CLA.csv"), func(row map[string]string) {
		if row["geog_l"] == "LA" {
			ons[row["geog_c"]] = row["New_geog_code"]
		}
	})
	for dfe, code := range map[string]string{"835": "E10000009", "836": "E06000029", "837": "E06000028", "928": "E10000021", "909": "E10000006", "390": "E08000020", "929": "E06000048"} {
		if ons[dfe] != code {
			t.Errorf("SFR21_CLA.csv gives %s as %q; this test expects %s", dfe, ons[dfe], code)
		}
	}
	st, err := dataset.Load(testfiles.LongSeriesDir(t))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range st.Observations("cla_31march") {
		if o.Year != 2010 || o.Geo.Level != "Local authority" {
			continue
		}
		n++
		if ons[o.Geo.OldLACode] == "" { // not in the 2011 tables (the Isles of Scilly): a later file's code
			if len(o.Geo.NewLACode) != 9 {
				t.Errorf("2010 %s (%s): no ONS code", o.Geo.LAName, o.Geo.OldLACode)
			}
			continue
		}
		if o.Geo.NewLACode != ons[o.Geo.OldLACode] {
			t.Errorf("2010 %s (%s): ONS code %q, the 2011 tables give %q", o.Geo.LAName, o.Geo.OldLACode, o.Geo.NewLACode, ons[o.Geo.OldLACode])
		}
	}
	if n < 150 {
		t.Errorf("only %d authorities in 2010", n)
	}
}
