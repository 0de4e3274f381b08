// Package measures is the catalogue of what cscstats can count: one
// declarative table saying, for each measure, which publication and which
// kind of EES file it comes from, which indicator column and which filter
// values select it, its unit and its denominator.
//
// Files are recognised by their content (columns and filter values), never by
// their names, so a later release or a renamed file just works.
package measures

import (
	"fmt"
	"sort"
	"strings"
)

// Publications the measures come from.
const (
	PubCIN = "Children in need (formerly Characteristics of children in need), DfE"
	PubCLA = "Children looked after in England including adoptions, DfE"
	PubONS = "ONS mid-year population estimates (as published on EES)"
)

// Denominator descriptions.
const (
	DenomChildren = "children aged 0-17 (ONS mid-year estimate for the mid-year before the reporting year ends)"
)

// ProxyNote is the wording every output uses for the under-1 measure.
const ProxyNote = "children starting care aged under 1 (proxy for removals at birth)"

// Source says where a measure's counts are read from: the indicator column
// of a file and the filter values that select the rows. Filters maps a
// filter column to the value it must hold (compared case-insensitively,
// ignoring surrounding spaces).
type Source struct {
	Indicator string
	Filters   map[string]string
}

// Measure is one entry of the catalogue.
type Measure struct {
	ID          string
	Label       string // short label for tables and chart titles
	Definition  string // one sentence a reader can understand
	Publication string
	FileKind    string // ID of the FileKind the counts come from
	Unit        string // what the count counts
	Denominator string
	// Sources are tried in order: the first source that has a value for a
	// year and area wins; later sources only fill gaps (for example the
	// adoptions total appears both in the reasons-for-ceasing file and in
	// the adoption/SGO breakdown file).
	Sources []Source
	// Note is shown with every chart and table of the measure.
	Note string
}

// Catalogue is the table of measures, in the order of the child protection
// cascade. Column names and filter values are those of the DfE files; see
// ../../data/sources.json for the releases they were checked against.
var Catalogue = []Measure{
	{ID: "referrals", Label: "Referrals to children's social care", FileKind: KindCINReferrals, Publication: PubCIN,
		Definition: "Referrals to children's social care during the year ending 31 March",
		Unit:       "referrals", Sources: []Source{{Indicator: "referral_count"}}},
	{ID: "cin_31march", Label: "Children in need at 31 March", FileKind: KindCINInNeed, Publication: PubCIN,
		Definition: "Children in need (episodes open) at 31 March",
		Unit:       "children", Sources: []Source{{Indicator: "At31_episodes"}}},
	{ID: "s47", Label: "Section 47 enquiries", FileKind: KindCINS47ICPC, Publication: PubCIN,
		Definition: "Section 47 enquiries started during the year ending 31 March",
		Unit:       "enquiries", Sources: []Source{{Indicator: "Section47"}}},
	{ID: "icpc", Label: "Initial child protection conferences", FileKind: KindCINS47ICPC, Publication: PubCIN,
		Definition: "Initial child protection conferences (ICPCs) held during the year ending 31 March",
		Unit:       "conferences", Sources: []Source{{Indicator: "ICPC"}}},
	{ID: "cpp_starts", Label: "Child protection plans started", FileKind: KindCINCPPStarts, Publication: PubCIN,
		Definition: "Child protection plans starting during the year ending 31 March",
		Unit:       "plans", Sources: []Source{{Indicator: "CPP_start"}}},
	{ID: "cpp_31march", Label: "Child protection plans at 31 March", FileKind: KindCINCPP31March, Publication: PubCIN,
		Definition: "Children who were the subject of a child protection plan at 31 March",
		Unit:       "children", Sources: []Source{{Indicator: "CPP_At31"}}},
	{ID: "cla_starts", Label: "Children starting to be looked after", FileKind: KindCLARates, Publication: PubCLA,
		Definition: "Children starting to be looked after during the year ending 31 March",
		Unit:       "children", Sources: []Source{
			{Indicator: "children_count", Filters: map[string]string{"population_type": "Children starting to be looked after each year"}},
			// The layout of the November 2022 release (2018-2022).
			{Indicator: "number", Filters: map[string]string{"population_count": "Children starting to be looked after each year"}},
		}},
	{ID: "under1_starts", Label: "Children starting care aged under 1", FileKind: KindCLAStarted, Publication: PubCLA,
		Definition: "Children starting to be looked after during the year ending 31 March who were aged under 1 year",
		Unit:       "children", Note: ProxyNote,
		Sources: []Source{{Indicator: "number", Filters: map[string]string{"cla_group": "Age group", "characteristic": "Under 1 year"}}}},
	{ID: "cla_31march", Label: "Children looked after at 31 March", FileKind: KindCLARates, Publication: PubCLA,
		Definition: "Children looked after at 31 March",
		Unit:       "children", Sources: []Source{
			{Indicator: "children_count", Filters: map[string]string{"population_type": "Children looked after on 31 March each year"}},
			// The layout of the November 2022 release (2018-2022).
			{Indicator: "number", Filters: map[string]string{"population_count": "Children looked after at 31 March each year"}},
		}},
	{ID: "cla_ceased", Label: "Children ceasing to be looked after", FileKind: KindCLARates, Publication: PubCLA,
		Definition: "Children ceasing to be looked after during the year ending 31 March",
		Unit:       "children", Sources: []Source{
			{Indicator: "children_count", Filters: map[string]string{"population_type": "Children ceasing to be looked after each year"}},
			// The layout of the November 2022 release (2018-2022).
			{Indicator: "number", Filters: map[string]string{"population_count": "Children ceasing to be looked after each year"}},
		}},
	{ID: "adoptions", Label: "Adoptions from care", FileKind: KindCLACeased, Publication: PubCLA,
		Definition: "Children who ceased to be looked after during the year ending 31 March because they were adopted",
		Unit:       "children",
		Sources: []Source{
			{Indicator: "number", Filters: map[string]string{"cla_group": "Reason episode ceased", "characteristic": "Adopted"}},
			{Indicator: "number", Filters: map[string]string{"cla_group": "Adopted", "characteristic": "Total"}},
		}},
	{ID: "sgo", Label: "Special guardianship orders from care", FileKind: KindCLACeased, Publication: PubCLA,
		Definition: "Children who ceased to be looked after during the year ending 31 March on a special guardianship order",
		Unit:       "children",
		Sources: []Source{
			{Indicator: "number", Filters: map[string]string{"cla_group": "Reason episode ceased", "characteristic": "Special guardianship orders"}},
			{Indicator: "number", Filters: map[string]string{"cla_group": "Special guardianship orders", "characteristic": "Total"}},
		}},
}

