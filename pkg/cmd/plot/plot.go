// Package plot is the `cscstats plot` command: publishable charts (PNG,
// SVG or PDF) of the same rates the tables print, built by pkg/chartdata.
package plot

import (
	"bytes"
	"fmt"
	"github.com/cscstats/cscstats/pkg/timeperiod"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"gonum.org/v1/plot/vg"

	"github.com/cscstats/cscstats/pkg/chartdata"
	"github.com/cscstats/cscstats/pkg/charts"
	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/funnel"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/safefile"
	"github.com/cscstats/cscstats/pkg/safetext"
	"github.com/cscstats/cscstats/pkg/spec"
)

// Chart kinds.
const (
	KindTrend   = "trend"
	KindRank    = "rank"
	KindFunnel  = "funnel"
	KindScatter = "scatter"
	KindSlope   = "slope"
)

// Options are the command's flags and dependencies.
type Options struct {
	Factory *cmdutil.Factory
	Kind    string

	Output        string // chart file: .png, .svg or .pdf
	Width, Height string // e.g. 16cm, 1200px; "" means the default
	DataCSV       string // optional: also write the data behind the chart

	Measures       []string
	LAs            []string
	From, To       string
	Year           string
	Highlight      []string
	Overdispersion bool
	Scale          string // scale of the overdispersed funnel limits: rate, sqrt or log
	IncludeSmall   bool
	Exclude        []string
	X, Y           string
	Per            string // denominator age band: 0-17, under1, under5
	Hex            bool   // map: hex cartogram instead of boundaries
}

