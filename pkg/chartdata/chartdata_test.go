package chartdata

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cscstats/cscstats/pkg/charts"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/funnel"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/spec"
	"github.com/cscstats/cscstats/pkg/testfiles"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

var (
	calcOnce sync.Once
	calcVal  *rates.Calculator
	calcErr  error
)

// calc loads ../shared/ees once for the package's tests.
func calc(t *testing.T) *rates.Calculator {
	t.Helper()
	dir := testfiles.SharedEES(t)
	calcOnce.Do(func() { calcVal, calcErr = rates.Load(dir) })
	if calcErr != nil {
		t.Fatal(calcErr)
	}
	return calcVal
}

// outDir is where charts are written: $CSCSTATS_CHARTS_OUT when set (to
// look at them), else a temporary directory.
func outDir(t *testing.T) string {
	if d := os.Getenv("CSCSTATS_CHARTS_OUT"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// saveAll writes c as PNG, SVG and PDF and checks each decodes: the PNG
// at 945 × 591 px (16 × 10 cm at 150 dpi), the SVG as XML with the source
// line, the PDF's header. Charts are drawn at DefaultSize: 945 × 591 px
// for 16 × 10 cm.
func saveAll(t *testing.T, name string, c charts.Chart, source string) {
	t.Helper()
	dir := outDir(t)
	w, h := DefaultSize(c)
	wantW, wantH := int(math.Round(float64(w/vg.Inch)*150)), int(math.Round(float64(h/vg.Inch)*150))
	for _, ext := range []string{".png", ".svg", ".pdf"} {
		path := filepath.Join(dir, name+ext)
		if err := c.Save(path, w, h); err != nil {
			t.Fatalf("save %s: %v", path, err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		switch ext {
		case ".png":
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if sz := img.Bounds().Size(); sz.X != wantW || sz.Y != wantH {
				t.Errorf("%s: %v pixels, want %d×%d", path, sz, wantW, wantH)
			}
		case ".svg":
			texts, err := svgText(b)
			if err != nil {
				t.Fatalf("%s does not parse as XML: %v", path, err)
			}
			// the first source file named must be in the drawn text
			// (words may wrap across lines, so compare without spaces)
			if !strings.Contains(strings.ReplaceAll(texts, " ", ""), strings.ReplaceAll(firstCSV(source), " ", "")) {
				t.Errorf("%s: source file %q not drawn", path, firstCSV(source))
			}
		case ".pdf":
			if !bytes.HasPrefix(b, []byte("%PDF")) {
				t.Errorf("%s starts %q", path, b[:min(8, len(b))])
			}
		}
	}
}

// firstCSV returns the first "*.csv" word of s.
func firstCSV(s string) string {
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == ':' || r == ';' }) {
		if strings.HasSuffix(w, ".csv") {
			return w
		}
	}
	return ""
}

func svgText(b []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	var out []string
	in := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return strings.Join(out, " "), nil
		}
		if err != nil {
			return "", err
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if tk.Name.Local == "text" {
				in++
			}
		case xml.EndElement:
			if tk.Name.Local == "text" {
				in--
			}
		case xml.CharData:
			if in > 0 {
				out = append(out, string(tk))
			}
		}
	}
}

// same reports whether two floats are equal, NaN equal to NaN.
func same(a, b float64) bool {
	return a == b || (math.IsNaN(a) && math.IsNaN(b))
}

func lookup(t *testing.T, c *rates.Calculator, name string) rates.Area {
	t.Helper()
	a, err := c.Registry.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return rates.LAArea(a)
}

// withRegion returns the council, its region and England.
func withRegion(t *testing.T, c *rates.Calculator, names ...string) []rates.Area {
	t.Helper()
	var out, regions []rates.Area
	seen := map[string]bool{}
	for _, n := range names {
		a := lookup(t, c, n)
		out = append(out, a)
		if !seen[a.RegionCode] {
			seen[a.RegionCode] = true
			regions = append(regions, c.RegionArea(a.RegionCode))
		}
	}
	return append(append(out, regions...), rates.England())
}

