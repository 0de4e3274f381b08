package cache

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// copyFixture copies the hand-written fixture folder into a temporary
// data directory the test may change.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	src := testfiles.Fixture(t, "ees", name)
	dir := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// england is the England Section47 count of the fixture's 2025 row.
func england(t *testing.T, st *dataset.Store) float64 {
	t.Helper()
	for _, o := range st.Observations("s47") {
		if o.Year == 2025 && o.Geo.Level == "National" {
			return o.Count.Number
		}
	}
	t.Fatal("no England s47 figure for 2025")
	return 0
}

func load(t *testing.T, c Store, dir string) (*dataset.Store, Result) {
	t.Helper()
	st, res, err := c.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return st, res
}

func TestCacheHitThenRebuildWhenAFileChanges(t *testing.T) {
	dir := copyFixture(t, "rates")
	c := Store{Dir: t.TempDir(), Version: "test"}
	data := filepath.Join(dir, "s47_icpc_2024_to_2025.csv")

	first, res := load(t, c, dir)
	if res.Hit || res.Err != nil {
		t.Fatalf("first load: want a miss that writes the cache, got %+v", res)
	}
	second, res := load(t, c, dir)
	if !res.Hit {
		t.Fatalf("second load: want a hit, got %+v", res)
	}
	if !reflect.DeepEqual(first, second) {
		t.Fatal("the cached store differs from the loaded one")
	}
	// The fixture's England row gives Section47 1000 (line 2).
	if got := england(t, second); got != 1000 {
		t.Fatalf("England s47 2025 = %v, the fixture says 1000", got)
	}
	fi, err := os.Stat(res.Path)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("cache file %s: mode %v, err %v; want 0644", res.Path, fi.Mode().Perm(), err)
	}

	// Same size, same modification time, different content: 1000 -> 7000.
	before, err := os.Stat(data)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(data)
	changed := bytes.Replace(b, []byte("Conferences,1000,400"), []byte("Conferences,7000,400"), 1)
	if bytes.Equal(b, changed) {
		t.Fatal("fixture row not found")
	}
	if err := os.WriteFile(data, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(data, before.ModTime(), before.ModTime()); err != nil {
		t.Fatal(err)
	}
	third, res := load(t, c, dir)
	if res.Hit {
		t.Fatal("a changed file (same size and time) still read from the cache")
	}
	if got := england(t, third); got != 7000 {
		t.Errorf("after the change: England s47 2025 = %v, the file now says 7000", got)
	}
	fourth, res := load(t, c, dir)
	if !res.Hit || england(t, fourth) != 7000 {
		t.Errorf("the rebuilt cache: hit %v, England %v; want a hit giving 7000", res.Hit, england(t, fourth))
	}

	// A new file, a removed file, a touched file: each rebuilds.
	extra := filepath.Join(dir, "notes.csv")
	if err := os.WriteFile(extra, []byte("a,b\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, res := load(t, c, dir); res.Hit {
		t.Error("a new file: still a hit")
	}
	if err := os.Remove(extra); err != nil {
		t.Fatal(err)
	}
	if _, res := load(t, c, dir); res.Hit {
		t.Error("a removed file: still a hit")
	}
	later := before.ModTime().Add(time.Hour)
	if err := os.Chtimes(data, later, later); err != nil {
		t.Fatal(err)
	}
	if _, res := load(t, c, dir); res.Hit {
		t.Error("a touched file: still a hit")
	}
	// Another build never reads this build's cache.
	if _, res := load(t, Store{Dir: c.Dir, Version: "other"}, dir); res.Hit {
		t.Error("another version read this build's cache")
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(c.Dir)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), suffix) {
			t.Errorf("left in the cache folder: %s", e.Name())
		}
	}
}

// A corrupt or truncated cache file is ignored, the store loaded from
// the files and the cache rewritten; a file that does not start as a
// cscstats cache (even an empty one) is never replaced.
func TestCacheCorruptOrForeign(t *testing.T) {
	dir := copyFixture(t, "rates")
	c := Store{Dir: t.TempDir(), Version: "test"}
	want, res := load(t, c, dir)
	good, err := os.ReadFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)-3] ^= 0xff
	for name, b := range map[string][]byte{
		"flipped byte": flipped,
		"truncated":    good[:len(good)/2],
		"header only":  []byte(magic),
	} {
		if err := os.WriteFile(res.Path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		got, r := load(t, c, dir)
		if r.Hit || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: hit %v, same store %v; want a miss giving the loaded store", name, r.Hit, reflect.DeepEqual(got, want))
		}
		if _, r := load(t, c, dir); !r.Hit {
			t.Errorf("%s: the cache was not rewritten", name)
		}
	}

	// Someone else's file where the cache would go: left alone.
	foreign := []byte("my own notes, not a cache\n")
	if err := os.WriteFile(res.Path, foreign, 0o600); err != nil {
		t.Fatal(err)
	}
	got, r := load(t, c, dir)
	if r.Hit || r.Err == nil || !reflect.DeepEqual(got, want) {
		t.Errorf("foreign file: hit %v, err %v; want a miss saying the file was left alone", r.Hit, r.Err)
	}
	if b, _ := os.ReadFile(res.Path); !bytes.Equal(b, foreign) {
		t.Error("a file cscstats did not write was replaced")
	}

	// An unusable cache folder (a file) only means no cache.
	blocked := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocked, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, r := load(t, Store{Dir: blocked, Version: "test"}, dir); r.Hit || !reflect.DeepEqual(got, want) {
		t.Errorf("cache folder is a file: hit %v", r.Hit)
	}
}

