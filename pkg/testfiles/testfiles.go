// Package testfiles locates the files tests read: the real DfE downloads
// kept outside the repository (../shared/ees beside the repo) and the small
// hand-written fixtures under the repository's testdata/ folder.
//
// Real DfE files are read in place, never copied into the repo:
//
//	dir := testfiles.SharedEES(t) // skips the test when the folder is absent
//	path := filepath.Join(dir, "cin", "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv")
//
// (The package is not named testdata because the go tool ignores
// directories of that name.)
package testfiles

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// EnvSharedEES overrides where SharedEES looks.
const EnvSharedEES = "CSCSTATS_SHARED_EES"

// SharedEES returns the folder of real DfE files: $CSCSTATS_SHARED_EES if
// set, otherwise the first shared/ees found walking up from the test's
// working directory (the package directory), which finds <repo>/../shared/ees.
// It skips the test, saying why, when there is none.
func SharedEES(tb testing.TB) string {
	tb.Helper()
	return sharedDir(tb, EnvSharedEES, "ees", "real DfE files")
}

// sharedDir is $env if set, else the first shared/<name> found walking up
// from the test's working directory; it skips the test, saying why (what
// is not available), when there is none.
func sharedDir(tb testing.TB, env, name, what string) string {
	tb.Helper()
	if d := os.Getenv(env); d != "" {
		if isDir(d) {
			return d
		}
		tb.Skipf("%s not available: %s=%s is not a directory", what, env, d)
	}
	if d, ok := walkUp(filepath.Join("shared", name)); ok {
		return d
	}
	tb.Skipf("%s not available: no shared/%s folder beside the repository (expected <repo>/../shared/%s, or set %s)", what, name, name, env)
	return ""
}

// SharedFile returns the path of one file under SharedEES, skipping the test
// when that file is absent.
func SharedFile(tb testing.TB, elem ...string) string {
	tb.Helper()
	p := filepath.Join(append([]string{SharedEES(tb)}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("real DfE file not available: %v", err)
	}
	return p
}

// Fixture returns the path of a hand-written fixture under the repository's
// testdata/ folder (found by walking up to go.mod). It fails the test when
// the fixture does not exist: fixtures are committed, so that is a bug.
func Fixture(tb testing.TB, elem ...string) string {
	tb.Helper()
	mod, ok := walkUp("go.mod")
	if !ok {
		tb.Fatal("testfiles: no go.mod above the working directory")
	}
	p := filepath.Join(append([]string{filepath.Dir(mod), "testdata"}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("testfiles: fixture missing: %v", err)
	}
	return p
}

// walkUp looks for rel in the working directory and each parent.
func walkUp(rel string) (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		p := filepath.Join(dir, rel)
		if _, err := os.Stat(p); err == nil {
			return p, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// EnvSharedArchive overrides where SharedArchive looks.
const EnvSharedArchive = "CSCSTATS_SHARED_EES_ARCHIVE"

// SharedArchive returns the folder of older DfE releases (shared/ees-archive
// beside the repository: the SFR files of 2010-2017 and the November 2022
// CLA release), or skips the test, saying why, when there is none.
func SharedArchive(tb testing.TB) string {
	tb.Helper()
	return sharedDir(tb, EnvSharedArchive, "ees-archive", "older DfE releases")
}

// LongSeriesDir builds, in a temporary folder, one data directory holding
// every CSV file of shared/ees (below ees/) and shared/ees-archive (below
// ees-archive/) as symbolic links: the long series 2010 onwards with
// several releases side by side, read in place and never copied. It
// skips the test when either folder is absent.
func LongSeriesDir(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	linkCSVTree(tb, SharedEES(tb), filepath.Join(dir, "ees"))
	linkCSVTree(tb, SharedArchive(tb), filepath.Join(dir, "ees-archive"))
	return dir
}

// linkCSVTree mirrors the CSV files below src into dst as symbolic links.
func linkCSVTree(tb testing.TB, src, dst string) {
	tb.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.EqualFold(filepath.Ext(p), ".csv") {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
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
