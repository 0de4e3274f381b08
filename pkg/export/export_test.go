package export

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"unsafe"
)

func doc() Document {
	return Document{Title: "T", Notes: []string{"a note"}, Sections: []Section{{
		Name:    "rows",
		Columns: []Column{{Name: "name", Decimals: -1}, {Name: "rate", Decimals: 1}, {Name: "count", Decimals: -1}},
		Rows: [][]Cell{
			{Str("Leeds | West"), Num(100.8855377821624), Num(1718)},
			{Str("Isles of Scilly"), Num(nan()), MissingCell("c")},
		},
	}}}
}

func nan() float64 { var z float64; return z / z }

func TestCSVFullPrecisionEmptyMissingNotesToDiag(t *testing.T) {
	var out, diag bytes.Buffer
	if err := Write(&out, &diag, "csv", doc()); err != nil {
		t.Fatal(err)
	}
	want := "name,rate,count\nLeeds | West,100.8855377821624,1718\nIsles of Scilly,,\n"
	if out.String() != want {
		t.Errorf("csv:\n%q\nwant\n%q", out.String(), want)
	}
	if diag.String() != "note: a note\n" {
		t.Errorf("notes belong on the diagnostic stream, got %q", diag.String())
	}
}

func TestJSONNullForMissing(t *testing.T) {
	var out bytes.Buffer
	if err := Write(&out, nil, "json", doc()); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Rows  []map[string]any `json:"rows"`
		Notes []string         `json:"notes"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Rows[0]["rate"] != 100.8855377821624 || got.Rows[1]["rate"] != nil || got.Rows[1]["count"] != nil {
		t.Errorf("rows %v", got.Rows)
	}
	if len(got.Notes) != 1 {
		t.Errorf("notes %v", got.Notes)
	}
}

func TestTableAndMarkdownRoundAndShowSymbols(t *testing.T) {
	var tab, md bytes.Buffer
	if err := Write(&tab, nil, "table", doc()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tab.String(), "100.9") || strings.Contains(tab.String(), "100.885") || !strings.Contains(tab.String(), " c") || !strings.Contains(tab.String(), "Note: a note") {
		t.Errorf("table:\n%s", tab.String())
	}
	if err := Write(&md, nil, "markdown", doc()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), `| Leeds \| West | 100.9 | 1718 |`) || !strings.Contains(md.String(), "| Isles of Scilly |  | c |") {
		t.Errorf("markdown:\n%s", md.String())
	}
	if err := Write(&md, nil, "xml", doc()); err == nil || !strings.Contains(err.Error(), "table, csv, json, markdown") {
		t.Errorf("unknown format: %v", err)
	}
}

// JSON-only columns reach JSON and nothing else.
func TestJSONOnlyColumns(t *testing.T) {
	s := Section{Name: "t", Columns: []Column{{Name: "a", Decimals: -1}},
		Rows: [][]Cell{{Int(1)}}, JSONOnly: []Column{{Name: "provenance", Decimals: -1}},
		JSONOnlyRows: [][]Cell{{Str("f.csv:2 (release 2025)")}}}
	d := Document{Sections: []Section{s}}
	for _, f := range Formats {
		var b strings.Builder
		if err := Write(&b, io.Discard, f, d); err != nil {
			t.Fatal(err)
		}
		has := strings.Contains(b.String(), "provenance") && strings.Contains(b.String(), "f.csv:2 (release 2025)")
		if has != (f == "json") {
			t.Errorf("%s: provenance shown = %v:\n%s", f, has, b.String())
		}
	}
}

// JSONOnlyRow gives the same JSON as the same cells in JSONOnlyRows, and
// is not called for any other format.
func TestJSONOnlyRowIsMadeOnlyForJSON(t *testing.T) {
	cols := []Column{{Name: "a", Decimals: -1}}
	rows := [][]Cell{{Int(1)}, {Int(2)}}
	extra := []Column{{Name: "provenance", Decimals: -1}, {Name: "note", Decimals: -1}}
	cells := [][]Cell{{Str("f.csv:2 (release 2025)"), Str("")}, {Str("f.csv:3"), Str("a note")}}
	eager := Document{Sections: []Section{{Name: "t", Columns: cols, Rows: rows, JSONOnly: extra, JSONOnlyRows: cells}}}
	var calls int
	lazy := Document{Sections: []Section{{Name: "t", Columns: cols, Rows: rows, JSONOnly: extra,
		JSONOnlyRow: func(i int) []Cell { calls++; return cells[i] }}}}
	for _, f := range Formats {
		var a, b strings.Builder
		calls = 0
		if err := Write(&a, io.Discard, f, eager); err != nil {
			t.Fatal(err)
		}
		if err := Write(&b, io.Discard, f, lazy); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Errorf("%s: lazy cells give\n%s\nwant\n%s", f, b.String(), a.String())
		}
		if want := map[bool]int{true: len(rows), false: 0}[f == "json"]; calls != want {
			t.Errorf("%s: JSONOnlyRow called %d times, want %d", f, calls, want)
		}
	}
}

// hostileDoc has a name of each hostile class in a text cell, a column
// name, the title and a note.
func hostileDoc() Document {
	return Document{Title: "Rates <b>\x1b[2J", Notes: []string{"source: <img src=x onerror=alert(1)>.csv\x1b]8;;http://x\x07"}, Sections: []Section{{
		Name:    "rows",
		Columns: []Column{{Name: "la_name", Decimals: -1}, {Name: "rate", Decimals: 1}},
		Rows: [][]Cell{
			{Str(`=HYPERLINK("http://x","y")`), Num(-3.5)},
			{Str("@SUM(1)|# head\n- list"), Num(12)},
			{Str("Leeds\v170292 \u202e1.99"), Num(1)},
		},
	}}}
}

func TestHostileTextIsMadeSafeInEveryFormat(t *testing.T) {
	var csvOut, diag bytes.Buffer
	if err := Write(&csvOut, &diag, "csv", hostileDoc()); err != nil {
		t.Fatal(err)
	}
	wantCSV := "la_name,rate\n\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",-3.5\n\"'@SUM(1)|# head\n- list\",12\nLeeds\v170292 \u202e1.99,1\n"
	if csvOut.String() != wantCSV {
		t.Errorf("csv:\n%q\nwant\n%q", csvOut.String(), wantCSV)
	}
	if diag.String() != `note: source: <img src=x onerror=alert(1)>.csv\x1b]8;;http://x\x07`+"\n" {
		t.Errorf("csv notes: %q", diag.String())
	}

	var tab bytes.Buffer
	if err := Write(&tab, nil, "table", hostileDoc()); err != nil {
		t.Fatal(err)
	}
	wantTab := "Rates <b>\\x1b[2J\n\n" +
		"la_name                     rate\n" +
		"=HYPERLINK(\"http://x\",\"y\")  -3.5\n" +
		"@SUM(1)|# head\\x0a- list    12.0\n" +
		"Leeds\\x0b170292 \\u202e1.99  1.0\n\n" +
		"Note: source: <img src=x onerror=alert(1)>.csv\\x1b]8;;http://x\\x07\n"
	if tab.String() != wantTab {
		t.Errorf("table:\n%s\nwant\n%s", tab.String(), wantTab)
	}

	var md bytes.Buffer
	if err := Write(&md, nil, "markdown", hostileDoc()); err != nil {
		t.Fatal(err)
	}
	wantMD := "### Rates &lt;b&gt;\\\\x1b\\[2J\n\n" +
		"| la_name | rate |\n| --- | --- |\n" +
		"| =HYPERLINK(\"http\\://x\",\"y\") | -3.5 |\n" +
		"| \\@SUM(1)\\|# head - list | 12.0 |\n" +
		"| Leeds\\\\x0b170292 \\\\u202e1.99 | 1.0 |\n\n" +
		"- source: &lt;img src=x onerror=alert(1)&gt;.csv\\\\x1b\\]8;;http\\://x\\\\x07\n"
	if md.String() != wantMD {
		t.Errorf("markdown:\n%s\nwant\n%s", md.String(), wantMD)
	}

	var js bytes.Buffer
	if err := Write(&js, nil, "json", hostileDoc()); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	// JSON keeps the exact text (a JSON reader gets what the file said);
	// encoding/json escapes <, > and & so it is safe inside HTML too.
	if got.Rows[0]["la_name"] != `=HYPERLINK("http://x","y")` || strings.Contains(js.String(), "<") {
		t.Errorf("json: %s", js.String())
	}
}

