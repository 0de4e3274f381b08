package cmdutil

import (
	"fmt"
	"strconv"
	"strings"
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
			y, err := ParseYear(part)
			if err != nil {
				return nil, FlagErrorf("%v", err)
			}
			if !ContainsYear(have, y) {
				return nil, fmt.Errorf("no %s data for %d; years available: %s", measure, y, YearSpan(have))
			}
			out = AppendYear(out, y)
		}
	}
	return out, nil
}

// ParseYear accepts a reporting year as 2021 or 2020-21.
func ParseYear(s string) (int, error) {
	if len(s) == 7 && s[4] == '-' {
		first, err1 := strconv.Atoi(s[:4])
		second, err2 := strconv.Atoi(s[5:])
		if err1 == nil && err2 == nil && (first+1)%100 == second {
			return first + 1, nil
		}
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < 1900 || y > 2200 {
		return 0, fmt.Errorf("bad year %q: give the reporting year as 2021 (the year ending 31 March 2021) or 2020-21", s)
	}
	return y, nil
}

// ContainsYear reports whether y is in ys.
func ContainsYear(ys []int, y int) bool {
	for _, v := range ys {
		if v == y {
			return true
		}
	}
	return false
}

// AppendYear adds y to the sorted set ys.
func AppendYear(ys []int, y int) []int {
	if ContainsYear(ys, y) {
		return ys
	}
	ys = append(ys, y)
	for i := len(ys) - 1; i > 0 && ys[i] < ys[i-1]; i-- {
		ys[i], ys[i-1] = ys[i-1], ys[i]
	}
	return ys
}
