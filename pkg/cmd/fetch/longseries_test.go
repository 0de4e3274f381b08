package fetch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/dataset"
	fetchlib "github.com/cscstats/cscstats/pkg/fetch"
	"github.com/cscstats/cscstats/pkg/fetch/eestest"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// `fetch cla --release 2022` takes the named older release (the loopback
// fake serves the real November 2022 files), into its own release folder;
// the latest release then goes beside it, and the loader settles the
// overlap by the releases the manifest recorded.
func TestFetchOlderReleaseKeepsReleasesApart(t *testing.T) {
	shared := testfiles.SharedEES(t)
	archive := filepath.Join(testfiles.SharedArchive(t), "cla-release-2022")
	cfg, err := eestest.RealConfig(shared)
	if err != nil {
		t.Fatal(err)
	}
	for i := range cfg.Publications {
		p := &cfg.Publications[i]
		if p.Slug != eestest.CLASlug {
			continue
		}
		for j := range p.Releases {
			if p.Releases[j].Slug == eestest.CLAOldRelease {
				for _, n := range []string{"cla_number_and_rate_per_10k_children.csv", "la_children_who_ceased_during_year.csv", "la_children_who_ceased_during_the_year_sgo_adoptions.csv"} {
					p.Releases[j].Files = append(p.Releases[j].Files, eestest.File{Name: n, Path: filepath.Join(archive, n)})
				}
			}
		}
	}
	e := &env{t: t, srv: eestest.NewServer(t, cfg), dir: t.TempDir(), shared: shared}
	if _, stderr, err := e.run(Options{Targets: []string{"cla"}, Release: "2022"}); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if _, stderr, err := e.run(Options{Targets: []string{"cla"}}); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	old := e.path(eestest.CLASlug, "2022", "cla_number_and_rate_per_10k_children.csv")
	cur := e.path(eestest.CLASlug, "2025", "cla_number_and_rate_per_10k_children.csv")
	for p, src := range map[string]string{old: filepath.Join(archive, "cla_number_and_rate_per_10k_children.csv"), cur: filepath.Join(shared, "cla", "cla_number_and_rate_per_10k_children.csv")} {
		got, _ := os.ReadFile(p)
		want, _ := os.ReadFile(src)
		if len(got) == 0 || string(got) != string(want) {
			t.Errorf("%s is not a copy of %s", p, src)
		}
	}
	for _, n := range []string{"la_children_who_ceased_during_year.csv", "la_children_who_ceased_during_the_year_sgo_adoptions.csv"} {
		if _, err := os.Stat(e.path(eestest.CLASlug, "2022", n)); err != nil {
			t.Errorf("the 2022 release's %s was not taken: %v", n, err)
		}
	}
	st, err := dataset.Load(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range st.Files {
		want := 2025
		if strings.Contains(filepath.ToSlash(f.Path), "/2022/") {
			want = 2022
		}
		if f.Kind != "" && (f.Release != want || f.ReleaseFrom != dataset.ReleaseFromManifest) {
			t.Errorf("%s: release %d from %s, want %d from the manifest", f.Path, f.Release, f.ReleaseFrom, want)
		}
	}
	// Leeds, looked after at 31 March 2022: 1373 in the 2022 release,
	// 1374 in 2025's (the cells, read in TestNewestReleaseWins... of
	// pkg/dataset by hand).
	found := false
	for _, r := range st.Revisions() {
		if r.Measure == "cla_31march" && r.Year == 2022 && r.Geo.NewLACode == "E08000035" {
			found = r.Old.Count.Number == 1373 && r.New.Count.Number == 1374 && r.Old.Release == 2022 && r.New.Release == 2025
		}
	}
	if !found {
		t.Error("no revision 1373 -> 1374 for Leeds cla_31march 2022 between releases 2022 and 2025")
	}
}

// `fetch --from DIR` imports the SFR tables by content, each year into
// its own release folder, and keeps two files of the same name from
// different releases apart.
func TestFetchFromImportsSFRAndKeepsVintagesApart(t *testing.T) {
	shared := testfiles.SharedEES(t)
	archive := testfiles.SharedArchive(t)
	e := &env{t: t, srv: eestest.NewServer(t, eestest.Config{}), dir: t.TempDir(), shared: shared}
	if _, stderr, err := e.run(Options{From: archive}); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if _, stderr, err := e.run(Options{From: filepath.Join(shared, "cla")}); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	m := e.manifest()
	for _, p := range []string{
		eestest.CLASlug + "/sfr-2011/SFR21_CEA.csv", // no year in its name or columns
		eestest.CLASlug + "/sfr-2015/SFR34_ADM2015.csv",
		eestest.CLASlug + "/sfr-2010/SFR27_2010_March.csv",
		eestest.CLASlug + "/local/cla_number_and_rate_per_10k_children.csv",      // the 2022 release's, imported first
		eestest.CLASlug + "/local-2025/cla_number_and_rate_per_10k_children.csv", // today's, same name
	} {
		if en := m.Get(p); en == nil || en.Source != fetchlib.SourceLocal {
			t.Errorf("manifest has no local import %s", p)
		}
	}
	st, err := dataset.Load(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	years := map[int]bool{}
	for _, o := range st.Observations("cla_31march") {
		years[o.Year] = true
	}
	for y := 2010; y <= 2025; y++ {
		if !years[y] {
			t.Errorf("cla_31march has no %d after importing", y)
		}
	}
}
