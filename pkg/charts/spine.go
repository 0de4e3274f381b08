package charts

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SpineVerdict colours a spine chart's marker: how the council's rate
// compares with England's once chance and the usual spread between
// councils are allowed for (the overdispersed funnel verdict).
type SpineVerdict int

// Spine verdicts.
const (
	SpineNotCompared SpineVerdict = iota // no rate, or no funnel verdict
	SpineLower                           // below the overdispersed 95% limit
	SpineSimilar                         // within the limits
	SpineHigher                          // above the overdispersed 95% limit
)

// String words the verdict as the chart's key does.
func (v SpineVerdict) String() string {
	switch v {
	case SpineLower:
		return "lower than expected"
	case SpineSimilar:
		return "within the expected range"
	case SpineHigher:
		return "higher than expected"
	}
	return "not compared"
}

// Verdict colours: Okabe-Ito vermillion and blue for a difference, a pale
// yellow for "similar", white for no verdict. Higher and lower are not
// "worse" and "better": a high rate of plans can be good or bad practice.
var spineColours = map[SpineVerdict]color.Color{
	SpineNotCompared: color.White,
	SpineLower:       color.RGBA{0x00, 0x72, 0xB2, 0xFF},
	SpineSimilar:     color.RGBA{0xF0, 0xE4, 0x42, 0xFF},
	SpineHigher:      color.RGBA{0xD5, 0x5E, 0x00, 0xFF},
}

// SpineRow is one measure of a [Spine] chart. Values are rates; Min, Q1,
// Q3 and Max summarise every council's rate in the same year.
type SpineRow struct {
	Label   string // the measure's readable name
	Period  string // the year shown, e.g. "2025"
	Count   string // the council's count as shown, e.g. "1,234" or "c"
	Value   float64
	Valid   bool // false: the council has no rate (drawn without a marker)
	England float64
	// The councils' range that year.
	Min, Q1, Q3, Max float64
	Verdict          SpineVerdict
}

// Spine is an area-profile "spine chart" in the style of the Office for
// Health Improvement and Disparities' Fingertips profiles: one row per
// measure with its name, year, the council's count and rate and England's
// rate, and a bar showing the range of all councils' rates that year
// (light: lowest to highest; dark: the middle half, 25th to 75th
// percentile) scaled so that England's rate is the vertical line in the
// middle and the council further from England reaches the end. The
// council's rate is a circle coloured by its verdict.
type Spine struct {
	Labels Labels
	Area   string // the council, heading its value column
	Rows   []SpineRow
}

var _ Chart = (*Spine)(nil)

// Render implements [Chart].
func (s *Spine) Render(w io.Writer, format string, width, height vg.Length) error {
	return render(s.Draw, w, format, width, height)
}

// Save implements [Chart].
func (s *Spine) Save(path string, width, height vg.Length) error {
	return save(s.Draw, path, width, height)
}

