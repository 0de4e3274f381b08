package rates

import (
	"io"
	"testing"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// BenchmarkRatesAll is `rates --measure all --year all --format csv` on
// ../shared/ees in-process, from loading the data directory to the
// written table: cold (the CSV files parsed, as with --no-cache) and warm
// (the store read from the cache an earlier run wrote). In one process
// the exact intervals, once computed, are remembered across iterations,
// so "cold" here times the parsing, not the interval computations a
// fresh process makes; the targets are for the whole process,
// measured with /usr/bin/time (see README, Performance).
func BenchmarkRatesAll(b *testing.B) {
	dir := testfiles.SharedEES(b)
	cacheDir := b.TempDir()
	run := func(b *testing.B, cache string) {
		ios, _, _, _ := iostreams.Test()
		ios.Out = io.Discard
		opts := Options{Measures: []string{"all"}, Years: []string{"all"}, Sort: "name",
			Factory: &cmdutil.Factory{IOStreams: ios, DataDir: dir, Format: "csv", CacheDir: cache}}
		if err := ratesRun(&opts); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			run(b, "")
		}
	})
	run(b, cacheDir) // writes the cache
	b.Run("warm", func(b *testing.B) {
		for b.Loop() {
			run(b, cacheDir)
		}
	})
}
