// Package neighbours reads DfE's children's services statistical neighbour
// files: for each local authority, by DfE 3-digit code, its ten nearest
// neighbours in order with how close each is.
//
// Two layouts are recognised by their header, never by file name:
//
//   - the 2025 model ("sn_model_2025_wide.csv"): old_la_code, la_name,
//     region_ind, region_name, SN_1, SN_1P, ..., SN_10, SN_10P;
//   - the April 2021 groupings ("New_Statistical_Neighbour_Groupings_April_2021.csv"):
//     LA num, LA Name, LA number, GOInd, GOReg, SN1, SNP, ..., SN10, SNP
//     (every closeness column is called SNP: each belongs to the SN column
//     before it), followed by an "Old SNs:" block for authorities that no
//     longer exist (Dorset (Pre LG), Poole, Bournemouth, Northamptonshire).
//
// The model year comes from a year 2000-2099 in the file name when there is
// one, otherwise from the layout (SN_1 style: 2025, SN1/SNP style: 2021).
// Rows are decoded with github.com/gocarina/gocsv after the header is
// rewritten to canonical names.
package neighbours

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/gocarina/gocsv"
)

// MaxNeighbours is the number of neighbours per authority in DfE's files.
const MaxNeighbours = 10

// Neighbour is one statistical neighbour of an authority.
type Neighbour struct {
	Rank      int    // 1 = nearest
	OldCode   string // DfE 3-digit code
	Closeness string // as published, tidied: "Very close", "Close", "Somewhat close", "Not close", "Extremely close"
}

// Entry is one authority's row.
type Entry struct {
	OldCode    string
	Name       string
	Region     string
	Neighbours []Neighbour
	// Former marks rows under the 2021 file's "Old SNs:" heading: groupings
	// for authorities that have since been abolished.
	Former bool
	Line   int
}

// Set is one neighbour file.
type Set struct {
	Year    int    // model year: 2025, 2021, ...
	Label   string // "DfE statistical neighbours, 2025 model"
	File    string
	Layout  string // "2025" or "2021": which header style
	entries map[string]*Entry
	order   []string
}

// Entry returns the row for a DfE 3-digit code.
func (s *Set) Entry(oldCode string) (*Entry, bool) {
	e, ok := s.entries[strings.TrimSpace(oldCode)]
	return e, ok
}

// Entries returns the rows in file order.
func (s *Set) Entries() []*Entry {
	out := make([]*Entry, len(s.order))
	for i, c := range s.order {
		out[i] = s.entries[c]
	}
	return out
}

// row is a data row after the header has been canonicalised.
type row struct {
	Code   string `csv:"code"`
	Name   string `csv:"name"`
	Region string `csv:"region"`
	SN1    string `csv:"sn1"`
	SN1P   string `csv:"sn1p"`
	SN2    string `csv:"sn2"`
	SN2P   string `csv:"sn2p"`
	SN3    string `csv:"sn3"`
	SN3P   string `csv:"sn3p"`
	SN4    string `csv:"sn4"`
	SN4P   string `csv:"sn4p"`
	SN5    string `csv:"sn5"`
	SN5P   string `csv:"sn5p"`
	SN6    string `csv:"sn6"`
	SN6P   string `csv:"sn6p"`
	SN7    string `csv:"sn7"`
	SN7P   string `csv:"sn7p"`
	SN8    string `csv:"sn8"`
	SN8P   string `csv:"sn8p"`
	SN9    string `csv:"sn9"`
	SN9P   string `csv:"sn9p"`
	SN10   string `csv:"sn10"`
	SN10P  string `csv:"sn10p"`
}

func (r row) pairs() [MaxNeighbours][2]string {
	return [MaxNeighbours][2]string{
		{r.SN1, r.SN1P}, {r.SN2, r.SN2P}, {r.SN3, r.SN3P}, {r.SN4, r.SN4P}, {r.SN5, r.SN5P},
		{r.SN6, r.SN6P}, {r.SN7, r.SN7P}, {r.SN8, r.SN8P}, {r.SN9, r.SN9P}, {r.SN10, r.SN10P},
	}
}

