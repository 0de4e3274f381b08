package dataset_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/ees"
)

// FuzzReadFile: any bytes in a .csv file never panic the loader; the file
// is either recognised, ignored with a reason, or refused with a
// *ees.ParseError naming it.
func FuzzReadFile(f *testing.F) {
	f.Add([]byte(s47Header + s47Row))
	f.Add([]byte(s47Header + "2025,Reporting year,National,E92000001,England,,,,,,-5,1\n"))
	f.Add([]byte(s47Header + "2025,Reporting year,National,E92000001,England,,,,,Lee\x1bds,5,1\n"))
	f.Add([]byte("<!DOCTYPE html>"))
	f.Add([]byte("\x1f\x8b\x08"))
	f.Add([]byte("time_period;time_identifier\n"))
	dir := f.TempDir() // one per fuzzing process: writing a file is the cost
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "fuzz.csv")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		rep, obs, _, err := dataset.ReadFile(p)
		if err != nil {
			var pe *ees.ParseError
			if !errors.As(err, &pe) || pe.File != p {
				t.Fatalf("error %v (%T) is not a ParseError naming the file", err, err)
			}
			return
		}
		if rep.Kind == "" && rep.Ignored == "" {
			t.Fatal("neither recognised nor ignored with a reason")
		}
		for _, o := range obs {
			if o.Count.OK() && (o.Count.Number < 0 || o.Count.Number != float64(int64(o.Count.Number))) {
				t.Fatalf("accepted count %v", o.Count.Number)
			}
		}
	})
}
