package spread

import (
	"fmt"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/ofsted"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/spec"
	"github.com/cscstats/cscstats/pkg/stats"
	"github.com/cscstats/cscstats/pkg/timeperiod"
	"time"
)

// GroupYear is one group's spread in one year.
type GroupYear struct {
	Year   int
	Group  string
	Spread stats.Spread
	Mean   ofsted.MeanCI
}

// GroupChange is one group's mean change from the first to the last year,
// over the councils with a rate in both.
type GroupChange struct {
	Group  string
	Change ofsted.MeanCI
}

// Grouped is the spread of a measure by Ofsted group.
type Grouped struct {
	Measure     measures.Measure
	When        ofsted.When
	Start       time.Time
	First, Last int
	Years       []GroupYear
	Changes     []GroupChange
	Notes       []string
}

// ComputeGrouped works out, for each year from..to and each Ofsted group,
// the spread and mean (95% CI) of the measure across the councils in the
// group, and each group's mean change from the first year to the last.
// Councils are the units of spec.Collect over the whole period (so the
// same area in every year, former counties harmonised); the Isles of Scilly
// and the City of London follow sel.
func ComputeGrouped(calc *rates.Calculator, j *ofsted.Judgements, m measures.Measure, from, to int, w ofsted.When, sel spec.Options) (*Grouped, error) {
	var years []int
	for _, y := range calc.Years(m.ID) {
		if (from == 0 || y >= from) && (to == 0 || y <= to) {
			years = append(years, y)
		}
	}
	if len(years) == 0 {
		return nil, fmt.Errorf("no %s data between %s; years available: %s", m.ID, timeperiod.RangeText(from, to), timeperiod.Span(calc.Years(m.ID)))
	}
	g := &Grouped{Measure: m, When: w, First: years[0], Last: years[len(years)-1], Start: ofsted.PeriodStart(years[0])}
	if g.First == g.Last {
		return nil, fmt.Errorf("--group compares a period: %s has one year between %s (%d); give --from and --to further apart", m.ID, timeperiod.RangeText(from, to), g.First)
	}
	// Column 0, the change over the whole period, keeps each year to the
	// councils with a rate in the first and last years (the councils of
	// the change table), as the same areas throughout.
	whole := spec.Spec{Measure: m.ID, Stat: spec.Change, From: g.First, To: g.Last}
	for _, y := range years {
		t, err := spec.Collect(calc, []spec.Spec{whole, {Measure: m.ID, Stat: spec.Level, From: y, To: y}}, sel)
		if err != nil {
			return nil, err
		}
		order, by := j.GroupRows(t, w, g.Start)
		for _, grp := range order {
			v := ofsted.Column(by[grp], 1)
			d, err := stats.Describe(v)
			if err != nil {
				return nil, err
			}
			g.Years = append(g.Years, GroupYear{Year: y, Group: grp, Spread: d, Mean: ofsted.Mean(v, 0.95)})
		}
	}
	t, err := spec.Collect(calc, []spec.Spec{whole}, sel)
	if err != nil {
		return nil, err
	}
	order, by := j.GroupRows(t, w, g.Start)
	for _, grp := range order {
		g.Changes = append(g.Changes, GroupChange{Group: grp, Change: ofsted.Mean(ofsted.Column(by[grp], 0), 0.95)})
	}
	g.Notes = t.Notes
	return g, nil
}

func groupRun(opts *Options, calc *rates.Calculator, m measures.Measure, from, to int) error {
	w, err := ofsted.ParseGroup(opts.Group)
	if err != nil {
		return cmdutil.FlagErrorf("--group: %v", err)
	}
	if opts.Balanced {
		return cmdutil.FlagErrorf("--group already uses councils with a rate in the years compared; drop --balanced")
	}
	j, err := ofsted.Load(opts.Factory.DataDir, calc.Registry)
	if err != nil {
		return err
	}
	g, err := ComputeGrouped(calc, j, m, from, to, w, spec.Options{IncludeSmall: opts.IncludeSmall, Exclude: opts.Exclude})
	if err != nil {
		return err
	}
	f := opts.Factory
	ys := export.Section{Name: "groups", Columns: []export.Column{
		{Name: "time_period", Decimals: -1}, {Name: "group", Decimals: -1}, {Name: "n", Decimals: -1}, {Name: "mean", Decimals: 1},
		{Name: "mean_lower", Decimals: 1}, {Name: "mean_upper", Decimals: 1}, {Name: "median", Decimals: 1}, {Name: "q1", Decimals: 1},
		{Name: "q3", Decimals: 1}, {Name: "iqr", Decimals: 1}, {Name: "cv", Decimals: 3}}}
	for _, y := range g.Years {
		d := y.Spread
		ys.Rows = append(ys.Rows, []export.Cell{export.Int(y.Year), export.Str(y.Group), export.Int(d.N), export.Num(y.Mean.Mean),
			export.Num(y.Mean.Lower), export.Num(y.Mean.Upper), export.Num(d.Median), export.Num(d.Q1), export.Num(d.Q3), export.Num(d.IQR), export.Num(d.CV)})
	}
	ch := export.Section{Name: "group_change", Title: fmt.Sprintf("Mean change in the rate, %d to %d, by group", g.First, g.Last), Columns: []export.Column{
		{Name: "group", Decimals: -1}, {Name: "n", Decimals: -1}, {Name: "mean_change", Decimals: 1}, {Name: "lower", Decimals: 1}, {Name: "upper", Decimals: 1}}}
	for _, c := range g.Changes {
		ch.Rows = append(ch.Rows, []export.Cell{export.Str(c.Group), export.Int(c.Change.N), export.Num(c.Change.Mean), export.Num(c.Change.Lower), export.Num(c.Change.Upper)})
	}
	notes := cmdutil.MeasureNotes(calc, []measures.Measure{m}, []int{g.First, g.Last})
	notes = append(notes,
		"Groups: "+w.Describe(g.Start)+". Source: "+j.Source.Describe()+". The file holds ILACS inspections from January 2018 only, so councils first inspected later are 'not yet inspected' for earlier start dates.",
		"Councils: those with a rate in the first and last years and in the year shown (the same area throughout: a former county stands for its successors). mean_lower and mean_upper: 95% t interval of the mean across the group's councils; iqr = q3 - q1 (type 7 quantiles); cv = SD / mean.",
		"An Ofsted grade is set beside these rates, not shown to cause them: councils judged differently differ in many other ways (deprivation, size, local policy, how they record cases), and a judgement may itself respond to the same pressures. Small groups (Outstanding, Inadequate) have wide intervals.")
	notes = append(notes, g.Notes...)
	title := fmt.Sprintf("%s per 10,000 children aged 0-17 by Ofsted judgement, %d-%d", m.Label, g.First, g.Last)
	return export.Write(f.IOStreams.Out, f.IOStreams.ErrOut, f.Format, export.Document{Title: title, Sections: []export.Section{ys, ch}, Notes: notes})
}
