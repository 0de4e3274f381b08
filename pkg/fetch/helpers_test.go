package fetch_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cscstats/cscstats/pkg/fetch"
	"github.com/cscstats/cscstats/pkg/fetch/eestest"
)

// sleeps records requested sleeps instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) All() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

var fixedNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newClient(t *testing.T, srv *eestest.Server, mod func(*fetch.Options)) (*fetch.Client, *sleeps) {
	t.Helper()
	sl := &sleeps{}
	opt := fetch.Options{
		ContentBaseURL: srv.ContentURL,
		NomisBaseURL:   srv.NomisURL,
		Version:        "test",
		Sleep:          sl.Sleep,
		Now:            func() time.Time { return fixedNow },
		Jitter:         func() float64 { return 0.5 },
		Quiet:          true,
		Timeout:        30 * time.Second,
	}
	if mod != nil {
		mod(&opt)
	}
	c, err := fetch.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	return c, sl
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

// csvData makes a small valid EES-like CSV.
func csvData(seed string, rows int) []byte {
	var b strings.Builder
	b.WriteString("time_period,time_identifier,geographic_level,country_code,country_name,value\n")
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&b, "%d,Reporting year,National,E92000001,England,%s-%d\n", 2013+i%12, seed, i)
	}
	return []byte(b.String())
}

func smallConfig(nFiles int) eestest.Config {
	var files []eestest.File
	for i := 0; i < nFiles; i++ {
		name := fmt.Sprintf("file_%02d.csv", i)
		files = append(files, eestest.File{Name: name, Data: csvData(name, 5)})
	}
	return eestest.Config{
		Publications: []eestest.Publication{{
			Slug: "pub-a", Title: "Publication A",
			Releases: []eestest.Release{
				{Slug: "2023-24", Files: files[:min(1, len(files))]},
				{Slug: "2024-25", Latest: true, Files: files},
			},
		}},
	}
}

// tempFiles lists leftover temp files under dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), fetch.TempPrefix) {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
