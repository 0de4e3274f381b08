package safetext

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

func TestCSVPrefixesFormulaStarts(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
		{"+1+2", "'+1+2"},
		{"-1+2", "'-1+2"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"  =1", "'  =1"},
		{"＝1+1", "'＝1+1"},
		{"-Inf", "'-Inf"},
		{"-", "'-"},
		// Numbers and ordinary text are unchanged.
		{"-1.5", "-1.5"},
		{"+3", "+3"},
		{"-1e-3", "-1e-3"},
		{"Leeds", "Leeds"},
		{"Bristol, City of", "Bristol, City of"},
		{"a=b", "a=b"},
		{"", ""},
	} {
		if got := CSV(c.in); got != c.want {
			t.Errorf("CSV(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTerminalEscapesControlAndBidi(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"\x1b[2J\x1b[HLeeds", `\x1b[2J\x1b[HLeeds`},
		{"\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", `\x1b]8;;http://x\x1b\link\x1b]8;;\x1b\`},
		{"Leeds\v170292", `Leeds\x0b170292`},
		{"a\tb\nc\rd\x00e\x7ff", `a\x09b\x0ac\x0dd\x00e\x7ff`},
		{"\u0085next", `\x85next`},
		{"rate \u202e1.99", `rate \u202e1.99`},
		{"\u2066x\u2069\u200f\u061c\u200b\ufeff\u2028", `\u2066x\u2069\u200f\u061c\u200b\ufeff\u2028`},
		{"bad\xffbyte", `bad\xffbyte`},
		{"Southend-on-Sea, Ynys Môn – café", "Southend-on-Sea, Ynys Môn – café"},
	} {
		got := Terminal(c.in)
		if got != c.want {
			t.Errorf("Terminal(%q) = %q, want %q", c.in, got, c.want)
		}
		for _, r := range got {
			if unsafeRune(r) || r == utf8.RuneError {
				t.Errorf("Terminal(%q) still holds %U", c.in, r)
			}
		}
	}
}

// TestMarkdownEscapes gives the exact escaped form of each class of
// Markdown and HTML syntax.
func TestMarkdownEscapes(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"<script>alert(1)</script>", `&lt;script&gt;alert(1)&lt;/script&gt;`},
		{`<img src=x onerror="alert(1)">`, `&lt;img src=x onerror="alert(1)"&gt;`},
		{"[click](javascript:alert(1))", `\[click\](javascript:alert(1))`},
		{"![x](http://x/y.png)", `!\[x\](http\://x/y.png)`},
		{"see https://evil.example/x", `see https\://evil.example/x`},
		{"WWW.evil.example, awww.x", `WWW\.evil.example, awww.x`},
		{"mail a@b.co", `mail a\@b.co`},
		{"# Heading\n## Other", `\# Heading ## Other`},
		{"a | b", `a \| b`},
		{"*bold* _it_ `code` ~~s~~ $x$", "\\*bold\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~ \\$x\\$"},
		{"la_name snake_case_x", "la_name snake_case_x"},
		{"- item", `\- item`},
		{"+ item", `\+ item`},
		{"1. item", `1\. item`},
		{"12) item", `12\) item`},
		{"---", `\---`},
		{"&amp; &#x3c; R & D", `&amp;amp; &amp;#x3c; R & D`},
		{`back\slash`, `back\\slash`},
		{"esc\x1b[31m", `esc\\x1b\[31m`},
		{"100.9", "100.9"},
		{"-1.5", "-1.5"},
		{"Leeds (E08000035), \"check\"", `Leeds (E08000035), "check"`},
	} {
		if got := Markdown(c.in); got != c.want {
			t.Errorf("Markdown(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestMarkdownHasNoTagsOrLineBreaks parses the escaped text as HTML (a
// Markdown renderer passes raw HTML through): no element or comment may
// come out of it.
func TestMarkdownHasNoTagsOrLineBreaks(t *testing.T) {
	hostile := "x\n\n<h1 onclick=1>t</h1>\r\n<a href='javascript:1'>y</a>\u2028<!-- c -->"
	got := Markdown(hostile)
	if strings.ContainsAny(got, "<>\n\r\u2028") {
		t.Fatalf("Markdown left a tag or line break: %q", got)
	}
	doc, err := html.Parse(strings.NewReader(got))
	if err != nil {
		t.Fatal(err)
	}
	var elems []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data != "html" && n.Data != "head" && n.Data != "body" {
			elems = append(elems, n.Data)
		}
		if n.Type == html.CommentNode {
			elems = append(elems, "comment")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if len(elems) > 0 {
		t.Errorf("escaped text parses to elements %v: %q", elems, got)
	}
}

func TestMarkdownLink(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"data/rates.csv", "data/rates.csv"},
		{"data/a b).csv", "data/a%20b%29.csv"},
		{"javascript:alert(1)", "javascript%3Aalert%281%29"},
		{"data/../../x", "data/../../x"},
	} {
		if got := MarkdownLink(c.in); got != c.want {
			t.Errorf("MarkdownLink(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestHasControl(t *testing.T) {
	for _, c := range []struct {
		in   string
		r    rune
		off  int
		want bool
	}{
		{"Leeds", 0, 0, false},
		{"Lee\x00ds", 0, 3, true},
		{"ab\x1b", 0x1b, 2, true},
		{"ab\u0085", 0x85, 2, true},
		{"a\tb", '\t', 1, true},
		{"rate \u202e", 0, 0, false}, // bidi: escaped on output, not refused
	} {
		r, off, ok := HasControl(c.in)
		if ok != c.want || (ok && (r != c.r || off != c.off)) {
			t.Errorf("HasControl(%q) = %U, %d, %v", c.in, r, off, ok)
		}
	}
}

// FuzzTerminal: the result holds no character a terminal acts on, and
// text without such characters is unchanged.
func FuzzTerminal(f *testing.F) {
	for _, s := range []string{"Leeds", "\x1b[2J", "a\u202eb", "\xff", "tab\there"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Terminal(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Terminal(%q) = %q is not UTF-8", s, got)
		}
		for _, r := range got {
			if unsafeRune(r) {
				t.Fatalf("Terminal(%q) = %q holds %U", s, got, r)
			}
		}
		if !needsEscape(s) && got != s {
			t.Fatalf("Terminal changed safe text %q to %q", s, got)
		}
	})
}

// FuzzCSV: a cell never starts (after spaces) with a formula character
// unless it is a plain number, and the prefix is the only change.
func FuzzCSV(f *testing.F) {
	for _, s := range []string{"=1+1", "-1.5", "@x", " =x", "Leeds", "\t="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := CSV(s)
		if got != s && got != "'"+s {
			t.Fatalf("CSV(%q) = %q", s, got)
		}
		body := strings.TrimLeft(got, " ")
		if body != "" && strings.ContainsRune("=+-@\t\r", rune(body[0])) && !isPlainNumber(body) {
			t.Fatalf("CSV(%q) = %q starts with a formula character", s, got)
		}
	})
}

func TestShowInvisible(t *testing.T) {
	in := "<h1>Calder\u202e99.1</h1>\n\t<p>a\u2066b\u200bc\x1bd\xffe é</p>\r\n"
	want := `<h1>Calder\u202e99.1</h1>` + "\n\t" + `<p>a\u2066b\u200bc\x1bd\xffe é</p>` + "\r\n"
	if got := string(ShowInvisible([]byte(in))); got != want {
		t.Errorf("ShowInvisible:\n%q\nwant\n%q", got, want)
	}
	plain := []byte("<svg><text>Leeds – Ynys Môn</text></svg>\n")
	if got := ShowInvisible(plain); &got[0] != &plain[0] {
		t.Error("a document without invisible characters should be returned as is")
	}
}