// NewCmdPlot wires `cscstats plot` and its subcommands; runF replaces the
// run function in tests of flag parsing.
func NewCmdPlot(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plot KIND ... -o FILE",
		Short: "Draw a publishable chart: trend, rank, funnel, scatter, slope or map",
		Long: `Draw a chart of the same rates the tables print, ready to publish: a title
that says what is shown, the measure's definition, denominator and years,
the unit on the value axis, notes on suppressed years and boundary changes,
and a source line naming the DfE publication, the files and the ONS
population estimates.

The format follows the extension of -o: .png (150 dpi), .svg or .pdf.
The default size is 16 × 10 cm (funnel and scatter plots 16 × 13 cm; small
multiples 6.5 cm plus 2.5 cm per panel); --width and --height take cm, mm,
in, pt or px (PNG pixels at 150 dpi), e.g. --width 1200px --height 800px.
A chart that needs more room than asked for (many panels, long notes) is
made taller rather than refused; the size written is reported.

Tables are not printed, so --format does not apply; --csv writes the data.

A year with no comparable figure (suppressed, missing, or across a
boundary change) is never drawn and lines are never joined across it.
--csv also writes the tidy data behind the chart.`,
		Example: `  cscstats plot trend --measure s47 --la Leeds -o leeds_s47.png
  cscstats plot trend --measure s47,icpc,cpp_31march --la Leeds -o leeds.svg
  cscstats plot rank --measure adoptions --year 2024 --highlight Leeds -o adoptions.png
  cscstats plot funnel --measure under1_starts --year 2022 --overdispersion -o under1.pdf
  cscstats plot scatter --x imd:score --y cla_31march:level@2024 -o imd_cla.png
  cscstats plot slope --measure s47 --from 2013 --to 2021 -o s47_slope.png`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newKindCmd(f, runF, KindTrend, "trend --measure ID[,ID...] [--la NAME ...] [--from YEAR] [--to YEAR] -o FILE",
		"Lines over the years for councils, their regions and England",
		`One measure: a line for each --la authority, its region and England
(England alone without --la), with 95% confidence bands for up to two
councils. Several measures (--measure s47,icpc,cpp_31march): one panel per
measure sharing the year axis.`,
		`  cscstats plot trend --measure s47 --la Leeds --la Camden -o s47.png
  cscstats plot trend --measure s47,icpc,cpp_31march --la Leeds --from 2013 -o leeds.pdf`))
	cmd.AddCommand(newKindCmd(f, runF, KindRank, "rank --measure ID [--year YEAR] [--highlight NAME ...] -o FILE",
		"Every council ranked, with 95% confidence intervals and England",
		`Every council's rate in one year (default: the latest), from the highest
(rank 1, as compare ranks) to the lowest,
with its 95% confidence interval as a whisker and England as a line.
--highlight colours and labels councils. The Isles of Scilly and the City
of London are left out unless --include-small (a note says so).`,
		`  cscstats plot rank --measure adoptions --year 2024 --highlight Leeds -o rank.png`))
	cmd.AddCommand(newKindCmd(f, runF, KindFunnel, "funnel --measure ID [--year YEAR] [--overdispersion] [--highlight NAME ...] -o FILE",
		"Councils' rates against their size, with control limits around England",
		`Each council's rate against its 0-17 population (log scale), England's rate
as the centre line and exact Poisson 95% and 99.8% control limits, or with
--overdispersion limits widened for the between-council variation.
Councils outside the 99.8% limits and --highlight councils are labelled.
The Isles of Scilly and the City of London are left out unless
--include-small (a note says so).`,
		`  cscstats plot funnel --measure under1_starts --year 2022 -o under1.png
  cscstats plot funnel --measure cla_starts --overdispersion --highlight Leeds -o starts.svg`))
	cmd.AddCommand(newKindCmd(f, runF, KindScatter, "scatter --x MEASURE:STAT --y MEASURE:STAT [--highlight NAME ...] -o FILE",
		"One council per dot: two statistics against each other, with a fitted line",
		`Each council as a dot at (x, y), where x and y are specs as in
`+"`cscstats correlate`"+`: MEASURE:level@YEAR, MEASURE:change@Y1-Y2, pct@, logratio@,
slope@, or imd:score. The least-squares line, its 95% band, r and n are
drawn; the most extreme councils and --highlight councils are labelled.
Councils are paired as correlate pairs them (boundary changes harmonised or
left out, the Isles of Scilly and the City of London left out unless
--include-small); a note lists those left out.`,
		`  cscstats plot scatter --x imd:score --y cla_31march:level@2024 -o imd.png
  cscstats plot scatter --x s47:level@2024 --y cpp_starts:level@2024 --highlight Leeds -o s47_cpp.svg`))
	cmd.AddCommand(newMapCmd(f, runF))
	cmd.AddCommand(newKindCmd(f, runF, KindSlope, "slope --measure ID [--from YEAR] [--to YEAR] [--la NAME ...] -o FILE",
		"Two years compared: a line from each area's first rate to its last",
		`Each area's rate in --from and in --to (default: the first and last years
with data), joined by a line: England and the nine regions, or with --la
the authorities, their regions and England.`,
		`  cscstats plot slope --measure s47 --from 2013 --to 2021 -o s47.png
  cscstats plot slope --measure cla_31march --from 2021 --to 2025 --la Leeds --la Bradford -o cla.png`))
	return cmd
}

// hideFormat keeps the root's --format and --out-dir out of a plot
// command's help: a chart has no table format.
func hideFormat(cmd *cobra.Command) {
	defaultHelp := cmd.HelpFunc()
	cmd.SetHelpFunc(func(c *cobra.Command, args []string) {
		for _, name := range []string{"format", "out-dir"} {
			if fl := c.Root().PersistentFlags().Lookup(name); fl != nil {
				fl.Hidden = true
				defer func() { fl.Hidden = false }()
			}
		}
		defaultHelp(c, args)
	})
}

