package fetch

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/dataset"
	fetchlib "github.com/cscstats/cscstats/pkg/fetch"
	"github.com/cscstats/cscstats/pkg/fetch/eestest"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

const (
	cinSlug = eestest.CINSlug
	claSlug = eestest.CLASlug
	b1      = "b1_children_in_need_2013_to_2025.csv"
	c1      = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
)

// cinNeeded and claNeeded are the files fetch should take from the real
// releases served by eestest.RealConfig.
var (
	cinNeeded = []string{b1, c1, "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv",
		"d3_cpps_subsequent_plan_2013_to_2025.csv", "d5_cpps_at31march_by_duration_2013_to_2025.csv"}
	claNeeded = []string{"cla_number_and_rate_per_10k_children.csv", "la_children_who_ceased_during_the_year.csv",
		"la_children_who_ceased_during_the_year_sgo_adoption.csv"}
)

type env struct {
	t      *testing.T
	srv    *eestest.Server
	dir    string
	shared string
}

func realEnv(t *testing.T) *env {
	t.Helper()
	shared := testfiles.SharedEES(t)
	cfg, err := eestest.RealConfig(shared)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, srv: eestest.NewServer(t, cfg), dir: t.TempDir(), shared: shared}
}

// run drives fetchRun without a process. Sleeps are skipped.
func (e *env) run(opts Options) (stdout, stderr string, err error) {
	e.t.Helper()
	ios, _, out, errOut := iostreams.Test()
	if opts.Factory == nil {
		opts.Factory = &cmdutil.Factory{IOStreams: ios, DataDir: e.dir, Format: "table", Version: "test"}
	}
	opts.EESURL, opts.NomisURL = e.srv.ContentURL, e.srv.NomisURL
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts.Context = ctx
	opts.ClientOptions = func(o *fetchlib.Options) {
		o.Sleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
		o.Jitter = func() float64 { return 0.5 }
	}
	err = fetchRun(&opts)
	return out.String(), errOut.String(), err
}

func (e *env) path(pub, rel, name string) string { return filepath.Join(e.dir, pub, rel, name) }

