package report

import (
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/cscstats/cscstats/pkg/claims"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/stats"
	"github.com/cscstats/cscstats/pkg/timeperiod"
)

// Charter renders the report's charts. The report package assembles text
// and tables; chart building lives with the other chart code and is
// handed in, so that the report draws exactly what `cscstats plot` draws.
type Charter interface {
	// NationalTrends: England's rates for the measures, small multiples.
	NationalTrends(calc *rates.Calculator, measures []string) (Chart, error)
	// AreaTrends: one council against its region and England.
	AreaTrends(calc *rates.Calculator, measures []string, area rates.Area, from, to int) (Chart, error)
	// Funnel: councils' rates against population with control limits.
	Funnel(calc *rates.Calculator, measure string, year int) (Chart, error)
	// Scatter: a correlation claim's paired values with the fit.
	Scatter(calc *rates.Calculator, c claims.Claim) (Chart, error)
}

// CountCharter is a Charter that can also draw England's counts, which
// reach back to years without a population estimate (optional, so that
// other charters need not implement it).
type CountCharter interface {
	NationalCounts(calc *rates.Calculator, measures []string) (Chart, error)
}

// SpreadCharter is a Charter that can draw the spread table as a time
// series (optional).
type SpreadCharter interface {
	SpreadTrend(tbl export.Section, notes []string, source string) (Chart, error)
}

// NationalCountMeasures are the children-looked-after measures whose
// England counts the national section charts from the first year of the
// long series.
var NationalCountMeasures = []string{"cla_31march", "cla_starts", "under1_starts", "adoptions", "sgo"}

// NationalMeasures are the measures of the national trends section.
var NationalMeasures = []string{"s47", "icpc", "cpp_starts", "cpp_31march", "cin_31march", "cla_31march"}

// WayForward assembles the report that checks "Children's Social Care –
// The Way Forward" (2022) against the data.
func WayForward(calc *rates.Calculator, charter Charter, progress func(string)) (Document, error) {
	if progress == nil {
		progress = func(string) {}
	}
	f, err := claims.Load()
	if err != nil {
		return Document{}, err
	}
	progress("checking claims")
	results, err := claims.Evaluator{Calc: calc, ForVintage: func(v string) (*rates.Calculator, error) {
		pv, err := population.ParseVintage(v)
		if err != nil {
			return nil, err
		}
		return calc.WithVintage(pv), nil
	}}.EvaluateAll(f)
	if err != nil {
		return Document{}, err
	}
	doc := Document{
		Title:    "Children's social care in England: checking “The Way Forward” against DfE's open data",
		Subtitle: fmt.Sprintf("Built by cscstats from %s. Rates are per 10,000 children aged 0-17.", strings.Join(dataFiles(calc), ", ")),
		Intro: []string{
			"In 2022 parents' groups and social-work academics published “Children's Social Care – The Way Forward”. It argues that England's child protection system has drifted from supporting families towards investigating them and removing children, and that councils differ sharply (“a postcode lottery”).",
			"This page sets the report's checkable local-authority figures beside the same figures computed from the Department for Education's open data, and extends them to the latest years. Every table and chart links to a CSV of the data behind it.",
		},
	}
	claimsTable := claimsSection(results)
	doc.Claims = &claimsTable
	counts := map[string]int{}
	for _, r := range results {
		counts[r.Verdict]++
	}
	var tally, meanings []string
	for _, v := range claims.Verdicts {
		tally = append(tally, fmt.Sprintf("%d %s", counts[v], v))
		meanings = append(meanings, fmt.Sprintf("%s: %s.", strings.ToUpper(v[:1])+v[1:], claims.VerdictMeaning[v]))
	}
	compact, compactNotes := compactClaims(results)
	doc.Sections = append(doc.Sections, Section{ID: "claims", Heading: "The claims, checked", Blocks: []Block{
		Paragraph(fmt.Sprintf("Each claim is checked on the years it is about where the data allow (“own years”) and, for trends, again on the latest years in the data (“and since”). %d rows: %s.", len(results), strings.Join(tally, ", "))),
		List(meanings...),
		TableBlock(Table{Name: "claims", Caption: "Claims in the report beside the values cscstats computes (claims.csv adds how each was computed, the population vintage and the difference)", Data: compact,
			Notes: append([]string{"Years are reporting years ending 31 March: 2013 is 2012-13.", claims.DenominatorNote, vintage(calc) + ".",
				"The report's footnote rates were computed with DfE's denominators of the time, so those rows use the as-published vintage (the population_estimate DfE printed beside its rates) where the data have it; claims.csv names each row's vintage."}, compactNotes...)}),
	}})

	// The four sections read the same calculator and results and share
	// nothing else: they are built at the same time (as many at once as
	// there are CPUs, started in page order, so the national trends, the
	// longest, never start last and run alone), and added, and reported
	// as done, in page order.
	parts := []struct {
		name  string
		build func() (Section, error)
	}{
		{"national trends", func() (Section, error) { return nationalSection(calc, charter, results) }},
		{"Leeds", func() (Section, error) { return leedsSection(calc, charter, results) }},
		{"spread between councils", func() (Section, error) { return spreadSection(calc, charter, results) }},
		{"correlations", func() (Section, error) { return correlationSection(calc, charter, f, results) }},
	}
	type built struct {
		s   Section
		err error
	}
	done := make([]chan built, len(parts))
	for i := range parts {
		done[i] = make(chan built, 1)
	}
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	go func() {
		for i, p := range parts {
			slots <- struct{}{}
			go func() {
				defer func() { <-slots }()
				s, err := p.build()
				done[i] <- built{s, err}
			}()
		}
	}()
	var firstErr error
	for i, p := range parts {
		if firstErr == nil {
			progress(p.name)
		}
		b := <-done[i] // every section is waited for, so none outlives the call
		if firstErr != nil {
			continue
		}
		if b.err != nil {
			firstErr = b.err
			continue
		}
		doc.Sections = append(doc.Sections, b.s)
	}
	if firstErr != nil {
		return Document{}, firstErr
	}
	doc.Sections = append(doc.Sections, methodsSection(calc))
	return doc, nil
}

