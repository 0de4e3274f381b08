package trend

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

func run(t *testing.T, format string, opts Options) (string, error) {
	t.Helper()
	ios, _, out, _ := iostreams.Test()
	opts.Factory = &cmdutil.Factory{IOStreams: ios, DataDir: testfiles.SharedEES(t), Format: format}
	err := trendRun(&opts)
	return out.String(), err
}

func TestTrendLeedsChange(t *testing.T) {
	out, err := run(t, "json", Options{LAs: []string{"leeds"}, Measures: []string{"s47,icpc"}, From: "2013", To: "2021"})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Rates   []map[string]any `json:"rates"`
		Changes []map[string]any `json:"changes"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	// 2 measures × 9 years × (Leeds, Yorkshire and The Humber, England)
	if len(doc.Rates) != 2*9*3 {
		t.Errorf("want 54 rate rows, got %d", len(doc.Rates))
	}
	// By hand from the CSV rows:
	// c4 2013 Leeds Section47 1910, ICPC 1513; c4 2021 Leeds Section47 1718, ICPC 773
	// ONS 0-17 Leeds mid-2012 156568, mid-2020 170292
	s47From, s47To := 1910.0/156568*1e4, 1718.0/170292*1e4
	icpcFrom, icpcTo := 1513.0/156568*1e4, 773.0/170292*1e4
	want := map[string][2]float64{"s47": {s47From, s47To}, "icpc": {icpcFrom, icpcTo}}
	found := 0
	for _, c := range doc.Changes {
		if c["la_name"] != "Leeds" {
			continue
		}
		w := want[c["measure"].(string)]
		found++
		if math.Abs(c["change"].(float64)-(w[1]-w[0])) > 1e-9 {
			t.Errorf("%s change = %v, want %v", c["measure"], c["change"], w[1]-w[0])
		}
		if math.Abs(c["change_percent"].(float64)-(w[1]-w[0])/w[0]*100) > 1e-9 {
			t.Errorf("%s change_percent = %v, want %v", c["measure"], c["change_percent"], (w[1]-w[0])/w[0]*100)
		}
		if rr := c["rate_ratio"].(float64); math.Abs(rr-w[1]/w[0]) > 1e-12 {
			t.Errorf("%s rate_ratio = %v, want %v", c["measure"], rr, w[1]/w[0])
		}
		if p := c["p_value"].(float64); !(p < 1e-4) || !(c["rate_ratio_upper"].(float64) < 1) {
			t.Errorf("%s: a fall this large must be significant: p = %v, upper %v", c["measure"], p, c["rate_ratio_upper"])
		}
	}
	if found != 2 {
		t.Errorf("want a change row per measure for Leeds, got %d", found)
	}
}

// TestTrendYorkshirePlans is issue 14's case: child protection plans at
// 31 March in Yorkshire and the Humber, 2013 → 2025. The region's 95%
// intervals overlap, yet the exact test gives p = 0.043. Counts by hand
// from d5_cpps_at31march_by_duration_2013_to_2025.csv (CPP_At31, Yorkshire
// and The Humber: 5,280 in 2013 and 5,730 in 2025) and the ONS 0-17
// population (1,131,201 mid-2012; 1,181,103 mid-2024); the p-value and
// interval worked independently in 30-digit arithmetic (see
// pkg/rates/ratio_test.go): p = 0.04328935, RR 1.039376 (1.001057 to
// 1.079178).
func TestTrendYorkshirePlans(t *testing.T) {
	out, err := run(t, "json", Options{LAs: []string{"Leeds"}, Measures: []string{"cpp_31march"}, From: "2013", To: "2025"})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Changes []map[string]any `json:"changes"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range doc.Changes {
		if c["la_name"] != "Yorkshire and The Humber" {
			continue
		}
		found = true
		want := (5730.0 / 1181103) / (5280.0 / 1131201)
		if rr := c["rate_ratio"].(float64); math.Abs(rr-want) > 1e-12 {
			t.Errorf("rate_ratio %v, want %v", rr, want)
		}
		if p := c["p_value"].(float64); math.Abs(p-0.04328935431) > 1e-8 {
			t.Errorf("p_value %v, want 0.043289", p)
		}
		if lo, hi := c["rate_ratio_lower"].(float64), c["rate_ratio_upper"].(float64); math.Abs(lo-1.0010568) > 1e-6 || math.Abs(hi-1.0791776) > 1e-6 {
			t.Errorf("interval %v-%v, want 1.0010568-1.0791776", lo, hi)
		}
	}
	if !found {
		t.Error("no Yorkshire and The Humber change row")
	}
}

