package ees_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

func TestOpenUsesMetaLabels(t *testing.T) {
	path := filepath.Join(testfiles.Fixture(t, "ees", "meta"), "s47_icpc.csv")
	r, closer, err := ees.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	m := r.Meta()
	if m == nil {
		t.Fatal("Open did not attach s47_icpc.meta.csv")
	}
	// Labels as written in testdata/ees/meta/s47_icpc.meta.csv.
	if got := m.Label("Section47", "Section47"); got != "Section 47 enquiries started" {
		t.Errorf("Section47 label = %q", got)
	}
	if got := m.Label("ICPC", "ICPC"); got != "Initial child protection conferences, held" {
		t.Errorf("ICPC label = %q", got)
	}
	if got := m.Label("CPP_At31", "fallback"); got != "fallback" {
		t.Errorf("label of a column the meta lacks = %q, want the fallback", got)
	}
	if c := m.Columns["ICPC"]; c.Type != "Indicator" || c.Decimals != "0" {
		t.Errorf("ICPC meta = %+v", c)
	}
}

func TestOpenWithoutMeta(t *testing.T) {
	path := filepath.Join(testfiles.Fixture(t, "ees", "meta"), "s47_icpc.meta.csv")
	if !ees.IsMetaFile(path) || ees.IsMetaFile("x.csv") {
		t.Error("IsMetaFile")
	}
	if got := ees.MetaPath("a/b.csv"); got != "a/b.meta.csv" {
		t.Errorf("MetaPath = %q", got)
	}
	var m *ees.Meta // no meta file: labels fall back
	if got := m.Label("Section47", "Section47"); got != "Section47" {
		t.Errorf("nil meta label = %q", got)
	}
}

func TestOpenBadMeta(t *testing.T) {
	path := filepath.Join(testfiles.Fixture(t, "ees", "badmeta"), "s47_icpc.csv")
	_, _, err := ees.Open(path)
	if err == nil {
		t.Fatal("a .meta.csv without col_name was accepted")
	}
	wantParseError(t, err, ees.MetaPath(path), 1, 0, `meta column "col_name"`)
	if !strings.Contains(err.Error(), "s47_icpc.meta.csv") {
		t.Errorf("error does not name the meta file: %v", err)
	}
}
