package charts

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"

	"github.com/cscstats/cscstats/pkg/funnel"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// FunnelUnit is one council in a [Funnel] chart: its rate and the
// population (denominator) the rate was computed on.
type FunnelUnit struct {
	Name       string
	Value      float64 // rate, per Funnel.Scale people
	Population float64 // denominator, people
	Valid      bool
	Highlight  bool // coloured and labelled
}

// Funnel is a funnel plot: each council's rate (y) against its population
// (x, log scale by default), England's rate as a horizontal line, and the
// 95% (dashed) and 99.8% (solid) control limits around it from package
// funnel: exact Poisson limits, or, when Overdispersed is set, additive
// random-effects limits estimated from the councils shown (the subtitle
// then says so). Councils outside the 99.8% limits and highlighted
// councils are labelled.
type Funnel struct {
	Labels Labels
	Units  []FunnelUnit
	// Target is England's rate, on the same scale as the units' values.
	Target float64
	// Scale is the rate base: rates are per Scale people. 0 means 10,000.
	Scale float64
	// Overdispersed draws overdispersion-adjusted limits.
	Overdispersed bool
	// OD, when set, is the overdispersion estimate the limits use (on the
	// per-10,000 scale, estimated elsewhere from the same councils so that
	// every command agrees); when nil it is estimated from the valid units
	// on LimitScale.
	OD *funnel.OD
	// LimitScale is the scale the overdispersed limits are worked on when
	// OD is nil (see funnel.Scale).
	LimitScale funnel.Scale
	// LinearX uses a linear population axis instead of a log axis.
	LinearX bool
	// ValueFormat formats the England label (default "%.1f").
	ValueFormat string
	// MaxLabels caps how many councils outside the 99.8% limits are
	// labelled, furthest from the target first (in standard errors);
	// 0 means 10, negative none. Highlighted councils are always
	// labelled. A note gives the number outside when not all are labelled.
	MaxLabels int
}

var _ Chart = (*Funnel)(nil)

// Render implements [Chart].
func (f *Funnel) Render(w io.Writer, format string, width, height vg.Length) error {
	return render(f.Draw, w, format, width, height)
}

// Save implements [Chart].
func (f *Funnel) Save(path string, width, height vg.Length) error {
	return save(f.Draw, path, width, height)
}

func (f *Funnel) k() float64 {
	if f.Scale > 0 {
		return funnel.Per / f.Scale
	}
	return 1
}

func (f *Funnel) valid() []FunnelUnit {
	var out []FunnelUnit
	for _, u := range f.Units {
		if u.Valid && u.Population > 0 && !math.IsNaN(u.Value) && !math.IsInf(u.Value, 0) {
			out = append(out, u)
		}
	}
	return out
}

// Dispersion returns the overdispersion estimate used for the limits when
// Overdispersed is set: f.OD if given, else one from the valid units.
func (f *Funnel) Dispersion() (funnel.OD, error) {
	if !(f.Target > 0) {
		return funnel.OD{}, errors.New("charts: funnel target must be positive")
	}
	if f.OD != nil {
		return *f.OD, nil
	}
	var rates, pops []float64
	for _, u := range f.valid() {
		rates = append(rates, u.Value*f.k())
		pops = append(pops, u.Population)
	}
	return funnel.Overdispersion(f.Target*f.k(), rates, pops, f.LimitScale)
}

// dispersion returns the estimate in use, or nil without overdispersion.
func (f *Funnel) dispersion() (*funnel.OD, error) {
	if !f.Overdispersed {
		return nil, nil
	}
	od, err := f.Dispersion()
	if err != nil {
		return nil, err
	}
	return &od, nil
}

// limits returns the drawn limits (on the chart's scale) at population n.
func (f *Funnel) limits(n float64, od *funnel.OD) funnel.Limits {
	k := f.k()
	var l funnel.Limits
	if od != nil {
		l = od.Limits(n)
	} else {
		l = funnel.PoissonLimits(f.Target*k, n)
	}
	return funnel.Limits{Lower998: l.Lower998 / k, Lower95: l.Lower95 / k, Upper95: l.Upper95 / k, Upper998: l.Upper998 / k}
}

