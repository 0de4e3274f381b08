package ees

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/cscstats/cscstats/pkg/safetext"
)

// ParseError reports malformed input with its position, what was expected
// there and what to do about it. Line and Column are 1-based; Column 0 means
// the whole line.
type ParseError struct {
	File     string
	Line     int
	Column   int
	Field    string // header name of the column, when known
	Expected string
	Got      string
	Hint     string
	Err      error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Field != "" {
		fmt.Fprintf(&b, "column %q: ", e.Field)
	}
	if e.Expected != "" {
		b.WriteString("expected " + e.Expected)
		if e.Got != "" || e.Err == nil {
			fmt.Fprintf(&b, ", got %q", e.Got)
		}
	}
	if e.Err != nil {
		if e.Expected != "" {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	if e.Hint != "" {
		b.WriteString(" (" + e.Hint + ")")
	}
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// RequiredColumns are present in every EES open-data file (DfE open data
// standard: time_period, time_identifier, geographic_level, country_code,
// country_name).
var RequiredColumns = []string{"time_period", "time_identifier", "geographic_level", "country_code", "country_name"}

// Limits bound what a Reader holds in memory, so that a hostile or broken
// file (a 1 GB line, a field that never ends, a million columns) fails with
// a clear error instead of exhausting memory. The defaults are far above
// any DfE file: the longest line in the published CIN and CLA files is
// under 1 KB, the longest field under 200 bytes, the widest file under 100
// columns.
type Limits struct {
	MaxLineBytes   int // bytes between two line breaks
	MaxRecordBytes int // bytes of one record (a quoted field may span lines)
	MaxFieldBytes  int // bytes of one field
	MaxColumns     int // fields in the header
}

// DefaultLimits are the limits NewReader uses.
var DefaultLimits = Limits{MaxLineBytes: 1 << 20, MaxRecordBytes: 4 << 20, MaxFieldBytes: 64 << 10, MaxColumns: 2000}

// ErrLimit is wrapped by the *ParseError for input beyond a Limit.
var ErrLimit = errors.New("input exceeds a reader limit")

// Reader streams the rows of one EES CSV file. Columns are found by header
// name; a leading UTF-8 byte-order mark, CRLF line ends and quoted fields
// with commas are handled.
type Reader struct {
	name   string
	br     *bufio.Reader // shared with csv: see Read
	lim    *limitReader
	limits Limits
	csv    *csv.Reader
	header []string
	index  map[string]int
	meta   *Meta
	// Lines consumed so far by csv and by the fast path (see Read),
	// for line numbers.
	csvLines, fastLines int
	fields              []string // the fast path's record, reused
	starts              []int    // where its fields start, for a quoted line (see splitQuoted)
}

// NewReader reads the header of an EES file with DefaultLimits. name is
// used in errors (the file path). It fails with a *ParseError when the
// input is empty, is not CSV text (for example an HTML error page saved as
// .csv), lacks a required EES column, or exceeds a limit.
func NewReader(r io.Reader, name string) (*Reader, error) {
	return NewReaderLimits(r, name, DefaultLimits)
}

// NewReaderLimits is NewReader with chosen limits (zero fields take the
// default).
func NewReaderLimits(r io.Reader, name string, lim Limits) (*Reader, error) {
	lim = lim.withDefaults()
	lr := &limitReader{r: r, maxLine: lim.MaxLineBytes, maxRecord: lim.MaxRecordBytes}
	br := readBuffers.Get().(*bufio.Reader)
	br.Reset(lr)
	head, _ := br.Peek(512)
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(head)) == 0 {
		return nil, &ParseError{File: name, Line: 1, Expected: "an EES CSV header line", Got: "",
			Err: errors.New("file is empty"), Hint: "download the file again with `cscstats fetch`"}
	}
	if looksLikeHTML(head) {
		return nil, &ParseError{File: name, Line: 1, Expected: "an EES CSV header line", Got: firstLine(head),
			Hint: "this looks like an HTML page saved as .csv, probably an error page; download the file again with `cscstats fetch`"}
	}
	if !utf8.Valid(trimIncompleteRune(head)) || bytes.IndexByte(head, 0) >= 0 {
		return nil, &ParseError{File: name, Line: 1, Expected: "UTF-8 CSV text", Got: "binary data",
			Hint: "EES files are UTF-8 CSV; check this is the data file, not a zip or spreadsheet"}
	}
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, lr.error(name, err)
	}
	if len(header) > lim.MaxColumns {
		return nil, &ParseError{File: name, Line: 1, Expected: fmt.Sprintf("at most %d columns", lim.MaxColumns), Got: fmt.Sprintf("%d columns", len(header)),
			Err: ErrLimit, Hint: "no EES file is this wide; check this is the right file"}
	}
	rd := &Reader{name: name, br: br, csv: cr, lim: lr, limits: lim, header: append([]string(nil), header...), index: make(map[string]int, len(header))}
	rd.countCSVLines(header)
	if err := rd.checkFields(Row{r: rd, fields: header, line: 1}); err != nil {
		return nil, err
	}
	lr.startRecord()
	for i, h := range rd.header {
		h = strings.TrimSpace(h)
		rd.header[i] = h
		if _, dup := rd.index[h]; !dup {
			rd.index[h] = i
		}
	}
	for _, c := range RequiredColumns {
		if _, ok := rd.index[c]; !ok {
			return nil, &ParseError{File: name, Line: 1, Expected: fmt.Sprintf("required EES column %q in the header", c),
				Got: firstLine(head), Hint: "this is not an EES open-data file, or its header was edited"}
		}
	}
	return rd, nil
}

func looksLikeHTML(head []byte) bool {
	t := bytes.ToLower(bytes.TrimSpace(head))
	return bytes.HasPrefix(t, []byte("<!doctype")) || bytes.HasPrefix(t, []byte("<html")) ||
		bytes.HasPrefix(t, []byte("<?xml")) || bytes.HasPrefix(t, []byte("<head"))
}

// trimIncompleteRune drops a multi-byte character cut off by Peek.
func trimIncompleteRune(b []byte) []byte {
	for i := 0; i < 3 && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return b
		}
		b = b[:len(b)-1]
	}
	return b
}