var (
	snCol    = regexp.MustCompile(`^sn_?([0-9]+)$`)
	snPCol   = regexp.MustCompile(`^sn_?([0-9]+)_?p$`)
	yearInFn = regexp.MustCompile(`(?:^|[^0-9])(20[0-9]{2})(?:[^0-9]|$)`)
	digits3  = regexp.MustCompile(`^[0-9]{3}$`)
)

// NotNeighbourFileError says a file's header is not a neighbour file's.
type NotNeighbourFileError struct {
	File   string
	Reason string
}

func (e *NotNeighbourFileError) Error() string {
	return fmt.Sprintf("%s is not a statistical neighbour file: %s", e.File, e.Reason)
}

// Canonical rewrites a header to the names the decoder uses: "code",
// "name", "region", "sn1".."sn10", "sn1p".."sn10p". It returns the layout
// ("2025" for SN_1 columns, "2021" for SN1 ones) or an error saying what
// is missing. Unknown columns become "" and are ignored.
func Canonical(header []string) (out []string, layout string, err error) {
	out = make([]string, len(header))
	lastSN := ""
	seen := map[string]bool{}
	for i, h := range header {
		k := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		k = strings.Join(strings.Fields(k), " ")
		name := ""
		switch {
		case k == "old_la_code" || k == "la num" || k == "la number" || k == "la code":
			name = "code"
		case k == "la_name" || k == "la name":
			name = "name"
		case k == "region_name" || k == "goreg" || k == "region":
			name = "region"
		case snCol.MatchString(k):
			m := snCol.FindStringSubmatch(k)
			name = "sn" + m[1]
			lastSN = name
			if layout == "" {
				layout = map[bool]string{true: "2025", false: "2021"}[strings.Contains(k, "_")]
			}
		case snPCol.MatchString(k):
			name = "sn" + snPCol.FindStringSubmatch(k)[1] + "p"
		case k == "snp":
			if lastSN != "" {
				name = lastSN + "p" // 2021: each SNP follows its SN column
			}
		}
		if name != "" && seen[name] {
			name = "" // "LA number" repeats "LA num": keep the first
		}
		if name != "" {
			seen[name] = true
		}
		out[i] = name
	}
	var missing []string
	for _, need := range []string{"code", "sn1"} {
		if !seen[need] {
			missing = append(missing, need)
		}
	}
	if len(missing) > 0 {
		return nil, "", fmt.Errorf("no %s column", strings.Join(missing, " or "))
	}
	return out, layout, nil
}

// decoder hands gocsv the rows with the canonical header.
type decoder struct{ rows [][]string }

func (d decoder) GetCSVRows() ([][]string, error) { return d.rows, nil }

// Read reads one neighbour file. A file whose header is not a neighbour
// file's gives a *NotNeighbourFileError.
func Read(path string) (*Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f, path)
}

