// Package ods reads the cells of OpenDocument spreadsheets (.ods), as
// Ofsted and other government bodies publish them, without a spreadsheet
// program.
//
// An .ods file is a zip archive whose content.xml holds every sheet as
// <table:table> elements of <table:table-row>s of <table:table-cell>s
// (OpenDocument 1.3, part 3, section 9.1). The reader streams content.xml
// with encoding/xml, so memory stays proportional to one row, and handles
// what publishers' files contain:
//
//   - table:number-columns-repeated and table:number-rows-repeated, used for
//     runs of identical (usually empty) cells and rows, sometimes a million
//     long: empty repeats are counted, never materialised;
//   - table:covered-table-cell (cells hidden under a merged cell), which
//     take a column position but carry no value;
//   - typed values: office:value for numbers, office:date-value (ISO 8601
//     dates or date-times) for dates, office:boolean-value, and the
//     displayed text for strings.
//
// The file is treated as hostile: the archive and content.xml are capped
// in size (Limits), the XML may not declare a DOCTYPE (so no entity can be
// defined or expanded; encoding/xml itself knows only the five predefined
// entities), and any malformed structure is a *ParseError naming the
// sheet, row and column.
package ods

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// MimeType is the media type an OpenDocument spreadsheet declares in its
// "mimetype" entry.
const MimeType = "application/vnd.oasis.opendocument.spreadsheet"

// Limits cap what a file may make the reader do.
type Limits struct {
	// MaxContentBytes caps the uncompressed size of content.xml, as
	// declared and as actually read.
	MaxContentBytes int64
	// MaxEntries caps the number of entries in the archive.
	MaxEntries int
	// MaxColumns caps the columns materialised in one row: repeated
	// non-empty cells beyond it are an error.
	MaxColumns int
	// MaxRows caps the non-empty rows delivered from one sheet.
	MaxRows int
}

// DefaultLimits are generous for published statistics (Ofsted's file has
// a 1 MB content.xml and 300 rows) and small enough to refuse zip bombs.
var DefaultLimits = Limits{MaxContentBytes: 64 << 20, MaxEntries: 1000, MaxColumns: 1024, MaxRows: 200000}

// Cell is one cell's value.
type Cell struct {
	// Type is office:value-type: "string", "float", "date", "boolean",
	// "percentage", "currency", "time", or "" for an empty cell.
	Type string
	// Value is the typed value as written in the file: office:value for
	// numbers, office:date-value for dates (ISO 8601), office:boolean-value,
	// office:string-value when given; otherwise the cell's text.
	Value string
	// Text is the displayed text (the cell's paragraphs joined by "\n").
	Text string
}

// Empty reports whether the cell has neither a value nor text.
func (c Cell) Empty() bool { return c.Type == "" && strings.TrimSpace(c.Text) == "" && c.Value == "" }

// ParseError is a problem at a place in the file. Row and Column are
// 1-based as a spreadsheet program shows them (0 when not known).
type ParseError struct {
	File   string
	Sheet  string
	Row    int
	Column int
	Err    error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Sheet != "" {
		fmt.Fprintf(&b, "sheet %q: ", e.Sheet)
	}
	switch {
	case e.Row > 0 && e.Column > 0:
		fmt.Fprintf(&b, "cell %s%d (row %d, column %d): ", ColumnName(e.Column), e.Row, e.Row, e.Column)
	case e.Row > 0:
		fmt.Fprintf(&b, "row %d: ", e.Row)
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrNotODS says a file is not an OpenDocument spreadsheet.
var ErrNotODS = errors.New("not an OpenDocument spreadsheet (.ods): no content.xml with spreadsheet tables")

// ColumnName gives the spreadsheet letters of a 1-based column: 1 → A,
// 27 → AA.
func ColumnName(col int) string {
	var s []byte
	for col > 0 {
		col--
		s = append([]byte{byte('A' + col%26)}, s...)
		col /= 26
	}
	return string(s)
}

// File is an open spreadsheet.
type File struct {
	Name    string
	zr      *zip.Reader
	content *zip.File
	closer  io.Closer
	limits  Limits
}

// Open opens an .ods file with DefaultLimits.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	o, err := NewFile(f, st.Size(), path, DefaultLimits)
	if err != nil {
		f.Close()
		return nil, err
	}
	o.closer = f
	return o, nil
}

// NewFile reads the archive directory of an .ods held in r.
func NewFile(r io.ReaderAt, size int64, name string, lim Limits) (*File, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, &ParseError{File: name, Err: fmt.Errorf("%w (%v)", ErrNotODS, err)}
	}
	if len(zr.File) > lim.MaxEntries {
		return nil, &ParseError{File: name, Err: fmt.Errorf("archive has %d entries, more than the %d allowed", len(zr.File), lim.MaxEntries)}
	}
	o := &File{Name: name, zr: zr, limits: lim}
	for _, zf := range zr.File {
		if zf.Name == "content.xml" {
			o.content = zf
		}
	}
	if o.content == nil {
		return nil, &ParseError{File: name, Err: ErrNotODS}
	}
	if o.content.UncompressedSize64 > uint64(lim.MaxContentBytes) {
		return nil, &ParseError{File: name, Err: fmt.Errorf("content.xml declares %d bytes, more than the %d allowed", o.content.UncompressedSize64, lim.MaxContentBytes)}
	}
	return o, nil
}

