package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/cscstats/cscstats/internal/testfiles"
	"github.com/cscstats/cscstats/pkg/cmd/root"
	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/iostreams"
)

// TestMain lets the scripts run the real binary: testscript re-executes
// this test binary as "cscstats" with the process's own streams.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"cscstats": func() {
			os.Exit(root.Main(&cmdutil.Factory{IOStreams: iostreams.System(), Version: "test"}, os.Args[1:]))
		},
	})
}

// TestScripts runs testdata/script/*.txtar end to end against the real DfE
// files in ../shared/ees ($EES in the scripts).
func TestScripts(t *testing.T) {
	ees := testfiles.SharedEES(t)
	abs, err := filepath.Abs(ees)
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: testfiles.Fixture(t, "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("EES", abs)
			return nil
		},
	})
}
