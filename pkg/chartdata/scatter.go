package chartdata

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cscstats/cscstats/pkg/charts"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/spec"
)

// Statistic names, as pkg/spec writes them (spec.Level, ...).
const (
	StatLevel    = spec.Level
	StatChange   = spec.Change
	StatPct      = spec.Pct
	StatLogRatio = spec.LogRatio
	StatSlope    = spec.Slope
	StatScore    = spec.Score
)

// Axis describes one variable of a scatter chart; NewAxis fills it.
type Axis struct {
	Spec    string // canonical spec, e.g. "adoptions:change@2020-2024"
	Label   string // axis label with years and unit (AxisLabel)
	Name    string // for the title, without years: "Change in adoptions from care"
	Period  string // "2024", "2020 to 2024", or "" (IMD)
	Measure string // catalogue ID for the source line; "" for IMD
	Years   []int  // reporting years the value uses, for the source line
}

// NewAxis describes the statistic stat of measure over from..to
// (from == to for a level; measure "imd" with stat "score" for the IMD).
func NewAxis(specText, measure, stat string, from, to int) Axis {
	a := Axis{Spec: specText, Label: AxisLabel(measure, stat, from, to), Name: AxisName(measure, stat)}
	if measure == spec.IMD || stat == StatScore {
		return a
	}
	a.Measure = measure
	a.Period = fmt.Sprint(from)
	a.Years = []int{from}
	if to != from {
		a.Period = fmt.Sprintf("%d to %d", from, to)
		a.Years = nil
		for y := from; y <= to; y++ {
			a.Years = append(a.Years, y)
		}
	}
	return a
}

// AxisName names a statistic of a measure for a title, without years:
// "Section 47 enquiries", "Change in adoptions from care", "IMD 2019
// average score".
func AxisName(measure, stat string) string {
	if stat == StatScore || measure == spec.IMD {
		return "IMD 2019 average score"
	}
	label := measure
	if m, err := measures.Lookup(measure); err == nil {
		label = m.Label
	}
	low := lowerFirst(label)
	switch stat {
	case StatChange:
		return "Change in " + low
	case StatPct:
		return "% change in " + low
	case StatLogRatio:
		return "Log ratio of " + low
	case StatSlope:
		return "Yearly change in " + low
	}
	return label
}

// ScatterUnit is one council with both values.
type ScatterUnit struct {
	Code    string // canonical code (a former authority's for a harmonised unit)
	Name    string
	Members []string // current councils the unit stands for (for highlighting); may be nil
	X, Y    float64
}

// ScatterExclusion is a council left out, and why.
type ScatterExclusion struct {
	Code, Name string
	Kind       string // short reason class, e.g. "small population", "no value"
	Reason     string
}

// ScatterInput is already-paired data, such as pkg/spec's pairing of two
// specs (see FromPaired): the councils with both values and those left
// out (summarised in a note, listed with reasons in the data).
type ScatterInput struct {
	X, Y     Axis
	Units    []ScatterUnit
	Excluded []ScatterExclusion
	// Notes are the pairing's notes (how boundary changes were handled,
	// where the IMD came from). They are not drawn, being too long for a
	// chart: print or publish them beside it.
	Notes []string
	Extra []string // extra source text (an IMD axis adds its file itself)
	// Fit is the line to draw; nil means ordinary least squares on the
	// units (the chart reports its r and n).
	Fit *charts.Fit
}

// FromPaired turns pkg/spec's pairing of two specs (what `cscstats
// correlate` analyses) into scatter input: one unit per row, X and Y its
// first two values, and the councils left out with their reasons.
func FromPaired(p *spec.Paired) ScatterInput {
	in := ScatterInput{X: specAxis(p.X), Y: specAxis(p.Y), Notes: append([]string(nil), p.Notes...)}
	for _, r := range p.Rows {
		in.Units = append(in.Units, ScatterUnit{Code: r.Unit.Code, Name: r.Unit.Name, Members: r.Unit.Members, X: r.Values[0], Y: r.Values[1]})
	}
	for _, e := range p.Excluded {
		in.Excluded = append(in.Excluded, ScatterExclusion{Code: e.Code, Name: e.Name, Kind: e.Kind, Reason: e.Reason})
	}
	return in
}

