package cmdutil

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

func TestDataDirEmpty(t *testing.T) {
	d := t.TempDir()
	if !DataDirEmpty(filepath.Join(d, "absent")) || !DataDirEmpty(d) {
		t.Error("absent and empty folders are empty")
	}
	os.WriteFile(filepath.Join(d, "manifest.json"), []byte("{}"), 0o644)
	os.MkdirAll(filepath.Join(d, "pub", "rel", ".tmp-zip-1"), 0o755)
	os.WriteFile(filepath.Join(d, "pub", "rel", ".tmp-zip-1", "x.csv"), []byte("a"), 0o644)
	os.WriteFile(filepath.Join(d, "pub", "rel", ".tmp-123-y.csv"), []byte("a"), 0o644)
	if !DataDirEmpty(d) {
		t.Error("a manifest and temp files of an interrupted download do not count as data")
	}
	os.WriteFile(filepath.Join(d, "pub", "rel", "y.CSV"), []byte("a"), 0o644)
	if DataDirEmpty(d) {
		t.Error("a CSV file is data")
	}
	f := filepath.Join(d, "file")
	os.WriteFile(f, nil, 0o644)
	if DataDirEmpty(f) {
		t.Error("a file is not an empty data folder")
	}
}

func factory(dir string, fetcher Fetcher, offline bool) (*Factory, *strings.Builder) {
	ios, _, _, _ := iostreams.Test()
	var sb strings.Builder
	ios.ErrOut = &sb
	return &Factory{IOStreams: ios, DataDir: dir, Fetcher: fetcher, Offline: offline}, &sb
}

func TestCalculatorFetchesIntoEmptyDir(t *testing.T) {
	shared := testfiles.SharedEES(t)
	dir := filepath.Join(t.TempDir(), "data")
	calls := 0
	fetcher := func(ctx context.Context, d string) error {
		calls++
		if d != dir {
			t.Errorf("fetcher got %s, want %s", d, dir)
		}
		os.MkdirAll(d, 0o755)
		b, err := os.ReadFile(filepath.Join(shared, "cin", "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"))
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(d, "c4.csv"), b, 0o644)
	}
	f, errOut := factory(dir, fetcher, false)
	calc, err := f.Calculator()
	if err != nil || calc == nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if calls != 1 || !strings.Contains(errOut.String(), "No data in "+dir+" yet: downloading it first") {
		t.Errorf("calls %d, stderr %q", calls, errOut)
	}
	if ys := calc.Years("s47"); len(ys) == 0 {
		t.Error("no s47 years after the fetch")
	}
}

func TestCalculatorOfflineAndFailures(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	called := false
	fetcher := func(context.Context, string) error { called = true; return errors.New("dial tcp: no route to host") }

	// Offline: no call, advice, still a *dataset.NoDataError underneath.
	f, _ := factory(dir, fetcher, true)
	_, err := f.Calculator()
	var nd *dataset.NoDataError
	var adv *NoDataError
	if called || !errors.As(err, &nd) || !errors.As(err, &adv) || !strings.Contains(err.Error(), "--offline") || !strings.Contains(err.Error(), NoDataAdvice) {
		t.Errorf("offline: called=%v err=%v", called, err)
	}

	// A failed download: the reason and the advice.
	f, _ = factory(dir, fetcher, false)
	_, err = f.Calculator()
	if !called || !strings.Contains(err.Error(), "downloading them failed (dial tcp: no route to host)") || !strings.Contains(err.Error(), NoDataAdvice) || !errors.As(err, &nd) {
		t.Errorf("failed fetch: %v", err)
	}

	// No Fetcher (unit tests): the loader's own error, unchanged.
	f, _ = factory(dir, nil, false)
	_, err = f.Calculator()
	if !errors.As(err, &nd) || errors.As(err, &adv) {
		t.Errorf("no fetcher: %v", err)
	}

	// A folder with CSV files that are not data is not "empty": no fetch.
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "notes.csv"), []byte("a,b\n1,2\n"), 0o644)
	called = false
	f, _ = factory(dir, fetcher, false)
	if _, err = f.Calculator(); called || !errors.As(err, &nd) {
		t.Errorf("non-empty folder: called=%v err=%v", called, err)
	}
}
