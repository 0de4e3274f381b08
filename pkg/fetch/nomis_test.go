package fetch_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/fetch"
	"github.com/cscstats/cscstats/pkg/fetch/eestest"
)

// nomisFixture writes a small Nomis-shaped CSV of NM_2002_1 single years of age.
//
// NOTE: the column names (DATE_NAME, GEOGRAPHY_CODE, GEOGRAPHY_NAME, C_AGE,
// C_AGE_NAME, OBS_VALUE), the C_AGE codes (101 = "Aged under 1" ... 118 =
// "Aged 17") and the name forms are taken from Nomis's API documentation and
// published examples, not from a live response. They must be verified against
// the live service before the population fetch is relied on.
//
// Areas: two London boroughs (Inner and Outer London), Hartlepool, an English
// unitary missing from the lookup, a Welsh area and a region row (both to be
// ignored). Hartlepool 2023 lacks age 17 (incomplete, left out). Values:
// base + age, so sums are easy to check.
func nomisFixture() (string, map[string]int64) {
	type area struct {
		code, name string
		base       int64
	}
	areas := []area{
		{"E09000001", "City of London", 10},
		{"E09000002", "Barking and Dagenham", 3000},
		{"E06000001", "Hartlepool", 1000},
		{"E06000099", "Newtown", 500},
		{"W06000001", "Isle of Anglesey", 700},
		{"E12000001", "North East", 90000},
	}
	var b strings.Builder
	b.WriteString("DATE_NAME,GEOGRAPHY_CODE,GEOGRAPHY_NAME,C_AGE,C_AGE_NAME,OBS_VALUE\n")
	sums := map[string]int64{} // "year code" -> 0-17 total
	for _, year := range []int{2023, 2024} {
		for _, a := range areas {
			for age := 0; age <= 17; age++ {
				if year == 2023 && a.code == "E06000001" && age == 17 {
					continue
				}
				name := "Aged " + strconv.Itoa(age)
				if age == 0 {
					name = "Aged under 1"
				}
				v := a.base + int64(age) + int64(year-2023)*5
				fmt.Fprintf(&b, "%d,%s,\"%s\",%d,%s,%d\n", year, a.code, a.name, 101+age, name, v)
				sums[fmt.Sprintf("%d %s", year, a.code)] += v
			}
		}
	}
	return b.String(), sums
}

// lookupFixture is a small EES-layout CSV giving DfE codes and regions.
const lookupFixture = `time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,age_group,population_estimate
2024,Reporting year,National,E92000001,England,,,,,,Children aged 0 to 17 years,1
2024,Reporting year,Local authority,E92000001,England,E13000001,Inner London,201,E09000001,City of London,Children aged 0 to 17 years,1
2024,Reporting year,Local authority,E92000001,England,E13000002,Outer London,301,E09000002,Barking and Dagenham,Children aged 0 to 17 years,1
2023,Reporting year,Local authority,E92000001,England,E12000001,North East,805,E06000001,Hartlepool (old name),Children aged 0 to 17 years,1
2024,Reporting year,Local authority,E92000001,England,E12000001,North East,805,E06000001,Hartlepool,Children aged 0 to 17 years,1
2024,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,940 / 941,E06000061 / E06000062,North Northamptonshire / West Northamptonshire,Children aged 0 to 17 years,1
`

