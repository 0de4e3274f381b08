// Package report is the `cscstats report` command: the web page that checks
// "Children's Social Care – The Way Forward" against the data, and
// one-page council profiles.
package report

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/neighbours"
	"github.com/cscstats/cscstats/pkg/report"
)

// DefaultOut is where the main report goes.
const DefaultOut = "reports/the-way-forward"

// Options are the command's flags and dependencies.
type Options struct {
	Factory *cmdutil.Factory
	Out     string
	Force   bool
	Council string // set by `report council NAME`
	// AllCouncils is set by `report councils`.
	AllCouncils bool
	// Now is the clock, for the elapsed time message.
	Now func() time.Time
}

// NewCmdReport wires `report`, `report council` and `report councils`.
func NewCmdReport(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "report [--out DIR] [--force]",
		Short: "Build the web page that checks “The Way Forward” against DfE's data",
		Long: `Build a self-contained report folder: index.html (works offline, prints
well), report.md, charts/ (PNG and SVG), data/ (a CSV behind every chart and
table) and claims.csv. It sets each checkable claim of "Children's Social
Care – The Way Forward" (2022) beside the value computed from the data, and
covers national trends, Leeds against England, the spread between councils
and the adoption/child-protection correlation.

The folder is built in a temporary folder and renamed into place, so an
interrupted run leaves nothing behind. An existing folder is replaced only
if it is empty or cscstats made it (it holds a .cscstats-report marker);
--force also deletes files that were added to such a folder afterwards.
cscstats never replaces a folder it did not make, the data directory, the
current or home folder, /, or a folder that contains one of them.`,
		Example: `  cscstats report
  cscstats report --out /tmp/twf --data ../shared/ees
  cscstats report council Leeds
  cscstats report councils --out reports/councils`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return reportRun(opts)
		},
	}
	cmd.PersistentFlags().StringVarP(&opts.Out, "out", "o", "", "output folder (default "+DefaultOut+", reports/<council> for a council, "+DefaultCouncilsOut+" for all councils)")
	cmd.PersistentFlags().BoolVar(&opts.Force, "force", false, "replace a report folder cscstats made even if files were added to it (never a folder cscstats did not make)")
	cmd.AddCommand(&cobra.Command{
		Use:   "council NAME",
		Short: "A one-page profile of one council for campaigners",
		Long: `Build a one-page profile of one council (reports/<council>/ unless --out):

  - three to five plain-English key findings, each with its year and its
    comparison with England; "higher than expected" only where the rate is
    outside the funnel plot's limits widened for overdispersion;
  - a spine chart: every measure's rate beside England's and the range of
    all councils that year, coloured by that funnel verdict;
  - small trend charts of each measure against the region and England;
  - the council beside its DfE statistical neighbours (when the neighbour
    file is in the data directory; otherwise the page says so);
  - every figure in full tables, the notes, methods and sources.

The council can be named by name, ONS code, DfE 3-digit code or the name of
a former district (Kettering gives North Northamptonshire). A name of
several words may be given without quotes.`,
		Example: `  cscstats report council Leeds --out reports/leeds
  cscstats report council Isle of Wight
  cscstats report council Kettering`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Council = strings.Join(args, " ")
			if runF != nil {
				return runF(opts)
			}
			return reportRun(opts)
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "councils [--out DIR]",
		Short: "Every council's profile and an index page grouped by region",
		Long: `Build the profile of every current council (as ` + "`report council`" + ` does) in
DIR/<council>/, and DIR/index.html: the councils grouped by region, each
with its first key finding and a link to its profile. A progress bar shows
on a terminal.`,
		Example: `  cscstats report councils --out reports/councils`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.AllCouncils = true
			if runF != nil {
				return runF(opts)
			}
			return reportRun(opts)
		},
	})
	return cmd
}

func reportRun(opts *Options) error {
	io := opts.Factory.IOStreams
	start := opts.Now()
	progress := func(step string) {
		if io.ErrTTY {
			fmt.Fprintf(io.ErrOut, "\r\033[K  building report: %s", step)
		}
	}
	wopt := report.WriteOptions{Force: opts.Force, Protect: []string{opts.Factory.DataDir}, Progress: progress}
	if opts.Council == "" {
		// Refuse a folder that may not be replaced before doing the work.
		out := opts.Out
		if out == "" {
			out = DefaultOut
		}
		if err := report.CheckTarget(out, wopt); err != nil {
			return err
		}
	}
	progress("loading data")
	calc, err := opts.Factory.Calculator()
	if err != nil {
		return err
	}
	if opts.AllCouncils {
		return councilsRun(opts, calc, start)
	}
	var doc report.Document
	out := opts.Out
	if opts.Council == "" {
		if out == "" {
			out = DefaultOut
		}
		// The maps and the Ofsted section are built while the rest is.
		addExtras := startExtras(calc, opts.Factory.DataDir, nil)
		doc, err = report.WayForward(calc, charter{}, progress)
		if xerr := addExtras(&doc); err == nil {
			err = xerr
		}
	} else {
		a, note, lerr := cmdutil.LookupLA(calc.Registry, opts.Council)
		if lerr != nil {
			return lerr
		}
		if note != "" {
			fmt.Fprintf(io.ErrOut, "note: %s\n", note)
		}
		if out == "" {
			out = filepath.Join("reports", stem(a.Name, a.Code))
		}
		if err := report.CheckTarget(out, wopt); err != nil {
			return err
		}
		nbrs, nerr := neighbours.Find(opts.Factory.DataDir)
		if nerr != nil {
			return nerr
		}
		doc, err = councilDoc(opts, calc, nbrs, a, progress)
	}
	if err != nil {
		return err
	}
	if err := report.Write(doc, out, wopt); err != nil {
		if io.ErrTTY {
			fmt.Fprintln(io.ErrOut)
		}
		return err
	}
	if io.ErrTTY {
		fmt.Fprint(io.ErrOut, "\r\033[K")
	}
	fmt.Fprintf(io.ErrOut, "wrote %s (index.html, report.md, charts/, data/) in %.1fs\n", out, opts.Now().Sub(start).Seconds())
	fmt.Fprintf(io.Out, "%s\n", filepath.Join(out, "index.html"))
	return nil
}