// Close closes the file if Open opened it.
func (o *File) Close() error {
	if o.closer != nil {
		return o.closer.Close()
	}
	return nil
}

// RowFunc receives one non-empty row: its 1-based row number and its cells
// from column A, trailing empty cells dropped. The slice is reused: copy
// what you keep. Returning Stop ends the sheet early without error.
type RowFunc func(row int, cells []Cell) error

// Stop, returned by a RowFunc, ends reading a sheet.
var Stop = errors.New("stop")

// SheetFunc is called at the start of each sheet; it returns the RowFunc
// for the sheet's rows, or nil to skip the sheet.
type SheetFunc func(sheet string) RowFunc

// Walk streams every sheet of the file in order.
func (o *File) Walk(sheet SheetFunc) error {
	rc, err := o.content.Open()
	if err != nil {
		return &ParseError{File: o.Name, Err: err}
	}
	defer rc.Close()
	lr := &limitedReader{r: rc, n: o.limits.MaxContentBytes}
	w := walker{file: o.Name, lim: o.limits, sheetFunc: sheet}
	if err := w.run(xml.NewDecoder(lr)); err != nil {
		if lr.over {
			return &ParseError{File: o.Name, Sheet: w.sheet, Row: w.row, Err: fmt.Errorf("content.xml is larger than the %d bytes allowed", o.limits.MaxContentBytes)}
		}
		return err
	}
	return nil
}

// SheetNames lists the sheets in order.
func (o *File) SheetNames() ([]string, error) {
	var names []string
	err := o.Walk(func(s string) RowFunc { names = append(names, s); return nil })
	return names, err
}

type limitedReader struct {
	r    io.Reader
	n    int64
	over bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		l.over = true
		return 0, errors.New("content.xml too large")
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

const (
	nsTable  = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
	nsOffice = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
	nsText   = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
)

type walker struct {
	file      string
	lim       Limits
	sheetFunc SheetFunc

	sheet   string
	rowFunc RowFunc
	inSheet bool
	stopped bool
	row     int // 1-based number of the last row started
	nRows   int
	cells   []Cell
	col     int // columns seen in the current row (including empty repeats)
}

func (w *walker) errf(col int, format string, args ...any) error {
	return &ParseError{File: w.file, Sheet: w.sheet, Row: w.row, Column: col, Err: fmt.Errorf(format, args...)}
}

func attr(se xml.StartElement, space, local string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Local == local && a.Name.Space == space {
			return a.Value, true
		}
	}
	return "", false
}

func repeat(se xml.StartElement, local string) (int, error) {
	v, ok := attr(se, nsTable, local)
	if !ok {
		return 1, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("table:%s=%q is not a positive whole number", local, v)
	}
	return n, nil
}

func (w *walker) run(d *xml.Decoder) error {
	sawTable := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if !sawTable {
				return &ParseError{File: w.file, Err: ErrNotODS}
			}
			return nil
		}
		if err != nil {
			return w.errf(0, "malformed content.xml: %v", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			// A DOCTYPE could define entities; OpenDocument never needs one.
			return w.errf(0, "content.xml has a <!%s> declaration; refused (OpenDocument files have none)", firstWord(string(t)))
		case xml.StartElement:
			if t.Name.Space != nsTable {
				continue
			}
			switch t.Name.Local {
			case "table":
				sawTable = true
				name, _ := attr(t, nsTable, "name")
				w.sheet, w.row, w.nRows, w.stopped, w.inSheet = name, 0, 0, false, true
				w.rowFunc = w.sheetFunc(name)
				if w.rowFunc == nil {
					if err := d.Skip(); err != nil {
						return w.errf(0, "malformed content.xml: %v", err)
					}
					w.inSheet = false
				}
			case "table-row":
				if !w.inSheet {
					continue
				}
				if err := w.readRow(d, t); err != nil {
					return err
				}
			}
		case xml.EndElement:
			if t.Name.Space == nsTable && t.Name.Local == "table" {
				w.inSheet = false
			}
		}
	}
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return s
}

