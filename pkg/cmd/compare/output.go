package compare

import (
	"fmt"
	"github.com/cscstats/cscstats/pkg/timeperiod"
	"math"
	"sort"
	"strings"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/funnel"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/stats"
)

// Result is everything compare computed.
type Result struct {
	Councils                           []*Council
	Years                              []*Year
	Rows                               []Row
	Changes                            []ChangeRow
	Period, WithNeighbours, WithRegion bool
}

// Change roles.
const (
	RoleCouncil   = "council"
	RoleNeighbour = "neighbour"
	RoleMedian    = "neighbours median"
	RoleRegion    = "region"
	RoleEngland   = "England"
)

// ChangeRow is one area's change over the period.
type ChangeRow struct {
	Measure string
	Council *Council
	Role    string
	Area    rates.Area
	Change  rates.Change
	NoCI    bool // a median has no count: no rate-ratio test
	Note    string
}

// changes lists the council's change, its neighbours' (each and their
// median, over the neighbours with a rate in both years), its region's and
// England's, from year fy to ty.
func changes(calc *rates.Calculator, m measures.Measure, c *Council, fy, ty int) []ChangeRow {
	var out []ChangeRow
	add := func(role string, area rates.Area) ChangeRow {
		from, to := rateAt(calc, m.ID, area, fy), rateAt(calc, m.ID, area, ty)
		moved := ""
		if !from.OK() || !to.OK() {
			// A council formed mid-period (Cumberland, 2024) changes from
			// its first year with a rate; the note says which years.
			if f, l, ok := firstLast(calc.Series(m.ID, area, fy, ty)); ok {
				from, to = f, l
				moved = fmt.Sprintf("%d to %d: the first and last years with a rate in %d to %d", f.Year, l.Year, fy, ty)
			}
		}
		ch := ChangeRow{Measure: m.ID, Council: c, Role: role, Area: area, Change: rates.Compare(from, to)}
		var why []string
		if moved != "" {
			why = append(why, moved)
		}
		for _, r := range []rates.Rate{ch.Change.From, ch.Change.To} {
			if r.Note != "" && (!r.OK() || r.Basis == rates.Harmonised) {
				why = append(why, fmt.Sprintf("%d: %s", r.Year, r.Note))
			}
		}
		ch.Note = strings.Join(why, "; ")
		out = append(out, ch)
		return ch
	}
	add(RoleCouncil, rates.LAArea(c.Authority))
	if c.Group != nil {
		var fromV, toV []float64
		for _, mem := range c.Group.Members {
			if mem.Authority == nil {
				continue
			}
			ch := add(RoleNeighbour, rates.LAArea(mem.Authority))
			if ch.Change.From.OK() && ch.Change.To.OK() {
				fromV = append(fromV, ch.Change.From.Value)
				toV = append(toV, ch.Change.To.Value)
			}
		}
		med := ChangeRow{Measure: m.ID, Council: c, Role: RoleMedian, NoCI: true,
			Area: rates.Area{Level: "Neighbours", Name: fmt.Sprintf("%s's neighbours (median of %d)", c.Authority.Name, len(fromV))}}
		f, t := emptyRate(m.ID, fy), emptyRate(m.ID, ty)
		if len(fromV) > 0 {
			f.Value, _ = stats.Quantile(fromV, 0.5)
			t.Value, _ = stats.Quantile(toV, 0.5)
		}
		med.Change = rates.Compare(f, t)
		med.Note = fmt.Sprintf("median over the %d of %d neighbours with a rate in both %d and %d", len(fromV), len(c.Group.Members), fy, ty)
		out = append(out, med)
	}
	if c.Authority.RegionCode != "" {
		add(RoleRegion, calc.RegionArea(c.Authority.RegionCode))
	}
	add(RoleEngland, rates.England())
	return out
}

// firstLast returns the first and last rates of a series that have a
// value, if there are two different years with one.
func firstLast(series []rates.Rate) (first, last rates.Rate, ok bool) {
	fi, li := -1, -1
	for i, r := range series {
		if r.OK() {
			if fi < 0 {
				fi = i
			}
			li = i
		}
	}
	if fi < 0 || fi == li {
		return rates.Rate{}, rates.Rate{}, false
	}
	return series[fi], series[li], true
}

