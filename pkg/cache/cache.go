// Package cache gives a run the data directory the previous run loaded:
// the parsed, resolved dataset.Store (and the exact Poisson intervals of
// its counts), saved once and read back in milliseconds instead of
// parsing every CSV file again.
//
// A saved store is used only when it was made by the same build of
// cscstats (version, VCS revision and the executable's size and time)
// from the same directory, and every source file (each .csv, .meta.csv
// and manifest.json below it, hidden folders excepted, as dataset.Load
// reads them) has the same path, size, modification time and content as
// then. The content is known to be the same without reading it when the
// file is the same inode (device and inode number) with the same status
// change time (ctime) as when the cache was written: every write to a
// file, and every change of its times, sets its ctime to the current
// time, and nothing can set it back. Otherwise (another system, a file
// replaced, or a ctime too close to when the cache was written for the
// clock's granularity to tell a later write apart) the file is read and
// its SHA-256 compared. Anything else, and a cache file that is missing,
// unreadable, truncated, corrupt (a SHA-256 over the whole file is
// checked) or of another layout, means the directory is loaded from its
// CSV files and the cache rewritten: the cache can make a run faster,
// never different.
//
// Cache files are written atomically (a temporary file in the same
// folder, then rename), readable by all (0644), named
// store-<key>.cscstats-cache, and only ever replace a file that is
// itself a cscstats cache: nothing cscstats did not make is overwritten
// or deleted.
package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/safefile"
)

// ours starts every cache file of every layout; a file without it is not
// ours. magic is ours and this layout's version.
const (
	ours  = "cscstats store cache\x00"
	magic = ours + "v2\n"
)

// suffix ends every cache file name.
const suffix = ".cscstats-cache"

// DirEnv names the environment variable that moves the cache folder.
const DirEnv = "CSCSTATS_CACHE_DIR"

// DefaultDir is the folder cache files go in: $CSCSTATS_CACHE_DIR, else
// cscstats/ in the user's cache directory ($XDG_CACHE_HOME or
// ~/.cache on Linux). It is "" when there is none, and then nothing is
// cached.
func DefaultDir() string {
	if d := os.Getenv(DirEnv); d != "" {
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "cscstats")
}

// Store loads data directories through a cache folder.
type Store struct {
	// Dir is the cache folder; "" turns the cache off.
	Dir string
	// Version is the cscstats version, part of the build identity.
	Version string
}

// Result says how a load went.
type Result struct {
	Hit  bool   // the store came from the cache
	Path string // the cache file
	// Err is why the cache could not be read or written, when it could
	// not (the load itself still succeeded).
	Err error
}

// Load returns the store of dataDir: from the cache when it is valid
// for the directory's current files, otherwise from dataset.Load, then
// saved for the next run. Errors are dataset.Load's; a cache that cannot
// be read or written only makes the load slower (Result.Err says why).
func (c Store) Load(dataDir string) (*dataset.Store, Result, error) {
	if c.Dir == "" {
		st, err := dataset.Load(dataDir)
		return st, Result{}, err
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		st, err := dataset.Load(dataDir)
		return st, Result{Err: err}, err
	}
	key := sha256.Sum256([]byte(abs + "\x00" + dataDir))
	path := filepath.Join(c.Dir, fmt.Sprintf("store-%x%s", key[:12], suffix))
	res := Result{Path: path}
	build := buildID(c.Version)
	before, serr := sources(dataDir)
	if serr == nil {
		if st, err := c.read(path, build, dataDir, before); err == nil {
			res.Hit = true
			return st, res, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			res.Err = err
		}
	}
	st, err := dataset.Load(dataDir)
	if err != nil || serr != nil {
		if res.Err == nil {
			res.Err = serr
		}
		return st, res, err
	}
	// Files that changed while they were read would be cached under the
	// wrong key: then nothing is saved. The stamp is taken before the
	// files are listed, so that a ctime within racyWindow of it is
	// never trusted.
	stamp := time.Now().UnixNano()
	after, err := sources(dataDir)
	if err != nil || !sameStat(before, after) || !sameIDs(before, after) {
		res.Err = errors.New("the data directory changed while it was read; not cached")
		return st, res, nil
	}
	if err := hashAll(dataDir, after); err != nil {
		res.Err = err
		return st, res, nil
	}
	if err := c.write(path, build, dataDir, stamp, after, st); err != nil {
		res.Err = err
	}
	return st, res, nil
}

// source is one file the store depends on.
type source struct {
	rel   string // '/'-separated, relative to the data directory
	size  int64
	mtime int64 // nanoseconds since 1970
	id    fileID
	hash  [sha256.Size]byte
}

// fileID is what the system says about a file beyond its size and
// modification time: which file it is and when its content or status
// last changed. The zero fileID means unknown (see fileIDOf).
type fileID struct {
	dev, ino uint64
	ctime    int64 // nanoseconds since 1970
}

