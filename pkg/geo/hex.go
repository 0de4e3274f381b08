package geo

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// hexJSON is the HexJSON format (Open Innovations): a layout name and
// hexes keyed by id with integer column q and row r.
type hexJSON struct {
	Layout string `json:"layout"`
	Hexes  map[string]struct {
		Name string `json:"n"`
		Q    *int   `json:"q"`
		R    *int   `json:"r"`
	} `json:"hexes"`
}

// ReadHexJSON reads a HexJSON layout (https://open-innovations.org/projects/hexmaps/hexjson)
// into a layer of hexagons of unit width, rows numbered from the bottom
// (as Open Innovations draws them). Layouts "odd-r" and "even-r" are
// pointy-topped, odd (even) rows shifted half a hex right; "odd-q" and
// "even-q" are flat-topped, odd (even) columns shifted half a hex up.
// Two hexes in one cell is an error.
func ReadHexJSON(b []byte, name string) (*Layer, error) {
	var h hexJSON
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("%s: not valid HexJSON: %w", name, err)
	}
	if len(h.Hexes) == 0 {
		return nil, fmt.Errorf("%s: no hexes", name)
	}
	l := &Layer{Source: name, Hex: true}
	cells := map[[2]int]string{}
	for id, hx := range h.Hexes {
		if hx.Q == nil || hx.R == nil {
			return nil, fmt.Errorf("%s: hex %s has no q or r", name, id)
		}
		q, r := *hx.Q, *hx.R
		if other, dup := cells[[2]int{q, r}]; dup {
			return nil, fmt.Errorf("%s: hexes %s and %s are both at q %d, r %d", name, other, id, q, r)
		}
		cells[[2]int{q, r}] = id
		c, pointy, err := hexCentre(h.Layout, q, r)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		l.Shapes = append(l.Shapes, Shape{Code: strings.ToUpper(id), Name: hx.Name, Polygons: []Polygon{{hexagon(c, pointy)}}})
	}
	if err := l.sort(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return l, nil
}

// hexCentre places cell (q, r) of a layout; hexes are 1 unit across flats.
func hexCentre(layout string, q, r int) (XY, bool, error) {
	odd := func(i int) bool { return i%2 != 0 }
	h := math.Sqrt(3) / 2 // distance between row centres of pointy hexes
	switch layout {
	case "odd-r", "even-r":
		x := float64(q)
		if odd(r) == (layout == "odd-r") {
			x += 0.5
		}
		return XY{x, float64(r) * h}, true, nil
	case "odd-q", "even-q":
		y := float64(r)
		if odd(q) == (layout == "odd-q") {
			y += 0.5
		}
		return XY{float64(q) * h, y}, false, nil
	}
	return XY{}, false, fmt.Errorf("unknown HexJSON layout %q (want odd-r, even-r, odd-q or even-q)", layout)
}

// hexagon returns the six corners of a hexagon of unit width across its
// flats around c, pointy-topped or flat-topped.
func hexagon(c XY, pointy bool) Ring {
	rad := 1 / math.Sqrt(3) // centre to corner
	start := 30.0
	if !pointy {
		start = 0
	}
	ring := make(Ring, 6)
	for i := range ring {
		a := (start + 60*float64(i)) * math.Pi / 180
		ring[i] = XY{c.X + rad*math.Cos(a), c.Y + rad*math.Sin(a)}
	}
	return ring
}
