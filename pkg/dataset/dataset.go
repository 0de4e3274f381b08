// Package dataset loads a data directory of EES files: it walks the folder,
// recognises each CSV by its content against the measures catalogue, and
// extracts the counts and population estimates cscstats works with.
//
// The wide statistical first release (SFR) tables of 2010-2017 are
// recognised too (pkg/sfr). When several files give the same measure,
// area and year, the newest release wins (resolve.go) and the older
// values that differ are kept as revisions.
//
// A file that is not an EES open-data file (or that no catalogued measure
// reads) is listed as ignored, with the reason; a recognised file with a
// malformed row stops the load with a *ees.ParseError naming file, line and
// column.
package dataset

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/safefile"
)

// Observation is one count read from a file.
type Observation struct {
	Measure string
	Year    int // time_period: the reporting year ending 31 March
	Geo     ees.Geography
	Count   ees.Value
	File    string
	Line    int
	// Release is the release the file belongs to, as a reporting year:
	// what fetch recorded in the manifest, else the latest year the file
	// covers (see FileReport.Release). Set by LoadFiles.
	Release int
	// Note says how the figure was made when it is not one published
	// cell (the sum of two SFR columns, for example).
	Note string

	priority int // index of the catalogue source that produced it
}

// Provenance says where a figure came from: file, line and release.
type Provenance struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Release int    `json:"release"`
	Note    string `json:"note,omitempty"`
}

func (p Provenance) String() string {
	// "file.csv:12 (release 2025)"; built without fmt, since tables call
	// it for every row.
	s := filepath.Base(p.File) + ":" + strconv.Itoa(p.Line) + " (release " + strconv.Itoa(p.Release) + ")"
	if p.Note != "" {
		s += "; " + p.Note
	}
	return s
}

// Provenance returns where the observation came from.
func (o Observation) Provenance() Provenance {
	return Provenance{File: o.File, Line: o.Line, Release: o.Release, Note: o.Note}
}

// PopulationSource says where a population estimate came from.
type PopulationSource string

const (
	// ONS is the ONS mid-year estimates file; Year is the mid-year.
	ONS PopulationSource = "ONS mid-year estimates"
	// DfE is the population_estimate column DfE publishes beside its CLA
	// rates; Year is the reporting year it was used for.
	DfE PopulationSource = "DfE CLA population_estimate"
)

// PopulationRow is one population estimate read from a file.
type PopulationRow struct {
	Source  PopulationSource
	AgeBand string // "0-17", "under 1" or "under 5"
	Year    int
	Geo     ees.Geography
	Value   ees.Value
	File    string
	Line    int
	// Column is the column the estimate was read from when it is not
	// population_estimate (Mid2009Pop0-17 in the 2010 SFR files).
	Column string
	// Release is the release of the file (see Observation.Release).
	Release int
}

// FileReport says what the loader made of one file.
type FileReport struct {
	Path       string
	Kind       string // FileKind ID; "" when ignored
	Ignored    string // why the file was ignored
	Measures   []string
	Years      []int
	Levels     map[string]int // rows per geographic_level
	Rows       int
	Symbols    map[ees.Symbol]int // missing cells by symbol, over the indicator columns read
	HasMeta    bool
	Superseded int // values of this file that lost to another file's value for the same key
	// Release is the release the file belongs to, as a reporting year,
	// and ReleaseFrom says how it was found: from the manifest fetch
	// wrote, or the latest year the file covers.
	Release     int
	ReleaseFrom string
	Duplicates  int      // rows repeating another row's key with the same value (kept once)
	Notes       []string // what a reader of this file should know (year taken from the name, ...)
	// NearMisses, for an ignored EES file, are the measures it almost
	// provides (one column missing, a column of a close name present).
	NearMisses []NearMiss
	// Suspect marks an ignored file that looks meant as data but is
	// damaged or in another format: empty, an HTML page, compressed, a
	// spreadsheet, binary, not comma-delimited, over a reader limit, not a
	// regular file, or an EES file missing a column it nearly has. Other
	// ignored files are CSVs of another kind (lookups, other statistics).
	Suspect bool
}

// Store is everything loaded from a data directory.
type Store struct {
	Dir        string
	Files      []FileReport
	Population []PopulationRow
	byMeasure  map[string][]Observation
	revisions  []Revision
	// Per measure, computed once the figures are resolved (index):
	// the years, releases and source files, ascending.
	years, releases map[string][]int
	sources         map[string][]string
	// compact is la.Compact of Sightings (see RegistrySightings), made
	// when the figures are resolved and kept in the binary form.
	compact *compactSightings
}

