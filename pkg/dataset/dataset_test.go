package dataset_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

func report(t *testing.T, st *dataset.Store, base string) dataset.FileReport {
	t.Helper()
	for _, f := range st.Files {
		if filepath.Base(f.Path) == base {
			return f
		}
	}
	t.Fatalf("no report for %s; files: %v", base, st.Files)
	return dataset.FileReport{}
}

type obsKey struct {
	year int
	code string // new_la_code, region code, or "England"
}

func byKey(obs []dataset.Observation) map[obsKey]dataset.Observation {
	out := map[obsKey]dataset.Observation{}
	for _, o := range obs {
		k := obsKey{o.Year, o.Geo.NewLACode}
		switch o.Geo.Level {
		case "National":
			k.code = "England"
		case "Regional":
			k.code = o.Geo.RegionCode
		}
		out[k] = o
	}
	return out
}

// testdata/ees/renamed holds a section 47 file under a name no release has
// used, an unrelated CSV, an EES file no measure reads, an HTML error page
// saved as .csv, a .txt file and a hidden folder left by an interrupted
// download.
func TestLoadRecognisesByContent(t *testing.T) {
	dir := testfiles.Fixture(t, "ees", "renamed")
	st, err := dataset.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range st.Files {
		names = append(names, filepath.Base(f.Path))
	}
	if got, want := strings.Join(names, " "), "error_page.csv factors_2018_to_2026.csv notes.csv some_new_release_2013_to_2026.csv"; got != want {
		t.Errorf("files considered = %s\nwant %s (no .txt, nothing from .partial/)", got, want)
	}

	rep := report(t, st, "some_new_release_2013_to_2026.csv")
	if rep.Kind != measures.KindCINS47ICPC || rep.Ignored != "" {
		t.Errorf("renamed file: kind %q, ignored %q; want %q", rep.Kind, rep.Ignored, measures.KindCINS47ICPC)
	}
	if strings.Join(rep.Measures, ",") != "s47,icpc" {
		t.Errorf("measures = %v, want [s47 icpc]", rep.Measures)
	}
	if len(rep.Years) != 2 || rep.Years[0] != 2025 || rep.Years[1] != 2026 {
		t.Errorf("years = %v, want [2025 2026]", rep.Years)
	}
	if rep.Rows != 8 || rep.Levels["National"] != 2 || rep.Levels["Regional"] != 2 || rep.Levels["Local authority"] != 4 {
		t.Errorf("rows %d, levels %v; want 8 rows: 2 national, 2 regional, 4 LA", rep.Rows, rep.Levels)
	}
	// Symbols in the cells read (Section47, ICPC): South Gloucestershire's
	// 2026 ICPC is "c" and its 2025 Section47 is "x". The *_child columns
	// also hold symbols but are not read.
	if rep.Symbols[ees.Suppressed] != 1 || rep.Symbols[ees.NotAvailable] != 1 || len(rep.Symbols) != 2 {
		t.Errorf("symbols = %v, want c:1 x:1", rep.Symbols)
	}

	for base, why := range map[string]string{
		"notes.csv":                "not an EES open-data file",
		"error_page.csv":           "HTML page",
		"factors_2018_to_2026.csv": "no catalogued measure reads it",
	} {
		r := report(t, st, base)
		if r.Kind != "" || !strings.Contains(r.Ignored, why) {
			t.Errorf("%s: kind %q, ignored %q; want ignored because %q", base, r.Kind, r.Ignored, why)
		}
	}
	if len(st.Recognised()) != 1 {
		t.Errorf("Recognised() = %d files, want 1", len(st.Recognised()))
	}

	// Values as written in the fixture, including "70,000" with a
	// thousands separator and the quoted "Bristol, City of".
	s47 := byKey(st.Observations("s47"))
	icpc := byKey(st.Observations("icpc"))
	if len(s47) != 8 || len(icpc) != 8 {
		t.Fatalf("%d s47 and %d icpc observations, want 8 each", len(s47), len(icpc))
	}
	for _, c := range []struct {
		m    map[obsKey]dataset.Observation
		k    obsKey
		want ees.Value
	}{
		{s47, obsKey{2026, "England"}, ees.Num(200000)},
		{icpc, obsKey{2026, "England"}, ees.Num(70000)},
		{s47, obsKey{2025, "E12000009"}, ees.Num(19900)},
		{s47, obsKey{2026, "E06000023"}, ees.Num(1000)},
		{icpc, obsKey{2025, "E06000023"}, ees.Num(410)},
		{icpc, obsKey{2026, "E06000025"}, ees.Missing(ees.Suppressed)},
		{s47, obsKey{2025, "E06000025"}, ees.Missing(ees.NotAvailable)},
	} {
		o, ok := c.m[c.k]
		if !ok || o.Count != c.want {
			t.Errorf("%v = %+v (found %v), want %+v", c.k, o.Count, ok, c.want)
		}
	}
	if o := s47[obsKey{2026, "E06000023"}]; o.Geo.LAName != "Bristol, City of" || o.Line != 4 {
		t.Errorf("Bristol 2026: name %q line %d, want \"Bristol, City of\" line 4", o.Geo.LAName, o.Line)
	}
	if got := st.SourceFiles("s47"); len(got) != 1 || got[0] != "some_new_release_2013_to_2026.csv" {
		t.Errorf("SourceFiles = %v", got)
	}
	if y := st.Years("icpc"); len(y) != 2 || y[0] != 2025 {
		t.Errorf("Years = %v", y)
	}
}

