package measures

// File kinds cscstats understands. A kind is recognised from a file's
// columns (the columns of at least one of its sources) and confirmed by its
// rows (at least one row carries the source's filter values).
const (
	KindCINReferrals  = "cin_referrals"
	KindCINInNeed     = "cin_in_need"
	KindCINS47ICPC    = "cin_s47_icpc"
	KindCINCPPStarts  = "cin_cpp_starts"
	KindCINCPP31March = "cin_cpp_31march"
	KindCLARates      = "cla_number_and_rate"
	KindCLAStarted    = "cla_started"
	KindCLACeased     = "cla_ceased"
	KindPopulation    = "population"
	// KindSFR is a pre-2018 statistical first release underlying-data
	// file (wide: one row per area), read by pkg/sfr.
	KindSFR = "cla_sfr"
)

// FileKind describes one kind of EES file.
type FileKind struct {
	ID          string
	Title       string
	Publication string
	Example     string // the file name DfE used when this was written
}

// Kinds lists the file kinds, in the order `cscstats inspect` reports them.
var Kinds = []FileKind{
	{KindCINReferrals, "Referrals and re-referrals", PubCIN, "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"},
	{KindCINInNeed, "Children in need", PubCIN, "b1_children_in_need_2013_to_2025.csv"},
	{KindCINS47ICPC, "Section 47 enquiries and initial child protection conferences", PubCIN, "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"},
	{KindCINCPPStarts, "Child protection plans starting in the year", PubCIN, "d3_cpps_subsequent_plan_2013_to_2025.csv"},
	{KindCINCPP31March, "Child protection plans at 31 March", PubCIN, "d5_cpps_at31march_by_duration_2013_to_2025.csv"},
	{KindCLARates, "Children looked after, starting and ceasing: numbers and rates", PubCLA, "cla_number_and_rate_per_10k_children.csv"},
	{KindCLAStarted, "Children starting to be looked after, by characteristic", PubCLA, "la_cla_who_started_to_be_looked_after.csv"},
	{KindCLACeased, "Children ceasing to be looked after, by reason", PubCLA, "la_children_who_ceased_during_the_year.csv"},
	{KindSFR, "Children looked after, 2010-2017: statistical first release underlying data (wide layout)", PubCLA, "SFR50_CLA2017.csv"},
	{KindPopulation, "Children aged 0 to 17: ONS mid-year population estimates", PubONS, "ons_mid-year_population_estimates_2012_to_2024.csv"},
}

// Kind returns the FileKind with the given ID.
func Kind(id string) (FileKind, bool) {
	for _, k := range Kinds {
		if k.ID == id {
			return k, true
		}
	}
	return FileKind{}, false
}

// Population sources: the ONS estimates of children aged 0-17 (and aged
// under 1 where a file has them) in the EES layout.
var (
	PopulationChildren = Source{Indicator: "population_estimate", Filters: map[string]string{"age_group": "Children aged 0 to 17 years"}}
	PopulationUnder1   = Source{Indicator: "population_estimate", Filters: map[string]string{"age_group": "Children aged under 1 year"}}
	PopulationUnder5   = Source{Indicator: "population_estimate", Filters: map[string]string{"age_group": "Children aged under 5 years"}}
	// DfEPopulation is the population_estimate column DfE publishes beside
	// its own CLA rates: the denominator DfE used, by reporting year.
	DfEPopulation = Source{Indicator: "population_estimate", Filters: map[string]string{"population_type": "Children looked after on 31 March each year"}}
	// DfEPopulation2022 is the same column in the layout of the November
	// 2022 release (filter population_count, "at 31 March").
	DfEPopulation2022 = Source{Indicator: "population_estimate", Filters: map[string]string{"population_count": "Children looked after at 31 March each year"}}
)

// Candidate is a (measure, source) pair whose columns a file has.
type Candidate struct {
	Measure  Measure
	Priority int // index of the source in Measure.Sources: lower wins
	Source   Source
}

// Candidates returns the catalogue sources whose columns are all present,
// given a predicate saying whether a file has a column.
func Candidates(has func(col string) bool) []Candidate {
	var out []Candidate
	for _, m := range Catalogue {
		for i, s := range m.Sources {
			if hasAll(has, s.Columns()) {
				out = append(out, Candidate{Measure: m, Priority: i, Source: s})
			}
		}
	}
	return out
}

// IsPopulationFile reports whether a file has the columns of the ONS
// population layout.
func IsPopulationFile(has func(col string) bool) bool {
	return hasAll(has, PopulationChildren.Columns())
}

func hasAll(has func(string) bool, cols []string) bool {
	for _, c := range cols {
		if !has(c) {
			return false
		}
	}
	return true
}
