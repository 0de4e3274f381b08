// Package compare is the `cscstats compare` command: one or more councils
// against England, their region, their statistical neighbours and every
// other council, for one year, with the change over a period on request.
package compare

import (
	"errors"
	"fmt"
	"github.com/cscstats/cscstats/pkg/timeperiod"
	"math"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cscstats/cscstats/pkg/chartdata"
	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/funnel"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/neighbours"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/stats"
)

// Options are the command's flags and dependencies.
type Options struct {
	Factory    *cmdutil.Factory
	Names      []string
	Measures   []string
	Year       string
	Neighbours bool
	Region     bool
	From, To   string
	Plot       string
	// Scale is the scale of the overdispersed funnel limits: rate, sqrt
	// or log (see funnel.Scale).
	Scale string
}

// NewCmdCompare wires the cobra command; runF replaces the run function in
// tests of flag parsing.
func NewCmdCompare(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "compare NAME [NAME ...] --measure ID[,ID...] [--year YEAR] [--neighbours] [--region] [--from YEAR --to YEAR]",
		Short: "A council against England, its region, its statistical neighbours and all councils",
		Long: `For each council and measure, in one year (the latest unless --year or --to
says otherwise):

  - the council's rate per 10,000 children aged 0-17 with its exact Poisson
    95% confidence interval, count and population;
  - England's rate and the council's region's rate;
  - its rank among all local authorities with a rate that year (1 = the
    highest rate; equal rates share the lowest rank, "1, 2, 2, 4"), out
    of how many had one;
  - where it falls on a funnel plot around England's rate: within the 95%
    limits, above or below the 95% limit, or beyond the 99.8% limit; both
    against exact Poisson limits and against limits widened for
    overdispersion (between-council variation beyond chance, estimated
    as Spiegelhalter (2005) with z-scores winsorised at their 10th and
    90th percentiles, from the councils a funnel plot shows — the same
    estimate as 'cscstats plot funnel --overdispersion'); --scale rate,
    sqrt or log chooses the scale of those limits (default rate).

--neighbours adds the median and range of the council's ten DfE
statistical neighbours (2025 model, else the April 2021 groupings; the
files are found in the data directory by their header) and a table of each
neighbour, listing those with no figure in the year. --region adds the
council's rank within its region and a table of the region's councils.
--from/--to add each one's change between the first and last years with
data in the range.

Councils can be named by name, ONS code or DfE 3-digit code, and by the
name of a former district (Barrow-in-Furness → Westmorland and Furness).

CSV output is the main table (one row per council and measure); JSON holds
every table.`,
		Example: `  cscstats compare Leeds --measure s47 --year 2024 --neighbours
  cscstats compare Leeds Bradford --measure s47,icpc,cpp_starts --region
  cscstats compare "Westmorland and Furness" --measure cla_starts --neighbours --from 2022 --to 2025
  cscstats compare Leeds --measure s47 --neighbours --format csv > leeds.csv`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Names = args
			if runF != nil {
				return runF(opts)
			}
			return compareRun(opts)
		},
	}
	cmd.Flags().StringSliceVarP(&opts.Measures, "measure", "m", nil, "measure ID(s), comma-separated, or all (list: cscstats measures)")
	cmd.Flags().StringVarP(&opts.Year, "year", "y", "", "reporting year ending 31 March, as 2024 or 2023-24 (default: --to, else the latest)")
	cmd.Flags().BoolVar(&opts.Neighbours, "neighbours", false, "compare with the council's DfE statistical neighbours")
	cmd.Flags().BoolVar(&opts.Region, "region", false, "rank within the region and list the region's councils")
	cmd.Flags().StringVar(&opts.From, "from", "", "first year of the change period")
	cmd.Flags().StringVar(&opts.To, "to", "", "last year of the change period")
	cmd.Flags().StringVar(&opts.Plot, "plot", "", "also draw a chart to this file (.png, .svg or .pdf)")
	cmd.Flags().StringVar(&opts.Scale, "scale", "rate", "scale of the overdispersed funnel limits: rate, sqrt (as the CQC) or log")
	_ = cmd.MarkFlagRequired("measure")
	_ = cmd.RegisterFlagCompletionFunc("measure", cmdutil.CompleteMeasures)
	return cmd
}