func specAxis(s spec.Spec) Axis {
	return NewAxis(s.String(), s.Measure, s.Stat, s.From, s.To)
}

// AxisLabel writes a short axis label for a statistic of a measure:
// "Adoptions from care, 2024 (per 10,000 children)", "Change in
// adoptions from care, 2020 to 2024 (per 10,000 children)", "IMD 2019
// average score (higher = more deprived)".
func AxisLabel(measure, stat string, from, to int) string {
	if stat == StatScore || measure == spec.IMD {
		return "IMD 2019 average score (higher = more deprived)"
	}
	label := measure
	if m, err := measures.Lookup(measure); err == nil {
		label = m.Label
	}
	low := lowerFirst(label)
	switch stat {
	case StatLevel:
		return fmt.Sprintf("%s, %d (per 10,000 children)", label, from)
	case StatChange:
		return fmt.Sprintf("Change in %s, %d to %d (per 10,000 children)", low, from, to)
	case StatPct:
		return fmt.Sprintf("%% change in the rate of %s, %d to %d", low, from, to)
	case StatLogRatio:
		return fmt.Sprintf("Log ratio of the rate of %s, %d to %d", low, to, from)
	case StatSlope:
		return fmt.Sprintf("Yearly change in %s, %d-%d (per 10,000 per year)", low, from, to)
	}
	return label
}

// Scatter builds a scatter chart of paired values, one point per council,
// with the least-squares line and its 95% band (or in.Fit), r and n, and
// the councils left out summarised in a note. opts.Highlight councils
// (matched by code, or as a member of a harmonised unit) are coloured and
// labelled.
//
// The section has one row per council, plotted or left out: la_code,
// la_name, x, y, highlight, plotted, note.
func Scatter(calc *rates.Calculator, in ScatterInput, opts Options) (*charts.Scatter, export.Section, error) {
	if len(in.Units) < 3 {
		return nil, export.Section{}, fmt.Errorf("%w: %d council(s) have both %s and %s; a scatter chart needs at least 3", errNoData, len(in.Units), in.X.Spec, in.Y.Spec)
	}
	hl, err := resolveHighlight(calc.Registry, opts.Highlight)
	if err != nil {
		return nil, export.Section{}, err
	}
	found := map[string]bool{}
	isHL := func(u ScatterUnit) bool {
		ok := hl[u.Code]
		for _, m := range u.Members {
			ok = ok || hl[m]
		}
		if ok {
			found[u.Code] = true
			for _, m := range u.Members {
				found[m] = true
			}
		}
		return ok
	}
	title := scatterTitle(in.X, in.Y)
	var ids []string
	var years []int
	for _, a := range []Axis{in.X, in.Y} {
		if a.Measure != "" && !contains(ids, a.Measure) {
			ids = append(ids, a.Measure)
		}
		for _, y := range a.Years {
			if !containsInt(years, y) {
				years = append(years, y)
			}
		}
	}
	sort.Ints(years)
	l := Labels(calc, title, ids, years)
	// Definitions of the measures (the axis labels give the statistic and
	// years), then what a dot is.
	var defs []string
	for _, m := range lookupAll(ids) {
		defs = append(defs, Definition(m))
	}
	l.Subtitle = strings.Join(defs, " ")
	if len(ids) > 0 {
		l.Subtitle += " Rates per 10,000 children aged 0-17."
	}
	l.Subtitle += " Each dot is a council."
	l.XLabel = in.X.Label
	l.YLabel = in.Y.Label
	l.Notes = nil
	extra := append([]string(nil), in.Extra...)
	if in.X.Measure == "" || in.Y.Measure == "" {
		// an IMD axis: name the file it was read from
		src := "IMD: English Indices of Deprivation 2019 (MHCLG), upper-tier local authority summaries"
		if f, err := spec.FindIMDFile(calc.Store.Dir); err == nil {
			src += ": " + filepath.Base(f)
		}
		extra = append(extra, src)
	}
	if len(extra) > 0 {
		l.Source = strings.TrimSuffix(l.Source, ".") + ". " + strings.Join(extra, ". ") + "."
	}
	if n := exclusionNote(in.Excluded); n != "" {
		l.Notes = append(l.Notes, n)
	}
	// How councils were paired across boundary changes (merged, summed):
	// the chart says it, not only the terminal.
	l.Notes = append(l.Notes, in.Notes...)
	l.Notes = append(l.Notes, "A correlation between councils is not evidence that one causes the other.")
	sc := &charts.Scatter{Labels: l, Fit: in.Fit}
	cols := []export.Column{{Name: "new_la_code", Decimals: -1}, {Name: "la_name", Decimals: -1},
		{Name: "x", Decimals: 3}, {Name: "y", Decimals: 3}, {Name: "highlight", Decimals: -1}, {Name: "plotted", Decimals: -1}, {Name: "note", Decimals: -1}}
	sec := export.Section{Name: "scatter", Title: title + fmt.Sprintf(" (x = %s, y = %s)", in.X.Spec, in.Y.Spec), Columns: cols}
	for _, u := range in.Units {
		h := isHL(u)
		valid := !math.IsNaN(u.X) && !math.IsNaN(u.Y) && !math.IsInf(u.X, 0) && !math.IsInf(u.Y, 0)
		sc.Points = append(sc.Points, charts.ScatterPoint{Name: u.Name, X: u.X, Y: u.Y, Valid: valid, Highlight: h})
		sec.Rows = append(sec.Rows, []export.Cell{export.Str(u.Code), export.Str(u.Name), export.Num(u.X), export.Num(u.Y), export.Bool(h), export.Bool(valid), export.Str("")})
	}
	for _, e := range in.Excluded {
		sec.Rows = append(sec.Rows, []export.Cell{export.Str(e.Code), export.Str(e.Name), export.MissingCell(""), export.MissingCell(""), export.Bool(hl[e.Code]), export.Bool(false), export.Str(e.Reason)})
	}
	for code := range hl {
		if !found[code] {
			a, _ := calc.Registry.Get(code)
			why := "it has no value for both"
			for _, e := range in.Excluded {
				if e.Code == code {
					why = e.Reason
				}
			}
			return nil, export.Section{}, fmt.Errorf("--highlight: %s is not on the chart: %s", a.Name, why)
		}
	}
	if _, err := sc.FitLine(); err != nil {
		return nil, export.Section{}, err
	}
	return sc, sec, nil
}

