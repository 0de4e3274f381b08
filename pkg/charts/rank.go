package charts

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// RankItem is one council in a [Rank] chart. Lower and Upper are its 95%
// confidence interval (drawn when finite and Lower ≤ Upper).
type RankItem struct {
	Name                string
	Value, Lower, Upper float64
	Valid               bool // false: suppressed or missing, not drawn
	Highlight           bool // coloured and labelled
}

// Rank is a ranked dot plot: every council as a small dot with a thin 95%
// CI whisker, sorted by value from left to right, with England as a
// horizontal reference line. Highlighted councils are coloured and
// labelled; no other council is labelled, so 150 councils stay legible.
type Rank struct {
	Labels Labels
	Items  []RankItem
	// England is the reference value; NaN or ≤ 0 draws no reference line.
	England float64
	// EnglandName labels the reference line (default "England").
	EnglandName string
	// ValueFormat formats values in labels (default "%.1f").
	ValueFormat string
	// FreeY lets the y axis start above zero.
	FreeY bool
}

var _ Chart = (*Rank)(nil)

// Render implements [Chart].
func (r *Rank) Render(w io.Writer, format string, width, height vg.Length) error {
	return render(r.Draw, w, format, width, height)
}

// Save implements [Chart].
func (r *Rank) Save(path string, width, height vg.Length) error {
	return save(r.Draw, path, width, height)
}

