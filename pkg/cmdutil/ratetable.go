package cmdutil

import (
	"fmt"
	"github.com/cscstats/cscstats/pkg/timeperiod"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
)

// MissingNote summarises rows without a rate, by reason.
func MissingNote(rs []rates.Rate) string {
	var t MissingTally
	t.Add(rs)
	return t.Note()
}

// MissingTally counts MissingNote's rows a part of a table at a time
// (Add, or Merge another part's), for a table written as it is made.
type MissingTally struct {
	n       int
	reasons map[string]int
}

// Add counts rs's rows without a rate.
func (t *MissingTally) Add(rs []rates.Rate) {
	for i := range rs {
		r := &rs[i] // a Rate is some 360 bytes: not copied for each row
		if r.OK() {
			continue
		}
		var why string
		switch {
		case r.Break:
			why = "boundary break"
		case !r.Count.OK():
			why = "count " + r.Count.Symbol.Describe()
		default:
			why = "no population estimate"
		}
		t.add(why, 1)
	}
}

func (t *MissingTally) add(why string, n int) {
	if t.reasons == nil {
		t.reasons = map[string]int{}
	}
	t.reasons[why] += n
	t.n += n
}

// Merge adds another part's counts.
func (t *MissingTally) Merge(o MissingTally) {
	for why, n := range o.reasons {
		t.add(why, n)
	}
}

// Note is MissingNote of the rows added.
func (t *MissingTally) Note() string {
	if t.n == 0 {
		return ""
	}
	var parts []string
	for k, v := range t.reasons {
		parts = append(parts, fmt.Sprintf("%d %s", v, k))
	}
	sort.Strings(parts)
	return fmt.Sprintf("%d row(s) have no rate (%s): their numeric cells are empty, never zero", t.n, strings.Join(parts, "; "))
}

// MeasureNotes are the labels every table of these measures carries: the
// definition, the denominator and convention, the years and the source
// files, and the removals-at-birth proxy wording where it applies.
func MeasureNotes(calc *rates.Calculator, ms []measures.Measure, years []int) []string {
	var notes []string
	for _, m := range ms {
		denom := m.Denominator
		if b := calc.Band(); b != population.Children {
			denom = fmt.Sprintf("%s (ONS mid-year estimate; asked for with --per %s, instead of the usual %s)", b.Label(), b.Flag(), m.Denominator)
		} else if calc.Vintage == population.AsPublished {
			denom = "children aged 0-17 (the estimate DfE published beside its own rates; see the population vintage note)"
		}
		n := fmt.Sprintf("%s (%s): %s. Rate per 10,000 %s.", m.ID, m.Label, m.Definition, denom)
		if m.Note != "" {
			n += " Counts of " + m.Note + "."
		}
		notes = append(notes, n)
		notes = append(notes, fmt.Sprintf("Source for %s: %s, file(s) %s.", m.ID, m.Publication, strings.Join(calc.Store.SourceFiles(m.ID), ", ")))
		if n := ReleasesNote(calc, m.ID); n != "" {
			notes = append(notes, n)
		}
	}
	if len(years) > 0 {
		if popFiles(calc) == "" {
			notes = append(notes, fmt.Sprintf("Years: %s (reporting years ending 31 March); denominators: none. The data directory has no population estimates (neither ONS's mid-year estimates nor DfE's CLA file with its population_estimate column), so no rate can be computed: add them with `cscstats fetch population` or `cscstats fetch --from DIR`.",
				timeperiod.Span(years)))
		} else {
			if calc.AllONS(years) {
				notes = append(notes, fmt.Sprintf("Years: %s (reporting years ending 31 March); denominators: %s, mid-years %d to %d (reporting year Y uses mid-year Y-1).",
					timeperiod.Span(years), popFiles(calc), population.MidYearFor(years[0]), population.MidYearFor(years[len(years)-1])))
			} else {
				notes = append(notes, fmt.Sprintf("Years: %s (reporting years ending 31 March).", timeperiod.Span(years)))
			}
			notes = append(notes, calc.Denominators(years))
		}
	}
	notes = append(notes, "95% confidence intervals are exact Poisson (Garwood) intervals for the count, divided by the population.")
	return notes
}

// popFiles names the population files the denominators come from: ONS's
// if any, else DfE's CLA file's population_estimate column; "" when the
// data directory has neither.
func popFiles(calc *rates.Calculator) string {
	files := func(src dataset.PopulationSource) []string {
		seen := map[string]bool{}
		for _, p := range calc.Store.Population {
			if p.Source == src {
				seen[filepath.Base(p.File)] = true
			}
		}
		var out []string
		for f := range seen {
			out = append(out, f)
		}
		sort.Strings(out)
		return out
	}
	if ons := files(dataset.ONS); len(ons) > 0 {
		return "ONS " + strings.Join(ons, ", ")
	}
	if dfe := files(dataset.DfE); len(dfe) > 0 {
		return "DfE's population_estimate column in " + strings.Join(dfe, ", ") + " (no ONS file found)"
	}
	return ""
}

// ReleasesNote says which releases a measure's figures come from when
// there are several, how the overlap was settled and how to see the
// differences; "" for a single release.
func ReleasesNote(calc *rates.Calculator, measure string) string {
	rel := calc.Store.Releases(measure)
	if len(rel) < 2 {
		return ""
	}
	parts := make([]string, len(rel))
	for i, r := range rel {
		parts[i] = fmt.Sprint(r)
	}
	n := 0
	for _, r := range calc.Store.Revisions() {
		if r.Measure == measure {
			n++
		}
	}
	return fmt.Sprintf("Releases used for %s: %s; where releases give the same year, the newest release's figure is used (%d figure(s) differ between releases: `cscstats revisions --measure %s`). The JSON output gives each figure's file, line and release.",
		measure, strings.Join(parts, ", "), n, measure)
}
