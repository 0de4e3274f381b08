package charts

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/color"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/funnel"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

const proxyNote = "Children starting care aged under 1 (proxy for removals at birth)."

// testCharts returns one chart of each kind built from synthetic data.
func testCharts() map[string]Chart {
	tr := demoTrend()
	tr.Labels.Notes = append(tr.Labels.Notes, proxyNote)
	return map[string]Chart{
		"trend":           tr,
		"small_multiples": demoSmallMultiples(),
		"rank":            demoRank(),
		"funnel":          demoFunnel(false),
		"funnel_od":       demoFunnel(true),
		"scatter":         demoScatter(),
		"slope":           demoSlope(),
	}
}

// wantPixels is the PNG size of a 16 × 10 cm chart at 150 dpi:
// 16 cm / 2.54 cm per inch × 150 = 944.88 → 945 px; 10 cm → 590.55 → 591 px.
func wantPixels() (int, int) {
	w := int(math.Round(16 / 2.54 * 150))
	h := int(math.Round(10 / 2.54 * 150))
	return w, h
}

func TestWantPixels(t *testing.T) {
	if w, h := wantPixels(); w != 945 || h != 591 {
		t.Fatalf("got %d×%d", w, h)
	}
}

func TestAllChartsAllFormats(t *testing.T) {
	dir := t.TempDir()
	ww, wh := wantPixels()
	for name, c := range testCharts() {
		t.Run(name, func(t *testing.T) {
			for _, ext := range []string{".png", ".svg", ".pdf"} {
				path := filepath.Join(dir, name+ext)
				if err := c.Save(path, 0, 0); err != nil {
					t.Fatalf("Save %s: %v", ext, err)
				}
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				switch ext {
				case ".png":
					img, err := png.Decode(bytes.NewReader(b))
					if err != nil {
						t.Fatalf("png: %v", err)
					}
					if sz := img.Bounds().Size(); sz.X != ww || sz.Y != wh {
						t.Errorf("png size %v, want %d×%d", sz, ww, wh)
					}
				case ".svg":
					texts, err := svgTexts(b)
					if err != nil {
						t.Fatalf("svg does not parse: %v", err)
					}
					if !strings.Contains(texts, "Source: ") {
						t.Error("svg has no source line")
					}
				case ".pdf":
					if !bytes.HasPrefix(b, []byte("%PDF")) {
						t.Errorf("pdf starts with %q", b[:min(8, len(b))])
					}
				}
			}
			// Render with an explicit size in points.
			var buf bytes.Buffer
			if err := c.Render(&buf, "png", 8*vg.Inch, 5*vg.Inch); err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if sz := img.Bounds().Size(); sz.X != 1200 || sz.Y != 750 {
				t.Errorf("8×5 in at 150 dpi: got %v, want 1200×750", sz)
			}
		})
	}
}

// svgTexts parses an SVG document as XML and returns the character data
// of all its <text> elements joined by single spaces.
func svgTexts(b []byte) (string, error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	var out []string
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			inText = tk.Name.Local == "text"
		case xml.EndElement:
			inText = false
		case xml.CharData:
			if inText {
				out = append(out, string(tk))
			}
		}
	}
	return strings.Join(out, " "), nil
}

func TestSVGContainsLabels(t *testing.T) {
	tr := demoTrend()
	tr.Labels.Notes = []string{proxyNote}
	var buf bytes.Buffer
	if err := tr.Render(&buf, "svg", 0, 0); err != nil {
		t.Fatal(err)
	}
	texts, err := svgTexts(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		tr.Labels.Title,
		tr.Labels.Subtitle,
		tr.Labels.YLabel,
		tr.Labels.XLabel,
		"Source: " + demoSource,
		"Note: " + proxyNote,
		"England  69.6", // end-of-line label with the last value
		"Blackpool",
	} {
		if !strings.Contains(texts, want) {
			t.Errorf("svg text lacks %q", want)
		}
	}
	if strings.Contains(texts, "Neighbour A") {
		t.Error("neighbours should share one label by default")
	}
	if !strings.Contains(texts, "Statistical neighbours") {
		t.Error("missing the neighbours' group label")
	}
}