// Two releases of the CPP-at-31-March file overlap in 2024. The newer
// release (reaching 2025) must win even though its path sorts first, and
// the older file's two restated values are counted as superseded.
func TestLoadNewerReleaseWins(t *testing.T) {
	dir := testfiles.Fixture(t, "ees", "releases")
	st, err := dataset.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	obs := byKey(st.Observations("cpp_31march"))
	newer, older := "a_cpps_at31march_by_duration_2013_to_2025.csv", "b_cpps_at31march_by_duration_2013_to_2024.csv"
	for k, want := range map[obsKey]struct {
		n    float64
		file string
	}{
		{2025, "England"}:   {50000, newer},
		{2025, "E08000035"}: {600, newer},
		{2024, "England"}:   {51000, newer}, // older release said 50900
		{2024, "E08000035"}: {610, newer},   // older release said 605
		{2023, "England"}:   {52000, older}, // only in the older release
		{2023, "E08000035"}: {620, older},
	} {
		o, ok := obs[k]
		if !ok || o.Count != ees.Num(want.n) || filepath.Base(o.File) != want.file {
			t.Errorf("%v = %v from %s (found %v), want %v from %s", k, o.Count, filepath.Base(o.File), ok, want.n, want.file)
		}
	}
	if len(obs) != 6 || len(st.Observations("cpp_31march")) != 6 {
		t.Errorf("%d observations, want 6 (one per year and area)", len(st.Observations("cpp_31march")))
	}
	if s := report(t, st, older).Superseded; s != 2 {
		t.Errorf("older release superseded = %d, want 2", s)
	}
	if s := report(t, st, newer).Superseded; s != 0 {
		t.Errorf("newer release superseded = %d, want 0", s)
	}
}

// A recognised file with a bad cell stops the load at file:line:col.
func TestLoadMalformedStops(t *testing.T) {
	dir := testfiles.Fixture(t, "ees", "malformed")
	st, err := dataset.Load(dir)
	if err == nil {
		t.Fatalf("load succeeded with %d files", len(st.Files))
	}
	var pe *ees.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not an *ees.ParseError", err, err)
	}
	// Line 3 of d5_bad_2013_to_2025.csv ends "...,Child Protection Plans by
	// length of time,6O0" (letter O): the cell starts at byte 156.
	path := filepath.Join(dir, "d5_bad_2013_to_2025.csv")
	line := "2025,Reporting year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,383,E08000035,Leeds,Child Protection Plans by length of time,6O0"
	col := strings.LastIndex(line, ",") + 2
	if pe.File != path || pe.Line != 3 || pe.Column != col || pe.Field != "CPP_At31" || pe.Got != "6O0" {
		t.Errorf("error at %s:%d:%d field %q got %q; want %s:3:%d CPP_At31 \"6O0\"", pe.File, pe.Line, pe.Column, pe.Field, pe.Got, path, col)
	}
	if want := path + ":3:" + strconv.Itoa(col) + ":"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("message %q does not start with %q", err.Error(), want)
	}
}