func claimsSection(results []claims.Result) export.Section {
	s := export.Section{Name: "claims", Columns: []export.Column{
		{Name: "claim", Decimals: -1}, {Name: "where", Decimals: -1}, {Name: "row", Decimals: -1}, {Name: "years", Decimals: -1},
		{Name: "stated", Decimals: 1}, {Name: "computed", Decimals: 1}, {Name: "difference", Decimals: 1},
		{Name: "verdict", Decimals: -1}, {Name: "how computed", Decimals: -1}, {Name: "explanation", Decimals: -1},
		{Name: "vintage", Decimals: -1}, {Name: "id", Decimals: -1}}}
	for _, r := range results {
		stated := export.MissingCell("")
		diff := export.Num(r.Difference)
		if r.Stated != nil {
			stated = export.Num(*r.Stated)
		}
		// A number, never signed text: "+0.065" is a number to a reader but
		// text that starts like a formula to a spreadsheet.
		computed := export.Num(r.Computed)
		expl := r.Explanation
		if expl == "" {
			expl = r.Note
		}
		s.Rows = append(s.Rows, []export.Cell{export.Str(r.Text), export.Str(r.Where), export.Str(r.Row), export.Str(r.Years), stated, computed, diff,
			export.Str(r.Verdict), export.Str(r.Detail), export.Str(expl), export.Str(r.Vintage), export.Str(r.ID)})
	}
	return s
}

// footnotes numbers the texts several rows share word for word (a
// claim's note, a study design, why a vintage could not be used), so
// that a table or list says each once and each row points to it.
type footnotes struct {
	count map[string]int
	num   map[string]int
	texts []string
}

func newFootnotes(rs []claims.Result) *footnotes {
	f := &footnotes{count: map[string]int{}, num: map[string]int{}}
	for _, r := range rs {
		seen := map[string]bool{}
		for _, s := range r.Shared {
			if !seen[s] {
				seen[s] = true
				f.count[s]++
			}
		}
	}
	return f
}

// apply replaces in text each of r's shared parts that another row also
// has with a pointer to its note.
func (f *footnotes) apply(r claims.Result, text string) string {
	for _, s := range r.Shared {
		if f.count[s] < 2 || !strings.Contains(text, s) {
			continue
		}
		n, ok := f.num[s]
		if !ok {
			f.texts = append(f.texts, s)
			n = len(f.texts)
			f.num[s] = n
		}
		text = strings.Replace(text, s, fmt.Sprintf("See note %d.", n), 1)
	}
	return text
}

// notes are the numbered notes the rows point to.
func (f *footnotes) notes() []string {
	out := make([]string, len(f.texts))
	for i, t := range f.texts {
		out[i] = fmt.Sprintf("Note %d: %s", i+1, t)
	}
	return out
}

// compactClaims is the page's claims table: the claim, which years, the
// stated and computed figures, the verdict and why.
func compactClaims(results []claims.Result) (export.Section, []string) {
	fn := newFootnotes(results)
	s := export.Section{Name: "claims", Columns: []export.Column{
		{Name: "claim", Decimals: -1}, {Name: "years", Decimals: -1}, {Name: "stated", Decimals: 1}, {Name: "computed", Decimals: 1},
		{Name: "verdict", Decimals: -1}, {Name: "why", Decimals: -1}}}
	for _, r := range results {
		stated := export.MissingCell("")
		if r.Stated != nil {
			stated = export.Num(*r.Stated)
		}
		computed := export.Num(r.Computed)
		if r.Kind == claims.KindSpreadRising || r.Kind == claims.KindCorrelationPositive {
			computed = export.MissingCell("")
			if !math.IsNaN(r.Computed) {
				what := "r"
				if r.Kind == claims.KindSpreadRising {
					what = "ΔCV"
				}
				computed = export.Str(fmt.Sprintf("%s %+.3f", what, r.Computed))
			}
		}
		why := fn.apply(r, r.Explanation)
		for _, rd := range r.Readings {
			why += fmt.Sprintf(" • %s: %+.1f%% (%s).", rd.Label, rd.Value, rd.Verdict)
		}
		s.Rows = append(s.Rows, []export.Cell{export.Str(r.Text), export.Str(r.Years + " (" + r.Row + ")"), stated, computed, export.Str(r.Verdict), export.Str(why)})
	}
	return s, fn.notes()
}