func TestFunnelSubtitleSaysOverdispersion(t *testing.T) {
	for _, od := range []bool{false, true} {
		var buf bytes.Buffer
		if err := demoFunnel(od).Render(&buf, "svg", 0, 0); err != nil {
			t.Fatal(err)
		}
		texts, _ := svgTexts(buf.Bytes())
		if got := strings.Contains(texts, "overdispersion"); got != od {
			t.Errorf("overdispersed=%v: subtitle mentions overdispersion = %v", od, got)
		}
		if !od && !strings.Contains(texts, "Exact Poisson") {
			t.Error("Poisson funnel should say its limits are exact Poisson")
		}
	}
}

func gapSeries() Series {
	s := Series{Name: "Testshire", Role: Council}
	for y := 2013; y <= 2020; y++ {
		s.Points = append(s.Points, Point{Year: y, Value: float64(y - 2000), Valid: y != 2017})
	}
	return s
}

func TestSegmentsGap(t *testing.T) {
	segs := Segments(gapSeries())
	if len(segs) != 2 {
		t.Fatalf("got %d segments, want 2: %v", len(segs), segs)
	}
	want0 := []plotter.XY{{X: 2013, Y: 13}, {X: 2014, Y: 14}, {X: 2015, Y: 15}, {X: 2016, Y: 16}}
	want1 := []plotter.XY{{X: 2018, Y: 18}, {X: 2019, Y: 19}, {X: 2020, Y: 20}}
	if !equalXY(segs[0], want0) || !equalXY(segs[1], want1) {
		t.Errorf("segments %v", segs)
	}
	// A year absent from the data also breaks the line, as do NaN values;
	// an isolated point is its own one-point segment.
	s := Series{Points: []Point{
		{Year: 2015, Value: 3, Valid: true}, {Year: 2013, Value: 1, Valid: true},
		{Year: 2016, Value: math.NaN(), Valid: true}, {Year: 2017, Value: 5, Valid: true},
		{Year: 2019, Value: 7, Valid: true}, {Year: 2020, Value: 8, Valid: true},
	}}
	segs = Segments(s)
	if len(segs) != 4 || len(segs[0]) != 1 || len(segs[1]) != 1 || len(segs[2]) != 1 || len(segs[3]) != 2 {
		t.Errorf("segments %v", segs)
	}
}

func equalXY(a, b []plotter.XY) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// record draws d on a recording canvas of the default size.
func record(t *testing.T, d drawer) []recorder.Action {
	t.Helper()
	rec := &recorder.Canvas{}
	if err := d(draw.NewCanvas(rec, DefaultWidth, DefaultHeight)); err != nil {
		t.Fatal(err)
	}
	return rec.Actions
}

func sameColour(a, b color.Color) bool {
	if a == nil || b == nil {
		return false
	}
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}

// strokes returns the number of vertices of each path stroked in colour c
// with line width w.
func strokes(acts []recorder.Action, c color.Color, w vg.Length) []int {
	var cur color.Color
	var width vg.Length
	var out []int
	for _, a := range acts {
		switch a := a.(type) {
		case *recorder.SetColor:
			cur = a.Color
		case *recorder.SetLineWidth:
			width = a.Width
		case *recorder.Stroke:
			if sameColour(cur, c) && width == w {
				out = append(out, len(a.Path))
			}
		}
	}
	return out
}