// index computes the per-measure lists the accessors return, so that
// they do not rescan the observations on every call.
func (s *Store) index() {
	s.years, s.releases, s.sources = map[string][]int{}, map[string][]int{}, map[string][]string{}
	for m, obs := range s.byMeasure {
		years, releases, files := map[int]bool{}, map[int]bool{}, map[string]bool{}
		// Figures of one file, release and year come in runs: each set
		// is updated when the run changes.
		lastFile, lastYear, lastRelease := "", 0, 0
		for i := range obs {
			o := &obs[i]
			if i == 0 || o.Year != lastYear {
				lastYear = o.Year
				years[o.Year] = true
			}
			if i == 0 || o.Release != lastRelease {
				lastRelease = o.Release
				releases[o.Release] = true
			}
			if i == 0 || o.File != lastFile {
				lastFile = o.File
				files[filepath.Base(o.File)] = true
			}
		}
		s.years[m], s.releases[m] = sortedKeys(years), sortedKeys(releases)
		out := make([]string, 0, len(files))
		for f := range files {
			out = append(out, f)
		}
		sort.Strings(out)
		s.sources[m] = out
	}
}

// Observations returns the counts for one measure, one per year and
// geography, after resolving duplicates between files.
func (s *Store) Observations(measure string) []Observation { return s.byMeasure[measure] }

// Years returns the reporting years with at least one observation of the
// measure, ascending.
func (s *Store) Years(measure string) []int {
	return append(make([]int, 0, len(s.years[measure])), s.years[measure]...)
}

// Recognised returns the reports of the files that were used.
func (s *Store) Recognised() []FileReport {
	var out []FileReport
	for _, f := range s.Files {
		if f.Kind != "" {
			out = append(out, f)
		}
	}
	return out
}

// SourceFiles lists the base names of the files that gave a measure's
// values: what charts and tables cite.
func (s *Store) SourceFiles(measure string) []string {
	return append(make([]string, 0, len(s.sources[measure])), s.sources[measure]...)
}

// NoDataError says a data directory holds nothing cscstats can use.
type NoDataError struct {
	Dir     string
	Ignored []FileReport
}

func (e *NoDataError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "no DfE data files found in %s", e.Dir)
	if len(e.Ignored) > 0 {
		fmt.Fprintf(&b, " (%d file(s) ignored", len(e.Ignored))
		for i, f := range e.Ignored {
			if i == 3 {
				b.WriteString("; ...")
				break
			}
			fmt.Fprintf(&b, "; %s: %s", f.Path, f.Ignored)
		}
		b.WriteString(")")
	}
	b.WriteString("\nto fix: run `cscstats fetch` to download them, or point to a folder that has them with `--data DIR` (or CSCSTATS_DATA)")
	return b.String()
}

// Load reads every CSV below dir. Hidden files and folders (those of
// interrupted downloads and reports among them) and temporary files are
// passed over; a .csv that is not a regular file (a FIFO, a device, a
// folder) is not opened and is listed as ignored, with the reason.
func Load(dir string) (*Store, error) {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, &NoDataError{Dir: dir}
	}
	var paths []string
	var skipped []FileReport
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			// An unreadable folder below dir is reported, not fatal.
			skipped = append(skipped, FileReport{Path: p, Ignored: "cannot be read: " + err.Error(), Suspect: true})
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if p == dir {
			return nil
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir // temp folders of an interrupted fetch or report
			}
			return nil
		}
		if !strings.EqualFold(filepath.Ext(p), ".csv") || ees.IsMetaFile(p) {
			return nil
		}
		if skip, why := skipEntry(p, d); skip {
			if why != "" {
				skipped = append(skipped, FileReport{Path: p, Ignored: why, Suspect: true})
			}
			return nil
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading data directory %s: %w", dir, err)
	}
	sort.Strings(paths)
	s, err := LoadFiles(dir, paths)
	var nd *NoDataError
	switch {
	case errors.As(err, &nd):
		nd.Ignored = append(nd.Ignored, skipped...)
	case err == nil:
		s.Files = append(s.Files, skipped...)
	}
	return s, err
}

