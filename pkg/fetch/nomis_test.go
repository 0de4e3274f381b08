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
	"time"

	"github.com/cscstats/cscstats/pkg/fetch"
	"github.com/cscstats/cscstats/pkg/fetch/eestest"
)

// nomisRow is one area-year of a Nomis-shaped fixture: value of age a is
// base + a, so every total is worked out by hand below.
type nomisRow struct {
	code, name string
	year       int
	base       int64
	skipAge    int // an age left out (incomplete), or -1
}

// sum018 is the 0-17 total of base + age: 18*base + (0+1+...+17) = 18*base + 153.
func sum018(base int64) int64 { return 18*base + 153 }

// sum04 is the under-5 total: 5*base + (0+1+2+3+4) = 5*base + 10.
func sum04(base int64) int64 { return 5*base + 10 }

// NOTE: the column names (DATE_NAME, GEOGRAPHY_CODE, GEOGRAPHY_NAME, C_AGE,
// C_AGE_NAME, OBS_VALUE), the C_AGE codes (101 = "Aged under 1" ... 118 =
// "Aged 17") and the name forms are taken from Nomis's API documentation and
// published examples, not from a live response (see data/sources.json).
func nomisCSV(rows []nomisRow) string {
	var b strings.Builder
	b.WriteString("DATE_NAME,GEOGRAPHY_CODE,GEOGRAPHY_NAME,C_AGE,C_AGE_NAME,OBS_VALUE\n")
	for _, r := range rows {
		for age := 0; age <= 17; age++ {
			if age == r.skipAge {
				continue
			}
			name := "Aged " + strconv.Itoa(age)
			if age == 0 {
				name = "Aged under 1"
			}
			fmt.Fprintf(&b, "%d,%s,\"%s\",%d,%s,%d\n", r.year, r.code, r.name, 101+age, name, r.base+int64(age))
		}
	}
	return b.String()
}

