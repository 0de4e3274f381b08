package fetch_test

import (
	"bytes"
	"os"
	"sync"
	"testing"

	"github.com/cscstats/cscstats/pkg/fetch"
	"github.com/cscstats/cscstats/pkg/fetch/eestest"
)

type countProgress struct {
	mu                     sync.Mutex
	starts, finishes, errs int
	bytes                  int64
}

func (p *countProgress) Start(string, int64) { p.mu.Lock(); p.starts++; p.mu.Unlock() }
func (p *countProgress) Advance(_ string, n int64) {
	p.mu.Lock()
	p.bytes += n
	p.mu.Unlock()
}
func (p *countProgress) Finish(_ string, err error) {
	p.mu.Lock()
	p.finishes++
	if err != nil {
		p.errs++
	}
	p.mu.Unlock()
}

func TestProgress(t *testing.T) {
	srv := eestest.NewServer(t, smallConfig(4))
	cp := &countProgress{}
	var logBuf bytes.Buffer
	c, _ := newClient(t, srv, func(o *fetch.Options) { o.Quiet = false; o.Progress = cp; o.Verbose = true; o.Log = &logBuf })
	if _, err := c.Fetch(ctx(t), fetch.Request{Dir: t.TempDir(), Publication: "pub-a", AllFiles: true}); err != nil {
		t.Fatal(err)
	}
	want := int64(4 * len(csvData("file_00.csv", 5)))
	if cp.starts != 4 || cp.finishes != 4 || cp.errs != 0 || cp.bytes != want {
		t.Fatalf("progress %+v, want 4 files and %d bytes", cp, want)
	}
	if !bytes.Contains(logBuf.Bytes(), []byte("fetch: GET ")) {
		t.Errorf("verbose log missing: %q", logBuf.String())
	}
	// Not a terminal: no bar.
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, ok := fetch.NewTerminalProgress(f).(fetch.NopProgress); !ok {
		t.Error("progress bar on a plain file")
	}
	// The bar itself copes with concurrent files.
	var out bytes.Buffer
	bar := fetch.NewBarProgress(&out)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bar.Start("f", -1)
			bar.Advance("f", 1000)
			bar.Finish("f", nil)
		}()
	}
	wg.Wait()
}
