// Package revisions is the `cscstats revisions` command: every figure that
// two releases in the data directory give differently, so a researcher
// can see how much of a trend is revision.
package revisions

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/rates"
)

// Options are the command's flags and dependencies.
type Options struct {
	Factory  *cmdutil.Factory
	Measures []string
	LAs      []string
}

// NewCmdRevisions wires the cobra command; runF replaces the run function
// in tests of flag parsing.
func NewCmdRevisions(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "revisions [--measure ID] [--la NAME|CODE ...]",
		Short: "List the figures that differ between releases in the data directory",
		Long: `When several releases in the data directory give the same measure, area and
year (DfE restates earlier years in each release), cscstats uses the newest
release's figure. This lists every figure where an older release said
something else: measure, area, year, the two releases, the old and new
values, the change, and the file and line of each.

A file's release is what ` + "`cscstats fetch`" + ` recorded in the manifest, else the
latest year the file covers. Older releases can be added with
` + "`cscstats fetch cla --release 2022`" + ` or ` + "`cscstats fetch --from DIR`" + `.`,
		Example: `  cscstats revisions
  cscstats revisions --measure cla_31march --la Leeds
  cscstats revisions --format csv > revisions.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return revisionsRun(opts)
		},
	}
	cmd.Flags().StringSliceVarP(&opts.Measures, "measure", "m", nil, "measure ID(s), comma-separated (default: all)")
	cmd.Flags().StringArrayVar(&opts.LAs, "la", nil, "only this local authority (name or code; repeatable)")
	_ = cmd.RegisterFlagCompletionFunc("measure", cmdutil.CompleteMeasures)
	return cmd
}

// Columns of the revisions table.
var Columns = []export.Column{
	{Name: "measure", Decimals: -1}, {Name: "time_period", Decimals: -1}, {Name: "geographic_level", Decimals: -1},
	{Name: "new_la_code", Decimals: -1}, {Name: "la_name", Decimals: -1},
	{Name: "old_release", Decimals: -1}, {Name: "new_release", Decimals: -1},
	{Name: "old_value", Decimals: -1}, {Name: "new_value", Decimals: -1}, {Name: "change", Decimals: -1},
	{Name: "old_source", Decimals: -1}, {Name: "new_source", Decimals: -1},
}

func revisionsRun(opts *Options) error {
	want := map[string]bool{}
	if len(opts.Measures) > 0 {
		ms, err := measures.Parse(opts.Measures)
		if err != nil {
			return cmdutil.FlagErrorf("%v", err)
		}
		for _, m := range ms {
			want[m.ID] = true
		}
	}
	calc, err := opts.Factory.Calculator()
	if err != nil {
		return err
	}
	las := map[string]bool{}
	for _, q := range opts.LAs {
		a, err := calc.Registry.Lookup(q)
		if err != nil {
			return err
		}
		las[a.Code] = true
	}
	rows := Select(calc, want, las)
	doc := export.Document{Title: "Figures that differ between releases", Sections: []export.Section{Section(calc, rows)}, Notes: Notes(calc, rows, want)}
	return export.Write(opts.Factory.IOStreams.Out, opts.Factory.IOStreams.ErrOut, opts.Factory.Format, doc)
}

// Select keeps the revisions of the wanted measures (all when empty) and
// local authorities (all areas when empty).
func Select(calc *rates.Calculator, measures, las map[string]bool) []dataset.Revision {
	var out []dataset.Revision
	for _, r := range calc.Store.Revisions() {
		if len(measures) > 0 && !measures[r.Measure] {
			continue
		}
		if len(las) > 0 && !las[calc.Registry.CanonicalGeo(r.Geo)] {
			continue
		}
		out = append(out, r)
	}
	return out
}

// Section lays the revisions out in Columns.
func Section(calc *rates.Calculator, rs []dataset.Revision) export.Section {
	s := export.Section{Name: "revisions", Columns: Columns}
	for _, r := range rs {
		code, name := "", ""
		switch r.Geo.Level {
		case rates.National:
			code, name = "E92000001", "England"
		case rates.Regional:
			code, name = r.Geo.RegionCode, r.Geo.RegionName
		default:
			code, name = r.Geo.NewLACode, r.Geo.LAName
			if a, ok := calc.Registry.Get(calc.Registry.CanonicalGeo(r.Geo)); ok {
				code, name = a.Code, a.Name
			}
		}
		change := export.MissingCell("")
		if d, ok := r.Change(); ok {
			change = export.Num(d)
		}
		s.Rows = append(s.Rows, []export.Cell{
			export.Str(r.Measure), export.Int(r.Year), export.Str(r.Geo.Level), export.Str(code), export.Str(name),
			export.Int(r.Old.Release), export.Int(r.New.Release), value(r.Old), value(r.New), change,
			export.Str(source(calc, r.Old)), export.Str(source(calc, r.New)),
		})
	}
	return s
}

func value(o dataset.Observation) export.Cell {
	if o.Count.OK() {
		return export.Num(o.Count.Number)
	}
	return export.MissingCell(o.Count.String())
}

// source names the file below the data directory and the line, so that
// two releases' files of one name are told apart.
func source(calc *rates.Calculator, o dataset.Observation) string {
	return fmt.Sprintf("%s:%d", calc.Store.RelPath(o.File), o.Line)
}

// Notes explain how releases were found and settled, listing the files
// (of the chosen measures, when some are chosen) with their releases.
func Notes(calc *rates.Calculator, rs []dataset.Revision, measures map[string]bool) []string {
	var rel []string
	for _, f := range calc.Store.Recognised() {
		if len(measures) > 0 && !givesAny(f.Measures, measures) {
			continue
		}
		name := f.Path
		if r, err := filepath.Rel(calc.Store.Dir, f.Path); err == nil {
			name = filepath.ToSlash(r)
		}
		rel = append(rel, fmt.Sprintf("%s: release %d (%s)", name, f.Release, f.ReleaseFrom))
	}
	notes := []string{
		fmt.Sprintf("%d figure(s) differ between releases. Every other figure that several releases give is the same in each.", len(rs)),
		"Where releases overlap, cscstats uses the newest release (new_value); old_value is what the older release said. change = new - old; empty when either is suppressed or unavailable (shown by its symbol, never as zero).",
		"A file's release is what `cscstats fetch` recorded in the manifest, else the latest reporting year the file covers.",
	}
	if len(calc.Store.Revisions()) == 0 {
		notes = append(notes, "No figure differs: the data directory may hold one release only; add an older one with `cscstats fetch cla --release 2022` or `cscstats fetch --from DIR`.")
	}
	return append(notes, "Files and releases: "+strings.Join(rel, "; ")+".")
}

func givesAny(ms []string, want map[string]bool) bool {
	for _, m := range ms {
		if want[m] {
			return true
		}
	}
	return false
}