func nationalSection(calc *rates.Calculator, charter Charter, results []claims.Result) (Section, error) {
	sec := Section{ID: "national", Heading: "National trends"}
	var rows []rates.Rate
	first := 0
	for _, m := range NationalMeasures {
		s := calc.Series(m, rates.England(), 0, 0)
		rows = append(rows, s...)
		if len(s) > 0 && (first == 0 || s[0].Year < first) {
			first = s[0].Year
		}
	}
	if first != 0 {
		sec.Heading = fmt.Sprintf("National trends since %d", first)
	}
	// Only measures with at least one rate for England are charted: a data
	// directory without population estimates has counts but no rates.
	var charted, unrated []string
	for _, m := range NationalMeasures {
		if hasRate(calc.Series(m, rates.England(), 0, 0)) {
			charted = append(charted, m)
		} else if len(calc.Years(m)) > 0 {
			unrated = append(unrated, m)
		}
	}
	var chartBlocks []Block
	if len(unrated) > 0 {
		chartBlocks = append(chartBlocks, Paragraph(fmt.Sprintf("Not charted, as England has no rate for them in the data (counts without population estimates): %s. Run `cscstats fetch population` (or `cscstats fetch --from DIR` with the ONS or DfE population files) to add the denominators.", strings.Join(unrated, ", "))))
	}
	if len(charted) > 0 {
		chart, err := charter.NationalTrends(calc, charted)
		if err != nil {
			return sec, err
		}
		chartBlocks = append(chartBlocks, ChartBlock(chart))
	}
	var lines, starts, noRates []string
	for _, m := range NationalMeasures {
		var s []rates.Rate
		for _, r := range calc.Series(m, rates.England(), 0, 0) {
			if r.OK() {
				s = append(s, r)
			}
		}
		if _, without := claims.RateYears(calc, m, 0, 0); len(without) > 0 {
			noRates = append(noRates, m+": "+claims.NoDenominatorText(calc, without))
		}
		if len(s) == 0 {
			continue
		}
		a, b := s[0], s[len(s)-1]
		ch := rates.Compare(a, b)
		me, _ := measures.Lookup(m)
		lines = append(lines, fmt.Sprintf("%s: %.1f per 10,000 children in %d, %.1f in %d (%+.1f%%; rate ratio %.3f, 95%% CI %.3f to %.3f, %s).", me.Label, a.Value, a.Year, b.Value, b.Year, ch.Percent, ch.Test.Ratio, ch.Test.Lower, ch.Test.Upper, PText(ch.Test.P)))
		starts = append(starts, fmt.Sprintf("%s from %d", m, a.Year))
	}
	var claimLines []string
	var natResults []claims.Result
	for _, r := range results {
		if r.Group == "national" {
			natResults = append(natResults, r)
		}
	}
	natNotes := newFootnotes(natResults)
	for _, r := range natResults {
		claimLines = append(claimLines, claimLine(r, natNotes))
		for _, rd := range r.Readings {
			claimLines = append(claimLines, fmt.Sprintf("Reading: %s — %s (%s).", rd.Label, rd.Detail, rd.Verdict))
		}
	}
	sec.Blocks = nil
	if len(lines) > 0 {
		sec.Blocks = append(sec.Blocks,
			Paragraph("England's rates per 10,000 children, from the first to the latest year with a rate, with the exact test of the change (the rate ratio, its 95% interval and p-value; a p-value below 0.05 is evidence of a real change):"),
			List(lines...))
	}
	sec.Blocks = append(sec.Blocks, chartBlocks...)
	if len(noRates) > 0 {
		sec.Blocks = append(sec.Blocks, Paragraph("Years with counts but no rate (left out of the rates above and of the chart, never drawn as zero): "+strings.Join(noRates, ". ")+"."))
	}
	if cc, ok := charter.(CountCharter); ok {
		var have []string
		for _, m := range NationalCountMeasures {
			if len(calc.Years(m)) > 0 {
				have = append(have, m)
			}
		}
		if len(have) > 0 {
			counts, err := cc.NationalCounts(calc, have)
			if err != nil {
				return sec, err
			}
			sec.Blocks = append(sec.Blocks, Paragraph(fmt.Sprintf("Numbers of children need no population estimate, so the children-looked-after series are also shown as counts, over every year the files give (from %d):", firstYear(calc, have))), ChartBlock(counts))
		}
	}
	if len(claimLines) > 0 {
		sec.Blocks = append(sec.Blocks, Paragraph("The report's national claims, checked:"), List(claimLines...))
		sec.Blocks = append(sec.Blocks, notesBlocks(natNotes.notes())...)
	}
	sec.Blocks = append(sec.Blocks,
		TableBlock(Table{Name: "national_rates", Caption: "England: rates per 10,000 children by year", Data: Wide("national_rates", rows, func(r rates.Rate) string { return r.Measure }),
			Notes: []string{"Each series' rates start in the earliest year the files loaded give it a rate: " + strings.Join(starts, "; ") + ". A blank cell has no rate: no figure that year, or a count without a population estimate; years with no rate at all are left out (named above, and charted as counts)."}}))
	return sec, nil
}

