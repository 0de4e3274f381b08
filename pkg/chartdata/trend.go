package chartdata

import (
	"fmt"
	"github.com/cscstats/cscstats/pkg/timeperiod"
	"strings"

	"github.com/cscstats/cscstats/pkg/charts"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
)

// maxBandCouncils is the most council lines a trend shades 95% confidence
// bands for; with more, overlapping bands would hide the lines.
const maxBandCouncils = 2

// rateSection is rates.Section with extra columns after the rate
// columns; cells[i] holds row i's extra cells.
func rateSection(name, title string, rs []rates.Rate, extra []export.Column, cells [][]export.Cell) export.Section {
	s := rates.Section(name, title, rs)
	s.Columns = append(append([]export.Column(nil), s.Columns...), extra...)
	for i := range s.Rows {
		s.Rows[i] = append(s.Rows[i], cells[i]...)
	}
	return s
}

var seriesColumns = []export.Column{
	{Name: "series_role", Decimals: -1}, {Name: "basis", Decimals: -1}, {Name: "plotted", Decimals: -1}, {Name: "note", Decimals: -1},
}

func seriesCells(r rates.Rate, rl charts.Role) []export.Cell {
	return []export.Cell{export.Str(rl.String()), export.Str(r.Basis), export.Bool(r.OK()), export.Str(r.Note)}
}

// trendSeries returns one series per area (then per neighbour), the rates
// behind them, and the years covered.
func trendSeries(calc *rates.Calculator, measure string, areas, neighbours []rates.Area, from, to int) ([]charts.Series, [][]rates.Rate, []int, error) {
	var series []charts.Series
	var rows [][]rates.Rate
	var years []int
	add := func(a rates.Area, rl charts.Role) error {
		rs := calc.Series(measure, a, from, to)
		if len(rs) == 0 {
			return fmt.Errorf("no %s data between %s; years available: %s", measure, timeperiod.RangeText(from, to), yearList(calc.Years(measure)))
		}
		s := charts.Series{Name: a.Name, Role: rl}
		for _, r := range rs {
			s.Points = append(s.Points, point(r))
			years = timeperiod.Append(years, r.Year)
		}
		series = append(series, s)
		rows = append(rows, rs)
		return nil
	}
	for _, a := range areas {
		if err := add(a, role(a)); err != nil {
			return nil, nil, nil, err
		}
	}
	for _, a := range neighbours {
		if err := add(a, charts.Neighbour); err != nil {
			return nil, nil, nil, err
		}
	}
	if len(series) == 0 {
		return nil, nil, nil, fmt.Errorf("%w: no areas given", errNoData)
	}
	matchRegionColours(series, areas)
	return series, rows, years, nil
}

// matchRegionColours colours each region, when a chart has several, like
// the one council of the chart in it (dashed, in the council's colour), so
// a reader can tell which region belongs to which council. A region with
// several of the chart's councils stays grey.
func matchRegionColours(series []charts.Series, areas []rates.Area) {
	nRegions := 0
	for _, a := range areas {
		if a.Level == rates.Regional {
			nRegions++
		}
	}
	if nRegions < 2 {
		return
	}
	colour := map[string]int{} // region code -> council palette index, -1 if shared
	k := 0
	for _, a := range areas {
		if a.Level != rates.LocalAuthority {
			continue
		}
		if _, seen := colour[a.RegionCode]; seen {
			colour[a.RegionCode] = -1
		} else {
			colour[a.RegionCode] = k
		}
		k++
	}
	for i, a := range areas {
		if a.Level != rates.Regional {
			continue
		}
		if c, ok := colour[a.Code]; ok && c >= 0 {
			series[i].Colour = charts.OkabeIto[c%len(charts.OkabeIto)]
		}
	}
}

