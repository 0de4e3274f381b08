package safefile

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestUmaskMatchesKernel(t *testing.T) {
	old := syscall.Umask(0o22)
	syscall.Umask(old)
	if got := Umask(); got != os.FileMode(old) {
		t.Fatalf("Umask() = %03o, kernel says %03o", got, old)
	}
	if Mode(0o644) != 0o644&^os.FileMode(old) || Mode(0o755) != 0o755&^os.FileMode(old) {
		t.Errorf("Mode does not apply the umask")
	}
}

func TestPublishGivesUsualModes(t *testing.T) {
	dir := t.TempDir()
	f, err := os.CreateTemp(dir, "x") // 0600
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	d, err := os.MkdirTemp(dir, "d") // 0700
	if err != nil {
		t.Fatal(err)
	}
	if err := Publish(f.Name()); err != nil {
		t.Fatal(err)
	}
	if err := Publish(d); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(f.Name()); st.Mode().Perm() != 0o644&^Umask() {
		t.Errorf("file mode %v", st.Mode().Perm())
	}
	if st, _ := os.Stat(d); st.Mode().Perm() != 0o755&^Umask() {
		t.Errorf("folder mode %v", st.Mode().Perm())
	}
}

// TestLockAcrossProcesses: a child process holds the lock; this process
// cannot take it until the child exits.
func TestLockAcrossProcesses(t *testing.T) {
	if p := os.Getenv("SAFEFILE_HOLD"); p != "" {
		l, err := LockFile(p)
		if err != nil {
			os.Exit(3)
		}
		os.WriteFile(p+".held", nil, 0o644)
		time.Sleep(2 * time.Second)
		l.Unlock()
		os.Exit(0)
	}
	path := filepath.Join(t.TempDir(), "manifest.lock")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockAcrossProcesses$")
	cmd.Env = append(os.Environ(), "SAFEFILE_HOLD="+path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		if _, err := os.Stat(path + ".held"); err == nil {
			break
		}
		if i > 200 {
			t.Fatal("child never took the lock")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, ok, err := TryLockFile(path); err != nil || ok {
		t.Fatalf("TryLockFile while another process holds it: ok=%v err=%v", ok, err)
	}
	l, err := LockFile(path) // waits for the child
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil && !strings.Contains(err.Error(), "exit status 0") {
		t.Fatalf("child: %v", err)
	}
	l.Unlock()
	l2, ok, err := TryLockFile(path)
	if err != nil || !ok {
		t.Fatalf("after Unlock: ok=%v err=%v", ok, err)
	}
	l2.Unlock()
}

// TestLockDirAcrossProcesses: the same, locking a folder.
func TestLockDirAcrossProcesses(t *testing.T) {
	if p := os.Getenv("SAFEFILE_HOLD_DIR"); p != "" {
		l, err := LockDir(p)
		if err != nil {
			os.Exit(3)
		}
		os.WriteFile(p+".held", nil, 0o644)
		time.Sleep(time.Second)
		l.Unlock()
		os.Exit(0)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "data")
	os.Mkdir(path, 0o755)
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockDirAcrossProcesses$")
	cmd.Env = append(os.Environ(), "SAFEFILE_HOLD_DIR="+path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		if _, err := os.Stat(path + ".held"); err == nil {
			break
		}
		if i > 200 {
			t.Fatal("child never took the lock")
		}
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	l, err := LockDir(path)
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < 200*time.Millisecond {
		t.Errorf("LockDir returned after %v while the child held the lock", waited)
	}
	l.Unlock()
	cmd.Wait()
	if ents, _ := os.ReadDir(path); len(ents) != 0 {
		t.Errorf("LockDir left files: %v", ents)
	}
}
