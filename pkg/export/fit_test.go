package export

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func wideDoc() Document {
	return Document{Title: "Measures", Sections: []Section{{Name: "m", Columns: []Column{
		{Name: "id", Decimals: -1}, {Name: "definition", Decimals: -1}, {Name: "count", Decimals: 0}, {Name: "publication", Decimals: -1}},
		Rows: [][]Cell{
			{Str("s47"), Str("Section 47 enquiries started during the year ending 31 March"), Num(230590), Str("Children in need (formerly Characteristics of children in need), DfE")},
			{Str("under1_starts"), Str("Children starting to be looked after during the year ending 31 March who were aged under 1 year"), Num(5410), Str("Children looked after in England including adoptions, DfE")},
		}}},
		Notes: []string{"Rates are per 10,000 children aged 0-17; reporting year Y uses the ONS mid-year estimate for Y-1."}}
}

// Item 14: a terminal table fits the terminal: text columns wrap, numbers
// stay whole, and no line has trailing spaces. Piped output (width 0) is
// full width.
func TestWriteTerminalFits(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTerminal(&b, wideDoc(), 60); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, l := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(l); n > 60 {
			t.Errorf("line of %d columns: %q", n, l)
		}
		if strings.HasSuffix(l, " ") {
			t.Errorf("trailing space: %q", l)
		}
	}
	for _, want := range []string{"230590", "5410", "s47", "under1_starts"} {
		if !strings.Contains(out, want) {
			t.Errorf("lost %q:\n%s", want, out)
		}
	}
	// Every word of the long cells is still there.
	words := map[string]bool{}
	for _, w := range strings.Fields(out) {
		words[w] = true
	}
	for _, w := range strings.Fields("Children starting to be looked after during the year ending 31 March who were aged under 1 year (formerly Characteristics") {
		if !words[w] {
			t.Errorf("wrapped text lost %q:\n%s", w, out)
		}
	}
	b.Reset()
	if err := Write(&b, nil, "table", wideDoc()); err != nil {
		t.Fatal(err)
	}
	full := b.String()
	if !strings.Contains(full, "Children starting to be looked after during the year ending 31 March who were aged under 1 year") {
		t.Errorf("piped output should not wrap:\n%s", full)
	}
	for _, l := range strings.Split(full, "\n") {
		if strings.HasSuffix(l, " ") {
			t.Errorf("trailing space in piped output: %q", l)
		}
	}
}

func TestWrapCell(t *testing.T) {
	for _, c := range []struct {
		in    string
		width int
		want  string
	}{
		{"a bb ccc dddd", 6, "a bb|ccc|dddd"},
		{"abcdefghij", 4, "abcd|efgh|ij"},
		{"short", 10, "short"},
	} {
		if got := strings.Join(wrapCell(c.in, c.width), "|"); got != c.want {
			t.Errorf("wrapCell(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}
