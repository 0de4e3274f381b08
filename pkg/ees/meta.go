package ees

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cscstats/cscstats/pkg/safefile"
)

// Meta is the content of an EES ".meta.csv" companion file: one entry per
// filter or indicator column, giving its label and, for indicators, its unit.
// EES does not publish meta files for download, but analysts who produced the
// data have them, so they are used when present.
type Meta struct {
	Columns map[string]MetaColumn
}

// MetaColumn describes one data-file column.
type MetaColumn struct {
	Name     string // col_name
	Type     string // "Filter" or "Indicator"
	Label    string
	Unit     string // "", "%", "£", "£m", "pp", "numberstring"
	Decimals string // indicator_dp as written; "" means the EES default
}

// Label returns the meta label for a column, or fallback when there is none.
func (m *Meta) Label(col, fallback string) string {
	if m != nil {
		if c, ok := m.Columns[col]; ok && c.Label != "" {
			return c.Label
		}
	}
	return fallback
}

// MetaPath is the companion meta file's path for a data file path.
func MetaPath(dataPath string) string {
	return strings.TrimSuffix(dataPath, ".csv") + ".meta.csv"
}

// IsMetaFile reports whether a path names a .meta.csv companion.
func IsMetaFile(path string) bool { return strings.HasSuffix(strings.ToLower(path), ".meta.csv") }

// ReadMeta parses a .meta.csv file (columns col_name, col_type, label,
// indicator_unit, indicator_dp, found by name).
func ReadMeta(r io.Reader, name string) (*Meta, error) {
	lim := DefaultLimits
	lr := &limitReader{r: r, maxLine: lim.MaxLineBytes, maxRecord: lim.MaxRecordBytes}
	cr := csv.NewReader(lr)
	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, &ParseError{File: name, Line: 1, Expected: "a .meta.csv header", Err: errors.New("file is empty")}
		}
		return nil, lr.error(name, err)
	}
	if len(header) > lim.MaxColumns {
		return nil, &ParseError{File: name, Line: 1, Expected: fmt.Sprintf("at most %d columns", lim.MaxColumns), Got: fmt.Sprintf("%d columns", len(header)), Err: ErrLimit}
	}
	idx := map[string]int{}
	for i, h := range header {
		idx[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, c := range []string{"col_name", "col_type", "label"} {
		if _, ok := idx[c]; !ok {
			return nil, &ParseError{File: name, Line: 1, Expected: fmt.Sprintf("meta column %q", c),
				Got: strings.Join(header, ","), Hint: "a .meta.csv needs col_name, col_type and label"}
		}
	}
	get := func(rec []string, col string) string {
		if i, ok := idx[col]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	m := &Meta{Columns: map[string]MetaColumn{}}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return m, nil
		}
		if err != nil {
			return nil, lr.error(name, err)
		}
		lr.startRecord()
		c := MetaColumn{Name: get(rec, "col_name"), Type: get(rec, "col_type"), Label: get(rec, "label"),
			Unit: get(rec, "indicator_unit"), Decimals: get(rec, "indicator_dp")}
		m.Columns[c.Name] = c
	}
}

// Open opens an EES data file and, when a companion .meta.csv sits beside
// it, attaches its description. Close the returned io.Closer when done.
//
// Only regular files are opened: a FIFO, device or folder named .csv is
// refused with ErrNotRegular before it is opened (opening a FIFO would wait
// for a writer forever).
func Open(path string) (*Reader, io.Closer, error) {
	f, err := safefile.OpenRegular(path)
	if err != nil {
		return nil, nil, err
	}
	r, err := NewFileReader(f, path)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return r, f, nil
}

// NewFileReader is Open for a file already opened (by a caller that
// looked at its first bytes, say): it reads the header from r and
// attaches the companion .meta.csv beside path when there is one.
func NewFileReader(r io.Reader, path string) (*Reader, error) {
	rd, err := NewReader(r, path)
	if err != nil {
		return nil, err
	}
	if mf, err := safefile.OpenRegular(MetaPath(path)); err == nil {
		m, merr := ReadMeta(mf, MetaPath(path))
		mf.Close()
		if merr != nil {
			return nil, merr
		}
		rd.SetMeta(m)
	}
	return rd, nil
}

// ErrNotRegular is returned by Open for anything but a regular file.
var ErrNotRegular = safefile.ErrNotRegular
