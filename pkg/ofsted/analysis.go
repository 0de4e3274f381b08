package ofsted

import (
	"sort"
	"time"

	"github.com/cscstats/cscstats/pkg/spec"
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
