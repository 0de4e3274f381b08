package charts

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"sort"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// MapArea is one council on a [Choropleth]: its outline as polygons in
// planar coordinates (x east, y north, any unit: metres on the British
// National Grid, or hex units), and its value.
type MapArea struct {
	Code, Name string
	// Polygons are outer rings of (x, y) points. Holes are not cut:
	// areas are drawn largest first, so an enclave is painted over its
	// surrounding area.
	Polygons [][][2]float64
	Value    float64
	// Valid == false: no figure (suppressed or missing); drawn hatched.
	Valid     bool
	Highlight bool // outlined in black and labelled
	// Inset areas are also drawn, enlarged, in the inset panel.
	Inset bool
	// Group, when set, outlines the areas sharing it together on the main
	// map and names the group (London's boroughs on a hex map, where the
	// capital is otherwise hard to find). Edges are matched by their
	// corners, so only shapes with shared corners (hexes) outline cleanly.
	Group string
}

// Choropleth is a map of councils coloured by classes of their values,
// with a legend stating the classes, the number of councils in each and
// England's value; councils without a figure are hatched. Optionally an
// inset panel enlarges some areas (London's boroughs).
type Choropleth struct {
	Labels Labels
	Areas  []MapArea
	// Breaks are the class boundaries, ascending: class 0 is values below
	// Breaks[0], class i values from Breaks[i-1] up to (not including)
	// Breaks[i], the last class values from the last break up.
	Breaks []float64
	// England is the reference value stated in the legend (NaN: none).
	England float64
	// ValueFormat formats values (default "%.1f").
	ValueFormat string
	// InsetTitle titles the inset panel; no inset without Inset areas.
	InsetTitle string
	// LegendTitle heads the legend (e.g. "Rate per 10,000").
	LegendTitle string
}

var _ Chart = (*Choropleth)(nil)

// MapColours are the fill colours by number of classes: ColorBrewer's
// sequential YlGnBu schemes (Brewer, Harrower and Penn State), which
// ColorBrewer marks safe for colour-blind readers and which stay in order
// when printed in grey.
var MapColours = map[int][]color.Color{
	3: {rgb(0xed, 0xf8, 0xb1), rgb(0x7f, 0xcd, 0xbb), rgb(0x2c, 0x7f, 0xb8)},
	4: {rgb(0xff, 0xff, 0xcc), rgb(0xa1, 0xda, 0xb4), rgb(0x41, 0xb6, 0xc4), rgb(0x22, 0x5e, 0xa8)},
	5: {rgb(0xff, 0xff, 0xcc), rgb(0xa1, 0xda, 0xb4), rgb(0x41, 0xb6, 0xc4), rgb(0x2c, 0x7f, 0xb8), rgb(0x25, 0x34, 0x94)},
	6: {rgb(0xff, 0xff, 0xcc), rgb(0xc7, 0xe9, 0xb4), rgb(0x7f, 0xcd, 0xbb), rgb(0x41, 0xb6, 0xc4), rgb(0x2c, 0x7f, 0xb8), rgb(0x25, 0x34, 0x94)},
}

func rgb(r, g, b uint8) color.Color { return color.RGBA{r, g, b, 0xFF} }

var (
	colHatch   = color.RGBA{0x88, 0x88, 0x88, 0xFF}
	colMissing = color.RGBA{0xF4, 0xF4, 0xF4, 0xFF}
	colBorder  = color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}
)

// Render implements [Chart].
func (m *Choropleth) Render(w io.Writer, format string, width, height vg.Length) error {
	return render(m.Draw, w, format, width, height)
}

// Save implements [Chart].
func (m *Choropleth) Save(path string, width, height vg.Length) error {
	return save(m.Draw, path, width, height)
}

// Class returns the class of a value: the number of breaks at or below it.
func (m *Choropleth) Class(v float64) int {
	return sort.Search(len(m.Breaks), func(i int) bool { return m.Breaks[i] > v })
}

// Counts returns the number of valid areas in each class.
func (m *Choropleth) Counts() []int {
	n := make([]int, len(m.Breaks)+1)
	for _, a := range m.Areas {
		if a.Valid {
			n[m.Class(a.Value)]++
		}
	}
	return n
}