func leedsSection(calc *rates.Calculator, charter Charter, results []claims.Result) (Section, error) {
	sec := Section{ID: "leeds", Heading: "Leeds against England"}
	a, err := calc.Registry.Lookup("Leeds")
	if err != nil {
		return sec, err
	}
	area := rates.LAArea(a)
	ms := []string{"s47", "icpc", "cpp_31march"}
	// Chart only the measures with a rate (see nationalSection).
	var charted []string
	for _, m := range ms {
		if hasRate(calc.Series(m, area, 0, 0)) || hasRate(calc.Series(m, rates.England(), 0, 0)) {
			charted = append(charted, m)
		}
	}
	chartBlock := Paragraph("No chart: neither Leeds nor England has a rate for these measures in the data (counts without population estimates). Run `cscstats fetch population` to add the denominators.")
	if len(charted) > 0 {
		chart, err := charter.AreaTrends(calc, charted, area, 0, 0)
		if err != nil {
			return sec, err
		}
		chartBlock = ChartBlock(chart)
	}
	var rows []rates.Rate
	for _, m := range ms {
		for _, ar := range []rates.Area{area, calc.RegionArea(a.RegionCode), rates.England()} {
			rows = append(rows, calc.Series(m, ar, 0, 0)...)
		}
	}
	var lines []string
	var leeds []claims.Result
	for _, r := range results {
		if r.Group == "leeds" && r.Stated != nil {
			leeds = append(leeds, r)
		}
	}
	fn := newFootnotes(leeds)
	for _, r := range leeds {
		line := fmt.Sprintf("%s: the report says %.1f; cscstats computes %.1f = %s (%s).", r.Text, *r.Stated, r.Computed, r.Detail, r.Verdict)
		if math.IsNaN(r.Computed) {
			line = fmt.Sprintf("%s: the report says %.1f; %s.", r.Text, *r.Stated, r.Detail)
		}
		if r.Explanation != "" {
			line += " " + fn.apply(r, r.Explanation)
		}
		lines = append(lines, line)
	}
	sec.Blocks = []Block{
		Paragraph("The report describes Leeds as a council whose rates of section 47 enquiries, initial child protection conferences and child protection plans fell from well above England's to well below after 2012-13, while England's rose. The figures in its footnote, checked:"),
		List(lines...),
		notesOrNothing(fn.notes()),
		Paragraph(fmt.Sprintf("The chart continues the series to the latest year available, with Leeds's region for context. Shaded bands are 95%% confidence intervals. The chart and the table divide every year by the %s population vintage, so a year can differ slightly from the footnote rows above, which use DfE's estimate of the time where the data have it.", vintageName(calc))),
		chartBlock,
		TableBlock(Table{Name: "leeds_rates", Caption: "Leeds, Yorkshire and The Humber and England: rates per 10,000 children", Data: Wide("leeds_rates", rows, func(r rates.Rate) string { return r.Measure + ": " + r.Area.Name })}),
	}
	return sec, nil
}

func spreadSection(calc *rates.Calculator, charter Charter, results []claims.Result) (Section, error) {
	sec := Section{ID: "spread", Heading: "Differences between councils: babies entering care and adoptions"}
	tbl := export.Section{Name: "spread", Columns: []export.Column{
		{Name: "measure", Decimals: -1}, {Name: "time_period", Decimals: -1}, {Name: "n", Decimals: 0}, {Name: "mean", Decimals: 1},
		{Name: "median", Decimals: 1}, {Name: "q1", Decimals: 1}, {Name: "q3", Decimals: 1}, {Name: "iqr", Decimals: 1},
		{Name: "p10", Decimals: 1}, {Name: "p90", Decimals: 1}, {Name: "p90_p10", Decimals: 2}, {Name: "sd", Decimals: 2}, {Name: "cv", Decimals: 3}, {Name: "net_spread", Decimals: 3}}}
	// Years with counts but no denominator, or too few councils with a
	// rate, have no spread: they are left out of the table and named.
	var leftOut []string
	for _, m := range []string{"under1_starts", "adoptions"} {
		with, without := claims.RateYears(calc, m, 0, 0)
		if len(without) > 0 {
			leftOut = append(leftOut, m+": "+claims.NoDenominatorText(calc, without)+".")
		}
		for _, y := range with {
			st, err := claims.SpreadYears(calc, m, y)
			if err != nil {
				leftOut = append(leftOut, fmt.Sprintf("%s %d: no spread (%v).", m, y, err))
				continue
			}
			s := st.Spread
			tbl.Rows = append(tbl.Rows, []export.Cell{export.Str(m), export.Int(y), export.Int(s.N), export.Num(s.Mean), export.Num(s.Median),
				export.Num(s.Q1), export.Num(s.Q3), export.Num(s.IQR), export.Num(s.P10), export.Num(s.P90), export.Num(s.P90P10), export.Num(s.SD), export.Num(s.CV), export.Num(st.Net)})
		}
	}
	lines, lineNotes := groupLines(results, "spread")
	sec.Blocks = []Block{
		Paragraph("The report says councils differ increasingly in how often babies are removed at birth and in adoptions. DfE publishes no count of removals at birth; the closest measure is children starting care aged under 1, used here as a proxy (it also counts babies taken into care later in their first year). The spread across councils is measured each year by the coefficient of variation (the sample standard deviation, divisor n − 1, ÷ the mean), the ratio of the 90th to the 10th percentile, and the spread net of Poisson noise (τ ÷ England's rate: the between-council standard deviation once the chance variation of small counts is taken out). The verdict rests on the change in the coefficient of variation over the same councils in the first and last year, with a paired bootstrap interval, not on two numbers alone."),
		List(lines...),
		notesOrNothing(lineNotes),
		TableBlock(Table{Name: "spread", Caption: "Spread of council rates per 10,000 children, by year", Data: tbl,
			Notes: []string{"Each year counts the councils with a figure that year; councils with a suppressed count are left out of that year; the Isles of Scilly and the City of London are left out because their tiny child populations make rates meaningless.",
				"Quantiles are Hyndman & Fan type 7 (as R and pandas compute them). sd is the sample standard deviation; cv = sd ÷ mean.",
				"net_spread: τ ÷ England's rate, where τ² is the between-council variance of the funnel plot's overdispersion estimate (z-scores winsorised at their 10th and 90th percentiles; Spiegelhalter 2005).",
				"under1_starts counts " + measures.ProxyNote + "."}}),
	}
	leftOut = append(leftOut, fewCouncils(calc, tbl)...)
	t := sec.Blocks[len(sec.Blocks)-1].Table
	for _, l := range leftOut {
		t.Notes = append(t.Notes, "Years left out or thin: "+l)
	}
	if sc, ok := charter.(SpreadCharter); ok && len(tbl.Rows) > 0 {
		chart, err := sc.SpreadTrend(tbl, leftOut, "DfE, Children looked after in England including adoptions; "+strings.TrimSuffix(vintage(calc), ".")+". Isles of Scilly and City of London left out.")
		if err != nil {
			return sec, err
		}
		// the chart before the table it draws
		sec.Blocks = append(sec.Blocks[:len(sec.Blocks)-1], ChartBlock(chart), sec.Blocks[len(sec.Blocks)-1])
	}
	for _, m := range []string{"under1_starts", "adoptions"} {
		ys, _ := claims.RateYears(calc, m, 0, 0)
		if len(ys) == 0 {
			continue
		}
		chart, err := charter.Funnel(calc, m, ys[len(ys)-1])
		if err != nil {
			return sec, err
		}
		sec.Blocks = append(sec.Blocks, ChartBlock(chart))
	}
	sec.Blocks = append(sec.Blocks, Paragraph("A funnel plot shows each council's rate against its child population. Councils outside the 99.8% limits differ from England by more than chance variation in a council of that size would produce. The limits here are widened for overdispersion — the usual spread between councils — so a council outside them is unusual even allowing for that; the estimate (phi, tau²) is the one `cscstats compare` uses."))
	babies, err := BabiesBothDenominators(calc, charter)
	if err != nil {
		return sec, err
	}
	sec.Blocks = append(sec.Blocks, babies...)
	return sec, nil
}

