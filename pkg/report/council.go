package report

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/cscstats/cscstats/pkg/chartdata"
	"github.com/cscstats/cscstats/pkg/charts"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/funnel"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/stats"
)

// CouncilFigure is one measure of a council profile, in the latest year
// the measure has: the figures `cscstats compare NAME --neighbours` gives.
type CouncilFigure struct {
	Measure measures.Measure
	Year    int
	Rate    rates.Rate // the council's
	England rates.Rate
	Region  rates.Rate
	// Rank is 1 for the highest rate, of RankedOf councils with a rate;
	// 0 when the council has none.
	Rank, RankedOf int
	// Verdict places the rate on a funnel plot around England's rate with
	// limits widened for overdispersion; VerdictOK is false when there
	// is no verdict (no rate, population or England rate).
	Verdict   funnel.Verdict
	VerdictOK bool
	// Councils are every council's rate that year (the spine's range).
	Councils []float64
	// Neighbours summarises the statistical neighbours' rates (N = 0:
	// none shown); NeighboursOf is how many neighbours there are.
	Neighbours   stats.Spread
	NeighboursOf int
}

// CouncilProfile is what a council's profile is built from.
type CouncilProfile struct {
	Authority *la.Authority
	Figures   []CouncilFigure
	// Comparison is compare's full document (tables and notes), shown
	// further down the page.
	Comparison export.Document
	// NeighboursSource names the statistical neighbour model used, or
	// says why no neighbours are shown (then HasNeighbours is false).
	NeighboursSource string
	HasNeighbours    bool
	// NeighbourNames are the neighbours, closest first.
	NeighbourNames []string
}

// CouncilCharter draws a council profile's charts. Render draws a chart
// built here at the size the profile gives it.
type CouncilCharter interface {
	// CouncilTrends: one council against its region and England, one
	// small panel per measure.
	CouncilTrends(calc *rates.Calculator, measures []string, area rates.Area) (Chart, error)
	// Render draws c widthCM centimetres wide (its height fits its
	// content).
	Render(name, caption string, c charts.Chart, data export.Section, widthCM float64) (Chart, error)
}

// Publication pages, for the source lines.
var publicationURLs = map[string]string{
	measures.PubCIN: "https://explore-education-statistics.service.gov.uk/find-statistics/children-in-need",
	measures.PubCLA: "https://explore-education-statistics.service.gov.uk/find-statistics/children-looked-after-in-england-including-adoptions",
	measures.PubONS: "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates",
}

// lowerFirst lowers a label's first letter unless it is an acronym.
func lowerFirst(s string) string {
	if len(s) > 1 && s[1] >= 'A' && s[1] <= 'Z' {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// Ratio is v ÷ england as words: "4.6 times England's" at or above 1.5
// times, otherwise the percentage above or below ("12% above England's").
func Ratio(rv, re float64, england string) string {
	if !(re > 0) {
		return ""
	}
	r := rv / re
	switch {
	case r >= 1.5:
		return fmt.Sprintf("%.1f times England's %s", r, england)
	case r >= 1:
		return fmt.Sprintf("%.0f%% above England's %s", (r-1)*100, england)
	case r > 1/1.5:
		return fmt.Sprintf("%.0f%% below England's %s", (1-r)*100, england)
	}
	return fmt.Sprintf("less than two-thirds of England's %s (%.0f%% below)", england, (1-r)*100)
}

// ordinal is 1st, 2nd, 3rd, 4th ... 11th, 12th, 13th, 21st.
func ordinal(n int) string {
	suf := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suf = "st"
		case 2:
			suf = "nd"
		case 3:
			suf = "rd"
		}
	}
	return fmt.Sprintf("%d%s", n, suf)
}

