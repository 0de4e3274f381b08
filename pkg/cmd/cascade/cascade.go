// Package cascade is the `cscstats cascade` command: the child protection
// cascade for one council and England, year by year, as rates and as the
// conversion ratio at each step, with impossible ratios flagged.
package cascade

import (
	"fmt"
	"github.com/cscstats/cscstats/pkg/timeperiod"
	"math"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/rates"
)

// Options are the command's flags and dependencies.
type Options struct {
	Factory  *cmdutil.Factory
	Name     string
	From, To string
}

// Bound says whether a step's ratio can exceed 100.
type Bound int

const (
	// Unbounded: the two counts are of different children or years, so
	// any ratio is possible; never flagged.
	Unbounded Bound = iota
	// Soft: above 100 is possible only through events outside the cascade
	// (referrals from an earlier year, transfer-in conferences); flagged
	// "check".
	Soft
	// Hard: above 100 cannot happen (a subset, or a step that needs the one
	// before it); flagged as a data problem.
	Hard
)

// Step is one step of the cascade.
type Step struct {
	Measure string // measure ID
	Of      string // the measure its ratio is per 100 of; "" for the first
	Bound   Bound
	Ratio   string // "ICPCs per 100 s47 enquiries"
	Why     string // why the bound holds or does not
}

// Steps is the cascade, in order.
var Steps = []Step{
	{Measure: "referrals"},
	{Measure: "s47", Of: "referrals", Bound: Soft, Ratio: "s47 enquiries per 100 referrals",
		Why: "an enquiry needs an open case, nearly always from a referral; enquiries on cases referred in an earlier year, or a second enquiry on the same referral, can in principle lift it above 100, so that is flagged \"check\""},
	{Measure: "icpc", Of: "s47", Bound: Hard, Ratio: "ICPCs per 100 s47 enquiries",
		Why: "every initial child protection conference follows a section 47 enquiry (DfE counts the days from the enquiry's start to the conference), so more conferences than enquiries is impossible bar a handful carried over from enquiries started just before 1 April: flagged as a data problem"},
	{Measure: "cpp_starts", Of: "icpc", Bound: Soft, Ratio: "plan starts per 100 ICPCs",
		Why: "a plan starts at a conference; transfer-in conferences for children moving in on a plan from another authority are not ICPCs, so a little above 100 is possible; flagged \"check\""},
	{Measure: "cla_starts", Of: "cpp_starts", Bound: Unbounded, Ratio: "children starting care per 100 plan starts",
		Why: "most children who start to be looked after were never on a plan (for example accommodated by agreement, or unaccompanied asylum-seeking children), so this is a relative size, not a conversion; not flagged"},
	{Measure: "under1_starts", Of: "cla_starts", Bound: Hard, Ratio: "starts aged under 1 per 100 children starting care",
		Why: "children starting care aged under 1 are a subset of all children starting care: above 100 is impossible and flagged as a data problem"},
	{Measure: "adoptions", Of: "cla_starts", Bound: Unbounded, Ratio: "adoptions per 100 children starting care",
		Why: "children adopted in a year mostly started care in earlier years, so this is a relative size, not a conversion; not flagged"},
}

// NewCmdCascade wires the cobra command.
func NewCmdCascade(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "cascade NAME [--from YEAR --to YEAR]",
		Short: "The child protection cascade for a council and England, year by year",
		Long: `The child protection cascade for one council and England, for each year:

  referrals → s47 enquiries → initial child protection conferences (ICPCs)
  → child protection plans started → children starting to be looked after
  (and, of them, those aged under 1) → adoptions

each as a rate per 10,000 children aged 0-17 and as a ratio to the step
before it (e.g. ICPCs per 100 s47 enquiries).

Ratios that cannot exceed 100 (ICPCs per 100 s47 enquiries; starts aged
under 1 per 100 starts) are flagged as data problems when they do; ratios
that can only exceed 100 through events outside the cascade (s47
enquiries per 100 referrals; plan starts per 100 ICPCs) are flagged
"check"; the last steps compare different children and are never
flagged. The notes give the reasoning for each step.

Years run from the earliest to the latest any step has (--from/--to
narrow them); steps without data in a year are left empty, and CSV output
leaves their cells empty, never zero.`,
		Example: `  cscstats cascade Leeds
  cscstats cascade Oldham --from 2013 --to 2016
  cscstats cascade Leeds --from 2021 --format csv > leeds_cascade.csv`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = strings.Join(args, " ")
			if runF != nil {
				return runF(opts)
			}
			return cascadeRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.From, "from", "", "first reporting year (default: earliest available)")
	cmd.Flags().StringVar(&opts.To, "to", "", "last reporting year (default: latest available)")
	return cmd
}

