package cmdutil

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/cscstats/cscstats/pkg/dataset"
)

// TestReportIgnoredNamesSuspectFiles: a damaged or misformatted CSV is
// named with its reason (escaped for the terminal); a CSV of another kind
// is not mentioned.
func TestReportIgnoredNamesSuspectFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("s47.csv", "time_period,time_identifier,geographic_level,country_code,country_name,Section47\n2025,Reporting year,National,E92000001,England,10\n")
	write("page\x1b[2J.csv", "<html><body>502</body></html>")
	write("lookup.csv", "code,name\nE1,Leeds\n")
	st, err := dataset.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	ReportIgnored(&b, st)
	want := "note: 1 CSV file(s) in " + dir + " were not used:\n" +
		`  page\x1b[2J.csv: not an EES open-data file: looks like an HTML page (probably an error page saved as .csv); download the file again` + "\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