// racyWindow is how close to the cache's writing a file's ctime may be
// and still be trusted without reading the file: a write in the same
// tick of the file system's clock as the one the cache saw would leave
// the ctime unchanged (git's "racily clean" entries). Two seconds
// covers coarse file-system clocks. A variable so tests can make every
// file trusted.
var racyWindow = 2 * time.Second

// trusted reports whether now's file is, without reading it, the file
// saved describes, in a cache written at stamp.
func trusted(saved, now source, stamp int64) bool {
	return saved.id != fileID{} && saved.id == now.id && saved.id.ctime < stamp-int64(racyWindow)
}

// sources lists the files a load of dir depends on: every .csv file
// (data and .meta.csv) below it, outside hidden folders, and the
// manifest fetch writes. It lists more than dataset.Load reads (hidden
// files, files it ignores): a change to any of them rebuilds the store,
// which can only be slower, never wrong.
func sources(dir string) ([]source, error) {
	var out []source
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !strings.EqualFold(filepath.Ext(p), ".csv") && rel != "manifest.json" {
			return nil
		}
		fi, err := os.Stat(p) // through symbolic links, as Load reads them
		if err != nil || !fi.Mode().IsRegular() {
			// A dangling link, a FIFO or a device named .csv: Load never
			// reads it (and says so), and hashing a FIFO would wait for
			// ever. Its name still keys the cache, so adding or removing
			// one rebuilds.
			out = append(out, source{rel: rel, size: -1})
			return nil
		}
		out = append(out, source{rel: rel, size: fi.Size(), mtime: fi.ModTime().UnixNano(), id: fileIDOf(fi)})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	return out, err
}

func sameStat(a, b []source) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].rel != b[i].rel || a[i].size != b[i].size || a[i].mtime != b[i].mtime {
			return false
		}
	}
	return true
}

// sameIDs reports whether the files of two listings of the same files
// (sameStat) are the same inodes with the same ctimes.
func sameIDs(a, b []source) bool {
	for i := range a {
		if a[i].id != b[i].id {
			return false
		}
	}
	return true
}

// hashAll fills in the SHA-256 of each file's content, a file per CPU
// at a time.
func hashAll(dir string, srcs []source) error {
	all := make([]int, len(srcs))
	for i := range all {
		all[i] = i
	}
	return hashSome(dir, srcs, all)
}

