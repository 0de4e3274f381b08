package rates_test

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

var (
	longOnce sync.Once
	longCalc *rates.Calculator
	longErr  error
)

// longSeries loads ../shared/ees and ../shared/ees-archive as one data
// directory (symbolic links in a temporary folder), once per test binary.
func longSeries(t *testing.T) *rates.Calculator {
	t.Helper()
	dir := testfiles.LongSeriesDir(t)
	longOnce.Do(func() { longCalc, longErr = rates.Load(dir) })
	if longErr != nil {
		t.Fatal(longErr)
	}
	return longCalc
}

// sfrExpected reads, with a plain CSV loop, what the SFR files of one
// year publish for each local authority: the looked after at 31 March
// cell, the started-aged-under-1 cell, and adoptions (the adoptions
// table's total where the year has one, else the sum of the two legal
// routes, unknown when either is not a number). Files are told apart by
// their columns, as cscstats does; "" means not a number.
func sfrExpected(t *testing.T, year int) map[string]map[string]string {
	dir := filepath.Join(testfiles.SharedArchive(t), "sfr", strconv.Itoa(year))
	paths, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	if len(paths) == 0 {
		t.Skipf("no SFR files in %s", dir)
	}
	out := map[string]map[string]string{"cla_31march": {}, "under1_starts": {}, "adoptions": {}}
	sums := map[string]string{}
	hasTotal := false
	for _, p := range paths {
		testfiles.EachRow(t, p, func(row map[string]string) {
			code := row["New_geog_code"]
			if row["geog_l"] != "LA" && !(row["geog_l"] == "" && strings.HasPrefix(code, "E06")) {
				return
			}
			if v, ok := row[fmt.Sprintf("CLA_Mar%d", year)]; ok {
				out["cla_31march"][code] = number(v)
			}
			if v, ok := row["SCLA_U1"]; ok {
				out["under1_starts"][code] = number(v)
			}
			_, second := row["CLA_ceaAdop2"]
			if v, ok := row["CLA_ceaAdop"]; ok && !second {
				out["adoptions"][code] = number(v)
				hasTotal = true
			}
			var a, b string
			for _, c := range []string{"CLA_ceaAdop", "CLA_ceaAdop1", "CEA_Adop1"} {
				if v, ok := row[c]; ok && second || ok && c == "CEA_Adop1" {
					a = v
				}
			}
			for _, c := range []string{"CLA_ceaAdop2", "CEA_Adop2"} {
				if v, ok := row[c]; ok {
					b = v
				}
			}
			if a != "" && b != "" {
				x, y := number(a), number(b)
				if x == "" || y == "" {
					sums[code] = ""
				} else {
					xi, _ := strconv.Atoi(x)
					yi, _ := strconv.Atoi(y)
					sums[code] = strconv.Itoa(xi + yi)
				}
			}
		})
	}
	if !hasTotal {
		for code, s := range sums {
			out["adoptions"][code] = s
		}
	}
	return out
}

// number returns the cell if it is a whole number, else "".
func number(s string) string {
	if _, err := strconv.Atoi(s); err != nil {
		return ""
	}
	return s
}

// For every local authority and year 2011-2017, the counts cscstats
// reports equal the SFR cells (issue 10 acceptance).
func TestSFRCountsEqualFileCells(t *testing.T) {
	calc := longSeries(t)
	checked, missing := 0, 0
	for year := 2011; year <= 2017; year++ {
		want := sfrExpected(t, year)
		for _, m := range []string{"cla_31march", "under1_starts", "adoptions"} {
			if len(want[m]) < 150 {
				t.Fatalf("%d %s: only %d authorities in the files", year, m, len(want[m]))
			}
			for code, cell := range want[m] {
				a, ok := calc.Registry.Get(code)
				if !ok {
					t.Errorf("%d: authority %s not in the registry", year, code)
					continue
				}
				got := calc.Get(m, rates.LAArea(a), year)
				switch {
				case cell == "" && got.Count.OK():
					t.Errorf("%s %d %s (%s): got %v, the file has no number", m, year, a.Name, code, got.Count)
				case cell != "" && (!got.Count.OK() || strconv.FormatFloat(got.Count.Number, 'f', -1, 64) != cell):
					t.Errorf("%s %d %s (%s): got %v, file cell %s", m, year, a.Name, code, got.Count, cell)
				}
				if cell == "" {
					missing++
				}
				checked++
			}
		}
	}
	t.Logf("checked %d cells, %d without a number", checked, missing)
	if checked < 7*3*150 || missing == 0 {
		t.Errorf("checked %d cells (%d without a number): too few for seven years of 150 authorities", checked, missing)
	}
}

