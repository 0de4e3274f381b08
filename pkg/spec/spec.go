// Package spec evaluates a statistic of a measure for every council, so
// that councils can be compared with each other: "the change in the
// adoptions rate from 2020 to 2024", "the IMD 2019 average score". It is
// what `cscstats correlate` and `cscstats spread`, the report and the
// scatter chart share.
//
// A spec is written MEASURE:STAT:
//
//	adoptions:level@2024        rate per 10,000 children in the year ending 31 March 2024
//	adoptions:change@2020-2024  rate in 2024 minus rate in 2020 (per 10,000)
//	adoptions:pct@2020-2024     percent change in the rate, 100·(r2024 − r2020)/r2020
//	adoptions:logratio@2020-2024  ln(r2024 / r2020)
//	adoptions:slope@2020-2024   least-squares slope of the yearly rates (per 10,000 per year)
//	imd:score                   IMD 2019 average score (higher = more deprived)
//
// The unit of analysis is the council. Each current council is one unit,
// except where the years a comparison spans cross a boundary change: then a
// council formed by splitting one former authority is analysed as that
// former authority, its later years summed over its successors (Cumberland
// and Westmorland and Furness together as Cumbria), and a council formed
// from several former authorities (Bournemouth, Christchurch and Poole;
// Dorset) is left out, since no former authority covers the same area.
// Every council left out is listed with the reason.
package spec

import (
	"fmt"
	"github.com/cscstats/cscstats/pkg/timeperiod"
	"strconv"
	"strings"

	"github.com/cscstats/cscstats/pkg/measures"
)

// Statistics a spec can ask for.
const (
	Level    = "level"
	Change   = "change"
	Pct      = "pct"
	LogRatio = "logratio"
	Slope    = "slope"
	Score    = "score" // imd:score only
)

// IMD is the pseudo-measure of the Index of Multiple Deprivation 2019.
const IMD = "imd"

// MinSlopeYears is how many years with a value a council needs for a slope.
const MinSlopeYears = 3

// IMDGeographyYear is the reporting year whose local authority areas the
// IMD 2019 summaries describe: they were published in September 2019 on
// the areas of 1 April 2019, the areas DfE reports for 2019-20. A
// comparison with imd:score therefore always spans 2020, so authorities
// created later (North and West Northamptonshire, Cumberland, Westmorland
// and Furness) are analysed as the county they replaced.
const IMDGeographyYear = 2020

// Stats lists the statistics for measures, in the order help text gives.
var Stats = []string{Level, Change, Pct, LogRatio, Slope}

// Spec is a parsed MEASURE:STAT.
type Spec struct {
	Measure string // catalogue ID, or IMD
	Stat    string
	From    int // first reporting year (level: the year; imd: 0)
	To      int // last reporting year (level: the year; imd: 0)
}

// String writes the spec back in its canonical form.
func (s Spec) String() string {
	switch s.Stat {
	case Score:
		return IMD + ":" + Score
	case Level:
		return fmt.Sprintf("%s:%s@%d", s.Measure, s.Stat, s.From)
	}
	return fmt.Sprintf("%s:%s@%d-%d", s.Measure, s.Stat, s.From, s.To)
}

// IsIMD reports whether the spec is imd:score.
func (s Spec) IsIMD() bool { return s.Measure == IMD }

// Window returns the reporting years whose areas the spec uses.
func (s Spec) Window() (from, to int) {
	if s.IsIMD() {
		return IMDGeographyYear, IMDGeographyYear
	}
	return s.From, s.To
}

