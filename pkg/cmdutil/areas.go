package cmdutil

import (
	"github.com/cscstats/cscstats/pkg/timeperiod"

	"github.com/cscstats/cscstats/pkg/rates"
)

// AreasFor resolves --la values to areas, followed by each authority's
// region (once) and England: the comparison set every per-authority
// command shows.
func AreasFor(calc *rates.Calculator, queries []string) ([]rates.Area, error) {
	var areas, regions []rates.Area
	seenRegion := map[string]bool{}
	for _, q := range queries {
		a, err := calc.Registry.Lookup(q)
		if err != nil {
			return nil, err
		}
		areas = append(areas, rates.LAArea(a))
		if a.RegionCode != "" && !seenRegion[a.RegionCode] {
			seenRegion[a.RegionCode] = true
			regions = append(regions, calc.RegionArea(a.RegionCode))
		}
	}
	if len(areas) == 0 {
		return nil, FlagErrorf("give at least one local authority with --la")
	}
	return append(append(areas, regions...), rates.England()), nil
}

// ParseRange parses --from/--to; empty means unbounded (0).
func ParseRange(from, to string) (int, int, error) {
	var f, t int
	var err error
	if from != "" {
		if f, err = timeperiod.Parse(from); err != nil {
			return 0, 0, FlagErrorf("--from: %v", err)
		}
	}
	if to != "" {
		if t, err = timeperiod.Parse(to); err != nil {
			return 0, 0, FlagErrorf("--to: %v", err)
		}
	}
	if f != 0 && t != 0 && f > t {
		return 0, 0, FlagErrorf("--from %d is after --to %d", f, t)
	}
	return f, t, nil
}