func newKindCmd(f *cmdutil.Factory, runF func(*Options) error, kind, use, short, long, example string) *cobra.Command {
	opts := &Options{Factory: f, Kind: kind}
	cmd := &cobra.Command{
		Use:     use,
		Short:   short,
		Long:    long,
		Example: example,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return plotRun(opts)
		},
	}
	hideFormat(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&opts.Output, "output", "o", "", "chart file to write: .png, .svg or .pdf")
	fl.StringVar(&opts.Width, "width", "", "chart width: cm, mm, in, pt or px (default 16cm)")
	defHeight := "10cm"
	switch kind {
	case KindFunnel, KindScatter:
		defHeight = "13cm"
	case KindTrend:
		defHeight = "10cm; with several measures 6.5cm + 2.5cm per panel"
	}
	fl.StringVar(&opts.Height, "height", "", "chart height: cm, mm, in, pt or px (default "+defHeight+"; taller if the chart needs it)")
	fl.StringVar(&opts.DataCSV, "csv", "", "also write the data behind the chart to this CSV file")
	_ = cmd.MarkFlagRequired("output")
	_ = cmd.MarkFlagFilename("output", "png", "svg", "pdf")
	switch kind {
	case KindTrend, KindSlope:
		fl.StringSliceVarP(&opts.Measures, "measure", "m", nil, "measure ID(s)"+map[bool]string{true: ", comma-separated for one panel each", false: ""}[kind == KindTrend])
		fl.StringArrayVar(&opts.LAs, "la", nil, "local authority name or code (repeatable)")
		fl.StringVar(&opts.From, "from", "", "first reporting year (default: earliest available)")
		fl.StringVar(&opts.To, "to", "", "last reporting year (default: latest available)")
	case KindRank, KindFunnel:
		fl.StringSliceVarP(&opts.Measures, "measure", "m", nil, "measure ID")
		fl.StringVarP(&opts.Year, "year", "y", "", "reporting year ending 31 March (default: the latest)")
		fl.StringArrayVar(&opts.Highlight, "highlight", nil, "council to colour and label (repeatable)")
		fl.BoolVar(&opts.IncludeSmall, "include-small", false, "keep the Isles of Scilly and the City of London")
		if kind == KindFunnel {
			fl.BoolVar(&opts.Overdispersion, "overdispersion", false, "widen the limits for overdispersion (random effects)")
			fl.StringVar(&opts.Scale, "scale", "rate", "scale of the overdispersed limits: rate, sqrt (as the CQC) or log")
		}
	case KindMap:
		addMapFlags(fl, opts)
	case KindScatter:
		fl.StringVar(&opts.X, "x", "", "x spec, MEASURE:STAT (e.g. imd:score, s47:level@2024)")
		fl.StringVar(&opts.Y, "y", "", "y spec, MEASURE:STAT (e.g. cla_31march:change@2021-2025)")
		fl.StringArrayVar(&opts.Highlight, "highlight", nil, "council to colour and label (repeatable)")
		fl.BoolVar(&opts.IncludeSmall, "include-small", false, "keep the Isles of Scilly and the City of London")
		fl.StringArrayVar(&opts.Exclude, "exclude", nil, "council to leave out (repeatable)")
		_ = cmd.MarkFlagRequired("x")
		_ = cmd.MarkFlagRequired("y")
	}
	if kind != KindScatter {
		cmdutil.AddPerFlag(cmd, &opts.Per)
		_ = cmd.MarkFlagRequired("measure")
		_ = cmd.RegisterFlagCompletionFunc("measure", cmdutil.CompleteMeasures)
	}
	return cmd
}

// built is a chart with the data behind it.
type built struct {
	chart   charts.Chart
	labels  charts.Labels
	section export.Section
	extra   []string // notes printed but not drawn
}

