package testfiles

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSharedEESOverrideAndSkip(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvSharedEES, dir)
	if got := SharedEES(t); got != dir {
		t.Errorf("SharedEES = %q, want the override %q", got, dir)
	}
	t.Setenv(EnvSharedEES, filepath.Join(dir, "missing"))
	returned := false
	t.Run("absent", func(t *testing.T) {
		SharedEES(t)
		returned = true // not reached: SharedEES skips
	})
	if returned {
		t.Error("SharedEES did not skip for a missing folder")
	}
}

func TestFixture(t *testing.T) {
	p := Fixture(t, "README.md")
	if _, err := os.Stat(p); err != nil || filepath.Base(filepath.Dir(p)) != "testdata" {
		t.Errorf("Fixture(README.md) = %q, %v", p, err)
	}
}
