package fetch_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cscstats/cscstats/pkg/fetch"
	"github.com/cscstats/cscstats/pkg/fetch/eestest"
	"github.com/cscstats/cscstats/pkg/safefile"
)

func writeManifest(t *testing.T, dir string, entries ...fetch.Entry) {
	t.Helper()
	m := fetch.Manifest{Version: fetch.ManifestVersion, Files: entries}
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
}

// TestCheckOnlyHashesRegularFiles: manifest entries that lead to a device,
// a FIFO or a folder are reported as changed with the reason, at once,
// without reading them (/dev/zero would never end, a FIFO would hang).
func TestCheckOnlyHashesRegularFiles(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "pub"), 0o755)
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "pub", "zero.csv")); err != nil {
		t.Skip(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pub", "fifo.csv"), 0o644); err != nil {
		t.Skip(err)
	}
	os.Mkdir(filepath.Join(dir, "pub", "folder.csv"), 0o755)
	writeManifest(t, dir,
		fetch.Entry{Path: "pub/zero.csv", SHA256: "x", Bytes: 1},
		fetch.Entry{Path: "pub/fifo.csv", SHA256: "x", Bytes: 1},
		fetch.Entry{Path: "pub/folder.csv", SHA256: "x", Bytes: 1},
		fetch.Entry{Path: "../outside.csv", SHA256: "x", Bytes: 1},
	)
	done := make(chan *fetch.CheckReport, 1)
	go func() {
		rep, err := fetch.Check(dir)
		if err != nil {
			t.Error(err)
		}
		done <- rep
	}()
	var rep *fetch.CheckReport
	select {
	case rep = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Check hung")
	}
	want := map[string]string{
		"pub/zero.csv":   "not a regular file (a device)",
		"pub/fifo.csv":   "not a regular file (a named pipe (FIFO))",
		"pub/folder.csv": "not a regular file (a folder)",
		"../outside.csv": `unsafe path "../outside.csv" in manifest`,
	}
	if len(rep.Changed) != len(want) || len(rep.OK) != 0 {
		t.Fatalf("%+v", rep)
	}
	for _, it := range rep.Changed {
		if it.Err == nil || !strings.HasSuffix(it.Err.Error(), want[it.Path]) {
			t.Errorf("%s: %v, want ...%s", it.Path, it.Err, want[it.Path])
		}
	}
}

