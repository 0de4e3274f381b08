package dataset

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/measures"
)

// manifestName is the file fetch writes at the root of a data directory
// (pkg/fetch.ManifestName; read here without importing pkg/fetch, which
// imports this package).
const manifestName = "manifest.json"

// Ways a file's release is found (FileReport.ReleaseFrom).
const (
	ReleaseFromManifest = "manifest"
	ReleaseFromYears    = "latest year covered"
)

var releaseSlug = regexp.MustCompile(`^((?:19|20)[0-9]{2})(?:-([0-9]{2}))?(?:$|[^0-9])`)

// ReleaseYear reads a release slug as the reporting year it ends with:
// "2025" is 2025, "2024-25" is 2025. It returns 0 for a slug without a
// year (such as "local", the folder of files imported with --from).
func ReleaseYear(slug string) int {
	m := releaseSlug.FindStringSubmatch(strings.TrimSpace(slug))
	if m == nil {
		return 0
	}
	y, _ := strconv.Atoi(m[1])
	if m[2] != "" {
		return y + 1
	}
	return y
}

// FileRelease is the release of a file, as a reporting year, and how it
// was found: the release slug fetch recorded in the manifest when it
// names a year, else the latest reporting year the file covers (years,
// ascending). It is 0 for a file with neither.
func FileRelease(manifestSlug string, years []int) (int, string) {
	if y := ReleaseYear(manifestSlug); y != 0 {
		return y, ReleaseFromManifest
	}
	if len(years) > 0 {
		return years[len(years)-1], ReleaseFromYears
	}
	return 0, ""
}

