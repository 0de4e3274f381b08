// Package safetext makes untrusted text safe for each kind of output
// cscstats writes: CSV cells that spreadsheets open, Markdown that renders
// to HTML, and terminal tables. (HTML and SVG are escaped by html/template
// and the SVG encoder.)
//
// Every name cscstats prints comes from a file it did not write: authority
// names, filter values and file names. Each function here handles a class
// of input (what the characters are), never particular strings.
package safetext

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CSV returns a text cell that a spreadsheet will not run as a formula.
//
// Following OWASP's advice on CSV injection
// (https://owasp.org/www-community/attacks/CSV_Injection), a cell whose
// first character, after any leading spaces, is '=', '+', '-', '@', a tab or
// a carriage return is prefixed with a single quote, which spreadsheets
// show as text. A cell that is a plain decimal number (such as "-1.5") is
// left alone: numbers stay numbers.
func CSV(s string) string {
	t := strings.TrimLeft(s, " ")
	if t == "" {
		return s
	}
	switch t[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if isPlainNumber(t) {
			return s
		}
		return "'" + s
	}
	// Full-width forms that some spreadsheets fold to their ASCII twins.
	if r, _ := utf8.DecodeRuneInString(t); r == '＝' || r == '＋' || r == '－' || r == '＠' {
		return "'" + s
	}
	return s
}