// SpineX returns where v is drawn on a row's bar, from 0 (left end) to 1
// (right end): England at 0.5, and the council rate furthest from
// England's (lo or hi) at an end.
func SpineX(v, england, lo, hi float64) float64 {
	half := math.Max(math.Abs(england-lo), math.Abs(hi-england))
	if !(half > 0) {
		return 0.5
	}
	return 0.5 + (v-england)/(2*half)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Draw draws the complete chart onto c.
func (s *Spine) Draw(c draw.Canvas) error {
	if len(s.Rows) == 0 {
		return errors.New("charts: spine chart has no rows")
	}
	key := "“Expected” is the range of rates England's rate and chance would give a council with " + s.Area + "'s number of children, widened for the usual spread between councils (funnel plot limits, 95%). Higher is not necessarily worse. " +
		"Bars are scaled row by row so England is in the middle and the council furthest from England reaches an end."
	body, err := drawFrame(c, s.Labels, nil, []string{key})
	if err != nil {
		return err
	}
	body = draw.Crop(body, 0, 0, 0, -4) // space below the frame's unit line
	cell := textStyle(sizeBody, false, colText, draw.XLeft, draw.YCenter)
	num := textStyle(sizeBody, false, colText, draw.XRight, draw.YCenter)
	head := textStyle(sizeBody, true, colBlack, draw.XLeft, draw.YBottom)
	headNum := textStyle(sizeBody, true, colBlack, draw.XRight, draw.YBottom)
	rowH := lineHeight(cell) * 1.75
	headH := 2 * lineHeight(head)
	legendH := 2 * rowH
	need := headH + vg.Length(len(s.Rows))*rowH + legendH
	if h := body.Max.Y - body.Min.Y; h < need {
		return &TooSmallError{Height: need - h, What: fmt.Sprintf("%d rows", len(s.Rows))}
	}

	// Columns: name | year | count | council | England | bar.
	width := body.Max.X - body.Min.X
	areaHead := elide(headNum, s.Area, 90)
	colYear := max(cell.Width("2025")+4, headNum.Width("Year"))
	colCount := max(num.Width("100,000")+6, headNum.Width("Count"))
	colValue := max(num.Width("1,000.0")+6, headNum.Width(areaHead)+6)
	colEng := max(num.Width("1,000.0")+6, headNum.Width("England")+6)
	fixed := colYear + colCount + colValue + colEng
	nameW := min(width*0.34, 240)
	barW := width - nameW - fixed - 20
	if barW < 120 {
		return &TooSmallError{Width: 120 - barW, What: "the spine bars"}
	}
	xYear := body.Min.X + nameW + colYear // right edges of numeric columns
	xCount := xYear + colCount
	xValue := xCount + colValue
	xEng := xValue + colEng
	barLo, barHi := xEng+14, body.Max.X-6

	top := body.Max.Y
	yHead := top - headH + 2
	c.FillText(head, vg.Point{X: body.Min.X, Y: yHead}, "Measure (rate per 10,000 children)")
	c.FillText(headNum, vg.Point{X: xYear, Y: yHead}, "Year")
	c.FillText(headNum, vg.Point{X: xCount, Y: yHead}, "Count")
	c.FillText(headNum, vg.Point{X: xValue, Y: yHead}, areaHead)
	c.FillText(headNum, vg.Point{X: xEng, Y: yHead}, "England")
	small := textStyle(sizeBody, false, colSubtle, draw.XLeft, draw.YBottom)
	c.FillText(small, vg.Point{X: barLo, Y: yHead}, "Lowest")
	c.FillText(textStyle(sizeBody, false, colSubtle, draw.XRight, draw.YBottom), vg.Point{X: barHi, Y: yHead}, "Highest")
	c.FillText(textStyle(sizeBody, false, colSubtle, draw.XCenter, draw.YBottom), vg.Point{X: (barLo + barHi) / 2, Y: yHead}, "England")
	rule := draw.LineStyle{Color: colSubtle, Width: 0.6}
	c.StrokeLine2(rule, body.Min.X, top-headH, body.Max.X, top-headH)

	light := color.RGBA{0xDD, 0xDD, 0xDD, 0xFF}
	dark := color.RGBA{0x9A, 0x9A, 0x9A, 0xFF}
	y := top - headH
	for i, r := range s.Rows {
		mid := y - rowH/2
		if i%2 == 1 {
			c.SetColor(color.RGBA{0xF5, 0xF5, 0xF5, 0xFF})
			c.Fill(vg.Rectangle{Min: vg.Point{X: body.Min.X, Y: y - rowH}, Max: vg.Point{X: body.Max.X, Y: y}}.Path())
		}
		c.FillText(cell, vg.Point{X: body.Min.X, Y: mid}, elide(cell, r.Label, nameW-6))
		c.FillText(num, vg.Point{X: xYear, Y: mid}, r.Period)
		c.FillText(num, vg.Point{X: xCount, Y: mid}, r.Count)
		val := "–"
		if r.Valid && finite(r.Value) {
			val = formatValue("%.1f", r.Value)
		}
		c.FillText(textStyle(sizeBody, true, colBlack, draw.XRight, draw.YCenter), vg.Point{X: xValue, Y: mid}, val)
		eng := "–"
		if finite(r.England) {
			eng = formatValue("%.1f", r.England)
		}
		c.FillText(num, vg.Point{X: xEng, Y: mid}, eng)

		if finite(r.England) && finite(r.Min) && finite(r.Max) && r.Max >= r.Min {
			at := func(v float64) vg.Length {
				f := math.Min(1, math.Max(0, SpineX(v, r.England, r.Min, r.Max)))
				return barLo + vg.Length(f)*(barHi-barLo)
			}
			bh := rowH * 0.5
			box := func(a, b float64, clr color.Color) {
				c.SetColor(clr)
				c.Fill(vg.Rectangle{Min: vg.Point{X: at(a), Y: mid - bh/2}, Max: vg.Point{X: at(b), Y: mid + bh/2}}.Path())
			}
			box(r.Min, r.Max, light)
			if finite(r.Q1) && finite(r.Q3) {
				box(r.Q1, r.Q3, dark)
			}
			xe := at(r.England)
			c.StrokeLine2(draw.LineStyle{Color: colBlack, Width: 1.4}, xe, mid-rowH*0.42, xe, mid+rowH*0.42)
			if r.Valid && finite(r.Value) {
				pt := vg.Point{X: at(r.Value), Y: mid}
				rad := rowH * 0.26
				c.DrawGlyph(draw.GlyphStyle{Color: spineColours[r.Verdict], Radius: rad, Shape: draw.CircleGlyph{}}, pt)
				c.DrawGlyph(draw.GlyphStyle{Color: colBlack, Radius: rad, Shape: draw.RingGlyph{}}, pt)
			}
		}
		y -= rowH
	}
	c.StrokeLine2(rule, body.Min.X, y, body.Max.X, y)

	// Legend: the marker colours, then the bar's shades and England.
	rad := rowH * 0.26
	lx, ly := body.Min.X, y-rowH*0.8
	for _, v := range []SpineVerdict{SpineHigher, SpineSimilar, SpineLower, SpineNotCompared} {
		pt := vg.Point{X: lx + rad, Y: ly}
		c.DrawGlyph(draw.GlyphStyle{Color: spineColours[v], Radius: rad, Shape: draw.CircleGlyph{}}, pt)
		c.DrawGlyph(draw.GlyphStyle{Color: colBlack, Radius: rad, Shape: draw.RingGlyph{}}, pt)
		txt := upperFirst(v.String())
		c.FillText(cell, vg.Point{X: lx + 2*rad + 4, Y: ly}, txt)
		lx += 2*rad + 4 + cell.Width(txt) + 14
	}
	ly -= rowH * 0.9
	lx = body.Min.X
	bh := rowH * 0.5
	for _, k := range []struct {
		clr color.Color
		txt string
	}{{light, "All councils, lowest to highest"}, {dark, "Middle half of councils (25th to 75th percentile)"}} {
		c.SetColor(k.clr)
		c.Fill(vg.Rectangle{Min: vg.Point{X: lx, Y: ly - bh/2}, Max: vg.Point{X: lx + 18, Y: ly + bh/2}}.Path())
		c.FillText(cell, vg.Point{X: lx + 22, Y: ly}, k.txt)
		lx += 22 + cell.Width(k.txt) + 14
	}
	c.StrokeLine2(draw.LineStyle{Color: colBlack, Width: 1.4}, lx+4, ly-rowH*0.42, lx+4, ly+rowH*0.42)
	c.FillText(cell, vg.Point{X: lx + 10, Y: ly}, "England")
	return nil
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
