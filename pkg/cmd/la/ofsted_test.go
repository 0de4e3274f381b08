package la

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/testfiles"
)

// sharedWithOfsted is a data directory of links to the real DfE files
// and Ofsted's outcomes spreadsheet (read in place, not copied).
func sharedWithOfsted(t *testing.T) string {
	return testfiles.LinkedDataDir(t, "ofsted/LA_Inspection_Outcomes_as_at_31_March_2025.ods")
}

type ofstedDoc struct {
	Authority []map[string]any `json:"authority"`
	Ofsted    []map[string]any `json:"ofsted"`
	Notes     []string         `json:"notes"`
}

func showOfsted(t *testing.T, dir, q string) ofstedDoc {
	t.Helper()
	f, out, _ := factory(dir, "json")
	if err := showRun(&ShowOptions{Factory: f, Query: q}); err != nil {
		t.Fatal(err)
	}
	var d ofstedDoc
	if err := json.Unmarshal(out.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestShowOfstedRealData(t *testing.T) {
	dir := sharedWithOfsted(t)
	// Acceptance: Leeds is Outstanding (February 2022 and October 2018).
	d := showOfsted(t, dir, "Leeds")
	if got := field(showDoc{Authority: d.Authority}, "ofsted_judgement"); got != "Outstanding (February 2022 and October 2018)" {
		t.Errorf("Leeds ofsted_judgement = %v", got)
	}
	if len(d.Ofsted) != 2 || d.Ofsted[0]["inspection_date"] != "2022-02-21" || d.Ofsted[1]["inspection_type"] != "ILACS Short Inspection" {
		t.Errorf("Leeds inspections = %v", d.Ofsted)
	}
	// A successor lists its predecessor's inspection too.
	d = showOfsted(t, dir, "North Northamptonshire")
	var filed []string
	for _, r := range d.Ofsted {
		filed = append(filed, r["overall_effectiveness"].(string)+"@"+r["filed_under"].(string))
	}
	if strings.Join(filed, ";") != "Requires improvement to be good@E06000061 North Northamptonshire;Inadequate@E10000021 Northamptonshire" {
		t.Errorf("North Northamptonshire inspections = %v", filed)
	}
	// The table output shows it too.
	f, out, _ := factory(dir, "table")
	if err := showRun(&ShowOptions{Factory: f, Query: "Leeds"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Outstanding (February 2022 and October 2018)") || !strings.Contains(out.String(), "Ofsted inspections (ILACS)") {
		t.Errorf("table:\n%s", out)
	}
}

func TestShowWithoutOfstedFile(t *testing.T) {
	d := show(t, fixture(t), "Leeds")
	if !strings.Contains(strings.Join(d.Notes, "\n"), "cscstats fetch ofsted") {
		t.Errorf("notes do not say how to get the Ofsted file: %v", d.Notes)
	}
}