func (m *Choropleth) validate() error {
	if len(m.Areas) == 0 {
		return errors.New("charts: map has no areas")
	}
	if _, ok := MapColours[len(m.Breaks)+1]; !ok {
		return fmt.Errorf("charts: map has %d classes; 3 to 6 are supported", len(m.Breaks)+1)
	}
	for i := 1; i < len(m.Breaks); i++ {
		if !(m.Breaks[i] > m.Breaks[i-1]) {
			return fmt.Errorf("charts: map class breaks %v are not increasing", m.Breaks)
		}
	}
	return nil
}

// LegendLines returns the legend's text: one line per class with its
// range and count, then England's value, then the hatched "no figure"
// entry. Tests and the data table use it; Draw draws the same text.
func (m *Choropleth) LegendLines() []string {
	f := func(v float64) string { return formatValue(m.ValueFormat, v) }
	counts := m.Counts()
	var out []string
	k := len(m.Breaks)
	for i := 0; i <= k; i++ {
		var rng string
		switch {
		case i == 0:
			rng = "under " + f(m.Breaks[0])
		case i == k:
			rng = f(m.Breaks[k-1]) + " or more"
		default:
			rng = f(m.Breaks[i-1]) + " to under " + f(m.Breaks[i])
		}
		out = append(out, fmt.Sprintf("%s (%d)", rng, counts[i]))
	}
	return out
}

// englandLine states England's value and class.
func (m *Choropleth) englandLine() string {
	if math.IsNaN(m.England) || math.IsInf(m.England, 0) {
		return ""
	}
	return fmt.Sprintf("England: %s (class %d of %d)", formatValue(m.ValueFormat, m.England), m.Class(m.England)+1, len(m.Breaks)+1)
}

func (m *Choropleth) missing() int {
	n := 0
	for _, a := range m.Areas {
		if !a.Valid {
			n++
		}
	}
	return n
}

