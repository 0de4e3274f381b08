// Package timeperiod handles the reporting years of DfE's children's social
// care statistics: a year ends on 31 March, and "2021" means April 2020 to
// March 2021 (written 2020-21).
package timeperiod

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Parse accepts a reporting year as 2021 or 2020-21.
func Parse(s string) (int, error) {
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

// Contains reports whether y is in ys.
func Contains(ys []int, y int) bool {
	for _, v := range ys {
		if v == y {
			return true
		}
	}
	return false
}

// Append adds y to the ascending set ys, keeping it sorted.
func Append(ys []int, y int) []int {
	i := sort.SearchInts(ys, y)
	if i < len(ys) && ys[i] == y {
		return ys
	}
	ys = append(ys, 0)
	copy(ys[i+1:], ys[i:])
	ys[i] = y
	return ys
}

// Span writes ascending years as "2013-2021" when consecutive, else as a
// list ("2018, 2020").
func Span(years []int) string {
	if len(years) == 0 {
		return ""
	}
	consecutive := true
	for i := 1; i < len(years); i++ {
		if years[i] != years[i-1]+1 {
			consecutive = false
		}
	}
	if consecutive && len(years) > 1 {
		return fmt.Sprintf("%d-%d", years[0], years[len(years)-1])
	}
	s := make([]string, len(years))
	for i, y := range years {
		s[i] = fmt.Sprint(y)
	}
	return strings.Join(s, ", ")
}

// RangeText describes a from/to range (0: unbounded) for messages.
func RangeText(from, to int) string {
	switch {
	case from == 0 && to == 0:
		return "any years"
	case from == 0:
		return fmt.Sprintf("the start and %d", to)
	case to == 0:
		return fmt.Sprintf("%d and the latest year", from)
	}
	return fmt.Sprintf("%d and %d", from, to)
}
