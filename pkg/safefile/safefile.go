// Package safefile holds what cscstats needs to write files safely beside
// other processes: a lock that works across processes, and the permission
// bits that files and folders get.
//
// Temporary files (os.CreateTemp, os.MkdirTemp) are created 0600 and 0700
// whatever the umask; what cscstats publishes (downloads, the manifest,
// report folders) must be readable by a web server, so it is given the
// usual 0644 and 0755, less the user's umask, before it is renamed into
// place.
package safefile

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// File and Dir are the permissions of published files and folders before
// the umask is applied.
const (
	File fs.FileMode = 0o644
	Dir  fs.FileMode = 0o755
)

var (
	umaskOnce sync.Once
	umask     fs.FileMode
)

// Umask returns the process's umask. It reads /proc/self/status where the
// kernel reports it (Linux 4.7+), so other goroutines never see a changed
// umask; elsewhere it sets and restores it once, at first use.
func Umask() fs.FileMode {
	umaskOnce.Do(func() {
		if m, ok := procUmask(); ok {
			umask = m
			return
		}
		old := syscall.Umask(0o22)
		syscall.Umask(old)
		umask = fs.FileMode(old)
	})
	return umask
}

func procUmask() (fs.FileMode, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Umask:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32)
			if err != nil {
				return 0, false
			}
			return fs.FileMode(n) & 0o777, true
		}
	}
	return 0, false
}

// Mode is perm less the umask: the mode a file created with perm gets.
func Mode(perm fs.FileMode) fs.FileMode { return perm &^ Umask() }

// Publish gives path the mode os.WriteFile or os.Mkdir would have given it
// (File or Dir less the umask). It is called on temporary files and folders
// before they are renamed into place.
func Publish(path string) error {
	st, err := os.Lstat(path)
	if err != nil {
		return err
	}
	perm := File
	if st.IsDir() {
		perm = Dir
	}
	if err := os.Chmod(path, Mode(perm)); err != nil {
		return fmt.Errorf("setting permissions of %s: %w", path, err)
	}
	return nil
}

// ErrNotRegular is returned by OpenRegular for anything but a regular file.
var ErrNotRegular = errors.New("not a regular file")

// OpenRegular opens path for reading if it is a regular file (after
// following symlinks), and refuses FIFOs, sockets, devices and folders
// without opening them: opening a FIFO waits for a writer forever, and a
// device such as /dev/zero never ends.
func OpenRegular(path string) (*os.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, DescribeMode(st.Mode()))
	}
	// O_NONBLOCK: if a FIFO was swapped in after the Stat, the open does
	// not wait for a writer; the second check refuses it.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	if st2, err := f.Stat(); err != nil || !st2.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	return f, nil
}

// DescribeMode names a file type in words: "a folder", "a named pipe
// (FIFO)", "a socket", "a device".
func DescribeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return m.Type().String()
}