func col(name string, decimals int) export.Column {
	return export.Column{Name: name, Decimals: decimals}
}

func countCell(r rates.Rate) export.Cell {
	if r.Count.OK() {
		return export.Num(r.Count.Number)
	}
	return export.MissingCell(r.Count.String())
}

func popCell(r rates.Rate) export.Cell {
	if r.Population == 0 {
		return export.MissingCell("")
	}
	return export.Num(r.Population)
}

func intCell(i int) export.Cell {
	if i == 0 {
		return export.MissingCell("")
	}
	return export.Int(i)
}

func rateNote(r rates.Rate) string {
	if r.OK() && r.Basis != rates.Harmonised {
		return ""
	}
	return r.Note
}

// mainSection is the tidy table: one row per council and measure.
func (res *Result) mainSection() export.Section {
	cols := []export.Column{
		col("measure", -1), col("time_period", -1), col("la_name", -1), col("new_la_code", -1), col("old_la_code", -1),
		col("count", -1), col("population", 0), col("rate_per_10k", 1), col("ci_lower", 1), col("ci_upper", 1),
		col("rank", -1), col("ranked_of", -1), col("funnel", -1), col("funnel_od", -1),
		col("od_scale", -1), col("od_phi", 3), col("od_tau2", 3), col("od_councils", -1),
		col("england_rate", 1), col("region_name", -1), col("region_rate", 1),
	}
	if res.WithRegion {
		cols = append(cols, col("region_rank", -1), col("region_ranked_of", -1))
	}
	if res.WithNeighbours {
		cols = append(cols, col("neighbours_median", 1), col("neighbours_min", 1), col("neighbours_max", 1),
			col("neighbours_with_rate", -1), col("neighbours_total", -1))
	}
	cols = append(cols, col("basis", -1), col("note", -1))
	s := export.Section{Name: "compare", Columns: cols}
	for _, r := range res.Rows {
		a := r.Council.Authority
		fun, od := export.MissingCell(""), export.MissingCell("")
		if r.FunnelOK {
			fun = export.Str(VerdictText(r.Funnel))
		}
		odScale, odPhi, odTau2, odN := export.MissingCell(""), export.MissingCell(""), export.MissingCell(""), export.MissingCell("")
		if r.FunnelODOK {
			od = export.Str(VerdictText(r.FunnelOD))
			if y := res.year(r.Measure.ID, r.Year); y != nil {
				odScale, odPhi, odTau2, odN = export.Str(y.OD.Scale.String()), export.Num(y.OD.Phi), export.Num(y.OD.Tau2), export.Int(y.OD.Units)
			}
		}
		cells := []export.Cell{
			export.Str(r.Measure.ID), export.Int(r.Year), export.Str(a.Name), export.Str(a.Code), export.Str(a.OldCode),
			countCell(r.Rate), popCell(r.Rate), export.Num(r.Rate.Value), export.Num(r.Rate.Lower), export.Num(r.Rate.Upper),
			intCell(r.Rank), export.Int(r.RankedOf), fun, od, odScale, odPhi, odTau2, odN,
			export.Num(r.England.Value), export.Str(a.RegionName), export.Num(r.Region.Value),
		}
		if res.WithRegion {
			cells = append(cells, intCell(r.RegionRank), export.Int(r.RegionOf))
		}
		if res.WithNeighbours {
			sp := r.NbrSpread
			if sp.N == 0 {
				sp = stats.Spread{Median: math.NaN(), Min: math.NaN(), Max: math.NaN()}
			}
			cells = append(cells, export.Num(sp.Median), export.Num(sp.Min), export.Num(sp.Max), export.Int(sp.N), export.Int(len(r.Neighbours)))
		}
		cells = append(cells, export.Str(r.Rate.Basis), export.Str(rateNote(r.Rate)))
		s.Rows = append(s.Rows, cells)
	}
	return s
}

func ciText(r rates.Rate) export.Cell {
	if !r.OK() {
		return export.MissingCell("")
	}
	return export.Str(fmt.Sprintf("%.1f to %.1f", r.Lower, r.Upper))
}