func (e *env) sharedFile(sub, name string) []byte {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join(e.shared, sub, name))
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *env) manifest() *fetchlib.Manifest {
	e.t.Helper()
	m, err := fetchlib.LoadManifest(e.dir)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

// The old CIN slug is redirected; the needed files (and only those) of the
// latest releases arrive byte for byte; the CLA starts file, which the
// latest CLA release lacks, comes from the earlier release; a re-run asks
// with the ETag and gets 304s.
func TestFetchRealReleasesThen304(t *testing.T) {
	e := realEnv(t)
	_, stderr, err := e.run(Options{Targets: []string{eestest.CINOldSlug, "cla"}})
	if err != nil {
		t.Fatalf("fetch: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, `"characteristics-of-children-in-need" is an old name, redirected`) {
		t.Errorf("stderr should say the old slug was redirected:\n%s", stderr)
	}
	if e.srv.Requests("/api/redirects") == 0 {
		t.Error("the redirects endpoint was not asked")
	}
	for _, n := range cinNeeded {
		if got := readOrNil(e.path(cinSlug, eestest.CINRelease, n)); !bytes.Equal(got, e.sharedFile("cin", n)) {
			t.Errorf("%s: not the real file byte for byte (%d bytes)", n, len(got))
		}
	}
	for _, n := range claNeeded {
		if got := readOrNil(e.path(claSlug, eestest.CLARelease, n)); !bytes.Equal(got, e.sharedFile("cla", n)) {
			t.Errorf("%s: not the real file byte for byte", n)
		}
	}
	if got := readOrNil(e.path(claSlug, eestest.CLAOldRelease, eestest.CLAOldFile)); !bytes.Equal(got, e.sharedFile("cla", eestest.CLAOldFile)) {
		t.Errorf("%s should come from release %s", eestest.CLAOldFile, eestest.CLAOldRelease)
	}
	if !strings.Contains(stderr, "from the earlier release 2022") {
		t.Errorf("stderr should say where the starts file came from:\n%s", stderr)
	}
	got := filesUnder(t, e.dir)
	want := []string{"manifest.json", claSlug + "/2022/" + eestest.CLAOldFile}
	for _, n := range cinNeeded {
		want = append(want, cinSlug+"/2024-25/"+n)
	}
	for _, n := range claNeeded {
		want = append(want, claSlug+"/2025/"+n)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("files in the data dir:\n got %v\nwant %v (c3 and the national adoptions file are not needed)", got, want)
	}
	m := e.manifest()
	if len(m.Files) != len(want)-1 {
		t.Errorf("manifest has %d entries, want %d", len(m.Files), len(want)-1)
	}
	for _, en := range m.Files {
		if en.ETag == "" || en.SHA256 == "" || en.Source != fetchlib.SourceEES {
			t.Errorf("manifest entry %+v lacks ETag, hash or source", en)
		}
	}

	// Re-run: conditional requests, 304s, files untouched.
	served := e.srv.RequestsWithPrefix("/api/releases/")
	_, stderr2, err := e.run(Options{Targets: []string{"cin", "cla"}})
	if err != nil {
		t.Fatalf("re-run: %v\n%s", err, stderr2)
	}
	rel, _ := e.srv.Release(cinSlug, eestest.CINRelease)
	for _, f := range rel.Files {
		if !slices.Contains(cinNeeded, f.Name) {
			continue
		}
		if n := e.srv.NotModified(eestest.FilePath(rel.ID, f.FileID)); n != 1 {
			t.Errorf("%s: %d 304 answers on the re-run, want 1", f.Name, n)
		}
	}
	if strings.Contains(stderr2, "  downloaded ") || !strings.Contains(stderr2, "0 downloaded (0 B), 9 unchanged") {
		t.Errorf("re-run should report every file unchanged:\n%s", stderr2)
	}
	if e.srv.RequestsWithPrefix("/api/releases/") != served+len(want)-1 {
		t.Errorf("re-run made %d file requests, want one per file (%d)", e.srv.RequestsWithPrefix("/api/releases/")-served, len(want)-1)
	}
}

func readOrNil(p string) []byte {
	b, _ := os.ReadFile(p)
	return b
}

func TestFetchZipAndAllFiles(t *testing.T) {
	e := realEnv(t)
	_, stderr, err := e.run(Options{Targets: []string{"cin"}, Zip: true, AllFiles: true})
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	rel, _ := e.srv.Release(cinSlug, eestest.CINRelease)
	if e.srv.Served(eestest.ZipPath(rel.ID)) != 1 {
		t.Errorf("the release zip was not downloaded; log: %v", e.srv.Log())
	}
	if e.srv.RequestsWithPrefix(eestest.ZipPath(rel.ID)+"/") != 0 {
		t.Error("--zip should not fetch files one by one")
	}
	for _, f := range rel.Files { // all six, c3 included
		if got := readOrNil(e.path(cinSlug, eestest.CINRelease, f.Name)); !bytes.Equal(got, e.sharedFile("cin", f.Name)) {
			t.Errorf("%s: not extracted intact", f.Name)
		}
	}
	if _, err := os.Stat(e.path(cinSlug, eestest.CINRelease, fetchlib.GuidanceFileName)); err != nil {
		t.Errorf("data-guidance.txt: %v", err)
	}
	for _, en := range e.manifest().Files {
		if en.Source != fetchlib.SourceEESZip {
			t.Errorf("%s: source %q, want %q", en.Path, en.Source, fetchlib.SourceEESZip)
		}
	}
}

// An HTML error page served as the CSV: a clear error, a nonzero result,
// the previous good copy and its manifest entry untouched, no temp file.
func TestFetchHTMLErrorPageKeepsPreviousCopy(t *testing.T) {
	e := realEnv(t)
	if _, stderr, err := e.run(Options{Targets: []string{"cin"}}); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	before := e.manifest()
	rel, _ := e.srv.Release(cinSlug, eestest.CINRelease)
	var fileID string
	for _, f := range rel.Files {
		if f.Name == b1 {
			fileID = f.FileID
		}
	}
	e.srv.Fault(eestest.FilePath(rel.ID, fileID), eestest.Fault{Status: 200, ContentType: "text/html",
		Body: "<!DOCTYPE html>\n<html><head><title>Service unavailable</title></head><body>Sorry</body></html>"})
	_, stderr, err := e.run(Options{Targets: []string{"cin"}, Force: true})
	if err == nil {
		t.Fatalf("an HTML page served as CSV must fail; stderr:\n%s", stderr)
	}
	msg := err.Error()
	for _, want := range []string{b1, "HTML", "previous copy"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error should mention %q: %s", want, msg)
		}
	}
	if !bytes.Equal(readOrNil(e.path(cinSlug, eestest.CINRelease, b1)), e.sharedFile("cin", b1)) {
		t.Error("the previous good copy was changed")
	}
	after := e.manifest()
	if *before.Get(cinSlug + "/2024-25/" + b1) != *after.Get(cinSlug + "/2024-25/" + b1) {
		t.Error("the manifest entry of the failed file changed")
	}
	assertNoTemps(t, e.dir)
	// The other files still downloaded (forced).
	if !strings.Contains(stderr, "downloaded") || !strings.Contains(stderr, "1 failed") {
		t.Errorf("stderr should show the other files downloaded and one failure:\n%s", stderr)
	}
}

func assertNoTemps(t *testing.T, dir string) {
	t.Helper()
	for _, p := range filesUnder(t, dir) {
		if strings.Contains(p, fetchlib.TempPrefix) {
			t.Errorf("temp file left behind: %s", p)
		}
	}
}

// A file whose name says "referrals" but whose content is another kind is
// rejected by the content check, not written.
func TestFetchRejectsWrongContent(t *testing.T) {
	e := realEnv(t)
	e.srv.SetFileData(c1, e.sharedFile("cin", b1))
	_, _, err := e.run(Options{Targets: []string{"cin"}})
	if err == nil || !strings.Contains(err.Error(), c1) || !strings.Contains(err.Error(), "does not recognise its content") {
		t.Fatalf("want a content-check error for %s, got %v", c1, err)
	}
	if _, serr := os.Stat(e.path(cinSlug, eestest.CINRelease, c1)); serr == nil {
		t.Error("the rejected file was written")
	}
	if !bytes.Equal(readOrNil(e.path(cinSlug, eestest.CINRelease, b1)), e.sharedFile("cin", b1)) {
		t.Error("the good files should still arrive")
	}
	assertNoTemps(t, e.dir)
}

// A 500 then success, and a 429 with Retry-After, are retried (sleeps skipped).
func TestFetchRetries(t *testing.T) {
	e := realEnv(t)
	rel, _ := e.srv.Release(cinSlug, eestest.CINRelease)
	for _, f := range rel.Files {
		switch f.Name {
		case b1:
			e.srv.Fault(eestest.FilePath(rel.ID, f.FileID), eestest.Fault{Status: 500, Times: 1})
		case c1:
			e.srv.Fault(eestest.FilePath(rel.ID, f.FileID), eestest.Fault{Status: 429, RetryAfter: "2", Times: 2})
		}
	}
	if _, stderr, err := e.run(Options{Targets: []string{"cin"}}); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, n := range []string{b1, c1} {
		if !bytes.Equal(readOrNil(e.path(cinSlug, eestest.CINRelease, n)), e.sharedFile("cin", n)) {
			t.Errorf("%s not downloaded after retries", n)
		}
	}
}

func TestFetchCheckDetectsModifiedFile(t *testing.T) {
	e := realEnv(t)
	if _, stderr, err := e.run(Options{Targets: []string{"cin"}}); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	out, _, err := e.run(Options{Check: true})
	if err != nil {
		t.Fatalf("clean check failed: %v\n%s", err, out)
	}
	for _, n := range cinNeeded {
		if !regexpLine(out, "ok", n) {
			t.Errorf("check output should list %s as ok:\n%s", n, out)
		}
	}
	p := e.path(cinSlug, eestest.CINRelease, b1)
	b := readOrNil(p)
	b[len(b)/2] ^= 1 // one flipped bit, same size
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(e.path(cinSlug, eestest.CINRelease, c1))
	out, _, err = e.run(Options{Check: true})
	if err == nil || !strings.Contains(err.Error(), "2 file(s)") {
		t.Fatalf("check should fail for a changed and a missing file, got %v", err)
	}
	if !regexpLine(out, "changed", b1) || !regexpLine(out, "missing", c1) {
		t.Errorf("check output should list both:\n%s", out)
	}
	// A plain fetch repairs both (304 then hash mismatch -> full download).
	if _, stderr, err := e.run(Options{Targets: []string{"cin"}}); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if _, _, err := e.run(Options{Check: true}); err != nil {
		t.Errorf("after re-fetching, check: %v", err)
	}
}

func regexpLine(out, status, name string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, status) && strings.Contains(l, name) {
			return true
		}
	}
	return false
}

