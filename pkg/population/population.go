// Package population supplies the denominators for rates: children aged
// 0-17 by area, from the ONS mid-year estimates in the data directory.
//
// Convention (established by reproducing DfE's own rate_per_10000 in the
// CLA file "cla_number_and_rate_per_10k_children.csv", see the tests): the
// rate for reporting year Y, the year ending 31 March Y, divides by the ONS
// estimate for mid-year Y-1 (30 June of the year before the year ends). For
// example 2020-21 (time_period 2021) uses mid-2020.
package population

import (
	"sort"
	"strings"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/la"
)

// MidYearFor returns the ONS mid-year whose estimate is the denominator for
// a reporting year.
func MidYearFor(reportingYear int) int { return reportingYear - 1 }

// EnglandCode is the ONS code of England, the key for national rows.
const EnglandCode = "E92000001"

// Band is an age band.
type Band string

const (
	Children Band = "0-17"
	Under1   Band = "under 1"
	Under5   Band = "under 5"
)

// Bands are the denominators a rate can take, in the order offered.
var Bands = []Band{Children, Under1, Under5}

// Label names the band for titles and notes: "children aged 0-17".
func (b Band) Label() string {
	switch b {
	case Under1:
		return "children aged under 1"
	case Under5:
		return "children aged under 5"
	}
	return "children aged 0-17"
}

// Flag is the band's --per value: "0-17", "under1" or "under5".
func (b Band) Flag() string {
	switch b {
	case Under1:
		return "under1"
	case Under5:
		return "under5"
	}
	return "0-17"
}

// ParseBand reads a --per value: 0-17 (also "children", "all"), under1
// (also "under-1", "under 1", "0"), under5 (also "under-5", "under 5", "0-4").
func ParseBand(s string) (Band, bool) {
	switch strings.ToLower(strings.Join(strings.Fields(s), " ")) {
	case "", "0-17", "children", "all":
		return Children, true
	case "under1", "under-1", "under 1", "0":
		return Under1, true
	case "under5", "under-5", "under 5", "0-4":
		return Under5, true
	}
	return "", false
}

// Estimate is one denominator with where it came from.
type Estimate struct {
	Value   float64
	MidYear int
	Source  dataset.PopulationSource
	File    string
	Line    int
}

type key struct {
	code string
	year int // mid-year for ONS, reporting year for DfE
	band Band
}

// Table looks up population estimates by area code and reporting year.
type Table struct {
	ons   map[key]Estimate
	dfe   map[key]Estimate
	years map[int]bool
	files map[string]bool
}

// AreaCode is the key an area's population is filed under: England's code
// for national rows, the region code for regional rows, the canonical LA
// code for local authority rows.
func AreaCode(reg *la.Registry, level, countryCode, regionCode string, laCode string) string {
	switch level {
	case "National":
		if countryCode == "" {
			return EnglandCode
		}
		return countryCode
	case "Regional":
		return regionCode
	}
	return reg.Canonical(laCode)
}

// New indexes population rows. Suppressed or unavailable estimates are left
// out, so lookups report them as missing.
//
// When two files give an estimate for the same area and year (two releases,
// perhaps under an authority's former and current codes), the file reaching
// the later year wins: a newer release restates earlier years.
func New(rows []dataset.PopulationRow, reg *la.Registry) *Table {
	t := &Table{ons: map[key]Estimate{}, dfe: map[key]Estimate{}, years: map[int]bool{}, files: map[string]bool{}}
	fileMax := map[string]int{}
	for _, r := range rows {
		fileMax[r.File] = max(fileMax[r.File], r.Year)
	}
	put := func(m map[key]Estimate, k key, e Estimate) {
		if old, ok := m[k]; ok && fileMax[old.File] > fileMax[e.File] {
			return
		}
		m[k] = e
	}
	for _, r := range rows {
		if !r.Value.OK() {
			continue
		}
		var code string
		if r.Geo.Level == "Local authority" {
			code = reg.CanonicalGeo(r.Geo)
			if code == "" {
				continue
			}
		} else {
			code = AreaCode(reg, r.Geo.Level, EnglandCode, r.Geo.RegionCode, "")
		}
		band := Band(r.AgeBand)
		e := Estimate{Value: r.Value.Number, Source: r.Source, File: r.File, Line: r.Line}
		switch r.Source {
		case dataset.ONS:
			e.MidYear = r.Year
			put(t.ons, key{code, r.Year, band}, e)
			t.years[r.Year] = true
			t.files[r.File] = true
		case dataset.DfE:
			e.MidYear = MidYearFor(r.Year)
			put(t.dfe, key{code, r.Year, band}, e)
		}
	}
	return t
}

// For returns the denominator for an area and reporting year: the ONS
// estimate for the mid-year MidYearFor(reportingYear), or, where the ONS
// file has none, the estimate DfE published beside its CLA rates for that
// reporting year.
func (t *Table) For(code string, reportingYear int, band Band) (Estimate, bool) {
	if e, ok := t.ons[key{code, MidYearFor(reportingYear), band}]; ok {
		return e, true
	}
	if e, ok := t.dfe[key{code, reportingYear, band}]; ok {
		return e, true
	}
	return Estimate{}, false
}

// MidYears lists the ONS mid-years available, ascending.
func (t *Table) MidYears() []int {
	var out []int
	for y := range t.years {
		out = append(out, y)
	}
	sort.Ints(out)
	return out
}
