package dataset_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// TestLoadErrorIsFirstInPathOrder: files are read side by side, but when
// several are malformed the error is the one of the first in path order,
// as a load one file after another gives, even when a later bad file is
// much bigger (read first) and fails first.
func TestLoadErrorIsFirstInPathOrder(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	dir := t.TempDir()
	var big strings.Builder
	big.WriteString(s47Header)
	for i := 0; i < 20000; i++ {
		big.WriteString(s47Row)
	}
	good := big.String()
	write(t, filepath.Join(dir, "a_good.csv"), good)
	// b: a small file, bad on its third line; d: big, bad on its second.
	write(t, filepath.Join(dir, "b_bad.csv"), s47Header+s47Row+"2025,Reporting year,National,E92000001,England,,,,,,12x,400\n")
	write(t, filepath.Join(dir, "c_good.csv"), good)
	write(t, filepath.Join(dir, "d_bad.csv"), s47Header+"2025,Reporting year,National,E92000001,England,,,,,,-3,400\n"+good[len(s47Header):])
	for _, procs := range []int{1, 2, 4} {
		t.Run(fmt.Sprint(procs), func(t *testing.T) {
			runtime.GOMAXPROCS(procs)
			for range 20 {
				_, err := dataset.Load(dir)
				var pe *ees.ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("got %v, want a *ees.ParseError", err)
				}
				if filepath.Base(pe.File) != "b_bad.csv" || pe.Line != 3 || pe.Column != 53 {
					t.Fatalf("got the error %v; want b_bad.csv line 3 column 53, the first bad file in path order", err)
				}
			}
		})
	}
}

// TestLoadSameSideBySide: reading the files side by side gives the same
// store as reading them one after another (file reports, figures,
// population rows, revisions, in the same order).
func TestLoadSameSideBySide(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	dirs := []string{"rates", "releases", "recoded", "meta", "duplicate", "manifest", "renamed", "babies", "ignored_only"}
	for _, name := range dirs {
		sameSideBySide(t, name, testfiles.Fixture(t, "ees", name))
	}
	if testing.Short() {
		t.Skip("-short: fixtures only")
	}
	sameSideBySide(t, "long series", testfiles.LongSeriesDir(t))
}

func sameSideBySide(t *testing.T, name, dir string) {
	t.Helper()
	runtime.GOMAXPROCS(1)
	one, err1 := dataset.Load(dir)
	runtime.GOMAXPROCS(4)
	four, err4 := dataset.Load(dir)
	if fmt.Sprint(err1) != fmt.Sprint(err4) {
		t.Fatalf("%s: errors differ: %v and %v", name, err1, err4)
	}
	if !reflect.DeepEqual(one, four) {
		t.Errorf("%s: the store read with 4 workers differs from the one read with 1", name)
	}
}

// TestConflictIsFirstInLoadOrder: measures are resolved side by side,
// but when two measures have conflicting rows the error names the
// conflict a single pass over the figures meets first (here ICPC on
// line 3, before the s47 conflict on line 4, although s47 comes first
// in the catalogue).
func TestConflictIsFirstInLoadOrder(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	dir := t.TempDir()
	leeds := "2025,Reporting year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,383,E08000035,Leeds,"
	write(t, filepath.Join(dir, "a.csv"), s47Header+leeds+"1,5\n"+leeds+"1,6\n"+leeds+"2,5\n")
	for _, procs := range []int{1, 2, 4} {
		runtime.GOMAXPROCS(procs)
		_, err := dataset.Load(dir)
		var ce *dataset.ConflictError
		if !errors.As(err, &ce) {
			t.Fatalf("GOMAXPROCS=%d: got %v, want a *dataset.ConflictError", procs, err)
		}
		if ce.Measure != "icpc" || ce.A.Line != 2 || ce.B.Line != 3 {
			t.Fatalf("GOMAXPROCS=%d: got %v; want the ICPC conflict of lines 2 and 3", procs, err)
		}
	}
}
