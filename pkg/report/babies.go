package report

import (
	"fmt"
	"math"
	"sort"

	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
)

// babiesMeasure is the removals-at-birth proxy.
const babiesMeasure = "under1_starts"

// topCouncils is how many councils the two-denominator table shows.
const topCouncils = 15

// BabiesBothDenominators is the babies section's comparison of the two
// denominators for under1_starts in its latest year: per 10,000 children
// aged 0-17 (as every other rate) and per 10,000 children aged under 1 (as
// research on babies entering care uses). It gives a table for England,
// the regions and every council with both rates and both ranks, a
// sentence on how far councils' ranks move, and, when the data has
// under-1 populations, the funnel per baby.
func BabiesBothDenominators(calc *rates.Calculator, charter Charter) ([]Block, error) {
	ys := calc.Years(babiesMeasure)
	if len(ys) == 0 {
		return nil, nil
	}
	year := ys[len(ys)-1]
	perChild, perBaby := calc.Per(population.Children), calc.Per(population.Under1)
	child, baby := perChild.Year(babiesMeasure, year), perBaby.Year(babiesMeasure, year)
	tbl := export.Section{Name: "under1_starts_two_denominators", Columns: []export.Column{
		{Name: "area", Decimals: -1}, {Name: "count", Decimals: -1},
		{Name: "pop_0_17", Decimals: 0}, {Name: "per_10k_0_17", Decimals: 1}, {Name: "rank_0_17", Decimals: 0},
		{Name: "pop_under_1", Decimals: 0}, {Name: "per_10k_under_1", Decimals: 1}, {Name: "rank_under_1", Decimals: 0},
	}}
	rankChild, rankBaby := councilRanks(child), councilRanks(baby)
	num := func(v float64, ok bool) export.Cell {
		if !ok {
			return export.MissingCell("")
		}
		return export.Num(v)
	}
	moved, ranked, withBaby := 0, 0, 0
	for i, c := range child {
		b := baby[i]
		count := export.MissingCell(c.Count.String())
		if c.Count.OK() {
			count = export.Num(c.Count.Number)
		}
		rc, okc := rankChild[c.Area.Code]
		rb, okb := rankBaby[b.Area.Code]
		if c.Area.Level == rates.LocalAuthority && okc && okb {
			ranked++
			if math.Abs(float64(rc-rb)) >= 10 {
				moved++
			}
		}
		if b.OK() {
			withBaby++
		}
		// Councils: only the top few per baby (the command lists all).
		if c.Area.Level == rates.LocalAuthority && (!okb || rb > topCouncils) {
			continue
		}
		tbl.Rows = append(tbl.Rows, []export.Cell{
			export.Str(c.Area.Name), count,
			num(c.Population, c.Population > 0), num(c.Value, c.OK()), num(float64(rc), okc && c.Area.Level == rates.LocalAuthority),
			num(b.Population, b.Population > 0), num(b.Value, b.OK()), num(float64(rb), okb && b.Area.Level == rates.LocalAuthority),
		})
	}
	// Councils highest per baby first (England and the regions stay on top).
	first := 0
	for first < len(tbl.Rows) && first < len(child) && child[first].Area.Level != rates.LocalAuthority {
		first++
	}
	councils := tbl.Rows[first:]
	sort.SliceStable(councils, func(i, j int) bool { return councils[i][7].Number < councils[j][7].Number })
	notes := []string{
		fmt.Sprintf("Year ending 31 March %d. Both rates divide the same count by ONS mid-year estimates for mid-%d: children aged 0-17, and children aged under 1 (single year of age). Ranks are among all councils, 1 = highest rate.", year, population.MidYearFor(year)),
		fmt.Sprintf("England, the regions and the %d councils with the highest rate per 10,000 children aged under 1; `cscstats rates --measure under1_starts --year %d --per under1` lists every council.", topCouncils, year),
		"under1_starts counts " + measures.ProxyNote + ".",
		"Empty cells are missing (suppressed counts or no population estimate), never zero.",
	}
	intro := fmt.Sprintf("Every rate in this report divides by children aged 0-17. For babies entering care, research (e.g. Broadhurst et al., Born into care) divides by births or by children aged under 1 instead; councils' age structures differ, so the two can rank councils differently. The table shows both for %d.", year)
	blocks := []Block{Paragraph(intro)}
	switch {
	case withBaby == 0:
		blocks = append(blocks, Paragraph("The data has no population estimates of children aged under 1 (DfE's population file carries ages 0-17 only), so the rates per baby are empty; `cscstats fetch population` gets single years of age from ONS via Nomis."))
	case ranked > 0:
		blocks = append(blocks, Paragraph(fmt.Sprintf("Of %d councils ranked both ways, %d move 10 or more places between the two denominators.", ranked, moved)))
	}
	if withBaby == 0 {
		return blocks, nil // a table of empty columns would say nothing
	}
	blocks = append(blocks, TableBlock(Table{Name: tbl.Name, Caption: fmt.Sprintf("Children starting care aged under 1, %d: per 10,000 children aged 0-17 and per 10,000 children aged under 1", year), Data: tbl, Notes: notes}))
	if charter != nil {
		chart, err := charter.Funnel(perBaby, babiesMeasure, year)
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, ChartBlock(chart))
	}
	return blocks, nil
}

// councilRanks ranks the councils with a rate, highest first (1 = highest);
// ties share the better rank.
func councilRanks(rs []rates.Rate) map[string]int {
	var ok []rates.Rate
	for _, r := range rs {
		if r.Area.Level == rates.LocalAuthority && r.OK() {
			ok = append(ok, r)
		}
	}
	sort.SliceStable(ok, func(i, j int) bool { return ok[i].Value > ok[j].Value })
	out := map[string]int{}
	for i, r := range ok {
		rank := i + 1
		if i > 0 && r.Value == ok[i-1].Value {
			rank = out[ok[i-1].Area.Code]
		}
		out[r.Area.Code] = rank
	}
	return out
}