// LoadFiles reads the given files as one data set. Each file's release
// is set (see releases), authorities filed only under a 3-digit DfE code
// get their ONS code, and duplicates are resolved (see resolve).
func LoadFiles(dir string, paths []string) (*Store, error) {
	s := &Store{Dir: dir, byMeasure: map[string][]Observation{}}
	var all []chunks // each file's figures, in blocks never concatenated: they can be large
	total := 0
	files, err := readFiles(paths)
	if err != nil {
		return nil, err
	}
	npop := 0
	for _, f := range files {
		npop += len(f.pop)
	}
	if npop > 0 {
		s.Population = make([]PopulationRow, 0, npop)
	}
	for _, f := range files {
		s.Files = append(s.Files, f.rep)
		all = append(all, f.obs)
		total += f.obs.n
		s.Population = append(s.Population, f.pop...)
	}
	if total == 0 && len(s.Population) == 0 {
		return nil, &NoDataError{Dir: dir, Ignored: s.Files}
	}
	if err := s.setReleases(); err != nil {
		return nil, err
	}
	codes, err := newAreaCodes(all, s.Population)
	if err != nil {
		return nil, err
	}
	codes.fill(all, s.Population)
	if err := s.resolve(all, total, codes); err != nil {
		return nil, err
	}
	s.index()
	if err := s.compactRegistrySightings(); err != nil {
		return nil, err
	}
	return s, nil
}

// ReadFile recognises one file and extracts what the catalogue reads from
// it. A file that is not EES, or that no catalogued measure reads, comes
// back with FileReport.Ignored set and no error.
func ReadFile(path string) (FileReport, []Observation, []PopulationRow, error) {
	rep, obs, pop, err := readFile(path, newInterner(), true)
	return rep, obs.flat(), pop, err
}

// InspectFile is ReadFile without the figures: it streams the file once
// and keeps only the report, so its memory does not grow with the file.
func InspectFile(path string) (FileReport, error) {
	rep, _, _, err := readFile(path, nil, false)
	return rep, err
}

// readFile reads one file; keep=false counts what would be extracted
// without keeping it. in interns the text kept (codes and names), so
// that equal strings of every file share one copy and no kept string
// holds on to the line it was read from.
func readFile(path string, in *interner, keep bool) (FileReport, chunks, []PopulationRow, error) {
	rep := FileReport{Path: path, Levels: map[string]int{}, Symbols: map[ees.Symbol]int{}}
	// The file is opened once, and read as an SFR file only when its
	// first line may be an SFR header (see maybeSFR); otherwise, or when
	// it is not one after all, as an EES file from its start.
	f, err := safefile.OpenRegular(path)
	if err == nil {
		defer f.Close()
		var head [4 << 10]byte
		n, _ := f.ReadAt(head[:], 0)
		if maybeSFR(head[:n]) {
			if rep, obs, pop, ok, err := readSFR(f, path, in, keep); ok {
				return rep, obs, pop, err
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return rep, chunks{}, nil, fmt.Errorf("reading %s: %w", path, err)
			}
		}
	}
	var r *ees.Reader
	if err == nil {
		r, err = ees.NewFileReader(f, path)
	}
	if err != nil {
		var pe *ees.ParseError
		// Only the data file's own header makes it "not EES"; a broken
		// companion .meta.csv is an error about that file.
		if errors.As(err, &pe) && pe.File == path && pe.Line <= 1 {
			rep.Ignored, rep.Suspect = notEESReason(path, err)
			return rep, chunks{}, nil, nil
		}
		// The data file itself cannot be opened (permissions, a FIFO, gone
		// since the walk): one such file must not stop every command.
		var pathErr *fs.PathError
		if pe == nil && (errors.Is(err, safefile.ErrNotRegular) || (errors.As(err, &pathErr) && pathErr.Path == path)) {
			rep.Ignored, rep.Suspect = "cannot be read: "+err.Error(), true
			return rep, chunks{}, nil, nil
		}
		return rep, chunks{}, nil, err
	}
	defer r.Release() // read keeps nothing borrowed from it
	rep.HasMeta = r.Meta() != nil
	return read(r, rep, in, keep)
}

// Read recognises and extracts from an already opened reader.
func Read(r *ees.Reader) (FileReport, []Observation, []PopulationRow, error) {
	rep := FileReport{Path: r.Name(), Levels: map[string]int{}, Symbols: map[ees.Symbol]int{}, HasMeta: r.Meta() != nil}
	rep, obs, pop, err := read(r, rep, newInterner(), true)
	return rep, obs.flat(), pop, err
}

// popSources are the population estimates read from EES files.
var popSources = []struct {
	src  measures.Source
	from PopulationSource
	band string
}{
	{measures.PopulationChildren, ONS, "0-17"},
	{measures.PopulationUnder1, ONS, "under 1"},
	{measures.PopulationUnder5, ONS, "under 5"},
	{measures.DfEPopulation, DfE, "0-17"},
	{measures.DfEPopulation2022, DfE, "0-17"},
}

// compiled is a catalogue source resolved against one file's header.
type compiled struct {
	measures.Matcher
	cand    measures.Candidate
	measure int16 // catalogue index of cand.Measure
}

