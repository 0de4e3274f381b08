// Package export writes tabular results in the formats every command
// shares: an aligned text table, CSV, JSON and Markdown.
//
// A Document has one or more named sections. CSV carries the first
// section only (so it loads straight into R or pandas) and sends notes to
// the caller's diagnostic stream; JSON is one object with a field per
// section plus "notes"; table and markdown print every section with its
// title, then the notes.
//
// Every piece of text is made safe for its format by pkg/safetext: CSV text
// cells cannot run as spreadsheet formulas, Markdown shows values as plain
// text (no HTML, links or new blocks), and table output shows control and
// bidi characters as visible escapes. JSON escaping is encoding/json's.
package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/cscstats/cscstats/pkg/safetext"
)

// Formats lists the accepted --format values.
var Formats = []string{"table", "csv", "json", "markdown"}

// CheckFormat validates a --format value.
func CheckFormat(f string) error {
	for _, ok := range Formats {
		if f == ok {
			return nil
		}
	}
	return fmt.Errorf("unknown format %q; use one of: %s", f, strings.Join(Formats, ", "))
}

// Cell is one value. Numbers keep full precision for CSV and JSON and are
// rounded to their column's Decimals in table and markdown output.
type Cell struct {
	// The strings first and the two flags together: 48 bytes a cell
	// instead of 56 (a full tidy table has over 200,000 cells).
	Text    string
	Missing string // for a missing number: what table/markdown show ("c", "x", ...); CSV leaves it empty, JSON gives null
	Number  float64
	IsNum   bool
	IsBool  bool // Text is "true" or "false"; JSON writes a boolean
}

// Str is a text cell.
func Str(s string) Cell { return Cell{Text: s} }

// Num is a numeric cell; NaN becomes a missing cell shown as "".
func Num(f float64) Cell {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Cell{Missing: ""}
	}
	return Cell{Number: f, IsNum: true}
}

// Int is a whole-number cell.
func Int(i int) Cell { return Cell{Number: float64(i), IsNum: true} }

// MissingCell is a missing number with a shown reason, such as "c".
func MissingCell(reason string) Cell { return Cell{Missing: reason} }

// Bool is a true/false cell.
func Bool(b bool) Cell { return Cell{Text: strconv.FormatBool(b), IsBool: true} }

// Column describes one column.
type Column struct {
	Name     string
	Decimals int // decimals in table/markdown output for numbers; -1 prints as is
}

// Section is one table.
type Section struct {
	Name    string // JSON field name
	Title   string // heading in table/markdown
	Columns []Column
	Rows    [][]Cell
	// JSONOnly are further columns that only JSON output carries (long
	// text such as where each figure came from), with their cells in
	// JSONOnlyRows, one per row of Rows. They are kept apart from Rows so
	// that code adding columns to Rows keeps working.
	JSONOnly     []Column
	JSONOnlyRows [][]Cell
	// JSONOnlyRow, when set, gives row i's JSONOnly cells instead of
	// JSONOnlyRows, made only when JSON is written: the CSV and table
	// outputs never build them.
	JSONOnlyRow func(i int) []Cell
	// RowFunc, when set, makes the section's NRows rows on demand instead
	// of holding them in Rows (which is then nil): it appends row i's
	// cells to dst and returns the result. It may be called for
	// different rows at the same time (CSV output formats a large table
	// a CPU at a time), so it must only read what it shares. CSV and JSON output take one
	// row at a time into a reused buffer, so a large table (the tidy
	// table has 16,620 rows of 13 cells, 10 MB as cells) is never held
	// whole; table and Markdown output, which measure every row before
	// printing, make the rows first (see Materialize).
	RowFunc func(i int, dst []Cell) []Cell
	NRows   int
}

// Len is the number of rows.
func (s Section) Len() int {
	if s.RowFunc != nil {
		return s.NRows
	}
	return len(s.Rows)
}

// Row appends row i's cells to dst and returns the result.
func (s Section) Row(i int, dst []Cell) []Cell {
	if s.RowFunc != nil {
		return s.RowFunc(i, dst)
	}
	return append(dst, s.Rows[i]...)
}

