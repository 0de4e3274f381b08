package dataset

import (
	"reflect"
	"testing"

	"github.com/cscstats/cscstats/pkg/testfiles"
)

// resolve finds keys in a table when the years are few and in a map
// otherwise (years far apart, in a damaged or hostile file): both give
// the same store, errors included.
func TestResolveTableAndMapAgree(t *testing.T) {
	dirs := []string{"rates", "releases", "recoded", "meta", "duplicate", "manifest", "renamed", "babies", "conflict"}
	for _, name := range dirs {
		resolveBothWays(t, name, testfiles.Fixture(t, "ees", name))
	}
	if testing.Short() {
		t.Skip("-short: fixtures only")
	}
	resolveBothWays(t, "long series", testfiles.LongSeriesDir(t))
}

func resolveBothWays(t *testing.T, name, dir string) {
	t.Helper()
	table, errTable := Load(dir)
	defer func(f func(int) int64) { denseLimit = f }(denseLimit)
	denseLimit = func(int) int64 { return 0 }
	m, errMap := Load(dir)
	if (errTable == nil) != (errMap == nil) || (errTable != nil && errTable.Error() != errMap.Error()) {
		t.Fatalf("%s: errors differ: %v and %v", name, errTable, errMap)
	}
	if !reflect.DeepEqual(table, m) {
		t.Errorf("%s: the store resolved with a map differs from the one resolved with a table", name)
	}
}
