package population_test

import (
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

func TestMidYearFor(t *testing.T) {
	// 2020-21 (time_period 2021, the year ending 31 March 2021) uses the
	// estimate for 30 June 2020.
	for ry, my := range map[int]int{2021: 2020, 2013: 2012, 2025: 2024} {
		if got := population.MidYearFor(ry); got != my {
			t.Errorf("MidYearFor(%d) = %d, want %d", ry, got, my)
		}
	}
}

func registry(t *testing.T, seen ...la.Sighting) *la.Registry {
	t.Helper()
	changes, err := la.DefaultChanges()
	if err != nil {
		t.Fatal(err)
	}
	return la.New(seen, changes)
}

func laGeo(code, old, name string) ees.Geography {
	return ees.Geography{Level: "Local authority", NewLACode: code, OldLACode: old, LAName: name, RegionCode: "E12000001", RegionName: "North East"}
}

func TestTableFor(t *testing.T) {
	northumberlandOld := laGeo("E06000048", "929", "Northumberland")
	leeds := laGeo("E08000035", "383", "Leeds")
	wakefield := laGeo("E08000036", "384", "Wakefield")
	reg := registry(t, la.Sighting{Geo: leeds}, la.Sighting{Geo: wakefield}, la.Sighting{Geo: laGeo("E06000057", "929", "Northumberland")})
	rows := []dataset.PopulationRow{
		{Source: dataset.ONS, AgeBand: "0-17", Year: 2020, Geo: leeds, Value: ees.Num(170292), File: "pop.csv", Line: 7},
		{Source: dataset.ONS, AgeBand: "under 1", Year: 2020, Geo: leeds, Value: ees.Num(9000)},
		{Source: dataset.ONS, AgeBand: "0-17", Year: 2020, Geo: ees.Geography{Level: "National"}, Value: ees.Num(11787794)},
		{Source: dataset.ONS, AgeBand: "0-17", Year: 2020, Geo: ees.Geography{Level: "Regional", RegionCode: "E12000003"}, Value: ees.Num(1200000)},
		// Filed under Northumberland's former code.
		{Source: dataset.ONS, AgeBand: "0-17", Year: 2020, Geo: northumberlandOld, Value: ees.Num(61000)},
		// A suppressed estimate is no estimate: the DfE figure fills in.
		{Source: dataset.ONS, AgeBand: "0-17", Year: 2021, Geo: wakefield, Value: ees.Missing(ees.NotAvailable)},
		{Source: dataset.DfE, AgeBand: "0-17", Year: 2022, Geo: wakefield, Value: ees.Num(70000), File: "cla.csv", Line: 3},
		// ONS wins over DfE where both exist.
		{Source: dataset.DfE, AgeBand: "0-17", Year: 2021, Geo: leeds, Value: ees.Num(1)},
	}
	tab := population.New(rows, reg)
	for _, c := range []struct {
		code     string
		year     int
		band     population.Band
		want     float64
		midYear  int
		source   dataset.PopulationSource
		ok       bool
		fileLine string
	}{
		{"E08000035", 2021, population.Children, 170292, 2020, dataset.ONS, true, "pop.csv:7"},
		{"E08000035", 2021, population.Under1, 9000, 2020, dataset.ONS, true, ""},
		{"E08000035", 2020, population.Children, 0, 0, "", false, ""}, // no mid-2019
		{"E08000035", 2022, population.Children, 0, 0, "", false, ""}, // no mid-2021
		{population.EnglandCode, 2021, population.Children, 11787794, 2020, dataset.ONS, true, ""},
		{"E12000003", 2021, population.Children, 1200000, 2020, dataset.ONS, true, ""},
		{"E06000057", 2021, population.Children, 61000, 2020, dataset.ONS, true, ""},
		{"E08000036", 2022, population.Children, 70000, 2021, dataset.DfE, true, "cla.csv:3"},
		{"E08000036", 2021, population.Children, 0, 0, "", false, ""},
	} {
		e, ok := tab.For(c.code, c.year, c.band)
		if ok != c.ok || e.Value != c.want || (ok && (e.MidYear != c.midYear || e.Source != c.source)) {
			t.Errorf("For(%s, %d, %s) = %+v, %v; want %v mid-%d from %s", c.code, c.year, c.band, e, ok, c.want, c.midYear, c.source)
		}
		if c.fileLine != "" && e.File+":"+strconv.Itoa(e.Line) != c.fileLine {
			t.Errorf("For(%s, %d) from %s:%d, want %s", c.code, c.year, e.File, e.Line, c.fileLine)
		}
	}
	if my := tab.MidYears(); len(my) != 1 || my[0] != 2020 {
		t.Errorf("MidYears = %v, want [2020] (the suppressed 2021 row gives no year)", my)
	}
	if got := population.AreaCode(reg, "National", "", "", ""); got != population.EnglandCode {
		t.Errorf("AreaCode(National) = %s", got)
	}
	if got := population.AreaCode(reg, "Regional", "E92000001", "E12000003", ""); got != "E12000003" {
		t.Errorf("AreaCode(Regional) = %s", got)
	}
	if got := population.AreaCode(reg, "Local authority", "E92000001", "E12000001", "E06000048"); got != "E06000057" {
		t.Errorf("AreaCode(Northumberland old code) = %s", got)
	}
}

func sharedTable(t *testing.T) (*population.Table, *la.Registry, string) {
	t.Helper()
	dir := testfiles.SharedEES(t)
	st, err := dataset.Load(dir)
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
	reg := registry(t, seen...)
	return population.New(st.Population, reg), reg, dir
}

func TestSharedEstimates(t *testing.T) {
	tab, _, _ := sharedTable(t)
	// ons_mid-year_population_estimates_2012_to_2024.csv:
	//  line 2024: 2012,Reporting year,Local authority,...,383,E08000035,Leeds,Children aged 0 to 17 years,156568
	//  line  714: 2020,Reporting year,Local authority,...,383,E08000035,Leeds,Children aged 0 to 17 years,170292
	//  line 1970: 2012,Reporting year,National,E92000001,England,,,,,,Children aged 0 to 17 years,11403970
	//  line  660: 2020,Reporting year,National,E92000001,England,,,,,,Children aged 0 to 17 years,11787794
	//  line 1102: 2018,Reporting year,Local authority,...,837,E06000028,Bournemouth,Children aged 0 to 17 years,x
	for _, c := range []struct {
		code   string
		year   int
		want   float64
		line   int
		exists bool
	}{
		{"E08000035", 2013, 156568, 2024, true},
		{"E08000035", 2021, 170292, 714, true},
		{population.EnglandCode, 2013, 11403970, 1970, true},
		{population.EnglandCode, 2021, 11787794, 660, true},
		{"E06000028", 2019, 0, 0, false}, // suppressed in the ONS file
	} {
		e, ok := tab.For(c.code, c.year, population.Children)
		if ok != c.exists || e.Value != c.want || (ok && (e.Line != c.line || e.Source != dataset.ONS || e.MidYear != c.year-1)) {
			t.Errorf("For(%s, %d) = %+v, %v; want %v from line %d", c.code, c.year, e, ok, c.want, c.line)
		}
	}
}

// DfE publishes the denominator it used beside its CLA rates
// (population_estimate in cla_number_and_rate_per_10k_children.csv, by
// reporting year). Read with this test's own CSV loop, it equals the ONS
// estimate for mid-year Y-1, which is how the convention was established.
// (North Yorkshire and Somerset are filed under their pre-2023 codes in the
// ONS file before mid-2023: they match through the registry's code changes.)
func TestSharedDfEDenominatorIsMidYearBefore(t *testing.T) {
	tab, reg, dir := sharedTable(t)
	f, err := os.Open(filepath.Join(dir, "cla", "cla_number_and_rate_per_10k_children.csv"))
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	header, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimPrefix(h, "\ufeff")] = i // the file starts with a BOM
	}
	shares := map[int][2]int{} // offset → matched, compared
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec[col["geographic_level"]] != "Local authority" || rec[col["population_type"]] != "Children looked after on 31 March each year" {
			continue
		}
		dfe, err := strconv.Atoi(rec[col["population_estimate"]])
		if err != nil {
			continue // "x" for authorities that did not exist that year
		}
		year, _ := strconv.Atoi(rec[col["time_period"]])
		code := reg.Canonical(rec[col["new_la_code"]])
		for _, off := range []int{-2, -1, 0} {
			// For(code, year+off+1) looks up mid-year year+off.
			e, ok := tab.For(code, year+off+1, population.Children)
			if !ok || e.Source != dataset.ONS {
				continue
			}
			s := shares[off]
			s[1]++
			if e.Value == float64(dfe) {
				s[0]++
			}
			shares[off] = s
		}
	}
	for _, off := range []int{-2, -1, 0} {
		s := shares[off]
		t.Logf("DfE population_estimate = ONS mid-year Y%+d for %d of %d LA rows", off, s[0], s[1])
	}
	if s := shares[-1]; s[1] < 700 || float64(s[0]) < 0.99*float64(s[1]) {
		t.Errorf("mid-year Y-1 matches %d of %d; want at least 99%% of 700+ rows", s[0], s[1])
	}
	for _, off := range []int{-2, 0} {
		if s := shares[off]; float64(s[0]) > 0.05*float64(s[1]) {
			t.Errorf("mid-year Y%+d matches %d of %d: the convention would be ambiguous", off, s[0], s[1])
		}
	}
}

