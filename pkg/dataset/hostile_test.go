package dataset_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/ees"
)

const s47Header = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,Section47,ICPC\n"
const s47Row = "2025,Reporting year,National,E92000001,England,,,,,,1000,400\n"

// goodDir is a data folder with one good s47 file.
func goodDir(t *testing.T) string {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "good.csv"), s47Header+s47Row)
	return dir
}

func loadWithin(t *testing.T, dir string) (*dataset.Store, error) {
	t.Helper()
	type res struct {
		st  *dataset.Store
		err error
	}
	done := make(chan res, 1)
	go func() {
		st, err := dataset.Load(dir)
		done <- res{st, err}
	}()
	select {
	case r := <-done:
		return r.st, r.err
	case <-time.After(10 * time.Second):
		t.Fatal("Load hung")
	}
	return nil, nil
}

// TestLoadSkipsHiddenTemporaryAndSpecialFiles: temp files of an
// interrupted fetch (which would fail to parse), hidden files, office lock
// files and editor backups are not read; a FIFO and a folder named .csv are
// not opened (a FIFO would hang) but are reported with the reason.
func TestLoadSkipsHiddenTemporaryAndSpecialFiles(t *testing.T) {
	dir := goodDir(t)
	half := s47Header + "2025,Reporting year,Nat" // cut off mid-row
	for _, name := range []string{".tmp-123456-s47.csv", ".hidden.csv", "~$good.csv", "good.csv~", "#good.csv#"} {
		write(t, filepath.Join(dir, name), half)
	}
	os.MkdirAll(filepath.Join(dir, ".tmp-zip-1"), 0o755)
	write(t, filepath.Join(dir, ".tmp-zip-1", "s47.csv"), half)
	os.MkdirAll(filepath.Join(dir, "folder.csv"), 0o755)
	if err := syscall.Mkfifo(filepath.Join(dir, "x.csv"), 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	st, err := loadWithin(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range st.Files {
		got[st.RelPath(f.Path)] = f.Ignored
	}
	want := map[string]string{"good.csv": "", "x.csv": "not a regular file: a named pipe (FIFO); cscstats does not open it"}
	if len(got) != len(want) {
		t.Errorf("files = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: ignored %q, want %q", k, got[k], v)
		}
	}
	if n := len(st.Observations("s47")); n != 1 {
		t.Errorf("%d s47 observations, want 1", n)
	}
}

// TestIgnoredReasons: each class of file that is not EES data is ignored
// with a reason saying what it is.
func TestIgnoredReasons(t *testing.T) {
	dir := goodDir(t)
	files := map[string]string{
		"empty.csv":     "",
		"blank.csv":     " \n\n",
		"page.csv":      "<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>\n",
		"gz.csv":        "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03time_period",
		"zip.csv":       "PK\x03\x04\x14\x00\x00\x00\x08\x00",
		"xls.csv":       "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00",
		"utf16.csv":     "\xff\xfet\x00i\x00m\x00e\x00",
		"binary.csv":    "\x80\x81\x82 abc,def\n",
		"semicolon.csv": strings.ReplaceAll(s47Header+s47Row, ",", ";"),
		"tab.csv":       strings.ReplaceAll(s47Header+s47Row, ",", "\t"),
		"renamed.csv":   strings.Replace(s47Header, "time_period", "Time Period", 1) + s47Row,
		"other.csv":     "name,value\nLeeds,1\n",
		"indicator.csv": strings.Replace(strings.Replace(s47Header, "Section47", "Section_47", 1), "ICPC", "ICPC_count", 1) + s47Row,
		"oneline.csv":   "time_period," + strings.Repeat("x", 2<<20),
	}
	for name, body := range files {
		write(t, filepath.Join(dir, name), body)
	}
	st, err := loadWithin(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	const not = "not an EES open-data file: "
	want := map[string]string{
		"empty.csv":     not + "the file is empty",
		"blank.csv":     not + "the file holds only white space",
		"page.csv":      not + "looks like an HTML page (probably an error page saved as .csv); download the file again",
		"gz.csv":        not + "gzip-compressed data, not CSV text; unpack it (gunzip) and keep the .csv",
		"zip.csv":       not + "a zip archive (or an Excel .xlsx workbook), not CSV text; unzip it, or save the sheet as CSV",
		"xls.csv":       not + "an Excel .xls workbook, not CSV text; save the sheet as CSV",
		"utf16.csv":     not + `UTF-16 text; EES files are UTF-8: save it as "CSV UTF-8"`,
		"binary.csv":    not + "binary data, not UTF-8 CSV text",
		"semicolon.csv": not + "semicolon-delimited, not comma-delimited (EES files use commas); re-export it as CSV with commas",
		"tab.csv":       not + "tab-delimited, not comma-delimited (EES files use commas); re-export it as CSV with commas",
		"renamed.csv":   not + `an EES-like file missing column "time_period" (closest match: "Time Period")`,
		"other.csv":     not + `no column "time_period", which every EES file has (columns: name, value)`,
		"indicator.csv": `EES file, but no catalogued measure reads it: measure s47 needs column "Section47" (closest match: "Section_47"); measure icpc needs column "ICPC" (closest match: "ICPC_count")`,
	}
	for _, f := range st.Ignored() {
		name := st.RelPath(f.Path)
		if name == "oneline.csv" {
			if !strings.HasPrefix(f.Ignored, not) || !strings.Contains(f.Ignored, "a line of at most 1048576 bytes") || !f.Suspect {
				t.Errorf("oneline.csv: %q", f.Ignored)
			}
			continue
		}
		if f.Ignored != want[name] {
			t.Errorf("%s:\n got %q\nwant %q", name, f.Ignored, want[name])
		}
		// Only a well-formed CSV of another kind is not suspect.
		if f.Suspect != (name != "other.csv") {
			t.Errorf("%s: Suspect = %v", name, f.Suspect)
		}
		delete(want, name)
	}
	if len(want) != 0 {
		t.Errorf("not reported as ignored: %v", want)
	}
	// "No data for measure" names the file that almost matched.
	err = st.NoDataFor("icpc")
	wantMsg := "no data for measure icpc in the data directory " + dir + "\n  " + filepath.Join(dir, "indicator.csv") +
		` almost matched: measure icpc needs column "ICPC" (closest match: "ICPC_count")` + "\nrun `cscstats measures` to see what is there, or `cscstats fetch`"
	if err.Error() != wantMsg {
		t.Errorf("NoDataFor:\n%s\nwant\n%s", err, wantMsg)
	}
	// The warm-start cache keeps the reasons, near misses and the
	// suspect flag: a cached run reports the same unused files.
	b, err := st.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back dataset.Store
	if err := back.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Ignored(), st.Ignored()) {
		t.Errorf("ignored files after a cache round trip:\n%+v\nwant\n%+v", back.Ignored(), st.Ignored())
	}
}

// TestCountsMustBeWholeAndNotNegative: a negative or fractional count is
// refused with file, line and column.
func TestCountsMustBeWholeAndNotNegative(t *testing.T) {
	for _, c := range []struct{ cell, got string }{{"-5", "-5"}, {"12.5", "12.5"}, {`"-1,000"`, "-1,000"}} {
		dir := t.TempDir()
		row := "2025,Reporting year,National,E92000001,England,,,,," + ","
		write(t, filepath.Join(dir, "s47.csv"), s47Header+s47Row+row+c.cell+",3\n")
		_, err := dataset.Load(dir)
		var pe *ees.ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("%s: got %v, want a ParseError", c.cell, err)
		}
		want := filepath.Join(dir, "s47.csv") + ":3:" + itoa(len(row)+1) + `: column "Section47": expected a whole number of at least 0 (a count), got "` + c.got + `"`
		if !strings.HasPrefix(err.Error(), want) {
			t.Errorf("got  %v\nwant %s...", err, want)
		}
	}
}

