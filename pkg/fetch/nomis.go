package fetch

// Population estimates from ONS via Nomis.
//
// Query used (Nomis CSV dataset API, documented at the Nomis API help pages;
// parameter and column names are from that documentation and must be checked
// against the live service before relying on them):
//
//	GET {nomis}/dataset/NM_2002_1.data.csv
//	    ?geography=TYPE423          counties and unitary authorities (as of April 2023)
//	    &date=2012,2013,...|latest  mid-years
//	    &gender=0                   all persons
//	    &c_age=101...118            single years of age: 101 = "Aged under 1" ... 118 = "Aged 17"
//	    &measures=20100             the value (count of people)
//	    &select=date_name,geography_code,geography_name,c_age,c_age_name,obs_value
//	    &recordoffset=N&recordlimit=25000   (Nomis serves at most 25,000 rows a request
//	                                         without a user id; we page)
//
// NM_2002_1 is "population estimates - local authority based by single year
// of age". Nomis re-publishes back series on current boundaries and drops
// abolished areas (e.g. Cumbria, Northamptonshire), so older years come back
// on the geography of the chosen TYPE; DfE's own file uses the boundaries of
// each year. Use NomisQuery.Geography to pick another geography type.

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Population output location and layout.
const (
	PopulationPublication = "ons-mid-year-population-estimates"
	PopulationRelease     = "nomis"
	PopulationFileName    = "ons_mid-year_population_estimates.csv"

	NomisDataset       = "NM_2002_1"
	NomisGeographyUTLA = "TYPE423" // local authorities: county / unitary (as of April 2023)
	NomisAllPersons    = "0"
	NomisAges0to17     = "101...118"
	NomisMeasureValue  = "20100"
	NomisRecordLimit   = 25000

	AgeGroup0to17  = "Children aged 0 to 17 years"
	AgeGroupUnder1 = "Children aged under 1 year"
)

// PopulationColumns is the tidy EES-style header written by the converter,
// the same as DfE's ons_mid-year_population_estimates file.
var PopulationColumns = []string{"time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code", "region_name", "old_la_code", "new_la_code", "la_name", "age_group", "population_estimate"}

// NomisSelect is the column list asked of Nomis.
var NomisSelect = []string{"date_name", "geography_code", "geography_name", "c_age", "c_age_name", "obs_value"}

// NomisQuery builds a Nomis CSV dataset request. Zero fields take the defaults above.
type NomisQuery struct {
	Dataset      string
	Geography    string
	Dates        []string // e.g. "2024", "latest", "latestMINUS5-latest"; default "latest"
	Gender       string
	Ages         string
	Measures     string
	Select       []string
	RecordOffset int
	RecordLimit  int
}

// YearDates turns mid-years into NomisQuery.Dates.
func YearDates(years ...int) []string {
	out := make([]string, len(years))
	for i, y := range years {
		out[i] = strconv.Itoa(y)
	}
	return out
}

func (q NomisQuery) withDefaults() NomisQuery {
	if q.Dataset == "" {
		q.Dataset = NomisDataset
	}
	if q.Geography == "" {
		q.Geography = NomisGeographyUTLA
	}
	if len(q.Dates) == 0 {
		q.Dates = []string{"latest"}
	}
	if q.Gender == "" {
		q.Gender = NomisAllPersons
	}
	if q.Ages == "" {
		q.Ages = NomisAges0to17
	}
	if q.Measures == "" {
		q.Measures = NomisMeasureValue
	}
	if len(q.Select) == 0 {
		q.Select = NomisSelect
	}
	if q.RecordLimit <= 0 {
		q.RecordLimit = NomisRecordLimit
	}
	return q
}

var nomisDatasetRE = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// URL returns the request URL under base (e.g. DefaultNomisBaseURL).
func (q NomisQuery) URL(base string) (string, error) {
	q = q.withDefaults()
	if !nomisDatasetRE.MatchString(q.Dataset) {
		return "", fmt.Errorf("invalid Nomis dataset %q", q.Dataset)
	}
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil {
		return "", err
	}
	u.Path += "/dataset/" + q.Dataset + ".data.csv"
	// Built by hand: Nomis ranges ("101...118") and lists read better unescaped,
	// and none of the values need escaping.
	parts := []string{
		"geography=" + url.QueryEscape(q.Geography),
		"date=" + strings.Join(q.Dates, ","),
		"gender=" + q.Gender,
		"c_age=" + q.Ages,
		"measures=" + q.Measures,
		"select=" + strings.Join(q.Select, ","),
	}
	if q.RecordOffset > 0 {
		parts = append(parts, "recordoffset="+strconv.Itoa(q.RecordOffset))
	}
	parts = append(parts, "recordlimit="+strconv.Itoa(q.RecordLimit))
	for _, p := range parts {
		if strings.ContainsAny(p, " &#") {
			return "", fmt.Errorf("invalid Nomis parameter %q", p)
		}
	}
	u.RawQuery = strings.Join(parts, "&")
	return u.String(), nil
}