// Leeds' children looked after at 31 March runs unbroken from 2010 to
// 2025 across the SFR files, the November 2022 release and today's.
func TestLeedsLookedAfterUnbroken(t *testing.T) {
	calc := longSeries(t)
	leeds, err := calc.Registry.Lookup("Leeds")
	if err != nil {
		t.Fatal(err)
	}
	s := calc.Series("cla_31march", rates.LAArea(leeds), 2010, 2025)
	if len(s) != 16 {
		t.Fatalf("%d years, want 16 (2010-2025)", len(s))
	}
	for i, r := range s {
		if r.Year != 2010+i || !r.Count.OK() {
			t.Errorf("year %d: count %v (%s)", r.Year, r.Count, r.Note)
		}
	}
	// 2010 comes from the file with only 3-digit codes: Leeds is 383 there.
	var cell string
	testfiles.EachRow(t, filepath.Join(testfiles.SharedArchive(t), "sfr", "2010", "SFR27_2010_March.csv"), func(row map[string]string) {
		if row["geog_c"] == "383" {
			cell = row["MarTotal_2010"]
		}
	})
	if got := strconv.FormatFloat(s[0].Count.Number, 'f', -1, 64); got != cell {
		t.Errorf("Leeds 2010 = %s, SFR27_2010_March.csv has %s", got, cell)
	}
}

// With the as-published vintage, the six 2020-21 rates of the report's
// Leeds footnote are reproduced exactly: count from the CIN files ÷ the
// population_estimate DfE printed for 2021 in its November 2022 CLA
// release × 10,000, rounded to one decimal as printed. Every step is
// worked out here from the raw rows with a plain CSV loop.
func TestAsPublishedReproducesFootnote2021(t *testing.T) {
	calc := longSeries(t)
	shared, archive := testfiles.SharedEES(t), testfiles.SharedArchive(t)
	// The denominators: population_estimate beside "Children looked
	// after at 31 March each year", time_period 2021.
	pop := map[string]float64{}
	popFile := filepath.Join(archive, "cla-release-2022", "cla_number_and_rate_per_10k_children.csv")
	testfiles.EachRow(t, popFile, func(row map[string]string) {
		if row["time_period"] != "2021" || row["population_count"] != "Children looked after at 31 March each year" {
			return
		}
		v, _ := strconv.ParseFloat(row["population_estimate"], 64)
		switch {
		case row["geographic_level"] == "National":
			pop["England"] = v
		case row["new_la_code"] == "E08000035":
			pop["Leeds"] = v
		}
	})
	if pop["England"] != 12093290 || pop["Leeds"] != 170581 {
		t.Fatalf("as-published populations %v, the issue quotes 12,093,290 and 170,581", pop)
	}
	counts := map[string]float64{}
	read := func(file, col, measure string) {
		testfiles.EachRow(t, filepath.Join(shared, "cin", file), func(row map[string]string) {
			if row["time_period"] != "2021" {
				return
			}
			v, _ := strconv.ParseFloat(row[col], 64)
			switch {
			case row["geographic_level"] == "National":
				counts[measure+" England"] = v
			case row["new_la_code"] == "E08000035":
				counts[measure+" Leeds"] = v
			}
		})
	}
	read("c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv", "Section47", "s47")
	read("c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv", "ICPC", "icpc")
	read("d5_cpps_at31march_by_duration_2013_to_2025.csv", "CPP_At31", "cpp_31march")
	if counts["s47 England"] != 198790 || counts["s47 Leeds"] != 1718 {
		t.Fatalf("s47 counts %v, the issue quotes 198,790 and 1,718", counts)
	}
	// The rates as the report printed them (Leeds case study footnote).
	printed := map[string]float64{
		"s47 England": 164.4, "s47 Leeds": 100.7, "icpc England": 60.0, "icpc Leeds": 45.3,
		"cpp_31march England": 41.4, "cpp_31march Leeds": 32.0,
	}
	leeds, err := calc.Registry.Lookup("Leeds")
	if err != nil {
		t.Fatal(err)
	}
	areas := map[string]rates.Area{"England": rates.England(), "Leeds": rates.LAArea(leeds)}
	asPublished := *calc
	asPublished.Vintage = population.AsPublished
	for k, want := range printed {
		measure, area, _ := strings.Cut(k, " ")
		hand := counts[k] / pop[area] * 10000
		if math.Round(hand*10)/10 != want {
			t.Errorf("%s: by hand %.0f ÷ %.0f × 10,000 = %.4f, printed %.1f", k, counts[k], pop[area], hand, want)
		}
		r := asPublished.Get(measure, areas[area], 2021)
		if math.Abs(r.Value-hand) > 1e-9 || r.Population != pop[area] || r.Vintage != population.AsPublished {
			t.Errorf("%s: cscstats %.6f (population %.0f, %s), by hand %.6f", k, r.Value, r.Population, r.Vintage, hand)
		}
		if !strings.Contains(r.PopSource, "cla_number_and_rate_per_10k_children.csv") || !strings.Contains(r.PopSource, "release 2022") {
			t.Errorf("%s: denominator source %q does not name the file and release", k, r.PopSource)
		}
		// Today's ONS series (revised after the 2021 Census) does not.
		if latest := calc.Get(measure, areas[area], 2021); latest.Population == pop[area] {
			t.Errorf("%s: the latest vintage uses the as-published population %.0f too", k, latest.Population)
		}
	}
}

