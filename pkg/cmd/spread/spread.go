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
	"github.com/cscstats/cscstats/pkg/divergence"
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
	Bootstrap    int    // resamples for the change intervals; 0: none
	Seed         uint64 // bootstrap seed
	Group        string // "ofsted" or "ofsted:latest": spread by Ofsted judgement
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
(P90/P10), the coefficient of variation (sample SD / mean), and the spread
net of Poisson noise (net_spread = tau / England's rate, where tau^2 is the
between-council variance of the funnel plot's overdispersion estimate:
what is left of the spread once the chance variation of small counts is
taken out); then the change in each from the first to the last year. A
rising coefficient of variation and P90/P10 ratio mean councils are moving
apart relative to the average (diverging); falling ones mean they are
converging.

--bootstrap N --seed S adds a 95% interval for each change from N paired
bootstrap resamples of the councils with a rate in both the first and the
last year (all years with --balanced): a change whose interval includes 0
could well be chance.

Each year counts the councils that reported that year. --balanced keeps
only councils with a rate in every year (former counties harmonised across
boundary changes where possible), so a change in spread cannot come from
councils entering or leaving. The Isles of Scilly and the City of London
are left out by default (tiny child populations make their rates
meaningless); --include-small keeps them.

Quantiles are Hyndman & Fan type 7 (R's default); SD is the sample SD.`,
		Example: `  cscstats spread --measure under1_starts
  cscstats spread --measure s47 --from 2013 --to 2025 --balanced
  cscstats spread --measure under1_starts --bootstrap 2000 --seed 1
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
	cmd.Flags().IntVar(&opts.Bootstrap, "bootstrap", 0, "paired bootstrap resamples for an interval on each change (e.g. 2000; 0: none)")
	cmd.Flags().Uint64Var(&opts.Seed, "seed", 1, "bootstrap random seed (same seed, same intervals)")
	cmd.Flags().StringVar(&opts.Group, "group", "", "split councils by Ofsted judgement: ofsted (in force at the start of the period) or ofsted:latest")
	_ = cmd.MarkFlagRequired("measure")
	_ = cmd.RegisterFlagCompletionFunc("measure", cmdutil.CompleteMeasures)
	return cmd
}

// Year is the spread of one year.
type Year struct {
	Year   int
	Spread stats.Spread
	// Net is the spread net of Poisson noise, τ/England's rate (see
	// divergence.Stats); NaN when it could not be estimated.
	Net float64
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
	// Changes are the first-to-last changes with, after Bootstrap, their
	// intervals.
	Changes []divergence.Change
	// Paired is the number of councils the bootstrap resampled (0: none).
	Paired    int
	Bootstrap int
	Seed      uint64
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
	if opts.Bootstrap < 0 {
		return cmdutil.FlagErrorf("--bootstrap: %d resamples; give 0 (none) or a positive number such as 2000", opts.Bootstrap)
	}
	if opts.Group != "" {
		return groupRun(opts, calc, m, from, to)
	}
	sel := spec.Options{IncludeSmall: opts.IncludeSmall, Exclude: opts.Exclude}
	res, err := Compute(calc, m, from, to, sel, opts.Balanced)
	if err != nil {
		return err
	}
	if err := res.Bootstrapped(calc, sel, opts.Bootstrap, opts.Seed); err != nil {
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
	if len(years) == 0 && len(calc.Years(m.ID)) == 0 {
		return nil, calc.Store.NoDataFor(m.ID)
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
		var vals, pops []float64
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
			pops = append(pops, r.Population)
		}
		if len(vals) == 0 {
			return nil, fmt.Errorf("no council has a %s rate in %d", m.ID, y)
		}
		d, err := stats.Describe(vals)
		if err != nil {
			return nil, err
		}
		res.Years = append(res.Years, Year{Year: y, Spread: d, Net: netSpread(calc, m.ID, y, vals, pops)})
	}
	return res, nil
}

// netSpread is τ/England's rate over the councils of one year, or NaN.
func netSpread(calc *rates.Calculator, measure string, year int, vals, pops []float64) float64 {
	e := calc.Get(measure, rates.England(), year)
	if !e.OK() || !(e.Value > 0) {
		return math.NaN()
	}
	s, err := divergence.Describe(vals, pops, e.Value)
	if err != nil {
		return math.NaN()
	}
	return s.Net
}

// Bootstrapped sets res.Changes: the change in each statistic from the
// first to the last year, over the councils with a rate in both (every
// year when balanced), with paired bootstrap intervals from n resamples
// (none when n is 0).
func (res *Result) Bootstrapped(calc *rates.Calculator, sel spec.Options, n int, seed uint64) error {
	if len(res.Years) < 2 {
		return nil
	}
	years := []int{res.Years[0].Year, res.Years[len(res.Years)-1].Year}
	if res.Balanced {
		years = nil
		for _, y := range res.Years {
			years = append(years, y.Year)
		}
	}
	p, err := divergence.Balanced(calc, res.Measure.ID, years, sel)
	if err != nil {
		if n == 0 && !res.Balanced {
			// no councils in both years: the change table compares each
			// year's own councils, as the notes then say
			return nil
		}
		return err
	}
	ch, err := p.Change(0, len(years)-1, n, 0.95, seed)
	if err != nil {
		return err
	}
	res.Changes, res.Paired, res.Bootstrap, res.Seed = ch, len(p.Units), n, seed
	return nil
}

// balanced describes the councils with a rate in every year, as units that
// stay the same area throughout (see spec.Units and divergence.Balanced).
func (res *Result) balanced(calc *rates.Calculator, years []int, sel spec.Options) error {
	p, err := divergence.Balanced(calc, res.Measure.ID, years, sel)
	if err != nil {
		return err
	}
	for i, y := range years {
		st, err := p.Year(i)
		if err != nil {
			return err
		}
		res.Years = append(res.Years, Year{Year: y, Spread: st.Spread, Net: st.Net})
	}
	for _, e := range p.Excluded {
		res.Left = append(res.Left, Left{Code: e.Code, Name: e.Name, Why: e.Reason})
	}
	res.Notes = p.Notes
	return nil
}

// changes are the first-to-last changes: n, then res.Changes (over the
// councils with a rate in both years, with any bootstrap intervals), or,
// without them, the year rows' own statistics.
func (res *Result) changes() []divergence.Change {
	f, l := res.Years[0], res.Years[len(res.Years)-1]
	nan := math.NaN()
	out := []divergence.Change{{Statistic: "n", First: float64(f.Spread.N), Last: float64(l.Spread.N), Change: float64(l.Spread.N - f.Spread.N), Lower: nan, Upper: nan}}
	if len(res.Changes) > 0 {
		return append(out, res.Changes...)
	}
	for _, c := range []struct {
		name string
		a, b float64
	}{{"mean", f.Spread.Mean, l.Spread.Mean}, {"median", f.Spread.Median, l.Spread.Median}, {"sd", f.Spread.SD, l.Spread.SD},
		{"iqr", f.Spread.IQR, l.Spread.IQR}, {"p90_p10", f.Spread.P90P10, l.Spread.P90P10}, {"cv", f.Spread.CV, l.Spread.CV}, {"net_spread", f.Net, l.Net}} {
		out = append(out, divergence.Change{Statistic: c.name, First: c.a, Last: c.b, Change: c.b - c.a, Lower: nan, Upper: nan})
	}
	return out
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
	out := fmt.Sprintf("Are councils diverging? %s; %s.", strings.ToUpper(verdict[:1])+verdict[1:], facts)
	var cvc, net *divergence.Change
	for i := range res.Changes {
		switch res.Changes[i].Statistic {
		case "cv":
			cvc = &res.Changes[i]
		case "net_spread":
			net = &res.Changes[i]
		}
	}
	if res.Bootstrap > 0 && cvc != nil && !math.IsNaN(cvc.Lower) {
		sig := "the interval includes 0, so the change could well be chance"
		if cvc.Lower > 0 || cvc.Upper < 0 {
			sig = "the interval excludes 0"
		}
		out += fmt.Sprintf(" Over the %d councils with a rate in both years the CV changed by %+.3f (95%% paired bootstrap interval %.3f to %.3f, %d resamples, seed %d): %s.", res.Paired, cvc.Change, cvc.Lower, cvc.Upper, res.Bootstrap, res.Seed, sig)
		if net != nil && !math.IsNaN(net.Lower) {
			out += fmt.Sprintf(" Net of Poisson noise the spread went from %.3f to %.3f of England's rate (change %+.3f, interval %.3f to %.3f).", net.First, net.Last, net.Change, net.Lower, net.Upper)
		}
		return out
	}
	return out + " This compares two years without a test (add --bootstrap 2000 for intervals); in small councils a few children more or less move the rate a lot, which adds to the spread (net_spread takes that out)."
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
		{Name: "iqr", Decimals: 1}, {Name: "p90_p10", Decimals: 2}, {Name: "cv", Decimals: 3}, {Name: "net_spread", Decimals: 3}}}
	var years []int
	for _, y := range res.Years {
		d := y.Spread
		years = append(years, y.Year)
		sp.Rows = append(sp.Rows, []export.Cell{export.Int(y.Year), export.Int(d.N), export.Num(d.Mean), export.Num(d.SD),
			export.Num(d.Min), export.Num(d.P10), export.Num(d.Q1), export.Num(d.Median), export.Num(d.Q3), export.Num(d.P90), export.Num(d.Max),
			export.Num(d.IQR), export.Num(d.P90P10), export.Num(d.CV), export.Num(y.Net)})
	}
	first, last := years[0], years[len(years)-1]
	chTitle := fmt.Sprintf("Change in spread, %d to %d", first, last)
	if res.Paired > 0 && !res.Balanced {
		chTitle += fmt.Sprintf(", over the %d councils with a rate in both years", res.Paired)
	}
	ch := export.Section{Name: "change", Title: chTitle, Columns: []export.Column{
		{Name: "statistic", Decimals: -1}, {Name: "first_year", Decimals: -1}, {Name: "last_year", Decimals: -1},
		{Name: "first", Decimals: 3}, {Name: "last", Decimals: 3}, {Name: "change", Decimals: 3}, {Name: "change_percent", Decimals: 1},
		{Name: "ci_lower", Decimals: 3}, {Name: "ci_upper", Decimals: 3}}}
	for _, c := range res.changes() {
		pct := math.NaN()
		if c.First != 0 {
			pct = (c.Last - c.First) / c.First * 100
		}
		ch.Rows = append(ch.Rows, []export.Cell{export.Str(c.Statistic), export.Int(first), export.Int(last),
			export.Num(c.First), export.Num(c.Last), export.Num(c.Change), export.Num(pct), export.Num(c.Lower), export.Num(c.Upper)})
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
	notes = append(notes, "Spread across councils of the rate per 10,000: n councils; mean and sample SD (divisor n - 1); min, max; quantiles P10, Q1 (25%), median, Q3 (75%), P90 by Hyndman & Fan type 7 (R's default); IQR = Q3 - Q1; p90_p10 = P90 / P10 (undefined when P10 is 0); cv = sample SD / mean; net_spread = tau / England's rate, where tau^2 is the between-council variance left after Poisson noise (the funnel plot's overdispersion estimate: z-scores around England's rate winsorised at their 10th and 90th percentiles, Spiegelhalter 2005), so small councils' chance swings do not count as divergence.")
	if len(res.Changes) > 0 && !res.Balanced {
		notes = append(notes, fmt.Sprintf("The change table (except n) is over the %d councils with a rate in both the first and the last year, so that councils entering or leaving do not count as a change in spread.", res.Paired))
	}
	if res.Bootstrap > 0 {
		notes = append(notes, fmt.Sprintf("ci_lower, ci_upper: 95%% percentile intervals for each change from %d paired bootstrap resamples of those councils (each council's two years kept together), seed %d; the same seed gives the same intervals.", res.Bootstrap, res.Seed))
	}
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
