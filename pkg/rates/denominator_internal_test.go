package rates

import (
	"testing"

	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// The table of denominators by area rank and year gives what the
// population table gives, for every area, year, vintage and band, and
// years outside the table and unknown ranks fall back to it.
func TestDenominatorTableIsForVintage(t *testing.T) {
	for name, dir := range map[string]func(*testing.T) string{
		"fixture": func(t *testing.T) string { return testfiles.Fixture(t, "ees", "babies") },
		"shared":  func(t *testing.T) string { return testfiles.SharedEES(t) },
	} {
		t.Run(name, func(t *testing.T) {
			base, err := Load(dir(t))
			if err != nil {
				t.Fatal(err)
			}
			checked := 0
			for _, v := range []population.Vintage{population.Latest, population.AsPublished} {
				for _, b := range []population.Band{population.Children, population.Under1, population.Under5} {
					c := base.WithVintage(v).Per(b)
					for rank, code := range c.rankCodes {
						if code == "" {
							continue
						}
						for y := 2005; y <= 2030; y++ {
							e, ok, why := c.denominator(code, y, rank)
							we, wok, wwhy := c.Pop.ForVintage(v, code, y, b)
							if e != we || ok != wok || why != wwhy {
								t.Fatalf("%s %s %s %d: table gives (%+v, %v, %q), ForVintage (%+v, %v, %q)", v, b, code, y, e, ok, why, we, wok, wwhy)
							}
							checked++
						}
					}
					if e, ok, _ := c.denominator("E08000035", 2024, -1); ok {
						if we, _, _ := c.Pop.ForVintage(v, "E08000035", 2024, b); e != we {
							t.Errorf("rank -1: %+v, want %+v", e, we)
						}
					}
				}
			}
			if checked == 0 {
				t.Fatal("no area checked")
			}
		})
	}
}

// MissingDenominators reads ranked areas' denominators from the table;
// it finds the same gaps as asking the population table for every
// figure of the index, and its walk by year and rank covers the index.
func TestMissingDenominatorsWalkCoversIndex(t *testing.T) {
	for name, dir := range map[string]func(*testing.T) string{
		"fixture": func(t *testing.T) string { return testfiles.Fixture(t, "ees", "babies") },
		"shared":  func(t *testing.T) string { return testfiles.SharedEES(t) },
		"long":    func(t *testing.T) string { return testfiles.LongSeriesDir(t) },
	} {
		t.Run(name, func(t *testing.T) {
			base, err := Load(dir(t))
			if err != nil {
				t.Fatal(err)
			}
			for id, idx := range base.index {
				n := 0
				for _, rows := range base.areas[id] {
					n += len(rows)
				}
				for k := range idx {
					if k.level == National {
						n++
					}
				}
				if n != len(idx) {
					t.Errorf("%s: the walk by year and rank covers %d of the index's %d figures", id, n, len(idx))
				}
			}
			for _, v := range []population.Vintage{population.Latest, population.AsPublished} {
				for _, b := range []population.Band{population.Children, population.Under1} {
					c := base.WithVintage(v).Per(b)
					want := map[string]map[int]bool{} // area code -> years lacking a denominator
					for _, idx := range c.index {
						for k, o := range idx {
							if _, ok, _ := c.Pop.ForVintage(v, k.code, k.year, b); o.Count.OK() && !ok {
								if want[k.code] == nil {
									want[k.code] = map[int]bool{}
								}
								want[k.code][k.year] = true
							}
						}
					}
					got := c.MissingDenominators()
					if len(got) != len(want) {
						t.Fatalf("%s %s: %d areas lack a denominator, want %d", v, b, len(got), len(want))
					}
					for _, g := range got {
						if len(g.Years) != len(want[g.Area.Code]) {
							t.Errorf("%s %s %s: years %v, want %v", v, b, g.Area.Code, g.Years, want[g.Area.Code])
						}
						for _, y := range g.Years {
							if !want[g.Area.Code][y] {
								t.Errorf("%s %s %s: %d is not missing", v, b, g.Area.Code, y)
							}
						}
					}
				}
			}
		})
	}
}
