// Package ofsted reads Ofsted's judgements of local authority children's
// services from the spreadsheet Ofsted publishes, "Children's social care
// data in England: local authority inspection outcomes" (OpenDocument,
// Open Government Licence v3.0), and joins them to the authorities of the
// DfE data by ONS code.
//
// The file's ILACS inspection history sheet lists every inspection under
// the inspection of local authority children's services (ILACS) framework
// since January 2018: the authority's ONS code and name, the inspection
// and publication dates, the inspection type (standard or short), the
// overall effectiveness judgement and four sub-judgements (the impact of
// leaders; children who need help and protection; children in care; care
// leavers, judged only from January 2023). Judgements are on Ofsted's
// four-point scale: Outstanding, Good, Requires improvement to be good,
// Inadequate. Inspections under the earlier single inspection framework
// (2013-2018) are not in the file, so no council has a judgement here
// before 2018.
//
// The sheet is found by its content (a header row with the columns named
// above, under whatever title rows sit above it), not by its name or the
// file's name.
package ofsted

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/ods"
)

// Grade is a judgement on Ofsted's four-point scale. The zero value means
// not judged (a blank cell, such as the care leavers sub-judgement before
// 2023).
type Grade int

// Grades, best first.
const (
	NotJudged Grade = iota
	Outstanding
	Good
	RequiresImprovement
	Inadequate
)

// Grades lists the four judgements, best first.
var Grades = []Grade{Outstanding, Good, RequiresImprovement, Inadequate}

// String returns the judgement as Ofsted words it.
func (g Grade) String() string {
	switch g {
	case Outstanding:
		return "Outstanding"
	case Good:
		return "Good"
	case RequiresImprovement:
		return "Requires improvement to be good"
	case Inadequate:
		return "Inadequate"
	}
	return ""
}

// Short returns a short name for tables and legends.
func (g Grade) Short() string {
	if g == RequiresImprovement {
		return "Requires improvement"
	}
	return g.String()
}

// Low reports whether the judgement is below Good (requires improvement
// or inadequate): what The Way Forward calls a "low performing" authority.
func (g Grade) Low() bool { return g == RequiresImprovement || g == Inadequate }

// ParseGrade reads a judgement, ignoring case and spacing; "" is
// NotJudged. "Requires improvement" without "to be good" is accepted.
func ParseGrade(s string) (Grade, error) {
	t := strings.Join(strings.Fields(strings.ToLower(s)), " ")
	switch t {
	case "":
		return NotJudged, nil
	case "outstanding":
		return Outstanding, nil
	case "good":
		return Good, nil
	case "requires improvement to be good", "requires improvement":
		return RequiresImprovement, nil
	case "inadequate":
		return Inadequate, nil
	}
	return NotJudged, fmt.Errorf("unknown judgement %q (expected Outstanding, Good, Requires improvement to be good or Inadequate)", s)
}

// Inspection is one ILACS inspection of one authority.
type Inspection struct {
	Code      string // ONS code as in the file
	Name      string // authority name as in the file
	Status    string // "Current" or "No longer exists"
	Region    string // Ofsted region
	Type      string // "ILACS Standard Inspection", "ILACS Short Inspection"
	Inspected time.Time
	Published time.Time
	Overall   Grade
	// Sub-judgements.
	Leaders           Grade // the impact of leaders on social work practice
	HelpAndProtection Grade // children who need help and protection
	InCare            Grade // children in care
	CareLeavers       Grade // care leavers (from January 2023)
	Row               int   // 1-based row in the sheet
}

// Outcomes is the ILACS inspection history read from one file.
type Outcomes struct {
	File        string
	Sheet       string
	Inspections []Inspection // in file order
}

// Column headers of the inspection history, normalised (see norm).
const (
	colCode      = "local authority area code"
	colName      = "local authority name"
	colStatus    = "local authority status"
	colRegion    = "ofsted region"
	colInspected = "inspection date"
	colPublished = "publication date"
	colType      = "inspection type"
	colOverall   = "overall effectiveness"
	colLeaders   = "the impact of leaders on social work practice with children and families"
	colHelp      = "the experiences and progress of children who need help and protection"
	colInCare    = "the experiences and progress of children in care"
	colLeavers   = "the experiences and progress of care leavers"
)

