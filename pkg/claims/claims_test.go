package claims

import (
	"math"
	"testing"

	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

func TestVerdictFor(t *testing.T) {
	cases := []struct {
		computed, stated float64
		dp               int
		want             string
	}{
		{96.54, 96.5, 1, Reproduced}, // rounds to 96.5
		{96.45, 96.5, 1, Reproduced}, // rounds to 96.5 (boundary)
		{96.64, 96.5, 1, Close},      // 0.14 off, within 5%
		{101.4, 96.5, 1, Differs},    // 4.9/96.5 = 5.08%: beyond 5%
		{168.64, 164.4, 1, Close},    // 4.24/164.4 = 2.6%
		{5.8, 24, 0, Differs},
		{math.NaN(), 24, 0, Differs},
	}
	for _, c := range cases {
		if got := verdictFor(c.computed, c.stated, c.dp); got != c.want {
			t.Errorf("verdictFor(%v, %v, %d) = %s, want %s", c.computed, c.stated, c.dp, got, c.want)
		}
	}
}

func TestLoadClaims(t *testing.T) {
	f, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Claims) < 12 {
		t.Fatalf("want at least the 12 Leeds/England footnote figures, got %d claims", len(f.Claims))
	}
	seen := map[string]bool{}
	for _, c := range f.Claims {
		if seen[c.ID] {
			t.Errorf("duplicate claim id %s", c.ID)
		}
		seen[c.ID] = true
		if c.Text == "" || c.Where == "" {
			t.Errorf("claim %s lacks text or location", c.ID)
		}
	}
}

func TestEvaluateRateClaimsOnRealData(t *testing.T) {
	calc, err := rates.Load(testfiles.SharedEES(t))
	if err != nil {
		t.Fatal(err)
	}
	f, _ := Load()
	byID := map[string]Claim{}
	for _, c := range f.Claims {
		byID[c.ID] = c
	}
	// By hand from the CSV rows:
	// c4 2013 Leeds ICPC 1513; ONS Leeds 0-17 mid-2012 156568.
	// c4 2021 England Section47 198790; ONS England 0-17 mid-2020 11787794.
	// d5 2014 England CPP_At31 48300; 2017 51080.
	want := map[string]struct {
		value   float64
		verdict string
	}{
		"leeds-icpc-2013":            {1513.0 / 156568 * 1e4, Close},             // 96.64 against 96.5
		"england-s47-2021":           {198790.0 / 11787794 * 1e4, Close},         // 168.64 against 164.4 (2.6%)
		"england-cpp-rise-2014-2017": {(51080.0 - 48300) / 48300 * 100, Differs}, // 5.8% against 24%
	}
	for id, w := range want {
		r, err := EvaluateRate(calc, byID[id])
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(r.Computed-w.value) > 1e-9 || r.Verdict != w.verdict {
			t.Errorf("%s: computed %v (%s), want %v (%s)", id, r.Computed, r.Verdict, w.value, w.verdict)
		}
		if r.Verdict != Reproduced && r.Explanation == "" {
			t.Errorf("%s: a difference needs an explanation", id)
		}
	}
}
