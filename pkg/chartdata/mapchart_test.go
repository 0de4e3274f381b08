package chartdata

import (
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/geo"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

func boundaryLayer(t *testing.T) *geo.Layer {
	t.Helper()
	p := testfiles.SharedOther(t, "geo/Counties_and_Unitary_Authorities_December_2024_Boundaries_UK_BUC.geojson")
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := geo.ReadBoundaries(f, p)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Every council with a rate in a year has exactly one area on both maps,
// drawn from shapes no other council uses; the councils with none are
// reported, and they are only the three whose areas were redrawn in 2019.
func TestEveryCouncilWithARateHasOneShape(t *testing.T) {
	c := calc(t)
	hex, err := HexLayer()
	if err != nil {
		t.Fatal(err)
	}
	redrawn2019 := map[string]bool{}
	for _, layer := range []*geo.Layer{boundaryLayer(t), hex} {
		for _, m := range measures.Catalogue {
			for _, y := range c.Years(m.ID) {
				res, err := Map(c, layer, m.ID, y, Options{})
				if err != nil {
					t.Fatalf("%s %d: %v", m.ID, y, err)
				}
				areas := map[string]int{}
				shapeUse := map[string]int{}
				for _, a := range res.Chart.Areas {
					areas[a.Code]++
				}
				for _, parts := range res.ShapeOf {
					for _, p := range parts {
						shapeUse[p]++
					}
				}
				unmapped := map[string]bool{}
				for _, u := range res.Unmapped {
					unmapped[u.Code] = true
					if y < 2020 {
						redrawn2019[u.Code+" "+u.Name] = true
					} else {
						t.Errorf("%s %d: %s %s not mapped: %s", m.ID, y, u.Code, u.Name, u.Why)
					}
				}
				for _, r := range c.Authorities(m.ID, y) {
					if !r.OK() || !existed(c, r.Area.Code, y) {
						continue
					}
					code := r.Area.Code
					switch {
					case unmapped[code]:
						if areas[code] != 0 {
							t.Errorf("%s %d: %s is both mapped and reported unmapped", m.ID, y, code)
						}
					case areas[code] != 1:
						t.Errorf("%s %d: %s %s has %d areas, want exactly 1", m.ID, y, code, r.Area.Name, areas[code])
					}
					for _, p := range res.ShapeOf[code] {
						if shapeUse[p] != 1 {
							t.Errorf("%s %d: shape %s used by %d councils", m.ID, y, p, shapeUse[p])
						}
					}
				}
			}
		}
	}
	var got []string
	for k := range redrawn2019 {
		got = append(got, k)
	}
	sort.Strings(got)
	if strings.Join(got, "; ") != "E06000028 Bournemouth; E06000029 Poole; E10000009 Dorset (county, to 2019)" {
		t.Errorf("unmapped before 2020: %v", got)
	}
}

// quintile7 is the test's own type-7 quantile (R's default):
// h = (n-1)p, x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
func quintile7(v []float64, p float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	h := float64(len(s)-1) * p
	lo := math.Floor(h)
	if int(lo)+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[int(lo)] + (h-lo)*(s[int(lo)+1]-s[int(lo)])
}

// The classes: breaks are the rounded quintiles of the mapped councils'
// rates, every council is coloured by the class its rate falls in, and
// the legend counts match a count by hand.
func TestMapClassesAndLegend(t *testing.T) {
	c := calc(t)
	res, err := Map(c, boundaryLayer(t), "cla_31march", 2024, Options{Highlight: []string{"Leeds"}})
	if err != nil {
		t.Fatal(err)
	}
	var vals []float64
	for _, r := range c.Authorities("cla_31march", 2024) {
		if r.OK() && existed(c, r.Area.Code, 2024) {
			vals = append(vals, r.Value)
		}
	}
	ch := res.Chart
	for i, p := range []float64{0.2, 0.4, 0.6, 0.8} {
		want := math.Round(quintile7(vals, p)*10) / 10
		if ch.Breaks[i] != want {
			t.Errorf("break %d = %v, want %v", i, ch.Breaks[i], want)
		}
	}
	counts := make([]int, 5)
	for _, v := range vals {
		k := 0
		for k < 4 && v >= ch.Breaks[k] {
			k++
		}
		counts[k]++
	}
	legend := ch.LegendLines()
	for k, n := range counts {
		if !strings.HasSuffix(legend[k], "("+strconv.Itoa(n)+")") {
			t.Errorf("legend line %d %q, want a count of %d", k, legend[k], n)
		}
	}
	eng := c.Get("cla_31march", areaNamed(t, c, "England"), 2024)
	if !strings.Contains(strings.Join(ch.Labels.Notes, " ")+ch.Labels.Subtitle, "quintiles") || math.Abs(ch.England-eng.Value) > 1e-12 {
		t.Errorf("England %v, want %v; labels %+v", ch.England, eng.Value, ch.Labels)
	}
	// Isles of Scilly has no figure in 2024: hatched and named.
	if !strings.Contains(strings.Join(ch.Labels.Notes, " "), "Isles of Scilly") {
		t.Errorf("notes do not name the council without a figure: %v", ch.Labels.Notes)
	}
	// Northamptonshire in 2020 is drawn as North plus West Northamptonshire.
	res, err = Map(c, boundaryLayer(t), "s47", 2020, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.ShapeOf["E10000021"], "+"); got != "E06000061+E06000062" {
		t.Errorf("Northamptonshire 2020 drawn as %q", got)
	}
	dir := outDir(t)
	for _, f := range []string{"map.png", "map.svg", "map.pdf"} {
		if err := ch.Save(filepath.Join(dir, f), MapWidth, MapHeight); err != nil {
			t.Error(err)
		}
	}
}
