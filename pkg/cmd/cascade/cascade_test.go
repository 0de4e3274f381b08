package cascade

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/iostreams"
)

const eesHead = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name"

// fixture writes referrals, s47/ICPC and plan-start files for Leeds and
// England in 2022 and 2023. Leeds 2023 has more ICPCs than s47 enquiries
// (impossible) and more plan starts than ICPCs (possible but odd); no CLA
// files, so the care steps are empty.
func fixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	type counts struct{ ref, s47, icpc, cpp string }
	data := map[int][2]counts{ // Leeds, England
		2022: {{"1000", "200", "80", "70"}, {"500000", "200000", "70000", "60000"}},
		2023: {{"1100", "100", "150", "200"}, {"520000", "210000", "72000", "62000"}},
	}
	files := map[string]*strings.Builder{"ref.csv": {}, "s47.csv": {}, "cpp.csv": {}, "pop.csv": {}}
	files["ref.csv"].WriteString(eesHead + ",referral_count\n")
	files["s47.csv"].WriteString(eesHead + ",Section47,ICPC\n")
	files["cpp.csv"].WriteString(eesHead + ",CPP_start\n")
	files["pop.csv"].WriteString(eesHead + ",age_group,population_estimate\n")
	for _, y := range []int{2022, 2023} {
		for i, geo := range []string{
			"Reporting year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,383,E08000035,Leeds",
			"Reporting year,National,E92000001,England,,,,,",
		} {
			c := data[y][i]
			pre := strconv.Itoa(y) + "," + geo + ","
			files["ref.csv"].WriteString(pre + c.ref + "\n")
			files["s47.csv"].WriteString(pre + c.s47 + "," + c.icpc + "\n")
			files["cpp.csv"].WriteString(pre + c.cpp + "\n")
			pop := []string{"10000", "12000000"}[i]
			files["pop.csv"].WriteString(strconv.Itoa(y-1) + "," + geo + ",Children aged 0 to 17 years," + pop + "\n")
		}
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func run(t *testing.T, dir, format string, o Options) (string, string, error) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	o.Factory = &cmdutil.Factory{IOStreams: ios, DataDir: dir, Format: format}
	err := cascadeRun(&o)
	return out.String(), errOut.String(), err
}

type doc struct {
	Title   string           `json:"title"`
	Cascade []map[string]any `json:"cascade"`
	Notes   []string         `json:"notes"`
}

