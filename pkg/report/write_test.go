package report

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/cscstats/cscstats/pkg/export"
)

func sampleDoc() Document {
	tbl := export.Section{Name: "t", Columns: []export.Column{{Name: "la_name", Decimals: -1}, {Name: "rate", Decimals: 1}},
		Rows: [][]export.Cell{{export.Str("Leeds"), export.Num(100.8855)}, {export.Str("Isles of Scilly"), export.MissingCell("c")}}}
	svg := []byte(`<?xml version="1.0"?>` + "\n" + `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>chart</text></svg>`)
	return Document{Title: "Test <report>", Intro: []string{"Intro & more."}, Sections: []Section{
		{ID: "one", Heading: "One", Blocks: []Block{Paragraph("Text."), TableBlock(Table{Name: "rates", Caption: "Rates", Data: tbl, Notes: []string{"a note"}})}},
		{ID: "two", Heading: "Two", Blocks: []Block{ChartBlock(Chart{Name: "c1", Caption: "A chart", SVG: svg, PNG: []byte("png"), Data: tbl})}},
	}}
}

func TestWriteLayoutAndHTML(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r")
	if err := Write(sampleDoc(), out, false, nil); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"index.html", "report.md", "charts/c1.svg", "charts/c1.png", "data/c1.csv", "data/rates.csv", Marker} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	b, _ := os.ReadFile(filepath.Join(out, "index.html"))
	doc, err := html.Parse(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	var svgs, tables int
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "svg":
				svgs++
			case "table":
				tables++
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if svgs != 1 || tables != 1 {
		t.Errorf("want 1 inline svg and 1 table, got %d and %d", svgs, tables)
	}
	s := string(b)
	if strings.Contains(s, "<?xml") {
		t.Error("the SVG prolog must not be inlined in HTML")
	}
	if !strings.Contains(s, "Test &lt;report&gt;") || !strings.Contains(s, ">100.9<") || !strings.Contains(s, ">c<") {
		t.Errorf("escaping or rounding wrong:\n%s", s)
	}
	csv, _ := os.ReadFile(filepath.Join(out, "data", "rates.csv"))
	if string(csv) != "la_name,rate\nLeeds,100.8855\nIsles of Scilly,\n" {
		t.Errorf("data CSV keeps full precision and leaves missing empty, got %q", csv)
	}
}

func TestWriteRefusesForeignFolder(t *testing.T) {
	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, "thesis.docx"), []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Write(sampleDoc(), out, false, nil)
	if !errors.Is(err, ErrNotOurs) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("want a refusal mentioning --force, got %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "thesis.docx")); string(b) != "precious" {
		t.Error("the user's file was touched")
	}
	if err := Write(sampleDoc(), out, true, nil); err != nil {
		t.Fatalf("--force: %v", err)
	}
	// A folder we wrote can be replaced without --force.
	if err := Write(sampleDoc(), out, false, nil); err != nil {
		t.Fatalf("rewrite of our own folder: %v", err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".tmp-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary folders left behind: %v", leftovers)
	}
}

func TestWriteFailureLeavesNothing(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "r")
	doc := sampleDoc()
	doc.Sections[1].Blocks[0].Chart.Name = "bad/name" // charts/bad/ does not exist: the write fails midway
	if err := Write(doc, out, false, nil); err == nil {
		t.Fatal("want an error")
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 0 {
		t.Errorf("a failed build must leave nothing, found %v", entries)
	}
}