// Council is one council named on the command line.
type Council struct {
	Authority *la.Authority
	Via       *la.FormerName // the former district name or alias used, if any
	Group     *neighbours.Group
}

// NeighbourRate is one neighbour's figure.
type NeighbourRate struct {
	Member neighbours.Member
	Rate   rates.Rate
	Rank   int // among all authorities; 0 when not ranked
}

// Row is one council's comparison for one measure and year.
type Row struct {
	Measure  measures.Measure
	Year     int
	Council  *Council
	Rate     rates.Rate
	Rank     int // 1 = highest; 0 when the council has no rank
	RankedOf int // authorities with a rate that year
	// Funnel and FunnelOD place the rate against exact Poisson and
	// overdispersed funnel limits around England's rate; FunnelOK is
	// false when there is no rate, population or England rate, FunnelODOK
	// when overdispersion could not be estimated.
	Funnel, FunnelOD     funnel.Verdict
	FunnelOK, FunnelODOK bool
	England              rates.Rate
	Region               rates.Rate

	// With --region.
	RegionRank, RegionOf int
	RegionMembers        []NeighbourRate

	// With --neighbours.
	Neighbours []NeighbourRate
	NbrSpread  stats.Spread // over the neighbours with a rate; N = 0 when none
}

// Year is everything about one measure in one year that rows share.
type Year struct {
	Measure measures.Measure
	Year    int
	England rates.Rate
	All     []rates.Rate // every authority with a row, by name
	byCode  map[string]rates.Rate
	ranked  []float64 // rates of the authorities with one
	// OD is the overdispersion estimate the funnel_od verdicts use: the
	// one chartdata.Dispersion gives the funnel plot (same councils, same
	// scale), so `compare` and `plot funnel` agree.
	OD    funnel.OD
	ODErr error
	// From and To are the change period's years (0 without --from/--to).
	From, To int
}

// NewYear computes the shared figures for one measure and year, with
// overdispersed funnel limits on the given scale.
func NewYear(calc *rates.Calculator, m measures.Measure, year int, scale funnel.Scale) *Year {
	y := &Year{Measure: m, Year: year, England: calc.Get(m.ID, rates.England(), year), byCode: map[string]rates.Rate{}}
	for _, r := range calc.Authorities(m.ID, year) {
		if a, ok := calc.Registry.Get(r.Area.Code); ok && !a.Current() && !r.OK() {
			continue // a former authority's placeholder row (x or z)
		}
		y.All = append(y.All, r)
		y.byCode[r.Area.Code] = r
		if r.OK() {
			y.ranked = append(y.ranked, r.Value)
		}
	}
	y.OD, y.ODErr = chartdata.Dispersion(calc, m.ID, year, scale, false)
	return y
}

// Rank is the competition rank of v among all authorities with a rate:
// 1 + the number with a strictly higher rate, out of how many have one.
func (y *Year) Rank(v float64) (rank, of int) {
	if math.IsNaN(v) {
		return 0, len(y.ranked)
	}
	rank = 1
	for _, o := range y.ranked {
		if o > v {
			rank++
		}
	}
	return rank, len(y.ranked)
}

// Ranked reports whether an authority's own row is among those ranked.
func (y *Year) Ranked(code string) bool {
	r, ok := y.byCode[code]
	return ok && r.OK()
}

// rateAt is an area's rate in one year, harmonised across a boundary
// change where that is possible (a former county as the sum of its
// successors), as `trend` does.
func rateAt(calc *rates.Calculator, m string, area rates.Area, year int) rates.Rate {
	if s := calc.Series(m, area, year, year); len(s) == 1 {
		return s[0]
	}
	return calc.Get(m, area, year)
}