// required are the headers that identify the history table.
var required = []string{colCode, colName, colInspected, colPublished, colType, colOverall, colLeaders, colHelp, colInCare}

// headerSearchRows is how far down a sheet the header row may be.
const headerSearchRows = 20

func norm(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// ErrNoHistory says a spreadsheet has no ILACS inspection history table.
var ErrNoHistory = errors.New("no ILACS inspection history table (a header row with 'Local authority area code', 'Inspection date', 'Inspection type' and 'Overall effectiveness')")

// Read reads the ILACS inspection history from an Ofsted outcomes .ods.
func Read(path string) (*Outcomes, error) {
	f, err := ods.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadFile(f)
}

// ReadFile reads the inspection history from an opened spreadsheet: the
// first sheet whose header row (within its first 20 rows) has the history
// columns. Rows after the header are inspections until the first row
// without an area code; a row with a bad code, date or judgement is a
// *ods.ParseError naming the cell.
func ReadFile(f *ods.File) (*Outcomes, error) {
	out := &Outcomes{File: f.Name}
	var perr error
	err := f.Walk(func(sheet string) ods.RowFunc {
		if out.Sheet != "" || perr != nil {
			return nil
		}
		var cols map[string]int
		last := 0
		return func(row int, cells []ods.Cell) error {
			defer func() { last = row }()
			if cols == nil {
				if row > headerSearchRows {
					return ods.Stop
				}
				cols = headerColumns(cells)
				if cols != nil {
					out.Sheet = sheet
				}
				return nil
			}
			get := func(name string) (string, int) {
				i, ok := cols[name]
				if !ok || i >= len(cells) {
					return "", i + 1
				}
				c := cells[i]
				if c.Type == "date" {
					return c.Value, i + 1
				}
				return strings.TrimSpace(c.Text), i + 1
			}
			code, _ := get(colCode)
			if code == "" || row != last+1 {
				return ods.Stop // the table ends at its first blank row
			}
			in, err := parseRow(get, row)
			if err != nil {
				perr = &ods.ParseError{File: f.Name, Sheet: sheet, Row: row, Column: colOf(err), Err: err}
				return perr
			}
			out.Inspections = append(out.Inspections, in)
			return nil
		}
	})
	if perr != nil {
		return nil, perr
	}
	if err != nil {
		return nil, err
	}
	if out.Sheet == "" {
		return nil, &ods.ParseError{File: f.Name, Err: ErrNoHistory}
	}
	if len(out.Inspections) == 0 {
		return nil, &ods.ParseError{File: f.Name, Sheet: out.Sheet, Err: errors.New("the inspection history table has no rows")}
	}
	return out, nil
}

// headerColumns maps normalised headers to 0-based columns when cells
// form the history header row, else nil.
func headerColumns(cells []ods.Cell) map[string]int {
	cols := map[string]int{}
	for i, c := range cells {
		h := norm(c.Text)
		if _, dup := cols[h]; h != "" && !dup {
			cols[h] = i
		}
	}
	for _, r := range required {
		if _, ok := cols[r]; !ok {
			return nil
		}
	}
	return cols
}

// cellError is a row error at a column.
type cellError struct {
	col int
	err error
}

func (e *cellError) Error() string { return e.err.Error() }
func (e *cellError) Unwrap() error { return e.err }

func colOf(err error) int {
	var ce *cellError
	if errors.As(err, &ce) {
		return ce.col
	}
	return 0
}

func parseRow(get func(string) (string, int), row int) (Inspection, error) {
	in := Inspection{Row: row}
	code, col := get(colCode)
	if !validCode(code) {
		return in, &cellError{col, fmt.Errorf("local authority area code %q is not a 9-character ONS code such as E08000035", code)}
	}
	in.Code = strings.ToUpper(code)
	in.Name, _ = get(colName)
	in.Status, _ = get(colStatus)
	in.Region, _ = get(colRegion)
	in.Type, _ = get(colType)
	var err error
	for _, d := range []struct {
		col  string
		dst  *time.Time
		what string
	}{{colInspected, &in.Inspected, "inspection date"}, {colPublished, &in.Published, "publication date"}} {
		v, c := get(d.col)
		if *d.dst, err = ParseDate(v); err != nil {
			return in, &cellError{c, fmt.Errorf("%s: %v", d.what, err)}
		}
	}
	for _, g := range []struct {
		col      string
		dst      *Grade
		required bool
	}{{colOverall, &in.Overall, true}, {colLeaders, &in.Leaders, true}, {colHelp, &in.HelpAndProtection, true},
		{colInCare, &in.InCare, true}, {colLeavers, &in.CareLeavers, false}} {
		v, c := get(g.col)
		if *g.dst, err = ParseGrade(v); err != nil {
			return in, &cellError{c, err}
		}
		if g.required && *g.dst == NotJudged {
			return in, &cellError{c, fmt.Errorf("%q is blank: every ILACS standard or short inspection has this judgement", g.col)}
		}
	}
	return in, nil
}

func validCode(s string) bool {
	if len(s) != 9 || (s[0] != 'E' && s[0] != 'e') {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ParseDate reads an ISO 8601 date or date-time as spreadsheets store
// them ("2019-02-18", "2019-02-18T00:00:00", with or without fractional
// seconds or a zone) or a day/month/year date as displayed
// ("18/02/2019"). The time of day is dropped.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("blank (expected a date such as 2019-02-18)")
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999", "2006-01-02", "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			y, m, d := t.Date()
			if y < 2000 || y > 2100 {
				return time.Time{}, fmt.Errorf("date %q is out of range", s)
			}
			return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (expected an ISO date such as 2019-02-18 or 18/02/2019)", s)
}

// Find looks in dir (recursively) for Ofsted's outcomes spreadsheet,
// recognised by its content: the first file (in path order) that opens as
// an OpenDocument spreadsheet with an ILACS inspection history table.
// Files larger than 100 MB and files that do not start like a zip archive
// are not opened. It returns *NotFoundError when there is none.
func Find(dir string) (*Outcomes, error) {
	var found *Outcomes
	var firstErr error
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == dir {
				return err
			}
			return nil
		}
		if d.IsDir() || found != nil {
			return nil
		}
		info, err := os.Stat(path) // follows a symlinked file
		if err != nil || !info.Mode().IsRegular() || info.Size() > 100<<20 || !startsLikeZip(path) {
			return nil
		}
		o, err := Read(path)
		switch {
		case err == nil:
			found = o
			return filepath.SkipAll
		case errors.Is(err, ErrNoHistory) || errors.Is(err, ods.ErrNotODS):
			return nil
		default:
			// A spreadsheet that has the table but a bad row: say so
			// rather than pretend there is no file.
			if firstErr == nil && isHistoryError(err) {
				firstErr = err
			}
			return nil
		}
	})
	if found != nil {
		return found, nil
	}
	if firstErr != nil {
		return nil, firstErr
	}
	if err != nil {
		return nil, err
	}
	return nil, &NotFoundError{Dir: dir}
}

