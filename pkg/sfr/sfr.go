// Package sfr reads the underlying-data CSV files of DfE's statistical
// first releases (SFR) "Children looked after in England (including
// adoption)" for the years ending 31 March 2010 to 2017, the years before
// the Explore education statistics (EES) open-data files begin.
//
// The files are wide: one row per area (England, each region, each local
// authority) and one column per figure. Their column names drift between
// years (MarTotal_2010, CLA_Mar2011, ...; CLA_ceaAdop, CLA_ceaAdop1,
// CEA_Adop1 ...), so a file is recognised by its header: the geography
// columns geog_l, geog_c and geog_n, and at least one column of a figure in
// the table Figures. File names play no part in recognising a file.
//
// Reference: the column definitions in DfE's metadata files shipped with
// the releases (SFR27_2010_metadata_1.txt, "Meta Data Document.txt"
// 2014-2016, SFR50_2017_MetaData.txt).
package sfr

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/cscstats/cscstats/pkg/ees"
)

// Symbols the SFR files use beside the EES ones ("x" is shared).
const (
	// NotAvailableDots is ".." (not available) in the older tables.
	NotAvailableDots ees.Symbol = ".."
	// SpreadsheetError is a stray spreadsheet "#VALUE!" left in a cell.
	SpreadsheetError ees.Symbol = "#VALUE!"
)

// ParseValue reads one SFR cell: a number, an EES symbol (x, c, ...), "..",
// "#VALUE!" or an empty cell. Symbols are missing values, never zero.
func ParseValue(text string) (ees.Value, bool) {
	t := strings.TrimSpace(text)
	switch strings.ToUpper(t) {
	case "..":
		return ees.Missing(NotAvailableDots), true
	case "#VALUE!":
		return ees.Missing(SpreadsheetError), true
	}
	return ees.ParseValue(t)
}

// Part is one published column that a figure is read from.
type Part struct {
	Pattern *regexp.Regexp // matched against the normalised header name
}

// Figure says how one catalogue measure is read from an SFR file: from
// one column, or as the sum of two columns (adoptions under two legal
// routes, special guardianship orders to two kinds of carer).
type Figure struct {
	Measure string
	Parts   []*regexp.Regexp
	// Unless names a column whose presence means this figure is not the
	// one to read (CLA_ceaAdop alone is the adoption total of the ADP
	// tables, but the first half of a pair in the CEA tables).
	Unless *regexp.Regexp
	// Priority orders figures for the same measure within one release:
	// lower wins. Published totals (0) beat sums of parts (1), which are
	// missing whenever a part is suppressed.
	Priority int
	Note     string
}

func re(s string) *regexp.Regexp { return regexp.MustCompile("(?i)^" + s + "$") }

// Notes for figures made of two columns.
const (
	AdoptionSumNote = "sum of the two published adoption columns (application unopposed + consent dispensed with); missing when either part is suppressed"
	SGOSumNote      = "sum of the two published special guardianship columns (to former foster carers + to other carers); missing when either part is suppressed"
	AdoptionTotal   = "adoption total as published (CLA_ceaAdop of the adoptions table)"
)

// Figures is the table of what cscstats reads from SFR files, checked
// against the files of 2010 to 2017 (see the package tests). Its
// patterns are compiled when first asked for: compiling them when the
// program started was a fifth of every command's start-up.
var Figures = sync.OnceValue(func() []Figure {
	return []Figure{
		{Measure: "cla_31march", Parts: []*regexp.Regexp{re(`(MarTotal_|CLA_Mar)\d{4}`)}},
		{Measure: "cla_starts", Parts: []*regexp.Regexp{re(`(StartTotal_|CLA_started)\d{4}`)}},
		// SCLA_U1: started to be looked after aged under 1. (CLA_U1 in the
		// CLA tables is looked after at 31 March aged under 1: not this.)
		{Measure: "under1_starts", Parts: []*regexp.Regexp{re(`SCLA_U1`)}},
		// CLA_cease appears in both the CEA and the ADP tables of 2011-2015,
		// with the same figures: the loader notes the duplicates.
		{Measure: "cla_ceased", Parts: []*regexp.Regexp{re(`(CeasedTotal_\d{4}|CLA_cease(\d{4})?)`)}},
		{Measure: "adoptions", Parts: []*regexp.Regexp{re(`CLA_ceaAdop`)}, Unless: re(`CLA_ceaAdop2`), Note: AdoptionTotal},
		{Measure: "adoptions", Parts: []*regexp.Regexp{re(`CeasedAdoptUnop_\d{4}`), re(`CeasedAdoptDisp_\d{4}`)}, Priority: 1, Note: AdoptionSumNote},
		{Measure: "adoptions", Parts: []*regexp.Regexp{re(`(CLA_ceaAdop1?|CEA_Adop1)`), re(`(CLA_ceaAdop2|CEA_Adop2)`)}, Priority: 1, Note: AdoptionSumNote},
		{Measure: "sgo", Parts: []*regexp.Regexp{re(`CeasedSpeGuaForm_\d{4}`), re(`CeasedSpecGuaOth_\d{4}`)}, Priority: 1, Note: SGOSumNote},
		{Measure: "sgo", Parts: []*regexp.Regexp{re(`(CLA_ceaSpecG1?|CEA_SGO1)`), re(`(CLA_ceaSpecG2|CEA_SGO2)`)}, Priority: 1, Note: SGOSumNote},
	}
})