// Cell is one step in one year for one area.
type Cell struct {
	Rate  rates.Rate
	Per   float64 // per 100 of the step's Of; NaN when either count is missing or Of is 0
	Flag  string  // "", "data problem" or "check"
	Avail bool    // the measure has data for the year at all
}

// Line is one year and step for the council and England.
type Line struct {
	Year    int
	Step    Step
	Council Cell
	England Cell
}

// Compute builds the cascade for one area and England over years.
func Compute(calc *rates.Calculator, area rates.Area, years []int) []Line {
	var out []Line
	for _, y := range years {
		la := map[string]rates.Rate{}
		en := map[string]rates.Rate{}
		for _, s := range Steps {
			la[s.Measure] = rateIn(calc, s.Measure, area, y)
			en[s.Measure] = rateIn(calc, s.Measure, rates.England(), y)
		}
		for _, s := range Steps {
			l := Line{Year: y, Step: s, Council: cell(s, la, calc, y), England: cell(s, en, calc, y)}
			out = append(out, l)
		}
	}
	return out
}

func rateIn(calc *rates.Calculator, m string, area rates.Area, y int) rates.Rate {
	if !timeperiod.Contains(calc.Years(m), y) {
		return rates.Rate{Measure: m, Year: y, Area: area, Count: ees.Missing(ees.NotAvailable), Value: math.NaN(), Lower: math.NaN(), Upper: math.NaN(), Note: fmt.Sprintf("no %s data for %d in the data directory", m, y)}
	}
	if s := calc.Series(m, area, y, y); len(s) == 1 {
		return s[0]
	}
	return calc.Get(m, area, y)
}

func cell(s Step, rs map[string]rates.Rate, calc *rates.Calculator, y int) Cell {
	c := Cell{Rate: rs[s.Measure], Per: math.NaN(), Avail: timeperiod.Contains(calc.Years(s.Measure), y)}
	if s.Of == "" {
		return c
	}
	of := rs[s.Of]
	if c.Rate.Count.OK() && of.Count.OK() && of.Count.Number > 0 {
		c.Per = c.Rate.Count.Number / of.Count.Number * 100
		if c.Per > 100 {
			switch s.Bound {
			case Hard:
				c.Flag = "data problem"
			case Soft:
				c.Flag = "check"
			}
		}
	}
	return c
}

func label(id string) string {
	m, err := measures.Lookup(id)
	if err != nil {
		return id
	}
	return m.Label
}

