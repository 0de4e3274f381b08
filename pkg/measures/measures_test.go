package measures_test

import (
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

func TestCatalogueConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range measures.Catalogue {
		if seen[m.ID] {
			t.Errorf("duplicate measure %s", m.ID)
		}
		seen[m.ID] = true
		if _, ok := measures.Kind(m.FileKind); !ok {
			t.Errorf("%s: unknown file kind %q", m.ID, m.FileKind)
		}
		if m.Label == "" || m.Definition == "" || m.Publication == "" || m.Unit == "" || m.Denominator == "" || len(m.Sources) == 0 {
			t.Errorf("%s: incomplete entry %+v", m.ID, m)
		}
	}
	if got := measures.IDs(); len(got) != len(measures.Catalogue) || got[0] != "referrals" {
		t.Errorf("IDs = %v", got)
	}
	if m, _ := measures.Lookup("under1_starts"); m.Note != measures.ProxyNote {
		t.Errorf("under1_starts note = %q, want the proxy wording", m.Note)
	}
}

func TestLookupAndParse(t *testing.T) {
	if m, err := measures.Lookup(" S47 "); err != nil || m.ID != "s47" {
		t.Errorf("Lookup(S47) = %v, %v", m.ID, err)
	}
	_, err := measures.Lookup("s48")
	var ue *measures.UnknownError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "s47") || !strings.Contains(err.Error(), "cscstats measures") {
		t.Errorf("Lookup(s48) = %v", err)
	}
	ms, err := measures.Parse([]string{"icpc,s47", "icpc", " "})
	if err != nil || len(ms) != 2 || ms[0].ID != "icpc" || ms[1].ID != "s47" {
		t.Errorf("Parse = %v, %v; want [icpc s47]", ms, err)
	}
	if ms, err := measures.Parse([]string{"s47,all"}); err != nil || len(ms) != len(measures.Catalogue) || ms[0].ID != "s47" {
		t.Errorf("Parse(s47,all) = %d measures, %v", len(ms), err)
	}
	if _, err := measures.Parse(nil); err == nil {
		t.Error("Parse(nil) gave no error")
	}
	if _, err := measures.Parse([]string{"s47,nope"}); err == nil {
		t.Error("Parse(s47,nope) gave no error")
	}
}

func TestSourceMatchAndColumns(t *testing.T) {
	src := measures.Source{Indicator: "number", Filters: map[string]string{"cla_group": "Age group", "characteristic": "Under 1 year"}}
	row := map[string]string{"cla_group": " age GROUP ", "characteristic": "under 1 year"}
	if !src.Match(func(c string) string { return row[c] }) {
		t.Error("filters are compared case-insensitively, ignoring spaces")
	}
	row["characteristic"] = "1 to 4 years"
	if src.Match(func(c string) string { return row[c] }) {
		t.Error("matched the wrong characteristic")
	}
	if got := src.Columns(); !slices.Equal(got, []string{"number", "characteristic", "cla_group"}) {
		t.Errorf("Columns = %v", got)
	}
	c4 := []string{"time_period", "Section47", "ICPC", "Section47_child"}
	var ids []string
	for _, c := range measures.Candidates(func(col string) bool { return slices.Contains(c4, col) }) {
		ids = append(ids, c.Measure.ID)
	}
	if !slices.Equal(ids, []string{"s47", "icpc"}) {
		t.Errorf("Candidates(c4 columns) = %v", ids)
	}
	pop := []string{"age_group", "population_estimate"}
	if !measures.IsPopulationFile(func(col string) bool { return slices.Contains(pop, col) }) {
		t.Error("population layout not recognised")
	}
}

// Every catalogue source names columns and filter values that exist in the
// real DfE files: read here with a plain CSV loop over ../shared/ees.
func TestCatalogueAgainstSharedFiles(t *testing.T) {
	dir := testfiles.SharedEES(t)
	var paths []string
	for _, sub := range []string{"cin", "cla", "population"} {
		m, _ := filepath.Glob(filepath.Join(dir, sub, "*.csv"))
		paths = append(paths, m...)
	}
	// The layout of the November 2022 CLA release.
	m, _ := filepath.Glob(filepath.Join(testfiles.SharedArchive(t), "cla-release-2022", "*.csv"))
	paths = append(paths, m...)
	type file struct {
		cols map[string]bool
		vals map[string]map[string]bool // column → values seen (lower case)
	}
	var files []file
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		cr := csv.NewReader(f)
		header, err := cr.Read()
		if err != nil {
			t.Fatal(err)
		}
		fl := file{cols: map[string]bool{}, vals: map[string]map[string]bool{}}
		for i, h := range header {
			h = strings.TrimPrefix(h, "\ufeff")
			header[i] = h
			fl.cols[h] = true
			fl.vals[h] = map[string]bool{}
		}
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range rec {
				if len(fl.vals[header[i]]) < 500 {
					fl.vals[header[i]][strings.ToLower(strings.TrimSpace(v))] = true
				}
			}
		}
		f.Close()
		files = append(files, fl)
	}
	sources := []measures.Source{measures.PopulationChildren, measures.DfEPopulation, measures.DfEPopulation2022}
	for _, m := range measures.Catalogue {
		sources = append(sources, m.Sources...)
	}
	for _, s := range sources {
		found := false
		for _, f := range files {
			ok := f.cols[s.Indicator]
			for col, want := range s.Filters {
				ok = ok && f.cols[col] && f.vals[col][strings.ToLower(want)]
			}
			if ok {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no file under %s has %s with %v", dir, s.Indicator, s.Filters)
		}
	}
}

// MatchFields gives Match's answer on the same cells, for any cells.
func FuzzMatchFields(f *testing.F) {
	f.Add("Adopted", " adopted ", "Total", "x")
	f.Add("", "Under 1", "under 1", "Under 1 ")
	f.Fuzz(func(t *testing.T, a, b, c, d string) {
		cells := []string{a, b, c, d}
		type named struct {
			ID      string
			Sources []measures.Source
		}
		all := []named{{"population", []measures.Source{measures.PopulationChildren, measures.PopulationUnder1,
			measures.PopulationUnder5, measures.DfEPopulation, measures.DfEPopulation2022}}}
		for _, m := range measures.Catalogue {
			all = append(all, named{m.ID, m.Sources})
		}
		for _, s := range all {
			for _, src := range s.Sources {
				// Columns in the order of the cells: the first few of
				// the source's, the rest missing (past the end).
				cols := src.Columns()
				index := func(col string) int { return slices.Index(cols, col) }
				m, ok := src.Compile(index)
				if !ok {
					t.Fatalf("%s: does not compile against its own columns", s.ID)
				}
				field := func(i int) string {
					if i < 0 || i >= len(cells) {
						return ""
					}
					return strings.TrimSpace(cells[i])
				}
				if got, want := m.MatchFields(cells), m.Match(field); got != want {
					t.Fatalf("%s: MatchFields(%q) = %v, Match gives %v", s.ID, cells, got, want)
				}
			}
		}
	})
}