// manifestReleases maps data-directory-relative paths ('/'-separated) to
// the release slug fetch recorded for them.
func manifestReleases(dir string) (map[string]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var m struct {
		Files []struct {
			Path        string `json:"path"`
			ReleaseSlug string `json:"release_slug"`
		} `json:"files"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, manifestName), err)
	}
	out := map[string]string{}
	for _, f := range m.Files {
		out[f.Path] = f.ReleaseSlug
	}
	return out, nil
}

// setReleases gives every file (so every figure) and population row its
// release: the release slug fetch recorded in the manifest when it is a
// year, otherwise the latest reporting year the file covers (a release
// of CLA or CIN statistics covers years up to the one it is named after).
func (s *Store) setReleases() error {
	slugs, err := manifestReleases(s.Dir)
	if err != nil {
		return err
	}
	byPath := map[string]int{}
	for i := range s.Files {
		f := &s.Files[i]
		slug := ""
		if rel, err := filepath.Rel(s.Dir, f.Path); err == nil {
			slug = slugs[filepath.ToSlash(rel)]
		}
		f.Release, f.ReleaseFrom = FileRelease(slug, f.Years)
		byPath[f.Path] = f.Release
	}
	// A figure takes its file's release when it becomes an Observation
	// (see resolve).
	for i := range s.Population {
		p := &s.Population[i]
		p.Release = byPath[p.File]
		if p.Release == 0 {
			// A population file covers mid-years, not reporting years.
			p.Release = p.Year
		}
	}
	return nil
}

// areaCodes turns a row's geography into the key figures are matched on
// across files and releases: local authorities by their canonical ONS
// code (code changes followed, so Northumberland's E06000048 and
// E06000057 are one area), including rows that carry only a 3-digit DfE
// code (the 2010 SFR files).
type areaCodes struct {
	reg   *la.Registry   // code changes only: its Canonical follows them
	byDfE map[string]dfe // 3-digit code -> ONS code from the earliest year seen
}

type dfe struct {
	code string
	year int
}

func newAreaCodes(all []chunks, pop []PopulationRow) (*areaCodes, error) {
	changes, err := la.DefaultChanges()
	if err != nil {
		return nil, err
	}
	c := &areaCodes{reg: la.New(nil, changes), byDfE: map[string]dfe{}}
	see := func(g ees.Geography, year int) {
		if g.Level != "Local authority" || g.OldLACode == "" || g.NewLACode == "" || strings.Contains(g.NewLACode, "/") {
			return
		}
		if old, ok := c.byDfE[g.OldLACode]; !ok || year < old.year {
			c.byDfE[g.OldLACode] = dfe{g.NewLACode, year}
		}
	}
	for i := range all {
		c := &all[i]
		for _, b := range c.c {
			for j := range b {
				if g := &c.geos[b[j].geo]; g.Level == "Local authority" {
					see(*g, int(b[j].year))
				}
			}
		}
	}
	for _, p := range pop {
		if p.Source == DfE {
			see(p.Geo, p.Year)
		}
	}
	// Authorities that ended before the EES files begin are known from
	// the change table, so a 2010 file alone still maps them.
	fallback := func(old, code string) {
		if _, ok := c.byDfE[old]; !ok && old != "" {
			c.byDfE[old] = dfe{code, 1 << 30}
		}
	}
	for _, bc := range changes.BoundaryChanges {
		for _, a := range append(append([]la.Area(nil), bc.Before...), bc.After...) {
			fallback(a.OldLACode, a.NewLACode)
		}
	}
	for _, cc := range changes.CodeChanges {
		fallback(cc.OldLACode, cc.From)
	}
	return c, nil
}

// fill gives local authority rows that carry only a DfE code the ONS
// code the same authority has in the other files.
//
// The figures' geographies are filled in their files' tables, each once
// (a table may hold those of other files a worker read: filling is the
// same for them, and filling twice changes nothing).
func (c *areaCodes) fill(all []chunks, pop []PopulationRow) {
	for i := range all {
		for j := range all[i].geos {
			c.fillGeo(&all[i].geos[j])
		}
	}
	for i := range pop {
		c.fillGeo(&pop[i].Geo)
	}
}

func (c *areaCodes) fillGeo(g *ees.Geography) {
	if g.Level == "Local authority" && g.NewLACode == "" && g.OldLACode != "" {
		if d, ok := c.byDfE[g.OldLACode]; ok {
			g.NewLACode = d.code
		}
	}
}

type areaKey struct {
	level, code string
}

func (c *areaCodes) key(g ees.Geography) areaKey {
	switch g.Level {
	case "National":
		return areaKey{g.Level, ""}
	case "Regional":
		return areaKey{g.Level, g.RegionCode}
	case "Local authority":
		if g.NewLACode != "" {
			return areaKey{g.Level, c.reg.Canonical(g.NewLACode)}
		}
		return areaKey{g.Level, "dfe:" + g.OldLACode}
	}
	return areaKey{g.Level, g.RegionCode + "|" + g.OldLACode + "|" + g.NewLACode}
}

// ConflictError says one release gives two different values for the same
// measure, area and year, from the same kind of source: cscstats cannot
// tell which is right, so it refuses to guess.
type ConflictError struct {
	Measure string
	Year    int
	Area    string
	Release int
	A, B    Observation
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("two different values for %s in %d for %s in release %d: %s at %s:%d and %s at %s:%d; "+
		"a release must give one value per measure, area and year: remove the wrong row or file (or the older copy of the file) from the data directory",
		e.Measure, e.Year, e.Area, e.Release, e.A.Count, e.A.File, e.A.Line, e.B.Count, e.B.File, e.B.Line)
}

// Revision is a figure that two releases give differently.
type Revision struct {
	Measure  string
	Year     int
	Geo      ees.Geography // as the newer release gives it
	Old, New Observation
}

// Change is New − Old, NaN when either is missing.
func (r Revision) Change() (float64, bool) {
	if !r.Old.Count.OK() || !r.New.Count.OK() {
		return 0, false
	}
	return r.New.Count.Number - r.Old.Count.Number, true
}

// Revisions lists, for every measure, area and year that more than one
// release gives, each pair of consecutive releases whose values differ
// (a number against another number, a number against a symbol, or two
// different symbols), sorted by measure, year and area.
func (s *Store) Revisions() []Revision { return s.revisions }

func areaName(g ees.Geography) string {
	switch g.Level {
	case "National":
		return "England"
	case "Regional":
		return fmt.Sprintf("%s (%s)", g.RegionName, g.RegionCode)
	}
	code := g.NewLACode
	if code == "" {
		code = g.OldLACode
	}
	return fmt.Sprintf("%s (%s)", g.LAName, code)
}

// resolve keeps one observation per measure, year and area:
//
//   - between releases, the newest release wins (it is DfE's current
//     word); the older values that differ are kept as Revisions;
//   - within a release, the catalogue's preferred source wins (a
//     published total over a sum of parts, the reasons-for-ceasing file
//     over the adoption/SGO breakdown);
//   - within a release and source, two rows with the same value are a
//     duplicate (counted in FileReport.Duplicates, kept once) and two
//     rows with different values are a *ConflictError naming both.
//
// Measures are resolved side by side (keys of two measures never meet),
// GOMAXPROCS at a time; each visits its figures in load order, so the
// result is the one a single pass gives, and when several keys conflict
// the error is the one a single pass meets first.
func (s *Store) resolve(all []chunks, total int, codes *areaCodes) error {
	// The figures' blocks, and the file of each (all is in the order of
	// s.Files).
	var files [][]figure
	var fileOf []int32
	for i := range all {
		for _, b := range all[i].c {
			files = append(files, b)
			fileOf = append(fileOf, int32(i))
		}
	}
	// First, every figure's area is numbered (once per geography of its
	// file's table) and the span of years found.
	areasOf := make([][]int32, len(all))
	areaOf := make([]int32, total)
	areaIDs := map[areaKey]int32{}
	minYear, maxYear := 0, 0
	perMeasure := make([]int, len(measures.Catalogue))
	g := 0
	for bi, obs := range files {
		fi := fileOf[bi]
		c := &all[fi]
		areas := areasOf[fi]
		if areas == nil {
			areas = make([]int32, len(c.geos))
			for i := range areas {
				areas[i] = -1
			}
			areasOf[fi] = areas
		}
		for oi := range obs {
			o := &obs[oi]
			id := areas[o.geo]
			if id < 0 {
				ak := codes.key(c.geos[o.geo])
				var ok bool
				if id, ok = areaIDs[ak]; !ok {
					id = int32(len(areaIDs))
					areaIDs[ak] = id
				}
				areas[o.geo] = id
			}
			year := int(o.year)
			if g == 0 || year < minYear {
				minYear = year
			}
			if g == 0 || year > maxYear {
				maxYear = year
			}
			areaOf[g] = id
			perMeasure[o.measure]++
			g++
		}
	}
	// Then each measure's figures, by position, in load order.
	positions := make([]figureAt, total)
	byMeasure := make([][]figureAt, len(measures.Catalogue))
	at := 0
	for m, n := range perMeasure {
		byMeasure[m] = positions[at : at : at+n]
		at += n
	}
	g = 0
	for bi, obs := range files {
		for oi := range obs {
			m := obs[oi].measure
			byMeasure[m] = append(byMeasure[m], figureAt{int32(bi), int32(oi), areaOf[g]})
			g++
		}
	}
	// Keys are found in a table with a place for every measure, area
	// and year (slot+1, 0 for none) when that table is not much bigger
	// than the figures (a few hundred areas, a few decades), else in a
	// map per measure. Measures own disjoint parts of the table.
	t := keyTable{areas: len(areaIDs), minYear: minYear, years: maxYear - minYear + 1}
	if total > 0 {
		cells := int64(len(measures.Catalogue)) * int64(t.areas)
		if limit := denseLimit(total); t.years >= 0 && int64(t.years) <= limit/cells {
			t.dense = make([]int32, cells*int64(t.years))
		}
	}
	results := make([]measureResult, len(measures.Catalogue))
	var order []int // measures with figures, most first
	for m, n := range perMeasure {
		if n > 0 {
			order = append(order, m)
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return perMeasure[order[i]] > perMeasure[order[j]] })
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(order)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := next.Add(1) - 1
				if k >= int64(len(order)) {
					return
				}
				m := order[k]
				results[m] = resolveMeasure(s, all, files, fileOf, int32(m), byMeasure[m], &t)
			}
		}()
	}
	wg.Wait()

	var first *measureResult // the conflict a single pass meets first
	for m := range results {
		r := &results[m]
		if r.conflict != nil && (first == nil || r.conflictAt.before(first.conflictAt)) {
			first = r
		}
	}
	if first != nil {
		return first.conflict
	}
	superseded, duplicates := map[string]int{}, map[string]int{}
	s.revisions = nil
	for m := range results {
		r := &results[m]
		if r.kept != nil {
			s.byMeasure[measures.Catalogue[m].ID] = r.kept
		}
		s.revisions = append(s.revisions, r.revisions...)
		for f, n := range r.superseded {
			superseded[f] += n
		}
		for f, n := range r.duplicates {
			duplicates[f] += n
		}
	}
	sortRevisions(s.revisions)
	for i := range s.Files {
		s.Files[i].Superseded = superseded[s.Files[i].Path]
		s.Files[i].Duplicates = duplicates[s.Files[i].Path]
		if d := s.Files[i].Duplicates; d > 0 {
			s.Files[i].Notes = append(s.Files[i].Notes, fmt.Sprintf("%d row(s) repeat a figure another row of the same release already gives, with the same value; kept once", d))
		}
	}
	return nil
}

// figureAt is where a figure is among the blocks resolve is given, and
// its area's number.
type figureAt struct {
	file, index, area int32
}

func (a figureAt) before(b figureAt) bool {
	return a.file < b.file || (a.file == b.file && a.index < b.index)
}

// keyTable is resolve's table of keys (see resolve); dense is nil when
// each measure keeps a map instead.
type keyTable struct {
	dense                 []int32
	areas, minYear, years int
}

// measureResult is what resolving one measure gives.
type measureResult struct {
	kept                   []Observation
	revisions              []Revision
	superseded, duplicates map[string]int
	conflict               *ConflictError
	conflictAt             figureAt
}

// resolveMeasure resolves the figures of one measure (see resolve),
// given their positions in load order.
func resolveMeasure(s *Store, all []chunks, files [][]figure, fileOf []int32, m int32, figs []figureAt, t *keyTable) measureResult {
	// Per key (area and year), the best observation of each release,
	// ascending by release. Observations are referred to by position
	// (file, index) rather than copied: most keys have one release, kept
	// inline, and the slots hold no pointer, so the collector need not
	// scan them.
	type key struct {
		area int32
		year int
	}
	type ref struct {
		release int
		file    int32
		index   int32
	}
	type slot struct {
		k     key
		first ref
		more  int32 // index in more of the key's further releases; -1 when it has none
	}
	res := measureResult{superseded: map[string]int{}, duplicates: map[string]int{}}
	slots := make([]slot, 0, len(figs))
	var more [][]ref
	var sparse map[key]int32
	if t.dense == nil {
		sparse = make(map[key]int32, len(figs))
	}
	// r.file is a block; its figures belong to all[fileOf[r.file]].
	figOf := func(r ref) *figure { return &files[r.file][r.index] }
	fileOfRef := func(r ref) *chunks { return &all[fileOf[r.file]] }
	obsOf := func(r ref) Observation {
		fi := fileOf[r.file]
		return all[fi].observation(figOf(r), s.Files[fi].Release)
	}
	countOf := func(r ref) ees.Value { return fileOfRef(r).count(figOf(r)) }
	conflict := func(at figureAt, cur, o ref) measureResult {
		b := obsOf(o)
		return measureResult{conflictAt: at,
			conflict: &ConflictError{Measure: b.Measure, Year: b.Year, Area: areaName(b.Geo), Release: b.Release, A: obsOf(cur), B: b}}
	}
	var rsBuf []ref // the key's releases, reused
	for _, f := range figs {
		o := &files[f.file][f.index]
		release := s.Files[fileOf[f.file]].Release
		k := key{f.area, int(o.year)}
		r := ref{release, f.file, f.index}
		var si int32
		var seen bool
		if t.dense != nil {
			cell := &t.dense[(int(m)*t.areas+int(k.area))*t.years+k.year-t.minYear]
			si, seen = *cell-1, *cell != 0
			if !seen {
				*cell = int32(len(slots)) + 1
			}
		} else {
			si, seen = sparse[k]
			if !seen {
				sparse[k] = int32(len(slots))
			}
		}
		if !seen {
			slots = append(slots, slot{k: k, first: r, more: -1})
			continue
		}
		sl := &slots[si]
		if sl.more < 0 && sl.first.release == release {
			// The commonest repeat: the same release again (a
			// duplicate or a less preferred source), decided in place.
			cur := figOf(sl.first)
			switch {
			case o.priority < cur.priority:
				res.superseded[fileOfRef(sl.first).file]++
				sl.first = r
			case o.priority > cur.priority:
				res.superseded[fileOfRef(r).file]++
			case countOf(r) == countOf(sl.first):
				res.duplicates[fileOfRef(r).file]++
			default:
				return conflict(f, sl.first, r)
			}
			continue
		}
		rsBuf = append(rsBuf[:0], sl.first)
		if sl.more >= 0 {
			rsBuf = append(rsBuf, more[sl.more]...)
		}
		rs := rsBuf
		set := func(rs []ref) {
			sl.first = rs[0]
			if sl.more < 0 {
				sl.more = int32(len(more))
				more = append(more, nil)
			}
			more[sl.more] = append(more[sl.more][:0], rs[1:]...)
		}
		i := sort.Search(len(rs), func(i int) bool { return rs[i].release >= release })
		if i == len(rs) || rs[i].release != release {
			rs = append(rs, ref{})
			copy(rs[i+1:], rs[i:])
			rs[i] = r
			set(rs)
			continue
		}
		cur := figOf(rs[i])
		switch {
		case o.priority < cur.priority:
			res.superseded[fileOfRef(rs[i]).file]++
			rs[i] = r
			set(rs)
		case o.priority > cur.priority:
			res.superseded[fileOfRef(r).file]++
		case countOf(r) == countOf(rs[i]):
			res.duplicates[fileOfRef(r).file]++
		default:
			return conflict(f, rs[i], r)
		}
	}
	id := measures.Catalogue[m].ID
	res.kept = make([]Observation, 0, len(slots))
	for i := range slots {
		sl := &slots[i]
		var later []ref
		if sl.more >= 0 {
			later = more[sl.more]
		}
		last := sl.first
		if n := len(later); n > 0 {
			last = later[n-1]
		}
		res.kept = append(res.kept, obsOf(last))
		prev := sl.first
		for _, next := range later {
			res.superseded[fileOfRef(prev).file]++
			if countOf(prev) != countOf(next) {
				cur := obsOf(next)
				res.revisions = append(res.revisions, Revision{Measure: id, Year: sl.k.year, Geo: cur.Geo, Old: obsOf(prev), New: cur})
			}
			prev = next
		}
	}
	return res
}

// denseLimit is the most places resolve's table of keys may have for a
// number of figures (a variable so that a test can make it use the map).
var denseLimit = func(total int) int64 { return int64(4*total + 1<<16) }

// sortRevisions sorts revisions stably by measure (catalogue order),
// year and area name, each sort key worked out once per revision rather
// than at every comparison (formatting area names there was a tenth of
// resolving the long series).
func sortRevisions(revs []Revision) {
	type sortKey struct {
		measure, year int
		area          string
		rev           Revision
	}
	keys := make([]sortKey, len(revs))
	for i, r := range revs {
		keys[i] = sortKey{catalogueIndex(r.Measure), r.Year, areaName(r.Geo), r}
	}
	sort.SliceStable(keys, func(i, j int) bool {
		a, b := &keys[i], &keys[j]
		if a.measure != b.measure {
			return a.measure < b.measure
		}
		if a.year != b.year {
			return a.year < b.year
		}
		return a.area < b.area
	})
	for i := range keys {
		revs[i] = keys[i].rev
	}
}

// Releases lists the releases the kept figures of a measure come from,
// ascending.
func (s *Store) Releases(measure string) []int {
	return append(make([]int, 0, len(s.releases[measure])), s.releases[measure]...)
}
