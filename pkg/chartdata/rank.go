package chartdata

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/cscstats/cscstats/pkg/charts"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/funnel"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
)

// councilRow is one row of calc.Authorities with what the chart does with
// it.
type councilRow struct {
	rate      rates.Rate
	shown     bool   // handed to the chart (it may still be invalid)
	why       string // why not shown
	highlight bool
}

// councils returns calc.Authorities(measure, year), marking the rows not
// handed to the chart: authorities that did not exist in the year, and
// the small-population councils unless opts.IncludeSmall. It also
// returns the names of the small councils left out.
func councils(calc *rates.Calculator, measure string, year int, opts Options) ([]councilRow, []string, error) {
	if err := checkYear(calc, measure, year); err != nil {
		return nil, nil, err
	}
	hl, err := resolveHighlight(calc.Registry, opts.Highlight)
	if err != nil {
		return nil, nil, err
	}
	var out []councilRow
	var small []string
	found := map[string]bool{}
	for _, r := range calc.Authorities(measure, year) {
		row := councilRow{rate: r, shown: true, highlight: hl[r.Area.Code]}
		switch {
		case !existed(calc, r.Area.Code, year):
			row.shown, row.why = false, fmt.Sprintf("not a council in %d (boundary change)", year)
		case SmallPopulation[r.Area.Code] != "" && !opts.IncludeSmall && !row.highlight:
			row.shown, row.why = false, "small population, left out by default"
			small = append(small, r.Area.Name)
		}
		if row.shown && row.highlight {
			found[r.Area.Code] = true
		}
		out = append(out, row)
	}
	for code := range hl {
		if !found[code] {
			a, _ := calc.Registry.Get(code)
			if !existed(calc, code, year) {
				return nil, nil, fmt.Errorf("--highlight: %s was not a council in %d (boundary change)", a.Name, year)
			}
			return nil, nil, fmt.Errorf("--highlight: %s has no %s row for %d", a.Name, measure, year)
		}
	}
	return out, small, nil
}

// smallNote says which small councils were left out.
func smallNote(small []string) []string {
	if len(small) == 0 {
		return nil
	}
	sort.Strings(small)
	if len(small) == 1 {
		return []string{fmt.Sprintf("%s left out: with a few hundred children, its rate swings wildly.", small[0])}
	}
	return []string{fmt.Sprintf("%s left out: a few hundred children each, so rates swing wildly.", joinAnd(small))}
}

// highlightNotes says which highlighted councils have no value to show.
func highlightNotes(rows []councilRow) []string {
	var out []string
	for _, r := range rows {
		if r.shown && r.highlight && !r.rate.OK() {
			out = append(out, fmt.Sprintf("%s: no figure to show, %s.", r.rate.Area.Name, reason(r.rate)))
		}
	}
	return out
}

func sectionRows(rows []councilRow) []rates.Rate {
	out := make([]rates.Rate, len(rows))
	for i, r := range rows {
		out[i] = r.rate
	}
	return out
}

func shownCell(r councilRow) export.Cell {
	return export.Bool(r.shown && r.rate.OK())
}

func whyCell(r councilRow) export.Cell {
	switch {
	case !r.shown:
		return export.Str(r.why)
	case !r.rate.OK():
		return export.Str(reason(r.rate))
	}
	return export.Str(r.rate.Note)
}