// isPlainNumber accepts optionally signed decimal numbers ("-12", "+3.5",
// "-1e-3"), which ParseFloat reads, and nothing that could be a formula
// ("-1+2", "-Inf" and hex floats are rejected).
func isPlainNumber(s string) bool {
	if strings.Trim(s, "0123456789.-+eE") != "" {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// lineBreaks become spaces in Markdown, before the other escapes.
var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\u2028", " ", "\u2029", " ")

// Markdown escapes s so that, inline in a Markdown paragraph, list item,
// heading or table cell, it renders as exactly its text: no emphasis, code,
// links, images, HTML tags or comments, entities, strikethrough, math,
// table cells or new blocks. Control and bidi characters are shown as
// visible escapes, as in Terminal; line breaks become spaces.
//
// Following CommonMark 0.31 (backslash escapes, emphasis flanking rules)
// and GitHub's tables, only what can start syntax is escaped, so ordinary
// text stays readable in the .md file: '\', '`', '*', '[', ']', '|', '~'
// and '$' always; '_' unless it is inside a word (where it cannot open
// emphasis); '<' and '>' always and '&' before a letter or '#' as entities;
// and at the start, a list, heading or thematic-break marker.
func Markdown(s string) string {
	// Leading spaces would let a marker after them start a block (or, four
	// of them, a code block); Markdown drops them anyway.
	s = strings.Trim(Terminal(lineBreaks.Replace(s)), " ")
	rs := []rune(s)
	var b strings.Builder
	wordChar := func(i int) bool {
		return i >= 0 && i < len(rs) && (unicode.IsLetter(rs[i]) || unicode.IsDigit(rs[i]))
	}
	for i, r := range rs {
		switch r {
		case '\\', '`', '*', '[', ']', '|', '~', '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '_':
			if !wordChar(i-1) || !wordChar(i+1) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			if i+1 < len(rs) && (unicode.IsLetter(rs[i+1]) || rs[i+1] == '#') {
				b.WriteString("&amp;")
			} else {
				b.WriteRune(r)
			}
		case ':', '.', '@':
			// GFM turns "scheme://…", "www.…" and "name@host.tld" into
			// links by themselves (autolinks): escaping the ':' before
			// "//", the '.' after "www" and every '@' keeps them text.
			if r == '@' || (r == ':' && i+2 < len(rs) && rs[i+1] == '/' && rs[i+2] == '/') || (r == '.' && afterWWW(rs, i)) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	out := b.String()
	// Block starts: a heading ("# x"), a list item ("- x", "+ x", "1. x",
	// "1) x") or a thematic break ("---"). Each needs a space, another
	// marker or the end after it; escaping the marker is enough.
	blockEnd := func(rest string) bool { return rest == "" || rest[0] == ' ' || rest[0] == '-' || rest[0] == '#' }
	if out != "" && (out[0] == '#' || ((out[0] == '-' || out[0] == '+') && blockEnd(out[1:]))) {
		out = `\` + out
	}
	if i := strings.IndexFunc(out, func(r rune) bool { return r < '0' || r > '9' }); i > 0 && (out[i] == '.' || out[i] == ')') && blockEnd(out[i+1:]) {
		out = out[:i] + `\` + out[i:]
	}
	return out
}

// afterWWW reports whether rs[:i] ends in "www" (any case) that starts a
// word: the start of a GFM "www." autolink.
func afterWWW(rs []rune, i int) bool {
	if i < 3 || !strings.EqualFold(string(rs[i-3:i]), "www") {
		return false
	}
	return i == 3 || !(unicode.IsLetter(rs[i-4]) || unicode.IsDigit(rs[i-4]))
}

// MarkdownLink is the target of a Markdown link to a relative file: each
// path segment is percent-encoded, so that no name can end the link early
// or point elsewhere (javascript:, other folders).
func MarkdownLink(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		var b strings.Builder
		for _, c := range []byte(p) {
			if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, "%%%02X", c)
			}
		}
		parts[i] = b.String()
	}
	return strings.Join(parts, "/")
}

// Terminal makes s safe to print in a terminal table: every control
// character (C0 including tab, line feed, carriage return, escape and
// vertical tab; DEL; C1), every bidirectional formatting character
// (U+061C, U+200E-200F, U+202A-202E, U+2066-2069), other invisible format
// characters (Unicode category Cf, such as zero-width joiners and the byte
// order mark), line and paragraph separators, and bytes that are not UTF-8
// are replaced by a visible Go-style escape such as \x1b or \u202e. Escape
// sequences (colours, clear screen, OSC 8 links) therefore print as text,
// columns cannot be shifted and digits cannot be reordered.
func Terminal(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size <= 1) || unsafeRune(r) {
			return true
		}
		i += size
	}
	return false
}

// unsafeRune reports the characters Terminal replaces.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true // C0, DEL, C1
	case r == 0x2028, r == 0x2029:
		return true // line and paragraph separators
	case unicode.Is(unicode.Cf, r):
		return true // format characters: bidi controls, zero-width, BOM, soft hyphen
	case unicode.Is(unicode.Bidi_Control, r):
		return true
	}
	return false
}

// HasControl reports the first control character in s (C0, DEL or C1),
// with its byte offset, or ok=false. Data checks use it to refuse text
// cells that no DfE file has.
func HasControl(s string) (r rune, offset int, ok bool) {
	for i, c := range s {
		if c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) {
			return c, i, true
		}
	}
	return 0, 0, false
}

// ShowInvisible makes every invisible character that reorders or hides
// text visible in an HTML or SVG document: bidirectional overrides and
// isolates, other format characters (category Cf), line and paragraph
// separators, and control characters other than tab, line feed and
// carriage return each become a Go-style escape such as \u202e. A browser
// applies a U+202E in a name to everything after it (a heading, a number),
// which HTML escaping does not prevent. The markup itself never contains
// these characters, so only text from data changes.
func ShowInvisible(doc []byte) []byte {
	var b []byte
	for i := 0; i < len(doc); {
		r, size := utf8.DecodeRune(doc[i:])
		hide := (r == utf8.RuneError && size <= 1) || (unsafeRune(r) && r != '\t' && r != '\n' && r != '\r')
		if hide && b == nil {
			b = append(make([]byte, 0, len(doc)+16), doc[:i]...)
		}
		switch {
		case hide:
			b = append(b, Terminal(string(doc[i:i+size]))...)
		case b != nil:
			b = append(b, doc[i:i+size]...)
		}
		i += size
	}
	if b == nil {
		return doc
	}
	return b
}
