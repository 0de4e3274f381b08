package geo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// XY is a point on the plane: metres east and north on the British
// National Grid for boundaries, hex units for a cartogram.
type XY struct{ X, Y float64 }

// Ring is a closed line of points (the first point may or may not be
// repeated at the end).
type Ring []XY

// Polygon is an outer ring followed by any holes.
type Polygon []Ring

// Shape is one authority's area: one or more polygons.
type Shape struct {
	Code     string // ONS code as in the source
	Name     string
	Polygons []Polygon
}

// Bounds returns the shape's bounding box.
func (s Shape) Bounds() (min, max XY) {
	min = XY{math.Inf(1), math.Inf(1)}
	max = XY{math.Inf(-1), math.Inf(-1)}
	for _, p := range s.Polygons {
		for _, r := range p {
			for _, pt := range r {
				min.X, min.Y = math.Min(min.X, pt.X), math.Min(min.Y, pt.Y)
				max.X, max.Y = math.Max(max.X, pt.X), math.Max(max.Y, pt.Y)
			}
		}
	}
	return min, max
}

// Layer is a set of shapes, one per ONS code.
type Layer struct {
	// Source describes where the shapes came from, for a chart's source
	// line.
	Source string
	// Hex is true for a hex cartogram (every shape one hexagon).
	Hex    bool
	Shapes []Shape // sorted by code
}

// Shape returns the shape with an ONS code.
func (l *Layer) Shape(code string) (Shape, bool) {
	i := sort.Search(len(l.Shapes), func(i int) bool { return l.Shapes[i].Code >= code })
	if i < len(l.Shapes) && l.Shapes[i].Code == code {
		return l.Shapes[i], true
	}
	return Shape{}, false
}

func (l *Layer) sort() error {
	sort.Slice(l.Shapes, func(i, j int) bool { return l.Shapes[i].Code < l.Shapes[j].Code })
	for i := 1; i < len(l.Shapes); i++ {
		if l.Shapes[i].Code == l.Shapes[i-1].Code {
			return fmt.Errorf("code %s has two shapes", l.Shapes[i].Code)
		}
	}
	return nil
}

// Limits on what a boundary file may make the reader do.
const (
	MaxFileBytes = 256 << 20
	MaxFeatures  = 20000
	MaxPoints    = 20_000_000
)

// FeatureError is a problem with one feature of a GeoJSON file.
type FeatureError struct {
	File    string
	Feature int // 0-based index in "features"
	Code    string
	Err     error
}

func (e *FeatureError) Error() string {
	code := ""
	if e.Code != "" {
		code = " (" + e.Code + ")"
	}
	return fmt.Sprintf("%s: feature %d%s: %v", e.File, e.Feature, code, e.Err)
}

func (e *FeatureError) Unwrap() error { return e.Err }

// ErrNotBoundaries says a file is not an ONS counties and unitary
// authorities boundary file.
var ErrNotBoundaries = errors.New("not an ONS Counties and Unitary Authorities GeoJSON file (no feature with a CTYUAyyCD property)")

var (
	codeKey = regexp.MustCompile(`^CTYUA[0-9]{2}CD$`)
	nameKey = regexp.MustCompile(`^CTYUA[0-9]{2}NM$`)
)

type geoJSON struct {
	Type     string `json:"type"`
	Features []struct {
		Properties map[string]any `json:"properties"`
		Geometry   *struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
	} `json:"features"`
}

