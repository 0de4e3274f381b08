package inspect

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

func run(t *testing.T, dir string, files ...string) (string, error) {
	ios, _, out, _ := iostreams.Test()
	err := inspectRun(&Options{Factory: &cmdutil.Factory{IOStreams: ios, DataDir: dir, Format: "csv"}, Files: files})
	return out.String(), err
}

func TestInspectRealFile(t *testing.T) {
	path := testfiles.SharedFile(t, "cin", "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv")
	out, err := run(t, "", path)
	if err != nil {
		t.Fatal(err)
	}
	// 2,132 data rows: 13 years × (1 national + 11 regional) = 156, plus
	// 152 or 153 authorities a year (1,976). Suppressed Section47/ICPC
	// cells counted by symbol.
	for _, want := range []string{"cin_s47_icpc", "s47, icpc", "2013-2025", "National 13; Regional 143; Local authority 1976", ",2132,", "c: "} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in %s", want, out)
		}
	}
}

func TestInspectBadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	html := write("error.csv", "<!DOCTYPE html><html><body>Service unavailable</body></html>")
	_, err := run(t, "", html)
	if err == nil || !strings.Contains(err.Error(), "HTML") || !strings.Contains(err.Error(), "error.csv") {
		t.Errorf("HTML page: want an error naming the file and HTML, got %v", err)
	}
	bad := write("bad.csv", "time_period,time_identifier,geographic_level,country_code,country_name,Section47,ICPC\n2021,Reporting year,National,E92000001,England,12o,5\n")
	_, err = run(t, "", bad)
	var pe *ees.ParseError
	// "2021," (5) + "Reporting year," (15) + "National," (9) + "E92000001," (10)
	// + "England," (8) = 47 characters before the bad cell: column 48.
	if !errors.As(err, &pe) || pe.Line != 2 || pe.Column != 48 || pe.Field != "Section47" {
		t.Errorf("bad cell: want a ParseError at line 2, column 48 (Section47), got %#v", err)
	}
	unknown := write("other.csv", "a,b\n1,2\n")
	if _, err := run(t, "", unknown); err == nil || !strings.Contains(err.Error(), "time_period") {
		t.Errorf("non-EES CSV: want an error saying what is missing, got %v", err)
	}
}
