package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/ofsted"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/spec"
	"github.com/cscstats/cscstats/pkg/stats"
)

// OfstedRecommendation is the recommendation of The Way Forward that the
// Ofsted section answers.
const OfstedRecommendation = "the link between increased adoption and increases in care and child protection activities in low performing local authorities"

// OfstedMeasures are the care and child protection measures whose change
// is set beside the change in adoptions.
var OfstedMeasures = []string{"under1_starts", "cla_starts", "cla_31march", "cpp_starts", "s47"}

// OfstedPair is the analysis of adoptions against one measure over the
// years both have.
type OfstedPair struct {
	Measure  string
	From, To int
	Groups   []ofsted.GroupStats // by judgement in force on 31 March of From
	Combined []ofsted.GroupStats // good or outstanding; requires improvement or inadequate
	Excluded int
}

// OfstedAnalysis computes, for each of OfstedMeasures, over the years it
// shares with adoptions (first common year to last), the councils'
// change in the adoption rate (x) and in the measure's rate (y), grouped by
// the Ofsted judgement in force on 31 March of the first year; within each
// group the mean changes (95% t intervals) and the Pearson correlation of
// the two changes (95% Fisher interval). Measures with fewer than two
// common years are skipped.
func OfstedAnalysis(calc *rates.Calculator, j *ofsted.Judgements) ([]OfstedPair, error) {
	var out []OfstedPair
	adopt := calc.Years("adoptions")
	for _, m := range OfstedMeasures {
		var common []int
		for _, y := range calc.Years(m) {
			for _, a := range adopt {
				if a == y {
					common = append(common, y)
				}
			}
		}
		if len(common) < 2 {
			continue
		}
		from, to := common[0], common[len(common)-1]
		x := spec.Spec{Measure: "adoptions", Stat: spec.Change, From: from, To: to}
		y := spec.Spec{Measure: m, Stat: spec.Change, From: from, To: to}
		p, err := spec.Pair(calc, x, y, nil, spec.Options{})
		if err != nil {
			return nil, err
		}
		order, by := j.GroupRows(p.Table, ofsted.AtStart, ofsted.PeriodStart(from))
		corder, cby := ofsted.CombinedRows(by)
		out = append(out, OfstedPair{Measure: m, From: from, To: to, Excluded: len(p.Excluded),
			Groups: ofsted.Summarise(order, by, stats.MethodPearson), Combined: ofsted.Summarise(corder, cby, stats.MethodPearson)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no care or child protection measure shares two years with adoptions in the data")
	}
	return out, nil
}

// OfstedSection is the report's answer to the recommendation: the
// analysis of OfstedAnalysis as two tables and a summary in words.
func OfstedSection(calc *rates.Calculator, j *ofsted.Judgements) (Section, error) {
	sec := Section{ID: "ofsted", Heading: "Ofsted judgements: adoption, care and child protection in low-performing councils"}
	pairs, err := OfstedAnalysis(calc, j)
	if err != nil {
		return sec, err
	}
	means := export.Section{Name: "ofsted_changes", Columns: []export.Column{
		{Name: "measure", Decimals: -1}, {Name: "years", Decimals: -1}, {Name: "group", Decimals: -1}, {Name: "n", Decimals: -1},
		{Name: "adoptions_change", Decimals: 2}, {Name: "adoptions_lo", Decimals: 2}, {Name: "adoptions_hi", Decimals: 2},
		{Name: "measure_change", Decimals: 2}, {Name: "measure_lo", Decimals: 2}, {Name: "measure_hi", Decimals: 2}}}
	corr := export.Section{Name: "ofsted_correlations", Columns: []export.Column{
		{Name: "measure", Decimals: -1}, {Name: "years", Decimals: -1}, {Name: "group", Decimals: -1}, {Name: "n", Decimals: -1},
		{Name: "r", Decimals: 2}, {Name: "ci_lower", Decimals: 2}, {Name: "ci_upper", Decimals: 2}, {Name: "p_value", Decimals: 3}}}
	var lines []string
	for _, p := range pairs {
		years := fmt.Sprintf("%d-%d", p.From, p.To)
		for _, g := range append(append([]ofsted.GroupStats(nil), p.Combined...), p.Groups...) {
			mx, my := g.Means[0], g.Means[1]
			means.Rows = append(means.Rows, []export.Cell{export.Str(p.Measure), export.Str(years), export.Str(g.Group), export.Int(g.N),
				export.Num(mx.Mean), export.Num(mx.Lower), export.Num(mx.Upper), export.Num(my.Mean), export.Num(my.Lower), export.Num(my.Upper)})
			r, lo, hi, pv := math.NaN(), math.NaN(), math.NaN(), math.NaN()
			if g.Corr != nil {
				r, lo, hi, pv = g.Corr.R, g.Corr.CILower, g.Corr.CIUpper, g.Corr.PValue
			}
			corr.Rows = append(corr.Rows, []export.Cell{export.Str(p.Measure), export.Str(years), export.Str(g.Group), export.Int(g.N),
				export.Num(r), export.Num(lo), export.Num(hi), export.Num(pv)})
		}
		lines = append(lines, pairSentence(p))
	}
	answer := answerSentence(pairs)
	start := "31 March of the first year of each comparison"
	sec.Blocks = []Block{
		Paragraph(fmt.Sprintf("The Way Forward recommends investigating “%s”, citing research that rising removals at birth went with poor Ofsted grades. cscstats joins Ofsted's judgements of each council's children's services (the ILACS inspection history, from January 2018) to the DfE figures and asks, on the years the data allow: across councils judged “requires improvement” or “inadequate”, did those where adoptions rose more also see care and child protection rise more? And was it different among councils judged good or outstanding?", OfstedRecommendation)),
		Paragraph(fmt.Sprintf("Each council is grouped by the overall effectiveness judgement in force at the start of the period: its latest ILACS inspection that began on or before %s, so the grade comes before the changes set beside it. Councils not yet inspected under ILACS by then (the file has no earlier judgements) are shown separately and are in neither combined group. Changes are in rates per 10,000 children aged 0-17, last year minus first.", start)),
		Paragraph(answer),
		List(lines...),
		TableBlock(Table{Name: "ofsted_correlations", Caption: "Correlation across councils between the change in adoptions and the change in each measure, by Ofsted judgement at the start", Data: corr,
			Notes: []string{"Pearson r with 95% intervals by Fisher's z; p-values from the t test. A group of n councils gives a wide interval when n is small (Outstanding and Inadequate have about 10-15 councils).", "Correlation across councils is not causation, and describes councils, not families."}}),
		TableBlock(Table{Name: "ofsted_changes", Caption: "Mean change in rates per 10,000 children aged 0-17 (adoptions and the measure), by Ofsted judgement at the start, with 95% intervals (lo to hi)", Data: means,
			Notes: []string{"Means across the group's councils with 95% t intervals. Councils without a figure in either year are left out; a former county split later (Northamptonshire, Cumbria) stands for its successors, its later years summed.", "Source: " + j.Source.Describe() + "; DfE figures as in the methods section."}}),
		Paragraph("What this does not show: an Ofsted grade is not a cause. Councils judged differently differ in deprivation, size, local policy and how they record cases; a poor grade may follow the same pressures that raise care numbers; and the judgement may change within the period. These are associations between councils, not evidence about individual children or families. What was not tested: removals at birth themselves (DfE publishes no count; the proxy here is " + measures.ProxyNote + ", available for the years shown only), the single-inspection-framework grades before 2018, and whether the difference between groups' coefficients is itself significant."),
	}
	return sec, nil
}

// pairSentence says in words what the low-performing group shows for one
// measure, beside the good-or-outstanding group.
func pairSentence(p OfstedPair) string {
	m, err := measures.Lookup(p.Measure)
	label := p.Measure
	if err == nil {
		label = strings.ToLower(m.Label[:1]) + m.Label[1:]
	}
	if p.Measure == "under1_starts" {
		label += " (proxy for removals at birth)"
	}
	var parts []string
	for _, g := range p.Combined {
		if g.Corr == nil {
			parts = append(parts, fmt.Sprintf("%s: no coefficient (n = %d)", strings.ToLower(g.Group), g.N))
			continue
		}
		clear := "no clear link (the interval includes zero)"
		if g.Corr.CILower > 0 {
			clear = "a positive link"
		} else if g.Corr.CIUpper < 0 {
			clear = "a negative link"
		}
		parts = append(parts, fmt.Sprintf("%s: r = %.2f (95%% CI %.2f to %.2f, n = %d), %s", strings.ToLower(g.Group), g.Corr.R, g.Corr.CILower, g.Corr.CIUpper, g.N, clear))
	}
	return fmt.Sprintf("Adoptions and %s, change %d to %d — %s.", label, p.From, p.To, strings.Join(parts, "; "))
}

// answerSentence answers the recommendation in one sentence: in how many
// of the measures the low-performing group shows a clear positive link
// (95% interval above zero) between the change in adoptions and the change
// in the measure.
func answerSentence(pairs []OfstedPair) string {
	var clear, tested []string
	for _, p := range pairs {
		for _, g := range p.Combined {
			if g.Group != ofsted.LowGroup || g.Corr == nil {
				continue
			}
			tested = append(tested, p.Measure)
			if g.Corr.CILower > 0 {
				clear = append(clear, p.Measure)
			}
		}
	}
	if len(clear) == 0 {
		return fmt.Sprintf("In short: among councils judged requires improvement or inadequate, a rise in adoptions did not clearly go with a rise in any of the %d care and child protection measures tested (no 95%% interval lies above zero). That is absence of evidence on these years, not evidence of no link.", len(tested))
	}
	return fmt.Sprintf("In short: among councils judged requires improvement or inadequate, a rise in adoptions went with a rise in %d of the %d measures tested (%s: 95%% interval above zero).", len(clear), len(tested), strings.Join(clear, ", "))
}
