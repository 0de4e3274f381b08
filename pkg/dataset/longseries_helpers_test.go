package dataset_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/testfiles"
)

// combinedDir builds, in a temporary folder, one data directory holding
// every CSV of ../shared/ees and ../shared/ees-archive as symbolic links
// (the real files are read in place, never copied): ees/... and
// ees-archive/... below it.
func combinedDir(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, src := range map[string]string{"ees": testfiles.SharedEES(tb), "ees-archive": testfiles.SharedArchive(tb)} {
		linkTree(tb, src, filepath.Join(dir, name))
	}
	return dir
}

// linkTree mirrors the CSV files below src into dst as symbolic links.
func linkTree(tb testing.TB, src, dst string) {
	tb.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.EqualFold(filepath.Ext(p), ".csv") {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		return os.Symlink(p, to)
	})
	if err != nil {
		tb.Fatal(err)
	}
}