// Two releases give mid-2020 for Northumberland, under its former and its
// current code. The release reaching the later mid-year wins, whichever
// comes last.
func TestTableNewerReleaseWins(t *testing.T) {
	current, former := laGeo("E06000057", "929", "Northumberland"), laGeo("E06000048", "929", "Northumberland")
	reg := registry(t, la.Sighting{Geo: current})
	newer := []dataset.PopulationRow{
		{Source: dataset.ONS, AgeBand: "0-17", Year: 2021, Geo: current, Value: ees.Num(62000), File: "new.csv", Line: 2},
		{Source: dataset.ONS, AgeBand: "0-17", Year: 2020, Geo: current, Value: ees.Num(61000), File: "new.csv", Line: 3},
	}
	older := []dataset.PopulationRow{
		{Source: dataset.ONS, AgeBand: "0-17", Year: 2020, Geo: former, Value: ees.Num(60000), File: "old.csv", Line: 2},
	}
	for name, rows := range map[string][]dataset.PopulationRow{
		"older last":  append(append([]dataset.PopulationRow{}, newer...), older...),
		"older first": append(append([]dataset.PopulationRow{}, older...), newer...),
	} {
		e, ok := population.New(rows, reg).For("E06000057", 2021, population.Children)
		if !ok || e.Value != 61000 || e.File != "new.csv" {
			t.Errorf("%s: For(Northumberland, 2021) = %+v, want 61000 from new.csv", name, e)
		}
	}
}

