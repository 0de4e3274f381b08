package charts

import (
	"bytes"
	"testing"

	"gonum.org/v1/plot/vg"
)

// RenderFormats writes, for each format, the bytes Render writes for it
// at the same requested size (fitting once instead of once per format),
// and the size it drew at; at a size too small for the chart both
// enlarge it alike (or both fail).
func TestRenderFormatsIsRender(t *testing.T) {
	sizes := []struct{ w, h vg.Length }{{0, 0}, {6 * vg.Centimeter, 3 * vg.Centimeter}}
	for name, c := range testCharts() {
		for _, sz := range sizes {
			got, w, h, err := RenderFormats(c, sz.w, sz.h, "svg", "png", "pdf")
			if rerr := c.Render(&bytes.Buffer{}, "svg", sz.w, sz.h); rerr != nil {
				// A chart Render cannot draw (slope labels wider than a
				// small canvas): RenderFormats fails too.
				if err == nil {
					t.Errorf("%s at %v×%v: Render fails (%v), RenderFormats does not", name, sz.w, sz.h, rerr)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			fw, fh, err := FitSize(c, sz.w, sz.h)
			if err != nil {
				t.Fatal(err)
			}
			if w != fw || h != fh {
				t.Errorf("%s at %v×%v: drew at %v×%v, FitSize gives %v×%v", name, sz.w, sz.h, w, h, fw, fh)
			}
			for i, f := range []string{"svg", "png", "pdf"} {
				var want bytes.Buffer
				if err := c.Render(&want, f, sz.w, sz.h); err != nil {
					t.Fatal(err)
				}
				if f == "pdf" {
					continue // a PDF carries its creation time
				}
				if !bytes.Equal(got[i], want.Bytes()) {
					t.Errorf("%s %s at %v×%v: RenderFormats's bytes differ from Render's", name, f, sz.w, sz.h)
				}
			}
		}
	}
	if _, _, _, err := RenderFormats(demoTrend(), 0, 0, "gif"); err == nil {
		t.Error("format gif: no error")
	}
}
