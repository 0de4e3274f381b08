package compare

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/cscstats/cscstats/pkg/charts"
	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/rates"
)

// checkPlotPath rejects a --plot file the charts package cannot write,
// before any work is done.
func checkPlotPath(path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png", ".svg", ".pdf":
		return nil
	}
	return cmdutil.FlagErrorf("--plot %s: the file name must end in .png, .svg or .pdf", path)
}

// reportingYear writes 2024 as "2023-24".
// reportingYear labels a year as every other table and chart does: the
// year ending 31 March ("2013" is 2012-13).
func reportingYear(y int) string { return fmt.Sprint(y) }

// plot draws the chart matching the table: with --from/--to a trend of
// the council(s), their neighbours (grey), region(s) and England over the
// period; otherwise every council's rate in the year, ranked, with the
// named council(s) highlighted. Only the first measure is drawn.
func plot(opts *Options, calc *rates.Calculator, res *Result) error {
	if len(res.Years) == 0 {
		return nil
	}
	y := res.Years[0]
	m := y.Measure
	if len(res.Years) > 1 {
		fmt.Fprintf(opts.Factory.IOStreams.ErrOut, "note: --plot draws the first measure only (%s)\n", m.ID)
	}
	source := fmt.Sprintf("%s (%s); ONS mid-year population estimates", m.Publication, strings.Join(calc.Store.SourceFiles(m.ID), ", "))
	unit := "per 10,000 children aged 0-17"
	var notes []string
	if m.Note != "" {
		notes = append(notes, "Counts of "+m.Note+".")
	}
	var names []string
	for _, c := range res.Councils {
		names = append(names, c.Authority.Name)
	}
	var chart charts.Chart
	if res.Period {
		t := &charts.Trend{
			Labels: charts.Labels{
				Title:    fmt.Sprintf("%s: %s, %s to %s", m.Label, strings.Join(names, ", "), reportingYear(y.From), reportingYear(y.To)),
				Subtitle: fmt.Sprintf("Rate %s, years ending 31 March, with 95%% confidence intervals", unit),
				XLabel:   "Year ending 31 March",
				YLabel:   unit,
				Source:   source,
			},
			Intervals: charts.IntervalBands,
			YearLabel: reportingYear,
		}
		series := func(name string, role charts.Role, area rates.Area) {
			s := charts.Series{Name: name, Role: role}
			for _, r := range calc.Series(m.ID, area, y.From, y.To) {
				s.Points = append(s.Points, charts.Point{Year: r.Year, Value: r.Value, Lower: r.Lower, Upper: r.Upper, Valid: r.OK(), Note: r.Note})
				if r.Basis == rates.Harmonised {
					notes = append(notes, fmt.Sprintf("%s %d: %s.", name, r.Year, r.Note))
				}
			}
			t.Series = append(t.Series, s)
		}
		seenN := map[string]bool{}
		for _, c := range res.Councils {
			if c.Group == nil {
				continue
			}
			for _, mem := range c.Group.Members {
				if mem.Authority != nil && !seenN[mem.Authority.Code] {
					seenN[mem.Authority.Code] = true
					series(mem.Authority.Name, charts.Neighbour, rates.LAArea(mem.Authority))
				}
			}
			notes = append(notes, fmt.Sprintf("Grey lines: %s's %d statistical neighbours (%s).", c.Authority.Name, len(c.Group.Members), c.Group.Set.Label))
		}
		seenR := map[string]bool{}
		for _, c := range res.Councils {
			series(c.Authority.Name, charts.Council, rates.LAArea(c.Authority))
		}
		for _, c := range res.Councils {
			if rc := c.Authority.RegionCode; rc != "" && !seenR[rc] {
				seenR[rc] = true
				series(calc.Registry.RegionName(rc), charts.Region, calc.RegionArea(rc))
			}
		}
		series("England", charts.England, rates.England())
		t.Labels.Notes = notes
		chart = t
	} else {
		r := &charts.Rank{
			Labels: charts.Labels{
				Title:    fmt.Sprintf("%s, %s: %s among all councils", m.Label, reportingYear(y.Year), strings.Join(names, ", ")),
				Subtitle: fmt.Sprintf("Rate %s, with 95%% confidence intervals, lowest to highest", unit),
				XLabel:   "Local authorities, ranked",
				YLabel:   unit,
				Source:   source,
			},
			England: y.England.Value,
		}
		highlight := map[string]bool{}
		for _, row := range res.Rows {
			if row.Measure.ID != m.ID {
				continue
			}
			highlight[row.Council.Authority.Code] = true
			if row.Rank > 0 {
				notes = append(notes, fmt.Sprintf("%s: rank %d of %d (1 = highest).", row.Council.Authority.Name, row.Rank, row.RankedOf))
			} else {
				notes = append(notes, fmt.Sprintf("%s: not ranked in %d (%s).", row.Council.Authority.Name, y.Year, row.Rate.Note))
			}
		}
		for _, a := range y.All {
			r.Items = append(r.Items, charts.RankItem{Name: a.Area.Name, Value: a.Value, Lower: a.Lower, Upper: a.Upper, Valid: a.OK(), Highlight: highlight[a.Area.Code]})
		}
		r.Labels.Notes = notes
		chart = r
	}
	if err := chart.Save(opts.Plot, 0, 0); err != nil {
		return fmt.Errorf("--plot: %w", err)
	}
	fmt.Fprintf(opts.Factory.IOStreams.ErrOut, "chart written to %s\n", opts.Plot)
	return nil
}
