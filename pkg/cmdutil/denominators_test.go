package cmdutil

import (
	"math"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

func TestDfEDenominatorNote(t *testing.T) {
	rs := []rates.Rate{
		{Area: rates.Area{Name: "Cumbria"}, Year: 2023, Value: 5, PopFrom: dataset.DfE},
		{Area: rates.Area{Name: "Leeds"}, Year: 2023, Value: 5, PopFrom: dataset.ONS},
		{Area: rates.Area{Name: "Poole"}, Year: 2019, Value: math.NaN(), PopFrom: dataset.DfE}, // no rate: not counted
	}
	if got, want := DfEDenominatorNote(rs), "1 row divides by DfE's own published population (population_estimate in its CLA file), as the ONS estimates have none for that area and mid-year: Cumbria 2023."; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := DfEDenominatorNote(rs[1:]); got != "" {
		t.Errorf("no DfE rows: %q", got)
	}
}

// The warning names the areas without a denominator in the calculator's
// band, with their years (testdata/ees/babies: Bournemouth 2019 per 0-17;
// per under 5 also England and Hartlepool 2019), and strips control
// characters from names.
func TestDenominatorWarning(t *testing.T) {
	calc, err := rates.Load(testfiles.Fixture(t, "ees", "babies"))
	if err != nil {
		t.Fatal(err)
	}
	w := DenominatorWarning(calc)
	if !strings.HasPrefix(w, "1 area(s) have counts but no population estimate (children aged 0-17)") || !strings.Contains(w, "Bournemouth (E06000028) 2019.") {
		t.Errorf("0-17: %s", w)
	}
	w = DenominatorWarning(calc.Per(population.Under5))
	if !strings.Contains(w, ": England (E92000001) 2019; Bournemouth (E06000028) 2019; Hartlepool (E06000001) 2019.") {
		t.Errorf("under 5: %s", w)
	}
	if got := terminalSafe("Bad\x1b[31mname\u009b"); got != "Bad[31mname" {
		t.Errorf("terminalSafe: %q", got)
	}
}
