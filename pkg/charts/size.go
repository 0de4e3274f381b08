package charts

import (
	"fmt"
	"strconv"
	"strings"

	"gonum.org/v1/plot/vg"
)

// ParseLength reads a chart width or height written with a unit: "16cm",
// "160mm", "6.3in", "450pt" or "1200px". Pixels are PNG pixels at PNGDPI
// (150 per inch), so "1200px" gives a PNG exactly 1200 pixels wide and an
// SVG or PDF of the same physical size (8 inches). Lengths must lie
// between 2 cm and 2 m.
func ParseLength(s string) (vg.Length, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	units := []struct {
		suffix string
		size   vg.Length
	}{
		{"cm", vg.Centimeter}, {"mm", vg.Millimeter}, {"in", vg.Inch},
		{"pt", vg.Points(1)}, {"px", vg.Inch / PNGDPI},
	}
	for _, u := range units {
		num, ok := strings.CutSuffix(t, u.suffix)
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil {
			break
		}
		l := vg.Length(v) * u.size
		if l < 2*vg.Centimeter || l > 200*vg.Centimeter {
			return 0, fmt.Errorf("length %q out of range: give between 2cm and 200cm (or the same in mm, in, pt or px)", s)
		}
		return l, nil
	}
	return 0, fmt.Errorf("bad length %q: give a number with a unit, such as 16cm, 160mm, 6in, 450pt or 1200px (pixels at %d dpi)", s, PNGDPI)
}

// Pixels returns the PNG size in pixels of a chart of the given length,
// as Save writes it (rounded to the nearest pixel).
func Pixels(l vg.Length) int {
	return int(float64(l/vg.Inch)*PNGDPI + 0.5)
}