// Build computes one council's row.
func Build(calc *rates.Calculator, y *Year, c *Council, withRegion bool) Row {
	a := c.Authority
	row := Row{Measure: y.Measure, Year: y.Year, Council: c, England: y.England}
	row.Rate = rateAt(calc, y.Measure.ID, rates.LAArea(a), y.Year)
	_, row.RankedOf = y.Rank(math.NaN())
	if row.Rate.OK() && y.Ranked(a.Code) {
		row.Rank, row.RankedOf = y.Rank(row.Rate.Value)
	}
	if row.Rate.OK() && row.Rate.Population > 0 && y.England.OK() {
		row.FunnelOK = true
		row.Funnel = funnel.Assess(row.Rate.Count.Number, row.Rate.Population, y.England.Value)
		if y.ODErr == nil {
			row.FunnelODOK = true
			row.FunnelOD = y.OD.Assess(row.Rate.Value, row.Rate.Population)
		}
	}
	row.Region = emptyRate(y.Measure.ID, y.Year)
	if a.RegionCode != "" {
		row.Region = calc.Get(y.Measure.ID, calc.RegionArea(a.RegionCode), y.Year)
	}
	if withRegion && a.RegionCode != "" {
		var vals []float64
		for _, r := range y.All {
			if r.Area.RegionCode != a.RegionCode {
				continue
			}
			if ra, ok := calc.Registry.Get(r.Area.Code); ok && !ra.Current() && !r.OK() {
				continue // a former authority's placeholder row
			}
			nr := NeighbourRate{Rate: r}
			if r.OK() {
				vals = append(vals, r.Value)
				nr.Rank, _ = y.Rank(r.Value)
			}
			row.RegionMembers = append(row.RegionMembers, nr)
		}
		row.RegionOf = len(vals)
		if row.Rate.OK() && y.Ranked(a.Code) {
			row.RegionRank = 1
			for _, v := range vals {
				if v > row.Rate.Value {
					row.RegionRank++
				}
			}
		}
	}
	if c.Group != nil {
		var vals []float64
		for _, m := range c.Group.Members {
			nr := NeighbourRate{Member: m}
			if m.Authority == nil {
				nr.Rate = emptyRate(y.Measure.ID, y.Year)
				nr.Rate.Note = fmt.Sprintf("DfE code %s is not an authority in the data", m.OldCode)
			} else {
				nr.Rate = rateAt(calc, y.Measure.ID, rates.LAArea(m.Authority), y.Year)
			}
			if nr.Rate.OK() {
				vals = append(vals, nr.Rate.Value)
				if y.Ranked(m.Authority.Code) {
					nr.Rank, _ = y.Rank(nr.Rate.Value)
				}
			}
			row.Neighbours = append(row.Neighbours, nr)
		}
		if len(vals) > 0 {
			row.NbrSpread, _ = stats.Describe(vals)
		}
	}
	return row
}

// emptyRate is an empty rate.
func emptyRate(measure string, year int) rates.Rate {
	return rates.Rate{Measure: measure, Year: year, Count: ees.Missing(ees.NotAvailable), Value: math.NaN(), Lower: math.NaN(), Upper: math.NaN()}
}

// VerdictText words a funnel verdict for tables.
func VerdictText(v funnel.Verdict) string {
	switch v {
	case funnel.Within:
		return "within limits"
	case funnel.Above95:
		return "above 95% limit"
	case funnel.Above998:
		return "above 99.8% limit"
	case funnel.Below95:
		return "below 95% limit"
	case funnel.Below998:
		return "below 99.8% limit"
	}
	return v.String()
}

// resolveCouncils looks up the names given.
func resolveCouncils(calc *rates.Calculator, names []string) ([]*Council, []string, error) {
	var out []*Council
	var notes []string
	seen := map[string]bool{}
	for _, n := range names {
		a, via, err := calc.Registry.Resolve(n)
		if err != nil {
			return nil, nil, err
		}
		if via != nil {
			notes = append(notes, fmt.Sprintf("%q is %s; its children's services are run by %s, which is shown.", n, via.Describe(), a.Name))
		}
		if seen[a.Code] {
			continue
		}
		seen[a.Code] = true
		out = append(out, &Council{Authority: a, Via: via})
	}
	return out, notes, nil
}

// periodYears picks the first and last years a measure has within
// from..to (0: unbounded).
func periodYears(have []int, from, to int) (int, int, bool) {
	var in []int
	for _, y := range have {
		if (from == 0 || y >= from) && (to == 0 || y <= to) {
			in = append(in, y)
		}
	}
	if len(in) < 2 {
		return 0, 0, false
	}
	return in[0], in[len(in)-1], true
}

