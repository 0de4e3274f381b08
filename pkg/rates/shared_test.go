package rates_test

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

var (
	sharedOnce sync.Once
	sharedCalc *rates.Calculator
	sharedDir  string
	sharedErr  error
)

// shared loads ../shared/ees once for all tests of this file.
func shared(t *testing.T) (*rates.Calculator, string) {
	t.Helper()
	dir := testfiles.SharedEES(t)
	sharedOnce.Do(func() {
		sharedDir = dir
		sharedCalc, sharedErr = rates.Load(dir)
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedCalc, sharedDir
}

// Acceptance: rates of Leeds and England for 2013 and 2021 equal count ÷
// population × 10,000 worked out here from the quoted rows, with the
// population for mid-year Y-1.
//
// c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv:
//
//	line 2024: 2013,Reporting year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,383,E08000035,Leeds,Section 47s and Initial Child Protection Conferences,1910,1816,1513,1478,140,839,229,305,13,15,18
//	line  714: 2021,Reporting year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,383,E08000035,Leeds,Section 47s and Initial Child Protection Conferences,1718,1560,773,750,59,474,99,141,13,14,18
//	line 1970: 2013,Reporting year,National,E92000001,England,"","",,"","",Section 47s and Initial Child Protection Conferences,127190,117350,60080,59280,12920,28970,6100,11480,11,14,17
//	line  660: 2021,Reporting year,National,E92000001,England,"","",,"","",Section 47s and Initial Child Protection Conferences,198790,174210,72580,71740,8520,51750,5660,6640,12,14,15
//
// d5_cpps_at31march_by_duration_2013_to_2025.csv:
//
//	line 2024: 2013,Reporting year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,383,E08000035,Leeds,Child Protection Plans by length of time,983,295,30,286,29.1,241,24.5,106,10.8,55,5.6
//	line  714: 2021,Reporting year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,383,E08000035,Leeds,Child Protection Plans by length of time,546,178,32.6,116,21.2,138,25.3,100,18.3,14,2.6
//	line 1970: 2013,Reporting year,National,E92000001,England,"","",,"","",Child Protection Plans by length of time,43140,12390,28.7,10780,25,11610,26.9,6970,16.2,1400,3.2
//	line  660: 2021,Reporting year,National,E92000001,England,"","",,"","",Child Protection Plans by length of time,50010,14630,29.3,12830,25.6,13500,27,8030,16.1,1020,2
//
// population/ons_mid-year_population_estimates_2012_to_2024.csv:
//
//	line 2024: 2012,Reporting year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,383,E08000035,Leeds,Children aged 0 to 17 years,156568
//	line  714: 2020,Reporting year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,383,E08000035,Leeds,Children aged 0 to 17 years,170292
//	line 1970: 2012,Reporting year,National,E92000001,England,,,,,,Children aged 0 to 17 years,11403970
//	line  660: 2020,Reporting year,National,E92000001,England,,,,,,Children aged 0 to 17 years,11787794
func TestSharedLeedsAndEnglandByHand(t *testing.T) {
	c, _ := shared(t)
	leeds := laArea(t, c, "E08000035")
	for _, tc := range []struct {
		measure string
		area    rates.Area
		year    int
		count   float64
		pop     float64
		want    float64
		source  string
	}{
		{"s47", leeds, 2013, 1910, 156568, 1910.0 / 156568 * 10000, "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv:2024"},
		{"icpc", leeds, 2013, 1513, 156568, 1513.0 / 156568 * 10000, "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv:2024"},
		{"cpp_31march", leeds, 2013, 983, 156568, 983.0 / 156568 * 10000, "d5_cpps_at31march_by_duration_2013_to_2025.csv:2024"},
		{"s47", leeds, 2021, 1718, 170292, 1718.0 / 170292 * 10000, "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv:714"},
		{"icpc", leeds, 2021, 773, 170292, 773.0 / 170292 * 10000, "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv:714"},
		{"cpp_31march", leeds, 2021, 546, 170292, 546.0 / 170292 * 10000, "d5_cpps_at31march_by_duration_2013_to_2025.csv:714"},
		{"s47", rates.England(), 2013, 127190, 11403970, 127190.0 / 11403970 * 10000, "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv:1970"},
		{"icpc", rates.England(), 2013, 60080, 11403970, 60080.0 / 11403970 * 10000, "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv:1970"},
		{"cpp_31march", rates.England(), 2013, 43140, 11403970, 43140.0 / 11403970 * 10000, "d5_cpps_at31march_by_duration_2013_to_2025.csv:1970"},
		{"s47", rates.England(), 2021, 198790, 11787794, 198790.0 / 11787794 * 10000, "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv:660"},
		{"icpc", rates.England(), 2021, 72580, 11787794, 72580.0 / 11787794 * 10000, "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv:660"},
		{"cpp_31march", rates.England(), 2021, 50010, 11787794, 50010.0 / 11787794 * 10000, "d5_cpps_at31march_by_duration_2013_to_2025.csv:660"},
	} {
		r := c.Get(tc.measure, tc.area, tc.year)
		if math.Abs(r.Value-tc.want) > 1e-9 {
			t.Errorf("%s %s %d = %.12f, want %.12f (%v / %v × 10000)", tc.measure, tc.area.Name, tc.year, r.Value, tc.want, tc.count, tc.pop)
		}
		if r.Count != ees.Num(tc.count) || r.Population != tc.pop || r.PopMidYear != tc.year-1 {
			t.Errorf("%s %s %d: count %v pop %v mid-%d; want %v, %v, mid-%d", tc.measure, tc.area.Name, tc.year, r.Count, r.Population, r.PopMidYear, tc.count, tc.pop, tc.year-1)
		}
		if len(r.SourceRefs()) != 1 || filepath.Base(r.SourceRefs()[0]) != tc.source {
			t.Errorf("%s %s %d: sources %v, want %s", tc.measure, tc.area.Name, tc.year, r.SourceRefs(), tc.source)
		}
		// The interval: the exact limits of the count (checked against
		// Garwood's equations in ci_test.go) over the same population.
		lo, hi := rates.PoissonCI(tc.count, 0.95)
		if math.Abs(r.Lower-lo/tc.pop*10000) > 1e-9 || math.Abs(r.Upper-hi/tc.pop*10000) > 1e-9 || !(r.Lower < r.Value && r.Value < r.Upper) {
			t.Errorf("%s %s %d: CI (%v, %v)", tc.measure, tc.area.Name, tc.year, r.Lower, r.Upper)
		}
	}
	// Leeds s47 2013 vs 2021: (1718/170292 − 1910/156568) × 10000 per
	// 10,000, a fall of about 17%. Whether the intervals overlap is checked
	// against limits from the independent Poisson sums of ci_test.go.
	a, b := c.Get("s47", leeds, 2013), c.Get("s47", leeds, 2021)
	ch := rates.Compare(a, b)
	wantAbs := 1718.0/170292*10000 - 1910.0/156568*10000
	wantPct := wantAbs / (1910.0 / 156568 * 10000) * 100
	if math.Abs(ch.Absolute-wantAbs) > 1e-9 || math.Abs(ch.Percent-wantPct) > 1e-9 || wantPct > -16 {
		t.Errorf("Compare Leeds s47 2013→2021 = %v (%v%%), want %v (%v%%)", ch.Absolute, ch.Percent, wantAbs, wantPct)
	}
	lo13, hi13 := lowerBySum(1910)/156568*10000, upperBySum(1910)/156568*10000
	lo21, hi21 := lowerBySum(1718)/170292*10000, upperBySum(1718)/170292*10000
	// The two intervals are apart, and the exact test agrees: a fall this
	// large (1910 → 1718 with a 9% larger population) has p far below 0.001.
	if lo13 <= hi21 && lo21 <= hi13 || !(ch.Test.P < 0.001) || !(ch.Test.Upper < 1) {
		t.Errorf("test %+v; independent intervals 2013 (%v, %v), 2021 (%v, %v)", ch.Test, lo13, hi13, lo21, hi21)
	}
	if math.Abs(a.Lower-lo13) > 1e-6 || math.Abs(a.Upper-hi13) > 1e-6 || math.Abs(b.Lower-lo21) > 1e-6 || math.Abs(b.Upper-hi21) > 1e-6 {
		t.Errorf("CIs (%v, %v) and (%v, %v) differ from the independent (%v, %v) and (%v, %v)", a.Lower, a.Upper, b.Lower, b.Upper, lo13, hi13, lo21, hi21)
	}
}

// upperBySum and lowerBySum solve Garwood's equations by bisection on
// Poisson probabilities summed term by term (no chi-square quantiles).
func upperBySum(k int) float64 {
	return bisect(func(mu float64) bool { return poissonCDF(k, mu) > 0.025 }, float64(k), float64(k)*2+10)
}

func lowerBySum(k int) float64 {
	return bisect(func(mu float64) bool { return 1-poissonCDF(k-1, mu) < 0.025 }, 0, float64(k))
}

// bisect finds where below(mu) turns false.
func bisect(below func(float64) bool, lo, hi float64) float64 {
	for i := 0; i < 200; i++ {
		mid := (lo + hi) / 2
		if below(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// roundHalfUp rounds x.5 up, as DfE's dfeR::round_five_up does.
func roundHalfUp(x float64) int { return int(math.Floor(x + 0.5)) }

// Acceptance: with the documented convention (reporting year Y uses the
// ONS estimate for mid-year Y-1), the package's cla_31march rates, rounded
// to whole numbers, reproduce DfE's own rate_per_10000 in
// cla_number_and_rate_per_10k_children.csv for at least 99% of LA-year
// rows. The DfE column is read here with a plain CSV loop, not the package.
//
// The two other candidate conventions, mid-year Y and mid-year Y-2, give
// far lower shares: the convention was established from the data, not
// assumed.
//
// Rounding: DfE rounds half up (its R package dfeR provides round_five_up
// because base R rounds half to even). This file cannot tell the two
// apart: the test counts the rows whose exact rate, children_count ×
// 10000 ÷ population_estimate in integers, ends in exactly .5, and there
// are none (logged), so half-up and half-even give identical results here.
func TestSharedReproducesDfECLARates(t *testing.T) {
	c, dir := shared(t)
	path := filepath.Join(dir, "cla", "cla_number_and_rate_per_10k_children.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("DfE CLA rates file not available: %v", err)
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
	for _, need := range []string{"time_period", "geographic_level", "new_la_code", "population_type", "population_estimate", "children_count", "rate_per_10000"} {
		if _, ok := col[need]; !ok {
			t.Fatalf("%s has no %s column", path, need)
		}
	}
	type share struct{ match, total int }
	var conv, truncated share
	alt := map[int]*share{0: {}, -2: {}} // mid-year Y+offset
	ties := 0
	var misses []string
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
		dfeRate, err := strconv.Atoi(rec[col["rate_per_10000"]])
		if err != nil {
			continue // "z" or "x": the authority did not exist that year
		}
		year, _ := strconv.Atoi(rec[col["time_period"]])
		// Exact half? Using DfE's own count and population, in integers.
		if n, err1 := strconv.Atoi(rec[col["children_count"]]); err1 == nil {
			if p, err2 := strconv.Atoi(rec[col["population_estimate"]]); err2 == nil && (2*n*10000)%p == 0 && (2*n*10000/p)%2 == 1 {
				ties++
			}
		}
		a, ok := c.Registry.Get(rec[col["new_la_code"]])
		if !ok {
			t.Errorf("%s %d: authority %s not in the registry", path, year, rec[col["new_la_code"]])
			continue
		}
		r := c.Get("cla_31march", rates.LAArea(a), year)
		conv.total++
		est, popOK := c.Pop.For(a.Code, year, population.Children)
		switch {
		case !r.OK():
			misses = append(misses, a.Name+" "+strconv.Itoa(year)+": "+r.Note)
		case !popOK || est.Source != dataset.ONS || est.MidYear != year-1:
			// A rate on DfE's own published denominator would match
			// trivially; it does not count as reproduced.
			misses = append(misses, a.Name+" "+strconv.Itoa(year)+": denominator not from ONS mid-year Y-1")
		case roundHalfUp(r.Value) == dfeRate:
			conv.match++
		default:
			misses = append(misses, a.Name+" "+strconv.Itoa(year)+": "+strconv.FormatFloat(r.Value, 'f', 3, 64)+" vs DfE "+strconv.Itoa(dfeRate))
		}
		if r.OK() {
			truncated.total++
			if int(math.Floor(r.Value)) == dfeRate {
				truncated.match++
			}
		}
		// Alternatives: same count, ONS estimate for mid-year Y or Y-2.
		for off, s := range alt {
			e, ok := c.Pop.For(a.Code, year+off+1, population.Children) // For(Y') looks up mid-year Y'-1
			if !ok || e.Source != dataset.ONS || !r.Count.OK() {
				continue
			}
			s.total++
			if roundHalfUp(r.Count.Number/e.Value*10000) == dfeRate {
				s.match++
			}
		}
	}
	pct := func(s share) float64 { return 100 * float64(s.match) / float64(s.total) }
	t.Logf("mid-year Y-1 (documented): %d of %d LA-year rows reproduce DfE's rate_per_10000 (%.1f%%)", conv.match, conv.total, pct(conv))
	t.Logf("mid-year Y   (alternative): %d of %d (%.1f%%)", alt[0].match, alt[0].total, pct(*alt[0]))
	t.Logf("mid-year Y-2 (alternative): %d of %d (%.1f%%)", alt[-2].match, alt[-2].total, pct(*alt[-2]))
	t.Logf("truncating instead of rounding: %d of %d (%.1f%%)", truncated.match, truncated.total, pct(truncated))
	t.Logf("rows whose exact rate ends in .5 (where half-up and half-even differ): %d", ties)
	for _, m := range misses {
		t.Logf("not reproduced: %s", m)
	}
	if conv.total < 700 {
		t.Fatalf("only %d LA-year rows compared; expected about 750", conv.total)
	}
	if pct(conv) < 99 {
		t.Errorf("documented convention reproduces %.1f%% of DfE's rates, want at least 99%%", pct(conv))
	}
	for off, s := range alt {
		if s.total == 0 || pct(*s) > 60 || pct(conv)-pct(*s) < 30 {
			t.Errorf("mid-year Y%+d reproduces %.1f%% (%d rows): not clearly worse than Y-1 (%.1f%%)", off, pct(*s), s.total, pct(conv))
		}
	}
	if pct(truncated) > 75 {
		t.Errorf("truncation reproduces %.1f%%: DfE's rounding would be ambiguous", pct(truncated))
	}
}

// Suppressed counts and missing populations in the real files.
func TestSharedMissing(t *testing.T) {
	c, _ := shared(t)
	for _, tc := range []struct {
		la, measure string
		year        int
		note        string
		pop         float64
		quote       string
	}{
		{"E09000001", "s47", 2025, "suppressed (c)", 847,
			"c4 line 135: 2025,...,201,E09000001,City of London,Section 47s and Initial Child Protection Conferences,c,c,c,c,c,0,0,0,9,9,9; population line 135: 2024,...,City of London,...,847"},
		{"E09000012", "icpc", 2021, "not available (x)", 57781,
			"c4 line 792: 2021,...,204,E09000012,Hackney,...,x,x,x,...; population line 792: 2020,...,Hackney,...,57781"},
		{"E10000014", "s47", 2024, "low reliability (u)", 287030,
			"c4 line 269: 2024,...,850,E10000014,Hampshire,...,u,u,u,...; population line 269: 2023,...,Hampshire,...,287030"},
		// The ONS file has "x" for Bournemouth in every mid-year
		// (population line 1102: 2018,...,837,E06000028,Bournemouth,Children aged 0 to 17 years,x),
		// while c4 line 1102 has its count: 2019,...,Bournemouth,...,572,518,256,...
		{"E06000028", "s47", 2019, "no population estimate in the latest vintage", 0, ""},
	} {
		a, ok := c.Registry.Get(tc.la)
		if !ok {
			t.Fatalf("no authority %s", tc.la)
		}
		r := c.Get(tc.measure, rates.LAArea(a), tc.year)
		if r.OK() || !math.IsNaN(r.Value) || r.Value == 0 {
			t.Errorf("%s %s %d = %v, want NaN", a.Name, tc.measure, tc.year, r.Value)
		}
		if !strings.Contains(r.Note, tc.note) {
			t.Errorf("%s %s %d note %q, want %q", a.Name, tc.measure, tc.year, r.Note, tc.note)
		}
		if r.Population != tc.pop {
			t.Errorf("%s %s %d population %v, want %v", a.Name, tc.measure, tc.year, r.Population, tc.pop)
		}
	}
	if r := c.Get("s47", laArea(t, c, "E06000028"), 2019); r.Count != ees.Num(572) {
		t.Errorf("Bournemouth 2019 count = %v, want 572", r.Count)
	}
}

// Series across boundary changes.
//
// c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv:
//
//	line 362: 2023,...,909,E10000006,Cumbria,Section 47s and Initial Child Protection Conferences,1332,1197,719,701,...
//	line 197: 2024,...,942,E06000063,Cumberland,Section 47s and Initial Child Protection Conferences,881,799,475,462,...
//	line 212: 2024,...,943,E06000064,Westmorland and Furness,Section 47s and Initial Child Protection Conferences,585,530,326,317,...
//	line  32: 2025,...,942,E06000063,Cumberland,Section 47s and Initial Child Protection Conferences,1044,949,441,435,...
//	line  47: 2025,...,943,E06000064,Westmorland and Furness,Section 47s and Initial Child Protection Conferences,665,589,300,298,...
//
// ons_mid-year_population_estimates_2012_to_2024.csv:
//
//	line 362: 2022,...,909,E10000006,Cumbria,Children aged 0 to 17 years,90547
//	line 197: 2023,...,942,E06000063,Cumberland,Children aged 0 to 17 years,52019
//	line 212: 2023,...,943,E06000064,Westmorland and Furness,Children aged 0 to 17 years,39177
//	line  32: 2024,...,942,E06000063,Cumberland,Children aged 0 to 17 years,52489
//	line  47: 2024,...,943,E06000064,Westmorland and Furness,Children aged 0 to 17 years,39153
func TestSharedSeriesAcrossBoundaries(t *testing.T) {
	c, _ := shared(t)
	byYear := func(rs []rates.Rate) map[int]rates.Rate {
		m := map[int]rates.Rate{}
		for _, r := range rs {
			m[r.Year] = r
		}
		return m
	}
	cumbria := byYear(c.Series("s47", laArea(t, c, "Cumbria"), 2013, 0))
	if len(cumbria) != 13 {
		t.Errorf("Cumbria series has %d years, want 13 (2013-2025)", len(cumbria))
	}
	for _, tc := range []struct {
		year       int
		count, pop float64
		basis      string
	}{
		{2023, 1332, 90547, rates.Reported},
		{2024, 881 + 585, 52019 + 39177, rates.Harmonised},
		{2025, 1044 + 665, 52489 + 39153, rates.Harmonised},
	} {
		r := cumbria[tc.year]
		want := tc.count / tc.pop * 10000
		if math.Abs(r.Value-want) > 1e-9 || r.Count != ees.Num(tc.count) || r.Population != tc.pop || r.Basis != tc.basis || r.Break {
			t.Errorf("Cumbria %d = %v (count %v, pop %v, %s, break %v); want %v = %v/%v×10000, %s",
				tc.year, r.Value, r.Count, r.Population, r.Basis, r.Break, want, tc.count, tc.pop, tc.basis)
		}
		if tc.basis == rates.Harmonised {
			if !strings.Contains(r.Note, "Cumberland") || !strings.Contains(r.Note, "Westmorland and Furness") || len(r.SourceRefs()) != 2 || r.PopMidYear != tc.year-1 {
				t.Errorf("Cumbria %d: note %q, sources %v, mid-%d", tc.year, r.Note, r.SourceRefs(), r.PopMidYear)
			}
			lo, hi := rates.PoissonCI(tc.count, 0.95)
			if math.Abs(r.Lower-lo/tc.pop*10000) > 1e-9 || math.Abs(r.Upper-hi/tc.pop*10000) > 1e-9 {
				t.Errorf("Cumbria %d CI (%v, %v)", tc.year, r.Lower, r.Upper)
			}
		}
	}

	// Cumberland began in April 2023: 2023 and earlier are breaks.
	cumberland := byYear(c.Series("s47", laArea(t, c, "Cumberland"), 2020, 2025))
	for y := 2020; y <= 2023; y++ {
		r := cumberland[y]
		if r.OK() || !math.IsNaN(r.Value) || !r.Break || !strings.Contains(r.Note, "boundary break") || !strings.Contains(r.Note, "Cumbria") {
			t.Errorf("Cumberland %d = %v break %v note %q; want NaN, a break naming Cumbria", y, r.Value, r.Break, r.Note)
		}
	}
	if r := cumberland[2024]; math.Abs(r.Value-881.0/52019*10000) > 1e-9 || r.Break || r.Basis != rates.Reported {
		t.Errorf("Cumberland 2024 = %v, want 881/52019×10000 reported", r.Value)
	}

	// Bournemouth ended in April 2019 and Christchurch joined it from
	// Dorset county: no successor covers its area, so no harmonised
	// figure, a break for every later year.
	bournemouth := byYear(c.Series("s47", laArea(t, c, "E06000028"), 0, 0))
	for y := 2020; y <= 2025; y++ {
		r := bournemouth[y]
		if r.OK() || !r.Break || r.Basis == rates.Harmonised || !strings.Contains(r.Note, "no successor covers the same area") {
			t.Errorf("Bournemouth %d = %v break %v basis %s note %q; want a break", y, r.Value, r.Break, r.Basis, r.Note)
		}
	}
	if r := bournemouth[2019]; r.Break || r.Count != ees.Num(572) {
		t.Errorf("Bournemouth 2019: break %v count %v; want its reported count 572", r.Break, r.Count)
	}
	// BCP and Dorset before 2020 are breaks too.
	for _, q := range []string{"bcp", "E06000059"} {
		r := byYear(c.Series("s47", laArea(t, c, q), 2019, 2019))[2019]
		if r.OK() || !r.Break {
			t.Errorf("%s 2019 = %v break %v, want a break", q, r.Value, r.Break)
		}
	}
	// Northamptonshire from 2022: the sum of North and West Northamptonshire.
	//  c4 line 563: 2022,...,940,E06000061,North Northamptonshire,Section 47s and Initial Child Protection Conferences,1137,1040,484,...
	//  c4 line 567: 2022,...,941,E06000062,West Northamptonshire,Section 47s and Initial Child Protection Conferences,1327,1195,570,...
	//  population line 563: 2021,...,940,E06000061,North Northamptonshire,Children aged 0 to 17 years,79186
	//  population line 567: 2021,...,941,E06000062,West Northamptonshire,Children aged 0 to 17 years,92050
	n := byYear(c.Series("s47", laArea(t, c, "Northamptonshire"), 2022, 2022))[2022]
	if want := (1137.0 + 1327) / (79186 + 92050) * 10000; math.Abs(n.Value-want) > 1e-9 || n.Basis != rates.Harmonised || n.Count != ees.Num(1137+1327) {
		t.Errorf("Northamptonshire 2022 = %v (count %v, pop %v, %s), want %v", n.Value, n.Count, n.Population, n.Basis, want)
	}
}

// A former authority's placeholder row ("z") after its split must not hide
// the harmonised sum of its successors.
func TestSharedSeriesHarmonisesOverPlaceholderRows(t *testing.T) {
	c, _ := shared(t)
	// la_children_who_ceased_during_the_year.csv, 2024, Reason episode ceased = Adopted:
	//   942 Cumberland 23; 943 Westmorland and Furness 12; 909 Cumbria z
	// ONS 0-17 mid-2023: Cumberland 52019; Westmorland and Furness 39177
	var got rates.Rate
	for _, r := range c.Series("adoptions", laArea(t, c, "Cumbria"), 2024, 2024) {
		got = r
	}
	want := (23.0 + 12) / (52019 + 39177) * 10000
	if got.Basis != rates.Harmonised || math.Abs(got.Value-want) > 1e-9 {
		t.Errorf("Cumbria adoptions 2024 = %v (%s, %q), want harmonised %v", got.Value, got.Basis, got.Note, want)
	}
}

// AppendYears, computing years a CPU at a time, gives the rows of
// AppendYear called for one year after another, on every measure and
// year of the shared files (and after rows already in dst); run with
// -race it also checks that Get is safe to call concurrently.
func TestSharedAppendYearsIsAppendYearInOrder(t *testing.T) {
	c, _ := shared(t)
	var mys []rates.MeasureYear
	for _, m := range measures.Catalogue {
		for _, y := range c.Years(m.ID) {
			mys = append(mys, rates.MeasureYear{Measure: m.ID, Year: y})
		}
	}
	if len(mys) < 20 {
		t.Fatalf("only %d measure-years in the shared files", len(mys))
	}
	prefix := c.Year("s47", c.Years("s47")[0])
	want := append([]rates.Rate(nil), prefix...)
	var wantStarts []int
	for _, my := range mys {
		wantStarts = append(wantStarts, len(want))
		want = c.AppendYear(want, my.Measure, my.Year)
	}
	for _, procs := range []int{1, 2, 5} {
		old := runtime.GOMAXPROCS(procs)
		got, starts := c.AppendYears(append([]rates.Rate(nil), prefix...), mys)
		runtime.GOMAXPROCS(old)
		if !reflect.DeepEqual(starts, wantStarts) {
			t.Fatalf("%d CPUs: starts %v, want %v", procs, starts, wantStarts)
		}
		if len(got) != len(want) {
			t.Fatalf("%d CPUs: %d rows, want %d", procs, len(got), len(want))
		}
		for i := range want {
			if fmt.Sprintf("%#v", got[i]) != fmt.Sprintf("%#v", want[i]) {
				t.Fatalf("%d CPUs: row %d is\n%#v\nwant\n%#v", procs, i, got[i], want[i])
			}
		}
	}
}
