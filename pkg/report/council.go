package report

import (
	"fmt"

	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/rates"
)

// CouncilMeasures are drawn in a council profile's trend chart.
var CouncilMeasures = []string{"s47", "icpc", "cpp_31march", "cla_31march"}

// Council assembles a one-page profile of one council: the comparison
// tables (computed by the caller, as `cscstats compare` computes them, so
// the profile and the command agree), its trends against its region and
// England, and the methods.
func Council(calc *rates.Calculator, a *la.Authority, comparison export.Document, charter Charter, progress func(string)) (Document, error) {
	if progress == nil {
		progress = func(string) {}
	}
	area := rates.LAArea(a)
	doc := Document{
		Title:    fmt.Sprintf("%s: children's social care compared", a.Name),
		Subtitle: fmt.Sprintf("%s (%s, DfE code %s), %s. Rates per 10,000 children aged 0-17, from DfE's open data.", a.Name, a.Code, a.OldCode, a.RegionName),
		Intro: []string{
			fmt.Sprintf("How %s compares with England, with %s and with its statistical neighbours (the ten councils DfE's children's services model finds most similar) on every measure cscstats computes, in the latest year each measure has.", a.Name, a.RegionName),
			"Rank 1 is the highest rate among all councils. The funnel verdict says whether the rate is further from England's than chance alone would explain for a council of this size; the overdispersed verdict allows for the usual spread between councils and is the fairer test.",
		},
	}
	progress("comparison tables")
	var blocks []Block
	for i, s := range comparison.Sections {
		name := s.Name
		if name == "" {
			name = fmt.Sprintf("comparison_%d", i+1)
		}
		s.Name = name
		caption := s.Title
		if caption == "" {
			caption = comparison.Title
		}
		t := Table{Name: name, Caption: caption, Data: s}
		if i == 0 {
			t.Notes = comparison.Notes
		}
		blocks = append(blocks, TableBlock(t))
	}
	doc.Sections = append(doc.Sections, Section{ID: "comparison", Heading: "Against England, the region and the neighbours", Blocks: blocks})

	progress("trends")
	var ms []string
	for _, m := range CouncilMeasures {
		if len(calc.Years(m)) > 0 {
			ms = append(ms, m)
		}
	}
	chart, err := charter.AreaTrends(calc, ms, area, 0, 0)
	if err != nil {
		return doc, err
	}
	var rows []rates.Rate
	for _, m := range ms {
		rows = append(rows, calc.Series(m, area, 0, 0)...)
	}
	doc.Sections = append(doc.Sections, Section{ID: "trends", Heading: "Trends", Blocks: []Block{
		Paragraph(fmt.Sprintf("%s's rates over the years, with %s and England. Gaps are years without a published figure (suppressed, or before a boundary change).", a.Name, a.RegionName)),
		ChartBlock(chart),
		TableBlock(Table{Name: "rates", Caption: a.Name + ": rates per 10,000 children by year", Data: Wide("rates", rows, func(r rates.Rate) string { return r.Measure })}),
	}})
	doc.Sections = append(doc.Sections, Section{ID: "methods", Heading: "Methods and sources", Blocks: []Block{
		Paragraph(fmt.Sprintf("Data: DfE “Children in need” and “Children looked after in England including adoptions”, ONS mid-year population estimates (%s); Open Government Licence v3.0. Rates divide by the ONS estimate of children aged 0-17 for the mid-year before the reporting year ends. 95%% intervals are exact Poisson. Suppressed figures are missing, never zero.", vintage(calc))),
		Paragraph("Children starting care aged under 1 are " + measures.ProxyNote + "."),
	}})
	return doc, nil
}
