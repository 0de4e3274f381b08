// Package rates is the `cscstats rates` command: rates per 10,000 children
// for every local authority, its region and England.
package rates

import (
	"fmt"
	"github.com/cscstats/cscstats/pkg/timeperiod"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
)

// Options are the command's flags and dependencies.
type Options struct {
	Factory  *cmdutil.Factory
	Measures []string
	Years    []string
	LAs      []string
	Region   string
	Sort     string
	Per      string // denominator age band: 0-17, under1, under5
}

// NewCmdRates wires the cobra command; runF replaces the run function in
// tests of flag parsing.
func NewCmdRates(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "rates --measure ID [--year YEAR] [--la NAME|CODE ...] [--region NAME]",
		Short: "Rates per 10,000 children for each local authority, region and England",
		Long: `Rates per 10,000 children aged 0-17 for one or more measures and years:
one row per local authority plus England (and the region when filtered by
region or authority), with exact Poisson 95% confidence intervals.

--per under1 divides by the children aged under 1 instead (ONS single year
of age), as research on babies entering care does: under1_starts, the
removals-at-birth proxy, per 10,000 babies. --per under5 divides by the
children aged under 5.

--measure all or --year all gives the full tidy table: every measure and/or
year, with every authority, every region and England, in the same columns.`,
		Example: `  cscstats rates --measure s47 --year 2021
  cscstats rates --measure s47 --year 2021 --la Leeds --la Camden
  cscstats rates --measure under1_starts --year 2022 --region "North East" --sort rate
  cscstats rates --measure under1_starts --year 2022 --per under1
  cscstats rates --measure all --year all --format csv > all_rates.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return ratesRun(opts)
		},
	}
	cmd.Flags().StringSliceVarP(&opts.Measures, "measure", "m", nil, "measure ID(s), comma-separated, or all (list: cscstats measures)")
	cmd.Flags().StringSliceVarP(&opts.Years, "year", "y", nil, "reporting year(s) ending 31 March, or all (default: the latest year of each measure)")
	cmd.Flags().StringArrayVar(&opts.LAs, "la", nil, "local authority name or code (repeatable)")
	cmd.Flags().StringVar(&opts.Region, "region", "", "only authorities in this region (name or code)")
	cmd.Flags().StringVar(&opts.Sort, "sort", "name", "sort authorities by rate, name or count")
	cmdutil.AddPerFlag(cmd, &opts.Per)
	_ = cmd.MarkFlagRequired("measure")
	_ = cmd.RegisterFlagCompletionFunc("measure", cmdutil.CompleteMeasures)
	_ = cmd.RegisterFlagCompletionFunc("sort", cobra.FixedCompletions([]string{"rate", "name", "count"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func ratesRun(opts *Options) error {
	ms, err := measures.Parse(opts.Measures)
	if err != nil {
		return cmdutil.FlagErrorf("%v", err)
	}
	band, err := cmdutil.ParsePer(opts.Per)
	if err != nil {
		return err
	}
	calc, err := opts.Factory.Calculator()
	if err != nil {
		return err
	}
	calc = calc.Per(band)
	picked, lookupNotes, err := cmdutil.LookupLAs(calc.Registry, opts.LAs)
	if err != nil {
		return err
	}
	regionCode := ""
	if opts.Region != "" {
		if regionCode, _, err = calc.Registry.LookupRegion(opts.Region); err != nil {
			return err
		}
	}
	// The full tidy table has every region's rows too.
	full := len(picked) == 0 && regionCode == "" && (isAll(opts.Measures) || isAll(opts.Years))
	var mys []rates.MeasureYear // each measure's years, in table order
	for _, m := range ms {
		if len(calc.Years(m.ID)) == 0 {
			return calc.Store.NoDataFor(m.ID)
		}
		years, err := cmdutil.PickYears(opts.Years, calc.Years(m.ID), m.ID)
		if err != nil {
			return err
		}
		for _, y := range years {
			mys = append(mys, rates.MeasureYear{Measure: m.ID, Year: y})
		}
	}
	if err := rates.SortBy(nil, opts.Sort); err != nil {
		return cmdutil.FlagErrorf("%v", err)
	}
	var yearsUsed []int
	for _, my := range mys {
		yearsUsed = timeperiod.Append(yearsUsed, my.Year)
	}
	notes := append(lookupNotes, cmdutil.MeasureNotes(calc, ms, yearsUsed)...)
	if band != population.Children {
		if w := cmdutil.DenominatorWarning(calc); w != "" {
			notes = append(notes, w)
		}
	}
	// Each measure-year's rows are filtered and sorted in place.
	prepare := func(rows []rates.Rate) []rates.Rate {
		rows = filter(rows, picked, regionCode, full)
		_ = rates.SortBy(rows, opts.Sort) // the key was checked above
		return rows
	}
	if cmdutil.StreamsCSV(opts.Factory) {
		return cmdutil.PrintTidyCSV(opts.Factory, calc, mys, prepare, notes)
	}
	// One slice for the whole table, computed a CPU at a time; each
	// year's rows are then prepared and moved up behind the year before.
	all, starts := calc.AppendYears(nil, mys)
	kept := 0
	for i := range mys {
		end := len(all)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		rows := prepare(all[starts[i]:end])
		if kept != starts[i] {
			copy(all[kept:], rows)
		}
		kept += len(rows)
	}
	all = all[:kept]
	title := fmt.Sprintf("%s per 10,000 %s, %s", labels(ms), band.Label(), timeperiod.Span(yearsUsed))
	if n := cmdutil.DfEDenominatorNote(all); n != "" {
		notes = append(notes, n)
	}
	if n := cmdutil.MissingNote(all); n != "" {
		notes = append(notes, n)
	}
	doc := export.Document{Title: title, Sections: []export.Section{cmdutil.TidySection("rates", "", all)}, Notes: notes}
	return cmdutil.Print(opts.Factory, doc)
}

// isAll reports whether a flag's values are the single word "all".
func isAll(vals []string) bool {
	return len(vals) == 1 && strings.EqualFold(strings.TrimSpace(vals[0]), "all")
}

// filter keeps England, then either the chosen authorities and their
// regions, or one region and its authorities, or every authority (and,
// when allRegions is set, every region). It keeps them in place, at the
// start of rows, and returns that part.
func filter(rows []rates.Rate, picked []*la.Authority, regionCode string, allRegions bool) []rates.Rate {
	want := map[string]bool{}
	wantRegion := map[string]bool{}
	for _, a := range picked {
		want[a.Code] = true
		wantRegion[a.RegionCode] = true
	}
	if regionCode != "" {
		wantRegion[regionCode] = true
	}
	// Kept rows move up over dropped ones; a row already in its place
	// (every row, when none is dropped) is not copied onto itself.
	n := 0
	keep := func(i int) {
		if n != i {
			rows[n] = rows[i]
		}
		n++
	}
	for i := range rows {
		r := &rows[i]
		switch r.Area.Level {
		case rates.National:
			keep(i)
		case rates.Regional:
			if allRegions || wantRegion[r.Area.Code] {
				keep(i)
			}
		default:
			if len(picked) > 0 {
				if want[r.Area.Code] {
					keep(i)
				}
			} else if regionCode == "" || r.Area.RegionCode == regionCode {
				keep(i)
			}
		}
	}
	out := rows[:n]
	return out
}

func labels(ms []measures.Measure) string {
	if len(ms) > 3 {
		return fmt.Sprintf("%d measures", len(ms))
	}
	var s []string
	for _, m := range ms {
		s = append(s, m.Label)
	}
	return strings.Join(s, ", ")
}
