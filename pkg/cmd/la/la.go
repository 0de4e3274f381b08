// Package la is the `cscstats la` command group: finding local authorities
// by name or code (current, former, and former district names) and showing
// one authority's identity, statistical neighbours and boundary changes.
package la

import (
	"errors"
	"fmt"
	"github.com/cscstats/cscstats/pkg/timeperiod"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/neighbours"
	"github.com/cscstats/cscstats/pkg/rates"
)

// NewCmdLA wires `cscstats la` and its subcommands.
func NewCmdLA(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "la <command>",
		Short: "Find local authorities and show their codes, neighbours and boundary changes",
		Long: `Local authorities as DfE files know them: ONS code, DfE 3-digit code, region,
the boundary changes that created or ended them, and DfE's statistical
neighbours.`,
		Example: `  cscstats la search hull
  cscstats la search barrow
  cscstats la show Leeds`,
	}
	cmd.AddCommand(NewCmdSearch(f, nil))
	cmd.AddCommand(NewCmdShow(f, nil))
	return cmd
}

// SearchOptions are `la search`'s flags and dependencies.
type SearchOptions struct {
	Factory *cmdutil.Factory
	Query   string
	Limit   int
}

// NewCmdSearch wires `cscstats la search`.
func NewCmdSearch(f *cmdutil.Factory, runF func(*SearchOptions) error) *cobra.Command {
	opts := &SearchOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "search TEXT",
		Short: "Fuzzy search over local authority names and codes, current and former",
		Long: `Search local authorities by name or code: ONS codes (current and former),
DfE 3-digit codes, names (case, "&", "St." and punctuation ignored, a name
may be given in part or misspelt by a letter or two), initials ("bcp"),
everyday names ("Hull") and the names of districts abolished in a
reorganisation (Barrow-in-Furness, Kettering, Christchurch, ...), which
point to the authority that runs their children's services now.

Best matches come first: exact codes, then exact names, then names that
start with the text, contain it as words, contain it, and finally names a
few letters away.`,
		Example: `  cscstats la search hull
  cscstats la search "st helens"
  cscstats la search northamptonshire
  cscstats la search 383`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Query = strings.Join(args, " ")
			if runF != nil {
				return runF(opts)
			}
			return searchRun(opts)
		},
	}
	cmd.Flags().IntVarP(&opts.Limit, "limit", "L", 10, "maximum number of matches (0: all)")
	return cmd
}

var searchColumns = []export.Column{
	{Name: "la_name", Decimals: -1}, {Name: "kind", Decimals: -1}, {Name: "new_la_code", Decimals: -1},
	{Name: "old_la_code", Decimals: -1}, {Name: "region_name", Decimals: -1}, {Name: "exists", Decimals: -1},
	{Name: "successors", Decimals: -1}, {Name: "matched_on", Decimals: -1},
}