// fewCouncils notes the years of the spread table whose number of
// councils is well below the measure's usual (under three quarters of
// its median), with the commonest reason the data give for the missing
// councils, so a reader knows the spread that year rests on fewer.
func fewCouncils(calc *rates.Calculator, tbl export.Section) []string {
	ns := map[string][]float64{}
	years := map[string][]int{}
	for _, row := range tbl.Rows {
		m := row[0].Text
		ns[m] = append(ns[m], row[2].Number)
		years[m] = append(years[m], int(row[1].Number))
	}
	var out []string
	for _, m := range []string{"under1_starts", "adoptions"} {
		if len(ns[m]) == 0 {
			continue
		}
		sorted := append([]float64(nil), ns[m]...)
		sort.Float64s(sorted)
		median := sorted[len(sorted)/2]
		var low []string
		var lowYears []int
		for i, n := range ns[m] {
			if n < 0.75*median {
				low = append(low, fmt.Sprintf("%.0f in %d", n, years[m][i]))
				lowYears = append(lowYears, years[m][i])
			}
		}
		if len(low) == 0 {
			continue
		}
		why := map[string]int{}
		best := ""
		for _, y := range lowYears {
			for _, r := range calc.Authorities(m, y) {
				if r.Count.OK() {
					continue
				}
				reason := r.Note
				if r.Provenance.Note != "" {
					reason = r.Provenance.Note
				}
				why[reason]++
				if best == "" || why[reason] > why[best] || (why[reason] == why[best] && reason < best) {
					best = reason
				}
			}
		}
		note := fmt.Sprintf("%s: fewer councils have a figure in some years (%s, against a median of %.0f)", m, strings.Join(low, ", "), median)
		if best != "" {
			note += fmt.Sprintf("; the commonest reason in the data for a council without one: %s (%d of the missing council figures in those years)", best, why[best])
		}
		out = append(out, note+".")
	}
	return out
}

