// Package geo holds the map geometry of English local authorities: ONS
// boundary files (GeoJSON, WGS84 longitude and latitude) projected onto
// the British National Grid, and hex cartogram layouts (HexJSON), both as
// plain planar shapes keyed by ONS code, ready for a chart to draw.
package geo

import "math"

// Airy 1830 ellipsoid and the National Grid's transverse Mercator
// parameters (Ordnance Survey, "A guide to coordinate systems in Great
// Britain", 2020, Annexes A and C).
const (
	airyA  = 6377563.396
	airyB  = 6356256.909
	bngF0  = 0.9996012717       // scale factor on the central meridian
	bngLa0 = 49 * math.Pi / 180 // true origin latitude
	bngLo0 = -2 * math.Pi / 180 // central meridian
	bngE0  = 400000.0           // false easting (m)
	bngN0  = -100000.0          // false northing (m)
	degRad = math.Pi / 180
)

// BNG projects a longitude and latitude (degrees) onto the British
// National Grid, returning easting and northing in metres.
//
// It is the transverse Mercator projection of OS's guide (Annex C, the
// series in n up to the terms OS gives, accurate to about a millimetre
// within the grid) on the Airy 1830 ellipsoid. The input is WGS84 (as ONS
// publishes GeoJSON) and is used as if it were OSGB36 latitude and
// longitude: the datum shift between the two (a Helmert transformation)
// moves points by up to about 120 m, far less than a pixel on a map of
// England, and is deliberately left out. The projection keeps shapes true
// (conformal) and its scale error is under 0.04% across Great Britain,
// which is why OS chose it; areas are close enough to equal for a
// choropleth.
func BNG(lon, lat float64) (easting, northing float64) {
	phi, lam := lat*degRad, lon*degRad
	a, b, f0 := airyA, airyB, bngF0
	e2 := (a*a - b*b) / (a * a)
	n := (a - b) / (a + b)
	n2, n3 := n*n, n*n*n
	sinPhi, cosPhi := math.Sin(phi), math.Cos(phi)
	tanPhi := math.Tan(phi)
	nu := a * f0 / math.Sqrt(1-e2*sinPhi*sinPhi)
	rho := a * f0 * (1 - e2) / math.Pow(1-e2*sinPhi*sinPhi, 1.5)
	eta2 := nu/rho - 1

	dPhi, sPhi := phi-bngLa0, phi+bngLa0
	m := b * f0 * ((1+n+5.0/4*n2+5.0/4*n3)*dPhi -
		(3*n+3*n2+21.0/8*n3)*math.Sin(dPhi)*math.Cos(sPhi) +
		(15.0/8*n2+15.0/8*n3)*math.Sin(2*dPhi)*math.Cos(2*sPhi) -
		35.0/24*n3*math.Sin(3*dPhi)*math.Cos(3*sPhi))

	cos3, cos5 := cosPhi*cosPhi*cosPhi, math.Pow(cosPhi, 5)
	tan2, tan4 := tanPhi*tanPhi, math.Pow(tanPhi, 4)
	i := m + bngN0
	ii := nu / 2 * sinPhi * cosPhi
	iii := nu / 24 * sinPhi * cos3 * (5 - tan2 + 9*eta2)
	iiia := nu / 720 * sinPhi * cos5 * (61 - 58*tan2 + tan4)
	iv := nu * cosPhi
	v := nu / 6 * cos3 * (nu/rho - tan2)
	vi := nu / 120 * cos5 * (5 - 18*tan2 + tan4 + 14*eta2 - 58*tan2*eta2)

	dl := lam - bngLo0
	dl2 := dl * dl
	northing = i + ii*dl2 + iii*dl2*dl2 + iiia*dl2*dl2*dl2
	easting = bngE0 + iv*dl + v*dl2*dl + vi*dl2*dl2*dl
	return easting, northing
}