// Verdicts returns, for each of f.Units in order, where it lies against
// the limits drawn (overdispersed ones if Overdispersed). Invalid units
// get funnel.Within.
func (f *Funnel) Verdicts() ([]funnel.Verdict, error) {
	if !(f.Target > 0) {
		return nil, errors.New("charts: funnel target must be positive")
	}
	od, err := f.dispersion()
	if err != nil {
		return nil, err
	}
	out := make([]funnel.Verdict, len(f.Units))
	for i, u := range f.Units {
		out[i] = funnel.Within
		if u.Valid && u.Population > 0 && !math.IsNaN(u.Value) {
			out[i] = f.limits(u.Population, od).Classify(u.Value)
		}
	}
	return out, nil
}

// popRange returns the population range of the x axis.
func (f *Funnel) popRange(units []FunnelUnit) (float64, float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, u := range units {
		lo, hi = math.Min(lo, u.Population), math.Max(hi, u.Population)
	}
	if f.LinearX {
		return 0, hi * 1.05
	}
	return lo / 1.25, hi * 1.25
}

// Bands returns the limit curves as drawn: n populations spaced over the
// x axis range, with the limits on the chart's scale.
func (f *Funnel) Bands(n int) (funnel.Bands, error) {
	units := f.valid()
	if len(units) == 0 {
		return funnel.Bands{}, errors.New("charts: funnel has no valid units")
	}
	if !(f.Target > 0) {
		return funnel.Bands{}, errors.New("charts: funnel target must be positive")
	}
	od, err := f.dispersion()
	if err != nil {
		return funnel.Bands{}, err
	}
	lo, hi := f.popRange(units)
	lo = math.Max(lo, hi/1e4)
	var b funnel.Bands
	for _, pop := range funnel.LogSpace(lo, hi, n) {
		l := f.limits(pop, od)
		b.Population = append(b.Population, pop)
		b.Lower998 = append(b.Lower998, l.Lower998)
		b.Lower95 = append(b.Lower95, l.Lower95)
		b.Upper95 = append(b.Upper95, l.Upper95)
		b.Upper998 = append(b.Upper998, l.Upper998)
	}
	return b, nil
}