// Materialize returns s with every row in Rows (s itself when it has no
// RowFunc).
func (s Section) Materialize() Section {
	if s.RowFunc == nil {
		return s
	}
	rows := make([][]Cell, s.NRows)
	var cells []Cell
	for i := range rows {
		n := len(cells)
		cells = s.RowFunc(i, cells)
		rows[i] = cells[n:len(cells):len(cells)]
	}
	s.Rows, s.RowFunc, s.NRows = rows, nil, 0
	return s
}

// materialized is d with every section's rows made (see Materialize).
func (d Document) materialized() Document {
	lazy := false
	for _, s := range d.Sections {
		lazy = lazy || s.RowFunc != nil
	}
	if !lazy {
		return d
	}
	secs := make([]Section, len(d.Sections))
	for i, s := range d.Sections {
		secs[i] = s.Materialize()
	}
	d.Sections = secs
	return d
}

// Document is what a command prints.
type Document struct {
	Title    string
	Sections []Section
	Notes    []string // definitions, denominators, sources, caveats
}

// Write prints the document in the given format. Notes for CSV go to diag
// (standard error), since a comment line would break CSV readers.
func Write(out, diag io.Writer, format string, d Document) error {
	switch format {
	case "csv":
		if len(d.Sections) == 0 {
			return nil
		}
		if err := writeCSV(out, d.Sections[0]); err != nil {
			return err
		}
		if diag != nil {
			for _, n := range d.Notes {
				fmt.Fprintln(diag, "note: "+safetext.Terminal(n))
			}
			if len(d.Sections) > 1 {
				var names []string
				for _, s := range d.Sections[1:] {
					names = append(names, s.Name)
				}
				fmt.Fprintf(diag, "note: this CSV is the %s table; the output also has %s: add --out-dir DIR to write every table as DIR/<table>.csv, or use --format json\n", d.Sections[0].Name, strings.Join(names, ", "))
			}
		}
		return nil
	case "json":
		return writeJSON(out, d)
	case "markdown":
		return writeMarkdown(out, d)
	case "table", "":
		return writeTableWidth(out, d, 0)
	}
	return CheckFormat(format)
}

