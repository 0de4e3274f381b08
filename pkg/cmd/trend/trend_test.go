package trend

import (
	"encoding/json"
	"math"
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