// LAInfo is what DfE files say about a local authority.
type LAInfo struct {
	NewCode, OldCode, Name, RegionCode, RegionName string
}

// LALookup maps new_la_code (9-character ONS code) to DfE's details.
type LALookup map[string]LAInfo

// LoadLALookup reads any EES-layout CSV with new_la_code, old_la_code,
// la_name, region_code and region_name columns (for example DfE's population
// file, or a CLA file); local-authority rows of the latest time_period win.
// Combined codes such as "E06000061 / E06000062" are skipped.
func LoadLALookup(r io.Reader) (LALookup, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("lookup: %w", err)
	}
	col := headerIndex(head)
	need := []string{"new_la_code", "old_la_code", "la_name", "region_code", "region_name"}
	for _, n := range need {
		if _, ok := col[n]; !ok {
			return nil, fmt.Errorf("lookup: no %q column", n)
		}
	}
	tp, hasTP := col["time_period"]
	lk := LALookup{}
	best := map[string]string{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("lookup: %w", err)
		}
		get := func(n string) string {
			if i := col[n]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		code := get("new_la_code")
		if code == "" || strings.Contains(code, "/") {
			continue
		}
		if gl, ok := col["geographic_level"]; ok && gl < len(rec) && !strings.EqualFold(strings.TrimSpace(rec[gl]), "Local authority") {
			continue
		}
		period := ""
		if hasTP && tp < len(rec) {
			period = rec[tp]
		}
		if prev, ok := best[code]; ok && period < prev {
			continue
		}
		best[code] = period
		lk[code] = LAInfo{NewCode: code, OldCode: get("old_la_code"), Name: get("la_name"), RegionCode: get("region_code"), RegionName: get("region_name")}
	}
	return lk, nil
}

// LoadLALookupFile is LoadLALookup on a file.
func LoadLALookupFile(path string) (LALookup, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return LoadLALookup(f)
}

func headerIndex(head []string) map[string]int {
	m := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := m[h]; !dup {
			m[h] = i
		}
	}
	return m
}

// ConvertOptions tunes ConvertNomisPopulation.
type ConvertOptions struct {
	Lookup         LALookup // nil: LA rows only, with blank old codes and regions
	TimeIdentifier string   // default "Reporting year", as in DfE's file
}

// ConvertReport summarises a conversion.
type ConvertReport struct {
	Rows       int      // data rows written
	Years      []int    // mid-years found, ascending
	LAs        int      // distinct local authorities written
	Unmatched  []string // LA codes not in the lookup (written with blank old code and region)
	Incomplete []string // "YEAR CODE: k of 18 ages" — left out
}

type nomisObs struct {
	year       int
	code, name string
	age        int
	value      int64
}

var yearRE = regexp.MustCompile(`(?:19|20)\d\d`)
var agedRE = regexp.MustCompile(`^aged (\d+)$`)

// readNomisCSV parses a Nomis CSV (header line first) into observations of
// ages 0-17 for English local authorities.
func readNomisCSV(r io.Reader, src string) ([]nomisObs, int, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, 0, fmt.Errorf("%s: empty Nomis response", src)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", src, err)
	}
	col := headerIndex(head)
	for _, n := range []string{"date_name", "geography_code", "obs_value"} {
		if _, ok := col[n]; !ok {
			return nil, 0, &ShapeError{URL: src, Missing: fmt.Sprintf("no %s column in the Nomis CSV (header %q)", strings.ToUpper(n), strings.Join(head, ","))}
		}
	}
	_, hasAge := col["c_age"]
	_, hasAgeName := col["c_age_name"]
	if !hasAge && !hasAgeName {
		return nil, 0, &ShapeError{URL: src, Missing: "no C_AGE or C_AGE_NAME column in the Nomis CSV"}
	}
	var out []nomisObs
	rows := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, rows, fmt.Errorf("%s: %w", src, err)
		}
		rows++
		get := func(n string) string {
			if i, ok := col[n]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		code := get("geography_code")
		if !isEnglishLA(code) {
			continue
		}
		age := -1
		if hasAge {
			if n, err := strconv.Atoi(get("c_age")); err == nil && n >= 101 && n <= 191 {
				age = n - 101
			}
		}
		if age < 0 && hasAgeName {
			an := strings.ToLower(get("c_age_name"))
			if an == "aged under 1" {
				age = 0
			} else if m := agedRE.FindStringSubmatch(an); m != nil {
				age, _ = strconv.Atoi(m[1])
			}
		}
		if age < 0 || age > 17 {
			continue
		}
		ys := yearRE.FindAllString(get("date_name"), -1)
		if len(ys) == 0 {
			return nil, rows, fmt.Errorf("%s: row %d: no year in DATE_NAME %q", src, rows+1, get("date_name"))
		}
		year, _ := strconv.Atoi(ys[len(ys)-1])
		v, err := strconv.ParseInt(get("obs_value"), 10, 64)
		if err != nil {
			return nil, rows, fmt.Errorf("%s: row %d: OBS_VALUE %q is not a whole number", src, rows+1, get("obs_value"))
		}
		out = append(out, nomisObs{year: year, code: code, name: get("geography_name"), age: age, value: v})
	}
	return out, rows, nil
}

