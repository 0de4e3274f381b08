package spread

import (
	"encoding/json"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/spec"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// handGroup is the test's own grouping: the overall effectiveness of the
// latest inspection, in the test's plain reading of Ofsted's sheet, that
// began on or before 31 March of the first year; councils with none are
// "Not yet inspected under ILACS". Codes are compared as canonical codes.
func handGroup(reg interface{ Canonical(string) string }, plain []testfiles.OfstedInspection, code, start string) string {
	best, date := "", ""
	for _, in := range plain {
		if reg.Canonical(in.Code) == code && in.Date <= start && in.Date > date {
			best, date = in.Overall, in.Date
		}
	}
	switch best {
	case "":
		return "Not yet inspected under ILACS"
	case "Requires improvement to be good":
		return "Requires improvement"
	}
	return best
}

func TestGroupOfstedAgainstHandCount(t *testing.T) {
	dir := testfiles.LinkedDataDir(t, testfiles.OfstedODS)
	plain := testfiles.PlainOfstedHistory(t)
	out, _, err := run(t, dir, "json", Options{Measure: "adoptions", From: "2020", To: "2024", Group: "ofsted"})
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Groups []map[string]any `json:"groups"`
		Change []map[string]any `json:"group_change"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	calc, err := rates.Load(testfiles.SharedEES(t))
	if err != nil {
		t.Fatal(err)
	}
	// The councils: those with a 2020-2024 change (pkg/spec, tested on its
	// own); grouped and averaged here by hand.
	tbl, err := spec.Collect(calc, []spec.Spec{{Measure: "adoptions", Stat: spec.Change, From: 2020, To: 2024}}, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]float64{}
	for _, r := range tbl.Rows {
		g := handGroup(calc.Registry, plain, r.Unit.Code, "2020-03-31")
		want[g] = append(want[g], r.Values[0])
	}
	if len(d.Change) != len(want) {
		t.Fatalf("groups %v, hand count %d groups", d.Change, len(want))
	}
	total := 0
	for _, row := range d.Change {
		g := row["group"].(string)
		v := want[g]
		n := int(row["n"].(float64))
		total += n
		if n != len(v) {
			t.Errorf("%s: n = %d, hand count %d", g, n, len(v))
			continue
		}
		mean := 0.0
		for _, x := range v {
			mean += x
		}
		mean /= float64(len(v))
		if math.Abs(row["mean_change"].(float64)-mean) > 1e-9 {
			t.Errorf("%s: mean change %v, by hand %v", g, row["mean_change"], mean)
		}
	}
	if total != len(tbl.Rows) {
		t.Errorf("groups hold %d councils, want %d", total, len(tbl.Rows))
	}
	// A few councils checked by eye against the sheet: Leeds Outstanding
	// (October 2018), Northamptonshire Inadequate (June 2019), Barnet Good
	// (May 2019).
	for code, g := range map[string]string{"E08000035": "Outstanding", "E10000021": "Inadequate", "E09000003": "Good"} {
		if got := handGroup(calc.Registry, plain, code, "2020-03-31"); got != g {
			t.Errorf("%s: hand group %s, want %s", code, got, g)
		}
	}
	var groups []string
	for g := range want {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	t.Logf("groups at 31 March 2020: %v", groups)
	if len(d.Groups) == 0 {
		t.Error("no per-year group rows")
	}
}

func TestGroupFlag(t *testing.T) {
	var got *Options
	cmd := NewCmdSpread(&cmdutil.Factory{}, func(o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"--measure", "s47", "--group", "ofsted:latest"})
	if err := cmd.Execute(); err != nil || got.Group != "ofsted:latest" {
		t.Fatalf("%v %+v", err, got)
	}
	dir := testfiles.LinkedDataDir(t, testfiles.OfstedODS)
	if _, _, err := run(t, dir, "table", Options{Measure: "s47", Group: "ofsted:best"}); err == nil || !strings.Contains(err.Error(), "ofsted:latest") {
		t.Errorf("bad --group: %v", err)
	}
	// Without the Ofsted file: an error saying how to get it.
	if _, _, err := run(t, testfiles.LinkedDataDir(t), "table", Options{Measure: "s47", Group: "ofsted"}); err == nil || !strings.Contains(err.Error(), "cscstats fetch ofsted") {
		t.Errorf("no Ofsted file: %v", err)
	}
}