// Draw draws the complete chart onto c.
func (f *Funnel) Draw(c draw.Canvas) error {
	units := f.valid()
	if len(units) == 0 {
		return errors.New("charts: funnel has no valid units")
	}
	bands, err := f.Bands(240)
	if err != nil {
		return err
	}
	od, err := f.dispersion()
	if err != nil {
		return err
	}
	verdicts, _ := f.Verdicts()
	var extra []string
	if od != nil {
		extra = append(extra, ODText(*od, f.k()))
	} else {
		extra = append(extra, "Exact Poisson 95% (dashed) and 99.8% (solid) control limits around the England rate.")
	}
	var notes []string
	if k := len(f.Units) - len(units); k > 0 {
		notes = append(notes, fmt.Sprintf("%d %s with suppressed or missing values not shown.", k, plural(k, "council", "councils")))
	}
	var outside []int
	for i, v := range verdicts {
		if v.Outside998() && !f.Units[i].Highlight {
			outside = append(outside, i)
		}
	}
	if n := len(f.labelled(outside)); n < len(outside) {
		notes = append(notes, fmt.Sprintf("%d councils lie outside the 99.8%% limits; at most the %d furthest from England are named.", len(outside), n))
	}
	body, err := drawFrame(c, f.Labels, extra, notes)
	if err != nil {
		return err
	}

	p := newPlot()
	xlo, xhi := f.popRange(units)
	p.X.Min, p.X.Max = xlo, xhi
	if !f.LinearX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks{}
	} else {
		p.X.Tick.Marker = niceTicks{n: 5}
	}
	p.X.Label.Text = f.Labels.XLabel
	ymin, ymax := 0.0, f.Target
	for _, u := range units {
		ymax = math.Max(ymax, u.Value)
	}
	// Show the 99.8% limits at the median population at least.
	mid := f.limits(medianPop(units), od)
	ymax = math.Max(ymax, mid.Upper998)
	p.Y.Min, p.Y.Max = ymin, ymax*1.05
	p.Add(hgrid())

	limitStyle := func(dashed bool) draw.LineStyle {
		s := draw.LineStyle{Color: colSubtle, Width: 0.9}
		if dashed {
			s.Dashes = []vg.Length{3, 2}
		}
		return s
	}
	curves := []struct {
		ys     []float64
		dashed bool
		label  string
	}{
		{bands.Upper998, false, "99.8%"}, {bands.Upper95, true, "95%"},
		{bands.Lower95, true, "95%"}, {bands.Lower998, false, "99.8%"},
	}
	for _, cv := range curves {
		xys := make(plotter.XYs, len(bands.Population))
		for i := range xys {
			xys[i] = plotter.XY{X: bands.Population[i], Y: cv.ys[i]}
		}
		ln, err := plotter.NewLine(xys)
		if err != nil {
			return err
		}
		ln.LineStyle = limitStyle(cv.dashed)
		p.Add(ln)
	}
	target := f.Target
	p.Add(layer(func(cv draw.Canvas, plt *plot.Plot) {
		xy := func(x, y float64) vg.Point { return vg.Point{X: cv.X(plt.X.Norm(x)), Y: cv.Y(plt.Y.Norm(y))} }
		pl := &placer{bounds: cv.Rectangle}
		ty := xy(xlo, target).Y
		cv.StrokeLine2(draw.LineStyle{Color: colBlack, Width: 1.2}, cv.Min.X, ty, cv.Max.X, ty)

		// labels for the upper curves near the left end, where the curves
		// are furthest apart (the lower curves mirror them)
		for _, c := range curves[:2] {
			lsty := textStyle(sizeBody, false, colSubtle, draw.XLeft, draw.YBottom)
			j := len(bands.Population) / 40
			pt := xy(bands.Population[j], c.ys[j])
			pt.X += 1
			above, below := pt, pt
			above.Y += 1
			below.Y -= 1 + lsty.Height(c.label)
			cands := []vg.Point{above, below}
			at, ok := pl.try(lsty, c.label, cands, false)
			if !ok {
				continue
			}
			cv.FillText(lsty, at, c.label)
		}

		// points
		var labelIdx, outside []int
		k := 0
		colour := map[int]int{}
		for _, pass := range []int{0, 1} {
			for i, u := range f.Units {
				if !u.Valid || !(u.Population > 0) || math.IsNaN(u.Value) {
					continue
				}
				v := verdicts[i]
				pt := xy(u.Population, u.Value)
				switch {
				case pass == 0 && !u.Highlight:
					gs := draw.GlyphStyle{Color: colPoint, Radius: 1.8, Shape: draw.CircleGlyph{}}
					if v.Outside998() {
						gs.Color = colText
						outside = append(outside, i)
					}
					cv.DrawGlyph(gs, pt)
					pl.obstacles = append(pl.obstacles, pad(vg.Rectangle{Min: pt, Max: pt}, 1.8))
				case pass == 1 && u.Highlight:
					colour[i] = k
					k++
					cv.DrawGlyph(draw.GlyphStyle{Color: OkabeIto[colour[i]%len(OkabeIto)], Radius: 3, Shape: draw.CircleGlyph{}}, pt)
					labelIdx = append(labelIdx, i)
				}
			}
		}
		// England label: left end, above the line
		esty := textStyle(sizeBody, true, colBlack, draw.XLeft, draw.YBottom)
		etxt := "England  " + formatValue(f.ValueFormat, target)
		at := pl.place(esty, etxt, []vg.Point{{X: cv.Min.X + 2, Y: ty + 2}, {X: cv.Min.X + 2, Y: ty - 2 - esty.Height(etxt)}, {X: cv.Min.X + 60, Y: ty + 2}})
		fillTextHalo(cv, esty, at, etxt)
		// the label's halo reaches the line: draw that stretch again
		lr := pad(textRect(esty, at, etxt), 1)
		cv.StrokeLine2(draw.LineStyle{Color: colBlack, Width: 1.2}, lr.Min.X, ty, lr.Max.X, ty)

		for _, i := range f.labelled(outside) {
			labelIdx = append(labelIdx, i)
		}
		for _, i := range labelIdx {
			u := f.Units[i]
			sty := textStyle(sizeBody, false, colText, draw.XLeft, draw.YCenter)
			if u.Highlight {
				hc := OkabeIto[colour[i]%len(OkabeIto)]
				sty = textStyle(sizeBody, true, darken(hc), draw.XLeft, draw.YCenter)
			}
			pt := xy(u.Population, u.Value)
			at, ok := pl.try(sty, u.Name, aroundPoint(sty, u.Name, pt, 3), u.Highlight)
			if !ok && !u.Highlight {
				continue // no room: leave unlabelled rather than overlap
			}
			leader(cv, pt, textRect(sty, at, u.Name), sty.Color, 6)
			fillTextHalo(cv, sty, at, u.Name)
		}
	}))
	p.Draw(body)
	return nil
}

