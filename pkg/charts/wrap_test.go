package charts

import (
	"image/color"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// wrapText remembers its lines: asked again it gives the lines of
// wrapping afresh, for each width and font size, and a caller appending
// to one answer does not change the next.
func TestWrapTextRemembered(t *testing.T) {
	s := "Source: DfE, Children looked after in England including adoptions, release 2025 (cla_la.csv); Nomis mid-year population estimates\nNote: counts under 1 year are a proxy for removals at birth."
	for _, size := range []vg.Length{9, 11} {
		sty := textStyle(size, false, color.Black, draw.XLeft, draw.YTop)
		for _, width := range []vg.Length{120, 200, 200.5, 400} {
			want := wrapLines(sty, s, width)
			for range 3 {
				got := wrapText(sty, s, width)
				if !slices.Equal(got, want) {
					t.Fatalf("size %v width %v: %q, wrapping afresh gives %q", size, width, got, want)
				}
				_ = append(got, "appended") // must not reach the memo
				got[0] = "changed"
			}
		}
		if a, b := wrapText(sty, s, 120), wrapText(sty, s, 400); len(a) <= len(b) {
			t.Errorf("size %v: %d lines at 120 pt, %d at 400 pt", size, len(a), len(b))
		}
	}
	if got := wrapText(textStyle(9, false, color.Black, draw.XLeft, draw.YTop), strings.Repeat(" ", 3), 100); len(got) != 0 {
		t.Errorf("blank text: %q", got)
	}
}
