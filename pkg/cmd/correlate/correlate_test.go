package correlate

import (
	"encoding/csv"
	"encoding/json"
	"math"
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
	if opts.Method == "" {
		opts.Method = "pearson"
	}
	if opts.Seed == 0 {
		opts.Seed = DefaultSeed
	}
	err := correlateRun(&opts)
	return out.String(), errOut.String(), err
}

// fixture is testdata/spec (see its README). For adoptions:change@2020-2024
// against s47:change@2020-2024 the councils and values, by hand, are
//
//	Cumbria (Cumberland + Westmorland and Furness)  x = 7-10 = -3   y = 130-200 = -70
//	Darlington                                      x = 0           y = 20
//	Hartlepool                                      x = 2           y = 40
//	Middlesbrough                                   x = -4          y = -100
//	Stockton-on-Tees                                x = 6           y = 20
//
// left out: Halton (adoptions c in 2024), Redcar and Cleveland (no
// adoptions row for 2020), Isles of Scilly (small population).
var (
	fxX = []float64{-3, 0, 2, -4, 6}
	fxY = []float64{-70, 20, 40, -100, 20}
)

func fixtureDir(t *testing.T) string { return testfiles.Fixture(t, "spec") }

// pearson is the textbook formula, written out independently of pkg/stats.
func pearson(x, y []float64) float64 {
	n := float64(len(x))
	var sx, sy, sxx, syy, sxy float64
	for i := range x {
		sx += x[i]
		sy += y[i]
		sxx += x[i] * x[i]
		syy += y[i] * y[i]
		sxy += x[i] * y[i]
	}
	return (n*sxy - sx*sy) / math.Sqrt((n*sxx-sx*sx)*(n*syy-sy*sy))
}

