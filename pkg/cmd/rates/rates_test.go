package rates

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

func run(t *testing.T, dir, format string, opts Options) (string, string, error) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	opts.Factory = &cmdutil.Factory{IOStreams: ios, DataDir: dir, Format: format}
	if opts.Sort == "" {
		opts.Sort = "name"
	}
	err := ratesRun(&opts)
	return out.String(), errOut.String(), err
}

func TestRatesCSVHeaderAndLeeds2021(t *testing.T) {
	dir := testfiles.SharedEES(t)
	out, stderr, err := run(t, dir, "csv", Options{Measures: []string{"s47"}, Years: []string{"2021"}, LAs: []string{"Leeds"}})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(recs[0], ","), "measure,time_period,geographic_level,new_la_code,la_name,region_name,count,population,rate_per_10k,ci_lower,ci_upper,old_la_code,note"; got != want {
		t.Fatalf("header\n got %s\nwant %s", got, want)
	}
	// England, Yorkshire and The Humber, Leeds.
	if len(recs) != 4 {
		t.Fatalf("want 3 rows, got %d: %v", len(recs)-1, recs)
	}
	var leeds []string
	for _, r := range recs[1:] {
		if r[3] == "E08000035" {
			leeds = r
		}
	}
	// c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv:
	//   2021,...,383,E08000035,Leeds,...,1718,...   (Section47)
	// ons_mid-year_population_estimates_2012_to_2024.csv (mid-2020 for 2020-21):
	//   2020,...,383,E08000035,Leeds,Children aged 0 to 17 years,170292
	want := 1718.0 / 170292.0 * 10000
	got, _ := strconv.ParseFloat(leeds[8], 64)
	if math.Abs(got-want) > 1e-9 || leeds[6] != "1718" || leeds[7] != "170292" {
		t.Errorf("Leeds row %v: want count 1718, population 170292, rate %v", leeds, want)
	}
	if !strings.Contains(stderr, "Section 47 enquiries") || !strings.Contains(stderr, "c4_children_in_need") {
		t.Errorf("notes on stderr should define the measure and cite the file, got %q", stderr)
	}
}