// scatterTitle is "Y against x, 2024" when both use the same years, else
// "Y, 2024, against x, 2020 to 2024".
func scatterTitle(x, y Axis) string {
	if x.Period == y.Period && x.Period != "" {
		return fmt.Sprintf("%s against %s, %s", upperFirst(y.Name), lowerFirst(x.Name), x.Period)
	}
	part := func(a Axis) string {
		if a.Period == "" {
			return a.Name
		}
		return a.Name + ", " + a.Period
	}
	return fmt.Sprintf("%s, against %s", upperFirst(part(y)), lowerFirst(part(x)))
}

// exclusionNote summarises the councils left out by kind: "Left out: Isles
// of Scilly and City of London (small population); Bournemouth,
// Christchurch and Poole and Dorset (boundary change without
// harmonisation); 3 councils (no value)".
func exclusionNote(ex []ScatterExclusion) string {
	if len(ex) == 0 {
		return ""
	}
	var kinds []string
	byKind := map[string][]string{}
	for _, e := range ex {
		k := e.Kind
		if k == "" {
			k = "left out"
		}
		if _, ok := byKind[k]; !ok {
			kinds = append(kinds, k)
		}
		byKind[k] = append(byKind[k], e.Name)
	}
	var parts []string
	for _, k := range kinds {
		ns := byKind[k]
		if len(ns) > 4 {
			parts = append(parts, fmt.Sprintf("%d councils (%s)", len(ns), k))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", joinAnd(ns), k))
	}
	return "Left out: " + strings.Join(parts, "; ") + "; see the data for reasons."
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
