package la

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/iostreams"
)

const eesHead = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,Section47,ICPC\n"

// fixture is a data directory with a handful of authorities as DfE files
// name them (Northamptonshire until 2021, its successors from 2022) and
// both neighbour layouts.
func fixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	rows := []string{
		"2021,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,928,E10000021,Northamptonshire,100,10",
		"2022,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,940,E06000061,North Northamptonshire,60,6",
		"2022,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,941,E06000062,West Northamptonshire,50,5",
		"2022,Reporting year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,383,E08000035,Leeds,300,30",
		"2022,Reporting year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,810,E06000010,\"Kingston upon Hull, City of\",90,9",
		"2022,Reporting year,Local authority,E92000001,England,E12000002,North West,342,E08000013,St. Helens,70,7",
		"2022,Reporting year,Local authority,E92000001,England,E12000002,North West,943,E06000064,Westmorland and Furness,c,c",
		"2022,Reporting year,National,E92000001,England,,,,,,1000,100",
	}
	files := map[string]string{
		"cin/s47.csv": eesHead + strings.Join(rows, "\n") + "\n",
		"ref/sn_model_2025_wide.csv": "old_la_code,la_name,region_ind,region_name,SN_1,SN_1P,SN_2,SN_2P,SN_3,SN_3P\n" +
			"383,Leeds,9,Yorkshire and The Humber,810,Very close,342,Close ,999,Not close\n",
		"ref/New_Statistical_Neighbour_Groupings_April_2021.csv": "LA num,LA Name,LA number,GOInd,GOReg,SN1,SNP,SN2,SNP,\n" +
			"383,Leeds,383,9,Yorkshire and the Humber,342,Close,810,Close,\n,Old SNs:,,,,,,,,\n" +
			"928,Northamptonshire,928,1,East Midlands,383,Very Close,342,Somewhat close,\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func factory(dir, format string) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	ios, _, out, errOut := iostreams.Test()
	return &cmdutil.Factory{IOStreams: ios, DataDir: dir, Format: format}, out, errOut
}

