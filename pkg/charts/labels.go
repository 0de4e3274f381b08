package charts

import (
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// nudge spreads label centres so that neighbours are at least gap apart,
// keeping each as close as possible to its wanted position and all within
// [lo, hi]. Labels that overlap are merged into a cluster centred on the
// mean of their wanted positions (the usual "direct labels" approach).
// If the labels cannot fit in [lo, hi] they are spaced evenly from lo at
// the given gap (overlap beyond hi is then unavoidable).
func nudge(want []vg.Length, gap, lo, hi vg.Length) []vg.Length {
	n := len(want)
	out := make([]vg.Length, n)
	if n == 0 {
		return out
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return want[idx[a]] < want[idx[b]] })

	type cluster struct {
		first, n int       // range in idx
		sum      vg.Length // sum of wanted positions
	}
	bottom := func(c cluster) vg.Length {
		b := c.sum/vg.Length(c.n) - vg.Length(c.n-1)*gap/2
		if top := hi - vg.Length(c.n-1)*gap; b > top {
			b = top
		}
		if b < lo {
			b = lo
		}
		return b
	}
	var cs []cluster
	for k, i := range idx {
		cs = append(cs, cluster{first: k, n: 1, sum: want[i]})
		for len(cs) > 1 {
			prev, cur := cs[len(cs)-2], cs[len(cs)-1]
			if bottom(cur) >= bottom(prev)+vg.Length(prev.n)*gap {
				break
			}
			cs = cs[:len(cs)-2]
			cs = append(cs, cluster{first: prev.first, n: prev.n + cur.n, sum: prev.sum + cur.sum})
		}
	}
	for _, c := range cs {
		b := bottom(c)
		for j := 0; j < c.n; j++ {
			out[idx[c.first+j]] = b + vg.Length(j)*gap
		}
	}
	return out
}

// textRect returns the rectangle covered by txt drawn at pt with sty.
func textRect(sty text.Style, pt vg.Point, txt string) vg.Rectangle {
	r := sty.Rectangle(txt)
	return vg.Rectangle{Min: r.Min.Add(pt), Max: r.Max.Add(pt)}
}

func overlaps(a, b vg.Rectangle) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
}

func inside(r, bounds vg.Rectangle) bool {
	return r.Min.X >= bounds.Min.X && r.Max.X <= bounds.Max.X && r.Min.Y >= bounds.Min.Y && r.Max.Y <= bounds.Max.Y
}

// placer places text labels greedily: each label takes the first of its
// candidate positions that lies within bounds and overlaps neither an
// earlier label nor an obstacle.
type placer struct {
	bounds    vg.Rectangle
	occupied  []vg.Rectangle
	obstacles []vg.Rectangle
}

func pad(r vg.Rectangle, d vg.Length) vg.Rectangle {
	return vg.Rectangle{Min: vg.Point{X: r.Min.X - d, Y: r.Min.Y - d}, Max: vg.Point{X: r.Max.X + d, Y: r.Max.Y + d}}
}

// place returns the chosen text anchor (for sty's alignment) among cands,
// and records the label. If no candidate is free it takes the one with
// the least overlap.
func (pl *placer) place(sty text.Style, txt string, cands []vg.Point) vg.Point {
	pt, _ := pl.try(sty, txt, cands, true)
	return pt
}

// try is place, but reports whether the chosen position is free (inside
// the bounds and clear of other labels), and records the label only if it
// is free or force is set.
func (pl *placer) try(sty text.Style, txt string, cands []vg.Point, force bool) (vg.Point, bool) {
	best, bestScore := vg.Point{}, math.Inf(1)
	for i, pt := range cands {
		r := textRect(sty, pt, txt)
		score := 0.0
		if !inside(r, pl.bounds) {
			score += 1e6
		}
		for _, o := range pl.occupied {
			if overlaps(pad(r, 1), o) {
				score += 1e4
			}
		}
		perfect := score == 0
		for _, o := range pl.obstacles {
			if overlaps(r, o) {
				score += 3
				perfect = false
			}
		}
		score += float64(i) * 0.15 // prefer earlier (nearer) candidates
		if score < bestScore {
			best, bestScore = pt, score
		}
		if perfect {
			break
		}
	}
	free := bestScore < 1e4
	if free || force {
		pl.occupied = append(pl.occupied, textRect(sty, best, txt))
	}
	return best, free
}

// clampX keeps a centred label of width w inside [lo, hi].
func clampX(x, w, lo, hi vg.Length) vg.Length {
	if x-w/2 < lo {
		x = lo + w/2
	}
	if x+w/2 > hi {
		x = hi - w/2
	}
	return x
}

// aroundPoint returns candidate anchors (for a left-aligned, vertically
// centred label) to the right, left, above and below pt, moving further
// out step by step.
func aroundPoint(sty text.Style, txt string, pt vg.Point, r vg.Length) []vg.Point {
	w := sty.Width(txt)
	h := sty.Rectangle(txt).Size().Y
	var out []vg.Point
	for step := 0; step < 8; step++ {
		d := r + 2 + vg.Length(step)*h*0.8
		out = append(out,
			vg.Point{X: pt.X + r + 3, Y: pt.Y + vg.Length(step)*h*0.8},
			vg.Point{X: pt.X - r - 3 - w, Y: pt.Y + vg.Length(step)*h*0.8},
			vg.Point{X: pt.X + r + 3, Y: pt.Y - vg.Length(step)*h*0.8},
			vg.Point{X: pt.X - r - 3 - w, Y: pt.Y - vg.Length(step)*h*0.8},
			vg.Point{X: pt.X - w/2, Y: pt.Y + d + h/2},
			vg.Point{X: pt.X - w/2, Y: pt.Y - d - h/2},
		)
	}
	return out
}

// leader draws a thin line from a data point to a displaced label's
// rectangle, if the label is not next to the point.
func leader(c draw.Canvas, from vg.Point, r vg.Rectangle, clr color.Color, dmin vg.Length) {
	// nearest point of r to from
	to := vg.Point{X: clampLen(from.X, r.Min.X, r.Max.X), Y: clampLen(from.Y, r.Min.Y, r.Max.Y)}
	dx, dy := float64(to.X-from.X), float64(to.Y-from.Y)
	if math.Hypot(dx, dy) < float64(dmin) {
		return
	}
	sty := draw.LineStyle{Color: clr, Width: 0.4}
	c.StrokeLine2(sty, from.X, from.Y, to.X, to.Y)
}

// fillTextHalo draws txt over a translucent white box, so a label stays
// readable where it crosses points or lines.
func fillTextHalo(c draw.Canvas, sty text.Style, pt vg.Point, txt string) {
	r := pad(textRect(sty, pt, txt), 1)
	c.SetColor(color.NRGBA{0xFF, 0xFF, 0xFF, 0xA0})
	c.Fill(r.Path())
	c.FillText(sty, pt, txt)
}

func clampLen(v, lo, hi vg.Length) vg.Length {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
