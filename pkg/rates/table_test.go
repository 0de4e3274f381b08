package rates_test

import (
	"math"
	"reflect"
	"strconv"
	"testing"

	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/rates"
)

// SectionWith's rows are Section's rows followed by the extra cells, and
// its columns Columns followed by the extra columns; Columns itself is
// never written to.
func TestSectionWithAddsCellsAfterSection(t *testing.T) {
	rs := make([]rates.Rate, 50)
	for i := range rs {
		rs[i] = rates.Rate{Measure: "s47", Year: 2020 + i%3, Area: rates.Area{Level: rates.LocalAuthority, Code: "E0" + strconv.Itoa(i), Name: "A" + strconv.Itoa(i), OldCode: strconv.Itoa(100 + i)},
			Count: ees.Num(float64(i)), Note: "n" + strconv.Itoa(i), PopSource: "p", Vintage: "latest", Population: float64(1000 + i), Value: float64(i) / 3, Lower: math.NaN(), Upper: 1}
		if i%7 == 0 {
			rs[i].Count = ees.Missing(ees.Suppressed)
		}
	}
	before := append([]export.Column(nil), rates.Columns...)
	extraCols := []export.Column{{Name: "old_la_code", Decimals: -1}, {Name: "n", Decimals: 0}}
	plain := rates.Section("t", "T", rs)
	with := rates.SectionWith("t", "T", rs, extraCols, func(dst []export.Cell, r *rates.Rate) []export.Cell {
		return append(dst, export.Str(r.Area.OldCode), export.Int(r.Year))
	})
	if !reflect.DeepEqual(rates.Columns, before) {
		t.Fatal("SectionWith changed rates.Columns")
	}
	if want := append(append([]export.Column(nil), before...), extraCols...); !reflect.DeepEqual(with.Columns, want) {
		t.Fatalf("columns %v, want %v", with.Columns, want)
	}
	if with.Len() != len(rs) {
		t.Fatalf("%d rows, want %d", with.Len(), len(rs))
	}
	if len(plain.Rows) != len(rs) {
		t.Fatalf("Section has %d rows in Rows, want %d", len(plain.Rows), len(rs))
	}
	for i := range rs {
		want := []export.Cell{export.Str(rs[i].ProvenanceText()), export.Str(string(rs[i].Vintage)), export.Str(rs[i].PopSource), export.Str(rs[i].Note)}
		if got := with.JSONOnlyRow(i); !reflect.DeepEqual(got, want) || !reflect.DeepEqual(plain.JSONOnlyRow(i), want) {
			t.Fatalf("row %d JSON-only cells %v, want %v", i, got, want)
		}
	}
	for i := range with.Len() {
		row := with.Row(i, nil)
		want := append(append([]export.Cell(nil), plain.Rows[i]...), export.Str(strconv.Itoa(100+i)), export.Int(rs[i].Year))
		if len(row) != len(want) {
			t.Fatalf("row %d: %d cells, want %d", i, len(row), len(want))
		}
		for j := range row {
			// NaN cells compare unequal with ==; compare their text form.
			if row[j].Text != want[j].Text || row[j].IsNum != want[j].IsNum || row[j].Missing != want[j].Missing ||
				(row[j].Number != want[j].Number && !(math.IsNaN(row[j].Number) && math.IsNaN(want[j].Number))) {
				t.Fatalf("row %d cell %d: %+v, want %+v", i, j, row[j], want[j])
			}
		}
	}
}