func TestTrendDrawsGapAsTwoStrokes(t *testing.T) {
	eng := Series{Name: "England", Role: England}
	for y := 2013; y <= 2020; y++ {
		eng.Points = append(eng.Points, Point{Year: y, Value: 10, Valid: true})
	}
	tr := &Trend{Labels: Labels{Title: "Gap test"}, Series: []Series{eng, gapSeries()}}
	acts := record(t, tr.Draw)
	// The council (first Okabe-Ito colour, 1.6 pt) is stroked as two
	// polylines of 4 and 3 vertices: nothing is drawn across 2017.
	got := strokes(acts, OkabeIto[0], 1.6)
	if len(got) != 2 || got[0] != 4 || got[1] != 3 {
		t.Errorf("council strokes %v, want [4 3]", got)
	}
	// England is one black 2.2 pt line through all 8 years.
	if got := strokes(acts, color.Black, 2.2); len(got) != 1 || got[0] != 8 {
		t.Errorf("England strokes %v, want [8]", got)
	}
}

func TestMinimumTextSize(t *testing.T) {
	for name, c := range testCharts() {
		d := c.(interface{ Draw(draw.Canvas) error })
		for _, a := range record(t, d.Draw) {
			if fs, ok := a.(*recorder.FillString); ok && fs.Size < 9 {
				t.Errorf("%s: %q drawn at %.1f pt", name, fs.String, float64(fs.Size))
			}
		}
	}
}

func TestTrendEndLabelsDoNotOverlap(t *testing.T) {
	// Three series ending within 1 unit of each other.
	mk := func(name string, role Role, v float64) Series {
		s := Series{Name: name, Role: role}
		for y := 2020; y <= 2024; y++ {
			s.Points = append(s.Points, Point{Year: y, Value: v, Valid: true})
		}
		return s
	}
	tr := &Trend{Series: []Series{mk("England", England, 70), mk("Aville", Council, 70.5), mk("Btown", Council, 69.6)}}
	var ys []vg.Length
	for _, a := range record(t, tr.Draw) {
		if fs, ok := a.(*recorder.FillString); ok {
			for _, n := range []string{"England", "Aville", "Btown"} {
				if strings.HasPrefix(fs.String, n+" ") {
					ys = append(ys, fs.Point.Y)
				}
			}
		}
	}
	if len(ys) != 3 {
		t.Fatalf("found %d end labels", len(ys))
	}
	for i := range ys {
		for j := i + 1; j < len(ys); j++ {
			if d := math.Abs(float64(ys[i] - ys[j])); d < 9 {
				t.Errorf("labels %d and %d only %.1f pt apart", i, j, d)
			}
		}
	}
}

func TestNudge(t *testing.T) {
	// Far apart: unchanged.
	got := nudge([]vg.Length{10, 50, 100}, 10, 0, 200)
	if got[0] != 10 || got[1] != 50 || got[2] != 100 {
		t.Errorf("unchanged case: %v", got)
	}
	// Three on top of each other at 100: spread symmetrically, order kept.
	got = nudge([]vg.Length{100, 100, 100}, 10, 0, 200)
	if got[0] != 90 || got[1] != 100 || got[2] != 110 {
		t.Errorf("cluster: %v", got)
	}
	// Pushed down from the top bound.
	got = nudge([]vg.Length{199, 198}, 10, 0, 200)
	if got[1] != 190 || got[0] != 200 {
		t.Errorf("top bound: %v", got)
	}
	// Output order follows input order; gaps respected after sorting.
	in := []vg.Length{40, 5, 42, 41, 6}
	got = nudge(in, 8, 0, 300)
	for i := range in {
		for j := range in {
			if in[i] < in[j] && got[j]-got[i] < 8-1e-9 {
				t.Errorf("labels %d,%d too close or reordered: %v", i, j, got)
			}
		}
	}
}

