package ees_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cscstats/cscstats/pkg/ees"
)

// endless is a reader that never ends: a file of unbounded size.
type endless struct{ b byte }

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = e.b
	}
	return len(p), nil
}

// drain reads every row, returning the first error.
func drain(r *ees.Reader) error {
	for {
		_, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func TestReaderLineLimit(t *testing.T) {
	lim := ees.Limits{MaxLineBytes: 1000}
	// A header line that never ends (the 1 GB one-line file, unbounded
	// here): refused at the limit, on line 1, without reading on.
	_, err := ees.NewReaderLimits(io.MultiReader(strings.NewReader("time_period,"), endless{'a'}), "big.csv", lim)
	pe := wantParseError(t, err, "big.csv", 1, 0, "expected a line of at most 1000 bytes", "got \"a longer line\"")
	if !errors.Is(pe, ees.ErrLimit) {
		t.Errorf("want ErrLimit, got %v", err)
	}
	// The default limit holds with the default reader too.
	_, err = ees.NewReader(io.MultiReader(strings.NewReader("time_period,"), endless{'a'}), "big.csv")
	wantParseError(t, err, "big.csv", 1, 0, "expected a line of at most 1048576 bytes")

	// A long data row on line 3.
	src := hdrA + "\n" + rowA + "\n" + strings.Repeat("x", 1001) + "\n"
	r, err := ees.NewReaderLimits(strings.NewReader(src), "rows.csv", lim)
	if err != nil {
		t.Fatal(err)
	}
	wantParseError(t, drain(r), "rows.csv", 3, 0, "a line of at most 1000 bytes")
}

func TestReaderRecordAndFieldLimits(t *testing.T) {
	// An unclosed quote makes one field of the rest of the file, across
	// short lines: the record limit stops it.
	src := io.MultiReader(strings.NewReader(hdrA+"\n2021,\""), endless{'\n'})
	r, err := ees.NewReaderLimits(src, "quote.csv", ees.Limits{MaxRecordBytes: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	err = drain(r)
	if !errors.Is(err, ees.ErrLimit) || !strings.Contains(err.Error(), "a record of at most 1024 bytes") {
		t.Fatalf("got %v", err)
	}
	// One field over the field limit, in column 10 (la_name) of line 2.
	big := strings.Repeat("B", 101)
	row := "2021,Reporting year,Local authority,E92000001,England,E12000009,South West,801,E06000023," + big + ",1,2"
	r, err = ees.NewReaderLimits(strings.NewReader(hdrA+"\n"+row+"\n"), "field.csv", ees.Limits{MaxFieldBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	col := strings.Index(row, big) + 1
	wantParseError(t, drain(r), "field.csv", 2, col, `column "la_name"`, "expected a field of at most 100 bytes", `got "101 bytes"`)
}

func TestReaderColumnLimit(t *testing.T) {
	hdr := hdrA + strings.Repeat(",extra", 2001)
	_, err := ees.NewReader(strings.NewReader(hdr+"\n"), "wide.csv")
	wantParseError(t, err, "wide.csv", 1, 0, "expected at most 2000 columns", `got "2013 columns"`)
}

// TestReaderRefusesControlCharacters: each class of control character in
// a text cell is refused with the file, line and column of the character.
func TestReaderRefusesControlCharacters(t *testing.T) {
	prefix := "2021,Reporting year,Local authority,E92000001,England,E12000009,South West,801,E06000023,"
	for _, c := range []struct {
		name, cell, code string
	}{
		{"NUL", "Lee\x00ds", "U+0000"},
		{"ESC clear screen", "Leeds\x1b[2J", "U+001B"},
		{"OSC 8 link", "\x1b]8;;http://x\x07Leeds", "U+001B"},
		{"vertical tab", "Leeds\v170292", "U+000B"},
		{"tab", "Leeds\t1", "U+0009"},
		{"lone CR", "\"Leeds\r1\"", "U+000D"},
		{"DEL", "Leeds\x7f", "U+007F"},
		{"C1 NEL", "Leeds\u0085", "U+0085"},
	} {
		t.Run(c.name, func(t *testing.T) {
			row := prefix + c.cell + ",1,2"
			// Five good rows first, so the character is past the first
			// 512 bytes that NewReader sniffs for binary files.
			src := hdrA + "\n" + strings.Repeat(rowA+"\n", 5) + row + "\n"
			r, err := ees.NewReader(strings.NewReader(src), "ctl.csv")
			if err != nil {
				t.Fatal(err)
			}
			err = drain(r)
			// Column: the cell's byte position in its line, as for bad numbers.
			wantParseError(t, err, "ctl.csv", 7, len(prefix)+1, `column "la_name"`, "expected text without control characters", "control character "+c.code)
		})
	}
	// In the header too.
	_, err := ees.NewReader(strings.NewReader("time_period,time_identifier,geographic_level,country_code,country_name,la\x1bname\n"), "h.csv")
	wantParseError(t, err, "h.csv", 1, len("time_period,time_identifier,geographic_level,country_code,country_name,")+1, "control character U+001B")
	// A line feed inside a quoted field is standard CSV: allowed.
	r, err := ees.NewReader(strings.NewReader(hdrA+"\n"+prefix+"\"two\nlines\",1,2\n"), "lf.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := drain(r); err != nil {
		t.Errorf("a quoted line feed: %v", err)
	}
}

// TestOpenRefusesFIFO: a named pipe called x.csv is refused at once, not
// waited on.
func TestOpenRefusesFIFO(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.csv")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skip("no mkfifo:", err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := ees.Open(p)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ees.ErrNotRegular) || !strings.Contains(err.Error(), "named pipe") {
			t.Errorf("got %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ees.Open hung on a FIFO")
	}
	if _, _, err := ees.Open(dir); !errors.Is(err, ees.ErrNotRegular) || !strings.Contains(err.Error(), "a folder") {
		t.Errorf("folder: %v", err)
	}
	if _, _, err := ees.Open("/dev/zero"); !errors.Is(err, ees.ErrNotRegular) {
		t.Errorf("device: %v", err)
	}
	_ = os.Remove(p)
}

// TestReaderRefusesLatin1Cell: a cell that is not UTF-8 (a Latin-1 "ô")
// past the first 512 bytes is refused with file, line and column.
func TestReaderRefusesLatin1Cell(t *testing.T) {
	prefix := "2021,Reporting year,Local authority,E92000001,England,W92000004,Wales,,W06000001,"
	src := hdrA + "\n" + strings.Repeat(rowA+"\n", 5) + prefix + "Ynys M\xf4n,1,2\n"
	r, err := ees.NewReader(strings.NewReader(src), "latin1.csv")
	if err != nil {
		t.Fatal(err)
	}
	wantParseError(t, drain(r), "latin1.csv", 7, len(prefix)+1, `column "la_name": expected UTF-8 text, got "Ynys M`+"\ufffd"+`n"`, "Latin-1")
}