type compiledPop struct {
	measures.Matcher
	from PopulationSource
	band string
}

// read extracts a file's figures. Columns and filters are resolved once
// (measures.Source.Compile); each row is matched by position, and only a
// row that feeds a measure or a population estimate is turned into an
// Observation or PopulationRow, its text interned.
func read(r *ees.Reader, rep FileReport, in *interner, keep bool) (FileReport, chunks, []PopulationRow, error) {
	var cands []compiled
	for _, c := range measures.Candidates(r.Has) {
		if m, ok := c.Source.Compile(r.Index); ok {
			cands = append(cands, compiled{m, c, int16(catalogueIndex(c.Measure.ID))})
		}
	}
	var pops []compiledPop
	for _, p := range popSources {
		if m, ok := p.src.Compile(r.Index); ok {
			pops = append(pops, compiledPop{m, p.from, p.band})
		}
	}
	if len(cands) == 0 && len(pops) == 0 {
		rep.NearMisses = nearMisses(r.Has, r.Header())
		if len(rep.NearMisses) > 0 {
			var parts []string
			for _, n := range rep.NearMisses {
				parts = append(parts, n.String())
			}
			rep.Ignored = "EES file, but no catalogued measure reads it: " + strings.Join(parts, "; ")
			rep.Suspect = true
			return rep, chunks{}, nil, nil
		}
		rep.Ignored = "EES file, but no catalogued measure reads it (columns: " + abbreviate(r.Header()) + ")"
		return rep, chunks{}, nil, nil
	}
	geoCols := r.GeoColumns()
	timeCol := r.Index("time_period")
	obs := newChunks(r.Name(), in)
	var pop []PopulationRow
	var lastGeo ees.Geography // interned: the geography of the last row kept
	var lastGeoIndex int32    // its index among the worker's (interner.geoIndex)
	haveGeo := false
	var runLevel string // the level of the current run of rows
	runRows := 0
	years := map[int]bool{}
	found := map[string]bool{}
	matchedKind := map[string]bool{}
	for {
		// Rows are read borrowed (no string per line): nothing of a row
		// is kept but numbers and interned copies, and a row is owned
		// before it can reach an error.
		row, err := r.ReadBorrowed()
		if err == io.EOF {
			countLevel(rep.Levels, runLevel, runRows)
			break
		}
		if err != nil {
			return rep, chunks{}, nil, err
		}
		rep.Rows++
		// Rows come in runs of one level: count the run, add it at
		// the next level (a map update per row was a tenth of a load).
		if level := row.Field(geoCols.Level); level != runLevel || runRows == 0 {
			countLevel(rep.Levels, runLevel, runRows)
			runLevel, runRows = strings.Clone(level), 0
		}
		runRows++
		// The row stays borrowed even when it feeds a measure: what is
		// kept of it is a number and interned copies of its geography. An
		// error, which holds text of the row, is made again from the row
		// owned (errors are rare; the same error either way).
		fields := row.Fields()
		var year int
		yearParsed := false
		var geo ees.Geography
		var geoIndex int32
		geoRead := false
		prepare := func() error {
			if !yearParsed {
				yearParsed = true
				y, err := ParseTimePeriod(row.Field(timeCol))
				if err != nil {
					row = row.Own()
					return row.Error("time_period", "a 4-digit year such as 2021 (the year ending 31 March)", row.Field(timeCol), "EES files for children's social care use reporting years")
				}
				year = y
			}
			if keep && !geoRead {
				geoRead = true
				// Rows of one area come in runs: its interned copy is
				// reused while the cells are the same.
				if g := row.GeographyAt(geoCols); !haveGeo || g != lastGeo {
					lastGeoIndex = in.geoIndex(g)
					lastGeo, haveGeo = in.geos[lastGeoIndex], true
				}
				geo, geoIndex = lastGeo, lastGeoIndex
			}
			return nil
		}
		countAt := func(i int) (ees.Value, error) {
			v, err := wholeCountAt(r, row, i)
			if err != nil {
				_, err = wholeCountAt(r, row.Own(), i)
			}
			return v, err
		}
		for i := range cands {
			c := &cands[i]
			if !c.MatchFields(fields) {
				continue
			}
			if err := prepare(); err != nil {
				return rep, chunks{}, nil, err
			}
			v, err := countAt(c.Indicator)
			if err != nil {
				return rep, chunks{}, nil, err
			}
			if !v.OK() {
				rep.Symbols[v.Symbol]++
			}
			years[year] = true
			found[c.cand.Measure.ID] = true
			matchedKind[c.cand.Measure.FileKind] = true
			if keep {
				obs.add(figure{number: v.Number, symbol: obs.symbol(v.Symbol), year: int32(year), geo: geoIndex,
					measure: c.measure, line: row.Line(), priority: int16(c.cand.Priority)})
			}
		}
		for i := range pops {
			p := &pops[i]
			if !p.MatchFields(fields) {
				continue
			}
			if err := prepare(); err != nil {
				return rep, chunks{}, nil, err
			}
			v, err := countAt(p.Indicator)
			if err != nil {
				return rep, chunks{}, nil, err
			}
			if p.from == ONS {
				years[year] = true
				matchedKind[measures.KindPopulation] = true
				if !v.OK() {
					rep.Symbols[v.Symbol]++
				}
			}
			if keep {
				pop = append(pop, PopulationRow{Source: p.from, AgeBand: p.band, Year: year, Geo: geo, Value: v,
					File: r.Name(), Line: row.Line()})
			}
		}
	}
	rep.Years = sortedKeys(years)
	for id := range found {
		rep.Measures = append(rep.Measures, id)
	}
	sort.Slice(rep.Measures, func(i, j int) bool { return catalogueIndex(rep.Measures[i]) < catalogueIndex(rep.Measures[j]) })
	for _, k := range measures.Kinds {
		if matchedKind[k.ID] {
			rep.Kind = k.ID
			break
		}
	}
	if rep.Kind == "" {
		rep.Ignored = "EES file with the columns of a catalogued measure, but no row has the filter values it selects"
		return rep, chunks{}, nil, nil
	}
	obs.done(in)
	return rep, obs, pop, nil
}