func firstLine(b []byte) string {
	if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
		b = b[:i]
	}
	if len(b) > 80 {
		b = append(b[:77:77], "..."...)
	}
	return string(b)
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		out := &ParseError{File: name, Line: pe.Line, Column: pe.Column, Err: pe.Err}
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			out.Column = 0
			out.Expected = "the same number of fields as the header"
			out.Hint = "the row is ragged: the file may be truncated or hand-edited; download it again"
		}
		return out
	}
	return &ParseError{File: name, Err: err}
}

// Name is the file name given to NewReader.
func (r *Reader) Name() string { return r.name }

// Header returns the column names, trimmed of spaces.
func (r *Reader) Header() []string { return r.header }

// Has reports whether the file has a column of that name.
func (r *Reader) Has(col string) bool { _, ok := r.index[col]; return ok }

// Index returns the position of a column in the header (the first, when a
// name repeats), or -1 when the file lacks it. Resolving columns once per
// file and reading rows by position (Row.Field, Row.ValueAt) saves a name
// look-up per cell.
func (r *Reader) Index(col string) int {
	if i, ok := r.index[col]; ok {
		return i
	}
	return -1
}

// Meta returns the companion .meta.csv description, if one was attached.
func (r *Reader) Meta() *Meta { return r.meta }

// SetMeta attaches a companion .meta.csv description.
func (r *Reader) SetMeta(m *Meta) { r.meta = m }

// Read returns the next row, or io.EOF at the end. The Row is only valid
// until the next call to Read.
//
// A line that is whole in the read buffer and holds no quote and no
// carriage return (but a final CRLF) is split on commas here, which is
// what encoding/csv would make of it, without its per-byte work: nearly
// every line of an EES file. Any other line (quoted fields, blank lines,
// a line across a buffer refill, the last line without a line end) is
// read by encoding/csv from the same buffer. Line and column numbers
// count the lines of both.
func (r *Reader) Read() (Row, error) { return r.read(false) }

