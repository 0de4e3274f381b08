package testfiles

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// SharedOther returns a file of the shared folder beside shared/ees (for
// example "ofsted/LA_Inspection_Outcomes_as_at_31_March_2025.ods" or
// "geo/..."), skipping the test when it is absent.
func SharedOther(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join(filepath.Dir(SharedEES(tb)), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("shared file not available: %v", err)
	}
	return p
}

// LinkedDataDir makes a temporary data directory of symbolic links to the
// real DfE CSV files of shared/ees and to the given shared files (paths
// relative to the shared folder, as for SharedOther), so a command can be
// run on the real data plus, say, Ofsted's spreadsheet, without copying
// anything. It skips the test when a file is absent.
func LinkedDataDir(tb testing.TB, others ...string) string {
	tb.Helper()
	ees := SharedEES(tb)
	dir := tb.TempDir()
	link := func(src, rel string) {
		dst := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.Symlink(src, dst); err != nil {
			tb.Fatal(err)
		}
	}
	err := filepath.WalkDir(ees, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.EqualFold(filepath.Ext(p), ".csv") {
			return err
		}
		rel, _ := filepath.Rel(ees, p)
		link(p, rel)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	for _, o := range others {
		link(SharedOther(tb, o), filepath.Join("shared", filepath.FromSlash(o)))
	}
	return dir
}
