package cmdutil

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
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
	if want := "1 area with counts has no population estimate (children aged 0-17, latest vintage) for some reporting years, so those rates are left out, never estimated: Bournemouth (E06000028) lacks a denominator for 2019 (population estimates for mid-2018): a council since replaced in a boundary change, for which the population file has no estimates for those years. Run `cscstats fetch population`"; !strings.HasPrefix(w, want) {
		t.Errorf("0-17:\n got %s\nwant %s", w, want)
	}
	w = DenominatorWarning(calc.Per(population.Under5))
	if !strings.Contains(w, ": England (E92000001), Bournemouth (E06000028) and Hartlepool (E06000001) lack a denominator for 2019 (population estimates for mid-2018).") {
		t.Errorf("under 5: %s", w)
	}
	if got := terminalSafe("Bad\x1b[31mname\u009b"); got != "Bad[31mname" {
		t.Errorf("terminalSafe: %q", got)
	}
}

// Grouping: areas lacking the same years form one group; a level with
// more than MaxNamedAreas areas is counted, not listed.
func TestDescribeAreas(t *testing.T) {
	var as []rates.Area
	as = append(as, rates.England())
	for i := 0; i < 9; i++ {
		as = append(as, rates.Area{Level: rates.Regional, Code: fmt.Sprintf("E1200000%d", i+1), Name: fmt.Sprintf("R%d", i+1)})
	}
	as = append(as, rates.Area{Level: rates.LocalAuthority, Code: "E06000001", Name: "Hartlepool"})
	if got, want := describeAreas(as), "England, 9 regions and Hartlepool (E06000001)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := describeAreas(as[:2]), "England (E92000001) and R1 (E12000001)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// On the long series (../shared/ees with ../shared/ees-archive) the
// latest vintage has no estimates before mid-2012, so almost every area
// lacks 2010-2012: the warning counts them in one group instead of
// listing 164 areas, names the small groups, and the counts add up to the
// areas MissingDenominators finds.
func TestDenominatorWarningLongSeries(t *testing.T) {
	calc, err := rates.Load(testfiles.LongSeriesDir(t))
	if err != nil {
		t.Fatal(err)
	}
	gaps := calc.MissingDenominators()
	w := DenominatorWarning(calc)
	if len(w) > 1200 {
		t.Errorf("warning is %d characters: %s", len(w), w)
	}
	m := regexp.MustCompile(`England, (\d+) regions and (\d+) councils lack a denominator for 2010-2012 \(population estimates for mid-2009 to mid-2011\)`).FindStringSubmatch(w)
	if m == nil {
		t.Fatalf("no England/regions/councils group for 2010-2012: %s", w)
	}
	named := strings.Count(w, " (E")
	regions, _ := strconv.Atoi(m[1])
	councils, _ := strconv.Atoi(m[2])
	if got := 1 + regions + councils + named; got != len(gaps) {
		t.Errorf("England + %d regions + %d councils + %d named = %d, want the %d areas without a denominator", regions, councils, named, got, len(gaps))
	}
	if !strings.HasPrefix(w, fmt.Sprintf("%d areas with counts", len(gaps))) {
		t.Errorf("warning should start with the number of areas: %s", w)
	}
	// Bournemouth, Dorset and Poole before the 2019 merger: no estimate
	// on their old boundaries in today's ONS file.
	if !strings.Contains(w, "Bournemouth (E06000028), Dorset (county, to 2019) (E10000009) and Poole (E06000029) lack a denominator for 2010-2019 (population estimates for mid-2009 to mid-2018): councils since replaced in boundary changes, for which the population file has no estimates for those years") {
		t.Errorf("old Dorset councils not named: %s", w)
	}
	if !strings.Contains(w, "cscstats fetch population") {
		t.Errorf("no fix given: %s", w)
	}
}
