package cmdutil

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/timeperiod"
)

// DenominatorWarning says which areas have counts but no population
// estimate (in calc's band and vintage) for some reporting years, so that
// their rates are missing rather than made up; "" when there are none.
// Areas lacking the same years are grouped, and a group is named area by
// area only when small (at most MaxNamedAreas of a level); otherwise it
// is counted ("England, 11 regions and 150 councils lack a denominator
// for 2010-2012 (mid-2009 to mid-2011)"). Names are made safe for a
// terminal.
func DenominatorWarning(calc *rates.Calculator) string {
	gaps := calc.MissingDenominators()
	if len(gaps) == 0 {
		return ""
	}
	if len(calc.Store.Population) == 0 {
		// Nothing to divide by at all: one sentence, not a list of every
		// area in the data.
		return "the data directory has no population estimates (neither ONS's mid-year estimates nor DfE's CLA file with its population_estimate column), so counts are shown without rates. " +
			"Run `cscstats fetch population` to ask Nomis for the ONS estimates (mid-2009 onwards), or import the ONS or DfE population files with `cscstats fetch --from DIR`."
	}
	type group struct {
		years []int
		areas []rates.Area
	}
	var groups []*group
	by := map[string]*group{}
	for _, g := range gaps {
		k := timeperiod.Span(g.Years)
		if by[k] == nil {
			by[k] = &group{years: g.Years}
			groups = append(groups, by[k])
		}
		by[k].areas = append(by[k].areas, g.Area)
	}
	// the largest group first: it is usually the reason for the rest
	sort.SliceStable(groups, func(i, j int) bool { return len(groups[i].areas) > len(groups[j].areas) })
	parts := make([]string, len(groups))
	for i, g := range groups {
		mids := make([]int, len(g.years))
		for j, y := range g.years {
			mids[j] = population.MidYearFor(y)
		}
		verb := "lack"
		if len(g.areas) == 1 {
			verb = "lacks"
		}
		parts[i] = fmt.Sprintf("%s %s a denominator for %s (population estimates for %s)", describeAreas(g.areas), verb,
			timeperiod.Span(g.years), population.MidYearsText(mids))
		switch {
		case !allFormer(calc, g.areas):
		case len(g.areas) == 1:
			parts[i] += ": a council since replaced in a boundary change, for which the population file has no estimates for those years"
		default:
			parts[i] += ": councils since replaced in boundary changes, for which the population file has no estimates for those years"
		}
	}
	v := calc.Vintage
	if v == "" {
		v = population.Latest
	}
	fix := "Run `cscstats fetch population` to ask Nomis for the ONS estimates (mid-2009 onwards), or import DfE's copy of the estimates with `cscstats fetch --from DIR`."
	if v == population.AsPublished {
		fix = "The as-published vintage has only the estimates DfE printed in the releases in the data; `--population latest` uses today's ONS series."
	}
	have := "have"
	if len(gaps) == 1 {
		have = "has"
	}
	return fmt.Sprintf("%s with counts %s no population estimate (%s, %s vintage) for some reporting years, so those rates are left out, never estimated: %s. %s",
		plural(len(gaps), "area"), have, calc.Band().Label(), v, strings.Join(parts, "; "), fix)
}

// allFormer reports whether every area is a council that no longer exists
// (replaced in a boundary change).
func allFormer(calc *rates.Calculator, areas []rates.Area) bool {
	for _, a := range areas {
		if a.Level != rates.LocalAuthority {
			return false
		}
		la, ok := calc.Registry.Get(a.Code)
		if !ok || la.Current() {
			return false
		}
	}
	return len(areas) > 0
}

// MaxNamedAreas is how many areas of one level a warning names one by
// one; beyond it they are counted.
const MaxNamedAreas = 8