// Draw draws the complete map onto c.
func (m *Choropleth) Draw(c draw.Canvas) error {
	if err := m.validate(); err != nil {
		return err
	}
	body, err := drawFrame(c, m.Labels, nil, nil)
	if err != nil {
		return err
	}
	colours := MapColours[len(m.Breaks)+1]
	fill := func(a MapArea) color.Color {
		if !a.Valid {
			return colMissing
		}
		return colours[m.Class(a.Value)]
	}
	var inset []MapArea
	for _, a := range m.Areas {
		if a.Inset {
			inset = append(inset, a)
		}
	}
	// The map takes the left of the body, the legend (and inset) the
	// right column.
	bw := body.Max.X - body.Min.X
	colW := bw * 0.34
	mapRect := vg.Rectangle{Min: body.Min, Max: vg.Point{X: body.Max.X - colW, Y: body.Max.Y}}
	col := vg.Rectangle{Min: vg.Point{X: body.Max.X - colW + 6, Y: body.Min.Y}, Max: body.Max}

	tr := fitAreas(m.Areas, mapRect)
	// On the main map a highlighted London borough gets a thin outline:
	// a thick one would blot out its neighbours; the inset shows it.
	m.drawAreas(c, m.Areas, tr, fill, 0.35, len(inset) > 0)

	m.drawGroups(c, tr)

	// Legend at the bottom of the right column.
	legTop := m.drawLegend(c, col, colours)

	var itr *transform
	if len(inset) > 0 {
		// The inset fills the space above the legend, its title just
		// above its frame.
		titleSty := textStyle(sizeBody, true, colText, draw.XLeft, draw.YBottom)
		ir := vg.Rectangle{Min: vg.Point{X: col.Min.X + 3, Y: legTop + 14}, Max: vg.Point{X: col.Max.X - 3, Y: col.Max.Y - lineHeight(titleSty) - 6}}
		if ir.Max.Y-ir.Min.Y > 40 {
			t := fitAreas(inset, ir)
			itr = &t
			frame := t.box()
			c.FillText(titleSty, vg.Point{X: frame[0].X, Y: frame[2].Y + 3}, m.InsetTitle)
			c.StrokeLines(draw.LineStyle{Color: colSubtle, Width: 0.5}, frame)
			m.drawAreas(c, inset, t, fill, 0.5, false)
			// Mark on the main map what the inset enlarges.
			lo, hi := bounds(inset)
			p0, p1 := tr.at(lo), tr.at(hi)
			c.StrokeLines(draw.LineStyle{Color: colSubtle, Width: 0.5},
				[]vg.Point{{X: p0.X - 1, Y: p0.Y - 1}, {X: p1.X + 1, Y: p0.Y - 1}, {X: p1.X + 1, Y: p1.Y + 1}, {X: p0.X - 1, Y: p1.Y + 1}, {X: p0.X - 1, Y: p0.Y - 1}})
		}
	}
	// Highlighted councils: labelled beside their shape (on the inset for
	// a London borough), with a leader line, so the label hides neither
	// the council nor its colour.
	sty := textStyle(sizeBody, true, colBlack, draw.XLeft, draw.YCenter)
	for _, a := range m.Areas {
		if !a.Highlight {
			continue
		}
		t, bound := tr, mapRect
		if a.Inset && itr != nil {
			t, bound = *itr, col
		}
		lo, hi := bounds([]MapArea{a})
		ctr := t.at([2]float64{(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2})
		pLo, pHi := t.at(lo), t.at(hi)
		txt := a.Name
		if a.Valid {
			txt += ": " + formatValue(m.ValueFormat, a.Value)
		}
		w := sty.Width(txt)
		h := lineHeight(sty)
		clampX := func(x vg.Length) vg.Length {
			return max(bound.Min.X, min(x, bound.Max.X-w))
		}
		// Beside the shape to the right; else above or below it (moved
		// in from the edge); else to the left.
		cands := []vg.Point{
			{X: pHi.X + 10, Y: ctr.Y},
			{X: clampX(ctr.X - w/2), Y: pHi.Y + 8 + h/2},
			{X: clampX(ctr.X - w/2), Y: pLo.Y - 8 - h/2},
			{X: pLo.X - 10 - w, Y: ctr.Y},
		}
		pt := cands[len(cands)-1]
		for _, cand := range cands {
			if cand.X >= bound.Min.X && cand.X+w <= bound.Max.X && cand.Y-h/2 >= bound.Min.Y && cand.Y+h/2 <= bound.Max.Y {
				pt = cand
				break
			}
		}
		if pt.X < c.Min.X+margin {
			pt.X = c.Min.X + margin
		}
		// The leader runs to the nearest point of the label's box.
		end := vg.Point{X: max(pt.X, min(ctr.X, pt.X+w)), Y: max(pt.Y-h/2, min(ctr.Y, pt.Y+h/2))}
		c.StrokeLine2(draw.LineStyle{Color: colBlack, Width: 0.6}, ctr.X, ctr.Y, end.X, end.Y)
		fillTextHalo(c, sty, pt, txt)
	}
	return nil
}

// drawAreas fills and outlines areas, largest first, hatching those with
// no figure; highlighted areas are outlined in black last.
func (m *Choropleth) drawAreas(c draw.Canvas, areas []MapArea, tr transform, fill func(MapArea) color.Color, border vg.Length, thinInset bool) {
	order := make([]int, len(areas))
	size := make([]float64, len(areas))
	for i, a := range areas {
		order[i] = i
		lo, hi := bounds([]MapArea{a})
		size[i] = (hi[0] - lo[0]) * (hi[1] - lo[1])
	}
	sort.SliceStable(order, func(i, j int) bool { return size[order[i]] > size[order[j]] })
	for _, i := range order {
		a := areas[i]
		for _, poly := range a.Polygons {
			pts := tr.points(poly)
			if len(pts) < 3 {
				continue
			}
			c.SetColor(fill(a))
			c.Fill(closedPath(pts))
			if !a.Valid {
				for _, seg := range hatch(pts, 2.2) {
					c.StrokeLine2(draw.LineStyle{Color: colHatch, Width: 0.4}, seg[0].X, seg[0].Y, seg[1].X, seg[1].Y)
				}
			}
			c.StrokeLines(draw.LineStyle{Color: colBorder, Width: border}, append(pts, pts[0]))
		}
	}
	for _, a := range areas {
		if !a.Highlight {
			continue
		}
		w := vg.Length(1.4)
		if thinInset && a.Inset {
			w = 0.5
		}
		for _, poly := range a.Polygons {
			pts := tr.points(poly)
			if len(pts) >= 3 {
				c.StrokeLines(draw.LineStyle{Color: colBlack, Width: w}, append(pts, pts[0]))
			}
		}
	}
}

// drawLegend draws the legend at the bottom of rect and returns its top.
func (m *Choropleth) drawLegend(c draw.Canvas, rect vg.Rectangle, colours []color.Color) vg.Length {
	sty := textStyle(sizeBody, false, colText, draw.XLeft, draw.YCenter)
	bold := textStyle(sizeBody, true, colText, draw.XLeft, draw.YTop)
	lh := lineHeight(sty) + 2.5
	box := vg.Length(9)
	lines := m.LegendLines()
	var extra []string
	if e := m.englandLine(); e != "" {
		extra = append(extra, e)
	}
	nMissing := m.missing()
	rows := len(lines) + 1 // the classes, then "no figure"
	height := vg.Length(rows+len(extra))*lh + lineHeight(bold) + 4
	top := rect.Min.Y + height
	if top > rect.Max.Y {
		top = rect.Max.Y
	}
	x := rect.Min.X
	y := top
	title := m.LegendTitle
	if title == "" {
		title = "Classes (councils)"
	}
	for _, ln := range wrapText(bold, title, rect.Max.X-rect.Min.X) {
		c.FillText(bold, vg.Point{X: x, Y: y}, ln)
		y -= lineHeight(bold)
	}
	y -= 4
	drawBox := func(fillC color.Color, hatched bool) {
		r := vg.Rectangle{Min: vg.Point{X: x, Y: y - lh + 2}, Max: vg.Point{X: x + box*1.6, Y: y - 1}}
		c.SetColor(fillC)
		c.Fill(r.Path())
		if hatched {
			pts := []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}}
			for _, seg := range hatch(pts, 2.2) {
				c.StrokeLine2(draw.LineStyle{Color: colHatch, Width: 0.4}, seg[0].X, seg[0].Y, seg[1].X, seg[1].Y)
			}
		}
		c.StrokeLines(draw.LineStyle{Color: colSubtle, Width: 0.3}, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}, r.Min})
	}
	for i := len(lines) - 1; i >= 0; i-- { // highest class on top
		drawBox(colours[i], false)
		c.FillText(sty, vg.Point{X: x + box*1.6 + 4, Y: y - lh/2}, lines[i])
		y -= lh
	}
	drawBox(colMissing, true)
	c.FillText(sty, vg.Point{X: x + box*1.6 + 4, Y: y - lh/2}, fmt.Sprintf("no figure (%d)", nMissing))
	y -= lh
	for _, e := range extra {
		c.FillText(textStyle(sizeBody, true, colBlack, draw.XLeft, draw.YCenter), vg.Point{X: x, Y: y - lh/2}, e)
		y -= lh
	}
	return top
}