func correlationSection(calc *rates.Calculator, charter Charter, f claims.File, results []claims.Result) (Section, error) {
	sec := Section{ID: "correlation", Heading: "Adoption and child protection: do they move together?"}
	tbl := export.Section{Name: "correlations", Columns: []export.Column{
		{Name: "claim", Decimals: -1}, {Name: "row", Decimals: -1}, {Name: "x", Decimals: -1}, {Name: "y", Decimals: -1}, {Name: "n", Decimals: 0},
		{Name: "r", Decimals: 3}, {Name: "ci_lower", Decimals: 3}, {Name: "ci_upper", Decimals: 3}, {Name: "p_value", Decimals: 3}, {Name: "verdict", Decimals: -1}}}
	// Councils left out of the latest years' correlations: one row per
	// council, saying which correlations leave it out and why (most are
	// left out of all of them for the same reason: a suppressed adoption
	// count).
	excluded := export.Section{Name: "correlation_excluded", Columns: []export.Column{
		{Name: "new_la_code", Decimals: -1}, {Name: "la_name", Decimals: -1}, {Name: "left out of", Decimals: -1}, {Name: "why", Decimals: -1}}}
	type miss struct{ what, why string }
	reasons := map[string][]miss{}
	names := map[string]string{}
	var order []string
	var first *claims.Claim
	var uncomputed []string // correlations the data cannot compute, and why
	var latestYears string
	nCorr := 0
	verdictOf := func(id, row string) string {
		for _, r := range results {
			if r.ID == id && r.Row == row {
				return r.Verdict
			}
		}
		return ""
	}
	for i, c := range f.Claims {
		if c.Kind != claims.KindCorrelationPositive {
			continue
		}
		nCorr++
		// own years first, when the data have them
		if v := verdictOf(c.ID, claims.RowOwn); v != "" && v != claims.NotCheckable {
			if p, err := claims.PairOn(calc, c, c.From, c.To); err == nil {
				if corr, err := stats.Pearson(p.XS(), p.YS(), nil, 0.95); err == nil {
					tbl.Rows = append(tbl.Rows, []export.Cell{export.Str(c.Text), export.Str(claims.RowOwn), export.Str(p.X.String()), export.Str(p.Y.String()), export.Int(corr.N),
						export.Num(corr.R), export.Num(corr.CILower), export.Num(corr.CIUpper), export.Num(corr.PValue), export.Str(v)})
				}
			}
		}
		p, err := claims.PairFor(calc, c)
		var corr stats.Correlation
		if err == nil {
			corr, err = stats.Pearson(p.XS(), p.YS(), nil, 0.95)
		}
		if err != nil {
			// The data cannot answer it (no adoptions or no s47 figures, too
			// few councils): the claims table already says so; nothing to
			// correlate or chart here.
			uncomputed = append(uncomputed, fmt.Sprintf("%s: %v", c.ID, err))
			continue
		}
		if first == nil {
			first = &f.Claims[i]
		}
		row := claims.RowSince
		if c.Since == nil {
			row = "latest years"
		}
		tbl.Rows = append(tbl.Rows, []export.Cell{export.Str(c.Text), export.Str(row), export.Str(p.X.String()), export.Str(p.Y.String()), export.Int(corr.N),
			export.Num(corr.R), export.Num(corr.CILower), export.Num(corr.CIUpper), export.Num(corr.PValue), export.Str(verdictOf(c.ID, row))})
		latestYears = fmt.Sprintf("%d-%d", p.X.From, p.X.To)
		ymeasure := p.Y.Measure
		for _, e := range p.Excluded {
			if _, ok := reasons[e.Code]; !ok {
				order = append(order, e.Code)
				names[e.Code] = e.Name
			}
			reasons[e.Code] = append(reasons[e.Code], miss{ymeasure, e.Reason})
		}
	}
	sort.Slice(order, func(i, j int) bool { return names[order[i]] < names[order[j]] })
	for _, code := range order {
		ms := reasons[code]
		same := true
		for _, m := range ms[1:] {
			if m.why != ms[0].why {
				same = false
			}
		}
		var which, why string
		switch {
		case same && len(ms) == nCorr:
			which, why = "all", ms[0].why
		case same:
			var ws []string
			for _, m := range ms {
				ws = append(ws, m.what)
			}
			which, why = "against "+strings.Join(ws, ", "), ms[0].why
		default:
			var ws, ys []string
			for _, m := range ms {
				ws = append(ws, m.what)
				ys = append(ys, m.why) // each reason names its measure
			}
			which, why = "against "+strings.Join(ws, ", "), strings.Join(ys, "; ")
		}
		excluded.Rows = append(excluded.Rows, []export.Cell{export.Str(code), export.Str(names[code]), export.Str(which), export.Str(why)})
	}
	exclNotes := []string{"“all”: left out of every correlation for the same reason."}
	for _, row := range tbl.Rows {
		if row[1].Text == claims.RowOwn {
			exclNotes = append(exclNotes, "The own-years correlations leave out more councils (their n in the table above); the spread section's table notes why adoption figures are missing more often in some of those years.")
			break
		}
	}
	corrLines, corrNotes := groupLines(results, "correlation")
	sec.Blocks = []Block{
		Paragraph("The report cites research finding that councils where adoptions rose also saw child protection investigations, children in need and children in care rise. That research (Bilson & Munro 2019) followed children under five in each council from 2011-12 to 2016-17; DfE's council tables give only all-age annual counts, so the nearest test they allow — a correlation across councils of the change in each council's adoption rate against the change in its other rates — asks a different question, and the verdict says so. It is run over 2013-2017 where the data allow and over the latest years, with the baseline-adjusted (ANCOVA) partial correlation beside it: a change correlated with another change partly reflects where councils started (regression to the mean)."),
		List(corrLines...),
		notesOrNothing(corrNotes),
		TableBlock(Table{Name: "correlations", Caption: "Correlation across councils of changes in rates", Data: tbl,
			Notes: []string{"r ranges from -1 to 1; the 95% interval is Fisher's z; p is two-sided, from t with n-2 degrees of freedom.",
				"Correlation across councils is not causation: councils differ in many ways at once, and a pattern across areas need not hold for any family within them (the ecological fallacy)."}}),
	}
	if len(uncomputed) > 0 {
		sec.Blocks = append(sec.Blocks, Paragraph("Not computed on the latest years, as the data cannot answer them: "+strings.Join(uncomputed, "; ")+"."))
	}
	if first != nil {
		chart, err := charter.Scatter(calc, *first)
		if err != nil {
			return sec, err
		}
		sec.Blocks = append(sec.Blocks, ChartBlock(chart))
	}
	sec.Blocks = append(sec.Blocks,
		Paragraph("Councils left out of each correlation, and why (a suppressed count, a boundary change that cannot be bridged, or a tiny population):"),
		TableBlock(Table{Name: "correlation_excluded", Caption: fmt.Sprintf("Councils left out of the correlations on the latest years (%s)", latestYears), Data: excluded,
			Notes: exclNotes}))
	return sec, nil
}