// Compute does the comparison the options ask for, without printing it:
// the report command uses it for council profiles.
func Compute(calc *rates.Calculator, dataDir string, opts *Options) (*Result, []string, error) {
	ms, err := measures.Parse(opts.Measures)
	if err != nil {
		return nil, nil, cmdutil.FlagErrorf("%v", err)
	}
	from, to, err := cmdutil.ParseRange(opts.From, opts.To)
	if err != nil {
		return nil, nil, err
	}
	period := opts.From != "" || opts.To != ""
	scale, err := funnel.ParseScale(opts.Scale)
	if err != nil {
		return nil, nil, cmdutil.FlagErrorf("--scale: %v", err)
	}
	var year int
	if opts.Year != "" {
		if year, err = timeperiod.Parse(opts.Year); err != nil {
			return nil, nil, cmdutil.FlagErrorf("--year: %v", err)
		}
	}
	councils, notes, err := resolveCouncils(calc, opts.Names)
	if err != nil {
		return nil, nil, cmdutil.QuoteHint(calc.Registry, opts.Names, err)
	}
	if opts.Neighbours {
		sets, err := neighbours.Find(dataDir)
		if err != nil {
			return nil, nil, err
		}
		if len(sets) == 0 {
			return nil, nil, fmt.Errorf("--neighbours: no statistical neighbour file in %s: put DfE's sn_model_2025_wide.csv (or the April 2021 groupings) anywhere in the data directory; it is recognised by its header", dataDir)
		}
		found := 0
		for _, c := range councils {
			g, err := sets.For(calc.Registry, c.Authority)
			var nn *neighbours.NoNeighboursError
			if errors.As(err, &nn) {
				notes = append(notes, "--neighbours: "+err.Error()+"; its neighbour columns are empty.")
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			found++
			c.Group = &g
			notes = append(notes, "Neighbours of "+g.Source()+".")
			if len(g.Unknown) > 0 {
				notes = append(notes, fmt.Sprintf("%s: neighbour code(s) %s are not authorities in the data and have no figures", c.Authority.Name, strings.Join(g.Unknown, ", ")))
			}
		}
		if found == 0 {
			return nil, nil, fmt.Errorf("--neighbours: no council named has a row in the statistical neighbour files (%s)", sets.Describe())
		}
	}

	res := &Result{Councils: councils, Period: period, WithNeighbours: opts.Neighbours, WithRegion: opts.Region}
	for _, m := range ms {
		have := calc.Years(m.ID)
		if len(have) == 0 {
			return nil, nil, calc.Store.NoDataFor(m.ID)
		}
		y := year
		var fy, ty int
		if period {
			var ok bool
			if fy, ty, ok = periodYears(have, from, to); !ok {
				return nil, nil, fmt.Errorf("%s has fewer than two years of data between %s (years available: %s)", m.ID, timeperiod.RangeText(from, to), timeperiod.Span(have))
			}
			if from != 0 && fy != from || to != 0 && ty != to {
				notes = append(notes, fmt.Sprintf("%s: the change is over %d to %d, the first and last years with data between %s.", m.ID, fy, ty, timeperiod.RangeText(from, to)))
			}
			if y == 0 {
				y = ty
			}
		}
		if y == 0 {
			y = have[len(have)-1]
		}
		if !timeperiod.Contains(have, y) {
			return nil, nil, fmt.Errorf("no %s data for %d; years available: %s", m.ID, y, timeperiod.Span(have))
		}
		yr := NewYear(calc, m, y, scale)
		yr.From, yr.To = fy, ty
		res.Years = append(res.Years, yr)
		for _, c := range councils {
			row := Build(calc, yr, c, opts.Region)
			res.Rows = append(res.Rows, row)
			if period {
				res.Changes = append(res.Changes, changes(calc, m, c, fy, ty)...)
			}
		}
	}
	return res, notes, nil
}

func compareRun(opts *Options) error {
	if opts.Plot != "" {
		if err := checkPlotPath(opts.Plot); err != nil {
			return err
		}
	}
	calc, err := opts.Factory.Calculator()
	if err != nil {
		return err
	}
	res, notes, err := Compute(calc, opts.Factory.DataDir, opts)
	if err != nil {
		return err
	}
	insp, inspNotes, err := OfstedSection(calc, opts.Factory.DataDir, res.Councils)
	if err != nil {
		return err
	}
	doc := res.Document(calc, opts.Factory.Format, append(notes, inspNotes...))
	if insp != nil && opts.Factory.Format != "csv" {
		doc.Sections = append(doc.Sections, *insp)
	}
	if err := cmdutil.Print(opts.Factory, doc); err != nil {
		return err
	}
	if opts.Plot != "" {
		return plot(opts, calc, res)
	}
	return nil
}
