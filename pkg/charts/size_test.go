package charts

import (
	"bytes"
	"image/png"
	"math"
	"testing"

	"gonum.org/v1/plot/vg"
)

func TestParseLength(t *testing.T) {
	for in, want := range map[string]vg.Length{
		"16cm": 16 * vg.Centimeter, "160mm": 16 * vg.Centimeter, " 6in ": 6 * vg.Inch,
		"450pt": 450, "1200px": 8 * vg.Inch, "12.5CM": 12.5 * vg.Centimeter,
	} {
		got, err := ParseLength(in)
		if err != nil || math.Abs(float64(got-want)) > 1e-9 {
			t.Errorf("ParseLength(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "16", "cm", "16 furlongs", "1cm", "3m", "-5cm", "100000px"} {
		if _, err := ParseLength(bad); err == nil {
			t.Errorf("ParseLength(%q) accepted", bad)
		}
	}
}

// TestPixelsMatchPNG checks that a length given in px gives a PNG of
// exactly that many pixels.
func TestPixelsMatchPNG(t *testing.T) {
	w, _ := ParseLength("1200px")
	h, _ := ParseLength("700px")
	var buf bytes.Buffer
	if err := demoTrend().Render(&buf, "png", w, h); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if sz := img.Bounds().Size(); sz.X != 1200 || sz.Y != 700 || Pixels(w) != 1200 || Pixels(h) != 700 {
		t.Errorf("got %v (Pixels %d×%d), want 1200×700", sz, Pixels(w), Pixels(h))
	}
	if Pixels(DefaultWidth) != 945 || Pixels(DefaultHeight) != 591 {
		t.Errorf("default %d×%d px", Pixels(DefaultWidth), Pixels(DefaultHeight))
	}
}

// TestNiceTicksAtLeastThree: rounding the step up must not leave a scale
// with only two labelled ticks.
func TestNiceTicksAtLeastThree(t *testing.T) {
	for _, r := range [][2]float64{{10, 140}, {0, 1.1}, {5, 260}, {0.5, 3}, {0, 100}} {
		ts := niceTicks{n: 5}.Ticks(r[0], r[1])
		if len(ts) < 3 {
			t.Errorf("%v: %d ticks %v", r, len(ts), ts)
		}
		for _, tk := range ts {
			if tk.Value < r[0]-1e-9 || tk.Value > r[1]+1e-9 {
				t.Errorf("%v: tick %v outside", r, tk.Value)
			}
		}
	}
	if ts := (niceTicks{n: 5}).Ticks(10, 140); ts[0].Value != 25 || ts[1].Value != 50 {
		t.Errorf("10-140: %v, want 25, 50, ...", ts)
	}
}

// TestSeriesColour: a series' Colour replaces its role's colour but keeps
// its dashes.
func TestSeriesColour(t *testing.T) {
	ss := []Series{{Name: "A", Role: Council}, {Name: "R", Role: Region, Colour: OkabeIto[0]}}
	st := styles(ss)
	if !sameColour(st[1].line.Color, OkabeIto[0]) || len(st[1].line.Dashes) == 0 {
		t.Errorf("region style %+v", st[1])
	}
	if !sameColour(st[0].line.Color, OkabeIto[0]) {
		t.Errorf("council style %+v", st[0])
	}
}
