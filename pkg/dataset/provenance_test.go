package dataset

import "testing"

func TestProvenanceString(t *testing.T) {
	for _, c := range []struct {
		p    Provenance
		want string
	}{
		{Provenance{File: "/data/ees/cin/c4.csv", Line: 12, Release: 2025}, "c4.csv:12 (release 2025)"},
		{Provenance{File: "SFR50_ADM2017.csv", Line: 3, Release: 2017, Note: "sum of two columns"}, "SFR50_ADM2017.csv:3 (release 2017); sum of two columns"},
		{Provenance{File: "x.csv", Line: -1, Release: 0}, "x.csv:-1 (release 0)"},
	} {
		if got := c.p.String(); got != c.want {
			t.Errorf("%+v: got %q, want %q", c.p, got, c.want)
		}
	}
}