func TestRatesSuppressedIsEmptyNotZero(t *testing.T) {
	dir := testfiles.SharedEES(t)
	// c4 2021: "...,420,E06000053,Isles of Scilly,...,c,..." (Section47 suppressed)
	out, stderr, err := run(t, dir, "csv", Options{Measures: []string{"s47"}, Years: []string{"2021"}, LAs: []string{"Isles of Scilly"}})
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
	var row []string
	for _, r := range recs {
		if r[3] == "E06000053" {
			row = r
		}
	}
	if row == nil {
		t.Fatalf("no Isles of Scilly row in %q", out)
	}
	if row[6] != "" || row[8] != "" || row[9] != "" || row[10] != "" {
		t.Errorf("suppressed count must leave numeric cells empty, got %v", row)
	}
	if !strings.Contains(stderr, "suppressed (c)") {
		t.Errorf("want a note about the suppressed count, got %q", stderr)
	}
	// Table format shows the symbol instead.
	tab, _, err := run(t, dir, "table", Options{Measures: []string{"s47"}, Years: []string{"2021"}, LAs: []string{"Isles of Scilly"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tab, "Isles of Scilly") || !strings.Contains(tab, " c ") {
		t.Errorf("table should show the symbol c:\n%s", tab)
	}
}

func TestRatesRegionFilterAndSort(t *testing.T) {
	dir := testfiles.SharedEES(t)
	out, _, err := run(t, dir, "json", Options{Measures: []string{"s47"}, Years: []string{"2024"}, Region: "north east", Sort: "rate"})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Rates []map[string]any `json:"rates"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	// England, North East, then its 12 authorities.
	if len(doc.Rates) != 14 {
		t.Fatalf("want England + region + 12 North East authorities, got %d rows", len(doc.Rates))
	}
	if doc.Rates[0]["la_name"] != "England" || doc.Rates[1]["la_name"] != "North East" {
		t.Errorf("first rows should be England and North East, got %v, %v", doc.Rates[0]["la_name"], doc.Rates[1]["la_name"])
	}
	prev := math.Inf(1)
	for _, r := range doc.Rates[2:] {
		if r["region_name"] != "North East" {
			t.Errorf("row outside the region: %v", r)
		}
		v, ok := r["rate_per_10k"].(float64)
		if !ok {
			continue
		}
		if v > prev {
			t.Errorf("not sorted by rate: %v after %v", v, prev)
		}
		prev = v
	}
}

func TestRatesAllMeasuresAllYears(t *testing.T) {
	dir := testfiles.SharedEES(t)
	out, _, err := run(t, dir, "csv", Options{Measures: []string{"all"}, Years: []string{"all"}})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	perMeasure := map[string]map[string]bool{}
	for _, r := range recs[1:] {
		if perMeasure[r[0]] == nil {
			perMeasure[r[0]] = map[string]bool{}
		}
		perMeasure[r[0]][r[1]] = true
	}
	for _, m := range measures.Catalogue {
		if len(perMeasure[m.ID]) == 0 {
			t.Errorf("measure %s missing from the full table", m.ID)
		}
	}
	if len(perMeasure["s47"]) != 13 || len(perMeasure["under1_starts"]) != 5 {
		t.Errorf("years: s47 %d (want 13: 2013-2025), under1_starts %d (want 5: 2018-2022)", len(perMeasure["s47"]), len(perMeasure["under1_starts"]))
	}
}

func TestRatesBadInput(t *testing.T) {
	dir := testfiles.SharedEES(t)
	_, _, err := run(t, dir, "table", Options{Measures: []string{"s48"}})
	if err == nil || !cmdutil.IsFlagError(err) || !strings.Contains(err.Error(), "s47") {
		t.Errorf("unknown measure: want a usage error listing valid measures, got %v", err)
	}
	_, _, err = run(t, dir, "table", Options{Measures: []string{"s47"}, LAs: []string{"Leds"}})
	var nf *la.NotFoundError
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "Leeds") {
		t.Errorf("unknown LA: want suggestions including Leeds, got %v", err)
	}
	_, _, err = run(t, dir, "table", Options{Measures: []string{"s47"}, Years: []string{"1999"}})
	if err == nil || !strings.Contains(err.Error(), "2013-2025") {
		t.Errorf("missing year: want the available years, got %v", err)
	}
	_, _, err = run(t, t.TempDir(), "table", Options{Measures: []string{"s47"}})
	if err == nil || !strings.Contains(err.Error(), "cscstats fetch") || !strings.Contains(err.Error(), "--data") {
		t.Errorf("empty data dir: want advice to fetch or use --data, got %v", err)
	}
}

// --per under1: under1_starts per 10,000 children aged under 1, checked by
// hand for Hartlepool, Leeds, the North East and England from the fixture
// rows (testdata/ees/babies), beside the usual per 10,000 aged 0-17.
//
//	starts_by_age_fixture.csv, 2022, Under 1 year:
//	  England 5000, North East 400, Hartlepool 30, Leeds 60, Darlington c
//	population_by_age_fixture.csv, mid-2021 (for 2021-22):
//	  under 1:  England 600000, North East 25000, Hartlepool 900, Leeds 9000
//	  0 to 17:  England 12000000, North East 500000, Hartlepool 20000, Leeds 170000
//
// Per under 1: Hartlepool 30/900*10000 = 333.33, Leeds 60/9000*10000 =
// 66.67, North East 400/25000*10000 = 160, England 5000/600000*10000 =
// 83.33. Per 0-17: Hartlepool 15, Leeds 3.53: the order of the two
// councils is the same, but Hartlepool is 5 times Leeds per baby and 4.25
// times per child.
func TestRatesPerUnder1(t *testing.T) {
	dir := testfiles.Fixture(t, "ees", "babies")
	starts, pops := map[string]float64{}, map[string]map[string]float64{}
	testfiles.EachRow(t, dir+"/starts_by_age_fixture.csv", func(r map[string]string) {
		if r["time_period"] == "2022" && r["characteristic"] == "Under 1 year" {
			if v, err := strconv.ParseFloat(r["number"], 64); err == nil {
				starts[r["geographic_level"]+r["new_la_code"]+r["region_code"]] = v
			}
		}
	})
	testfiles.EachRow(t, dir+"/population_by_age_fixture.csv", func(r map[string]string) {
		if r["time_period"] == "2021" {
			k := r["geographic_level"] + r["new_la_code"] + r["region_code"]
			if pops[r["age_group"]] == nil {
				pops[r["age_group"]] = map[string]float64{}
			}
			v, _ := strconv.ParseFloat(r["population_estimate"], 64)
			pops[r["age_group"]][k] = v
		}
	})
	byHand := map[string]float64{"Hartlepool": 333.3333333, "Leeds": 66.6666667, "North East": 160, "England": 83.3333333}
	keys := map[string]string{"Hartlepool": "Local authorityE06000001E12000001", "Leeds": "Local authorityE08000035E12000003",
		"North East": "RegionalE12000001", "England": "National"}
	for _, c := range []struct {
		per, ageGroup, title string
	}{
		{"under1", "Children aged under 1 year", "per 10,000 children aged under 1, 2022"},
		{"0-17", "Children aged 0 to 17 years", "per 10,000 children aged 0-17, 2022"},
	} {
		out, stderr, err := run(t, dir, "csv", Options{Measures: []string{"under1_starts"}, Years: []string{"2022"}, Per: c.per,
			LAs: []string{"Hartlepool", "Leeds"}})
		if err != nil {
			t.Fatalf("--per %s: %v", c.per, err)
		}
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, r := range recs[1:] {
			got[r[4]] = r
		}
		for name, k := range keys {
			r := got[name]
			if r == nil {
				t.Fatalf("--per %s: no row for %s in\n%s", c.per, name, out)
			}
			want := starts[k] / pops[c.ageGroup][k] * 10000
			if c.per == "under1" && math.Abs(want-byHand[name]) > 1e-6 {
				t.Fatalf("fixture arithmetic: %s %v, by hand %v", name, want, byHand[name])
			}
			rate, _ := strconv.ParseFloat(r[8], 64)
			pop, _ := strconv.ParseFloat(r[7], 64)
			if math.Abs(rate-want) > 1e-9 || pop != pops[c.ageGroup][k] {
				t.Errorf("--per %s %s: rate %s, population %s; want %v over %v", c.per, name, r[8], r[7], want, pops[c.ageGroup][k])
			}
		}
		// The table says which denominator it used.
		md, _, err := run(t, dir, "markdown", Options{Measures: []string{"under1_starts"}, Years: []string{"2022"}, Per: c.per, LAs: []string{"Hartlepool"}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(md, "Children starting care aged under 1 "+c.title) {
			t.Errorf("--per %s: title should say the denominator:\n%s", c.per, md)
		}
		if c.per == "under1" && !strings.Contains(md, "Rate per 10,000 children aged under 1 (ONS mid-year estimate; asked for with --per under1") {
			t.Errorf("notes should name the under-1 denominator:\n%s", md)
		}
		// Bournemouth (2019) has a count but no population: named on stderr.
		if !strings.Contains(stderr, "Bournemouth (E06000028) lacks a denominator for 2019") {
			t.Errorf("--per %s: stderr should name Bournemouth as lacking a denominator:\n%s", c.per, stderr)
		}
	}
	if _, _, err := run(t, dir, "csv", Options{Measures: []string{"under1_starts"}, Per: "under2"}); err == nil || !cmdutil.IsFlagError(err) {
		t.Errorf("--per under2: %v, want a flag error", err)
	}
}

// Item 11: with only the children-in-need files there is no population:
// every row keeps its count, has no rate and says why, and the notes say
// there are no denominators instead of naming a DfE column that is not
// there. Leeds s47 2020-21 is 1718 in the c4 file (read by hand below).
func TestRatesWithoutPopulation(t *testing.T) {
	src := testfiles.SharedFile(t, "cin", "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv")
	var leeds string
	testfiles.EachRow(t, src, func(r map[string]string) {
		if r["time_period"] == "2021" && r["la_name"] == "Leeds" {
			leeds = r["Section47"]
		}
	})
	dir := t.TempDir()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(src)), b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := run(t, dir, "csv", Options{Measures: []string{"s47"}, Years: []string{"2021"}, LAs: []string{"Leeds"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "s47,2021,Local authority,E08000035,Leeds,Yorkshire and The Humber," + leeds + ",,,,,383,no rate: no population estimate for mid-2020\n"
	if leeds != "1718" || !strings.Contains(out, want) {
		t.Errorf("want the row\n%s in\n%s", want, out)
	}
	const note = "note: Years: 2021 (reporting years ending 31 March); denominators: none. The data directory has no population estimates (neither ONS's mid-year estimates nor DfE's CLA file with its population_estimate column), so no rate can be computed: add them with `cscstats fetch population` or `cscstats fetch --from DIR`.\n"
	if !strings.Contains(stderr, note) || strings.Contains(stderr, "population_estimate column (no ONS") {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, note)
	}
}

// Item 6: the former county is named distinctly from today's Dorset, and
// its row says why it has no rate (ONS publishes no estimate for the old
// areas: the population file has "x" for them). 854 is the c4 file's
// Section47 for E10000009 in 2015, read by hand.
func TestRatesFormerDorsetNamedDistinctly(t *testing.T) {
	dir := testfiles.SharedEES(t)
	var count string
	testfiles.EachRow(t, filepath.Join(dir, "cin", "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"), func(r map[string]string) {
		if r["time_period"] == "2015" && r["new_la_code"] == "E10000009" {
			count = r["Section47"]
		}
	})
	out, _, err := run(t, dir, "csv", Options{Measures: []string{"s47"}, Years: []string{"2015"}, Region: "South West"})
	if err != nil {
		t.Fatal(err)
	}
	want := `s47,2015,Local authority,E10000009,"Dorset (county, to 2019)",South West,` + count + ",,,,,835,no rate: no population estimate for mid-2014\n"
	if count != "854" || !strings.Contains(out, want) {
		t.Errorf("want\n%s in\n%s", want, out)
	}
	if strings.Count(out, ",Dorset,") != 0 {
		t.Errorf("an area is still called plain Dorset in 2015:\n%s", out)
	}
}
