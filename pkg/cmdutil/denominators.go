package cmdutil

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

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
