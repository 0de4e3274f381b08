package rates

import (
	"strconv"
	"strings"

	"github.com/cscstats/cscstats/pkg/export"
)

// SourceRefs lists where the count came from as "path:line": the
// figure's file and line (Provenance) for a reported rate, its parts'
// for a harmonised sum (Sources); none when there is no figure. It is
// made when asked for: a table of every measure and year has 16,000
// rates and most are never asked.
func (r Rate) SourceRefs() []string {
	if r.Provenance.File != "" {
		return []string{r.Provenance.File + ":" + strconv.Itoa(r.Provenance.Line)}
	}
	return r.Sources
}

// ProvenanceText says where the count came from: "file.csv:12 (release
// 2025)", with the figure's note; for a harmonised sum, its parts' files
// and lines.
func (r Rate) ProvenanceText() string {
	if r.Provenance.File != "" {
		return r.Provenance.String()
	}
	return strings.Join(r.Sources, "; ")
}

// Columns are the columns of every rates table. The CSV header is
// exactly these names; England and region rows carry their own ONS code
// and name in new_la_code and la_name.
var Columns = []export.Column{
	{Name: "measure", Decimals: -1}, {Name: "time_period", Decimals: -1}, {Name: "geographic_level", Decimals: -1},
	{Name: "new_la_code", Decimals: -1}, {Name: "la_name", Decimals: -1}, {Name: "region_name", Decimals: -1},
	{Name: "count", Decimals: -1}, {Name: "population", Decimals: 0},
	{Name: "rate_per_10k", Decimals: 1}, {Name: "ci_lower", Decimals: 1}, {Name: "ci_upper", Decimals: 1},
}

// JSONColumns are carried by --format json only: where each count came
// from (file:line and release, or the files of a harmonised sum), the
// population vintage and the estimate that divided it, and the note
// saying why a rate is missing or how it was made.
var JSONColumns = []export.Column{
	{Name: "provenance", Decimals: -1}, {Name: "population_vintage", Decimals: -1},
	{Name: "population_source", Decimals: -1}, {Name: "note", Decimals: -1},
}

// Section turns rates into a table section with Columns (and, for JSON,
// JSONColumns, whose cells are made from rs when JSON is written: rs
// must not change until the section is written). Its rows are in Rows,
// for callers that add cells to them.
func Section(name, title string, rs []Rate) export.Section {
	return SectionWith(name, title, rs, nil, nil).Materialize()
}

// SectionWith is Section with more columns after Columns: extra appends
// each rate's cells for them to dst and returns it. Its rows are made on
// demand (export.Section.RowFunc), from rs as it is when the section is
// written: CSV and JSON output of a large table then never hold its
// cells at once.
func SectionWith(name, title string, rs []Rate, cols []export.Column, extra func(dst []export.Cell, r *Rate) []export.Cell) export.Section {
	columns := Columns
	if len(cols) > 0 {
		columns = append(append(make([]export.Column, 0, len(Columns)+len(cols)), Columns...), cols...)
	}
	s := export.Section{Name: name, Title: title, Columns: columns, JSONOnly: JSONColumns}
	if len(rs) == 0 {
		return s
	}
	// The JSON-only cells (provenance text above all) are made only if
	// JSON is written.
	s.JSONOnlyRow = func(i int) []export.Cell {
		r := &rs[i]
		return []export.Cell{export.Str(r.ProvenanceText()), export.Str(string(r.Vintage)), export.Str(r.PopSource), export.Str(r.Note)}
	}
	s.NRows = len(rs)
	s.RowFunc = func(i int, cells []export.Cell) []export.Cell {
		r := &rs[i]
		var count export.Cell
		if r.Count.OK() {
			count = export.Num(r.Count.Number)
		} else {
			count = export.MissingCell(r.Count.String())
		}
		pop := export.Num(r.Population)
		if r.Population == 0 {
			pop = export.MissingCell("")
		}
		cells = append(cells,
			export.Str(r.Measure), export.Int(r.Year), export.Str(r.Area.Level), export.Str(r.Area.Code),
			export.Str(r.Area.Name), export.Str(r.Area.RegionName), count, pop,
			export.Num(r.Value), export.Num(r.Lower), export.Num(r.Upper),
		)
		if extra != nil {
			cells = extra(cells, r)
		}
		return cells
	}
	return s
}
