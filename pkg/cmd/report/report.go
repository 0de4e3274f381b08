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

	"github.com/cscstats/cscstats/pkg/cmd/compare"
	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/rates"
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
	// Now is the clock, for the elapsed time message.
	Now func() time.Time
}

// NewCmdReport wires `report` and `report council`.
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
  cscstats report council Leeds`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return reportRun(opts)
		},
	}
	cmd.PersistentFlags().StringVarP(&opts.Out, "out", "o", "", "output folder (default "+DefaultOut+", or reports/<council> for a council)")
	cmd.PersistentFlags().BoolVar(&opts.Force, "force", false, "replace a report folder cscstats made even if files were added to it (never a folder cscstats did not make)")
	cmd.AddCommand(&cobra.Command{
		Use:     "council NAME",
		Short:   "A one-page profile of one council against England, its region and its statistical neighbours",
		Example: `  cscstats report council Leeds --out reports/leeds`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Council = args[0]
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
	var doc report.Document
	out := opts.Out
	if opts.Council == "" {
		if out == "" {
			out = DefaultOut
		}
		doc, err = report.WayForward(calc, charter{}, progress)
		if err == nil {
			err = addExtras(calc, opts.Factory.DataDir, &doc, nil)
		}
	} else {
		a, lerr := calc.Registry.Lookup(opts.Council)
		if lerr != nil {
			return lerr
		}
		if out == "" {
			out = filepath.Join("reports", stem(a.Name, a.Code))
		}
		if err := report.CheckTarget(out, wopt); err != nil {
			return err
		}
		cmp, cerr := comparison(opts, calc, opts.Council)
		if cerr != nil {
			return cerr
		}
		doc, err = report.Council(calc, a, cmp, charter{}, progress)
		if err == nil {
			err = addExtras(calc, opts.Factory.DataDir, &doc, a)
		}
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

// comparison computes the council's comparison on every measure, as
// `cscstats compare NAME --measure all --neighbours` does; without a
// statistical neighbour file it compares with England and the region only
// and says so.
func comparison(opts *Options, calc *rates.Calculator, name string) (export.Document, error) {
	copts := &compare.Options{Factory: opts.Factory, Names: []string{name}, Measures: []string{"all"}, Neighbours: true}
	res, notes, err := compare.Compute(calc, opts.Factory.DataDir, copts)
	if err != nil && strings.Contains(err.Error(), "statistical neighbour") {
		copts.Neighbours = false
		res, notes, err = compare.Compute(calc, opts.Factory.DataDir, copts)
		notes = append(notes, "No statistical neighbour file was found in the data directory, so neighbours are not shown: put DfE's sn_model_2025_wide.csv there to add them.")
	}
	if err != nil {
		return export.Document{}, err
	}
	insp, inspNotes, err := compare.OfstedSection(calc, opts.Factory.DataDir, res.Councils)
	if err != nil {
		return export.Document{}, err
	}
	doc := res.Document(calc, "markdown", append(notes, inspNotes...))
	if insp != nil {
		doc.Sections = append(doc.Sections, *insp)
	}
	return doc, nil
}
