package spec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/rates"
)

// Unit is one council as analysed: a current authority, or, where the
// years analysed cross a boundary change that split one authority, the
// former authority standing for its successors.
type Unit struct {
	Code    string // canonical ONS code (a former authority's own code for a harmonised unit)
	OldCode string // DfE 3-digit code
	Name    string // for a harmonised unit, "Cumbria (Cumberland + Westmorland and Furness)"
	// Members are the canonical codes of the current councils the unit
	// stands for: itself, or the successors of a former authority.
	Members []string
	// SumFrom is the first reporting year from which the unit's figures
	// are the sum of its successors' (Parts) counts and populations; 0 when
	// the unit is never summed.
	SumFrom int
	Parts   []string
	// Formed says why the unit is a former authority, for notes.
	Formed string
}

// Harmonised reports whether some years of the unit are sums of its
// successors.
func (u Unit) Harmonised() bool { return u.SumFrom != 0 }

// Area is the unit as a rates.Area.
func (u Unit) Area() rates.Area {
	return rates.Area{Level: rates.LocalAuthority, Code: u.Code, Name: u.Name, OldCode: u.OldCode}
}

// Exclusion kinds.
const (
	ExcludedSmall    = "small population"
	ExcludedByUser   = "excluded by request"
	ExcludedBoundary = "boundary change without harmonisation"
	ExcludedMissing  = "no value"
	ExcludedWeight   = "no weight"
)

// Exclusion is a council left out, and why.
type Exclusion struct {
	Code   string
	Name   string
	Kind   string // one of the Excluded* constants
	Reason string // in words, shown to the reader
}

// SmallPopulation lists the councils left out by default: their child
// populations (a few hundred) are so small that a rate per 10,000 swings
// wildly with one or two children, and most of their counts are
// suppressed.
var SmallPopulation = map[string]string{
	"E06000053": "Isles of Scilly",
	"E09000001": "City of London",
}

// SmallPopulationReason is the reason shown for them.
const SmallPopulationReason = "small population: left out by default because a child population of a few hundred makes rates per 10,000 meaningless (include with --include-small)"

// Options say which councils to analyse.
type Options struct {
	// IncludeSmall keeps the Isles of Scilly and the City of London.
	IncludeSmall bool
	// Exclude are local authority names or codes to leave out.
	Exclude []string
	// Weight is "" or "population": weight each council by its 0-17
	// population (the rate denominator) in the latest year the specs use.
	Weight string
}

// WeightPopulation is the accepted Options.Weight value.
const WeightPopulation = "population"

// Units returns the units for comparisons spanning reporting years
// from..to, and the current councils that cannot be units because of a
// boundary change without harmonisation. Councils are those the registry
// has seen in a DfE data file. Units are sorted by name.
func Units(reg *la.Registry, from, to int) ([]Unit, []Exclusion) {
	byCode := map[string]*Unit{}
	var order []string
	var excl []Exclusion
	for _, a := range reg.Current() {
		if a.LastYear == 0 {
			continue // known only from the boundary-change table or the population file
		}
		bc := a.Change
		if bc == nil || len(a.Predecessors) == 0 || from >= bc.FirstReportingYear {
			byCode[a.Code] = &Unit{Code: a.Code, OldCode: a.OldCode, Name: a.Name, Members: []string{a.Code}}
			order = append(order, a.Code)
			continue
		}
		var befores []string
		for _, b := range bc.Before {
			befores = append(befores, b.Name)
		}
		if len(a.Predecessors) != 1 {
			excl = append(excl, Exclusion{Code: a.Code, Name: a.Name, Kind: ExcludedBoundary,
				Reason: fmt.Sprintf("boundary change without harmonisation: %s began on %s, formed from %s, and no single former authority covers the same area, so there is no comparable figure before %d",
					a.Name, bc.Effective, joinAnd(befores), bc.FirstReportingYear)})
			continue
		}
		pred, ok := reg.Get(a.Predecessors[0])
		if !ok {
			excl = append(excl, Exclusion{Code: a.Code, Name: a.Name, Kind: ExcludedBoundary,
				Reason: fmt.Sprintf("boundary change without harmonisation: %s began on %s and its former authority is unknown", a.Name, bc.Effective)})
			continue
		}
		u := byCode[pred.Code]
		if u == nil {
			u = &Unit{Code: pred.Code, OldCode: pred.OldCode, Name: pred.Name}
			var parts []string
			for _, s := range pred.Successors {
				if sa, ok := reg.Get(s); ok {
					parts = append(parts, sa.Name)
				}
			}
			if to >= bc.FirstReportingYear {
				u.SumFrom = bc.FirstReportingYear
				u.Parts = append([]string(nil), pred.Successors...)
				u.Name = fmt.Sprintf("%s (%s)", pred.Name, strings.Join(parts, " + "))
				u.Formed = fmt.Sprintf("%s: %s's own figures up to %d, then %s summed (counts and populations) from %d, because the years analysed cross the split of %s on %s",
					u.Name, pred.Name, bc.FirstReportingYear-1, joinAnd(parts), bc.FirstReportingYear, pred.Name, bc.Effective)
			} else {
				u.Formed = fmt.Sprintf("%s stands for %s: the years analysed end before %s split on %s", pred.Name, joinAnd(parts), pred.Name, bc.Effective)
			}
			byCode[pred.Code] = u
			order = append(order, pred.Code)
		}
		u.Members = append(u.Members, a.Code)
	}
	out := make([]Unit, 0, len(order))
	for _, c := range order {
		out = append(out, *byCode[c])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	sortExclusions(excl)
	return out, excl
}

// selectUnits applies the small-population default and --exclude.
func selectUnits(reg *la.Registry, units []Unit, opts Options) ([]Unit, []Exclusion, error) {
	drop := map[string]string{} // authority code -> the query that named it
	for _, q := range opts.Exclude {
		a, err := reg.Lookup(q)
		if err != nil {
			return nil, nil, err
		}
		drop[a.Code] = q
		for _, s := range a.Successors {
			drop[s] = q
		}
	}
	var keep []Unit
	var excl []Exclusion
	for _, u := range units {
		codes := append(append([]string{u.Code}, u.Members...), u.Parts...)
		q, hit := "", false
		for _, c := range codes {
			if query, ok := drop[c]; ok {
				q, hit = query, true
			}
		}
		switch {
		case hit:
			excl = append(excl, Exclusion{Code: u.Code, Name: u.Name, Kind: ExcludedByUser, Reason: fmt.Sprintf("excluded by request (--exclude %s)", q)})
		case !opts.IncludeSmall && SmallPopulation[u.Code] != "":
			excl = append(excl, Exclusion{Code: u.Code, Name: u.Name, Kind: ExcludedSmall, Reason: SmallPopulationReason})
		default:
			keep = append(keep, u)
		}
	}
	return keep, excl, nil
}

func sortExclusions(e []Exclusion) {
	sort.SliceStable(e, func(i, j int) bool { return e[i].Name < e[j].Name })
}

// joinAnd writes "a", "a and b", "a, b and c".
func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// ExistedIn reports whether an authority reported in its own right in a
// reporting year: not a successor before its first reporting year, nor a
// former authority after it ended. DfE files carry placeholder rows (z)
// for such years, which are not missing data.
func ExistedIn(a *la.Authority, year int) bool {
	if a == nil || a.Change == nil {
		return true
	}
	if len(a.Predecessors) > 0 && year < a.Change.FirstReportingYear {
		return false
	}
	return a.Current() || year < a.Change.FirstReportingYear
}
