package report

import (
	"math"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/claims"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// funnelRecorder is a Charter that records the funnels asked for.
type funnelRecorder struct{ bands []population.Band }

func (f *funnelRecorder) NationalTrends(*rates.Calculator, []string) (Chart, error) {
	return Chart{}, nil
}
func (f *funnelRecorder) AreaTrends(*rates.Calculator, []string, rates.Area, int, int) (Chart, error) {
	return Chart{}, nil
}
func (f *funnelRecorder) Scatter(*rates.Calculator, claims.Claim) (Chart, error) { return Chart{}, nil }
func (f *funnelRecorder) Funnel(calc *rates.Calculator, measure string, year int) (Chart, error) {
	f.bands = append(f.bands, calc.Band())
	return Chart{Name: measure}, nil
}

// The babies section shows under1_starts with both denominators, checked
// by hand from testdata/ees/babies (2022 starts over mid-2021 estimates):
//
//	England    5000 / 12000000 * 10000 = 4.17 per 0-17;  5000 / 600000 * 10000 = 83.33 per under 1
//	Hartlepool   30 /    20000 * 10000 = 15             30 /    900 * 10000 = 333.33
//	Leeds        60 /   170000 * 10000 = 3.53           60 /   9000 * 10000 = 66.67
//
// Hartlepool ranks 1 and Leeds 2 both ways (Darlington is suppressed).
func TestBabiesBothDenominators(t *testing.T) {
	calc, err := rates.Load(testfiles.Fixture(t, "ees", "babies"))
	if err != nil {
		t.Fatal(err)
	}
	ch := &funnelRecorder{}
	blocks, err := BabiesBothDenominators(calc, ch)
	if err != nil {
		t.Fatal(err)
	}
	var tbl *Table
	var text []string
	for _, b := range blocks {
		if b.Table != nil {
			tbl = b.Table
		}
		text = append(text, b.Paragraph)
	}
	if tbl == nil || !strings.Contains(tbl.Caption, "per 10,000 children aged 0-17 and per 10,000 children aged under 1") {
		t.Fatalf("no table with both denominators: %+v", blocks)
	}
	if !strings.Contains(strings.Join(text, " "), "Of 2 councils ranked both ways, 0 move 10 or more places") {
		t.Errorf("paragraphs %q", text)
	}
	want := map[string][]float64{ // count, pop 0-17, rate, rank, pop under 1, rate, rank (rank -1: none)
		"England":    {5000, 12000000, 5000.0 / 12000000 * 10000, -1, 600000, 5000.0 / 600000 * 10000, -1},
		"North East": {400, 500000, 8, -1, 25000, 160, -1},
		"Hartlepool": {30, 20000, 15, 1, 900, 30.0 / 900 * 10000, 1},
		"Leeds":      {60, 170000, 60.0 / 170000 * 10000, 2, 9000, 60.0 / 9000 * 10000, 2},
	}
	seen := 0
	for _, row := range tbl.Data.Rows {
		w, ok := want[row[0].Text]
		if !ok {
			continue
		}
		seen++
		for i, cell := range row[1:] {
			if w[i] == -1 {
				if cell.IsNum {
					t.Errorf("%s column %s: %v, want empty", row[0].Text, tbl.Data.Columns[1+i].Name, cell.Number)
				}
				continue
			}
			if !cell.IsNum || math.Abs(cell.Number-w[i]) > 1e-9 {
				t.Errorf("%s column %s: %+v, want %v", row[0].Text, tbl.Data.Columns[1+i].Name, cell, w[i])
			}
		}
	}
	if seen != 4 {
		t.Errorf("rows found %d of 4", seen)
	}
	if len(ch.bands) != 1 || ch.bands[0] != population.Under1 {
		t.Errorf("funnels asked for %v, want one per baby", ch.bands)
	}
}
