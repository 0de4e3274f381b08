package rates

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/timeperiod"
)

// Denominators says, for the given reporting years, which population
// vintage divides the counts and which file gave each year's estimate
// (England's, as the representative: a local authority lacking one gets
// its own note), and which years the vintage has none for:
//
//	Population vintage as-published: ... 2010: DfE Mid2009Pop0-17, release
//	2010 (SFR27_2010_March.csv). 2018-2022: DfE population_estimate,
//	release 2022 (cla_number_and_rate_per_10k_children.csv). No
//	estimate in this vintage for 2011-2017: counts only, no rates.
func (c *Calculator) Denominators(years []int) string {
	v := c.vintage()
	type group struct {
		label string
		years []int
	}
	var groups []group
	var none []int
	for _, y := range years {
		e, ok, _ := c.Pop.ForVintage(v, population.EnglandCode, y, population.Children)
		if !ok {
			none = append(none, y)
			continue
		}
		label := sourceLabel(e)
		if n := len(groups); n > 0 && groups[n-1].label == label {
			groups[n-1].years = append(groups[n-1].years, y)
			continue
		}
		groups = append(groups, group{label, []int{y}})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Population vintage %s.", v.Describe())
	for _, g := range groups {
		fmt.Fprintf(&b, " %s: %s.", timeperiod.Span(g.years), g.label)
	}
	if len(none) > 0 {
		fmt.Fprintf(&b, " No estimate in this vintage for %s: counts only, no rates (never a silent switch to another vintage).", timeperiod.Span(none))
	}
	return b.String()
}

// sourceLabel names an estimate's source without its line, so that the
// years of one file group together.
func sourceLabel(e population.Estimate) string {
	if e.Source == dataset.ONS {
		return fmt.Sprintf("ONS mid-year estimates (mid-year before the year ends), %s", filepath.Base(e.File))
	}
	col := "population_estimate"
	if e.Column != "" {
		col = e.Column
	}
	return fmt.Sprintf("DfE %s, release %d (%s)", col, e.Release, filepath.Base(e.File))
}

// AllONS reports whether every year's denominator (England's) in the
// chosen vintage is an ONS mid-year estimate: when it is not, notes must
// name each year's source rather than "the ONS estimates".
func (c *Calculator) AllONS(years []int) bool {
	for _, y := range years {
		e, ok, _ := c.Pop.ForVintage(c.vintage(), population.EnglandCode, y, population.Children)
		if !ok || e.Source != dataset.ONS {
			return false
		}
	}
	return true
}
