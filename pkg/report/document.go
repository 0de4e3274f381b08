// Package report builds self-contained report folders: one index.html that
// works offline and prints well (inline SVG charts, headings, short text,
// tables), the same content as report.md, every chart as PNG and SVG under
// charts/, the tidy CSV behind every chart and table under data/, and
// claims.csv.
//
// A report is assembled as a Document of Sections, then written by Write
// into a temporary folder that is renamed into place at the end, so a
// failure leaves nothing half-built.
package report

import (
	"github.com/cscstats/cscstats/pkg/export"
)

// Document is a whole report.
type Document struct {
	Title    string
	Subtitle string
	// Headlines, when set, are the page's key findings, shown first in
	// a box (a council profile's three to five sentences).
	Headlines []string
	Intro     []string // paragraphs
	// Up, when set, links back to an index page ("../index.html").
	Up       string
	Sections []Section
	// Claims, when set, is written as claims.csv (and shown by a section).
	Claims *export.Section
}

// Section is one part of the report, with an id used for anchors.
type Section struct {
	ID      string
	Heading string
	Blocks  []Block
}

// Block is one element of a section: a paragraph, a list, a table or a
// chart. Exactly one of its fields is set.
type Block struct {
	Paragraph string
	List      []string
	Table     *Table
	Chart     *Chart
}

// Table is a table shown in the report; its full-precision data is also
// written as data/<Name>.csv.
type Table struct {
	Name    string // file stem for data/<Name>.csv
	Caption string
	Data    export.Section
	Notes   []string
}

// Chart is a rendered chart: its SVG is inlined in index.html, and both
// files go to charts/. Data is the tidy table behind it (data/<Name>.csv).
type Chart struct {
	Name    string // file stem for charts/<Name>.svg|png and data/<Name>.csv
	Caption string // the alt text and figure caption
	SVG     []byte
	PNG     []byte
	Data    export.Section
}

// Paragraph is a paragraph block.
func Paragraph(s string) Block { return Block{Paragraph: s} }

// List is a bulleted list block.
func List(items ...string) Block { return Block{List: items} }

// TableBlock is a table block.
func TableBlock(t Table) Block { return Block{Table: &t} }

// ChartBlock is a chart block.
func ChartBlock(c Chart) Block { return Block{Chart: &c} }
