package charts

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Interval selects how a Trend draws the points' Lower/Upper intervals.
type Interval int

// Interval styles.
const (
	NoIntervals   Interval = iota
	IntervalBands          // translucent band around each line segment
	IntervalBars           // error bars at each point
)

// Trend is a line chart of one measure over years: one line per series.
// England is black and thicker, regions dashed, councils in Okabe-Ito
// colours, neighbours light grey underneath. Lines are labelled at their
// last valid point (no legend box); labels are nudged apart. Invalid
// points and missing years break the line (see [Segments]).
type Trend struct {
	Labels Labels
	Series []Series
	// Intervals draws the points' confidence intervals (not for
	// neighbours).
	Intervals Interval
	// FreeY lets the y axis start above zero; by default it starts at 0.
	FreeY bool
	// ValueFormat formats the last value in line labels (default "%.1f").
	ValueFormat string
	// YearLabel formats x tick labels, e.g. 2024 → "2023-24"
	// (default: the year).
	YearLabel func(year int) string
	// LabelNeighbours labels each neighbour line; by default the
	// neighbours share one grey "Statistical neighbours" label.
	LabelNeighbours bool

	// maxYearLabels caps the labelled years (set by SmallMultiples for
	// narrow panels).
	maxYearLabels int
}

var _ Chart = (*Trend)(nil)

// Render implements [Chart].
func (t *Trend) Render(w io.Writer, format string, width, height vg.Length) error {
	return render(t.Draw, w, format, width, height)
}

// Save implements [Chart].
func (t *Trend) Save(path string, width, height vg.Length) error {
	return save(t.Draw, path, width, height)
}

// Segments returns the polylines drawn for s, in data coordinates
// (X = year, Y = value): points sorted by year, split wherever a point is
// invalid or non-finite, or a year is missing from the sequence. A
// segment of one point is drawn as a dot. The chart draws exactly these
// segments, so a suppressed year splits a line into two segments and
// nothing is drawn across it.
func Segments(s Series) [][]plotter.XY {
	pts := append([]Point(nil), s.Points...)
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].Year < pts[j].Year })
	var out [][]plotter.XY
	var cur []plotter.XY
	lastYear := math.MinInt
	flush := func() {
		if len(cur) > 0 {
			out = append(out, cur)
		}
		cur = nil
	}
	for _, p := range pts {
		if !usable(p) {
			flush()
			lastYear = p.Year
			continue
		}
		if len(cur) > 0 && p.Year != lastYear+1 {
			flush()
		}
		cur = append(cur, plotter.XY{X: float64(p.Year), Y: p.Value})
		lastYear = p.Year
	}
	flush()
	return out
}

func usable(p Point) bool {
	return p.Valid && !math.IsNaN(p.Value) && !math.IsInf(p.Value, 0)
}

func hasInterval(p Point) bool {
	return usable(p) && !math.IsNaN(p.Lower) && !math.IsNaN(p.Upper) &&
		!math.IsInf(p.Lower, 0) && !math.IsInf(p.Upper, 0) && p.Lower <= p.Upper
}

// seriesStyle is how one series is drawn.
type seriesStyle struct {
	line  draw.LineStyle
	color color.Color
	bold  bool
	order int // drawing order: lower first
}

// styles assigns a style to each series by role.
func styles(ss []Series) []seriesStyle {
	out := make([]seriesStyle, len(ss))
	k := 0
	defer func() {
		for i, s := range ss {
			if s.Colour != nil {
				out[i].color = s.Colour
				out[i].line.Color = s.Colour
			}
		}
	}()
	for i, s := range ss {
		switch s.Role {
		case England:
			out[i] = seriesStyle{line: draw.LineStyle{Color: colBlack, Width: 2.2}, color: colBlack, bold: true, order: 3}
		case Region:
			out[i] = seriesStyle{line: draw.LineStyle{Color: colRegion, Width: 1.4, Dashes: []vg.Length{4, 2.5}}, color: colRegion, order: 1}
		case Neighbour:
			out[i] = seriesStyle{line: draw.LineStyle{Color: colNeighbour, Width: 0.9}, color: colNeighbour, order: 0}
		default:
			c := OkabeIto[k%len(OkabeIto)]
			k++
			out[i] = seriesStyle{line: draw.LineStyle{Color: c, Width: 1.6}, color: c, order: 2}
		}
	}
	return out
}

