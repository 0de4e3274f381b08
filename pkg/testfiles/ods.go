package testfiles

import (
	"archive/zip"
	"encoding/xml"
	"strconv"
	"strings"
	"testing"
)

// OfstedODS is Ofsted's outcomes spreadsheet in the shared folder.
const OfstedODS = "ofsted/LA_Inspection_Outcomes_as_at_31_March_2025.ods"

// PlainODSRows is a test's own reading of one sheet of an .ods file,
// deliberately not the project's streaming reader (pkg/ods): the whole
// content.xml is unmarshalled into a tree, repeated cells are expanded up
// to 30 columns, and each cell is its date-value's date (yyyy-mm-dd) or its
// paragraphs' text. Rows keep their order; repeated rows count once.
func PlainODSRows(tb testing.TB, path, sheet string) [][]string {
	tb.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer zr.Close()
	var doc struct {
		Tables []struct {
			Name string `xml:"name,attr"`
			Rows []struct {
				Cells []struct {
					Repeat string   `xml:"number-columns-repeated,attr"`
					Date   string   `xml:"date-value,attr"`
					Paras  []string `xml:"p"`
				} `xml:",any"`
			} `xml:"table-row"`
		} `xml:"body>spreadsheet>table"`
	}
	for _, f := range zr.File {
		if f.Name != "content.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		err = xml.NewDecoder(rc).Decode(&doc)
		rc.Close()
		if err != nil {
			tb.Fatal(err)
		}
	}
	for _, t := range doc.Tables {
		if t.Name != sheet {
			continue
		}
		var out [][]string
		for _, r := range t.Rows {
			var cells []string
			for _, c := range r.Cells {
				n := 1
				if c.Repeat != "" {
					n, _ = strconv.Atoi(c.Repeat)
				}
				v := strings.Join(c.Paras, "\n")
				if len(c.Date) >= 10 {
					v = c.Date[:10]
				}
				for i := 0; i < n && len(cells) < 30; i++ {
					cells = append(cells, v)
				}
			}
			out = append(out, cells)
		}
		return out
	}
	tb.Fatalf("%s: no sheet %s", path, sheet)
	return nil
}

// OfstedInspection is one row of the ILACS history as PlainODSRows reads
// it: code, inspection date (yyyy-mm-dd) and overall effectiveness.
type OfstedInspection struct{ Code, Date, Overall string }

// PlainOfstedHistory reads the ILACS_inspection_history sheet of Ofsted's
// file with PlainODSRows: the rows after the header in row 3 (columns B,
// F and I) until the first row without a code.
func PlainOfstedHistory(tb testing.TB) []OfstedInspection {
	tb.Helper()
	rows := PlainODSRows(tb, SharedOther(tb, OfstedODS), "ILACS_inspection_history")
	if len(rows) < 3 || len(rows[2]) < 9 || rows[2][1] != "Local authority area code" || rows[2][5] != "Inspection date" || rows[2][8] != "Overall effectiveness" {
		tb.Fatalf("unexpected header row in the Ofsted file: %q", rows[2])
	}
	var out []OfstedInspection
	for _, r := range rows[3:] {
		if len(r) < 9 || r[1] == "" {
			break
		}
		out = append(out, OfstedInspection{Code: r[1], Date: r[5], Overall: r[8]})
	}
	return out
}