func TestTrendAcrossBoundaryChange(t *testing.T) {
	out, err := run(t, "table", Options{LAs: []string{"Cumbria"}, Measures: []string{"s47"}, From: "2022", To: "2025"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "harmonised: sum of Cumberland and Westmorland and Furness") {
		t.Errorf("Cumbria after 2023 should be harmonised from its successors:\n%s", out)
	}
	out, err = run(t, "table", Options{LAs: []string{"Cumberland"}, Measures: []string{"s47"}, From: "2022", To: "2025"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "boundary break") {
		t.Errorf("Cumberland before 2024 should be a boundary break:\n%s", out)
	}
}

func TestTrendBadRange(t *testing.T) {
	_, err := run(t, "table", Options{LAs: []string{"Leeds"}, Measures: []string{"s47"}, From: "2021", To: "2013"})
	if err == nil || !cmdutil.IsFlagError(err) {
		t.Errorf("from after to: want a usage error, got %v", err)
	}
}

// sharedRows collects, by hand from the CSV rows, a column's value for a
// council code and year.
func sharedRows(t *testing.T, file, code, column string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	testfiles.EachRow(t, file, func(r map[string]string) {
		if r["new_la_code"] != code || r["geographic_level"] != "Local authority" {
			return
		}
		if v, err := strconv.ParseFloat(r[column], 64); err == nil {
			out[r["time_period"]] = v
		}
	})
	return out
}

// Item 7: a council formed mid-series changes from its first year with a
// rate, and says so. North Northamptonshire s47, by hand: c4 2022 1137 /
// ONS mid-2021 79186; c4 2025 1573 / ONS mid-2024 83113.
func TestTrendChangeForCouncilFormedMidSeries(t *testing.T) {
	dir := testfiles.SharedEES(t)
	count := sharedRows(t, filepath.Join(dir, "cin", "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"), "E06000061", "Section47")
	pop := sharedRows(t, filepath.Join(dir, "population", "ons_mid-year_population_estimates_2012_to_2024.csv"), "E06000061", "population_estimate")
	from, to := count["2022"]/pop["2021"]*1e4, count["2025"]/pop["2024"]*1e4
	if count["2022"] != 1137 || pop["2021"] != 79186 || count["2025"] != 1573 || pop["2024"] != 83113 {
		t.Fatalf("CSV rows changed: %v %v", count, pop)
	}
	out, err := run(t, "table", Options{LAs: []string{"North Northamptonshire"}, Measures: []string{"s47"}})
	if err != nil {
		t.Fatal(err)
	}
	// The rate ratio is the later rate over the earlier, by hand; its
	// interval and p-value are checked against R's poisson.test in
	// pkg/rates.
	want := fmt.Sprintf("s47      North Northamptonshire  2022  2025  %.1f      %.1f    %.1f    %.1f            %.3f",
		from, to, to-from, (to-from)/from*100, to/from)
	if want != "s47      North Northamptonshire  2022  2025  143.6      189.3    45.7    31.8            1.318" {
		t.Fatalf("hand computation: %q", want)
	}
	const changeNote = "  2022 to 2025: the first and last years with a rate (the years asked for run 2013 to 2025)"
	found := false
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, want+" ") && strings.HasSuffix(l, changeNote) {
			found = true
		}
	}
	if !found {
		t.Errorf("change row missing:\n%s\nwant line:\n%s", out, want)
	}
	// The boundary note once, with the years, not once per year.
	const note = "Note: North Northamptonshire s47 2013-2021: boundary break: North Northamptonshire began on 2021-04-01, formed from Northamptonshire; no comparable figure before 2022\n"
	notes := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "Note:") && strings.Contains(l, "boundary break: North Northamptonshire began") {
			notes++
		}
	}
	if notes != 1 || !strings.Contains(out, note) {
		t.Errorf("want the boundary note once:\n%s", out)
	}
}

