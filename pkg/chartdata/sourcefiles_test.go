package chartdata

import (
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The files named for a measure's years are those of the rows
// calc.Year gives (read here straight from each row's sources), the same
// when asked again (kept per calculator) and for a copy of the
// calculator with another vintage.
func TestSourceFilesForYears(t *testing.T) {
	c := calc(t)
	for _, m := range []string{"s47", "cla_starts", "under1_starts", "adoptions"} {
		ys := c.Years(m)
		if len(ys) < 2 {
			t.Fatalf("%s: years %v", m, ys)
		}
		years := ys[len(ys)-2:]
		seen := map[string]bool{}
		for _, y := range years {
			for _, r := range c.Year(m, y) {
				for _, s := range r.SourceRefs() {
					seen[filepath.Base(s[:strings.LastIndex(s, ":")])] = true
				}
			}
		}
		var want []string
		for f := range seen {
			want = append(want, f)
		}
		sort.Strings(want)
		if len(want) == 0 {
			t.Fatalf("%s: no source files in %v", m, years)
		}
		for range 2 {
			if got := sourceFilesFor(c, m, years); !slices.Equal(got, want) {
				t.Errorf("%s %v: %q, the rows name %q", m, years, got, want)
			}
		}
		if got := sourceFilesFor(c.WithVintage(c.Vintage), m, years); !slices.Equal(got, want) {
			t.Errorf("%s %v, copied calculator: %q, the rows name %q", m, years, got, want)
		}
	}
}