// checkSeries checks that each series is exactly calc.Series for its area.
func checkSeries(t *testing.T, c *rates.Calculator, measure string, areas []rates.Area, from, to int, ss []charts.Series) {
	t.Helper()
	if len(ss) != len(areas) {
		t.Fatalf("%s: %d series for %d areas", measure, len(ss), len(areas))
	}
	for i, a := range areas {
		want := c.Series(measure, a, from, to)
		got := ss[i]
		if got.Name != a.Name {
			t.Errorf("series %d is %q, want %q", i, got.Name, a.Name)
		}
		if len(got.Points) != len(want) {
			t.Fatalf("%s %s: %d points, calc.Series has %d", measure, a.Name, len(got.Points), len(want))
		}
		for k, r := range want {
			p := got.Points[k]
			if p.Year != r.Year || !same(p.Value, r.Value) || !same(p.Lower, r.Lower) || !same(p.Upper, r.Upper) || p.Valid != r.OK() || p.Note != r.Note {
				t.Errorf("%s %s %d: point %+v, rate %v [%v, %v] ok=%v %q", measure, a.Name, r.Year, p, r.Value, r.Lower, r.Upper, r.OK(), r.Note)
			}
		}
	}
}

func TestTrendIsCalcSeries(t *testing.T) {
	c := calc(t)
	areas := withRegion(t, c, "Leeds", "Camden")
	tr, sec, err := Trend(c, "s47", areas, 2013, 2025, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkSeries(t, c, "s47", areas, 2013, 2025, tr.Series)
	wantRoles := []charts.Role{charts.Council, charts.Council, charts.Region, charts.Region, charts.England}
	for i, s := range tr.Series {
		if s.Role != wantRoles[i] {
			t.Errorf("%s drawn as %v, want %v", s.Name, s.Role, wantRoles[i])
		}
	}
	if len(sec.Rows) != 5*13 {
		t.Errorf("section has %d rows, want 65", len(sec.Rows))
	}
	checkSectionRates(t, sec, tr.Series)
	for _, w := range []string{"Section 47 enquiries per 10,000 children", "Leeds, Camden, their regions and England", "2013 to 2025"} {
		if !strings.Contains(tr.Labels.Title, w) {
			t.Errorf("title %q lacks %q", tr.Labels.Title, w)
		}
	}
	saveAll(t, "trend_s47_leeds_camden", tr, tr.Labels.Source)
}

// checkSectionRates checks the section's rate column against the series'
// points, in order.
func checkSectionRates(t *testing.T, sec export.Section, ss []charts.Series) {
	t.Helper()
	col := columnIndex(t, sec, "rate_per_10k")
	k := 0
	for _, s := range ss {
		for _, p := range s.Points {
			cell := sec.Rows[k][col]
			if p.Valid != cell.IsNum || (p.Valid && cell.Number != p.Value) {
				t.Errorf("row %d (%s %d): rate cell %+v, point %v valid=%v", k, s.Name, p.Year, cell, p.Value, p.Valid)
			}
			k++
		}
	}
}

func columnIndex(t *testing.T, sec export.Section, name string) int {
	t.Helper()
	for i, c := range sec.Columns {
		if c.Name == name {
			return i
		}
	}
	t.Fatalf("section %s has no column %s", sec.Name, name)
	return -1
}

func TestSmallMultiplesIsCalcSeries(t *testing.T) {
	c := calc(t)
	areas := withRegion(t, c, "Leeds")
	ms := []string{"s47", "icpc", "cpp_31march"}
	sm, sec, err := SmallMultiples(c, ms, areas, 0, 0, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sm.Panels) != 3 {
		t.Fatalf("%d panels", len(sm.Panels))
	}
	var all []charts.Series
	for i, m := range ms {
		checkSeries(t, c, m, areas, 0, 0, sm.Panels[i].Series)
		all = append(all, sm.Panels[i].Series...)
		lbl, _ := measures.Lookup(m)
		if sm.Panels[i].Labels.Title != lbl.Label {
			t.Errorf("panel %d titled %q, want %q", i, sm.Panels[i].Labels.Title, lbl.Label)
		}
	}
	checkSectionRates(t, sec, all)
	for _, f := range []string{"c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv", "d5_cpps_at31march_by_duration_2013_to_2025.csv"} {
		if !strings.Contains(sm.Labels.Source, f) {
			t.Errorf("source %q lacks %s", sm.Labels.Source, f)
		}
	}
	saveAll(t, "small_multiples_leeds", sm, sm.Labels.Source)
}

// TestGaps checks on real data that a line is broken at a boundary break
// and at a suppressed or unreliable year: the chart's Segments never join
// across them.
func TestGaps(t *testing.T) {
	c := calc(t)
	cases := []struct {
		la       string
		from, to int
		want     [][]float64 // years of each segment
		note     string      // in the invalid points' notes
	}{
		// Cumberland began on 1 April 2023: no comparable figure before 2024.
		{"Cumberland", 2020, 2025, [][]float64{{2024, 2025}}, "boundary break"},
		// Hampshire's 2024 s47 count is marked u (low reliability).
		{"Hampshire", 2022, 2025, [][]float64{{2022, 2023}, {2025}}, "low reliability (u)"},
		// The City of London's 2021 s47 count is suppressed (c).
		{"City of London", 2019, 2023, [][]float64{{2019, 2020}, {2022, 2023}}, "suppressed (c)"},
		// The Isles of Scilly's s47 counts are all suppressed: no line at all.
		{"Isles of Scilly", 2020, 2022, nil, "suppressed (c)"},
	}
	for _, tc := range cases {
		t.Run(tc.la, func(t *testing.T) {
			areas := []rates.Area{lookup(t, c, tc.la), rates.England()}
			tr, _, err := Trend(c, "s47", areas, tc.from, tc.to, Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkSeries(t, c, "s47", areas, tc.from, tc.to, tr.Series)
			segs := charts.Segments(tr.Series[0])
			if len(segs) != len(tc.want) {
				t.Fatalf("%d segments %v, want %v", len(segs), segs, tc.want)
			}
			for i, seg := range segs {
				if !sameYears(seg, tc.want[i]) {
					t.Errorf("segment %d = %v, want years %v", i, seg, tc.want[i])
				}
			}
			for _, p := range tr.Series[0].Points {
				if !p.Valid && !strings.Contains(p.Note, tc.note) {
					t.Errorf("%d: note %q lacks %q", p.Year, p.Note, tc.note)
				}
			}
			notes := strings.Join(tr.Labels.Notes, " ")
			if !strings.Contains(notes, "not plotted") || !strings.Contains(notes, tc.la) {
				t.Errorf("notes do not explain the gap: %q", notes)
			}
		})
	}
	// Drawn from the real data, the Hampshire chart renders.
	tr, _, err := Trend(c, "s47", withRegion(t, c, "Hampshire", "Cumberland"), 2013, 2025, Options{})
	if err != nil {
		t.Fatal(err)
	}
	saveAll(t, "trend_gaps", tr, tr.Labels.Source)
}

func sameYears(seg []plotter.XY, years []float64) bool {
	if len(seg) != len(years) {
		return false
	}
	for i := range seg {
		if seg[i].X != years[i] {
			return false
		}
	}
	return true
}

func TestHarmonisedSeriesNoted(t *testing.T) {
	c := calc(t)
	areas := []rates.Area{lookup(t, c, "Cumbria"), rates.England()}
	tr, _, err := Trend(c, "s47", areas, 2020, 2025, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkSeries(t, c, "s47", areas, 2020, 2025, tr.Series)
	if segs := charts.Segments(tr.Series[0]); len(segs) != 1 || len(segs[0]) != 6 {
		t.Errorf("Cumbria harmonised 2020-2025 should be one unbroken line, got %v", segs)
	}
	notes := strings.Join(tr.Labels.Notes, " ")
	if !strings.Contains(notes, "Cumbria 2024-2025 is the sum of Cumberland and Westmorland and Furness") {
		t.Errorf("notes do not say how Cumbria was harmonised: %q", notes)
	}
}

func TestRankIsCalcAuthorities(t *testing.T) {
	c := calc(t)
	rk, sec, err := Rank(c, "adoptions", 2024, Options{Highlight: []string{"Leeds", "Camden"}})
	if err != nil {
		t.Fatal(err)
	}
	items := map[string]charts.RankItem{}
	for _, it := range rk.Items {
		items[it.Name] = it
	}
	shown := 0
	kept := keptNames(c, "adoptions", 2024)
	for _, r := range c.Authorities("adoptions", 2024) {
		it, ok := items[r.Area.Name]
		small := SmallPopulation[r.Area.Code] != ""
		gone := !existed(c, r.Area.Code, 2024)
		if small || gone {
			if ok && !kept[r.Area.Name] { // former Dorset shares its name with Dorset
				t.Errorf("%s should be left out", r.Area.Name)
			}
			continue
		}
		if !ok {
			t.Errorf("%s missing from the rank chart", r.Area.Name)
			continue
		}
		shown++
		if !same(it.Value, r.Value) || !same(it.Lower, r.Lower) || !same(it.Upper, r.Upper) || it.Valid != r.OK() {
			t.Errorf("%s: item %+v, rate %v [%v, %v]", r.Area.Name, it, r.Value, r.Lower, r.Upper)
		}
		if it.Highlight != (r.Area.Name == "Leeds" || r.Area.Name == "Camden") {
			t.Errorf("%s highlight = %v", r.Area.Name, it.Highlight)
		}
	}
	if shown != len(rk.Items) || shown < 140 {
		t.Errorf("%d items, %d matched", len(rk.Items), shown)
	}
	if eng := c.Get("adoptions", rates.England(), 2024); rk.England != eng.Value {
		t.Errorf("England line %v, want %v", rk.England, eng.Value)
	}
	// Cumbria (abolished 2023) has placeholder rows in the ceased file.
	if _, ok := items["Cumbria"]; ok {
		t.Error("Cumbria did not exist in 2024")
	}
	if len(sec.Rows) != len(c.Authorities("adoptions", 2024))+1 {
		t.Errorf("section has %d rows, want every authority row and England", len(sec.Rows))
	}
	if !strings.Contains(strings.Join(rk.Labels.Notes, " "), "City of London and Isles of Scilly left out") {
		t.Errorf("notes do not say the small councils are left out: %q", rk.Labels.Notes)
	}
	saveAll(t, "rank_adoptions_2024", rk, rk.Labels.Source)

	all, _, err := Rank(c, "adoptions", 2024, Options{IncludeSmall: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Items) != len(rk.Items)+2 {
		t.Errorf("IncludeSmall: %d items, want %d", len(all.Items), len(rk.Items)+2)
	}
}

// keptNames are the names of the authorities a rank or funnel chart
// shows: those that existed in the year, less the small two.
func keptNames(c *rates.Calculator, measure string, year int) map[string]bool {
	out := map[string]bool{}
	for _, r := range c.Authorities(measure, year) {
		if SmallPopulation[r.Area.Code] == "" && existed(c, r.Area.Code, year) {
			out[r.Area.Name] = true
		}
	}
	return out
}

func TestFunnelIsCalcAuthorities(t *testing.T) {
	c := calc(t)
	for _, od := range []bool{false, true} {
		f, sec, err := Funnel(c, "under1_starts", 2022, Options{Overdispersion: od, Highlight: []string{"Leeds"}})
		if err != nil {
			t.Fatal(err)
		}
		eng := c.Get("under1_starts", rates.England(), 2022)
		if f.Target != eng.Value || eng.Value != eng.Count.Number/eng.Population*1e4 {
			t.Errorf("target %v, England %v = %v/%v", f.Target, eng.Value, eng.Count.Number, eng.Population)
		}
		units := map[string]charts.FunnelUnit{}
		for _, u := range f.Units {
			units[u.Name] = u
		}
		kept := keptNames(c, "under1_starts", 2022)
		for _, r := range c.Authorities("under1_starts", 2022) {
			u, ok := units[r.Area.Name]
			if SmallPopulation[r.Area.Code] != "" || !existed(c, r.Area.Code, 2022) {
				if ok && !kept[r.Area.Name] {
					t.Errorf("%s should be left out", r.Area.Name)
				}
				continue
			}
			if !ok {
				t.Errorf("%s missing", r.Area.Name)
				continue
			}
			if !same(u.Value, r.Value) || u.Population != r.Population || u.Valid != r.OK() {
				t.Errorf("%s: unit %+v, rate %v pop %v", r.Area.Name, u, r.Value, r.Population)
			}
		}
		// the section's verdicts are the chart's
		vs, err := f.Verdicts()
		if err != nil {
			t.Fatal(err)
		}
		vcol, ncol, pcol := columnIndex(t, sec, "verdict"), columnIndex(t, sec, "la_name"), columnIndex(t, sec, "plotted")
		got := map[string]string{}
		for _, row := range sec.Rows {
			if row[pcol].Text == "true" {
				got[row[ncol].Text] = row[vcol].Text
			}
		}
		for i, u := range f.Units {
			if u.Valid && got[u.Name] != vs[i].String() {
				t.Errorf("%s: section verdict %q, chart %q", u.Name, got[u.Name], vs[i])
			}
		}
		if !strings.Contains(f.Labels.Subtitle, "Children starting care aged under 1 (proxy for removals at birth)") {
			t.Errorf("subtitle lacks the proxy wording: %q", f.Labels.Subtitle)
		}
		name := "funnel_under1_2022"
		if od {
			name += "_od"
		}
		saveAll(t, name, f, f.Labels.Source)
	}
}

func TestFunnelLimitsInSection(t *testing.T) {
	c := calc(t)
	f, sec, err := Funnel(c, "s47", 2025, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pcol, ucol := columnIndex(t, sec, "population"), columnIndex(t, sec, "upper_998")
	n := 0
	for _, row := range sec.Rows[1:] {
		if !row[ucol].IsNum {
			continue
		}
		want := funnel.PoissonLimits(f.Target, row[pcol].Number).Upper998
		if math.Abs(row[ucol].Number-want) > 1e-9 {
			t.Errorf("%s upper 99.8%% %v, want %v", row[4].Text, row[ucol].Number, want)
		}
		n++
	}
	if n < 140 {
		t.Errorf("only %d councils with limits", n)
	}
}

func TestSlopeIsCalcSeries(t *testing.T) {
	c := calc(t)
	sl, sec, err := Slope(c, "s47", 2013, 2021, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sl.Series) != 10 || sl.Series[0].Name != "England" { // England and nine regions
		t.Fatalf("default slope areas: %d series, first %q", len(sl.Series), sl.Series[0].Name)
	}
	checkSlope(t, c, sl, 2013, 2021)
	checkSectionRates(t, sec, sl.Series)
	saveAll(t, "slope_s47_regions", sl, sl.Labels.Source)

	areas := withRegion(t, c, "Leeds", "Cumbria")
	sl, _, err = Slope(c, "s47", 2013, 2025, areas, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkSlope(t, c, sl, 2013, 2025)
	if !strings.Contains(strings.Join(sl.Labels.Notes, " "), "Cumbria 2025 is the sum of") {
		t.Errorf("slope notes lack Cumbria's harmonisation: %q", sl.Labels.Notes)
	}
	saveAll(t, "slope_s47_leeds_cumbria", sl, sl.Labels.Source)
}

func checkSlope(t *testing.T, c *rates.Calculator, sl *charts.Slope, from, to int) {
	t.Helper()
	for i, s := range sl.Series {
		a, b, okA, okB := sl.Ends(i)
		var want []rates.Rate
		for _, r := range c.Series("s47", areaNamed(t, c, s.Name), from, to) {
			if r.Year == from || r.Year == to {
				want = append(want, r)
			}
		}
		if len(want) != 2 || !same(a, want[0].Value) && okA || !same(b, want[1].Value) && okB || okA != want[0].OK() || okB != want[1].OK() {
			t.Errorf("%s: ends %v %v (%v %v), want %+v", s.Name, a, b, okA, okB, want)
		}
	}
}

func areaNamed(t *testing.T, c *rates.Calculator, name string) rates.Area {
	t.Helper()
	if name == "England" {
		return rates.England()
	}
	for _, rc := range c.Registry.Regions() {
		if c.Registry.RegionName(rc) == name {
			return c.RegionArea(rc)
		}
	}
	return lookup(t, c, name)
}

// TestScatterPlotsInput builds a scatter from two measures' rates in the
// same year, paired here by code (pkg/spec does this for the command).
func TestScatterPlotsInput(t *testing.T) {
	c := calc(t)
	in := ScatterInput{
		X: NewAxis("s47:level@2024", "s47", StatLevel, 2024, 2024),
		Y: NewAxis("cpp_starts:level@2024", "cpp_starts", StatLevel, 2024, 2024),
	}
	ys := map[string]rates.Rate{}
	for _, r := range c.Authorities("cpp_starts", 2024) {
		ys[r.Area.Code] = r
	}
	for _, x := range c.Authorities("s47", 2024) {
		y := ys[x.Area.Code]
		if SmallPopulation[x.Area.Code] != "" {
			in.Excluded = append(in.Excluded, ScatterExclusion{Code: x.Area.Code, Name: x.Area.Name, Kind: "small population", Reason: "small population"})
			continue
		}
		if !x.OK() || !y.OK() {
			in.Excluded = append(in.Excluded, ScatterExclusion{Code: x.Area.Code, Name: x.Area.Name, Kind: "no value", Reason: "no value"})
			continue
		}
		in.Units = append(in.Units, ScatterUnit{Code: x.Area.Code, Name: x.Area.Name, X: x.Value, Y: y.Value})
	}
	sc, sec, err := Scatter(c, in, Options{Highlight: []string{"Leeds"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Points) != len(in.Units) {
		t.Fatalf("%d points for %d units", len(sc.Points), len(in.Units))
	}
	for i, p := range sc.Points {
		u := in.Units[i]
		if p.Name != u.Name || p.X != u.X || p.Y != u.Y || !p.Valid || p.Highlight != (u.Name == "Leeds") {
			t.Errorf("point %+v, unit %+v", p, u)
		}
	}
	fit, err := sc.FitLine()
	if err != nil {
		t.Fatal(err)
	}
	if fit.N != len(in.Units) {
		t.Errorf("fit n = %d, want %d", fit.N, len(in.Units))
	}
	if len(sec.Rows) != len(in.Units)+len(in.Excluded) {
		t.Errorf("section rows %d", len(sec.Rows))
	}
	if !strings.Contains(strings.Join(sc.Labels.Notes, " "), "City of London and Isles of Scilly (small population)") {
		t.Errorf("notes: %q", sc.Labels.Notes)
	}
	saveAll(t, "scatter_s47_cpp_2024", sc, sc.Labels.Source)
}

func TestLabels(t *testing.T) {
	c := calc(t)
	l := Labels(c, "T", []string{"under1_starts"}, []int{2018, 2019, 2020, 2021, 2022})
	for _, w := range []string{"Children starting care aged under 1 (proxy for removals at birth)", "Rate per 10,000 children aged 0-17", "years ending 31 March 2018 to 2022"} {
		if !strings.Contains(l.Subtitle, w) {
			t.Errorf("subtitle %q lacks %q", l.Subtitle, w)
		}
	}
	if l.YLabel != "per 10,000 children aged 0-17" {
		t.Errorf("y label %q", l.YLabel)
	}
	for _, w := range []string{"DfE, Children looked after in England including adoptions: la_cla_who_started_to_be_looked_after.csv", "ONS mid-year estimates of children aged 0-17, mid-2017 to mid-2021: ons_mid-year_population_estimates_2012_to_2024.csv"} {
		if !strings.Contains(l.Source, w) {
			t.Errorf("source %q lacks %q", l.Source, w)
		}
	}
	l = Labels(c, "T", []string{"s47"}, []int{2024})
	if !strings.HasPrefix(l.Subtitle, "Section 47 enquiries started during the year ending 31 March.") || !strings.Contains(l.Subtitle, "year ending 31 March 2024") {
		t.Errorf("s47 subtitle %q", l.Subtitle)
	}
}

func TestBuilderErrors(t *testing.T) {
	c := calc(t)
	if _, _, err := Rank(c, "adoptions", 2013, Options{}); err == nil || !strings.Contains(err.Error(), "years available: 2020-2024") {
		t.Errorf("rank in a year without data: %v", err)
	}
	if _, _, err := Rank(c, "nonsense", 2024, Options{}); err == nil {
		t.Error("unknown measure accepted")
	}
	if _, _, err := Funnel(c, "s47", 2024, Options{Highlight: []string{"Nowhereshire"}}); err == nil {
		t.Error("unknown highlight accepted")
	}
	if _, _, err := Slope(c, "s47", 2021, 2013, nil, Options{}); err == nil {
		t.Error("slope from after to accepted")
	}
	if _, _, err := Trend(c, "s47", []rates.Area{rates.England()}, 2030, 2031, Options{}); err == nil {
		t.Error("trend with no years accepted")
	}
}

// TestFromPairedIMD: pkg/spec's pairing, as `cscstats plot scatter` and
// the report use it, is plotted value for value, and the IMD file is in
// the source line.
func TestFromPairedIMD(t *testing.T) {
	c := calc(t)
	x, err := spec.Parse("imd:score")
	if err != nil {
		t.Fatal(err)
	}
	y, err := spec.Parse("cla_31march:change@2021-2025")
	if err != nil {
		t.Fatal(err)
	}
	p, err := spec.Pair(c, x, y, nil, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := FromPaired(p)
	sc, sec, err := Scatter(c, in, Options{Highlight: []string{"Cumberland"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Points) != len(p.Rows) {
		t.Fatalf("%d points, %d rows", len(sc.Points), len(p.Rows))
	}
	hl := 0
	for i, r := range p.Rows {
		pt := sc.Points[i]
		if pt.Name != r.Unit.Name || pt.X != r.Values[0] || pt.Y != r.Values[1] {
			t.Errorf("point %+v, row %+v", pt, r)
		}
		if pt.Highlight {
			hl++
			if !strings.HasPrefix(pt.Name, "Cumbria") {
				t.Errorf("%s highlighted for Cumberland", pt.Name)
			}
		}
	}
	if hl != 1 {
		t.Errorf("Cumberland should highlight the harmonised Cumbria unit once, got %d", hl)
	}
	if !strings.Contains(sc.Labels.Source, "imd19.csv") || !strings.Contains(sc.Labels.Source, "cla_number_and_rate_per_10k_children.csv") {
		t.Errorf("source %q", sc.Labels.Source)
	}
	if sc.Labels.Title != "Change in children looked after at 31 March, 2021 to 2025, against IMD 2019 average score" {
		t.Errorf("title %q", sc.Labels.Title)
	}
	if len(sec.Rows) != len(p.Rows)+len(p.Excluded) {
		t.Errorf("section %d rows, want %d", len(sec.Rows), len(p.Rows)+len(p.Excluded))
	}
	saveAll(t, "scatter_imd_cla_change", sc, sc.Labels.Source)
}

func TestTrendNeighbours(t *testing.T) {
	c := calc(t)
	areas := withRegion(t, c, "Leeds")
	nb := []rates.Area{lookup(t, c, "Bradford"), lookup(t, c, "Kirklees"), lookup(t, c, "Sheffield")}
	tr, sec, err := Trend(c, "cpp_31march", areas, 2015, 2025, Options{Neighbours: nb})
	if err != nil {
		t.Fatal(err)
	}
	checkSeries(t, c, "cpp_31march", append(append([]rates.Area(nil), areas...), nb...), 2015, 2025, tr.Series)
	for i, s := range tr.Series {
		if want := i >= len(areas); (s.Role == charts.Neighbour) != want {
			t.Errorf("%s role %v", s.Name, s.Role)
		}
	}
	rc := columnIndex(t, sec, "series_role")
	if got := sec.Rows[len(sec.Rows)-1][rc].Text; got != "neighbour" {
		t.Errorf("last row's role %q", got)
	}
	if !strings.Contains(strings.Join(tr.Labels.Notes, " "), "3 statistical neighbours") {
		t.Errorf("notes %q", tr.Labels.Notes)
	}
	if _, _, err := Rank(c, "adoptions", 2024, Options{Highlight: []string{"Cumbria"}}); err == nil || !strings.Contains(err.Error(), "not a council in 2024") {
		t.Errorf("highlighting abolished Cumbria in 2024: %v", err)
	}
}

// A council formed in 2023 has the same gap, for the same reason, in every
// panel: the note says so once (issue 12 item 7).
func TestSmallMultiplesBoundaryNoteOnce(t *testing.T) {
	c := calc(t)
	areas := []rates.Area{lookup(t, c, "Cumberland"), rates.England()}
	sm, _, err := SmallMultiples(c, []string{"s47", "icpc", "cpp_31march", "cla_31march"}, areas, 0, 0, Options{})
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(sm.Labels.Notes, "\n")
	// Two panels with the same years say them once.
	sm2, _, err := SmallMultiples(c, []string{"s47", "icpc"}, areas, 0, 0, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const want2 = "No comparable figure, so not plotted (lines are broken there): Cumberland 2013-2023: Cumberland began on 1 April 2023, formed from Cumbria, no comparable figure before 2024."
	if got := strings.Join(sm2.Labels.Notes, "\n"); !strings.Contains(got, want2) {
		t.Errorf("notes lack %q:\n%s", want2, got)
	}
	const want = "No comparable figure, so not plotted (lines are broken there): Cumberland in Section 47 enquiries 2013-2023; Initial child protection conferences 2013-2023; Child protection plans at 31 March 2013-2023; Children looked after at 31 March 2021-2023: Cumberland began on 1 April 2023, formed from Cumbria, no comparable figure before 2024."
	if !strings.Contains(notes, want) {
		t.Errorf("notes lack %q:\n%s", want, notes)
	}
	if n := strings.Count(notes, "Cumberland began"); n != 1 {
		t.Errorf("the boundary note appears %d times:\n%s", n, notes)
	}
}

// Item 5 of issue 12: City of London's s47 is suppressed in 2025, so its
// line ends in 2024 and its label, drawn at the chart's right edge, says
// so. By hand from the CSV rows: c4 2024 Section47 9 / ONS mid-2023
// children 918 × 10,000 = 98.04.
func TestTrendLabelOfLineEndingEarly(t *testing.T) {
	c := calc(t)
	dir := testfiles.SharedEES(t)
	var count, pop float64
	testfiles.EachRow(t, filepath.Join(dir, "cin", "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"), func(r map[string]string) {
		if r["time_period"] == "2024" && r["new_la_code"] == "E09000001" {
			count, _ = strconv.ParseFloat(r["Section47"], 64)
		}
	})
	testfiles.EachRow(t, filepath.Join(dir, "population", "ons_mid-year_population_estimates_2012_to_2024.csv"), func(r map[string]string) {
		if r["time_period"] == "2023" && r["new_la_code"] == "E09000001" {
			pop, _ = strconv.ParseFloat(r["population_estimate"], 64)
		}
	})
	want := fmt.Sprintf("City of London  %.1f (2024)", count/pop*1e4)
	if want != "City of London  98.0 (2024)" {
		t.Fatalf("hand computation gave %q", want)
	}
	tr, _, err := Trend(c, "s47", withRegion(t, c, "City of London"), 0, 0, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tr.Render(&buf, "svg", 0, 0); err != nil {
		t.Fatal(err)
	}
	texts, err := svgText(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(texts, want) || !strings.Contains(texts, "England  189.3") {
		t.Errorf("labels lack %q (and England's 2025 value without a year): %s", want, texts)
	}
}