// ReadBorrowed is Read without a string per line for the lines it splits
// itself: such a row's fields are views of the reader's buffer, valid
// only until the next call to Read or ReadBorrowed, and neither they nor
// any part of them may be kept past it. Row.Own makes the row what Read
// would have returned. A loader that keeps a few rows of many reads each
// with ReadBorrowed and owns only the rows it keeps.
func (r *Reader) ReadBorrowed() (Row, error) { return r.read(true) }

func (r *Reader) read(borrow bool) (Row, error) {
	r.lim.startRecord()
	if rec, line, text, plain, ok := r.fastRecord(borrow); ok {
		if len(rec) != len(r.header) {
			return Row{}, r.fieldCountError(&csv.ParseError{StartLine: line, Line: line, Column: 1, Err: csv.ErrFieldCount}, rec)
		}
		row := Row{r: r, fields: rec, line: line, fast: true, quoted: len(r.starts) > 0, borrowed: text != "", text: text}
		if !plain {
			if err := r.checkFields(row); err != nil {
				return Row{}, err
			}
		}
		return row, nil
	}
	rec, err := r.csv.Read()
	if err != nil {
		if err == io.EOF {
			return Row{}, io.EOF
		}
		var cpe *csv.ParseError
		if errors.As(err, &cpe) {
			cpe.StartLine += r.fastLines
			cpe.Line += r.fastLines
		}
		return Row{}, r.fieldCountError(err, rec)
	}
	line, _ := r.csv.FieldPos(0)
	r.countCSVLines(rec)
	row := Row{r: r, fields: rec, line: line + r.fastLines}
	if err := r.checkFields(row); err != nil {
		return Row{}, err
	}
	return row, nil
}

// fieldCountError converts a csv error, saying how many fields a ragged
// row has.
func (r *Reader) fieldCountError(err error, rec []string) error {
	out := r.lim.error(r.name, err)
	if pe, ok := out.(*ParseError); ok && errors.Is(err, csv.ErrFieldCount) {
		pe.Expected = fmt.Sprintf("%d fields, as in the header", len(r.header))
		pe.Got = fmt.Sprintf("%d fields", len(rec))
	}
	return out
}

// countCSVLines notes the lines csv has consumed up to the end of the
// record it just returned: the record's first line plus the line breaks
// inside its quoted fields (csv gives each as "\n").
func (r *Reader) countCSVLines(rec []string) {
	line, _ := r.csv.FieldPos(0)
	for _, f := range rec {
		line += strings.Count(f, "\n")
	}
	r.csvLines = line
}

