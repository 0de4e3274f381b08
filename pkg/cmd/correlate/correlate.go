// Package correlate is the `cscstats correlate` command: the correlation
// across councils between two council-level statistics (specs), with its
// confidence interval, p-value, the councils used and every council left
// out with the reason; optionally a partial correlation, population
// weights, leave-one-out influence, a bootstrap interval, or a matrix of
// several measures.
package correlate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/safetext"
	"github.com/cscstats/cscstats/pkg/spec"
	"github.com/cscstats/cscstats/pkg/stats"
)

// DefaultSeed seeds the bootstrap unless --seed says otherwise (the date
// the Independent Review of Children's Social Care reported, 23 May 2022).
const DefaultSeed uint64 = 20220523

// Level is the confidence level of every interval.
const Level = 0.95

// InfluenceTop is how many councils --influence lists.
const InfluenceTop = 10

// Caveat is printed with every result.
const Caveat = "Correlation across councils is not causation: councils where one figure is higher may differ in many other ways (deprivation, local policy, how they record cases), and either figure may drive the other or both may follow something else. " +
	"These are area-level figures: they describe councils, not children or families, so they cannot show that the same thing holds for individual families (the ecological fallacy)."

// Options are the command's flags and dependencies.
type Options struct {
	Factory      *cmdutil.Factory
	X, Y         string
	Controls     []string
	Method       string
	Weight       string
	Exclude      []string
	IncludeSmall bool
	Influence    bool
	Bootstrap    int
	Seed         uint64
	Matrix       bool
	Measures     []string
	Stat         string
	// AdjustBaseline adds, for change statistics, the partial correlation
	// of the later levels controlling for both earlier levels (ANCOVA).
	AdjustBaseline bool
	Group          string // "ofsted" or "ofsted:latest": the correlation within each Ofsted group
}