// TestControlCharacterInNameRefused goes through Load: a NUL in an
// authority name stops the load with file, line and column.
func TestControlCharacterInNameRefused(t *testing.T) {
	dir := t.TempDir()
	pad := strings.Repeat(s47Row, 6)
	prefix := "2025,Reporting year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,383,E08000035,"
	write(t, filepath.Join(dir, "s47.csv"), s47Header+pad+prefix+"Lee\x00ds,1,2\n")
	_, err := dataset.Load(dir)
	want := filepath.Join(dir, "s47.csv") + ":8:" + itoa(len(prefix)+1) + `: column "la_name": expected text without control characters, got "Lee\x00ds": control character U+0000`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got  %v\nwant %s...", err, want)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestUnreadableFileOrFolderIsReportedNotFatal: a file or folder the user
// cannot read is listed with the reason; the rest loads.
func TestUnreadableFileOrFolderIsReportedNotFatal(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads everything")
	}
	dir := goodDir(t)
	write(t, filepath.Join(dir, "secret.csv"), s47Header+s47Row)
	os.Chmod(filepath.Join(dir, "secret.csv"), 0)
	os.Mkdir(filepath.Join(dir, "locked"), 0o755)
	write(t, filepath.Join(dir, "locked", "a.csv"), s47Header+s47Row)
	os.Chmod(filepath.Join(dir, "locked"), 0)
	t.Cleanup(func() { os.Chmod(filepath.Join(dir, "locked"), 0o755) })
	st, err := dataset.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range st.Ignored() {
		got[st.RelPath(f.Path)] = f.Ignored
	}
	for _, name := range []string{"secret.csv", "locked"} {
		if !strings.HasPrefix(got[name], "cannot be read: ") || !strings.Contains(got[name], "permission denied") {
			t.Errorf("%s: %q", name, got[name])
		}
	}
}

// TestDanglingSymlinkIsReported: a .csv symlink to nothing is listed with
// the reason; the rest loads.
func TestDanglingSymlinkIsReported(t *testing.T) {
	dir := goodDir(t)
	if err := os.Symlink(filepath.Join(dir, "gone.csv"), filepath.Join(dir, "link.csv")); err != nil {
		t.Skip(err)
	}
	st, err := dataset.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	ign := st.Ignored()
	if len(ign) != 1 || st.RelPath(ign[0].Path) != "link.csv" || !strings.HasPrefix(ign[0].Ignored, "cannot be read: ") ||
		!strings.Contains(ign[0].Ignored, "no such file or directory") || !ign[0].Suspect {
		t.Errorf("ignored: %+v", ign)
	}
}
