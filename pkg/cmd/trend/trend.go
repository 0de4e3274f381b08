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
year: absolute, percent, and whether the 95% intervals overlap.

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
	changes := export.Section{Name: "changes", Title: "Change from first to last year",
		Columns: []export.Column{{Name: "measure", Decimals: -1}, {Name: "la_name", Decimals: -1}, {Name: "from", Decimals: -1}, {Name: "to", Decimals: -1},
			{Name: "rate_from", Decimals: 1}, {Name: "rate_to", Decimals: 1}, {Name: "change", Decimals: 1}, {Name: "change_percent", Decimals: 1}, {Name: "intervals_overlap", Decimals: -1}}}
	var years []int
	var notes []string
	for _, m := range ms {
		for _, area := range areas {
			series := calc.Series(m.ID, area, from, to)
			if len(series) == 0 {
				return fmt.Errorf("no %s data between %s; years available: %s", m.ID, timeperiod.RangeText(from, to), timeperiod.Span(calc.Years(m.ID)))
			}
			rows = append(rows, series...)
			for _, r := range series {
				years = timeperiod.Append(years, r.Year)
				if r.Note != "" && (r.Basis == rates.Harmonised || r.Break) {
					notes = append(notes, fmt.Sprintf("%s %s %d: %s", r.Area.Name, m.ID, r.Year, r.Note))
				}
			}
			first, last := series[0], series[len(series)-1]
			ch := rates.Compare(first, last)
			changes.Rows = append(changes.Rows, []export.Cell{export.Str(m.ID), export.Str(area.Name),
				export.Int(first.Year), export.Int(last.Year), export.Num(first.Value), export.Num(last.Value),
				export.Num(ch.Absolute), export.Num(ch.Percent), overlapCell(ch)})
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
	allNotes = append(allNotes, "intervals_overlap=true means the two years' 95% intervals overlap: no clear evidence of a change in the underlying rate.")
	doc := export.Document{Title: title, Sections: []export.Section{rates.Section("rates", "", rows), changes}, Notes: allNotes}
	return export.Write(opts.Factory.IOStreams.Out, opts.Factory.IOStreams.ErrOut, opts.Factory.Format, doc)
}

func overlapCell(ch rates.Change) export.Cell {
	if !ch.From.OK() || !ch.To.OK() {
		return export.MissingCell("")
	}
	return export.Bool(ch.Overlap)
}