// Rank builds a ranked dot plot of one measure in one year: every council
// of calc.Authorities(measure, year) (see the package documentation for
// the few left out) with its 95% confidence interval, England's rate
// (calc.Get for England, computed the same way) as the reference line,
// and opts.Highlight councils coloured and labelled.
//
// The section has the rate columns plus rank (1 = lowest, as drawn),
// highlight, plotted and note, one row per authority row of the year.
func Rank(calc *rates.Calculator, measure string, year int, opts Options) (*charts.Rank, export.Section, error) {
	m, err := lookupMeasure(measure)
	if err != nil {
		return nil, export.Section{}, err
	}
	rows, small, err := councils(calc, m.ID, year, opts)
	if err != nil {
		return nil, export.Section{}, err
	}
	eng := calc.Get(m.ID, rates.England(), year)
	title := fmt.Sprintf("%s, by council, %d", measureTitleFor(m, calc.Band()), year)
	l := Labels(calc, title, []string{m.ID}, []int{year})
	l.Subtitle += " Each dot is a council, from the highest rate (rank 1, as in compare) to the lowest; whiskers are 95% confidence intervals; the black line is England."
	l.XLabel = "" // the chart says "Councils ranked from the highest rate (1) to the lowest (n = ...)"
	l.Notes = append(l.Notes, highlightNotes(rows)...)
	l.Notes = append(l.Notes, smallNote(small)...)
	rk := &charts.Rank{Labels: l, England: math.NaN()}
	if eng.OK() {
		rk.England = eng.Value
	} else {
		rk.Labels.Notes = append(rk.Labels.Notes, "No England figure: "+reason(eng)+".")
	}
	for _, r := range rows {
		if !r.shown {
			continue
		}
		rk.Items = append(rk.Items, charts.RankItem{Name: r.rate.Area.Name, Value: r.rate.Value, Lower: r.rate.Lower, Upper: r.rate.Upper, Valid: r.rate.OK(), Highlight: r.highlight})
	}
	if len(rk.Order()) == 0 {
		return nil, export.Section{}, fmt.Errorf("%w: no council has a %s rate in %d", errNoData, m.ID, year)
	}
	rank := map[string]int{}
	for i, it := range rk.Order() {
		rank[it.Name] = i + 1
	}
	cells := make([][]export.Cell, len(rows))
	for i, r := range rows {
		rc := export.MissingCell("")
		if n, ok := rank[r.rate.Area.Name]; ok && r.shown && r.rate.OK() {
			rc = export.Int(n)
		}
		cells[i] = []export.Cell{rc, export.Bool(r.highlight), shownCell(r), whyCell(r)}
	}
	sec := rateSection("rank", title, append([]rates.Rate{eng}, sectionRows(rows)...),
		[]export.Column{{Name: "rank", Decimals: -1}, {Name: "highlight", Decimals: -1}, {Name: "plotted", Decimals: -1}, {Name: "note", Decimals: -1}},
		append([][]export.Cell{{export.MissingCell(""), export.Bool(false), export.Bool(eng.OK()), export.Str("reference line")}}, cells...))
	return rk, sec, nil
}

// Dispersion is the one overdispersion estimate for a measure and year
// that the funnel plot, `compare`, the report and council profiles all
// use: funnel.Overdispersion around England's rate (England's count ÷
// England's 0-17 population) over the councils a funnel plot shows —
// every authority with a rate that existed in the year, without the Isles
// of Scilly and the City of London unless includeSmall (highlighting a
// council does not change the estimate).
func Dispersion(calc *rates.Calculator, measure string, year int, scale funnel.Scale, includeSmall bool) (funnel.OD, error) {
	eng := calc.Get(measure, rates.England(), year)
	if !eng.OK() || !(eng.Value > 0) {
		return funnel.OD{}, fmt.Errorf("no England %s rate for %d (%s)", measure, year, reason(eng))
	}
	var rs, pops []float64
	for _, r := range calc.Authorities(measure, year) {
		if !existed(calc, r.Area.Code, year) || (SmallPopulation[r.Area.Code] != "" && !includeSmall) {
			continue
		}
		if r.OK() && r.Population > 0 {
			rs = append(rs, r.Value)
			pops = append(pops, r.Population)
		}
	}
	return funnel.Overdispersion(eng.Value, rs, pops, scale)
}