// rankPhrase places a rank among councils: "the highest of 152 councils",
// "the 3rd highest of 152", "the lowest of 152"; "" outside the top and
// bottom ten.
func rankPhrase(rank, of int) string {
	switch {
	case rank <= 0 || of < 2:
		return ""
	case rank == 1:
		return fmt.Sprintf("the highest of %d councils", of)
	case rank == of:
		return fmt.Sprintf("the lowest of %d councils", of)
	case rank <= 10:
		return fmt.Sprintf("the %s highest of %d councils", ordinal(rank), of)
	case rank > of-10:
		return fmt.Sprintf("the %s lowest of %d councils", ordinal(of-rank+1), of)
	}
	return ""
}

// Headlines chooses three to five plain-English sentences about a council
// from its figures, strongest first. A sentence says "higher (lower) than
// expected" only when the overdispersed funnel verdict is outside the 95%
// limit ("far higher" outside 99.8%); each gives the year, the rate and
// England's rate. The first sentence tallies the verdicts. When fewer
// than three sentences result, the measures within the expected range
// that differ most from England's rate follow. Figures without a rate are
// never used.
func Headlines(name string, figs []CouncilFigure) []string {
	type cand struct {
		text  string
		score float64
	}
	var diff, within []cand
	for _, f := range figs {
		if !f.Rate.OK() || !f.England.OK() {
			continue
		}
		label := lowerFirst(f.Measure.Label)
		if f.Measure.Note != "" {
			// "children starting care aged under 1 (proxy for removals at
			// birth)": the headline says what the count stands for.
			label = f.Measure.Note
		}
		v, e := fmt.Sprintf("%.1f", f.Rate.Value), fmt.Sprintf("%.1f", f.England.Value)
		rank := rankPhrase(f.Rank, f.RankedOf)
		logRatio := math.Abs(math.Log(f.Rate.Value / f.England.Value))
		if f.Rate.Value == 0 {
			logRatio = 5
		}
		if f.VerdictOK && f.Verdict != funnel.Within {
			how := "higher"
			if f.Verdict < funnel.Within {
				how = "lower"
			}
			strength, score := "", 1.0
			if f.Verdict.Outside998() {
				strength, score = "far ", 2
			}
			s := fmt.Sprintf("%s's rate of %s in %d was %s%s than expected for a council of its size: %s per 10,000 children, %s", name, label, f.Year, strength, how, v, Ratio(f.Rate.Value, f.England.Value, e))
			if rank != "" {
				s += "; " + rank
			}
			diff = append(diff, cand{s + ".", score + logRatio})
			continue
		}
		if f.VerdictOK {
			s := fmt.Sprintf("%s's rate of %s in %d was %s per 10,000 children, %s: within the range expected for a council of its size", name, label, f.Year, v, Ratio(f.Rate.Value, f.England.Value, e))
			if rank != "" {
				s += "; " + rank
			}
			within = append(within, cand{s + ".", logRatio})
		}
	}
	sort.SliceStable(diff, func(i, j int) bool { return diff[i].score > diff[j].score })
	sort.SliceStable(within, func(i, j int) bool { return within[i].score > within[j].score })
	var out []string
	if s := tally(name, figs); s != "" {
		out = append(out, s)
	}
	for _, c := range diff {
		if len(out) == 5 {
			break
		}
		out = append(out, c.text)
	}
	for _, c := range within {
		if len(out) >= 3 {
			break
		}
		out = append(out, c.text)
	}
	if len(out) == 0 {
		england := false
		for _, f := range figs {
			england = england || f.England.OK()
		}
		if england {
			out = append(out, fmt.Sprintf("%s has no published rate that can be compared with England's: its counts are suppressed or its child population is not in the data.", name))
		} else {
			out = append(out, fmt.Sprintf("No rates can be compared for %s: the data directory has counts but no population estimates, so no rate per 10,000 children (for %s or England) can be computed.", name, name))
		}
	}
	return out
}

