package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cscstats/cscstats/pkg/safefile"
)

// TempPrefix starts the name of every temporary file this package writes.
// Such files are hidden and removed on failure; readers should skip them.
const TempPrefix = ".tmp-"

// staged is a file written to a temporary name beside its destination.
type staged struct {
	tmp  string
	n    int64
	hash string
}

// stage copies r into a new temporary file in dir, hashing as it goes and
// failing with ErrTooLarge past max bytes. The temp name ends with name so
// validators can look at the extension. On error nothing is left behind.
func stage(dir, name string, r io.Reader, max int64) (_ *staged, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, TempPrefix+"*-"+name)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if n > max {
		return nil, fmt.Errorf("%s: %w (%d bytes)", name, ErrTooLarge, max)
	}
	// CreateTemp makes the file 0600; what is published is 0644 less the
	// umask, like any file the user creates.
	if err := f.Chmod(safefile.Mode(safefile.File)); err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return &staged{tmp: f.Name(), n: n, hash: hex.EncodeToString(h.Sum(nil))}, nil
}

func (s *staged) discard() {
	if s != nil && s.tmp != "" {
		os.Remove(s.tmp)
		s.tmp = ""
	}
}

// commit renames the temp file onto dest (atomic on one file system).
func (s *staged) commit(dest string) error {
	if err := os.Rename(s.tmp, dest); err != nil {
		s.discard()
		return err
	}
	s.tmp = ""
	syncDir(filepath.Dir(dest))
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync() // best effort; not supported everywhere
		d.Close()
	}
}

// HashFile returns the SHA-256 (lower-case hex) and size of a regular
// file of at most DefaultMaxFileBytes. Anything else (a FIFO, a device
// such as /dev/zero, a folder, a symlink to one) is refused without being
// read, and a larger file fails with ErrTooLarge, so a manifest entry can
// never make a check hang or read forever.
func HashFile(path string) (sum string, n int64, err error) {
	return hashFileMax(path, DefaultMaxFileBytes)
}

func hashFileMax(path string, max int64) (sum string, n int64, err error) {
	f, err := safefile.OpenRegular(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err = io.Copy(h, io.LimitReader(f, max+1))
	if err != nil {
		return "", 0, err
	}
	if n > max {
		return "", n, fmt.Errorf("%s: %w (more than %d bytes)", path, ErrTooLarge, max)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// ctxReader fails reads once ctx is done, so that a copy stops at an
// interruption and stage removes its temporary file.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// writeFileAtomic writes data to path through a temp file and rename.
func writeFileAtomic(path string, data []byte) error {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	s, err := stage(dir, name, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	return s.commit(path)
}

var errNotRegular = safefile.ErrNotRegular
