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
// written table.
func BenchmarkRatesAll(b *testing.B) {
	dir := testfiles.SharedEES(b)
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			ios, _, _, _ := iostreams.Test()
			ios.Out = io.Discard
			opts := Options{Measures: []string{"all"}, Years: []string{"all"}, Sort: "name",
				Factory: &cmdutil.Factory{IOStreams: ios, DataDir: dir, Format: "csv"}}
			if err := ratesRun(&opts); err != nil {
				b.Fatal(err)
			}
		}
	})
}
