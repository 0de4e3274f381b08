package ees

import (
	"strconv"
	"testing"
)

// smallWhole is a shortcut of ParseValue: whatever it accepts, ParseFloat
// reads as the same number.
func FuzzSmallWhole(f *testing.F) {
	for _, s := range []string{"0", "007", "123456789012345", "1234567890123456", "12a", "", " 1", "-1", "1.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := smallWhole(s)
		if !ok {
			return
		}
		want, err := strconv.ParseFloat(s, 64)
		if err != nil || want != n {
			t.Fatalf("smallWhole(%q) = %v; ParseFloat gives %v, %v", s, n, want, err)
		}
	})
}

func TestSmallWhole(t *testing.T) {
	for s, want := range map[string]bool{"0": true, "999999999999999": true, "1000000000000000": false, "": false, " 1": false, "1,234": false, "+1": false} {
		if _, ok := smallWhole(s); ok != want {
			t.Errorf("smallWhole(%q) accepted: %v, want %v", s, ok, want)
		}
	}
}
