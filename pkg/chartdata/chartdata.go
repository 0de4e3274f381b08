// Package chartdata turns rates into chart inputs: it is the one place
// where the values a chart plots and the words around it (title, subtitle,
// units, notes and source line) are decided, so that `cscstats plot`,
// `cscstats compare --plot` and the report draw the same thing from the
// same numbers.
//
// Every builder takes a *rates.Calculator and returns a chart from package
// charts, ready to Save or Render, and the tidy table behind it as an
// export.Section (the columns of `cscstats rates`, plus what the chart
// adds), so that a caller can publish the data beside the picture.
//
// Builders never compute rates themselves: a trend's points are exactly
// calc.Series, a rank chart's items exactly calc.Authorities, and so on.
// A year with no comparable figure (suppressed, missing, or before a
// boundary change) is an invalid point, and the chart breaks the line there.
//
// Conventions:
//   - Rates are per 10,000 children aged 0-17; years are reporting years
//     ending 31 March (2024 is 2023-24).
//   - Rank and funnel charts leave out the Isles of Scilly and the City of
//     London unless Options.IncludeSmall is set: with a few hundred
//     children their rates swing wildly, most counts are suppressed, and
//     their enormous confidence intervals squash the scale for everyone
//     else. A note on the chart says so. (The same two councils are left
//     out of correlations by pkg/spec.)
//   - Rank and funnel charts show the councils that existed in the year:
//     rows DfE keeps for authorities abolished before then (placeholders
//     marked "z") are listed in the data but not drawn.
package chartdata

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cscstats/cscstats/pkg/charts"
	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/funnel"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
	"gonum.org/v1/plot/vg"
)

// YLabel is the unit of every rate chart's value axis.
const YLabel = "per 10,000 children aged 0-17"

// XLabelYears labels a year axis.
const XLabelYears = "Year ending 31 March"

// SmallPopulation lists the councils rank and funnel charts leave out by
// default, by canonical ONS code (the same two as spec.SmallPopulation).
var SmallPopulation = map[string]string{
	"E06000053": "Isles of Scilly",
	"E09000001": "City of London",
}

// DefaultSize is the size a chart is drawn at unless the reader asks for
// another: 16 × 10 cm (charts.DefaultWidth × DefaultHeight), except
//   - funnel plots, 16 × 13 cm: their limits and the notes a reader needs
//     to read them leave too little of 10 cm for 150 dots;
//   - small multiples, 6.5 cm plus 2.5 cm per panel (at least 10 cm), so
//     every panel keeps a readable scale: 11.5 cm for two panels, 14 cm
//     for three, 21.5 cm for six.
func DefaultSize(c charts.Chart) (width, height vg.Length) {
	width, height = charts.DefaultWidth, charts.DefaultHeight
	switch c := c.(type) {
	case *charts.Funnel, *charts.Scatter:
		// Their subtitles and notes (limits, fit, who was left out) take
		// room a 10 cm canvas cannot spare without squashing the points.
		height = 13 * vg.Centimeter
	case *charts.SmallMultiples:
		height = max(height, 6.5*vg.Centimeter+vg.Length(len(c.Panels))*2.5*vg.Centimeter)
	case *charts.Choropleth:
		width, height = MapWidth, MapHeight
	}
	return width, height
}

// Options adjust a builder; the zero value gives the defaults.
type Options struct {
	// Highlight names councils (names or codes, as --la accepts them) to
	// colour and label in rank, funnel and scatter charts.
	Highlight []string
	// IncludeSmall keeps the Isles of Scilly and the City of London in
	// rank and funnel charts.
	IncludeSmall bool
	// Overdispersion draws overdispersion-adjusted funnel limits.
	Overdispersion bool
	// LimitScale is the scale the overdispersed funnel limits are worked
	// on (rate, square root or log; see funnel.Scale).
	LimitScale funnel.Scale
	// Neighbours are drawn as thin grey lines under a trend's lines.
	Neighbours []rates.Area
	// Predecessors adds, to small multiples, a line for the former
	// authority each council was formed from (Cumbria for Cumberland), up
	// to the year before the council's first, so a council formed
	// mid-series has a history. Only when it was formed from one.
	Predecessors bool
}

