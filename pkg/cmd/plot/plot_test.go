package plot

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/chartdata"
	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/spec"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// factory returns a Factory on the real DfE files and its stderr.
func factory(t *testing.T) (*cmdutil.Factory, *bytes.Buffer) {
	t.Helper()
	ios, _, _, errOut := iostreams.Test()
	return &cmdutil.Factory{IOStreams: ios, DataDir: testfiles.SharedEES(t), Format: "table"}, errOut
}

// decode checks a written chart file by its format.
func decode(t *testing.T, path string) (w, h int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	switch filepath.Ext(path) {
	case ".png":
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return img.Bounds().Dx(), img.Bounds().Dy()
	case ".svg":
		d := xml.NewDecoder(bytes.NewReader(b))
		for {
			_, err := d.Token()
			if err == io.EOF {
				return 0, 0
			}
			if err != nil {
				t.Fatalf("%s is not XML: %v", path, err)
			}
		}
	case ".pdf":
		if !bytes.HasPrefix(b, []byte("%PDF")) {
			t.Fatalf("%s does not start with %%PDF", path)
		}
	}
	return 0, 0
}

// TestPlotEveryKind runs each chart kind the way the README shows and
// checks the file and what is said on stderr.
func TestPlotEveryKind(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		opts Options
		w, h int    // PNG pixels at 150 dpi (16 cm = 945; 10 cm = 591; funnel and scatter 13 cm = 768); 0 for SVG and PDF
		say  string // in the stderr report
	}{
		{"trend.png", Options{Kind: KindTrend, Measures: []string{"s47"}, LAs: []string{"Leeds"}}, 945, 591, "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"},
		{"trend_sm.svg", Options{Kind: KindTrend, Measures: []string{"s47,icpc,cpp_31march"}, LAs: []string{"Leeds"}}, 0, 0, "d5_cpps_at31march_by_duration_2013_to_2025.csv"},
		{"rank.png", Options{Kind: KindRank, Measures: []string{"adoptions"}, Year: "2024", Highlight: []string{"Leeds"}}, 945, 591, "la_children_who_ceased_during_the_year.csv"},
		{"funnel.pdf", Options{Kind: KindFunnel, Measures: []string{"under1_starts"}, Year: "2022", Overdispersion: true}, 0, 0, "la_cla_who_started_to_be_looked_after.csv"},
		{"funnel.png", Options{Kind: KindFunnel, Measures: []string{"under1_starts"}, Year: "2021-22"}, 945, 768, "children starting care aged under 1"},
		{"scatter.png", Options{Kind: KindScatter, X: "imd:score", Y: "cla_31march:level@2024", Highlight: []string{"Leeds"}}, 945, 768, "imd19.csv"},
		{"slope.png", Options{Kind: KindSlope, Measures: []string{"s47"}, From: "2013", To: "2021"}, 945, 591, "mid-2012 to mid-2020"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, errOut := factory(t)
			opts := tc.opts
			opts.Factory = f
			opts.Output = filepath.Join(dir, tc.name)
			if err := plotRun(&opts); err != nil {
				t.Fatal(err)
			}
			w, h := decode(t, opts.Output)
			if w != tc.w || h != tc.h {
				t.Errorf("%d×%d px, want %d×%d", w, h, tc.w, tc.h)
			}
			// Leading warnings (areas without denominators, see
			// cmdutil.DenominatorWarning) come before what was written.
			msg := errOut.String()
			for strings.HasPrefix(msg, "warning: ") {
				_, msg, _ = strings.Cut(msg, "\n")
			}
			if !strings.HasPrefix(msg, "wrote "+opts.Output) || !strings.Contains(msg, "\nsource: DfE, ") || !strings.Contains(strings.ToLower(msg), strings.ToLower(tc.say)) {
				t.Errorf("stderr:\n%s", msg)
			}
		})
	}
}

func TestPlotSizeInPixels(t *testing.T) {
	f, errOut := factory(t)
	out := filepath.Join(t.TempDir(), "leeds.png")
	opts := Options{Factory: f, Kind: KindTrend, Measures: []string{"s47"}, LAs: []string{"Leeds", "Camden"}, From: "2016", Output: out, Width: "1200px", Height: "800px"}
	if err := plotRun(&opts); err != nil {
		t.Fatal(err)
	}
	if w, h := decode(t, out); w != 1200 || h != 800 {
		t.Errorf("%d×%d px, want 1200×800", w, h)
	}
	if !strings.Contains(errOut.String(), "1200 × 800 px") {
		t.Errorf("stderr: %s", errOut)
	}
}

// TestPlotDataCSV: --csv writes the data behind the chart, and its rates
// are the table's.
func TestPlotDataCSV(t *testing.T) {
	f, _ := factory(t)
	dir := t.TempDir()
	opts := Options{Factory: f, Kind: KindTrend, Measures: []string{"s47"}, LAs: []string{"Hampshire"}, From: "2023", To: "2025",
		Output: filepath.Join(dir, "h.svg"), DataCSV: filepath.Join(dir, "h.csv")}
	if err := plotRun(&opts); err != nil {
		t.Fatal(err)
	}
	fh, err := os.Open(opts.DataCSV)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rows, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// header + 3 years × (Hampshire, South East, England)
	if len(rows) != 1+9 || strings.Join(rows[0][:3], ",") != "measure,time_period,geographic_level" {
		t.Fatalf("csv: %v", rows)
	}
	for _, r := range rows[1:] {
		if r[4] == "Hampshire" && r[1] == "2024" && (r[8] != "" || r[6] != "u" && r[6] != "") {
			t.Errorf("Hampshire 2024 is u (low reliability): want an empty rate, got %v", r)
		}
	}
}