// Describe says in words what the spec's value is.
func (s Spec) Describe() string {
	if s.IsIMD() {
		return "IMD 2019 average score of the area (English Indices of Deprivation 2019; higher means more deprived)"
	}
	label := s.Measure
	if m, err := measures.Lookup(s.Measure); err == nil {
		label = m.Label
	}
	rate := fmt.Sprintf("rate of %s per 10,000 children aged 0-17", strings.ToLower(label[:1])+label[1:])
	switch s.Stat {
	case Level:
		return fmt.Sprintf("%s in %d (the year ending 31 March %d)", rate, s.From, s.From)
	case Change:
		return fmt.Sprintf("change in the %s from %d to %d (%d minus %d, per 10,000)", rate, s.From, s.To, s.To, s.From)
	case Pct:
		return fmt.Sprintf("percent change in the %s from %d to %d: 100 × (%d − %d) ÷ %d", rate, s.From, s.To, s.To, s.From, s.From)
	case LogRatio:
		return fmt.Sprintf("log ratio ln(%d ÷ %d) of the %s (0.1 ≈ 10%% higher)", s.To, s.From, rate)
	case Slope:
		return fmt.Sprintf("least-squares slope of the yearly %s over %d-%d, per 10,000 per year (needs a value in at least %d of the years)", rate, s.From, s.To, MinSlopeYears)
	}
	return s.String()
}

// ParseError is a spec that cannot be read; the message says what a spec
// looks like.
type ParseError struct {
	Spec string
	Msg  string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("bad spec %q: %s", e.Spec, e.Msg)
}

// Syntax is the one-line reminder of what a spec looks like.
const Syntax = "write MEASURE:STAT with STAT one of level@YEAR, change@Y1-Y2, pct@Y1-Y2, logratio@Y1-Y2, slope@Y1-Y2 (e.g. adoptions:change@2020-2024), or imd:score"

// Parse reads a spec such as "adoptions:change@2020-2024" or "imd:score".
// Years are reporting years ending 31 March; a level year may also be
// written 2023-24.
func Parse(text string) (Spec, error) {
	t := strings.TrimSpace(text)
	bad := func(format string, args ...any) (Spec, error) {
		return Spec{}, &ParseError{Spec: text, Msg: fmt.Sprintf(format, args...)}
	}
	if t == "" {
		return bad("empty; %s", Syntax)
	}
	measure, stat, hasStat := strings.Cut(t, ":")
	measure = strings.ToLower(strings.TrimSpace(measure))
	stat = strings.ToLower(strings.TrimSpace(stat))
	if measure == IMD {
		if !hasStat || stat == Score {
			return Spec{Measure: IMD, Stat: Score}, nil
		}
		return bad("imd has one statistic, imd:score (the IMD 2019 average score)")
	}
	if _, err := measures.Lookup(measure); err != nil {
		return bad("unknown measure %q; valid measures: %s, or imd (imd:score)", measure, strings.Join(measures.IDs(), ", "))
	}
	if !hasStat || stat == "" {
		return bad("no statistic after the measure; %s", Syntax)
	}
	name, years, hasYears := strings.Cut(stat, "@")
	if !isStat(name) {
		return bad("unknown statistic %q; use level@YEAR, change@Y1-Y2, pct@Y1-Y2, logratio@Y1-Y2 or slope@Y1-Y2", name)
	}
	if !hasYears || years == "" {
		if name == Level {
			return bad("level needs a year, e.g. %s:level@2024", measure)
		}
		return bad("%s needs two years, e.g. %s:%s@2020-2024", name, measure, name)
	}
	s := Spec{Measure: measure, Stat: name}
	if name == Level {
		y, err := timeperiod.Parse(years)
		if err != nil {
			return bad("%v", err)
		}
		s.From, s.To = y, y
		return s, nil
	}
	a, b, ok := strings.Cut(years, "-")
	y1, err1 := strconv.Atoi(a)
	y2, err2 := strconv.Atoi(b)
	switch {
	case !ok || len(a) != 4 || len(b) != 4 || err1 != nil || err2 != nil:
		return bad("%s needs two reporting years written Y1-Y2, such as 2020-2024 (got %q)", name, years)
	case y1 < 1900 || y2 > 2200:
		return bad("years %d-%d are out of range", y1, y2)
	case y1 >= y2:
		return bad("the first year (%d) must be before the second (%d)", y1, y2)
	}
	s.From, s.To = y1, y2
	return s, nil
}

// ParseAll parses several specs.
func ParseAll(texts []string) ([]Spec, error) {
	out := make([]Spec, 0, len(texts))
	for _, t := range texts {
		s, err := Parse(t)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func isStat(s string) bool {
	for _, v := range Stats {
		if s == v {
			return true
		}
	}
	return false
}
