// Package population supplies the denominators for rates: children aged
// 0-17 by area, from the ONS mid-year estimates in the data directory.
//
// Convention (established by reproducing DfE's own rate_per_10000 in the
// CLA file "cla_number_and_rate_per_10k_children.csv", see the tests): the
// rate for reporting year Y, the year ending 31 March Y, divides by the ONS
// estimate for mid-year Y-1 (30 June of the year before the year ends). For
// example 2020-21 (time_period 2021) uses mid-2020.
//
// Vintages. ONS revises its estimates (after the 2021 Census it revised
// mid-2012 to mid-2020), so a rate depends on which vintage of the
// estimates divides it. Latest (the default) is today's ONS series;
// AsPublished is the population_estimate DfE printed beside its own rates
// in the release that first published each year (the earliest release in
// the data directory that gives the year), and Mid2009Pop0-17 in the 2010
// SFR files. A year the chosen vintage lacks has no denominator, with the
// reason: one vintage is never silently replaced by another.
package population

import (
	"fmt"
	"path/filepath"
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

// Vintage chooses which published estimates divide the counts.
type Vintage string

const (
	// Latest is today's ONS series (the ONS mid-year estimates file),
	// with DfE's population_estimate of the newest release where the ONS
	// file has no estimate for the year, if that release is no older than
	// the ONS file.
	Latest Vintage = "latest"
	// AsPublished is DfE's own denominator from the release that first
	// published each year: population_estimate in
	// cla_number_and_rate_per_10k_children.csv, Mid2009Pop0-17 in 2010.
	AsPublished Vintage = "as-published"
)

// Vintages lists the accepted --population values.
var Vintages = []Vintage{Latest, AsPublished}

// ParseVintage reads a --population value ("" is Latest).
func ParseVintage(s string) (Vintage, error) {
	switch Vintage(strings.ToLower(strings.TrimSpace(s))) {
	case "", Latest:
		return Latest, nil
	case AsPublished, "as_published", "aspublished":
		return AsPublished, nil
	}
	return "", fmt.Errorf("unknown population vintage %q; use latest (today's ONS estimates) or as-published (the estimates DfE used when it first published each year)", s)
}

// Describe says what the vintage is, for notes under tables and charts.
func (v Vintage) Describe() string {
	if v == AsPublished {
		return "as-published: the population_estimate DfE printed beside its own rates in the release that first published each year (Mid2009Pop0-17 for 2010)"
	}
	return "latest: today's ONS mid-year estimates (revised after the 2021 Census), else DfE's population_estimate from the newest release"
}

// Estimate is one denominator with where it came from.
type Estimate struct {
	Value   float64
	MidYear int
	Source  dataset.PopulationSource
	File    string
	Line    int
	Column  string // column read, when not population_estimate
	Release int    // release of the file, as a reporting year
	// Note qualifies an as-published estimate taken from a later release
	// than the year's own (the year's first release is not in the data).
	Note string
}

// Describe names the estimate and its file, for notes and provenance:
// "ONS mid-2020 estimate (ons_....csv)" or "DfE population_estimate for
// 2021, release 2022 (cla_number_and_rate_per_10k_children.csv:2193)".
func (e Estimate) Describe() string {
	if e.Source == dataset.ONS {
		return fmt.Sprintf("ONS mid-%d estimate (%s)", e.MidYear, filepath.Base(e.File))
	}
	col := "population_estimate"
	if e.Column != "" {
		col = e.Column
	}
	s := fmt.Sprintf("DfE %s for %d, release %d (%s:%d)", col, e.MidYear+1, e.Release, filepath.Base(e.File), e.Line)
	if e.Note != "" {
		s += "; " + e.Note
	}
	return s
}

type key struct {
	code string
	year int32 // mid-year for ONS, reporting year for DfE
	band uint8 // see Table.bandID
}

// Table looks up population estimates by area code and reporting year.
type Table struct {
	ons   map[key]Estimate
	dfe   map[key]Estimate // newest release
	first map[key]Estimate // earliest release: as published
	// onsRelease is the newest release of the ONS rows (0 without any).
	onsRelease int
	years      map[int]bool
	files      map[string]bool
	// otherBands numbers the age bands other than Children, Under1 and
	// Under5 that rows give (see bandID).
	otherBands map[Band]uint8
}

// bandID numbers an age band for the lookup keys: a number hashes faster
// than the band's text, and every rate looks a band up. ok is false for a
// band no row gives.
func (t *Table) bandID(b Band) (id uint8, ok bool) {
	switch b {
	case Children:
		return 1, true
	case Under1:
		return 2, true
	case Under5:
		return 3, true
	}
	id, ok = t.otherBands[b]
	return id, ok
}

// key is the lookup key of an area, year and band (band id 0 when no row
// gives the band, which no key holds).
func (t *Table) key(code string, year int, b Band) (key, bool) {
	id, ok := t.bandID(b)
	return key{code, int32(year), id}, ok
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
	// The maps are sized for the rows at once: growing them a doubling
	// at a time allocated about twice their final size.
	nONS, nDfE := 0, 0
	for i := range rows {
		if rows[i].Source == dataset.ONS {
			nONS++
		} else {
			nDfE++
		}
	}
	t := &Table{ons: make(map[key]Estimate, nONS), dfe: make(map[key]Estimate, nDfE), first: make(map[key]Estimate, nDfE),
		years: map[int]bool{}, files: map[string]bool{}, otherBands: map[Band]uint8{}}
	fileMax := map[string]int{}
	for _, r := range rows {
		fileMax[r.File] = max(fileMax[r.File], r.Year)
	}
	// release is the row's release, or (rows built by hand, without
	// one) the latest year its file covers.
	release := func(file string, rel int) int {
		if rel != 0 {
			return rel
		}
		return fileMax[file]
	}
	put := func(m map[key]Estimate, k key, e Estimate) {
		if old, ok := m[k]; ok && old.Release > e.Release {
			return
		}
		m[k] = e
	}
	putFirst := func(k key, e Estimate) {
		if old, ok := t.first[k]; ok && old.Release <= e.Release {
			return
		}
		t.first[k] = e
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
		if _, ok := t.bandID(band); !ok {
			t.otherBands[band] = uint8(4 + len(t.otherBands)) // a few bands at most
		}
		k, _ := t.key(code, r.Year, band)
		e := Estimate{Value: r.Value.Number, Source: r.Source, File: r.File, Line: r.Line, Column: r.Column, Release: release(r.File, r.Release)}
		switch r.Source {
		case dataset.ONS:
			e.MidYear = r.Year
			put(t.ons, k, e)
			t.onsRelease = max(t.onsRelease, e.Release)
			t.years[r.Year] = true
			t.files[r.File] = true
		case dataset.DfE:
			e.MidYear = MidYearFor(r.Year)
			put(t.dfe, k, e)
			putFirst(k, e)
		}
	}
	return t
}

// For returns the denominator for an area and reporting year in the
// latest vintage (see ForVintage).
func (t *Table) For(code string, reportingYear int, band Band) (Estimate, bool) {
	e, ok, _ := t.ForVintage(Latest, code, reportingYear, band)
	return e, ok
}

// ForVintage returns the denominator for an area and reporting year in
// the chosen vintage, or, when the vintage has none, why. The reason
// does not repeat the year, so that notes under tables and charts group
// consecutive years ("Leeds 2011-2012: no population estimate ...").
func (t *Table) ForVintage(v Vintage, code string, reportingYear int, band Band) (Estimate, bool, string) {
	if v != AsPublished {
		// A band no row gives has id 0, which no key holds: not found.
		onsKey, _ := t.key(code, MidYearFor(reportingYear), band)
		if e, ok := t.ons[onsKey]; ok {
			return e, true, ""
		}
		// DfE's own estimate stands in only when it is as new as the ONS
		// series in the data: an older one (2010's Mid2009Pop0-17) is of
		// an earlier vintage.
		dfeKey, _ := t.key(code, reportingYear, band)
		e, ok := t.dfe[dfeKey]
		if ok && e.Release >= t.onsRelease {
			return e, true, ""
		}
		if ok {
			return Estimate{}, false, fmt.Sprintf("no population estimate in the latest vintage (no ONS estimate for the mid-year before the year ends; DfE's own, from release %d, is of an earlier vintage: --population as-published uses it)", e.Release)
		}
		return Estimate{}, false, "no population estimate in the latest vintage (no ONS estimate for the mid-year before the year ends)"
	}
	firstKey, _ := t.key(code, reportingYear, band)
	e, ok := t.first[firstKey]
	if !ok {
		return Estimate{}, false, "no as-published population estimate (no release in the data prints DfE's for the year)"
	}
	if e.Release > reportingYear {
		e.Note = fmt.Sprintf("the earliest release in the data giving %d is %d", reportingYear, e.Release)
	}
	return e, true, ""
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