func searchRun(opts *SearchOptions) error {
	if strings.TrimSpace(opts.Query) == "" {
		return cmdutil.FlagErrorf("give some text to search for")
	}
	if opts.Limit < 0 {
		return cmdutil.FlagErrorf("--limit must be 0 or more")
	}
	calc, err := opts.Factory.Calculator()
	if err != nil {
		return err
	}
	reg := calc.Registry
	matches := reg.Search(opts.Query, opts.Limit)
	sec := export.Section{Name: "matches", Columns: searchColumns}
	for _, m := range matches {
		kind, region, old := "authority", "", ""
		if m.Authority != nil {
			region, old = m.Authority.RegionName, m.Authority.OldCode
			if !m.Current() {
				kind = "former authority"
			}
		} else {
			kind = m.Former.Kind
			if len(m.Former.Successors) > 0 {
				if s, ok := reg.Get(m.Former.Successors[0]); ok {
					region = s.RegionName
				}
			}
		}
		on := m.On
		if m.Text != "" && m.On != la.OnName && m.On != la.OnDistrict {
			on += " " + m.Text
		}
		if m.Score >= 5 {
			on += fmt.Sprintf(" (%d edit(s) away)", m.Score-5)
		}
		sec.Rows = append(sec.Rows, []export.Cell{
			export.Str(m.Name()), export.Str(kind), export.Str(m.Code()), export.Str(old), export.Str(region),
			export.Str(yesNo(m.Current())), export.Str(describeCodes(reg, m.Successors())), export.Str(on),
		})
	}
	notes := []string{"exists: whether it is a children's services authority today; successors: the authorities that took over (ONS code, DfE code)."}
	if len(matches) == 0 {
		notes = append(notes, fmt.Sprintf("nothing matches %q; try fewer letters, a code, or `cscstats rates --measure s47` to list every authority", opts.Query))
	}
	for _, m := range matches {
		if m.Former != nil && m.Former.Note != "" {
			notes = append(notes, m.Former.Name+": "+m.Former.Note)
		} else if m.Authority != nil && !m.Current() && m.Authority.Change != nil {
			c := m.Authority.Change
			notes = append(notes, fmt.Sprintf("%s ended on %s (%s); DfE reports the successors from %d. %s", m.Authority.Name, c.Effective, c.Name, c.FirstReportingYear, c.Note))
		}
	}
	notes = append(notes, "Former district names: data/former_names.json (structural changes orders and ONS LTLA-UTLA lookups); boundary changes: data/boundary_changes.json.")
	doc := export.Document{Title: fmt.Sprintf("Local authorities matching %q", opts.Query), Sections: []export.Section{sec}, Notes: notes}
	return cmdutil.Print(opts.Factory, doc)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// describeCodes writes canonical codes as "Name (E06000061, 940)".
func describeCodes(reg *la.Registry, codes []string) string {
	var parts []string
	for _, c := range codes {
		if a, ok := reg.Get(c); ok {
			parts = append(parts, fmt.Sprintf("%s (%s, %s)", a.Name, a.Code, a.OldCode))
		} else {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, "; ")
}

// ShowOptions are `la show`'s flags and dependencies.
type ShowOptions struct {
	Factory *cmdutil.Factory
	Query   string
}

// NewCmdShow wires `cscstats la show`.
func NewCmdShow(f *cmdutil.Factory, runF func(*ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "show NAME|CODE",
		Short: "One authority's codes, region, boundary changes and statistical neighbours",
		Long: `Show one local authority: its ONS and DfE codes (and earlier ONS codes), its
region, the years it appears in the data, the authorities it replaced or
that replaced it, the district names now inside it, and its ten statistical
neighbours with their closeness.

Neighbours come from DfE's children's services statistical neighbours
2025 model (sn_model_2025_wide.csv) when the data directory has it and it
lists the authority, otherwise from the April 2021 groupings (which also
hold groupings for authorities abolished since). The files are found in
the data directory by their header.

CSV output carries the neighbours table; JSON carries both tables.`,
		Example: `  cscstats la show Leeds
  cscstats la show 928
  cscstats la show "Barrow-in-Furness"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Query = strings.Join(args, " ")
			if runF != nil {
				return runF(opts)
			}
			return showRun(opts)
		},
	}
	return cmd
}

var neighbourColumns = []export.Column{
	{Name: "rank", Decimals: -1}, {Name: "old_la_code", Decimals: -1}, {Name: "new_la_code", Decimals: -1},
	{Name: "la_name", Decimals: -1}, {Name: "region_name", Decimals: -1}, {Name: "closeness", Decimals: -1}, {Name: "exists", Decimals: -1},
}

func showRun(opts *ShowOptions) error {
	calc, err := opts.Factory.Calculator()
	if err != nil {
		return err
	}
	reg := calc.Registry
	a, via, err := reg.Resolve(opts.Query)
	if err != nil {
		return err
	}
	id := export.Section{Name: "authority", Title: "Authority", Columns: []export.Column{{Name: "field", Decimals: -1}, {Name: "value", Decimals: -1}}}
	add := func(field, value string) {
		if value != "" {
			id.Rows = append(id.Rows, []export.Cell{export.Str(field), export.Str(value)})
		}
	}
	add("la_name", a.Name)
	add("new_la_code", a.Code)
	add("old_la_code", a.OldCode)
	add("former_codes", strings.Join(a.FormerCodes, ", "))
	add("region_name", a.RegionName)
	add("region_code", a.RegionCode)
	add("exists", yesNo(a.Current()))
	var withFigures []int
	for _, m := range measures.Catalogue {
		for _, y := range calc.Years(m.ID) {
			if !timeperiod.Contains(withFigures, y) && calc.Get(m.ID, rates.LAArea(a), y).Count.OK() {
				withFigures = timeperiod.Append(withFigures, y)
			}
		}
	}
	add("years_with_figures", timeperiod.Span(withFigures))
	add("predecessors", describeCodes(reg, a.FormedFrom))
	add("successors", describeCodes(reg, a.Successors))
	if c := a.Change; c != nil {
		add("boundary_change", fmt.Sprintf("%s, %s (first reporting year under the new arrangement: %d). %s", c.Name, c.Effective, c.FirstReportingYear, c.Note))
	}
	var districts []string
	for _, f := range reg.FormerNamesOf(a.Code) {
		districts = append(districts, f.Describe())
	}
	add("former_names", strings.Join(districts, "; "))

	insp, inspNotes, err := ofstedHistory(opts.Factory.DataDir, reg, a)
	if err != nil {
		return err
	}
	if len(insp.Rows) > 0 {
		add("ofsted_judgement", insp.Title)
		insp.Title = "Ofsted inspections (ILACS)"
	}

	nb := export.Section{Name: "neighbours", Title: "Statistical neighbours", Columns: neighbourColumns}
	var notes []string
	if via != nil {
		notes = append(notes, fmt.Sprintf("%q is %s; its children's services are run by %s.", opts.Query, via.Describe(), a.Name))
		if via.Note != "" {
			notes = append(notes, via.Note)
		}
	}
	sets, err := neighbours.Find(opts.Factory.DataDir)
	if err != nil {
		return err
	}
	g, gerr := sets.For(reg, a)
	var nf *neighbours.NoNeighboursError
	switch {
	case gerr == nil:
		for _, m := range g.Members {
			code, name, region, exists := "", m.Name(), "", ""
			if m.Authority != nil {
				code, region, exists = m.Authority.Code, m.Authority.RegionName, yesNo(m.Authority.Current())
			}
			nb.Rows = append(nb.Rows, []export.Cell{export.Int(m.Rank), export.Str(m.OldCode), export.Str(code),
				export.Str(name), export.Str(region), export.Str(m.Closeness), export.Str(exists)})
		}
		notes = append(notes, "Neighbours: "+g.Source()+". Rank 1 is the nearest; closeness as DfE publishes it.")
		if len(g.Unknown) > 0 {
			notes = append(notes, fmt.Sprintf("neighbour code(s) %s are not in the data's authorities", strings.Join(g.Unknown, ", ")))
		}
	case errors.As(gerr, &nf):
		notes = append(notes, "Neighbours: "+gerr.Error()+".")
	default:
		return gerr
	}
	if a.FirstYear == 0 {
		notes = append(notes, a.Name+" has no rows in the data directory; it is known from data/boundary_changes.json.")
	}
	notes = append(notes, "years_with_figures: reporting years (ending 31 March) in which at least one measure has a published count for the authority (not a suppression or placeholder symbol).")
	notes = append(notes, inspNotes...)
	doc := export.Document{Title: fmt.Sprintf("%s (%s, %s)", a.Name, a.Code, a.OldCode), Notes: notes}
	if opts.Factory.Format == "csv" {
		doc.Sections = []export.Section{nb, id} // CSV carries the first section: the neighbours
	} else {
		doc.Sections = []export.Section{id, nb}
	}
	if len(insp.Rows) > 0 && opts.Factory.Format != "csv" {
		doc.Sections = append(doc.Sections, insp)
	}
	return cmdutil.Print(opts.Factory, doc)
}
