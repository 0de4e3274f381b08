package charts

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"strconv"
	"strings"
	"sync"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ParseLength reads a chart width or height written with a unit: "16cm",
// "160mm", "6.3in", "450pt" or "1200px". Pixels are PNG pixels at PNGDPI
// (150 per inch), so "1200px" gives a PNG exactly 1200 pixels wide and an
// SVG or PDF of the same physical size (8 inches). Lengths must lie
// between 2 cm and 2 m.
func ParseLength(s string) (vg.Length, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	units := []struct {
		suffix string
		size   vg.Length
	}{
		{"cm", vg.Centimeter}, {"mm", vg.Millimeter}, {"in", vg.Inch},
		{"pt", vg.Points(1)}, {"px", vg.Inch / PNGDPI},
	}
	for _, u := range units {
		num, ok := strings.CutSuffix(t, u.suffix)
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil {
			break
		}
		l := vg.Length(v) * u.size
		if l < 2*vg.Centimeter || l > 200*vg.Centimeter {
			return 0, fmt.Errorf("length %q out of range: give between 2cm and 200cm (or the same in mm, in, pt or px)", s)
		}
		return l, nil
	}
	return 0, fmt.Errorf("bad length %q: give a number with a unit, such as 16cm, 160mm, 6in, 450pt or 1200px (pixels at %d dpi)", s, PNGDPI)
}

// Pixels returns the PNG size in pixels of a chart of the given length,
// as Save writes it (rounded to the nearest pixel).
func Pixels(l vg.Length) int {
	return int(float64(l/vg.Inch)*PNGDPI + 0.5)
}

// Smallest room a chart body and its text may have; a canvas with less is
// enlarged by [FitSize], never refused.
const (
	minBody      vg.Length = 60  // points of plot height below the title and above the notes
	minTextWidth vg.Length = 140 // points of text width inside the margins
	minPanel     vg.Length = 56  // points of height per small-multiple panel: a scale with two labels
)

// TooSmallError reports that a chart needs more room than its canvas:
// Width and Height are the extra points it needs. Render and Save never
// return it: they enlarge the canvas instead (see [FitSize]).
type TooSmallError struct {
	Width, Height vg.Length
	What          string
}

func (e *TooSmallError) Error() string {
	return fmt.Sprintf("charts: canvas too small for %s (%.0f pt more width, %.0f pt more height needed)", e.What, float64(e.Width), float64(e.Height))
}

// sizedRecorder is a canvas that draws nothing: a dry run to find the
// size a chart needs. It keeps nothing either (a recorder.Canvas kept
// every drawing action of every dry run).
type sizedRecorder struct {
	w, h vg.Length
}

func (r *sizedRecorder) Size() (vg.Length, vg.Length)         { return r.w, r.h }
func (*sizedRecorder) SetLineWidth(vg.Length)                 {}
func (*sizedRecorder) SetLineDash([]vg.Length, vg.Length)     {}
func (*sizedRecorder) SetColor(color.Color)                   {}
func (*sizedRecorder) Rotate(float64)                         {}
func (*sizedRecorder) Translate(vg.Point)                     {}
func (*sizedRecorder) Scale(float64, float64)                 {}
func (*sizedRecorder) Push()                                  {}
func (*sizedRecorder) Pop()                                   {}
func (*sizedRecorder) Stroke(vg.Path)                         {}
func (*sizedRecorder) Fill(vg.Path)                           {}
func (*sizedRecorder) FillString(font.Face, vg.Point, string) {}
func (*sizedRecorder) DrawImage(vg.Rectangle, image.Image)    {}

// FitSize returns the size c is drawn at when asked for width × height
// (zero: the default 16 × 10 cm): the same size, or larger where the
// chart's panels, labels, notes and source need more room. A size the
// reader gives can make a chart bigger, never make it fail.
func FitSize(c Chart, width, height vg.Length) (vg.Length, vg.Length, error) {
	d, ok := c.(interface{ Draw(draw.Canvas) error })
	if !ok {
		return width, height, nil
	}
	if width <= 0 || height <= 0 {
		width, height = DefaultWidth, DefaultHeight
	}
	return fit(d.Draw, width, height)
}

// RenderFormats draws c in each of formats ("png", "svg" or "pdf") at
// width × height, enlarged where the chart needs (a zero width or height
// means the default 16 × 10 cm), all at the same time, and returns each
// drawing: what Render writes for each format, but with the size found
// once (Render finds it for each) and the formats drawn concurrently.
// It returns the size too.
func RenderFormats(c Chart, width, height vg.Length, formats ...string) (out [][]byte, w, h vg.Length, err error) {
	w, h, err = FitSize(c, width, height)
	if err != nil {
		return nil, 0, 0, err
	}
	d, ok := c.(interface{ Draw(draw.Canvas) error })
	out = make([][]byte, len(formats))
	errs := make([]error, len(formats))
	var wg sync.WaitGroup
	for i, f := range formats {
		wg.Go(func() {
			var b bytes.Buffer
			if ok {
				errs[i] = renderFitted(d.Draw, &b, f, w, h)
			} else {
				errs[i] = c.Render(&b, f, w, h)
			}
			out[i] = b.Bytes()
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, 0, 0, err
	}
	return out, w, h, nil
}

// fit enlarges width × height until d draws without a TooSmallError.
func fit(d drawer, width, height vg.Length) (w, h vg.Length, err error) {
	w, h = width, height
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("charts: drawing failed: %v", r)
		}
	}()
	for range 8 {
		rec := &sizedRecorder{w: w, h: h}
		derr := d(draw.New(rec))
		var small *TooSmallError
		if !errors.As(derr, &small) {
			return w, h, nil // other errors surface when the chart is drawn
		}
		w += vg.Length(math.Ceil(float64(small.Width)))
		h += vg.Length(math.Ceil(float64(small.Height)))
	}
	return w, h, errors.New("charts: could not find a size that fits the chart")
}