// isEnglishLA accepts English county, unitary, metropolitan district and
// London borough codes (E06, E07, E08, E09, E10), not regions or the country.
func isEnglishLA(code string) bool {
	if len(code) != 9 || code[0] != 'E' {
		return false
	}
	switch code[:3] {
	case "E06", "E07", "E08", "E09", "E10":
		return true
	}
	return false
}

// ConvertNomisPopulation converts a Nomis NM_2002_1 CSV (single years of age
// 0-17 by local authority and mid-year) into the tidy EES layout
// (PopulationColumns): for each mid-year, a National row, Regional rows (when
// a lookup gives regions; Inner and Outer London also add up to London) and
// Local authority rows, each for AgeGroup0to17 and AgeGroupUnder1.
func ConvertNomisPopulation(r io.Reader, w io.Writer, opt ConvertOptions) (*ConvertReport, error) {
	obs, _, err := readNomisCSV(r, "Nomis CSV")
	if err != nil {
		return nil, err
	}
	return writePopulation(obs, w, opt)
}

type popKey struct {
	year int
	code string
}

type popAgg struct {
	ages        [18]bool
	total, inf  int64
	name        string
	region      string
	regionName  string
	oldCode     string
	level       int // 0 national, 1 regional, 2 LA
	contributes bool
}

func writePopulation(obs []nomisObs, w io.Writer, opt ConvertOptions) (*ConvertReport, error) {
	if opt.TimeIdentifier == "" {
		opt.TimeIdentifier = "Reporting year"
	}
	las := map[popKey]*popAgg{}
	for _, o := range obs {
		k := popKey{o.year, o.code}
		a := las[k]
		if a == nil {
			a = &popAgg{name: o.name, level: 2}
			las[k] = a
		}
		if a.ages[o.age] {
			return nil, fmt.Errorf("Nomis CSV: %d %s age %d appears twice", o.year, o.code, o.age)
		}
		a.ages[o.age] = true
		a.total += o.value
		if o.age == 0 {
			a.inf = o.value
		}
	}
	rep := &ConvertReport{}
	unmatched := map[string]bool{}
	out := map[popKey]*popAgg{}
	years := map[int]bool{}
	laCodes := map[string]bool{}
	for k, a := range las {
		n := 0
		for _, ok := range a.ages {
			if ok {
				n++
			}
		}
		if n != 18 {
			rep.Incomplete = append(rep.Incomplete, fmt.Sprintf("%d %s: %d of 18 ages", k.year, k.code, n))
			continue
		}
		if info, ok := opt.Lookup[k.code]; ok {
			a.oldCode, a.region, a.regionName = info.OldCode, info.RegionCode, info.RegionName
			if info.Name != "" {
				a.name = info.Name
			}
		} else if opt.Lookup != nil {
			unmatched[k.code] = true
		}
		out[k] = a
		years[k.year] = true
		laCodes[k.code] = true
		// National and regional sums.
		add := func(code, name string, level int) {
			kk := popKey{k.year, "\x00" + strconv.Itoa(level) + code}
			b := out[kk]
			if b == nil {
				b = &popAgg{level: level, region: code, regionName: name}
				out[kk] = b
			}
			b.total += a.total
			b.inf += a.inf
		}
		add("E92000001", "England", 0)
		if a.region != "" {
			add(a.region, a.regionName, 1)
			if strings.HasPrefix(a.region, "E13") { // Inner/Outer London are also London
				add("E12000007", "London", 1)
			}
		}
	}
	if len(laCodes) == 0 {
		return nil, errors.New("Nomis CSV: no complete English local authority rows (ages 0-17)")
	}
	keys := make([]popKey, 0, len(out))
	for k := range out {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := out[keys[i]], out[keys[j]]
		if keys[i].year != keys[j].year {
			return keys[i].year > keys[j].year
		}
		if a.level != b.level {
			return a.level < b.level
		}
		if a.region != b.region {
			return a.region < b.region
		}
		return keys[i].code < keys[j].code
	})
	cw := csv.NewWriter(w)
	if err := cw.Write(PopulationColumns); err != nil {
		return nil, err
	}
	for _, k := range keys {
		a := out[k]
		row := make([]string, 12)
		row[0] = strconv.Itoa(k.year)
		row[1] = opt.TimeIdentifier
		row[3], row[4] = "E92000001", "England"
		switch a.level {
		case 0:
			row[2] = "National"
		case 1:
			row[2] = "Regional"
			row[5], row[6] = a.region, a.regionName
		default:
			row[2] = "Local authority"
			row[5], row[6] = a.region, a.regionName
			row[7], row[8], row[9] = a.oldCode, k.code, a.name
		}
		for _, ag := range []struct {
			label string
			v     int64
		}{{AgeGroup0to17, a.total}, {AgeGroupUnder1, a.inf}} {
			row[10], row[11] = ag.label, strconv.FormatInt(ag.v, 10)
			if err := cw.Write(row); err != nil {
				return nil, err
			}
			rep.Rows++
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nil, err
	}
	for y := range years {
		rep.Years = append(rep.Years, y)
	}
	sort.Ints(rep.Years)
	rep.LAs = len(laCodes)
	for c := range unmatched {
		rep.Unmatched = append(rep.Unmatched, c)
	}
	sort.Strings(rep.Unmatched)
	sort.Strings(rep.Incomplete)
	return rep, nil
}