// Areas of the converter fixture: two London boroughs (Inner and Outer
// London in DfE's lookup), Hartlepool (2023 lacks age 17: left out), an
// English unitary missing from the lookup, a Welsh area (ignored), and
// England, North East and London as Nomis publishes them: their figures are
// not the sums of these few authorities, as in the real data.
func converterRows() []nomisRow {
	var rows []nomisRow
	for _, y := range []int{2023, 2024} {
		d := int64(y-2023) * 5
		skip := -1
		if y == 2023 {
			skip = 17
		}
		rows = append(rows,
			nomisRow{"E09000001", "City of London", y, 10 + d, -1},
			nomisRow{"E09000002", "Barking and Dagenham", y, 3000 + d, -1},
			nomisRow{"E06000001", "Hartlepool", y, 1000 + d, skip},
			nomisRow{"E06000099", "Newtown", y, 500 + d, -1},
			nomisRow{"W06000001", "Isle of Anglesey", y, 700 + d, -1},
			nomisRow{"E12000001", "North East", y, 30000 + d, -1},
		)
	}
	// England and London only for mid-2024.
	rows = append(rows,
		nomisRow{"E92000001", "England", 2024, 650000, -1},
		nomisRow{"E12000007", "London", 2024, 110000, -1},
	)
	return rows
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
	u, err = fetch.NomisQuery{Geography: fetch.NomisEnglandAndRegions, Dates: []string{fetch.LatestMinus(2009, fixedNow)}}.URL(fetch.DefaultNomisBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	// fixedNow is March 2026: the latest mid-year is at most 2025, so 16 years back reaches 2009.
	if !strings.Contains(u, "geography=2092957699,2013265921...2013265929&date=latestMINUS16-latest&") {
		t.Fatalf("totals URL %s", u)
	}
	for _, bad := range []fetch.NomisQuery{{Dataset: "NM_2002_1/../x"}, {Geography: "TYPE423&x=1"}, {Dates: []string{"2024 2025"}}} {
		if _, err := bad.URL(fetch.DefaultNomisBaseURL); err == nil {
			t.Errorf("%+v accepted", bad)
		}
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

// popRows indexes a written population file by
// "year|level|region_code|new_la_code|age_group" -> population_estimate.
func popRows(t *testing.T, b []byte) map[string]string {
	t.Helper()
	recs := parseCSV(t, b)
	if strings.Join(recs[0], ",") != strings.Join(fetch.PopulationColumns, ",") {
		t.Fatalf("header %v", recs[0])
	}
	got := map[string]string{}
	for _, r := range recs[1:] {
		key := strings.Join([]string{r[0], r[2], r[5], r[8], r[10]}, "|")
		if _, dup := got[key]; dup {
			t.Fatalf("duplicate row %v", r)
		}
		got[key] = r[11]
	}
	return got
}

func n(v int64) string { return strconv.FormatInt(v, 10) }

func TestConvertNomisPopulation(t *testing.T) {
	lk, err := fetch.LoadLALookup(strings.NewReader(lookupFixture))
	if err != nil {
		t.Fatal(err)
	}
	if lk["E06000001"].Name != "Hartlepool" || len(lk) != 3 {
		t.Fatalf("lookup %+v", lk)
	}
	var out bytes.Buffer
	rep, err := fetch.ConvertNomisPopulation(strings.NewReader(nomisCSV(converterRows())), &out, fetch.ConvertOptions{Lookup: lk})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rep.Years) != "[2023 2024]" || rep.LAs != 4 || fmt.Sprint(rep.Unmatched) != "[E06000099]" ||
		fmt.Sprint(rep.Incomplete) != "[2023 E06000001: 17 of 18 ages]" {
		t.Fatalf("report %+v", rep)
	}
	got := popRows(t, out.Bytes())
	checks := map[string]string{
		"2024|Local authority|E13000001|E09000001|Children aged 0 to 17 years": n(sum018(15)),
		"2024|Local authority|E13000001|E09000001|Children aged under 1 year":  "15",
		"2024|Local authority|E13000001|E09000001|Children aged under 5 years": n(sum04(15)),
		"2024|Local authority|E12000001|E06000001|Children aged 0 to 17 years": n(sum018(1005)),
		"2024|Local authority||E06000099|Children aged 0 to 17 years":          n(sum018(505)),
		// Published figures, not sums of the authorities above.
		"2024|National|||Children aged 0 to 17 years":          n(sum018(650000)),
		"2024|National|||Children aged under 1 year":           "650000",
		"2024|Regional|E12000007||Children aged 0 to 17 years": n(sum018(110000)),
		"2023|Regional|E12000001||Children aged under 5 years": n(sum04(30000)),
		// Inner and Outer London: DfE's sub-regions, each complete here.
		"2024|Regional|E13000002||Children aged under 1 year":  "3005",
		"2023|Regional|E13000001||Children aged 0 to 17 years": n(sum018(10)),
	}
	for k, want := range checks {
		if got[k] != want {
			t.Errorf("%s: got %q, want %s", k, got[k], want)
		}
	}
	for k := range got {
		// No England or London row for 2023 (not published): never a sum.
		if strings.HasPrefix(k, "2023|National") || strings.HasPrefix(k, "2023|Regional|E12000007") ||
			strings.Contains(k, "W06") || strings.HasPrefix(k, "2023|Local authority|E12000001|E06000001") {
			t.Errorf("unexpected row %s = %s", k, got[k])
		}
	}
	if s := strings.Join(rep.NoTotal, "; "); !strings.Contains(s, "England: mid-2023") || !strings.Contains(s, "; London: mid-2023") ||
		!strings.Contains(s, "North West: mid-2023 to mid-2024") {
		t.Errorf("NoTotal %q should name England and London mid-2023, and the North West", rep.NoTotal)
	}
	if s := strings.Join(rep.Published, "; "); !strings.Contains(s, "England: mid-2024") || !strings.Contains(s, "North East: mid-2023 to mid-2024") {
		t.Errorf("Published %q", rep.Published)
	}
	if s := strings.Join(rep.Absent, "; "); s != "E06000001 Hartlepool: mid-2023" {
		t.Errorf("Absent %q", s)
	}
	recs := parseCSV(t, out.Bytes())
	if recs[1][0] != "2024" || recs[1][2] != "National" || recs[4][2] != "Regional" || recs[len(recs)-1][0] != "2023" {
		t.Errorf("order: %v ... %v", recs[1], recs[len(recs)-1])
	}
}

// A borough missing from a year: no Inner London sum that year, and the
// report says which borough.
func TestConvertNomisPopulationNoPartialSubRegion(t *testing.T) {
	lk, _ := fetch.LoadLALookup(strings.NewReader(lookupFixture + "2024,Reporting year,Local authority,E92000001,England,E13000001,Inner London,202,E09000007,Camden,Children aged 0 to 17 years,1\n"))
	rows := []nomisRow{
		{"E09000001", "City of London", 2024, 10, -1}, {"E09000007", "Camden", 2024, 2000, -1},
		{"E09000001", "City of London", 2023, 10, -1},
	}
	var out bytes.Buffer
	rep, err := fetch.ConvertNomisPopulation(strings.NewReader(nomisCSV(rows)), &out, fetch.ConvertOptions{Lookup: lk})
	if err != nil {
		t.Fatal(err)
	}
	got := popRows(t, out.Bytes())
	if got["2024|Regional|E13000001||Children aged 0 to 17 years"] != n(sum018(10)+sum018(2000)) {
		t.Errorf("Inner London 2024 = %q", got["2024|Regional|E13000001||Children aged 0 to 17 years"])
	}
	if v, ok := got["2023|Regional|E13000001||Children aged 0 to 17 years"]; ok {
		t.Errorf("Inner London 2023 written as a partial sum: %s", v)
	}
	if s := strings.Join(rep.NoTotal, "; "); !strings.Contains(s, "Inner London: mid-2023 (not summed: mid-2023 lacks E09000007)") {
		t.Errorf("NoTotal %q", s)
	}
}

// The case: Nomis's authorities response lacks some authorities for
// some years (here Barking and Dagenham for mid-2018, and Bournemouth, which
// the April 2023 type no longer has). England's and the regions' figures are
// still the published ones, asked for by their Nomis ids; the missing
// authority is listed; Bournemouth comes from an earlier geography type for
// the years it existed; an earlier type Nomis does not know is reported.
func TestFetchPopulationTotalsAndFormerCouncils(t *testing.T) {
	var rows []nomisRow
	for _, y := range []int{2017, 2018, 2019} {
		d := int64(y - 2017)
		rows = append(rows,
			nomisRow{"E92000001", "England", y, 600000 + d, -1},
			nomisRow{"E12000007", "London", y, 100000 + d, -1},
			nomisRow{"E12000009", "South West", y, 50000 + d, -1},
			nomisRow{"E06000058", "Bournemouth, Christchurch and Poole", y, 4000 + d, -1},
			nomisRow{"E09000001", "City of London", y, 10 + d, -1},
		)
		if y != 2018 {
			rows = append(rows, nomisRow{"E09000002", "Barking and Dagenham", y, 3000 + d, -1})
		}
		if y <= 2018 {
			rows = append(rows, nomisRow{"E06000028", "Bournemouth", y, 1500 + d, -1})
		}
	}
	srv := eestest.NewServer(t, eestest.Config{
		NomisCSV: []byte(nomisCSV(rows)),
		NomisGeographies: map[string][]string{
			"TYPE423": {"E06000058", "E09000001", "E09000002"},
			// The earlier type also holds Barking and Dagenham and City of
			// London: only authorities TYPE423 lacks are taken from it.
			"TYPE446": {"E06000028", "E09000001", "E09000002"},
		},
		NomisIDs: eestest.NomisEnglandAndRegionIDs(),
	})
	c, _ := newClient(t, srv, nil)
	data := t.TempDir()
	res, err := c.FetchPopulation(ctx(t), fetch.PopulationRequest{Dir: data,
		Query:   fetch.NomisQuery{Dates: []string{"2017-2019"}},
		Earlier: []fetch.NomisQuery{{Geography: "TYPE446"}, {Geography: "TYPE999"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	qs := srv.NomisQueries()
	if len(qs) != 4 || !strings.HasPrefix(qs[1], "geography=2092957699,2013265921...2013265929&") || !strings.HasPrefix(qs[2], "geography=TYPE446&date=2017-2019&") {
		t.Fatalf("queries %v", qs)
	}
	got := popRows(t, readFile(t, filepath.Join(data, fetch.PopulationPublication, fetch.PopulationRelease, fetch.PopulationFileName)))
	for _, y := range []int{2017, 2018, 2019} {
		d := int64(y - 2017)
		ys := strconv.Itoa(y)
		if g := got[ys+"|National|||Children aged 0 to 17 years"]; g != n(sum018(600000+d)) {
			t.Errorf("England mid-%d = %q, want the published %d", y, g, sum018(600000+d))
		}
		if g := got[ys+"|Regional|E12000007||Children aged 0 to 17 years"]; g != n(sum018(100000+d)) {
			t.Errorf("London mid-%d = %q, want the published %d", y, g, sum018(100000+d))
		}
		if g := got[ys+"|Regional|E12000009||Children aged under 1 year"]; g != n(50000+d) {
			t.Errorf("South West under 1 mid-%d = %q", y, g)
		}
		b, ok := got[ys+"|Local authority||E06000028|Children aged 0 to 17 years"]
		if y <= 2018 && b != n(sum018(1500+d)) {
			t.Errorf("Bournemouth mid-%d = %q, want %d from TYPE446", y, b, sum018(1500+d))
		}
		if y == 2019 && ok {
			t.Errorf("Bournemouth mid-2019 should be absent (abolished April 2019): %s", b)
		}
	}
	rep := res.Report
	if s := strings.Join(rep.Absent, "; "); s != "E06000028 Bournemouth: mid-2019; E09000002 Barking and Dagenham: mid-2018" {
		t.Errorf("Absent %q", s)
	}
	if s := strings.Join(rep.Former, "; "); s != "E06000028 Bournemouth: mid-2017 to mid-2018 (TYPE446)" {
		t.Errorf("Former %q", s)
	}
	if len(res.NotServed) != 1 || !strings.Contains(res.NotServed[0], "TYPE999") {
		t.Errorf("NotServed %q", res.NotServed)
	}
	if len(rep.NoTotal) != 7 || !strings.Contains(strings.Join(rep.NoTotal, "; "), "North East: mid-2017 to mid-2019") {
		t.Errorf("NoTotal %q: the seven regions the fixture lacks", rep.NoTotal)
	}
}

func TestFetchPopulationPaged(t *testing.T) {
	srv := eestest.NewServer(t, eestest.Config{NomisCSV: []byte(nomisCSV(converterRows())), NomisMaxRecords: 100})
	c, _ := newClient(t, srv, nil)
	lk, _ := fetch.LoadLALookup(strings.NewReader(lookupFixture))
	data := t.TempDir()
	res, err := c.FetchPopulation(ctx(t), fetch.PopulationRequest{Dir: data, Years: []int{2023, 2024}, Lookup: lk,
		Query: fetch.NomisQuery{RecordLimit: 100}, NoTotals: true})
	if err != nil {
		t.Fatal(err)
	}
	// 6 areas x 18 ages x 2 years - 1 + 2 x 18 = 251 rows: pages of 100, 100, 51.
	qs := srv.NomisQueries()
	if len(qs) != 3 || !strings.Contains(qs[1], "recordoffset=100") || !strings.Contains(qs[2], "recordoffset=200") || !strings.Contains(qs[0], "c_age=101...118") {
		t.Fatalf("queries %v", qs)
	}
	p := filepath.Join(data, fetch.PopulationPublication, fetch.PopulationRelease, fetch.PopulationFileName)
	recs := parseCSV(t, readFile(t, p))
	found := false
	for _, r := range recs {
		if r[0] == "2024" && r[8] == "E09000002" && r[10] == fetch.AgeGroup0to17 {
			found = r[11] == n(sum018(3005)) && r[7] == "301"
		}
	}
	if !found {
		t.Fatal("Barking and Dagenham 2024 row missing or wrong")
	}
	m, _ := fetch.LoadManifest(data)
	e := m.Get(fetch.PopulationPublication + "/" + fetch.PopulationRelease + "/" + fetch.PopulationFileName)
	if e == nil || e.Source != fetch.SourceNomis || !strings.HasPrefix(e.SourceURL, srv.NomisURL+"/dataset/NM_2002_1.data.csv?") || e.SHA256 != sha(readFile(t, p)) || e.Requests != e.SourceURL {
		t.Fatalf("manifest %+v", e)
	}
	if res.Report.Rows != len(recs)-1 {
		t.Errorf("report rows %d, file rows %d", res.Report.Rows, len(recs)-1)
	}
}

// A second fetch soon after the first asks Nomis nothing; after the
// freshness window it asks again but, the estimates being the same, leaves
// the file untouched; --force downloads and rewrites.
func TestFetchPopulationFreshAndUnchanged(t *testing.T) {
	srv := eestest.NewServer(t, eestest.Config{NomisCSV: []byte(nomisCSV(converterRows()))})
	now := fixedNow
	c, _ := newClient(t, srv, func(o *fetch.Options) { o.Now = func() time.Time { return now } })
	data := t.TempDir()
	req := fetch.PopulationRequest{Dir: data, Years: []int{2023, 2024}}
	first, err := c.FetchPopulation(ctx(t), req)
	if err != nil || first.Status != fetch.StatusDownloaded {
		t.Fatalf("first: %v %+v", err, first)
	}
	asked := len(srv.NomisQueries())
	p := filepath.Join(data, fetch.PopulationPublication, fetch.PopulationRelease, fetch.PopulationFileName)
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}

	now = fixedNow.Add(time.Hour)
	second, err := c.FetchPopulation(ctx(t), req)
	if err != nil || second.Status != fetch.StatusUnchanged || !strings.Contains(second.Why, "fetched 1h0m0s ago") {
		t.Fatalf("second: %v %+v", err, second)
	}
	if len(srv.NomisQueries()) != asked {
		t.Fatalf("second fetch asked Nomis: %v", srv.NomisQueries()[asked:])
	}

	now = fixedNow.Add(fetch.DefaultPopulationFresh + time.Hour)
	third, err := c.FetchPopulation(ctx(t), req)
	if err != nil || third.Status != fetch.StatusUnchanged || len(srv.NomisQueries()) != 2*asked {
		t.Fatalf("third: %v %+v, %d queries", err, third, len(srv.NomisQueries()))
	}
	if st, _ := os.Stat(p); !st.ModTime().Equal(old) {
		t.Errorf("the same estimates rewrote the file (mtime %v)", st.ModTime())
	}
	m, _ := fetch.LoadManifest(data)
	if e := m.Get(third.Entry.Path); e == nil || e.FetchedAt != "2026-03-08T13:00:00Z" {
		t.Errorf("manifest should record the re-check: %+v", e)
	}

	req.Force = true
	forced, err := c.FetchPopulation(ctx(t), req)
	if err != nil || forced.Status != fetch.StatusDownloaded || len(srv.NomisQueries()) != 3*asked {
		t.Fatalf("forced: %v %+v", err, forced)
	}
	if st, _ := os.Stat(p); st.ModTime().Equal(old) {
		t.Error("--force should rewrite the file")
	}
	// Changed requests (other years) are not served from the fresh copy.
	req.Force, req.Years = false, []int{2024}
	if _, err := c.FetchPopulation(ctx(t), req); err != nil || len(srv.NomisQueries()) != 4*asked {
		t.Fatalf("other years should ask Nomis again: %v, %d queries", err, len(srv.NomisQueries()))
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
