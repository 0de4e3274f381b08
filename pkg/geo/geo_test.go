package geo

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/data"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// OS's worked example (A guide to coordinate systems in Great Britain,
// Annex C.1): 52°39'27.2531"N 1°43'4.5177"E is E 651409.903, N 313177.270.
func TestBNGOrdnanceSurveyExample(t *testing.T) {
	lat := 52 + 39.0/60 + 27.2531/3600
	lon := 1 + 43.0/60 + 4.5177/3600
	e, n := BNG(lon, lat)
	if math.Abs(e-651409.903) > 0.01 || math.Abs(n-313177.270) > 0.01 {
		t.Errorf("BNG = %.3f, %.3f; want 651409.903, 313177.270", e, n)
	}
}

const boundaries = "geo/Counties_and_Unitary_Authorities_December_2024_Boundaries_UK_BUC.geojson"

// The ONS file gives each authority's centroid both as LONG/LAT (WGS84)
// and as BNG_E/BNG_N (ONS's own transformation, with the datum shift).
// Without the datum shift our projection is within 200 m of theirs.
func TestBNGAgainstONSCentroids(t *testing.T) {
	p := testfiles.SharedOther(t, boundaries)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Features []struct {
			Properties struct {
				Code     string  `json:"CTYUA24CD"`
				E        float64 `json:"BNG_E"`
				North    float64 `json:"BNG_N"`
				Long     float64 `json:"LONG"`
				Latitude float64 `json:"LAT"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range g.Features {
		pr := f.Properties
		if !strings.HasPrefix(pr.Code, "E") {
			continue
		}
		n++
		e, no := BNG(pr.Long, pr.Latitude)
		if d := math.Hypot(e-pr.E, no-pr.North); d > 200 {
			t.Errorf("%s: BNG(%v, %v) = %.0f, %.0f; ONS gives %.0f, %.0f (%.0f m apart)", pr.Code, pr.Long, pr.Latitude, e, no, pr.E, pr.North, d)
		}
	}
	if n != 153 {
		t.Errorf("%d English features, want 153", n)
	}
}

func TestReadBoundaries(t *testing.T) {
	p := testfiles.SharedOther(t, boundaries)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := ReadBoundaries(f, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Shapes) != 153 {
		t.Errorf("%d shapes, want 153", len(l.Shapes))
	}
	leeds, ok := l.Shape("E08000035")
	if !ok || leeds.Name != "Leeds" {
		t.Fatalf("Leeds = %+v", leeds.Name)
	}
	// Leeds lies around E 430000, N 435000 (its ONS centroid).
	min, max := leeds.Bounds()
	if !(min.X < 430000 && max.X > 430000 && min.Y < 435000 && max.Y > 435000) {
		t.Errorf("Leeds bounds %v-%v do not contain its centroid", min, max)
	}
	// Found by content, whatever its name.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(`{"files":[]}`), 0o644)
	os.Symlink(p, filepath.Join(dir, "x.geojson"))
	if l, err := FindBoundaries(dir); err != nil || len(l.Shapes) != 153 {
		t.Errorf("FindBoundaries: %v", err)
	}
	var nf *NotFoundError
	if _, err := FindBoundaries(t.TempDir()); !errors.As(err, &nf) {
		t.Errorf("empty dir: %v", err)
	}
}

func TestReadBoundariesErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"type":"FeatureCollection","features":[{"properties":{"CTYUA24CD":"E06000001"},"geometry":{"type":"Point","coordinates":[0,0]}}]}`, "feature 0 (E06000001): geometry type"},
		{`{"type":"FeatureCollection","features":[{"properties":{"CTYUA24CD":"E06000001"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}}]}`, "a ring of 3 points"},
		{`{"type":"FeatureCollection","features":[{"properties":{"CTYUA24CD":"E06000001"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,95],[0,0]]]}}]}`, "not a WGS84"},
		{`{"type":"FeatureCollection","features":[{"properties":{"LAD24CD":"E06000001"},"geometry":null}]}`, "not an ONS Counties"},
		{`{"type":"FeatureCollection","features":[{"properties":{"CTYUA24CD":"E0600"},"geometry":null}]}`, "not a 9-character"},
		{`[1,2`, "not valid GeoJSON"},
	} {
		_, err := ReadBoundaries(strings.NewReader(c.in), "b.geojson")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.in, err, c.want)
		}
	}
}

func TestHexLayout(t *testing.T) {
	l, err := ReadHexJSON(data.HexMap, "england-upper-tier-2024.hexjson")
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Shapes) != 153 {
		t.Errorf("%d hexes, want 153 (every council since April 2023)", len(l.Shapes))
	}
	centre := func(code string) XY {
		s, ok := l.Shape(code)
		if !ok {
			t.Fatalf("no hex for %s", code)
		}
		min, max := s.Bounds()
		return XY{(min.X + max.X) / 2, (min.Y + max.Y) / 2}
	}
	adjacent := func(a, b string) bool {
		ca, cb := centre(a), centre(b)
		return math.Abs(math.Hypot(ca.X-cb.X, ca.Y-cb.Y)-1) < 1e-9
	}
	// The new hexes sit beside their sister councils.
	for _, p := range [][2]string{{"E06000063", "E06000064"}, {"E06000061", "E06000062"}, {"E06000062", "E10000031"}, {"E06000061", "E06000060"}} {
		if !adjacent(p[0], p[1]) {
			t.Errorf("%s and %s are not neighbouring hexes", p[0], p[1])
		}
	}
	// No 2020 code is left.
	for _, old := range []string{"E10000002", "E10000006", "E10000021", "E10000023", "E10000027"} {
		if _, ok := l.Shape(old); ok {
			t.Errorf("2020 code %s still in the layout", old)
		}
	}
	// North is up: Northumberland above Cornwall.
	if centre("E06000057").Y <= centre("E06000052").Y {
		t.Error("Northumberland is not north of Cornwall")
	}
	if _, err := ReadHexJSON([]byte(`{"layout":"odd-r","hexes":{"A":{"q":1,"r":1},"B":{"q":1,"r":1}}}`), "x"); err == nil || !strings.Contains(err.Error(), "both at q 1, r 1") {
		t.Errorf("duplicate cell: %v", err)
	}
	if len(data.HexMapLicence) == 0 || !strings.Contains(string(data.HexMapLicence), "Open Innovations") {
		t.Error("the layout's MIT licence is not embedded with it")
	}
}

// BenchmarkReadBoundaries reads and projects the ultra-generalised ONS
// boundaries (0.9 MB, 153 English features).
func BenchmarkReadBoundaries(b *testing.B) {
	p := testfiles.SharedOther(b, boundaries)
	raw, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadBoundaries(strings.NewReader(string(raw)), p); err != nil {
			b.Fatal(err)
		}
	}
}
