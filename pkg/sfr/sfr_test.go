package sfr_test

import (
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/sfr"
)

func readAll(t *testing.T, path, text string) (*sfr.Reader, []sfr.Row) {
	t.Helper()
	r, err := sfr.NewReader(strings.NewReader(text), path)
	if err != nil {
		t.Fatal(err)
	}
	var rows []sfr.Row
	for {
		row, err := r.Read()
		if err == io.EOF {
			return r, rows
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
	}
}

func value(t *testing.T, row sfr.Row, measure string) sfr.Value {
	t.Helper()
	for _, v := range row.Values {
		if v.Measure == measure {
			return v
		}
	}
	t.Fatalf("row %d has no %s (values %+v)", row.Line, measure, row.Values)
	return sfr.Value{}
}

// The 2010 layout: GOR rows by name (their letters changed in 2011), LA
// rows with only a 3-digit code, names with trailing spaces, the
// population column with a hyphen, sums of two columns.
func TestLayout2010(t *testing.T) {
	csv := "geog_l,geog_c,geog_n,MarTotal_2010,Mid2009Pop0-17,CeasedAdoptUnop_2010,CeasedAdoptDisp_2010,CeasedSpeGuaForm_2010,CeasedSpecGuaOth_2010\n" +
		"National,921,England,64400,11012300,1700,1500,840,420\n" +
		"GOR,D,Yorkshire and The Humber ,7050,1107100,x,20,..,5\n" +
		"LA,383,Leeds,1417,166000,30,#VALUE!,7,8\n"
	r, rows := readAll(t, "any/place/SFR27_2010_March.csv", csv)
	if r.Year() != 2010 || r.YearSource() != "the file name" {
		t.Errorf("year %d from %q", r.Year(), r.YearSource())
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	if g := rows[0].Geo; g.Level != sfr.National {
		t.Errorf("national row: %+v", g)
	}
	if g := rows[1].Geo; g.Level != sfr.Regional || g.RegionCode != "E12000003" || g.RegionName != "Yorkshire and The Humber" {
		t.Errorf("GOR D must be Yorkshire and The Humber, E12000003: %+v", g)
	}
	if g := rows[2].Geo; g.Level != sfr.LocalAuthority || g.OldLACode != "383" || g.NewLACode != "" || g.LAName != "Leeds" {
		t.Errorf("LA row: %+v", g)
	}
	if v := value(t, rows[2], "cla_31march"); v.Value != ees.Num(1417) {
		t.Errorf("cla_31march = %v", v.Value)
	}
	if rows[2].Population != ees.Num(166000) || rows[2].PopulationMidYear != 2009 {
		t.Errorf("population %v mid-%d", rows[2].Population, rows[2].PopulationMidYear)
	}
	// 1700 + 1500 = 3200; 840 + 420 = 1260.
	if v := value(t, rows[0], "adoptions"); v.Value != ees.Num(3200) || v.Note != sfr.AdoptionSumNote {
		t.Errorf("England adoptions = %v (%q), want 1700 + 1500 = 3200", v.Value, v.Note)
	}
	if v := value(t, rows[0], "sgo"); v.Value != ees.Num(1260) {
		t.Errorf("England SGOs = %v, want 840 + 420 = 1260", v.Value)
	}
	// A suppressed part makes the sum missing, never the other part.
	for _, c := range []struct {
		row     int
		measure string
		want    ees.Symbol
	}{{1, "adoptions", ees.NotAvailable}, {1, "sgo", sfr.NotAvailableDots}, {2, "adoptions", sfr.SpreadsheetError}} {
		v := value(t, rows[c.row], c.measure)
		if v.Value.OK() || v.Value.Symbol != c.want {
			t.Errorf("row %d %s = %v, want missing (%s)", c.row, c.measure, v.Value, c.want)
		}
	}
	if v := value(t, rows[2], "sgo"); v.Value != ees.Num(15) {
		t.Errorf("Leeds SGOs = %v, want 7 + 8", v.Value)
	}
}

// The 2011-2016 layout: New_geog_code, NATIONAL/REGION/LA, Inner and
// Outer London filed under London's code, a header with a trailing space
// and a hyphen, empty trailing columns; and the adoptions table, whose
// CLA_ceaAdop is a published total.
func TestLayout2011To2016(t *testing.T) {
	cea := "New_geog_code,geog_l,geog_c,geog_n,CLA_cease,CLA_ceaAdop,CLA_ceaAdop2,CLA-ceaDied,CLA_ceaSpecG,CLA_ceaSpecG2,CLA_NetGain ,,\n" +
		"E12000007,REGION,G,LONDON,2000,250,140,0,60,30,-5,,\n" +
		"E12000007,REGION,H,INNER LONDON,900,100,x,0,20,10,1,,\n" +
		"E08000035,LA,383,Leeds,389,40,31,0,12,9,3,,\n"
	_, rows := readAll(t, filepath.Join("data", "2011", "SFR21_CEA.csv"), cea)
	if g := rows[0].Geo; g.RegionCode != "E12000007" || g.RegionName != "London" {
		t.Errorf("London: %+v", g)
	}
	if g := rows[1].Geo; g.RegionCode != "E13000001" || g.RegionName != "Inner London" {
		t.Errorf("Inner London must not take London's code: %+v", g)
	}
	if g := rows[2].Geo; g.NewLACode != "E08000035" || g.OldLACode != "383" {
		t.Errorf("Leeds: %+v", g)
	}
	if v := value(t, rows[2], "adoptions"); v.Value != ees.Num(71) || v.Priority != 1 {
		t.Errorf("Leeds adoptions = %v (priority %d), want 40 + 31 = 71 as a sum", v.Value, v.Priority)
	}
	if v := value(t, rows[1], "adoptions"); v.Value.OK() {
		t.Errorf("Inner London adoptions = %v, want missing (a part is x)", v.Value)
	}
	if v := value(t, rows[2], "cla_ceased"); v.Value != ees.Num(389) {
		t.Errorf("cla_ceased = %v", v.Value)
	}
	adp := "New_geog_code,geog_l,geog_c,geog_n,CLA_cease,CLA_ceaAdop\n" +
		"E08000035,LA,383,Leeds,389,72\n"
	_, rows = readAll(t, filepath.Join("data", "2014", "SFR36_ADP2014.csv"), adp)
	if v := value(t, rows[0], "adoptions"); v.Value != ees.Num(72) || v.Priority != 0 || v.Note != sfr.AdoptionTotal {
		t.Errorf("ADP adoptions = %+v, want the published total 72 at priority 0", v)
	}
}

// The 2017 layout: LA_order first; the Isles of Scilly row with a blank
// geog_l is read from its ONS code.
func TestLayout2017(t *testing.T) {
	csv := "LA_order,New_geog_code,geog_l,geog_c,geog_n,CLA_started2017,SCLA_U1,CLA_U1\n" +
		"1,E92000001,NATIONAL,999,ENGLAND,32810,5980,3820\n" +
		"165,E06000053,,420,Isles of Scilly,0,0,0\n"
	r, rows := readAll(t, "SFR50_ADM2017.csv", csv)
	if r.Year() != 2017 {
		t.Errorf("year %d", r.Year())
	}
	if g := rows[1].Geo; g.Level != sfr.LocalAuthority || g.NewLACode != "E06000053" || g.OldLACode != "420" {
		t.Errorf("Isles of Scilly: %+v", g)
	}
	// SCLA_U1 (started aged under 1), not CLA_U1 (looked after aged under 1).
	if v := value(t, rows[0], "under1_starts"); v.Value != ees.Num(5980) || v.Columns[0] != "SCLA_U1" {
		t.Errorf("under1_starts = %+v", v)
	}
	if v := value(t, rows[0], "cla_starts"); v.Value != ees.Num(32810) {
		t.Errorf("cla_starts = %v", v.Value)
	}
}

func TestYear(t *testing.T) {
	head := "New_geog_code,geog_l,geog_c,geog_n,CLA_started2014,SCLA_U1\nE92000001,NATIONAL,999,ENGLAND,1,1\n"
	// DfE's 2015 starts table labels its columns 2014: the name wins, and
	// the disagreement is noted.
	r, _ := readAll(t, filepath.Join("x", "2015", "SFR34_ADM2015.csv"), head)
	if r.Year() != 2015 || !strings.Contains(r.YearNote(), "2014") {
		t.Errorf("year %d, note %q", r.Year(), r.YearNote())
	}
	// A folder named after the year (or ending with it) gives it.
	cea := "New_geog_code,geog_l,geog_c,geog_n,CLA_cease\nE92000001,NATIONAL,999,ENGLAND,1\n"
	for dir, want := range map[string]int{"2011": 2011, "sfr-2012": 2012} {
		r, _ = readAll(t, filepath.Join("data", dir, "SFR21_CEA.csv"), cea)
		if r.Year() != want || r.YearSource() != "the folder name" {
			t.Errorf("%s: year %d from %q, want %d", dir, r.Year(), r.YearSource(), want)
		}
	}
	// Column names alone.
	r, _ = readAll(t, "CLA.csv", "New_geog_code,geog_l,geog_c,geog_n,CLA_Mar2013\nE92000001,NATIONAL,999,ENGLAND,1\n")
	if r.Year() != 2013 || r.YearSource() != "the column names" {
		t.Errorf("year %d from %q", r.Year(), r.YearSource())
	}
	// Nowhere: an error saying what to do.
	_, err := sfr.NewReader(strings.NewReader(cea), filepath.Join("downloads", "SFR21_CEA.csv"))
	var ye *sfr.YearError
	if !errors.As(err, &ye) || !strings.Contains(err.Error(), "folder named after the year") {
		t.Errorf("err = %v, want a *YearError with advice", err)
	}
}

func TestNotSFR(t *testing.T) {
	for name, text := range map[string]string{
		"ees":   "time_period,time_identifier,geographic_level,country_code,country_name,Section47\n2021,Reporting year,National,E92000001,England,1\n",
		"empty": "",
		"other": "geog_l,geog_c,geog_n,Something_else\nNational,921,England,1\n",
	} {
		_, err := sfr.NewReader(strings.NewReader(text), name+".csv")
		var ns *sfr.NotSFRError
		if !errors.As(err, &ns) {
			t.Errorf("%s: err = %v, want *NotSFRError", name, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		name, text string
		line, col  int
		field      string
	}{
		{"bad cell", "geog_l,geog_c,geog_n,CLA_Mar2013\nLA,383,Leeds,1 2 3\n", 2, 14, "CLA_Mar2013"},
		{"bad level", "geog_l,geog_c,geog_n,CLA_Mar2013\nNational,921,England,5\nWard,383,Leeds,1\n", 3, 1, "geog_l"},
		{"bad LA code", "geog_l,geog_c,geog_n,CLA_Mar2013\nLA,38,Leeds,1\n", 2, 4, "geog_c"},
		{"unknown region", "geog_l,geog_c,geog_n,CLA_Mar2013\nGOR,Z,Atlantis,1\n", 2, 7, "geog_n"},
	} {
		r, err := sfr.NewReader(strings.NewReader(c.text), "f.csv")
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for err == nil {
			_, err = r.Read()
		}
		var pe *sfr.ParseError
		if !errors.As(err, &pe) || pe.File != "f.csv" || pe.Line != c.line || pe.Column != c.col || pe.Field != c.field {
			t.Errorf("%s: err = %#v, want f.csv:%d:%d column %s", c.name, err, c.line, c.col, c.field)
		}
	}
}

func TestParseValue(t *testing.T) {
	for text, want := range map[string]ees.Value{
		"12": ees.Num(12), " 7 ": ees.Num(7), "x": ees.Missing(ees.NotAvailable), "..": ees.Missing(sfr.NotAvailableDots),
		"#VALUE!": ees.Missing(sfr.SpreadsheetError), "": ees.Missing(ees.Blank), "0": ees.Num(0),
	} {
		if got, ok := sfr.ParseValue(text); !ok || got != want {
			t.Errorf("ParseValue(%q) = %v, %v; want %v", text, got, ok, want)
		}
	}
	if _, ok := sfr.ParseValue("twelve"); ok {
		t.Error("ParseValue accepted text")
	}
}

func TestSymbolsDescribed(t *testing.T) {
	for _, s := range []ees.Symbol{sfr.NotAvailableDots, sfr.SpreadsheetError} {
		if d := s.Describe(); !strings.HasPrefix(d, "not available") {
			t.Errorf("%s: %q", s, d)
		}
	}
}
