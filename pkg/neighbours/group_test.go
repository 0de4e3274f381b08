package neighbours

import (
	"errors"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/rates"
)

func TestGroupFor(t *testing.T) {
	ch, err := la.DefaultChanges()
	if err != nil {
		t.Fatal(err)
	}
	seen := func(old, code, name string) la.Sighting {
		return la.Sighting{Year: 2024, Geo: ees.Geography{Level: "Local authority", OldLACode: old, NewLACode: code, LAName: name}}
	}
	reg := la.New([]la.Sighting{
		seen("383", "E08000035", "Leeds"), seen("851", "E06000044", "Portsmouth"), seen("882", "E06000033", "Southend-on-Sea"),
		seen("373", "E08000039", "Sheffield"), seen("928", "E10000021", "Northamptonshire"), seen("380", "E08000032", "Bradford"),
	}, ch)
	s25, err := Parse(strings.NewReader(sample2025), "sn_model_2025_wide.csv")
	if err != nil {
		t.Fatal(err)
	}
	s21, err := Parse(strings.NewReader(sample2021), "groupings_2021.csv")
	if err != nil {
		t.Fatal(err)
	}
	sets := Sets{s25, s21}
	leeds, _ := reg.Get("383")
	g, err := sets.For(reg, leeds)
	if err != nil {
		t.Fatal(err)
	}
	if g.Set != s25 || g.Fallback || len(g.Members) != 10 {
		t.Fatalf("Leeds group from %s, fallback %v, %d members", g.Set.File, g.Fallback, len(g.Members))
	}
	if g.Members[0].Name() != "Portsmouth" || g.Members[0].Authority.Code != "E06000044" || g.Members[2].Name() != "Sheffield" {
		t.Errorf("members %v %v", g.Members[0], g.Members[2])
	}
	// 826, 382, 355, 801, 852 and 306 are not in this small registry; 839
	// (BCP) is, from the boundary-change table.
	if strings.Join(g.Unknown, ",") != "826,382,355,801,852,306" || g.Members[9].Name() != "Bournemouth, Christchurch and Poole" || g.Members[3].Name() != "unknown authority 826" {
		t.Errorf("unknown %v", g.Unknown)
	}
	if !strings.Contains(g.Source(), "Leeds (383): 10 statistical neighbours from sn_model_2025_wide.csv") {
		t.Errorf("source %q", g.Source())
	}
	nh, _ := reg.Get("928")
	g, err = sets.For(reg, nh)
	if err != nil || !g.Fallback || g.Set != s21 || !g.Entry.Former || !strings.Contains(g.Source(), "Old SNs") {
		t.Errorf("Northamptonshire: %+v %v", g, err)
	}
	bradford, _ := reg.Get("380")
	_, err = sets.For(reg, bradford)
	var nn *NoNeighboursError
	if !errors.As(err, &nn) || !strings.Contains(err.Error(), "Bradford (380) has no row") {
		t.Errorf("Bradford: %v", err)
	}
	_, err = Sets(nil).For(reg, bradford)
	if !errors.As(err, &nn) || !strings.Contains(err.Error(), "no statistical neighbour file found") {
		t.Errorf("no files: %v", err)
	}
}

// TestRealCodesMap checks that every code in the real 2025 model maps to a
// current authority of the registry built from the real files, and every
// code in the 2021 groupings to some authority (current or former).
func TestRealCodesMap(t *testing.T) {
	dir := realDir(t)
	calc, err := rates.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	sets, err := Find(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sets {
		for _, e := range s.Entries() {
			codes := []string{e.OldCode}
			for _, n := range e.Neighbours {
				codes = append(codes, n.OldCode)
			}
			for _, c := range codes {
				a, ok := calc.Registry.Get(c)
				switch {
				case !ok:
					t.Errorf("%s: code %s (in %s's row) is not in the registry", s.File, c, e.Name)
				case s.Year == 2025 && !a.Current():
					t.Errorf("%s: code %s (%s) is a former authority", s.File, c, a.Name)
				}
			}
		}
	}
}
