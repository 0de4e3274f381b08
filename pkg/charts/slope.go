package charts

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Slope is a two-year slope chart: each series is a line from its value
// in YearA (left) to its value in YearB (right), labelled with its name
// and value at both ends. England is black and thicker. A series without
// a valid value in one of the years gets a dot and a label at the other
// end only, and a note says so.
type Slope struct {
	Labels Labels
	Series []Series
	// YearA and YearB are the two years; 0 means the earliest and latest
	// years in the data.
	YearA, YearB int
	// YearLabel formats the year headings (default: the year).
	YearLabel func(year int) string
	// ValueFormat formats values (default "%.1f").
	ValueFormat string
	// FreeY lets the value scale start above zero.
	FreeY bool
}

var _ Chart = (*Slope)(nil)

// Render implements [Chart].
func (s *Slope) Render(w io.Writer, format string, width, height vg.Length) error {
	return render(s.Draw, w, format, width, height)
}

// Save implements [Chart].
func (s *Slope) Save(path string, width, height vg.Length) error {
	return save(s.Draw, path, width, height)
}

// Years returns the two years compared.
func (s *Slope) Years() (int, int) {
	a, b := s.YearA, s.YearB
	lo, hi := yearRange(s.Series)
	if a == 0 {
		a = lo
	}
	if b == 0 {
		b = hi
	}
	return a, b
}

// Ends returns the values of series i in the two years and whether each
// is valid.
func (s *Slope) Ends(i int) (a, b float64, okA, okB bool) {
	ya, yb := s.Years()
	a, b = math.NaN(), math.NaN()
	for _, p := range s.Series[i].Points {
		if !usable(p) {
			continue
		}
		if p.Year == ya {
			a, okA = p.Value, true
		}
		if p.Year == yb {
			b, okB = p.Value, true
		}
	}
	return a, b, okA, okB
}

type slopeLabel struct {
	text  string
	value float64
	sty   text.Style
}

// Draw draws the complete chart onto c.
func (s *Slope) Draw(c draw.Canvas) error {
	if len(s.Series) == 0 {
		return errors.New("charts: slope chart has no series")
	}
	ya, yb := s.Years()
	if ya >= yb {
		return fmt.Errorf("charts: slope chart needs two different years (got %d and %d)", ya, yb)
	}
	yl := s.YearLabel
	if yl == nil {
		yl = strconv.Itoa
	}
	sty := styles(s.Series)
	var left, right []slopeLabel
	var missing []string
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for i, ser := range s.Series {
		a, b, okA, okB := s.Ends(i)
		st := textStyle(sizeBody, sty[i].bold, darken(sty[i].color), draw.XRight, draw.YCenter)
		if okA {
			left = append(left, slopeLabel{ser.Name + "  " + formatValue(s.ValueFormat, a), a, st})
			ymin, ymax = math.Min(ymin, a), math.Max(ymax, a)
		}
		if okB {
			st.XAlign = draw.XLeft
			right = append(right, slopeLabel{formatValue(s.ValueFormat, b) + "  " + ser.Name, b, st})
			ymin, ymax = math.Min(ymin, b), math.Max(ymax, b)
		}
		switch {
		case !okA && !okB:
			missing = append(missing, ser.Name+" (both years)")
		case !okA:
			missing = append(missing, ser.Name+" ("+yl(ya)+")")
		case !okB:
			missing = append(missing, ser.Name+" ("+yl(yb)+")")
		}
	}
	if math.IsInf(ymin, 0) {
		return errors.New("charts: slope chart has no valid values")
	}
	var notes []string
	if len(missing) > 0 {
		notes = append(notes, "Suppressed or missing, so no line: "+strings.Join(missing, ", ")+".")
	}
	body, err := drawFrame(c, s.Labels, nil, notes)
	if err != nil {
		return err
	}
	var wl, wr vg.Length
	for _, l := range left {
		wl = max(wl, l.sty.Width(l.text))
	}
	for _, l := range right {
		wr = max(wr, l.sty.Width(l.text))
	}
	wl += 10
	wr += 10
	if wl+wr > (body.Max.X-body.Min.X)*0.8 {
		return errors.New("charts: slope labels too wide for the chart")
	}

	p := newPlot()
	p.HideY()
	p.X.Min, p.X.Max = 0, 1
	p.X.Padding = 0
	p.X.LineStyle.Width = 0
	p.X.Tick.Length = 0
	p.X.Tick.Marker = plot.ConstantTicks{{Value: 0, Label: yl(ya)}, {Value: 1, Label: yl(yb)}}
	p.X.Tick.Label.Font = sansFont(sizeSubtitle, true)
	if !s.FreeY && ymin > 0 {
		ymin = 0
	}
	if ymax == ymin {
		ymax = ymin + 1
	}
	p.Y.Min, p.Y.Max = ymin, ymax
	order := make([]int, len(s.Series))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return sty[order[a]].order < sty[order[b]].order })
	p.Add(layer(func(cv draw.Canvas, plt *plot.Plot) {
		x0, x1 := cv.X(0), cv.X(1)
		ypos := func(v float64) vg.Length { return cv.Y(plt.Y.Norm(v)) }
		// vertical guides at the two years
		g := draw.LineStyle{Color: colGrid, Width: 0.8}
		cv.StrokeLine2(g, x0, cv.Min.Y, x0, cv.Max.Y)
		cv.StrokeLine2(g, x1, cv.Min.Y, x1, cv.Max.Y)
		for _, i := range order {
			a, b, okA, okB := s.Ends(i)
			st := sty[i]
			dot := draw.GlyphStyle{Color: st.color, Radius: max(st.line.Width, 1.5), Shape: draw.CircleGlyph{}}
			if okA && okB {
				cv.StrokeLines(st.line, []vg.Point{{X: x0, Y: ypos(a)}, {X: x1, Y: ypos(b)}})
			}
			if okA {
				cv.DrawGlyph(dot, vg.Point{X: x0, Y: ypos(a)})
			}
			if okB {
				cv.DrawGlyph(dot, vg.Point{X: x1, Y: ypos(b)})
			}
		}
		drawSide := func(ls []slopeLabel, x, textX vg.Length) {
			if len(ls) == 0 {
				return
			}
			h := ls[0].sty.Rectangle("Xg").Size().Y
			want := make([]vg.Length, len(ls))
			for i, l := range ls {
				want[i] = ypos(l.value)
			}
			// keep whole labels inside the plot, clear of the year
			// headings below it
			pos := nudge(want, h+1, cv.Min.Y+h/2, cv.Max.Y-h/2)
			for i, l := range ls {
				if math.Abs(float64(pos[i]-want[i])) > 0.5 {
					dir := vg.Length(1)
					if textX < x {
						dir = -1
					}
					cv.StrokeLine2(draw.LineStyle{Color: colWhisker, Width: 0.5}, x+dir*3, want[i], textX-dir*1, pos[i])
				}
				cv.FillText(l.sty, vg.Point{X: textX, Y: pos[i]}, l.text)
			}
		}
		drawSide(left, x0, x0-8)
		drawSide(right, x1, x1+8)
	}))
	p.Draw(draw.Crop(body, wl, -wr, 0, 0))
	return nil
}