// hashSome fills in the SHA-256 of the files srcs[i] for i in which.
func hashSome(dir string, srcs []source, which []int) error {
	var wg sync.WaitGroup
	errs := make([]error, len(which))
	next := make(chan int)
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(which)); w++ {
		wg.Go(func() {
			for j := range next {
				i := which[j]
				if srcs[i].size < 0 {
					continue // not a regular file: nothing to hash
				}
				errs[j] = hashFile(filepath.Join(dir, filepath.FromSlash(srcs[i].rel)), &srcs[i].hash)
			}
		})
	}
	for j := range which {
		next <- j
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

func hashFile(path string, sum *[sha256.Size]byte) error {
	f, err := safefile.OpenRegular(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	h.Sum(sum[:0])
	return nil
}

// buildID identifies the build: a new build (a code change, another
// version) must not read what an older one saved.
func buildID(version string) string {
	var b strings.Builder
	b.WriteString(version)
	if bi, ok := debug.ReadBuildInfo(); ok {
		b.WriteString("|" + bi.GoVersion + "|" + bi.Main.Path + "@" + bi.Main.Version)
		for _, s := range bi.Settings {
			if strings.HasPrefix(s.Key, "vcs.") {
				b.WriteString("|" + s.Key + "=" + s.Value)
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		if fi, err := os.Stat(exe); err == nil {
			fmt.Fprintf(&b, "|%s|%d|%d", exe, fi.Size(), fi.ModTime().UnixNano())
		}
	}
	return b.String()
}

// File layout: magic, SHA-256 of the rest, then the rest: build id, data
// directory as given, the time the sources were listed, sources (path,
// size, time, device, inode, ctime, hash), the intervals of the counts,
// and the store (dataset.Store.MarshalBinary).

func (c Store) write(path, build, dataDir string, stamp int64, srcs []source, st *dataset.Store) error {
	storeBytes, err := st.MarshalBinary()
	if err != nil {
		return err
	}
	var body []byte
	str := func(s string) {
		body = binary.AppendUvarint(body, uint64(len(s)))
		body = append(body, s...)
	}
	str(build)
	str(dataDir)
	body = binary.AppendVarint(body, stamp)
	body = binary.AppendUvarint(body, uint64(len(srcs)))
	for _, s := range srcs {
		str(s.rel)
		body = binary.AppendVarint(body, s.size)
		body = binary.AppendVarint(body, s.mtime)
		body = binary.AppendUvarint(body, s.id.dev)
		body = binary.AppendUvarint(body, s.id.ino)
		body = binary.AppendVarint(body, s.id.ctime)
		body = append(body, s.hash[:]...)
	}
	ivs := rates.Intervals(counts(st))
	body = binary.AppendUvarint(body, uint64(len(ivs)))
	for _, iv := range ivs {
		for _, f := range []float64{iv.K, iv.Level, iv.Lower, iv.Upper} {
			body = binary.LittleEndian.AppendUint64(body, math.Float64bits(f))
		}
	}
	body = append(body, storeBytes...)
	sum := sha256.Sum256(body)
	return writeAtomic(path, [][]byte{[]byte(magic), sum[:], body})
}

// counts lists every count of the store's figures, for the intervals
// the next run will need.
func counts(st *dataset.Store) []float64 {
	var out []float64
	for _, m := range measures.Catalogue {
		for _, o := range st.Observations(m.ID) {
			if o.Count.OK() {
				out = append(out, o.Count.Number)
			}
		}
	}
	return out
}

// errNotOurs says a file is in the way that cscstats did not write.
var errNotOurs = errors.New("a file that is not a cscstats cache is in the way; left alone")

// writeAtomic writes the parts to a temporary file beside path and
// renames it over path, unless path exists and is not a cscstats cache.
func writeAtomic(path string, parts [][]byte) error {
	if fi, err := os.Lstat(path); err == nil {
		if !fi.Mode().IsRegular() || !isOurs(path) {
			return fmt.Errorf("%s: %w", path, errNotOurs)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".store-*"+suffix+".tmp")
	if err != nil {
		return err
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name) // our own temporary file
		}
	}()
	for _, p := range parts {
		if _, err := tmp.Write(p); err != nil {
			return err
		}
	}
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		return err
	}
	ok = true
	return nil
}

func isOurs(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(ours))
	_, err = io.ReadFull(f, head)
	return err == nil && string(head) == ours
}

// errStale says the cache was made from other files or by another build.
var errStale = errors.New("cache is out of date")

func (c Store) read(path, build, dataDir string, now []source) (*dataset.Store, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(b, []byte(magic)) || len(b) < len(magic)+sha256.Size {
		return nil, fmt.Errorf("%s: not a cscstats cache of this layout", path)
	}
	b = b[len(magic):]
	want, body := b[:sha256.Size], b[sha256.Size:]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], want) {
		return nil, fmt.Errorf("%s: corrupt (checksum differs)", path)
	}
	r := &reader{b: body}
	if r.str() != build || r.str() != dataDir {
		return nil, errStale
	}
	stamp := r.varint()
	n := r.uvarint()
	if r.err != nil || n != uint64(len(now)) {
		return nil, errStale
	}
	saved := make([]source, n)
	for i := range saved {
		saved[i] = source{rel: r.str(), size: r.varint(), mtime: r.varint()}
		saved[i].id = fileID{dev: r.uvarint(), ino: r.uvarint(), ctime: r.varint()}
		copy(saved[i].hash[:], r.bytes(sha256.Size))
	}
	if r.err != nil {
		return nil, fmt.Errorf("%s: %w", path, r.err)
	}
	if !sameStat(saved, now) {
		return nil, errStale
	}
	var unsure []int
	for i := range now {
		if !trusted(saved[i], now[i], stamp) {
			unsure = append(unsure, i)
		}
	}
	if err := hashSome(dataDir, now, unsure); err != nil {
		return nil, err
	}
	for _, i := range unsure {
		if now[i].hash != saved[i].hash {
			return nil, errStale
		}
	}
	m := r.uvarint()
	if r.err == nil && m > uint64(len(r.b)/32) {
		r.err = errors.New("corrupt length")
	}
	ivs := make([]rates.Interval, 0, m)
	for i := uint64(0); i < m && r.err == nil; i++ {
		ivs = append(ivs, rates.Interval{K: r.float(), Level: r.float(), Lower: r.float(), Upper: r.float()})
	}
	if r.err != nil {
		return nil, fmt.Errorf("%s: %w", path, r.err)
	}
	st := new(dataset.Store)
	if err := st.UnmarshalBinary(r.b); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	rates.Remember(ivs)
	return st, nil
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errors.New("corrupt")
	}
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil || len(r.b) < n {
		r.fail()
		return make([]byte, n)
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) str() string {
	n := r.uvarint()
	if r.err == nil && n > uint64(len(r.b)) {
		r.fail()
	}
	if r.err != nil {
		return ""
	}
	return string(r.bytes(int(n)))
}

func (r *reader) float() float64 {
	return math.Float64frombits(binary.LittleEndian.Uint64(r.bytes(8)))
}
