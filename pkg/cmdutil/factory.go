// Package cmdutil holds what every command shares: the Factory that hands
// commands their streams and data, and flag helpers.
package cmdutil

import (
	"errors"
	"fmt"
	"sync"

	"github.com/spf13/cobra"

	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/rates"
)

// DefaultDataDir is where downloaded data is kept unless --data or
// CSCSTATS_DATA says otherwise.
const DefaultDataDir = "data/ees"

// DataEnv is the environment variable naming the data directory.
const DataEnv = "CSCSTATS_DATA"

// Factory gives commands their dependencies. Tests build one with
// iostreams.Test() and a fixture data directory.
type Factory struct {
	IOStreams *IOStreams
	Version   string
	// DataDir is the data directory chosen by --data, CSCSTATS_DATA or the
	// default; set by the root command before any subcommand runs.
	DataDir string
	// DataDirGiven is set when --data or CSCSTATS_DATA named DataDir: a
	// folder the user named must exist (a typo is not a reason to
	// download 11 MB into a new folder).
	DataDirGiven bool
	// Format is the --format value.
	Format string
	// OutDir is --out-dir: with --format csv, every table of the output
	// is written there as <table>.csv (see Print).
	OutDir string
	// Offline is --offline (or CSCSTATS_OFFLINE): never download data.
	Offline bool
	// Population is --population: the population vintage of the
	// denominators ("latest" or "as-published"; "" is latest).
	Population string
	// CacheDir is the folder of the loaded-store cache (pkg/cache); ""
	// (as in unit tests) or NoCache (--no-cache) loads the CSV files
	// every time. The root command sets it to cache.DefaultDir().
	CacheDir string
	NoCache  bool
	// Fetcher, when set (the root command sets it), downloads the data
	// when the data directory is absent or empty, before Calculator loads
	// it; nil (as in unit tests) means no automatic download.
	Fetcher Fetcher

	once sync.Once
	calc *rates.Calculator
	err  error
}

// IOStreams is re-exported so command packages need one import.
type IOStreams = iostreams.IOStreams

// Calculator loads the data directory once and returns the rates
// calculator for it. An absent or empty data directory is first filled by
// the Fetcher unless Offline is set (see autofetch.go).
func (f *Factory) Calculator() (*rates.Calculator, error) {
	f.once.Do(func() {
		f.calc, f.err = f.loadCalculator()
		if f.calc != nil {
			f.calc.Vintage = f.Vintage()
		}
		if f.err == nil && f.IOStreams != nil {
			ReportIgnored(f.IOStreams.ErrOut, f.calc.Store)
			if w := DenominatorWarning(f.calc); w != "" {
				fmt.Fprintf(f.IOStreams.ErrOut, "warning: %s\n", w)
			}
		}
	})
	return f.calc, f.err
}

// FlagError is a usage mistake: the command prints its usage after it.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

// FlagErrorf builds a FlagError.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{Err: fmt.Errorf(format, args...)}
}

// IsFlagError reports whether err is a usage mistake.
func IsFlagError(err error) bool {
	var fe *FlagError
	return errors.As(err, &fe)
}

// CompleteMeasures completes --measure values from the catalogue.
func CompleteMeasures(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, m := range measures.Catalogue {
		out = append(out, m.ID+"\t"+m.Label)
	}
	return append(out, "all\tevery measure"), cobra.ShellCompDirectiveNoFileComp
}
