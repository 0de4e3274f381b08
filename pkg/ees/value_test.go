package ees_test

import (
	"math"
	"testing"

	"github.com/cscstats/cscstats/pkg/ees"
)

func TestParseValueNumbers(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
	}{
		{"0", 0},
		{"7", 7},
		{"1910", 1910},
		{"1,234", 1234},
		{"12,345,678", 12345678},
		{"-5", -5},
		{"-1,234", -1234},
		{"+3", 3},
		{"2.5", 2.5},
		{"0.25", 0.25},
		{"-12,345.5", -12345.5},
		{".5", 0.5},
		{"1e3", 1000},
		{"  42  ", 42},
		{"\t56.0\t", 56},
	} {
		v, ok := ees.ParseValue(tc.in)
		if !ok {
			t.Errorf("ParseValue(%q) rejected, want %v", tc.in, tc.want)
			continue
		}
		if !v.OK() || v.Symbol != "" {
			t.Errorf("ParseValue(%q) = missing %q, want number %v", tc.in, v.Symbol, tc.want)
			continue
		}
		if v.Number != tc.want {
			t.Errorf("ParseValue(%q) = %v, want %v", tc.in, v.Number, tc.want)
		}
	}
}

// Every EES symbol is missing data with its reason, never the number 0.
func TestParseValueSymbols(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want ees.Symbol
	}{
		{"c", ees.Suppressed},
		{"C", ees.Suppressed},
		{" c ", ees.Suppressed},
		{"x", ees.NotAvailable},
		{"z", ees.NotApplicable},
		{"low", ees.Low},
		{"LOW", ees.Low},
		{"k", ees.LowK},
		{"u", ees.LowReliability},
		{":", ees.LegacyNotAvailable},
		{"~", ees.LegacyLow},
		{"", ees.Blank},
		{"   ", ees.Blank},
	} {
		v, ok := ees.ParseValue(tc.in)
		if !ok {
			t.Errorf("ParseValue(%q) rejected, want symbol %q", tc.in, tc.want)
			continue
		}
		if v.OK() {
			t.Errorf("ParseValue(%q) = number %v, want missing (%q)", tc.in, v.Number, tc.want)
		}
		if v.Symbol != tc.want {
			t.Errorf("ParseValue(%q).Symbol = %q, want %q", tc.in, v.Symbol, tc.want)
		}
		if d := v.Symbol.Describe(); d == "" || d == "number" {
			t.Errorf("Symbol %q describes itself as %q", v.Symbol, d)
		}
	}
}

func TestParseValueRejects(t *testing.T) {
	for _, in := range []string{
		"12abc", "abc", "Inf", "-Inf", "+Inf", "inf", "Infinity", "NaN", "nan",
		"0x10", "0X1p4", "1_000", "1,2", "12,34", "1,2345", "12,34,567", ",123", "1,234,",
		"1,234.5,6", "1.2.3", "--1", "-", ".", "e5", "1e", "1e400", "12 34", "c c", "n/a", "-c",
	} {
		if v, ok := ees.ParseValue(in); ok {
			t.Errorf("ParseValue(%q) accepted as %+v, want rejected", in, v)
		}
	}
}

func TestValueString(t *testing.T) {
	for _, tc := range []struct {
		v    ees.Value
		want string
	}{
		{ees.Num(1234), "1234"},
		{ees.Num(2.5), "2.5"},
		{ees.Missing(ees.Suppressed), "c"},
		{ees.Missing(ees.Blank), ""},
	} {
		if got := tc.v.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.v, got, tc.want)
		}
		// Round trip: what String writes, ParseValue reads back.
		back, ok := ees.ParseValue(tc.v.String())
		if !ok || back.Symbol != tc.v.Symbol || (tc.v.OK() && back.Number != tc.v.Number) {
			t.Errorf("round trip of %+v gave %+v, %v", tc.v, back, ok)
		}
	}
	if m := ees.Missing(ees.Suppressed); m.OK() || !math.IsNaN(nanIfMissing(m)) {
		t.Error("a suppressed value must not read as a number")
	}
}

func nanIfMissing(v ees.Value) float64 {
	if !v.OK() {
		return math.NaN()
	}
	return v.Number
}
