package correlate

import (
	"fmt"
	"math"
	"strings"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/ofsted"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/spec"
)

// Grouped is a correlation computed within each Ofsted group.
type Grouped struct {
	X, Y     spec.Spec
	Method   string
	When     ofsted.When
	StartYr  int
	Data     *spec.Paired
	Groups   []ofsted.GroupStats // by judgement
	Combined []ofsted.GroupStats // good or outstanding; requires improvement or inadequate
	Source   string
}

// CorrelateByOfsted pairs x and y as Correlate does and splits the
// councils by Ofsted judgement: in force on 31 March of the earliest year
// either spec uses (AtStart), or the latest; then, within each group and
// each combined group, the correlation and the mean of x and of y, with
// 95% intervals.
func CorrelateByOfsted(calc *rates.Calculator, j *ofsted.Judgements, x, y spec.Spec, method string, w ofsted.When, sel spec.Options) (*Grouped, error) {
	p, err := spec.Pair(calc, x, y, nil, sel)
	if err != nil {
		return nil, err
	}
	start := 0
	for _, s := range []spec.Spec{x, y} {
		if f, _ := s.Window(); f != 0 && (start == 0 || f < start) {
			start = f
		}
	}
	if start == 0 && w == ofsted.AtStart {
		return nil, cmdutil.FlagErrorf("--group ofsted needs a year to date the judgement: neither spec has one (use ofsted:latest)")
	}
	g := &Grouped{X: x, Y: y, Method: method, When: w, StartYr: start, Data: p, Source: j.Source.Describe()}
	order, by := j.GroupRows(p.Table, w, ofsted.PeriodStart(start))
	g.Groups = ofsted.Summarise(order, by, method)
	corder, cby := ofsted.CombinedRows(by)
	g.Combined = ofsted.Summarise(corder, cby, method)
	return g, nil
}

func groupRun(opts *Options, x, y spec.Spec, sel spec.Options) error {
	w, err := ofsted.ParseGroup(opts.Group)
	if err != nil {
		return cmdutil.FlagErrorf("--group: %v", err)
	}
	if len(opts.Controls) > 0 || opts.Weight != "" || opts.Influence || opts.Bootstrap > 0 {
		return cmdutil.FlagErrorf("--group works with the plain coefficient: drop --control, --weight, --influence and --bootstrap")
	}
	calc, err := opts.Factory.Calculator()
	if err != nil {
		return err
	}
	j, err := ofsted.Load(opts.Factory.DataDir, calc.Registry)
	if err != nil {
		return err
	}
	g, err := CorrelateByOfsted(calc, j, x, y, opts.Method, w, sel)
	if err != nil {
		return err
	}
	sec := export.Section{Name: "groups", Columns: []export.Column{
		{Name: "group", Decimals: -1}, {Name: "n", Decimals: -1}, {Name: "r", Decimals: 3}, {Name: "ci_lower", Decimals: 3}, {Name: "ci_upper", Decimals: 3},
		{Name: "p_value", Decimals: 4}, {Name: "mean_x", Decimals: 2}, {Name: "mean_x_lower", Decimals: 2}, {Name: "mean_x_upper", Decimals: 2},
		{Name: "mean_y", Decimals: 2}, {Name: "mean_y_lower", Decimals: 2}, {Name: "mean_y_upper", Decimals: 2}, {Name: "note", Decimals: -1}}}
	for _, gs := range append(append([]ofsted.GroupStats(nil), g.Groups...), g.Combined...) {
		row := []export.Cell{export.Str(gs.Group), export.Int(gs.N)}
		note := ""
		if gs.Corr != nil {
			row = append(row, export.Num(gs.Corr.R), export.Num(gs.Corr.CILower), export.Num(gs.Corr.CIUpper), export.Num(gs.Corr.PValue))
		} else {
			row = append(row, export.Num(math.NaN()), export.Num(math.NaN()), export.Num(math.NaN()), export.Num(math.NaN()))
			note = "no coefficient: " + gs.CorrErr.Error()
		}
		mx, my := gs.Means[0], gs.Means[1]
		row = append(row, export.Num(mx.Mean), export.Num(mx.Lower), export.Num(mx.Upper), export.Num(my.Mean), export.Num(my.Lower), export.Num(my.Upper), export.Str(note))
		sec.Rows = append(sec.Rows, row)
	}
	notes := []string{
		fmt.Sprintf("x = %s; y = %s.", g.X.Describe(), g.Y.Describe()),
		"Groups: " + g.When.Describe(ofsted.PeriodStart(g.StartYr)) + ". The last two rows combine them: good or outstanding, and requires improvement or inadequate (the 'low performing' councils of The Way Forward); councils not yet inspected under ILACS are in neither. Source: " + g.Source + ".",
		strings.Split(methodNote(g.Method, 0), "; slope")[0] + ". Means: 95% t intervals across the group's councils.",
		"Small groups give wide intervals; a difference between groups' coefficients is not tested here.",
		Caveat,
	}
	notes = append(notes, sourceNotes(calc, []spec.Spec{g.X, g.Y})...)
	notes = append(notes, g.Data.Notes...)
	var left []string
	for _, e := range g.Data.Excluded {
		left = append(left, e.Name+" ("+e.Kind+")")
	}
	if len(left) > 0 {
		notes = append(notes, fmt.Sprintf("Left out (%d): %s.", len(left), strings.Join(left, "; ")))
	}
	f := opts.Factory
	title := fmt.Sprintf("Correlation by Ofsted judgement: %s against %s", g.X, g.Y)
	return export.Write(f.IOStreams.Out, f.IOStreams.ErrOut, f.Format, export.Document{Title: title, Sections: []export.Section{sec}, Notes: notes})
}