// Funnel builds a funnel plot of one measure in one year: each council's
// rate (count ÷ 0-17 population × 10,000, as calc.Authorities gives it)
// against its 0-17 population, around England's rate computed the same
// way (England's count ÷ England's 0-17 population), with exact Poisson
// 95% and 99.8% limits, or overdispersed limits when opts.Overdispersion
// is set. Councils outside the 99.8% limits and opts.Highlight councils
// are labelled.
//
// The section has the rate columns plus the four limits at each council's
// population, the verdict against them, highlight, plotted and note.
func Funnel(calc *rates.Calculator, measure string, year int, opts Options) (*charts.Funnel, export.Section, error) {
	m, err := lookupMeasure(measure)
	if err != nil {
		return nil, export.Section{}, err
	}
	rows, small, err := councils(calc, m.ID, year, opts)
	if err != nil {
		return nil, export.Section{}, err
	}
	eng := calc.Get(m.ID, rates.England(), year)
	if !eng.OK() || !(eng.Value > 0) {
		return nil, export.Section{}, fmt.Errorf("no England %s rate for %d to centre the funnel on (%s)", m.ID, year, reason(eng))
	}
	title := fmt.Sprintf("%s, by size of council, %d", measureTitleFor(m, calc.Band()), year)
	l := Labels(calc, title, []string{m.ID}, []int{year})
	l.XLabel = upperFirst(calc.Band().Label()) + " in the council (log scale)"
	l.Notes = append(l.Notes, highlightNotes(rows)...)
	l.Notes = append(l.Notes, smallNote(small)...)
	f := &charts.Funnel{Labels: l, Target: eng.Value, Overdispersed: opts.Overdispersion, LimitScale: opts.LimitScale}
	var od funnel.OD
	if opts.Overdispersion {
		if od, err = Dispersion(calc, m.ID, year, opts.LimitScale, opts.IncludeSmall); err != nil {
			return nil, export.Section{}, err
		}
		f.OD = &od
	}
	var idx []int // row index of each unit
	for i, r := range rows {
		if !r.shown {
			continue
		}
		f.Units = append(f.Units, charts.FunnelUnit{Name: r.rate.Area.Name, Value: r.rate.Value, Population: r.rate.Population,
			Valid: r.rate.OK() && r.rate.Population > 0, Highlight: r.highlight})
		idx = append(idx, i)
	}
	verdicts, err := f.Verdicts()
	if err != nil {
		return nil, export.Section{}, err
	}
	type lim struct {
		l       funnel.Limits
		verdict string
	}
	byRow := map[int]lim{}
	above, below := 0, 0
	for k, i := range idx {
		u := f.Units[k]
		if !u.Valid {
			continue
		}
		ls := funnel.PoissonLimits(f.Target, u.Population)
		if opts.Overdispersion {
			ls = od.Limits(u.Population)
		}
		byRow[i] = lim{ls, verdicts[k].String()}
		switch verdicts[k] {
		case funnel.Above998:
			above++
		case funnel.Below998:
			below++
		}
	}
	f.Labels.Notes = append(f.Labels.Notes, fmt.Sprintf("Dots outside the funnel are further from England than chance explains at their size: %d above and %d below the 99.8%% limits. England: its count ÷ its %s, as for each council.", above, below, englandDenominator(calc.Band())))
	if n := len(f.Units); !opts.Overdispersion && above+below > 3 && float64(above+below) > 0.05*float64(n) {
		// 99.8% limits leave out about 1 council in 500 by chance alone
		f.Labels.Notes = append(f.Labels.Notes, "That is far more than the 1 in 500 chance alone would put there: councils differ for reasons beyond chance (overdispersion), and limits allowing for it (--overdispersion) are the fairer test.")
	}
	cols := []export.Column{{Name: "lower_998", Decimals: 1}, {Name: "lower_95", Decimals: 1}, {Name: "upper_95", Decimals: 1}, {Name: "upper_998", Decimals: 1},
		{Name: "verdict", Decimals: -1}, {Name: "highlight", Decimals: -1}, {Name: "plotted", Decimals: -1}, {Name: "note", Decimals: -1}}
	cells := make([][]export.Cell, len(rows))
	for i, r := range rows {
		c := []export.Cell{export.MissingCell(""), export.MissingCell(""), export.MissingCell(""), export.MissingCell(""), export.MissingCell("")}
		if lm, ok := byRow[i]; ok {
			c = []export.Cell{export.Num(lm.l.Lower998), export.Num(lm.l.Lower95), export.Num(lm.l.Upper95), export.Num(lm.l.Upper998), export.Str(lm.verdict)}
		}
		cells[i] = append(c, export.Bool(r.highlight), shownCell(r), whyCell(r))
	}
	engCells := []export.Cell{export.MissingCell(""), export.MissingCell(""), export.MissingCell(""), export.MissingCell(""), export.MissingCell(""),
		export.Bool(false), export.Bool(true), export.Str("target: the centre line")}
	if opts.Overdispersion {
		// the estimate behind the limits, on every row so a reader of the
		// CSV alone can redraw them
		cols = append(cols, export.Column{Name: "od_scale", Decimals: -1}, export.Column{Name: "od_phi", Decimals: 3},
			export.Column{Name: "od_tau2", Decimals: 3}, export.Column{Name: "od_councils", Decimals: -1})
		odCells := []export.Cell{export.Str(od.Scale.String()), export.Num(od.Phi), export.Num(od.Tau2), export.Int(od.Units)}
		for i := range cells {
			cells[i] = append(cells[i], odCells...)
		}
		engCells = append(engCells, odCells...)
	}
	limitsText := "exact Poisson limits"
	if opts.Overdispersion {
		limitsText = fmt.Sprintf("overdispersed limits on the %s, phi = %.4g, tau^2 = %.4g", od.Scale.Describe(), od.Phi, od.Tau2)
		f.Labels.Notes = append(f.Labels.Notes, "Overdispersion estimated as in Spiegelhalter (2005) and the CQC's method from the councils shown; `cscstats compare` uses the same estimate. Limits are never below zero.")
	}
	sec := rateSection("funnel", title+" ("+limitsText+")", append([]rates.Rate{eng}, sectionRows(rows)...), cols, append([][]export.Cell{engCells}, cells...))
	return f, sec, nil
}

// englandDenominator says what England's rate divides by: "0-17
// population", or "population aged under 1" for another band.
func englandDenominator(b population.Band) string {
	if b == population.Children {
		return "0-17 population"
	}
	return "population " + strings.TrimPrefix(b.Label(), "children ")
}
