package fetch

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
)

// FuzzManifest: any bytes as manifest.json never panic; an accepted
// manifest saves and loads back to the same entries, and checking it
// against an empty folder reads nothing outside it (every entry is missing
// or refused as unsafe; none is OK).
func FuzzManifest(f *testing.F) {
	f.Add([]byte(`{"version":1,"files":[{"path":"pub/rel/a.csv","sha256":"x","bytes":1}]}`))
	f.Add([]byte(`{"version":1,"files":[{"path":"../../etc/passwd"},{"path":"/dev/zero"}]}`))
	f.Add([]byte(`{"version":2}`))
	f.Add([]byte(`{"version":1,"files":[{"path":"a\u0000b"}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseManifest(b, "manifest.json")
		if err != nil {
			return
		}
		dir := t.TempDir()
		if err := m.Save(dir); err != nil {
			t.Fatalf("Save: %v", err)
		}
		back, err := LoadManifest(dir)
		if err != nil {
			t.Fatalf("saved manifest does not load: %v", err)
		}
		want := append([]Entry{}, m.Files...)
		sort.Slice(want, func(i, j int) bool { return want[i].Path < want[j].Path })
		if len(want) != len(back.Files) || (len(want) > 0 && !reflect.DeepEqual(want, back.Files)) {
			t.Fatalf("round trip: %+v != %+v", want, back.Files)
		}
		empty := filepath.Join(dir, "empty")
		if err := os.Mkdir(empty, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := m.Save(empty); err != nil {
			t.Fatal(err)
		}
		rep, err := Check(empty)
		if err != nil {
			t.Fatalf("Check: %v", err)
		}
		for _, p := range rep.OK {
			if p != ManifestName {
				t.Fatalf("Check found %q in an empty folder", p)
			}
		}
	})
}

// TestHashFileCapsSize: a file over the cap fails with ErrTooLarge after
// reading one byte past it, not the whole file.
func TestHashFileCapsSize(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(p, make([]byte, 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, n, err := hashFileMax(p, 999)
	if !errors.Is(err, ErrTooLarge) || sum != "" || n != 1000 {
		t.Fatalf("got %q %d %v", sum, n, err)
	}
	if _, n, err := hashFileMax(p, 1000); err != nil || n != 1000 {
		t.Fatalf("at the cap: %d %v", n, err)
	}
}
