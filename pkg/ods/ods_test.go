package ods

import (
	"archive/zip"
	"bytes"
	"errors"
	"strings"
	"testing"
)

const head = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>`
const tail = `</office:spreadsheet></office:body></office:document-content>`

// build writes a minimal .ods archive with the given content.xml.
func build(t *testing.T, content string) *bytes.Reader {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("mimetype")
	w.Write([]byte(MimeType))
	w, _ = zw.Create("content.xml")
	w.Write([]byte(content))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(buf.Bytes())
}

type row struct {
	n     int
	cells []Cell
}

func readAll(t *testing.T, content string, lim Limits) (map[string][]row, error) {
	t.Helper()
	r := build(t, content)
	f, err := NewFile(r, r.Size(), "test.ods", lim)
	if err != nil {
		return nil, err
	}
	out := map[string][]row{}
	err = f.Walk(func(sheet string) RowFunc {
		return func(n int, cells []Cell) error {
			out[sheet] = append(out[sheet], row{n, append([]Cell(nil), cells...)})
			return nil
		}
	})
	return out, err
}

func TestRepeatsCoveredAndTypes(t *testing.T) {
	content := head + `<table:table table:name="One">
<table:table-row><table:table-cell office:value-type="string"><text:p>Title</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16383"/></table:table-row>
<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
<table:table-row><table:table-cell table:number-columns-spanned="2" office:value-type="string"><text:p>merged</text:p></table:table-cell><table:covered-table-cell><text:p>hidden</text:p></table:covered-table-cell><table:table-cell table:number-columns-repeated="2"/><table:table-cell office:value-type="date" office:date-value="2019-02-18T00:00:00"><text:p>18/02/2019</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="12.5"><text:p>12.50</text:p></table:table-cell><table:table-cell table:number-columns-repeated="2" office:value-type="string"><text:p>a<text:s text:c="2"/>b</text:p><text:p>c</text:p></table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>
<table:table-row table:number-rows-repeated="2"><table:table-cell office:value-type="string"><text:p>twice</text:p></table:table-cell></table:table-row>
</table:table><table:table table:name="Two"><table:table-row><table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>TRUE</text:p></table:table-cell></table:table-row></table:table>` + tail
	got, err := readAll(t, content, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	one := got["One"]
	// Rows: 1 (title), 2-3 empty (skipped), 4 (data), 5..1048004 empty, 1048005-1048006 "twice".
	wantRows := []int{1, 4, 1048005, 1048006}
	if len(one) != len(wantRows) {
		t.Fatalf("rows = %+v, want numbers %v", one, wantRows)
	}
	for i, r := range one {
		if r.n != wantRows[i] {
			t.Errorf("row %d numbered %d, want %d", i, r.n, wantRows[i])
		}
	}
	if len(one[0].cells) != 1 || one[0].cells[0].Text != "Title" {
		t.Errorf("title row = %+v (trailing empties must be dropped)", one[0].cells)
	}
	c := one[1].cells
	// A merged, B covered (empty), C-D empty, E date, F float, G-H repeated text.
	if len(c) != 8 {
		t.Fatalf("data row has %d cells, want 8: %+v", len(c), c)
	}
	if c[0].Text != "merged" || !c[1].Empty() || !c[2].Empty() || !c[3].Empty() {
		t.Errorf("merged/covered/empty cells wrong: %+v", c[:4])
	}
	if c[4].Type != "date" || c[4].Value != "2019-02-18T00:00:00" || c[4].Text != "18/02/2019" {
		t.Errorf("date cell = %+v", c[4])
	}
	if c[5].Type != "float" || c[5].Value != "12.5" {
		t.Errorf("float cell = %+v", c[5])
	}
	if c[6].Text != "a  b\nc" || c[7] != c[6] {
		t.Errorf("repeated text cells = %+v, %+v", c[6], c[7])
	}
	if two := got["Two"]; len(two) != 1 || two[0].cells[0].Value != "true" {
		t.Errorf("sheet Two = %+v", two)
	}
}

func TestHostileInput(t *testing.T) {
	// A DOCTYPE (the door to entity expansion) is refused.
	bomb := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>` +
		strings.TrimPrefix(head, `<?xml version="1.0" encoding="UTF-8"?>`) + `<table:table table:name="S"><table:table-row><table:table-cell office:value-type="string"><text:p>&lol2;</text:p></table:table-cell></table:table-row></table:table>` + tail
	_, err := readAll(t, bomb, DefaultLimits)
	var pe *ParseError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "DOCTYPE") {
		t.Errorf("DOCTYPE: err = %v, want a ParseError refusing it", err)
	}
	// An undeclared entity is an error, not expanded.
	_, err = readAll(t, head+`<table:table table:name="S"><table:table-row><table:table-cell office:value-type="string"><text:p>&xxe;</text:p></table:table-cell></table:table-row></table:table>`+tail, DefaultLimits)
	if !errors.As(err, &pe) || pe.Sheet != "S" || pe.Row != 1 || pe.Column != 1 {
		t.Errorf("entity: err = %v, want a ParseError at S!A1", err)
	}
	// content.xml over the cap: refused from its declared size.
	lim := DefaultLimits
	lim.MaxContentBytes = 100
	if _, err := readAll(t, head+`<table:table table:name="S"></table:table>`+tail, lim); err == nil || !strings.Contains(err.Error(), "more than the 100 allowed") {
		t.Errorf("size cap: err = %v", err)
	}
	// Repeated non-empty cells beyond the column cap.
	if _, err := readAll(t, head+`<table:table table:name="S"><table:table-row><table:table-cell table:number-columns-repeated="5000000" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table>`+tail, DefaultLimits); err == nil || !strings.Contains(err.Error(), "beyond column") {
		t.Errorf("column cap: err = %v", err)
	}
	// Repeated non-empty rows beyond the row cap.
	lim = DefaultLimits
	lim.MaxRows = 10
	if _, err := readAll(t, head+`<table:table table:name="S"><table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table>`+tail, lim); err == nil || !strings.Contains(err.Error(), "more than 10 non-empty rows") {
		t.Errorf("row cap: err = %v", err)
	}
	// Bad repeat counts name the cell.
	_, err = readAll(t, head+`<table:table table:name="S"><table:table-row><table:table-cell/><table:table-cell table:number-columns-repeated="-3"/></table:table-row></table:table>`+tail, DefaultLimits)
	if !errors.As(err, &pe) || pe.Column != 2 || !strings.Contains(err.Error(), "cell B1") {
		t.Errorf("bad repeat: err = %v", err)
	}
	// Truncated XML.
	if _, err := readAll(t, head+`<table:table table:name="S"><table:table-row><table:table-cell>`, DefaultLimits); err == nil {
		t.Error("truncated content.xml accepted")
	}
	// Not a zip, and a zip without content.xml.
	if _, err := NewFile(bytes.NewReader([]byte("hello")), 5, "x.ods", DefaultLimits); !errors.Is(err, ErrNotODS) {
		t.Errorf("not a zip: err = %v", err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.Create("other.txt")
	zw.Close()
	if _, err := NewFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "x.ods", DefaultLimits); !errors.Is(err, ErrNotODS) {
		t.Errorf("no content.xml: err = %v", err)
	}
}

func TestColumnName(t *testing.T) {
	for col, want := range map[int]string{1: "A", 11: "K", 26: "Z", 27: "AA", 52: "AZ", 703: "AAA"} {
		if got := ColumnName(col); got != want {
			t.Errorf("ColumnName(%d) = %s, want %s", col, got, want)
		}
	}
}

func FuzzWalk(f *testing.F) {
	f.Add(`<table:table table:name="S"><table:table-row><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table>`)
	f.Add(`<table:table table:name="S"><table:table-row table:number-rows-repeated="3"><table:covered-table-cell table:number-columns-repeated="2"/></table:table-row></table:table>`)
	f.Fuzz(func(t *testing.T, body string) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("content.xml")
		w.Write([]byte(head + body + tail))
		zw.Close()
		lim := DefaultLimits
		lim.MaxRows = 1000
		o, err := NewFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "f.ods", lim)
		if err != nil {
			return
		}
		_ = o.Walk(func(string) RowFunc { return func(int, []Cell) error { return nil } })
	})
}
