package cmdutil

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
)

// RateColumns are the columns of every rates table. The CSV header is
// exactly these names; England and region rows carry their own ONS code
// and name in new_la_code and la_name.
var RateColumns = []export.Column{
	{Name: "measure", Decimals: -1}, {Name: "time_period", Decimals: -1}, {Name: "geographic_level", Decimals: -1},
	{Name: "new_la_code", Decimals: -1}, {Name: "la_name", Decimals: -1}, {Name: "region_name", Decimals: -1},
	{Name: "count", Decimals: -1}, {Name: "population", Decimals: 0},
	{Name: "rate_per_10k", Decimals: 1}, {Name: "ci_lower", Decimals: 1}, {Name: "ci_upper", Decimals: 1},
}

// RateSection turns rates into a table section with RateColumns.
func RateSection(name, title string, rs []rates.Rate) export.Section {
	s := export.Section{Name: name, Title: title, Columns: RateColumns}
	for _, r := range rs {
		count := export.MissingCell(r.Count.String())
		if r.Count.OK() {
			count = export.Num(r.Count.Number)
		}
		pop := export.Num(r.Population)
		if r.Population == 0 {
			pop = export.MissingCell("")
		}
		s.Rows = append(s.Rows, []export.Cell{
			export.Str(r.Measure), export.Int(r.Year), export.Str(r.Area.Level), export.Str(r.Area.Code),
			export.Str(r.Area.Name), export.Str(r.Area.RegionName), count, pop,
			export.Num(r.Value), export.Num(r.Lower), export.Num(r.Upper),
		})
	}
	return s
}

// MissingNote summarises rows without a rate, by reason.
func MissingNote(rs []rates.Rate) string {
	reasons := map[string]int{}
	n := 0
	for _, r := range rs {
		if r.OK() {
			continue
		}
		n++
		switch {
		case r.Break:
			reasons["boundary break"]++
		case !r.Count.OK():
			reasons["count "+r.Count.Symbol.Describe()]++
		default:
			reasons["no population estimate"]++
		}
	}
	if n == 0 {
		return ""
	}
	var parts []string
	for k, v := range reasons {
		parts = append(parts, fmt.Sprintf("%d %s", v, k))
	}
	sort.Strings(parts)
	return fmt.Sprintf("%d row(s) have no rate (%s): their numeric cells are empty, never zero", n, strings.Join(parts, "; "))
}

// MeasureNotes are the labels every table of these measures carries: the
// definition, the denominator and convention, the years and the source
// files, and the removals-at-birth proxy wording where it applies.
func MeasureNotes(calc *rates.Calculator, ms []measures.Measure, years []int) []string {
	var notes []string
	for _, m := range ms {
		n := fmt.Sprintf("%s (%s): %s. Rate per 10,000 %s.", m.ID, m.Label, m.Definition, m.Denominator)
		if m.Note != "" {
			n += " Counts of " + m.Note + "."
		}
		notes = append(notes, n)
		notes = append(notes, fmt.Sprintf("Source for %s: %s, file(s) %s.", m.ID, m.Publication, strings.Join(calc.Store.SourceFiles(m.ID), ", ")))
	}
	if len(years) > 0 {
		notes = append(notes, fmt.Sprintf("Years: %s (reporting years ending 31 March); denominators: %s, mid-years %d to %d (reporting year Y uses mid-year Y-1).",
			YearSpan(years), popFiles(calc), population.MidYearFor(years[0]), population.MidYearFor(years[len(years)-1])))
	}
	notes = append(notes, "95% confidence intervals are exact Poisson (Garwood) intervals for the count, divided by the population.")
	return notes
}

func popFiles(calc *rates.Calculator) string {
	seen := map[string]bool{}
	for _, p := range calc.Store.Population {
		if p.Source == dataset.ONS {
			seen[filepath.Base(p.File)] = true
		}
	}
	var out []string
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	if len(out) == 0 {
		return "DfE's population_estimate column (no ONS file found)"
	}
	return "ONS " + strings.Join(out, ", ")
}

// YearSpan writes years as "2013-2021" when consecutive, else a list.
func YearSpan(years []int) string {
	if len(years) == 0 {
		return ""
	}
	consecutive := true
	for i := 1; i < len(years); i++ {
		if years[i] != years[i-1]+1 {
			consecutive = false
		}
	}
	if consecutive && len(years) > 1 {
		return fmt.Sprintf("%d-%d", years[0], years[len(years)-1])
	}
	var s []string
	for _, y := range years {
		s = append(s, fmt.Sprint(y))
	}
	return strings.Join(s, ", ")
}