func TestCheckWithoutManifest(t *testing.T) {
	e := &env{t: t, srv: eestest.NewServer(t, eestest.Config{}), dir: t.TempDir()}
	_, _, err := e.run(Options{Check: true})
	if err == nil || !strings.Contains(err.Error(), "nothing to check") || !strings.Contains(err.Error(), "cscstats fetch") {
		t.Fatalf("got %v", err)
	}
}

func TestFetchFromImportsByContent(t *testing.T) {
	shared := testfiles.SharedEES(t)
	e := &env{t: t, srv: eestest.NewServer(t, eestest.Config{}), dir: t.TempDir(), shared: shared}
	_, stderr, err := e.run(Options{From: filepath.Join(shared, "population")})
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	name := "ons_mid-year_population_estimates_2012_to_2024.csv"
	dest := filepath.Join(e.dir, fetchlib.PopulationPublication, fetchlib.ImportReleaseDir, name)
	if !bytes.Equal(readOrNil(dest), e.sharedFile("population", name)) {
		t.Fatalf("not imported to %s", dest)
	}
	en := e.manifest().Get(fetchlib.PopulationPublication + "/local/" + name)
	if en == nil || en.Source != fetchlib.SourceLocal {
		t.Fatalf("manifest entry: %+v", en)
	}
	if !strings.Contains(stderr, "imported") || !strings.Contains(stderr, "2012-2024") {
		t.Errorf("stderr:\n%s", stderr)
	}
	// The reference folder's statistical neighbour and IMD files are
	// imported too (issue 12 item 3); its LTLA-UTLA lookup is not read.
	_, stderr, err = e.run(Options{From: filepath.Join(shared, "reference")})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sn_model_2025_wide.csv", "New_Statistical_Neighbour_Groupings_April_2021.csv", "imd19.csv"} {
		dest := filepath.Join(e.dir, "reference", fetchlib.ImportReleaseDir, name)
		if !bytes.Equal(readOrNil(dest), e.sharedFile("reference", name)) {
			t.Errorf("%s not imported to %s", name, dest)
		}
	}
	if !strings.Contains(stderr, "skipped") || !strings.Contains(stderr, "LTLA-UTLA_Apr23_Lookup_England-Wales.csv") {
		t.Errorf("the lookup file should be reported as skipped:\n%s", stderr)
	}
	// A folder with no file cscstats reads is an error.
	nothing := t.TempDir()
	if err := os.WriteFile(filepath.Join(nothing, "notes.txt"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.run(Options{From: nothing})
	if err == nil || !strings.Contains(err.Error(), "no file in") {
		t.Errorf("want an error for a folder with nothing to import, got %v", err)
	}
}

func TestFetchOfflineRefuses(t *testing.T) {
	e := &env{t: t, srv: eestest.NewServer(t, eestest.Config{}), dir: t.TempDir()}
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, DataDir: e.dir, Offline: true}
	_, _, err := e.run(Options{Factory: f})
	if err == nil || !strings.Contains(err.Error(), "--offline") || !strings.Contains(err.Error(), "--from DIR") {
		t.Fatalf("got %v", err)
	}
	if n := len(e.srv.Log()); n != 0 {
		t.Errorf("%d requests made while offline", n)
	}
}

