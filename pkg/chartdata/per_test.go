package chartdata

import (
	"math"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// A funnel of under1_starts per 10,000 children aged under 1 says so in
// its title, axes, notes and source, and centres on England's rate per
// baby: 5000 / 600000 * 10000 = 83.33 (testdata/ees/babies, 2022 starts
// over the mid-2021 estimate of children aged under 1). The same chart per
// 0-17 keeps the usual wording and centres on 5000 / 12000000 * 10000.
func TestFunnelPerUnder1Labels(t *testing.T) {
	c, err := rates.Load(testfiles.Fixture(t, "ees", "babies"))
	if err != nil {
		t.Fatal(err)
	}
	f, _, err := Funnel(c.Per(population.Under1), "under1_starts", 2022, Options{IncludeSmall: true})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(f.Target-5000.0/600000*10000) > 1e-9 {
		t.Errorf("England target %v, want 83.33", f.Target)
	}
	l := f.Labels
	for what, got := range map[string]string{"title": l.Title, "y label": l.YLabel, "subtitle": l.Subtitle} {
		if !strings.Contains(got, "per 10,000 children aged under 1") {
			t.Errorf("%s %q should name the under-1 denominator", what, got)
		}
	}
	if l.XLabel != "Children aged under 1 in the council (log scale)" || !strings.Contains(l.Source, "ONS mid-year estimates of children aged under 1, mid-2021") ||
		!strings.Contains(strings.Join(l.Notes, " "), "its population aged under 1") || !strings.Contains(l.Subtitle, "proxy for removals at birth") {
		t.Errorf("labels %+v", l)
	}
	f, _, err = Funnel(c, "under1_starts", 2022, Options{IncludeSmall: true})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(f.Target-5000.0/12000000*10000) > 1e-9 || f.Labels.YLabel != YLabel || !strings.Contains(f.Labels.Source, "children aged 0-17") {
		t.Errorf("per 0-17: target %v, labels %+v", f.Target, f.Labels)
	}
}