// yearTicks labels every step-th year counting back from the last year
// (so the latest year is always labelled), with minor ticks on the rest.
// maxLabels (0: no limit) caps how many years are labelled, for narrow
// panels.
func yearTicks(label func(int) string, bare bool, maxLabels int) plot.Ticker {
	return plot.TickerFunc(func(min, max float64) []plot.Tick {
		lo, hi := int(math.Ceil(min-1e-9)), int(math.Floor(max+1e-9))
		span := hi - lo
		step := 1
		switch {
		case span > 30:
			step = 10
		case span > 14:
			step = 5
		case span > 7:
			step = 2
		}
		for _, wider := range []int{2, 3, 4, 5, 10, 20} {
			if maxLabels <= 0 || span/step+1 <= maxLabels {
				break
			}
			if wider > step {
				step = wider
			}
		}
		var ts []plot.Tick
		for y := lo; y <= hi; y++ {
			t := plot.Tick{Value: float64(y)}
			if (hi-y)%step == 0 && !bare {
				if label != nil {
					t.Label = label(y)
				} else {
					t.Label = strconv.Itoa(y)
				}
			}
			ts = append(ts, t)
		}
		return ts
	})
}

// endLabel is a label at the end of a line.
type endLabel struct {
	text  string
	year  float64 // x of the point labelled
	value float64
	color color.Color
	bold  bool
}

func (l endLabel) style() text.Style {
	return textStyle(sizeBody, l.bold, l.color, draw.XLeft, draw.YCenter)
}

// endLabels returns the labels for the ends of the lines. Labels sit at
// the right edge, so a line that ends before the chart's last year
// (lastYear) says which year its value is from: "98.0 (2024)". A name
// wider than maxWidth (0: no limit) is shortened with an ellipsis.
func (t *Trend) endLabels(sty []seriesStyle, lastYear int, maxWidth vg.Length) []endLabel {
	var out []endLabel
	var nbVals []float64
	var nbYear float64
	for i, s := range t.Series {
		segs := Segments(s)
		if len(segs) == 0 {
			continue
		}
		last := segs[len(segs)-1]
		end := last[len(last)-1]
		if s.Role == Neighbour && !t.LabelNeighbours {
			nbVals = append(nbVals, end.Y)
			nbYear = math.Max(nbYear, end.X)
			continue
		}
		value := formatValue(t.ValueFormat, end.Y)
		if int(end.X) < lastYear {
			value += " (" + yearText(t.YearLabel, int(end.X)) + ")"
		}
		name := s.Name
		if maxWidth > 0 {
			lsty := textStyle(sizeBody, sty[i].bold, colBlack, draw.XLeft, draw.YCenter)
			name = elide(lsty, name, maxWidth-lsty.Width("  "+value))
		}
		out = append(out, endLabel{
			text:  name + "  " + value,
			year:  end.X,
			value: end.Y,
			color: darken(sty[i].color),
			bold:  sty[i].bold,
		})
	}
	if len(nbVals) > 0 {
		sort.Float64s(nbVals)
		name := "Statistical neighbours"
		if len(nbVals) == 1 {
			name = "Statistical neighbour"
		}
		out = append(out, endLabel{text: name, year: nbYear, value: nbVals[len(nbVals)/2], color: colSubtle})
	}
	return out
}

// darken returns a slightly darker colour for text, so light palette
// colours stay readable as 9 pt text.
func darken(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	f := func(v uint32) uint8 { return uint8(float64(v>>8) * 0.85) }
	if c == colNeighbour {
		return colSubtle
	}
	return color.RGBA{f(r), f(g), f(b), 0xFF}
}

// yearText labels a year as the x axis does.
func yearText(label func(int) string, y int) string {
	if label != nil {
		return label(y)
	}
	return strconv.Itoa(y)
}

