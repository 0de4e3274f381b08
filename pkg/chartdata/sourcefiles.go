package chartdata

import (
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/cscstats/cscstats/pkg/rates"
)

// sourceFilesFor names the files a measure's figures come from in the
// given reporting years (the file each figure was read from, after the
// newest release won), so that a chart of 2024 does not cite the 2010
// files of a long-series data directory. With no years, every file that
// gives the measure.
func sourceFilesFor(calc *rates.Calculator, measure string, years []int) []string {
	if len(years) == 0 {
		return calc.Store.SourceFiles(measure)
	}
	seen := map[string]bool{}
	for _, y := range years {
		for _, f := range yearFiles(calc, measure, y) {
			seen[f] = true
		}
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// yearFiles names the files of calc.Year(measure, year)'s figures. Every
// chart of a report asks for the years it shows, and finding the files
// computes every rate of each year, so the answer is kept for the
// calculator (which is not changed once made).
func yearFiles(calc *rates.Calculator, measure string, year int) []string {
	k := yearFilesKey{calc, measure, year}
	yearFilesMemo.Lock()
	files, ok := yearFilesMemo.m[k]
	yearFilesMemo.Unlock()
	if ok {
		return files
	}
	seen := map[string]bool{}
	for _, r := range calc.Year(measure, year) {
		for _, s := range r.SourceRefs() {
			// "path:line"
			if i := strings.LastIndex(s, ":"); i > 0 {
				s = s[:i]
			}
			f := filepath.Base(s)
			if !seen[f] {
				seen[f] = true
				files = append(files, f)
			}
		}
	}
	yearFilesMemo.Lock()
	if len(yearFilesMemo.m) >= yearFilesMemoSize {
		clear(yearFilesMemo.m) // and so let go of old calculators
	}
	yearFilesMemo.m[k] = files
	yearFilesMemo.Unlock()
	return files
}

type yearFilesKey struct {
	calc    *rates.Calculator
	measure string
	year    int
}

const yearFilesMemoSize = 2048

var yearFilesMemo = struct {
	sync.Mutex
	m map[yearFilesKey][]string
}{m: make(map[yearFilesKey][]string)}
