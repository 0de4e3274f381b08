package fetch_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/cache"
	fetchcmd "github.com/cscstats/cscstats/pkg/cmd/fetch"
	"github.com/cscstats/cscstats/pkg/cmd/root"
	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/fetch/eestest"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// cscstats runs the whole command line in-process, as main does (the root
// command wires the automatic fetch).
func cscstats(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Setenv(cache.DirEnv, t.TempDir()) // not the user's cache folder
	ios, _, out, errOut := iostreams.Test()
	code = root.Main(&cmdutil.Factory{IOStreams: ios, Version: "test"}, args)
	return code, out.String(), errOut.String()
}

// fakeServices starts the fake EES (serving the real files from
// ../shared/ees) and points cscstats at it. Nomis has no data: it answers 404.
func fakeServices(t *testing.T) (*eestest.Server, string) {
	t.Helper()
	shared := testfiles.SharedEES(t)
	cfg, err := eestest.RealConfig(shared)
	if err != nil {
		t.Fatal(err)
	}
	srv := eestest.NewServer(t, cfg)
	t.Setenv(fetchcmd.EESURLEnv, srv.ContentURL)
	t.Setenv(fetchcmd.NomisURLEnv, srv.NomisURL)
	t.Setenv(cmdutil.DataEnv, "")
	t.Setenv(cmdutil.OfflineEnv, "")
	return srv, shared
}

// After `fetch` from the fake service (real files) and importing DfE's
// population file with --from, the analysis commands give byte-for-byte the
// same output as on ../shared/ees itself. (Population is imported rather
// than fetched from Nomis: Nomis's back series on current boundaries cannot
// reproduce DfE's own population file.)
func TestFetchedDataGivesSameResultsAsSharedFiles(t *testing.T) {
	_, shared := fakeServices(t)
	dir := filepath.Join(t.TempDir(), "data")
	if code, _, stderr := cscstats(t, "--data", dir, "fetch", "cin", "cla"); code != 0 {
		t.Fatalf("fetch: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := cscstats(t, "--data", dir, "fetch", "--from", filepath.Join(shared, "population")); code != 0 {
		t.Fatalf("fetch --from: exit %d\n%s", code, stderr)
	}
	for _, args := range [][]string{
		{"rates", "--measure", "all", "--year", "all", "--format", "csv"},
		{"trend", "--la", "Leeds", "--measure", "s47", "--format", "csv"},
		{"measures", "--format", "csv"},
	} {
		c1, want, e1 := cscstats(t, append([]string{"--data", shared}, args...)...)
		c2, got, e2 := cscstats(t, append([]string{"--data", dir}, args...)...)
		if c1 != 0 || c2 != 0 {
			t.Fatalf("%v: exit %d on shared (%s), %d on fetched (%s)", args, c1, e1, c2, e2)
		}
		if len(want) < 100 || got != want {
			t.Errorf("%v: output differs between the fetched data and ../shared/ees (%d vs %d bytes)", args, len(got), len(want))
		}
	}
	// sources lists everything with its release.
	code, out, stderr := cscstats(t, "--data", dir, "sources", "--format", "csv")
	if code != 0 {
		t.Fatalf("sources: %s", stderr)
	}
	for _, want := range []string{
		"children-in-need,2024-25,children-in-need/2024-25/b1_children_in_need_2013_to_2025.csv,cin_in_need,cin_31march,2013-2025,334495,ees,",
		"children-looked-after-in-england-including-adoptions,2022,",
		"ons-mid-year-population-estimates,local,ons-mid-year-population-estimates/local/ons_mid-year_population_estimates_2012_to_2024.csv,population,,2012-2024,289348,local import,",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("sources output lacks %q:\n%s", want, out)
		}
	}
	// A CSV put there by hand shows as not from fetch.
	extra := filepath.Join(dir, "mine", "c4_copy.csv")
	os.MkdirAll(filepath.Dir(extra), 0o755)
	b, _ := os.ReadFile(filepath.Join(shared, "cin", "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"))
	os.WriteFile(extra, b, 0o644)
	_, out, _ = cscstats(t, "--data", dir, "sources", "--format", "csv")
	if !strings.Contains(out, ",mine/c4_copy.csv,cin_s47_icpc,s47 icpc,2013-2025,") || !strings.Contains(out, "not from fetch") {
		t.Errorf("hand-placed file not listed as not from fetch:\n%s", out)
	}
}

