package charts

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
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

// checkDecodesAsImagePNG checks that encodePNG's image decodes to the
// pixels of what image/png itself writes for it (a translucent pixel is
// stored unpremultiplied, so rounded alike).
func checkDecodesAsImagePNG(t *testing.T, name string, img image.Image) {
	t.Helper()
	var b bytes.Buffer
	if err := encodePNG(&b, img); err != nil {
		t.Fatal(err)
	}
	got, err := png.Decode(&b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var ref bytes.Buffer
	if err := png.Encode(&ref, img); err != nil {
		t.Fatal(err)
	}
	want, err := png.Decode(&ref)
	if err != nil {
		t.Fatal(err)
	}
	if !samePixels(got, want) {
		t.Errorf("%s: decoded pixels differ", name)
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

// encodePNG on images other than charts: random opaque pixels (every
// filter byte wraps), a sub-image (rows start mid-buffer) and a
// translucent image (image/png's path) all decode to the pixels
// image/png's own encoding of them decodes to.
func TestEncodePNGPixels(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	full := image.NewRGBA(image.Rect(0, 0, 37, 23))
	for i := range full.Pix {
		full.Pix[i] = byte(rng.IntN(256))
		if i%4 == 3 {
			full.Pix[i] = 0xff
		}
	}
	translucent := image.NewRGBA(image.Rect(0, 0, 5, 4))
	for i := range translucent.Pix {
		translucent.Pix[i] = byte(i * 3)
	}
	for name, img := range map[string]image.Image{
		"opaque": full, "sub-image": full.SubImage(image.Rect(3, 5, 30, 20)), "translucent": translucent,
		"one pixel": full.SubImage(image.Rect(0, 0, 1, 1)),
	} {
		checkDecodesAsImagePNG(t, name, img)
	}
}
