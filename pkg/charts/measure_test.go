package charts

import (
	"image/color"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The charts' text handler measures every text as gonum's default
// handler does, asked once or again, and every text style of a chart's
// plot uses it.
func TestTextHandlerBoxes(t *testing.T) {
	plain := plot.DefaultTextHandler.(text.Plain)
	for _, size := range []vg.Length{8, 9, 11.5} {
		for _, bold := range []bool{false, true} {
			fnt := sansFont(size, bold)
			for _, s := range []string{"", "2024", "Rates per 10,000 children aged 0-17", "AVAWAY\nsecond line", "ÅÉ²–€"} {
				w0, h0, d0 := plain.Box(s, fnt)
				for range 2 {
					w, h, d := chartText.Box(s, fnt)
					if w != w0 || h != h0 || d != d0 {
						t.Fatalf("%q at %v: box %v %v %v, gonum's %v %v %v", s, size, w, h, d, w0, h0, d0)
					}
				}
			}
		}
	}
	p := newPlot()
	for name, h := range map[string]text.Handler{
		"plot": p.TextHandler, "legend": p.Legend.TextStyle.Handler, "title": p.Title.TextStyle.Handler,
		"x ticks": p.X.Tick.Label.Handler, "x label": p.X.Label.TextStyle.Handler,
		"y ticks": p.Y.Tick.Label.Handler, "y label": p.Y.Label.TextStyle.Handler,
		"chart text": textStyle(9, false, color.Black, draw.XLeft, draw.YTop).Handler,
	} {
		if _, ok := h.(textHandler); !ok {
			t.Errorf("%s: handler %T", name, h)
		}
	}
}
