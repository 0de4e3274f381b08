package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/funnel"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/neighbours"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/report"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// BenchmarkCouncilProfile is the cost of one council's profile (figures,
// charts as SVG and PNG, tables): `report councils` builds 153 of them,
// and should take well under a minute.
func BenchmarkCouncilProfile(b *testing.B) {
	dir := testfiles.SharedEES(b)
	calc, err := rates.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	nbrs, err := neighbours.Find(dir)
	if err != nil {
		b.Fatal(err)
	}
	ios, _, _, _ := iostreams.Test()
	opts := &Options{Factory: &cmdutil.Factory{IOStreams: ios, DataDir: dir}, Now: time.Now}
	councils := calc.Registry.Current()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := councilDoc(opts, calc, nbrs, councils[i%len(councils)], nil); err != nil {
			b.Fatal(err)
		}
	}
}

// checkChartFiles checks that every chart of a profile is a PNG that
// decodes and an SVG that parses as XML, with a data CSV beside it.
func checkChartFiles(t *testing.T, dir string) int {
	t.Helper()
	svgs, _ := filepath.Glob(filepath.Join(dir, "charts", "*.svg"))
	for _, s := range svgs {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(bytes.NewReader(b))
		for {
			_, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Errorf("%s is not valid XML: %v", s, err)
				break
			}
		}
		stem := strings.TrimSuffix(s, ".svg")
		f, err := os.Open(stem + ".png")
		if err != nil {
			t.Errorf("%s has no PNG", s)
			continue
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Errorf("%s.png does not decode: %v", stem, err)
		} else if img.Bounds().Dx() < 500 || img.Bounds().Dy() < 300 {
			t.Errorf("%s.png is only %v", stem, img.Bounds())
		}
		if _, err := os.Stat(filepath.Join(dir, "data", filepath.Base(stem)+".csv")); err != nil {
			t.Errorf("%s has no data CSV", s)
		}
	}
	return len(svgs)
}

// TestEveryCouncilProfile builds `report councils` on the real data: every
// current council's profile must build, every chart file must be valid,
// and the index must list and link every council under its region.
func TestEveryCouncilProfile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 153 profiles (about a minute of CPU); skipped with -short")
	}
	dir := testfiles.SharedEES(t)
	calc, err := rates.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "councils")
	ios, _, stdout, _ := iostreams.Test()
	opts := &Options{Factory: &cmdutil.Factory{IOStreams: ios, DataDir: dir, Format: "table"}, Out: out, AllCouncils: true, Now: time.Now}
	if err := reportRun(opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), filepath.Join(out, "index.html")) {
		t.Errorf("stdout %q does not name the index", stdout.String())
	}
	idx := parse(t, filepath.Join(out, "index.html"))
	profiles := map[string]bool{}
	for _, l := range idx.links {
		if strings.HasSuffix(l, "/index.html") {
			profiles[l] = true
		}
	}
	councils := calc.Registry.Current()
	if len(profiles) != len(councils) {
		t.Errorf("the index links %d profiles; the data have %d current councils", len(profiles), len(councils))
	}
	// Nine regions, each a heading.
	if got := len(idx.headings); got < 10 { // "Regions" and nine regions
		t.Errorf("index headings %q", idx.headings)
	}
	for l := range profiles {
		pdir := filepath.Join(out, filepath.Dir(l))
		p := parse(t, filepath.Join(pdir, "index.html"))
		// The spine, the trends and the map with the council outlined
		// (issue 15: every profile has a map).
		if n := checkChartFiles(t, pdir); n != 3 {
			t.Errorf("%s: %d charts, want the spine, the trends and the map", l, n)
		}
		if len(p.figures) != 3 {
			t.Errorf("%s: %d figures on the page", l, len(p.figures))
		}
		md, err := os.ReadFile(filepath.Join(pdir, "report.md"))
		if err != nil || !strings.Contains(string(md), "- **") {
			t.Errorf("%s: no key findings", l)
		}
	}
	if _, err := os.Stat(filepath.Join(out, ".cscstats-report")); err != nil {
		t.Error("the councils folder has no marker, so a rebuild would be refused")
	}
}

