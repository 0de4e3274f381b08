package eestest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Real publication facts (from the EES service; see shared/notes/ees-api.md).
const (
	CINSlug    = "children-in-need"
	CINOldSlug = "characteristics-of-children-in-need"
	CINID      = "89869bba-0c00-40f7-b7d6-e28cb904ad37"
	CINRelease = "2024-25"
	CLASlug    = "children-looked-after-in-england-including-adoptions"
	CLAID      = "3260801d-601a-48c6-93b7-cf51680323d1"
	CLARelease = "2025"
	// CLAOldRelease holds la_cla_who_started_to_be_looked_after.csv, which
	// comes from an older release (2018-2022 data).
	CLAOldRelease = "2022"
	CLAOldFile    = "la_cla_who_started_to_be_looked_after.csv"
)

// SharedEESDir finds shared/ees by walking up from the working directory
// (the shared folder sits beside the repository root). ok is false when it
// is not there.
func SharedEESDir() (dir string, ok bool) {
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for d := wd; ; d = filepath.Dir(d) {
		cand := filepath.Join(d, "shared", "ees")
		if st, err := os.Stat(filepath.Join(cand, "README.md")); err == nil && st.Mode().IsRegular() {
			return cand, true
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}

// RequireSharedEES returns shared/ees or skips the test with a clear message.
func RequireSharedEES(tb testing.TB) string {
	tb.Helper()
	d, ok := SharedEESDir()
	if !ok {
		tb.Skip("shared/ees (the real DfE files) not found beside the repository; skipping the real-file test")
	}
	return d
}

func csvFiles(dir string) ([]File, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []File
	for _, e := range ents {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".csv") {
			out = append(out, File{Name: e.Name(), Path: filepath.Join(dir, e.Name())})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	if len(out) == 0 {
		return nil, fmt.Errorf("no CSV files in %s", dir)
	}
	return out, nil
}

// RealConfig serves the real files in shared/ees (read from disk at each
// request, never copied): Children in need (slug children-in-need, release
// 2024-25, with the old slug characteristics-of-children-in-need redirected)
// and Children looked after (release 2025, plus release 2022 holding
// la_cla_who_started_to_be_looked_after.csv).
func RealConfig(sharedEES string) (Config, error) {
	cin, err := csvFiles(filepath.Join(sharedEES, "cin"))
	if err != nil {
		return Config{}, err
	}
	cla, err := csvFiles(filepath.Join(sharedEES, "cla"))
	if err != nil {
		return Config{}, err
	}
	var claNew, claOld []File
	for _, f := range cla {
		if f.Name == CLAOldFile {
			claOld = append(claOld, f)
		} else {
			claNew = append(claNew, f)
		}
	}
	return Config{
		Publications: []Publication{
			{ID: CINID, Slug: CINSlug, Title: "Children in need", Releases: []Release{
				{Slug: CINRelease, Title: "Reporting year 2025", Latest: true, Files: cin},
				{Slug: "2023-24", Title: "Reporting year 2024"},
			}},
			{ID: CLAID, Slug: CLASlug, Title: "Children looked after in England including adoptions", Releases: []Release{
				{Slug: CLARelease, Title: "Reporting year 2025", Latest: true, Files: claNew},
				{Slug: CLAOldRelease, Title: "Reporting year 2022", Files: claOld},
			}},
		},
		PublicationRedirects: map[string]string{CINOldSlug: CINSlug},
	}, nil
}
