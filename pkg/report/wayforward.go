package report

import (
	"fmt"
	"github.com/cscstats/cscstats/pkg/timeperiod"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cscstats/cscstats/pkg/claims"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/stats"
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
	results, err := claims.EvaluateAll(calc, f)
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
	doc.Sections = append(doc.Sections, Section{ID: "claims", Heading: "The claims, checked", Blocks: []Block{
		Paragraph(fmt.Sprintf("%d claims checked: %d reproduced, %d close, %d differ. “Reproduced” means equal at the precision the report gives; “close” means within 5%% (for a correlation: in the claimed direction but not statistically significant); “differs” means neither.",
			len(results), counts[claims.Reproduced], counts[claims.Close], counts[claims.Differs])),
		TableBlock(Table{Name: "claims", Caption: "Claims in the report beside the values cscstats computes", Data: claimsTable,
			Notes: []string{"Years are reporting years ending 31 March: 2013 is 2012-13.", claims.DenominatorNote, fmt.Sprintf("Population vintage: %s.", vintage(calc))}}),
	}})

	progress("national trends")
	nat, err := nationalSection(calc, charter)
	if err != nil {
		return Document{}, err
	}
	doc.Sections = append(doc.Sections, nat)

	progress("Leeds")
	leeds, err := leedsSection(calc, charter, results)
	if err != nil {
		return Document{}, err
	}
	doc.Sections = append(doc.Sections, leeds)

	progress("spread between councils")
	spread, err := spreadSection(calc, charter, results)
	if err != nil {
		return Document{}, err
	}
	doc.Sections = append(doc.Sections, spread)

	progress("correlations")
	corr, err := correlationSection(calc, charter, f, results)
	if err != nil {
		return Document{}, err
	}
	doc.Sections = append(doc.Sections, corr)
	doc.Sections = append(doc.Sections, methodsSection(calc))
	return doc, nil
}

func claimsSection(results []claims.Result) export.Section {
	s := export.Section{Name: "claims", Columns: []export.Column{
		{Name: "claim", Decimals: -1}, {Name: "where", Decimals: -1},
		{Name: "stated", Decimals: 1}, {Name: "computed", Decimals: 1}, {Name: "difference", Decimals: 1},
		{Name: "verdict", Decimals: -1}, {Name: "how computed", Decimals: -1}, {Name: "explanation", Decimals: -1}, {Name: "id", Decimals: -1}}}
	for _, r := range results {
		stated := export.MissingCell("")
		diff := export.Num(r.Difference)
		if r.Stated != nil {
			stated = export.Num(*r.Stated)
		}
		computed := export.Num(r.Computed)
		if r.Kind == claims.KindSpreadRising || r.Kind == claims.KindCorrelationPositive {
			computed = export.Str(fmt.Sprintf("%.3f", r.Computed))
		}
		expl := r.Explanation
		if expl == "" {
			expl = r.Note
		}
		s.Rows = append(s.Rows, []export.Cell{export.Str(r.Text), export.Str(r.Where), stated, computed, diff,
			export.Str(r.Verdict), export.Str(r.Detail), export.Str(expl), export.Str(r.ID)})
	}
	return s
}

