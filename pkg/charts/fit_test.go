package charts

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
)

// pngSize renders c as PNG at w × h and returns the image's pixels.
func pngSize(t *testing.T, c Chart, w, h vg.Length) (int, int) {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(&buf, "png", w, h); err != nil {
		t.Fatalf("render at %v × %v: %v", w, h, err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return img.Bounds().Dx(), img.Bounds().Dy()
}

// A canvas too small for the title, notes and source is enlarged, never
// refused; a canvas big enough is kept as asked.
func TestTooSmallCanvasIsEnlarged(t *testing.T) {
	w, h := 5*vg.Centimeter, 3*vg.Centimeter
	gw, gh := pngSize(t, demoTrend(), w, h)
	if gw < Pixels(w) || gh <= Pixels(h) {
		t.Errorf("tiny canvas drawn at %d × %d px; want at least %d wide and more than %d high", gw, gh, Pixels(w), Pixels(h))
	}
	fw, fh, err := FitSize(demoTrend(), w, h)
	if err != nil || Pixels(fw) != gw || Pixels(fh) != gh {
		t.Errorf("FitSize = %v × %v, %v; the PNG is %d × %d px", fw, fh, err, gw, gh)
	}
	gw, gh = pngSize(t, demoTrend(), DefaultWidth, DefaultHeight)
	if gw != Pixels(DefaultWidth) || gh != Pixels(DefaultHeight) {
		t.Errorf("default canvas drawn at %d × %d px", gw, gh)
	}
}

// Any number of panels fits: the canvas grows by at least the minimum
// panel height for each panel, in one column or several.
func TestSmallMultiplesAnyNumberOfPanels(t *testing.T) {
	base := demoSmallMultiples()
	for _, cols := range []int{1, 2, 3} {
		for _, n := range []int{1, 4, 7, 13} {
			m := &SmallMultiples{Labels: base.Labels, Columns: cols}
			for i := 0; i < n; i++ {
				m.Panels = append(m.Panels, base.Panels[i%len(base.Panels)])
			}
			_, gh := pngSize(t, m, DefaultWidth, DefaultHeight)
			rows := (n + cols - 1) / cols
			if min := Pixels(vg.Length(rows) * minPanel); gh < min {
				t.Errorf("%d panels in %d columns: %d px high, want at least %d", n, cols, gh, min)
			}
		}
	}
}

// Long series names are shortened with an ellipsis instead of squashing
// the plot or failing.
func TestLongNamesAreElided(t *testing.T) {
	tr := demoTrend()
	long := strings.Repeat("Bournemouth, Christchurch and Poole ", 4)
	for i := range tr.Series {
		if tr.Series[i].Role == Council {
			tr.Series[i].Name = long
			break
		}
	}
	var buf bytes.Buffer
	if err := tr.Render(&buf, "svg", 0, 0); err != nil {
		t.Fatal(err)
	}
	texts, _ := svgTexts(buf.Bytes())
	if strings.Contains(texts, long) {
		t.Error("the long name was drawn in full")
	}
	if !strings.Contains(texts, "Bournemouth, Christchurch") || !strings.Contains(texts, "…") {
		t.Errorf("want the name shortened with an ellipsis; texts: %.300s", texts)
	}
}

// A line whose last valid point is before the chart's last year says
// which year its label's value is from (issue 12 item 5: City of London's
// 2024 value was shown at 2025 without its year).
func TestEndLabelSaysItsYear(t *testing.T) {
	tr := &Trend{Labels: Labels{Title: "t"}, Series: []Series{
		{Name: "City of London", Role: Council, Points: []Point{{Year: 2023, Value: 90, Valid: true}, {Year: 2024, Value: 98, Valid: true}, {Year: 2025, Valid: false}}},
		{Name: "England", Role: England, Points: []Point{{Year: 2023, Value: 180, Valid: true}, {Year: 2024, Value: 190, Valid: true}, {Year: 2025, Value: 195.5, Valid: true}}},
	}}
	var buf bytes.Buffer
	if err := tr.Render(&buf, "svg", 0, 0); err != nil {
		t.Fatal(err)
	}
	texts, _ := svgTexts(buf.Bytes())
	for _, want := range []string{"City of London  98.0 (2024)", "England  195.5"} {
		if !strings.Contains(texts, want) {
			t.Errorf("labels lack %q: %s", want, texts)
		}
	}
	if strings.Contains(texts, "195.5 (") {
		t.Error("a line ending in the last year has a year in its label")
	}
}

// A panel whose values are all zero keeps a readable scale.
func TestAllZeroPanel(t *testing.T) {
	tr := &Trend{Labels: Labels{Title: "zeros"}, Series: []Series{
		{Name: "Isles of Scilly", Role: Council, Points: []Point{{Year: 2023, Value: 0, Valid: true}, {Year: 2024, Value: 0, Valid: true}}},
	}}
	p, _, err := tr.buildPlot(2023, 2024, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !(p.Y.Max > p.Y.Min) {
		t.Errorf("y range %v to %v", p.Y.Min, p.Y.Max)
	}
	var labels []string
	for _, tk := range p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if len(labels) < 2 {
		t.Errorf("all-zero panel has y labels %q", labels)
	}
}

// SVG text names generic fallbacks after Liberation Sans (issue 12 item 9).
func TestSVGFontFallback(t *testing.T) {
	var buf bytes.Buffer
	if err := demoTrend().Render(&buf, "svg", 0, 0); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	if strings.Contains(s, "font-family:Liberation Sans;") || !strings.Contains(s, "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;") {
		t.Error("SVG font-family has no generic fallback")
	}
}
