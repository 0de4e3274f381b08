package cmdutil

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/timeperiod"
)

// DenominatorWarning names the areas that have counts but no population
// estimate (in calc's band) for some reporting years, so that their rates
// are missing rather than made up; "" when there are none. Names are made
// safe for a terminal.
func DenominatorWarning(calc *rates.Calculator) string {
	gaps := calc.MissingDenominators()
	if len(gaps) == 0 {
		return ""
	}
	parts := make([]string, len(gaps))
	for i, g := range gaps {
		parts[i] = fmt.Sprintf("%s (%s) %s", terminalSafe(g.Area.Name), terminalSafe(g.Area.Code), timeperiod.Span(g.Years))
	}
	return fmt.Sprintf("%d area(s) have counts but no population estimate (%s) for some reporting years, so those rates are left out, never estimated: %s. "+
		"Run `cscstats fetch population` to ask Nomis again, or import DfE's copy of the estimates with `cscstats fetch --from DIR`.",
		len(gaps), calc.Band().Label(), strings.Join(parts, "; "))
}

// DfEDenominatorNote says which rows divide by DfE's published population
// (the CLA file's population_estimate) because the ONS estimates have none
// for that area and mid-year; "" when none do.
func DfEDenominatorNote(rs []rates.Rate) string {
	var which []string
	for _, r := range rs {
		if r.OK() && r.PopFrom == dataset.DfE && r.Vintage != population.AsPublished {
			which = append(which, fmt.Sprintf("%s %d", terminalSafe(r.Area.Name), r.Year))
		}
	}
	if len(which) == 0 {
		return ""
	}
	n := len(which)
	if n > 10 {
		which = append(which[:10], fmt.Sprintf("and %d more", n-10))
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
