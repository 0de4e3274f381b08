package chartdata

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/cscstats/cscstats/data"
	"github.com/cscstats/cscstats/pkg/charts"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/geo"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/stats"
	"gonum.org/v1/plot/vg"
)

// MapClasses is the number of colour classes on a map: quintiles.
const MapClasses = 5

// Map sizes: England is about as tall as it is wide, and the legend and
// London inset take a third of the width.
const (
	MapWidth  = 16 * vg.Centimeter
	MapHeight = 17 * vg.Centimeter
)

// HexLayer is the hex cartogram of data/hexmap (one hexagon per council,
// 2023 councils).
func HexLayer() (*geo.Layer, error) {
	return geo.ReadHexJSON(data.HexMap, "england-upper-tier-2024.hexjson")
}

// hexCredit is the source line of the hex layout.
const hexCredit = "Hex layout: Open Innovations, UK upper-tier local authorities HexJSON (MIT licence), updated by cscstats to the councils of 2023 (data/hexmap)."

// boundaryCredit is the source line of ONS boundaries.
func boundaryCredit(l *geo.Layer) string {
	return fmt.Sprintf("Boundaries: ONS Counties and Unitary Authorities, ultra-generalised (%s), Open Government Licence v3.0; contains OS data © Crown copyright and database right. Projection: British National Grid (transverse Mercator).", l.Source)
}

// MapUnmapped is a council with a figure in the year and no shape on the
// map, and why.
type MapUnmapped struct {
	Code, Name string
	Why        string
}

// MapResult is a built map with its coverage.
type MapResult struct {
	Chart   *charts.Choropleth
	Section export.Section
	// ShapeOf maps each council drawn (canonical code) to the codes of
	// the shapes that draw it: its own, or its successors' for a former
	// council drawn across a later boundary change.
	ShapeOf map[string][]string
	// Unmapped are councils of the year with no shape.
	Unmapped []MapUnmapped
}

// Map builds a choropleth of one measure in one year on a layer: ONS
// boundaries (geo.FindBoundaries; London is drawn again, enlarged, in an
// inset) or the hex cartogram (HexLayer). Every council of
// calc.Authorities(measure, year) that was a council that year is one
// area:
//
//   - a council with a shape of its own (matched by canonical code, so
//     Buckinghamshire's E10000002 rows meet its E06000060 shape) is that
//     shape;
//   - a former council whose area passed whole to its successors
//     (Northamptonshire 2021, Cumbria 2023) is drawn as its successors'
//     shapes together, in the years before the change;
//   - any other council with no shape (Bournemouth, Poole and the old
//     Dorset county, before 2020: their areas were redrawn) is left off
//     and listed in Unmapped and in a note.
//
// Councils with no figure (suppressed, missing) are hatched and named in a
// note. Shapes left with no council in the year are drawn hatched too.
// Colours are quintile classes of the councils' rates (type 7 quantiles,
// rounded to one decimal); the legend gives each class, its number of
// councils, and England's rate.
func Map(calc *rates.Calculator, layer *geo.Layer, measure string, year int, opts Options) (*MapResult, error) {
	m, err := lookupMeasure(measure)
	if err != nil {
		return nil, err
	}
	if err := checkYear(calc, m.ID, year); err != nil {
		return nil, err
	}
	hl, err := resolveHighlight(calc.Registry, opts.Highlight)
	if err != nil {
		return nil, err
	}
	reg := calc.Registry
	shapes := map[string]geo.Shape{} // canonical code -> shape
	for _, s := range layer.Shapes {
		shapes[reg.Canonical(s.Code)] = s
	}
	res := &MapResult{ShapeOf: map[string][]string{}}
	used := map[string]bool{}
	var areas []charts.MapArea
	var rows []rates.Rate
	var cells [][]export.Cell
	var missing []string
	hlFound := map[string]bool{}
	for _, r := range calc.Authorities(m.ID, year) {
		code := r.Area.Code
		if !existed(calc, code, year) {
			continue
		}
		parts, why := shapeCodes(calc, shapes, code)
		if len(parts) == 0 {
			res.Unmapped = append(res.Unmapped, MapUnmapped{Code: code, Name: r.Area.Name, Why: why})
			rows = append(rows, r)
			cells = append(cells, []export.Cell{export.Str(""), export.Str(""), export.Str("not mapped: " + why)})
			continue
		}
		res.ShapeOf[code] = parts
		a := charts.MapArea{Code: code, Name: r.Area.Name, Value: r.Value, Valid: r.OK(), Highlight: hl[code]}
		if hl[code] {
			hlFound[code] = true
		}
		for _, p := range parts {
			used[p] = true
			s := shapes[p]
			a.Inset = a.Inset || (!layer.Hex && strings.HasPrefix(s.Code, "E09"))
			if layer.Hex && strings.HasPrefix(s.Code, "E09") {
				a.Group = "London"
			}
			for _, poly := range s.Polygons {
				a.Polygons = append(a.Polygons, ring(poly[0]))
			}
		}
		if !a.Valid {
			missing = append(missing, fmt.Sprintf("%s, %s", r.Area.Name, reason(r)))
		}
		areas = append(areas, a)
		rows = append(rows, r)
		cells = append(cells, []export.Cell{export.Str(strings.Join(parts, "+")), export.Str(""), export.Str(r.Note)})
	}
	for code := range hl {
		if !hlFound[code] {
			a, _ := reg.Get(code)
			return nil, fmt.Errorf("--highlight: %s is not on the %d map (no council row or no shape in that year)", a.Name, year)
		}
	}
	// Shapes no council of the year uses: drawn as "no figure".
	var spare []string
	for _, s := range layer.Shapes {
		c := reg.Canonical(s.Code)
		if used[c] {
			continue
		}
		a := charts.MapArea{Code: c, Name: s.Name, Inset: !layer.Hex && strings.HasPrefix(s.Code, "E09")}
		if layer.Hex && strings.HasPrefix(s.Code, "E09") {
			a.Group = "London"
		}
		for _, poly := range s.Polygons {
			a.Polygons = append(a.Polygons, ring(poly[0]))
		}
		areas = append(areas, a)
		spare = append(spare, s.Name)
	}

	var vals []float64
	for _, a := range areas {
		if a.Valid {
			vals = append(vals, a.Value)
		}
	}
	if len(vals) < MapClasses {
		return nil, fmt.Errorf("only %d councils have a %s rate in %d: too few to map", len(vals), m.ID, year)
	}
	breaks, err := quantileBreaks(vals, MapClasses)
	if err != nil {
		return nil, err
	}
	eng := calc.Get(m.ID, rates.England(), year)
	title := fmt.Sprintf("%s, by council, %d", measureTitle(m), year)
	if layer.Hex {
		title += " (hex map: every council the same size)"
	}
	l := Labels(calc, title, []string{m.ID}, []int{year})
	l.XLabel, l.YLabel = "", ""
	l.Subtitle += fmt.Sprintf(" Colours: %d classes, each about a fifth of councils (quintiles).", len(breaks)+1)
	if layer.Hex {
		l.Source += " " + hexCredit
	} else {
		l.Source += " " + boundaryCredit(layer)
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		l.Notes = append(l.Notes, "Hatched, no figure: "+strings.Join(missing, "; ")+".")
	}
	if len(spare) > 0 {
		sort.Strings(spare)
		l.Notes = append(l.Notes, fmt.Sprintf("Hatched, today's councils with no row for %d (formed later): %s.", year, joinAnd(spare)))
	}
	if len(res.Unmapped) > 0 {
		var names []string
		for _, u := range res.Unmapped {
			names = append(names, u.Name)
		}
		l.Notes = append(l.Notes, fmt.Sprintf("Not on the map: %s (%s).", joinAnd(names), res.Unmapped[0].Why))
	}
	var former []string
	for code, parts := range res.ShapeOf {
		if len(parts) > 1 {
			a, _ := reg.Get(code)
			var names []string
			for _, p := range parts {
				names = append(names, shapes[p].Name)
			}
			former = append(former, fmt.Sprintf("%s (abolished later) is drawn as the area of %s.", a.Name, joinAnd(names)))
		}
	}
	sort.Strings(former)
	l.Notes = append(l.Notes, former...)
	ch := &charts.Choropleth{Labels: l, Areas: areas, Breaks: breaks, England: eng.Value,
		LegendTitle: "Rate per 10,000 (councils)", InsetTitle: "London (enlarged)"}
	for i, r := range rows {
		if _, mapped := res.ShapeOf[r.Area.Code]; mapped && r.OK() {
			cells[i][1] = export.Int(ch.Class(r.Value) + 1)
		}
	}
	res.Chart = ch
	res.Section = rateSection("map", fmt.Sprintf("%s by council, %d", m.Label, year), rows,
		[]export.Column{{Name: "shape_codes", Decimals: -1}, {Name: "class", Decimals: -1}, {Name: "note", Decimals: -1}}, cells)
	return res, nil
}