func TestParseBand(t *testing.T) {
	for in, want := range map[string]population.Band{"": population.Children, "0-17": population.Children, "under1": population.Under1,
		"Under 1": population.Under1, "under-5": population.Under5, "0-4": population.Under5} {
		if got, ok := population.ParseBand(in); !ok || got != want {
			t.Errorf("ParseBand(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"under2", "5-9", "adults"} {
		if _, ok := population.ParseBand(bad); ok {
			t.Errorf("ParseBand(%q) accepted", bad)
		}
	}
	for _, b := range population.Bands {
		if got, ok := population.ParseBand(b.Flag()); !ok || got != b {
			t.Errorf("%q: its flag %q reads back as %q", b, b.Flag(), got)
		}
	}
}

// Each age band is looked up from its own rows (testdata/ees/babies:
// Hartlepool mid-2021 has 20000 aged 0-17, 900 under 1, 4800 under 5);
// a band a file lacks (Darlington under 5) is missing, not another band's
// figure.
func TestForBands(t *testing.T) {
	st, err := dataset.Load(testfiles.Fixture(t, "ees", "babies"))
	if err != nil {
		t.Fatal(err)
	}
	changes, err := la.DefaultChanges()
	if err != nil {
		t.Fatal(err)
	}
	var seen []la.Sighting
	for _, p := range st.Population {
		seen = append(seen, la.Sighting{Geo: p.Geo})
	}
	tab := population.New(st.Population, la.New(seen, changes))
	for band, want := range map[population.Band]float64{population.Children: 20000, population.Under1: 900, population.Under5: 4800} {
		e, ok := tab.For("E06000001", 2022, band)
		if !ok || e.Value != want || e.MidYear != 2021 {
			t.Errorf("Hartlepool 2022 %s: %+v %v, want %v from mid-2021", band, e, ok, want)
		}
	}
	if e, ok := tab.For("E06000005", 2022, population.Under5); ok {
		t.Errorf("Darlington has no under-5 row, got %+v", e)
	}
}

// Vintages on hand-made rows: as-published takes the earliest release
// giving the year; latest takes ONS, or a DfE estimate no older than the
// ONS rows, and otherwise says why instead of switching vintage.
func TestForVintage(t *testing.T) {
	leeds := laGeo("E08000035", "383", "Leeds")
	reg := registry(t, la.Sighting{Geo: leeds})
	rows := []dataset.PopulationRow{
		{Source: dataset.ONS, AgeBand: "0-17", Year: 2020, Geo: leeds, Value: ees.Num(170292), File: "ons.csv", Release: 2024},
		{Source: dataset.DfE, AgeBand: "0-17", Year: 2021, Geo: leeds, Value: ees.Num(170581), File: "cla2022.csv", Line: 5, Release: 2022},
		{Source: dataset.DfE, AgeBand: "0-17", Year: 2021, Geo: leeds, Value: ees.Num(170292), File: "cla2025.csv", Line: 9, Release: 2025},
		{Source: dataset.DfE, AgeBand: "0-17", Year: 2010, Geo: leeds, Value: ees.Num(166000), File: "SFR27_2010_March.csv", Line: 74, Release: 2010, Column: "Mid2009Pop0-17"},
		{Source: dataset.DfE, AgeBand: "0-17", Year: 2025, Geo: leeds, Value: ees.Num(175000), File: "cla2025.csv", Line: 2, Release: 2025},
	}
	tab := population.New(rows, reg)
	for _, c := range []struct {
		v      population.Vintage
		year   int
		want   float64
		file   string
		reason string
	}{
		{population.AsPublished, 2021, 170581, "cla2022.csv", ""},          // the earlier of two releases
		{population.Latest, 2021, 170292, "ons.csv", ""},                   // ONS mid-2020
		{population.AsPublished, 2010, 166000, "SFR27_2010_March.csv", ""}, // Mid2009Pop0-17
		{population.Latest, 2010, 0, "", "earlier vintage"},                // not the 2010 DfE figure
		{population.Latest, 2025, 175000, "cla2025.csv", ""},               // DfE release 2025 >= ONS 2024
		{population.AsPublished, 2015, 0, "", "no as-published population estimate"},
	} {
		e, ok, why := tab.ForVintage(c.v, "E08000035", c.year, population.Children)
		switch {
		case c.reason != "" && (ok || !strings.Contains(why, c.reason)):
			t.Errorf("%s %d: %v ok=%v %q, want none because %q", c.v, c.year, e.Value, ok, why, c.reason)
		case c.reason == "" && (!ok || e.Value != c.want || e.File != c.file):
			t.Errorf("%s %d: %v from %s (ok=%v, %q), want %v from %s", c.v, c.year, e.Value, e.File, ok, why, c.want, c.file)
		}
	}
	if e, _, _ := tab.ForVintage(population.AsPublished, "E08000035", 2010, population.Children); !strings.Contains(e.Describe(), "Mid2009Pop0-17 for 2010, release 2010 (SFR27_2010_March.csv:74)") {
		t.Errorf("Describe: %q", e.Describe())
	}
	for in, want := range map[string]population.Vintage{"": population.Latest, "latest": population.Latest, "as-published": population.AsPublished} {
		if v, err := population.ParseVintage(in); err != nil || v != want {
			t.Errorf("ParseVintage(%q) = %v, %v", in, v, err)
		}
	}
	if _, err := population.ParseVintage("2021"); err == nil {
		t.Error("ParseVintage accepted 2021")
	}
}