func isHistoryError(err error) bool {
	var pe *ods.ParseError
	return errors.As(err, &pe) && pe.Sheet != ""
}

func startsLikeZip(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [4]byte
	n, _ := f.Read(b[:])
	return n == 4 && string(b[:]) == "PK\x03\x04"
}

// NotFoundError says the data directory has no Ofsted outcomes file.
type NotFoundError struct{ Dir string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("no Ofsted local authority inspection outcomes spreadsheet in %s: run `cscstats fetch ofsted`, or download \"Children's social care data in England: local authority inspection outcomes\" (.ods) from Ofsted's statistics pages and put it anywhere in the data directory", e.Dir)
}

// Judgements are the inspections joined to the authorities of a registry.
type Judgements struct {
	Source  *Outcomes
	reg     *la.Registry
	byCode  map[string][]Inspection // canonical code -> inspections by date
	Unknown []Inspection            // rows whose code the registry does not know
}

// Join files each inspection under its authority's canonical code (codes
// that changed, such as North Yorkshire's E10000023 → E06000065, follow
// the registry). Inspections of codes the registry does not know are kept
// in Unknown.
func Join(o *Outcomes, reg *la.Registry) *Judgements {
	j := &Judgements{Source: o, reg: reg, byCode: map[string][]Inspection{}}
	for _, in := range o.Inspections {
		a, ok := reg.Get(in.Code)
		if !ok {
			j.Unknown = append(j.Unknown, in)
			continue
		}
		j.byCode[a.Code] = append(j.byCode[a.Code], in)
	}
	for c, ins := range j.byCode {
		sort.SliceStable(ins, func(a, b int) bool { return ins[a].Inspected.Before(ins[b].Inspected) })
		j.byCode[c] = ins
	}
	return j
}

