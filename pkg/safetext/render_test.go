package safetext

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"golang.org/x/net/html"
)

// The Markdown checks render with goldmark, a CommonMark renderer, with
// GitHub's extensions (tables, strikethrough, autolinks, task lists): what
// GitHub and most sites do with report.md. A well-kept renderer beats
// guessing the grammar by hand.
var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM))

// rendered renders md and returns the HTML elements it produced (beyond
// the wrapper) and its text.
func rendered(t *testing.T, md string, wrapper ...string) (elems []string, text string) {
	t.Helper()
	var out bytes.Buffer
	if err := gfm.Convert([]byte(md), &out); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(&out)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"html": true, "head": true, "body": true}
	for _, w := range wrapper {
		allowed[w] = true
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.ElementNode:
			if !allowed[n.Data] {
				elems = append(elems, n.Data)
			}
		case html.CommentNode:
			elems = append(elems, "<!--comment-->")
		case html.TextNode:
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return elems, b.String()
}

// hostile has one value of each class a data file could carry.
var hostile = []string{
	"<script>alert(1)</script>",
	`<img src=x onerror="alert(1)">`,
	"<!-- hidden -->",
	"[click](javascript:alert(1))",
	"![x](http://x/y.png)",
	"[a]: javascript:alert(1)",
	"# New heading",
	"Leeds\n\n# injected heading\n\n| a | b |\n|---|---|",
	"a | b | c",
	"*bold* **strong** _em_ __strong__ `code` ~~del~~",
	"- item",
	"1. item",
	"> quote",
	"---",
	"&lt;b&gt; &#60;b&#62;",
	"<https://example.com>",
	"see https://example.com/x?a=1&b=2 now",
	"WWW.example.com and www.example.org",
	"mail someone@example.com",
	"ftp://example.com/file",
	" https://example.o#&A",
	"\\<b>",
	"trailing backslash\\",
	"=HYPERLINK(\"http://x\",\"y\")",
	"Leeds\x1b[2J\u202e1.99",
	"la_name and _x_ and snake_case_",
	"- [ ] task",
	"Bristol, City of",
}

// TestMarkdownRendersAsText: each hostile value, escaped, renders as a
// paragraph, a list item and a table cell that hold exactly its text and no
// element of its own.
func TestMarkdownRendersAsText(t *testing.T) {
	for _, v := range hostile {
		want := strings.TrimSpace(Terminal(lineBreaks.Replace(v)))
		esc := Markdown(v)
		for _, c := range []struct {
			md      string
			wrapper []string
		}{
			{esc + "\n", []string{"p"}},
			{"- " + esc + "\n", []string{"ul", "li"}},
			{"| h |\n| --- |\n| " + esc + " |\n", []string{"table", "thead", "tbody", "tr", "th", "td"}},
		} {
			elems, text := rendered(t, c.md, c.wrapper...)
			if len(elems) > 0 {
				t.Errorf("%q as %q renders elements %v", v, c.md, elems)
			}
			// The table adds its header cell's text.
			text = strings.TrimSpace(text)
			if strings.HasPrefix(c.md, "| h |") {
				text = strings.TrimSpace(strings.TrimPrefix(text, "h"))
			}
			if text != want {
				t.Errorf("%q as %q renders text %q, want %q", v, c.md, text, want)
			}
		}
	}
}

// FuzzMarkdown: any text, escaped, renders as a paragraph holding exactly
// its text and no element (autolinks aside: GitHub turns bare web addresses
// into links to themselves, which is not injection).
func FuzzMarkdown(f *testing.F) {
	for _, v := range hostile {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		want := strings.TrimSpace(Terminal(lineBreaks.Replace(v)))
		want = strings.Trim(want, " ")
		elems, text := rendered(t, Markdown(v)+"\n", "p")
		for _, e := range elems {
			// No element at all: not even a GFM autolink ("https://…",
			// "www.…", "a@b.co"), which would link out of the report.
			t.Fatalf("%q renders element %s (escaped %q)", v, e, Markdown(v))
		}
		if strings.TrimSpace(text) != strings.TrimSpace(want) {
			t.Fatalf("%q renders text %q, want %q (escaped %q)", v, text, want, Markdown(v))
		}
	})
}
