package rates

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// --format json carries each figure's provenance (file:line and release),
// the population vintage and the estimate's source; the notes name the
// vintage and the file of each year's denominator.
func TestRatesJSONProvenanceAndVintage(t *testing.T) {
	dir := testfiles.LongSeriesDir(t)
	ios, _, out, _ := iostreams.Test()
	opts := Options{Measures: []string{"s47"}, Years: []string{"2021"}, LAs: []string{"Leeds"}, Sort: "name"}
	opts.Factory = &cmdutil.Factory{IOStreams: ios, DataDir: dir, Format: "json", Population: "as-published"}
	if err := ratesRun(&opts); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Rates []map[string]any `json:"rates"`
		Notes []string         `json:"notes"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	// The line of Leeds' 2021 row in the CIN file, counted by hand
	// (header on line 1, one record per line).
	c4 := filepath.Join(testfiles.SharedEES(t), "cin", "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv")
	line, n := 0, 1
	testfiles.EachRow(t, c4, func(row map[string]string) {
		n++
		if row["time_period"] == "2021" && row["new_la_code"] == "E08000035" {
			line = n
		}
	})
	var leeds map[string]any
	for _, r := range doc.Rates {
		if r["la_name"] == "Leeds" {
			leeds = r
		}
	}
	if leeds == nil {
		t.Fatalf("no Leeds row in %v", doc.Rates)
	}
	if want := fmt.Sprintf("c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv:%d (release 2025)", line); leeds["provenance"] != want {
		t.Errorf("provenance %q, want %q", leeds["provenance"], want)
	}
	if leeds["population_vintage"] != "as-published" || !strings.Contains(fmt.Sprint(leeds["population_source"]), "release 2022") || leeds["population"] != 170581.0 {
		t.Errorf("Leeds row %v", leeds)
	}
	notes := strings.Join(doc.Notes, "\n")
	if !strings.Contains(notes, "Population vintage as-published") || !strings.Contains(notes, "2021: DfE population_estimate, release 2022 (cla_number_and_rate_per_10k_children.csv)") {
		t.Errorf("notes do not name the vintage and the denominator's file:\n%s", notes)
	}
}