func TestUnknownExtension(t *testing.T) {
	dir := t.TempDir()
	tr := demoTrend()
	for _, name := range []string{"chart.gif", "chart", "chart.png.bak"} {
		err := tr.Save(filepath.Join(dir, name), 0, 0)
		if err == nil || !strings.Contains(err.Error(), "unknown file extension") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if err := tr.Render(io.Discard, "bmp", 0, 0); err == nil || !strings.Contains(err.Error(), "unknown format") {
		t.Errorf("Render bmp: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left behind: %v", ents)
	}
}

func TestSaveLeavesNoPartialFile(t *testing.T) {
	dir := t.TempDir()
	// 1. Drawing fails: nothing is written.
	bad := &Trend{Labels: Labels{Title: "empty"}}
	if err := bad.Save(filepath.Join(dir, "bad.png"), 0, 0); err == nil {
		t.Fatal("want error for a trend with no series")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("files left after a failed draw: %v", ents)
	}
	// 2. The final rename fails (the target is a non-empty directory): the
	// temporary file is removed.
	target := filepath.Join(dir, "busy.png")
	if err := os.MkdirAll(filepath.Join(target, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := demoTrend().Save(target, 0, 0); err == nil {
		t.Fatal("want error when the target is a directory")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 || ents[0].Name() != "busy.png" {
		t.Fatalf("want only busy.png/ left, got %v", ents)
	}
	// 3. Overwriting an existing file replaces it whole.
	path := filepath.Join(dir, "ok.svg")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := demoTrend().Save(path, 0, 0); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if _, err := svgTexts(b); err != nil || !bytes.Contains(b, []byte("</svg>")) {
		t.Errorf("overwritten file is not a whole SVG (err %v)", err)
	}
	ents, _ = os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("stray files: %v", ents)
	}
}

func TestTrendPlottedValuesAreInputs(t *testing.T) {
	tr := demoTrend()
	for _, s := range tr.Series {
		n := 0
		for _, seg := range Segments(s) {
			for _, xy := range seg {
				n++
				found := false
				for _, p := range s.Points {
					if float64(p.Year) == xy.X && p.Valid && p.Value == xy.Y {
						found = true
					}
				}
				if !found {
					t.Errorf("%s: plotted %v is not an input value", s.Name, xy)
				}
			}
		}
		valid := 0
		for _, p := range s.Points {
			if p.Valid {
				valid++
			}
		}
		if n != valid {
			t.Errorf("%s: %d plotted, %d valid", s.Name, n, valid)
		}
	}
}

func TestRankOrder(t *testing.T) {
	r := &Rank{Items: []RankItem{
		{Name: "C", Value: 30, Valid: true},
		{Name: "A", Value: 10, Valid: true},
		{Name: "S", Value: 5, Valid: false},
		{Name: "B", Value: 10, Valid: true},
	}, England: 20}
	got := r.Order()
	// Highest first, as compare ranks (1 = the highest rate); ties by name.
	if len(got) != 3 || got[0].Name != "C" || got[0].Value != 30 || got[1].Name != "A" || got[2].Name != "B" {
		t.Errorf("order %v", got)
	}
	var buf bytes.Buffer
	if err := r.Render(&buf, "svg", 0, 0); err != nil {
		t.Fatal(err)
	}
	texts, _ := svgTexts(buf.Bytes())
	if !strings.Contains(texts, "1 council with suppressed or missing values not shown.") {
		t.Error("missing suppressed note")
	}
}

func TestFunnelVerdictsAndBands(t *testing.T) {
	f := &Funnel{Target: 25, Units: []FunnelUnit{
		{Name: "low", Value: 10, Population: 10000, Valid: true},
		{Name: "mid", Value: 25, Population: 10000, Valid: true},
		{Name: "high95", Value: 35, Population: 10000, Valid: true},
		{Name: "high998", Value: 42, Population: 10000, Valid: true},
		{Name: "big", Value: 30, Population: 200000, Valid: true},
		{Name: "gone", Value: 999, Population: 10000, Valid: false},
	}}
	vs, err := f.Verdicts()
	if err != nil {
		t.Fatal(err)
	}
	want := []funnel.Verdict{funnel.Below998, funnel.Within, funnel.Above95, funnel.Above998, funnel.Above998, funnel.Within}
	for i := range want {
		if vs[i] != want[i] {
			t.Errorf("%s: %v, want %v", f.Units[i].Name, vs[i], want[i])
		}
	}
	names, _ := f.Labelled()
	// z = (y − θ)/sqrt(θ·10,000/n): big 5/1.118 = 4.47, high998 17/5 = 3.4, low 15/5 = 3.
	if strings.Join(names, ",") != "big,high998,low" {
		t.Errorf("labelled %v", names)
	}
	b, err := f.Bands(20)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range b.Population {
		if b.Upper95[i] != funnel.Limit(25, n, funnel.P95Upper) || b.Lower998[i] != funnel.Limit(25, n, funnel.P998Lower) {
			t.Fatalf("band at %v differs from funnel.Limit", n)
		}
	}
	// Rates per 1,000 (Scale 1000): the same data divided by 10 gives the
	// same verdicts.
	g := *f
	g.Scale, g.Target = 1000, 2.5
	g.Units = nil
	for _, u := range f.Units {
		u.Value /= 10
		g.Units = append(g.Units, u)
	}
	vg, _ := g.Verdicts()
	for i := range vs {
		if vg[i] != vs[i] {
			t.Errorf("scale 1000: %s %v vs %v", f.Units[i].Name, vg[i], vs[i])
		}
	}
}

func TestOLSHand(t *testing.T) {
	// x = 1..5, y = 2,4,5,4,5: x̄ = 3, ȳ = 4, Sxx = 10, Sxy = 6, Syy = 6.
	// b = 0.6, a = 2.2, r = 6/sqrt(60) = 0.774597,
	// residuals −0.8, 0.6, 1.0, −0.6, −0.2: SSE = 2.4, s² = 0.8.
	// t(0.975, 3) = 3.182446 (tables).
	// At x = 3: half-width = 3.182446·sqrt(0.8·(1/5)) = 3.182446·0.4 = 1.272978.
	// At x = 5: half-width = 3.182446·sqrt(0.8·(1/5 + 4/10)) = 3.182446·0.692820 = 2.204863.
	fit, err := OLS([]float64{1, 2, 3, 4, 5}, []float64{2, 4, 5, 4, 5})
	if err != nil {
		t.Fatal(err)
	}
	near := func(a, b, tol float64) bool { return math.Abs(a-b) <= tol }
	if !near(fit.Slope, 0.6, 1e-12) || !near(fit.Intercept, 2.2, 1e-12) || !near(fit.R, 0.774597, 1e-6) || fit.N != 5 {
		t.Errorf("fit %+v", fit)
	}
	lo, hi := fit.Band(3)
	if !near(lo, 4-1.272978, 1e-5) || !near(hi, 4+1.272978, 1e-5) {
		t.Errorf("band at 3: %v %v", lo, hi)
	}
	lo, hi = fit.Band(5)
	if !near(lo, 5.2-2.204863, 1e-5) || !near(hi, 5.2+2.204863, 1e-5) {
		t.Errorf("band at 5: %v %v", lo, hi)
	}
	if _, err := OLS([]float64{1, 1, 1}, []float64{1, 2, 3}); err == nil {
		t.Error("want error for constant x")
	}
}

func TestScatterLabelsExtremes(t *testing.T) {
	s := &Scatter{LabelTop: 1, Points: []ScatterPoint{
		{Name: "a", X: 1, Y: 2, Valid: true}, {Name: "b", X: 2, Y: 4, Valid: true},
		{Name: "c", X: 3, Y: 5, Valid: true}, {Name: "d", X: 4, Y: 4, Valid: true},
		{Name: "e", X: 5, Y: 5, Valid: true, Highlight: true},
		{Name: "hidden", X: 9, Y: 99, Valid: false},
	}}
	// Residuals from the 5-point fit above: c has the largest (+1.0).
	got, err := s.Labelled()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "e,c" {
		t.Errorf("labelled %v, want [e c]", got)
	}
	var buf bytes.Buffer
	if err := s.Render(&buf, "svg", 0, 0); err != nil {
		t.Fatal(err)
	}
	texts, _ := svgTexts(buf.Bytes())
	if !strings.Contains(texts, "r = 0.77, n = 5") {
		t.Errorf("subtitle lacks r and n: %s", texts)
	}
	// A fit handed in is drawn as given.
	s.Fit = &Fit{Intercept: 1, Slope: 1, R: 0.5, N: 5}
	if f, _ := s.FitLine(); f.Intercept != 1 || f.Band != nil {
		t.Error("supplied fit not used")
	}
	if err := s.Render(io.Discard, "png", 0, 0); err != nil {
		t.Fatal(err)
	}
}

func TestSlopeEnds(t *testing.T) {
	s := demoSlope()
	a, b := s.Years()
	if a != 2015 || b != 2025 {
		t.Fatalf("years %d %d", a, b)
	}
	for i, ser := range s.Series {
		va, vb, okA, okB := s.Ends(i)
		for _, p := range ser.Points {
			if p.Year == 2015 && (okA != p.Valid || (okA && va != p.Value)) {
				t.Errorf("%s 2015: %v %v", ser.Name, va, okA)
			}
			if p.Year == 2025 && (okB != p.Valid || (okB && vb != p.Value)) {
				t.Errorf("%s 2025: %v %v", ser.Name, vb, okB)
			}
		}
	}
	var buf bytes.Buffer
	if err := s.Render(&buf, "svg", 0, 0); err != nil {
		t.Fatal(err)
	}
	texts, _ := svgTexts(buf.Bytes())
	for _, want := range []string{"2014-15", "2024-25", "Suppressed or missing, so no line: Cheshire East (2024-25)."} {
		if !strings.Contains(texts, want) {
			t.Errorf("slope lacks %q", want)
		}
	}
}

func TestErrorsNotPanics(t *testing.T) {
	cases := map[string]Chart{
		"trend":   &Trend{},
		"small":   &SmallMultiples{},
		"rank":    &Rank{},
		"funnel":  &Funnel{Target: 10},
		"funnel0": &Funnel{Units: []FunnelUnit{{Name: "a", Value: 1, Population: 10, Valid: true}}},
		"scatter": &Scatter{},
		"slope":   &Slope{},
	}
	for name, c := range cases {
		if err := c.Render(io.Discard, "png", 0, 0); err == nil {
			t.Errorf("%s: want error for empty input", name)
		}
	}
}

func TestTicksAndFormatting(t *testing.T) {
	for in, want := range map[string]string{"1234567": "1,234,567", "-1234.5": "-1,234.5", "999": "999", "1e+06": "1e+06", "": ""} {
		if got := commaString(in); got != want {
			t.Errorf("commaString(%q) = %q, want %q", in, got, want)
		}
	}
	var labels []string
	for _, tk := range (logTicks{}).Ticks(1600, 375000) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "2,000 5,000 10,000 20,000 50,000 100,000 200,000" {
		t.Errorf("log ticks %q", got)
	}
	labels = nil
	for _, tk := range (niceTicks{n: 5}).Ticks(0, 210) {
		labels = append(labels, tk.Label)
	}
	if got := strings.Join(labels, " "); got != "0 50 100 150 200" {
		t.Errorf("nice ticks %q", got)
	}
	if s := niceStep(0.3); s != 0.5 {
		t.Errorf("niceStep(0.3) = %v", s)
	}
	r := rand.New(rand.NewPCG(9, 9))
	for i := 0; i < 100; i++ {
		lo := r.Float64() * 100
		hi := lo + 0.01 + r.Float64()*1000
		if ts := (niceTicks{n: 5}).Ticks(lo, hi); len(ts) < 2 || len(ts) > 11 {
			t.Fatalf("niceTicks(%v, %v) gave %d ticks", lo, hi, len(ts))
		}
	}
}
