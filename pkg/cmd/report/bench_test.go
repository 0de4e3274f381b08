package report

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// BenchmarkReport builds `cscstats report` from ../shared/ees with the
// store cached (as every run after the first), charts and all. The
// issue's target (≤ 0.3 s) is for the whole process, measured with
// /usr/bin/time (see README, Performance).
func BenchmarkReport(b *testing.B) {
	dir := testfiles.SharedEES(b)
	cacheDir, out := b.TempDir(), b.TempDir()
	run := func() {
		ios, _, _, _ := iostreams.Test()
		opts := &Options{Factory: &cmdutil.Factory{IOStreams: ios, DataDir: dir, Format: "table", CacheDir: cacheDir},
			Out: filepath.Join(out, "r"), Force: true, Now: time.Now}
		if err := reportRun(opts); err != nil {
			b.Fatal(err)
		}
	}
	run() // writes the cache
	for b.Loop() {
		run()
	}
}
