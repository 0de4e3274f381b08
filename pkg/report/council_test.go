package report

import (
	"math"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/charts"
	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/funnel"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/rates"
)

func rate(v float64) rates.Rate {
	return rates.Rate{Count: ees.Num(v), Value: v, Population: 10000}
}

func fig(t *testing.T, id string, year int, v, england float64, verdict funnel.Verdict, rank, of int) CouncilFigure {
	t.Helper()
	m, err := measures.Lookup(id)
	if err != nil {
		t.Fatal(err)
	}
	return CouncilFigure{Measure: m, Year: year, Rate: rate(v), England: rate(england), Verdict: verdict, VerdictOK: true, Rank: rank, RankedOf: of}
}

// Headlines: a tally, then the differences strongest first; "far" only
// beyond 99.8%; no sentence from a figure without a rate or a verdict.
func TestHeadlines(t *testing.T) {
	missing := fig(t, "s47", 2025, 0, 189.3, funnel.Within, 0, 152)
	missing.Rate = rates.Rate{Count: ees.Missing(ees.Suppressed), Value: math.NaN()}
	noVerdict := fig(t, "icpc", 2025, 80, 59.2, funnel.Within, 30, 152)
	noVerdict.VerdictOK = false
	figs := []CouncilFigure{
		fig(t, "cla_31march", 2025, 183.6, 67.1, funnel.Above998, 1, 151),
		fig(t, "under1_starts", 2022, 21.2, 4.6, funnel.Above95, 3, 148),
		fig(t, "cpp_31march", 2025, 30.0, 40.6, funnel.Below95, 145, 151),
		fig(t, "referrals", 2025, 500, 519.4, funnel.Within, 80, 153),
		missing, noVerdict,
	}
	got := Headlines("Blackpool", figs)
	want := []string{
		"Of the 4 measures with a rate to compare with England's, Blackpool's rate was higher than expected for a council of its size on 2, within the expected range on 1 and lower than expected on 1 (in the latest year of each).",
		"Blackpool's rate of children starting care aged under 1 (proxy for removals at birth) in 2022 was higher than expected for a council of its size: 21.2 per 10,000 children, 4.6 times England's 4.6; the 3rd highest of 148 councils.",
		"Blackpool's rate of children looked after at 31 March in 2025 was far higher than expected for a council of its size: 183.6 per 10,000 children, 2.7 times England's 67.1; the highest of 151 councils.",
		"Blackpool's rate of child protection plans at 31 March in 2025 was lower than expected for a council of its size: 30.0 per 10,000 children, 26% below England's 40.6; the 7th lowest of 151 councils.",
		"Blackpool's rate of referrals to children's social care in 2025 was 500.0 per 10,000 children, 4% below England's 519.4: within the range expected for a council of its size.",
	}
	// Scores: far (2) + |ln 2.74| = 3.0; 1 + |ln 4.61| = 2.5; 1 + |ln 0.74| = 1.3.
	want[1], want[2] = want[2], want[1]
	if strings.Join(got, "\n") != strings.Join(want[:4], "\n") {
		t.Errorf("headlines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want[:4], "\n"))
	}
	// With no difference, the measures furthest from England fill in.
	got = Headlines("Leeds", []CouncilFigure{figs[3], fig(t, "sgo", 2024, 1.8, 3.2, funnel.Within, 120, 138)})
	if len(got) != 3 || got[2] != strings.Replace(want[4], "Blackpool", "Leeds", 1) || !strings.Contains(got[1], "special guardianship orders from care in 2024 was 1.8 per 10,000 children, less than two-thirds of England's 3.2 (44% below): within") || !strings.Contains(got[0], "within the expected range on both") {
		t.Errorf("headlines without differences:\n%s", strings.Join(got, "\n"))
	}
	if got := Headlines("Nowhere", []CouncilFigure{missing}); len(got) != 1 || !strings.Contains(got[0], "no published rate") {
		t.Errorf("no-rate headline %q", got)
	}
}

func TestRankPhraseAndRatio(t *testing.T) {
	for _, c := range []struct {
		rank, of int
		want     string
	}{{1, 152, "the highest of 152 councils"}, {2, 152, "the 2nd highest of 152 councils"}, {11, 152, ""},
		{152, 152, "the lowest of 152 councils"}, {143, 152, "the 10th lowest of 152 councils"}, {0, 152, ""}} {
		if got := rankPhrase(c.rank, c.of); got != c.want {
			t.Errorf("rankPhrase(%d, %d) = %q, want %q", c.rank, c.of, got, c.want)
		}
	}
	for _, c := range []struct {
		v, e float64
		want string
	}{{21.2, 4.6, "4.6 times England's 4.6"}, {60, 50, "20% above England's 50.0"}, {40, 50, "20% below England's 50.0"}, {20, 50, "less than two-thirds of England's 50.0 (60% below)"}} {
		if got := Ratio(c.v, c.e, "50.0"); c.e == 50 && got != c.want {
			t.Errorf("Ratio(%v, %v) = %q, want %q", c.v, c.e, got, c.want)
		}
	}
}

// The spine's scale puts England in the middle and the council furthest
// from England at an end.
func TestSpineX(t *testing.T) {
	for _, c := range []struct{ v, e, lo, hi, want float64 }{
		{50, 50, 10, 200, 0.5}, {200, 50, 10, 200, 1}, {10, 50, 10, 200, 0.5 - 40.0/300}, {0, 50, 0, 60, 0}, {60, 50, 0, 60, 0.6},
	} {
		if got := charts.SpineX(c.v, c.e, c.lo, c.hi); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("SpineX(%v, %v, %v, %v) = %v, want %v", c.v, c.e, c.lo, c.hi, got, c.want)
		}
	}
}
