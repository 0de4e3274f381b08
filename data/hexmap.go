package data

import _ "embed"

// HexMap is hexmap/england-upper-tier-2024.hexjson: a hex cartogram layout
// of the 153 English councils with children's services, derived from Open
// Innovations' 2020 upper-tier HexJSON (MIT licence, hexmap/LICENSE.txt;
// changes listed in hexmap/README.md).
//
//go:embed hexmap/england-upper-tier-2024.hexjson
var HexMap []byte

// HexMapLicence is the MIT licence of the layout, hexmap/LICENSE.txt.
//
//go:embed hexmap/LICENSE.txt
var HexMapLicence []byte
