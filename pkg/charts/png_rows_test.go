package charts

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// Rows equal to the row above are written as zero differences, and a
// translucent pixel found only after such rows still sends the image to
// image/png: each decodes to the pixels image/png's own encoding does.
func TestEncodePNGRepeatedRows(t *testing.T) {
	opaque := image.NewRGBA(image.Rect(0, 0, 9, 12))
	for y := range 12 {
		for x := range 9 {
			c := color.RGBA{0xff, 0xff, 0xff, 0xff}
			if y >= 4 && y < 7 || y == 10 { // a band of rows alike, then a lone row
				c = color.RGBA{byte(20 * x), 0x40, byte(7 * y), 0xff}
			}
			opaque.Set(x, y, c)
		}
	}
	late := image.NewRGBA(opaque.Rect)
	copy(late.Pix, opaque.Pix)
	late.Set(3, 11, color.RGBA{0x10, 0x10, 0x10, 0x80})
	for name, img := range map[string]*image.RGBA{"opaque": opaque, "translucent last row": late} {
		var b bytes.Buffer
		if err := encodePNG(&b, img); err != nil {
			t.Fatal(err)
		}
		got, err := png.Decode(&b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// What image/png itself writes for the image, decoded (a
		// translucent pixel is stored unpremultiplied, so rounded).
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
}