// Tally counts the figures with a rate and a verdict that are higher
// than expected, within the expected range and lower than expected
// (overdispersed funnel verdicts, outside the 95% limits).
func Tally(figs []CouncilFigure) (higher, within, lower int) {
	for _, f := range figs {
		if !f.VerdictOK || !f.Rate.OK() {
			continue
		}
		switch {
		case f.Verdict > funnel.Within:
			higher++
		case f.Verdict < funnel.Within:
			lower++
		default:
			within++
		}
	}
	return higher, within, lower
}

// tally summarises the verdicts: "On 10 of the 12 measures compared,
// Blackpool's rate was higher than expected for a council of its size; on
// 2 it was within the expected range." Empty when fewer than two measures
// have a verdict.
func tally(name string, figs []CouncilFigure) string {
	higher, within, lower := Tally(figs)
	n := higher + lower + within
	if n < 2 {
		return ""
	}
	var parts []string
	for _, p := range []struct {
		k    int
		what string
	}{{higher, "higher than expected for a council of its size"}, {within, "within the expected range"}, {lower, "lower than expected"}} {
		switch {
		case p.k == n && n == 2:
			parts = append(parts, p.what+" on both")
		case p.k == n:
			parts = append(parts, fmt.Sprintf("%s on all %d", p.what, n))
		case p.k > 0:
			parts = append(parts, fmt.Sprintf("%s on %d", p.what, p.k))
		}
	}
	return fmt.Sprintf("Of the %d measures with a rate to compare with England's, %s's rate was %s (in the latest year of each).", n, name, joinAnd(parts))
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

// SpineVerdict maps a funnel verdict to a spine marker colour: outside the
// overdispersed 95% limits is higher or lower than expected.
func SpineVerdict(f CouncilFigure) charts.SpineVerdict {
	switch {
	case !f.VerdictOK || !f.Rate.OK():
		return charts.SpineNotCompared
	case f.Verdict > funnel.Within:
		return charts.SpineHigher
	case f.Verdict < funnel.Within:
		return charts.SpineLower
	}
	return charts.SpineSimilar
}

// Spine builds the profile's spine chart and the table behind it.
func Spine(calc *rates.Calculator, p CouncilProfile) (*charts.Spine, export.Section, error) {
	name := p.Authority.Name
	sp := &charts.Spine{Area: name, Labels: charts.Labels{
		Title:    name + " at a glance: every measure against England and all councils",
		Subtitle: "Rates per 10,000 children aged 0-17 in the latest year of each measure (years ending 31 March).",
		Source:   sourceLine(calc, p.Figures),
	}}
	sec := export.Section{Name: "at_a_glance", Title: name + " at a glance", Columns: []export.Column{
		{Name: "measure", Decimals: -1}, {Name: "label", Decimals: -1}, {Name: "time_period", Decimals: -1},
		{Name: "count", Decimals: -1}, {Name: "population", Decimals: 0}, {Name: "rate_per_10k", Decimals: 1},
		{Name: "england_rate", Decimals: 1}, {Name: "councils_with_rate", Decimals: 0}, {Name: "councils_min", Decimals: 1},
		{Name: "councils_q1", Decimals: 1}, {Name: "councils_q3", Decimals: 1}, {Name: "councils_max", Decimals: 1},
		{Name: "rank", Decimals: -1}, {Name: "ranked_of", Decimals: -1}, {Name: "funnel_od", Decimals: -1}, {Name: "verdict", Decimals: -1}}}
	for _, f := range p.Figures {
		row := charts.SpineRow{Label: f.Measure.Label, Period: fmt.Sprint(f.Year), Count: f.Rate.Count.String(),
			Value: f.Rate.Value, Valid: f.Rate.OK(), England: math.NaN(), Min: math.NaN(), Max: math.NaN(), Q1: math.NaN(), Q3: math.NaN(),
			Verdict: SpineVerdict(f)}
		if f.Rate.Count.OK() {
			row.Count = commaInt(f.Rate.Count.Number)
		}
		if f.England.OK() {
			row.England = f.England.Value
		}
		if s, err := stats.Describe(f.Councils); err == nil && len(f.Councils) > 0 {
			row.Min, row.Max, row.Q1, row.Q3 = s.Min, s.Max, s.Q1, s.Q3
		}
		sp.Rows = append(sp.Rows, row)
		pop := export.MissingCell("")
		if f.Rate.Population > 0 {
			pop = export.Num(f.Rate.Population)
		}
		count := export.MissingCell(f.Rate.Count.String())
		if f.Rate.Count.OK() {
			count = export.Num(f.Rate.Count.Number)
		}
		rate := export.MissingCell(f.Rate.Count.String())
		if f.Rate.OK() {
			rate = export.Num(f.Rate.Value)
		}
		eng := export.MissingCell("")
		if f.England.OK() {
			eng = export.Num(f.England.Value)
		}
		rank, fv := export.MissingCell(""), export.MissingCell("")
		if f.Rank > 0 {
			rank = export.Int(f.Rank)
		}
		if f.VerdictOK {
			fv = export.Str(f.Verdict.String())
		}
		sec.Rows = append(sec.Rows, []export.Cell{export.Str(f.Measure.ID), export.Str(f.Measure.Label), export.Int(f.Year),
			count, pop, rate, eng, export.Int(len(f.Councils)), numOrMissing(row.Min), numOrMissing(row.Q1), numOrMissing(row.Q3), numOrMissing(row.Max),
			rank, export.Int(f.RankedOf), fv, export.Str(row.Verdict.String())})
	}
	if len(sp.Rows) == 0 {
		return nil, sec, fmt.Errorf("%s: no measure has data", name)
	}
	// Say why a row has no circle, in words rather than a bare symbol.
	var why []string
	for _, f := range p.Figures {
		if f.Rate.OK() {
			continue
		}
		reason := "no population estimate"
		switch {
		case f.Rate.Break && f.Rate.Note != "":
			reason = chartdata.ReadableDates(strings.TrimPrefix(f.Rate.Note, "boundary break: "))
		case !f.Rate.Count.OK():
			reason = "count " + f.Rate.Count.Symbol.Describe()
		}
		why = append(why, fmt.Sprintf("%s %d: %s", lowerFirst(f.Measure.Label), f.Year, reason))
	}
	if len(why) > 0 {
		sp.Labels.Notes = append(sp.Labels.Notes, "No rate (–) for "+strings.Join(why, "; ")+".")
	}
	return sp, sec, nil
}

func numOrMissing(v float64) export.Cell {
	if math.IsNaN(v) {
		return export.MissingCell("")
	}
	return export.Num(v)
}

// commaInt writes a whole count with thousands separators.
func commaInt(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 && r != '-' && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sourceLine names the publications of the figures and the population
// estimates.
func sourceLine(calc *rates.Calculator, figs []CouncilFigure) string {
	var pubs []string
	for _, f := range figs {
		if !contains(pubs, f.Measure.Publication) {
			pubs = append(pubs, f.Measure.Publication)
		}
	}
	return strings.Join(pubs, "; ") + "; " + vintage(calc) + "."
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// neighboursTable is the council beside its neighbours' median and range.
func neighboursTable(p CouncilProfile) export.Section {
	sec := export.Section{Name: "neighbours_summary", Columns: []export.Column{
		{Name: "measure", Decimals: -1}, {Name: "year", Decimals: -1}, {Name: p.Authority.Name, Decimals: 1},
		{Name: "neighbours median", Decimals: 1}, {Name: "neighbours lowest", Decimals: 1}, {Name: "neighbours highest", Decimals: 1},
		{Name: "neighbours with a rate", Decimals: -1}, {Name: "England", Decimals: 1}}}
	for _, f := range p.Figures {
		rate := export.MissingCell(f.Rate.Count.String())
		if f.Rate.OK() {
			rate = export.Num(f.Rate.Value)
		}
		med, lo, hi := export.MissingCell(""), export.MissingCell(""), export.MissingCell("")
		if f.Neighbours.N > 0 {
			med, lo, hi = export.Num(f.Neighbours.Median), export.Num(f.Neighbours.Min), export.Num(f.Neighbours.Max)
		}
		eng := export.MissingCell("")
		if f.England.OK() {
			eng = export.Num(f.England.Value)
		}
		sec.Rows = append(sec.Rows, []export.Cell{export.Str(f.Measure.Label), export.Int(f.Year), rate, med, lo, hi,
			export.Str(fmt.Sprintf("%d of %d", f.Neighbours.N, f.NeighboursOf)), eng})
	}
	return sec
}

// Council assembles a council's profile for campaigners: headline
// sentences first, then the spine chart (every measure against England
// and the range of councils), small trend charts against the region and
// England, the statistical neighbours, and the full tables and notes.
func Council(calc *rates.Calculator, p CouncilProfile, charter CouncilCharter, progress func(string)) (Document, error) {
	if progress == nil {
		progress = func(string) {}
	}
	a := p.Authority
	area := rates.LAArea(a)
	doc := Document{
		Title:     fmt.Sprintf("%s: children's social care compared", a.Name),
		Subtitle:  fmt.Sprintf("%s, %s (ONS code %s, DfE code %s). Rates per 10,000 children aged 0-17 from DfE's open data, in the latest year of each measure.", a.Name, a.RegionName, a.Code, a.OldCode),
		Headlines: Headlines(a.Name, p.Figures),
	}

	progress("at a glance")
	sp, spData, err := Spine(calc, p)
	if err != nil {
		return doc, err
	}
	spChart, err := charter.Render("at_a_glance", a.Name+" at a glance: each measure's rate beside England's and the range of all councils", sp, spData, 20)
	if err != nil {
		return doc, err
	}
	doc.Sections = append(doc.Sections, Section{ID: "glance", Heading: "At a glance", Blocks: []Block{
		Paragraph(fmt.Sprintf("Each row is one measure in its latest year. The circle is %s's rate; the black line is England's. The grey bar runs from the lowest to the highest council rate that year (darker: the middle half of councils), scaled so England is in the middle. The circle's colour says whether the rate is further from England's than chance and the usual differences between councils explain, for a council with %s's number of children (a funnel plot with limits widened for overdispersion): orange higher than expected, blue lower than expected, yellow within the expected range. Higher is not necessarily worse.", a.Name, a.Name)),
		ChartBlock(spChart),
	}})

	progress("trends")
	// Measures with a rate for England in some year (without population
	// estimates there are none, and no line to draw).
	var ms []string
	for _, f := range p.Figures {
		for _, r := range calc.Series(f.Measure.ID, rates.England(), 0, 0) {
			if r.OK() {
				ms = append(ms, f.Measure.ID)
				break
			}
		}
	}
	region := "its region"
	if a.RegionName != "" {
		region = a.RegionName
	}
	if len(ms) == 0 {
		doc.Sections = append(doc.Sections, Section{ID: "trends", Heading: "Trends", Blocks: []Block{
			Paragraph("No trends can be drawn: the data directory has no population estimates, so there are no rates. Add ONS's mid-year estimates with `cscstats fetch population` or `cscstats fetch --from DIR`."),
		}})
	} else {
		trends, err := charter.CouncilTrends(calc, ms, area)
		if err != nil {
			return doc, err
		}
		doc.Sections = append(doc.Sections, Section{ID: "trends", Heading: "Trends", Blocks: []Block{
			Paragraph(fmt.Sprintf("%s's rates year by year (blue line, with its 95%% confidence interval shaded), %s (dashed) and England (black).%s Gaps are years without a comparable figure: suppressed, or before a boundary change. A label with a year in brackets is that year's value: the line ends before the latest year.", a.Name, region, formedNote(calc, a, ms))),
			ChartBlock(trends),
		}})
	}

	progress("neighbours")
	nb := Section{ID: "neighbours", Heading: "Statistical neighbours"}
	if p.HasNeighbours {
		nb.Blocks = []Block{
			Paragraph(fmt.Sprintf("%s beside its %d statistical neighbours, the councils DfE's children's services model finds most like it: %s. Each neighbour's own figure is in the full tables below.", a.Name, len(p.NeighbourNames), joinAnd(p.NeighbourNames))),
			TableBlock(Table{Name: "neighbours_summary", Caption: a.Name + " and its statistical neighbours: rates per 10,000 children", Data: neighboursTable(p),
				Notes: []string{"Neighbours: " + p.NeighboursSource + ".", "The median, lowest and highest are over the neighbours with a rate in the year shown."}}),
		}
	} else {
		nb.Blocks = []Block{Paragraph(p.NeighboursSource)}
	}
	doc.Sections = append(doc.Sections, nb)

	progress("full tables")
	var blocks []Block
	blocks = append(blocks, Paragraph("Every figure behind the page: the council's count, population, rate and 95% interval, England's and the region's rates, its rank among councils (1 = the highest rate) and both funnel verdicts (exact Poisson, and widened for overdispersion, the fairer test)."))
	for i, s := range p.Comparison.Sections {
		name := s.Name
		if name == "" {
			name = fmt.Sprintf("comparison_%d", i+1)
		}
		s.Name = name
		caption := s.Title
		if caption == "" {
			caption = p.Comparison.Title
		}
		blocks = append(blocks, TableBlock(Table{Name: name, Caption: caption, Data: s}))
	}
	if len(p.Comparison.Notes) > 0 {
		blocks = append(blocks, Paragraph("Notes on the tables:"), List(p.Comparison.Notes...))
	}
	doc.Sections = append(doc.Sections, Section{ID: "tables", Heading: "All the figures", Blocks: blocks})

	doc.Sections = append(doc.Sections, Section{ID: "methods", Heading: "Methods and sources", Blocks: []Block{
		Paragraph(fmt.Sprintf("Data: DfE “Children in need” and “Children looked after in England including adoptions”, and ONS mid-year population estimates (%s); Open Government Licence v3.0. Rates divide each count by the ONS estimate of children aged 0-17 for the mid-year before the reporting year ends, times 10,000. 95%% intervals are exact Poisson. Suppressed figures are missing, never zero.", vintage(calc))),
		Paragraph("Funnel verdicts compare the council's rate with England's: a rate outside the 95% limits is higher or lower than expected for a council of its size, outside the 99.8% limits far higher or lower. The limits are widened for overdispersion, the spread between councils beyond chance, estimated from all councils that year."),
		Paragraph("Children starting care aged under 1 are the closest published measure of babies removed at birth, but not the same thing: they include babies who entered care later in their first year."),
		Paragraph("The publications are linked at the foot of the page; every table and chart links to a CSV of the data behind it."),
	}})
	return doc, nil
}

// formedNote explains the orange line of a council formed from one former
// authority: " Cumberland began on 1 April 2023; the orange line is
// Cumbria, the county it was formed from, up to 2023."
func formedNote(calc *rates.Calculator, a *la.Authority, ms []string) string {
	if a.Change == nil || len(a.FormedFrom) != 1 {
		return ""
	}
	pred, ok := calc.Registry.Get(a.FormedFrom[0])
	if !ok {
		return ""
	}
	began, last := strings.SplitN(a.Change.Effective, "-", 2)[0], a.Change.FirstReportingYear-1
	for _, m := range ms {
		for _, r := range calc.Series(m, rates.LAArea(pred), 0, last) {
			if r.OK() {
				return fmt.Sprintf(" %s began in %s; the orange line is %s, the authority it was formed from, up to %d (a larger area, so not the same series).",
					a.Name, began, pred.Name, last)
			}
		}
	}
	return fmt.Sprintf(" %s began in %s, formed from %s, which has counts but no rates before then (the population file has no estimate for it), so no earlier line is drawn.", a.Name, began, pred.Name)
}
