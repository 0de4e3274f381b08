package cmdutil

import (
	"github.com/cscstats/cscstats/pkg/timeperiod"
)

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
