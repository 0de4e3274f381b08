package ees_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/ees"
)

// FuzzReader feeds arbitrary bytes to the reader and reads every row and
// cell: it must never panic, and every failure must be a *ParseError that
// names the file. Run with: go test -run XXX -fuzz FuzzReader -fuzztime 20s ./pkg/ees/
func FuzzReader(f *testing.F) {
	f.Add([]byte("\ufeff" + hdrA + "\r\n" + rowA + "\r\n"))
	f.Add([]byte(hdrB + "\n" + rowB + "\n"))
	f.Add([]byte(hdrA + "\n2021,Reporting year,National,E92000001,England,,,,,,12abc,7\n"))
	f.Add([]byte(hdrA + "\n2021,Reporting year,National,E92000001,England,,,,,5,6\n"))
	f.Add([]byte(hdrA + "\n2021,Reporting year,National,E92000001,England,,,,,\"a\nb\",5,6\n"))
	f.Add([]byte("<!DOCTYPE html><html></html>"))
	f.Add([]byte("PK\x03\x04\x00\x00"))
	f.Add([]byte(""))
	f.Add([]byte("time_period,time_identifier,geographic_level,country_code,country_name,time_period\n1,2,3,4,5,6\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.csv"
		check := func(err error) {
			var pe *ees.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *ParseError", err, err)
			}
			if pe.File != name || !strings.HasPrefix(err.Error(), name) {
				t.Fatalf("error does not name the file: %v", err)
			}
		}
		r, err := ees.NewReader(bytes.NewReader(data), name)
		if err != nil {
			check(err)
			return
		}
		for {
			row, err := r.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				check(err)
				return
			}
			if row.Line() < 2 {
				t.Fatalf("data row on line %d", row.Line())
			}
			_ = row.Geography()
			for _, c := range append(r.Header(), "no_such_column") {
				_ = row.Text(c)
				v, err := row.Value(c)
				if err != nil {
					check(err)
					continue
				}
				if !v.OK() && v.Number != 0 {
					t.Fatalf("missing value carries a number: %+v", v)
				}
			}
		}
	})
}

// FuzzParseValue: ParseValue never panics, and whatever it accepts as a
// number is finite and prints back to a number it accepts again.
func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"1,234", "-1.5", "c", "", "Inf", "0x10", "1,2", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := ees.ParseValue(s)
		if !ok || !v.OK() {
			return
		}
		if v.Number != v.Number || v.Number > 1e308 || v.Number < -1e308 {
			t.Fatalf("ParseValue(%q) = %v, not finite", s, v.Number)
		}
		back, ok := ees.ParseValue(v.String())
		if !ok || back != v {
			t.Fatalf("ParseValue(%q) = %v; reparsing %q gave %+v, %v", s, v, v.String(), back, ok)
		}
	})
}