// PopulationRequest says what FetchPopulation should get.
type PopulationRequest struct {
	Dir            string
	Years          []int      // mid-years; empty means Nomis's latest
	Query          NomisQuery // overrides; Dates is set from Years when empty
	Lookup         LALookup   // DfE LA codes and regions; see LoadLALookup
	TimeIdentifier string
}

// PopulationResult is what FetchPopulation wrote.
type PopulationResult struct {
	Entry  Entry
	Report *ConvertReport
	URLs   []string // Nomis requests made, one per page
}

// FetchPopulation downloads ONS mid-year estimates of children (single years
// 0-17) from Nomis, page by page, converts them to the tidy EES layout and
// writes DIR/<PopulationPublication>/<PopulationRelease>/<PopulationFileName>
// atomically, with a manifest entry.
func (c *Client) FetchPopulation(ctx context.Context, req PopulationRequest) (*PopulationResult, error) {
	if req.Dir == "" {
		return nil, errors.New("population: no data folder given")
	}
	q := req.Query
	if len(q.Dates) == 0 && len(req.Years) > 0 {
		q.Dates = YearDates(req.Years...)
	}
	q = q.withDefaults()
	res := &PopulationResult{}
	var all []nomisObs
	for page := 0; ; page++ {
		if page >= 400 {
			return nil, errors.New("population: more than 400 pages from Nomis")
		}
		q.RecordOffset = page * q.RecordLimit
		u, err := q.URL(c.nomisBase.String())
		if err != nil {
			return nil, err
		}
		res.URLs = append(res.URLs, u)
		obs, rows, err := c.nomisPage(ctx, u)
		if err != nil {
			return nil, err
		}
		all = append(all, obs...)
		if rows < q.RecordLimit {
			break
		}
	}
	destDir := filepath.Join(req.Dir, PopulationPublication, PopulationRelease)
	if err := os.MkdirAll(destDir, 0o755); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	rep, err := writePopulation(all, &buf, ConvertOptions{Lookup: req.Lookup, TimeIdentifier: req.TimeIdentifier})
	if err != nil {
		return nil, fmt.Errorf("population from %s: %w", res.URLs[0], err)
	}
	s, err := stage(destDir, PopulationFileName, &buf, c.opt.MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("population: %w", err)
	}
	if err := c.opt.Validate(s.tmp); err != nil {
		s.discard()
		return nil, &ValidationError{Name: PopulationFileName, Err: err}
	}
	if err := s.commit(filepath.Join(destDir, PopulationFileName)); err != nil {
		return nil, err
	}
	res.Report = rep
	res.Entry = Entry{
		Publication: PopulationPublication,
		ReleaseSlug: PopulationRelease,
		FileName:    PopulationFileName,
		Path:        relPath(PopulationPublication, PopulationRelease, PopulationFileName),
		Source:      SourceNomis,
		SourceURL:   res.URLs[0],
		Bytes:       s.n,
		SHA256:      s.hash,
		FetchedAt:   stamp(c.opt.Now()),
	}
	if err := updateManifest(req.Dir, []Entry{res.Entry}); err != nil {
		return nil, err
	}
	return res, nil
}

func (c *Client) nomisPage(ctx context.Context, u string) ([]nomisObs, int, error) {
	resp, err := c.get(ctx, u, nil)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body := io.LimitReader(resp.Body, c.opt.MaxFileBytes+1)
	return readNomisCSV(body, u)
}