func nationalSection(calc *rates.Calculator, charter Charter) (Section, error) {
	sec := Section{ID: "national", Heading: "National trends since 2013"}
	var rows []rates.Rate
	for _, m := range NationalMeasures {
		rows = append(rows, calc.Series(m, rates.England(), 0, 0)...)
	}
	chart, err := charter.NationalTrends(calc, NationalMeasures)
	if err != nil {
		return sec, err
	}
	first := func(m string) (rates.Rate, rates.Rate) {
		s := calc.Series(m, rates.England(), 0, 0)
		return s[0], s[len(s)-1]
	}
	var lines []string
	for _, m := range NationalMeasures {
		if len(calc.Years(m)) == 0 {
			continue
		}
		a, b := first(m)
		ch := rates.Compare(a, b)
		me, _ := measures.Lookup(m)
		lines = append(lines, fmt.Sprintf("%s: %.1f per 10,000 children in %d, %.1f in %d (%+.1f%%).", me.Label, a.Value, a.Year, b.Value, b.Year, ch.Percent))
	}
	sec.Blocks = []Block{
		Paragraph("England's rates per 10,000 children, from the first to the latest year in the data:"),
		List(lines...),
		ChartBlock(chart),
		TableBlock(Table{Name: "national_rates", Caption: "England: rates per 10,000 children by year", Data: Wide("national_rates", rows, func(r rates.Rate) string { return r.Measure }),
			Notes: []string{"Children looked after figures come from the CLA file, which in these downloads starts in 2021."}}),
	}
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
	chart, err := charter.AreaTrends(calc, ms, area, 0, 0)
	if err != nil {
		return sec, err
	}
	var rows []rates.Rate
	for _, m := range ms {
		for _, ar := range []rates.Area{area, calc.RegionArea(a.RegionCode), rates.England()} {
			rows = append(rows, calc.Series(m, ar, 0, 0)...)
		}
	}
	var lines []string
	for _, r := range results {
		if r.Group == "leeds" && r.Stated != nil {
			lines = append(lines, fmt.Sprintf("%s: the report says %.1f; cscstats computes %.1f (%s).", r.Text, *r.Stated, r.Computed, r.Verdict))
		}
	}
	sec.Blocks = []Block{
		Paragraph("The report describes Leeds as a council whose rates of section 47 enquiries, initial child protection conferences and child protection plans fell from well above England's to well below after 2012-13, while England's rose. The figures in its footnote, checked:"),
		List(lines...),
		Paragraph("The chart continues the series to the latest year available, with Leeds's region for context. Shaded bands are 95% confidence intervals."),
		ChartBlock(chart),
		TableBlock(Table{Name: "leeds_rates", Caption: "Leeds, Yorkshire and The Humber and England: rates per 10,000 children", Data: Wide("leeds_rates", rows, func(r rates.Rate) string { return r.Measure + ": " + r.Area.Name })}),
	}
	return sec, nil
}

func spreadSection(calc *rates.Calculator, charter Charter, results []claims.Result) (Section, error) {
	sec := Section{ID: "spread", Heading: "Differences between councils: babies entering care and adoptions"}
	tbl := export.Section{Name: "spread", Columns: []export.Column{
		{Name: "measure", Decimals: -1}, {Name: "time_period", Decimals: -1}, {Name: "n", Decimals: 0}, {Name: "mean", Decimals: 1},
		{Name: "median", Decimals: 1}, {Name: "q1", Decimals: 1}, {Name: "q3", Decimals: 1}, {Name: "iqr", Decimals: 1},
		{Name: "p10", Decimals: 1}, {Name: "p90", Decimals: 1}, {Name: "p90_p10", Decimals: 2}, {Name: "cv", Decimals: 3}}}
	for _, m := range []string{"under1_starts", "adoptions"} {
		for _, y := range calc.Years(m) {
			s, err := claims.SpreadYears(calc, m, y)
			if err != nil {
				return sec, err
			}
			tbl.Rows = append(tbl.Rows, []export.Cell{export.Str(m), export.Int(y), export.Int(s.N), export.Num(s.Mean), export.Num(s.Median),
				export.Num(s.Q1), export.Num(s.Q3), export.Num(s.IQR), export.Num(s.P10), export.Num(s.P90), export.Num(s.P90P10), export.Num(s.CV)})
		}
	}
	var lines []string
	for _, r := range results {
		if r.Group == "spread" {
			lines = append(lines, fmt.Sprintf("%s — %s: %s.", r.Text, r.Verdict, r.Detail))
		}
	}
	sec.Blocks = []Block{
		Paragraph("The report says councils differ increasingly in how often babies are removed at birth and in adoptions. DfE publishes no count of removals at birth; the closest measure is children starting care aged under 1, used here as a proxy (it also counts babies taken into care later in their first year). The spread across councils is measured by the coefficient of variation (standard deviation ÷ mean) and by the ratio of the 90th to the 10th percentile of council rates."),
		List(lines...),
		TableBlock(Table{Name: "spread", Caption: "Spread of council rates per 10,000 children, by year", Data: tbl,
			Notes: []string{"Councils with a suppressed count are left out of that year; the Isles of Scilly and the City of London are left out because their tiny child populations make rates meaningless.",
				"Quantiles are Hyndman & Fan type 7 (as R and pandas compute them).", "under1_starts counts " + measures.ProxyNote + "."}}),
	}
	for _, m := range []string{"under1_starts", "adoptions"} {
		ys := calc.Years(m)
		if len(ys) == 0 {
			continue
		}
		chart, err := charter.Funnel(calc, m, ys[len(ys)-1])
		if err != nil {
			return sec, err
		}
		sec.Blocks = append(sec.Blocks, ChartBlock(chart))
	}
	sec.Blocks = append(sec.Blocks, Paragraph("A funnel plot shows each council's rate against its child population. Councils outside the 99.8% limits differ from England by more than chance variation in a council of that size would produce; with between-council differences this large, many do, which is the “postcode lottery” in one picture."))
	return sec, nil
}