func TestNomisQueryURL(t *testing.T) {
	u, err := fetch.NomisQuery{Dates: fetch.YearDates(2023, 2024), RecordOffset: 25000}.URL(fetch.DefaultNomisBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	want := fetch.DefaultNomisBaseURL + "/dataset/NM_2002_1.data.csv?geography=TYPE423&date=2023,2024&gender=0&c_age=101...118&measures=20100" +
		"&select=date_name,geography_code,geography_name,c_age,c_age_name,obs_value&recordoffset=25000&recordlimit=25000"
	if u != want {
		t.Fatalf("got\n%s\nwant\n%s", u, want)
	}
	if _, err := (fetch.NomisQuery{Dataset: "NM_2002_1/../x"}).URL(fetch.DefaultNomisBaseURL); err == nil {
		t.Fatal("bad dataset accepted")
	}
}

func parseCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestConvertNomisPopulation(t *testing.T) {
	fix, sums := nomisFixture()
	lk, err := fetch.LoadLALookup(strings.NewReader(lookupFixture))
	if err != nil {
		t.Fatal(err)
	}
	if lk["E06000001"].Name != "Hartlepool" || len(lk) != 3 {
		t.Fatalf("lookup %+v", lk)
	}
	var out bytes.Buffer
	rep, err := fetch.ConvertNomisPopulation(strings.NewReader(fix), &out, fetch.ConvertOptions{Lookup: lk})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rep.Years) != "[2023 2024]" || rep.LAs != 4 || fmt.Sprint(rep.Unmatched) != "[E06000099]" ||
		fmt.Sprint(rep.Incomplete) != "[2023 E06000001: 17 of 18 ages]" {
		t.Fatalf("report %+v", rep)
	}
	recs := parseCSV(t, out.Bytes())
	if strings.Join(recs[0], ",") != strings.Join(fetch.PopulationColumns, ",") {
		t.Fatalf("header %v", recs[0])
	}
	got := map[string]string{}
	for _, r := range recs[1:] {
		key := strings.Join([]string{r[0], r[2], r[5], r[8], r[10]}, "|")
		if _, dup := got[key]; dup {
			t.Fatalf("duplicate row %v", r)
		}
		got[key] = strings.Join(r, ",")
	}
	s := func(k string) int64 { return sums[k] }
	under1 := func(year int, base int64) int64 { return base + int64(year-2023)*5 }
	checks := map[string]string{
		"2024|Local authority|E13000001|E09000001|Children aged 0 to 17 years": fmt.Sprintf("2024,Reporting year,Local authority,E92000001,England,E13000001,Inner London,201,E09000001,City of London,Children aged 0 to 17 years,%d", s("2024 E09000001")),
		"2024|Local authority|E13000001|E09000001|Children aged under 1 year":  fmt.Sprintf("2024,Reporting year,Local authority,E92000001,England,E13000001,Inner London,201,E09000001,City of London,Children aged under 1 year,%d", under1(2024, 10)),
		"2024|Local authority|E12000001|E06000001|Children aged 0 to 17 years": fmt.Sprintf("2024,Reporting year,Local authority,E92000001,England,E12000001,North East,805,E06000001,Hartlepool,Children aged 0 to 17 years,%d", s("2024 E06000001")),
		"2024|Local authority||E06000099|Children aged 0 to 17 years":          fmt.Sprintf("2024,Reporting year,Local authority,E92000001,England,,,,E06000099,Newtown,Children aged 0 to 17 years,%d", s("2024 E06000099")),
		"2024|Regional|E12000007||Children aged 0 to 17 years":                 fmt.Sprintf("2024,Reporting year,Regional,E92000001,England,E12000007,London,,,,Children aged 0 to 17 years,%d", s("2024 E09000001")+s("2024 E09000002")),
		"2024|Regional|E13000002||Children aged under 1 year":                  fmt.Sprintf("2024,Reporting year,Regional,E92000001,England,E13000002,Outer London,,,,Children aged under 1 year,%d", under1(2024, 3000)),
		"2024|National|||Children aged 0 to 17 years":                          fmt.Sprintf("2024,Reporting year,National,E92000001,England,,,,,,Children aged 0 to 17 years,%d", s("2024 E09000001")+s("2024 E09000002")+s("2024 E06000001")+s("2024 E06000099")),
		// Hartlepool 2023 is incomplete: not in the LA rows nor in the sums.
		"2023|National|||Children aged 0 to 17 years": fmt.Sprintf("2023,Reporting year,National,E92000001,England,,,,,,Children aged 0 to 17 years,%d", s("2023 E09000001")+s("2023 E09000002")+s("2023 E06000099")),
	}
	for k, want := range checks {
		if got[k] != want {
			t.Errorf("%s:\n got  %s\n want %s", k, got[k], want)
		}
	}
	for k := range got {
		if strings.Contains(k, "W06") || strings.Contains(k, "2023|Local authority|E12000001|E06000001") || strings.Contains(k, "2023|Regional|E12000001") {
			t.Errorf("unexpected row %s", k)
		}
	}
	// Newest year first, National before Regional before Local authority.
	if recs[1][0] != "2024" || recs[1][2] != "National" || recs[3][2] != "Regional" || recs[len(recs)-1][0] != "2023" {
		t.Errorf("order: %v ... %v", recs[1], recs[len(recs)-1])
	}
}