// claimLine words one result for a section's list: the claim, the row
// and its years, the verdict, what was computed (when anything was) and
// why the verdict is what it is.
func claimLine(r claims.Result, fn *footnotes) string {
	head := fmt.Sprintf("“%s” (%s, %s) — ", r.Text, r.Row, r.Years)
	expl := fn.apply(r, r.Explanation)
	if r.Verdict == claims.NotCheckable {
		return head + expl // it starts "Not checkable: ..."
	}
	line := head + r.Verdict + "."
	switch {
	case r.Kind == claims.KindSpreadRising && !math.IsNaN(r.Computed):
		// each year's spread is in the section's table; the full detail
		// (every year's CV and net spread, the bootstrap) in claims.csv
		line += fmt.Sprintf(" Over the councils with a rate in both %s, the coefficient of variation changed by %+.3f.", strings.Replace(r.Years, "-", " and ", 1), r.Computed)
	case len(r.Readings) == 0:
		line += " " + strings.TrimSuffix(r.Detail, ".") + "."
	}
	return line + " " + expl
}

// groupLines words the claims of one group for a section's list, with
// the notes their rows share (said once, after the list).
func groupLines(results []claims.Result, group string) (lines, notes []string) {
	var rs []claims.Result
	for _, r := range results {
		if r.Group == group {
			rs = append(rs, r)
		}
	}
	fn := newFootnotes(rs)
	for _, r := range rs {
		lines = append(lines, claimLine(r, fn))
	}
	return lines, fn.notes()
}

// notesBlocks are a list's shared notes as a block (none when empty).
func notesBlocks(notes []string) []Block {
	if len(notes) == 0 {
		return nil
	}
	return []Block{List(notes...)}
}

// notesOrNothing is a list's shared notes as one block; an empty block
// (which renders nothing) when there are none.
func notesOrNothing(notes []string) Block {
	if len(notes) == 0 {
		return Block{}
	}
	return List(notes...)
}

func methodsSection(calc *rates.Calculator) Section {
	files := fileLines(calc)
	var changes []string
	ch := calc.Registry.Changes()
	for _, c := range ch.BoundaryChanges {
		var before, after []string
		for _, a := range c.Before {
			before = append(before, a.Name)
		}
		for _, a := range c.After {
			after = append(after, a.Name)
		}
		changes = append(changes, fmt.Sprintf("%s (%s): %s → %s. %s %s", c.Name, c.Effective, strings.Join(before, ", "), strings.Join(after, ", "), c.Note, harmonisation(c)))
	}
	for _, c := range ch.CodeChanges {
		changes = append(changes, fmt.Sprintf("%s: code %s became %s (%s); one series.", c.Name, c.From, c.To, c.Effective))
	}
	return Section{ID: "methods", Heading: "Methods and sources", Blocks: []Block{
		Paragraph("Data: Department for Education, “Children in need” and “Children looked after in England including adoptions” (Explore education statistics), and ONS mid-year population estimates; Open Government Licence v3.0. Files used:"),
		List(files...),
		Paragraph("Where several releases give the same figure (the same measure, area and year), the newest release wins; `cscstats revisions` lists every figure that differs between releases, and each figure's CSV row names its file, line and release."),
		Paragraph(fmt.Sprintf("Rates are count ÷ children aged 0-17 × 10,000. The denominator for a reporting year ending 31 March Y is the ONS estimate for mid-year Y-1 (so 2020-21 uses mid-2020): with this pairing cscstats reproduces DfE's own published rates of children looked after. %s. 95%% confidence intervals are exact Poisson (Garwood) intervals.", vintage(calc))),
		Paragraph("Suppressed or unavailable figures (DfE's symbols c, x, z, low, k, u, :) are treated as missing, never as zero. Regional and England figures are DfE's own totals."),
		Paragraph("Children starting care aged under 1 are the closest published measure of babies removed at birth, but not the same thing: they include babies who entered care later in their first year."),
		Paragraph("Boundary and code changes, and how they are handled:"),
		List(changes...),
	}}
}

// firstYear is the earliest year any of the measures has in the data.
func firstYear(calc *rates.Calculator, ms []string) int {
	first := 0
	for _, m := range ms {
		if ys := calc.Years(m); len(ys) > 0 && (first == 0 || ys[0] < first) {
			first = ys[0]
		}
	}
	return first
}

