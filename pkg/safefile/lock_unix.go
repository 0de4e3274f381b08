//go:build unix

package safefile

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Lock is an exclusive advisory lock on a file (flock(2)), held until
// Unlock. It works across processes on one machine: two cscstats runs
// updating one manifest take turns. The kernel drops it if the process
// dies, so a killed run never leaves a folder locked.
type Lock struct{ f *os.File }

// LockFile creates path if needed and waits for an exclusive lock on it.
func LockFile(path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, Mode(File))
	if err != nil {
		return nil, err
	}
	return lock(f, path)
}

// LockDir waits for an exclusive lock on a folder itself, so that no lock
// file is left in it.
func LockDir(path string) (*Lock, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return lock(f, path)
}

func lock(f *os.File, path string) (*Lock, error) {
	var err error
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return &Lock{f: f}, nil
}

// TryLockFile takes the lock on an existing file without waiting; ok is
// false when another process holds it.
func TryLockFile(path string) (l *Lock, ok bool, err error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, false, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("locking %s: %w", path, err)
	}
	return &Lock{f: f}, true, nil
}

// Unlock releases the lock.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the descriptor releases the flock
	l.f = nil
	return err
}