// cardSection is the readable form for table and markdown: per measure,
// each council, its neighbours' median, its region and England, one per
// line.
func (res *Result) cardSection() export.Section {
	s := export.Section{
		Name: "summary",
		Columns: []export.Column{col("measure", -1), col("year", -1), col("area", -1), col("count", -1), col("population", 0), col("rate_per_10k", 1),
			col("ci_95", -1), col("rank", -1), col("funnel", -1), col("funnel_od", -1)},
	}
	blank := export.MissingCell("")
	for _, y := range res.Years {
		id, year := export.Str(y.Measure.ID), export.Int(y.Year)
		seenRegion := map[string]bool{}
		var regions [][]export.Cell
		for _, r := range res.Rows {
			if r.Measure.ID != y.Measure.ID {
				continue
			}
			a := r.Council.Authority
			rank := export.MissingCell("not ranked")
			if r.Rank > 0 {
				txt := fmt.Sprintf("%d of %d", r.Rank, r.RankedOf)
				if res.WithRegion && r.RegionRank > 0 {
					txt += fmt.Sprintf(" (region: %d of %d)", r.RegionRank, r.RegionOf)
				}
				rank = export.Str(txt)
			}
			fun, od := blank, blank
			if r.FunnelOK {
				fun = export.Str(VerdictText(r.Funnel))
			}
			if r.FunnelODOK {
				od = export.Str(VerdictText(r.FunnelOD))
			}
			s.Rows = append(s.Rows, []export.Cell{id, year, export.Str(a.Name), countCell(r.Rate), popCell(r.Rate), export.Num(r.Rate.Value), ciText(r.Rate), rank, fun, od})
			if res.WithNeighbours && r.Council.Group != nil {
				sp := r.NbrSpread
				name := fmt.Sprintf("%s's neighbours: median of %d", a.Name, sp.N)
				if sp.N < len(r.Neighbours) {
					name = fmt.Sprintf("%s's neighbours: median of %d of %d", a.Name, sp.N, len(r.Neighbours))
				}
				med, rng := export.MissingCell("none"), blank
				if sp.N > 0 {
					med, rng = export.Num(sp.Median), export.Str(fmt.Sprintf("range %.1f to %.1f", sp.Min, sp.Max))
				}
				s.Rows = append(s.Rows, []export.Cell{id, year, export.Str(name), blank, blank, med, rng, blank, blank, blank})
			}
			if a.RegionCode != "" && !seenRegion[a.RegionCode] {
				seenRegion[a.RegionCode] = true
				regions = append(regions, []export.Cell{id, year, export.Str(r.Region.Area.Name), countCell(r.Region), popCell(r.Region), export.Num(r.Region.Value), ciText(r.Region), blank, blank, blank})
			}
		}
		s.Rows = append(s.Rows, regions...)
		e := y.England
		s.Rows = append(s.Rows, []export.Cell{id, year, export.Str("England"), countCell(e), popCell(e), export.Num(e.Value), ciText(e), blank, blank, blank})
	}
	return s
}

func (res *Result) neighbourSection() export.Section {
	s := export.Section{Name: "neighbours", Title: "Statistical neighbours",
		Columns: []export.Column{col("measure", -1), col("time_period", -1), col("la_name", -1), col("sn_rank", -1), col("closeness", -1),
			col("neighbour", -1), col("new_la_code", -1), col("old_la_code", -1), col("count", -1), col("population", 0),
			col("rate_per_10k", 1), col("ci_lower", 1), col("ci_upper", 1), col("rank", -1), col("note", -1)}}
	for _, r := range res.Rows {
		for _, n := range r.Neighbours {
			code := ""
			if n.Member.Authority != nil {
				code = n.Member.Authority.Code
			}
			s.Rows = append(s.Rows, []export.Cell{export.Str(r.Measure.ID), export.Int(r.Year), export.Str(r.Council.Authority.Name),
				export.Int(n.Member.Rank), export.Str(n.Member.Closeness), export.Str(n.Member.Name()), export.Str(code), export.Str(n.Member.OldCode),
				countCell(n.Rate), popCell(n.Rate), export.Num(n.Rate.Value), export.Num(n.Rate.Lower), export.Num(n.Rate.Upper),
				intCell(n.Rank), export.Str(rateNote(n.Rate))})
		}
	}
	return s
}