// A year the chosen vintage lacks keeps its count and says why; it never
// falls back to another vintage. 2010's only denominator is DfE's
// Mid2009Pop0-17.
func TestVintageGaps(t *testing.T) {
	calc := longSeries(t)
	leeds, err := calc.Registry.Lookup("Leeds")
	if err != nil {
		t.Fatal(err)
	}
	asPublished := *calc
	asPublished.Vintage = population.AsPublished
	r := asPublished.Get("cla_31march", rates.LAArea(leeds), 2015)
	if !r.Count.OK() || r.OK() || r.Population != 0 || !strings.Contains(r.Note, "no as-published population estimate") {
		t.Errorf("2015 as published: count %v, rate %v, population %v, note %q; want the count, no rate and the reason", r.Count, r.Value, r.Population, r.Note)
	}
	var count, mid2009 float64
	testfiles.EachRow(t, filepath.Join(testfiles.SharedArchive(t), "sfr", "2010", "SFR27_2010_March.csv"), func(row map[string]string) {
		if row["geog_c"] == "383" {
			count, _ = strconv.ParseFloat(row["MarTotal_2010"], 64)
			mid2009, _ = strconv.ParseFloat(row["Mid2009Pop0-17"], 64)
		}
	})
	r = asPublished.Get("cla_31march", rates.LAArea(leeds), 2010)
	if want := count / mid2009 * 10000; math.Abs(r.Value-want) > 1e-9 || !strings.Contains(r.PopSource, "Mid2009Pop0-17") {
		t.Errorf("Leeds 2010: %v from %q, want %.0f ÷ %.0f × 10,000 = %.4f", r.Value, r.PopSource, count, mid2009, want)
	}
	// Latest: 2010's Mid2009Pop0-17 is of an earlier vintage than the ONS
	// file, so it is not used; the note points to as-published.
	if l := calc.Get("cla_31march", rates.LAArea(leeds), 2010); !l.Count.OK() || l.OK() || !strings.Contains(l.Note, "as-published") {
		t.Errorf("2010 latest: count %v rate %v note %q; want the count, no rate and the pointer to as-published", l.Count, l.Value, l.Note)
	}
	latest := calc.Get("cla_31march", rates.LAArea(leeds), 2012)
	if !latest.Count.OK() || latest.OK() || !strings.Contains(latest.Note, "latest vintage") {
		t.Errorf("2012 latest: count %v rate %v note %q; want the count and why there is no rate", latest.Count, latest.Value, latest.Note)
	}
}
