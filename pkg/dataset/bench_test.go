package dataset_test

import (
	"encoding/csv"
	"os"
	"testing"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// BenchmarkLoad pairs each load with its limit in one run: plain
// encoding/csv reading every record of the same files and doing nothing
// with the fields (issue 13's target: loading within 1.5× of it).
//
//   - shared-ees: the recognised files of ../shared/ees (LoadFiles);
//   - long-series: ../shared/ees and ../shared/ees-archive as one data
//     directory, every release side by side, walk and resolve included
//     (Load), against every CSV file Load reads.
//
// Run: go test -run XXX -bench 'Load$' -benchmem ./pkg/dataset/
func BenchmarkLoad(b *testing.B) {
	shared := testfiles.SharedEES(b)
	st, err := dataset.Load(shared)
	if err != nil {
		b.Fatal(err)
	}
	var recognised []string
	for _, f := range st.Recognised() {
		recognised = append(recognised, f.Path)
	}
	b.Run("shared-ees/load", func(b *testing.B) {
		b.SetBytes(size(b, recognised))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := dataset.LoadFiles(shared, recognised); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("shared-ees/encoding-csv", func(b *testing.B) { benchCSV(b, recognised) })

	long := testfiles.LongSeriesDir(b)
	st, err = dataset.Load(long)
	if err != nil {
		b.Fatal(err)
	}
	var all []string
	for _, f := range st.Files {
		all = append(all, f.Path)
	}
	b.Run("long-series/load", func(b *testing.B) {
		b.SetBytes(size(b, all))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := dataset.Load(long); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("long-series/encoding-csv", func(b *testing.B) { benchCSV(b, all) })
}

func size(b *testing.B, paths []string) int64 {
	var n int64
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			b.Fatal(err)
		}
		n += fi.Size()
	}
	return n
}

// benchCSV is the limit: encoding/csv over the files, records reused.
func benchCSV(b *testing.B, paths []string) {
	b.SetBytes(size(b, paths))
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range paths {
			f, err := os.Open(p)
			if err != nil {
				b.Fatal(err)
			}
			r := csv.NewReader(f)
			r.FieldsPerRecord = -1
			r.ReuseRecord = true
			for {
				if _, err := r.Read(); err != nil {
					break
				}
			}
			f.Close()
		}
	}
}