func (res *Result) regionSection() export.Section {
	s := export.Section{Name: "region", Title: "Councils in the region, highest rate first",
		Columns: []export.Column{col("measure", -1), col("time_period", -1), col("region_name", -1), col("la_name", -1), col("new_la_code", -1),
			col("count", -1), col("population", 0), col("rate_per_10k", 1), col("ci_lower", 1), col("ci_upper", 1),
			col("region_rank", -1), col("rank", -1), col("note", -1)}}
	done := map[string]bool{}
	for _, r := range res.Rows {
		key := r.Measure.ID + "|" + r.Council.Authority.RegionCode
		if done[key] || len(r.RegionMembers) == 0 {
			continue
		}
		done[key] = true
		ms := append([]NeighbourRate(nil), r.RegionMembers...)
		sort.SliceStable(ms, func(i, j int) bool {
			if ms[i].Rate.OK() != ms[j].Rate.OK() {
				return ms[i].Rate.OK()
			}
			return ms[i].Rate.OK() && ms[i].Rate.Value > ms[j].Rate.Value
		})
		for _, m := range ms {
			rr := 0
			if m.Rate.OK() {
				rr = 1
				for _, o := range ms {
					if o.Rate.OK() && o.Rate.Value > m.Rate.Value {
						rr++
					}
				}
			}
			s.Rows = append(s.Rows, []export.Cell{export.Str(r.Measure.ID), export.Int(r.Year), export.Str(r.Council.Authority.RegionName),
				export.Str(m.Rate.Area.Name), export.Str(m.Rate.Area.Code), countCell(m.Rate), popCell(m.Rate),
				export.Num(m.Rate.Value), export.Num(m.Rate.Lower), export.Num(m.Rate.Upper), intCell(rr), intCell(m.Rank), export.Str(rateNote(m.Rate))})
		}
	}
	return s
}

func (res *Result) changeSection() export.Section {
	s := export.Section{Name: "changes", Title: "Change over the period",
		Columns: []export.Column{col("measure", -1), col("la_name", -1), col("comparison", -1), col("area", -1), col("new_la_code", -1),
			col("from", -1), col("to", -1), col("rate_from", 1), col("rate_to", 1), col("change", 1), col("change_percent", 1),
			col("rate_ratio", 3), col("rate_ratio_lower", 3), col("rate_ratio_upper", 3), col("p_value", 4), col("note", -1)}}
	for _, c := range res.Changes {
		test := []export.Cell{export.Num(c.Change.Test.Ratio), export.Num(c.Change.Test.Lower), export.Num(c.Change.Test.Upper), export.Num(c.Change.Test.P)}
		if c.NoCI {
			test = []export.Cell{export.Num(c.Change.To.Value / c.Change.From.Value), export.MissingCell(""), export.MissingCell(""), export.MissingCell("")}
		}
		row := []export.Cell{export.Str(c.Measure), export.Str(c.Council.Authority.Name), export.Str(c.Role),
			export.Str(c.Area.Name), export.Str(c.Area.Code), export.Int(c.Change.From.Year), export.Int(c.Change.To.Year),
			export.Num(c.Change.From.Value), export.Num(c.Change.To.Value), export.Num(c.Change.Absolute), export.Num(c.Change.Percent)}
		s.Rows = append(s.Rows, append(append(row, test...), export.Str(c.Note)))
	}
	return s
}