func TestFetchPopulationPaged(t *testing.T) {
	fix, sums := nomisFixture()
	srv := eestest.NewServer(t, eestest.Config{NomisCSV: []byte(fix), NomisMaxRecords: 100})
	c, _ := newClient(t, srv, nil)
	lk, _ := fetch.LoadLALookup(strings.NewReader(lookupFixture))
	data := t.TempDir()
	res, err := c.FetchPopulation(ctx(t), fetch.PopulationRequest{Dir: data, Years: []int{2023, 2024}, Lookup: lk,
		Query: fetch.NomisQuery{RecordLimit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	// 6 areas x 18 ages x 2 years - 1 = 215 rows: pages of 100, 100, 15.
	qs := srv.NomisQueries()
	if len(qs) != 3 || !strings.Contains(qs[1], "recordoffset=100") || !strings.Contains(qs[2], "recordoffset=200") || !strings.Contains(qs[0], "c_age=101...118") {
		t.Fatalf("queries %v", qs)
	}
	p := filepath.Join(data, fetch.PopulationPublication, fetch.PopulationRelease, fetch.PopulationFileName)
	recs := parseCSV(t, readFile(t, p))
	found := false
	for _, r := range recs {
		if r[0] == "2024" && r[8] == "E09000002" && r[10] == fetch.AgeGroup0to17 {
			found = r[11] == strconv.FormatInt(sums["2024 E09000002"], 10) && r[7] == "301"
		}
	}
	if !found {
		t.Fatal("Barking and Dagenham 2024 row missing or wrong")
	}
	m, _ := fetch.LoadManifest(data)
	e := m.Get(fetch.PopulationPublication + "/" + fetch.PopulationRelease + "/" + fetch.PopulationFileName)
	if e == nil || e.Source != fetch.SourceNomis || !strings.HasPrefix(e.SourceURL, srv.NomisURL+"/dataset/NM_2002_1.data.csv?") || e.SHA256 != sha(readFile(t, p)) {
		t.Fatalf("manifest %+v", e)
	}
	if res.Report.Rows != len(recs)-1 {
		t.Errorf("report rows %d, file rows %d", res.Report.Rows, len(recs)-1)
	}
}

// The converter's header must match DfE's own population file, and that file
// works as the lookup (Inner/Outer London regions, 3-digit codes).
func TestPopulationLayoutMatchesRealFile(t *testing.T) {
	shared := eestest.RequireSharedEES(t)
	real := filepath.Join(shared, "population", "ons_mid-year_population_estimates_2012_to_2024.csv")
	f, err := os.Open(real)
	if err != nil {
		t.Skipf("population file not found: %v", err)
	}
	head, err := csv.NewReader(f).Read()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	head[0] = strings.TrimPrefix(head[0], "\ufeff")
	if strings.Join(head, ",") != strings.Join(fetch.PopulationColumns, ",") {
		t.Fatalf("real header %v differs from PopulationColumns", head)
	}
	lk, err := fetch.LoadLALookupFile(real)
	if err != nil {
		t.Fatal(err)
	}
	if c := lk["E09000001"]; c.OldCode != "201" || c.RegionCode != "E13000001" {
		t.Errorf("City of London %+v", c)
	}
	if c := lk["E06000063"]; c.OldCode != "942" || c.Name != "Cumberland" {
		t.Errorf("Cumberland %+v", c)
	}
	if len(lk) < 150 {
		t.Errorf("only %d LAs", len(lk))
	}
}
