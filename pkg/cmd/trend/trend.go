// Package trend is the `cscstats trend` command: one authority's rates over
// the years beside its region and England, and the change first to last.
package trend

import (
	"fmt"
	"github.com/cscstats/cscstats/pkg/timeperiod"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/rates"
)

// Options are the command's flags and dependencies.
type Options struct {
	Factory  *cmdutil.Factory
	LAs      []string
	Measures []string
	From, To string
}

// NewCmdTrend wires the cobra command.
func NewCmdTrend(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "trend --la NAME --measure ID[,ID...] [--from YEAR --to YEAR]",
		Short: "Per-year rates for an authority, its region and England, and the change",
		Long: `Per-year rates per 10,000 children for one or more local authorities, each
authority's region and England, then the change from the first to the last
year: absolute, percent, and the rate ratio with its exact 95% interval and
p-value (the conditional binomial test for two Poisson counts).

Across a boundary change a series is harmonised where the areas allow
(a former county's later years are the sum of its successors) and broken
otherwise; the notes say which.`,
		Example: `  cscstats trend --la Leeds --measure s47,icpc,cpp_31march --from 2013 --to 2021
  cscstats trend --la Cumbria --measure s47 --format csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return trendRun(opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.LAs, "la", nil, "local authority name or code (repeatable)")
	cmd.Flags().StringSliceVarP(&opts.Measures, "measure", "m", nil, "measure ID(s), comma-separated")
	cmd.Flags().StringVar(&opts.From, "from", "", "first reporting year (default: earliest available)")
	cmd.Flags().StringVar(&opts.To, "to", "", "last reporting year (default: latest available)")
	_ = cmd.MarkFlagRequired("la")
	_ = cmd.MarkFlagRequired("measure")
	_ = cmd.RegisterFlagCompletionFunc("measure", cmdutil.CompleteMeasures)
	return cmd
}

func trendRun(opts *Options) error {
	ms, err := measures.Parse(opts.Measures)
	if err != nil {
		return cmdutil.FlagErrorf("%v", err)
	}
	from, to, err := cmdutil.ParseRange(opts.From, opts.To)
	if err != nil {
		return err
	}
	calc, err := opts.Factory.Calculator()
	if err != nil {
		return err
	}
	areas, lookupNotes, err := cmdutil.AreasFor(calc, opts.LAs)
	if err != nil {
		return err
	}
	var rows []rates.Rate
	changes := export.Section{Name: "changes", Title: "Change from the first to the last year with a rate",
		Columns: []export.Column{{Name: "measure", Decimals: -1}, {Name: "la_name", Decimals: -1}, {Name: "from", Decimals: -1}, {Name: "to", Decimals: -1},
			{Name: "rate_from", Decimals: 1}, {Name: "rate_to", Decimals: 1}, {Name: "change", Decimals: 1}, {Name: "change_percent", Decimals: 1},
			{Name: "rate_ratio", Decimals: 3}, {Name: "rate_ratio_lower", Decimals: 3}, {Name: "rate_ratio_upper", Decimals: 3}, {Name: "p_value", Decimals: 4},
			{Name: "note", Decimals: -1}}}
	var years []int
	var notes []string
	for _, m := range ms {
		if n := cmdutil.RangeNote(m.ID, from, to, calc.Years(m.ID)); n != "" {
			notes = append(notes, n)
		}
		for _, area := range areas {
			series := calc.Series(m.ID, area, from, to)
			if len(series) == 0 && len(calc.Years(m.ID)) == 0 {
				return calc.Store.NoDataFor(m.ID)
			}
			if len(series) == 0 {
				return fmt.Errorf("no %s data between %s; years available: %s", m.ID, timeperiod.RangeText(from, to), timeperiod.Span(calc.Years(m.ID)))
			}
			rows = append(rows, series...)
			for _, r := range series {
				years = timeperiod.Append(years, r.Year)
			}
			notes = append(notes, boundaryNotes(m.ID, series)...)
			changes.Rows = append(changes.Rows, changeRow(m.ID, area, series))
		}
	}
	var names []string
	for _, a := range areas {
		names = append(names, a.Name)
	}
	title := fmt.Sprintf("%s: rates per 10,000 children aged 0-17, %s", strings.Join(names, ", "), timeperiod.Span(years))
	allNotes := append(append(lookupNotes, cmdutil.MeasureNotes(calc, ms, years)...), notes...)
	if n := cmdutil.MissingNote(rows); n != "" {
		allNotes = append(allNotes, n)
	}
	allNotes = append(allNotes, "The change is from the first to the last year with a rate in the years asked for (from and to say which).", rates.ChangeTestNote)
	doc := export.Document{Title: title, Sections: []export.Section{cmdutil.TidySection("rates", "", rows), changes}, Notes: allNotes}
	return cmdutil.Print(opts.Factory, doc)
}

// changeRow is an area's change from the first to the last year of series
// that has a rate: a council formed mid-series (North Northamptonshire,
// 2022) changes from its first year, and the note says so.
func changeRow(measure string, area rates.Area, series []rates.Rate) []export.Cell {
	first, last := -1, -1
	for i, r := range series {
		if r.OK() {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 || first == last {
		why := "no year with a rate"
		if first >= 0 {
			why = fmt.Sprintf("only %d has a rate", series[first].Year)
		}
		return []export.Cell{export.Str(measure), export.Str(area.Name), export.MissingCell(""), export.MissingCell(""),
			export.MissingCell(""), export.MissingCell(""), export.MissingCell(""), export.MissingCell(""),
			export.MissingCell(""), export.MissingCell(""), export.MissingCell(""), export.MissingCell(""), export.Str(why)}
	}
	a, b := series[first], series[last]
	ch := rates.Compare(a, b)
	note := ""
	if first > 0 || last < len(series)-1 {
		note = fmt.Sprintf("%d to %d: the first and last years with a rate (the years asked for run %d to %d)", a.Year, b.Year, series[0].Year, series[len(series)-1].Year)
	}
	row := []export.Cell{export.Str(measure), export.Str(area.Name),
		export.Int(a.Year), export.Int(b.Year), export.Num(a.Value), export.Num(b.Value),
		export.Num(ch.Absolute), export.Num(ch.Percent)}
	return append(append(row, testCells(ch)...), export.Str(note))
}

// boundaryNotes says once per area, measure and cause which years are
// harmonised or broken by a boundary change: "North Northamptonshire s47
// 2013-2021: ..." rather than a line per year.
func boundaryNotes(measure string, series []rates.Rate) []string {
	var out []string
	for i := 0; i < len(series); {
		r := series[i]
		if r.Note == "" || !(r.Basis == rates.Harmonised || r.Break) {
			i++
			continue
		}
		j := i
		for j+1 < len(series) && series[j+1].Note == r.Note && series[j+1].Year == series[j].Year+1 {
			j++
		}
		yrs := fmt.Sprint(r.Year)
		if j > i {
			yrs = fmt.Sprintf("%d-%d", r.Year, series[j].Year)
		}
		out = append(out, fmt.Sprintf("%s %s %s: %s", r.Area.Name, measure, yrs, r.Note))
		i = j + 1
	}
	return out
}

// testCells are the rate ratio, its interval and p-value, or missing.
func testCells(ch rates.Change) []export.Cell {
	return []export.Cell{export.Num(ch.Test.Ratio), export.Num(ch.Test.Lower), export.Num(ch.Test.Upper), export.Num(ch.Test.P)}
}