// elide shortens s with a trailing ellipsis to fit width (at least one
// character is kept).
func elide(sty text.Style, s string, width vg.Length) string {
	if sty.Width(s) <= width {
		return s
	}
	r := []rune(s)
	for n := len(r) - 1; n > 1; n-- {
		t := strings.TrimRight(string(r[:n]), " ,-") + "…"
		if sty.Width(t) <= width {
			return t
		}
	}
	return string(r[:1]) + "…"
}

func (t *Trend) labelWidth(labels []endLabel) vg.Length {
	var w vg.Length
	for _, l := range labels {
		w = max(w, l.style().Width(l.text))
	}
	return w + 10
}

func (t *Trend) validate() error {
	if len(t.Series) == 0 {
		return errors.New("charts: trend has no series")
	}
	for _, s := range t.Series {
		if len(Segments(s)) > 0 {
			return nil
		}
	}
	return errors.New("charts: trend has no valid points")
}

// yearRange returns the smallest and largest year of any point.
func yearRange(ss []Series) (int, int) {
	lo, hi := math.MaxInt, math.MinInt
	for _, s := range ss {
		for _, p := range s.Points {
			lo, hi = min(lo, p.Year), max(hi, p.Year)
		}
	}
	return lo, hi
}

// buildPlot returns the plot body for the trend with the given x range,
// and the width needed to the right for the line labels.
// maxLabel (0: no limit) caps the width of the line labels.
func (t *Trend) buildPlot(xmin, xmax int, bareX bool, maxLabel vg.Length) (*plot.Plot, vg.Length, error) {
	sty := styles(t.Series)
	p := newPlot()
	p.X.Min, p.X.Max = float64(xmin), float64(xmax)
	if xmin == xmax {
		p.X.Min, p.X.Max = float64(xmin)-0.5, float64(xmax)+0.5
	}
	p.X.Tick.Marker = yearTicks(t.YearLabel, bareX, t.maxYearLabels)
	if !bareX {
		p.X.Label.Text = t.Labels.XLabel
	}

	// y range
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for _, s := range t.Series {
		for _, pt := range s.Points {
			if !usable(pt) {
				continue
			}
			ymin, ymax = math.Min(ymin, pt.Value), math.Max(ymax, pt.Value)
			if t.Intervals != NoIntervals && s.Role != Neighbour && hasInterval(pt) {
				ymin, ymax = math.Min(ymin, pt.Lower), math.Max(ymax, pt.Upper)
			}
		}
	}
	if math.IsInf(ymin, 0) {
		return nil, 0, errors.New("charts: trend has no valid points")
	}
	if !t.FreeY && ymin > 0 {
		ymin = 0
	}
	if ymax == ymin {
		ymax = ymin + 1
	}
	p.Y.Min, p.Y.Max = ymin, ymax+(ymax-ymin)*0.04
	if t.FreeY {
		p.Y.Min = ymin - (ymax-ymin)*0.04
	}
	p.Add(hgrid())

	// Drawing order: neighbours, intervals, regions, councils, England.
	order := make([]int, len(t.Series))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return sty[order[a]].order < sty[order[b]].order })

	if t.Intervals == IntervalBands {
		for _, i := range order {
			if t.Series[i].Role == Neighbour {
				continue
			}
			for _, poly := range intervalPolygons(t.Series[i]) {
				pg, err := plotter.NewPolygon(poly)
				if err != nil {
					return nil, 0, err
				}
				pg.Color = withAlpha(sty[i].color, 0x30)
				pg.LineStyle.Width = 0
				p.Add(pg)
			}
		}
	}
	for _, i := range order {
		s := t.Series[i]
		st := sty[i]
		if t.Intervals == IntervalBars && s.Role != Neighbour {
			p.Add(errorBars(s, st.color))
		}
		for _, seg := range Segments(s) {
			if len(seg) == 1 {
				sc, err := plotter.NewScatter(plotter.XYs(seg))
				if err != nil {
					return nil, 0, err
				}
				// an isolated year: a dot clearly larger than the line
				// is wide, so it is not missed
				sc.GlyphStyle = draw.GlyphStyle{Color: st.color, Radius: max(st.line.Width*1.4, 2.2), Shape: draw.CircleGlyph{}}
				p.Add(sc)
				continue
			}
			ln, err := plotter.NewLine(plotter.XYs(seg))
			if err != nil {
				return nil, 0, err
			}
			ln.LineStyle = st.line
			p.Add(ln)
		}
	}

	labels := t.endLabels(sty, xmax, maxLabel)
	p.Add(layer(func(c draw.Canvas, plt *plot.Plot) {
		if len(labels) == 0 {
			return
		}
		h := labels[0].style().Rectangle("Xg").Size().Y
		want := make([]vg.Length, len(labels))
		for i, l := range labels {
			want[i] = c.Y(plt.Y.Norm(l.value))
		}
		pos := nudge(want, h+1, c.Min.Y+h/2, c.Max.Y)
		xText := c.Max.X + 6
		for i, l := range labels {
			xEnd := c.X(plt.X.Norm(l.year))
			if math.Abs(float64(pos[i]-want[i])) > 0.5 || xEnd < c.Max.X-1 {
				c.StrokeLine2(draw.LineStyle{Color: colWhisker, Width: 0.5}, xEnd+2, want[i], xText-2, pos[i])
			}
			c.FillText(l.style(), vg.Point{X: xText, Y: pos[i]}, l.text)
		}
	}))
	return p, t.labelWidth(labels), nil
}