// History returns an authority's inspections, oldest first (any of its
// ONS codes may be given).
func (j *Judgements) History(code string) []Inspection {
	return j.byCode[j.reg.Canonical(code)]
}

// Latest returns an authority's most recent inspection.
func (j *Judgements) Latest(code string) (Inspection, bool) {
	h := j.History(code)
	if len(h) == 0 {
		return Inspection{}, false
	}
	return h[len(h)-1], true
}

// At returns the judgement in force for an authority's services on date t:
// its latest inspection that began on or before t. An authority created in
// a boundary change and not yet inspected itself inherits its
// predecessor's judgement when it had exactly one predecessor (North and
// West Northamptonshire inherit Northamptonshire's; the services passed
// whole to the successors or a trust serving both); from is the code the
// judgement was filed under.
func (j *Judgements) At(code string, t time.Time) (in Inspection, from string, ok bool) {
	c := j.reg.Canonical(code)
	if in, ok := latestBefore(j.byCode[c], t); ok {
		return in, c, true
	}
	if a, found := j.reg.Get(c); found && len(a.Predecessors) == 1 {
		p := a.Predecessors[0]
		if in, ok := latestBefore(j.byCode[p], t); ok {
			return in, p, true
		}
	}
	return Inspection{}, "", false
}

func latestBefore(h []Inspection, t time.Time) (Inspection, bool) {
	var best Inspection
	ok := false
	for _, in := range h {
		if !in.Inspected.After(t) {
			best, ok = in, true
		}
	}
	return best, ok
}

// Codes returns the canonical codes with at least one inspection, sorted.
func (j *Judgements) Codes() []string {
	out := make([]string, 0, len(j.byCode))
	for c := range j.byCode {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Describe names the file for notes and source lines.
func (o *Outcomes) Describe() string {
	return fmt.Sprintf("Ofsted, local authority inspection outcomes (%s, sheet %s; Open Government Licence v3.0)", filepath.Base(o.File), o.Sheet)
}

// MonthYear writes a date as "February 2022".
func MonthYear(t time.Time) string { return t.Format("January 2006") }

// Load finds the outcomes file in the data directory (see Find) and joins
// it to the registry.
func Load(dir string, reg *la.Registry) (*Judgements, error) {
	o, err := Find(dir)
	if err != nil {
		return nil, err
	}
	return Join(o, reg), nil
}

// Summary describes the latest judgement with the months of the
// inspections, newest first, that gave it in an unbroken run: Leeds,
// judged Outstanding in October 2018 and February 2022, is "Outstanding
// (February 2022 and October 2018)". An authority never inspected under
// ILACS gives "".
func Summary(h []Inspection) string {
	if len(h) == 0 {
		return ""
	}
	g := h[len(h)-1].Overall
	var months []string
	for i := len(h) - 1; i >= 0 && h[i].Overall == g; i-- {
		months = append(months, MonthYear(h[i].Inspected))
	}
	return fmt.Sprintf("%s (%s)", g, joinAnd(months))
}

func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
