package dataset_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// dataRows counts the lines after the header (these DfE files have no line
// breaks inside quoted cells).
func dataRows(t testing.TB, path string) int {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := bytes.Count(raw, []byte("\n")) - 1
	if !bytes.HasSuffix(raw, []byte("\n")) {
		n++
	}
	return n
}

func TestLoadSharedEES(t *testing.T) {
	dir := testfiles.SharedEES(t)
	st, err := dataset.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{
		"b1_children_in_need_2013_to_2025.csv":                           measures.KindCINInNeed,
		"c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv": measures.KindCINReferrals,
		"c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv":     measures.KindCINS47ICPC,
		"d3_cpps_subsequent_plan_2013_to_2025.csv":                       measures.KindCINCPPStarts,
		"d5_cpps_at31march_by_duration_2013_to_2025.csv":                 measures.KindCINCPP31March,
		"cla_number_and_rate_per_10k_children.csv":                       measures.KindCLARates,
		"la_children_who_ceased_during_the_year.csv":                     measures.KindCLACeased,
		"la_children_who_ceased_during_the_year_sgo_adoption.csv":        measures.KindCLACeased,
		"la_cla_who_started_to_be_looked_after.csv":                      measures.KindCLAStarted,
		"ons_mid-year_population_estimates_2012_to_2024.csv":             measures.KindPopulation,
	}
	ignored := map[string]string{
		// Has cla_group/characteristic/number, the columns of the adoptions
		// measure, but only national rows and none with its filter values.
		"national_cla_who_were_adopted_during_the_year.csv":           "no row has the filter values",
		"c3_factors_identified_at_end_of_assessment_2018_to_2025.csv": "no catalogued measure reads it",
		"imd19.csv":              "not an EES open-data file",
		"sn_model_2025_wide.csv": "not an EES open-data file",
		"New_Statistical_Neighbour_Groupings_April_2021.csv": "not an EES open-data file",
		"LTLA-UTLA_Apr23_Lookup_England-Wales.csv":           "not an EES open-data file",
	}
	seen := map[string]bool{}
	for _, f := range st.Files {
		base := filepath.Base(f.Path)
		seen[base] = true
		if want, ok := kinds[base]; ok {
			if f.Kind != want || f.Ignored != "" {
				t.Errorf("%s: kind %q ignored %q, want %q", base, f.Kind, f.Ignored, want)
			}
			if f.Rows != dataRows(t, f.Path) {
				t.Errorf("%s: %d rows read, file has %d", base, f.Rows, dataRows(t, f.Path))
			}
			continue
		}
		if why, ok := ignored[base]; ok {
			if f.Kind != "" || !strings.Contains(f.Ignored, why) {
				t.Errorf("%s: kind %q ignored %q, want ignored because %q", base, f.Kind, f.Ignored, why)
			}
			continue
		}
		t.Logf("unexpected file %s: kind %q ignored %q", base, f.Kind, f.Ignored)
	}
	for base := range kinds {
		if !seen[base] {
			t.Logf("%s not in %s", base, dir)
		}
	}

	// c4 has one row per year and area, so one s47 and one icpc
	// observation per data row.
	c4 := filepath.Join(dir, "cin", "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv")
	if n := dataRows(t, c4); len(st.Observations("s47")) != n || len(st.Observations("icpc")) != n {
		t.Errorf("s47 %d, icpc %d observations; c4 has %d rows", len(st.Observations("s47")), len(st.Observations("icpc")), n)
	}
	// c4 line 2024:
	// 2013,Reporting year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,383,E08000035,Leeds,Section 47s and Initial Child Protection Conferences,1910,1816,1513,1478,...
	var found bool
	for _, o := range st.Observations("s47") {
		if o.Year == 2013 && o.Geo.NewLACode == "E08000035" {
			found = true
			if o.Count != ees.Num(1910) || o.Line != 2024 || filepath.Base(o.File) != filepath.Base(c4) {
				t.Errorf("Leeds s47 2013 = %v at %s:%d, want 1910 at line 2024", o.Count, o.File, o.Line)
			}
		}
	}
	if !found {
		t.Error("no Leeds s47 2013 observation")
	}
	// Population rows: every row of the ONS file is an estimate of
	// children aged 0-17; the CLA file adds DfE's own population_estimate
	// for its "looked after on 31 March" rows.
	pop := filepath.Join(dir, "population", "ons_mid-year_population_estimates_2012_to_2024.csv")
	var ons, dfe int
	for _, p := range st.Population {
		switch p.Source {
		case dataset.ONS:
			ons++
		case dataset.DfE:
			dfe++
		}
	}
	if ons != dataRows(t, pop) {
		t.Errorf("%d ONS population rows, file has %d", ons, dataRows(t, pop))
	}
	if dfe == 0 {
		t.Error("no DfE population_estimate rows read from the CLA file")
	}
}
