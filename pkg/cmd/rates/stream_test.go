package rates

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// CSV on standard output is made a measure-year at a time
// (cmdutil.PrintTidyCSV); with --out-dir the same table goes through the
// document a command prints (cmdutil.Print). Both give the same bytes and
// the same notes, for every kind of selection, at 1 and 4 CPUs, on the
// fixtures and on the shared files.
func TestStreamedCSVIsThePrintedTable(t *testing.T) {
	cases := []Options{
		{Measures: []string{"all"}, Years: []string{"all"}},
		{Measures: []string{"all"}, Years: []string{"all"}, Sort: "rate"},
		{Measures: []string{"s47", "icpc"}, Years: []string{"all"}, Sort: "count"},
		{Measures: []string{"all"}, Years: []string{"all"}, Region: "Yorkshire and The Humber"},
		{Measures: []string{"s47"}, Years: []string{"all"}, LAs: []string{"Leeds", "Bradford"}, Sort: "rate"},
		{Measures: []string{"all"}, Years: []string{"all"}, Per: "under1"},
	}
	dirs := map[string]func(t *testing.T) string{
		"fixture": func(t *testing.T) string { return testfiles.Fixture(t, "ees", "rates") },
		"shared":  func(t *testing.T) string { return testfiles.SharedEES(t) },
	}
	for name, dirOf := range dirs {
		t.Run(name, func(t *testing.T) {
			dir := dirOf(t)
			for _, procs := range []int{1, 4} {
				prev := runtime.GOMAXPROCS(procs)
				for _, opts := range cases {
					if name == "fixture" { // a section 47 and ICPC file
						if opts.Per != "" {
							continue
						}
						opts.Measures = []string{"s47", "icpc"}
					}
					streamed, streamedNotes, err := run(t, dir, "csv", opts)
					if err != nil {
						t.Fatalf("%+v: %v", opts, err)
					}
					printed, printedNotes := runOutDir(t, dir, opts)
					if streamed != printed {
						t.Errorf("%d CPUs, %+v: streamed CSV (%d bytes) differs from the printed table (%d bytes)", procs, opts, len(streamed), len(printed))
					}
					if streamedNotes != printedNotes {
						t.Errorf("%d CPUs, %+v: notes differ:\nstreamed\n%s\nprinted\n%s", procs, opts, streamedNotes, printedNotes)
					}
					if !strings.HasPrefix(streamed, "measure,time_period,") || strings.Count(streamed, "\n") < 2 {
						t.Errorf("%+v: no table: %.200q", opts, streamed)
					}
				}
				runtime.GOMAXPROCS(prev)
			}
		})
	}
}

// runOutDir runs the command with --format csv --out-dir and returns the
// table file and the notes (without the line naming the file written).
func runOutDir(t *testing.T, dir string, opts Options) (string, string) {
	t.Helper()
	out := t.TempDir()
	ios, _, _, errOut := iostreams.Test()
	opts.Factory = &cmdutil.Factory{IOStreams: ios, DataDir: dir, Format: "csv", OutDir: out}
	if opts.Sort == "" {
		opts.Sort = "name"
	}
	if err := ratesRun(&opts); err != nil {
		t.Fatalf("%+v with --out-dir: %v", opts, err)
	}
	b, err := os.ReadFile(filepath.Join(out, "rates.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var notes []string
	for _, l := range strings.SplitAfter(errOut.String(), "\n") {
		if !strings.HasPrefix(l, "wrote ") {
			notes = append(notes, l)
		}
	}
	return string(b), strings.Join(notes, "")
}