// Labels returns the text around a chart of the given measures over the
// given reporting years (sorted; one year for a single-year chart):
//
//   - Title: the title given;
//   - Subtitle: for one measure its definition (for under1_starts first
//     the words "Children starting care aged under 1 (proxy for removals
//     at birth)"), then the rate's denominator and the years; for several
//     measures the denominator and years only (each panel names its
//     measure), with the definitions in Notes;
//   - YLabel: "per 10,000 children aged 0-17";
//   - XLabel: "Year ending 31 March";
//   - Source: the DfE publication(s) and the files the figures came from,
//     and the ONS population estimates used as denominators (see Source).
func Labels(calc *rates.Calculator, title string, measureIDs []string, years []int) charts.Labels {
	ms := lookupAll(measureIDs)
	l := charts.Labels{Title: title, YLabel: YLabel, XLabel: XLabelYears, Source: Source(calc, measureIDs, years)}
	denom := "children aged 0-17"
	if len(ms) > 0 {
		denom = shortDenominator(ms[0].Denominator)
	}
	if b := calc.Band(); b != population.Children {
		// --per under1 or under5: the chart divides by that age band.
		denom = b.Label()
		l.YLabel = "per 10,000 " + denom
	}
	rate := fmt.Sprintf("Rate per 10,000 %s, %s.", denom, YearsText(years))
	switch len(ms) {
	case 0:
		l.Subtitle = rate
	case 1:
		l.Subtitle = Definition(ms[0]) + " " + rate
	default:
		l.Subtitle = "Rates per 10,000 " + denom + ", " + YearsText(years) + "."
		var defs []string
		for _, m := range ms {
			defs = append(defs, Definition(m))
		}
		l.Notes = append(l.Notes, strings.Join(defs, " "))
	}
	return l
}

// Definition is a measure's definition as a sentence, preceded for
// under1_starts by the removals-at-birth proxy wording.
func Definition(m measures.Measure) string {
	d := strings.TrimSuffix(m.Definition, ".") + "."
	if m.Note != "" {
		d = upperFirst(m.Note) + ": " + lowerFirst(d)
	}
	return d
}

// shortDenominator drops the parenthesised detail: "children aged 0-17".
func shortDenominator(d string) string {
	if i := strings.Index(d, " ("); i > 0 {
		return d[:i]
	}
	return d
}

// YearsText says which reporting years are shown: "year ending 31 March
// 2024", "years ending 31 March 2013 to 2025", or a list when the years
// are not consecutive.
func YearsText(years []int) string {
	switch len(years) {
	case 0:
		return "all years available"
	case 1:
		return fmt.Sprintf("year ending 31 March %d", years[0])
	}
	consecutive := true
	for i := 1; i < len(years); i++ {
		if years[i] != years[i-1]+1 {
			consecutive = false
		}
	}
	if consecutive {
		return fmt.Sprintf("years ending 31 March %d to %d", years[0], years[len(years)-1])
	}
	parts := make([]string, len(years))
	for i, y := range years {
		parts[i] = fmt.Sprint(y)
	}
	return "years ending 31 March " + joinAnd(parts)
}