// fastRecord splits the next line on commas when it can (see Read),
// returning the fields and the line number, and whether the line is
// plain: printable ASCII no longer than a field may be, which needs no
// further check (see checkFields).
func (r *Reader) fastRecord(borrow bool) (rec []string, line int, text string, plain, ok bool) {
	n := r.br.Buffered()
	if n == 0 {
		return nil, 0, "", false, false // csv fills the buffer (and meets any error)
	}
	buf, _ := r.br.Peek(n)
	end := bytes.IndexByte(buf, '\n')
	if end < 0 {
		return nil, 0, "", false, false
	}
	b := buf[:end]
	if k := len(b); k > 0 && b[k-1] == '\r' {
		b = b[:k-1]
	}
	if len(b) == 0 {
		return nil, 0, "", false, false
	}
	// One pass over the line splits it on commas (as views of the
	// buffer) and notes any byte that needs more than that: a pass per
	// question (quote? carriage return? printable? where is the next
	// comma?) was a quarter of a load.
	view := unsafe.String(&b[0], len(b))
	fields := r.fields[:0]
	var special byte
	start := 0
	i := 0
	for i+8 <= len(b) {
		// Eight bytes at a time: most words hold at most one comma.
		m := specialBytes(binary.LittleEndian.Uint64(b[i:]))
		if m == 0 {
			i += 8
			continue
		}
		p := i + bits.TrailingZeros64(m)>>3 // the first byte that is not plain
		if k := byteClass[b[p]]; k == classComma {
			fields = append(fields, view[start:p])
			start = p + 1
		} else {
			special |= k
		}
		i = p + 1
	}
	for ; i < len(b); i++ {
		if k := byteClass[b[i]]; k != 0 {
			if k == classComma {
				fields = append(fields, view[start:i])
				start = i + 1
				continue
			}
			special |= k
		}
	}
	r.fields = append(fields, view[start:])
	if special&classCR != 0 {
		return nil, 0, "", false, false
	}
	if special&classQuote != 0 {
		// A line with quotes (names with commas: a tenth of the lines
		// of some CLA files) is split here too when its quotes are
		// whole and well placed; anything else (a quoted line break,
		// a bare or stray quote) is encoding/csv's, errors included.
		// A line of printable ASCII is plain with quotes too: its
		// fields, parts of it, need no check either.
		plain = special&classOther == 0 && len(b) <= r.limits.MaxFieldBytes
		str := view
		if !borrow || !plain {
			str = string(b)
		}
		fields, ok := splitQuoted(r.fields[:0], r.starts[:0], str)
		if !ok {
			return nil, 0, "", false, false
		}
		r.fields, r.starts = fields.rec, fields.starts
		if borrow && plain {
			text = view
		}
		r.br.Discard(end + 1)
		r.fastLines++
		return r.fields, r.csvLines + r.fastLines, text, plain, true
	}
	r.starts = r.starts[:0]
	plain = special == 0 && len(b) <= r.limits.MaxFieldBytes
	if borrow && plain {
		// Views of the buffer: the bytes stay put until the buffer is
		// next filled, which only a later read does (see ReadBorrowed).
		// Lines that need checking are copied, so that no error holds
		// a view.
		text = view
	} else {
		// One string per record, as encoding/csv makes; the fields,
		// a comma apart, are moved onto it.
		str, at := string(b), 0
		for i, f := range r.fields {
			r.fields[i] = str[at : at+len(f)]
			at += len(f) + 1
		}
	}
	r.br.Discard(end + 1)
	r.fastLines++
	return r.fields, r.csvLines + r.fastLines, text, plain, true
}

// Byte classes for fastRecord's pass over a line: 0 for printable ASCII
// other than a comma or a quote, which need nothing.
const (
	classComma = 1 << iota
	classQuote
	classCR
	classOther // a control character or a byte of a multi-byte character: checked by checkFields
)

// specialBytes marks, in the high bit of each byte, the bytes of x (eight
// bytes of a line, the first in the low byte) whose byteClass is not 0:
// a comma, a quote, a byte below 0x20 or above 0x7e. The lowest mark is
// exact; marks above it may be false (a borrow carries up), so a caller
// takes the lowest and looks again past it. (Bit-twiddling "has a zero
// byte" test: Hacker's Delight §6-1; Anderson, Bit Twiddling Hacks.)
func specialBytes(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	return zero(x^(ones*',')) | zero(x^(ones*'"')) | zero(x^(ones*0x7f)) |
		(x-ones*0x20)&^x&highs | x&highs
}

var byteClass = func() (t [256]byte) {
	for c := range t {
		switch {
		case c == ',':
			t[c] = classComma
		case c == '"':
			t[c] = classQuote
		case c == '\r':
			t[c] = classCR
		case c < 0x20 || c > 0x7e:
			t[c] = classOther
		}
	}
	return t
}()

// quotedSplit is a line split by splitQuoted: the fields and the byte
// offset where each starts (at its opening quote when quoted).
type quotedSplit struct {
	rec    []string
	starts []int
}