// PopulationColumn is DfE's own estimate of children aged 0-17, published
// beside the 2010 figures (Mid2009Pop0-17): the denominator of the rates
// in that release.
var PopulationColumn = sync.OnceValue(func() *regexp.Regexp { return re(`Mid(\d{4})Pop0_17`) })

// Normalise folds a header name for matching: spaces trimmed, a trailing
// hyphen dropped, other hyphens read as underscores ("CLA-ceaDied" and
// "CLA_ceaDied" are the same column; "Mid2009Pop0-17" is matched as
// "Mid2009Pop0_17").
func Normalise(h string) string {
	h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
	h = strings.TrimRight(h, "- ")
	return strings.ReplaceAll(h, "-", "_")
}

// ParseError reports malformed input with its position.
type ParseError = ees.ParseError

// NotSFRError says a file is not an SFR underlying-data file (it lacks the
// geography columns or any known figure). It is the reader's answer for
// any other CSV, so callers can try another reader.
type NotSFRError struct {
	File   string
	Reason string
}

func (e *NotSFRError) Error() string {
	return e.File + ": not an SFR underlying-data file: " + e.Reason
}

// YearError says the reporting year of an SFR file could not be told.
type YearError struct {
	File   string
	Reason string
}

func (e *YearError) Error() string {
	return e.File + ": cannot tell which year this SFR file is for: " + e.Reason +
		" (put it in a folder named after the year ending 31 March, such as 2015/; `cscstats fetch --from DIR` does this)"
}

type column struct {
	fig   Figure
	index []int // header positions of the parts
	names []string
}

// Reader streams the rows of one SFR file.
type Reader struct {
	name     string
	br       *bufio.Reader // read by csv; handed back by Release
	csv      *csv.Reader
	header   []string
	index    map[string]int
	columns  []column
	parts    int // parts of all columns: cells read per row
	geo      geoColumns
	popCol   int // -1 when absent
	popYear  int
	year     int
	yearFrom string
	yearNote string
	line     int
}

