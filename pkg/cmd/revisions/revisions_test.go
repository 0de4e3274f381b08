package revisions

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

func run(t *testing.T, dir, format string, opts Options) (string, error) {
	t.Helper()
	ios, _, out, _ := iostreams.Test()
	opts.Factory = &cmdutil.Factory{IOStreams: ios, DataDir: dir, Format: format, Offline: true}
	err := revisionsRun(&opts)
	return out.String(), err
}

// leedsCells reads Leeds' figures for the five CLA measures from one
// release's files with a plain CSV loop: "measure year" -> cell.
func leedsCells(t *testing.T, rates, ceased, breakdown string) map[string]string {
	out := map[string]string{}
	measure := map[string]string{
		"children looked after at 31 march each year": "cla_31march", "children looked after on 31 march each year": "cla_31march",
		"children starting to be looked after each year": "cla_starts", "children ceasing to be looked after each year": "cla_ceased",
	}
	testfiles.EachRow(t, rates, func(row map[string]string) {
		if row["new_la_code"] != "E08000035" {
			return
		}
		pt, val := row["population_type"], row["children_count"]
		if pt == "" {
			pt, val = row["population_count"], row["number"]
		}
		if m := measure[strings.ToLower(pt)]; m != "" {
			out[m+" "+row["time_period"]] = val
		}
	})
	reasons := map[string]string{"Adopted": "adoptions", "Special guardianship orders": "sgo"}
	testfiles.EachRow(t, ceased, func(row map[string]string) {
		if row["new_la_code"] == "E08000035" && row["cla_group"] == "Reason episode ceased" && reasons[row["characteristic"]] != "" {
			out[reasons[row["characteristic"]]+" "+row["time_period"]] = row["number"]
		}
	})
	testfiles.EachRow(t, breakdown, func(row map[string]string) {
		k := reasons[row["cla_group"]] + " " + row["time_period"]
		if _, have := out[k]; row["new_la_code"] == "E08000035" && reasons[row["cla_group"]] != "" && row["characteristic"] == "Total" && !have {
			out[k] = row["number"]
		}
	})
	return out
}

// `revisions --la Leeds` lists exactly the Leeds figures that differ
// between the November 2022 release and today's, by a hand diff.
func TestRevisionsLeedsMatchesHandDiff(t *testing.T) {
	dir := testfiles.LongSeriesDir(t)
	archive := filepath.Join(testfiles.SharedArchive(t), "cla-release-2022")
	cla := filepath.Join(testfiles.SharedEES(t), "cla")
	old := leedsCells(t, filepath.Join(archive, "cla_number_and_rate_per_10k_children.csv"),
		filepath.Join(archive, "la_children_who_ceased_during_year.csv"),
		filepath.Join(archive, "la_children_who_ceased_during_the_year_sgo_adoptions.csv"))
	cur := leedsCells(t, filepath.Join(cla, "cla_number_and_rate_per_10k_children.csv"),
		filepath.Join(cla, "la_children_who_ceased_during_the_year.csv"),
		filepath.Join(cla, "la_children_who_ceased_during_the_year_sgo_adoption.csv"))
	var want []string
	for k, was := range old {
		if now, ok := cur[k]; ok && now != was {
			want = append(want, fmt.Sprintf("%s %s -> %s", k, was, now))
		}
	}
	if len(want) == 0 {
		t.Fatal("hand diff found no Leeds revision; expected some between the 2022 and current releases")
	}
	out, err := run(t, dir, "csv", Options{LAs: []string{"Leeds"}})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := map[string]int{}
	for i, h := range recs[0] {
		head[h] = i
	}
	var got []string
	for _, r := range recs[1:] {
		if r[head["la_name"]] != "Leeds" || r[head["old_release"]] != "2022" {
			t.Errorf("row %v: not Leeds or not from the 2022 release", r)
		}
		got = append(got, fmt.Sprintf("%s %s %s -> %s", r[head["measure"]], r[head["time_period"]], r[head["old_value"]], r[head["new_value"]]))
	}
	sort.Strings(want)
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("revisions --la Leeds:\n%s\nhand diff:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// --measure narrows; JSON carries the same rows and the sources.
	out, err = run(t, dir, "json", Options{LAs: []string{"Leeds"}, Measures: []string{"cla_31march"}})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Revisions []map[string]any `json:"revisions"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, w := range want {
		if strings.HasPrefix(w, "cla_31march ") {
			n++
		}
	}
	if len(doc.Revisions) != n {
		t.Errorf("--measure cla_31march: %d rows, hand diff has %d", len(doc.Revisions), n)
	}
	for _, r := range doc.Revisions {
		if r["measure"] != "cla_31march" || !strings.Contains(fmt.Sprint(r["old_source"]), "cla_number_and_rate_per_10k_children.csv:") {
			t.Errorf("row %v", r)
		}
		if ch, ok := r["change"].(float64); !ok || ch != r["new_value"].(float64)-r["old_value"].(float64) {
			t.Errorf("change %v in %v", r["change"], r)
		}
	}
}

func TestRevisionsUnknownMeasure(t *testing.T) {
	_, err := run(t, t.TempDir(), "table", Options{Measures: []string{"nope"}})
	if err == nil || !cmdutil.IsFlagError(err) {
		t.Errorf("err = %v, want a usage error", err)
	}
}