// Blackpool's headline on children looked after is checked against the
// CSV rows by hand: the CLA count at 31 March 2025 over ONS's mid-2024
// estimate of children aged 0-17, for Blackpool and for England.
func TestBlackpoolHeadlineFromCSV(t *testing.T) {
	dir := testfiles.SharedEES(t)
	var count, england float64
	testfiles.EachRow(t, filepath.Join(dir, "cla", "cla_number_and_rate_per_10k_children.csv"), func(r map[string]string) {
		if r["time_period"] != "2025" || r["population_type"] != "Children looked after on 31 March each year" {
			return
		}
		switch {
		case r["geographic_level"] == "Local authority" && r["la_name"] == "Blackpool":
			count = mustFloat(t, r["children_count"])
		case r["geographic_level"] == "National":
			england = mustFloat(t, r["children_count"])
		}
	})
	var pop, popEngland float64
	testfiles.EachRow(t, filepath.Join(dir, "population", "ons_mid-year_population_estimates_2012_to_2024.csv"), func(r map[string]string) {
		if r["time_period"] != "2024" {
			return
		}
		switch {
		case r["geographic_level"] == "Local authority" && r["la_name"] == "Blackpool":
			pop = mustFloat(t, r["population_estimate"])
		case r["geographic_level"] == "National":
			popEngland = mustFloat(t, r["population_estimate"])
		}
	})
	v, e := count/pop*10000, england/popEngland*10000
	want := fmt.Sprintf("Blackpool's rate of children looked after at 31 March in 2025 was far higher than expected for a council of its size: %.1f per 10,000 children, %.1f times England's %.1f", v, v/e, e)
	if want != "Blackpool's rate of children looked after at 31 March in 2025 was far higher than expected for a council of its size: 183.6 per 10,000 children, 2.7 times England's 67.1" {
		t.Fatalf("hand computation gave %q", want)
	}
	calc, err := rates.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	nbrs, err := neighbours.Find(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := calc.Registry.Lookup("Blackpool")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Profile(calc, dir, nbrs, a)
	if err != nil {
		t.Fatal(err)
	}
	hs := report.Headlines(a.Name, p.Figures)
	found := false
	for _, h := range hs {
		found = found || strings.HasPrefix(h, want)
	}
	if !found {
		t.Errorf("no headline starts %q:\n%s", want, strings.Join(hs, "\n"))
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return v
}

func TestIndexLines(t *testing.T) {
	m, err := measures.Lookup("adoptions")
	if err != nil {
		t.Fatal(err)
	}
	fig := func(v funnel.Verdict) report.CouncilFigure {
		return report.CouncilFigure{Measure: m, Rate: rates.Rate{Value: 1}, Verdict: v, VerdictOK: true}
	}
	tally := "Of the 3 measures with a rate to compare with England's, Derby's rate was higher than expected for a council of its size on 1 and within the expected range on 2 (in the latest year of each)."
	diff := "Derby's rate of adoptions from care in 2024 was higher than expected for a council of its size: 6.0 per 10,000 children, 2.4 times England's 2.5."
	within := "Leeds's rate of children looked after at 31 March in 2025 was 85.0 per 10,000 children, 27% above England's 67.1: within the range expected for a council of its size."
	figs := []report.CouncilFigure{fig(funnel.Above95), fig(funnel.Within), fig(funnel.Within)}
	if h, s := indexLines([]string{tally, diff}, figs); h != diff || s != "3 measures compared with England: 1 higher than expected, 2 within the expected range." {
		t.Errorf("with a difference: %q / %q", h, s)
	}
	figs = []report.CouncilFigure{fig(funnel.Within), fig(funnel.Within)}
	if h, s := indexLines([]string{tally, within}, figs); h != "2 measures compared with England: 2 within the expected range." || s != "" {
		t.Errorf("all within: %q / %q", h, s)
	}
	if h, s := indexLines(nil, nil); h != "" || s != "" {
		t.Errorf("none: %q / %q", h, s)
	}
}

// Profiles are built concurrently by `report councils`: the data are only
// read. Run with -race to check.
func TestProfilesConcurrently(t *testing.T) {
	dir := testfiles.SharedEES(t)
	calc, err := rates.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	nbrs, err := neighbours.Find(dir)
	if err != nil {
		t.Fatal(err)
	}
	ios, _, _, _ := iostreams.Test()
	opts := &Options{Factory: &cmdutil.Factory{IOStreams: ios, DataDir: dir}, Now: time.Now}
	names := []string{"Leeds", "Cumberland", "Dorset", "Blackpool"}
	errs := make(chan error, len(names))
	for _, n := range names {
		go func() {
			a, err := calc.Registry.Lookup(n)
			if err == nil {
				_, err = councilDoc(opts, calc, nbrs, a, nil)
			}
			errs <- err
		}()
	}
	for range names {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