// Item 8: every machine format carries every table with typed values and
// a note per row. JSON: booleans are booleans; CSV: --out-dir writes each
// table; the tidy table has old_la_code and why a rate is missing.
func TestTrendExportsEveryTable(t *testing.T) {
	dir := t.TempDir()
	ios, _, out, errOut := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, DataDir: testfiles.SharedEES(t), Format: "csv", OutDir: dir}
	if err := trendRun(&Options{Factory: f, LAs: []string{"City of London"}, Measures: []string{"s47"}, From: "2021", To: "2022"}); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("with --out-dir, stdout should be empty, got %q", out.String())
	}
	rates, err := os.ReadFile(filepath.Join(dir, "rates.csv"))
	if err != nil {
		t.Fatal(err)
	}
	changes, err := os.ReadFile(filepath.Join(dir, "changes.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(rates)), "\n")
	if lines[0] != "measure,time_period,geographic_level,new_la_code,la_name,region_name,count,population,rate_per_10k,ci_lower,ci_upper,old_la_code,note" {
		t.Errorf("rates.csv header %q", lines[0])
	}
	// City of London s47: c4 2021 "c" (suppressed); 2022 21 enquiries.
	if !strings.Contains(string(rates), "s47,2021,Local authority,E09000001,City of London,Inner London,,") ||
		!strings.Contains(string(rates), ",201,no rate: count suppressed (c)\n") {
		t.Errorf("the suppressed 2021 row lacks its reason:\n%s", rates)
	}
	if !strings.HasPrefix(string(changes), "measure,la_name,from,to,rate_from,rate_to,change,change_percent,rate_ratio,rate_ratio_lower,rate_ratio_upper,p_value,note\ns47,City of London,,,,,,,,,,,only 2022 has a rate\n") {
		t.Errorf("changes.csv:\n%s", changes)
	}
	if !strings.Contains(errOut.String(), "wrote "+filepath.Join(dir, "changes.csv")) {
		t.Errorf("stderr should name the files written:\n%s", errOut.String())
	}
	// Without --out-dir the CSV is the main table, and stderr says what
	// else there is.
	ios, _, out, errOut = iostreams.Test()
	f = &cmdutil.Factory{IOStreams: ios, DataDir: testfiles.SharedEES(t), Format: "csv"}
	if err := trendRun(&Options{Factory: f, LAs: []string{"Leeds"}, Measures: []string{"s47"}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), "note: this CSV is the rates table; the output also has changes: add --out-dir DIR to write every table as DIR/<table>.csv, or use --format json") {
		t.Errorf("stderr does not say the changes table is left out:\n%s", errOut.String())
	}
}

// Item 6: today's Dorset was formed from the former county alone (not
// from Bournemouth and Poole, which went into BCP).
func TestTrendDorsetPredecessor(t *testing.T) {
	out, err := run(t, "table", Options{LAs: []string{"Dorset"}, Measures: []string{"s47"}})
	if err != nil {
		t.Fatal(err)
	}
	const want = "Note: Dorset s47 2013-2019: boundary break: Dorset began on 2019-04-01, formed from Dorset (county, to 2019); no comparable figure before 2020\n"
	if !strings.Contains(out, want) || strings.Contains(out, "formed from Bournemouth") {
		t.Errorf("want %q in\n%s", want, out)
	}
}
