package correlate

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/testfiles"
)

// The acceptance test: adoptions:change@2020-2024 against
// s47:change@2020-2024 on the real DfE files, recomputed here straight
// from the CSV rows with encoding/csv, plain maps and the textbook Pearson
// formula, and the same rules written out plainly:
//
//   - a council is a row of the 2024 s47 file, keyed by its DfE 3-digit
//     code (old_la_code), which did not change when ONS codes did
//     (North Yorkshire, Somerset, Buckinghamshire, Barnsley, ...);
//   - Cumberland (942) and Westmorland and Furness (943) count as Cumbria
//     (909), North (940) and West (941) Northamptonshire as
//     Northamptonshire (928): the former county's own row in 2020, the two
//     successors' counts and populations added in 2024;
//   - the Isles of Scilly (420) and the City of London (201) are left out;
//   - a council is left out if any count or population it needs is not a
//     number (c, z, x, u, ...);
//   - rate = count / population × 10,000, with the ONS mid-year Y-1
//     estimate for reporting year Y; x and y are rate 2024 − rate 2020.
func TestAcceptanceAdoptionsVsS47(t *testing.T) {
	dir := testfiles.SharedEES(t)
	adoptions := readCounts(t, filepath.Join(dir, "cla", "la_children_who_ceased_during_the_year.csv"), "number",
		func(r map[string]string) bool {
			return r["cla_group"] == "Reason episode ceased" && r["characteristic"] == "Adopted"
		})
	s47 := readCounts(t, filepath.Join(dir, "cin", "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"), "Section47", nil)
	pop := readCounts(t, filepath.Join(dir, "population", "ons_mid-year_population_estimates_2012_to_2024.csv"), "population_estimate",
		func(r map[string]string) bool { return r["age_group"] == "Children aged 0 to 17 years" })

	merged := map[string]string{"942": "909", "943": "909", "940": "928", "941": "928"}
	small := map[string]bool{"420": true, "201": true}
	councils := map[string]bool{}
	for k := range s47.cells {
		if k.year == 2024 {
			unit := k.old
			if m, ok := merged[unit]; ok {
				unit = m
			}
			if !small[unit] {
				councils[unit] = true
			}
		}
	}
	parts := func(unit string, year int) []string {
		if year == 2024 && (unit == "909" || unit == "928") {
			var ps []string
			for p, u := range merged {
				if u == unit {
					ps = append(ps, p)
				}
			}
			return ps
		}
		return []string{unit}
	}
	rate := func(t counts, unit string, year int) (float64, bool) {
		var c, p float64
		for _, part := range parts(unit, year) {
			cv, ok1 := t.cells[key{part, year}]
			pv, ok2 := pop.cells[key{part, year - 1}]
			if !ok1 || !ok2 {
				return 0, false
			}
			n, err1 := strconv.ParseFloat(cv, 64)
			d, err2 := strconv.ParseFloat(pv, 64)
			if err1 != nil || err2 != nil {
				return 0, false
			}
			c += n
			p += d
		}
		return c / p * 10000, true
	}
	change := func(t counts, unit string) (float64, bool) {
		a, ok1 := rate(t, unit, 2020)
		b, ok2 := rate(t, unit, 2024)
		return b - a, ok1 && ok2
	}
	var xs, ys []float64
	included := map[string]bool{} // by 9-character code of the 2024 row (or the county's 2020 code)
	for unit := range councils {
		x, ok1 := change(adoptions, unit)
		y, ok2 := change(s47, unit)
		if ok1 && ok2 {
			xs, ys = append(xs, x), append(ys, y)
			included[s47.code[unit]] = true
		}
	}
	n := len(xs)
	var mx, my float64
	for i := range xs {
		mx += xs[i] / float64(n)
		my += ys[i] / float64(n)
	}
	var sxy, sxx, syy float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
		syy += (ys[i] - my) * (ys[i] - my)
	}
	wantR := sxy / math.Sqrt(sxx*syy)
	wantSlope := sxy / sxx

	out, _, err := run(t, dir, "json", Options{X: "adoptions:change@2020-2024", Y: "s47:change@2020-2024"})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Method   string   `json:"method"`
		N        int      `json:"n"`
		R        float64  `json:"r"`
		CILower  float64  `json:"ci_lower"`
		CIUpper  float64  `json:"ci_upper"`
		PValue   float64  `json:"p_value"`
		Slope    *float64 `json:"slope"`
		Included []struct {
			Code string  `json:"new_la_code"`
			Name string  `json:"la_name"`
			X    float64 `json:"x"`
			Y    float64 `json:"y"`
		} `json:"included"`
		Excluded []struct {
			Code   string `json:"new_la_code"`
			Name   string `json:"la_name"`
			Reason string `json:"reason"`
		} `json:"excluded"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	t.Logf("independent: n = %d, r = %.12f; command: n = %d, r = %.12f", n, wantR, got.N, got.R)
	if got.N != n || len(got.Included) != n {
		t.Errorf("n: command %d (%d rows), independent %d", got.N, len(got.Included), n)
	}
	if math.Abs(got.R-wantR) > 1e-9 {
		t.Errorf("r: command %.12f, independent %.12f", got.R, wantR)
	}
	if got.Slope == nil || math.Abs(*got.Slope-wantSlope) > 1e-9 {
		t.Errorf("slope: command %v, independent %v", got.Slope, wantSlope)
	}
	if !(got.CILower < got.R && got.R < got.CIUpper) || got.PValue <= 0 || got.PValue > 1 {
		t.Errorf("CI [%v, %v] and p %v do not make sense for r %v", got.CILower, got.CIUpper, got.PValue, got.R)
	}
	// cscstats reports canonical codes: the latest ONS code, which for
	// Barnsley and Sheffield is the May 2025 one the DfE files do not use yet.
	renamed := map[string]string{"E08000038": "E08000016", "E08000039": "E08000019"}
	for _, in := range got.Included {
		code := in.Code
		if old, ok := renamed[code]; ok {
			code = old
		}
		if !included[code] {
			t.Errorf("command included %s %s, the independent count did not", in.Code, in.Name)
		}
	}

	why := map[string]string{}
	for _, e := range got.Excluded {
		why[e.Name] = e.Reason
	}
	// Every council is either in or out, with a reason.
	if len(got.Included)+len(got.Excluded) != 149+2 {
		t.Errorf("%d in + %d out; want the 151 councils of 2020-2024 (153 today, Cumbria and Northamptonshire each counted once)", len(got.Included), len(got.Excluded))
	}
	for name, want := range map[string]string{
		"Isles of Scilly": "small population",
		"City of London":  "small population",
		// la_children_who_ceased_during_the_year.csv, 2024, Trafford (E08000009), Adopted: c
		"Trafford": "adoptions: count suppressed (c) in 2024",
		// 2020, Bexley (E09000004), Adopted: c
		"Bexley": "adoptions: count suppressed (c) in 2020",
		// c4 2024, Hampshire (E10000014), Section47: u
		"Hampshire": "s47: count low reliability (u) in 2024",
	} {
		if !strings.Contains(why[name], want) {
			t.Errorf("%s left out with %q, want %q", name, why[name], want)
		}
	}
	for _, e := range got.Excluded {
		if e.Reason == "" {
			t.Errorf("%s left out without a reason", e.Name)
		}
	}
}

type key struct {
	old  string
	year int
}

type counts struct {
	cells map[key]string    // (old_la_code, time_period) -> indicator text
	code  map[string]string // old_la_code -> new_la_code as in the latest row
}

// readCounts reads local-authority rows of one indicator with
// encoding/csv, optionally filtered.
func readCounts(t *testing.T, path, indicator string, keep func(map[string]string) bool) counts {
	t.Helper()
	c := counts{cells: map[key]string{}, code: map[string]string{}}
	latest := map[string]int{}
	testfiles.EachRow(t, path, func(row map[string]string) {
		if row["geographic_level"] != "Local authority" || (keep != nil && !keep(row)) {
			return
		}
		y, err := strconv.Atoi(row["time_period"])
		if err != nil {
			t.Fatal(err)
		}
		c.cells[key{row["old_la_code"], y}] = row[indicator]
		if y >= latest[row["old_la_code"]] {
			latest[row["old_la_code"]] = y
			c.code[row["old_la_code"]] = row["new_la_code"]
		}
	})
	return c
}

// TestAcceptanceChangeChecks is issue 14's finding 6 and 7 for adoptions
// against s47, 2020-2024, against the reviewer's independent
// re-implementation: the change correlation −0.092; the ANCOVA-style
// partial correlation of the 2024 levels controlling for both 2020 levels
// +0.053; each change's correlation with its own baseline −0.32
// (adoptions) and −0.42 (s47); about 45% of the variance of the adoption
// change Poisson noise (reliability ≈ 0.55); and with --weight population
// an effective sample size (Kish) of 77.6 of 117.
func TestAcceptanceChangeChecks(t *testing.T) {
	dir := testfiles.SharedEES(t)
	out, _, err := run(t, dir, "json", Options{X: "adoptions:change@2020-2024", Y: "s47:change@2020-2024", AdjustBaseline: true})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		N        int     `json:"n"`
		R        float64 `json:"r"`
		Baseline []struct {
			Spec string  `json:"spec"`
			R    float64 `json:"r"`
		} `json:"baseline_correlation"`
		Reliability []struct {
			Spec        string  `json:"spec"`
			Reliability float64 `json:"reliability"`
		} `json:"reliability"`
		Adjusted struct {
			R float64 `json:"r"`
			N int     `json:"n"`
		} `json:"baseline_adjusted"`
		EffectiveN float64 `json:"effective_n"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.N != 117 || math.Abs(doc.R+0.092) > 0.0005 || math.Abs(doc.Adjusted.R-0.053) > 0.0005 {
		t.Errorf("n %d r %v adjusted %v, want 117, -0.092, +0.053", doc.N, doc.R, doc.Adjusted.R)
	}
	want := map[string]float64{"adoptions:change@2020-2024": -0.32, "s47:change@2020-2024": -0.42}
	for _, b := range doc.Baseline {
		if math.Abs(b.R-want[b.Spec]) > 0.005 {
			t.Errorf("baseline correlation of %s = %v, want %v", b.Spec, b.R, want[b.Spec])
		}
		delete(want, b.Spec)
	}
	if len(want) != 0 {
		t.Errorf("no baseline correlation for %v", want)
	}
	found := false
	for _, r := range doc.Reliability {
		if r.Spec == "adoptions:change@2020-2024" {
			found = true
			if math.Abs(r.Reliability-0.55) > 0.01 {
				t.Errorf("adoption change reliability %v, want about 0.55", r.Reliability)
			}
		}
	}
	if !found {
		t.Error("no reliability for the adoption change")
	}
	out, _, err = run(t, dir, "json", Options{X: "adoptions:change@2020-2024", Y: "s47:change@2020-2024", Weight: "population"})
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if math.Abs(doc.EffectiveN-77.6) > 0.05 {
		t.Errorf("effective n %v, want 77.6", doc.EffectiveN)
	}
}
