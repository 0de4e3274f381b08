// Package charts draws publishable charts of children's social care
// statistics on gonum.org/v1/plot.
//
// Every chart is built from plain input data: the caller converts the same
// rate rows it prints in tables into [Series], [RankItem], [FunnelUnit] or
// [ScatterPoint] values. Charts never recompute rates. The only numbers a
// chart derives are funnel control limits (from package funnel) and, for
// [Scatter] when no fit is supplied, an ordinary least-squares line with its
// 95% confidence band ([OLS]).
//
// Each chart kind is a type with a Draw method that draws the whole chart
// (title, subtitle, the plot, notes and source line) onto any
// draw.Canvas, and implements [Chart] to write PNG (150 dpi), SVG or PDF.
// The default size is 16 × 10 cm.
//
// Conventions common to all charts:
//   - colours are the Okabe-Ito colour-blind-safe palette ([OkabeIto]);
//     England is black and thicker, regions dashed dark grey, statistical
//     neighbours light grey;
//   - a [Point] with Valid == false (suppressed, missing, or a boundary
//     break) is never drawn and never joined across;
//   - the y-axis unit (Labels.YLabel) is written horizontally above the
//     plot rather than rotated beside it;
//   - all text is Liberation Sans, 9 pt or larger at the default size.
package charts

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	xfont "golang.org/x/image/font"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/cscstats/cscstats/pkg/safefile"
	"github.com/cscstats/cscstats/pkg/safetext"
)

// Default chart size and PNG resolution.
const (
	DefaultWidth  = 16 * vg.Centimeter
	DefaultHeight = 10 * vg.Centimeter
	PNGDPI        = 150
)

// Point is one year's value of a series. Lower and Upper are an optional
// confidence interval (used only when both are finite and Lower ≤ Upper).
// Valid == false marks a suppressed or missing value or a boundary break:
// the point is not drawn and the line is broken there.
type Point struct {
	Year                int
	Value, Lower, Upper float64
	Valid               bool
	Note                string
}

// Role says how a series is drawn.
type Role int

// Series roles.
const (
	Council   Role = iota // Okabe-Ito colours, in order of appearance
	Region                // dashed dark grey
	England               // black, thicker, drawn on top
	Neighbour             // thin light grey, drawn underneath
)

