package export

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/cscstats/cscstats/pkg/safetext"
)

// minColumn is the narrowest a wrapped text column gets, in characters.
const minColumn = 10

// WriteTerminal prints the document as a table (as Write does for
// "table") that fits width columns: the widest text columns are narrowed
// and their cells wrapped onto several lines, numbers are never broken.
// width 0 means no limit. No line has trailing spaces.
func WriteTerminal(w io.Writer, d Document, width int) error {
	return writeTableWidth(w, d, width)
}

func textWidth(s string) int { return utf8.RuneCountInString(s) }

// fitWidths returns each column's width: the widest cell, or less for
// text columns when the table is wider than width (0: no limit), taking
// from the widest text column first, down to minColumn (or its header).
func fitWidths(s Section, width int) []int {
	n := len(s.Columns)
	ws := make([]int, n)
	numeric := make([]bool, n)
	for j, c := range s.Columns {
		ws[j] = textWidth(safetext.Terminal(c.Name))
		numeric[j] = s.IsNumeric(j)
	}
	for i, row := range s.Rows {
		for j := range row {
			ws[j] = max(ws[j], textWidth(safetext.Terminal(s.Shown(i, j))))
		}
	}
	if width <= 0 {
		return ws
	}
	total := func() int {
		t := 2 * (n - 1)
		for _, x := range ws {
			t += x
		}
		return t
	}
	for total() > width {
		widest := -1
		for j := range ws {
			floor := max(minColumn, longestWord(safetext.Terminal(s.Columns[j].Name)))
			if numeric[j] || ws[j] <= floor {
				continue
			}
			if widest < 0 || ws[j] > ws[widest] {
				widest = j
			}
		}
		if widest < 0 {
			break // only numbers and narrow columns left: as narrow as it gets
		}
		ws[widest] = max(max(minColumn, longestWord(safetext.Terminal(s.Columns[widest].Name))), ws[widest]-(total()-width))
	}
	return ws
}

func longestWord(s string) int {
	m := 0
	for _, f := range strings.Fields(s) {
		m = max(m, textWidth(f))
	}
	return m
}

// wrapCell breaks s into lines of at most width characters, at spaces
// where it can and inside a word where it must.
func wrapCell(s string, width int) []string {
	if textWidth(s) <= width || width <= 0 {
		return []string{s}
	}
	var out []string
	line := ""
	for _, word := range strings.Fields(s) {
		for textWidth(word) > width {
			if line != "" {
				out = append(out, line)
				line = ""
			}
			r := []rune(word)
			out = append(out, string(r[:width]))
			word = string(r[width:])
		}
		switch {
		case line == "":
			line = word
		case textWidth(line)+1+textWidth(word) <= width:
			line += " " + word
		default:
			out = append(out, line)
			line = word
		}
	}
	if line != "" || len(out) == 0 {
		out = append(out, line)
	}
	return out
}

// writeTableWidth escapes every text it prints for the terminal
// (safetext.Terminal) before measuring it, so widths count what is shown.
func writeTableWidth(w io.Writer, d Document, width int) error {
	d = d.materialized()
	esc := safetext.Terminal
	if d.Title != "" {
		for _, l := range wrapCell(esc(d.Title), width) {
			fmt.Fprintln(w, l)
		}
		fmt.Fprintln(w)
	}
	for i, s := range d.Sections {
		if s.Title != "" && (i > 0 || d.Title == "") {
			fmt.Fprintln(w, esc(s.Title))
		}
		ws := fitWidths(s, width)
		printRow := func(cells []string) {
			wrapped := make([][]string, len(cells))
			lines := 1
			for j, c := range cells {
				wrapped[j] = wrapCell(c, ws[j])
				lines = max(lines, len(wrapped[j]))
			}
			for k := 0; k < lines; k++ {
				var b strings.Builder
				for j := range cells {
					part := ""
					if k < len(wrapped[j]) {
						part = wrapped[j][k]
					}
					if j > 0 {
						b.WriteString("  ")
					}
					b.WriteString(part)
					if j < len(cells)-1 {
						b.WriteString(strings.Repeat(" ", max(0, ws[j]-textWidth(part))))
					}
				}
				fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
			}
		}
		head := make([]string, len(s.Columns))
		for j, c := range s.Columns {
			head[j] = esc(c.Name)
		}
		printRow(head)
		for r := range s.Rows {
			cells := make([]string, len(s.Columns))
			for j := range s.Columns {
				cells[j] = esc(s.Shown(r, j))
			}
			printRow(cells)
		}
		fmt.Fprintln(w)
	}
	noteWidth := width
	if width > 0 {
		noteWidth = max(minColumn, width-2) // continuation lines are indented
	}
	for _, n := range d.Notes {
		for k, l := range wrapCell("Note: "+esc(n), noteWidth) {
			if k > 0 {
				l = "  " + l
			}
			fmt.Fprintln(w, l)
		}
	}
	return nil
}
