package dataset

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/safefile"
)

// NearMiss is a catalogued measure a file almost provides: it has every
// column the measure reads but one, and a column whose name is close to
// the missing one (an indicator renamed between releases, say).
type NearMiss struct {
	Measure string
	Missing string // the column the measure reads
	Closest string // the file's column with the closest name; "" if none is close
}

func (n NearMiss) String() string {
	s := fmt.Sprintf("measure %s needs column %q", n.Measure, n.Missing)
	if n.Closest != "" {
		s += fmt.Sprintf(" (closest match: %q)", n.Closest)
	}
	return s
}

// skipEntry reports whether the data-folder walk passes over a directory
// entry without reading it, and why (for files the user may have meant to
// be read). Hidden files and folders (a leading '.', which covers fetch's
// ".tmp-" files and folders of interrupted runs) and editors' and office
// suites' temporary and lock files ("~$x.csv", "x.csv~", "#x.csv#") are
// skipped silently; anything that is not a regular file (after following a
// symlink) is skipped with a reason, since opening a FIFO would hang.
func skipEntry(p string, d fs.DirEntry) (skip bool, reason string) {
	name := d.Name()
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~") || strings.HasSuffix(name, "~") ||
		(strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#")) {
		return true, ""
	}
	if d.Type().IsRegular() {
		return false, ""
	}
	st, err := os.Stat(p) // follows a symlink
	if err != nil {
		return true, "cannot be read: " + err.Error()
	}
	if !st.Mode().IsRegular() {
		return true, "not a regular file: " + safefile.DescribeMode(st.Mode()) + "; cscstats does not open it"
	}
	return false, ""
}

// notEESReason says in a few words why a file whose header the EES reader
// refused is not an EES open-data file, from what the file is: empty, an
// HTML page, compressed, a spreadsheet, binary, delimited by something other
// than commas, or a CSV missing a required column (naming the closest
// column it has). pe is the reader's error. suspect is false only for a
// well-formed CSV of another kind (no EES column, none of a close name).
func notEESReason(path string, pe error) (reason string, suspect bool) {
	const prefix = "not an EES open-data file: "
	head, size := sniff(path, 8<<10)
	t := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	lt := bytes.ToLower(bytes.TrimSpace(t))
	switch {
	case size == 0:
		return prefix + "the file is empty", true
	case len(bytes.TrimSpace(t)) == 0:
		return prefix + "the file holds only white space", true
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return prefix + "gzip-compressed data, not CSV text; unpack it (gunzip) and keep the .csv", true
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return prefix + "a zip archive (or an Excel .xlsx workbook), not CSV text; unzip it, or save the sheet as CSV", true
	case bytes.HasPrefix(head, []byte{0xd0, 0xcf, 0x11, 0xe0}):
		return prefix + "an Excel .xls workbook, not CSV text; save the sheet as CSV", true
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}), bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return prefix + "UTF-16 text; EES files are UTF-8: save it as \"CSV UTF-8\"", true
	case bytes.HasPrefix(lt, []byte("<!doctype")) || bytes.HasPrefix(lt, []byte("<html")) || bytes.HasPrefix(lt, []byte("<?xml")) || bytes.HasPrefix(lt, []byte("<head")) || bytes.HasPrefix(lt, []byte("<body")):
		return prefix + "looks like an HTML page (probably an error page saved as .csv); download the file again", true
	case bytes.IndexByte(head, 0) >= 0 || !utf8.Valid(trimIncompleteRune(head)):
		return prefix + "binary data, not UTF-8 CSV text", true
	}
	if errors.Is(pe, ees.ErrLimit) {
		return prefix + pe.Error(), true
	}
	line := firstLine(t)
	if d, name := delimiter(line); d != ',' {
		return prefix + name + "-delimited, not comma-delimited (EES files use commas); re-export it as CSV with commas", true
	}
	cols := strings.Split(line, ",")
	for i := range cols {
		cols[i] = strings.Trim(strings.TrimSpace(cols[i]), `"`)
		if r := []rune(cols[i]); len(r) > 40 {
			cols[i] = string(r[:37]) + "..."
		}
	}
	for _, req := range ees.RequiredColumns {
		if hasColumn(cols, req) {
			continue
		}
		if c := closest(req, cols); c != "" {
			return prefix + fmt.Sprintf("an EES-like file missing column %q (closest match: %q)", req, c), true
		}
		return prefix + fmt.Sprintf("no column %q, which every EES file has (columns: %s)", req, abbreviate(cols)), false
	}
	return prefix + pe.Error(), true
}