// splitQuoted splits a line holding quotes as encoding/csv does (RFC 4180,
// LazyQuotes off): a field that starts with a quote runs to the next lone
// quote, which must end the line or come before a comma, and "" in it is
// one quote. It reports false for anything encoding/csv would read
// differently or refuse: a quote inside an unquoted field, text after a
// closing quote, a quoted field not closed on this line (a line break
// inside it).
func splitQuoted(rec []string, starts []int, line string) (quotedSplit, bool) {
	at := 0
	for {
		starts = append(starts, at)
		rest := line[at:]
		if len(rest) == 0 || rest[0] != '"' {
			i := strings.IndexByte(rest, ',')
			f := rest
			if i >= 0 {
				f = rest[:i]
			}
			if strings.IndexByte(f, '"') >= 0 {
				return quotedSplit{}, false // a bare quote: csv's error
			}
			rec = append(rec, f)
			if i < 0 {
				return quotedSplit{rec, starts}, true
			}
			at += i + 1
			continue
		}
		// A quoted field: from after the opening quote to a quote not
		// followed by another.
		body := at + 1
		j := body
		escaped := false
		for {
			q := strings.IndexByte(line[j:], '"')
			if q < 0 {
				return quotedSplit{}, false // closed on a later line, or never
			}
			j += q + 1
			if j < len(line) && line[j] == '"' {
				escaped = true
				j++
				continue
			}
			break
		}
		f := line[body : j-1]
		if escaped {
			f = strings.ReplaceAll(f, `""`, `"`)
		}
		rec = append(rec, f)
		switch {
		case j == len(line):
			return quotedSplit{rec, starts}, true
		case line[j] == ',':
			at = j + 1
		default:
			return quotedSplit{}, false // text after the closing quote: csv's error
		}
	}
}

// Own returns the row with fields of its own (one string for the line, as
// Read gives): a row from ReadBorrowed must be owned before anything of
// it is kept or it is used after the next read. Other rows are returned
// as they are.
func (row Row) Own() Row {
	if !row.borrowed {
		return row
	}
	if row.quoted {
		// Quotes and doubled quotes lie between the fields: each is
		// copied (a loader owns only the rare row that fails).
		for i, f := range row.fields {
			row.fields[i] = strings.Clone(f)
		}
		row.borrowed, row.text = false, ""
		return row
	}
	// The fields lie one after another in the line, a comma apart.
	line, at := strings.Clone(row.text), 0
	for i, f := range row.fields {
		row.fields[i] = line[at : at+len(f)]
		at += len(f) + 1
	}
	row.borrowed, row.text = false, ""
	return row
}

// Row is one data row.
type Row struct {
	r      *Reader
	fields []string
	line   int
	fast   bool // split by Reader.fastRecord, not by csv
	quoted bool // fast, from a line with quotes: field columns are in r.starts
	// borrowed: the fields are views of the reader's buffer, as is text,
	// the line they were split from (see ReadBorrowed and Own).
	borrowed bool
	text     string
}

// column is the 1-based byte column where field i starts, as
// csv.Reader.FieldPos gives it.
func (row Row) column(i int) int {
	if !row.fast {
		_, col := row.r.csv.FieldPos(i)
		return col
	}
	if row.quoted {
		return row.r.starts[i] + 1
	}
	col := 1
	for _, f := range row.fields[:i] {
		col += len(f) + 1
	}
	return col
}

// Fields returns the row's cells as read, untrimmed (Field trims). The
// slice and, for a borrowed row, its text are valid only until the next
// read; the slice must not be changed.
func (row Row) Fields() []string { return row.fields }

// Line is the 1-based line number in the file where the row starts.
func (row Row) Line() int { return row.line }

// Text returns the trimmed text of a column, or "" if the file lacks it.
func (row Row) Text(col string) string {
	i, ok := row.r.index[col]
	if !ok {
		return ""
	}
	return strings.TrimSpace(row.fields[i])
}

// Field returns the trimmed text of the column at position i (see
// Reader.Index), or "" when i is -1. The text shares memory with the
// row's line: copy it (strings.Clone) to keep it past the next Read
// without keeping the line alive.
func (row Row) Field(i int) string {
	if i < 0 || i >= len(row.fields) {
		return ""
	}
	return strings.TrimSpace(row.fields[i])
}

// ValueAt parses the indicator column at position i, like Value.
func (row Row) ValueAt(i int) (Value, error) {
	if i < 0 || i >= len(row.fields) {
		return Value{}, &ParseError{File: row.r.name, Line: row.line, Column: 0,
			Expected: fmt.Sprintf("an indicator column at position %d", i+1), Hint: "the file does not have this indicator"}
	}
	v, ok := ParseValue(row.fields[i])
	if !ok {
		return Value{}, &ParseError{File: row.r.name, Line: row.line, Column: row.column(i), Field: row.r.header[i],
			Expected: "a number or an EES symbol (c, x, z, low, k, u, :)", Got: row.fields[i],
			Hint: "fix or remove the cell, or download the file again"}
	}
	return v, nil
}