func TestFetchFlagErrors(t *testing.T) {
	e := &env{t: t, srv: eestest.NewServer(t, eestest.Config{}), dir: t.TempDir()}
	for _, o := range []Options{
		{Targets: []string{"all"}, Release: "2024-25"},
		{Targets: []string{"Not A Slug!"}},
		{Check: true, Targets: []string{"cin"}},
	} {
		if _, _, err := e.run(o); !cmdutil.IsFlagError(err) {
			t.Errorf("%+v: want a usage error, got %v", o, err)
		}
	}
}

// An unknown publication needs --all-files; with it, every file comes,
// through more than one page of the file list.
func TestFetchUnknownPublicationNeedsAllFiles(t *testing.T) {
	var files []eestest.File
	for i := 0; i < 45; i++ {
		files = append(files, eestest.File{Name: fmt.Sprintf("f%02d.csv", i),
			Data: []byte(fmt.Sprintf("time_period,time_identifier,geographic_level,country_code,country_name,x\n2025,Reporting year,National,E92000001,England,%d\n", i))})
	}
	cfg := eestest.Config{Publications: []eestest.Publication{{Slug: "other-stats", Releases: []eestest.Release{{Slug: "2025", Latest: true, Files: files}}}}}
	e := &env{t: t, srv: eestest.NewServer(t, cfg), dir: t.TempDir()}
	if _, _, err := e.run(Options{Targets: []string{"other-stats"}}); !cmdutil.IsFlagError(err) || !strings.Contains(err.Error(), "--all-files") {
		t.Fatalf("want advice to use --all-files, got %v", err)
	}
	if _, stderr, err := e.run(Options{Targets: []string{"other-stats"}, AllFiles: true}); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if n := len(filesUnder(t, filepath.Join(e.dir, "other-stats", "2025"))); n != 45 {
		t.Errorf("%d files, want 45", n)
	}
	paged := false
	for _, l := range e.srv.Log() {
		paged = paged || strings.Contains(l, "/api/data-set-files?") && strings.Contains(l, "page=2")
	}
	if !paged {
		t.Errorf("the file list was not paged: %v", e.srv.Log())
	}
}

