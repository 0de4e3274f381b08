package spec

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		want Spec
		text string
	}{
		{"adoptions:level@2024", Spec{"adoptions", Level, 2024, 2024}, "adoptions:level@2024"},
		{"adoptions:level@2023-24", Spec{"adoptions", Level, 2024, 2024}, "adoptions:level@2024"},
		{" S47:Change@2020-2024 ", Spec{"s47", Change, 2020, 2024}, "s47:change@2020-2024"},
		{"icpc:pct@2013-2025", Spec{"icpc", Pct, 2013, 2025}, "icpc:pct@2013-2025"},
		{"cla_31march:logratio@2021-2025", Spec{"cla_31march", LogRatio, 2021, 2025}, "cla_31march:logratio@2021-2025"},
		{"under1_starts:slope@2018-2022", Spec{"under1_starts", Slope, 2018, 2022}, "under1_starts:slope@2018-2022"},
		{"imd:score", Spec{IMD, Score, 0, 0}, "imd:score"},
		{"IMD", Spec{IMD, Score, 0, 0}, "imd:score"},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if got != c.want || got.String() != c.text {
			t.Errorf("Parse(%q) = %+v (%s), want %+v (%s)", c.in, got, got, c.want, c.text)
		}
		if again, err := Parse(got.String()); err != nil || again != got {
			t.Errorf("round trip of %s: %+v, %v", got, again, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		in   string
		want []string // substrings of the message
	}{
		{"", []string{"empty", "MEASURE:STAT"}},
		{"adoption:change@2020-2024", []string{`unknown measure "adoption"`, "valid measures: referrals,", "adoptions", "sgo", "imd (imd:score)"}},
		{"s47", []string{"no statistic", "level@YEAR", "change@Y1-Y2"}},
		{"s47:median@2020", []string{`unknown statistic "median"`, "level@YEAR", "slope@Y1-Y2"}},
		{"s47:change", []string{"change needs two years", "s47:change@2020-2024"}},
		{"s47:level", []string{"level needs a year"}},
		{"s47:level@20x1", []string{`bad year "20x1"`}},
		{"s47:change@2024-2020", []string{"first year (2024) must be before the second (2020)"}},
		{"s47:change@2020-2020", []string{"must be before"}},
		{"s47:change@2020-21", []string{"two reporting years written Y1-Y2", `"2020-21"`}},
		{"s47:slope@2020", []string{"two reporting years"}},
		{"imd:rank", []string{"imd has one statistic, imd:score"}},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q): want a *ParseError, got %v", c.in, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Parse(%q) error %q lacks %q", c.in, err, w)
			}
		}
	}
}

func TestDescribe(t *testing.T) {
	s, _ := Parse("adoptions:change@2020-2024")
	if d := s.Describe(); !strings.Contains(d, "adoptions from care") || !strings.Contains(d, "2024 minus 2020") {
		t.Errorf("Describe = %q", d)
	}
	s, _ = Parse("imd:score")
	if d := s.Describe(); !strings.Contains(d, "IMD 2019 average score") {
		t.Errorf("Describe = %q", d)
	}
}

// fixture is testdata/spec: see its README for the rows. Populations are
// 10,000 (Cumbria 20,000; Cumberland 12,000 and Westmorland and Furness
// 8,000 at mid-2023; Isles of Scilly 300), so most rates equal counts.
func fixture(t *testing.T) *rates.Calculator {
	t.Helper()
	calc, err := rates.Load(testfiles.Fixture(t, "spec"))
	if err != nil {
		t.Fatal(err)
	}
	return calc
}