func init() {
	for i := range Catalogue {
		if Catalogue[i].Denominator == "" {
			Catalogue[i].Denominator = DenomChildren
		}
	}
}

// IDs lists the measure identifiers in catalogue order.
func IDs() []string {
	ids := make([]string, len(Catalogue))
	for i, m := range Catalogue {
		ids[i] = m.ID
	}
	return ids
}

// UnknownError is returned for a measure name not in the catalogue.
type UnknownError struct{ Name string }

func (e *UnknownError) Error() string {
	return fmt.Sprintf("unknown measure %q; valid measures: %s (see `cscstats measures`)", e.Name, strings.Join(IDs(), ", "))
}

// Lookup finds a measure by ID (case-insensitive).
func Lookup(id string) (Measure, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	for _, m := range Catalogue {
		if m.ID == id {
			return m, nil
		}
	}
	return Measure{}, &UnknownError{Name: id}
}

// Parse resolves a comma-separated list of measure IDs ("s47,icpc"), or
// "all", into catalogue entries, keeping the order given and dropping
// duplicates.
func Parse(list []string) ([]Measure, error) {
	var out []Measure
	seen := map[string]bool{}
	for _, item := range list {
		for _, id := range strings.Split(item, ",") {
			id = strings.TrimSpace(id)
			if id == "" {
				continue
			}
			if strings.EqualFold(id, "all") {
				for _, m := range Catalogue {
					if !seen[m.ID] {
						seen[m.ID] = true
						out = append(out, m)
					}
				}
				continue
			}
			m, err := Lookup(id)
			if err != nil {
				return nil, err
			}
			if !seen[m.ID] {
				seen[m.ID] = true
				out = append(out, m)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no measure given; valid measures: %s", strings.Join(IDs(), ", "))
	}
	return out, nil
}

// Match reports whether a row's filter values select this source.
func (s Source) Match(text func(col string) string) bool {
	for col, want := range s.Filters {
		if !strings.EqualFold(strings.TrimSpace(text(col)), want) {
			return false
		}
	}
	return true
}

// Columns lists the columns a source needs: its indicator and filters,
// sorted for stable messages.
func (s Source) Columns() []string {
	cols := []string{s.Indicator}
	for c := range s.Filters {
		cols = append(cols, c)
	}
	sort.Strings(cols[1:])
	return cols
}

// Matcher is a Source resolved against one file's header: the indicator
// and filter columns by position, so that matching a row compares a few
// cells instead of looking columns up by name.
type Matcher struct {
	Indicator int // position of the indicator column
	filters   []filterAt
}

type filterAt struct {
	index int
	want  string
	// trimmed: want has no surrounding space, so a cell equal to it
	// matches without trimming or folding (see MatchFields).
	trimmed bool
}

// Compile resolves the source's columns with index (a column's position,
// -1 when the file lacks it). ok is false when any column is missing.
// Filters are kept in column order, so matching is the same whatever
// order the map gives.
func (s Source) Compile(index func(col string) int) (m Matcher, ok bool) {
	if m.Indicator = index(s.Indicator); m.Indicator < 0 {
		return Matcher{}, false
	}
	for _, col := range s.Columns()[1:] {
		i := index(col)
		if i < 0 {
			return Matcher{}, false
		}
		want := s.Filters[col]
		m.filters = append(m.filters, filterAt{i, want, strings.TrimSpace(want) == want})
	}
	return m, true
}

// Match reports whether a row selects the source, given the trimmed text
// of the cell at a position (as Source.Match, compared case-insensitively).
func (m Matcher) Match(field func(i int) string) bool {
	for _, f := range m.filters {
		if !strings.EqualFold(field(f.index), f.want) {
			return false
		}
	}
	return true
}

// MatchFields is Match on a row's cells as read (untrimmed; a position
// past the end reads as ""): the same answer, without a call per cell,
// and a cell that is exactly the value wanted (nearly every matching
// cell) is taken without trimming or folding.
func (m Matcher) MatchFields(fields []string) bool {
	for _, f := range m.filters {
		var cell string
		if f.index >= 0 && f.index < len(fields) {
			cell = fields[f.index]
		}
		if f.trimmed && cell == f.want {
			continue
		}
		if !strings.EqualFold(strings.TrimSpace(cell), f.want) {
			return false
		}
	}
	return true
}
