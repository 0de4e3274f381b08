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
		if c["intervals_overlap"] != "false" {
			t.Errorf("%s: a fall this large cannot have overlapping intervals", c["measure"])
		}
	}
	if found != 2 {
		t.Errorf("want a change row per measure for Leeds, got %d", found)
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
