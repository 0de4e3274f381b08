// Package spread is the `cscstats spread` command: how much councils'
// rates differ from each other, year by year, and whether that gap is
// widening (councils diverging) or narrowing.
package spread

import (
	"fmt"
	"github.com/cscstats/cscstats/pkg/timeperiod"
	"math"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/spec"
	"github.com/cscstats/cscstats/pkg/stats"
)

// Options are the command's flags and dependencies.
type Options struct {
	Factory      *cmdutil.Factory
	Measure      string
	From, To     string
	IncludeSmall bool
	Exclude      []string
	Balanced     bool
}

// NewCmdSpread wires the cobra command; runF replaces the run function in
// tests of flag parsing.
func NewCmdSpread(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "spread --measure ID [--from YEAR --to YEAR]",
		Short: "How far apart councils' rates are, by year: are councils diverging?",
		Long: `For each year, the spread of a measure's rate per 10,000 children across
local authorities: n, mean, standard deviation, median, quartiles and
interquartile range (IQR), 10th and 90th percentiles and their ratio
(P90/P10), and the coefficient of variation (SD / mean); then the change in
each from the first to the last year. A rising coefficient of variation and
P90/P10 ratio mean councils are moving apart relative to the average
(diverging); falling ones mean they are converging.

Each year counts the councils that reported that year. --balanced keeps
only councils with a rate in every year (former counties harmonised across
boundary changes where possible), so a change in spread cannot come from
councils entering or leaving. The Isles of Scilly and the City of London
are left out by default (tiny child populations make their rates
meaningless); --include-small keeps them.

Quantiles are Hyndman & Fan type 7 (R's default); SD is the sample SD.`,
		Example: `  cscstats spread --measure under1_starts
  cscstats spread --measure s47 --from 2013 --to 2025 --balanced
  cscstats spread --measure cla_31march --format csv > spread.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return spreadRun(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Measure, "measure", "m", "", "measure ID (list: cscstats measures)")
	cmd.Flags().StringVar(&opts.From, "from", "", "first reporting year (default: earliest available)")
	cmd.Flags().StringVar(&opts.To, "to", "", "last reporting year (default: latest available)")
	cmd.Flags().BoolVar(&opts.IncludeSmall, "include-small", false, "keep the Isles of Scilly and the City of London (left out by default)")
	cmd.Flags().StringArrayVar(&opts.Exclude, "exclude", nil, "leave out a local authority, by name or code (repeatable)")
	cmd.Flags().BoolVar(&opts.Balanced, "balanced", false, "only councils with a rate in every year")
	_ = cmd.MarkFlagRequired("measure")
	_ = cmd.RegisterFlagCompletionFunc("measure", cmdutil.CompleteMeasures)
	return cmd
}

// Year is the spread of one year.
type Year struct {
	Year   int
	Spread stats.Spread
}

// Left is a council-year left out.
type Left struct {
	Year int // 0: every year
	Code string
	Name string
	Why  string
}

// Result is the spread of a measure over the years.
type Result struct {
	Measure measures.Measure
	Years   []Year
	Left    []Left
	// Absent counts rows skipped because the authority did not exist in
	// that year (placeholder rows around boundary changes).
	Absent       int
	Balanced     bool
	IncludeSmall bool
	Notes        []string
}

func spreadRun(opts *Options) error {
	m, err := measures.Lookup(opts.Measure)
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
	res, err := Compute(calc, m, from, to, spec.Options{IncludeSmall: opts.IncludeSmall, Exclude: opts.Exclude}, opts.Balanced)
	if err != nil {
		return err
	}
	return write(opts.Factory, calc, res)
}

// Compute works out the spread of a measure for each year from..to (0: no
// bound).
func Compute(calc *rates.Calculator, m measures.Measure, from, to int, sel spec.Options, balanced bool) (*Result, error) {
	var years []int
	for _, y := range calc.Years(m.ID) {
		if (from == 0 || y >= from) && (to == 0 || y <= to) {
			years = append(years, y)
		}
	}
	if len(years) == 0 {
		return nil, fmt.Errorf("no %s data between %s; years available: %s", m.ID, timeperiod.RangeText(from, to), timeperiod.Span(calc.Years(m.ID)))
	}
	res := &Result{Measure: m, Balanced: balanced, IncludeSmall: sel.IncludeSmall}
	if balanced {
		return res, res.balanced(calc, years, sel)
	}
	drop := map[string]string{}
	for _, q := range sel.Exclude {
		a, _, err := cmdutil.LookupLA(calc.Registry, q)
		if err != nil {
			return nil, err
		}
		drop[a.Code] = q
		for _, s := range a.Successors {
			drop[s] = q
		}
	}
	leftAll := map[string]bool{}
	for _, y := range years {
		var vals []float64
		for _, r := range calc.Authorities(m.ID, y) {
			a, _ := calc.Registry.Get(r.Area.Code)
			if !spec.ExistedIn(a, y) {
				res.Absent++
				continue
			}
			code, name := r.Area.Code, r.Area.Name
			if q, ok := drop[code]; ok {
				if !leftAll[code] {
					leftAll[code] = true
					res.Left = append(res.Left, Left{Code: code, Name: name, Why: fmt.Sprintf("excluded by request (--exclude %s)", q)})
				}
				continue
			}
			if !sel.IncludeSmall && spec.SmallPopulation[code] != "" {
				if !leftAll[code] {
					leftAll[code] = true
					res.Left = append(res.Left, Left{Code: code, Name: name, Why: spec.SmallPopulationReason})
				}
				continue
			}
			if !r.OK() {
				res.Left = append(res.Left, Left{Year: y, Code: code, Name: name, Why: spec.MissingReason(r)})
				continue
			}
			vals = append(vals, r.Value)
		}
		if len(vals) == 0 {
			return nil, fmt.Errorf("no council has a %s rate in %d", m.ID, y)
		}
		d, err := stats.Describe(vals)
		if err != nil {
			return nil, err
		}
		res.Years = append(res.Years, Year{Year: y, Spread: d})
	}
	return res, nil
}

// balanced describes the councils with a rate in every year, as units that
// stay the same area throughout (see spec.Units).
func (res *Result) balanced(calc *rates.Calculator, years []int, sel spec.Options) error {
	specs := make([]spec.Spec, len(years))
	for i, y := range years {
		specs[i] = spec.Spec{Measure: res.Measure.ID, Stat: spec.Level, From: y, To: y}
	}
	t, err := spec.Collect(calc, specs, sel)
	if err != nil {
		return err
	}
	if len(t.Rows) == 0 {
		return fmt.Errorf("no council has a %s rate in every year %s", res.Measure.ID, timeperiod.Span(years))
	}
	for i, y := range years {
		d, err := stats.Describe(t.Column(i))
		if err != nil {
			return err
		}
		res.Years = append(res.Years, Year{Year: y, Spread: d})
	}
	for _, e := range t.Excluded {
		res.Left = append(res.Left, Left{Code: e.Code, Name: e.Name, Why: e.Reason})
	}
	res.Notes = t.Notes
	return nil
}

// change is one statistic's first and last values.
type change struct {
	name        string
	first, last float64
}

func (res *Result) changes() []change {
	f, l := res.Years[0].Spread, res.Years[len(res.Years)-1].Spread
	return []change{
		{"n", float64(f.N), float64(l.N)},
		{"mean", f.Mean, l.Mean},
		{"median", f.Median, l.Median},
		{"sd", f.SD, l.SD},
		{"iqr", f.IQR, l.IQR},
		{"p10", f.P10, l.P10},
		{"p90", f.P90, l.P90},
		{"p90_p10", f.P90P10, l.P90P10},
		{"cv", f.CV, l.CV},
	}
}

// Verdict answers "are councils diverging?" in words, from the relative
// measures (coefficient of variation and P90/P10), which do not move just
// because the average does.
func (res *Result) Verdict() string {
	if len(res.Years) < 2 {
		return fmt.Sprintf("Only one year (%d): no change in spread to describe.", res.Years[0].Year)
	}
	f, l := res.Years[0], res.Years[len(res.Years)-1]
	dir := func(a, b float64) int {
		switch {
		case math.IsNaN(a) || math.IsNaN(b):
			return 0
		case b > a:
			return 1
		case b < a:
			return -1
		}
		return 0
	}
	cv, ratio := dir(f.Spread.CV, l.Spread.CV), dir(f.Spread.P90P10, l.Spread.P90P10)
	facts := fmt.Sprintf("from %d to %d the coefficient of variation went from %.3f to %.3f and the P90/P10 ratio from %s to %s (the IQR, in rate units, from %.1f to %.1f)",
		f.Year, l.Year, f.Spread.CV, l.Spread.CV, ratioText(f.Spread.P90P10), ratioText(l.Spread.P90P10), f.Spread.IQR, l.Spread.IQR)
	var verdict string
	switch {
	case cv > 0 && ratio > 0:
		verdict = "councils diverged: both relative measures of spread rose"
	case cv < 0 && ratio < 0:
		verdict = "councils converged: both relative measures of spread fell"
	default:
		verdict = "no clear divergence or convergence: the two relative measures of spread did not move together"
	}
	return fmt.Sprintf("Are councils diverging? %s; %s. This compares two years only, with no test of significance; in small councils a few children more or less move the rate a lot, which adds to the spread.", strings.ToUpper(verdict[:1])+verdict[1:], facts)
}

func ratioText(v float64) string {
	if math.IsNaN(v) {
		return "undefined (P10 is 0)"
	}
	return fmt.Sprintf("%.2f", v)
}

func write(f *cmdutil.Factory, calc *rates.Calculator, res *Result) error {
	m := res.Measure
	sp := export.Section{Name: "spread", Title: "", Columns: []export.Column{
		{Name: "time_period", Decimals: -1}, {Name: "n", Decimals: -1}, {Name: "mean", Decimals: 1}, {Name: "sd", Decimals: 1},
		{Name: "min", Decimals: 1}, {Name: "p10", Decimals: 1}, {Name: "q1", Decimals: 1}, {Name: "median", Decimals: 1},
		{Name: "q3", Decimals: 1}, {Name: "p90", Decimals: 1}, {Name: "max", Decimals: 1},
		{Name: "iqr", Decimals: 1}, {Name: "p90_p10", Decimals: 2}, {Name: "cv", Decimals: 3}}}
	var years []int
	for _, y := range res.Years {
		d := y.Spread
		years = append(years, y.Year)
		sp.Rows = append(sp.Rows, []export.Cell{export.Int(y.Year), export.Int(d.N), export.Num(d.Mean), export.Num(d.SD),
			export.Num(d.Min), export.Num(d.P10), export.Num(d.Q1), export.Num(d.Median), export.Num(d.Q3), export.Num(d.P90), export.Num(d.Max),
			export.Num(d.IQR), export.Num(d.P90P10), export.Num(d.CV)})
	}
	first, last := years[0], years[len(years)-1]
	ch := export.Section{Name: "change", Title: fmt.Sprintf("Change in spread, %d to %d", first, last), Columns: []export.Column{
		{Name: "statistic", Decimals: -1}, {Name: "first_year", Decimals: -1}, {Name: "last_year", Decimals: -1},
		{Name: "first", Decimals: 3}, {Name: "last", Decimals: 3}, {Name: "change", Decimals: 3}, {Name: "change_percent", Decimals: 1}}}
	for _, c := range res.changes() {
		pct := math.NaN()
		if c.first != 0 {
			pct = (c.last - c.first) / c.first * 100
		}
		ch.Rows = append(ch.Rows, []export.Cell{export.Str(c.name), export.Int(first), export.Int(last),
			export.Num(c.first), export.Num(c.last), export.Num(c.last - c.first), export.Num(pct)})
	}
	left := export.Section{Name: "excluded", Title: fmt.Sprintf("Councils left out (%d)", len(res.Left)), Columns: []export.Column{
		{Name: "time_period", Decimals: -1}, {Name: "new_la_code", Decimals: -1}, {Name: "la_name", Decimals: -1}, {Name: "reason", Decimals: -1}}}
	for _, l := range res.Left {
		yc := export.Str("all years")
		if l.Year != 0 {
			yc = export.Int(l.Year)
		}
		left.Rows = append(left.Rows, []export.Cell{yc, export.Str(l.Code), export.Str(l.Name), export.Str(l.Why)})
	}

	var notes []string
	for _, n := range cmdutil.MeasureNotes(calc, []measures.Measure{m}, years) {
		if !strings.HasPrefix(n, "95% confidence intervals") { // no intervals here
			notes = append(notes, n)
		}
	}
	notes = append(notes, "Spread across councils of the rate per 10,000: n councils; mean and sample SD; min, max; quantiles P10, Q1 (25%), median, Q3 (75%), P90 by Hyndman & Fan type 7 (R's default); IQR = Q3 - Q1; p90_p10 = P90 / P10 (undefined when P10 is 0); cv = SD / mean. The change table compares the first and last years.")
	if res.Balanced {
		notes = append(notes, "Balanced panel: only councils with a rate in every year, each the same area throughout.")
	} else {
		notes = append(notes, "Each year counts the councils that reported a rate that year, so n can change; --balanced keeps only councils with a rate in every year.")
		if res.Absent > 0 {
			notes = append(notes, fmt.Sprintf("%d placeholder row(s) for authorities that did not exist in a year (around boundary changes) are not counted.", res.Absent))
		}
	}
	if res.IncludeSmall {
		notes = append(notes, "The Isles of Scilly and the City of London are included (--include-small).")
	} else {
		notes = append(notes, "The Isles of Scilly and the City of London are left out by default: child populations of a few hundred make their rates meaningless (--include-small keeps them).")
	}
	notes = append(notes, res.Notes...)
	notes = append(notes, res.Verdict())
	if f.Format == "csv" {
		for _, l := range res.Left {
			y := "all years"
			if l.Year != 0 {
				y = fmt.Sprint(l.Year)
			}
			notes = append(notes, fmt.Sprintf("left out (%s): %s %s: %s", y, l.Code, l.Name, l.Why))
		}
	}
	title := fmt.Sprintf("Spread across councils: %s per 10,000 children aged 0-17, %s", m.Label, timeperiod.Span(years))
	doc := export.Document{Title: title, Sections: []export.Section{sp, ch, left}, Notes: notes}
	return cmdutil.Print(f, doc)
}