// Parse reads a neighbour file from r; name is used for messages and the
// model year.
func Parse(r io.Reader, name string) (*Set, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(recs) == 0 {
		return nil, &NotNeighbourFileError{File: name, Reason: "empty file"}
	}
	head, layout, err := Canonical(recs[0])
	if err != nil {
		return nil, &NotNeighbourFileError{File: name, Reason: err.Error()}
	}
	width := len(head)
	rows := [][]string{head}
	for _, rec := range recs[1:] {
		// Pad or cut ragged rows to the header's width.
		r := make([]string, width)
		copy(r, rec)
		rows = append(rows, r)
	}
	var decoded []row
	if err := gocsv.UnmarshalDecoder(decoder{rows}, &decoded); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s := &Set{File: name, Layout: layout, entries: map[string]*Entry{}}
	s.Year = yearOf(name, layout)
	s.Label = fmt.Sprintf("DfE children's services statistical neighbours, %d", s.Year)
	if layout == "2021" {
		s.Label = fmt.Sprintf("DfE statistical neighbour groupings, %d", s.Year)
	}
	former := false
	for i, d := range decoded {
		line := i + 2
		code := strings.TrimSpace(d.Code)
		if code == "" {
			if strings.Contains(strings.ToLower(d.Name), "old sn") {
				former = true
			}
			continue
		}
		if !digits3.MatchString(code) {
			return nil, fmt.Errorf("%s:%d: la code %q is not a 3-digit DfE code", name, line, code)
		}
		e := &Entry{OldCode: code, Name: strings.TrimSpace(d.Name), Region: strings.TrimSpace(d.Region), Former: former, Line: line}
		for k, p := range d.pairs() {
			c := strings.TrimSpace(p[0])
			if c == "" {
				continue
			}
			if !digits3.MatchString(c) {
				return nil, fmt.Errorf("%s:%d: neighbour %d code %q is not a 3-digit DfE code", name, line, k+1, c)
			}
			e.Neighbours = append(e.Neighbours, Neighbour{Rank: k + 1, OldCode: c, Closeness: tidy(p[1])})
		}
		if _, dup := s.entries[code]; dup {
			return nil, fmt.Errorf("%s:%d: authority %s appears twice", name, line, code)
		}
		s.entries[code] = e
		s.order = append(s.order, code)
	}
	if len(s.entries) == 0 {
		return nil, &NotNeighbourFileError{File: name, Reason: "no authority rows"}
	}
	return s, nil
}

// tidy writes a closeness label in sentence case without stray spaces:
// "Close " → "Close", "Very Close" → "Very close".
func tidy(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + strings.ToLower(s[1:])
}

func yearOf(name, layout string) int {
	if m := yearInFn.FindStringSubmatch(filepath.Base(name)); m != nil {
		y, _ := strconv.Atoi(m[1])
		return y
	}
	if layout == "2025" {
		return 2025
	}
	return 2021
}

// Sets are the neighbour files found, newest model first.
type Sets []*Set

// Find reads every neighbour file below dir (recognised by header; other
// CSV files are skipped), newest model first. It returns no sets and no
// error when there are none.
func Find(dir string) (Sets, error) {
	var out Sets
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && p != dir {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.EqualFold(filepath.Ext(p), ".csv") {
			return nil
		}
		ok, err := looksLike(p)
		if err != nil || !ok {
			return err
		}
		s, err := Read(p)
		if err != nil {
			return err
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("looking for statistical neighbour files in %s: %w", dir, err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Year > out[j].Year })
	return out, nil
}

// looksLike reads only the header line of a CSV file.
func looksLike(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	head, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		return false, nil // not a CSV we can read: not ours to report
	}
	_, _, err = Canonical(head)
	return err == nil, nil
}

// Lookup returns the first set (newest model) that has a row for the
// authority with this DfE 3-digit code, and that row.
func (ss Sets) Lookup(oldCode string) (*Set, *Entry, bool) {
	for _, s := range ss {
		if e, ok := s.Entry(oldCode); ok {
			return s, e, true
		}
	}
	return nil, nil, false
}

// Describe lists the files, for notes and errors.
func (ss Sets) Describe() string {
	var parts []string
	for _, s := range ss {
		parts = append(parts, fmt.Sprintf("%s (%s)", filepath.Base(s.File), s.Label))
	}
	return strings.Join(parts, "; ")
}

// IsNeighbourFile reports whether path is a statistical neighbour file
// that reads cleanly (recognised by its header, as Find does), for
// `cscstats fetch --from` to import it.
func IsNeighbourFile(path string) bool {
	if ok, err := looksLike(path); err != nil || !ok {
		return false
	}
	_, err := Read(path)
	return err == nil
}