// transform maps plane coordinates onto a canvas rectangle, keeping the
// aspect ratio (one scale for x and y) and centring.
type transform struct {
	scale      float64
	x0, y0     float64 // plane origin
	offX, offY vg.Length
	lo, hi     [2]float64
}

func bounds(areas []MapArea) (lo, hi [2]float64) {
	lo = [2]float64{math.Inf(1), math.Inf(1)}
	hi = [2]float64{math.Inf(-1), math.Inf(-1)}
	for _, a := range areas {
		for _, p := range a.Polygons {
			for _, pt := range p {
				lo[0], lo[1] = math.Min(lo[0], pt[0]), math.Min(lo[1], pt[1])
				hi[0], hi[1] = math.Max(hi[0], pt[0]), math.Max(hi[1], pt[1])
			}
		}
	}
	return lo, hi
}

func fitAreas(areas []MapArea, r vg.Rectangle) transform {
	lo, hi := bounds(areas)
	w, h := hi[0]-lo[0], hi[1]-lo[1]
	if w <= 0 {
		w = 1
	}
	if h <= 0 {
		h = 1
	}
	rw, rh := float64(r.Max.X-r.Min.X), float64(r.Max.Y-r.Min.Y)
	s := math.Min(rw/w, rh/h)
	t := transform{scale: s, x0: lo[0], y0: lo[1], lo: lo, hi: hi}
	t.offX = r.Min.X + vg.Length((rw-w*s)/2)
	t.offY = r.Min.Y + vg.Length((rh-h*s)/2)
	return t
}

func (t transform) at(p [2]float64) vg.Point {
	return vg.Point{X: t.offX + vg.Length((p[0]-t.x0)*t.scale), Y: t.offY + vg.Length((p[1]-t.y0)*t.scale)}
}

func (t transform) points(ring [][2]float64) []vg.Point {
	out := make([]vg.Point, 0, len(ring))
	for _, p := range ring {
		q := t.at(p)
		// Drop points that land on the previous one: a generalised
		// boundary at map scale has many.
		if n := len(out); n > 0 && math.Abs(float64(out[n-1].X-q.X)) < 0.05 && math.Abs(float64(out[n-1].Y-q.Y)) < 0.05 {
			continue
		}
		out = append(out, q)
	}
	if n := len(out); n > 1 && out[0] == out[n-1] {
		out = out[:n-1]
	}
	return out
}

