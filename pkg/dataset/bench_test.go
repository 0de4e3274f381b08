package dataset_test

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// BenchmarkLoad pairs each load with its limit in one run: plain
// encoding/csv reading every record of the same files and doing nothing
// with the fields (issue 13's target: loading within 1.5× of it).
//
//   - shared-ees: the recognised files of ../shared/ees (LoadFiles);
//
//   - long-series: ../shared/ees and ../shared/ees-archive as one data
//     directory, every release side by side, walk and resolve included
//     (Load), against every CSV file Load reads.
//
//   - paired: the load and encoding/csv alternated in one loop, the
//     ratio of their total times (see benchPaired).
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
	b.Run("shared-ees/paired", func(b *testing.B) {
		benchPaired(b, recognised, func() error { _, err := dataset.LoadFiles(shared, recognised); return err })
	})

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
	b.Run("long-series/paired", func(b *testing.B) {
		benchPaired(b, all, func() error { _, err := dataset.Load(long); return err })
	})
}

// benchPaired runs a load and encoding/csv over the same files in turn,
// the same number of times, and reports the ratio of their total times
// (load/csv): on a shared machine whose load drifts within seconds, the
// separate sub-benchmarks above can meet different loads, which skews
// their ratio either way; alternating puts both under the same.
func benchPaired(b *testing.B, paths []string, load func() error) {
	b.SetBytes(size(b, paths))
	var loadTime, csvTime time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := load(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		readCSV(b, paths)
		loadTime += t1.Sub(t0)
		csvTime += time.Since(t1)
	}
	b.ReportMetric(float64(loadTime)/float64(csvTime), "load/csv")
	b.ReportMetric(loadTime.Seconds()*1000/float64(b.N), "load-ms/op")
	b.ReportMetric(csvTime.Seconds()*1000/float64(b.N), "csv-ms/op")
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
		readCSV(b, paths)
	}
}

func readCSV(b *testing.B, paths []string) {
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

// BenchmarkLoadMostlyUnread loads a generated data directory of
// $CSCSTATS_BENCH_MB megabytes (skipped when unset) in which one row in
// 100 feeds a measure and the rest are breakdowns no measure reads,
// paired with encoding/csv over the same files, with the peak resident
// memory of each (peak-RSS-MB, Linux). Issue 13's target: about 1 GB
// loads in ≤ 256 MB resident, memory following the figures kept rather
// than the bytes read.
//
//	CSCSTATS_BENCH_MB=1024 go test -run XXX -bench MostlyUnread -benchtime 1x ./pkg/dataset/
func BenchmarkLoadMostlyUnread(b *testing.B) {
	mb := testfiles.LargeMB(0)
	if mb == 0 {
		b.Skip("set " + testfiles.EnvLarge + " (for example 1024) to generate and load a data directory that large")
	}
	dir := b.TempDir()
	const files = 4
	var paths []string
	kept := 0
	for i := 0; i < files; i++ {
		p := filepath.Join(dir, fmt.Sprintf("la_cla_who_started_to_be_looked_after_%d.csv", i))
		kept += testfiles.WriteSyntheticCLAStarted(b, p, int64(mb)<<20/files, 100, i*100000)
		paths = append(paths, p)
	}
	peak := func(b *testing.B, fn func()) {
		runtime.GC()
		testfiles.ResetPeakRSS()
		for b.Loop() {
			fn()
		}
		b.ReportMetric(float64(testfiles.PeakRSS())/(1<<20), "peak-RSS-MB")
	}
	b.Run("load", func(b *testing.B) {
		b.SetBytes(size(b, paths))
		peak(b, func() {
			st, err := dataset.Load(dir)
			if err != nil {
				b.Fatal(err)
			}
			if n := len(st.Observations("under1_starts")); n != kept {
				b.Fatalf("kept %d figures, wrote %d", n, kept)
			}
		})
		b.ReportMetric(float64(kept), "figures-kept")
	})
	b.Run("encoding-csv", func(b *testing.B) {
		b.SetBytes(size(b, paths))
		peak(b, func() { readCSV(b, paths) })
	})
}