// freshDir is an empty data folder the user has made (a folder named
// with --data must exist: see TestMistypedDataDir).
func freshDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "fresh")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A --data folder that does not exist is a mistake to report, not a
// reason to download into a new folder (issue 12 item 10).
func TestMistypedDataDir(t *testing.T) {
	srv, _ := fakeServices(t)
	dir := filepath.Join(t.TempDir(), "typo")
	code, out, stderr := cscstats(t, "--data", dir, "rates", "--measure", "s47")
	if code != 1 || out != "" || !strings.Contains(stderr, "error: the data folder "+dir+" does not exist") {
		t.Errorf("exit %d, stdout %q\n%s", code, out, stderr)
	}
	if len(srv.Log()) != 0 {
		t.Errorf("a mistyped folder started a download: %v", srv.Log())
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("the mistyped folder was created")
	}
}

// On a fresh machine the analysis command fetches first (saying so on
// stderr) and answers; Nomis failing is only a warning, since DfE's CLA
// file carries the 2021+ denominators.
func TestAutoFetchOnEmptyDataDir(t *testing.T) {
	srv, shared := fakeServices(t)
	dir := freshDir(t)
	args := []string{"rates", "--measure", "s47", "--year", "2021", "--la", "Leeds", "--format", "csv"}
	code, got, stderr := cscstats(t, append([]string{"--data", dir}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "No data in "+dir+" yet: downloading it first") || !strings.Contains(stderr, "Download complete") {
		t.Errorf("stderr should say it fetched first:\n%s", stderr)
	}
	if !strings.Contains(stderr, "warning: population from Nomis") {
		t.Errorf("stderr should warn that population failed:\n%s", stderr)
	}
	_, want, _ := cscstats(t, append([]string{"--data", shared}, args...)...)
	if got != want || !strings.Contains(got, "s47,2021,Local authority,E08000035,Leeds,Yorkshire and The Humber,1718,170292,") {
		t.Errorf("after the automatic fetch:\n%s\nwant (as on the shared files):\n%s", got, want)
	}
	// Second run: data present, no fetching.
	n := len(srv.Log())
	code, _, stderr = cscstats(t, append([]string{"--data", dir}, args...)...)
	if code != 0 || strings.Contains(stderr, "downloading") || len(srv.Log()) != n {
		t.Errorf("second run should not fetch: exit %d, %d requests\n%s", code, len(srv.Log())-n, stderr)
	}
}

func TestOfflineOnEmptyDataDirGivesAdvice(t *testing.T) {
	srv, _ := fakeServices(t)
	dir := freshDir(t)
	for _, pre := range [][]string{{"--offline"}, nil} {
		if pre == nil {
			t.Setenv(cmdutil.OfflineEnv, "1")
		}
		code, out, stderr := cscstats(t, append(pre, "--data", dir, "rates", "--measure", "s47")...)
		if code != 1 || out != "" {
			t.Errorf("exit %d, stdout %q", code, out)
		}
		for _, want := range []string{"no DfE data files found in " + dir, "--offline", cmdutil.NoDataAdvice} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}
	}
	if len(srv.Log()) != 0 {
		t.Errorf("offline made requests: %v", srv.Log())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("offline wrote to the data directory: %v", entries)
	}
}

// When the download fails (here: the service knows no such publication),
// the error says what to do.
func TestAutoFetchFailureGivesAdvice(t *testing.T) {
	fakeServices(t)
	empty := eestest.NewServer(t, eestest.Config{})
	t.Setenv(fetchcmd.EESURLEnv, empty.ContentURL)
	dir := freshDir(t)
	code, _, stderr := cscstats(t, "--data", dir, "rates", "--measure", "s47")
	if code != 1 || !strings.Contains(stderr, "downloading them failed (cin: publication \"children-in-need\" not found") || !strings.Contains(stderr, cmdutil.NoDataAdvice) {
		t.Errorf("exit %d\n%s", code, stderr)
	}
}