// intervalPolygons returns one band polygon per run of consecutive points
// that have intervals.
func intervalPolygons(s Series) []plotter.XYs {
	pts := append([]Point(nil), s.Points...)
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].Year < pts[j].Year })
	var out []plotter.XYs
	var run []Point
	flush := func() {
		if len(run) >= 2 {
			var poly plotter.XYs
			for _, p := range run {
				poly = append(poly, plotter.XY{X: float64(p.Year), Y: p.Upper})
			}
			for i := len(run) - 1; i >= 0; i-- {
				poly = append(poly, plotter.XY{X: float64(run[i].Year), Y: run[i].Lower})
			}
			out = append(out, poly)
		}
		run = nil
	}
	for _, p := range pts {
		if !hasInterval(p) || (len(run) > 0 && p.Year != run[len(run)-1].Year+1) {
			flush()
		}
		if hasInterval(p) {
			run = append(run, p)
		}
	}
	flush()
	return out
}

func errorBars(s Series, c color.Color) plot.Plotter {
	return layer(func(cv draw.Canvas, plt *plot.Plot) {
		sty := draw.LineStyle{Color: c, Width: 0.8}
		for _, p := range s.Points {
			if !hasInterval(p) {
				continue
			}
			x := cv.X(plt.X.Norm(float64(p.Year)))
			y0, y1 := cv.Y(plt.Y.Norm(p.Lower)), cv.Y(plt.Y.Norm(p.Upper))
			cv.StrokeLine2(sty, x, y0, x, y1)
			cv.StrokeLine2(sty, x-2, y0, x+2, y0)
			cv.StrokeLine2(sty, x-2, y1, x+2, y1)
		}
	})
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	// premultiplied
	f := func(v uint32) uint8 { return uint8(float64(v>>8) * float64(a) / 255) }
	return color.RGBA{f(r), f(g), f(b), a}
}

// Draw draws the complete chart onto c.
func (t *Trend) Draw(c draw.Canvas) error {
	if err := t.validate(); err != nil {
		return err
	}
	lo, hi := yearRange(t.Series)
	body, err := drawFrame(c, t.Labels, nil, nil)
	if err != nil {
		return err
	}
	p, right, err := t.buildPlot(lo, hi, false, (body.Max.X-body.Min.X)*0.4)
	if err != nil {
		return err
	}
	p.Draw(draw.Crop(body, 0, -right, 0, 0))
	return nil
}

// SmallMultiples stacks several Trend panels (one per measure) sharing
// the x axis; only the bottom panel has year labels. Each panel's
// Labels.Title (and YLabel, in brackets) titles the panel; the chart's own
// Labels supply the title, subtitle, notes and source.
//
// Columns (default 1) lays the panels out in a grid, row by row; the
// canvas must leave each panel at least 56 pt of height, or it is
// enlarged (see [FitSize]).
type SmallMultiples struct {
	Labels  Labels
	Panels  []Trend
	Columns int
}