// TestImportInterruptedLeavesNoTempFile: an interrupt (ctx cancelled)
// while the second file is being imported stops the import; the first
// file is in place and in the manifest, no temporary file is left, and the
// data folder still loads.
func TestImportInterruptedLeavesNoTempFile(t *testing.T) {
	from := t.TempDir()
	os.WriteFile(filepath.Join(from, "a.csv"), csvData("a", 3), 0o644)
	os.WriteFile(filepath.Join(from, "b.csv"), csvData("b", 3), 0o644)
	os.WriteFile(filepath.Join(from, "c.csv"), csvData("c", 3), 0o644)
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rep, err := fetch.ImportContext(ctx, fetch.ImportRequest{From: from, Dir: data,
		Recognise: func(p string) (string, string, bool) { return "children-in-need", "", true },
		Validate: func(tmp string) error {
			if strings.HasSuffix(tmp, "b.csv") {
				cancel() // Ctrl-C arrives while b.csv is being copied
			}
			return fetch.DefaultValidator(tmp)
		}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if len(rep.Imported) != 1 || rep.Imported[0].FileName != "a.csv" {
		t.Fatalf("imported %+v", rep.Imported)
	}
	if tf := tempFiles(t, data); len(tf) != 0 {
		t.Fatalf("temp files left: %v", tf)
	}
	m, err := fetch.LoadManifest(data)
	if err != nil || len(m.Files) != 1 || m.Files[0].Path != "children-in-need/local/a.csv" {
		t.Fatalf("manifest %+v %v", m, err)
	}
	if _, err := os.Stat(filepath.Join(data, "children-in-need", "local", "b.csv")); !errors.Is(err, fs.ErrNotExist) {
		t.Error("b.csv was imported after the interrupt")
	}
}

// TestCorruptManifestStopsImportBeforeCopying: nothing is copied when the
// manifest cannot be read.
func TestCorruptManifestStopsImportBeforeCopying(t *testing.T) {
	from := t.TempDir()
	os.WriteFile(filepath.Join(from, "a.csv"), csvData("a", 3), 0o644)
	data := t.TempDir()
	os.WriteFile(filepath.Join(data, fetch.ManifestName), []byte(`{"version": 1, "files": [`), 0o644)
	_, err := fetch.Import(from, data, func(string) (string, bool) { return "children-in-need", true })
	if err == nil || !strings.Contains(err.Error(), fetch.ManifestName) || !strings.Contains(err.Error(), "before importing") {
		t.Fatalf("got %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, "children-in-need")); !errors.Is(err, fs.ErrNotExist) {
		t.Error("files were copied before the manifest was checked")
	}
}

// TestManifestKeepsEntriesOfConcurrentProcesses: several processes
// importing into one data folder at once lose no manifest entry.
func TestManifestKeepsEntriesOfConcurrentProcesses(t *testing.T) {
	if from := os.Getenv("FETCH_IMPORT_FROM"); from != "" {
		_, err := fetch.Import(from, os.Getenv("FETCH_IMPORT_DATA"), func(p string) (string, bool) { return "children-in-need", true })
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	data := t.TempDir()
	const procs, files = 4, 15
	var cmds []*exec.Cmd
	for p := 0; p < procs; p++ {
		from := t.TempDir()
		for i := 0; i < files; i++ {
			name := "p" + strconv.Itoa(p) + "_f" + strconv.Itoa(i) + ".csv"
			os.WriteFile(filepath.Join(from, name), csvData(name, 2), 0o644)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestManifestKeepsEntriesOfConcurrentProcesses$")
		cmd.Env = append(os.Environ(), "FETCH_IMPORT_FROM="+from, "FETCH_IMPORT_DATA="+data)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(filepath.Join(data, fetch.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	var m fetch.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != procs*files {
		t.Fatalf("manifest has %d entries, want %d", len(m.Files), procs*files)
	}
}

// TestPublishedFilesFollowUmask: downloaded and imported files and the
// manifest are 0644 less the umask (not CreateTemp's 0600).
func TestPublishedFilesFollowUmask(t *testing.T) {
	srv := eestest.NewServer(t, smallConfig(1))
	c, _ := newClient(t, srv, nil)
	data := t.TempDir()
	if _, err := c.Fetch(ctx(t), fetch.Request{Dir: data, Publication: "pub-a", AllFiles: true}); err != nil {
		t.Fatal(err)
	}
	from := t.TempDir()
	os.WriteFile(filepath.Join(from, "a.csv"), csvData("a", 3), 0o600)
	if _, err := fetch.Import(from, data, func(string) (string, bool) { return "children-in-need", true }); err != nil {
		t.Fatal(err)
	}
	want := 0o644 &^ safefile.Umask()
	for _, p := range []string{fetch.ManifestName, "pub-a/2024-25/file_00.csv", "children-in-need/local/a.csv"} {
		st, err := os.Stat(filepath.Join(data, p))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", p, st.Mode().Perm(), want)
		}
	}
	for _, d := range []string{"pub-a", "pub-a/2024-25", "children-in-need/local"} {
		st, _ := os.Stat(filepath.Join(data, d))
		if st.Mode().Perm() != 0o755&^safefile.Umask() {
			t.Errorf("%s: mode %v", d, st.Mode().Perm())
		}
	}
}

// TestZipTotalAndRatioCaps: a zip whose entries expand past the total cap,
// or whose entry expands more than MaxZipRatio times, is refused before
// anything is extracted.
func TestZipTotalAndRatioCaps(t *testing.T) {
	bomb := "a,b\n" + strings.Repeat("0", 11<<20) // 11 MiB that deflates to about 11 KiB
	for _, tc := range []struct {
		name string
		ents []zent
		mod  func(*fetch.Options)
		want error
		msg  string
	}{
		{"ratio", []zent{{name: "data/bomb.csv", data: bomb}}, nil, fetch.ErrUnsafeZip, "more than 200 times (a zip bomb?)"},
		{"total", []zent{{name: "data/a.csv", data: "a,b\n" + strings.Repeat("1,2\n", 100)}, {name: "data/b.csv", data: "a,b\n" + strings.Repeat("1,2\n", 100)}},
			func(o *fetch.Options) { o.MaxZipTotalBytes = 500 }, fetch.ErrTooLarge, "declare more than 500 bytes in all"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := eestest.NewServer(t, smallConfig(1))
			c, _ := newClient(t, srv, tc.mod)
			root := t.TempDir()
			r, err := c.ResolveRelease(ctx(t), "pub-a", "")
			if err != nil {
				t.Fatal(err)
			}
			srv.SetZip(r.ReleaseVersionID, makeZip(t, tc.ents...))
			_, err = c.DownloadReleaseZip(ctx(t), filepath.Join(root, "data"), r, nil)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, want %v ...%s", err, tc.want, tc.msg)
			}
			filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					t.Errorf("left behind: %s", p)
				}
				return nil
			})
		})
	}
}

// TestImportTwoVintagesKeepsTheNewer: two files of one name, wherever they
// sit in the folder, import as one: the newer (by Newer; by default the
// later modified), and the other is reported as superseded by it.
func TestImportTwoVintagesKeepsTheNewer(t *testing.T) {
	from := t.TempDir()
	older, newer := filepath.Join(from, "z_2024", "cla.csv"), filepath.Join(from, "a_2025", "cla.csv")
	os.MkdirAll(filepath.Dir(older), 0o755)
	os.MkdirAll(filepath.Dir(newer), 0o755)
	os.WriteFile(older, csvData("old", 3), 0o644)
	os.WriteFile(newer, csvData("new", 3), 0o644)
	now := time.Now()
	os.Chtimes(older, now.Add(-48*time.Hour), now.Add(-48*time.Hour))
	os.Chtimes(newer, now, now)
	data := t.TempDir()
	rep, err := fetch.Import(from, data, func(string) (string, bool) { return "children-in-need", true })
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Imported) != 1 || len(rep.Superseded) != 1 || rep.Superseded[0] != (fetch.ImportSuperseded{Path: older, By: newer}) {
		t.Fatalf("%+v", rep)
	}
	if got := readFile(t, filepath.Join(data, "children-in-need", "local", "cla.csv")); string(got) != string(csvData("new", 3)) {
		t.Error("the older copy was imported")
	}
	// A Newer that says otherwise is followed.
	data2 := t.TempDir()
	rep, err = fetch.ImportContext(context.Background(), fetch.ImportRequest{From: from, Dir: data2,
		Recognise: func(string) (string, string, bool) { return "children-in-need", "", true },
		Newer:     func(a, b string) bool { return strings.Contains(a, "z_2024") }})
	if err != nil || len(rep.Superseded) != 1 || rep.Superseded[0] != (fetch.ImportSuperseded{Path: newer, By: older}) {
		t.Fatalf("%+v %v", rep, err)
	}
}

// TestDownloadInterruptedLeavesNoTempFile: Ctrl-C (ctx cancelled) while a
// file's body is arriving removes its temporary file; nothing is left in
// the data folder that a later command could try to read.
func TestDownloadInterruptedLeavesNoTempFile(t *testing.T) {
	started := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000000")
		w.Write(csvData("partial", 50))
		w.(http.Flusher).Flush()
		close(started)
		<-r.Context().Done() // the rest never comes
	}))
	defer srv.Close()
	c, err := fetch.New(fetch.Options{ContentBaseURL: srv.URL, Quiet: true, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	sawTemp := make(chan bool, 1)
	go func() {
		<-started
		// Interrupt once the temporary file is there.
		for i := 0; i < 500 && len(tempFiles(t, data)) == 0; i++ {
			time.Sleep(10 * time.Millisecond)
		}
		sawTemp <- len(tempFiles(t, data)) > 0
		cancel()
	}()
	rel := &fetch.Release{PublicationSlug: "children-in-need", Slug: "2024-25", ReleaseVersionID: "rv1"}
	_, _, err = c.DownloadFile(ctx, data, rel, fetch.DataSetFile{FileID: "f1", Filename: "s47.csv"}, nil)
	if err == nil {
		t.Fatal("want an error")
	}
	if !<-sawTemp {
		t.Fatal("no temporary file was seen before the interrupt")
	}
	var left []string
	filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	if len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}
