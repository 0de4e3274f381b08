package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	fetchcmd "github.com/cscstats/cscstats/pkg/cmd/fetch"
	"github.com/cscstats/cscstats/pkg/cmd/root"
	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/fetch/eestest"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/testfiles"
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
//
// No script reaches the network: CSCSTATS_EES_URL and CSCSTATS_NOMIS_URL
// point at a loopback fake of the EES content API serving the same real
// files (Nomis there has no data and answers 404), and CSCSTATS_OFFLINE=1
// stops the automatic fetch unless a script clears it ("env CSCSTATS_OFFLINE=").
func TestScripts(t *testing.T) {
	ees := testfiles.SharedEES(t)
	abs, err := filepath.Abs(ees)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := eestest.RealConfig(abs)
	if err != nil {
		t.Fatal(err)
	}
	srv := eestest.NewServer(t, cfg)
	// $HOSTILE: a small data folder whose authority and region names are
	// hostile (formulas, HTML, Markdown, bidi overrides, no ASCII letters).
	hostile, err := filepath.Abs(testfiles.Fixture(t, "hostile"))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: testfiles.Fixture(t, "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("EES", abs)
			env.Setenv("HOSTILE", hostile)
			env.Setenv(fetchcmd.EESURLEnv, srv.ContentURL)
			env.Setenv(fetchcmd.NomisURLEnv, srv.NomisURL)
			env.Setenv(cmdutil.OfflineEnv, "1")
			return nil
		},
	})
}