// String returns the role's name.
func (r Role) String() string {
	switch r {
	case Council:
		return "council"
	case Region:
		return "region"
	case England:
		return "England"
	case Neighbour:
		return "neighbour"
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// Series is a named sequence of yearly points.
type Series struct {
	Name   string
	Role   Role
	Points []Point
	// Colour, if not nil, replaces the role's colour (the role still
	// sets the width, dashes and drawing order): for example a region
	// drawn dashed in the colour of its council when several councils
	// and their regions share a chart.
	Colour color.Color
}

// Labels holds the text drawn around a chart.
type Labels struct {
	Title    string
	Subtitle string   // measure definition, denominator, years
	XLabel   string   // x-axis label with units
	YLabel   string   // y unit, e.g. "per 10,000 children aged 0-17"; drawn above the plot
	Source   string   // DfE publication(s) and ONS; drawn as "Source: ..."
	Notes    []string // each drawn as "Note: ..." above the source line
}

// Chart is implemented by every chart kind.
type Chart interface {
	// Render writes the chart in format "png", "svg" or "pdf". A zero
	// width or height means the default 16 × 10 cm.
	Render(w io.Writer, format string, width, height vg.Length) error
	// Save writes the chart to path, taking the format from the
	// extension (.png, .svg, .pdf). The file is written to a temporary
	// file in the same directory and renamed into place, so a failed
	// Save never leaves a partial file.
	Save(path string, width, height vg.Length) error
}

// OkabeIto is the Okabe-Ito colour-blind-safe palette without black and
// without yellow (too light for lines on white), in the order council
// series are coloured.
var OkabeIto = []color.Color{
	color.RGBA{0x00, 0x72, 0xB2, 0xFF}, // blue
	color.RGBA{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	color.RGBA{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	color.RGBA{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	color.RGBA{0xE6, 0x9F, 0x00, 0xFF}, // orange
	color.RGBA{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
}

var (
	colBlack     = color.RGBA{0, 0, 0, 0xFF}
	colText      = color.RGBA{0x22, 0x22, 0x22, 0xFF}
	colSubtle    = color.RGBA{0x55, 0x55, 0x55, 0xFF}
	colRegion    = color.RGBA{0x55, 0x55, 0x55, 0xFF}
	colNeighbour = color.RGBA{0xBB, 0xBB, 0xBB, 0xFF}
	colGrid      = color.RGBA{0xE4, 0xE4, 0xE4, 0xFF}
	colPoint     = color.RGBA{0x80, 0x80, 0x80, 0xFF}
	colWhisker   = color.RGBA{0xB0, 0xB0, 0xB0, 0xFF}
)

// Font sizes at the default chart size.
const (
	sizeTitle    = 13
	sizeSubtitle = 10
	sizeBody     = 9 // ticks, data labels, notes, source: never smaller
)

func sansFont(size vg.Length, bold bool) font.Font {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return f
}

// textStyle returns a Liberation Sans style.
func textStyle(size vg.Length, bold bool, c color.Color, xa draw.XAlignment, ya draw.YAlignment) text.Style {
	return text.Style{
		Color:   c,
		Font:    sansFont(size, bold),
		XAlign:  xa,
		YAlign:  ya,
		Handler: chartText,
	}
}

// ---------------------------------------------------------------------------
// Rendering and saving.

// drawer draws a complete chart onto a canvas.
type drawer func(draw.Canvas) error

// newCanvas returns a writable canvas for format, or an error for an
// unknown format.
func newCanvas(format string, width, height vg.Length) (vg.CanvasWriterTo, error) {
	switch strings.ToLower(strings.TrimPrefix(format, ".")) {
	case "png":
		return newRasterCanvas(width, height), nil
	case "svg":
		return vgsvg.New(width, height), nil
	case "pdf":
		return vgpdf.New(width, height), nil
	}
	return nil, fmt.Errorf("charts: unknown format %q (want png, svg or pdf)", format)
}

func render(d drawer, w io.Writer, format string, width, height vg.Length) (err error) {
	if width <= 0 || height <= 0 {
		width, height = DefaultWidth, DefaultHeight
	}
	if _, err := newCanvas(format, 1, 1); err != nil {
		return err
	}
	width, height, err = fit(d, width, height)
	if err != nil {
		return err
	}
	return renderFitted(d, w, format, width, height)
}

// renderFitted is render at a size fit has already found.
func renderFitted(d drawer, w io.Writer, format string, width, height vg.Length) (err error) {
	cw, err := newCanvas(format, width, height)
	if err != nil {
		return err
	}
	defer func() {
		// gonum/plot reports some bad input (for example an empty axis
		// range) by panicking; turn that into an error.
		if r := recover(); r != nil {
			err = fmt.Errorf("charts: drawing failed: %v", r)
		}
	}()
	var sized vg.CanvasSizer = cw
	if _, ok := cw.(*vgpdf.Canvas); ok {
		sized = pdfFontFix{cw}
	}
	dc := draw.New(sized)
	if _, ok := cw.(*rasterCanvas); !ok {
		// vgimg fills a new canvas with white itself; filling it again
		// through the rasteriser changed no pixel but cost a tenth of
		// drawing a chart.
		dc.SetColor(color.White)
		dc.Fill(dc.Rectangle.Path())
	}
	if err := d(dc); err != nil {
		return err
	}
	if cw, ok := cw.(*vgsvg.Canvas); ok {
		// A bidi override in a label would reorder the text after it in a
		// browser; show such characters as escapes (as index.html does).
		var b bytes.Buffer
		if _, err := cw.WriteTo(&b); err != nil {
			return err
		}
		_, err = w.Write(safetext.ShowInvisible(svgFontFallback(b.Bytes())))
		return err
	}
	_, err = cw.WriteTo(w)
	return err
}

// svgFontFallback adds metric-compatible and generic fallbacks to the
// SVG's font-family, so a machine without Liberation Sans draws the text
// in Arial, Helvetica or its own sans-serif rather than a serif default.
func svgFontFallback(svg []byte) []byte {
	return bytes.ReplaceAll(svg, []byte("font-family:Liberation Sans;"), []byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"))
}

func save(d drawer, path string, width, height vg.Length) (err error) {
	ext := strings.ToLower(filepath.Ext(path))
	if _, err := newCanvas(ext, 1, 1); err != nil || ext == "" {
		return fmt.Errorf("charts: cannot save %s: unknown file extension %q (want .png, .svg or .pdf)", path, ext)
	}
	var buf bytes.Buffer
	if err := render(d, &buf, ext, width, height); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(buf.Bytes()); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmp.Name(), safefile.Mode(safefile.File)); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// pdfFontFix works around three problems of vgpdf in gonum/plot v0.17.0:
//
//   - it registers every font with an empty style but selects bold or
//     italic faces with style "B"/"I", failing with "undefined font"; and
//     even when renamed, all faces share one embedded font file, so bold
//     text is drawn with regular glyphs at bold spacing. PDF text is
//     therefore drawn in the regular face (PDFs have no bold text);
//   - it passes text to the PDF as UTF-8 while the fonts use the
//     Windows-1252 code page ("²" came out as "Â²"): text is converted,
//     with characters outside Windows-1252 replaced;
//   - it writes the premultiplied RGB of translucent colours, so a
//     translucent white came out grey: colours with alpha are handed over
//     with straight (non-premultiplied) components.
type pdfFontFix struct{ vg.CanvasWriterTo }

var cp1252 = encoding.ReplaceUnsupported(charmap.Windows1252.NewEncoder())

func (c pdfFontFix) FillString(f font.Face, pt vg.Point, s string) {
	if f.Font.Weight != xfont.WeightNormal || f.Font.Style != xfont.StyleNormal {
		reg := f.Font
		reg.Weight, reg.Style = xfont.WeightNormal, xfont.StyleNormal
		f = font.DefaultCache.Lookup(reg, f.Font.Size)
	}
	if enc, err := cp1252.String(s); err == nil {
		s = enc
	}
	c.CanvasWriterTo.FillString(f, pt, s)
}

func (c pdfFontFix) SetColor(clr color.Color) {
	if clr != nil {
		if n := color.NRGBAModel.Convert(clr).(color.NRGBA); n.A != 0xFF {
			clr = straightRGBA{uint32(n.R) * 0x101, uint32(n.G) * 0x101, uint32(n.B) * 0x101, uint32(n.A) * 0x101}
		}
	}
	c.CanvasWriterTo.SetColor(clr)
}

// straightRGBA reports non-premultiplied components from RGBA; it is only
// handed to vgpdf, which expects exactly that.
type straightRGBA struct{ r, g, b, a uint32 }

func (s straightRGBA) RGBA() (r, g, b, a uint32) { return s.r, s.g, s.b, s.a }

// ---------------------------------------------------------------------------
// Header and footer.

const margin = 8 // points around the whole chart

// wrapText splits s into lines no wider than width, breaking at spaces
// and at explicit newlines.
//
// A chart's text is wrapped each time it is drawn (a dry run to fit its
// size, then once per format), measuring every candidate line glyph by
// glyph, so the lines are remembered: the wrapping depends only on the
// font, the font collection measuring it, the text and the width.
func wrapText(sty text.Style, s string, width vg.Length) []string {
	var fonts *font.Cache
	switch h := sty.Handler.(type) {
	case text.Plain:
		fonts = h.Fonts
	case textHandler:
		fonts = h.Fonts
	default:
		return wrapLines(sty, s, width)
	}
	k := wrapKey{font: sty.Font, fonts: fonts, s: s, width: width}
	wrapMemo.Lock()
	lines, ok := wrapMemo.m[k]
	wrapMemo.Unlock()
	if !ok {
		lines = wrapLines(sty, s, width)
		wrapMemo.Lock()
		if len(wrapMemo.m) >= wrapMemoSize {
			clear(wrapMemo.m) // a long run (every council's profile) starts afresh
		}
		wrapMemo.m[k] = lines
		wrapMemo.Unlock()
	}
	return slices.Clone(lines) // callers may append
}

type wrapKey struct {
	font  font.Font
	fonts *font.Cache
	s     string
	width vg.Length
}

const wrapMemoSize = 4096

var wrapMemo = struct {
	sync.Mutex
	m map[wrapKey][]string
}{m: make(map[wrapKey][]string)}

func wrapLines(sty text.Style, s string, width vg.Length) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			continue
		}
		line := words[0]
		for _, w := range words[1:] {
			if sty.Width(line+" "+w) <= width {
				line += " " + w
				continue
			}
			out = append(out, line)
			line = w
		}
		out = append(out, line)
	}
	return out
}

type textBlock struct {
	sty   text.Style
	lines []string
	gap   vg.Length // extra space after the block
}

func lineHeight(sty text.Style) vg.Length {
	return sty.FontExtents().Height * 1.05
}

func (b textBlock) height() vg.Length {
	if len(b.lines) == 0 {
		return 0
	}
	return vg.Length(len(b.lines))*lineHeight(b.sty) + b.gap
}

// drawFrame draws the title, subtitle (plus extra subtitle lines), y-unit,
// notes and source line, and returns the canvas left for the plot body.
func drawFrame(c draw.Canvas, l Labels, extraSubtitle, extraNotes []string) (draw.Canvas, error) {
	width := c.Max.X - c.Min.X - 2*margin
	if width < minTextWidth {
		return c, &TooSmallError{Width: minTextWidth - width, What: "the title"}
	}
	sub := l.Subtitle
	for _, s := range extraSubtitle {
		if s == "" {
			continue
		}
		if sub != "" {
			sub += "\n"
		}
		sub += s
	}
	left := draw.XLeft
	top := []textBlock{
		{sty: textStyle(sizeTitle, true, colBlack, left, draw.YTop), gap: 2},
		{sty: textStyle(sizeSubtitle, false, colText, left, draw.YTop), gap: 4},
		{sty: textStyle(sizeBody, false, colSubtle, left, draw.YTop), gap: 2},
	}
	top[0].lines = wrapText(top[0].sty, l.Title, width)
	top[1].lines = wrapText(top[1].sty, sub, width)
	top[2].lines = wrapText(top[2].sty, l.YLabel, width)

	var bottom []textBlock
	noteSty := textStyle(sizeBody, false, colText, left, draw.YTop)
	for _, n := range append(append([]string(nil), l.Notes...), extraNotes...) {
		if n == "" {
			continue
		}
		bottom = append(bottom, textBlock{sty: noteSty, lines: wrapText(noteSty, "Note: "+n, width)})
	}
	if l.Source != "" {
		srcSty := textStyle(sizeBody, false, colSubtle, left, draw.YTop)
		bottom = append(bottom, textBlock{sty: srcSty, lines: wrapText(srcSty, "Source: "+l.Source, width)})
	}

	var hTop, hBottom vg.Length
	for _, b := range top {
		hTop += b.height()
	}
	for _, b := range bottom {
		hBottom += b.height()
	}
	if hBottom > 0 {
		hBottom += 4 // space between plot and notes
	}
	body := draw.Crop(c, margin, -margin, margin+hBottom, -(margin + hTop))
	if h := body.Max.Y - body.Min.Y; h < minBody {
		return c, &TooSmallError{Height: minBody - h, What: "the title, notes and source"}
	}

	x := c.Min.X + margin
	y := c.Max.Y - margin
	drawBlock := func(b textBlock) {
		for _, ln := range b.lines {
			c.FillText(b.sty, vg.Point{X: x, Y: y}, ln)
			y -= lineHeight(b.sty)
		}
		if len(b.lines) > 0 {
			y -= b.gap
		}
	}
	for _, b := range top {
		drawBlock(b)
	}
	y = c.Min.Y + margin + hBottom - 4
	for _, b := range bottom {
		drawBlock(b)
	}
	return body, nil
}

// ---------------------------------------------------------------------------
// Plot styling helpers.

// newPlot returns a plot styled for the charts: Liberation Sans 9 pt
// ticks, light horizontal grid, no title (the frame draws it).
func newPlot() *plot.Plot {
	p := plot.New()
	p.BackgroundColor = nil
	p.TextHandler = chartText
	p.Legend.TextStyle.Handler = chartText
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Tick.Label.Handler = chartText
		a.Label.TextStyle.Handler = chartText
		a.Tick.Label.Font = sansFont(sizeBody, false)
		a.Tick.Label.Color = colText
		a.Label.TextStyle.Font = sansFont(sizeBody, false)
		a.Label.TextStyle.Color = colText
		a.Label.Padding = 3
		a.Color = colSubtle
		a.Tick.Color = colSubtle
		a.Tick.Length = 4
		a.Padding = 3
	}
	p.Y.Tick.Marker = niceTicks{n: 5}
	p.Title.TextStyle = textStyle(sizeSubtitle, true, colBlack, draw.XCenter, draw.YTop)
	p.Title.Padding = 3
	return p
}

// layer adapts a function to plot.Plotter; it is how labels are drawn with
// access to the plot's data transforms.
type layer func(c draw.Canvas, p *plot.Plot)

func (f layer) Plot(c draw.Canvas, p *plot.Plot) { f(c, p) }

// hgrid draws light horizontal grid lines at the major y ticks.
func hgrid() plot.Plotter {
	return layer(func(c draw.Canvas, p *plot.Plot) {
		sty := draw.LineStyle{Color: colGrid, Width: 0.5}
		for _, t := range p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max) {
			if t.IsMinor() || t.Value < p.Y.Min || t.Value > p.Y.Max {
				continue
			}
			y := c.Y(p.Y.Norm(t.Value))
			c.StrokeLine2(sty, c.Min.X, y, c.Max.X, y)
		}
	})
}

// niceTicks puts about n major ticks at multiples of 1, 2, 2.5 or 5 × 10^k,
// labelled with thousands separators, and no minor ticks.
type niceTicks struct{ n int }

func (t niceTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) {
		return nil
	}
	step := niceStep((max - min) / float64(t.n))
	// niceStep rounds up, which can leave only two ticks (a range of 10
	// to 140 with n = 5 gets a step of 50): take smaller nice steps until
	// there are at least three, so the scale can be read.
	want := 3
	if t.n < want {
		want = t.n
	}
	count := func(s float64) int { return int(math.Floor(max/s+1e-9)-math.Ceil(min/s-1e-9)) + 1 }
	for count(step) < want {
		step = smallerNiceStep(step)
	}
	dec := 0
	for s := step; s < 1-1e-9 || math.Abs(s-math.Round(s)) > 1e-9; s *= 10 {
		dec++
		if dec > 10 {
			break
		}
	}
	var ts []plot.Tick
	for v := math.Ceil(min/step-1e-9) * step; v <= max+step*1e-9; v += step {
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ts = append(ts, plot.Tick{Value: v, Label: commaString(strconv.FormatFloat(v, 'f', dec, 64))})
	}
	return ts
}

// niceStep rounds x up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if !(x > 0) {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if x <= m*mag*(1+1e-9) {
			return m * mag
		}
	}
	return 10 * mag
}