// A bad time_period in a recognised file is positioned too.
func TestReadBadTimePeriod(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s47.csv")
	write(t, p, "time_period,time_identifier,geographic_level,country_code,country_name,Section47,ICPC\n"+
		"2025,Reporting year,National,E92000001,England,1,2\n"+
		"2025-26,Reporting year,National,E92000001,England,1,2\n")
	_, _, _, err := dataset.ReadFile(p)
	var pe *ees.ParseError
	if !errors.As(err, &pe) || pe.Line != 3 || pe.Column != 1 || pe.Field != "time_period" {
		t.Fatalf("error = %v, want %s:3:1 on time_period", err, p)
	}
}

// A ragged row in a recognised file stops the load with its line.
func TestReadRaggedRow(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s47.csv")
	write(t, p, "time_period,time_identifier,geographic_level,country_code,country_name,Section47,ICPC\n"+
		"2025,Reporting year,National,E92000001,England,1,2\n"+
		"2025,Reporting year,National,E92000001,England,1\n")
	_, err := dataset.Load(dir)
	var pe *ees.ParseError
	if !errors.As(err, &pe) || pe.File != p || pe.Line != 3 {
		t.Fatalf("error = %v, want a ParseError at %s:3", err, p)
	}
}

func TestNoDataError(t *testing.T) {
	checkMsg := func(t *testing.T, err error, dir string) *dataset.NoDataError {
		t.Helper()
		var nd *dataset.NoDataError
		if !errors.As(err, &nd) {
			t.Fatalf("error %v (%T) is not a *NoDataError", err, err)
		}
		msg := err.Error()
		for _, want := range []string{dir, "cscstats fetch", "--data DIR"} {
			if !strings.Contains(msg, want) {
				t.Errorf("message lacks %q:\n%s", want, msg)
			}
		}
		return nd
	}
	t.Run("empty folder", func(t *testing.T) {
		dir := t.TempDir()
		_, err := dataset.Load(dir)
		checkMsg(t, err, dir)
	})
	t.Run("missing folder", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "no-such-dir")
		_, err := dataset.Load(dir)
		checkMsg(t, err, dir)
	})
	t.Run("a file, not a folder", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "x.csv")
		write(t, p, "a,b\n")
		_, err := dataset.Load(p)
		checkMsg(t, err, p)
	})
	t.Run("only ignored files", func(t *testing.T) {
		dir := testfiles.Fixture(t, "ees", "ignored_only")
		_, err := dataset.Load(dir)
		nd := checkMsg(t, err, dir)
		if len(nd.Ignored) != 3 {
			t.Errorf("ignored = %d files, want 3", len(nd.Ignored))
		}
		if !strings.Contains(err.Error(), "3 file(s) ignored") || !strings.Contains(err.Error(), "notes.csv") {
			t.Errorf("message does not list what was ignored:\n%v", err)
		}
	})
}

// A malformed .meta.csv beside a data file is an error about the meta file.
// It must not make the data file silently disappear as "not an EES file".
func TestReadFileBadMetaNotIgnored(t *testing.T) {
	p := filepath.Join(testfiles.Fixture(t, "ees", "badmeta"), "s47_icpc.csv")
	rep, _, _, err := dataset.ReadFile(p)
	if err == nil {
		t.Fatalf("data file with a broken .meta.csv: no error; report ignored=%q kind=%q", rep.Ignored, rep.Kind)
	}
	var pe *ees.ParseError
	if !errors.As(err, &pe) || pe.File != ees.MetaPath(p) {
		t.Errorf("error %v does not point at the meta file", err)
	}
}

func TestReadFileWithMeta(t *testing.T) {
	p := filepath.Join(testfiles.Fixture(t, "ees", "meta"), "s47_icpc.csv")
	rep, obs, _, err := dataset.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.HasMeta || rep.Kind != measures.KindCINS47ICPC || len(obs) != 2 {
		t.Errorf("report %+v, %d observations; want meta, s47/icpc kind, 2 observations", rep, len(obs))
	}
}

func TestParseTimePeriod(t *testing.T) {
	for in, want := range map[string]int{"2021": 2021, "2013": 2013, "202021": 2021, "201920": 2020, "199900": 2000} {
		got, err := dataset.ParseTimePeriod(in)
		if err != nil || got != want {
			t.Errorf("ParseTimePeriod(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "21", "20x1", "202022", "2021-22", "20212", "2021/22", "abcdef"} {
		if got, err := dataset.ParseTimePeriod(in); err == nil {
			t.Errorf("ParseTimePeriod(%q) = %d, want an error", in, got)
		}
	}
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