// Value parses an indicator column. A cell that is neither a number nor an
// EES symbol gives a *ParseError naming the file, line and column.
func (row Row) Value(col string) (Value, error) {
	i, ok := row.r.index[col]
	if !ok {
		return Value{}, &ParseError{File: row.r.name, Line: row.line, Field: col,
			Expected: fmt.Sprintf("a column named %q", col), Hint: "the file does not have this indicator"}
	}
	v, ok := ParseValue(row.fields[i])
	if !ok {
		return Value{}, &ParseError{File: row.r.name, Line: row.line, Column: row.column(i), Field: col,
			Expected: "a number or an EES symbol (c, x, z, low, k, u, :)", Got: row.fields[i],
			Hint: "fix or remove the cell, or download the file again"}
	}
	return v, nil
}

// Geography identifies where a row's figures are for.
type Geography struct {
	Level      string // "National", "Regional", "Local authority", ...
	RegionCode string
	RegionName string
	OldLACode  string // DfE 3-digit code
	NewLACode  string // ONS 9-character code
	LAName     string
}

// GeoColumns are the positions of a file's geography columns (-1 when
// absent), resolved once per file for Row.GeographyAt.
type GeoColumns struct {
	Level, RegionCode, RegionName, OldLACode, NewLACode, LAName int
}

// GeoColumns resolves the geography columns of the file.
func (r *Reader) GeoColumns() GeoColumns {
	return GeoColumns{Level: r.Index("geographic_level"), RegionCode: r.Index("region_code"), RegionName: r.Index("region_name"),
		OldLACode: r.Index("old_la_code"), NewLACode: r.Index("new_la_code"), LAName: r.Index("la_name")}
}

// GeographyAt reads the geography columns at the given positions; it
// gives what Geography gives.
func (row Row) GeographyAt(c GeoColumns) Geography {
	return Geography{
		Level:      row.Field(c.Level),
		RegionCode: row.Field(c.RegionCode),
		RegionName: row.Field(c.RegionName),
		OldLACode:  row.Field(c.OldLACode),
		NewLACode:  row.Field(c.NewLACode),
		LAName:     row.Field(c.LAName),
	}
}

// Geography reads the EES geography columns of the row.
func (row Row) Geography() Geography {
	return Geography{
		Level:      row.Text("geographic_level"),
		RegionCode: row.Text("region_code"),
		RegionName: row.Text("region_name"),
		OldLACode:  row.Text("old_la_code"),
		NewLACode:  row.Text("new_la_code"),
		LAName:     row.Text("la_name"),
	}
}

// Error builds a *ParseError positioned at this row and column.
func (row Row) Error(col, expected, got, hint string) *ParseError {
	pe := &ParseError{File: row.r.name, Line: row.line, Field: col, Expected: expected, Got: got, Hint: hint}
	if i, ok := row.r.index[col]; ok {
		pe.Column = row.column(i)
	}
	return pe
}

