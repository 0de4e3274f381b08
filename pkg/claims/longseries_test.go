package claims

import (
	"math"
	"strconv"
	"testing"

	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// The spread of under-1 starts in 2012-13 on the long series, worked by
// hand: SCLA_U1 of each council in the 2013 SFR starts table ÷ its ONS
// mid-2012 population aged 0-17 × 10,000, matched on the DfE 3-digit code
// (the SFR's geog_c, the ONS file's old_la_code), councils with a
// suppressed count or no population left out, and the Isles of Scilly
// and the City of London left out; CV = sample SD ÷ mean. The own-years
// row of the claim is evaluated on 2013-2017 (2011-2012 have no
// denominator) and shows that CV for 2013.
func TestSpreadOnLongSeriesByHand(t *testing.T) {
	dir := testfiles.LongSeriesDir(t)
	pop := map[string]float64{}
	testfiles.EachRow(t, testfiles.SharedFile(t, "population", "ons_mid-year_population_estimates_2012_to_2024.csv"), func(r map[string]string) {
		if r["geographic_level"] == "Local authority" && r["time_period"] == "2012" && r["age_group"] == "Children aged 0 to 17 years" {
			v, err := strconv.ParseFloat(r["population_estimate"], 64)
			if err == nil {
				pop[r["old_la_code"]] = v
			}
		}
	})
	var rs []float64
	testfiles.EachRow(t, testfiles.SharedArchive(t)+"/sfr/2013/SFR36_ADM2013.csv", func(r map[string]string) {
		if r["geog_l"] != "LA" || r["geog_c"] == "201" || r["geog_c"] == "420" { // City of London, Isles of Scilly
			return
		}
		n, err := strconv.ParseFloat(r["SCLA_U1"], 64)
		p, ok := pop[r["geog_c"]]
		if err != nil || !ok {
			return
		}
		rs = append(rs, n/p*1e4)
	})
	var sum float64
	for _, v := range rs {
		sum += v
	}
	mean := sum / float64(len(rs))
	var ss float64
	for _, v := range rs {
		ss += (v - mean) * (v - mean)
	}
	cv := math.Sqrt(ss/float64(len(rs)-1)) / mean

	calc, err := rates.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := SpreadYears(calc, "under1_starts", 2013)
	if err != nil {
		t.Fatal(err)
	}
	if st.Spread.N != len(rs) || math.Abs(st.Spread.CV-cv) > 1e-9 || math.Abs(st.Spread.Mean-mean) > 1e-9 {
		t.Errorf("under1_starts 2013: n %d, mean %v, CV %v; by hand n %d, mean %v, CV %v", st.Spread.N, st.Spread.Mean, st.Spread.CV, len(rs), mean, cv)
	}
	f, _ := Load()
	for _, c := range f.Claims {
		if c.ID != "spread-under1" {
			continue
		}
		rs, err := Evaluator{Calc: calc}.Evaluate(c)
		if err != nil {
			t.Fatal(err)
		}
		own := rs[0]
		if own.Years != "2013-2017" || own.Verdict == NotCheckable || !contains(own.Detail, "2013 "+strconv.FormatFloat(cv, 'f', 3, 64)) ||
			!contains(own.Explanation, "Evaluated on 2013-2017, the years of 2011-2017 with rates: 2011-2012 have counts but no population estimate") {
			t.Errorf("own years: %s %s\n%s\n%s", own.Years, own.Verdict, own.Detail, own.Explanation)
		}
	}
}