func runJSON(t *testing.T, dir string, o Options) doc {
	t.Helper()
	out, _, err := run(t, dir, "json", o)
	if err != nil {
		t.Fatal(err)
	}
	var d doc
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func find(d doc, year int, step string) map[string]any {
	for _, r := range d.Cascade {
		if r["time_period"] == float64(year) && r["step"] == step {
			return r
		}
	}
	return nil
}

func TestCascadeRatiosAndFlags(t *testing.T) {
	d := runJSON(t, fixture(t), Options{Name: "Leeds"})
	if len(d.Cascade) != 2*len(Steps) {
		t.Fatalf("%d rows, want %d", len(d.Cascade), 2*len(Steps))
	}
	cases := []struct {
		year       int
		step       string
		per, rate  float64 // NaN: empty
		ofStep     string
		check      string
		englandPer float64
	}{
		{2022, "referrals", math.NaN(), 1000, "", "", math.NaN()},
		{2022, "s47", 20, 200, "referrals", "", 40},
		{2022, "icpc", 40, 80, "s47", "", 35},
		{2022, "cpp_starts", 87.5, 70, "icpc", "", 60000.0 / 70000 * 100},
		{2023, "icpc", 150, 150, "s47", "data problem: over 100", 72000.0 / 210000 * 100},
		{2023, "cpp_starts", 200.0 / 150 * 100, 200, "icpc", "check: over 100", 62000.0 / 72000 * 100},
		{2023, "cla_starts", math.NaN(), math.NaN(), "cpp_starts", "", math.NaN()},
		{2023, "under1_starts", math.NaN(), math.NaN(), "cla_starts", "", math.NaN()},
	}
	for _, c := range cases {
		r := find(d, c.year, c.step)
		if r == nil {
			t.Errorf("no row %d %s", c.year, c.step)
			continue
		}
		check := func(field string, want float64) {
			got, ok := r[field].(float64)
			if math.IsNaN(want) {
				if r[field] != nil {
					t.Errorf("%d %s %s = %v, want empty", c.year, c.step, field, r[field])
				}
				return
			}
			if !ok || math.Abs(got-want) > 1e-9 {
				t.Errorf("%d %s %s = %v, want %v", c.year, c.step, field, r[field], want)
			}
		}
		check("per_100", c.per)
		check("rate_per_10k", c.rate) // population 10,000: rate = count
		check("england_per_100", c.englandPer)
		if r["per_100_of"] != nilIfEmpty(c.ofStep) || r["check"] != nilIfEmpty(c.check) {
			t.Errorf("%d %s: of %v check %v; want %q %q", c.year, c.step, r["per_100_of"], r["check"], c.ofStep, c.check)
		}
		if c.step == "cla_starts" && r["count"] != nil {
			t.Errorf("a step without data must be empty, not %v", r["count"])
		}
	}
	notes := strings.Join(d.Notes, "\n")
	for _, want := range []string{
		"2 ratio(s) over 100 flagged",
		"Leeds 2023: ICPCs per 100 s47 enquiries = 150.0 (data problem: 150 icpc, 100 s47)",
		"Leeds 2023: plan starts per 100 ICPCs = 133.3 (check",
		"ICPCs per 100 s47 enquiries (bounded at 100)",
		"children starting care per 100 plan starts (not bounded)",
		"cla_starts none",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func TestCascadeFormatsAndRange(t *testing.T) {
	dir := fixture(t)
	out, diag, err := run(t, dir, "csv", Options{Name: "leeds", From: "2023"})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != "la_name,time_period,step,count,rate_per_10k,per_100,per_100_of,england_rate_per_10k,england_per_100,check" {
		t.Errorf("header %v", recs[0])
	}
	if len(recs) != 1+len(Steps) || recs[1][1] != "2023" {
		t.Errorf("--from 2023 gave %d rows starting %v", len(recs)-1, recs[1])
	}
	// Missing counts are empty in CSV, never zero.
	for _, r := range recs[1:] {
		if r[2] == "adoptions" && (r[3] != "" || r[4] != "" || r[5] != "") {
			t.Errorf("adoptions row %v", r)
		}
	}
	if !strings.Contains(diag, "note: Steps: referrals") {
		t.Errorf("notes not on stderr: %q", diag)
	}
	out, _, err = run(t, dir, "table", Options{Name: "Leeds"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Child protection cascade: Leeds (E08000035) and England, 2022-2023", "data problem: over 100", "check: over 100", "Note: ICPCs per 100 s47"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	out, _, err = run(t, dir, "markdown", Options{Name: "Leeds"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "### Child protection cascade") || !strings.Contains(out, "| la_name | time_period | step |") {
		t.Errorf("markdown:\n%s", out)
	}
	_, _, err = run(t, dir, "table", Options{Name: "Leeds", From: "2030"})
	if err == nil || !strings.Contains(err.Error(), "years available: 2022-2023") {
		t.Errorf("empty range: %v", err)
	}
	_, _, err = run(t, dir, "table", Options{Name: "Leeds", From: "2024", To: "2022"})
	if !cmdutil.IsFlagError(err) {
		t.Errorf("reversed range: %v", err)
	}
}

func TestNewCmdCascade(t *testing.T) {
	var got *Options
	cmd := NewCmdCascade(&cmdutil.Factory{}, func(o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"St.", "Helens", "--from", "2015", "--to", "2020"})
	cmd.SetOut(io.Discard)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Name != "St. Helens" || got.From != "2015" || got.To != "2020" {
		t.Errorf("%+v", got)
	}
}

// TestCascadeRealData checks flagged and plain ratios against the raw
// rows of the real c4 file, read here with encoding/csv: Oldham 2013 has
// 817 ICPCs for 444 s47 enquiries, which must be flagged as a data problem.
func TestCascadeRealData(t *testing.T) {
	dir, _ := filepath.Abs(filepath.Join("..", "..", "..", "..", "shared", "ees"))
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real DfE files not found at %s (they sit beside the repository as ../shared/ees); skipping", dir)
	}
	f, err := os.Open(filepath.Join(dir, "cin", "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	head, _ := cr.Read()
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	raw := map[string][2]float64{} // "383 2021" -> s47, icpc
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec[col["geographic_level"]] != "Local authority" {
			continue
		}
		s, e1 := strconv.ParseFloat(rec[col["Section47"]], 64)
		i, e2 := strconv.ParseFloat(rec[col["ICPC"]], 64)
		if e1 == nil && e2 == nil {
			raw[rec[col["old_la_code"]]+" "+rec[col["time_period"]]] = [2]float64{s, i}
		}
	}
	for _, c := range []struct {
		name, old string
		year      int
		flagged   bool
	}{{"Oldham", "353", 2013, true}, {"Leeds", "383", 2021, false}, {"Liverpool", "341", 2013, true}} {
		d := runJSON(t, dir, Options{Name: c.name, From: strconv.Itoa(c.year), To: strconv.Itoa(c.year)})
		r := find(d, c.year, "icpc")
		want := raw[c.old+" "+strconv.Itoa(c.year)]
		if r == nil || want[0] == 0 {
			t.Fatalf("%s %d: row %v raw %v", c.name, c.year, r, want)
		}
		if got := r["per_100"].(float64); math.Abs(got-want[1]/want[0]*100) > 1e-9 {
			t.Errorf("%s %d ICPCs per 100 s47 = %v, raw %v/%v", c.name, c.year, got, want[1], want[0])
		}
		if (r["check"] == "data problem: over 100") != c.flagged {
			t.Errorf("%s %d check %v, flagged want %v", c.name, c.year, r["check"], c.flagged)
		}
	}
}
