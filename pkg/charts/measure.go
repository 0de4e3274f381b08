package charts

import (
	"sync"
	"sync/atomic"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// textHandler is gonum/plot's default text handler (text.Plain on its
// font collection) with the box of each text in each font remembered.
// gonum measures every label glyph by glyph each time a chart is laid
// out, and a chart is laid out once to fit its size and once per format;
// the box depends only on the text, the font and the collection, so the
// measurements are the same.
type textHandler struct{ text.Plain }

// chartText is the handler every chart's text uses.
var chartText = newTextHandler(plot.DefaultTextHandler)

func newTextHandler(h text.Handler) text.Handler {
	if p, ok := h.(text.Plain); ok {
		return textHandler{p}
	}
	return h
}

type boxKey struct {
	txt   string
	font  font.Font
	fonts *font.Cache
}

type box struct{ width, height, depth vg.Length }

const boxMemoSize = 1 << 14

var (
	boxMemo  sync.Map // boxKey → box
	boxCount atomic.Int64
)

// Box is text.Plain's Box, remembered.
func (h textHandler) Box(txt string, fnt font.Font) (width, height, depth vg.Length) {
	k := boxKey{txt, fnt, h.Fonts}
	if b, ok := boxMemo.Load(k); ok {
		b := b.(box)
		return b.width, b.height, b.depth
	}
	width, height, depth = h.Plain.Box(txt, fnt)
	if boxCount.Add(1) > boxMemoSize {
		boxMemo.Clear() // a long run (every council's profile) starts afresh
		boxCount.Store(1)
	}
	boxMemo.Store(k, box{width, height, depth})
	return width, height, depth
}
