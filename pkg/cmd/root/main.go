package root

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/gcbudget"
	"github.com/cscstats/cscstats/pkg/safetext"
)

// gcPercent is the collector's target for a run once it collects, and
// gcLimit the memory (as GOMEMLIMIT counts it) a run may reach before its
// first collection (see Main and gcbudget.Defer); GOGC and GOMEMLIMIT,
// when set, win. A warm `rates --measure all` holds some 30 MB in all and
// never collects; `inspect` on a large file, which streams, stays within
// gcLimit plus the program itself.
const (
	gcPercent = 400
	gcLimit   = 48 << 20
)

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// Main runs the command line and returns the exit status. Errors are
// printed once, to standard error; usage mistakes also show how to get help.
func Main(f *cmdutil.Factory, args []string) int {
	// A run is short and its live heap small (the figures kept, not the
	// bytes read): its garbage is left to the exit until it reaches
	// gcLimit, and collected from then on at 4× the live heap instead of
	// 2×, which spends far less of the run in the collector for a few MB
	// more.
	gcbudget.Defer(gcLimit, gcPercent)
	if f.Version == "dev" || f.Version == "" {
		f.Version = buildVersion()
	}
	cmd := NewCmdRoot(f)
	cmd.SetArgs(args)
	c, err := cmd.ExecuteC()
	if err == nil {
		return ExitOK
	}
	fmt.Fprintln(f.IOStreams.ErrOut, "error: "+safeLines(err.Error()))
	if cmdutil.IsFlagError(err) || isCobraUsage(err) {
		fmt.Fprintf(f.IOStreams.ErrOut, "run '%s --help' for usage\n", c.CommandPath())
		return ExitUsage
	}
	return ExitError
}

// isCobraUsage spots cobra's own flag and argument errors, which it does
// not type.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand", "required flag", "unknown command", "accepts ", "invalid argument", "flag needs an argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// safeLines escapes control and bidi characters line by line: error
// messages quote file names and cells, which must not drive the terminal.
func safeLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = safetext.Terminal(l)
	}
	return strings.Join(lines, "\n")
}

// buildVersion stamps the version from the build information: the module
// version when installed with `go install module@version`, else the VCS
// revision and time the binary was built from ("dev (abc1234 2026-12-01,
// modified)"), else "dev".
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, at, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	v := "dev (" + rev
	if len(at) >= 10 {
		v += " " + at[:10]
	}
	if modified == "true" {
		v += ", modified"
	}
	return v + ")"
}