// readRow reads one table-row element (its start already consumed).
func (w *walker) readRow(d *xml.Decoder, start xml.StartElement) error {
	w.row++
	reps, err := repeat(start, "number-rows-repeated")
	if err != nil {
		return w.errf(0, "%v", err)
	}
	w.cells, w.col = w.cells[:0], 0
	for {
		tok, err := d.Token()
		if err != nil {
			return w.errf(w.col+1, "malformed row: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space == nsTable && (t.Name.Local == "table-cell" || t.Name.Local == "covered-table-cell") {
				if err := w.readCell(d, t); err != nil {
					return err
				}
				continue
			}
			if err := d.Skip(); err != nil {
				return w.errf(w.col+1, "malformed row: %v", err)
			}
		case xml.EndElement:
			return w.deliver(reps)
		}
	}
}

func (w *walker) deliver(reps int) error {
	first := w.row
	w.row += reps - 1
	// Trim trailing empty cells.
	n := len(w.cells)
	for n > 0 && w.cells[n-1].Empty() {
		n--
	}
	if n == 0 || w.stopped || w.rowFunc == nil {
		return nil
	}
	for r := first; r <= w.row; r++ {
		w.nRows++
		if w.nRows > w.lim.MaxRows {
			return &ParseError{File: w.file, Sheet: w.sheet, Row: r, Err: fmt.Errorf("more than %d non-empty rows in the sheet", w.lim.MaxRows)}
		}
		if err := w.rowFunc(r, w.cells[:n]); err != nil {
			if errors.Is(err, Stop) {
				w.stopped = true
				return nil
			}
			return err
		}
	}
	return nil
}

// readCell reads one table-cell or covered-table-cell (start consumed).
func (w *walker) readCell(d *xml.Decoder, start xml.StartElement) error {
	col := w.col + 1
	reps, err := repeat(start, "number-columns-repeated")
	if err != nil {
		return w.errf(col, "%v", err)
	}
	var c Cell
	covered := start.Name.Local == "covered-table-cell"
	if !covered {
		c.Type, _ = attr(start, nsOffice, "value-type")
		switch c.Type {
		case "date":
			c.Value, _ = attr(start, nsOffice, "date-value")
		case "time":
			c.Value, _ = attr(start, nsOffice, "time-value")
		case "boolean":
			c.Value, _ = attr(start, nsOffice, "boolean-value")
		case "string":
			c.Value, _ = attr(start, nsOffice, "string-value")
		case "":
		default:
			c.Value, _ = attr(start, nsOffice, "value")
		}
	}
	text, err := cellText(d)
	if err != nil {
		return w.errf(col, "malformed cell: %v", err)
	}
	if covered {
		text = ""
	}
	c.Text = text
	if c.Type == "string" && c.Value == "" {
		c.Value = c.Text
	}
	w.col += reps
	if c.Empty() {
		// Runs of empty cells are only counted; they are filled in below
		// if a later cell needs the position.
		return nil
	}
	if w.col > w.lim.MaxColumns {
		return w.errf(col, "a value beyond column %d (the most allowed)", w.lim.MaxColumns)
	}
	for len(w.cells) < col-1 {
		w.cells = append(w.cells, Cell{})
	}
	for i := 0; i < reps; i++ {
		w.cells = append(w.cells, c)
	}
	return nil
}

// cellText collects the text of a cell's paragraphs until its end tag:
// paragraphs (text:p) are joined by "\n"; text:s is spaces, text:tab a tab,
// text:line-break a newline.
func cellText(d *xml.Decoder) (string, error) {
	var b strings.Builder
	depth, paras := 0, 0
	for {
		tok, err := d.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if t.Name.Space == nsText {
				switch t.Name.Local {
				case "p", "h":
					if paras > 0 {
						b.WriteByte('\n')
					}
					paras++
				case "s":
					n := 1
					if v, ok := attr(t, nsText, "c"); ok {
						if k, err := strconv.Atoi(v); err == nil && k > 0 && k <= 1000 {
							n = k
						}
					}
					b.WriteString(strings.Repeat(" ", n))
				case "tab":
					b.WriteByte('\t')
				case "line-break":
					b.WriteByte('\n')
				}
			}
			if t.Name.Space == nsOffice && t.Name.Local == "annotation" {
				// Comments are not the cell's text.
				if err := d.Skip(); err != nil {
					return "", err
				}
				depth--
			}
		case xml.CharData:
			if depth > 0 {
				if b.Len()+len(t) > 1<<20 {
					return "", errors.New("cell text longer than 1 MiB")
				}
				b.Write(t)
			}
		case xml.EndElement:
			if depth == 0 {
				return b.String(), nil
			}
			depth--
		}
	}
}