var _ Chart = (*SmallMultiples)(nil)

// Render implements [Chart].
func (m *SmallMultiples) Render(w io.Writer, format string, width, height vg.Length) error {
	return render(m.Draw, w, format, width, height)
}

// Save implements [Chart].
func (m *SmallMultiples) Save(path string, width, height vg.Length) error {
	return save(m.Draw, path, width, height)
}

// Draw draws the complete chart onto c.
func (m *SmallMultiples) Draw(c draw.Canvas) error {
	if len(m.Panels) == 0 {
		return errors.New("charts: small multiples has no panels")
	}
	lo, hi := math.MaxInt, math.MinInt
	for i := range m.Panels {
		if err := m.Panels[i].validate(); err != nil {
			return fmt.Errorf("panel %d (%s): %w", i+1, m.Panels[i].Labels.Title, err)
		}
		l, h := yearRange(m.Panels[i].Series)
		lo, hi = min(lo, l), max(hi, h)
	}
	body, err := drawFrame(c, m.Labels, nil, nil)
	if err != nil {
		return err
	}
	n := len(m.Panels)
	cols := min(max(m.Columns, 1), n)
	rows := (n + cols - 1) / cols
	const padY, padX = 6, 14
	panelH := (body.Max.Y - body.Min.Y - vg.Length(rows-1)*padY) / vg.Length(rows)
	if panelH < minPanel {
		return &TooSmallError{Height: (minPanel-panelH)*vg.Length(rows) + 1, What: fmt.Sprintf("%d panels", n)}
	}
	panelW := (body.Max.X - body.Min.X - vg.Length(cols-1)*padX) / vg.Length(cols)
	plots := make([][]*plot.Plot, rows)
	for r := range plots {
		plots[r] = make([]*plot.Plot, cols)
	}
	var right vg.Length
	var titles []string
	for i := range m.Panels {
		pn := &m.Panels[i]
		r, k := i/cols, i%cols
		bottom := i+cols >= n                         // nothing below it in its column
		pn.maxYearLabels = max(2, int(panelW*0.6/32)) // a label is about 25 pt wide
		p, w, err := pn.buildPlot(lo, hi, !bottom, panelW*0.45)
		if err != nil {
			return err
		}
		if bottom && p.X.Label.Text == "" {
			p.X.Label.Text = m.Labels.XLabel
		}
		title := pn.Labels.Title
		if pn.Labels.YLabel != "" {
			title += " (" + pn.Labels.YLabel + ")"
		}
		tsty := textStyle(sizeBody+0.5, true, colBlack, draw.XLeft, draw.YTop)
		titles = append(titles, title)
		p.Title.Text = " " // reserves the title's height; drawn below, left-aligned
		switch {
		case panelH < 70:
			p.Y.Tick.Marker = niceTicks{n: 2} // very short panels: two labels, not touching
		case panelH < 110:
			p.Y.Tick.Marker = niceTicks{n: 3} // short panels: fewer y ticks
		}
		p.Title.TextStyle = tsty
		plots[r][k] = p
		right = max(right, w)
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadY: padY, PadX: padX + right}
	cs := plot.Align(plots, tiles, draw.Crop(body, 0, -right, 0, 0))
	for r := range plots {
		for k := range plots[r] {
			if plots[r][k] != nil {
				plots[r][k].Draw(cs[r][k])
			}
		}
	}
	// Panel titles run left-aligned from the panel's left edge over its
	// plot and line labels, shortened if they would reach the next panel.
	tsty := textStyle(sizeBody+0.5, true, colBlack, draw.XLeft, draw.YTop)
	for i, title := range titles {
		cv := cs[i/cols][i%cols]
		w := cv.Max.X - cv.Min.X + right
		c.FillText(tsty, vg.Point{X: cv.Min.X, Y: cv.Max.Y}, elide(tsty, title, w))
	}
	return nil
}