// describeAreas words a group of areas: every name (with its code) when
// there are at most MaxNamedAreas, else England by name and the regions
// and councils counted unless few.
func describeAreas(areas []rates.Area) string {
	named := func(as []rates.Area) []string {
		out := make([]string, len(as))
		for i, a := range as {
			out[i] = fmt.Sprintf("%s (%s)", terminalSafe(a.Name), terminalSafe(a.Code))
		}
		return out
	}
	if len(areas) <= MaxNamedAreas {
		return joinAnd(named(areas))
	}
	var nat, reg, las []rates.Area
	for _, a := range areas {
		switch a.Level {
		case rates.National:
			nat = append(nat, a)
		case rates.Regional:
			reg = append(reg, a)
		default:
			las = append(las, a)
		}
	}
	var out []string
	if len(nat) > 0 {
		out = append(out, "England")
	}
	for _, lv := range []struct {
		as   []rates.Area
		what string
	}{{reg, "region"}, {las, "council"}} {
		switch n := len(lv.as); {
		case n == 0:
		case n <= MaxNamedAreas:
			out = append(out, named(lv.as)...)
		default:
			out = append(out, plural(n, lv.what))
		}
	}
	return joinAnd(out)
}

// joinAnd joins words as English: "a", "a and b", "a, b and c".
func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// DfEDenominatorNote says which rows divide by DfE's published population
// (the CLA file's population_estimate) because the ONS estimates have none
// for that area and mid-year; "" when none do.
func DfEDenominatorNote(rs []rates.Rate) string {
	var t DfEDenominatorTally
	t.Add(rs)
	return t.Note()
}

// DfEDenominatorTally gathers DfEDenominatorNote's rows a part of a table
// at a time (Add, in table order; Merge another part's after), for a table
// written as it is made.
type DfEDenominatorTally struct {
	n     int
	which []string // the first 10
}

// Add counts rs's rows that divide by DfE's population.
func (t *DfEDenominatorTally) Add(rs []rates.Rate) {
	for i := range rs {
		r := &rs[i] // a Rate is some 360 bytes: not copied for each row
		if r.OK() && r.PopFrom == dataset.DfE && r.Vintage != population.AsPublished {
			if t.n < 10 {
				t.which = append(t.which, fmt.Sprintf("%s %d", terminalSafe(r.Area.Name), r.Year))
			}
			t.n++
		}
	}
}

// Merge adds the rows of a later part of the table.
func (t *DfEDenominatorTally) Merge(o DfEDenominatorTally) {
	for _, w := range o.which {
		if len(t.which) < 10 {
			t.which = append(t.which, w)
		}
	}
	t.n += o.n
}

// Note is DfEDenominatorNote of the rows added.
func (t *DfEDenominatorTally) Note() string {
	n := t.n
	if n == 0 {
		return ""
	}
	which := append([]string(nil), t.which...)
	if n > 10 {
		which = append(which, fmt.Sprintf("and %d more", n-10))
	}
	verb := "divide"
	if n == 1 {
		verb = "divides"
	}
	return fmt.Sprintf("%s %s by DfE's own published population (population_estimate in its CLA file), as the ONS estimates have none for that area and mid-year: %s.",
		plural(n, "row"), verb, strings.Join(which, ", "))
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// terminalSafe drops control characters (escape sequences) from a name.
func terminalSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, s)
}

// AddPerFlag adds --per, the denominator's age band, to a command.
func AddPerFlag(cmd *cobra.Command, p *string) {
	var vals []string
	for _, b := range population.Bands {
		vals = append(vals, b.Flag())
	}
	// The default is empty (read as 0-17) so that Options structs built
	// without flags mean the usual denominator.
	cmd.Flags().StringVar(p, "per", "",
		"denominator `BAND`: per 10,000 children aged 0-17 (0-17, the default), under 1 (under1: for under1_starts, the removals-at-birth proxy) or under 5 (under5)")
	_ = cmd.RegisterFlagCompletionFunc("per", cobra.FixedCompletions(vals, cobra.ShellCompDirectiveNoFileComp))
}

// ParsePer reads a --per value into an age band.
func ParsePer(s string) (population.Band, error) {
	b, ok := population.ParseBand(s)
	if !ok {
		return "", FlagErrorf("--per %q: use 0-17, under1 or under5", s)
	}
	return b, nil
}