// A cell stays 48 bytes on 64-bit systems: a full tidy table holds over
// 200,000 of them.
func TestCellSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) == 8 && unsafe.Sizeof(Cell{}) > 48 {
		t.Errorf("Cell is %d bytes, want at most 48", unsafe.Sizeof(Cell{}))
	}
}

// A section whose rows are made on demand (RowFunc) prints exactly as the
// same rows held in Rows, in every format and with --out-dir; hostile text
// included, since the on-demand rows take the same escaping path.
func TestRowFuncSectionPrintsAsRows(t *testing.T) {
	held := doc()
	held.Sections[0].Rows = append(held.Sections[0].Rows, []Cell{Str("=HYPERLINK(\"x\")\x1b[31m"), Num(-0.5), Int(3)})
	rows := held.Sections[0].Rows
	lazy := held
	lazy.Sections = []Section{held.Sections[0]}
	lazy.Sections[0].Rows = nil
	lazy.Sections[0].NRows = len(rows)
	lazy.Sections[0].RowFunc = func(i int, dst []Cell) []Cell { return append(dst, rows[i]...) }
	if lazy.Sections[0].Len() != 3 || held.Sections[0].Len() != 3 {
		t.Fatalf("Len: %d lazy, %d held; want 3", lazy.Sections[0].Len(), held.Sections[0].Len())
	}
	for _, f := range Formats {
		var a, b, da, db bytes.Buffer
		if err := Write(&a, &da, f, held); err != nil {
			t.Fatal(err)
		}
		if err := Write(&b, &db, f, lazy); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() || da.String() != db.String() {
			t.Errorf("%s: on-demand rows print\n%s\nheld rows print\n%s", f, b.String(), a.String())
		}
		if !strings.Contains(a.String(), "HYPERLINK") {
			t.Errorf("%s: the third row is missing:\n%s", f, a.String())
		}
	}
	var w1, w2 bytes.Buffer
	if err := WriteTerminal(&w1, held, 30); err != nil {
		t.Fatal(err)
	}
	if err := WriteTerminal(&w2, lazy, 30); err != nil {
		t.Fatal(err)
	}
	if w1.String() != w2.String() {
		t.Errorf("terminal: on-demand rows print\n%s\nheld rows print\n%s", w2.String(), w1.String())
	}
	m := lazy.Sections[0].Materialize()
	if m.RowFunc != nil || len(m.Rows) != 3 || m.Rows[2][0].Text != rows[2][0].Text {
		t.Errorf("Materialize gave %+v", m)
	}
}
