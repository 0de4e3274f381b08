package ofsted

import (
	"sort"
	"time"

	"github.com/cscstats/cscstats/pkg/spec"
	"github.com/cscstats/cscstats/pkg/stats"
)

// GroupRows splits a table's councils (units) by group, in GroupOrder;
// groups with no council are left out. A harmonised unit (a former county
// standing for its successors) is grouped by its own judgements.
func (j *Judgements) GroupRows(t *spec.Table, w When, start time.Time) ([]string, map[string][]spec.Row) {
	by := map[string][]spec.Row{}
	for _, r := range t.Rows {
		g, _ := j.Group(r.Unit.Code, w, start)
		by[g] = append(by[g], r)
	}
	var order []string
	for _, g := range GroupOrder {
		if len(by[g]) > 0 {
			order = append(order, g)
		}
	}
	return order, by
}

// Column returns value i of each row.
func Column(rows []spec.Row, i int) []float64 {
	out := make([]float64, len(rows))
	for k, r := range rows {
		out[k] = r.Values[i]
	}
	return out
}

// CombinedRows merges groups into GoodOrBetter and LowGroup (councils not
// yet inspected are in neither).
func CombinedRows(by map[string][]spec.Row) ([]string, map[string][]spec.Row) {
	out := map[string][]spec.Row{}
	for g, rows := range by {
		if c := Combined(g); c != "" {
			out[c] = append(out[c], rows...)
		}
	}
	var order []string
	for _, rows := range out {
		sort.Slice(rows, func(a, b int) bool { return rows[a].Unit.Name < rows[b].Unit.Name })
	}
	for _, g := range []string{GoodOrBetter, LowGroup} {
		if len(out[g]) > 0 {
			order = append(order, g)
		}
	}
	return order, out
}

// GroupStats summarises one group of a table's councils.
type GroupStats struct {
	Group string
	N     int
	// Means holds each column's mean with its 95% t interval.
	Means []MeanCI
	// Corr is the correlation between columns 0 and 1 across the group's
	// councils, with its 95% interval; nil when it cannot be computed
	// (fewer than 3 councils, or no variation), with the reason in CorrErr.
	Corr    *stats.Correlation
	CorrErr error
}

// Summarise describes each group: the mean of every column with a 95%
// interval and, when the table has two or more columns, the correlation
// (method: stats.MethodPearson, MethodSpearman or MethodKendall) of the
// first two.
func Summarise(order []string, by map[string][]spec.Row, method string) []GroupStats {
	var out []GroupStats
	for _, g := range order {
		rows := by[g]
		gs := GroupStats{Group: g, N: len(rows)}
		if len(rows) == 0 {
			continue
		}
		for i := range rows[0].Values {
			gs.Means = append(gs.Means, Mean(Column(rows, i), 0.95))
		}
		if len(rows[0].Values) >= 2 {
			x, y := Column(rows, 0), Column(rows, 1)
			var c stats.Correlation
			var err error
			switch method {
			case stats.MethodSpearman:
				c, err = stats.Spearman(x, y, 0.95)
			case stats.MethodKendall:
				c, err = stats.Kendall(x, y, 0.95)
			default:
				c, err = stats.Pearson(x, y, nil, 0.95)
			}
			if err != nil {
				gs.CorrErr = err
			} else {
				gs.Corr = &c
			}
		}
		out = append(out, gs)
	}
	return out
}