// Load errors are dataset.Load's, cache or not.
func TestCacheLoadError(t *testing.T) {
	dir := t.TempDir()
	_, _, err := Store{Dir: t.TempDir()}.Load(dir)
	_, werr := dataset.Load(dir)
	if err == nil || werr == nil || err.Error() != werr.Error() {
		t.Errorf("empty directory: cache gives %v, dataset.Load %v", err, werr)
	}
}

// A FIFO and a dangling link named .csv in the data directory are never
// opened (hashing a FIFO would wait for a writer forever): the cache
// still works, and the store equals an uncached load.
func TestCacheSkipsFilesThatAreNotRegular(t *testing.T) {
	dir := copyFixture(t, "rates")
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.csv"), 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	if err := os.Symlink(filepath.Join(dir, "gone.csv"), filepath.Join(dir, "dangling.csv")); err != nil {
		t.Fatal(err)
	}
	c := Store{Dir: t.TempDir(), Version: "test"}
	done := make(chan struct{})
	var first, second *dataset.Store
	var res1, res2 Result
	var err1, err2 error
	go func() {
		defer close(done)
		first, res1, err1 = c.Load(dir)
		second, res2, err2 = c.Load(dir)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("loading through the cache hangs on a FIFO named .csv")
	}
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if res1.Hit || res1.Err != nil || !res2.Hit {
		t.Fatalf("want a miss then a hit, got %+v then %+v", res1, res2)
	}
	plain, err := dataset.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(second, plain) || !reflect.DeepEqual(first, plain) {
		t.Error("the cached store differs from an uncached load")
	}
	if got := england(t, second); got != 1000 {
		t.Errorf("England s47 2025 = %v, the fixture says 1000", got)
	}
}

// With every ctime trusted (no racy window), an unchanged directory is
// validated by the files' status alone, and a change of content that
// keeps the size and modification time is still seen: the write moved
// the file's ctime.
func TestCacheTrustsStatusOnlyWhileTheCtimeIsUnchanged(t *testing.T) {
	if (fileIDOf(statOf(t, ".")) == fileID{}) {
		t.Skip("no inode and ctime on this system: every file is hashed")
	}
	old := racyWindow
	racyWindow = -time.Hour // a cache written "an hour ago": nothing is racy
	defer func() { racyWindow = old }()
	dir := copyFixture(t, "rates")
	c := Store{Dir: t.TempDir(), Version: "test"}
	data := filepath.Join(dir, "s47_icpc_2024_to_2025.csv")

	if _, res := load(t, c, dir); res.Hit {
		t.Fatal("first load: want a miss")
	}
	saved, err := sources(dir)
	if err != nil {
		t.Fatal(err)
	}
	now, _ := sources(dir)
	for i := range now {
		if !trusted(saved[i], now[i], time.Now().UnixNano()) {
			t.Errorf("%s unchanged but not trusted without hashing", now[i].rel)
		}
	}
	second, res := load(t, c, dir)
	if !res.Hit || england(t, second) != 1000 {
		t.Fatalf("second load: hit %v, England %v; want a hit giving 1000", res.Hit, england(t, second))
	}

	before := statOf(t, data)
	b, _ := os.ReadFile(data)
	changed := bytes.Replace(b, []byte("Conferences,1000,400"), []byte("Conferences,7000,400"), 1)
	if bytes.Equal(b, changed) || len(b) != len(changed) {
		t.Fatal("fixture row not found")
	}
	if err := os.WriteFile(data, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(data, before.ModTime(), before.ModTime()); err != nil {
		t.Fatal(err)
	}
	after := statOf(t, data)
	if after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
		t.Fatal("the change did not keep the size and modification time")
	}
	third, res := load(t, c, dir)
	if res.Hit {
		t.Fatal("a changed file (same size and modification time) still read from the cache")
	}
	if got := england(t, third); got != 7000 {
		t.Errorf("after the change: England s47 2025 = %v, the file now says 7000", got)
	}
}

func statOf(t *testing.T, path string) os.FileInfo {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

// A cache file of an older layout is ours: it is replaced, not left in
// the way.
func TestCacheReplacesAnOlderLayout(t *testing.T) {
	dir := copyFixture(t, "rates")
	c := Store{Dir: t.TempDir(), Version: "test"}
	_, res := load(t, c, dir)
	if err := os.WriteFile(res.Path, []byte(ours+"v1\nwhatever the old layout held"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, res := load(t, c, dir); res.Hit || res.Err == nil {
		t.Fatalf("an old layout: want a miss saying why, got %+v", res)
	}
	if st, res := load(t, c, dir); !res.Hit || england(t, st) != 1000 {
		t.Fatalf("after an old layout: want the cache rewritten and hit, got %+v", res)
	}
}
