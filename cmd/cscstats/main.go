// Command cscstats computes English children's social care statistics from
// DfE open data. See README.md.
package main

import (
	"os"

	"github.com/cscstats/cscstats/pkg/cmd/root"
	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/iostreams"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(root.Main(&cmdutil.Factory{IOStreams: iostreams.System(), Version: version}, os.Args[1:]))
}
