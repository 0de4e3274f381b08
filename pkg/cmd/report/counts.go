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