// Source is the source line of a chart of the given measures: each DfE
// publication with the files its figures came from, then the ONS
// population estimates (file and mid-years) used as denominators:
// "DfE, Children in need: c4_....csv. ONS mid-year estimates of children
// aged 0-17, mid-2012 to mid-2024: ons_mid-year_....csv."
func Source(calc *rates.Calculator, measureIDs []string, years []int) string {
	var pubs []string
	files := map[string][]string{}
	for _, m := range lookupAll(measureIDs) {
		p := publication(m.Publication)
		if _, ok := files[p]; !ok {
			pubs = append(pubs, p)
			files[p] = nil
		}
		for _, f := range sourceFilesFor(calc, m.ID, years) {
			if !contains(files[p], f) {
				files[p] = append(files[p], f)
			}
		}
	}
	var parts []string
	for _, p := range pubs {
		if len(files[p]) == 0 {
			parts = append(parts, p)
			continue
		}
		parts = append(parts, p+": "+strings.Join(files[p], ", "))
	}
	pop := "ONS mid-year estimates of " + calc.Band().Label()
	if len(years) > 0 {
		lo, hi := population.MidYearFor(years[0]), population.MidYearFor(years[len(years)-1])
		if lo == hi {
			pop += fmt.Sprintf(", mid-%d", lo)
		} else {
			pop += fmt.Sprintf(", mid-%d to mid-%d", lo, hi)
		}
	}
	if f := onsFiles(calc); len(f) > 0 {
		pop += ": " + strings.Join(f, ", ")
	} else {
		pop = "DfE's published population estimates (no ONS file found)"
	}
	if calc.Vintage == population.AsPublished || !calc.AllONS(years) {
		// Say which file gave each year's denominator, and which years
		// have none: the ONS series alone does not cover them.
		pop = strings.TrimSuffix(calc.Denominators(years), ".")
	}
	parts = append(parts, pop)
	return strings.Join(parts, ". ") + "."
}

// publication rewrites "Children in need (formerly ...), DfE" as "DfE,
// Children in need": the publication's current name.
func publication(p string) string {
	if s, ok := strings.CutSuffix(p, ", DfE"); ok {
		if i := strings.Index(s, " ("); i > 0 {
			s = s[:i]
		}
		return "DfE, " + s
	}
	return p
}

