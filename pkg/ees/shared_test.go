package ees_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// indicatorColumns are count/rate columns of the DfE files that must parse
// as a number or a symbol in every row.
var indicatorColumns = []string{
	"Section47", "Section47_child", "ICPC", "ICPC_child", "CPP_At31", "CPP_start", "referral_count",
	"At31_episodes", "population_estimate", "children_count", "rate_per_10000", "number",
}

var yearsMonths = regexp.MustCompile(`^[0-9]+:[0-9]+$`)

// Every data row of every real EES file is read, in full, and every
// indicator cell parses. Row counts are checked against a count of line
// ends in the raw bytes (none of these files has a line break inside a
// quoted cell, so rows = lines - 1).
func TestSharedFilesReadCompletely(t *testing.T) {
	dir := testfiles.SharedEES(t)
	var paths []string
	for _, sub := range []string{"cin", "cla", "population"} {
		m, _ := filepath.Glob(filepath.Join(dir, sub, "*.csv"))
		paths = append(paths, m...)
	}
	if len(paths) == 0 {
		t.Skip("no CSV files under " + dir)
	}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		wantRows := bytes.Count(raw, []byte("\n")) - 1
		if !bytes.HasSuffix(raw, []byte("\n")) {
			wantRows++
		}
		r, err := ees.NewReader(bytes.NewReader(raw), p)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		for _, h := range r.Header() {
			if strings.ContainsAny(h, "\ufeff\r\n") {
				t.Errorf("%s: header %q keeps a BOM or line end", filepath.Base(p), h)
			}
		}
		rows, cells, durations := 0, 0, 0
		for {
			row, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%v", err)
			}
			rows++
			if row.Line() != rows+1 {
				t.Fatalf("%s: row %d reports line %d", filepath.Base(p), rows, row.Line())
			}
			for _, c := range indicatorColumns {
				if !r.Has(c) {
					continue
				}
				cells++
				if _, err := row.Value(c); err != nil {
					// national_cla_who_were_adopted_during_the_year.csv gives
					// average ages and durations as years:months ("3:4") in
					// its number column. They are not counts, and no measure
					// reads them; the reader must refuse them, not guess.
					if strings.Contains(row.Text("characteristic"), "(years:months)") && yearsMonths.MatchString(row.Text(c)) {
						durations++
						continue
					}
					t.Errorf("%v", err)
				}
			}
		}
		if rows != wantRows {
			t.Errorf("%s: read %d rows, file has %d lines after the header", filepath.Base(p), rows, wantRows)
		}
		t.Logf("%s: %d rows, %d indicator cells (%d years:months durations refused)", filepath.Base(p), rows, cells, durations)
	}
}

// findRow returns the first row whose columns hold the given values.
func findRow(t *testing.T, path string, want map[string]string, cols ...string) map[string]ees.Value {
	t.Helper()
	r, closer, err := ees.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	for {
		row, err := r.Read()
		if err == io.EOF {
			t.Fatalf("%s: no row with %v", path, want)
		}
		if err != nil {
			t.Fatal(err)
		}
		match := true
		for c, v := range want {
			if row.Text(c) != v {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		out := map[string]ees.Value{}
		for _, c := range cols {
			v, err := row.Value(c)
			if err != nil {
				t.Fatal(err)
			}
			out[c] = v
		}
		return out
	}
}

func TestSharedQuotedNameAndBOM(t *testing.T) {
	// c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv, line 2087:
	// 2013,Reporting year,Local authority,E92000001,England,E12000009,South West,801,E06000023,"Bristol, City of",Section 47s and Initial Child Protection Conferences,966,918,469,469,...
	c4 := testfiles.SharedFile(t, "cin", "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv")
	got := findRow(t, c4, map[string]string{"time_period": "2013", "la_name": "Bristol, City of"}, "Section47", "ICPC")
	if got["Section47"] != ees.Num(966) || got["ICPC"] != ees.Num(469) {
		t.Errorf("Bristol 2013 = %+v, want Section47 966, ICPC 469", got)
	}
	// cla_number_and_rate_per_10k_children.csv starts with a byte-order
	// mark and puts la_name before new_la_code; line 150:
	// 2025,Reporting year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,810,"Kingston upon Hull, City of",E06000010,Children looked after on 31 March each year,62379,742,119
	cla := testfiles.SharedFile(t, "cla", "cla_number_and_rate_per_10k_children.csv")
	got = findRow(t, cla, map[string]string{"time_period": "2025", "new_la_code": "E06000010",
		"population_type": "Children looked after on 31 March each year"}, "population_estimate", "children_count", "rate_per_10000")
	if got["population_estimate"] != ees.Num(62379) || got["children_count"] != ees.Num(742) || got["rate_per_10000"] != ees.Num(119) {
		t.Errorf("Hull 2025 = %+v, want 62379, 742, 119", got)
	}
	// Suppressed cells come back as missing, not 0. Line 32 of c4:
	// 2025,...,942,E06000063,Cumberland,Section 47s and Initial Child Protection Conferences,1044,949,441,435,c,356,46,c,14,15,15
	got = findRow(t, c4, map[string]string{"time_period": "2025", "new_la_code": "E06000063"}, "Section47", "Duration_0-10_days")
	if got["Section47"] != ees.Num(1044) || got["Duration_0-10_days"] != ees.Missing(ees.Suppressed) {
		t.Errorf("Cumberland 2025 = %+v, want Section47 1044 and Duration_0-10_days suppressed", got)
	}
}

// The reference files are not EES files: each is refused at line 1 with a
// reason, never read as data.
func TestSharedReferenceFilesRefused(t *testing.T) {
	dir := testfiles.SharedEES(t)
	m, _ := filepath.Glob(filepath.Join(dir, "reference", "*.csv"))
	if len(m) == 0 {
		t.Skip("no reference files under " + dir)
	}
	for _, p := range m {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ees.NewReader(f, p)
		f.Close()
		if err == nil {
			t.Errorf("%s read as an EES file", filepath.Base(p))
			continue
		}
		wantParseError(t, err, p, 1, 0, `required EES column "time_period"`)
	}
}