func correlationSection(calc *rates.Calculator, charter Charter, f claims.File, results []claims.Result) (Section, error) {
	sec := Section{ID: "correlation", Heading: "Adoption and child protection: do they move together?"}
	tbl := export.Section{Name: "correlations", Columns: []export.Column{
		{Name: "claim", Decimals: -1}, {Name: "x", Decimals: -1}, {Name: "y", Decimals: -1}, {Name: "n", Decimals: 0},
		{Name: "r", Decimals: 3}, {Name: "ci_lower", Decimals: 3}, {Name: "ci_upper", Decimals: 3}, {Name: "p_value", Decimals: 3}, {Name: "verdict", Decimals: -1}}}
	// Councils left out: one row per council, one reason column per
	// correlation, so a reader sees at once who is missing where.
	excluded := export.Section{Name: "correlation_excluded", Columns: []export.Column{
		{Name: "new_la_code", Decimals: -1}, {Name: "la_name", Decimals: -1}}}
	reasons := map[string][]string{}
	names := map[string]string{}
	var order []string
	var first *claims.Claim
	for i, c := range f.Claims {
		if c.Kind != claims.KindCorrelationPositive {
			continue
		}
		if first == nil {
			first = &f.Claims[i]
		}
		p, err := claims.PairFor(calc, c)
		if err != nil {
			return sec, err
		}
		corr, err := stats.Pearson(p.XS(), p.YS(), nil, 0.95)
		if err != nil {
			return sec, err
		}
		verdict := ""
		for _, r := range results {
			if r.ID == c.ID {
				verdict = r.Verdict
			}
		}
		tbl.Rows = append(tbl.Rows, []export.Cell{export.Str(c.Text), export.Str(p.X.String()), export.Str(p.Y.String()), export.Int(corr.N),
			export.Num(corr.R), export.Num(corr.CILower), export.Num(corr.CIUpper), export.Num(corr.PValue), export.Str(verdict)})
		col := len(excluded.Columns) - 2
		excluded.Columns = append(excluded.Columns, export.Column{Name: "left out of " + p.X.String() + " against " + p.Y.String(), Decimals: -1})
		for _, e := range p.Excluded {
			if _, ok := reasons[e.Code]; !ok {
				order = append(order, e.Code)
				names[e.Code] = e.Name
			}
			for len(reasons[e.Code]) <= col {
				reasons[e.Code] = append(reasons[e.Code], "")
			}
			reasons[e.Code][col] = e.Reason
		}
	}
	sort.Slice(order, func(i, j int) bool { return names[order[i]] < names[order[j]] })
	for _, code := range order {
		row := []export.Cell{export.Str(code), export.Str(names[code])}
		for i := 0; i < len(excluded.Columns)-2; i++ {
			r := ""
			if i < len(reasons[code]) {
				r = reasons[code][i]
			}
			if r == "" {
				r = "included"
			}
			row = append(row, export.Str(r))
		}
		excluded.Rows = append(excluded.Rows, row)
	}
	sec.Blocks = []Block{
		Paragraph("The report cites research finding that councils where adoptions rose also saw child protection investigations, children in need and children in care rise. Here that is tested on the latest years both measures have in the current files: the change in each council's adoption rate against the change in its other rates, as a Pearson correlation across councils."),
		TableBlock(Table{Name: "correlations", Caption: "Correlation across councils of changes in rates", Data: tbl,
			Notes: []string{"r ranges from -1 to 1; the 95% interval is Fisher's z; p is two-sided, from t with n-2 degrees of freedom.",
				"Correlation across councils is not causation: councils differ in many ways at once, and a pattern across areas need not hold for any family within them (the ecological fallacy)."}}),
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
		TableBlock(Table{Name: "correlation_excluded", Caption: "Councils left out of the correlations", Data: excluded}))
	return sec, nil
}