// WriteCSVDir writes every table of d as dir/<table name>.csv (each
// written to a temporary file and renamed into place), and returns the
// paths written. dir must exist.
func WriteCSVDir(dir string, d Document) ([]string, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("--out-dir %s: not a folder; create it first", dir)
	}
	var paths []string
	for i, s := range d.Sections {
		name := s.Name
		if name == "" {
			name = fmt.Sprintf("table_%d", i+1)
		}
		var b bytes.Buffer
		if err := writeCSV(&b, s); err != nil {
			return paths, err
		}
		p := filepath.Join(dir, filepath.Base(name)+".csv")
		tmp, err := os.CreateTemp(dir, "."+filepath.Base(name)+".*.tmp")
		if err != nil {
			return paths, err
		}
		if _, err := tmp.Write(b.Bytes()); err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			return paths, err
		}
		if err := tmp.Close(); err != nil {
			os.Remove(tmp.Name())
			return paths, err
		}
		if err := os.Rename(tmp.Name(), p); err != nil {
			os.Remove(tmp.Name())
			return paths, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// writeCSV writes the section as encoding/csv would (comma, LF line
// ends, the same quoting), each line built in one buffer: numbers are
// appended in place rather than made into strings first, which was most
// of the time of writing a large table. A large section is formatted a
// CPU at a time (see csvParts), the parts written in order.
func writeCSV(w io.Writer, s Section) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.Write(AppendCSVHeader(nil, s.Columns)); err != nil {
		return err
	}
	parts := csvParts(s.Len())
	if len(parts) == 1 {
		if err := writeCSVRows(bw, s, 0, s.Len()); err != nil {
			return err
		}
		return bw.Flush()
	}
	// Parts after the first are formatted into buffers by their own
	// goroutines while the first is written straight out.
	bufs := make([]bytes.Buffer, len(parts))
	var wg sync.WaitGroup
	for k := 1; k < len(parts); k++ {
		wg.Go(func() {
			from := parts[k-1]
			bufs[k].Grow((parts[k] - from) * 160)
			writeCSVRows(&bufs[k], s, from, parts[k]) // a bytes.Buffer does not fail
		})
	}
	err := writeCSVRows(bw, s, 0, parts[0])
	wg.Wait()
	if err != nil {
		return err
	}
	for k := 1; k < len(parts); k++ {
		if _, err := bw.Write(bufs[k].Bytes()); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// csvRowsPerPart is the fewest rows a part of a CSV written a CPU at a
// time has: below it, starting goroutines costs more than they save.
const csvRowsPerPart = 2048

// csvParts splits n rows into parts to format side by side, giving the
// row each part ends before (the last is n): one part per CPU, each of
// at least csvRowsPerPart rows. The first part is written as it is
// formatted, the others are held until then, so the first is the largest
// share (an equal one, plus the remainder).
func csvParts(n int) []int {
	k := min(runtime.GOMAXPROCS(0), n/csvRowsPerPart)
	if k <= 1 {
		return []int{n}
	}
	ends := make([]int, k)
	size := n / k
	first := n - size*(k-1)
	for i := range ends {
		ends[i] = first + size*i
	}
	return ends
}

// writeCSVRows writes rows [from, to) of s. RowFunc sections may be asked
// for different rows at once (see Section.RowFunc).
func writeCSVRows(w io.Writer, s Section, from, to int) error {
	line := make([]byte, 0, 256)
	var row []Cell
	for r := from; r < to; r++ {
		row = s.Row(r, row[:0])
		line = AppendCSVRow(line[:0], row)
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return nil
}

// AppendCSVHeader appends the CSV line of a section's column names (as
// Write writes it for "csv") to dst. With AppendCSVRow it writes a table
// a part at a time, as its rows are made.
func AppendCSVHeader(dst []byte, cols []Column) []byte {
	for i, c := range cols {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendCSVField(dst, safetext.CSV(c.Name))
	}
	return append(dst, '\n')
}

// AppendCSVRow appends one row's CSV line (as Write writes it for "csv":
// numbers at full precision, missing cells empty, text made safe for
// spreadsheets and quoted as encoding/csv quotes it) to dst.
func AppendCSVRow(dst []byte, row []Cell) []byte {
	for i, c := range row {
		if i > 0 {
			dst = append(dst, ',')
		}
		if c.IsNum {
			// Digits, sign and point (or "+Inf"): never quoted.
			dst = appendNumber(dst, c.Number)
			continue
		}
		dst = appendCSVText(dst, rawText(c))
	}
	return append(dst, '\n')
}

// appendCSVText appends a text cell as AppendCSVRow writes it:
// appendCSVField(dst, safetext.CSV(s)). A cell that starts with an ASCII
// letter or digit (names, codes and measures: nearly every cell) needs no
// formula guard and has no leading space, so only its bytes are scanned
// for what needs quoting.
func appendCSVText(dst []byte, s string) []byte {
	if s == "" {
		return dst
	}
	if c := s[0]; 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
		for i := 1; i < len(s); i++ {
			if c := s[i]; c == ',' || c == '"' || c == '\n' || c == '\r' {
				return appendCSVField(dst, s)
			}
		}
		return append(dst, s...)
	}
	return appendCSVField(dst, safetext.CSV(s))
}

// appendNumber is strconv.AppendFloat(dst, f, 'f', -1, 64), with whole
// numbers (years, counts, populations: most of a table's numbers) written
// as integers, which gives the same digits without the shortest-digits
// search. Below 2^53 every whole float64 is an exact int64.
func appendNumber(dst []byte, f float64) []byte {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 && (f != 0 || !math.Signbit(f)) {
		return strconv.AppendInt(dst, int64(f), 10)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}

// appendCSVField appends field as encoding/csv's Writer writes it (Comma
// ',', UseCRLF false): as it is, or quoted, with quotes doubled, when it
// holds a comma, quote, CR or LF, starts with a space (unicode.IsSpace)
// or is `\.`.
func appendCSVField(dst []byte, field string) []byte {
	if !csvNeedsQuotes(field) {
		return append(dst, field...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(field); i++ {
		if field[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, field[i])
	}
	return append(dst, '"')
}

// csvNeedsQuotes is encoding/csv's Writer.fieldNeedsQuotes for Comma ','.
func csvNeedsQuotes(field string) bool {
	if field == "" {
		return false
	}
	if field == `\.` {
		return true
	}
	for i := 0; i < len(field); i++ {
		if c := field[i]; c == '\n' || c == '\r' || c == '"' || c == ',' {
			return true
		}
	}
	r1, _ := utf8.DecodeRuneInString(field)
	return unicode.IsSpace(r1)
}

// rawText is a cell at full precision; missing numbers are empty.
func rawText(c Cell) string {
	switch {
	case c.IsNum:
		return strconv.FormatFloat(c.Number, 'f', -1, 64)
	case c.Text != "":
		return c.Text
	}
	return ""
}

func shownText(c Cell, col Column) string {
	switch {
	case c.IsNum:
		if col.Decimals < 0 {
			return strconv.FormatFloat(c.Number, 'f', -1, 64)
		}
		return strconv.FormatFloat(c.Number, 'f', col.Decimals, 64)
	case c.Text != "":
		return c.Text
	}
	return c.Missing
}

func writeJSON(w io.Writer, d Document) error {
	obj := map[string]any{}
	if d.Title != "" {
		obj["title"] = d.Title
	}
	for _, s := range d.Sections {
		rows := make([]map[string]any, 0, s.Len())
		var row []Cell
		for r := range s.Len() {
			row = s.Row(r, row[:0])
			m := make(map[string]any, len(row))
			put := func(col Column, c Cell) {
				switch {
				case c.IsNum:
					m[col.Name] = c.Number
				case c.IsBool:
					m[col.Name] = c.Text == "true"
				case c.Text != "":
					m[col.Name] = c.Text
				default:
					m[col.Name] = nil
				}
			}
			for i, c := range row {
				put(s.Columns[i], c)
			}
			var jsonOnly []Cell
			if j := len(rows); s.JSONOnlyRow != nil {
				jsonOnly = s.JSONOnlyRow(j)
			} else if j < len(s.JSONOnlyRows) {
				jsonOnly = s.JSONOnlyRows[j]
			}
			for i, c := range jsonOnly {
				if i < len(s.JSONOnly) {
					put(s.JSONOnly[i], c)
				}
			}
			rows = append(rows, m)
		}
		obj[s.Name] = rows
	}
	notes := d.Notes
	if notes == nil {
		notes = []string{}
	}
	obj["notes"] = notes
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(obj)
}

func writeMarkdown(w io.Writer, d Document) error {
	d = d.materialized()
	esc := safetext.Markdown
	if d.Title != "" {
		fmt.Fprintf(w, "### %s\n\n", esc(d.Title))
	}
	for i, s := range d.Sections {
		if s.Title != "" && (i > 0 || d.Title == "") {
			fmt.Fprintf(w, "#### %s\n\n", esc(s.Title))
		}
		var head, rule []string
		for _, c := range s.Columns {
			head = append(head, esc(c.Name))
			rule = append(rule, "---")
		}
		fmt.Fprintf(w, "| %s |\n| %s |\n", strings.Join(head, " | "), strings.Join(rule, " | "))
		for _, row := range s.Rows {
			cells := make([]string, len(row))
			for j, c := range row {
				cells[j] = esc(shownText(c, s.Columns[j]))
			}
			fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
		}
		fmt.Fprintln(w)
	}
	for _, n := range d.Notes {
		fmt.Fprintf(w, "- %s\n", esc(n))
	}
	return nil
}

// Shown is the text of cell (row, col) as table and markdown output show
// it: numbers rounded to the column's decimals, missing numbers as their
// symbol.
func (s Section) Shown(row, col int) string { return shownText(s.Rows[row][col], s.Columns[col]) }

// IsNumeric reports whether a column holds numbers (its first non-missing
// cell does), so that renderers can align it right.
func (s Section) IsNumeric(col int) bool {
	for _, r := range s.Rows {
		if r[col].IsNum {
			return true
		}
		if r[col].Text != "" {
			return false
		}
	}
	return false
}