// Order returns the valid items in the order drawn, left to right:
// descending by value (rank 1 = the highest rate, as compare ranks), ties by
// name. Item i is drawn at x = i+1.
func (r *Rank) Order() []RankItem {
	var out []RankItem
	for _, it := range r.Items {
		if it.Valid && !math.IsNaN(it.Value) && !math.IsInf(it.Value, 0) {
			out = append(out, it)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Value != out[j].Value {
			return out[i].Value > out[j].Value
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func rankHasCI(it RankItem) bool {
	return !math.IsNaN(it.Lower) && !math.IsNaN(it.Upper) && !math.IsInf(it.Lower, 0) && !math.IsInf(it.Upper, 0) && it.Lower <= it.Upper
}

// Draw draws the complete chart onto c.
func (r *Rank) Draw(c draw.Canvas) error {
	items := r.Order()
	if len(items) == 0 {
		return errors.New("charts: rank chart has no valid items")
	}
	var notes []string
	if k := len(r.Items) - len(items); k > 0 {
		notes = append(notes, fmt.Sprintf("%d %s with suppressed or missing values not shown.", k, plural(k, "council", "councils")))
	}
	body, err := drawFrame(c, r.Labels, nil, notes)
	if err != nil {
		return err
	}
	hasEngland := r.England > 0 && !math.IsInf(r.England, 0)
	engName := r.EnglandName
	if engName == "" {
		engName = "England"
	}

	p := newPlot()
	n := len(items)
	p.X.Min, p.X.Max = 0.5, float64(n)+0.5
	xl := r.Labels.XLabel
	if xl == "" {
		xl = fmt.Sprintf("Councils ranked from the highest rate (1) to the lowest (n = %d)", n)
	}
	p.X.Label.Text = xl
	p.X.Tick.Marker = rankTicks{}
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for _, it := range items {
		ymin, ymax = math.Min(ymin, it.Value), math.Max(ymax, it.Value)
		if rankHasCI(it) {
			ymin, ymax = math.Min(ymin, it.Lower), math.Max(ymax, it.Upper)
		}
	}
	if hasEngland {
		ymin, ymax = math.Min(ymin, r.England), math.Max(ymax, r.England)
	}
	if !r.FreeY && ymin > 0 {
		ymin = 0
	}
	if ymax == ymin {
		ymax = ymin + 1
	}
	p.Y.Min, p.Y.Max = ymin, ymax+(ymax-ymin)*0.04
	p.Add(hgrid())

	// Scale dot size and whisker width with the number of councils.
	dataW := float64(body.Max.X-body.Min.X) - 40
	slot := vg.Length(dataW / float64(n))
	dotR := clampLen(slot*0.35, 0.9, 2.5)
	whiskerW := clampLen(slot*0.25, 0.4, 1.2)

	p.Add(layer(func(cv draw.Canvas, plt *plot.Plot) {
		pl := &placer{bounds: cv.Rectangle}
		xy := func(i int, v float64) vg.Point {
			return vg.Point{X: cv.X(plt.X.Norm(float64(i + 1))), Y: cv.Y(plt.Y.Norm(v))}
		}
		var ey vg.Length
		if hasEngland {
			ey = cv.Y(plt.Y.Norm(r.England))
			cv.StrokeLine2(draw.LineStyle{Color: colBlack, Width: 1.2}, cv.Min.X, ey, cv.Max.X, ey)
		}
		// Background councils first, highlights on top.
		var hl []int
		k := 0
		colour := map[int]int{}
		for i, it := range items {
			if it.Highlight {
				hl = append(hl, i)
				colour[i] = k
				k++
				continue
			}
			pt := xy(i, it.Value)
			if rankHasCI(it) {
				lo, hi := xy(i, it.Lower), xy(i, it.Upper)
				cv.StrokeLine2(draw.LineStyle{Color: colWhisker, Width: whiskerW}, lo.X, lo.Y, hi.X, hi.Y)
			}
			cv.DrawGlyph(draw.GlyphStyle{Color: colPoint, Radius: dotR, Shape: draw.CircleGlyph{}}, pt)
			pl.obstacles = append(pl.obstacles, vg.Rectangle{Min: vg.Point{X: pt.X - dotR, Y: xy(i, lowerOr(it)).Y}, Max: vg.Point{X: pt.X + dotR, Y: xy(i, upperOr(it)).Y}})
		}
		// England label at the right end (the lowest rates), above the line.
		if hasEngland {
			sty := textStyle(sizeBody, true, colBlack, draw.XLeft, draw.YBottom)
			txt := engName + "  " + formatValue(r.ValueFormat, r.England)
			x := cv.Max.X - 2 - sty.Width(txt)
			pt := pl.place(sty, txt, []vg.Point{{X: x, Y: ey + 2}, {X: x, Y: ey - 2 - sty.Height(txt)}})
			fillTextHalo(cv, sty, pt, txt)
			// the label's halo reaches the line: draw that stretch again
			lr := pad(textRect(sty, pt, txt), 1)
			cv.StrokeLine2(draw.LineStyle{Color: colBlack, Width: 1.2}, lr.Min.X, ey, lr.Max.X, ey)
			// keep other labels off the reference line
			pl.occupied = append(pl.occupied, vg.Rectangle{Min: vg.Point{X: cv.Min.X, Y: ey - 1}, Max: vg.Point{X: cv.Max.X, Y: ey + 1}})
		}
		mid := (plt.Y.Min + plt.Y.Max) / 2
		for _, i := range hl {
			it := items[i]
			col := OkabeIto[colour[i]%len(OkabeIto)]
			pt := xy(i, it.Value)
			top, bot := xy(i, upperOr(it)), xy(i, lowerOr(it))
			if rankHasCI(it) {
				cv.StrokeLine2(draw.LineStyle{Color: col, Width: max(whiskerW, 1)}, bot.X, bot.Y, top.X, top.Y)
			}
			cv.DrawGlyph(draw.GlyphStyle{Color: col, Radius: max(dotR*1.6, 2.4), Shape: draw.CircleGlyph{}}, pt)

			sty := textStyle(sizeBody, true, darken(col), draw.XLeft, draw.YBottom)
			txt := it.Name + "  " + formatValue(r.ValueFormat, it.Value)
			w, h := sty.Width(txt), sty.Height(txt)
			x := clampX(pt.X, w, cv.Min.X, cv.Max.X) - w/2
			var cands []vg.Point
			// Straight above or below the whisker first, then shifted
			// sideways, moving further out step by step.
			for step := 0; step < 30; step++ {
				for _, dx := range []vg.Length{0, 0.6, -0.6, 1.2, -1.2} {
					xx := clampX(x+w/2+dx*w, w, cv.Min.X, cv.Max.X) - w/2
					up := vg.Point{X: xx, Y: top.Y + 6 + vg.Length(step)*(h+1)}
					down := vg.Point{X: xx, Y: bot.Y - 6 - h - vg.Length(step)*(h+1)}
					if it.Value > mid { // low space is free for high values
						cands = append(cands, down, up)
					} else {
						cands = append(cands, up, down)
					}
				}
			}
			at := pl.place(sty, txt, cands)
			rect := textRect(sty, at, txt)
			from := top
			if rect.Max.Y < pt.Y {
				from = bot
			}
			leader(cv, from, rect, col, 3)
			fillTextHalo(cv, sty, at, txt)
		}
	}))
	p.Draw(body)
	return nil
}

func lowerOr(it RankItem) float64 {
	if rankHasCI(it) {
		return it.Lower
	}
	return it.Value
}

func upperOr(it RankItem) float64 {
	if rankHasCI(it) {
		return it.Upper
	}
	return it.Value
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// rankTicks labels rank 1 and multiples of a round step.
type rankTicks struct{}

func (rankTicks) Ticks(min, max float64) []plot.Tick {
	n := int(math.Floor(max))
	step := int(niceStep(float64(n) / 6))
	if step < 1 {
		step = 1
	}
	ts := []plot.Tick{{Value: 1, Label: "1"}}
	for v := step; v <= n; v += step {
		if v-1 < step/2 {
			continue
		}
		ts = append(ts, plot.Tick{Value: float64(v), Label: strconv.Itoa(v)})
	}
	return ts
}
