package ofsted_test

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/ods"
	"github.com/cscstats/cscstats/pkg/ofsted"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// sharedODS is Ofsted's published file, read in place.
func sharedODS(t testing.TB) string {
	t.Helper()
	p := filepath.Join(filepath.Dir(testfiles.SharedEES(t)), "ofsted", "LA_Inspection_Outcomes_as_at_31_March_2025.ods")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("Ofsted outcomes file not available: %v", err)
	}
	return p
}

func day(t time.Time) string { return t.Format("2006-01-02") }

func TestHistoriesAgainstPlainReading(t *testing.T) {
	path := sharedODS(t)
	o, err := ofsted.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if o.Sheet != "ILACS_inspection_history" {
		t.Errorf("sheet = %q", o.Sheet)
	}
	// The plain reading: header in the third row (A3), then one row per
	// inspection until the first row without a code in column B.
	rows := testfiles.PlainODSRows(t, path, "ILACS_inspection_history")
	if rows[2][1] != "Local authority area code" || rows[2][8] != "Overall effectiveness" {
		t.Fatalf("plain reading: header row = %q", rows[2])
	}
	type insp struct{ inspected, published, kind, overall, leaders, help, care, leavers string }
	want := map[string][]insp{}
	total := 0
	for _, r := range rows[3:] {
		if len(r) < 2 || r[1] == "" {
			break
		}
		for len(r) < 13 {
			r = append(r, "")
		}
		total++
		want[r[1]] = append(want[r[1]], insp{r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12]})
	}
	if total != len(o.Inspections) {
		t.Errorf("read %d inspections, the plain reading has %d", len(o.Inspections), total)
	}
	got := map[string][]insp{}
	for _, in := range o.Inspections {
		got[in.Code] = append(got[in.Code], insp{day(in.Inspected), day(in.Published), in.Type, in.Overall.String(),
			in.Leaders.String(), in.HelpAndProtection.String(), in.InCare.String(), in.CareLeavers.String()})
	}
	// Several councils, including abolished ones and recoded ones; then all.
	for _, code := range []string{"E08000035", "E08000016", "E10000021", "E06000061", "E10000006", "E06000064", "E06000060", "E06000014", "E09000002"} {
		if len(want[code]) == 0 {
			t.Errorf("%s: not in the plain reading", code)
		}
		if !equal(got[code], want[code]) {
			t.Errorf("%s: read %+v, plain reading %+v", code, got[code], want[code])
		}
	}
	for code := range want {
		if !equal(got[code], want[code]) {
			t.Errorf("%s: read %+v, plain reading %+v", code, got[code], want[code])
		}
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// registry builds the registry from the real DfE files, as rates.New does.
func registry(t *testing.T) *la.Registry {
	t.Helper()
	st, err := dataset.Load(testfiles.SharedEES(t))
	if err != nil {
		t.Fatal(err)
	}
	var seen []la.Sighting
	for _, m := range measures.Catalogue {
		for _, o := range st.Observations(m.ID) {
			seen = append(seen, la.Sighting{Geo: o.Geo, Year: o.Year})
		}
	}
	changes, err := la.DefaultChanges()
	if err != nil {
		t.Fatal(err)
	}
	return la.New(seen, changes)
}

func TestJoinAndJudgementInForce(t *testing.T) {
	o, err := ofsted.Read(sharedODS(t))
	if err != nil {
		t.Fatal(err)
	}
	reg := registry(t)
	j := ofsted.Join(o, reg)
	if len(j.Unknown) != 0 {
		t.Errorf("codes the registry does not know: %+v", j.Unknown)
	}
	// Leeds: Outstanding in October 2018 (short) and February 2022 (standard).
	h := j.History("E08000035")
	if len(h) != 2 || h[0].Overall != ofsted.Outstanding || ofsted.MonthYear(h[0].Inspected) != "October 2018" ||
		h[1].Overall != ofsted.Outstanding || ofsted.MonthYear(h[1].Inspected) != "February 2022" {
		t.Errorf("Leeds history = %+v", h)
	}
	// Northamptonshire (abolished 2021) is joined under its own code.
	if h := j.History("E10000021"); len(h) != 1 || h[0].Overall != ofsted.Inadequate {
		t.Errorf("Northamptonshire = %+v", h)
	}
	// In force on 31 March 2021: North Northamptonshire, first inspected in
	// October 2022, inherits Northamptonshire's June 2019 Inadequate.
	d := time.Date(2021, 3, 31, 0, 0, 0, 0, time.UTC)
	in, from, ok := j.At("E06000061", d)
	if !ok || from != "E10000021" || in.Overall != ofsted.Inadequate {
		t.Errorf("North Northamptonshire at 2021-03-31 = %+v from %s (%v)", in, from, ok)
	}
	// Leeds on 31 March 2020: the October 2018 judgement.
	if in, from, ok := j.At("Leeds", d); ok {
		t.Errorf("At takes codes, not names: got %+v from %s", in, from)
	}
	if in, _, ok := j.At("E08000035", time.Date(2020, 3, 31, 0, 0, 0, 0, time.UTC)); !ok || day(in.Inspected) != "2018-10-29" {
		t.Errorf("Leeds at 2020-03-31 = %+v", in)
	}
	// Before any ILACS inspection: nothing in force.
	if _, _, ok := j.At("E08000035", time.Date(2018, 3, 31, 0, 0, 0, 0, time.UTC)); ok {
		t.Error("Leeds has a judgement in force before its first ILACS inspection")
	}
}

func TestFindByContent(t *testing.T) {
	src := sharedODS(t)
	dir := t.TempDir()
	// A misleading name, a non-spreadsheet zip and a text file beside it.
	os.WriteFile(filepath.Join(dir, "a.ods"), []byte("PK\x03\x04 not really"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o644)
	os.MkdirAll(filepath.Join(dir, "ofsted"), 0o755)
	if err := os.Symlink(src, filepath.Join(dir, "ofsted", "downloaded.bin")); err != nil {
		t.Fatal(err)
	}
	o, err := ofsted.Find(dir)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(o.File) != "downloaded.bin" || len(o.Inspections) == 0 {
		t.Errorf("found %s with %d inspections", o.File, len(o.Inspections))
	}
	var nf *ofsted.NotFoundError
	if _, err := ofsted.Find(t.TempDir()); !errors.As(err, &nf) {
		t.Errorf("empty dir: err = %v, want NotFoundError", err)
	}
}

// writeODS writes a small spreadsheet with the history header under two
// title rows and the given data rows (cells as text; "d:" prefixes a date).
func writeODS(t *testing.T, rows [][]string) string {
	t.Helper()
	cell := func(v string) string {
		if d, ok := strings.CutPrefix(v, "d:"); ok {
			return `<table:table-cell office:value-type="date" office:date-value="` + d + `"><text:p>x</text:p></table:table-cell>`
		}
		if v == "" {
			return `<table:table-cell/>`
		}
		return `<table:table-cell office:value-type="string"><text:p>` + v + `</text:p></table:table-cell>`
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>`)
	b.WriteString(`<table:table table:name="Cover"><table:table-row>` + cell("Local authority area code") + `</table:table-row></table:table>`)
	b.WriteString(`<table:table table:name="History"><table:table-row>` + cell("ILACS inspection history") + `</table:table-row><table:table-row>` + cell("This worksheet ...") + `</table:table-row><table:table-row>`)
	for _, h := range []string{"Web link", "Local authority area code", "Local authority name", "Local authority status", "Ofsted region", "Inspection date", "Publication date", "Inspection type", "Overall effectiveness",
		"The impact of leaders on social work practice with children and families", "The experiences and progress of children who need help and protection",
		"The experiences and progress of children in care", "The experiences and progress of care leavers"} {
		b.WriteString(cell(h))
	}
	b.WriteString(`</table:table-row>`)
	for _, r := range rows {
		b.WriteString(`<table:table-row>`)
		for _, v := range r {
			b.WriteString(cell(v))
		}
		b.WriteString(`</table:table-row>`)
	}
	b.WriteString(`</table:table></office:spreadsheet></office:body></office:document-content>`)
	p := filepath.Join(t.TempDir(), "x.ods")
	f, _ := os.Create(p)
	zw := zip.NewWriter(f)
	w, _ := zw.Create("content.xml")
	w.Write([]byte(b.String()))
	zw.Close()
	f.Close()
	return p
}

func TestRowErrors(t *testing.T) {
	good := []string{"link", "E08000035", "Leeds", "Current", "North East", "d:2018-10-29T00:00:00", "d:2018-12-18T00:00:00", "ILACS Short Inspection", "Outstanding", "Outstanding", "Outstanding", "Good", ""}
	o, err := ofsted.Read(writeODS(t, [][]string{good, {"", ""}, good}))
	if err != nil {
		t.Fatal(err)
	}
	if o.Sheet != "History" || len(o.Inspections) != 1 || o.Inspections[0].Row != 4 || o.Inspections[0].CareLeavers != ofsted.NotJudged {
		t.Errorf("read %+v (the table ends at the first blank row)", o)
	}
	for _, c := range []struct {
		col  int
		val  string
		cell string
		msg  string
	}{
		{8, "Very good", "I4", "unknown judgement"},
		{1, "Leeds", "B4", "not a 9-character ONS code"},
		{5, "soon", "F4", "inspection date"},
		{9, "", "J4", "blank"},
	} {
		bad := append([]string(nil), good...)
		bad[c.col] = c.val
		_, err := ofsted.Read(writeODS(t, [][]string{bad}))
		var pe *ods.ParseError
		if !errors.As(err, &pe) || pe.Sheet != "History" || !strings.Contains(err.Error(), "cell "+c.cell) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s = %q: err = %v, want a ParseError at %s saying %q", c.cell, c.val, err, c.cell, c.msg)
		}
	}
	if _, err := ofsted.Read(writeODS(t, nil)); err == nil || !strings.Contains(err.Error(), "no rows") {
		t.Errorf("empty table: err = %v", err)
	}
}

func TestParseDateAndGrade(t *testing.T) {
	for in, want := range map[string]string{"2019-02-18T00:00:00": "2019-02-18", "2019-02-18": "2019-02-18", "18/02/2019": "2019-02-18", "2019-02-18T10:30:00.5Z": "2019-02-18"} {
		d, err := ofsted.ParseDate(in)
		if err != nil || day(d) != want {
			t.Errorf("ParseDate(%q) = %v, %v", in, d, err)
		}
	}
	for _, bad := range []string{"", "18.02.2019", "1850-01-01"} {
		if _, err := ofsted.ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
	for in, want := range map[string]ofsted.Grade{"Requires improvement to be good": ofsted.RequiresImprovement, " requires  IMPROVEMENT ": ofsted.RequiresImprovement, "Inadequate": ofsted.Inadequate, "": ofsted.NotJudged} {
		if g, err := ofsted.ParseGrade(in); err != nil || g != want {
			t.Errorf("ParseGrade(%q) = %v, %v", in, g, err)
		}
	}
}

func TestSummary(t *testing.T) {
	d := func(s string) time.Time { x, _ := ofsted.ParseDate(s); return x }
	h := []ofsted.Inspection{{Inspected: d("2018-10-29"), Overall: ofsted.Outstanding}, {Inspected: d("2022-02-21"), Overall: ofsted.Outstanding}}
	if got := ofsted.Summary(h); got != "Outstanding (February 2022 and October 2018)" {
		t.Errorf("Summary = %q", got)
	}
	h = append([]ofsted.Inspection{{Inspected: d("2017-01-01"), Overall: ofsted.Good}}, h...)
	h = append(h, ofsted.Inspection{Inspected: d("2024-06-10"), Overall: ofsted.Good})
	if got := ofsted.Summary(h); got != "Good (June 2024)" {
		t.Errorf("Summary = %q", got)
	}
	if ofsted.Summary(nil) != "" {
		t.Error("Summary(nil) not empty")
	}
}

// BenchmarkRead reads Ofsted's published file (1 MB of XML; the budget is
// well under 100 ms and a few MB, since only one row is held at a time).
func BenchmarkRead(b *testing.B) {
	p := sharedODS(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ofsted.Read(p); err != nil {
			b.Fatal(err)
		}
	}
}