// TestPlotErrorsWriteNothing: a failure leaves no file behind.
func TestPlotErrorsWriteNothing(t *testing.T) {
	cases := []struct {
		name string
		opts Options
		flag bool // a usage error
	}{
		{"unknown LA", Options{Kind: KindTrend, Measures: []string{"s47"}, LAs: []string{"Nowhereshire"}}, false},
		{"year without data", Options{Kind: KindRank, Measures: []string{"adoptions"}, Year: "2015"}, false},
		{"bad year", Options{Kind: KindRank, Measures: []string{"adoptions"}, Year: "last"}, true},
		{"two measures for rank", Options{Kind: KindRank, Measures: []string{"s47,icpc"}}, true},
		{"bad width", Options{Kind: KindTrend, Measures: []string{"s47"}, Width: "16"}, true},
		{"bad spec", Options{Kind: KindScatter, X: "s47", Y: "imd:score"}, true},
		{"unknown highlight", Options{Kind: KindFunnel, Measures: []string{"s47"}, Highlight: []string{"Atlantis"}}, false},
		{"slope backwards", Options{Kind: KindSlope, Measures: []string{"s47"}, From: "2021", To: "2013"}, true},
		{"csv not .csv", Options{Kind: KindTrend, Measures: []string{"s47"}, DataCSV: "data.txt"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			f, errOut := factory(t)
			opts := tc.opts
			opts.Factory = f
			opts.Output = filepath.Join(dir, "chart.png")
			if opts.DataCSV != "" {
				opts.DataCSV = filepath.Join(dir, opts.DataCSV)
			}
			err := plotRun(&opts)
			if err == nil {
				t.Fatal("no error")
			}
			if cmdutil.IsFlagError(err) != tc.flag {
				t.Errorf("usage error = %v, want %v: %v", cmdutil.IsFlagError(err), tc.flag, err)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("left files behind: %v", ents)
			}
			if strings.Contains(errOut.String(), "wrote") {
				t.Errorf("claims to have written: %s", errOut)
			}
		})
	}
	// an unknown extension is refused before anything is computed
	f, _ := factory(t)
	err := plotRun(&Options{Factory: f, Kind: KindTrend, Measures: []string{"s47"}, Output: filepath.Join(t.TempDir(), "chart.gif")})
	if err == nil || !cmdutil.IsFlagError(err) || !strings.Contains(err.Error(), ".png, .svg or .pdf") {
		t.Errorf(".gif: %v", err)
	}
}

// TestNewCmdPlotFlags checks the flags reach the options.
func TestNewCmdPlotFlags(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios}
	var got *Options
	cmd := NewCmdPlot(f, func(o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"trend", "--measure", "s47,icpc", "--la", "Leeds", "--la", "Bristol, City of", "--from", "2015", "-o", "x.png", "--width", "16cm", "--height", "1200px"})
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := &Options{Factory: f, Kind: KindTrend, Output: "x.png", Width: "16cm", Height: "1200px",
		Measures: []string{"s47", "icpc"}, LAs: []string{"Leeds", "Bristol, City of"}, From: "2015"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}

	cmd = NewCmdPlot(f, func(o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"funnel", "-m", "under1_starts", "-y", "2022", "--overdispersion", "--highlight", "Leeds", "--include-small", "-o", "f.pdf"})
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Kind != KindFunnel || !got.Overdispersion || !got.IncludeSmall || got.Year != "2022" || got.Highlight[0] != "Leeds" || got.Output != "f.pdf" {
		t.Errorf("funnel flags: %+v", got)
	}

	cmd = NewCmdPlot(f, func(o *Options) error { return nil })
	cmd.SetArgs([]string{"rank", "--measure", "s47"})
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "output") {
		t.Errorf("rank without -o: %v", err)
	}
}

// TestSmallPopulationMatchesSpec: charts leave out the same councils as
// correlations.
func TestSmallPopulationMatchesSpec(t *testing.T) {
	if !reflect.DeepEqual(chartdata.SmallPopulation, spec.SmallPopulation) {
		t.Errorf("chartdata %v, spec %v", chartdata.SmallPopulation, spec.SmallPopulation)
	}
}

// TestPlotFunnelScale: --scale works the overdispersed limits on the
// square-root scale and says so; without --overdispersion it is refused
// (exact Poisson limits are the same on every scale); an unknown scale is
// a usage error.
func TestPlotFunnelScale(t *testing.T) {
	dir := t.TempDir()
	f, errOut := factory(t)
	opts := Options{Factory: f, Kind: KindFunnel, Measures: []string{"adoptions"}, Year: "2024", Overdispersion: true, Scale: "sqrt",
		Output: filepath.Join(dir, "f.svg"), DataCSV: filepath.Join(dir, "f.csv")}
	if err := plotRun(&opts); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(opts.DataCSV)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "od_scale,od_phi,od_tau2,od_councils") || !strings.Contains(string(b), ",sqrt,") {
		t.Errorf("CSV lacks the estimate on the square-root scale:\n%.400s", b)
	}
	svg, _ := os.ReadFile(opts.Output)
	if !strings.Contains(string(svg), "square-root scale") {
		t.Error("chart should say the limits are on the square-root scale")
	}
	_ = errOut
	for _, bad := range []Options{
		{Kind: KindFunnel, Measures: []string{"adoptions"}, Year: "2024", Scale: "sqrt"},
		{Kind: KindFunnel, Measures: []string{"adoptions"}, Year: "2024", Overdispersion: true, Scale: "logit"},
	} {
		f, _ := factory(t)
		bad.Factory, bad.Output = f, filepath.Join(dir, "x.svg")
		if err := plotRun(&bad); err == nil || !cmdutil.IsFlagError(err) {
			t.Errorf("%+v: want a usage error, got %v", bad.Scale, err)
		}
	}
}
