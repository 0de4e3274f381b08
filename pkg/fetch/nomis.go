package fetch

// Population estimates from ONS via Nomis.
//
// Three kinds of request, all to the Nomis CSV dataset API
// (GET {nomis}/dataset/NM_2002_1.data.csv, parameters as the Nomis API help
// pages document them; see data/sources.json for what is known and what is
// assumed):
//
//	authorities  geography=TYPE423     counties and unitary authorities (April 2023)
//	totals       geography=2092957699,2013265921...2013265929
//	                                   England and the nine English regions, by
//	                                   their Nomis ids: England's and the regions'
//	                                   published figures, never a sum of whatever
//	                                   authorities came back
//	earlier      geography=TYPEnnn     earlier county/unitary geography types:
//	                                   only rows for authorities the current type
//	                                   lacks (former councils such as Bournemouth,
//	                                   Poole, old Dorset, Northamptonshire, Cumbria)
//
// each with
//
//	&date=latestMINUSn-latest          mid-years (or a list such as 2009,2010)
//	&gender=0                          all persons
//	&c_age=101...118                   single years of age: 101 = "Aged under 1" ... 118 = "Aged 17"
//	&measures=20100                    the value (count of people)
//	&select=date_name,geography_code,geography_name,c_age,c_age_name,obs_value
//	&recordoffset=N&recordlimit=25000  Nomis serves at most 25,000 rows a request
//	                                   without a user id; we page until a short page
//
// Nomis restates back years on the boundaries of the chosen type, so the
// current type has no rows for abolished areas; the earlier types are asked
// for those. What Nomis does not serve is reported, never filled in: rates
// then fall back to DfE's own published populations (pkg/population) or
// stay counts with a reason.

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
	"time"
)

// Population output location and layout.
const (
	PopulationPublication = "ons-mid-year-population-estimates"
	PopulationRelease     = "nomis"
	PopulationFileName    = "ons_mid-year_population_estimates.csv"

	NomisDataset       = "NM_2002_1"
	NomisGeographyUTLA = "TYPE423" // local authorities: county / unitary (as of April 2023)
	// NomisEngland and NomisRegions are Nomis's own ids for England
	// (GSS E92000001) and the nine English regions E12000001-E12000009, in
	// that order; NomisEnglandAndRegions asks for all ten.
	NomisEngland           = "2092957699"
	NomisRegions           = "2013265921...2013265929"
	NomisEnglandAndRegions = NomisEngland + "," + NomisRegions
	NomisAllPersons        = "0"
	NomisAges0to17         = "101...118"
	NomisMeasureValue      = "20100"
	NomisRecordLimit       = 25000

	AgeGroup0to17  = "Children aged 0 to 17 years"
	AgeGroupUnder1 = "Children aged under 1 year"
	AgeGroupUnder5 = "Children aged under 5 years"

	// EnglandCode is the GSS code of England.
	EnglandCode = "E92000001"
	// DefaultPopulationFresh is how long a population copy is reused
	// without asking Nomis again: ONS publishes the estimates once a year.
	DefaultPopulationFresh = 7 * 24 * time.Hour
)

// LatestMinus returns the Nomis date range from mid-year `from` to the
// latest mid-year ("latestMINUSn-latest"), taking the latest to be at most
// the year before now: ONS publishes mid-year Y in the summer of Y+1, so n
// may reach a year before `from`, never later.
func LatestMinus(from int, now time.Time) string {
	n := now.Year() - 1 - from
	if n < 0 {
		n = 0
	}
	return fmt.Sprintf("latestMINUS%d-latest", n)
}

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

