// Package claims sets the figures stated in "Children's Social Care – The
// Way Forward" (2022) beside the figures cscstats computes from DfE's open
// data, with the difference and a verdict.
//
// The claims themselves are hand-written data (data/claims.json), so that
// a reader can audit exactly what was checked against what.
package claims

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/cscstats/cscstats/data"
	"github.com/cscstats/cscstats/pkg/rates"
)

// Kinds of claim.
const (
	KindRate                = "rate"                 // a rate per 10,000 for an area and year
	KindCountChangePercent  = "count_change_percent" // percent change in a count between two years
	KindSpreadRising        = "spread_rising"        // between-council variation grew over the years available
	KindCorrelationPositive = "correlation_positive" // councils where x rose also saw y rise
)

// Verdicts.
const (
	Reproduced = "reproduced" // equal at the precision the report states
	Close      = "close"      // within 5% of the stated value, or right direction without statistical evidence
	Differs    = "differs"
)

// Claim is one checkable statement of the report.
type Claim struct {
	ID      string   `json:"id"`
	Group   string   `json:"group"`
	Where   string   `json:"where"`
	Kind    string   `json:"kind"`
	Text    string   `json:"text"`
	Measure string   `json:"measure,omitempty"`
	Area    string   `json:"area,omitempty"`
	Year    int      `json:"year,omitempty"`
	From    int      `json:"from,omitempty"`
	To      int      `json:"to,omitempty"`
	Stated  *float64 `json:"stated,omitempty"`
	X       string   `json:"x,omitempty"`
	Y       string   `json:"y,omitempty"`
	Note    string   `json:"note,omitempty"`
}

// File is the claims file.
type File struct {
	Source string  `json:"source"`
	Claims []Claim `json:"claims"`
}

// Load parses the embedded claims file.
func Load() (File, error) { return Parse(data.Claims, "data/claims.json") }

// Parse reads a claims file; name is used in errors.
func Parse(b []byte, name string) (File, error) {
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("%s: %w", name, err)
	}
	for _, c := range f.Claims {
		switch c.Kind {
		case KindRate, KindCountChangePercent, KindSpreadRising, KindCorrelationPositive:
		default:
			return f, fmt.Errorf("%s: claim %q has unknown kind %q", name, c.ID, c.Kind)
		}
	}
	return f, nil
}

// Result is a claim checked against the data.
type Result struct {
	Claim
	Computed    float64 // NaN when it could not be computed
	Difference  float64 // Computed − Stated; NaN when either is missing
	Verdict     string
	Detail      string // what was computed, in words
	Explanation string // known cause of a difference
	Sources     []string
}

// verdictFor compares a computed value with one stated to a number of
// decimals: reproduced when it rounds to the stated value, close within 5%.
func verdictFor(computed, stated float64, decimals int) string {
	half := 0.5 * math.Pow(10, -float64(decimals))
	switch d := math.Abs(computed - stated); {
	case math.IsNaN(d):
		return Differs
	case d <= half+1e-9:
		return Reproduced
	case stated != 0 && d/math.Abs(stated) <= 0.05:
		return Close
	}
	return Differs
}

// DenominatorNote explains why rates published before 2023 differ from
// rates computed from today's files.
const DenominatorNote = "ONS revised its mid-2012 to mid-2020 population estimates after the 2021 Census, and DfE's later releases can restate earlier counts; rates published before the revision therefore differ slightly from today's, most for 2019-20 and 2020-21."

// EvaluateRate checks a rate or count-change claim against the calculator.
func EvaluateRate(calc *rates.Calculator, c Claim) (Result, error) {
	r := Result{Claim: c, Computed: math.NaN(), Difference: math.NaN()}
	area, err := resolveArea(calc, c.Area)
	if err != nil {
		return r, fmt.Errorf("claim %s: %w", c.ID, err)
	}
	switch c.Kind {
	case KindRate:
		got := calc.Get(c.Measure, area, c.Year)
		r.Sources = got.Sources
		if !got.OK() {
			r.Verdict = Differs
			r.Detail = "not computable: " + got.Note
			return r, nil
		}
		r.Computed = got.Value
		r.Detail = fmt.Sprintf("%.0f ÷ %.0f children (ONS mid-%d) × 10,000", got.Count.Number, got.Population, got.PopMidYear)
		if c.Stated != nil {
			r.Difference = r.Computed - *c.Stated
			r.Verdict = verdictFor(r.Computed, *c.Stated, 1)
			if r.Verdict != Reproduced && *c.Stated > 0 {
				implied := got.Count.Number / *c.Stated * 10000
				r.Explanation = fmt.Sprintf("The stated rate implies about %.0f children; the ONS estimate used here is %.0f (%+.1f%%); see the note on population estimates.",
					implied, got.Population, (got.Population-implied)/implied*100)
			}
		}
	case KindCountChangePercent:
		a, b := calc.Get(c.Measure, area, c.From), calc.Get(c.Measure, area, c.To)
		r.Sources = append(a.Sources, b.Sources...)
		if !a.Count.OK() || !b.Count.OK() || a.Count.Number == 0 {
			r.Verdict = Differs
			r.Detail = "not computable: a count is missing"
			return r, nil
		}
		r.Computed = (b.Count.Number - a.Count.Number) / a.Count.Number * 100
		r.Detail = fmt.Sprintf("%s count %.0f in %d to %.0f in %d", c.Measure, a.Count.Number, c.From, b.Count.Number, c.To)
		if c.Stated != nil {
			r.Difference = r.Computed - *c.Stated
			r.Verdict = verdictFor(r.Computed, *c.Stated, 0)
			if r.Verdict != Reproduced {
				r.Explanation = c.Note
			}
		}
	default:
		return r, fmt.Errorf("claim %s: kind %s is not a rate claim", c.ID, c.Kind)
	}
	return r, nil
}

func resolveArea(calc *rates.Calculator, name string) (rates.Area, error) {
	if name == "England" || name == "" {
		return rates.England(), nil
	}
	a, err := calc.Registry.Lookup(name)
	if err != nil {
		return rates.Area{}, err
	}
	return rates.LAArea(a), nil
}