func methodsSection(calc *rates.Calculator) Section {
	var files []string
	for _, r := range calc.Store.Recognised() {
		kind, _ := measures.Kind(r.Kind)
		files = append(files, fmt.Sprintf("%s — %s (%s), years %s, %d rows.", filepath.Base(r.Path), kind.Title, kind.Publication, timeperiod.Span(r.Years), r.Rows))
	}
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
		Paragraph(fmt.Sprintf("Rates are count ÷ children aged 0-17 × 10,000. The denominator for a reporting year ending 31 March Y is the ONS estimate for mid-year Y-1 (so 2020-21 uses mid-2020): with this pairing cscstats reproduces DfE's own published rates of children looked after. Population vintage: %s. 95%% confidence intervals are exact Poisson (Garwood) intervals.", vintage(calc))),
		Paragraph("Suppressed or unavailable figures (DfE's symbols c, x, z, low, k, u, :) are treated as missing, never as zero. Regional and England figures are DfE's own totals."),
		Paragraph("Children starting care aged under 1 are the closest published measure of babies removed at birth, but not the same thing: they include babies who entered care later in their first year."),
		Paragraph("Boundary and code changes, and how they are handled:"),
		List(changes...),
	}}
}

func harmonisation(c la.BoundaryChange) string {
	if len(c.Before) == 1 {
		return "Later years of the former authority are the sum of its successors (harmonised); the successors have no comparable earlier figures."
	}
	return "The series break at the change: no successor covers the same area as a predecessor."
}

// vintage names the population estimates used.
func vintage(calc *rates.Calculator) string {
	years := calc.Pop.MidYears()
	seen := map[string]bool{}
	for _, p := range calc.Store.Population {
		seen[filepath.Base(p.File)] = true
	}
	var files []string
	for f := range seen {
		files = append(files, f)
	}
	sort.Strings(files)
	if len(years) == 0 {
		return "no ONS file; DfE's own population estimates from its CLA file"
	}
	return fmt.Sprintf("ONS mid-year estimates mid-%d to mid-%d as published in %s (the series ONS revised after the 2021 Census for mid-2012 to mid-2020)",
		years[0], years[len(years)-1], strings.Join(files, ", "))
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
// (named by column), values rounded to one decimal; missing values show
// their symbol. The tidy table with counts, populations and intervals is
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
		for _, c := range cols {
			r, ok := cell[[2]string{fmt.Sprint(y), c}]
			switch {
			case !ok:
				row = append(row, export.MissingCell(""))
			case r.OK():
				row = append(row, export.Num(r.Value))
			default:
				row = append(row, export.MissingCell(r.Count.String()))
			}
		}
		s.Rows = append(s.Rows, row)
	}
	return s
}