// nomisValueRE is what a query value may hold: Nomis lists ("a,b"), ranges
// ("101...118") and relative dates ("latestMINUS5-latest") need no escaping.
var nomisValueRE = regexp.MustCompile(`^[A-Za-z0-9_.,-]+$`)

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
		"geography=" + q.Geography,
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
		if _, v, _ := strings.Cut(p, "="); !nomisValueRE.MatchString(v) {
			return "", fmt.Errorf("invalid Nomis parameter %q: only letters, digits and . , _ - are sent unescaped", p)
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
	// Published lists the England and region figures written as Nomis
	// published them, e.g. "England: mid-2012 to mid-2024".
	Published []string
	// NoTotal lists national and regional figures not written because
	// Nomis did not serve them, e.g. "England: mid-2011". A national or
	// regional figure is never a sum of whatever authorities came back.
	NoTotal []string
	// Summed lists the figures written as sums of authorities: Inner and
	// Outer London (DfE's sub-regions, which Nomis is not asked for), only
	// for years when every authority the lookup places there is present.
	Summed []string
	// Absent lists authorities served for some mid-years but not others,
	// e.g. "E06000028 Bournemouth: mid-2019 to mid-2024".
	Absent []string
	// Former lists authorities filled in from an earlier geography type,
	// e.g. "E06000028 Bournemouth: mid-2009 to mid-2018 (TYPE446)".
	Former []string
}

type nomisObs struct {
	year       int
	code, name string
	age        int
	value      int64
	via        string // the geography asked for; "" for a plain CSV
}

var yearRE = regexp.MustCompile(`(?:19|20)\d\d`)
var agedRE = regexp.MustCompile(`^aged (\d+)$`)