func must(t *testing.T, text string) Spec {
	t.Helper()
	s, err := Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func reasons(ex []Exclusion) map[string]string {
	m := map[string]string{}
	for _, e := range ex {
		m[e.Code] = e.Reason
	}
	return m
}

const (
	hartlepool    = "E06000001"
	middlesbrough = "E06000002"
	redcar        = "E06000003"
	stockton      = "E06000004"
	darlington    = "E06000005"
	halton        = "E06000006"
	scilly        = "E06000053"
	cumbria       = "E10000006"
	cumberland    = "E06000063"
	westmorland   = "E06000064"
)

func TestPairFixture(t *testing.T) {
	calc := fixture(t)
	p, err := Pair(calc, must(t, "adoptions:change@2020-2024"), must(t, "s47:change@2020-2024"), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// By hand (rate = count when the population is 10,000):
	//   adoptions 2020 -> 2024, s47 2020 -> 2024
	//   Hartlepool 5 -> 7, 100 -> 140; Middlesbrough 10 -> 6, 200 -> 100;
	//   Stockton 2 -> 8, 300 -> 320; Darlington 1 -> 1, 0 -> 20;
	//   Cumbria 2020: 20 and 400 per 20,000 = 10 and 200;
	//   2024 (Cumbria's adoptions row is z; no s47 row): Cumberland +
	//   Westmorland and Furness, adoptions 9+5 = 14, s47 150+110 = 260,
	//   per 12,000+8,000 = 7 and 130.
	want := map[string][2]float64{
		cumbria:       {7 - 10, 130 - 200},
		darlington:    {0, 20},
		hartlepool:    {2, 40},
		middlesbrough: {-4, -100},
		stockton:      {6, 20},
	}
	if len(p.Rows) != len(want) {
		t.Fatalf("rows: got %d, want %d: %+v", len(p.Rows), len(want), p.Rows)
	}
	for i, r := range p.Rows {
		w, ok := want[r.Unit.Code]
		if !ok {
			t.Errorf("unexpected council %s %s", r.Unit.Code, r.Unit.Name)
			continue
		}
		if math.Abs(r.Values[0]-w[0]) > 1e-9 || math.Abs(r.Values[1]-w[1]) > 1e-9 {
			t.Errorf("%s: x, y = %v, want %v", r.Unit.Name, r.Values, w)
		}
		if p.XS()[i] != r.Values[0] || p.YS()[i] != r.Values[1] {
			t.Errorf("XS/YS out of row order at %d", i)
		}
	}
	if p.Rows[0].Unit.Name != "Cumbria (Cumberland + Westmorland and Furness)" || !p.Rows[0].Unit.Harmonised() {
		t.Errorf("first row (by name) should be harmonised Cumbria, got %+v", p.Rows[0].Unit)
	}
	why := reasons(p.Excluded)
	wantWhy := map[string]string{
		halton: "adoptions: count suppressed (c) in 2024",
		redcar: "adoptions: no figure in the data (missing year) in 2020",
		scilly: SmallPopulationReason,
	}
	if len(why) != len(wantWhy) {
		t.Errorf("excluded: got %v, want %v", why, wantWhy)
	}
	for code, w := range wantWhy {
		if why[code] != w {
			t.Errorf("excluded %s: reason %q, want %q", code, why[code], w)
		}
	}
	if !containsText(p.Notes, "Cumberland and Westmorland and Furness summed (counts and populations) from 2024") {
		t.Errorf("notes should explain the harmonisation: %q", p.Notes)
	}
}

func TestIncludeSmallAndExclude(t *testing.T) {
	calc := fixture(t)
	x, y := must(t, "adoptions:change@2020-2024"), must(t, "s47:change@2020-2024")
	p, err := Pair(calc, x, y, nil, Options{IncludeSmall: true, Exclude: []string{"Cumberland", "hartlepool"}})
	if err != nil {
		t.Fatal(err)
	}
	why := reasons(p.Excluded)
	// The Isles of Scilly is kept, then fails on its own data.
	if w := "adoptions: count not applicable (z) in 2020 and 2024; s47: count suppressed (c) in 2020 and 2024"; why[scilly] != w {
		t.Errorf("Isles of Scilly: %q, want %q", why[scilly], w)
	}
	// Excluding a successor leaves out the harmonised unit it belongs to.
	if why[cumbria] != "excluded by request (--exclude Cumberland)" || why[hartlepool] != "excluded by request (--exclude hartlepool)" {
		t.Errorf("excluded by request: %v", why)
	}
	if len(p.Rows) != 3 {
		t.Errorf("want 3 councils left, got %d", len(p.Rows))
	}
	if _, err := Pair(calc, x, y, nil, Options{Exclude: []string{"Nowhere-on-Sea"}}); err == nil || !strings.Contains(err.Error(), "no local authority matches") {
		t.Errorf("unknown --exclude: %v", err)
	}
}

func TestEvaluateStats(t *testing.T) {
	calc := fixture(t)
	cases := []struct {
		spec string
		want map[string]float64
		why  map[string]string
	}{
		// s47 2020, 2022, 2024. Cumbria 200, 220 then (150+110)/20,000 = 130.
		{"s47:slope@2020-2024", map[string]float64{hartlepool: 10, middlesbrough: -25, cumbria: -17.5, darlington: 5},
			map[string]string{scilly: SmallPopulationReason}},
		{"s47:pct@2020-2024", map[string]float64{hartlepool: 40, middlesbrough: -50, redcar: 60, cumbria: -35},
			map[string]string{darlington: "percent change undefined: the rate was 0 in 2020"}},
		{"s47:logratio@2020-2024", map[string]float64{hartlepool: math.Log(1.4), cumbria: math.Log(130.0 / 200)},
			map[string]string{darlington: "log ratio undefined: the rate was 0 in 2020"}},
		// level@2022 ends before Cumbria split: Cumbria is itself.
		{"s47:level@2022", map[string]float64{cumbria: 220, stockton: 310}, nil},
		// level@2024 is after the split: the successors are councils.
		{"s47:level@2024", map[string]float64{cumberland: 150.0 / 12000 * 1e4, westmorland: 110.0 / 8000 * 1e4}, nil},
		// IMD 2019 is on the 2019 areas, so Cumbria is one unit.
		{"imd:score", map[string]float64{cumbria: 20, middlesbrough: 40},
			map[string]string{halton: "imd: no IMD 2019 score for this area", scilly: SmallPopulationReason}},
	}
	for _, c := range cases {
		v, err := Evaluate(calc, must(t, c.spec), Options{})
		if err != nil {
			t.Errorf("%s: %v", c.spec, err)
			continue
		}
		for code, w := range c.want {
			if got, ok := v.Value[code]; !ok || math.Abs(got-w) > 1e-9 {
				t.Errorf("%s %s = %v (%v), want %v", c.spec, code, got, ok, w)
			}
		}
		why := reasons(v.Excluded)
		for code, w := range c.why {
			if !strings.Contains(why[code], w) {
				t.Errorf("%s %s: reason %q, want %q", c.spec, code, why[code], w)
			}
		}
	}
	v, _ := Evaluate(calc, must(t, "s47:level@2022"), Options{})
	for _, u := range v.Units {
		if u.Code == cumbria && (u.Harmonised() || u.Name != "Cumbria") {
			t.Errorf("Cumbria in 2022 should be plain, got %+v", u)
		}
	}
}

func TestWeights(t *testing.T) {
	calc := fixture(t)
	p, err := Pair(calc, must(t, "imd:score"), must(t, "s47:change@2020-2024"), nil, Options{Weight: WeightPopulation})
	if err != nil {
		t.Fatal(err)
	}
	if p.WeightYear != 2024 {
		t.Errorf("weight year %d, want 2024 (the later year)", p.WeightYear)
	}
	w := p.Weights()
	for i, r := range p.Rows {
		want := 10000.0
		if r.Unit.Code == cumbria {
			want = 12000 + 8000 // mid-2023, the successors summed
		}
		if w[i] != want {
			t.Errorf("%s weight %v, want %v", r.Unit.Name, w[i], want)
		}
	}
	if _, err := Pair(calc, must(t, "imd:score"), must(t, "imd:score"), nil, Options{Weight: WeightPopulation}); err == nil {
		t.Error("imd alone cannot date a population weight")
	}
}

func TestCheckErrors(t *testing.T) {
	calc := fixture(t)
	for spec, want := range map[string]string{
		"s47:change@2019-2024":     "no s47 data for 2019; years available: 2020, 2022, 2024",
		"s47:slope@2020-2022":      "a slope needs at least 3 years of data in the window",
		"referrals:level@2024":     "no referrals data in the data directory",
		"adoptions:level@2021":     "no adoptions data for 2021",
		"cla_31march:change@20-21": "two reporting years",
	} {
		s, err := Parse(spec)
		if err == nil {
			_, err = Evaluate(calc, s, Options{})
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", spec, err, want)
		}
	}
}

func TestIMDMissingFile(t *testing.T) {
	calc, err := rates.Load(testfiles.Fixture(t, "spread"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Evaluate(calc, must(t, "imd:score"), Options{})
	if err == nil || !strings.Contains(err.Error(), "IMD 2019 upper-tier local authority summaries") {
		t.Errorf("want a clear error for a missing IMD file, got %v", err)
	}
}

func TestUnitsAcrossBoundaryChanges(t *testing.T) {
	calc, err := rates.Load(testfiles.SharedEES(t))
	if err != nil {
		t.Fatal(err)
	}
	reg := calc.Registry
	// 2019-2024 starts before the 2019 Dorset reorganisation, which formed
	// two councils from three: no harmonisation.
	units, excl := Units(reg, 2019, 2024)
	why := reasons(excl)
	for _, code := range []string{"E06000058", "E06000059"} {
		if !strings.HasPrefix(why[code], "boundary change without harmonisation") {
			t.Errorf("%s: %q", code, why[code])
		}
	}
	names := map[string]Unit{}
	for _, u := range units {
		names[u.Code] = u
	}
	if u := names["E10000021"]; u.SumFrom != 2022 || len(u.Members) != 2 {
		t.Errorf("Northamptonshire unit %+v", u)
	}
	if u := names[cumbria]; u.SumFrom != 2024 || len(u.Parts) != 2 {
		t.Errorf("Cumbria unit %+v", u)
	}
	if _, ok := names[cumberland]; ok {
		t.Error("Cumberland should be inside Cumbria for 2019-2024")
	}
	// One unit per current council otherwise: 153 councils, 4 of them
	// merged into 2 former counties, 2 left out.
	if len(units) != 153-2-2 {
		t.Errorf("%d units for 2019-2024, want 149", len(units))
	}
	units, excl = Units(reg, 2024, 2025)
	if len(units) != 153 || len(excl) != 0 {
		t.Errorf("2024-2025: %d units, %d exclusions; want every current council", len(units), len(excl))
	}
}

func containsText(notes []string, s string) bool {
	for _, n := range notes {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}
