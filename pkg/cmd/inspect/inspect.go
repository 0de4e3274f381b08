// Package inspect is the `cscstats inspect` command: what the reader
// recognised in a file (or every file of the data directory).
package inspect

import (
	"fmt"
	"github.com/cscstats/cscstats/pkg/timeperiod"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/export"
)

// Options are the command's flags and dependencies.
type Options struct {
	Factory *cmdutil.Factory
	Files   []string
}

// NewCmdInspect wires the cobra command.
func NewCmdInspect(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	return &cobra.Command{
		Use:   "inspect [FILE ...]",
		Short: "Show what cscstats recognises in EES files",
		Long: `Show, for each file, the kind cscstats recognised from its content, the
measures it provides, its years and geographic levels, its row count and its
missing cells by EES symbol. Without FILE, every CSV in the data directory.`,
		Example: `  cscstats inspect ~/Downloads/c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv
  cscstats inspect --data ../shared/ees`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			if runF != nil {
				return runF(opts)
			}
			return inspectRun(opts)
		},
	}
}

func inspectRun(opts *Options) error {
	var reports []dataset.FileReport
	if len(opts.Files) == 0 {
		st, err := dataset.Load(opts.Factory.DataDir)
		if err != nil {
			return err
		}
		reports = st.Files
	} else {
		for _, p := range opts.Files {
			rep, err := dataset.InspectFile(p)
			if err != nil {
				return err
			}
			if rep.Ignored != "" && len(opts.Files) == 1 {
				return fmt.Errorf("%s: %s", p, rep.Ignored)
			}
			reports = append(reports, rep)
		}
	}
	sec := export.Section{Name: "files", Columns: []export.Column{
		{Name: "file", Decimals: -1}, {Name: "kind", Decimals: -1}, {Name: "measures", Decimals: -1}, {Name: "years", Decimals: -1},
		{Name: "levels", Decimals: -1}, {Name: "rows", Decimals: 0}, {Name: "missing_cells", Decimals: -1}, {Name: "status", Decimals: -1}}}
	for _, r := range reports {
		status := "used"
		if r.Ignored != "" {
			status = "ignored: " + r.Ignored
		} else if r.Superseded > 0 {
			status = fmt.Sprintf("used; %d value(s) superseded by another file", r.Superseded)
		}
		if r.HasMeta {
			status += "; labels from .meta.csv"
		}
		sec.Rows = append(sec.Rows, []export.Cell{export.Str(r.Path), export.Str(r.Kind), export.Str(strings.Join(r.Measures, ", ")),
			export.Str(timeperiod.Span(r.Years)), export.Str(levels(r.Levels)), export.Int(r.Rows), export.Str(symbols(r.Symbols)), export.Str(status)})
	}
	doc := export.Document{Sections: []export.Section{sec},
		Notes: []string{"missing_cells counts the cells of the indicators cscstats reads that hold an EES symbol instead of a number (c suppressed, x not available, z not applicable, low/k rounds to zero, u low reliability, : legacy not available); they are treated as missing, never as zero."}}
	return cmdutil.Print(opts.Factory, doc)
}

func levels(m map[string]int) string {
	var out []string
	for _, l := range []string{"National", "Regional", "Local authority"} {
		if n := m[l]; n > 0 {
			out = append(out, fmt.Sprintf("%s %d", l, n))
		}
	}
	var other []string
	for l, n := range m {
		if l != "National" && l != "Regional" && l != "Local authority" {
			other = append(other, fmt.Sprintf("%s %d", l, n))
		}
	}
	sort.Strings(other)
	return strings.Join(append(out, other...), "; ")
}

func symbols(m map[ees.Symbol]int) string {
	var out []string
	for s, n := range m {
		out = append(out, fmt.Sprintf("%s: %d", ees.Value{Symbol: s}.String(), n))
	}
	sort.Strings(out)
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}
