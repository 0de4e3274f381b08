package rates_test

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

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
