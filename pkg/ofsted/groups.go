package ofsted

import (
	"fmt"
	"math"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// When says which judgement places a council in a group.
type When int

const (
	// AtStart: the judgement in force at the start of the period, the
	// latest ILACS inspection that began on or before 31 March of the
	// period's first reporting year (the date of the first figure a change
	// is measured from). It comes before the changes, so it cannot be a
	// result of them.
	AtStart When = iota
	// Latest: the latest ILACS judgement in the file, whenever it was.
	Latest
)

// GroupFlag values.
const (
	FlagStart  = "ofsted"
	FlagLatest = "ofsted:latest"
)

// ParseGroup reads a --group value: "ofsted" or "ofsted:start" (grade at
// the start of the period) or "ofsted:latest".
func ParseGroup(s string) (When, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "ofsted", "ofsted:start":
		return AtStart, nil
	case "ofsted:latest":
		return Latest, nil
	}
	return 0, fmt.Errorf("unknown group %q: use ofsted (the Ofsted judgement in force at the start of the period) or ofsted:latest (the latest judgement)", s)
}

// PeriodStart is the date a period starting with reporting year y starts
// for grouping: 31 March of y, the end of the year whose figure a change
// is measured from.
func PeriodStart(y int) time.Time { return time.Date(y, 3, 31, 0, 0, 0, 0, time.UTC) }

// NotInspected is the group of councils with no ILACS judgement under
// the rule (the file has no judgements from before 2018).
const NotInspected = "Not yet inspected under ILACS"

// GroupOrder lists the groups, best judgement first.
var GroupOrder = []string{Outstanding.Short(), Good.Short(), RequiresImprovement.Short(), Inadequate.Short(), NotInspected}

// Combined groups: the Way Forward's "low performing" councils against the
// rest.
const (
	GoodOrBetter = "Good or outstanding"
	LowGroup     = "Requires improvement or inadequate"
)

// Combined returns the combined group of a group, or "" for NotInspected.
func Combined(group string) string {
	switch group {
	case Outstanding.Short(), Good.Short():
		return GoodOrBetter
	case RequiresImprovement.Short(), Inadequate.Short():
		return LowGroup
	}
	return ""
}

// Describe says in words how councils are grouped.
func (w When) Describe(start time.Time) string {
	if w == Latest {
		return "each council's latest Ofsted (ILACS) overall effectiveness judgement in the file, whenever it was made (it may come after the changes it is set beside)"
	}
	return fmt.Sprintf("each council's Ofsted (ILACS) overall effectiveness judgement in force on %s: its latest inspection that began on or before that date (a council created in a boundary change and not yet inspected takes its predecessor's)", start.Format("2 January 2006"))
}

// Group places a council (any of its codes) in a group under a rule; in is
// the inspection that decided it (zero for NotInspected).
func (j *Judgements) Group(code string, w When, start time.Time) (group string, in Inspection) {
	var ok bool
	if w == Latest {
		in, ok = j.Latest(code)
		if !ok {
			if a, found := j.reg.Get(code); found && len(a.Predecessors) == 1 {
				in, ok = j.Latest(a.Predecessors[0])
			}
		}
	} else {
		in, _, ok = j.At(code, start)
	}
	if !ok {
		return NotInspected, Inspection{}
	}
	return in.Overall.Short(), in
}

// MeanCI is a mean with its t-based confidence interval.
type MeanCI struct {
	N            int
	Mean, SD     float64
	Lower, Upper float64 // NaN when N < 2
}

// Mean returns the mean of v with a confidence interval at level (0.95
// for 95%) from Student's t:
//
//	mean ± t(n−1, (1+level)/2) · SD/√n,  SD the sample SD (divisor n−1).
//
// Reference: any statistics text, e.g. Altman, Practical Statistics for
// Medical Research (1991), section 8.3.
func Mean(v []float64, level float64) MeanCI {
	m := MeanCI{N: len(v), Mean: math.NaN(), SD: math.NaN(), Lower: math.NaN(), Upper: math.NaN()}
	if len(v) == 0 {
		return m
	}
	m.Mean = stat.Mean(v, nil)
	if len(v) < 2 {
		return m
	}
	m.SD = stat.StdDev(v, nil)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(v) - 1)}.Quantile((1 + level) / 2)
	half := t * m.SD / math.Sqrt(float64(len(v)))
	m.Lower, m.Upper = m.Mean-half, m.Mean+half
	return m
}
