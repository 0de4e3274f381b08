package ees

import (
	"encoding/binary"
	"math/bits"
	"math/rand"
	"testing"
)

// The first byte specialBytes marks is the first byte of the word whose
// class is not 0, worked out byte by byte from the table, for every byte
// value at every position among plain bytes and for random words (where
// marks above the first may be false, and only the first is used).
func TestSpecialBytesFindsTheFirstByteNeedingWork(t *testing.T) {
	first := func(w []byte) int {
		for i, c := range w {
			if byteClass[c] != 0 {
				return i
			}
		}
		return 8
	}
	check := func(w []byte) {
		t.Helper()
		m := specialBytes(binary.LittleEndian.Uint64(w))
		got := 8
		if m != 0 {
			got = bits.TrailingZeros64(m) >> 3
		}
		if want := first(w); got != want {
			t.Fatalf("word %q: first marked byte %d, byte by byte %d", w, got, want)
		}
	}
	for pos := 0; pos < 8; pos++ {
		for c := 0; c < 256; c++ {
			w := []byte("abcdefgh")
			w[pos] = byte(c)
			check(w)
		}
	}
	rng := rand.New(rand.NewSource(5))
	pool := []byte{',', '"', '\r', '\n', 0, 0x1f, 0x20, 0x21, 0x7e, 0x7f, 0x80, 0xff, 'a', '9'}
	w := make([]byte, 8)
	for n := 0; n < 200000; n++ {
		for i := range w {
			if rng.Intn(2) == 0 {
				w[i] = pool[rng.Intn(len(pool))]
			} else {
				w[i] = byte(rng.Intn(256))
			}
		}
		check(w)
	}
}
