package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// With Ofsted's file and ONS boundaries in the data directory, the report
// has the Ofsted section and boundary maps in the spread section, and a
// council profile has its Ofsted judgement and a map with it outlined.
func TestReportOfstedAndMaps(t *testing.T) {
	dir := testfiles.LinkedDataDir(t, testfiles.OfstedODS, "geo/Counties_and_Unitary_Authorities_December_2024_Boundaries_UK_BUC.geojson")
	run := func(out, council string) {
		ios, _, _, _ := iostreams.Test()
		opts := &Options{Factory: &cmdutil.Factory{IOStreams: ios, DataDir: dir, Format: "table"}, Out: out, Council: council, Now: time.Now}
		if err := reportRun(opts); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "main")
	run(out, "")
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	s := string(md)
	iOfsted, iMethods, iSpread := strings.Index(s, "## Ofsted judgements"), strings.Index(s, "## Methods and sources"), strings.Index(s, "## Differences between councils")
	if iOfsted < 0 || iMethods < iOfsted {
		t.Error("the Ofsted section is missing or not before the methods")
	}
	for _, f := range []string{"charts/map_under1_starts_2022.svg", "charts/map_adoptions_2024.png", "data/ofsted_correlations.csv", "data/ofsted_changes.csv"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	if i := strings.Index(s, "map_under1_starts_2022"); i < iSpread || i > strings.Index(s, "## Adoption and child protection") {
		t.Error("the under-1 map is not in the spread section")
	}
	svg, _ := os.ReadFile(filepath.Join(out, "charts", "map_adoptions_2024.svg"))
	if !strings.Contains(string(svg), "Boundaries: ONS Counties") {
		t.Error("the report's map is not drawn on ONS boundaries")
	}

	out = filepath.Join(t.TempDir(), "leeds")
	run(out, "Leeds")
	md, _ = os.ReadFile(filepath.Join(out, "report.md"))
	s = string(md)
	if !strings.Contains(s, "Outstanding (February 2022 and October 2018)") {
		t.Error("the Leeds profile does not give its Ofsted judgement")
	}
	if !strings.Contains(s, "## On the map") {
		t.Error("the Leeds profile has no map")
	}
	svg, _ = os.ReadFile(filepath.Join(out, "charts", "map_cla_31march_2025_e08000035.svg"))
	if !strings.Contains(string(svg), "Leeds: ") {
		t.Error("the profile's map does not label Leeds")
	}
}