// box is the rectangle the transform draws into (with a small margin).
func (t transform) box() []vg.Point {
	a := t.at(t.lo)
	b := t.at(t.hi)
	a.X, a.Y, b.X, b.Y = a.X-3, a.Y-3, b.X+3, b.Y+3
	return []vg.Point{a, {X: b.X, Y: a.Y}, b, {X: a.X, Y: b.Y}, a}
}

func closedPath(pts []vg.Point) vg.Path {
	var p vg.Path
	p.Move(pts[0])
	for _, q := range pts[1:] {
		p.Line(q)
	}
	p.Close()
	return p
}

// hatch returns the segments of 45° lines, spacing apart, that lie inside
// the polygon (even-odd rule): for each line x - y = k, the crossings with
// the polygon's edges, sorted along the line and paired.
func hatch(pts []vg.Point, spacing vg.Length) [][2]vg.Point {
	if len(pts) < 3 {
		return nil
	}
	kmin, kmax := math.Inf(1), math.Inf(-1)
	for _, p := range pts {
		k := float64(p.X - p.Y)
		kmin, kmax = math.Min(kmin, k), math.Max(kmax, k)
	}
	sp := float64(spacing)
	var out [][2]vg.Point
	for k := math.Floor(kmin/sp)*sp + sp/2; k < kmax; k += sp {
		var cross []vg.Point
		for i := range pts {
			a, b := pts[i], pts[(i+1)%len(pts)]
			fa, fb := float64(a.X-a.Y)-k, float64(b.X-b.Y)-k
			if (fa < 0) == (fb < 0) {
				continue
			}
			t := fa / (fa - fb)
			cross = append(cross, vg.Point{X: a.X + vg.Length(t)*(b.X-a.X), Y: a.Y + vg.Length(t)*(b.Y-a.Y)})
		}
		sort.Slice(cross, func(i, j int) bool { return cross[i].X+cross[i].Y < cross[j].X+cross[j].Y })
		for i := 0; i+1 < len(cross); i += 2 {
			out = append(out, [2]vg.Point{cross[i], cross[i+1]})
		}
	}
	return out
}

// drawGroups outlines each Group of areas (the edges not shared by two of
// its areas) and writes its name above it.
func (m *Choropleth) drawGroups(c draw.Canvas, tr transform) {
	type edge struct{ a, b [2]int64 }
	key := func(p vg.Point) [2]int64 {
		return [2]int64{int64(math.Round(float64(p.X) * 10)), int64(math.Round(float64(p.Y) * 10))}
	}
	groups := map[string][]MapArea{}
	var names []string
	for _, a := range m.Areas {
		if a.Group == "" {
			continue
		}
		if _, ok := groups[a.Group]; !ok {
			names = append(names, a.Group)
		}
		groups[a.Group] = append(groups[a.Group], a)
	}
	sort.Strings(names)
	for _, g := range names {
		count := map[edge]int{}
		seg := map[edge][2]vg.Point{}
		var order []edge // drawing order: as met, so output is deterministic
		for _, a := range groups[g] {
			for _, poly := range a.Polygons {
				pts := tr.points(poly)
				for i := range pts {
					p, q := pts[i], pts[(i+1)%len(pts)]
					kp, kq := key(p), key(q)
					if kq[0] < kp[0] || (kq[0] == kp[0] && kq[1] < kp[1]) {
						kp, kq = kq, kp
					}
					e := edge{kp, kq}
					if count[e] == 0 {
						order = append(order, e)
					}
					count[e]++
					seg[e] = [2]vg.Point{p, q}
				}
			}
		}
		sty := draw.LineStyle{Color: colText, Width: 1.3}
		for _, e := range order {
			if count[e] == 1 {
				s := seg[e]
				c.StrokeLine2(sty, s[0].X, s[0].Y, s[1].X, s[1].Y)
			}
		}
		lo, hi := bounds(groups[g])
		top := tr.at([2]float64{(lo[0] + hi[0]) / 2, hi[1]})
		lab := textStyle(sizeBody, true, colText, draw.XCenter, draw.YBottom)
		fillTextHalo(c, lab, vg.Point{X: top.X, Y: top.Y + 2}, g)
	}
}
