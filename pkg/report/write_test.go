package report

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"golang.org/x/net/html"

	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/safefile"
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
	if err := Write(sampleDoc(), out, WriteOptions{}); err != nil {
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

func TestWriteRefusesForeignFolderEvenWithForce(t *testing.T) {
	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, "thesis.docx"), []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(out, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "sub", "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, force := range []bool{false, true} {
		err := Write(sampleDoc(), out, WriteOptions{Force: force})
		want := out + `: output folder holds files cscstats did not write (it has no .cscstats-report marker); --force would delete 2 file(s) that cscstats did not write: "sub/notes.txt", "thesis.docx", so cscstats will not replace it even with --force. Choose a new or empty folder with --out`
		if !errors.Is(err, ErrNotOurs) || err.Error() != want {
			t.Fatalf("force=%v: got %v\nwant %s", force, err, want)
		}
		if b, _ := os.ReadFile(filepath.Join(out, "thesis.docx")); string(b) != "precious" {
			t.Fatal("the user's file was touched")
		}
	}
}

func TestWriteReplacesOwnFolderAndForceDeletesAddedFiles(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r")
	if err := Write(sampleDoc(), out, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	// A folder we wrote, unchanged, is replaced without --force.
	if err := Write(sampleDoc(), out, WriteOptions{}); err != nil {
		t.Fatalf("rewrite of our own folder: %v", err)
	}
	// A file added to it is named, and kept, unless --force.
	added := filepath.Join(out, "data", "my-analysis.xlsx")
	if err := os.WriteFile(added, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Write(sampleDoc(), out, WriteOptions{})
	want := out + ` is a report cscstats made, but output folder holds files cscstats did not write: --force would delete 1 file(s) that cscstats did not write: "data/my-analysis.xlsx". Move them out, or add --force to delete them`
	if !errors.Is(err, ErrNotOurs) || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	if _, err := os.Stat(added); err != nil {
		t.Fatal("the added file was deleted without --force")
	}
	if err := Write(sampleDoc(), out, WriteOptions{Force: true}); err != nil {
		t.Fatalf("--force on our own folder: %v", err)
	}
	if _, err := os.Stat(added); !errors.Is(err, os.ErrNotExist) {
		t.Error("--force should have replaced the folder")
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".r.tmp-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary folders left behind: %v", leftovers)
	}
}

func TestWriteNeverReplacesProtectedFolders(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "work", "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	// Even with cscstats's marker in it (copied there, say), the data
	// directory and folders holding it are never replaced.
	for _, d := range []string{data, filepath.Join(root, "work"), root} {
		os.WriteFile(filepath.Join(d, Marker), []byte(markerHeader+"\n"), 0o644)
	}
	os.WriteFile(filepath.Join(data, "s47.csv"), []byte("precious"), 0o644)
	wd, _ := os.Getwd()
	home, _ := os.UserHomeDir()
	for _, c := range []struct{ out, what string }{
		{data, "is the data directory"},
		{filepath.Join(root, "work"), "is a folder that contains the data directory (" + data + ")"},
		{root, "is a folder that contains the data directory (" + data + ")"},
		{data + "/../data", "is the data directory"},
		{"/", "is the root folder"},
		{wd, "is the current folder"},
		{".", "is the current folder"},
		{filepath.Dir(wd), "is a folder that contains the current folder (" + wd + ")"},
		{home, "is your home folder"},
	} {
		err := Write(sampleDoc(), c.out, WriteOptions{Force: true, Protect: []string{data}})
		want := c.out + " " + c.what + ": cscstats never replaces this folder; replacing it would delete everything in it. Choose a new or empty folder with --out"
		if !errors.Is(err, ErrProtected) || err.Error() != want {
			t.Errorf("--out %s: got %v\nwant %s", c.out, err, want)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(data, "s47.csv")); string(b) != "precious" {
		t.Fatal("the data directory was touched")
	}
}

func TestWriteRefusesSymlinkAndFile(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	os.Mkdir(target, 0o755)
	os.WriteFile(filepath.Join(target, "keep.txt"), []byte("k"), 0o644)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Skip(err)
	}
	if err := Write(sampleDoc(), link, WriteOptions{Force: true}); err == nil {
		t.Error("a symlink to a foreign folder must be refused")
	}
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte("f"), 0o644)
	if err := Write(sampleDoc(), file, WriteOptions{Force: true}); err == nil || !strings.Contains(err.Error(), "is not a folder") {
		t.Errorf("a file: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(target, "keep.txt")); string(b) != "k" {
		t.Error("the symlink target was touched")
	}
}

// TestInterruptedBuildIsRemovedNextRun: a build killed midway leaves its
// marked temporary folder; the next run removes it. A folder of the same
// name pattern that is not marked is left alone.
func TestInterruptedBuildIsRemovedNextRun(t *testing.T) {
	parent := t.TempDir()
	dead := filepath.Join(parent, ".r.tmp-12345")
	os.MkdirAll(filepath.Join(dead, "charts"), 0o755)
	os.WriteFile(filepath.Join(dead, Marker), []byte(markerHeader+"\n"), 0o644)
	os.WriteFile(filepath.Join(dead, "charts", "half.svg"), []byte("<svg"), 0o644)
	notOurs := filepath.Join(parent, ".r.tmp-user")
	os.MkdirAll(notOurs, 0o755)
	if err := Write(sampleDoc(), filepath.Join(parent, "r"), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dead); !errors.Is(err, os.ErrNotExist) {
		t.Error("the interrupted build was not removed")
	}
	if _, err := os.Stat(notOurs); err != nil {
		t.Error("an unmarked folder was removed")
	}
}

func TestWritePermissionsFollowUmask(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r")
	if err := Write(sampleDoc(), out, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	um := safefile.Umask()
	for _, c := range []struct {
		path string
		want os.FileMode
	}{{out, 0o755 &^ um}, {filepath.Join(out, "charts"), 0o755 &^ um}, {filepath.Join(out, "index.html"), 0o644 &^ um}, {filepath.Join(out, "data", "rates.csv"), 0o644 &^ um}} {
		st, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != c.want {
			t.Errorf("%s: mode %v, want %v (umask %03o)", c.path, st.Mode().Perm(), c.want, um)
		}
	}
}

func TestReportMarkdownEscapesNamesAndFileNames(t *testing.T) {
	doc := sampleDoc()
	doc.Title = "# <script>alert(1)</script>"
	doc.Sections[0].Blocks = append(doc.Sections[0].Blocks,
		List("<img src=x onerror=alert(1)>.csv — Children in need", "[x](javascript:alert(1)) | # h"))
	doc.Sections[0].Blocks[1].Table.Data.Rows[0][0] = export.Str("=1+1 <b>|</b>")
	out := filepath.Join(t.TempDir(), "r")
	if err := Write(doc, out, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	for _, want := range []string{
		"# \\# &lt;script&gt;alert(1)&lt;/script&gt;\n",
		"- &lt;img src=x onerror=alert(1)&gt;.csv — Children in need\n",
		"- \\[x\\](javascript:alert(1)) \\| # h\n",
		"| =1+1 &lt;b&gt;\\|&lt;/b&gt; | 100.9 |\n",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(string(md), "<script") || strings.Contains(string(md), "<img") {
		t.Errorf("report.md holds raw HTML:\n%s", md)
	}
	// Rendered as GitHub renders it: the only image is the chart, every
	// link points into the report folder, no script or raw HTML.
	var page bytes.Buffer
	if err := goldmark.New(goldmark.WithExtensions(extension.GFM)).Convert(md, &page); err != nil {
		t.Fatal(err)
	}
	root, err := html.Parse(&page)
	if err != nil {
		t.Fatal(err)
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "iframe", "object", "h3", "h4", "h5", "h6":
				t.Errorf("rendered report.md has <%s>", n.Data)
			case "img", "a":
				for _, a := range n.Attr {
					if (a.Key == "src" || a.Key == "href") && !strings.HasPrefix(a.Val, "charts/") && !strings.HasPrefix(a.Val, "data/") && !publishedSource(a.Val) {
						t.Errorf("rendered report.md has <%s %s=%q>", n.Data, a.Key, a.Val)
					}
				}
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") {
					t.Errorf("rendered report.md has an event handler %s", a.Key)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	csv, _ := os.ReadFile(filepath.Join(out, "data", "rates.csv"))
	if !strings.Contains(string(csv), "'=1+1 <b>|</b>,100.8855") {
		t.Errorf("data CSV: %s", csv)
	}
}

// TestBidiOverrideShownInHTMLAndSVG: a right-to-left override in a name
// would reverse the rest of the heading in a browser; the page and the
// chart files show it as an escape instead.
func TestBidiOverrideShownInHTMLAndSVG(t *testing.T) {
	doc := sampleDoc()
	doc.Title = "Calder\u202e99.1 compared"
	doc.Sections[1].Blocks[0].Chart.SVG = []byte(`<svg xmlns="http://www.w3.org/2000/svg"><text>Calder` + "\u202e" + `99.1</text></svg>`)
	out := filepath.Join(t.TempDir(), "r")
	if err := Write(doc, out, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	for f, want := range map[string]string{"index.html": `Calder\u202e99.1`, "charts/c1.svg": `Calder\u202e99.1`, "report.md": `Calder\\u202e99.1`} {
		b, _ := os.ReadFile(filepath.Join(out, f))
		if strings.ContainsRune(string(b), '\u202e') {
			t.Errorf("%s holds a raw U+202E", f)
		}
		if !strings.Contains(string(b), want) {
			t.Errorf("%s does not show the override as an escape %s", f, want)
		}
	}
}

func TestWriteFailureLeavesNothing(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "r")
	doc := sampleDoc()
	doc.Sections[1].Blocks[0].Chart.Name = "bad/name" // charts/bad/ does not exist: the write fails midway
	if err := Write(doc, out, WriteOptions{}); err == nil {
		t.Fatal("want an error")
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 0 {
		t.Errorf("a failed build must leave nothing, found %v", entries)
	}
}

// TestOlderMarkerWithoutFileList: a report written before markers listed
// their files is still replaced without --force; a file outside a
// report's own layout still needs it.
func TestOlderMarkerWithoutFileList(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r")
	os.MkdirAll(filepath.Join(out, "charts"), 0o755)
	os.MkdirAll(filepath.Join(out, "data"), 0o755)
	for _, f := range []string{"index.html", "report.md", "claims.csv", "charts/a.svg", "data/a.csv"} {
		os.WriteFile(filepath.Join(out, f), []byte("x"), 0o644)
	}
	os.WriteFile(filepath.Join(out, Marker), []byte("Written by cscstats report; safe to replace.\n"), 0o644)
	if err := CheckTarget(out, WriteOptions{}); err != nil {
		t.Fatalf("older report: %v", err)
	}
	os.WriteFile(filepath.Join(out, "mine.txt"), []byte("x"), 0o644)
	if err := CheckTarget(out, WriteOptions{}); !errors.Is(err, ErrNotOurs) || !strings.Contains(err.Error(), `"mine.txt"`) {
		t.Fatalf("added file: %v", err)
	}
}

// publishedSource reports whether u is one of the fixed publication
// addresses the report cites (Sources): the only links that may leave the
// report folder, and never built from the data.
func publishedSource(u string) bool {
	for _, s := range Sources {
		if s.URL == u {
			return true
		}
	}
	return false
}