func cascadeRun(opts *Options) error {
	from, to, err := cmdutil.ParseRange(opts.From, opts.To)
	if err != nil {
		return err
	}
	calc, err := opts.Factory.Calculator()
	if err != nil {
		return err
	}
	a, via, err := calc.Registry.Resolve(opts.Name)
	if err != nil {
		return err
	}
	var years, all []int
	for _, s := range Steps {
		for _, y := range calc.Years(s.Measure) {
			all = timeperiod.Append(all, y)
			if (from == 0 || y >= from) && (to == 0 || y <= to) {
				years = timeperiod.Append(years, y)
			}
		}
	}
	if len(years) == 0 {
		if len(all) == 0 {
			return fmt.Errorf("no cascade measures in the data directory; run `cscstats measures` to see what is there, or `cscstats fetch`")
		}
		return fmt.Errorf("no cascade data between %s; years available: %s", timeperiod.RangeText(from, to), timeperiod.Span(all))
	}
	area := rates.LAArea(a)
	lines := Compute(calc, area, years)

	sec := export.Section{Name: "cascade", Columns: []export.Column{
		{Name: "la_name", Decimals: -1}, {Name: "time_period", Decimals: -1}, {Name: "step", Decimals: -1},
		{Name: "count", Decimals: -1}, {Name: "rate_per_10k", Decimals: 1}, {Name: "per_100", Decimals: 1}, {Name: "per_100_of", Decimals: -1},
		{Name: "england_rate_per_10k", Decimals: 1}, {Name: "england_per_100", Decimals: 1}, {Name: "check", Decimals: -1},
	}}
	var flagged, harmonised []string
	for _, l := range lines {
		count := export.MissingCell(l.Council.Rate.Count.String())
		if l.Council.Rate.Count.OK() {
			count = export.Num(l.Council.Rate.Count.Number)
		} else if !l.Council.Avail {
			count = export.MissingCell("")
		}
		var checks []string
		if l.Council.Flag != "" {
			checks = append(checks, fmt.Sprintf("%s: over 100", l.Council.Flag))
			flagged = append(flagged, fmt.Sprintf("%s %d: %s = %.1f (%s: %s %s, %s %s)", a.Name, l.Year, l.Step.Ratio, l.Council.Per, l.Council.Flag,
				fmtCount(l.Council.Rate), l.Step.Measure, fmtCount(rateOf(lines, l.Year, l.Step.Of, false)), l.Step.Of))
		}
		if l.England.Flag != "" {
			checks = append(checks, fmt.Sprintf("England %s: over 100", l.England.Flag))
			flagged = append(flagged, fmt.Sprintf("England %d: %s = %.1f (%s)", l.Year, l.Step.Ratio, l.England.Per, l.England.Flag))
		}
		if l.Council.Rate.Basis == rates.Harmonised {
			harmonised = append(harmonised, fmt.Sprintf("%d %s: %s", l.Year, l.Step.Measure, l.Council.Rate.Note))
		}
		sec.Rows = append(sec.Rows, []export.Cell{
			export.Str(a.Name), export.Int(l.Year), export.Str(l.Step.Measure), count,
			export.Num(l.Council.Rate.Value), export.Num(l.Council.Per), export.Str(l.Step.Of),
			export.Num(l.England.Rate.Value), export.Num(l.England.Per), export.Str(strings.Join(checks, "; ")),
		})
	}

	var ms []measures.Measure
	var coverage []string
	for _, s := range Steps {
		m, _ := measures.Lookup(s.Measure)
		ms = append(ms, m)
		var in []int
		for _, y := range calc.Years(s.Measure) {
			if timeperiod.Contains(years, y) {
				in = append(in, y)
			}
		}
		span := timeperiod.Span(in)
		if span == "" {
			span = "none"
		}
		coverage = append(coverage, fmt.Sprintf("%s %s", s.Measure, span))
	}
	var notes []string
	if via != nil {
		notes = append(notes, fmt.Sprintf("%q is %s; its children's services are run by %s, which is shown.", opts.Name, via.Describe(), a.Name))
	}
	notes = append(notes, "Steps: "+stepsText()+". per_100 is the step's count per 100 of the count named in per_100_of, in the same year and area; rates are per 10,000 children aged 0-17.")
	notes = append(notes, "Years with data in the data directory, by step: "+strings.Join(coverage, "; ")+". Empty cells mean no figure (a step not published for that year, or a suppressed count); they are never zero.")
	for _, s := range Steps[1:] {
		kind := map[Bound]string{Hard: "bounded at 100", Soft: "normally at most 100", Unbounded: "not bounded"}[s.Bound]
		notes = append(notes, fmt.Sprintf("%s (%s): %s.", s.Ratio, kind, s.Why))
	}
	if len(flagged) > 0 {
		notes = append(notes, fmt.Sprintf("%d ratio(s) over 100 flagged; a \"data problem\" is a figure that cannot be right as published, not a finding about practice: %s.", len(flagged), strings.Join(flagged, "; ")))
	} else {
		notes = append(notes, "No ratio over 100 in these years.")
	}
	for _, h := range harmonised {
		notes = append(notes, a.Name+" "+h+".")
	}
	notes = append(notes, cmdutil.MeasureNotes(calc, ms, years)...)
	doc := export.Document{
		Title:    fmt.Sprintf("Child protection cascade: %s (%s) and England, %s", a.Name, a.Code, timeperiod.Span(years)),
		Sections: []export.Section{sec},
		Notes:    notes,
	}
	return cmdutil.Print(opts.Factory, doc)
}

func stepsText() string {
	var parts []string
	for _, s := range Steps {
		parts = append(parts, fmt.Sprintf("%s (%s)", s.Measure, label(s.Measure)))
	}
	return strings.Join(parts, " → ")
}

func rateOf(lines []Line, year int, measure string, england bool) rates.Rate {
	for _, l := range lines {
		if l.Year == year && l.Step.Measure == measure {
			if england {
				return l.England.Rate
			}
			return l.Council.Rate
		}
	}
	return rates.Rate{}
}

func fmtCount(r rates.Rate) string {
	if r.Count.OK() {
		return fmt.Sprintf("%.0f", r.Count.Number)
	}
	return r.Count.String()
}
