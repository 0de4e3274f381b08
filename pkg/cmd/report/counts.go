package report

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cscstats/cscstats/pkg/chartdata"
	"github.com/cscstats/cscstats/pkg/charts"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/report"
)

// NationalCounts draws England's counts for the measures, one panel each,
// over every year the files give them. Counts need no population
// estimate, so these charts reach back to years the rates cannot (the
// long series from 2010). Suppressed or missing years break the line.
func (charter) NationalCounts(calc *rates.Calculator, ms []string) (report.Chart, error) {
	var panels []charts.Trend
	var labels []string
	files := map[string]bool{}
	first, last := 0, 0
	data := export.Section{Columns: []export.Column{{Name: "measure", Decimals: -1}, {Name: "time_period", Decimals: -1},
		{Name: "area", Decimals: -1}, {Name: "count", Decimals: 0}, {Name: "source", Decimals: -1}}}
	for _, id := range ms {
		m, err := measures.Lookup(id)
		if err != nil {
			return report.Chart{}, err
		}
		s := charts.Series{Name: "England", Role: charts.England}
		for _, r := range calc.Series(id, rates.England(), 0, 0) {
			p := charts.Point{Year: r.Year, Valid: r.Count.OK()}
			count := export.MissingCell(r.Count.String())
			if r.Count.OK() {
				p.Value, p.Lower, p.Upper = r.Count.Number, r.Count.Number, r.Count.Number
				count = export.Num(r.Count.Number)
				files[filepath.Base(r.Provenance.File)] = true
			}
			s.Points = append(s.Points, p)
			if first == 0 || r.Year < first {
				first = r.Year
			}
			last = max(last, r.Year)
			data.Rows = append(data.Rows, []export.Cell{export.Str(id), export.Int(r.Year), export.Str("England"), count, export.Str(r.Provenance.String())})
		}
		if len(s.Points) == 0 {
			continue
		}
		panels = append(panels, charts.Trend{Labels: charts.Labels{Title: m.Label}, Series: []charts.Series{s}, ValueFormat: "%.0f"})
		labels = append(labels, chartdata.Definition(m))
	}
	if len(panels) == 0 {
		return report.Chart{}, fmt.Errorf("no England counts for %s", strings.Join(ms, ", "))
	}
	var names []string
	for f := range files {
		names = append(names, f)
	}
	sort.Strings(names)
	title := fmt.Sprintf("Children looked after: England, %d to %d (numbers of children)", first, last)
	l := charts.Labels{Title: title,
		Subtitle: fmt.Sprintf("Numbers of children, not rates: no population estimate is needed, so every year the files give is shown (years ending 31 March %d to %d).", first, last),
		YLabel:   "children (count)", XLabel: chartdata.XLabelYears,
		Notes:  []string{strings.Join(labels, " "), "England figures are DfE's national totals, which DfE rounds to the nearest 10."},
		Source: "DfE, Children looked after in England including adoptions: " + strings.Join(names, ", ") + "."}
	data.Name = "national_counts"
	return render("national_counts", title, &charts.SmallMultiples{Labels: l, Panels: panels}, data)
}

// SpreadTrend draws the spread section's table as a time series: the
// coefficient of variation and the net spread of councils' rates for each
// measure, one point per year with rates (a year without is a break, not
// a zero).
func (charter) SpreadTrend(tbl export.Section, notes []string, source string) (report.Chart, error) {
	col := map[string]int{}
	for i, c := range tbl.Columns {
		col[c.Name] = i
	}
	for _, need := range []string{"measure", "time_period", "cv", "net_spread"} {
		if _, ok := col[need]; !ok {
			return report.Chart{}, fmt.Errorf("spread table lacks %s", need)
		}
	}
	var order []string
	cv, net := map[string]*charts.Series{}, map[string]*charts.Series{}
	first, last := 0, 0
	for _, row := range tbl.Rows {
		m := row[col["measure"]].Text
		y := int(row[col["time_period"]].Number)
		if cv[m] == nil {
			order = append(order, m)
			label := m
			if me, err := measures.Lookup(m); err == nil {
				label = me.Label
			}
			cv[m] = &charts.Series{Name: label, Role: charts.Council}
			net[m] = &charts.Series{Name: label, Role: charts.Council}
		}
		for _, p := range []struct {
			s *charts.Series
			c export.Cell
		}{{cv[m], row[col["cv"]]}, {net[m], row[col["net_spread"]]}} {
			v := p.c.Number
			ok := p.c.IsNum
			p.s.Points = append(p.s.Points, charts.Point{Year: y, Value: v, Lower: v, Upper: v, Valid: ok})
		}
		if first == 0 || y < first {
			first = y
		}
		last = max(last, y)
	}
	if len(order) == 0 {
		return report.Chart{}, fmt.Errorf("no spread to draw")
	}
	var cvs, nets []charts.Series
	for _, m := range order {
		cvs, nets = append(cvs, *cv[m]), append(nets, *net[m])
	}
	title := fmt.Sprintf("Spread of council rates, %d to %d", first, last)
	l := charts.Labels{Title: title,
		Subtitle: "Each year over the councils with a rate that year. Coefficient of variation: sample SD ÷ mean of councils' rates per 10,000 children aged 0-17. Net spread: τ ÷ England's rate, the spread left once small counts' chance variation is taken out.",
		XLabel:   chartdata.XLabelYears, Notes: notes, Source: source}
	c := &charts.SmallMultiples{Labels: l, Panels: []charts.Trend{
		{Labels: charts.Labels{Title: "Coefficient of variation"}, Series: cvs, ValueFormat: "%.3f"},
		{Labels: charts.Labels{Title: "Net spread (τ ÷ England's rate)"}, Series: nets, ValueFormat: "%.3f"},
	}}
	return render("spread_trend", title, c, tbl)
}
