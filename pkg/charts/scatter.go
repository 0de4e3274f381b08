package charts

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ScatterPoint is one council in a [Scatter] chart.
type ScatterPoint struct {
	Name      string
	X, Y      float64
	Valid     bool
	Highlight bool // coloured and labelled
}

// Fit is a straight line y = Intercept + Slope·x with the correlation r
// and the number of points n it was fitted to. Band, if not nil, returns
// the 95% confidence band for the fitted mean at x; the chart draws it.
type Fit struct {
	Intercept, Slope float64
	R                float64
	N                int
	Band             func(x float64) (lo, hi float64)
}

// At returns the fitted value at x.
func (f Fit) At(x float64) float64 { return f.Intercept + f.Slope*x }

// OLS fits y = a + b·x by ordinary least squares:
//
//	b = Sxy/Sxx,  a = ȳ − b·x̄,  r = Sxy/sqrt(Sxx·Syy),
//	s² = Σ(y_i − a − b·x_i)²/(n − 2),
//
// and sets Band to the standard 95% confidence band for the mean
//
//	ŷ(x) ± t_{0.975, n−2} · s · sqrt(1/n + (x − x̄)²/Sxx).
//
// It needs at least three points with distinct x values.
func OLS(xs, ys []float64) (Fit, error) {
	if len(xs) != len(ys) {
		return Fit{}, fmt.Errorf("charts: OLS: %d x values but %d y values", len(xs), len(ys))
	}
	n := len(xs)
	if n < 3 {
		return Fit{}, errors.New("charts: OLS needs at least 3 points")
	}
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= float64(n)
	my /= float64(n)
	var sxx, syy, sxy float64
	for i := range xs {
		dx, dy := xs[i]-mx, ys[i]-my
		sxx += dx * dx
		syy += dy * dy
		sxy += dx * dy
	}
	if sxx == 0 {
		return Fit{}, errors.New("charts: OLS: all x values are equal")
	}
	b := sxy / sxx
	a := my - b*mx
	var sse float64
	for i := range xs {
		e := ys[i] - a - b*xs[i]
		sse += e * e
	}
	s := math.Sqrt(sse / float64(n-2))
	r := math.NaN()
	if syy > 0 {
		r = sxy / math.Sqrt(sxx*syy)
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 2)}.Quantile(0.975)
	return Fit{
		Intercept: a, Slope: b, R: r, N: n,
		Band: func(x float64) (float64, float64) {
			y := a + b*x
			h := t * s * math.Sqrt(1/float64(n)+(x-mx)*(x-mx)/sxx)
			return y - h, y + h
		},
	}, nil
}

// Scatter plots councils as points with a least-squares line and its 95%
// confidence band; r and n are added to the subtitle and the most extreme
// points (largest absolute residual from the line) and highlighted points
// are labelled.
type Scatter struct {
	Labels Labels
	Points []ScatterPoint
	// Fit is the line to draw; nil means OLS on the valid points.
	Fit *Fit
	// LabelTop is how many of the most extreme points to label:
	// 0 means 5, a negative number none.
	LabelTop int
	// FromZero starts both axes at zero (when the data are positive).
	FromZero bool
}

var _ Chart = (*Scatter)(nil)

// Render implements [Chart].
func (s *Scatter) Render(w io.Writer, format string, width, height vg.Length) error {
	return render(s.Draw, w, format, width, height)
}

// Save implements [Chart].
func (s *Scatter) Save(path string, width, height vg.Length) error {
	return save(s.Draw, path, width, height)
}

func (s *Scatter) valid() []ScatterPoint {
	var out []ScatterPoint
	for _, p := range s.Points {
		if p.Valid && !math.IsNaN(p.X) && !math.IsNaN(p.Y) && !math.IsInf(p.X, 0) && !math.IsInf(p.Y, 0) {
			out = append(out, p)
		}
	}
	return out
}

// FitLine returns the line drawn: s.Fit, or OLS on the valid points.
func (s *Scatter) FitLine() (Fit, error) {
	if s.Fit != nil {
		return *s.Fit, nil
	}
	var xs, ys []float64
	for _, p := range s.valid() {
		xs = append(xs, p.X)
		ys = append(ys, p.Y)
	}
	return OLS(xs, ys)
}

// Labelled returns the names of the labelled points in the order they are
// placed: highlighted points first, then the LabelTop points with the
// largest absolute residuals, largest first.
func (s *Scatter) Labelled() ([]string, error) {
	fit, err := s.FitLine()
	if err != nil {
		return nil, err
	}
	pts := s.valid()
	var out []string
	var rest []ScatterPoint
	for _, p := range pts {
		if p.Highlight {
			out = append(out, p.Name)
		} else {
			rest = append(rest, p)
		}
	}
	sort.SliceStable(rest, func(i, j int) bool {
		return math.Abs(rest[i].Y-fit.At(rest[i].X)) > math.Abs(rest[j].Y-fit.At(rest[j].X))
	})
	k := s.LabelTop
	if k == 0 {
		k = 5
	}
	for i := 0; i < k && i < len(rest); i++ {
		out = append(out, rest[i].Name)
	}
	return out, nil
}

