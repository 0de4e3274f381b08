package correlate

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/spec"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// TestGroupOfstedIndependent checks the within-group correlations and
// group sizes against the test's own grouping (a plain reading of
// Ofsted's sheet) and its own Pearson formula on the paired values.
func TestGroupOfstedIndependent(t *testing.T) {
	dir := testfiles.LinkedDataDir(t, testfiles.OfstedODS)
	plain := testfiles.PlainOfstedHistory(t)
	ios, _, out, _ := iostreams.Test()
	opts := &Options{Factory: &cmdutil.Factory{IOStreams: ios, DataDir: dir, Format: "json"}, X: "adoptions:change@2020-2024", Y: "s47:change@2020-2024", Method: "pearson", Group: "ofsted"}
	if err := correlateRun(opts); err != nil {
		t.Fatal(err)
	}
	var d struct {
		Groups []map[string]any `json:"groups"`
	}
	if err := json.Unmarshal(out.Bytes(), &d); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	calc, err := rates.Load(testfiles.SharedEES(t))
	if err != nil {
		t.Fatal(err)
	}
	x, _ := spec.Parse(opts.X)
	y, _ := spec.Parse(opts.Y)
	p, err := spec.Pair(calc, x, y, nil, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	type xy struct{ x, y []float64 }
	want := map[string]*xy{}
	add := func(g string, r spec.Row) {
		if want[g] == nil {
			want[g] = &xy{}
		}
		want[g].x = append(want[g].x, r.Values[0])
		want[g].y = append(want[g].y, r.Values[1])
	}
	for _, r := range p.Rows {
		best, date := "", ""
		for _, in := range plain {
			if calc.Registry.Canonical(in.Code) == r.Unit.Code && in.Date <= "2020-03-31" && in.Date > date {
				best, date = in.Overall, in.Date
			}
		}
		switch best {
		case "Outstanding", "Good":
			add(best, r)
			add("Good or outstanding", r)
		case "Requires improvement to be good":
			add("Requires improvement", r)
			add("Requires improvement or inadequate", r)
		case "Inadequate":
			add(best, r)
			add("Requires improvement or inadequate", r)
		default:
			add("Not yet inspected under ILACS", r)
		}
	}
	if len(d.Groups) != len(want) {
		t.Fatalf("%d group rows, the hand grouping has %d", len(d.Groups), len(want))
	}
	for _, row := range d.Groups {
		g := row["group"].(string)
		w := want[g]
		if w == nil || int(row["n"].(float64)) != len(w.x) {
			t.Errorf("%s: n = %v, hand count %v", g, row["n"], w)
			continue
		}
		if r := pearson(w.x, w.y); math.Abs(row["r"].(float64)-r) > 1e-9 {
			t.Errorf("%s: r = %v, by hand %v", g, row["r"], r)
		}
		mx := 0.0
		for _, v := range w.x {
			mx += v
		}
		if mx /= float64(len(w.x)); math.Abs(row["mean_x"].(float64)-mx) > 1e-9 {
			t.Errorf("%s: mean_x = %v, by hand %v", g, row["mean_x"], mx)
		}
	}
}

func TestGroupFlagAndErrors(t *testing.T) {
	var got *Options
	cmd := NewCmdCorrelate(&cmdutil.Factory{}, func(o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"--x", "imd:score", "--y", "s47:level@2024", "--group", "ofsted"})
	if err := cmd.Execute(); err != nil || got.Group != "ofsted" {
		t.Fatalf("%v %+v", err, got)
	}
	dir := testfiles.LinkedDataDir(t, testfiles.OfstedODS)
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, DataDir: dir, Format: "table"}
	for _, o := range []Options{
		{Factory: f, X: "adoptions:change@2020-2024", Y: "s47:change@2020-2024", Method: "pearson", Group: "ofsted", Controls: []string{"imd:score"}},
		{Factory: f, X: "adoptions:change@2020-2024", Y: "s47:change@2020-2024", Method: "pearson", Group: "ofsted", Bootstrap: 100},
		{Factory: f, X: "adoptions:change@2020-2024", Y: "s47:change@2020-2024", Method: "pearson", Group: "grades"},
	} {
		if err := correlateRun(&o); err == nil || !cmdutil.IsFlagError(err) {
			t.Errorf("%+v: err %v, want a usage error", o, err)
		}
	}
}