// fileLines lists the files read, one line each; a kind of file with
// many files (the SFR's one file per table and year) is one line naming
// them all, so the list stays readable.
func fileLines(calc *rates.Calculator) []string {
	type group struct {
		title, pub string
		names      []string
		years      []int
		rows       int
		releases   []int
	}
	var order []string
	groups := map[string]*group{}
	for _, r := range calc.Store.Recognised() {
		kind, _ := measures.Kind(r.Kind)
		g := groups[r.Kind]
		if g == nil {
			g = &group{title: kind.Title, pub: kind.Publication}
			groups[r.Kind] = g
			order = append(order, r.Kind)
		}
		g.names = append(g.names, filepath.Base(r.Path))
		for _, y := range r.Years {
			g.years = timeperiod.Append(g.years, y)
		}
		g.releases = timeperiod.Append(g.releases, r.Release)
		g.rows += r.Rows
	}
	var out []string
	for _, k := range order {
		g := groups[k]
		if len(g.names) <= 3 {
			continue
		}
		out = append(out, fmt.Sprintf("%s (%s): %d files, years %s, releases %s, %d rows: %s.", g.title, g.pub, len(g.names), timeperiod.Span(g.years), timeperiod.Span(g.releases), g.rows, strings.Join(g.names, ", ")))
	}
	for _, r := range calc.Store.Recognised() {
		if len(groups[r.Kind].names) > 3 {
			continue
		}
		kind, _ := measures.Kind(r.Kind)
		out = append(out, fmt.Sprintf("%s — %s (%s), years %s, release %d, %d rows.", filepath.Base(r.Path), kind.Title, kind.Publication, timeperiod.Span(r.Years), r.Release, r.Rows))
	}
	return out
}

func harmonisation(c la.BoundaryChange) string {
	if len(c.Before) == 1 {
		return "Later years of the former authority are the sum of its successors (harmonised); the successors have no comparable earlier figures."
	}
	return "The series break at the change: no successor covers the same area as a predecessor."
}

// vintageName is the calculator's population vintage ("latest" or
// "as-published").
func vintageName(calc *rates.Calculator) string {
	if calc.Vintage == "" {
		return string(population.Latest)
	}
	return string(calc.Vintage)
}

// vintage names the population estimates used.
func vintage(calc *rates.Calculator) string {
	seen := map[int]bool{}
	for _, m := range measures.Catalogue {
		for _, y := range calc.Years(m.ID) {
			seen[y] = true
		}
	}
	years := make([]int, 0, len(seen))
	for y := range seen {
		years = append(years, y)
	}
	sort.Ints(years)
	if len(years) == 0 {
		return "no figures to divide"
	}
	return strings.TrimSuffix(calc.Denominators(years), ".")
}

func dataFiles(calc *rates.Calculator) []string {
	pubs := map[string]bool{}
	for _, r := range calc.Store.Recognised() {
		if k, ok := measures.Kind(r.Kind); ok {
			pubs[k.Publication] = true
		}
	}
	var out []string
	for p := range pubs {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Wide lays rates out for reading: a row per year, a column per series
// (named by column), values rounded to one decimal; a suppressed count
// shows its symbol, a year without a denominator is blank, and a year
// with no rate in any column is left out (the caller says which). The tidy table with counts, populations and intervals is
// the chart's data file.
func Wide(name string, rs []rates.Rate, column func(rates.Rate) string) export.Section {
	var cols []string
	seenCol := map[string]bool{}
	var years []int
	seenYear := map[int]bool{}
	cell := map[[2]string]rates.Rate{}
	for _, r := range rs {
		c := column(r)
		if !seenCol[c] {
			seenCol[c] = true
			cols = append(cols, c)
		}
		if !seenYear[r.Year] {
			seenYear[r.Year] = true
			years = append(years, r.Year)
		}
		cell[[2]string{fmt.Sprint(r.Year), c}] = r
	}
	sort.Ints(years)
	s := export.Section{Name: name, Columns: []export.Column{{Name: "year ending 31 March", Decimals: -1}}}
	for _, c := range cols {
		s.Columns = append(s.Columns, export.Column{Name: c, Decimals: 1})
	}
	for _, y := range years {
		row := []export.Cell{export.Int(y)}
		hasRate := false
		for _, c := range cols {
			r, ok := cell[[2]string{fmt.Sprint(y), c}]
			switch {
			case !ok:
				row = append(row, export.MissingCell(""))
			case r.OK():
				hasRate = true
				row = append(row, export.Num(r.Value))
			case r.Count.OK():
				// a count without a denominator: no rate, and the count
				// must not sit in a column of rates
				row = append(row, export.MissingCell(""))
			default:
				hasRate = true // a suppressed count: its symbol says why
				row = append(row, export.MissingCell(r.Count.String()))
			}
		}
		if !hasRate {
			continue // no rate at all that year (no denominator): said where the table is used
		}
		s.Rows = append(s.Rows, row)
	}
	return s
}

// PText words an exact test's p-value for a reader: "p < 0.001" below
// that, else p to three decimals.
func PText(p float64) string {
	if p < 0.001 {
		return "p < 0.001"
	}
	return fmt.Sprintf("p = %.3f", p)
}

// hasRate reports whether any of rs has a value.
func hasRate(rs []rates.Rate) bool {
	for _, r := range rs {
		if r.OK() {
			return true
		}
	}
	return false
}
