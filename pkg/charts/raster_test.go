package charts

import (
	"image/color"
	"math"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Text drawn upright, rotated, and on a translated and scaled canvas, in
// colours with and without transparency, on a canvas whose size is not a
// whole number of pixels, comes out as on vgimg's own canvas.
func TestRasterCanvasSameAsVgimg(t *testing.T) {
	w, h := 7.13*vg.Centimeter, 4.77*vg.Centimeter
	paint := func(cv vg.CanvasSizer) {
		dc := draw.New(cv)
		sty := textStyle(11, false, color.Black, draw.XLeft, draw.YBottom)
		dc.FillText(sty, vg.Point{X: 10.3, Y: 20.7}, "Upright: rates per 10,000 (2024)")
		sty.Color = color.NRGBA{R: 0xd5, G: 0x5e, A: 0x80}
		sty.Font = sansFont(9, true)
		dc.FillText(sty, vg.Point{X: 30, Y: 60.2}, "Translucent bold AVAWAY")
		sty.Rotation = math.Pi / 2
		dc.FillText(sty, vg.Point{X: 150, Y: 30}, "Rotated text")
		cv.Push()
		cv.Translate(vg.Point{X: 12.25, Y: 5.5})
		cv.Scale(1.5, 1.5)
		dc.FillText(textStyle(8, false, color.Black, draw.XCenter, draw.YCenter), vg.Point{X: 60, Y: 50}, "moved & scaled")
		cv.Pop()
		dc.FillText(textStyle(10, false, color.Gray{0x40}, draw.XRight, draw.YTop), vg.Point{X: 190, Y: 120}, "after Pop")
	}
	ref := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(PNGDPI))
	paint(ref)
	rc := newRasterCanvas(w, h)
	if gw, gh := rc.Size(); gw != w || gh != h {
		t.Fatalf("Size %v×%v, asked for %v×%v", gw, gh, w, h)
	}
	paint(rc)
	if !samePixels(rc.Image(), ref.Image()) {
		t.Error("pixels differ from vgimg's")
	}
}