// The patterns that find a file's year, compiled when first used.
var (
	yearInName   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?:^|[^0-9])(20[0-9]{2})(?:[^0-9]|$)`) })
	yearFolder   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:.*[^0-9])?(20[0-9]{2})$`) }) // "2015", "sfr-2015"
	yearInColumn = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^[a-z0-9_]*?[a-z_](20[0-9]{2})$`) })
)

// NewReader reads the header of an SFR file. path is used in errors and
// for the year (see Year). A CSV that is not an SFR file gives a
// *NotSFRError.
func NewReader(r io.Reader, path string) (*Reader, error) {
	br := readBuffers.Get().(*bufio.Reader)
	br.Reset(r)
	head, _ := br.Peek(512)
	if len(bytes.TrimSpace(head)) == 0 {
		return nil, &NotSFRError{File: path, Reason: "the file is empty"}
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return nil, &NotSFRError{File: path, Reason: "binary data"}
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, &NotSFRError{File: path, Reason: "no CSV header line: " + err.Error()}
	}
	rd := &Reader{name: path, br: br, csv: cr, index: map[string]int{}, popCol: -1, line: 1}
	for i, h := range header {
		n := Normalise(toUTF8(h))
		rd.header = append(rd.header, n)
		if _, dup := rd.index[strings.ToLower(n)]; !dup && n != "" {
			rd.index[strings.ToLower(n)] = i
		}
	}
	for _, c := range []string{"geog_l", "geog_c", "geog_n"} {
		if _, ok := rd.index[c]; !ok {
			return nil, &NotSFRError{File: path, Reason: "no " + c + " column"}
		}
	}
	taken := map[string]bool{} // (measure, priority) already read from this file
	for _, f := range Figures() {
		k := fmt.Sprintf("%s/%d", f.Measure, f.Priority)
		if taken[k] || (f.Unless != nil && rd.find(f.Unless) >= 0) {
			continue
		}
		c := column{fig: f}
		for _, p := range f.Parts {
			i := rd.find(p)
			if i < 0 {
				break
			}
			c.index = append(c.index, i)
			c.names = append(c.names, rd.header[i])
		}
		if len(c.index) == len(f.Parts) {
			rd.parts += len(c.index)
			rd.columns = append(rd.columns, c)
			taken[k] = true
		}
	}
	for i, h := range rd.header {
		if m := PopulationColumn().FindStringSubmatch(h); m != nil {
			rd.popCol = i
			rd.popYear, _ = strconv.Atoi(m[1])
			break
		}
	}
	if len(rd.columns) == 0 && rd.popCol < 0 {
		return nil, &NotSFRError{File: path, Reason: "no column of a figure cscstats reads (looked after at 31 March, starts, starts under 1, ceased, adoptions, SGOs)"}
	}
	if err := rd.findYear(path); err != nil {
		return nil, err
	}
	rd.geo = rd.geoColumns()
	return rd, nil
}

// find returns the position of the only header matching p, or -1.
func (rd *Reader) find(p *regexp.Regexp) int {
	for i, h := range rd.header {
		if p.MatchString(h) {
			return i
		}
	}
	return -1
}

// findYear settles the reporting year of the file. The SFR files say it in
// three places, none complete: the folder (sfr/2015/, or a name ending
// in the year such as sfr-2015/), the file name
// (SFR34_ADM2015.csv; but SFR21_CEA.csv has none) and some column names
// (CLA_Mar2015; the CEA and ADP tables have none, and the 2015 ADM table
// labels its columns CLA_started2014 although its figures are for 2015).
// So the name (file name, then folder) is preferred, column names are the
// fallback, and a disagreement is kept as a note.
func (rd *Reader) findYear(path string) error {
	fromName, where := 0, ""
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if m := yearInName().FindAllStringSubmatch(base, -1); len(m) == 1 {
		fromName, where = atoi(m[0][1]), "the file name"
	} else if m := yearFolder().FindStringSubmatch(filepath.Base(filepath.Dir(path))); m != nil {
		fromName, where = atoi(m[1]), "the folder name"
	}
	colYears := map[int]bool{}
	for _, h := range rd.header {
		if PopulationColumn().MatchString(h) {
			continue
		}
		if m := yearInColumn().FindStringSubmatch(h); m != nil {
			colYears[atoi(m[1])] = true
		}
	}
	var cols []int
	for y := range colYears {
		cols = append(cols, y)
	}
	sort.Ints(cols)
	switch {
	case fromName != 0:
		rd.year, rd.yearFrom = fromName, where
		if len(cols) > 0 && !(len(cols) == 1 && cols[0] == fromName) {
			rd.yearNote = fmt.Sprintf("column names carry the year(s) %s but %s says %d; %d was used (DfE's 2015 starts table labels its columns 2014)",
				joinInts(cols), where, fromName, fromName)
		}
	case len(cols) == 1:
		rd.year, rd.yearFrom = cols[0], "the column names"
	case len(cols) > 1:
		return &YearError{File: rd.name, Reason: "its column names carry several years (" + joinInts(cols) + ") and neither its name nor its folder gives one"}
	default:
		return &YearError{File: rd.name, Reason: "neither its column names, its file name nor its folder carry a year"}
	}
	return nil
}

// readBuffers are the read buffers of readers released, for the next
// reader (a 64 KB buffer per file read was most of what reading the
// files of a release allocated).
var readBuffers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}

// Release hands the reader's read buffer to the next reader made. The
// reader must not be used after it; rows it returned stay valid. Calling
// it is optional.
func (rd *Reader) Release() {
	if rd.br == nil {
		return
	}
	rd.br.Reset(nil)
	readBuffers.Put(rd.br)
	rd.br, rd.csv = nil, nil
}

// Year is the reporting year (ending 31 March) the file's figures are for.
func (rd *Reader) Year() int { return rd.year }

// YearSource says where Year came from: "the file name", "the folder
// name" or "the column names".
func (rd *Reader) YearSource() string { return rd.yearFrom }

// YearNote is set when the column names disagree with the file's name.
func (rd *Reader) YearNote() string { return rd.yearNote }

// Name is the path given to NewReader.
func (rd *Reader) Name() string { return rd.name }

// Header returns the normalised column names.
func (rd *Reader) Header() []string { return rd.header }

// Figures lists the figures this file gives, in table order.
func (rd *Reader) Figures() []Figure {
	out := make([]Figure, len(rd.columns))
	for i, c := range rd.columns {
		out[i] = c.fig
	}
	return out
}

// HasPopulation reports whether the file carries DfE's population column.
func (rd *Reader) HasPopulation() bool { return rd.popCol >= 0 }

// Value is one figure of a row.
type Value struct {
	Measure  string
	Priority int
	Value    ees.Value
	Columns  []string // the header names read
	Parts    []ees.Value
	Note     string
}

// Row is one area's figures.
type Row struct {
	Line   int
	Geo    ees.Geography
	Values []Value
	// Population is DfE's 0-17 estimate when the file has one (2010),
	// for mid-year PopulationMidYear; Population.Symbol is Blank otherwise.
	Population        ees.Value
	PopulationMidYear int
}

// Read returns the next row, or io.EOF.
func (rd *Reader) Read() (Row, error) {
	rec, err := rd.csv.Read()
	if err != nil {
		if err == io.EOF {
			return Row{}, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			out := &ParseError{File: rd.name, Line: pe.Line, Column: pe.Column, Err: pe.Err}
			if errors.Is(pe.Err, csv.ErrFieldCount) {
				out.Column = 0
				out.Expected = fmt.Sprintf("%d fields, as in the header", len(rd.header))
				out.Got = fmt.Sprintf("%d fields", len(rec))
				out.Err = nil
				out.Hint = "the row is ragged: the file may be truncated or hand-edited; download it again"
			}
			return Row{}, out
		}
		return Row{}, &ParseError{File: rd.name, Err: err}
	}
	line, _ := rd.csv.FieldPos(0)
	row := Row{Line: line, Population: ees.Missing(ees.Blank), Values: make([]Value, 0, len(rd.columns))}
	parts := make([]ees.Value, 0, rd.parts) // every value's parts, in one allocation
	geo, err := rd.geography(rec, line)
	if err != nil {
		return Row{}, err
	}
	row.Geo = geo
	for _, c := range rd.columns {
		v := Value{Measure: c.fig.Measure, Priority: c.fig.Priority, Columns: c.names, Note: c.fig.Note,
			Parts: parts[len(parts) : len(parts) : len(parts)+len(c.index)]}
		sum, ok := 0.0, true
		var firstMissing ees.Value
		for _, i := range c.index {
			pv, err := rd.cell(rec, i, line)
			if err != nil {
				return Row{}, err
			}
			v.Parts = append(v.Parts, pv)
			if !pv.OK() {
				if ok {
					firstMissing = pv
				}
				ok = false
				continue
			}
			sum += pv.Number
		}
		if ok {
			v.Value = ees.Num(sum)
		} else {
			v.Value = firstMissing
		}
		parts = parts[:len(parts)+len(v.Parts)]
		row.Values = append(row.Values, v)
	}
	if rd.popCol >= 0 {
		pv, err := rd.cell(rec, rd.popCol, line)
		if err != nil {
			return Row{}, err
		}
		row.Population, row.PopulationMidYear = pv, rd.popYear
	}
	return row, nil
}

func (rd *Reader) cell(rec []string, i, line int) (ees.Value, error) {
	v, ok := ParseValue(rec[i])
	if !ok {
		_, col := rd.csv.FieldPos(i)
		return ees.Value{}, &ParseError{File: rd.name, Line: line, Column: col, Field: rd.header[i],
			Expected: "a number or a symbol (x, .., #VALUE!)", Got: rec[i],
			Hint: "fix or remove the cell, or download the file again"}
	}
	return v, nil
}

// Region codes by name: the 2010 files give regions only by name and a
// letter, and the letters changed in 2011 (Yorkshire and the Humber was D
// in 2010, C from 2011), so names are the key. Inner and Outer London
// carry London's code E12000007 in the files from 2011; EES files give
// them their own codes, E13000001 and E13000002, as here.
var regions = []struct{ name, code string }{
	{"North East", "E12000001"}, {"North West", "E12000002"}, {"Yorkshire and The Humber", "E12000003"},
	{"East Midlands", "E12000004"}, {"West Midlands", "E12000005"}, {"East of England", "E12000006"},
	{"London", "E12000007"}, {"South East", "E12000008"}, {"South West", "E12000009"},
	{"Inner London", "E13000001"}, {"Outer London", "E13000002"},
}

// foldedRegions are the regions' names folded (foldName), once.
var foldedRegions = func() []string {
	out := make([]string, len(regions))
	for i, r := range regions {
		out[i] = foldName(r.name)
	}
	return out
}()

func foldName(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// Levels as EES spells them.
const (
	National       = "National"
	Regional       = "Regional"
	LocalAuthority = "Local authority"
)

// text is the trimmed UTF-8 text of a column, named in lower case.
func (rd *Reader) text(rec []string, col string) string {
	if i, ok := rd.index[col]; ok {
		return rd.textAt(rec, i)
	}
	return ""
}

// textAt is text for the column at position i (-1 for none).
func (rd *Reader) textAt(rec []string, i int) string {
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(toUTF8(rec[i]))
}

// geoColumns are the positions of the geography columns (-1 when
// absent), found once per file rather than by name on every row.
type geoColumns struct{ level, code, dfe, name int }

func (rd *Reader) geoColumns() geoColumns {
	at := func(col string) int {
		if i, ok := rd.index[col]; ok {
			return i
		}
		return -1
	}
	return geoColumns{level: at("geog_l"), code: at("new_geog_code"), dfe: at("geog_c"), name: at("geog_n")}
}

// geography reads geog_l (National/GOR/LA in 2010, NATIONAL/REGION/LA
// later), geog_c (the DfE 3-digit code, or a region letter), geog_n and,
// from 2011, New_geog_code (the ONS code). A blank geog_l (the Isles of
// Scilly row of 2017) is read from the ONS code's type.
func (rd *Reader) geography(rec []string, line int) (ees.Geography, error) {
	// Column names as rd.index holds them, lower case (text looks them
	// up as given: a mixed-case name was lowered, a string, every row).
	level := strings.ToUpper(rd.textAt(rec, rd.geo.level))
	code := strings.ToUpper(rd.textAt(rec, rd.geo.code))
	dfe := rd.textAt(rec, rd.geo.dfe)
	name := rd.textAt(rec, rd.geo.name)
	if level == "" {
		switch {
		case strings.HasPrefix(code, "E92"):
			level = "NATIONAL"
		case strings.HasPrefix(code, "E12"), strings.HasPrefix(code, "E13"):
			level = "REGION"
		case len(code) == 9 && (strings.HasPrefix(code, "E06") || strings.HasPrefix(code, "E08") || strings.HasPrefix(code, "E09") || strings.HasPrefix(code, "E10")):
			level = "LA"
		}
	}
	switch level {
	case "NATIONAL":
		return ees.Geography{Level: National}, nil
	case "GOR", "REGION":
		folded := foldName(name)
		for i, r := range regions {
			if foldedRegions[i] == folded {
				return ees.Geography{Level: Regional, RegionCode: r.code, RegionName: r.name}, nil
			}
		}
		return ees.Geography{}, rd.fieldError(rec, line, "geog_n", "a region name such as North East or Yorkshire and The Humber", name)
	case "LA":
		if !isDfECode(dfe) {
			return ees.Geography{}, rd.fieldError(rec, line, "geog_c", "a 3-digit DfE local authority code", dfe)
		}
		return ees.Geography{Level: LocalAuthority, OldLACode: dfe, NewLACode: code, LAName: name}, nil
	}
	return ees.Geography{}, rd.fieldError(rec, line, "geog_l", "National, GOR, LA, NATIONAL or REGION", rd.text(rec, "geog_l"))
}

func (rd *Reader) fieldError(rec []string, line int, col, expected, got string) error {
	pe := &ParseError{File: rd.name, Line: line, Field: col, Expected: expected, Got: got,
		Hint: "this row's geography cannot be read; check the file is an SFR underlying-data CSV, or download it again"}
	if i, ok := rd.index[strings.ToLower(col)]; ok {
		_, pe.Column = rd.csv.FieldPos(i)
	}
	return pe
}

func isDfECode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// toUTF8 reads latin-1 text (the SFR files predate UTF-8 at DfE) as UTF-8;
// valid UTF-8 is left alone.
func toUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func joinInts(ys []int) string {
	parts := make([]string, len(ys))
	for i, y := range ys {
		parts[i] = strconv.Itoa(y)
	}
	return strings.Join(parts, ", ")
}
