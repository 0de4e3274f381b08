package charts

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The faster PNG level changes the compressed bytes only: every test
// chart, drawn once, decodes to the same pixels from gonum's own
// PngCanvas (png.Encode, default level) and from pngCanvas.
func TestPNGSamePixels(t *testing.T) {
	for name, c := range testCharts() {
		d, ok := c.(interface{ Draw(draw.Canvas) error })
		if !ok {
			t.Fatalf("%s: no Draw method", name)
		}
		cv := vgimg.NewWith(vgimg.UseWH(DefaultWidth, DefaultHeight), vgimg.UseDPI(PNGDPI))
		dc := draw.New(cv)
		dc.SetColor(color.White)
		dc.Fill(dc.Rectangle.Path())
		if err := d.Draw(dc); err != nil {
			t.Fatal(err)
		}
		var def, fast bytes.Buffer
		if _, err := (vgimg.PngCanvas{Canvas: cv}).WriteTo(&def); err != nil {
			t.Fatal(err)
		}
		if _, err := (pngCanvas{cv}).WriteTo(&fast); err != nil {
			t.Fatal(err)
		}
		a, errA := png.Decode(&def)
		b, errB := png.Decode(&fast)
		if errA != nil || errB != nil {
			t.Fatalf("%s: decode: %v, %v", name, errA, errB)
		}
		if !samePixels(a, b) {
			t.Errorf("%s: the fast PNG's pixels differ", name)
		}
		// And Render writes exactly that PNG.
		var rendered bytes.Buffer
		if err := c.Render(&rendered, "png", 0, 0); err != nil {
			t.Fatal(err)
		}
		if r, err := png.Decode(&rendered); err != nil || !samePixels(r, b) {
			t.Errorf("%s: Render's PNG differs from the drawing (%v)", name, err)
		}
	}
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				return false
			}
		}
	}
	return true
}