// NewCmdCorrelate wires the cobra command; runF replaces the run function
// in tests of flag parsing.
func NewCmdCorrelate(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "correlate --x SPEC --y SPEC [--control SPEC ...] [--method pearson|spearman|kendall]",
		Short: "Correlation across councils between two council-level statistics",
		Long: `Correlation across councils between two statistics, each written as a spec
MEASURE:STAT:

  level@YEAR       the rate per 10,000 children aged 0-17 in YEAR
  change@Y1-Y2     rate in Y2 minus rate in Y1
  pct@Y1-Y2        percent change in the rate
  logratio@Y1-Y2   ln(rate Y2 / rate Y1)
  slope@Y1-Y2      least-squares slope of the yearly rates (needs values in
                   at least 3 years of the window)
  imd:score        IMD 2019 average score (from the IMD 2019 upper-tier
                   summaries in the data directory, e.g. reference/imd19.csv)

Years are reporting years ending 31 March. One point per council. Where the
years cross a boundary change that split a council (Northamptonshire 2021,
Cumbria 2023), the former county is used, its later years summed over its
successors; councils formed from several (Bournemouth, Christchurch and
Poole; Dorset, 2019) are left out when the years start before 2020. The
Isles of Scilly and the City of London are left out by default (tiny child
populations); every council left out is listed with the reason.

Output: n, the coefficient, its 95% confidence interval (Fisher z; for
Spearman and Kendall with the Fieller-Hartley-Pearson variances), the
two-sided p-value and, for Pearson, the least-squares slope with its 95%
interval. --control gives the partial correlation (df = n - 2 - controls).
--weight population weights each council by its 0-17 population in the
latest year the specs use (the rate denominator); the interval and p-value
then use Kish's effective sample size (sum w)^2 / sum w^2, not n.

When x or y is a change, the notes say how strongly each change correlates
with its own starting level (regression to the mean: councils that start
high tend to fall) and, for small counts, how much of the change's spread
is Poisson noise (its reliability), which pulls any correlation towards 0.
--adjust-baseline adds the ANCOVA-style answer: the partial correlation of
the later year's levels of x and y, controlling for both earlier levels. --format json gives one
object: method, x, y, n, r, ci_lower, ci_upper, p_value, slope, controls,
included and excluded (plus bootstrap, influence or weight when asked for);
--format csv gives the included councils (new_la_code,la_name,x,y, plus
control_N and weight columns when used), with the result and the councils
left out on standard error; with json and csv the notes (definitions,
sources, the caveat) go to standard error.

Correlation across councils is not causation, and says nothing about
individual children or families (the ecological fallacy).`,
		Example: `  cscstats correlate --x adoptions:change@2020-2024 --y s47:change@2020-2024
  cscstats correlate --x imd:score --y cla_31march:level@2024 --method spearman
  cscstats correlate --x adoptions:change@2020-2024 --y s47:change@2020-2024 --control imd:score
  cscstats correlate --x adoptions:change@2020-2024 --y s47:change@2020-2024 --adjust-baseline
  cscstats correlate --x imd:score --y s47:level@2024 --influence --bootstrap 2000
  cscstats correlate --matrix --measures s47,icpc,cpp_31march,cla_31march,adoptions --stat change@2021-2024`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return correlateRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.X, "x", "", "first statistic, MEASURE:STAT (e.g. adoptions:change@2020-2024, imd:score)")
	fl.StringVar(&opts.Y, "y", "", "second statistic, MEASURE:STAT")
	fl.StringArrayVar(&opts.Controls, "control", nil, "statistic to partial out (repeatable)")
	fl.StringVar(&opts.Method, "method", stats.MethodPearson, "pearson, spearman or kendall")
	fl.StringVar(&opts.Weight, "weight", "", "weight councils by \"population\" (0-17, latest year used; Pearson only)")
	fl.StringArrayVar(&opts.Exclude, "exclude", nil, "leave out a local authority, by name or code (repeatable)")
	fl.BoolVar(&opts.IncludeSmall, "include-small", false, "keep the Isles of Scilly and the City of London (left out by default)")
	fl.BoolVar(&opts.Influence, "influence", false, fmt.Sprintf("list the %d councils whose removal changes the coefficient most (leave-one-out)", InfluenceTop))
	fl.IntVar(&opts.Bootstrap, "bootstrap", 0, "add a percentile bootstrap 95% interval from N resamples of councils")
	fl.Uint64Var(&opts.Seed, "seed", DefaultSeed, "random seed for --bootstrap")
	fl.BoolVar(&opts.Matrix, "matrix", false, "correlation matrix of several measures (with --measures and --stat)")
	fl.StringSliceVar(&opts.Measures, "measures", nil, "measures for --matrix, comma-separated (imd for imd:score)")
	fl.StringVar(&opts.Stat, "stat", "", "statistic for --matrix, e.g. change@2020-2024")
	fl.BoolVar(&opts.AdjustBaseline, "adjust-baseline", false, "for change statistics: also the partial correlation of the later levels controlling for both earlier levels (ANCOVA)")
	fl.StringVar(&opts.Group, "group", "", "correlate within Ofsted groups: ofsted (judgement in force at the start of the period) or ofsted:latest")
	_ = cmd.RegisterFlagCompletionFunc("method", cobra.FixedCompletions([]string{stats.MethodPearson, stats.MethodSpearman, stats.MethodKendall}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("weight", cobra.FixedCompletions([]string{spec.WeightPopulation}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("measures", cmdutil.CompleteMeasures)
	return cmd
}

func correlateRun(opts *Options) error {
	switch opts.Method {
	case stats.MethodPearson, stats.MethodSpearman, stats.MethodKendall:
	default:
		return cmdutil.FlagErrorf("unknown --method %q; use pearson, spearman or kendall", opts.Method)
	}
	if opts.Weight != "" && opts.Weight != spec.WeightPopulation {
		return cmdutil.FlagErrorf("unknown --weight %q; the only weight is %q (each council's 0-17 population)", opts.Weight, spec.WeightPopulation)
	}
	if opts.Bootstrap < 0 {
		return cmdutil.FlagErrorf("--bootstrap %d: give a number of resamples, such as 2000", opts.Bootstrap)
	}
	sel := spec.Options{IncludeSmall: opts.IncludeSmall, Exclude: opts.Exclude, Weight: opts.Weight}
	if opts.Matrix {
		return matrixRun(opts)
	}
	if len(opts.Measures) > 0 || opts.Stat != "" {
		return cmdutil.FlagErrorf("--measures and --stat go with --matrix; for two statistics use --x and --y")
	}
	if opts.X == "" || opts.Y == "" {
		return cmdutil.FlagErrorf("give both --x and --y, e.g. --x adoptions:change@2020-2024 --y s47:change@2020-2024")
	}
	x, err := spec.Parse(opts.X)
	if err != nil {
		return cmdutil.FlagErrorf("--x: %v", err)
	}
	y, err := spec.Parse(opts.Y)
	if err != nil {
		return cmdutil.FlagErrorf("--y: %v", err)
	}
	if opts.Group != "" {
		return groupRun(opts, x, y, sel)
	}
	controls := []spec.Spec{}
	for _, c := range opts.Controls {
		s, err := spec.Parse(c)
		if err != nil {
			return cmdutil.FlagErrorf("--control: %v", err)
		}
		controls = append(controls, s)
	}
	switch {
	case len(controls) > 0 && opts.Method == stats.MethodKendall:
		return cmdutil.FlagErrorf("--control works with --method pearson or spearman, not kendall")
	case opts.Weight != "" && opts.Method != stats.MethodPearson:
		return cmdutil.FlagErrorf("--weight works with --method pearson only")
	case opts.Weight != "" && len(controls) > 0:
		return cmdutil.FlagErrorf("--weight cannot be combined with --control")
	case (opts.Influence || opts.Bootstrap > 0) && (opts.Weight != "" || len(controls) > 0):
		return cmdutil.FlagErrorf("--influence and --bootstrap work on the plain (unweighted, uncontrolled) coefficient; drop --weight and --control")
	case opts.AdjustBaseline && (!x.IsChange() || !y.IsChange()):
		return cmdutil.FlagErrorf("--adjust-baseline needs a change in both --x and --y (change, pct, logratio or slope over two years), e.g. adoptions:change@2020-2024")
	case opts.AdjustBaseline && opts.Method == stats.MethodKendall:
		return cmdutil.FlagErrorf("--adjust-baseline works with --method pearson or spearman, not kendall")
	}
	calc, err := opts.Factory.Calculator()
	if err != nil {
		return err
	}
	res, err := Correlate(calc, x, y, controls, opts.Method, sel, opts.Influence, opts.Bootstrap, opts.Seed)
	if err != nil {
		return err
	}
	if opts.AdjustBaseline {
		if res.Adjusted, err = AdjustBaseline(calc, x, y, opts.Method, sel); err != nil {
			return err
		}
	}
	ios := opts.Factory.IOStreams
	switch opts.Factory.Format {
	case "json":
		if err := writeJSON(ios.Out, res); err != nil {
			return err
		}
		for _, n := range res.notes(calc) {
			fmt.Fprintln(ios.ErrOut, "note: "+safetext.Terminal(n))
		}
		return nil
	case "csv":
		doc := export.Document{Sections: []export.Section{res.includedSection()}}
		doc.Notes = append(res.resultLines(), res.excludedLines()...)
		doc.Notes = append(doc.Notes, res.notes(calc)...)
		return export.Write(ios.Out, ios.ErrOut, "csv", doc)
	}
	doc := export.Document{Title: res.title(), Sections: []export.Section{res.resultSection(), res.includedSection(), res.excludedSection()}}
	if res.Influence != nil {
		doc.Sections = append(doc.Sections, res.influenceSection())
	}
	doc.Notes = res.notes(calc)
	return cmdutil.Print(opts.Factory, doc)
}

// Result is one correlation with its data.
type Result struct {
	Method string
	Data   *spec.Paired
	Corr   stats.Correlation
	// Bootstrap interval (Replicates > 0 when computed).
	Replicates     int
	Seed           uint64
	BootLo, BootHi float64
	Influence      []Influence // nil unless asked for
	// EffectiveN is Kish's effective sample size of the weights (0 when
	// unweighted); the interval and p-value of a weighted result use it.
	EffectiveN float64
	// Baseline is, for each change statistic among x and y, its
	// correlation with its own first-year level (regression to the mean).
	Baseline []BaselineCorr
	// Reliability is, for each two-year change among x and y, how much of
	// its spread is not Poisson noise.
	Reliability []SpecReliability
	// Adjusted is the --adjust-baseline result, nil unless asked for.
	Adjusted *Adjusted
}

// BaselineCorr is a change statistic's Pearson correlation with its own
// first-year level over the councils used.
type BaselineCorr struct {
	Spec  spec.Spec
	Level spec.Spec
	R     float64
	N     int
}

// SpecReliability is a change statistic's reliability.
type SpecReliability struct {
	Spec spec.Spec
	spec.Reliability
}

// Adjusted is the ANCOVA-style partial correlation: the later year's
// levels of x and y, controlling for both earlier levels.
type Adjusted struct {
	X, Y     spec.Spec   // the later levels
	Controls []spec.Spec // the earlier levels
	Corr     stats.Correlation
}

// AdjustBaseline computes spec.BaselineAdjusted for x and y.
func AdjustBaseline(calc *rates.Calculator, x, y spec.Spec, method string, sel spec.Options) (*Adjusted, error) {
	data, c, err := spec.BaselineAdjusted(calc, x, y, method, sel, Level)
	if err != nil {
		if data != nil {
			return nil, explain(err, len(data.Rows), data)
		}
		return nil, err
	}
	return &Adjusted{X: data.X, Y: data.Y, Controls: data.Controls, Corr: c}, nil
}

// Influence is the coefficient without one council.
type Influence struct {
	Row     spec.Row
	Without float64 // coefficient with the council left out
	Change  float64 // Without − coefficient on all councils
}

// Correlate evaluates the specs on the same councils and computes the
// (partial, weighted) correlation, with leave-one-out influence and a
// bootstrap interval when asked for.
func Correlate(calc *rates.Calculator, x, y spec.Spec, controls []spec.Spec, method string, sel spec.Options, influence bool, boot int, seed uint64) (*Result, error) {
	data, err := spec.Pair(calc, x, y, controls, sel)
	if err != nil {
		return nil, err
	}
	res := &Result{Method: method, Data: data, Seed: seed}
	xs, ys := data.XS(), data.YS()
	n := len(xs)
	switch {
	case len(controls) > 0:
		res.Corr, err = stats.Partial(xs, ys, data.ControlColumns(), method, Level)
	case method == stats.MethodPearson:
		res.Corr, err = stats.Pearson(xs, ys, data.Weights(), Level)
	case method == stats.MethodSpearman:
		res.Corr, err = stats.Spearman(xs, ys, Level)
	default:
		res.Corr, err = stats.Kendall(xs, ys, Level)
	}
	if err != nil {
		return nil, explain(err, n, data)
	}
	if w := data.Weights(); w != nil {
		res.EffectiveN = stats.EffectiveN(w)
		res.Corr = res.Corr.WithEffectiveN(res.EffectiveN, Level)
	}
	if err := res.changeChecks(calc, sel); err != nil {
		return nil, err
	}
	corr, err := stats.Coefficient(method)
	if err != nil {
		return nil, err
	}
	if influence {
		without, err := stats.LeaveOneOut(xs, ys, corr)
		if err != nil {
			return nil, explain(err, n, data)
		}
		for i, w := range without {
			res.Influence = append(res.Influence, Influence{Row: data.Rows[i], Without: w, Change: w - res.Corr.R})
		}
		sort.SliceStable(res.Influence, func(i, j int) bool {
			return math.Abs(res.Influence[i].Change) > math.Abs(res.Influence[j].Change)
		})
		if len(res.Influence) > InfluenceTop {
			res.Influence = res.Influence[:InfluenceTop]
		}
	}
	if boot > 0 {
		res.BootLo, res.BootHi, err = stats.BootstrapCI(xs, ys, corr, boot, Level, seed)
		if err != nil {
			return nil, explain(err, n, data)
		}
		res.Replicates = boot
	}
	return res, nil
}

// changeChecks fills Baseline and Reliability for the change statistics
// among x and y, over the councils used.
func (res *Result) changeChecks(calc *rates.Calculator, sel spec.Options) error {
	d := res.Data
	var units []spec.Unit
	for _, r := range d.Rows {
		units = append(units, r.Unit)
	}
	for k, s := range []spec.Spec{d.X, d.Y} {
		if !s.IsChange() || (k == 1 && s == d.X) {
			continue
		}
		first, _, err := s.Levels()
		if err != nil {
			return err
		}
		lv, err := spec.Evaluate(calc, first, spec.Options{IncludeSmall: true})
		if err != nil {
			return err
		}
		var a, b []float64
		for _, r := range d.Rows {
			if v, ok := lv.Value[r.Unit.Code]; ok {
				a, b = append(a, r.Values[k]), append(b, v)
			}
		}
		if c, err := stats.PearsonR(a, b); err == nil {
			res.Baseline = append(res.Baseline, BaselineCorr{Spec: s, Level: first, R: c, N: len(a)})
		}
		if s.Stat != spec.Slope {
			if rel, err := spec.ChangeReliability(calc, s, units); err == nil {
				res.Reliability = append(res.Reliability, SpecReliability{Spec: s, Reliability: rel})
			}
		}
	}
	return nil
}

// explain turns a statistics error into words about the councils.
func explain(err error, n int, data *spec.Paired) error {
	switch {
	case errors.Is(err, stats.ErrTooFew):
		return fmt.Errorf("only %d council(s) have every value (%d left out; see them with --format csv or json): too few for a correlation (%v)", n, len(data.Excluded), err)
	case errors.Is(err, stats.ErrZeroVariance):
		return fmt.Errorf("one of the statistics has the same value for every council used, so no correlation can be computed (%v)", err)
	case errors.Is(err, stats.ErrCollinear):
		return fmt.Errorf("the controls explain x or y exactly, or each other (%v)", err)
	}
	return err
}

func methodName(method string, controls []spec.Spec) string {
	name := map[string]string{
		stats.MethodPearson:  "Pearson correlation (r)",
		stats.MethodSpearman: "Spearman rank correlation (rho)",
		stats.MethodKendall:  "Kendall rank correlation (tau-b)",
	}[method]
	if len(controls) > 0 {
		var cs []string
		for _, c := range controls {
			cs = append(cs, c.String())
		}
		name = "partial " + name + " controlling for " + strings.Join(cs, ", ")
	}
	return name
}

func (r *Result) title() string {
	return fmt.Sprintf("Correlation across councils: x = %s, y = %s", r.Data.X, r.Data.Y)
}

func num(v float64, digits int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "not available"
	}
	return fmt.Sprintf("%.*f", digits, v)
}

func pText(p float64) string {
	if p < 0.001 {
		return fmt.Sprintf("%.1e", p)
	}
	return fmt.Sprintf("%.3f", p)
}

// slopeText writes a slope and its interval with the same number of
// decimals, about four significant figures of the largest.
func slopeText(b, lo, hi float64) string {
	if math.IsNaN(b) {
		return "not available"
	}
	big := math.Max(math.Abs(b), math.Max(math.Abs(lo), math.Abs(hi)))
	dec := 3
	if big > 0 {
		dec = max(0, 3-int(math.Floor(math.Log10(big))))
	}
	return fmt.Sprintf("%.*f (95%% CI %s to %s)", dec, b, num(lo, dec), num(hi, dec))
}

func (r *Result) ciMethod() string {
	switch {
	case r.Method == stats.MethodSpearman:
		return "Fisher z, variance 1.06/(n-3)"
	case r.Method == stats.MethodKendall:
		return "Fisher z, variance 0.437/(n-4)"
	}
	return "Fisher z"
}

type kv struct{ k, v string }

func (r *Result) resultPairs() []kv {
	c := r.Corr
	out := []kv{
		{"method", methodName(r.Method, r.Data.Controls)},
		{"councils (n)", fmt.Sprint(c.N)},
		{"coefficient", num(c.R, 3)},
		{"95% CI", fmt.Sprintf("%s to %s (%s)", num(c.CILower, 3), num(c.CIUpper, 3), r.ciMethod())},
		{"p-value (two-sided)", pText(c.PValue)},
	}
	if c.DF > 0 {
		out = append(out, kv{"test", fmt.Sprintf("t = %.3f on %d df", c.Statistic, c.DF)})
	} else {
		out = append(out, kv{"test", fmt.Sprintf("z = %.3f (normal approximation)", c.Statistic)})
	}
	if !math.IsNaN(c.Slope) {
		out = append(out, kv{"slope (change in y per 1 unit of x)", slopeText(c.Slope, c.SlopeLower, c.SlopeUpper)})
	}
	if r.Data.WeightYear != 0 {
		out = append(out, kv{"weights", fmt.Sprintf("0-17 population in %d; effective n (Kish) %.1f of %d, used for the interval and p-value", r.Data.WeightYear, r.EffectiveN, c.N)})
	}
	if a := r.Adjusted; a != nil {
		out = append(out, kv{"baseline-adjusted (ANCOVA) partial r", fmt.Sprintf("%s (95%% CI %s to %s), p = %s, n = %d: %s against %s controlling for %s and %s",
			num(a.Corr.R, 3), num(a.Corr.CILower, 3), num(a.Corr.CIUpper, 3), pText(a.Corr.PValue), a.Corr.N, a.Y, a.X, a.Controls[0], a.Controls[1])})
	}
	if r.Replicates > 0 {
		out = append(out, kv{"bootstrap 95% CI", fmt.Sprintf("%s to %s (%d resamples, seed %d)", num(r.BootLo, 3), num(r.BootHi, 3), r.Replicates, r.Seed)})
	}
	return out
}

func (r *Result) resultSection() export.Section {
	s := export.Section{Name: "result", Title: "Result", Columns: []export.Column{{Name: "statistic", Decimals: -1}, {Name: "value", Decimals: -1}}}
	for _, p := range r.resultPairs() {
		s.Rows = append(s.Rows, []export.Cell{export.Str(p.k), export.Str(p.v)})
	}
	return s
}

// resultLines are the result as notes (CSV puts them on standard error).
func (r *Result) resultLines() []string {
	var parts []string
	for _, p := range r.resultPairs() {
		parts = append(parts, p.k+": "+p.v)
	}
	return []string{fmt.Sprintf("result for x = %s, y = %s: %s", r.Data.X, r.Data.Y, strings.Join(parts, "; "))}
}

func (r *Result) includedSection() export.Section {
	cols := []export.Column{{Name: "new_la_code", Decimals: -1}, {Name: "la_name", Decimals: -1}, {Name: "x", Decimals: 3}, {Name: "y", Decimals: 3}}
	for i := range r.Data.Controls {
		cols = append(cols, export.Column{Name: fmt.Sprintf("control_%d", i+1), Decimals: 3})
	}
	if r.Data.WeightYear != 0 {
		cols = append(cols, export.Column{Name: "weight", Decimals: 0})
	}
	s := export.Section{Name: "included", Title: fmt.Sprintf("Councils included (%d)", len(r.Data.Rows)), Columns: cols}
	for _, row := range r.Data.Rows {
		cells := []export.Cell{export.Str(row.Unit.Code), export.Str(row.Unit.Name)}
		for _, v := range row.Values {
			cells = append(cells, export.Num(v))
		}
		if r.Data.WeightYear != 0 {
			cells = append(cells, export.Num(row.Weight))
		}
		s.Rows = append(s.Rows, cells)
	}
	return s
}

func (r *Result) excludedSection() export.Section {
	return excludedSection(r.Data.Excluded)
}

func excludedSection(ex []spec.Exclusion) export.Section {
	s := export.Section{Name: "excluded", Title: fmt.Sprintf("Councils left out (%d)", len(ex)),
		Columns: []export.Column{{Name: "new_la_code", Decimals: -1}, {Name: "la_name", Decimals: -1}, {Name: "reason", Decimals: -1}}}
	for _, e := range ex {
		s.Rows = append(s.Rows, []export.Cell{export.Str(e.Code), export.Str(e.Name), export.Str(e.Reason)})
	}
	return s
}

func (r *Result) excludedLines() []string {
	return excludedLines(r.Data.Excluded)
}

func excludedLines(ex []spec.Exclusion) []string {
	out := []string{fmt.Sprintf("%d council(s) left out:", len(ex))}
	for _, e := range ex {
		out = append(out, fmt.Sprintf("left out: %s %s: %s", e.Code, e.Name, e.Reason))
	}
	return out
}

func (r *Result) influenceSection() export.Section {
	s := export.Section{Name: "influence", Title: fmt.Sprintf("Influence: the %d councils whose removal changes the coefficient most", len(r.Influence)),
		Columns: []export.Column{{Name: "new_la_code", Decimals: -1}, {Name: "la_name", Decimals: -1}, {Name: "x", Decimals: 3}, {Name: "y", Decimals: 3},
			{Name: "coefficient_without", Decimals: 3}, {Name: "change", Decimals: 3}}}
	for _, in := range r.Influence {
		s.Rows = append(s.Rows, []export.Cell{export.Str(in.Row.Unit.Code), export.Str(in.Row.Unit.Name),
			export.Num(in.Row.Values[0]), export.Num(in.Row.Values[1]), export.Num(in.Without), export.Num(in.Change)})
	}
	return s
}

// notes define the specs, say how the numbers were computed, what the
// result means in words, and carry the caveat.
func (r *Result) notes(calc *rates.Calculator) []string {
	d := r.Data
	notes := []string{fmt.Sprintf("x = %s: %s.", d.X, d.X.Describe()), fmt.Sprintf("y = %s: %s.", d.Y, d.Y.Describe())}
	for i, c := range d.Controls {
		notes = append(notes, fmt.Sprintf("control_%d = %s: %s.", i+1, c, c.Describe()))
	}
	notes = append(notes, sourceNotes(calc, d.Specs)...)
	notes = append(notes, d.Notes...)
	notes = append(notes, methodNote(r.Method, len(d.Controls)))
	if d.WeightYear != 0 {
		notes = append(notes, fmt.Sprintf("Weighted by each council's population aged 0-17 in %d (the ONS mid-%d estimate, the rate denominator for the later year): larger councils count for more. Unequal weights carry less information than n equal ones: the interval (Fisher z with n_eff - 3) and the t test (n_eff - 2 df) use Kish's effective sample size n_eff = (sum w)^2 / sum w^2 = %.1f of the %d councils.", d.WeightYear, d.WeightYear-1, r.EffectiveN, r.Corr.N))
	}
	for _, b := range r.Baseline {
		notes = append(notes, fmt.Sprintf("Regression to the mean: %s correlates with its own starting level %s at r = %.2f over these councils. A change measured from a noisy or unusual start tends to reverse, so a correlation of changes partly reflects where councils started; --adjust-baseline gives the partial correlation of the later levels controlling for both earlier levels, which does not have this problem.", b.Spec, b.Level, b.R))
	}
	for _, rel := range r.Reliability {
		if rel.Ratio < 0.8 {
			notes = append(notes, fmt.Sprintf("Small counts: about %.0f%% of the variance of %s across councils is Poisson noise in the counts (mean %.0f a year per council; reliability %.2f), which pulls its correlation with anything towards 0 by a factor of about sqrt(reliability) = %.2f.", 100*rel.Noise/rel.Observed, rel.Spec, rel.MeanCount, rel.Ratio, math.Sqrt(math.Max(rel.Ratio, 0))))
		}
	}
	if r.Adjusted != nil {
		notes = append(notes, "Baseline-adjusted (ANCOVA): x's and y's levels in the later year are each regressed on both earlier levels and the residuals correlated (a partial correlation); it asks whether councils where y ended higher than their starting levels predict also had x end higher.")
	}
	if r.Replicates > 0 {
		notes = append(notes, fmt.Sprintf("Bootstrap: %d resamples of the councils with replacement, percentile 95%% interval, seed %d (rerun with --seed %d for the same interval).", r.Replicates, r.Seed, r.Seed))
	}
	if r.Influence != nil {
		notes = append(notes, "Influence: the coefficient recomputed with each council left out in turn (leave-one-out); change = coefficient without the council minus the coefficient with all.")
	}
	notes = append(notes, r.inWords(), Caveat)
	return notes
}

func (r *Result) inWords() string {
	c := r.Corr
	a := math.Abs(c.R)
	strength := "strong"
	switch {
	case a < 0.1:
		strength = "negligible"
	case a < 0.3:
		strength = "weak"
	case a < 0.5:
		strength = "moderate"
	}
	dir := "higher"
	if c.R < 0 {
		dir = "lower"
	}
	ci := "includes 0, so the data are consistent with no association at all"
	if c.CILower > 0 || c.CIUpper < 0 {
		ci = "excludes 0"
	} else if math.IsNaN(c.CILower) {
		ci = "cannot be computed for so few councils"
	}
	ctrl := ""
	if len(r.Data.Controls) > 0 {
		ctrl = " once the controls are allowed for"
	}
	return fmt.Sprintf("In words: across %d councils, those with a higher x tended to have a %s y%s; the association is %s (coefficient %s) and its 95%% interval %s.",
		c.N, dir, ctrl, strength, num(c.R, 2), ci)
}

func methodNote(method string, k int) string {
	var s string
	switch method {
	case stats.MethodPearson:
		s = "Pearson r with a 95% interval by Fisher's z transformation, tanh(atanh r ± 1.96/sqrt(n-3)); p-value from the t test on n-2 df; slope is the least-squares line of y on x with its t interval (R: cor.test, lm)."
	case stats.MethodSpearman:
		s = "Spearman's rho (Pearson r of the ranks, ties given average ranks) with a 95% interval by Fisher's z with variance 1.06/(n-3) (Fieller, Hartley & Pearson 1957); p-value from the t approximation on n-2 df."
	case stats.MethodKendall:
		s = "Kendall's tau-b with a 95% interval by Fisher's z with variance 0.437/(n-4) (Fieller, Hartley & Pearson 1957); p-value from the normal approximation with the tie-corrected variance."
	}
	if k > 0 {
		s += fmt.Sprintf(" Partial correlation: x and y are each regressed on the %d control(s) and their residuals correlated; t test on n-2-%d df, interval with n-3-%d.", k, k, k)
	}
	return s
}

// sourceNotes cite the files each measure came from.
func sourceNotes(calc *rates.Calculator, specs []spec.Spec) []string {
	var notes []string
	seen := map[string]bool{}
	for _, s := range specs {
		if s.IsIMD() || seen[s.Measure] {
			continue
		}
		seen[s.Measure] = true
		m, err := measures.Lookup(s.Measure)
		if err != nil {
			continue
		}
		n := fmt.Sprintf("%s (%s): %s; source %s, file(s) %s; rates per 10,000 %s.", m.ID, m.Label, m.Definition, m.Publication,
			strings.Join(calc.Store.SourceFiles(m.ID), ", "), m.Denominator)
		if m.Note != "" {
			n += " Counts of " + m.Note + "."
		}
		notes = append(notes, n)
	}
	return notes
}

// JSON shapes: the field set and order are part of the interface.
type jsonResult struct {
	Method    string           `json:"method"`
	X         string           `json:"x"`
	Y         string           `json:"y"`
	N         int              `json:"n"`
	R         float64          `json:"r"`
	CILower   *float64         `json:"ci_lower"`
	CIUpper   *float64         `json:"ci_upper"`
	PValue    float64          `json:"p_value"`
	Slope     *float64         `json:"slope"`
	Controls  []string         `json:"controls"`
	Included  []jsonIncluded   `json:"included"`
	Excluded  []jsonExcluded   `json:"excluded"`
	Weight    string           `json:"weight,omitempty"`
	Bootstrap *jsonBootstrap   `json:"bootstrap,omitempty"`
	Influence []jsonInfluenced `json:"influence,omitempty"`
	// Added by issue 14; optional, after the original fields.
	EffectiveN  *float64          `json:"effective_n,omitempty"`
	Baseline    []jsonBaseline    `json:"baseline_correlation,omitempty"`
	Reliability []jsonReliability `json:"reliability,omitempty"`
	Adjusted    *jsonAdjusted     `json:"baseline_adjusted,omitempty"`
}

type jsonBaseline struct {
	Spec  string  `json:"spec"`
	Level string  `json:"level"`
	R     float64 `json:"r"`
	N     int     `json:"n"`
}

type jsonReliability struct {
	Spec        string  `json:"spec"`
	Reliability float64 `json:"reliability"`
	Observed    float64 `json:"variance_observed"`
	Noise       float64 `json:"variance_poisson_noise"`
	MeanCount   float64 `json:"mean_count"`
}

type jsonAdjusted struct {
	X        string   `json:"x"`
	Y        string   `json:"y"`
	Controls []string `json:"controls"`
	N        int      `json:"n"`
	R        float64  `json:"r"`
	CILower  *float64 `json:"ci_lower"`
	CIUpper  *float64 `json:"ci_upper"`
	PValue   float64  `json:"p_value"`
}

type jsonIncluded struct {
	Code     string    `json:"new_la_code"`
	Name     string    `json:"la_name"`
	X        float64   `json:"x"`
	Y        float64   `json:"y"`
	Controls []float64 `json:"controls,omitempty"`
	Weight   *float64  `json:"weight,omitempty"`
}

type jsonExcluded struct {
	Code   string `json:"new_la_code"`
	Name   string `json:"la_name"`
	Reason string `json:"reason"`
}

type jsonBootstrap struct {
	Replicates int     `json:"replicates"`
	Seed       uint64  `json:"seed"`
	CILower    float64 `json:"ci_lower"`
	CIUpper    float64 `json:"ci_upper"`
}

type jsonInfluenced struct {
	Code    string  `json:"new_la_code"`
	Name    string  `json:"la_name"`
	Without float64 `json:"r_without"`
	Change  float64 `json:"change"`
}

func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func writeJSON(w io.Writer, r *Result) error {
	d := r.Data
	out := jsonResult{
		Method: r.Method, X: d.X.String(), Y: d.Y.String(), N: r.Corr.N, R: r.Corr.R,
		CILower: finite(r.Corr.CILower), CIUpper: finite(r.Corr.CIUpper), PValue: r.Corr.PValue,
		Slope: finite(r.Corr.Slope), Controls: []string{}, Included: []jsonIncluded{}, Excluded: []jsonExcluded{},
	}
	if r.Method != stats.MethodPearson || len(d.Controls) > 0 {
		out.Slope = nil
	}
	for _, c := range d.Controls {
		out.Controls = append(out.Controls, c.String())
	}
	for _, row := range d.Rows {
		in := jsonIncluded{Code: row.Unit.Code, Name: row.Unit.Name, X: row.Values[0], Y: row.Values[1]}
		if len(d.Controls) > 0 {
			in.Controls = row.Values[2:]
		}
		if d.WeightYear != 0 {
			in.Weight = finite(row.Weight)
		}
		out.Included = append(out.Included, in)
	}
	for _, e := range d.Excluded {
		out.Excluded = append(out.Excluded, jsonExcluded{e.Code, e.Name, e.Reason})
	}
	if d.WeightYear != 0 {
		out.Weight = fmt.Sprintf("%s %d", spec.WeightPopulation, d.WeightYear)
	}
	if r.Replicates > 0 {
		out.Bootstrap = &jsonBootstrap{r.Replicates, r.Seed, r.BootLo, r.BootHi}
	}
	for _, in := range r.Influence {
		out.Influence = append(out.Influence, jsonInfluenced{in.Row.Unit.Code, in.Row.Unit.Name, in.Without, in.Change})
	}
	if r.EffectiveN > 0 {
		out.EffectiveN = finite(r.EffectiveN)
	}
	for _, b := range r.Baseline {
		out.Baseline = append(out.Baseline, jsonBaseline{b.Spec.String(), b.Level.String(), b.R, b.N})
	}
	for _, rel := range r.Reliability {
		out.Reliability = append(out.Reliability, jsonReliability{rel.Spec.String(), rel.Ratio, rel.Observed, rel.Noise, rel.MeanCount})
	}
	if a := r.Adjusted; a != nil {
		out.Adjusted = &jsonAdjusted{X: a.X.String(), Y: a.Y.String(), Controls: []string{a.Controls[0].String(), a.Controls[1].String()},
			N: a.Corr.N, R: a.Corr.R, CILower: finite(a.Corr.CILower), CIUpper: finite(a.Corr.CIUpper), PValue: a.Corr.PValue}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
