package ees_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/safetext"
)

// The reader splits plain lines itself and leaves the rest to
// encoding/csv (Reader.Read). Whatever the mix, every row, line number,
// column and error must be what encoding/csv alone gives: checked here
// on generated files with quoted fields, line breaks inside quotes,
// CRLF, blank lines, ragged rows, stray quotes and carriage returns, and
// lines longer than the read buffer.
func TestReaderMatchesEncodingCSV(t *testing.T) {
	rng := rand.New(rand.NewSource(13))
	for i := 0; i < 400; i++ {
		data := generated(rng, i%40 == 0)
		compareWithCSV(t, fmt.Sprintf("case %d", i), data)
	}
}

func FuzzReaderMatchesEncodingCSV(f *testing.F) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 20; i++ {
		f.Add(generated(rng, false))
	}
	f.Fuzz(func(t *testing.T, data []byte) { compareWithCSV(t, "fuzz", data) })
}

const genHeader = "time_period,time_identifier,geographic_level,country_code,country_name,a,b"

func generated(rng *rand.Rand, long bool) []byte {
	var b strings.Builder
	b.WriteString(genHeader)
	b.WriteString([]string{"\n", "\r\n"}[rng.Intn(2)])
	rows := 1 + rng.Intn(60)
	if long {
		rows = 2000
	}
	cells := []string{"2021", "Reporting year", "National", "E92000001", "England", "12", "c", " 7 ", "", "x",
		`"quoted"`, `"with, comma"`, `"line` + "\n" + `break"`, `"crlf` + "\r\n" + `inside"`, `"a ""quote"""`,
		`bare"quote`, "cr\rmid", `"unterminated`, "1,234"}
	for r := 0; r < rows; r++ {
		n := 7
		switch rng.Intn(25) {
		case 0:
			n = 6
		case 1:
			n = 8
		case 2:
			b.WriteString([]string{"\n", "\r\n"}[rng.Intn(2)]) // blank line
		}
		for c := 0; c < n; c++ {
			if c > 0 {
				b.WriteByte(',')
			}
			cell := "7"
			if rng.Intn(4) == 0 {
				cell = cells[rng.Intn(len(cells))]
			} else if c < 5 {
				cell = cells[c]
			}
			if long && rng.Intn(500) == 0 {
				cell = strings.Repeat("9", 70000) // longer than the read buffer
			}
			b.WriteString(cell)
		}
		if r < rows-1 || rng.Intn(2) == 0 {
			b.WriteString([]string{"\n", "\r\n"}[rng.Intn(2)])
		}
	}
	return []byte(b.String())
}

func compareWithCSV(t *testing.T, name string, data []byte) {
	t.Helper()
	r, err := ees.NewReader(bytes.NewReader(data), "gen.csv")
	if err != nil {
		return // the header checks come before any row: not this test's concern
	}
	want := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	want.ReuseRecord = true
	header, err := want.Read()
	if err != nil {
		t.Fatalf("%s: encoding/csv cannot read the header the reader read: %v", name, err)
	}
	header = append([]string(nil), header...) // the next Read reuses it
	seen := map[string]bool{}
	for {
		row, err := r.Read()
		rec, werr := want.Read()
		if werr == io.EOF || err == io.EOF {
			if werr != err {
				t.Fatalf("%s: reader %v, encoding/csv %v", name, err, werr)
			}
			return
		}
		if err != nil && werr == nil {
			// The reader refuses, on purpose, records encoding/csv takes:
			// a field with a control character, invalid UTF-8 or over the
			// field size limit. It must say so at that field's position.
			var pe *ees.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("%s: reader %v, encoding/csv read a record", name, err)
			}
			for i, f := range rec {
				if refusedField(f) {
					l, c := want.FieldPos(i)
					if pe.Line != l || pe.Column != c {
						t.Fatalf("%s: reader refused at %d:%d, the refused field is at %d:%d: %v", name, pe.Line, pe.Column, l, c, err)
					}
					return
				}
			}
			t.Fatalf("%s: reader %v, but encoding/csv's record %q has no field to refuse", name, err, rec)
		}
		if werr != nil || err != nil {
			var wpe *csv.ParseError
			var pe *ees.ParseError
			if !errors.As(werr, &wpe) || !errors.As(err, &pe) {
				t.Fatalf("%s: reader %v, encoding/csv %v", name, err, werr)
			}
			wantCol := wpe.Column
			if errors.Is(wpe.Err, csv.ErrFieldCount) {
				wantCol = 0
			}
			if pe.Line != wpe.Line || pe.Column != wantCol || !errors.Is(pe.Err, wpe.Err) {
				t.Fatalf("%s: reader error %v (line %d col %d), encoding/csv %v", name, err, pe.Line, pe.Column, werr)
			}
			return
		}
		clear(seen)
		line, _ := want.FieldPos(0)
		if row.Line() != line {
			t.Fatalf("%s: row at line %d, encoding/csv says %d", name, row.Line(), line)
		}
		for i, h := range header {
			h = strings.TrimSpace(h)
			if seen[h] {
				continue // a repeated name reads its first column
			}
			seen[h] = true
			if got, w := row.Text(h), strings.TrimSpace(rec[i]); got != w {
				t.Fatalf("%s: line %d column %s: %q, encoding/csv %q", name, line, h, got, w)
			}
			_, col := want.FieldPos(i)
			if pe := row.Error(h, "", "", ""); pe.Column != col || pe.Line != line {
				t.Fatalf("%s: line %d field %d at %d:%d, encoding/csv %d:%d", name, line, i, pe.Line, pe.Column, line, col)
			}
		}
	}
}

