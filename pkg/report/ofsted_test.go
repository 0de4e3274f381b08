package report

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/ofsted"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/spec"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// tCrit are two-sided 95% Student t critical values, t(df, 0.975), from
// published tables (e.g. Lindley & Scott, New Cambridge Statistical
// Tables, table 10), for the group sizes that occur here.
var tCrit = map[int]float64{
	5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145,
	15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064,
	25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045, 30: 2.042,
}

// TestOfstedSectionIndependent recomputes every figure of the Ofsted
// section: groups from the test's plain reading of Ofsted's sheet, the
// paired changes from pkg/spec (tested on its own against the CSVs), and
// the means, t intervals, Pearson r and Fisher intervals by the formulas
// written out here.
func TestOfstedSectionIndependent(t *testing.T) {
	calc, err := rates.Load(testfiles.SharedEES(t))
	if err != nil {
		t.Fatal(err)
	}
	plain := testfiles.PlainOfstedHistory(t)
	o, err := ofsted.Read(testfiles.SharedOther(t, testfiles.OfstedODS))
	if err != nil {
		t.Fatal(err)
	}
	sec, err := OfstedSection(calc, ofsted.Join(o, calc.Registry))
	if err != nil {
		t.Fatal(err)
	}
	var corr, means *export.Section
	var text []string
	for _, b := range sec.Blocks {
		switch {
		case b.Table != nil && b.Table.Name == "ofsted_correlations":
			corr = &b.Table.Data
		case b.Table != nil && b.Table.Name == "ofsted_changes":
			means = &b.Table.Data
		case b.Paragraph != "":
			text = append(text, b.Paragraph)
		}
	}
	if corr == nil || means == nil {
		t.Fatal("the section lacks its tables")
	}
	all := strings.Join(text, " ")
	for _, must := range []string{OfstedRecommendation, "not a cause", "not evidence about individual children", "in force at the start"} {
		if !strings.Contains(all, must) {
			t.Errorf("the section does not say %q", must)
		}
	}
	type group struct{ x, y []float64 }
	checked := 0
	for i, row := range corr.Rows {
		measure, years, g := row[0].Text, row[1].Text, row[2].Text
		var from, to int
		if _, err := fmtSscanf(years, &from, &to); err != nil {
			t.Fatal(err)
		}
		p, err := spec.Pair(calc, spec.Spec{Measure: "adoptions", Stat: spec.Change, From: from, To: to}, spec.Spec{Measure: measure, Stat: spec.Change, From: from, To: to}, nil, spec.Options{})
		if err != nil {
			t.Fatal(err)
		}
		start := years[:4] + "-03-31"
		var gr group
		for _, r := range p.Rows {
			best, date := "", ""
			for _, in := range plain {
				if calc.Registry.Canonical(in.Code) == r.Unit.Code && in.Date <= start && in.Date > date {
					best, date = in.Overall, in.Date
				}
			}
			var mine []string
			switch best {
			case "Outstanding", "Good":
				mine = []string{best, "Good or outstanding"}
			case "Requires improvement to be good":
				mine = []string{"Requires improvement", "Requires improvement or inadequate"}
			case "Inadequate":
				mine = []string{best, "Requires improvement or inadequate"}
			default:
				mine = []string{"Not yet inspected under ILACS"}
			}
			for _, m := range mine {
				if m == g {
					gr.x = append(gr.x, r.Values[0])
					gr.y = append(gr.y, r.Values[1])
				}
			}
		}
		n := len(gr.x)
		if int(row[3].Number) != n {
			t.Errorf("%s %s %s: n = %v, hand count %d", measure, years, g, row[3].Number, n)
			continue
		}
		// Pearson r = Sxy / sqrt(Sxx Syy); Fisher interval tanh(atanh r ± 1.959964/sqrt(n-3)).
		mx, my := mean(gr.x), mean(gr.y)
		var sxy, sxx, syy float64
		for k := range gr.x {
			sxy += (gr.x[k] - mx) * (gr.y[k] - my)
			sxx += (gr.x[k] - mx) * (gr.x[k] - mx)
			syy += (gr.y[k] - my) * (gr.y[k] - my)
		}
		r := sxy / math.Sqrt(sxx*syy)
		lo, hi := math.Tanh(math.Atanh(r)-1.959964/math.Sqrt(float64(n-3))), math.Tanh(math.Atanh(r)+1.959964/math.Sqrt(float64(n-3)))
		if math.Abs(row[4].Number-r) > 1e-9 || math.Abs(row[5].Number-lo) > 1e-5 || math.Abs(row[6].Number-hi) > 1e-5 {
			t.Errorf("%s %s %s: r %v (%v, %v), by hand %v (%v, %v)", measure, years, g, row[4].Number, row[5].Number, row[6].Number, r, lo, hi)
		}
		// The same group's means: mean ± t(n-1) · sd/√n.
		m := means.Rows[i]
		if m[2].Text != g || int(m[3].Number) != n {
			t.Fatalf("tables out of step at row %d", i)
		}
		sd := math.Sqrt(syy / float64(n-1))
		tc, ok := tCrit[n-1]
		if math.Abs(m[7].Number-my) > 1e-9 {
			t.Errorf("%s %s %s: mean change %v, by hand %v", measure, years, g, m[7].Number, my)
		}
		if ok && (math.Abs(m[8].Number-(my-tc*sd/math.Sqrt(float64(n)))) > 2e-3*sd || math.Abs(m[9].Number-(my+tc*sd/math.Sqrt(float64(n)))) > 2e-3*sd) {
			t.Errorf("%s %s %s: interval %v to %v, by hand %v ± %v", measure, years, g, m[8].Number, m[9].Number, my, tc*sd/math.Sqrt(float64(n)))
		}
		checked++
	}
	if checked < 10 {
		t.Errorf("only %d rows checked", checked)
	}
	var ms []string
	for _, row := range corr.Rows {
		ms = append(ms, row[0].Text+" "+row[1].Text)
	}
	sort.Strings(ms)
	t.Logf("pairs: %v", ms)
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func fmtSscanf(s string, from, to *int) (int, error) { return fmt.Sscanf(s, "%d-%d", from, to) }
