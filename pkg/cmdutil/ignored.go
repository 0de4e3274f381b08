package cmdutil

import (
	"fmt"
	"io"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/safetext"
)

// maxIgnoredShown bounds the list of unused files every command prints.
const maxIgnoredShown = 10

// ReportIgnored tells the user, on w (standard error), which CSV files in
// the data directory look meant as data but were not used, and why: an
// error page saved as .csv, a gzip, a semicolon export, a renamed column
// is never passed over silently. CSVs of another kind (lookups, other
// statistics) are listed by `cscstats measures` and `cscstats inspect`
// only. Names are escaped for the terminal.
func ReportIgnored(w io.Writer, st *dataset.Store) {
	var ign []dataset.FileReport
	for _, f := range st.Ignored() {
		if f.Suspect {
			ign = append(ign, f)
		}
	}
	if len(ign) == 0 {
		return
	}
	fmt.Fprintf(w, "note: %d CSV file(s) in %s were not used:\n", len(ign), safetext.Terminal(st.Dir))
	for i, f := range ign {
		if i == maxIgnoredShown {
			fmt.Fprintf(w, "  ... and %d more (`cscstats measures` lists them all)\n", len(ign)-maxIgnoredShown)
			break
		}
		fmt.Fprintf(w, "  %s: %s\n", safetext.Terminal(st.RelPath(f.Path)), safetext.Terminal(f.Ignored))
	}
}
