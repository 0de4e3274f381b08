package rates

import (
	"bytes"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/cache"
	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// tidy runs `rates --measure all --year all` with the given cache folder
// ("" for none) and returns standard output and standard error.
func tidy(t *testing.T, dir, cacheDir, format string) (string, string) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	opts := Options{Measures: []string{"all"}, Years: []string{"all"}, Sort: "name",
		Factory: &cmdutil.Factory{IOStreams: ios, DataDir: dir, Format: format, CacheDir: cacheDir}}
	if err := ratesRun(&opts); err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String()
}

// The full tidy table is the same byte for byte whether the store comes
// from the CSV files or from the cache, before and after a data file
// changes; after the change both give the new figure.
func TestRatesCachedEqualsUncached(t *testing.T) {
	dir := testfiles.LongSeriesDir(t)
	cacheDir := t.TempDir()
	for _, format := range []string{"csv", "json"} {
		plain, plainErr := tidy(t, dir, "", format)
		cold, coldErr := tidy(t, dir, cacheDir, format)
		if _, res, err := (cache.Store{Dir: cacheDir}).Load(dir); err != nil || !res.Hit {
			t.Fatalf("the cache was not written (%+v, %v)", res, err)
		}
		warm, warmErr := tidy(t, dir, cacheDir, format)
		if cold != plain || warm != plain || coldErr != plainErr || warmErr != plainErr {
			t.Fatalf("%s: cached output differs from uncached (cold same %v, warm same %v)", format, cold == plain, warm == plain)
		}
		if len(plain) < 100000 {
			t.Fatalf("%s: the tidy table is only %d bytes", format, len(plain))
		}
	}
	before, _ := tidy(t, dir, "", "csv")

	// Leeds' 2021 Section47 is 1718 in the CIN file (see
	// TestRatesCSVHeaderAndLeeds2021); make it 1719, same size, in a copy
	// that replaces the link.
	c4 := filepath.Join(dir, "ees", "cin", "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv")
	b, err := os.ReadFile(c4)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	n := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "2021,") && strings.Contains(l, ",E08000035,Leeds,") && strings.Contains(l, ",1718,") {
			lines[i] = strings.Replace(l, ",1718,", ",1719,", 1)
			n++
		}
	}
	if n != 1 {
		t.Fatalf("found %d Leeds 2021 rows with 1718", n)
	}
	if err := os.Remove(c4); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(c4, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	cached, cachedErr := tidy(t, dir, cacheDir, "csv")
	plain, plainErr := tidy(t, dir, "", "csv")
	if cached != plain || cachedErr != plainErr {
		t.Fatal("after the change: cached output differs from uncached")
	}
	if cached == before {
		t.Fatal("after the change: the table did not change")
	}
	// The new figure, with the denominator read here from the ONS file
	// (mid-2020 for 2020-21).
	pop := 0.0
	testfiles.EachRow(t, filepath.Join(testfiles.SharedEES(t), "population", "ons_mid-year_population_estimates_2012_to_2024.csv"), func(row map[string]string) {
		if row["time_period"] == "2020" && row["new_la_code"] == "E08000035" && row["age_group"] == "Children aged 0 to 17 years" {
			pop, _ = strconv.ParseFloat(row["population_estimate"], 64)
		}
	})
	recs, err := csv.NewReader(bytes.NewReader([]byte(cached))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range recs[1:] {
		if r[0] == "s47" && r[1] == "2021" && r[3] == "E08000035" {
			found = true
			rate, _ := strconv.ParseFloat(r[8], 64)
			if r[6] != "1719" || pop == 0 || math.Abs(rate-1719/pop*10000) > 0.05 {
				t.Errorf("Leeds s47 2021 after the change: %v; want count 1719 and rate %.1f", r, 1719/pop*10000)
			}
		}
	}
	if !found {
		t.Error("no Leeds s47 2021 row")
	}
}