// --release picks a release by slug; the needed files it lacks are looked
// for in earlier releases, and reported when nowhere to be found.
func TestFetchNamedRelease(t *testing.T) {
	e := realEnv(t)
	_, stderr, err := e.run(Options{Targets: []string{"cla"}, Release: eestest.CLAOldRelease})
	if err == nil || !strings.Contains(err.Error(), "no file like cla_number_and_rate_per_10k_children.csv") {
		t.Fatalf("want the missing files reported, got %v\n%s", err, stderr)
	}
	if !bytes.Equal(readOrNil(e.path(claSlug, eestest.CLAOldRelease, eestest.CLAOldFile)), e.sharedFile("cla", eestest.CLAOldFile)) {
		t.Error("the file of the named release was not downloaded")
	}
	if _, err := os.Stat(filepath.Join(e.dir, claSlug, eestest.CLARelease)); err == nil {
		t.Error("nothing should come from the newer release")
	}
	_, _, err = e.run(Options{Targets: []string{"cin"}, Release: "1999-00"})
	if err == nil || !strings.Contains(err.Error(), `no release "1999-00"`) || !strings.Contains(err.Error(), "2024-25") {
		t.Errorf("unknown release: %v", err)
	}
}

// Population from a (synthetic) Nomis answer, with DfE codes and regions
// taken from a CLA-rates-shaped file already in the data directory.
func TestFetchPopulationFromNomis(t *testing.T) {
	var nomis strings.Builder
	nomis.WriteString("DATE_NAME,GEOGRAPHY_CODE,GEOGRAPHY_NAME,C_AGE,C_AGE_NAME,OBS_VALUE\n")
	for _, year := range []int{2023, 2024} {
		for _, a := range []struct{ code, name string }{{"E08000035", "Leeds"}, {"E06000001", "Hartlepool"}} {
			for age := 0; age <= 17; age++ {
				an := fmt.Sprintf("Aged %d", age)
				if age == 0 {
					an = "Aged under 1"
				}
				fmt.Fprintf(&nomis, "%d,%s,%s,%d,%s,%d\n", year, a.code, a.name, 101+age, an, 100+age)
			}
		}
	}
	e := &env{t: t, srv: eestest.NewServer(t, eestest.Config{NomisCSV: []byte(nomis.String())}), dir: t.TempDir()}
	// A lookup source where fetch would put the CLA file (synthetic rows).
	lk := filepath.Join(e.dir, claSlug, "2025", "cla_number_and_rate_per_10k_children.csv")
	os.MkdirAll(filepath.Dir(lk), 0o755)
	os.WriteFile(lk, []byte("time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,la_name,new_la_code,population_type,population_estimate,children_count,rate_per_10000\n"+
		"2025,Reporting year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,383,Leeds,E08000035,Children looked after on 31 March each year,1,1,1\n"+
		"2025,Reporting year,Local authority,E92000001,England,E12000001,North East,805,Hartlepool,E06000001,Children looked after on 31 March each year,1,1,1\n"), 0o644)
	_, stderr, err := e.run(Options{Targets: []string{"population"}})
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if q := e.srv.NomisQueries(); len(q) == 0 || !strings.Contains(q[0], "date="+fetchlib.LatestMinus(2009, time.Now())) || !strings.Contains(q[0], "c_age=101...118") {
		t.Errorf("Nomis query: %v", q)
	}
	p := filepath.Join(e.dir, fetchlib.PopulationPublication, fetchlib.PopulationRelease, fetchlib.PopulationFileName)
	rep, _, pop, err := dataset.ReadFile(p)
	if err != nil || rep.Kind != measures.KindPopulation {
		t.Fatalf("written population file not recognised: kind %q, %v", rep.Kind, err)
	}
	var leeds2024 float64
	for _, r := range pop {
		if r.Geo.NewLACode == "E08000035" && r.Year == 2024 && r.AgeBand == "0-17" {
			leeds2024 = r.Value.Number
			if r.Geo.OldLACode != "383" || r.Geo.RegionCode != "E12000003" {
				t.Errorf("Leeds row lacks DfE code/region: %+v", r.Geo)
			}
		}
	}
	if want := float64(18*100 + 17*18/2); leeds2024 != want {
		t.Errorf("Leeds 2024 0-17 = %v, want %v", leeds2024, want)
	}
	if !strings.Contains(stderr, "mid-years 2023-2024") || !strings.Contains(stderr, "cla_number_and_rate_per_10k_children.csv") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

// The content validator passes a staged real file of the right kind,
// rejects one of another kind, and leaves files no spec names alone.
func TestContentValidator(t *testing.T) {
	shared := testfiles.SharedEES(t)
	cat, err := Sources()
	if err != nil {
		t.Fatal(err)
	}
	v := ContentValidator(cat)
	dir := t.TempDir()
	stage := func(name string, data []byte) string {
		p := filepath.Join(dir, fetchlib.TempPrefix+"123456-"+name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	d4, _ := os.ReadFile(filepath.Join(shared, "cin", "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"))
	if err := v(stage("c4_children_in_need_section_47s_and_icpcs_2013_to_2026.csv", d4)); err != nil {
		t.Errorf("a later-named c4 file with c4 content: %v", err)
	}
	err = v(stage("d5_cpps_at31march_by_duration_2013_to_2025.csv", d4))
	if err == nil || !strings.Contains(err.Error(), "Section 47") || strings.Contains(err.Error(), fetchlib.TempPrefix) {
		t.Errorf("c4 content under the d5 name: %v", err)
	}
	if err := v(stage("something_else.csv", []byte("a,b\n1,2\n"))); err != nil {
		t.Errorf("a file no spec names needs only the text checks: %v", err)
	}
	if err := v(stage("something_else.csv", []byte("<html><body>502</body></html>"))); err == nil {
		t.Error("HTML must be rejected whatever the name")
	}
}

// sources.json agrees with the measures catalogue, and what it says was
// checked against the real files holds.
func TestSourcesJSONMatchesCatalogueAndRealFiles(t *testing.T) {
	cat, err := Sources()
	if err != nil {
		t.Fatal(err)
	}
	neededKinds := map[string]bool{}
	for _, p := range cat.Publications {
		if p.Key == "" || p.Slug == "" || p.Verified == "" {
			t.Errorf("%+v: key, slug and verified are required", p)
		}
		for _, f := range p.Files {
			if !f.Matches(f.TypicalName) {
				t.Errorf("%s: patterns %v do not match its own typical name", f.TypicalName, f.NamePatterns)
			}
			if f.Needed || (f.Manual && f.URL != "") { // fetched, or got by hand and imported
				neededKinds[f.Kind] = true
			}
			if f.Manual && f.Needed {
				t.Errorf("%s: a manual file cannot be needed: fetch does not download it", f.TypicalName)
			}
			if f.Kind == "" {
				continue
			}
			var want []string
			for _, m := range measures.Catalogue {
				if m.FileKind == f.Kind {
					want = append(want, m.ID)
				}
			}
			if !slices.Equal(f.Measures, want) && !(f.Kind == measures.KindPopulation && len(f.Measures) == 0) {
				t.Errorf("%s: measures %v, catalogue says %v", f.TypicalName, f.Measures, want)
			}
			if k, _ := measures.Kind(f.Kind); k.Publication == measures.PubCIN && p.Key != "cin" || k.Publication == measures.PubCLA && p.Key != "cla" {
				t.Errorf("%s: kind %s listed under %s", f.TypicalName, f.Kind, p.Key)
			}
		}
	}
	for _, k := range measures.Kinds {
		if !neededKinds[k.ID] {
			t.Errorf("kind %s has no needed file in sources.json", k.ID)
		}
	}
	if cat.ByKey("cin").PublicationID != eestest.CINID || cat.ByKey("cla").PublicationID != eestest.CLAID {
		t.Error("publication ids disagree with the notes (eestest constants)")
	}

	shared := testfiles.SharedEES(t)
	sub := map[string]string{"cin": "cin", "cla": "cla", "population": "population"}
	for _, p := range cat.Publications {
		for _, f := range p.Files {
			path := filepath.Join(shared, sub[p.Key], f.TypicalName)
			if f.Archive != "" {
				path = filepath.Join(testfiles.SharedArchive(t), filepath.FromSlash(f.Archive), f.TypicalName)
			}
			st, err := os.Stat(path)
			if err != nil {
				t.Errorf("%s: %v", f.TypicalName, err)
				continue
			}
			if st.Size() != f.Bytes {
				t.Errorf("%s: %d bytes, sources.json says %d", f.TypicalName, st.Size(), f.Bytes)
			}
			rep, _, _, err := dataset.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Kind != f.Kind {
				t.Errorf("%s: recognised as %q, sources.json says %q", f.TypicalName, rep.Kind, f.Kind)
			}
			if n := len(rep.Years); n > 0 && fmt.Sprintf("%d-%d", rep.Years[0], rep.Years[n-1]) != f.Years {
				t.Errorf("%s: years %d-%d, sources.json says %s", f.TypicalName, rep.Years[0], rep.Years[n-1], f.Years)
			}
		}
	}
}

func TestOlderThan(t *testing.T) {
	rs := []fetchlib.Release{
		{Slug: "2025", ReleaseVersionID: "a", Published: "2025-11-26T09:30:00Z"},
		{Slug: "2023", ReleaseVersionID: "c", Published: "2023-12-14T09:30:00Z"},
		{Slug: "2024", ReleaseVersionID: "b", Published: "2024-11-28T09:30:00Z"},
		{Slug: "2022", ReleaseVersionID: "d"},
	}
	got := olderThan(rs, &rs[2])
	var slugs []string
	for _, r := range got {
		slugs = append(slugs, r.Slug)
	}
	if strings.Join(slugs, ",") != "2023,2022" {
		t.Errorf("older than 2024: %v", slugs)
	}
}

func TestNewCmdFetchFlags(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios}
	var got *Options
	cmd := NewCmdFetch(f, func(o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"cin", "cla", "--release", "2025", "--all-files", "--zip", "-q", "--ees-url", "http://127.0.0.1:1/api"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Targets, []string{"cin", "cla"}) || got.Release != "2025" || !got.AllFiles || !got.Zip || !got.Quiet || got.EESURL != "http://127.0.0.1:1/api" {
		t.Errorf("options: %+v", got)
	}
	if cmd.Flags().Lookup("ees-url").Hidden != true || cmd.Flags().Lookup("nomis-url").Hidden != true {
		t.Error("the URL flags should be hidden")
	}
	cmd = NewCmdFetch(f, func(*Options) error { return nil })
	cmd.SetArgs([]string{"--quiet", "--verbose"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); err == nil {
		t.Error("--quiet with --verbose should be refused")
	}
}

// nomisFake serves a small Nomis for the real EES fake: Leeds, Hartlepool
// and Bournemouth, Christchurch and Poole in the current type (TYPE423)
// for mid-2016 to mid-2024; Bournemouth only in TYPE446 for mid-2016 to
// mid-2018 (abolished April 2019); England, the North East and Yorkshire
// and The Humber by their Nomis ids. Value of age a: base + a, so a 0-17
// total is 18*base + 153.
func nomisFake(cfg *eestest.Config) {
	var b strings.Builder
	b.WriteString("DATE_NAME,GEOGRAPHY_CODE,GEOGRAPHY_NAME,C_AGE,C_AGE_NAME,OBS_VALUE\n")
	add := func(year int, code, name string, base int) {
		for age := 0; age <= 17; age++ {
			an := fmt.Sprintf("Aged %d", age)
			if age == 0 {
				an = "Aged under 1"
			}
			fmt.Fprintf(&b, "%d,%s,\"%s\",%d,%s,%d\n", year, code, name, 101+age, an, base+age)
		}
	}
	for y := 2016; y <= 2024; y++ {
		add(y, "E92000001", "England", 650000)
		add(y, "E12000001", "North East", 30000)
		add(y, "E12000003", "Yorkshire and The Humber", 62000)
		add(y, "E08000035", "Leeds", 9000)
		add(y, "E06000001", "Hartlepool", 1100)
		add(y, "E06000058", "Bournemouth, Christchurch and Poole", 4100)
		if y <= 2018 {
			add(y, "E06000028", "Bournemouth", 1600)
		}
	}
	cfg.NomisCSV = []byte(b.String())
	cfg.NomisGeographies = map[string][]string{
		"TYPE423": {"E08000035", "E06000001", "E06000058"},
		"TYPE446": {"E06000028", "E06000001"},
	}
	cfg.NomisIDs = eestest.NomisEnglandAndRegionIDs()
}

// listCalls counts, in a slice of the fake's request log, the EES list
// requests (release lists and file-list pages) by path and query.
func listCalls(log []string) map[string]int {
	n := map[string]int{}
	for _, l := range log {
		req, _, _ := strings.Cut(strings.TrimPrefix(l, "GET "), " -> ")
		if strings.HasPrefix(req, "/api/data-set-files") || (strings.HasPrefix(req, "/api/publications/") && strings.HasSuffix(req, "/releases")) {
			n[req]++
		}
	}
	return n
}

// The whole fetch against the fakes: England's and the regions' figures
// are Nomis's published ones, Bournemouth comes from the earlier type,
// types Nomis refuses are reported, and authorities of the DfE files
// without a denominator are named. A second fetch soon after makes no
// Nomis request, rewrites nothing and reports the population unchanged;
// in each run every release list and file list is asked for once.
func TestFetchAllTwiceAgainstFakes(t *testing.T) {
	shared := testfiles.SharedEES(t)
	cfg, err := eestest.RealConfig(shared)
	if err != nil {
		t.Fatal(err)
	}
	nomisFake(&cfg)
	e := &env{t: t, srv: eestest.NewServer(t, cfg), dir: t.TempDir(), shared: shared}
	_, stderr, err := e.run(Options{Targets: []string{"all"}})
	if err != nil {
		t.Fatalf("fetch: %v\n%s", err, stderr)
	}
	first := e.srv.Log()
	for req, n := range listCalls(first) {
		if n != 1 {
			t.Errorf("first run asked %s %d times, want once", req, n)
		}
	}
	// CIN: its release list and one file list; CLA: its release list and
	// the file lists of release 2025 and of 2022 (the starts file).
	if got := listCalls(first); len(got) != 5 {
		t.Errorf("first run list requests %v, want 2 release lists and 3 file lists", got)
	}
	nomisFirst := len(e.srv.NomisQueries())
	if nomisFirst != 5 {
		t.Errorf("Nomis requests %d, want 5 (authorities, totals, three earlier types): %v", nomisFirst, e.srv.NomisQueries())
	}
	p := e.path(fetchlib.PopulationPublication, fetchlib.PopulationRelease, fetchlib.PopulationFileName)
	pop := map[string]string{}
	testfiles.EachRow(t, p, func(r map[string]string) {
		code := r["new_la_code"]
		if code == "" {
			code = r["region_code"]
		}
		pop[r["time_period"]+"|"+r["geographic_level"]+"|"+code+"|"+r["age_group"]] = r["population_estimate"]
	})
	for k, want := range map[string]int{
		"2020|National||Children aged 0 to 17 years":                 18*650000 + 153, // published, not Leeds + Hartlepool + BCP
		"2020|Regional|E12000003|Children aged 0 to 17 years":        18*62000 + 153,
		"2018|Local authority|E06000028|Children aged 0 to 17 years": 18*1600 + 153, // Bournemouth, from TYPE446
		"2024|Local authority|E08000035|Children aged under 1 year":  9000,
	} {
		if pop[k] != strconv.Itoa(want) {
			t.Errorf("%s = %q, want %d", k, pop[k], want)
		}
	}
	for _, want := range []string{
		"England and regions as Nomis publishes them: England: mid-2016 to mid-2024",
		"former councils from earlier geography types: E06000028 Bournemouth: mid-2016 to mid-2018 (TYPE446)",
		"note: TYPE431: Nomis did not serve it",
		"warning: no figure written (never a sum of whatever authorities came back) for: North West: mid-2016 to mid-2024",
		"have no population estimate (children aged 0-17, latest vintage)",
		"Poole (E06000029) lack a denominator for 2013-2019", // in the CIN files, in no Nomis type here
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	// Bournemouth's CIN counts run 2013-2019; mid-2016 to mid-2018 from
	// TYPE446 cover 2017-2019, so only 2013-2016 lack a denominator.
	// (the warning groups areas by the years they lack: Bournemouth's
	// group is the one for 2013-2016)
	bournemouth := regexp.MustCompile(`Bournemouth \(E06000028\)[^;]*? lacks? a denominator for (\d{4}-\d{4})`).FindStringSubmatch(stderr)
	if bournemouth == nil || bournemouth[1] != "2013-2016" {
		t.Errorf("Bournemouth has denominators for 2017-2019 (mid-2016 to mid-2018) but is named as lacking them:\n%s", stderr)
	}
	st1, _ := os.Stat(p)

	_, stderr2, err := e.run(Options{Targets: []string{"all"}})
	if err != nil {
		t.Fatalf("re-run: %v\n%s", err, stderr2)
	}
	if n := len(e.srv.NomisQueries()); n != nomisFirst {
		t.Errorf("the re-run asked Nomis %d more times: %v", n-nomisFirst, e.srv.NomisQueries()[nomisFirst:])
	}
	second := e.srv.Log()[len(first):]
	for req, n := range listCalls(second) {
		if n != 1 {
			t.Errorf("re-run asked %s %d times, want once", req, n)
		}
	}
	for _, l := range second {
		if strings.HasPrefix(l, "GET /nomis/") {
			t.Errorf("re-run requested the population: %s", l)
		}
	}
	if st2, _ := os.Stat(p); !st2.ModTime().Equal(st1.ModTime()) {
		t.Error("the re-run rewrote the population file")
	}
	if !strings.Contains(stderr2, "unchanged") || !strings.Contains(stderr2, fetchlib.PopulationFileName+"  (fetched ") || !strings.Contains(stderr2, "0 downloaded (0 B), 10 unchanged") {
		t.Errorf("re-run should report the population and every file unchanged:\n%s", stderr2)
	}

	// --force asks Nomis again, and --verbose shows every request.
	_, stderr3, err := e.run(Options{Targets: []string{"population"}, Force: true, Verbose: true})
	if err != nil {
		t.Fatalf("forced run: %v\n%s", err, stderr3)
	}
	asked := e.srv.NomisQueries()[nomisFirst:]
	if len(asked) != nomisFirst {
		t.Errorf("--force made %d Nomis requests, want %d", len(asked), nomisFirst)
	}
	for _, q := range asked {
		if !strings.Contains(stderr3, "GET "+e.srv.NomisURL+"/dataset/NM_2002_1.data.csv?"+q) {
			t.Errorf("--verbose does not show the request %s:\n%s", q, stderr3)
		}
	}
}
