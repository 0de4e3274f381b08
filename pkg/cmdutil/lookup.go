package cmdutil

import (
	"fmt"
	"strings"

	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/rates"
)

// LookupLA is the one way every command turns a council named by the user
// into an authority: by name, ONS code or DfE 3-digit code, or by the name
// of a former district or an alias ("Kettering" gives North
// Northamptonshire). When a former name was used, note says which council
// is shown instead, for the command's notes; otherwise it is empty.
func LookupLA(reg *la.Registry, query string) (a *la.Authority, note string, err error) {
	a, via, err := reg.Resolve(query)
	if err != nil {
		return nil, "", err
	}
	if via != nil {
		note = fmt.Sprintf("%q is %s; its children's services are run by %s, which is shown.", query, via.Describe(), a.Name)
	}
	return a, note, nil
}

// LookupLAs is LookupLA for several names: the authorities in order, each
// once, and the notes.
func LookupLAs(reg *la.Registry, queries []string) ([]*la.Authority, []string, error) {
	var out []*la.Authority
	var notes []string
	seen := map[string]bool{}
	for _, q := range queries {
		a, note, err := LookupLA(reg, q)
		if err != nil {
			return nil, nil, err
		}
		if note != "" {
			notes = append(notes, note)
		}
		if seen[a.Code] {
			continue
		}
		seen[a.Code] = true
		out = append(out, a)
	}
	return out, notes, nil
}

// AreasFor resolves --la values to areas (see LookupLA), followed by each
// authority's region (once) and England: the comparison set every
// per-authority command shows. notes say which former names were used.
func AreasFor(calc *rates.Calculator, queries []string) (areas []rates.Area, notes []string, err error) {
	as, notes, err := LookupLAs(calc.Registry, queries)
	if err != nil {
		return nil, nil, err
	}
	if len(as) == 0 {
		return nil, nil, FlagErrorf("give at least one local authority with --la")
	}
	var regions []rates.Area
	seenRegion := map[string]bool{}
	for _, a := range as {
		areas = append(areas, rates.LAArea(a))
		if a.RegionCode != "" && !seenRegion[a.RegionCode] {
			seenRegion[a.RegionCode] = true
			regions = append(regions, calc.RegionArea(a.RegionCode))
		}
	}
	return append(append(areas, regions...), rates.England()), notes, nil
}

// QuoteHint improves err, the failure to look up one of names, when the
// names were one council's name split into words by the shell (compare
// Isle of Wight): it says to put the name in quotes. Otherwise it returns
// err unchanged.
func QuoteHint(reg *la.Registry, names []string, err error) error {
	if err == nil || len(names) < 2 {
		return err
	}
	// The longest run of consecutive words that names one council.
	for n := len(names); n >= 2; n-- {
		for i := 0; i+n <= len(names); i++ {
			joined := strings.Join(names[i:i+n], " ")
			if a, _, lerr := reg.Resolve(joined); lerr == nil {
				return fmt.Errorf("%w\n%q looks like one council's name (%s) split into words: put it in quotes, as in \"%s\"", err, joined, a.Name, joined)
			}
		}
	}
	return err
}