// wholeCountAt reads the indicator at position i, a count of children,
// events or people: a number must be whole and not negative (a negative
// count would print as a negative rate; a fractional one is not a count).
func wholeCountAt(r *ees.Reader, row ees.Row, i int) (ees.Value, error) {
	v, err := row.ValueAt(i)
	if err != nil || !v.OK() {
		return v, err
	}
	if v.Number < 0 || v.Number != math.Trunc(v.Number) {
		col := r.Header()[i]
		return ees.Value{}, row.Error(col, "a whole number of at least 0 (a count)", row.Field(i),
			"counts cannot be negative or fractional: the file is damaged or edited; download it again")
	}
	return v, nil
}

// countLevel adds n rows to a level's count, copying the name the
// first time (it is part of a CSV line).
func countLevel(levels map[string]int, level string, n int) {
	if n == 0 {
		return
	}
	if m, ok := levels[level]; ok {
		levels[level] = m + n
		return
	}
	levels[strings.Clone(level)] = n
}

// interner keeps one copy of each distinct string kept from the files
// (authority codes and names, region names): a kept figure then holds a
// few shared strings instead of substrings of its whole CSV line. It
// also holds the blocks the figures of the files are kept in and the
// geographies they index (see chunks): what one reader of files keeps.
type interner struct {
	m      map[string]string
	blocks arena
	// The geographies of the figures read, each once (see geoIndex).
	geos  []ees.Geography
	geoAt map[ees.Geography]int32
}

func newInterner() *interner { return &interner{m: map[string]string{}} }

func (in *interner) str(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := in.m[s]; ok {
		return v
	}
	c := strings.Clone(s)
	in.m[c] = c
	return c
}

func (in *interner) geo(g ees.Geography) ees.Geography {
	return ees.Geography{Level: in.str(g.Level), RegionCode: in.str(g.RegionCode), RegionName: in.str(g.RegionName),
		OldLACode: in.str(g.OldLACode), NewLACode: in.str(g.NewLACode), LAName: in.str(g.LAName)}
}

// ParseTimePeriod reads an EES time_period for a reporting year: four
// digits, or six digits for a two-year span (the later year is returned,
// since CIN and CLA years end on 31 March of the later year).
func ParseTimePeriod(s string) (int, error) {
	switch len(s) {
	case 4:
		return strconv.Atoi(s)
	case 6:
		first, err1 := strconv.Atoi(s[:4])
		second, err2 := strconv.Atoi(s[4:])
		if err1 != nil || err2 != nil || (first+1)%100 != second {
			return 0, fmt.Errorf("bad time_period %q", s)
		}
		return first + 1, nil
	}
	return 0, fmt.Errorf("bad time_period %q", s)
}

func catalogueIndex(id string) int {
	for i, m := range measures.Catalogue {
		if m.ID == id {
			return i
		}
	}
	return len(measures.Catalogue)
}

func abbreviate(cols []string) string {
	if len(cols) > 14 {
		return strings.Join(cols[:14], ", ") + ", ..."
	}
	return strings.Join(cols, ", ")
}

func sortedKeys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