// emptyNotes names the series with no value in any year.
func emptyNotes(measure string, rows [][]rates.Rate) []string {
	var names []string
	for _, rs := range rows {
		ok := false
		for _, r := range rs {
			ok = ok || r.OK()
		}
		if !ok && len(rs) > 0 {
			names = append(names, rs[0].Area.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("No %s figure for %s in these years, so no line.", measure, joinAnd(names))}
}

// areaNames describes the areas for a title, briefly (the lines are
// labelled): "Leeds, its region and England", "Leeds and Camden, their
// regions and England", "England and its regions", "England".
func areaNames(areas []rates.Area) string {
	var councils, regions []string
	england := false
	for _, a := range areas {
		switch a.Level {
		case rates.National:
			england = true
		case rates.Regional:
			regions = append(regions, a.Name)
		default:
			councils = append(councils, a.Name)
		}
	}
	if len(councils) == 0 {
		switch {
		case england && len(regions) > 0:
			return "England and its regions"
		case england:
			return "England"
		}
		return joinAnd(regions)
	}
	its := "its"
	if len(councils) > 1 {
		its = "their"
	}
	var others []string
	switch {
	case len(regions) == 1:
		others = append(others, its+" region")
	case len(regions) > 1:
		others = append(others, its+" regions")
	}
	if england {
		others = append(others, "England")
	}
	return joinAnd(append(councils, others...))
}

// rangeTitle is "2013 to 2025" or "2024".
func rangeTitle(years []int) string {
	if len(years) == 0 {
		return ""
	}
	if years[0] == years[len(years)-1] {
		return fmt.Sprint(years[0])
	}
	return fmt.Sprintf("%d to %d", years[0], years[len(years)-1])
}

// measureTitle is "Section 47 enquiries per 10,000 children".
func measureTitle(m measures.Measure) string {
	return m.Label + " per 10,000 children"
}

// measureTitleFor is measureTitle naming a denominator other than 0-17:
// "Children starting care aged under 1 per 10,000 children aged under 1".
func measureTitleFor(m measures.Measure, b population.Band) string {
	if b == population.Children {
		return measureTitle(m)
	}
	return m.Label + " per 10,000 " + b.Label()
}

func countCouncils(ss []charts.Series) int {
	n := 0
	for _, s := range ss {
		if s.Role == charts.Council {
			n++
		}
	}
	return n
}

// Trend builds a line chart of one measure for the areas (councils,
// regions, England: drawn by level) and any opts.Neighbours (thin grey),
// from..to (0: no bound). Each series' points are exactly
// calc.Series(measure, area, from, to): a year without a value, or before
// a boundary change, is an invalid point with the rate's note, and the
// line breaks there. With one or two councils, 95% confidence intervals
// are shaded (for England and regions alone they are too narrow to see).
//
// The section has the rate columns of `cscstats rates` plus series_role,
// basis, plotted and note, one row per area and year.
func Trend(calc *rates.Calculator, measure string, areas []rates.Area, from, to int, opts Options) (*charts.Trend, export.Section, error) {
	m, err := lookupMeasure(measure)
	if err != nil {
		return nil, export.Section{}, err
	}
	series, rows, years, err := trendSeries(calc, m.ID, areas, opts.Neighbours, from, to)
	if err != nil {
		return nil, export.Section{}, err
	}
	title := fmt.Sprintf("%s: %s, %s", measureTitle(m), areaNames(areas), rangeTitle(years))
	l := Labels(calc, title, []string{m.ID}, years)
	t := &charts.Trend{Labels: l, Series: series}
	if n := countCouncils(series); n > 0 && n <= maxBandCouncils {
		t.Intervals = charts.IntervalBands
		t.Labels.Subtitle += " Shading: 95% confidence interval."
	}
	t.Labels.Notes = append(t.Labels.Notes, emptyNotes(m.ID, rows)...)
	t.Labels.Notes = append(t.Labels.Notes, seriesNotes(rows[:len(areas)])...)
	if len(opts.Neighbours) > 0 {
		t.Labels.Notes = append(t.Labels.Notes, fmt.Sprintf("Grey lines: %d statistical neighbours.", len(opts.Neighbours)))
	}
	return t, seriesSection("trend", title, roles(series), rows), nil
}

func roles(series []charts.Series) []charts.Role {
	out := make([]charts.Role, len(series))
	for i, s := range series {
		out[i] = s.Role
	}
	return out
}

// seriesSection is the table behind line charts: each series' rates,
// with its role (council, region, England or neighbour).
func seriesSection(name, title string, rls []charts.Role, rows [][]rates.Rate) export.Section {
	var all []rates.Rate
	var cells [][]export.Cell
	for i, rs := range rows {
		for _, r := range rs {
			all = append(all, r)
			cells = append(cells, seriesCells(r, rls[i]))
		}
	}
	return rateSection(name, title, all, seriesColumns, cells)
}

// SmallMultiples builds one trend panel per measure for the same areas,
// sharing the year axis (from..to, 0: no bound). Each panel is what Trend
// builds for its measure; the chart's labels name the areas and years,
// the subtitle the denominator, a note the measures' definitions and the
// source line every file.
//
// The section has Trend's columns, all measures stacked.
func SmallMultiples(calc *rates.Calculator, measureIDs []string, areas []rates.Area, from, to int, opts Options) (*charts.SmallMultiples, export.Section, error) {
	if len(measureIDs) == 0 {
		return nil, export.Section{}, fmt.Errorf("%w: no measure given", errNoData)
	}
	var ids []string
	var panels []charts.Trend
	var allSeries []charts.Series
	var allRows [][]rates.Rate
	var years []int
	var notes []string
	var perPanel [][][]rates.Rate
	for _, id := range measureIDs {
		m, err := lookupMeasure(id)
		if err != nil {
			return nil, export.Section{}, err
		}
		series, rows, ys, err := trendSeries(calc, m.ID, areas, opts.Neighbours, from, to)
		if err != nil {
			return nil, export.Section{}, err
		}
		for _, y := range ys {
			years = timeperiod.Append(years, y)
		}
		if opts.Predecessors {
			ps, prs := predecessorSeries(calc, m.ID, areas, from)
			series = append(series, ps...)
			rows = append(rows, prs...)
		}
		p := charts.Trend{Labels: charts.Labels{Title: m.Label}, Series: series}
		if n := countCouncils(series); n > 0 && n <= maxBandCouncils {
			p.Intervals = charts.IntervalBands
		}
		panels = append(panels, p)
		ids = append(ids, m.ID)
		allSeries = append(allSeries, series...)
		allRows = append(allRows, rows...)
		notes = append(notes, emptyNotes(m.ID, rows)...)
		perPanel = append(perPanel, rows[:len(areas)])
	}
	notes = append(notes, panelNotes(panels, perPanel)...)
	var labels []string
	for _, p := range panels {
		labels = append(labels, strings.ToLower(p.Labels.Title[:1])+p.Labels.Title[1:])
	}
	// Two measures are named in the title; with more, the panel titles
	// name them and the title says where and when.
	title := fmt.Sprintf("%s: %s, %s", upperFirst(joinAnd(labels)), areaNames(areas), rangeTitle(years))
	if len(panels) > 2 {
		title = fmt.Sprintf("Children's social care: %s, %s", areaNames(areas), rangeTitle(years))
	}
	l := Labels(calc, title, ids, years)
	if len(panels) == 1 {
		l.Notes = nil
	}
	if panels[0].Intervals == charts.IntervalBands {
		l.Subtitle += " Shading: 95% confidence interval."
	}
	l.Notes = append(l.Notes, notes...)
	sm := &charts.SmallMultiples{Labels: l, Panels: panels}
	return sm, seriesSection("small_multiples", title, roles(allSeries), allRows), nil
}

// predecessorSeries returns, for each council of areas formed from a
// single former authority, that authority's rates up to the year before
// the council's first reporting year.
func predecessorSeries(calc *rates.Calculator, measure string, areas []rates.Area, from int) ([]charts.Series, [][]rates.Rate) {
	var series []charts.Series
	var rows [][]rates.Rate
	for _, a := range areas {
		if a.Level != rates.LocalAuthority {
			continue
		}
		au, ok := calc.Registry.Get(a.Code)
		if !ok || au.Change == nil || len(au.FormedFrom) != 1 {
			continue
		}
		pred, ok := calc.Registry.Get(au.FormedFrom[0])
		if !ok {
			continue
		}
		last := au.Change.FirstReportingYear - 1
		if from != 0 && from > last {
			continue
		}
		rs := calc.Series(measure, rates.LAArea(pred), from, last)
		if !anyRate(rs) {
			continue // counts without population estimates draw no line
		}
		// Its line ends before the chart's last year, so its label says
		// the year ("Cumbria 147.1 (2023)").
		s := charts.Series{Name: pred.Name, Role: charts.Council}
		for _, r := range rs {
			s.Points = append(s.Points, point(r))
		}
		series = append(series, s)
		rows = append(rows, rs)
	}
	return series, rows
}

// EnglandAndRegions returns England and its nine regions (not the Inner
// and Outer London sub-regions some files also have).
func EnglandAndRegions(calc *rates.Calculator) []rates.Area {
	out := []rates.Area{rates.England()}
	for _, rc := range calc.Registry.Regions() {
		if strings.HasPrefix(rc, "E12") {
			out = append(out, calc.RegionArea(rc))
		}
	}
	return out
}

// Slope builds a two-year slope chart of one measure: each area's rate in
// from and in to, from calc.Series (so a former authority's later year is
// harmonised like a trend's). No areas means EnglandAndRegions, drawn as
// thin grey lines under England's.
//
// The section has Trend's columns, two rows per area.
func Slope(calc *rates.Calculator, measure string, from, to int, areas []rates.Area, opts Options) (*charts.Slope, export.Section, error) {
	m, err := lookupMeasure(measure)
	if err != nil {
		return nil, export.Section{}, err
	}
	if from >= to {
		return nil, export.Section{}, fmt.Errorf("a slope chart needs two different years, the first before the second (got %d and %d)", from, to)
	}
	for _, y := range []int{from, to} {
		if err := checkYear(calc, m.ID, y); err != nil {
			return nil, export.Section{}, err
		}
	}
	if len(areas) == 0 {
		areas = EnglandAndRegions(calc)
	}
	councils := 0
	for _, a := range areas {
		if a.Level == rates.LocalAuthority {
			councils++
		}
	}
	var series []charts.Series
	var rows [][]rates.Rate
	var rls []charts.Role
	for _, a := range append(append([]rates.Area(nil), areas...), opts.Neighbours...) {
		s := charts.Series{Name: a.Name, Role: role(a)}
		if len(rows) >= len(areas) {
			s.Role = charts.Neighbour
		}
		rls = append(rls, s.Role)
		if s.Role == charts.Region && councils == 0 {
			// England and its regions: thin grey lines under England's,
			// not a tangle of dashes
			s.Role = charts.Neighbour
		}
		var rs []rates.Rate
		for _, r := range calc.Series(m.ID, a, from, to) {
			if r.Year == from || r.Year == to {
				rs = append(rs, r)
				s.Points = append(s.Points, point(r))
			}
		}
		series = append(series, s)
		rows = append(rows, rs)
	}
	title := fmt.Sprintf("%s: %s, %d and %d", measureTitle(m), areaNames(areas), from, to)
	l := Labels(calc, title, []string{m.ID}, []int{from, to})
	l.Subtitle = Definition(m) + fmt.Sprintf(" Rate per 10,000 %s in the years ending 31 March %d and %d.", shortDenominator(m.Denominator), from, to)
	l.XLabel = ""
	l.Notes = append(l.Notes, seriesNotesNoGaps(rows[:len(areas)])...)
	sl := &charts.Slope{Labels: l, Series: series, YearA: from, YearB: to}
	matchRegionColours(series, areas)
	return sl, seriesSection("slope", title, rls, rows), nil
}

// seriesNotesNoGaps is seriesNotes for a slope chart, which has no lines
// to break: only harmonisation is noted (the chart itself lists the
// missing ends).
func seriesNotesNoGaps(rows [][]rates.Rate) []string {
	var out []string
	for _, n := range seriesNotes(rows) {
		if strings.HasPrefix(n, "Across") {
			out = append(out, n)
		}
	}
	return out
}

// panelNotes is seriesNotes for small multiples: a gap or harmonisation
// with the same cause in several panels (a council that began in 2023 has
// no figure before 2024 in any of them) is noted once, over the widest
// span of years, naming the panels only when not all are affected.
func panelNotes(panels []charts.Trend, rows [][][]rates.Rate) []string {
	type group struct {
		name, text string
		panels     []string
		years      map[string][]int // by panel
	}
	kinds := []struct {
		lead, format string
		f            func(rates.Rate) (string, bool)
	}{
		{"No comparable figure, so not plotted (lines are broken there): ", "%s\x00%s\x00%s", func(r rates.Rate) (string, bool) {
			if r.OK() {
				return "", false
			}
			return reason(r), true
		}},
		{"Across a boundary change: ", "%s\x00%s\x00is the %s", func(r rates.Rate) (string, bool) {
			if !r.OK() || r.Basis != rates.Harmonised {
				return "", false
			}
			n := strings.TrimPrefix(r.Note, "harmonised: ")
			return strings.TrimSuffix(n, " (boundary change)"), true
		}},
	}
	var out []string
	for _, k := range kinds {
		var gs []*group
		index := map[[2]string]*group{}
		for i, panel := range rows {
			for _, rs := range panel {
				for _, g := range groupYears(rs, k.format, k.f) {
					parts := strings.SplitN(g, "\x00", 3)
					var from, to int
					if n, _ := fmt.Sscanf(parts[1], "%d-%d", &from, &to); n == 1 {
						to = from
					}
					key := [2]string{parts[0], parts[2]}
					grp, ok := index[key]
					if !ok {
						grp = &group{name: parts[0], text: parts[2], years: map[string][]int{}}
						index[key] = grp
						gs = append(gs, grp)
					}
					t := panels[i].Labels.Title
					if !contains(grp.panels, t) {
						grp.panels = append(grp.panels, t)
					}
					for y := from; y <= to; y++ {
						grp.years[t] = timeperiod.Append(grp.years[t], y)
					}
				}
			}
		}
		var parts []string
		for _, g := range gs {
			yrs := yearRuns(g.years[g.panels[0]])
			same := true
			for _, t := range g.panels[1:] {
				same = same && yearRuns(g.years[t]) == yrs
			}
			where := ""
			if len(panels) > 1 && len(g.panels) < len(panels) {
				where = " (" + joinAnd(g.panels) + ")"
			}
			if !same {
				// The same cause in different years: name the years
				// panel by panel.
				var each []string
				for _, t := range g.panels {
					each = append(each, t+" "+yearRuns(g.years[t]))
				}
				yrs, where = "in "+strings.Join(each, "; "), ""
			}
			sep := ": "
			if strings.HasPrefix(g.text, "is the ") {
				sep = " "
			}
			parts = append(parts, fmt.Sprintf("%s %s%s%s%s", g.name, yrs, where, sep, g.text))
		}
		if len(parts) > 0 {
			out = append(out, k.lead+strings.Join(parts, "; ")+".")
		}
	}
	return out
}

// yearRuns writes sorted years as runs: "2013-2016, 2019, 2021-2025".
func yearRuns(years []int) string {
	var parts []string
	for i := 0; i < len(years); {
		j := i
		for j+1 < len(years) && years[j+1] == years[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, fmt.Sprint(years[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", years[i], years[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// anyRate reports whether any of rs has a rate.
func anyRate(rs []rates.Rate) bool {
	for _, r := range rs {
		if r.OK() {
			return true
		}
	}
	return false
}
