package sources

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	fetchlib "github.com/cscstats/cscstats/pkg/fetch"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

func run(t *testing.T, dir, format string) (string, string, error) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	err := sourcesRun(&Options{Factory: &cmdutil.Factory{IOStreams: ios, DataDir: dir, Format: format}})
	return out.String(), errOut.String(), err
}

func records(t *testing.T, out string) map[string][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := "publication,release,file,kind,measures,years,bytes,source,fetched_at,status,release_used,notes"
	if got := strings.Join(recs[0], ","); got != want {
		t.Fatalf("header %s, want %s", got, want)
	}
	m := map[string][]string{}
	for _, r := range recs[1:] {
		m[r[2]] = r
	}
	return m
}

func TestSourcesManifestAndHandPlacedFiles(t *testing.T) {
	shared := testfiles.SharedEES(t)
	dir := t.TempDir()
	pop := "ons_mid-year_population_estimates_2012_to_2024.csv"
	rep, err := fetchlib.Import(filepath.Join(shared, "population"), dir, func(string) (string, bool) { return fetchlib.PopulationPublication, true })
	if err != nil || len(rep.Imported) != 1 {
		t.Fatalf("import: %v %+v", err, rep)
	}
	// A real CIN file copied in by hand, and a file no measure reads.
	c4 := "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"
	b, _ := os.ReadFile(filepath.Join(shared, "cin", c4))
	os.MkdirAll(filepath.Join(dir, "mine"), 0o755)
	os.WriteFile(filepath.Join(dir, "mine", c4), b, 0o644)
	os.WriteFile(filepath.Join(dir, "mine", "notes.csv"), []byte("a,b\n1,2\n"), 0o644)

	out, _, err := run(t, dir, "csv")
	if err != nil {
		t.Fatal(err)
	}
	rows := records(t, out)
	popPath := fetchlib.PopulationPublication + "/local/" + pop
	if r := rows[popPath]; r == nil || r[0] != fetchlib.PopulationPublication || r[1] != "local" || r[3] != "population" || r[5] != "2012-2024" ||
		r[6] != "289348" || r[7] != fetchlib.SourceLocal || r[8] == "" || r[9] != "ok" {
		t.Errorf("population row: %v", r)
	}
	if r := rows["mine/"+c4]; r == nil || r[0] != "children-in-need" || r[3] != "cin_s47_icpc" || r[4] != "s47 icpc" || r[9] != "not from fetch" {
		t.Errorf("hand-placed c4 row: %v", r)
	}
	if r := rows["mine/notes.csv"]; r == nil || r[3] != "(not read)" || !strings.HasPrefix(r[9], "not from fetch") {
		t.Errorf("notes.csv row: %v", r)
	}

	// A changed file and a missing one.
	p := filepath.Join(dir, filepath.FromSlash(popPath))
	os.WriteFile(p, append(b[:0:0], []byte("x")...), 0o644)
	out, stderr, err := run(t, dir, "table")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "changed since fetch") || !strings.Contains(out, "1 file(s) changed or missing") {
		t.Errorf("table output:\n%s\n%s", out, stderr)
	}
	os.Remove(p)
	out, _, _ = run(t, dir, "csv")
	if r := records(t, out)[popPath]; r == nil || r[9] != "missing" {
		t.Errorf("missing file row: %v", r)
	}
}

func TestSourcesEmptyAndAbsent(t *testing.T) {
	dir := t.TempDir()
	out, _, err := run(t, dir, "table")
	if err != nil || !strings.Contains(out, "No data in "+dir) || !strings.Contains(out, "cscstats fetch") {
		t.Errorf("empty dir: %v\n%s", err, out)
	}
	_, _, err = run(t, filepath.Join(dir, "nope"), "table")
	if err == nil || !strings.Contains(err.Error(), "does not exist") || !strings.Contains(err.Error(), "cscstats fetch --from DIR") {
		t.Errorf("absent dir: %v", err)
	}
}

func TestSourcesJSON(t *testing.T) {
	out, _, err := run(t, t.TempDir(), "json")
	if err != nil || !strings.HasPrefix(strings.TrimSpace(out), "{") {
		t.Errorf("%v\n%s", err, out)
	}
}

// The release each file's figures are filed under: from the manifest
// (here the local import is not a year, so the latest year covered), or
// the latest year covered; an SFR table whose column names disagree with
// its name says so.
func TestSourcesReleaseUsedAndNotes(t *testing.T) {
	archive := testfiles.SharedArchive(t)
	dir := t.TempDir()
	for _, rel := range []string{"sfr/2015/SFR34_ADM2015.csv", "sfr/2011/SFR21_CEA.csv"} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755)
		if err := os.Symlink(filepath.Join(archive, rel), filepath.Join(dir, rel)); err != nil {
			t.Fatal(err)
		}
	}
	out, _, err := run(t, dir, "csv")
	if err != nil {
		t.Fatal(err)
	}
	rows := records(t, out)
	if r := rows["sfr/2015/SFR34_ADM2015.csv"]; r == nil || r[3] != "cla_sfr" || r[10] != "2015 (latest year covered)" || !strings.Contains(r[11], "2014") {
		t.Errorf("2015 starts table: %v", r)
	}
	if r := rows["sfr/2011/SFR21_CEA.csv"]; r == nil || r[10] != "2011 (latest year covered)" || r[4] != "cla_ceased adoptions sgo" {
		t.Errorf("2011 ceased table: %v", r)
	}
}
