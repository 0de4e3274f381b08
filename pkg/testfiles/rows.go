package testfiles

import (
	"encoding/csv"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// EachRow reads a CSV file with plain encoding/csv, deliberately not the
// project's own EES reader, so that tests computing expected values from
// the raw rows stay independent of the code under test. fn gets each data
// row as column name → trimmed text (a byte-order mark on the first
// header is dropped). A missing file skips the test; a malformed one
// fails it.
func EachRow(tb testing.TB, path string, fn func(row map[string]string)) {
	tb.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		tb.Skipf("real DfE file not available: %v", err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	for i := range head {
		head[i] = strings.TrimSpace(strings.TrimPrefix(head[i], "\ufeff"))
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			tb.Fatalf("%s: %v", path, err)
		}
		row := make(map[string]string, len(head))
		for i, h := range head {
			row[h] = strings.TrimSpace(rec[i])
		}
		fn(row)
	}
}
