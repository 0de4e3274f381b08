package charts

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

// square is a unit square at (x, y).
func square(x, y float64) [][2]float64 {
	return [][2]float64{{x, y}, {x + 1, y}, {x + 1, y + 1}, {x, y + 1}, {x, y}}
}

func demoMap() *Choropleth {
	var areas []MapArea
	v := 0.0
	for i := 0; i < 5; i++ {
		for j := 0; j < 4; j++ {
			v++
			areas = append(areas, MapArea{Code: "E0600000" + string(rune('0'+i)), Name: "Council", Polygons: [][][2]float64{square(float64(i), float64(j))}, Value: v, Valid: true, Group: map[bool]string{true: "Group", false: ""}[i == 0]})
		}
	}
	areas[3].Valid = false
	areas[7].Highlight = true
	areas[10].Inset = true
	areas[11].Inset = true
	return &Choropleth{Labels: Labels{Title: "A map", Subtitle: "Rates", Source: "Test"}, Areas: areas, Breaks: []float64{4.5, 8.5, 12.5, 16.5}, England: 10}
}

func TestChoroplethClassesAndLegend(t *testing.T) {
	m := demoMap()
	// Values 1..20 with value 4 missing: classes [<4.5), [4.5,8.5), ...
	for v, want := range map[float64]int{1: 0, 4.49: 0, 4.5: 1, 8.5: 2, 12.49: 2, 16.5: 4, 100: 4} {
		if got := m.Class(v); got != want {
			t.Errorf("Class(%v) = %d, want %d", v, got, want)
		}
	}
	want := []string{"under 4.5 (3)", "4.5 to under 8.5 (4)", "8.5 to under 12.5 (4)", "12.5 to under 16.5 (4)", "16.5 or more (4)"}
	if got := m.LegendLines(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("legend %q, want %q", got, want)
	}
	if got := m.englandLine(); got != "England: 10.0 (class 3 of 5)" {
		t.Errorf("England line %q", got)
	}
	m.Breaks = []float64{3, 2}
	if err := m.Draw(draw.NewCanvas(&recorder.Canvas{}, DefaultWidth, DefaultHeight)); err == nil {
		t.Error("decreasing breaks accepted")
	}
	m.Breaks = []float64{1}
	if err := m.Draw(draw.NewCanvas(&recorder.Canvas{}, DefaultWidth, DefaultHeight)); err == nil {
		t.Error("two classes accepted")
	}
}

func TestChoroplethRenders(t *testing.T) {
	m := demoMap()
	m.InsetTitle = "Inset"
	for _, f := range []string{"png", "svg", "pdf"} {
		var b bytes.Buffer
		if err := m.Render(&b, f, 16*vg.Centimeter, 17*vg.Centimeter); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if b.Len() == 0 {
			t.Errorf("%s: empty", f)
		}
	}
	var b bytes.Buffer
	if err := m.Render(&b, "svg", 0, 0); err != nil {
		t.Fatal(err)
	}
	texts, err := svgTexts(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"A map", "England: 10.0 (class 3 of 5)", "no figure (1)", "Inset", "Group", "Source: Test"} {
		if !strings.Contains(texts, s) {
			t.Errorf("SVG lacks %q", s)
		}
	}
}

// Hatch lines lie inside the polygon: every segment's midpoint is inside
// (ray casting), and a square is covered from corner to corner.
func TestHatchInside(t *testing.T) {
	tri := []vg.Point{{X: 0, Y: 0}, {X: 100, Y: 0}, {X: 0, Y: 100}}
	segs := hatch(tri, 5)
	if len(segs) < 10 {
		t.Fatalf("%d hatch segments for a 100 pt triangle", len(segs))
	}
	for _, s := range segs {
		mx, my := float64(s[0].X+s[1].X)/2, float64(s[0].Y+s[1].Y)/2
		if !(mx >= 0 && my >= 0 && mx+my <= 100+1e-9) {
			t.Errorf("segment %v has its middle outside the triangle", s)
		}
		// 45°: x - y is constant along the segment.
		if math.Abs(float64((s[0].X-s[0].Y)-(s[1].X-s[1].Y))) > 1e-9 {
			t.Errorf("segment %v is not at 45°", s)
		}
	}
	if hatch(tri[:2], 5) != nil {
		t.Error("a degenerate polygon has hatching")
	}
}
