package fetch

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Progress receives per-file download progress. Implementations must be safe
// for concurrent use: files download in parallel.
type Progress interface {
	// Start announces a file; total is its size in bytes or -1 if unknown.
	Start(name string, total int64)
	// Advance reports n more bytes received for the file.
	Advance(name string, n int64)
	// Finish ends the file; err is nil on success (including "unchanged").
	Finish(name string, err error)
}

// NopProgress ignores everything.
type NopProgress struct{}

func (NopProgress) Start(string, int64)   {}
func (NopProgress) Advance(string, int64) {}
func (NopProgress) Finish(string, error)  {}

// NewTerminalProgress returns a progress bar on f when f is a terminal, and
// NopProgress otherwise (pipes, CI logs, files).
func NewTerminalProgress(f *os.File) Progress {
	if f == nil || !term.IsTerminal(int(f.Fd())) {
		return NopProgress{}
	}
	return NewBarProgress(f)
}

// BarProgress shows one bar of bytes received across all files, described
// with the count of files finished. Use NewTerminalProgress in programs.
type BarProgress struct {
	mu      sync.Mutex
	w       io.Writer
	bar     *progressbar.ProgressBar
	started int
	done    int
	failed  int
}

// NewBarProgress draws on w unconditionally.
func NewBarProgress(w io.Writer) *BarProgress {
	return &BarProgress{w: w}
}

func (p *BarProgress) describe() {
	d := fmt.Sprintf("downloading %d/%d files", p.done, p.started)
	if p.failed > 0 {
		d += fmt.Sprintf(" (%d failed)", p.failed)
	}
	p.bar.Describe(d)
}

func (p *BarProgress) Start(name string, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar == nil {
		p.bar = progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionShowBytes(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSpinnerType(14),
			progressbar.OptionClearOnFinish(),
		)
	}
	p.started++
	p.describe()
}

func (p *BarProgress) Advance(name string, n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Add64(n)
	}
}

func (p *BarProgress) Finish(name string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar == nil {
		return
	}
	p.done++
	if err != nil {
		p.failed++
	}
	p.describe()
	if p.done == p.started {
		p.bar.Finish()
		p.bar = nil
		p.started, p.done, p.failed = 0, 0, 0
	}
}

// progressReader reports bytes read to a Progress.
type progressReader struct {
	r    io.Reader
	p    Progress
	name string
}

func (pr *progressReader) Read(b []byte) (int, error) {
	n, err := pr.r.Read(b)
	if n > 0 {
		pr.p.Advance(pr.name, int64(n))
	}
	return n, err
}
