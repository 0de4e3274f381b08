package charts

import (
	"image"
	"image/color"
	"math/rand/v2"
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
		checkDecodesAsImagePNG(t, name, img)
	}
}

// upFilter gives, for rows of every width from 1 to 40 pixels with
// random bytes, each colour byte minus the one above modulo 256, and
// reports a pixel without full alpha wherever it is.
func TestUpFilterBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for w := 1; w <= 40; w++ {
		row, above := make([]byte, 4*w), make([]byte, 4*w)
		for i := range row {
			row[i], above[i] = byte(rng.IntN(256)), byte(rng.IntN(256))
			if i%4 == 3 {
				row[i] = 0xff
			}
		}
		for translucent := -1; translucent < w; translucent++ {
			r := append([]byte(nil), row...)
			if translucent >= 0 {
				r[4*translucent+3] = byte(rng.IntN(255))
			}
			dst := make([]byte, 3*w+2)
			ok := upFilter(dst, r, above)
			if ok != (translucent < 0) {
				t.Fatalf("width %d, translucent pixel %d: opaque %v", w, translucent, ok)
			}
			for x := range w {
				for k := range 3 {
					if want := r[4*x+k] - above[4*x+k]; dst[3*x+k] != want {
						t.Fatalf("width %d: byte %d of pixel %d is %d, want %d", w, k, x, dst[3*x+k], want)
					}
				}
			}
		}
	}
}
