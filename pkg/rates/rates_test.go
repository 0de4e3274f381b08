package rates_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// fixture loads testdata/ees/rates: a hand-written s47/ICPC file and a
// population file (numbers invented):
//
//	s47_icpc_2024_to_2025.csv             Section47  ICPC
//	  2025 England                          1000      400
//	  2025 Yorkshire and The Humber          300      100
//	  2025 Leeds                               c       40
//	  2025 Wakefield                         123        x
//	  2025 Bradford                            0        5
//	  2024 England                           900      350
//	population_0_to_17.csv   mid-2024: England 2000000, Yorkshire and The
//	  Humber 250000, Leeds 5000, Wakefield x, Bradford 4000;
//	  mid-2023: England 1990000
func fixture(t *testing.T) *rates.Calculator {
	t.Helper()
	c, err := rates.Load(testfiles.Fixture(t, "ees", "rates"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func laArea(t *testing.T, c *rates.Calculator, q string) rates.Area {
	t.Helper()
	a, err := c.Registry.Lookup(q)
	if err != nil {
		t.Fatal(err)
	}
	return rates.LAArea(a)
}

func TestGetFixture(t *testing.T) {
	c := fixture(t)
	region := c.RegionArea("E12000003")
	for _, tc := range []struct {
		measure string
		area    rates.Area
		year    int
		count   float64
		pop     float64
		midYear int
	}{
		{"s47", rates.England(), 2025, 1000, 2000000, 2024},
		{"icpc", rates.England(), 2025, 400, 2000000, 2024},
		{"s47", rates.England(), 2024, 900, 1990000, 2023},
		{"s47", region, 2025, 300, 250000, 2024},
		{"icpc", laArea(t, c, "Leeds"), 2025, 40, 5000, 2024},
		{"icpc", laArea(t, c, "Bradford"), 2025, 5, 4000, 2024},
	} {
		r := c.Get(tc.measure, tc.area, tc.year)
		want := tc.count / tc.pop * 10000
		if !r.OK() || r.Value != want || r.Count != ees.Num(tc.count) || r.Population != tc.pop || r.PopMidYear != tc.midYear {
			t.Errorf("%s %s %d = %v (count %v, pop %v mid-%d); want %v = %v/%v×10000 mid-%d",
				tc.measure, tc.area.Name, tc.year, r.Value, r.Count, r.Population, r.PopMidYear, want, tc.count, tc.pop, tc.midYear)
		}
		if r.Basis != rates.Reported || r.Break || len(r.SourceRefs()) != 1 || !strings.Contains(r.SourceRefs()[0], "s47_icpc_2024_to_2025.csv:") {
			t.Errorf("%s %s %d: basis %q break %v sources %v", tc.measure, tc.area.Name, tc.year, r.Basis, r.Break, r.SourceRefs())
		}
		lo, hi := rates.PoissonCI(tc.count, 0.95)
		if r.Lower != lo/tc.pop*10000 || r.Upper != hi/tc.pop*10000 {
			t.Errorf("%s %s %d: CI (%v, %v)", tc.measure, tc.area.Name, tc.year, r.Lower, r.Upper)
		}
	}
}

// A suppressed or unavailable count is a missing rate with the reason,
// never a rate of 0; a true count of 0 is a rate of 0 with an interval.
func TestGetMissing(t *testing.T) {
	c := fixture(t)
	for _, tc := range []struct {
		measure, la string
		year        int
		note        string
		symbol      ees.Symbol
	}{
		{"s47", "Leeds", 2025, "suppressed (c)", ees.Suppressed},
		{"icpc", "Wakefield", 2025, "not available (x)", ees.NotAvailable},
		// Wakefield's count is there but its population is "x".
		{"s47", "Wakefield", 2025, "no population estimate in the latest vintage", ""},
		// No row at all.
		{"s47", "Leeds", 2024, "no s47 figure for Leeds in 2024", ees.NotAvailable},
	} {
		r := c.Get(tc.measure, laArea(t, c, tc.la), tc.year)
		if r.OK() || !math.IsNaN(r.Value) || !math.IsNaN(r.Lower) || !math.IsNaN(r.Upper) {
			t.Errorf("%s %s %d = %v (%v, %v), want NaN", tc.measure, tc.la, tc.year, r.Value, r.Lower, r.Upper)
		}
		if !strings.Contains(r.Note, tc.note) {
			t.Errorf("%s %s %d note %q, want it to say %q", tc.measure, tc.la, tc.year, r.Note, tc.note)
		}
		if tc.symbol != "" && (r.Count.OK() || r.Count.Symbol != tc.symbol) {
			t.Errorf("%s %s %d count %+v, want missing %q", tc.measure, tc.la, tc.year, r.Count, tc.symbol)
		}
	}
	if r := c.Get("s47", laArea(t, c, "Leeds"), 2025); r.Population != 5000 {
		t.Errorf("suppressed count lost the population: %v", r.Population)
	}
	if r := c.Get("s47", laArea(t, c, "Wakefield"), 2025); r.Count != ees.Num(123) {
		t.Errorf("missing population lost the count: %+v", r.Count)
	}
	// Bradford really had 0 section 47 enquiries: rate 0, upper limit
	// -ln(0.025)/4000×10000.
	r := c.Get("s47", laArea(t, c, "Bradford"), 2025)
	if !r.OK() || r.Value != 0 || r.Lower != 0 || rel(r.Upper, -math.Log(0.025)/4000*10000) > 1e-9 {
		t.Errorf("Bradford 0 count = %v (%v, %v)", r.Value, r.Lower, r.Upper)
	}
}

func TestYearAndSort(t *testing.T) {
	c := fixture(t)
	var names []string
	for _, r := range c.Year("s47", 2025) {
		names = append(names, r.Area.Name)
	}
	if got := strings.Join(names, "; "); got != "England; Yorkshire and The Humber; Bradford; Leeds; Wakefield" {
		t.Errorf("Year order = %s", got)
	}
	if n := len(c.Authorities("s47", 2025)); n != 3 {
		t.Errorf("Authorities = %d, want 3", n)
	}
	rs := c.Year("icpc", 2025)
	if err := rates.SortBy(rs, "rate"); err != nil {
		t.Fatal(err)
	}
	// ICPC rates: Leeds 40/5000 = 80, Bradford 5/4000 = 12.5, Wakefield
	// missing; England and the region stay first.
	names = names[:0]
	for _, r := range rs {
		names = append(names, r.Area.Name)
	}
	if got := strings.Join(names, "; "); got != "England; Yorkshire and The Humber; Leeds; Bradford; Wakefield" {
		t.Errorf("sorted by rate = %s", got)
	}
	if err := rates.SortBy(rs, "nonsense"); err == nil {
		t.Error("SortBy(nonsense) gave no error")
	}
	if y := c.Years("s47"); len(y) != 2 || y[0] != 2024 || y[1] != 2025 {
		t.Errorf("Years = %v", y)
	}
}

func TestLoadNoData(t *testing.T) {
	_, err := rates.Load(t.TempDir())
	var nd *dataset.NoDataError
	if !errors.As(err, &nd) {
		t.Errorf("Load(empty dir) = %v, want *dataset.NoDataError", err)
	}
}

func TestCompare(t *testing.T) {
	// mk is a rate of count c in population n per 10,000.
	mk := func(c, n float64) rates.Rate {
		if math.IsNaN(c) {
			return rates.Rate{Value: math.NaN(), Count: ees.Missing("c"), Population: n}
		}
		return rates.Rate{Value: c / n * 1e4, Count: ees.Num(c), Population: n}
	}
	nan := math.NaN()
	for _, tc := range []struct {
		name           string
		a, b           rates.Rate
		abs, pct       float64
		absNaN, pctNaN bool
	}{
		// 100 → 150 in 100,000: 10 → 15 per 10,000, +5, +50%.
		{"rise", mk(100, 1e5), mk(150, 1e5), 5, 50, false, false},
		// 200 → 150: 20 → 15, −5, −25%.
		{"fall", mk(200, 1e5), mk(150, 1e5), -5, -25, false, false},
		// From 0, no percentage.
		{"from zero", mk(0, 1e5), mk(20, 1e5), 2, 0, false, true},
		{"missing", mk(nan, 1e5), mk(20, 1e5), 0, 0, true, true},
	} {
		ch := rates.Compare(tc.a, tc.b)
		if tc.absNaN != math.IsNaN(ch.Absolute) || (!tc.absNaN && math.Abs(ch.Absolute-tc.abs) > 1e-12) {
			t.Errorf("%s: absolute = %v, want %v", tc.name, ch.Absolute, tc.abs)
		}
		if tc.pctNaN != math.IsNaN(ch.Percent) || (!tc.pctNaN && math.Abs(ch.Percent-tc.pct) > 1e-12) {
			t.Errorf("%s: percent = %v, want %v", tc.name, ch.Percent, tc.pct)
		}
		// The change's test is the exact rate-ratio test of the two
		// counts with their populations (checked against independent
		// values in ratio_test.go); missing when a rate is.
		want := rates.RateRatioTest(tc.a.Count.Number, tc.a.Population, tc.b.Count.Number, tc.b.Population, 0.95)
		if tc.absNaN {
			if !math.IsNaN(ch.Test.P) || ch.Significant() {
				t.Errorf("%s: test %+v, want missing", tc.name, ch.Test)
			}
		} else if ch.Test != want {
			t.Errorf("%s: test %+v, want %+v", tc.name, ch.Test, want)
		}
		// Swapping the order swaps the sign, and keeps the p-value.
		back := rates.Compare(tc.b, tc.a)
		if !tc.absNaN && (back.Absolute != -ch.Absolute || math.Abs(back.Test.P-ch.Test.P) > 1e-12) {
			t.Errorf("%s: reverse %v p %v", tc.name, back.Absolute, back.Test.P)
		}
	}
	// 100 → 150 in equal populations: by hand, N = 250, π₀ = 0.5,
	// P(X ≥ 150) = P(X ≤ 100) ≈ 0.0009 (normal approx z = 25/7.9 = 3.16),
	// so the rise is significant; 100 → 110 (z = 0.69) is not.
	if !rates.Compare(mk(100, 1e5), mk(150, 1e5)).Significant() || rates.Compare(mk(100, 1e5), mk(110, 1e5)).Significant() {
		t.Error("Significant wrong")
	}
	_ = nan
}

// testdata/ees/recoded holds two releases of a section 47 file and two of
// the population file (numbers invented). The newer releases (paths
// starting a_, so they sort first) restate 2019 / mid-2018 with
// Northumberland's current code E06000057; the older ones (b_) file it
// under the former E06000048 with other values. The newer release must win
// whatever the file order, for counts and for denominators alike.
//
//	a_s47_newer_2013_to_2020.csv     2019 England 10000, Northumberland (E06000057) 510
//	b_s47_older_2013_to_2019.csv     2019 England  9999, Northumberland (E06000048) 500
//	a_population_newer_2012_to_2019  mid-2018 England 2000000, Northumberland (E06000057) 61000
//	b_population_older_2012_to_2018  mid-2018 England 1999999, Northumberland (E06000048) 60000
func TestNewerReleaseWinsAcrossCodes(t *testing.T) {
	c, err := rates.Load(testfiles.Fixture(t, "ees", "recoded"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		area       rates.Area
		count, pop float64
	}{
		{rates.England(), 10000, 2000000},
		{laArea(t, c, "Northumberland"), 510, 61000},
	} {
		r := c.Get("s47", tc.area, 2019)
		if want := tc.count / tc.pop * 10000; r.Value != want || r.Count != ees.Num(tc.count) || r.Population != tc.pop {
			t.Errorf("%s 2019 = %v (count %v, pop %v); want %v = %v/%v×10000 from the newer releases",
				tc.area.Name, r.Value, r.Count, r.Population, want, tc.count, tc.pop)
		}
	}
}

// MissingDenominators names the areas with a count but no population in
// the band (testdata/ees/babies): per 0-17 only Bournemouth 2019 (no
// population row at all); per under 5 also England and Hartlepool in 2019
// (mid-2018 has no under-5 rows). Darlington's suppressed count needs no
// denominator. A rate per under 5 divides by the under-5 row:
// Hartlepool 2022 = 30 / 4800 * 10000 = 62.5.
func TestMissingDenominatorsAndPer(t *testing.T) {
	c, err := rates.Load(testfiles.Fixture(t, "ees", "babies"))
	if err != nil {
		t.Fatal(err)
	}
	show := func(gs []rates.Gap) string {
		var s []string
		for _, g := range gs {
			s = append(s, fmt.Sprintf("%s %s %v %v", g.Area.Level, g.Area.Name, g.Years, g.Measures))
		}
		return strings.Join(s, "; ")
	}
	if got, want := show(c.MissingDenominators()), "Local authority Bournemouth [2019] [under1_starts]"; got != want {
		t.Errorf("0-17 gaps:\n got %s\nwant %s", got, want)
	}
	u5 := c.Per(population.Under5)
	if got, want := show(u5.MissingDenominators()), "National England [2019] [under1_starts]; Local authority Bournemouth [2019] [under1_starts]; Local authority Hartlepool [2019] [under1_starts]"; got != want {
		t.Errorf("under-5 gaps:\n got %s\nwant %s", got, want)
	}
	a, _ := c.Registry.Lookup("Hartlepool")
	r := u5.Get("under1_starts", rates.LAArea(a), 2022)
	if r.Value != 62.5 || r.Population != 4800 || r.Per != population.Under5 {
		t.Errorf("Hartlepool per under 5: %+v", r)
	}
	if r := c.Get("under1_starts", rates.LAArea(a), 2022); r.Value != 15 || r.Per != population.Children {
		t.Errorf("the original calculator should keep 0-17: %+v", r)
	}
	r = u5.Get("under1_starts", rates.LAArea(a), 2019)
	if r.OK() || !strings.Contains(r.Note, "no population estimate in the latest vintage") || !strings.HasSuffix(r.Note, "(children aged under 5)") {
		t.Errorf("Hartlepool 2019 per under 5: %+v", r)
	}
}