// Draw draws the complete chart onto c.
func (s *Scatter) Draw(c draw.Canvas) error {
	pts := s.valid()
	if len(pts) == 0 {
		return errors.New("charts: scatter has no valid points")
	}
	fit, err := s.FitLine()
	if err != nil {
		return err
	}
	labelled, _ := s.Labelled()
	extra := []string{fmt.Sprintf("Line: least-squares fit with 95%% confidence band; r = %.2f, n = %d.", fit.R, fit.N)}
	var notes []string
	if k := len(s.Points) - len(pts); k > 0 {
		notes = append(notes, fmt.Sprintf("%d %s with suppressed or missing values not shown.", k, plural(k, "council", "councils")))
	}
	body, err := drawFrame(c, s.Labels, extra, notes)
	if err != nil {
		return err
	}
	p := newPlot()
	p.X.Tick.Marker = niceTicks{n: 6}
	p.X.Label.Text = s.Labels.XLabel
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, pt := range pts {
		xmin, xmax = math.Min(xmin, pt.X), math.Max(xmax, pt.X)
		ymin, ymax = math.Min(ymin, pt.Y), math.Max(ymax, pt.Y)
	}
	if s.FromZero {
		xmin, ymin = math.Min(xmin, 0), math.Min(ymin, 0)
	}
	padTo := func(lo, hi float64) (float64, float64) {
		d := (hi - lo) * 0.04
		if d == 0 {
			d = 1
		}
		return lo - d, hi + d
	}
	if s.FromZero {
		xmax += (xmax - xmin) * 0.04
		ymax += (ymax - ymin) * 0.04
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xmin, xmax, ymin, ymax
	} else {
		p.X.Min, p.X.Max = padTo(xmin, xmax)
		p.Y.Min, p.Y.Max = padTo(ymin, ymax)
	}
	p.Add(hgrid())

	// fit band and line over the data's x range
	const steps = 60
	var line, upper, lower plotter.XYs
	for i := 0; i <= steps; i++ {
		x := xmin + (xmax-xmin)*float64(i)/steps
		line = append(line, plotter.XY{X: x, Y: fit.At(x)})
		if fit.Band != nil {
			lo, hi := fit.Band(x)
			upper = append(upper, plotter.XY{X: x, Y: hi})
			lower = append(lower, plotter.XY{X: x, Y: lo})
		}
	}
	fitColour := OkabeIto[0]
	if fit.Band != nil {
		poly := append(plotter.XYs{}, upper...)
		for i := len(lower) - 1; i >= 0; i-- {
			poly = append(poly, lower[i])
		}
		pg, err := plotter.NewPolygon(poly)
		if err != nil {
			return err
		}
		pg.Color = withAlpha(fitColour, 0x33)
		pg.LineStyle.Width = 0
		p.Add(pg)
	}
	ln, err := plotter.NewLine(line)
	if err != nil {
		return err
	}
	ln.LineStyle = draw.LineStyle{Color: fitColour, Width: 1.4}
	p.Add(ln)

	isLabelled := map[string]bool{}
	for _, n := range labelled {
		isLabelled[n] = true
	}
	p.Add(layer(func(cv draw.Canvas, plt *plot.Plot) {
		xy := func(x, y float64) vg.Point { return vg.Point{X: cv.X(plt.X.Norm(x)), Y: cv.Y(plt.Y.Norm(y))} }
		pl := &placer{bounds: cv.Rectangle}
		hk := 0
		hcol := map[string]int{}
		for _, pass := range []int{0, 1} {
			for _, pt := range pts {
				at := xy(pt.X, pt.Y)
				switch {
				case pass == 0 && !pt.Highlight:
					col := colPoint
					if isLabelled[pt.Name] {
						col = colText
					}
					cv.DrawGlyph(draw.GlyphStyle{Color: col, Radius: 2, Shape: draw.CircleGlyph{}}, at)
					pl.obstacles = append(pl.obstacles, pad(vg.Rectangle{Min: at, Max: at}, 2))
				case pass == 1 && pt.Highlight:
					hcol[pt.Name] = hk
					cv.DrawGlyph(draw.GlyphStyle{Color: OkabeIto[(hk+1)%len(OkabeIto)], Radius: 3, Shape: draw.CircleGlyph{}}, at)
					hk++
				}
			}
		}
		byName := map[string]ScatterPoint{}
		for _, pt := range pts {
			if _, dup := byName[pt.Name]; !dup {
				byName[pt.Name] = pt
			}
		}
		for _, name := range labelled {
			pt := byName[name]
			sty := textStyle(sizeBody, false, colText, draw.XLeft, draw.YCenter)
			if pt.Highlight {
				sty = textStyle(sizeBody, true, darken(OkabeIto[(hcol[name]+1)%len(OkabeIto)]), draw.XLeft, draw.YCenter)
			}
			at := xy(pt.X, pt.Y)
			pos := pl.place(sty, name, aroundPoint(sty, name, at, 3))
			leader(cv, at, textRect(sty, pos, name), sty.Color, 6)
			fillTextHalo(cv, sty, pos, name)
		}
	}))
	p.Draw(body)
	return nil
}
