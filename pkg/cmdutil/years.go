package cmdutil

import (
	"fmt"
	"strings"

	"github.com/cscstats/cscstats/pkg/timeperiod"
)

// PickYears resolves --year values (years, "2020-21" spans or "all")
// against the years a measure has; none given means the latest.
func PickYears(flag []string, have []int, measure string) ([]int, error) {
	if len(have) == 0 {
		return nil, fmt.Errorf("no data for measure %s in the data directory; run `cscstats measures` to see what is there, or `cscstats fetch`", measure)
	}
	if len(flag) == 0 {
		return have[len(have)-1:], nil
	}
	var out []int
	for _, f := range flag {
		for _, part := range strings.Split(f, ",") {
			part = strings.TrimSpace(part)
			if strings.EqualFold(part, "all") {
				return have, nil
			}
			y, err := timeperiod.Parse(part)
			if err != nil {
				return nil, FlagErrorf("%v", err)
			}
			if !timeperiod.Contains(have, y) {
				return nil, fmt.Errorf("no %s data for %d; years available: %s", measure, y, timeperiod.Span(have))
			}
			out = timeperiod.Append(out, y)
		}
	}
	return out, nil
}
