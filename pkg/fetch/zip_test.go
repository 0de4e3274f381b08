package fetch_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/fetch"
	"github.com/cscstats/cscstats/pkg/fetch/eestest"
)

type zent struct {
	name string
	data string
	mode fs.FileMode
	// lie: header declares this uncompressed size (stored raw)
	lie uint64
}

func makeZip(t *testing.T, ents ...zent) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range ents {
		if e.lie > 0 {
			fh := &zip.FileHeader{Name: e.name, Method: zip.Store, CRC32: crc32.ChecksumIEEE([]byte(e.data)),
				CompressedSize64: uint64(len(e.data)), UncompressedSize64: e.lie}
			w, err := zw.CreateRaw(fh)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(e.data))
			continue
		}
		fh := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			fh.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(fh)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.data))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestZipUnsafeEntriesRejected(t *testing.T) {
	ok := zent{name: "data/good.csv", data: "a,b\n1,2\n"}
	guidance := zent{name: "data-guidance/data-guidance.txt", data: "guidance\n"}
	many := []zent{ok, guidance}
	for i := 0; i < 8; i++ {
		many = append(many, zent{name: "supporting-files/f" + string(rune('a'+i)) + ".txt", data: "x"})
	}
	cases := []struct {
		name string
		ents []zent
		want error
	}{
		{"zip slip", []zent{ok, {name: "data/../../evil.csv", data: "a\n"}}, fetch.ErrUnsafeZip},
		{"dotdot inside", []zent{ok, {name: "data/../evil.csv", data: "a\n"}}, fetch.ErrUnsafeZip},
		{"absolute", []zent{ok, {name: "/tmp/evil.csv", data: "a\n"}}, fetch.ErrUnsafeZip},
		{"windows", []zent{ok, {name: `data\..\..\evil.csv`, data: "a\n"}}, fetch.ErrUnsafeZip},
		{"symlink", []zent{ok, {name: "data/link.csv", data: "/etc/passwd", mode: fs.ModeSymlink | 0o777}}, fetch.ErrUnsafeZip},
		{"too many entries", many, fetch.ErrUnsafeZip},
		{"declared oversize", []zent{ok, {name: "data/big.csv", data: "a,b\n" + strings.Repeat("1,2\n", 100)}}, fetch.ErrTooLarge},
		{"lying header", []zent{ok, {name: "data/liar.csv", data: "a,b\n" + strings.Repeat("1,2\n", 100), lie: 10}}, fetch.ErrUnsafeZip},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := eestest.NewServer(t, smallConfig(1))
			c, _ := newClient(t, srv, func(o *fetch.Options) { o.MaxZipEntries = 6; o.MaxFileBytes = 200 })
			root := t.TempDir()
			data := filepath.Join(root, "data")
			r, err := c.ResolveRelease(ctx(t), "pub-a", "")
			if err != nil {
				t.Fatal(err)
			}
			srv.SetZip(r.ReleaseVersionID, makeZip(t, tc.ents...))
			_, err = c.DownloadReleaseZip(ctx(t), data, r, nil)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			t.Logf("rejected: %v", err)
			// Nothing extracted anywhere: no regular file under root at all.
			filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					t.Errorf("left behind: %s", p)
				}
				return nil
			})
			if _, err := os.Lstat(filepath.Join(root, "evil.csv")); err == nil {
				t.Error("zip slip wrote outside")
			}
		})
	}
}

func TestZipKeepsPreviousFilesOnFailure(t *testing.T) {
	srv := eestest.NewServer(t, smallConfig(2))
	c, _ := newClient(t, srv, nil)
	data := t.TempDir()
	res, err := c.Fetch(ctx(t), fetch.Request{Dir: data, Publication: "pub-a", AllFiles: true, Zip: true})
	if err != nil {
		t.Fatal(err)
	}
	before := readFile(t, filepath.Join(data, "pub-a", "2024-25", "file_00.csv"))
	// New zip: file_00 fine, file_01 an HTML page: the whole extraction is refused.
	srv.SetZip(res.Release.ReleaseVersionID, makeZip(t,
		zent{name: "data/file_00.csv", data: "changed,x\n1,2\n"},
		zent{name: "data/file_01.csv", data: "<!DOCTYPE html><html></html>"}))
	_, err = c.Fetch(ctx(t), fetch.Request{Dir: data, Publication: "pub-a", AllFiles: true, Zip: true})
	var ve *fetch.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want ValidationError, got %v", err)
	}
	if after := readFile(t, filepath.Join(data, "pub-a", "2024-25", "file_00.csv")); !bytes.Equal(before, after) {
		t.Fatal("file_00.csv replaced although the zip was rejected")
	}
	if tf := tempFiles(t, data); len(tf) != 0 {
		t.Fatalf("temp files left: %v", tf)
	}
}