// readNomisCSV parses a Nomis CSV (header line first) into observations of
// ages 0-17 for English local authorities, England and English regions.
// rows counts every data row, kept or not, for paging.
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
		line := rows + 1
		get := func(n string) string {
			if i, ok := col[n]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		code := get("geography_code")
		if !isEnglishLA(code) && !isEnglandOrRegion(code) {
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
			return nil, rows, fmt.Errorf("%s: line %d: no year in DATE_NAME %q; expected a mid-year such as 2024 or \"June 2024\"", src, line, get("date_name"))
		}
		year, _ := strconv.Atoi(ys[len(ys)-1])
		v, err := strconv.ParseInt(get("obs_value"), 10, 64)
		if err != nil || v < 0 {
			return nil, rows, fmt.Errorf("%s: line %d: OBS_VALUE %q is not a whole number of people", src, line, get("obs_value"))
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

// isEnglandOrRegion accepts England (E92000001) and English region codes (E12).
func isEnglandOrRegion(code string) bool {
	return code == EnglandCode || (len(code) == 9 && strings.HasPrefix(code, "E12"))
}

// ConvertNomisPopulation converts a Nomis NM_2002_1 CSV (single years of age
// 0-17 by area and mid-year) into the tidy EES layout (PopulationColumns):
// for each mid-year, the National and Regional rows Nomis published
// (E92000001 and E12 codes in the CSV; none are made up from authorities),
// Inner and Outer London as sums when complete (see ConvertReport.Summed),
// and Local authority rows, each for AgeGroup0to17, AgeGroupUnder1 and
// AgeGroupUnder5.
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
	ages       [18]bool
	byAge      [18]int64
	name       string
	region     string
	regionName string
	oldCode    string
	level      int // 0 national, 1 regional, 2 LA
	via        string
}

func (a *popAgg) sum(to int) int64 {
	var s int64
	for age := 0; age <= to; age++ {
		s += a.byAge[age]
	}
	return s
}

func (a *popAgg) complete() int {
	n := 0
	for _, ok := range a.ages {
		if ok {
			n++
		}
	}
	return n
}

// spans formats mid-years as "mid-2009 to mid-2012, mid-2015".
func spans(years []int) string {
	sort.Ints(years)
	var parts []string
	for i := 0; i < len(years); {
		j := i
		for j+1 < len(years) && years[j+1] == years[j]+1 {
			j++
		}
		if i == j {
			parts = append(parts, fmt.Sprintf("mid-%d", years[i]))
		} else {
			parts = append(parts, fmt.Sprintf("mid-%d to mid-%d", years[i], years[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// regionNames are the English regions, by GSS code, for rows Nomis
// publishes (names as DfE spells them).
var regionNames = map[string]string{
	"E12000001": "North East", "E12000002": "North West", "E12000003": "Yorkshire and The Humber",
	"E12000004": "East Midlands", "E12000005": "West Midlands", "E12000006": "East of England",
	"E12000007": "London", "E12000008": "South East", "E12000009": "South West",
}

func writePopulation(obs []nomisObs, w io.Writer, opt ConvertOptions) (*ConvertReport, error) {
	if opt.TimeIdentifier == "" {
		opt.TimeIdentifier = "Reporting year"
	}
	areas := map[popKey]*popAgg{}
	for _, o := range obs {
		k := popKey{o.year, o.code}
		a := areas[k]
		if a == nil {
			level := 2
			if o.code == EnglandCode {
				level = 0
			} else if isEnglandOrRegion(o.code) {
				level = 1
			}
			a = &popAgg{name: o.name, level: level, via: o.via}
			areas[k] = a
		}
		if a.ages[o.age] {
			return nil, fmt.Errorf("Nomis CSV: %d %s age %d appears twice", o.year, o.code, o.age)
		}
		a.ages[o.age] = true
		a.byAge[o.age] = o.value
	}
	rep := &ConvertReport{}
	unmatched := map[string]bool{}
	out := map[popKey]*popAgg{}
	years := map[int]bool{}
	laYears := map[string][]int{}
	laNames := map[string]string{}
	totalYears := map[string][]int{}
	for k, a := range areas {
		if n := a.complete(); n != 18 {
			rep.Incomplete = append(rep.Incomplete, fmt.Sprintf("%d %s: %d of 18 ages", k.year, k.code, n))
			continue
		}
		years[k.year] = true
		switch a.level {
		case 0, 1:
			a.region = k.code
			a.regionName = regionNames[k.code]
			if a.regionName == "" {
				a.regionName = a.name
			}
			if a.level == 0 {
				a.region, a.regionName = "", ""
			}
			out[k] = a
			totalYears[k.code] = append(totalYears[k.code], k.year)
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
		laYears[k.code] = append(laYears[k.code], k.year)
		laNames[k.code] = a.name
	}
	if len(laYears) == 0 {
		return nil, errors.New("Nomis CSV: no complete English local authority rows (ages 0-17)")
	}
	allYears := make([]int, 0, len(years))
	for y := range years {
		allYears = append(allYears, y)
	}
	sort.Ints(allYears)

	// England and the regions: as published, or reported missing.
	totals := []string{EnglandCode}
	for c := range regionNames {
		totals = append(totals, c)
	}
	sort.Strings(totals[1:])
	for _, c := range totals {
		name := "England"
		if c != EnglandCode {
			name = regionNames[c]
		}
		have := map[int]bool{}
		for _, y := range totalYears[c] {
			have[y] = true
		}
		var miss []int
		for _, y := range allYears {
			if !have[y] {
				miss = append(miss, y)
			}
		}
		if len(totalYears[c]) > 0 {
			rep.Published = append(rep.Published, fmt.Sprintf("%s: %s", name, spans(append([]int(nil), totalYears[c]...))))
		}
		if len(miss) > 0 {
			rep.NoTotal = append(rep.NoTotal, fmt.Sprintf("%s: %s", name, spans(miss)))
		}
	}

	// Inner and Outer London: DfE files place London boroughs in these
	// sub-regions; summed only when every borough the lookup places there
	// is present that year.
	members := map[string][]string{}
	subNames := map[string]string{}
	for code, info := range opt.Lookup {
		if strings.HasPrefix(info.RegionCode, "E13") {
			members[info.RegionCode] = append(members[info.RegionCode], code)
			subNames[info.RegionCode] = info.RegionName
		}
	}
	subs := make([]string, 0, len(members))
	for s := range members {
		subs = append(subs, s)
	}
	sort.Strings(subs)
	for _, sub := range subs {
		var done, short []int
		var lacking []string
		for _, y := range allYears {
			b := &popAgg{level: 1, region: sub, regionName: subNames[sub]}
			var miss []string
			for _, code := range members[sub] {
				a := out[popKey{y, code}]
				if a == nil {
					miss = append(miss, code)
					continue
				}
				for age := range a.byAge {
					b.byAge[age] += a.byAge[age]
				}
			}
			if len(miss) > 0 {
				short = append(short, y)
				sort.Strings(miss)
				if len(miss) > 3 {
					miss = append(miss[:3], fmt.Sprintf("%d more", len(miss)-3))
				}
				lacking = append(lacking, fmt.Sprintf("mid-%d lacks %s", y, strings.Join(miss, ", ")))
				continue
			}
			out[popKey{y, "\x00" + sub}] = b
			done = append(done, y)
		}
		if len(done) > 0 {
			rep.Summed = append(rep.Summed, fmt.Sprintf("%s: %s (sum of its %d boroughs)", subNames[sub], spans(done), len(members[sub])))
		}
		if len(short) > 0 {
			rep.NoTotal = append(rep.NoTotal, fmt.Sprintf("%s: %s (not summed: %s)", subNames[sub], spans(short), strings.Join(lacking, "; ")))
		}
	}

	// Authorities served for some years but not others, and former
	// councils filled in from earlier geography types.
	codes := make([]string, 0, len(laYears))
	for c := range laYears {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		have := map[int]bool{}
		via := ""
		for _, y := range laYears[c] {
			have[y] = true
			if v := out[popKey{y, c}].via; v != "" {
				via = v
			}
		}
		var miss []int
		for _, y := range allYears {
			if !have[y] {
				miss = append(miss, y)
			}
		}
		if len(miss) > 0 {
			rep.Absent = append(rep.Absent, fmt.Sprintf("%s %s: %s", c, laNames[c], spans(miss)))
		}
		if via != "" {
			rep.Former = append(rep.Former, fmt.Sprintf("%s %s: %s (%s)", c, laNames[c], spans(append([]int(nil), laYears[c]...)), via))
		}
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
		row[3], row[4] = EnglandCode, "England"
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
		}{{AgeGroup0to17, a.sum(17)}, {AgeGroupUnder1, a.sum(0)}, {AgeGroupUnder5, a.sum(4)}} {
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
	rep.Years = allYears
	rep.LAs = len(laYears)
	for c := range unmatched {
		rep.Unmatched = append(rep.Unmatched, c)
	}
	sort.Strings(rep.Unmatched)
	sort.Strings(rep.Incomplete)
	return rep, nil
}

// PopulationRequest says what FetchPopulation should get.
type PopulationRequest struct {
	Dir   string
	Years []int // mid-years; empty means Query.Dates or Nomis's latest
	// Query asks for the authorities (default geography TYPE423).
	Query NomisQuery
	// Totals asks for England and the regions; its zero fields are taken
	// from Query, and its geography defaults to NomisEnglandAndRegions.
	// NoTotals leaves it out (national and regional rows are then absent).
	Totals   NomisQuery
	NoTotals bool
	// Earlier lists earlier geography types to ask for authorities that
	// Query's type lacks (former councils); zero fields are taken from
	// Query. A type Nomis does not serve is reported, not an error.
	Earlier []NomisQuery
	// EarlierCodes, when set, limits what Earlier gives to these
	// authorities (the former councils wanted); otherwise any the current
	// type lacks is taken.
	EarlierCodes   []string
	Lookup         LALookup // DfE LA codes and regions; see LoadLALookup
	TimeIdentifier string
	// Force downloads again even when the copy in Dir is fresh or the same.
	Force bool
	// Fresh is how long a copy made by the same requests is reused without
	// asking Nomis: 0 means DefaultPopulationFresh, <0 means always ask.
	Fresh time.Duration
}

// PopulationResult is what FetchPopulation did.
type PopulationResult struct {
	Entry  Entry
	Report *ConvertReport // nil when Status is unchanged without a request
	Status Status         // downloaded, or unchanged (fresh copy, or the same content)
	// Why says why an unchanged copy was kept.
	Why  string
	URLs []string // Nomis requests made, one per page
	// NotServed says which earlier geography types gave nothing usable.
	NotServed []string
}

// populationQueries lists every query FetchPopulation makes, in order:
// authorities, England and the regions, then the earlier types. Their
// first-page URLs are what a copy on disk is fingerprinted by.
func (c *Client) populationQueries(req PopulationRequest) ([]NomisQuery, error) {
	q := req.Query
	if len(q.Dates) == 0 && len(req.Years) > 0 {
		q.Dates = YearDates(req.Years...)
	}
	q = q.withDefaults()
	qs := []NomisQuery{q}
	inherit := func(x NomisQuery, geo string) NomisQuery {
		if x.Dataset == "" {
			x.Dataset = q.Dataset
		}
		if x.Geography == "" {
			x.Geography = geo
		}
		if len(x.Dates) == 0 {
			x.Dates = q.Dates
		}
		if x.Gender == "" {
			x.Gender = q.Gender
		}
		if x.Ages == "" {
			x.Ages = q.Ages
		}
		if x.Measures == "" {
			x.Measures = q.Measures
		}
		if x.RecordLimit <= 0 {
			x.RecordLimit = q.RecordLimit
		}
		return x.withDefaults()
	}
	if !req.NoTotals {
		qs = append(qs, inherit(req.Totals, NomisEnglandAndRegions))
	}
	for _, e := range req.Earlier {
		if e.Geography == "" {
			return nil, errors.New("population: an earlier geography query has no geography type")
		}
		qs = append(qs, inherit(e, ""))
	}
	return qs, nil
}

// FetchPopulation downloads ONS mid-year estimates of children (single years
// 0-17) from Nomis, page by page: the authorities, England and the regions as
// published, and former councils from earlier geography types. It converts
// them to the tidy EES layout and writes
// DIR/<PopulationPublication>/<PopulationRelease>/<PopulationFileName>
// atomically, with a manifest entry.
//
// A copy made by the same requests less than req.Fresh ago is kept without
// asking Nomis (ONS publishes the estimates once a year), and a download
// identical to the copy on disk does not rewrite it; both are reported as
// unchanged. req.Force downloads and writes regardless.
func (c *Client) FetchPopulation(ctx context.Context, req PopulationRequest) (*PopulationResult, error) {
	if req.Dir == "" {
		return nil, errors.New("population: no data folder given")
	}
	qs, err := c.populationQueries(req)
	if err != nil {
		return nil, err
	}
	fingerprint := make([]string, len(qs))
	for i, q := range qs {
		q.RecordOffset = 0
		if fingerprint[i], err = q.URL(c.nomisBase.String()); err != nil {
			return nil, err
		}
	}
	destDir := filepath.Join(req.Dir, PopulationPublication, PopulationRelease)
	dest := filepath.Join(destDir, PopulationFileName)
	rel := relPath(PopulationPublication, PopulationRelease, PopulationFileName)
	m, err := LoadManifest(req.Dir)
	if err != nil {
		return nil, err
	}
	prev := m.Get(rel)
	if prev != nil && !req.Force {
		if ok, why := c.populationFresh(*prev, dest, fingerprint, req.Fresh); ok {
			c.logf("population: %s; no request made", why)
			return &PopulationResult{Entry: *prev, Status: StatusUnchanged, Why: why}, nil
		} else if why != "" {
			c.logf("population: asking Nomis again: %s", why)
		}
	}

	res := &PopulationResult{}
	var wantEarlier map[string]bool
	if len(req.EarlierCodes) > 0 {
		wantEarlier = map[string]bool{}
		for _, c := range req.EarlierCodes {
			wantEarlier[c] = true
		}
	}
	var all []nomisObs
	laCodes := map[string]bool{}
	for i, q := range qs {
		kind := "authorities"
		switch {
		case i == 1 && !req.NoTotals:
			kind = "totals"
		case i > 0:
			kind = "earlier"
		}
		obs, err := c.nomisQuery(ctx, q, res)
		if err != nil {
			var nf *NotFoundError
			var he *HTTPError
			if kind != "authorities" && (errors.As(err, &nf) || (errors.As(err, &he) && he.StatusCode == 400)) {
				res.NotServed = append(res.NotServed, fmt.Sprintf("%s: Nomis did not serve it (%v)", q.Geography, err))
				continue
			}
			return nil, fmt.Errorf("population (%s, geography %s): %w", kind, q.Geography, err)
		}
		switch kind {
		case "authorities":
			for _, o := range obs {
				if isEnglishLA(o.code) {
					all = append(all, o)
					laCodes[o.code] = true
				}
			}
		case "totals":
			for _, o := range obs {
				if isEnglandOrRegion(o.code) {
					all = append(all, o)
				}
			}
		default:
			kept := 0
			for _, o := range obs {
				if isEnglishLA(o.code) && !laCodes[o.code] && (wantEarlier == nil || wantEarlier[o.code]) {
					o.via = q.Geography
					all = append(all, o)
					kept++
				}
			}
			if kept == 0 {
				res.NotServed = append(res.NotServed, fmt.Sprintf("%s: none of the authorities wanted from it (%d rows)", q.Geography, len(obs)))
			}
		}
	}
	// Earlier types may overlap one another: the first that has an
	// authority-year wins.
	all = dedupeEarlier(all)
	var buf bytes.Buffer
	rep, err := writePopulation(all, &buf, ConvertOptions{Lookup: req.Lookup, TimeIdentifier: req.TimeIdentifier})
	if err != nil {
		return nil, fmt.Errorf("population from %s: %w", res.URLs[0], err)
	}
	res.Report = rep
	s, err := stage(destDir, PopulationFileName, &buf, c.opt.MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("population: %w", err)
	}
	if err := c.opt.Validate(s.tmp); err != nil {
		s.discard()
		return nil, &ValidationError{Name: PopulationFileName, Err: err}
	}
	res.Entry = Entry{
		Publication: PopulationPublication,
		ReleaseSlug: PopulationRelease,
		FileName:    PopulationFileName,
		Path:        rel,
		Source:      SourceNomis,
		SourceURL:   fingerprint[0],
		Requests:    strings.Join(fingerprint, " "),
		Bytes:       s.n,
		SHA256:      s.hash,
		FetchedAt:   stamp(c.opt.Now()),
	}
	res.Status = StatusDownloaded
	if sum, n, err := HashFile(dest); err == nil && sum == s.hash && n == s.n && !req.Force {
		// The same estimates: keep the file as it is (no rewrite), and
		// record when they were last confirmed.
		s.discard()
		res.Status, res.Why = StatusUnchanged, "Nomis sent the same estimates as the copy on disk"
	} else if err := s.commit(dest); err != nil {
		return nil, err
	}
	if err := updateManifest(req.Dir, []Entry{res.Entry}); err != nil {
		return nil, err
	}
	return res, nil
}

// populationFresh reports whether the copy described by prev can be kept
// without asking Nomis: made by the same requests, less than fresh ago,
// and still the file the manifest describes. why says what decided.
func (c *Client) populationFresh(prev Entry, dest string, fingerprint []string, fresh time.Duration) (bool, string) {
	if fresh < 0 {
		return false, ""
	}
	if fresh == 0 {
		fresh = DefaultPopulationFresh
	}
	if prev.Source != SourceNomis {
		return false, "the copy on disk did not come from Nomis"
	}
	if prev.Requests != strings.Join(fingerprint, " ") {
		return false, "the requests differ from those that made the copy on disk"
	}
	at, err := time.Parse(time.RFC3339, prev.FetchedAt)
	if err != nil {
		return false, "the copy on disk has no usable fetched_at"
	}
	age := c.opt.Now().Sub(at)
	if age < 0 || age >= fresh {
		return false, fmt.Sprintf("the copy on disk was fetched %s ago (reused for %s)", age.Round(time.Minute), fresh)
	}
	sum, n, err := HashFile(dest)
	if err != nil || sum != prev.SHA256 || n != prev.Bytes {
		return false, "the copy on disk is missing or differs from the manifest"
	}
	return true, fmt.Sprintf("fetched %s ago by the same requests, and ONS publishes the estimates once a year (--force asks again)", age.Round(time.Minute))
}

// dedupeEarlier drops authority-years from an earlier type that an
// earlier-listed type already gave.
func dedupeEarlier(all []nomisObs) []nomisObs {
	first := map[popKey]string{}
	out := all[:0]
	for _, o := range all {
		if o.via != "" {
			k := popKey{o.year, o.code}
			if v, ok := first[k]; ok && v != o.via {
				continue
			}
			first[k] = o.via
		}
		out = append(out, o)
	}
	return out
}

// nomisQuery pages through one query, appending each URL to res.URLs.
func (c *Client) nomisQuery(ctx context.Context, q NomisQuery, res *PopulationResult) ([]nomisObs, error) {
	var all []nomisObs
	for page := 0; ; page++ {
		if page >= 400 {
			return nil, errors.New("more than 400 pages from Nomis")
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
		c.logf("Nomis page %d of geography %s: %d rows, %d kept", page+1, q.Geography, rows, len(obs))
		all = append(all, obs...)
		if rows < q.RecordLimit {
			return all, nil
		}
	}
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