func TestJSONShapeOnFixture(t *testing.T) {
	out, stderr, err := run(t, fixtureDir(t), "json", Options{X: "adoptions:change@2020-2024", Y: "s47:change@2020-2024"})
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &obj); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	var keys []string
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if got, want := strings.Join(keys, ","), "baseline_correlation,ci_lower,ci_upper,controls,excluded,included,method,n,p_value,r,reliability,slope,x,y"; got != want {
		t.Errorf("fields\n got %s\nwant %s", got, want)
	}
	var doc struct {
		Method   string           `json:"method"`
		X, Y     string           `json:"-"`
		N        int              `json:"n"`
		R        float64          `json:"r"`
		Slope    *float64         `json:"slope"`
		Controls []string         `json:"controls"`
		Included []map[string]any `json:"included"`
		Excluded []map[string]any `json:"excluded"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if string(obj["x"]) != `"adoptions:change@2020-2024"` || string(obj["y"]) != `"s47:change@2020-2024"` || doc.Method != "pearson" {
		t.Errorf("method/x/y: %s %s %s", doc.Method, obj["x"], obj["y"])
	}
	if doc.N != 5 || math.Abs(doc.R-pearson(fxX, fxY)) > 1e-12 {
		t.Errorf("n = %d, r = %v; want 5 and %v", doc.N, doc.R, pearson(fxX, fxY))
	}
	if doc.Controls == nil || len(doc.Controls) != 0 {
		t.Errorf("controls should be an empty array, got %v", doc.Controls)
	}
	for _, in := range doc.Included {
		if len(in) != 4 || in["new_la_code"] == nil || in["la_name"] == nil || in["x"] == nil || in["y"] == nil {
			t.Errorf("included row fields: %v", in)
		}
	}
	if doc.Included[0]["la_name"] != "Cumbria (Cumberland + Westmorland and Furness)" || doc.Included[0]["new_la_code"] != "E10000006" {
		t.Errorf("first included row %v", doc.Included[0])
	}
	why := map[string]string{}
	for _, e := range doc.Excluded {
		if len(e) != 3 {
			t.Errorf("excluded row fields: %v", e)
		}
		why[e["la_name"].(string)] = e["reason"].(string)
	}
	for name, want := range map[string]string{
		"Halton":               "adoptions: count suppressed (c) in 2024",
		"Redcar and Cleveland": "adoptions: no figure in the data (missing year) in 2020",
		"Isles of Scilly":      "small population",
	} {
		if !strings.Contains(why[name], want) {
			t.Errorf("%s: %q, want %q", name, why[name], want)
		}
	}
	if !strings.Contains(stderr, "not causation") || !strings.Contains(stderr, "ecological fallacy") {
		t.Errorf("the caveat should be on stderr with JSON: %q", stderr)
	}
}

func TestCSVAndTableOnFixture(t *testing.T) {
	out, stderr, err := run(t, fixtureDir(t), "csv", Options{X: "adoptions:change@2020-2024", Y: "s47:change@2020-2024"})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != "new_la_code,la_name,x,y" || len(recs) != 6 {
		t.Errorf("CSV: %v", recs)
	}
	for _, want := range []string{"councils (n): 5", "left out: E06000006 Halton: adoptions: count suppressed (c) in 2024", "left out: E06000053 Isles of Scilly: small population", "not causation"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	out, _, err = run(t, fixtureDir(t), "table", Options{X: "adoptions:change@2020-2024", Y: "s47:change@2020-2024"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Councils included (5)", "Councils left out (3)", "95% CI", "Fisher z", "slope", "t = ", "on 3 df", "ecological fallacy", "Cumberland and Westmorland and Furness summed"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	out, _, err = run(t, fixtureDir(t), "markdown", Options{X: "adoptions:change@2020-2024", Y: "s47:change@2020-2024"})
	if err != nil || !strings.Contains(out, "| new_la_code | la_name | reason |") || !strings.Contains(out, "not causation") {
		t.Errorf("markdown: %v\n%s", err, out)
	}
}

func TestRankMethodsHaveNoSlope(t *testing.T) {
	for _, m := range []string{"spearman", "kendall"} {
		out, _, err := run(t, fixtureDir(t), "json", Options{X: "adoptions:change@2020-2024", Y: "s47:change@2020-2024", Method: m})
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		_ = json.Unmarshal([]byte(out), &doc)
		if v, ok := doc["slope"]; !ok || v != nil || doc["method"] != m {
			t.Errorf("%s: slope %v (present %v), method %v", m, v, ok, doc["method"])
		}
	}
	// Spearman by hand: ranks of x (-3,0,2,-4,6) = 2,3,4,1,5; of y
	// (-70,20,40,-100,20) = 2,3.5,5,1,3.5.
	out, _, _ := run(t, fixtureDir(t), "json", Options{X: "adoptions:change@2020-2024", Y: "s47:change@2020-2024", Method: "spearman"})
	var doc struct{ R float64 }
	_ = json.Unmarshal([]byte(out), &doc)
	if want := pearson([]float64{2, 3, 4, 1, 5}, []float64{2, 3.5, 5, 1, 3.5}); math.Abs(doc.R-want) > 1e-12 {
		t.Errorf("spearman rho %v, want %v", doc.R, want)
	}
}

func TestPartialOnFixture(t *testing.T) {
	out, _, err := run(t, fixtureDir(t), "json", Options{X: "adoptions:change@2020-2024", Y: "s47:change@2020-2024", Controls: []string{"imd:score"}})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		N        int
		R        float64
		Slope    *float64
		Controls []string
		Included []struct {
			Controls []float64 `json:"controls"`
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	// IMD scores of the fixture, in the same order: Cumbria 20, Darlington
	// 25, Hartlepool 30, Middlesbrough 40, Stockton-on-Tees 22.
	z := []float64{20, 25, 30, 40, 22}
	rxy, rxz, ryz := pearson(fxX, fxY), pearson(fxX, z), pearson(fxY, z)
	want := (rxy - rxz*ryz) / math.Sqrt((1-rxz*rxz)*(1-ryz*ryz))
	if doc.N != 5 || math.Abs(doc.R-want) > 1e-9 || doc.Slope != nil || len(doc.Controls) != 1 || doc.Controls[0] != "imd:score" {
		t.Errorf("partial: %+v, want r %v", doc, want)
	}
	if len(doc.Included) != 5 || doc.Included[0].Controls[0] != 20 {
		t.Errorf("included controls: %+v", doc.Included)
	}
	out, _, _ = run(t, fixtureDir(t), "table", Options{X: "adoptions:change@2020-2024", Y: "s47:change@2020-2024", Controls: []string{"imd:score"}})
	if !strings.Contains(out, "on 2 df") || !strings.Contains(out, "controlling for imd:score") {
		t.Errorf("partial df should be n-2-k = 2:\n%s", out)
	}
}

func TestWeightedOnFixture(t *testing.T) {
	out, stderr, err := run(t, fixtureDir(t), "json", Options{X: "adoptions:change@2020-2024", Y: "s47:change@2020-2024", Weight: "population"})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		R          float64
		Weight     string
		Included   []struct{ Weight float64 }
		EffectiveN float64 `json:"effective_n"`
		CILower    float64 `json:"ci_lower"`
	}
	_ = json.Unmarshal([]byte(out), &doc)
	// Kish: weights 20,000 and four of 10,000: (60,000)² / (4·10⁸ + 4·10⁸)
	// = 3.6·10⁹ / 8·10⁸ = 4.5 effective councils of 5, so the Fisher
	// interval uses sqrt(4.5 − 3): tanh(atanh r ∓ 1.959964/sqrt(1.5)).
	if doc.EffectiveN != 4.5 {
		t.Errorf("effective_n = %v, want 4.5", doc.EffectiveN)
	}
	if w := pearson(append([]float64{-3}, fxX...), append([]float64{-70}, fxY...)); math.Abs(doc.CILower-math.Tanh(math.Atanh(w)-1.959963984540054/math.Sqrt(1.5))) > 1e-9 {
		t.Errorf("ci_lower %v does not use the effective n", doc.CILower)
	}
	// Weights: Cumbria 12,000 + 8,000 at mid-2023, the others 10,000, so
	// Cumbria counts twice: the weighted r equals the unweighted r with
	// Cumbria's pair repeated.
	want := pearson(append([]float64{-3}, fxX...), append([]float64{-70}, fxY...))
	if math.Abs(doc.R-want) > 1e-12 || doc.Weight != "population 2024" || doc.Included[0].Weight != 20000 {
		t.Errorf("weighted: %+v, want r %v", doc, want)
	}
	if !strings.Contains(stderr, "Weighted by each council's population aged 0-17 in 2024") {
		t.Errorf("weight note missing: %s", stderr)
	}
}

func TestInfluenceAndBootstrapOnFixture(t *testing.T) {
	opts := Options{X: "adoptions:change@2020-2024", Y: "s47:change@2020-2024", Influence: true, Bootstrap: 500}
	out1, stderr, err := run(t, fixtureDir(t), "json", opts)
	if err != nil {
		t.Fatal(err)
	}
	out2, _, _ := run(t, fixtureDir(t), "json", opts)
	if out1 != out2 {
		t.Error("the same seed should give the same bootstrap interval")
	}
	if !strings.Contains(stderr, "seed 20220523") {
		t.Errorf("the default seed should be printed: %s", stderr)
	}
	var doc struct {
		R         float64
		Bootstrap struct {
			Replicates int
			Seed       uint64
			CILower    float64 `json:"ci_lower"`
			CIUpper    float64 `json:"ci_upper"`
		}
		Influence []struct {
			Code    string  `json:"new_la_code"`
			Without float64 `json:"r_without"`
			Change  float64
		}
	}
	_ = json.Unmarshal([]byte(out1), &doc)
	if doc.Bootstrap.Replicates != 500 || doc.Bootstrap.Seed != DefaultSeed || !(doc.Bootstrap.CILower <= doc.Bootstrap.CIUpper) {
		t.Errorf("bootstrap %+v", doc.Bootstrap)
	}
	if len(doc.Influence) != 5 {
		t.Fatalf("influence rows: %+v", doc.Influence)
	}
	// Leave-one-out by hand for each council, largest change first.
	prev := math.Inf(1)
	for _, in := range doc.Influence {
		idx := map[string]int{"E10000006": 0, "E06000005": 1, "E06000001": 2, "E06000002": 3, "E06000004": 4}[in.Code]
		var x, y []float64
		for i := range fxX {
			if i != idx {
				x, y = append(x, fxX[i]), append(y, fxY[i])
			}
		}
		if w := pearson(x, y); math.Abs(in.Without-w) > 1e-12 || math.Abs(in.Change-(w-doc.R)) > 1e-12 {
			t.Errorf("%s: without %v change %v, want %v", in.Code, in.Without, in.Change, w)
		}
		if math.Abs(in.Change) > prev {
			t.Error("influence not sorted by size of change")
		}
		prev = math.Abs(in.Change)
	}
	opts.Seed = 7
	out3, _, _ := run(t, fixtureDir(t), "json", opts)
	if out3 == out1 {
		t.Error("another seed should give another resample")
	}
}

func TestMatrixOnFixture(t *testing.T) {
	out, stderr, err := run(t, fixtureDir(t), "csv", Options{Matrix: true, Measures: []string{"s47,adoptions", "imd"}, Stat: "change@2020-2024"})
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
	if strings.Join(recs[0], ",") != "measure,s47,adoptions,imd:score" || len(recs) != 4 {
		t.Fatalf("matrix CSV: %v", recs)
	}
	// Complete cases: the five councils above, all with IMD scores.
	if got, _ := strconv.ParseFloat(recs[1][2], 64); math.Abs(got-pearson(fxY, fxX)) > 1e-12 {
		t.Errorf("s47-adoptions %s, want %v", recs[1][2], pearson(fxY, fxX))
	}
	if !strings.Contains(stderr, "n = 5 councils") || !strings.Contains(stderr, "not causation") {
		t.Errorf("stderr: %s", stderr)
	}
}

func TestErrors(t *testing.T) {
	dir := fixtureDir(t)
	cases := []struct {
		opts Options
		want string
		flag bool
	}{
		{Options{X: "adoptions:change@2020-2024"}, "give both --x and --y", true},
		{Options{X: "adoption:change@2020-2024", Y: "s47:level@2024"}, "valid measures: referrals, cin_31march, s47", true},
		{Options{X: "s47:mean@2020", Y: "s47:level@2024"}, `unknown statistic "mean"`, true},
		{Options{X: "s47:change@2024-2020", Y: "s47:level@2024"}, "must be before", true},
		{Options{X: "s47:change@2020-2024", Y: "s47:level@2024", Method: "tau"}, `unknown --method "tau"`, true},
		{Options{X: "s47:change@2020-2024", Y: "s47:level@2024", Method: "kendall", Controls: []string{"imd:score"}}, "not kendall", true},
		{Options{X: "s47:change@2020-2024", Y: "s47:level@2024", Method: "spearman", Weight: "population"}, "pearson only", true},
		{Options{X: "s47:change@2020-2024", Y: "s47:level@2024", Weight: "people"}, `unknown --weight "people"`, true},
		{Options{X: "s47:change@2020-2024", Y: "s47:level@2024", Weight: "population", Bootstrap: 10}, "drop --weight", true},
		{Options{X: "s47:change@2019-2024", Y: "s47:level@2024"}, "no s47 data for 2019; years available: 2020, 2022, 2024", false},
		{Options{Matrix: true, Measures: []string{"s47"}, Stat: "change@2020-2024"}, "at least two measures", true},
		{Options{Matrix: true, Measures: []string{"s47", "icpc"}}, "--matrix needs --stat", true},
		{Options{Matrix: true, X: "s47:level@2024", Measures: []string{"s47", "icpc"}, Stat: "level@2024"}, "not --x", true},
		{Options{Measures: []string{"s47"}}, "go with --matrix", true},
		{Options{X: "s47:level@2024", Y: "adoptions:level@2024", Exclude: []string{"Atlantis"}}, "no local authority matches", false},
	}
	for _, c := range cases {
		_, _, err := run(t, dir, "table", c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.opts, err, c.want)
			continue
		}
		if cmdutil.IsFlagError(err) != c.flag {
			t.Errorf("%+v: flag error = %v, want %v (%v)", c.opts, cmdutil.IsFlagError(err), c.flag, err)
		}
	}
}

func TestFlagsWireOptions(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var got *Options
	cmd := NewCmdCorrelate(&cmdutil.Factory{IOStreams: ios}, func(o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"--x", "imd:score", "--y", "s47:level@2024", "--control", "adoptions:level@2024", "--control", "icpc:level@2024",
		"--method", "spearman", "--exclude", "Leeds", "--include-small", "--influence", "--bootstrap", "100", "--seed", "9"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.X != "imd:score" || got.Y != "s47:level@2024" || len(got.Controls) != 2 || got.Method != "spearman" ||
		got.Exclude[0] != "Leeds" || !got.IncludeSmall || !got.Influence || got.Bootstrap != 100 || got.Seed != 9 {
		t.Errorf("options %+v", got)
	}
	cmd = NewCmdCorrelate(&cmdutil.Factory{IOStreams: ios}, func(o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"--matrix", "--measures", "s47,icpc", "--stat", "change@2020-2024"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !got.Matrix || len(got.Measures) != 2 || got.Stat != "change@2020-2024" || got.Method != "pearson" || got.Seed != DefaultSeed {
		t.Errorf("matrix options %+v", got)
	}
}
