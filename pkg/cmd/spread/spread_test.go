package spread

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

func run(t *testing.T, dir, format string, opts Options) (string, string, error) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	opts.Factory = &cmdutil.Factory{IOStreams: ios, DataDir: dir, Format: format}
	err := spreadRun(&opts)
	return out.String(), errOut.String(), err
}

type doc struct {
	Spread   []map[string]any `json:"spread"`
	Change   []map[string]any `json:"change"`
	Excluded []map[string]any `json:"excluded"`
	Notes    []string         `json:"notes"`
}

func decode(t *testing.T, out string) doc {
	t.Helper()
	var d doc
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return d
}

func near(t *testing.T, what string, got any, want float64) {
	t.Helper()
	g, ok := got.(float64)
	if !ok || math.Abs(g-want) > 1e-9 {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// The fixture (testdata/spread) has populations of 10,000, so each rate
// equals the count. By hand:
//
//	2021: 10 20 30 40 50 60 (Halton 60); the Isles of Scilly left out
//	      n 6, mean 35, SD sqrt(1750/5) = sqrt(350), median 35,
//	      type-7 quantiles at h = 1 + 5p: Q1 (h 2.25) 22.5, Q3 (h 4.75) 47.5,
//	      P10 (h 1.5) 15, P90 (h 5.5) 55; IQR 25; P90/P10 55/15
//	2022: 5 20 30 40 80 (Halton suppressed)
//	      n 5, mean 35, SD sqrt(3200/4) = sqrt(800), median 30,
//	      h = 1 + 4p: Q1 20, Q3 40, P10 (h 1.4) 5 + 0.4×15 = 11,
//	      P90 (h 4.6) 40 + 0.6×40 = 64; IQR 20; P90/P10 64/11
func TestSpreadFixture(t *testing.T) {
	out, _, err := run(t, testfiles.Fixture(t, "spread"), "json", Options{Measure: "under1_starts"})
	if err != nil {
		t.Fatal(err)
	}
	d := decode(t, out)
	if len(d.Spread) != 2 {
		t.Fatalf("want 2 years, got %v", d.Spread)
	}
	want := []map[string]float64{
		{"time_period": 2021, "n": 6, "mean": 35, "sd": math.Sqrt(350), "min": 10, "max": 60, "median": 35, "q1": 22.5, "q3": 47.5,
			"iqr": 25, "p10": 15, "p90": 55, "p90_p10": 55.0 / 15, "cv": math.Sqrt(350) / 35},
		{"time_period": 2022, "n": 5, "mean": 35, "sd": math.Sqrt(800), "min": 5, "max": 80, "median": 30, "q1": 20, "q3": 40,
			"iqr": 20, "p10": 11, "p90": 64, "p90_p10": 64.0 / 11, "cv": math.Sqrt(800) / 35},
	}
	for i, w := range want {
		for k, v := range w {
			near(t, strconv.Itoa(int(w["time_period"]))+" "+k, d.Spread[i][k], v)
		}
	}
	changes := map[string]map[string]any{}
	for _, c := range d.Change {
		changes[c["statistic"].(string)] = c
	}
	// The change table is over the five councils with a rate in both
	// years (Halton has none in 2022): 2021 10 20 30 40 50, mean 30,
	// SD sqrt(1000/4) = sqrt(250), median 30, IQR 40 − 20 = 20;
	// 2022 as above. n still compares the years' own counts (6 → 5).
	near(t, "change in n", changes["n"]["change"], -1)
	near(t, "change in cv", changes["cv"]["change"], math.Sqrt(800)/35-math.Sqrt(250)/30)
	near(t, "change in median", changes["median"]["change"], 0)
	near(t, "percent change in iqr", changes["iqr"]["change_percent"], 0)
	if changes["cv"]["ci_lower"] != nil {
		t.Errorf("no bootstrap asked for, yet an interval: %v", changes["cv"])
	}
	var left []string
	for _, e := range d.Excluded {
		left = append(left, e["la_name"].(string)+"|"+stringOf(e["time_period"])+"|"+e["reason"].(string))
	}
	sort.Strings(left)
	wantLeft := []string{"Halton|2022|count suppressed (c)", "Isles of Scilly|all years|" + "small population: left out by default because a child population of a few hundred makes rates per 10,000 meaningless (include with --include-small)"}
	if strings.Join(left, "\n") != strings.Join(wantLeft, "\n") {
		t.Errorf("left out:\n%s\nwant\n%s", strings.Join(left, "\n"), strings.Join(wantLeft, "\n"))
	}
	notes := strings.Join(d.Notes, "\n")
	for _, w := range []string{"Councils diverged", "Isles of Scilly and the City of London are left out by default", "proxy for removals at birth", "Hyndman & Fan type 7"} {
		if !strings.Contains(notes, w) {
			t.Errorf("notes lack %q:\n%s", w, notes)
		}
	}
}

func stringOf(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.Itoa(int(f))
	}
	return v.(string)
}

func TestSpreadIncludeSmallAndBalanced(t *testing.T) {
	dir := testfiles.Fixture(t, "spread")
	out, _, err := run(t, dir, "json", Options{Measure: "under1_starts", IncludeSmall: true, To: "2021"})
	if err != nil {
		t.Fatal(err)
	}
	d := decode(t, out)
	// 2021 with the Isles of Scilly (1 child per 300 = 33.33...): seven values.
	near(t, "n", d.Spread[0]["n"], 7)
	near(t, "mean", d.Spread[0]["mean"], (210+1.0/300*1e4)/7)
	near(t, "median", d.Spread[0]["median"], 1.0/300*1e4)
	if !strings.Contains(strings.Join(d.Notes, " "), "are included (--include-small)") || !strings.Contains(strings.Join(d.Notes, " "), "Only one year") {
		t.Errorf("notes: %v", d.Notes)
	}

	out, _, err = run(t, dir, "json", Options{Measure: "under1_starts", Balanced: true})
	if err != nil {
		t.Fatal(err)
	}
	d = decode(t, out)
	// Halton has no 2022 rate, so both years use the same five councils:
	// 2021 10..50, 2022 5 20 30 40 80.
	near(t, "2021 n", d.Spread[0]["n"], 5)
	near(t, "2021 median", d.Spread[0]["median"], 30)
	near(t, "2022 n", d.Spread[1]["n"], 5)
	near(t, "2022 p90", d.Spread[1]["p90"], 64)
	found := false
	for _, e := range d.Excluded {
		if e["la_name"] == "Halton" && strings.Contains(e["reason"].(string), "under1_starts: count suppressed (c) in 2022") {
			found = true
		}
	}
	if !found {
		t.Errorf("balanced: Halton should be left out for 2022: %v", d.Excluded)
	}
}

func TestSpreadCSVAndTable(t *testing.T) {
	dir := testfiles.Fixture(t, "spread")
	out, stderr, err := run(t, dir, "csv", Options{Measure: "under1_starts"})
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
	if strings.Join(recs[0], ",") != "time_period,n,mean,sd,min,p10,q1,median,q3,p90,max,iqr,p90_p10,cv,net_spread" || len(recs) != 3 {
		t.Errorf("CSV %v", recs)
	}
	if !strings.Contains(stderr, "left out (2022): E06000006 Halton: count suppressed (c)") || !strings.Contains(stderr, "Are councils diverging?") {
		t.Errorf("stderr: %s", stderr)
	}
	out, _, err = run(t, dir, "table", Options{Measure: "under1_starts"})
	if err != nil || !strings.Contains(out, "Change in spread, 2021 to 2022") || !strings.Contains(out, "Councils left out (2)") {
		t.Errorf("table: %v\n%s", err, out)
	}
}

func TestSpreadErrors(t *testing.T) {
	dir := testfiles.Fixture(t, "spread")
	for _, c := range []struct {
		opts Options
		want string
		flag bool
	}{
		{Options{Measure: "under_1"}, "valid measures: referrals", true},
		{Options{Measure: "under1_starts", From: "20x"}, "--from", true},
		{Options{Measure: "under1_starts", From: "2023"}, "no under1_starts data between 2023 and the latest year; years available: 2021-2022", false},
		{Options{Measure: "under1_starts", Exclude: []string{"Atlantis"}}, "no local authority matches", false},
	} {
		_, _, err := run(t, dir, "table", c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) || cmdutil.IsFlagError(err) != c.flag {
			t.Errorf("%+v: %v, want %q (flag error %v)", c.opts, err, c.want, c.flag)
		}
	}
}

func TestFlagsWireOptions(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var got *Options
	cmd := NewCmdSpread(&cmdutil.Factory{IOStreams: ios}, func(o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"--measure", "s47", "--from", "2013", "--to", "2020-21", "--balanced", "--include-small", "--exclude", "Leeds"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Measure != "s47" || got.From != "2013" || got.To != "2020-21" || !got.Balanced || !got.IncludeSmall || got.Exclude[0] != "Leeds" {
		t.Errorf("options %+v", got)
	}
}

// TestSpreadRealUnder1 checks 2022 and 2018 against a computation straight
// from la_cla_who_started_to_be_looked_after.csv and the ONS population
// file with encoding/csv: local authority rows, cla_group "Age group",
// characteristic "Under 1 year", a numeric count and a numeric mid-(Y-1)
// population for the same DfE code, the Isles of Scilly (420) and the City
// of London (201) left out; median by sorting and interpolating
// (Hyndman & Fan type 7).
func TestSpreadRealUnder1(t *testing.T) {
	dir := testfiles.SharedEES(t)
	starts := readLA(t, filepath.Join(dir, "cla", "la_cla_who_started_to_be_looked_after.csv"), "number", func(r map[string]string) bool {
		return r["cla_group"] == "Age group" && r["characteristic"] == "Under 1 year"
	})
	pop := readLA(t, filepath.Join(dir, "population", "ons_mid-year_population_estimates_2012_to_2024.csv"), "population_estimate", nil)
	ratesFor := func(year int) []float64 {
		var out []float64
		for k, v := range starts {
			if k.year != year || k.old == "420" || k.old == "201" {
				continue
			}
			c, err1 := strconv.ParseFloat(v, 64)
			p, err2 := strconv.ParseFloat(pop[yearKey{k.old, year - 1}], 64)
			if err1 == nil && err2 == nil {
				out = append(out, c/p*10000)
			}
		}
		sort.Float64s(out)
		return out
	}
	quantile := func(s []float64, p float64) float64 {
		h := float64(len(s)-1) * p
		i := int(h)
		if i+1 >= len(s) {
			return s[len(s)-1]
		}
		return s[i] + (h-float64(i))*(s[i+1]-s[i])
	}
	mean := func(s []float64) float64 {
		var sum float64
		for _, v := range s {
			sum += v
		}
		return sum / float64(len(s))
	}

	out, _, err := run(t, dir, "json", Options{Measure: "under1_starts", From: "2018", To: "2022"})
	if err != nil {
		t.Fatal(err)
	}
	d := decode(t, out)
	if len(d.Spread) != 5 {
		t.Fatalf("want 2018-2022, got %d years", len(d.Spread))
	}
	r2022, r2018 := ratesFor(2022), ratesFor(2018)
	t.Logf("independent 2022: n %d median %.6f; 2018: n %d mean %.6f P90/P10 %.6f", len(r2022), quantile(r2022, 0.5), len(r2018), mean(r2018), quantile(r2018, 0.9)/quantile(r2018, 0.1))
	last, first := d.Spread[4], d.Spread[0]
	near(t, "2022 n", last["n"], float64(len(r2022)))
	near(t, "2022 median", last["median"], quantile(r2022, 0.5))
	near(t, "2022 IQR", last["iqr"], quantile(r2022, 0.75)-quantile(r2022, 0.25))
	near(t, "2018 n", first["n"], float64(len(r2018)))
	near(t, "2018 mean", first["mean"], mean(r2018))
	near(t, "2018 P90/P10", first["p90_p10"], quantile(r2018, 0.9)/quantile(r2018, 0.1))
}

type yearKey struct {
	old  string
	year int
}

func readLA(t *testing.T, path, indicator string, keep func(map[string]string) bool) map[yearKey]string {
	t.Helper()
	out := map[yearKey]string{}
	testfiles.EachRow(t, path, func(row map[string]string) {
		if row["geographic_level"] != "Local authority" || (keep != nil && !keep(row)) {
			return
		}
		y, _ := strconv.Atoi(row["time_period"])
		out[yearKey{row["old_la_code"], y}] = row[indicator]
	})
	return out
}

// TestSpreadFinding5 is issue 14's finding 5 on the real files, against
// the reviewer's independent re-implementation: under-1 starts 2018 →
// 2022, CV 0.495 → 0.553 over each year's councils, peaking in 2020; net
// of Poisson noise 0.317 → 0.332; over the councils with a rate in both
// years a paired bootstrap gives ΔCV 0.064 (95% CI −0.014 to 0.132, so
// not significant) and SD and IQR both fell; adoptions 2020 → 2024 ΔCV
// 0.147 (CI 0.051 to 0.23). Point estimates to 0.002; bootstrap bounds,
// which depend on the random stream, to 0.01.
func TestSpreadFinding5(t *testing.T) {
	dir := testfiles.SharedEES(t)
	for _, c := range []struct {
		measure           string
		from, to          string
		cvFirst, cvLast   float64 // per-year CVs ("" when not given)
		netFirst, netLast float64
		dcv, lo, hi       float64
	}{
		{"under1_starts", "2018", "2022", 0.495, 0.553, 0.317, 0.332, 0.064, -0.014, 0.132},
		{"adoptions", "2020", "2024", math.NaN(), math.NaN(), math.NaN(), math.NaN(), 0.147, 0.051, 0.23},
	} {
		out, _, err := run(t, dir, "json", Options{Measure: c.measure, From: c.from, To: c.to, Bootstrap: 2000, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		d := decode(t, out)
		first, last := d.Spread[0], d.Spread[len(d.Spread)-1]
		if !math.IsNaN(c.cvFirst) {
			for _, x := range []struct {
				what      string
				got, want any
			}{{"cv first", first["cv"], c.cvFirst}, {"cv last", last["cv"], c.cvLast}, {"net first", first["net_spread"], c.netFirst}, {"net last", last["net_spread"], c.netLast}} {
				if g := x.got.(float64); math.Abs(g-x.want.(float64)) > 0.002 {
					t.Errorf("%s %s = %v, want %v", c.measure, x.what, g, x.want)
				}
			}
			peak := 0
			for i, y := range d.Spread {
				if y["cv"].(float64) > d.Spread[peak]["cv"].(float64) {
					peak = i
				}
			}
			if d.Spread[peak]["time_period"].(float64) != 2020 {
				t.Errorf("%s: CV peaks in %v, want 2020", c.measure, d.Spread[peak]["time_period"])
			}
		}
		ch := map[string]map[string]any{}
		for _, x := range d.Change {
			ch[x["statistic"].(string)] = x
		}
		cv := ch["cv"]
		if g := cv["change"].(float64); math.Abs(g-c.dcv) > 0.002 {
			t.Errorf("%s ΔCV %v, want %v", c.measure, g, c.dcv)
		}
		if lo, hi := cv["ci_lower"].(float64), cv["ci_upper"].(float64); math.Abs(lo-c.lo) > 0.01 || math.Abs(hi-c.hi) > 0.01 {
			t.Errorf("%s ΔCV interval %v to %v, want %v to %v", c.measure, lo, hi, c.lo, c.hi)
		}
		if c.measure == "under1_starts" {
			if ch["sd"]["change"].(float64) >= 0 || ch["iqr"]["change"].(float64) >= 0 {
				t.Errorf("SD and IQR should both fall: %v %v", ch["sd"], ch["iqr"])
			}
			if !strings.Contains(strings.Join(d.Notes, " "), "the interval includes 0") {
				t.Errorf("verdict should say the change could be chance: %v", d.Notes)
			}
		}
	}
}