func plotRun(opts *Options) error {
	format, err := chartFormat(opts.Output)
	if err != nil {
		return err
	}
	var w, h vg.Length
	if opts.Width != "" {
		if w, err = charts.ParseLength(opts.Width); err != nil {
			return cmdutil.FlagErrorf("--width: %v", err)
		}
	}
	if opts.Height != "" {
		if h, err = charts.ParseLength(opts.Height); err != nil {
			return cmdutil.FlagErrorf("--height: %v", err)
		}
	}
	if opts.DataCSV != "" && !strings.EqualFold(filepath.Ext(opts.DataCSV), ".csv") {
		return cmdutil.FlagErrorf("--csv %s: the data file must end in .csv", opts.DataCSV)
	}
	if opts.DataCSV != "" {
		if err := cmdutil.CheckOutputFolder(opts.DataCSV); err != nil {
			return err
		}
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
	b, err := build(calc, opts)
	if err != nil {
		return err
	}
	dw, dh := chartdata.DefaultSize(b.chart)
	if w == 0 {
		w = dw
	}
	if h == 0 {
		h = dh
	}
	// The chart may need more room than asked for (many panels, long
	// notes): it is enlarged, never refused, and the size written says so.
	if w, h, err = charts.FitSize(b.chart, w, h); err != nil {
		return err
	}

	// Render the data first (nothing is written yet), then save the chart
	// (atomically), then put the data in place.
	var data []byte
	if opts.DataCSV != "" {
		var buf bytes.Buffer
		if err := export.Write(&buf, io.Discard, "csv", export.Document{Sections: []export.Section{b.section}}); err != nil {
			return err
		}
		data = buf.Bytes()
	}
	if err := b.chart.Save(opts.Output, w, h); err != nil {
		return fmt.Errorf("%s: %w", opts.Output, err)
	}
	errOut := opts.Factory.IOStreams.ErrOut
	size := fmt.Sprintf("%s × %s cm", cm(w), cm(h))
	if format == "png" {
		size += fmt.Sprintf(", %d × %d px", charts.Pixels(w), charts.Pixels(h))
	}
	fmt.Fprintf(errOut, "wrote %s (%s, %s): %s\n", safetext.Terminal(opts.Output), strings.ToUpper(format), size, safetext.Terminal(b.labels.Title))
	for _, n := range append(append([]string(nil), b.labels.Notes...), b.extra...) {
		fmt.Fprintf(errOut, "note: %s\n", safetext.Terminal(n))
	}
	fmt.Fprintf(errOut, "source: %s\n", safetext.Terminal(b.labels.Source))
	if opts.DataCSV != "" {
		if err := writeAtomic(opts.DataCSV, data); err != nil {
			return fmt.Errorf("the chart was written but not the data: %w", err)
		}
		fmt.Fprintf(errOut, "wrote %s (the data behind the chart, %d rows)\n", opts.DataCSV, len(b.section.Rows))
	}
	return nil
}

func cm(l vg.Length) string {
	return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", float64(l/vg.Centimeter)), "0"), ".")
}

// chartFormat checks -o and returns the format from its extension.
func chartFormat(path string) (string, error) {
	if path == "" {
		return "", cmdutil.FlagErrorf("give the chart file with -o, e.g. -o chart.png")
	}
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	switch ext {
	case "png", "svg", "pdf":
		if err := cmdutil.CheckOutputFolder(path); err != nil {
			return "", err
		}
		return ext, nil
	}
	return "", cmdutil.FlagErrorf("-o %s: the file must end in .png, .svg or .pdf", path)
}

// writeAtomic writes data to a temporary file beside path and renames it
// into place, so a failure never leaves a partial file.
func writeAtomic(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmp.Name(), safefile.Mode(safefile.File)); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func build(calc *rates.Calculator, opts *Options) (built, error) {
	switch opts.Kind {
	case KindTrend:
		return buildTrend(calc, opts)
	case KindRank, KindFunnel:
		return buildYear(calc, opts)
	case KindScatter:
		return buildScatter(calc, opts)
	case KindSlope:
		return buildSlope(calc, opts)
	case KindMap:
		return buildMap(calc, opts)
	}
	return built{}, cmdutil.FlagErrorf("unknown chart kind %q; use trend, rank, funnel, scatter or slope", opts.Kind)
}

// areas resolves --la to the authorities, their regions and England, or
// def when there is no --la.
func areas(calc *rates.Calculator, las []string, def []rates.Area) ([]rates.Area, []string, error) {
	if len(las) == 0 {
		return def, nil, nil
	}
	return cmdutil.AreasFor(calc, las)
}

func buildTrend(calc *rates.Calculator, opts *Options) (built, error) {
	ms, err := measures.Parse(opts.Measures)
	if err != nil {
		return built{}, cmdutil.FlagErrorf("%v", err)
	}
	from, to, err := cmdutil.ParseRange(opts.From, opts.To)
	if err != nil {
		return built{}, err
	}
	as, lookupNotes, err := areas(calc, opts.LAs, []rates.Area{rates.England()})
	if err != nil {
		return built{}, err
	}
	for _, m := range ms {
		if n := cmdutil.RangeNote(m.ID, from, to, calc.Years(m.ID)); n != "" {
			lookupNotes = append(lookupNotes, n)
		}
	}
	if len(ms) == 1 {
		t, sec, err := chartdata.Trend(calc, ms[0].ID, as, from, to, chartdata.Options{})
		if err != nil {
			return built{}, err
		}
		return built{chart: t, labels: t.Labels, section: sec, extra: lookupNotes}, nil
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	sm, sec, err := chartdata.SmallMultiples(calc, ids, as, from, to, chartdata.Options{})
	if err != nil {
		return built{}, err
	}
	return built{chart: sm, labels: sm.Labels, section: sec, extra: lookupNotes}, nil
}

// oneMeasure returns the single --measure of a one-measure chart.
func oneMeasure(opts *Options) (string, error) {
	ms, err := measures.Parse(opts.Measures)
	if err != nil {
		return "", cmdutil.FlagErrorf("%v", err)
	}
	if len(ms) != 1 {
		return "", cmdutil.FlagErrorf("a %s chart shows one measure; got %d (%s)", opts.Kind, len(ms), strings.Join(opts.Measures, ","))
	}
	return ms[0].ID, nil
}

// measureYear is the one measure a single-year chart shows and its
// year: --year, or the latest year with data.
func measureYear(calc *rates.Calculator, opts *Options) (string, int, error) {
	m, err := oneMeasure(opts)
	if err != nil {
		return "", 0, err
	}
	if opts.Year == "" {
		year, err := chartdata.LatestYear(calc, m)
		return m, year, err
	}
	year, err := timeperiod.Parse(opts.Year)
	if err != nil {
		return "", 0, cmdutil.FlagErrorf("--year: %v", err)
	}
	return m, year, nil
}

func buildYear(calc *rates.Calculator, opts *Options) (built, error) {
	m, year, err := measureYear(calc, opts)
	if err != nil {
		return built{}, err
	}
	scale, err := funnel.ParseScale(opts.Scale)
	if err != nil {
		return built{}, cmdutil.FlagErrorf("--scale: %v", err)
	}
	if scale != funnel.ScaleRate && !opts.Overdispersion {
		return built{}, cmdutil.FlagErrorf("--scale %s applies to the overdispersed limits: add --overdispersion (exact Poisson limits are the same on every scale)", scale)
	}
	co := chartdata.Options{Highlight: opts.Highlight, IncludeSmall: opts.IncludeSmall, Overdispersion: opts.Overdispersion, LimitScale: scale}
	if opts.Kind == KindRank {
		r, sec, err := chartdata.Rank(calc, m, year, co)
		if err != nil {
			return built{}, err
		}
		return built{chart: r, labels: r.Labels, section: sec}, nil
	}
	f, sec, err := chartdata.Funnel(calc, m, year, co)
	if err != nil {
		return built{}, err
	}
	return built{chart: f, labels: f.Labels, section: sec}, nil
}

func buildSlope(calc *rates.Calculator, opts *Options) (built, error) {
	m, err := oneMeasure(opts)
	if err != nil {
		return built{}, err
	}
	from, to, err := cmdutil.ParseRange(opts.From, opts.To)
	if err != nil {
		return built{}, err
	}
	have := calc.Years(m)
	if len(have) == 0 {
		return built{}, calc.Store.NoDataFor(m)
	}
	if from == 0 {
		from = have[0]
	}
	if to == 0 {
		to = have[len(have)-1]
	}
	as, lookupNotes, err := areas(calc, opts.LAs, nil)
	if err != nil {
		return built{}, err
	}
	s, sec, err := chartdata.Slope(calc, m, from, to, as, chartdata.Options{})
	if err != nil {
		return built{}, err
	}
	return built{chart: s, labels: s.Labels, section: sec, extra: lookupNotes}, nil
}

// buildScatter pairs the two specs as `cscstats correlate` does (pkg/spec)
// and hands the pairs to chartdata.Scatter.
func buildScatter(calc *rates.Calculator, opts *Options) (built, error) {
	x, err := spec.Parse(opts.X)
	if err != nil {
		return built{}, cmdutil.FlagErrorf("--x: %v", err)
	}
	y, err := spec.Parse(opts.Y)
	if err != nil {
		return built{}, cmdutil.FlagErrorf("--y: %v", err)
	}
	p, err := spec.Pair(calc, x, y, nil, spec.Options{IncludeSmall: opts.IncludeSmall, Exclude: opts.Exclude})
	if err != nil {
		return built{}, err
	}
	in := chartdata.FromPaired(p)
	s, sec, err := chartdata.Scatter(calc, in, chartdata.Options{Highlight: opts.Highlight})
	if err != nil {
		return built{}, err
	}
	return built{chart: s, labels: s.Labels, section: sec}, nil
}