// refusedField says whether the reader refuses a field on its content
// (see ees.Reader.Read): a control character other than a line break
// inside quotes, text that is not UTF-8, or more than the field limit.
func refusedField(f string) bool {
	_, _, bad := safetext.HasControl(strings.ReplaceAll(f, "\n", " "))
	return bad || !utf8.ValidString(f) || len(f) > ees.DefaultLimits.MaxFieldBytes
}

// ReadBorrowed gives what Read gives (fields, lines, errors) on the same
// generated files, and the text of a row it gives, once owned, stays as
// it was through the reads that follow, which refill the buffer the
// borrowed rows were views of.
func TestReadBorrowedMatchesRead(t *testing.T) {
	rng := rand.New(rand.NewSource(21))
	refilled := false
	for i := 0; i < 300; i++ {
		data := generated(rng, i%30 == 0)
		plain, err := ees.NewReader(bytes.NewReader(data), "gen.csv")
		if err != nil {
			continue
		}
		borrowing, _ := ees.NewReader(bytes.NewReader(data), "gen.csv")
		width := len(plain.Header())
		type kept struct {
			got, want []string
			line      int
		}
		var owned []kept
		for n := 0; ; n++ {
			want, werr := plain.Read()
			got, err := borrowing.ReadBorrowed()
			if (werr == nil) != (err == nil) || (werr != nil && werr.Error() != err.Error()) {
				t.Fatalf("case %d row %d: ReadBorrowed error %v, Read error %v", i, n, err, werr)
			}
			if werr != nil {
				break
			}
			wf, gf := fieldsOf(want, width, true), fieldsOf(got, width, true)
			if fmt.Sprint(wf) != fmt.Sprint(gf) || want.Line() != got.Line() {
				t.Fatalf("case %d row %d: ReadBorrowed %q line %d, Read %q line %d", i, n, gf, got.Line(), wf, want.Line())
			}
			if n%3 == 0 {
				owned = append(owned, kept{fieldsOf(got.Own(), width, false), wf, got.Line()})
			}
		}
		for _, k := range owned {
			if fmt.Sprint(k.got) != fmt.Sprint(k.want) {
				t.Fatalf("case %d: the owned row of line %d became %q; it was %q", i, k.line, k.got, k.want)
			}
		}
		refilled = refilled || len(data) > 1<<17
	}
	if !refilled {
		t.Fatal("no generated file was longer than the read buffer: the test never saw a refill")
	}
}

// fieldsOf returns the row's fields, copied (clone) or as they are.
func fieldsOf(row ees.Row, width int, clone bool) []string {
	out := make([]string, width)
	for i := range out {
		out[i] = row.Field(i)
		if clone {
			out[i] = strings.Clone(out[i])
		}
	}
	return out
}

// Text kept from owned rows is the file's, after reads that refilled the
// buffer many times over, with every line different.
func TestReadBorrowedOwnedTextSurvivesRefills(t *testing.T) {
	var b strings.Builder
	b.WriteString(genHeader + "\n")
	const rows = 20000 // about 1 MB: the 64 KB buffer is refilled some 15 times
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&b, "2021,Reporting year,National,E92000001,England,%d,name %d of the file\n", i, i*7)
	}
	r, err := ees.NewReader(strings.NewReader(b.String()), "gen.csv")
	if err != nil {
		t.Fatal(err)
	}
	var a, name []string
	for {
		row, err := r.ReadBorrowed()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(a)%2 == 0 {
			row = row.Own()
			a, name = append(a, row.Field(5)), append(name, row.Field(6))
			continue
		}
		a, name = append(a, ""), append(name, "") // borrowed rows are not kept
	}
	if len(a) != rows {
		t.Fatalf("%d rows read, the file has %d", len(a), rows)
	}
	for i := 0; i < rows; i += 2 {
		if a[i] != fmt.Sprint(i) || name[i] != fmt.Sprintf("name %d of the file", i*7) {
			t.Fatalf("row %d kept %q, %q; the file says %d, name %d of the file", i, a[i], name[i], i, i*7)
		}
	}
}