// ReadBoundaries reads ONS Counties and Unitary Authorities boundaries
// (GeoJSON FeatureCollection in WGS84 longitude/latitude, as the Open
// Geography Portal publishes them) and keeps the English authorities
// (codes starting with E), projected onto the British National Grid
// (BNG). The code and name are read from the CTYUAyyCD and CTYUAyyNM
// properties of whatever vintage yy the file is.
func ReadBoundaries(r io.Reader, name string) (*Layer, error) {
	lr := &io.LimitedReader{R: r, N: MaxFileBytes + 1}
	var g geoJSON
	if err := json.NewDecoder(lr).Decode(&g); err != nil {
		if lr.N <= 0 {
			return nil, fmt.Errorf("%s: larger than %d bytes", name, MaxFileBytes)
		}
		return nil, fmt.Errorf("%s: not valid GeoJSON: %w", name, err)
	}
	if g.Type != "FeatureCollection" || len(g.Features) == 0 {
		return nil, fmt.Errorf("%s: %w", name, ErrNotBoundaries)
	}
	if len(g.Features) > MaxFeatures {
		return nil, fmt.Errorf("%s: %d features, more than the %d allowed", name, len(g.Features), MaxFeatures)
	}
	l := &Layer{Source: filepath.Base(name)}
	points := 0
	recognised := false
	for i, f := range g.Features {
		code, nm := "", ""
		for k, v := range f.Properties {
			s, _ := v.(string)
			switch {
			case codeKey.MatchString(k):
				code, recognised = strings.TrimSpace(s), true
			case nameKey.MatchString(k):
				nm = strings.TrimSpace(s)
			}
		}
		if !strings.HasPrefix(code, "E") {
			continue // Scotland, Wales, Northern Ireland
		}
		if !validCode(code) {
			return nil, &FeatureError{File: name, Feature: i, Err: fmt.Errorf("code %q is not a 9-character ONS code", code)}
		}
		if f.Geometry == nil {
			return nil, &FeatureError{File: name, Feature: i, Code: code, Err: errors.New("no geometry")}
		}
		var polys [][][][2]float64
		switch f.Geometry.Type {
		case "Polygon":
			var p [][][2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &p); err != nil {
				return nil, &FeatureError{File: name, Feature: i, Code: code, Err: fmt.Errorf("bad Polygon coordinates: %v", err)}
			}
			polys = [][][][2]float64{p}
		case "MultiPolygon":
			if err := json.Unmarshal(f.Geometry.Coordinates, &polys); err != nil {
				return nil, &FeatureError{File: name, Feature: i, Code: code, Err: fmt.Errorf("bad MultiPolygon coordinates: %v", err)}
			}
		default:
			return nil, &FeatureError{File: name, Feature: i, Code: code, Err: fmt.Errorf("geometry type %q (want Polygon or MultiPolygon)", f.Geometry.Type)}
		}
		s := Shape{Code: code, Name: nm}
		for _, p := range polys {
			var poly Polygon
			for _, ring := range p {
				if len(ring) < 4 {
					return nil, &FeatureError{File: name, Feature: i, Code: code, Err: fmt.Errorf("a ring of %d points (GeoJSON rings have at least 4)", len(ring))}
				}
				points += len(ring)
				if points > MaxPoints {
					return nil, &FeatureError{File: name, Feature: i, Code: code, Err: fmt.Errorf("more than %d points in the file", MaxPoints)}
				}
				rr := make(Ring, len(ring))
				for k, c := range ring {
					lon, lat := c[0], c[1]
					if math.IsNaN(lon) || math.IsNaN(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
						return nil, &FeatureError{File: name, Feature: i, Code: code, Err: fmt.Errorf("point %v is not a WGS84 longitude and latitude", c)}
					}
					e, n := BNG(lon, lat)
					rr[k] = XY{e, n}
				}
				poly = append(poly, rr)
			}
			if len(poly) > 0 {
				s.Polygons = append(s.Polygons, poly)
			}
		}
		l.Shapes = append(l.Shapes, s)
	}
	if !recognised {
		return nil, fmt.Errorf("%s: %w", name, ErrNotBoundaries)
	}
	if len(l.Shapes) == 0 {
		return nil, fmt.Errorf("%s: no English authority (code starting with E) in the file", name)
	}
	if err := l.sort(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return l, nil
}

func validCode(s string) bool {
	if len(s) != 9 {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// NotFoundError says the data directory has no boundary file.
type NotFoundError struct{ Dir string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("no ONS Counties and Unitary Authorities boundary file (GeoJSON) in %s: run `cscstats fetch geo`, or download \"Counties and Unitary Authorities (December 2024) Boundaries UK BUC\" as GeoJSON from the ONS Open Geography Portal and put it anywhere in the data directory; or use --hex for the hex map, which needs no download", e.Dir)
}

// FindBoundaries looks in dir (recursively) for an ONS counties and
// unitary authorities boundary file, recognised by its content: the first
// .geojson or .json file, in path order, that reads as one. Folders
// starting with "." are skipped.
func FindBoundaries(dir string) (*Layer, error) {
	var found *Layer
	var bad error
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		ext := strings.ToLower(filepath.Ext(p))
		if ext != ".geojson" && ext != ".json" {
			return nil
		}
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() || st.Size() > MaxFileBytes {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return nil
		}
		l, err := ReadBoundaries(f, p)
		f.Close()
		if err == nil {
			found = l
			return filepath.SkipAll
		}
		var fe *FeatureError
		if bad == nil && errors.As(err, &fe) {
			bad = err // a boundary file with a bad feature: report it
		}
		return nil
	})
	if found != nil {
		return found, nil
	}
	if bad != nil {
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	return nil, &NotFoundError{Dir: dir}
}
