package cmdutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cscstats/cscstats/pkg/timeperiod"
)

// ParseRange parses --from/--to; empty means unbounded (0).
func ParseRange(from, to string) (int, int, error) {
	var f, t int
	var err error
	if from != "" {
		if f, err = timeperiod.Parse(from); err != nil {
			return 0, 0, FlagErrorf("--from: %v", err)
		}
	}
	if to != "" {
		if t, err = timeperiod.Parse(to); err != nil {
			return 0, 0, FlagErrorf("--to: %v", err)
		}
	}
	if f != 0 && t != 0 && f > t {
		return 0, 0, FlagErrorf("--from %d is after --to %d", f, t)
	}
	return f, t, nil
}

// RangeNote says when --from or --to asked for years outside the data, so
// that "--from 2010" does not silently start at 2013: "s47: the data run
// 2013 to 2025, so the years shown start in 2013, not 2010." Empty when
// the range is inside the data (or unbounded).
func RangeNote(measure string, from, to int, have []int) string {
	if len(have) == 0 {
		return ""
	}
	first, last := have[0], have[len(have)-1]
	var parts []string
	if from != 0 && from < first {
		parts = append(parts, fmt.Sprintf("start in %d, not %d", first, from))
	}
	if to != 0 && to > last {
		parts = append(parts, fmt.Sprintf("end in %d, not %d", last, to))
	}
	if len(parts) == 0 {
		return ""
	}
	s := parts[0]
	if len(parts) == 2 {
		s += " and " + parts[1]
	}
	return fmt.Sprintf("%s: the data run %d to %d, so the years shown %s.", measure, first, last, s)
}

// CheckOutputFolder reports, before any work, that the folder a file is
// to be written in does not exist (rather than a raw error about a
// temporary file later).
func CheckOutputFolder(path string) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: the folder %s does not exist; create it first or write somewhere else", path, dir)
	case err != nil:
		return err
	case !st.IsDir():
		return fmt.Errorf("%s: %s is not a folder", path, dir)
	}
	return nil
}