func sniff(path string, n int) ([]byte, int64) {
	f, err := safefile.OpenRegular(path)
	if err != nil {
		return nil, -1
	}
	defer f.Close()
	st, _ := f.Stat()
	b, _ := bufio.NewReaderSize(f, n).Peek(n)
	return b, st.Size()
}

func trimIncompleteRune(b []byte) []byte {
	for i := 0; i < 3 && len(b) > 0 && !utf8.Valid(b); i++ {
		b = b[:len(b)-1]
	}
	return b
}

func firstLine(b []byte) string {
	if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// delimiter guesses a header line's delimiter: the most frequent of comma,
// semicolon, tab and bar outside quotes.
func delimiter(line string) (byte, string) {
	counts := map[byte]int{}
	inQuote := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '"':
			inQuote = !inQuote
		case !inQuote && (c == ',' || c == ';' || c == '\t' || c == '|'):
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t', '|'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best, map[byte]string{',': "comma", ';': "semicolon", '\t': "tab", '|': "bar"}[best]
}

func hasColumn(cols []string, name string) bool {
	for _, c := range cols {
		if c == name {
			return true
		}
	}
	return false
}

// normalise folds case and drops everything but letters and digits, so
// "Time Period" and "time_period" compare equal.
func normalise(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// closest returns the column of cols whose name is closest to want: equal
// after normalise, one containing the other ("ICPC" and "ICPC_count"), or
// within an edit distance of a quarter of its length (at least 1). "" when
// none is that close.
func closest(want string, cols []string) string {
	nw := normalise(want)
	best, bestD := "", -1
	for _, c := range cols {
		nc := normalise(c)
		if nc == "" {
			continue
		}
		d := levenshtein(nw, nc)
		close := d <= max(1, len(nw)/4) || (len(nw) >= 3 && len(nc) >= 3 && (strings.Contains(nc, nw) || strings.Contains(nw, nc)))
		if close && (bestD < 0 || d < bestD) {
			best, bestD = c, d
		}
	}
	return best
}

// levenshtein is the edit distance between a and b (insertions, deletions,
// substitutions of bytes).
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// nearMisses lists the catalogued measures an EES file almost provides:
// those needing exactly one column the file lacks, for which the file has
// a column of a close name. Sorted by measure in catalogue order.
func nearMisses(has func(string) bool, header []string) []NearMiss {
	var out []NearMiss
	seen := map[string]bool{}
	for _, m := range measures.Catalogue {
		for _, src := range m.Sources {
			var missing []string
			for _, c := range src.Columns() {
				if !has(c) {
					missing = append(missing, c)
				}
			}
			if len(missing) != 1 {
				continue
			}
			c := closest(missing[0], header)
			if c == "" || seen[m.ID] {
				continue
			}
			seen[m.ID] = true
			out = append(out, NearMiss{Measure: m.ID, Missing: missing[0], Closest: c})
		}
	}
	return out
}

// NoMeasureError says a measure has no data in the data directory, and
// which files almost provided it.
type NoMeasureError struct {
	Dir     string
	Measure string
	Near    []FileReport // files whose NearMisses name the measure
}

func (e *NoMeasureError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "no data for measure %s in the data directory %s", e.Measure, e.Dir)
	for _, f := range e.Near {
		for _, n := range f.NearMisses {
			if n.Measure == e.Measure {
				fmt.Fprintf(&b, "\n  %s almost matched: %s", f.Path, n)
			}
		}
	}
	b.WriteString("\nrun `cscstats measures` to see what is there, or `cscstats fetch`")
	return b.String()
}

// NoDataFor returns the error for a measure with no observations, naming
// the files that almost provided it.
func (s *Store) NoDataFor(measure string) error {
	e := &NoMeasureError{Dir: s.Dir, Measure: measure}
	for _, f := range s.Files {
		for _, n := range f.NearMisses {
			if n.Measure == measure {
				e.Near = append(e.Near, f)
				break
			}
		}
	}
	return e
}

// Ignored returns the reports of the files that were not used, with the
// reason, in path order.
func (s *Store) Ignored() []FileReport {
	var out []FileReport
	for _, f := range s.Files {
		if f.Ignored != "" {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// RelPath is a file's path relative to the data directory, for messages.
func (s *Store) RelPath(p string) string {
	if r, err := filepath.Rel(s.Dir, p); err == nil && filepath.IsLocal(r) {
		return filepath.ToSlash(r)
	}
	return p
}
