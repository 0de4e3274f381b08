package chartdata

import (
	"path/filepath"
	"sort"
	"strings"

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
		for _, r := range calc.Year(measure, y) {
			for _, s := range r.Sources {
				// "path:line"
				if i := strings.LastIndex(s, ":"); i > 0 {
					s = s[:i]
				}
				seen[filepath.Base(s)] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}
