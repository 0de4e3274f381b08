package testfiles

import (
	"bufio"
	"os"
	"strconv"
	"testing"
)

// EnvLarge sets the size in MB of the generated data that the large
// benchmarks (inspect on a big file, loading a big data directory) read;
// unset, they use a small size or skip, so `go test ./...` stays fast.
const EnvLarge = "CSCSTATS_BENCH_MB"

// LargeMB returns $CSCSTATS_BENCH_MB, or def when it is unset or not a
// positive number.
func LargeMB(def int) int {
	if n, err := strconv.Atoi(os.Getenv(EnvLarge)); err == nil && n > 0 {
		return n
	}
	return def
}

// WriteSyntheticCLAStarted writes an EES file in the layout of DfE's
// la_cla_who_started_to_be_looked_after.csv, about size bytes long, of
// made-up figures (never real data): one row in every readEvery is the
// "Age group" / "Under 1 year" breakdown the under1_starts measure
// reads, every other row a breakdown no measure reads (ethnicity,
// gender, legal status, ...). Read rows have distinct (year, authority)
// keys; first offsets the authority numbers so that several files do
// not share keys. It returns the number of read rows written.
func WriteSyntheticCLAStarted(tb testing.TB, path string, size int64, readEvery, first int) int {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,la_name,new_la_code,cla_group,characteristic,number,percentage\n")
	unread := [][2]string{
		{"Ethnicity", "White British"}, {"Ethnicity", "Mixed White and Black Caribbean"}, {"Gender", "Female"},
		{"Gender", "Male"}, {"Legal status", "Interim care orders"}, {"Legal status", "Voluntary agreements under S20"},
		{"Category of need", "Abuse or neglect"}, {"Age group", "1 to 4 years"}, {"Age group", "10 to 15 years"},
	}
	var written int64
	var line []byte
	reads := 0
	for i := 0; written < size; i++ {
		read := i%readEvery == 0
		key := i
		if read {
			key = reads
		}
		year := 1000 + key%9000
		la := first + key/9000
		line = line[:0]
		line = strconv.AppendInt(line, int64(year), 10)
		line = append(line, ",Reporting year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,"...)
		line = strconv.AppendInt(line, int64(100+la%900), 10)
		line = append(line, ",Synthetic authority "...)
		line = strconv.AppendInt(line, int64(la), 10)
		line = append(line, ",E06"...)
		code := strconv.AppendInt(nil, int64(la), 10)
		for n := len(code); n < 6; n++ {
			line = append(line, '0')
		}
		line = append(line, code...)
		if read {
			line = append(line, ",Age group,Under 1 year,"...)
			reads++
		} else {
			b := unread[i%len(unread)]
			line = append(line, ',')
			line = append(line, b[0]...)
			line = append(line, ',')
			line = append(line, b[1]...)
			line = append(line, ',')
		}
		if i%17 == 0 {
			line = append(line, 'c')
		} else {
			line = strconv.AppendInt(line, int64(i%997), 10)
		}
		line = append(line, ",12\n"...)
		w.Write(line)
		written += int64(len(line))
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return reads
}

// PeakRSS returns the process's peak resident memory in bytes (VmHWM),
// and ResetPeakRSS starts a new peak, so that a benchmark can report the
// peak of the work it measures. Both are Linux-only; elsewhere PeakRSS
// returns 0.
func PeakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	const key = "VmHWM:"
	for i := 0; i+len(key) < len(b); i++ {
		if string(b[i:i+len(key)]) != key {
			continue
		}
		n := int64(0)
		for j := i + len(key); j < len(b) && b[j] != '\n'; j++ {
			if b[j] >= '0' && b[j] <= '9' {
				n = n*10 + int64(b[j]-'0')
			}
		}
		return n << 10 // kB
	}
	return 0
}

// ResetPeakRSS resets the peak PeakRSS reports to the current resident
// memory (Linux: writing 5 to /proc/self/clear_refs).
func ResetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}