func searchJSON(t *testing.T, dir, q string) []map[string]any {
	t.Helper()
	f, out, _ := factory(dir, "json")
	if err := searchRun(&SearchOptions{Factory: f, Query: q, Limit: 10}); err != nil {
		t.Fatal(err)
	}
	var d struct {
		Matches []map[string]any `json:"matches"`
	}
	if err := json.Unmarshal(out.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	return d.Matches
}

func TestSearchCommand(t *testing.T) {
	dir := fixture(t)
	cases := []struct {
		q, name, kind, code, old, exists, succ string
	}{
		{"hull", "Kingston upon Hull, City of", "authority", "E06000010", "810", "yes", ""},
		{"St. Helens", "St. Helens", "authority", "E08000013", "342", "yes", ""},
		{"st helens", "St. Helens", "authority", "E08000013", "342", "yes", ""},
		{"barrow", "Barrow-in-Furness", "former district", "E07000027", "", "no", "Westmorland and Furness (E06000064, 943)"},
		{"northamptonshire", "Northamptonshire", "former authority", "E10000021", "928", "no",
			"North Northamptonshire (E06000061, 940); West Northamptonshire (E06000062, 941)"},
		{"kettering", "Kettering", "former district", "E07000153", "", "no", "North Northamptonshire (E06000061, 940)"},
	}
	for _, c := range cases {
		ms := searchJSON(t, dir, c.q)
		if len(ms) == 0 {
			t.Errorf("%q: nothing", c.q)
			continue
		}
		m := ms[0]
		got := []any{m["la_name"], m["kind"], m["new_la_code"], m["old_la_code"], m["exists"], m["successors"]}
		want := []any{c.name, c.kind, c.code, nilIfEmpty(c.old), c.exists, nilIfEmpty(c.succ)}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%q: first match %v, want %v", c.q, got, want)
				break
			}
		}
	}
	// Former district: region is its successor's.
	if m := searchJSON(t, dir, "barrow")[0]; m["region_name"] != "North West" {
		t.Errorf("barrow region %v", m["region_name"])
	}

	for _, format := range []string{"table", "csv", "markdown"} {
		f, out, errOut := factory(dir, format)
		if err := searchRun(&SearchOptions{Factory: f, Query: "northamptonshire", Limit: 10}); err != nil {
			t.Fatal(err)
		}
		s := out.String()
		switch format {
		case "csv":
			recs, err := csv.NewReader(strings.NewReader(s)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(recs[0], ",") != "la_name,kind,new_la_code,old_la_code,region_name,exists,successors,matched_on" || len(recs) < 4 {
				t.Errorf("csv %v", recs)
			}
			if !strings.Contains(errOut.String(), "note: Northamptonshire ended on 2021-04-01") {
				t.Errorf("csv notes %q", errOut.String())
			}
		case "table":
			if !strings.Contains(s, "Local authorities matching \"northamptonshire\"") || !strings.Contains(s, "former authority") || !strings.Contains(s, "Note: Northamptonshire ended on 2021-04-01") {
				t.Errorf("table:\n%s", s)
			}
		case "markdown":
			if !strings.Contains(s, "| la_name | kind | new_la_code |") || !strings.Contains(s, "| Northamptonshire | former authority | E10000021 | 928 |") {
				t.Errorf("markdown:\n%s", s)
			}
		}
	}
	f, out, _ := factory(dir, "table")
	if err := searchRun(&SearchOptions{Factory: f, Query: "qqqqqqq", Limit: 10}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "nothing matches") {
		t.Errorf("no-match note:\n%s", out)
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

type showDoc struct {
	Authority  []map[string]any `json:"authority"`
	Neighbours []map[string]any `json:"neighbours"`
	Notes      []string         `json:"notes"`
}

func show(t *testing.T, dir, q string) showDoc {
	t.Helper()
	f, out, _ := factory(dir, "json")
	if err := showRun(&ShowOptions{Factory: f, Query: q}); err != nil {
		t.Fatal(err)
	}
	var d showDoc
	if err := json.Unmarshal(out.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func field(d showDoc, name string) any {
	for _, r := range d.Authority {
		if r["field"] == name {
			return r["value"]
		}
	}
	return nil
}

func TestShowCommand(t *testing.T) {
	dir := fixture(t)
	d := show(t, dir, "leeds")
	if field(d, "new_la_code") != "E08000035" || field(d, "old_la_code") != "383" || field(d, "exists") != "yes" || field(d, "years_with_figures") != "2022" {
		t.Errorf("Leeds identity %v", d.Authority)
	}
	var codes []string
	for _, n := range d.Neighbours {
		codes = append(codes, n["old_la_code"].(string))
	}
	// The 2025 file wins over the 2021 one.
	if strings.Join(codes, ",") != "810,342,999" {
		t.Errorf("Leeds neighbours %v", codes)
	}
	if d.Neighbours[0]["la_name"] != "Kingston upon Hull, City of" || d.Neighbours[1]["closeness"] != "Close" || d.Neighbours[2]["la_name"] != "unknown authority 999" {
		t.Errorf("neighbour rows %v", d.Neighbours)
	}
	notes := strings.Join(d.Notes, "\n")
	if !strings.Contains(notes, "sn_model_2025_wide.csv") || !strings.Contains(notes, "999 are not in the data") {
		t.Errorf("notes %s", notes)
	}

	// A former authority: the 2025 file has no row, so the 2021 "Old SNs".
	d = show(t, dir, "928")
	if field(d, "exists") != "no" || !strings.Contains(field(d, "successors").(string), "North Northamptonshire (E06000061, 940)") {
		t.Errorf("928 identity %v", d.Authority)
	}
	if len(d.Neighbours) != 2 || d.Neighbours[0]["old_la_code"] != "383" || d.Neighbours[1]["closeness"] != "Somewhat close" {
		t.Errorf("928 neighbours %v", d.Neighbours)
	}
	notes = strings.Join(d.Notes, "\n")
	if !strings.Contains(notes, "Old SNs") || !strings.Contains(notes, "older groupings") {
		t.Errorf("928 notes %s", notes)
	}

	// A former district resolves to today's authority, with a note.
	d = show(t, dir, "Barrow-in-Furness")
	if field(d, "la_name") != "Westmorland and Furness" || !strings.Contains(field(d, "former_names").(string), "Barrow-in-Furness (former district E07000027") {
		t.Errorf("Barrow %v", d.Authority)
	}
	if field(d, "years_with_figures") != nil {
		t.Errorf("only suppressed counts, yet years_with_figures = %v", field(d, "years_with_figures"))
	}
	notes = strings.Join(d.Notes, "\n")
	if !strings.Contains(notes, `"Barrow-in-Furness" is Barrow-in-Furness (former district`) || !strings.Contains(notes, "has no row in the statistical neighbour files") {
		t.Errorf("Barrow notes %s", notes)
	}

	// CSV carries the neighbours; table and markdown both sections.
	f, out, _ := factory(dir, "csv")
	if err := showRun(&ShowOptions{Factory: f, Query: "Leeds"}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "rank,old_la_code,new_la_code,la_name,region_name,closeness,exists\n1,810,E06000010,") {
		t.Errorf("csv:\n%s", out)
	}
	for _, format := range []string{"table", "markdown"} {
		f, out, _ := factory(dir, format)
		if err := showRun(&ShowOptions{Factory: f, Query: "Leeds"}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "Leeds (E08000035, 383)") || !strings.Contains(out.String(), "Statistical neighbours") || !strings.Contains(out.String(), "Kingston upon Hull, City of") {
			t.Errorf("%s:\n%s", format, out)
		}
	}

	f, _, _ = factory(dir, "table")
	err := showRun(&ShowOptions{Factory: f, Query: "Barow"})
	if err == nil || !strings.Contains(err.Error(), "did you mean: Barrow-in-Furness (former district)") {
		t.Errorf("misspelling: %v", err)
	}
}

func TestCommandWiring(t *testing.T) {
	var s *SearchOptions
	cmd := NewCmdLA(&cmdutil.Factory{})
	for _, c := range cmd.Commands() {
		if c.Name() == "search" {
			cmd.RemoveCommand(c)
		}
	}
	cmd.AddCommand(NewCmdSearch(&cmdutil.Factory{}, func(o *SearchOptions) error { s = o; return nil }))
	cmd.SetArgs([]string{"search", "St.", "Helens", "--limit", "3"})
	cmd.SetOut(io.Discard)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if s.Query != "St. Helens" || s.Limit != 3 {
		t.Errorf("%+v", s)
	}
	var sh *ShowOptions
	show := NewCmdShow(&cmdutil.Factory{}, func(o *ShowOptions) error { sh = o; return nil })
	show.SetArgs([]string{"Leeds"})
	show.SetOut(io.Discard)
	if err := show.Execute(); err != nil || sh.Query != "Leeds" {
		t.Errorf("%v %+v", err, sh)
	}
}

// TestShowLeedsRealData checks `la show Leeds` on the real files against
// Leeds's row in sn_model_2025_wide.csv, read here with encoding/csv.
func TestShowLeedsRealData(t *testing.T) {
	dir, _ := filepath.Abs(filepath.Join("..", "..", "..", "..", "shared", "ees"))
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real DfE files not found at %s (they sit beside the repository as ../shared/ees); skipping", dir)
	}
	f, err := os.Open(filepath.Join(dir, "reference", "sn_model_2025_wide.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range recs[1:] {
		if r[0] == "383" {
			for k := 4; k < len(r); k += 2 {
				want = append(want, r[k]+"|"+strings.TrimSpace(r[k+1]))
			}
		}
	}
	d := show(t, dir, "Leeds")
	var got []string
	for _, n := range d.Neighbours {
		got = append(got, n["old_la_code"].(string)+"|"+n["closeness"].(string))
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}
