package dataset

import (
	"math/rand"
	"reflect"
	"testing"

	"github.com/cscstats/cscstats/pkg/testfiles"
)

// The binary layout must give back exactly the store that was loaded:
// every field, nil apart from empty, numbers to the bit. A field added
// to the store and not to the layout fails here.
func TestStoreBinaryRoundTrip(t *testing.T) {
	dirs := []string{testfiles.Fixture(t, "ees", "rates"), testfiles.Fixture(t, "ees", "releases"),
		testfiles.Fixture(t, "ees", "recoded"), testfiles.Fixture(t, "ees", "meta"), testfiles.Fixture(t, "ees", "duplicate"),
		testfiles.Fixture(t, "ees", "manifest"), testfiles.Fixture(t, "ees", "renamed")}
	if testing.Short() {
		t.Log("-short: fixtures only")
	} else {
		dirs = append(dirs, testfiles.LongSeriesDir(t))
	}
	for _, dir := range dirs {
		st, err := Load(dir)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		b, err := st.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var got Store
		if err := got.UnmarshalBinary(b); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if !reflect.DeepEqual(&got, st) {
			t.Errorf("%s: the store read back differs from the one written", dir)
		}
		again, _ := got.MarshalBinary()
		if string(again) != string(b) {
			t.Errorf("%s: writing the store read back gives other bytes", dir)
		}
	}
}

// Truncated or corrupt bytes give an error (or, by chance, some store),
// never a panic.
func TestStoreBinaryCorrupt(t *testing.T) {
	st, err := Load(testfiles.Fixture(t, "ees", "releases"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := st.MarshalBinary()
	for n := 0; n < len(b); n++ {
		var s Store
		if err := s.UnmarshalBinary(b[:n]); err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", n, len(b))
		}
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 5000; i++ {
		c := append([]byte(nil), b...)
		for j := 0; j < 1+rng.Intn(4); j++ {
			c[rng.Intn(len(c))] = byte(rng.Intn(256))
		}
		var s Store
		_ = s.UnmarshalBinary(c)
	}
}

func FuzzStoreUnmarshal(f *testing.F) {
	st, err := Load(testfiles.Fixture(f, "ees", "rates"))
	if err != nil {
		f.Fatal(err)
	}
	b, _ := st.MarshalBinary()
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Store
		_ = s.UnmarshalBinary(b)
	})
}