// smallerNiceStep returns the next nice step below s (5 → 2.5 → 2 → 1 →
// 0.5 × 10^k).
func smallerNiceStep(s float64) float64 {
	mag := math.Pow(10, math.Floor(math.Log10(s)+1e-9))
	switch m := s / mag; {
	case m > 4.9:
		return 2.5 * mag
	case m > 2.4:
		return 2 * mag
	case m > 1.9:
		return mag
	}
	return 0.5 * mag
}

// commaTicks relabels another ticker's labels with thousands separators.
type commaTicks struct{ plot.Ticker }

func (t commaTicks) Ticks(min, max float64) []plot.Tick {
	ts := t.Ticker.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = commaString(ts[i].Label)
		}
	}
	return ts
}

// commaString inserts thousands separators into a plain decimal string
// such as "-12345.5"; other strings are returned unchanged.
func commaString(s string) string {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	for _, r := range intPart {
		if r < '0' || r > '9' {
			if neg {
				return "-" + s
			}
			return s
		}
	}
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String() + frac
	if neg {
		out = "-" + out
	}
	return out
}

// formatValue formats v with format f (default "%.1f") and thousands
// separators.
func formatValue(f string, v float64) string {
	if f == "" {
		f = "%.1f"
	}
	return commaString(fmt.Sprintf(f, v))
}