// labelled returns the indices (into f.Units) of the councils outside the
// 99.8% limits that are labelled: at most MaxLabels of idx, furthest from
// the target in Poisson standard errors first.
func (f *Funnel) labelled(idx []int) []int {
	k := f.MaxLabels
	if k == 0 {
		k = 10
	}
	if k < 0 {
		return nil
	}
	z := func(i int) float64 {
		u := f.Units[i]
		return math.Abs(u.Value-f.Target) / math.Sqrt(f.Target*f.k()*funnel.Per/u.Population) * f.k()
	}
	out := append([]int(nil), idx...)
	sort.SliceStable(out, func(a, b int) bool { return z(out[a]) > z(out[b]) })
	if len(out) > k {
		out = out[:k]
	}
	return out
}

// Labelled returns the names of the councils labelled on the chart:
// highlighted ones, then those outside the 99.8% limits within the
// MaxLabels cap. (Drawing may still leave out one for which there is no
// free space.)
func (f *Funnel) Labelled() ([]string, error) {
	vs, err := f.Verdicts()
	if err != nil {
		return nil, err
	}
	var out []string
	var outside []int
	for i, u := range f.Units {
		if !u.Valid {
			continue
		}
		if u.Highlight {
			out = append(out, u.Name)
		} else if vs[i].Outside998() {
			outside = append(outside, i)
		}
	}
	for _, i := range f.labelled(outside) {
		out = append(out, f.Units[i].Name)
	}
	return out, nil
}

func medianPop(units []FunnelUnit) float64 {
	ps := make([]float64, len(units))
	for i, u := range units {
		ps[i] = u.Population
	}
	sort.Float64s(ps)
	return ps[len(ps)/2]
}

// logTicks labels 1, 2 and 5 × 10^k within the range, with thousands
// separators, and minor ticks at the other integers × 10^k.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	if !(min > 0) || !(max > min) {
		return nil
	}
	var ts []plot.Tick
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		mag := math.Pow(10, e)
		for m := 1; m <= 9; m++ {
			v := float64(m) * mag
			if v < min || v > max {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = commaString(strconv.FormatFloat(v, 'f', -1, 64))
			}
			ts = append(ts, t)
		}
	}
	return ts
}

// ODText words an overdispersion estimate for a chart subtitle or note:
// the method, the scale, φ and τ². k is the factor from the chart's rate
// base to per 10,000 (τ² on the rate scale is divided by k²; on the
// square-root and log scales τ² is in those scales' units and printed as
// estimated, per 10,000).
func ODText(od funnel.OD, k float64) string {
	tau2 := od.Tau2
	unit := "per 10,000, squared"
	switch od.Scale {
	case funnel.ScaleRate:
		if k != 1 {
			tau2 /= k * k
			unit = "on the chart's rate, squared"
		}
	case funnel.ScaleSqrt:
		unit = "on the square root of the rate per 10,000"
	case funnel.ScaleLog:
		unit = "on the log of the rate"
	}
	return fmt.Sprintf("Control limits adjusted for overdispersion (additive random effects on the %s, z-scores winsorised at their 10th and 90th percentiles, from %d councils; phi = %.2f, tau² = %.4g %s).",
		od.Scale.Describe(), od.Units, od.Phi, tau2, unit)
}
