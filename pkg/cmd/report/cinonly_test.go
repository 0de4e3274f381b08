package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cscstats/cscstats/pkg/claims"
	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// Issue 12 item 11: a data folder with only the children-in-need files
// (no population estimates, no children-looked-after files) still gives
// the report. Every claim that needs a rate or a CLA figure is "not
// checkable" and says what is missing, never "differs"; the trend charts
// are left out with the reason instead of failing the command; the
// warning is one sentence.
func TestReportWithChildrenInNeedFilesOnly(t *testing.T) {
	src := filepath.Dir(testfiles.SharedFile(t, "cin", "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"))
	data := t.TempDir()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if filepath.Ext(e.Name()) != ".csv" {
			continue
		}
		if err := os.Symlink(filepath.Join(src, e.Name()), filepath.Join(data, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "rep")
	ios, _, _, stderr := iostreams.Test()
	opts := &Options{Factory: &cmdutil.Factory{IOStreams: ios, DataDir: data, Format: "table", NoCache: true}, Out: out, Now: time.Now}
	if err := reportRun(opts); err != nil {
		t.Fatalf("report on children-in-need files only: %v", err)
	}
	const warning = "warning: the data directory has no population estimates (neither ONS's mid-year estimates nor DfE's CLA file with its population_estimate column), so counts are shown without rates."
	if !strings.Contains(stderr.String(), warning) || strings.Count(stderr.String(), "warning:") != 1 {
		t.Errorf("stderr:\n%s\nwant the one warning:\n%s", stderr.String(), warning)
	}
	rows := readCSV(t, filepath.Join(out, "claims.csv"))
	col := index(rows[0])
	notCheckable := 0
	for _, r := range rows[1:] {
		switch v := r[col["verdict"]]; v {
		case claims.NotCheckable:
			notCheckable++
			if !strings.HasPrefix(r[col["explanation"]], "Not checkable: ") {
				t.Errorf("%s: not checkable without saying what is missing: %q", r[col["id"]], r[col["explanation"]])
			}
		case claims.Ambiguous:
			// the 24% rise in plans reads counts, which the c4/d5 files have
		default:
			t.Errorf("%s %s: verdict %q with no population and no CLA files", r[col["id"]], r[col["row"]], v)
		}
	}
	if notCheckable < 20 {
		t.Errorf("only %d rows not checkable", notCheckable)
	}
	page, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Not charted, as England has no rate for them in the data", "No chart: neither Leeds nor England has a rate"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("index.html does not say %q", want)
		}
	}
}
