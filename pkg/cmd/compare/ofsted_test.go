package compare

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/testfiles"
)

func TestCompareShowsOfsted(t *testing.T) {
	dir := testfiles.LinkedDataDir(t, "ofsted/LA_Inspection_Outcomes_as_at_31_March_2025.ods")
	out, _, err := run(t, dir, "json", Options{Names: []string{"Leeds", "Barnsley"}, Measures: []string{"s47"}})
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Ofsted []map[string]any `json:"ofsted"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	// Leeds: Outstanding at its February 2022 standard inspection (the
	// sheet's row for E08000035 dated 2022-02-21).
	if len(d.Ofsted) != 2 || d.Ofsted[0]["overall_effectiveness"] != "Outstanding" || d.Ofsted[0]["inspection_date"] != "2022-02-21" ||
		d.Ofsted[0]["summary"] != "Outstanding (February 2022 and October 2018)" || d.Ofsted[1]["la_name"] != "Barnsley" {
		t.Errorf("ofsted section = %v", d.Ofsted)
	}
	// Without the file: a note, no section, no error.
	out, _, err = run(t, testfiles.LinkedDataDir(t), "table", Options{Names: []string{"Leeds"}, Measures: []string{"s47"}})
	if err != nil || strings.Contains(out, "Latest Ofsted judgement") || !strings.Contains(out, "cscstats fetch ofsted") {
		t.Errorf("without the Ofsted file: err %v\n%s", err, out)
	}
}
