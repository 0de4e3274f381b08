package ees_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/ees"
)

// Hand-written rows in the EES layout (numbers invented).
const (
	hdrA = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,Section47,ICPC"
	rowA = `2021,Reporting year,Local authority,E92000001,England,E12000009,South West,801,E06000023,"Bristol, City of","1,234",c`
	// The same data with the columns in another order, as the CLA files
	// have them (la_name before new_la_code, indicators first).
	hdrB = "ICPC,Section47,la_name,new_la_code,old_la_code,region_name,region_code,country_name,country_code,geographic_level,time_identifier,time_period"
	rowB = `c,"1,234","Bristol, City of",E06000023,801,South West,E12000009,England,E92000001,Local authority,Reporting year,2021`
)

// readAll reads every row, checking each indicator column parses.
func readAll(t *testing.T, src, name string) (*ees.Reader, []map[string]string) {
	t.Helper()
	r, err := ees.NewReader(strings.NewReader(src), name)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	var rows []map[string]string
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		m := map[string]string{"_line": fmt.Sprint(row.Line())}
		for _, c := range r.Header() {
			m[c] = row.Text(c)
		}
		rows = append(rows, m)
	}
	return r, rows
}

func TestReaderBOMCRLFQuotedCommas(t *testing.T) {
	src := "\ufeff" + hdrA + "\r\n" + rowA + "\r\n" +
		`2021,Reporting year,National,E92000001,England,,,,,,56,7` + "\r\n"
	r, rows := readAll(t, src, "bom_crlf.csv")
	if h := r.Header()[0]; h != "time_period" {
		t.Fatalf("first header = %q, want time_period (BOM not stripped?)", h)
	}
	if len(rows) != 2 {
		t.Fatalf("got %d rows, want 2", len(rows))
	}
	got := rows[0]
	if got["la_name"] != "Bristol, City of" {
		t.Errorf("la_name = %q, want %q", got["la_name"], "Bristol, City of")
	}
	if got["ICPC"] != "c" || got["new_la_code"] != "E06000023" {
		t.Errorf("columns shifted: %v", got)
	}
	if strings.ContainsAny(rows[1]["ICPC"], "\r\n") {
		t.Errorf("CR left in last cell: %q", rows[1]["ICPC"])
	}
	if got["_line"] != "2" || rows[1]["_line"] != "3" {
		t.Errorf("lines = %s, %s; want 2, 3", got["_line"], rows[1]["_line"])
	}
}

func TestReaderColumnOrder(t *testing.T) {
	values := func(src string) (ees.Geography, ees.Value, ees.Value) {
		r, err := ees.NewReader(strings.NewReader(src), "order.csv")
		if err != nil {
			t.Fatal(err)
		}
		row, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		s47, err := row.Value("Section47")
		if err != nil {
			t.Fatal(err)
		}
		icpc, err := row.Value("ICPC")
		if err != nil {
			t.Fatal(err)
		}
		return row.Geography(), s47, icpc
	}
	gA, sA, iA := values(hdrA + "\n" + rowA + "\n")
	gB, sB, iB := values(hdrB + "\n" + rowB + "\n")
	want := ees.Geography{Level: "Local authority", RegionCode: "E12000009", RegionName: "South West",
		OldLACode: "801", NewLACode: "E06000023", LAName: "Bristol, City of"}
	if gA != want || gB != want {
		t.Errorf("geography:\n A %+v\n B %+v\nwant %+v", gA, gB, want)
	}
	if sA != ees.Num(1234) || sB != ees.Num(1234) {
		t.Errorf("Section47 = %+v / %+v, want 1234", sA, sB)
	}
	if iA != ees.Missing(ees.Suppressed) || iB != ees.Missing(ees.Suppressed) {
		t.Errorf("ICPC = %+v / %+v, want suppressed", iA, iB)
	}
}

// wantParseError checks err is a *ParseError at file:line:col whose message
// contains every fragment.
func wantParseError(t *testing.T, err error, file string, line, col int, fragments ...string) *ees.ParseError {
	t.Helper()
	var pe *ees.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *ees.ParseError", err, err)
	}
	if pe.File != file || pe.Line != line || pe.Column != col {
		t.Errorf("position = %s:%d:%d, want %s:%d:%d (%v)", pe.File, pe.Line, pe.Column, file, line, col, err)
	}
	msg := err.Error()
	prefix := fmt.Sprintf("%s:%d", file, line)
	if col > 0 {
		prefix += fmt.Sprintf(":%d", col)
	}
	if !strings.HasPrefix(msg, prefix+": ") {
		t.Errorf("message %q does not start with %q", msg, prefix+": ")
	}
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			t.Errorf("message %q lacks %q", msg, f)
		}
	}
	return pe
}

func TestReaderHeaderErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		fragments []string
	}{
		{"empty", "", []string{"file is empty", "cscstats fetch"}},
		{"bom only", "\ufeff", []string{"file is empty"}},
		{"blank lines", "\n\r\n  \n", []string{"file is empty"}},
		{"missing required column",
			"time_period,time_identifier,geographic_level,country_code,Section47\n2021,Reporting year,National,E92000001,5\n",
			[]string{`required EES column "country_name"`, "not an EES open-data file"}},
		{"not EES at all", "LTLA23CD,LTLA23NM\nE06000001,Hartlepool\n",
			[]string{`required EES column "time_period"`, "LTLA23CD,LTLA23NM"}},
		{"html error page",
			"<!DOCTYPE html>\n<html><head><title>Service unavailable</title></head><body>Sorry</body></html>\n",
			[]string{"HTML page", "cscstats fetch", "<!DOCTYPE html>"}},
		{"html without doctype", "  <html>\n<body>404</body></html>", []string{"HTML page"}},
		{"zip archive", "PK\x03\x04\x14\x00\x00\x00\x08\x00time_period.csv", []string{"binary data", "zip"}},
		{"binary, no NUL", "\xff\xfe\x80\x81 time_period,\xc3\x28", []string{"binary data"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ees.NewReader(strings.NewReader(tc.src), "data/bad.csv")
			if err == nil {
				t.Fatalf("NewReader accepted %q (header %v)", tc.src, r.Header())
			}
			wantParseError(t, err, "data/bad.csv", 1, 0, tc.fragments...)
		})
	}
}

func TestReaderBadCellPosition(t *testing.T) {
	const name = "cin/c4.csv"
	bad := `2021,Reporting year,Local authority,E92000001,England,E12000009,South West,801,E06000023,"Bristol, City of",12abc,7`
	src := "\ufeff" + hdrA + "\r\n" +
		// A quoted cell spanning two lines: the bad row is on line 4.
		`2021,Reporting year,National,E92000001,England,,,,,"note` + "\n" + `continued",5,6` + "\r\n" +
		bad + "\r\n"
	r, err := ees.NewReader(strings.NewReader(src), name)
	if err != nil {
		t.Fatal(err)
	}
	first, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if first.Line() != 2 {
		t.Errorf("first row line = %d, want 2", first.Line())
	}
	row, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if row.Line() != 4 {
		t.Errorf("second row line = %d, want 4", row.Line())
	}
	if v, err := row.Value("ICPC"); err != nil || v != ees.Num(7) {
		t.Errorf("ICPC = %+v, %v; want 7", v, err)
	}
	_, err = row.Value("Section47")
	// Column: 1-based byte position of the cell in its line.
	col := strings.Index(bad, ",12abc,") + 2
	pe := wantParseError(t, err, name, 4, col, `column "Section47"`, `got "12abc"`, "a number or an EES symbol")
	if pe.Field != "Section47" || pe.Got != "12abc" {
		t.Errorf("Field, Got = %q, %q", pe.Field, pe.Got)
	}
	// A column the file lacks is an error too, not a zero.
	if _, err := row.Value("CPP_At31"); err == nil {
		t.Error("Value of a missing column gave no error")
	} else {
		wantParseError(t, err, name, 4, 0, "CPP_At31")
	}
}

func TestReaderRaggedRow(t *testing.T) {
	src := hdrA + "\n" +
		`2021,Reporting year,National,E92000001,England,,,,,,5,6` + "\n" +
		`2021,Reporting year,National,E92000001,England,,,,,5,6` + "\n"
	r, err := ees.NewReader(strings.NewReader(src), "ragged.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(); err != nil {
		t.Fatalf("row 2: %v", err)
	}
	_, err = r.Read()
	wantParseError(t, err, "ragged.csv", 3, 0, "12 fields", "11 fields", "ragged")
}

func TestReaderBareQuote(t *testing.T) {
	line := `2021,Reporting year,National,E92000001,England,,,,,Bad "quote",5,6`
	r, err := ees.NewReader(strings.NewReader(hdrA+"\n"+line+"\n"), "quote.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Read()
	// encoding/csv reports the column of the offending quote.
	wantParseError(t, err, "quote.csv", 2, strings.Index(line, `"`)+1, "quote")
}

func TestReaderHeaderOnly(t *testing.T) {
	r, err := ees.NewReader(strings.NewReader(hdrA+"\n"), "h.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(); err != io.EOF {
		t.Errorf("Read on a header-only file = %v, want io.EOF", err)
	}
	if !r.Has("Section47") || r.Has("CPP_At31") {
		t.Error("Has reports the wrong columns")
	}
}

// Row.Error positions a caller's own validation error.
func TestRowError(t *testing.T) {
	src := hdrA + "\n" + `20x1,Reporting year,National,E92000001,England,,,,,,5,6` + "\n"
	r, err := ees.NewReader(strings.NewReader(src), "y.csv")
	if err != nil {
		t.Fatal(err)
	}
	row, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	pe := row.Error("time_period", "a 4-digit year", row.Text("time_period"), "")
	wantParseError(t, pe, "y.csv", 2, 1, `column "time_period"`, `got "20x1"`)
}