// checkFields refuses fields over the size limit, fields that are not
// UTF-8 (past the start of the file, which NewReader checks), and fields
// holding
// control characters (C0 such as NUL, ESC, vertical tab, a lone carriage
// return; DEL; C1): no DfE file has them, and in a name they can rewrite a
// terminal or shift a table's columns. A line feed inside a quoted field is
// standard CSV and allowed; every output shows it safely.
func (r *Reader) checkFields(row Row) error {
	for i, f := range row.fields {
		col := ""
		if i < len(r.header) {
			col = r.header[i]
		}
		if len(f) > r.limits.MaxFieldBytes {
			_, pos := row.pos(i)
			return &ParseError{File: r.name, Line: row.line, Column: pos, Field: col, Expected: fmt.Sprintf("a field of at most %d bytes", r.limits.MaxFieldBytes),
				Got: fmt.Sprintf("%d bytes", len(f)), Err: ErrLimit, Hint: "the file is damaged or not an EES file (an unclosed quote makes one field of the rest of the file)"}
		}
		if !utf8.ValidString(f) {
			fl, pos := row.pos(i)
			return &ParseError{File: r.name, Line: fl, Column: pos, Field: col, Expected: "UTF-8 text",
				Got:  truncateRunes(strings.ToValidUTF8(f, "\ufffd"), 60),
				Hint: "EES files are UTF-8; this one may have been saved as Latin-1 or Windows-1252: save it as \"CSV UTF-8\" or download it again"}
		}
		if c, _, bad := safetext.HasControl(strings.ReplaceAll(f, "\n", " ")); bad {
			fl, pos := row.pos(i)
			return &ParseError{File: r.name, Line: fl, Column: pos, Field: col, Expected: "text without control characters",
				Got: truncateRunes(f, 60), Err: fmt.Errorf("control character %U", c),
				Hint: "no DfE file has these; the file is damaged or was made to mislead: remove the character or download the file again"}
		}
	}
	return nil
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "..."
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxLineBytes <= 0 {
		l.MaxLineBytes = d.MaxLineBytes
	}
	if l.MaxRecordBytes <= 0 {
		l.MaxRecordBytes = d.MaxRecordBytes
	}
	if l.MaxFieldBytes <= 0 {
		l.MaxFieldBytes = d.MaxFieldBytes
	}
	if l.MaxColumns <= 0 {
		l.MaxColumns = d.MaxColumns
	}
	return l
}

// pos is the line and 1-based byte column where field i starts.
func (row Row) pos(i int) (int, int) {
	if row.fast {
		return row.line, row.column(i)
	}
	l, c := row.r.csv.FieldPos(i)
	return l + row.r.fastLines, c
}

// limitReader fails a read that would make a line longer than maxLine, or
// the current record (bytes read since startRecord) longer than maxRecord
// plus the read-ahead buffer. It counts lines so the error can say where.
type limitReader struct {
	r         io.Reader
	maxLine   int
	maxRecord int
	line      int // completed lines
	cur       int // bytes in the current line
	record    int // bytes since startRecord
	err       *limitError
}

type limitError struct {
	line int
	what string // "line" or "record"
	max  int
}

func (e *limitError) Error() string { return fmt.Sprintf("a %s longer than %d bytes", e.what, e.max) }

const readAhead = 64 << 10 // the bufio buffer in front of csv.Reader

// readBuffers are the read-ahead buffers of readers released (see
// Release), for the next reader: a load reads many files, and a new 64 KB
// buffer for each was a tenth of what it allocated.
var readBuffers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, readAhead) }}

// Release hands the reader's read-ahead buffer to the next reader made.
// Neither the reader nor anything borrowed from it (a row from
// ReadBorrowed, its fields) may be used after it; rows from Read and
// errors stay valid. Calling it is optional: a reader not released is
// collected as any value.
func (r *Reader) Release() {
	if r.br == nil {
		return
	}
	r.br.Reset(nil)
	readBuffers.Put(r.br)
	r.br, r.fields = nil, nil
}

func (l *limitReader) startRecord() { l.record = 0 }

func (l *limitReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	// On a limit, hand over the bytes before the offending line (so the
	// rows before it are read) and fail the next call.
	b, start := p[:n], 0
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		seg := len(b)
		if i >= 0 {
			seg = i
		}
		if l.cur+seg > l.maxLine {
			l.err = &limitError{line: l.line + 1, what: "line", max: l.maxLine}
			return start, nil
		}
		if i < 0 {
			l.cur += seg
			break
		}
		l.cur = 0
		l.line++
		b = b[i+1:]
		start += i + 1
	}
	l.record += n
	if l.record > l.maxRecord+readAhead {
		l.err = &limitError{line: l.line + 1, what: "record", max: l.maxRecord}
		return 0, l.err
	}
	return n, err
}

// error converts a read error, naming a limit when one was hit.
func (l *limitReader) error(name string, err error) error {
	var le *limitError
	if errors.As(err, &le) {
		return &ParseError{File: name, Line: le.line, Expected: fmt.Sprintf("a %s of at most %d bytes", le.what, le.max),
			Got: "a longer " + le.what, Err: ErrLimit, Hint: "no EES file has lines this long; the file is damaged or not an EES file"}
	}
	return csvError(name, err)
}