// Document lays out the result. CSV gets the tidy main table; JSON every
// table; table and markdown a readable summary per measure, then the
// neighbour, region and change tables.
func (res *Result) Document(calc *rates.Calculator, format string, extra []string) export.Document {
	var ms []measures.Measure
	var years []int
	for _, y := range res.Years {
		ms = append(ms, y.Measure)
		years = timeperiod.Append(years, y.Year)
	}
	for _, c := range res.Changes {
		years = timeperiod.Append(timeperiod.Append(years, c.Change.From.Year), c.Change.To.Year)
	}
	var names, labels []string
	for _, c := range res.Councils {
		names = append(names, c.Authority.Name)
	}
	for _, m := range ms {
		labels = append(labels, m.Label)
	}
	what := strings.Join(labels, ", ")
	if len(labels) > 3 {
		what = fmt.Sprintf("%d measures", len(labels))
	}
	var snap []int
	for _, y := range res.Years {
		snap = timeperiod.Append(snap, y.Year)
	}
	title := fmt.Sprintf("%s compared: %s, %s (rates per 10,000 children aged 0-17)", strings.Join(names, ", "), what, timeperiod.Span(snap))

	var sections []export.Section
	if format == "table" || format == "markdown" || format == "" {
		sections = []export.Section{res.cardSection()}
	} else {
		sections = []export.Section{res.mainSection()}
	}
	if res.WithNeighbours {
		sections = append(sections, res.neighbourSection())
	}
	if res.WithRegion {
		sections = append(sections, res.regionSection())
	}
	if res.Period {
		sections = append(sections, res.changeSection())
	}

	notes := cmdutil.MeasureNotes(calc, ms, years)
	notes = append(notes,
		"rank: position among all local authorities with a rate for the measure in that year, 1 = the highest rate; authorities with equal rates share the lowest rank (competition ranking: 1, 2, 2, 4); authorities whose count is suppressed or missing are not ranked and are not counted in ranked_of. A harmonised figure (a former authority summed from its successors) is not ranked.",
		"funnel: where the council's rate falls on a funnel plot around England's rate (Spiegelhalter 2005), against exact Poisson 95% and 99.8% limits for its population: \"within limits\" (inside the 95% limits), \"above 95% limit\" (above the 95% but not the 99.8% limit), \"above 99.8% limit\", and likewise below. Poisson limits assume councils differ only by chance; with counts this large almost every council falls outside them.",
	)
	for _, y := range res.Years {
		if y.ODErr == nil {
			notes = append(notes, fmt.Sprintf("funnel_od (%s %d): the same against limits widened for overdispersion (additive random effects, Spiegelhalter 2005; z-scores winsorised at their 10th and 90th percentiles, R type 7), worked on the %s and estimated from the %d councils a funnel plot shows (Isles of Scilly and City of London left out), the same estimate as `cscstats plot funnel --overdispersion`: phi = %.4g, tau^2 = %.4g (%s). Limits are never below zero. Use it to judge whether a council is unusual beyond the usual spread between councils.", y.Measure.ID, y.Year, y.OD.Scale.Describe(), y.OD.Units, y.OD.Phi, y.OD.Tau2, tau2Unit(y.OD.Scale)))
		} else {
			notes = append(notes, fmt.Sprintf("funnel_od (%s %d): not available: %v", y.Measure.ID, y.Year, y.ODErr))
		}
	}
	if res.WithNeighbours {
		notes = append(notes, "neighbours median and range: over the neighbours with a rate in the year (median as in R's default quantile, type 7).")
		for _, r := range res.Rows {
			var missing []string
			for _, n := range r.Neighbours {
				if !n.Rate.OK() {
					why := n.Rate.Note
					if why == "" {
						why = "no rate"
					}
					missing = append(missing, fmt.Sprintf("%s (%s)", n.Member.Name(), why))
				}
			}
			if len(missing) > 0 {
				notes = append(notes, fmt.Sprintf("%s %s %d: %d neighbour(s) without a figure: %s.", r.Council.Authority.Name, r.Measure.ID, r.Year, len(missing), strings.Join(missing, "; ")))
			}
		}
	}
	for _, r := range res.Rows {
		if r.Rate.Basis == rates.Harmonised {
			notes = append(notes, fmt.Sprintf("%s %s %d: %s.", r.Council.Authority.Name, r.Measure.ID, r.Year, r.Rate.Note))
		} else if !r.Rate.OK() {
			notes = append(notes, fmt.Sprintf("%s %s %d: no rate: %s.", r.Council.Authority.Name, r.Measure.ID, r.Year, r.Rate.Note))
		}
	}
	if res.Period {
		notes = append(notes, "Change: rate in the last year minus rate in the first. "+rates.ChangeTestNote+" A neighbours median change compares medians over the same neighbours in both years; it has a ratio but no test.")
	}
	notes = append(notes, extra...)
	return export.Document{Title: title, Sections: sections, Notes: notes}
}

// year returns the shared figures of a measure and year.
func (res *Result) year(measure string, year int) *Year {
	for _, y := range res.Years {
		if y.Measure.ID == measure && y.Year == year {
			return y
		}
	}
	return nil
}

// tau2Unit says what units τ² is in on a scale.
func tau2Unit(s funnel.Scale) string {
	switch s {
	case funnel.ScaleSqrt:
		return "on the square root of the rate per 10,000, squared"
	case funnel.ScaleLog:
		return "on the log of the rate, squared"
	}
	return "rate per 10,000, squared"
}