func onsFiles(calc *rates.Calculator) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range calc.Store.Population {
		if p.Source != dataset.ONS {
			continue
		}
		if f := filepath.Base(p.File); !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// lookupAll returns the catalogue entries of the IDs it knows.
func lookupAll(ids []string) []measures.Measure {
	var out []measures.Measure
	for _, id := range ids {
		if m, err := measures.Lookup(id); err == nil {
			out = append(out, m)
		}
	}
	return out
}

// lookupMeasure returns a measure or the catalogue's error.
func lookupMeasure(id string) (measures.Measure, error) {
	return measures.Lookup(id)
}

// checkYear returns an error naming the years available when the measure
// has no data for year.
func checkYear(calc *rates.Calculator, measure string, year int) error {
	have := calc.Years(measure)
	if len(have) == 0 {
		return calc.Store.NoDataFor(measure)
	}
	for _, y := range have {
		if y == year {
			return nil
		}
	}
	return fmt.Errorf("no %s data for %d; years available: %s", measure, year, yearList(have))
}

// LatestYear returns the latest year a measure has data for.
func LatestYear(calc *rates.Calculator, measure string) (int, error) {
	have := calc.Years(measure)
	if len(have) == 0 {
		return 0, calc.Store.NoDataFor(measure)
	}
	return have[len(have)-1], nil
}

func yearList(ys []int) string {
	if len(ys) == 0 {
		return "none"
	}
	consecutive := true
	for i := 1; i < len(ys); i++ {
		if ys[i] != ys[i-1]+1 {
			consecutive = false
		}
	}
	if consecutive && len(ys) > 1 {
		return fmt.Sprintf("%d-%d", ys[0], ys[len(ys)-1])
	}
	s := make([]string, len(ys))
	for i, y := range ys {
		s[i] = fmt.Sprint(y)
	}
	return strings.Join(s, ", ")
}

// existed reports whether an authority was a council in the reporting
// year: false for an authority abolished before it (DfE files keep "z"
// placeholder rows for some) or created after it.
func existed(calc *rates.Calculator, code string, year int) bool {
	a, ok := calc.Registry.Get(code)
	if !ok || a.Change == nil {
		return true
	}
	if !a.Current() && year >= a.Change.FirstReportingYear {
		return false
	}
	if len(a.Predecessors) > 0 && year < a.Change.FirstReportingYear {
		return false
	}
	return true
}

// resolveHighlight maps --highlight queries to canonical codes.
func resolveHighlight(reg *la.Registry, queries []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, q := range queries {
		a, _, err := reg.Resolve(q)
		if err != nil {
			return nil, fmt.Errorf("--highlight: %w", err)
		}
		out[a.Code] = true
	}
	return out, nil
}

// role maps an area's level to how its series is drawn.
func role(a rates.Area) charts.Role {
	switch a.Level {
	case rates.National:
		return charts.England
	case rates.Regional:
		return charts.Region
	}
	return charts.Council
}

// point is a rate as a chart point: Valid exactly when the rate has a
// value.
func point(r rates.Rate) charts.Point {
	return charts.Point{Year: r.Year, Value: r.Value, Lower: r.Lower, Upper: r.Upper, Valid: r.OK(), Note: r.Note}
}

// reason says briefly why a rate has no value.
func reason(r rates.Rate) string {
	switch {
	case r.Break:
		return strings.ReplaceAll(ReadableDates(strings.TrimPrefix(r.Note, "boundary break: ")), "; ", ", ")
	case !r.Count.OK() && len(r.SourceRefs()) == 0 && r.Basis != rates.Harmonised:
		return "no figure in the data"
	case !r.Count.OK() && r.Basis != rates.Harmonised:
		return "count " + r.Count.Symbol.Describe()
	}
	return r.Note
}

// seriesNotes summarises, for each area's rates (in year order), the years
// not plotted and the years harmonised across a boundary change, with the
// years grouped into ranges: "No comparable figure, so not plotted:
// Hampshire 2024: count low reliability (u); ..." and "Across a boundary
// change: Cumbria 2024-2025 is the sum of Cumberland and Westmorland and
// Furness."
func seriesNotes(rows [][]rates.Rate) []string {
	var missing, harmonised []string
	for _, rs := range rows {
		missing = append(missing, groupYears(rs, "%s %s: %s", func(r rates.Rate) (string, bool) {
			if r.OK() {
				return "", false
			}
			return reason(r), true
		})...)
		harmonised = append(harmonised, groupYears(rs, "%s %s is the %s", func(r rates.Rate) (string, bool) {
			if !r.OK() || r.Basis != rates.Harmonised {
				return "", false
			}
			n := strings.TrimPrefix(r.Note, "harmonised: ")
			return strings.TrimSuffix(n, " (boundary change)"), true
		})...)
	}
	var out []string
	if len(missing) > 0 {
		out = append(out, "No comparable figure, so not plotted (lines are broken there): "+strings.Join(missing, "; ")+".")
	}
	if len(harmonised) > 0 {
		out = append(out, "Across a boundary change: "+strings.Join(harmonised, "; ")+".")
	}
	return out
}

// groupYears formats name, years and text with format for each run of
// consecutive years for which f reports the same text.
func groupYears(rs []rates.Rate, format string, f func(rates.Rate) (string, bool)) []string {
	var out []string
	start, last := 0, 0
	cur := ""
	name := ""
	flush := func() {
		if start == 0 {
			return
		}
		yrs := fmt.Sprint(start)
		if last != start {
			yrs = fmt.Sprintf("%d-%d", start, last)
		}
		out = append(out, fmt.Sprintf(format, name, yrs, cur))
		start = 0
	}
	for _, r := range rs {
		txt, ok := f(r)
		if !ok {
			flush()
			continue
		}
		if start != 0 && txt == cur && r.Year == last+1 {
			last = r.Year
			continue
		}
		flush()
		start, last, cur, name = r.Year, r.Year, txt, r.Area.Name
	}
	flush()
	return out
}

var isoDate = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)

// ReadableDates rewrites ISO dates in s as "1 April 2023".
func ReadableDates(s string) string {
	return isoDate.ReplaceAllStringFunc(s, func(d string) string {
		t, err := time.Parse("2006-01-02", d)
		if err != nil {
			return d
		}
		return t.Format("2 January 2006")
	})
}

func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// lowerFirst lower-cases the first letter unless the first word is an
// acronym or a number ("ICPCs", "Section 47" stays as "section 47").
func lowerFirst(s string) string {
	w, _, _ := strings.Cut(s, " ")
	if len(w) > 1 && strings.ToUpper(w) == w {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// errNoData is returned when a builder has nothing to plot.
var errNoData = errors.New("nothing to plot")
