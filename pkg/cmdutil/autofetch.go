package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/cscstats/cscstats/pkg/cache"
	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/rates"
)

// OfflineEnv turns on --offline when set to 1 or true.
const OfflineEnv = "CSCSTATS_OFFLINE"

// Fetcher downloads what the analysis commands need into a data directory.
// It reports its own progress on standard error and returns an error only
// when the essential files could not be had.
type Fetcher func(ctx context.Context, dir string) error

// NoDataError says the data directory has no data and why none was
// downloaded, with what to do about it. It unwraps to the
// *dataset.NoDataError and, if any, the download error.
type NoDataError struct {
	Dir    string
	Reason string // e.g. "--offline is set, so nothing was downloaded"
	Errs   []error
}

func (e *NoDataError) Error() string {
	return fmt.Sprintf("no DfE data files found in %s: %s.\n%s", e.Dir, e.Reason, NoDataAdvice)
}

func (e *NoDataError) Unwrap() []error { return e.Errs }

// NoDataAdvice is what to do when there is no data.
const NoDataAdvice = `To fix, do one of:
  cscstats fetch                 download the files (about 11 MB, from Explore education statistics and ONS via Nomis)
  cscstats fetch --from DIR      import the CSV files you already have in DIR (found by their content)
  cscstats --data DIR ...        use a folder that already holds them (or set ` + DataEnv + `)`

// loadCalculator loads the data directory. When the directory is absent or
// holds no CSV files at all, it first runs the Fetcher (saying so on
// standard error), unless Offline is set or there is no Fetcher.
func (f *Factory) loadCalculator() (*rates.Calculator, error) {
	if f.DataDirGiven {
		if _, err := os.Stat(f.DataDir); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("the data folder %s does not exist: check the path given with --data or %s, or run `cscstats fetch --data %s` to download the data into it", f.DataDir, DataEnv, f.DataDir)
		}
	}
	calc, err := f.load()
	var noData *dataset.NoDataError
	if err == nil || !errors.As(err, &noData) || !DataDirEmpty(f.DataDir) {
		return calc, err
	}
	if f.Offline {
		return nil, &NoDataError{Dir: f.DataDir, Reason: "--offline (or " + OfflineEnv + ") is set, so nothing was downloaded", Errs: []error{err}}
	}
	if f.Fetcher == nil {
		return nil, err
	}
	errOut := f.IOStreams.ErrOut
	fmt.Fprintf(errOut, "No data in %s yet: downloading it first (use --offline to stop this, or `cscstats fetch` to do it yourself).\n", f.DataDir)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if ferr := f.Fetcher(ctx, f.DataDir); ferr != nil {
		if ctx.Err() == nil {
			// Part may have arrived: answer from it if it loads.
			if calc, lerr := f.load(); lerr == nil {
				fmt.Fprintf(errOut, "warning: part of the download failed (%s); continuing with what arrived. Run `cscstats fetch` to complete it.\n", oneLine(ferr))
				return calc, nil
			}
		}
		reason := "downloading them failed (" + oneLine(ferr) + ")"
		if ctx.Err() != nil {
			reason = "the download was interrupted"
		}
		return nil, &NoDataError{Dir: f.DataDir, Reason: reason, Errs: []error{err, ferr}}
	}
	fmt.Fprintln(errOut, "Download complete; continuing.")
	return f.load()
}

// load reads the data directory, through the store cache unless it is
// off (see CacheDir), and prepares the rates calculator.
func (f *Factory) load() (*rates.Calculator, error) {
	c := cache.Store{Dir: f.CacheDir, Version: f.Version}
	if f.NoCache {
		c.Dir = ""
	}
	st, _, err := c.Load(f.DataDir)
	if err != nil {
		return nil, err
	}
	changes, err := la.DefaultChanges()
	if err != nil {
		return nil, err
	}
	return rates.New(st, changes), nil
}

// oneLine keeps the first line of an error, for a message that adds advice.
func oneLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " ..."
	}
	return s
}

// DataDirEmpty reports whether dir is absent or holds no CSV files (hidden
// folders, such as those of an interrupted download, are not looked in).
func DataDirEmpty(dir string) bool {
	st, err := os.Stat(dir)
	if err != nil {
		return errors.Is(err, fs.ErrNotExist)
	}
	if !st.IsDir() {
		return false
	}
	found := errors.New("found")
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasPrefix(d.Name(), ".") && strings.EqualFold(filepath.Ext(p), ".csv") {
			return found
		}
		return nil
	})
	return err == nil
}