func ring(r geo.Ring) [][2]float64 {
	out := make([][2]float64, len(r))
	for i, p := range r {
		out[i] = [2]float64{p.X, p.Y}
	}
	return out
}

// shapeCodes returns the canonical codes of the shapes that draw a
// council: its own; or, for a former council whose successors each had it
// as their only predecessor (so together they cover exactly its area),
// theirs. Otherwise none, and why.
func shapeCodes(calc *rates.Calculator, shapes map[string]geo.Shape, code string) ([]string, string) {
	if _, ok := shapes[code]; ok {
		return []string{code}, ""
	}
	a, ok := calc.Registry.Get(code)
	if !ok || len(a.Successors) == 0 {
		return nil, "no shape with its code in the boundary file"
	}
	var parts []string
	for _, s := range a.Successors {
		sa, ok := calc.Registry.Get(s)
		if _, has := shapes[s]; !ok || !has || len(sa.Predecessors) != 1 {
			return nil, "their areas were redrawn in a boundary change, and today's boundaries have no shape for the old councils"
		}
		parts = append(parts, s)
	}
	sort.Strings(parts)
	return parts, ""
}

// quantileBreaks returns the k-1 inner quantile breaks (type 7) of vals,
// rounded to one decimal, dropping any that rounding makes equal.
func quantileBreaks(vals []float64, k int) ([]float64, error) {
	var out []float64
	for i := 1; i < k; i++ {
		q, err := stats.Quantile(vals, float64(i)/float64(k))
		if err != nil {
			return nil, err
		}
		q = math.Round(q*10) / 10
		if len(out) == 0 || q > out[len(out)-1] {
			out = append(out, q)
		}
	}
	if len(out) < 2 {
		return nil, fmt.Errorf("councils' rates are too alike to split into classes (quantiles %v)", out)
	}
	return out, nil
}

// DefaultMapSize is the size a map is drawn at unless the reader asks for
// another.
func DefaultMapSize() (vg.Length, vg.Length) { return MapWidth, MapHeight }
