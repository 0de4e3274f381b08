// Package measures is the `cscstats measures` command: the catalogue, with
// the years actually found in the data directory.
package measures

import (
	"errors"
	"fmt"
	"github.com/cscstats/cscstats/pkg/timeperiod"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/measures"
)

// Options are the command's flags and dependencies.
type Options struct {
	Factory *cmdutil.Factory
}

// NewCmdMeasures wires the cobra command.
func NewCmdMeasures(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	return &cobra.Command{
		Use:   "measures",
		Short: "List the measures cscstats computes and the years found in the data",
		Long: `List every measure cscstats computes: its ID (what --measure takes), label,
the years found in the data directory, the kind of DfE file and the column
and filter values it is read from, what it counts, the publication and the
denominator. "none found" means the data directory has no file for it yet
(run ` + "`cscstats fetch`" + `, or ` + "`cscstats fetch --from DIR`" + ` for files you have).

Rates are per 10,000 children aged 0-17. under1_starts counts children
starting care aged under 1: a proxy for removals at birth, not the same
thing.`,
		Example: `  cscstats measures
  cscstats measures --format csv > measures.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return measuresRun(opts)
		},
	}
}

func measuresRun(opts *Options) error {
	calc, err := opts.Factory.Calculator()
	var noData *dataset.NoDataError
	if err != nil && !errors.As(err, &noData) {
		return err
	}
	// The catalogue is listed without data, but a download that was tried
	// and failed is still a failure (exit status 1).
	var failed *cmdutil.NoDataError
	downloadFailed := errors.As(err, &failed) && len(failed.Errs) > 1
	sec := export.Section{Name: "measures", Columns: []export.Column{
		{Name: "id", Decimals: -1}, {Name: "label", Decimals: -1}, {Name: "years", Decimals: -1}, {Name: "file_kind", Decimals: -1},
		{Name: "indicator", Decimals: -1}, {Name: "filters", Decimals: -1}, {Name: "unit", Decimals: -1}, {Name: "publication", Decimals: -1}, {Name: "denominator", Decimals: -1}}}
	for _, m := range measures.Catalogue {
		years := "none found"
		if calc != nil {
			if ys := calc.Years(m.ID); len(ys) > 0 {
				years = timeperiod.Span(ys)
			}
		}
		var filters []string
		for k, v := range m.Sources[0].Filters {
			filters = append(filters, k+"="+v)
		}
		sort.Strings(filters)
		sec.Rows = append(sec.Rows, []export.Cell{export.Str(m.ID), export.Str(m.Label), export.Str(years), export.Str(m.FileKind),
			export.Str(m.Sources[0].Indicator), export.Str(strings.Join(filters, "; ")), export.Str(m.Unit), export.Str(m.Publication), export.Str(m.Denominator)})
	}
	notes := []string{"Rates are per 10,000 children aged 0-17; reporting year Y uses the ONS mid-year estimate for Y-1.",
		"under1_starts counts " + measures.ProxyNote + "."}
	if calc == nil {
		notes = append(notes, fmt.Sprintf("No data found in %s: run `cscstats fetch`, or use --data DIR.", opts.Factory.DataDir))
	} else {
		for _, f := range calc.Store.Files {
			if f.Ignored != "" {
				notes = append(notes, fmt.Sprintf("ignored %s: %s", f.Path, f.Ignored))
			}
		}
	}
	doc := export.Document{Title: "Measures (data: " + opts.Factory.DataDir + ")", Sections: []export.Section{sec}, Notes: notes}
	if err := cmdutil.Print(opts.Factory, doc); err != nil {
		return err
	}
	if downloadFailed {
		return failed
	}
	return nil
}
