// Package claims sets the figures stated in "Children's Social Care – The
// Way Forward" (2022) beside the figures cscstats computes from DfE's open
// data, with the difference and a verdict.
//
// The claims themselves are hand-written data (data/claims.json), so that
// a reader can audit exactly what was checked against what.
//
// # Verdicts
//
// Every result has one of six verdicts, and an explanation on the page:
//
//   - reproduced: equal at the precision the report gives (for an "about"
//     figure, within 10% of it; for a trend, the robust test agrees);
//   - close: within 5% of the stated value (for an "about" figure, 20%;
//     for a trend, the right direction but not statistically clear);
//   - differs: computed, and neither of the above;
//   - ambiguous: the claim can be read in several ways that give
//     different answers; each reading is computed and shown;
//   - not checkable: the data cannot answer it (the years are not in the
//     data, or a figure is suppressed); the result says what is missing. A
//     claim that cannot be computed is never "differs";
//   - different design: the claim comes from a study whose design the
//     published council figures cannot reproduce (for example a cohort of
//     under-fives); the nearest analysis is computed and shown, with how
//     the original differs.
//
// # Rows
//
// A claim is evaluated on the years it is about ("own years") and, when
// its Since field asks, again on the latest years in the data ("and
// since"). A row whose years are not in the data is not checkable and
// names the files that would provide them, so it becomes evaluable as
// soon as they are loaded.
package claims

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cscstats/cscstats/data"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
)

// Kinds of claim.
const (
	KindRate                = "rate"                 // a rate per 10,000 for an area and year
	KindCountChangePercent  = "count_change_percent" // percent change in a count between two years
	KindSpreadRising        = "spread_rising"        // between-council variation grew over the years
	KindCorrelationPositive = "correlation_positive" // councils where x rose also saw y rise
)

// Verdicts.
const (
	Reproduced      = "reproduced"
	Close           = "close"
	Differs         = "differs"
	Ambiguous       = "ambiguous"
	NotCheckable    = "not checkable"
	DifferentDesign = "different design"
)

// Verdicts lists every verdict, in the order the page explains them.
var Verdicts = []string{Reproduced, Close, Differs, Ambiguous, NotCheckable, DifferentDesign}

// VerdictMeaning explains each verdict for the page.
var VerdictMeaning = map[string]string{
	Reproduced:      "equal at the precision the report gives (an “about” figure: within 10%; a trend: the robust test agrees)",
	Close:           "within 5% of the stated figure (an “about” figure: within 20%; a trend or correlation: the claimed direction, but not statistically clear)",
	Differs:         "computed, and neither reproduced nor close",
	Ambiguous:       "the claim can be read in several ways that give different answers; every reading is computed and shown",
	NotCheckable:    "the data cannot answer it yet; the row says what is missing (never scored as “differs”)",
	DifferentDesign: "the claim comes from a study the published council figures cannot reproduce; the nearest analysis is shown, with how the original differs",
}

// Rows of a claim.
const (
	RowOwn   = "own years"
	RowSince = "and since"
)

// Claim is one checkable statement of the report.
type Claim struct {
	ID      string   `json:"id"`
	Group   string   `json:"group"`
	Where   string   `json:"where"`
	Kind    string   `json:"kind"`
	Text    string   `json:"text"`
	Measure string   `json:"measure,omitempty"`
	Area    string   `json:"area,omitempty"`
	Year    int      `json:"year,omitempty"`
	From    int      `json:"from,omitempty"`
	To      int      `json:"to,omitempty"`
	Stated  *float64 `json:"stated,omitempty"`
	X       string   `json:"x,omitempty"`
	Y       string   `json:"y,omitempty"`
	Note    string   `json:"note,omitempty"`

	// About marks an approximate figure ("about 50%").
	About bool `json:"about,omitempty"`
	// Readings are the reasonable readings of an ambiguous claim; each is
	// computed, and the verdict is ambiguous when they disagree.
	Readings []Reading `json:"readings,omitempty"`
	// Context are related figures computed and shown beside the verdict,
	// not part of it.
	Context []Reading `json:"context,omitempty"`
	// Design, when set, says how the study behind the claim differs from
	// anything the published council figures can test.
	Design string `json:"design,omitempty"`
	// Since asks for a second row on the latest years in the data.
	Since *Since `json:"since,omitempty"`
	// Vintage is the population vintage the stated figure was computed
	// with: "as-published" for DfE's denominator of the time (the
	// population_estimate printed beside its rates in the release that
	// first published the year), empty for the latest ONS series. See
	// Evaluator.ForVintage.
	Vintage string `json:"vintage,omitempty"`
	// Needs names the files that would provide years not in the data.
	Needs string `json:"needs,omitempty"`
}

// Reading is one way of reading a claim: a percent change in a count, or
// in the sum of several measures' counts (Measure "adoptions+sgo").
type Reading struct {
	Label   string `json:"label"`
	Measure string `json:"measure"`
	Area    string `json:"area,omitempty"`
	From    int    `json:"from"`
	To      int    `json:"to"`
}

// Since is the "and since" window: the latest Years years in the data
// (for a change, from the latest year minus Years to the latest year).
type Since struct {
	Years int `json:"years"`
}

// File is the claims file.
type File struct {
	Source string  `json:"source"`
	Claims []Claim `json:"claims"`
}

// Load parses the embedded claims file.
func Load() (File, error) {
	return Parse(data.Claims, "data/claims.json")
}

// Parse reads a claims file, checking each claim's kind and fields.
func Parse(b []byte, name string) (File, error) {
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("%s: %w", name, err)
	}
	for _, c := range f.Claims {
		switch c.Kind {
		case KindRate, KindCountChangePercent, KindSpreadRising, KindCorrelationPositive:
		default:
			return f, fmt.Errorf("%s: claim %s has unknown kind %q (want %s, %s, %s or %s)", name, c.ID, c.Kind,
				KindRate, KindCountChangePercent, KindSpreadRising, KindCorrelationPositive)
		}
		switch c.Vintage {
		case "", VintageAsPublished, VintageLatest:
		default:
			return f, fmt.Errorf("%s: claim %s has unknown vintage %q (want %q or %q)", name, c.ID, c.Vintage, VintageAsPublished, VintageLatest)
		}
	}
	return f, nil
}

// Population vintages a claim can name.
const (
	VintageLatest      = "latest"
	VintageAsPublished = "as-published"
)

// Result is a claim checked against the data, on one window of years.
type Result struct {
	Claim
	// Row is RowOwn or RowSince; Years says which years were evaluated.
	Row   string
	Years string
	// Computed is the headline value (NaN when not computed) and
	// Difference Computed − Stated (NaN when either is missing).
	Computed   float64
	Difference float64
	Verdict    string
	// Detail says what was computed, in words; Explanation why the
	// verdict is what it is.
	Detail      string
	Explanation string
	// Readings are the computed readings of an ambiguous claim, and
	// ContextValues its context figures.
	Readings      []ReadingResult
	ContextValues []ReadingResult
	// Vintage is the population vintage the row was computed with.
	Vintage string
	Sources []string
	// Shared are the parts of Explanation that other rows may repeat
	// word for word (the claim's note, the study design, why a vintage
	// could not be used), so a page can say each once.
	Shared []string
}

// addShared appends a text other rows may share to the explanation.
func (r *Result) addShared(s string) {
	if s == "" {
		return
	}
	if r.Explanation != "" {
		r.Explanation += " "
	}
	r.Explanation += s
	r.Shared = append(r.Shared, s)
}

// ReadingResult is one reading computed.
type ReadingResult struct {
	Reading
	Value   float64 // percent change; NaN when not computable
	Verdict string
	Detail  string
}

// verdictFor compares a computed value with one stated to a number of
// decimals: reproduced when it rounds to the stated value, close within 5%.
// NaN is not checkable, never "differs".
func verdictFor(computed, stated float64, decimals int) string {
	half := 0.5 * math.Pow(10, -float64(decimals))
	switch d := math.Abs(computed - stated); {
	case math.IsNaN(d):
		return NotCheckable
	case d <= half+1e-9:
		return Reproduced
	case stated != 0 && d/math.Abs(stated) <= 0.05:
		return Close
	}
	return Differs
}

// verdictAbout compares a computed value with an approximate stated one
// ("about 50%"): reproduced within 10% of it, close within 20%.
func verdictAbout(computed, stated float64) string {
	switch d := math.Abs(computed-stated) / math.Abs(stated); {
	case math.IsNaN(d):
		return NotCheckable
	case d <= 0.10:
		return Reproduced
	case d <= 0.20:
		return Close
	}
	return Differs
}

// DenominatorNote explains why rates published before 2023 differ from
// rates computed from today's files.
const DenominatorNote = "ONS revised its mid-2012 to mid-2020 population estimates after the 2021 Census, and DfE's later releases can restate earlier counts; rates published before the revision therefore differ slightly from today's, most for 2019-20 and 2020-21."

// Evaluator evaluates claims against a calculator.
type Evaluator struct {
	Calc *rates.Calculator
	// ForVintage, when set, returns a calculator whose rate denominators
	// are the named population vintage (VintageAsPublished: DfE's own
	// denominator of the time). Claims naming a vintage are then computed
	// on it; without it (or on error) they are computed on Calc and the
	// explanation says so.
	ForVintage func(vintage string) (*rates.Calculator, error)
	// Seed seeds the spread bootstrap (0: DefaultSeed).
	Seed uint64
}

// DefaultSeed seeds the spread claims' bootstrap: the date the report was
// published in 2022 (23 May), so the page's intervals are reproducible.
const DefaultSeed uint64 = 20220523

// Bootstrap is the number of paired bootstrap resamples behind a spread
// verdict.
const Bootstrap = 2000

// Evaluate checks any claim, on its own years and, when asked, the latest
// years: one or two results.
func (ev Evaluator) Evaluate(c Claim) ([]Result, error) {
	var out []Result
	own, err := ev.evaluate(c, RowOwn)
	if err != nil {
		return nil, err
	}
	out = append(out, own)
	if c.Since != nil {
		since, err := ev.evaluate(c, RowSince)
		if err != nil {
			return nil, err
		}
		out = append(out, since)
	}
	return out, nil
}

func (ev Evaluator) evaluate(c Claim, row string) (Result, error) {
	var r Result
	var err error
	switch c.Kind {
	case KindSpreadRising:
		r, err = ev.spread(c, row)
	case KindCorrelationPositive:
		r, err = ev.correlation(c, row)
	case KindCountChangePercent:
		r, err = ev.countChange(c, row)
	default:
		return ev.rate(c, row)
	}
	// rows computed on Calc have Calc's vintage (a count change has none
	// to speak of, but says which the report ran with)
	if ev.Calc != nil && ev.Calc.Vintage != "" {
		r.Vintage = string(ev.Calc.Vintage)
	}
	return r, err
}

// latestCalc is the calculator of the latest vintage: ForVintage's when
// set, else Calc.
func (ev Evaluator) latestCalc() *rates.Calculator {
	if ev.ForVintage != nil {
		if calc, err := ev.ForVintage(VintageLatest); err == nil && calc != nil {
			return calc
		}
	}
	return ev.Calc
}

// EvaluateAll checks every claim of a file, in order, on calc.
func EvaluateAll(calc *rates.Calculator, f File) ([]Result, error) {
	return Evaluator{Calc: calc}.EvaluateAll(f)
}

// EvaluateAll checks every claim of a file, in order.
func (ev Evaluator) EvaluateAll(f File) ([]Result, error) {
	var out []Result
	for _, c := range f.Claims {
		rs, err := ev.Evaluate(c)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

// newResult starts a result with nothing computed.
func newResult(c Claim, row string) Result {
	return Result{Claim: c, Row: row, Computed: math.NaN(), Difference: math.NaN(), Vintage: VintageLatest}
}

// notCheckable marks r not checkable with the reason.
func notCheckable(r Result, why string) Result {
	r.Verdict = NotCheckable
	r.Detail = "nothing computed"
	// where the missing years would come from is the same for many rows:
	// said once, as a shared sentence
	needs := " (needs " + r.Needs + ")"
	shared := r.Needs != "" && strings.Contains(why, needs)
	if shared {
		why = strings.ReplaceAll(why, needs, "")
	}
	r.Explanation = "Not checkable: " + why + "."
	if shared {
		r.addShared("The missing years are in " + r.Needs + ".")
	}
	r.addShared(r.Note)
	return r
}

// missingYears lists the years from..to that the data lack for measure.
func missingYears(calc *rates.Calculator, measure string, from, to int) []int {
	have := map[int]bool{}
	for _, y := range calc.Years(measure) {
		have[y] = true
	}
	var out []int
	for y := from; y <= to; y++ {
		if !have[y] {
			out = append(out, y)
		}
	}
	return out
}

// yearsText writes years compactly: "2010-2017", "2013, 2015".
func yearsText(ys []int) string {
	if len(ys) == 0 {
		return ""
	}
	var parts []string
	start := ys[0]
	for i := 1; i <= len(ys); i++ {
		if i < len(ys) && ys[i] == ys[i-1]+1 {
			continue
		}
		if start == ys[i-1] {
			parts = append(parts, fmt.Sprint(start))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", start, ys[i-1]))
		}
		if i < len(ys) {
			start = ys[i]
		}
	}
	return strings.Join(parts, ", ")
}

// NeedsThrough is the last year the claims' Needs files (the pre-2018
// SFR files) cover: a missing year after it is not theirs to provide.
const NeedsThrough = 2017

// noData words missing years, with the claim's Needs when they are the
// years those files cover.
func noData(c Claim, measure string, years []int) string {
	return fmt.Sprintf("no %s data for %s", measure, yearsText(years)) + needsText(c, years)
}

func needsText(c Claim, years []int) string {
	if c.Needs == "" || len(years) == 0 {
		return ""
	}
	for _, y := range years {
		if y > NeedsThrough {
			return " (not in the files loaded)"
		}
	}
	return " (needs " + c.Needs + ")"
}

// calcFor returns the calculator for the claim's vintage, and the
// vintage actually used with a note when it is not the one asked for.
func (ev Evaluator) calcFor(c Claim) (*rates.Calculator, string, string) {
	if c.Vintage == "" || c.Vintage == VintageLatest {
		return ev.Calc, VintageLatest, ""
	}
	if ev.ForVintage != nil {
		if calc, err := ev.ForVintage(c.Vintage); err == nil && calc != nil {
			return calc, c.Vintage, ""
		} else if err != nil {
			return ev.Calc, VintageLatest, fmt.Sprintf("The report's figure used DfE's population estimate of the time (%s vintage), which could not be used here (%v); this row uses the latest ONS series.", c.Vintage, err)
		}
	}
	return ev.Calc, VintageLatest, "The report used DfE's population estimate of the time; this row uses today's ONS series, revised after the 2021 Census."
}

// rate checks a rate claim.
func (ev Evaluator) rate(c Claim, row string) (Result, error) {
	r := newResult(c, row)
	r.Years = fmt.Sprint(c.Year)
	calc, vintage, vnote := ev.calcFor(c)
	r.Vintage = vintage
	area, err := resolveArea(calc, c.Area)
	if err != nil {
		return r, fmt.Errorf("claim %s: %w", c.ID, err)
	}
	got := calc.Get(c.Measure, area, c.Year)
	if !got.OK() && vintage != VintageLatest {
		// the vintage lacks this year (DfE's as-published denominators
		// exist only for the releases in the data): use the latest series
		// and say so, rather than report nothing
		calc, vintage = ev.latestCalc(), VintageLatest
		r.Vintage = vintage
		vnote = fmt.Sprintf("The report's rate was computed on DfE's population estimate of the time for %d (the ONS mid-%d estimate as first published), which no file in the data prints (%s). The rate here therefore divides by today's ONS series, revised after the 2021 Census; until that estimate is loaded, a small difference cannot be told apart from the revision.",
			c.Year, population.MidYearFor(c.Year), asPublishedYears(calc))
		got = calc.Get(c.Measure, area, c.Year)
	}
	if miss := missingYears(calc, c.Measure, c.Year, c.Year); len(miss) > 0 {
		return notCheckable(r, noData(c, c.Measure, miss)), nil
	}
	r.Sources = got.SourceRefs()
	if !got.OK() {
		return notCheckable(r, fmt.Sprintf("%s %s %d: %s", area.Name, c.Measure, c.Year, got.Note)), nil
	}
	r.Computed = got.Value
	r.Detail = fmt.Sprintf("%.0f ÷ %.0f children (%s) × 10,000", got.Count.Number, got.Population, denominatorText(got, vintage))
	if vintage == VintageAsPublished {
		// the earliest release in the data may be later than the report:
		// its population_estimate is then not the one the report used
		if e, ok, _ := calc.Pop.ForVintage(population.AsPublished, area.Code, c.Year, population.Children); ok && e.Release > ReportYear {
			r.Detail = fmt.Sprintf("%.0f ÷ %.0f children (DfE's population_estimate for %d in its %d release, the earliest in the data) × 10,000", got.Count.Number, got.Population, c.Year, e.Release)
			vnote = fmt.Sprintf("The earliest DfE release in the data that gives %d is its %d release, later than the report (%d), and its population_estimate already carries ONS's revision after the 2021 Census; the report used the estimate of an earlier release. Load DfE's %d release of the children-looked-after publication (`cscstats fetch cla --release %d`) to divide by it.",
				c.Year, e.Release, ReportYear, ReportYear, ReportYear)
		}
	}
	if c.Stated == nil {
		r.Verdict = NotCheckable
		r.Explanation = "the claim states no figure to compare with"
		return r, nil
	}
	r.Difference = r.Computed - *c.Stated
	r.Verdict = verdictFor(r.Computed, *c.Stated, 1)
	if r.Verdict != Reproduced && *c.Stated > 0 {
		implied := got.Count.Number / *c.Stated * 10000
		r.Explanation = fmt.Sprintf("The stated rate implies %.0f children; %.0f used here (%+.1f%%).",
			implied, got.Population, (got.Population-implied)/implied*100)
		r.addShared(vnote)
	} else if r.Verdict == Reproduced && vintage == VintageAsPublished {
		r.Explanation = "Reproduced exactly with the population estimate DfE published at the time"
		if e, ok, _ := calc.Pop.ForVintage(population.AsPublished, area.Code, c.Year, population.Children); ok && e.Release > 0 {
			col := e.Column
			if col == "" {
				col = "population_estimate"
			}
			r.Explanation += fmt.Sprintf(": the %s for %d in DfE's %d release (%s, line %d)", col, c.Year, e.Release, filepath.Base(e.File), e.Line)
		}
		r.Explanation += "."
		if now := ev.Calc.Get(c.Measure, area, c.Year); now.OK() && now.Population != got.Population {
			r.Explanation += fmt.Sprintf(" Today's ONS series (revised after the 2021 Census) gives %.0f children and a rate of %.1f.", now.Population, now.Value)
		}
	} else if r.Verdict == Reproduced {
		r.Explanation = "Equal to the report's figure at the one decimal it gives."
		if c.Vintage == VintageAsPublished && ev.ForVintage != nil {
			r.addShared(vnote)
		}
	}
	return r, nil
}

// ReportYear is the year "The Way Forward" was published: a DfE release
// after it cannot hold the population estimates the report divided by.
const ReportYear = 2022

// asPublishedYears says for which reporting years the data hold DfE's
// population estimate of the time (England's).
func asPublishedYears(calc *rates.Calculator) string {
	seen := map[int]bool{}
	var ys []int
	for _, m := range []string{"cla_31march", "s47", "adoptions"} {
		for _, y := range calc.Years(m) {
			if _, ok, _ := calc.Pop.ForVintage(population.AsPublished, population.EnglandCode, y, population.Children); ok && !seen[y] {
				seen[y] = true
				ys = append(ys, y)
			}
		}
	}
	if len(ys) == 0 {
		return "the data hold none of DfE's own population estimates"
	}
	sort.Ints(ys)
	return "DfE's own population estimates are in the data for " + yearsText(ys) + " only"
}

func denominatorText(r rates.Rate, vintage string) string {
	if vintage == VintageAsPublished {
		return fmt.Sprintf("DfE's population estimate of the time for %d", r.Year)
	}
	return fmt.Sprintf("ONS mid-%d", r.PopMidYear)
}

// countChange checks a percent change in a count, or each reading of an
// ambiguous one.
func (ev Evaluator) countChange(c Claim, row string) (Result, error) {
	r := newResult(c, row)
	from, to := c.From, c.To
	if row == RowSince {
		last := ev.latestYear(c)
		if last == 0 {
			return notCheckable(r, "no data at all for "+c.Measure), nil
		}
		from, to = last-c.Since.Years, last
	}
	r.Years = fmt.Sprintf("%d-%d", from, to)
	if len(c.Readings) > 0 && row == RowOwn {
		return ev.readings(c, r)
	}
	rd := Reading{Label: c.Measure, Measure: c.Measure, Area: c.Area, From: from, To: to}
	rr := ev.reading(c, rd)
	for _, cx := range c.Context {
		if row == RowSince {
			// the latest span of the same length the context's own
			// measures all have (they may end a year before the claim's)
			cto := to
			for _, m := range strings.Split(cx.Measure, "+") {
				if ys := ev.Calc.Years(m); len(ys) > 0 && ys[len(ys)-1] < cto {
					cto = ys[len(ys)-1]
				}
			}
			cx.From, cx.To = cto-(to-from), cto
		}
		r.ContextValues = append(r.ContextValues, ev.reading(c, cx))
	}
	if math.IsNaN(rr.Value) {
		r = notCheckable(r, rr.Detail)
		r.Explanation += contextText(r.ContextValues)
		return r, nil
	}
	r.Computed = rr.Value
	r.Detail = rr.Detail
	r.Verdict = rr.Verdict
	if c.Stated != nil {
		r.Difference = r.Computed - *c.Stated
	}
	switch {
	case r.Verdict == Reproduced && c.About:
		r.Explanation = fmt.Sprintf("Within 10%% of the report's approximate %.0f%%.", *c.Stated)
	case r.Verdict == Reproduced:
		r.Explanation = "Equal to the report's figure at the precision it gives."
	case c.Stated == nil:
		r.Verdict = NotCheckable
		r.Explanation = "The claim states no figure to compare with."
	default:
		about := ""
		if c.About {
			about = "about "
		}
		r.Explanation = fmt.Sprintf("The report says %s%g%%; the data give %+.1f%%.", about, *c.Stated, r.Computed)
		r.addShared(c.Note)
	}
	// each row states its own years: the claim's, or the latest ones
	if row == RowSince {
		r.Explanation = fmt.Sprintf("Compared: %d with %d, the latest %d years in the data. ", from, to, to-from) + r.Explanation
	} else {
		r.Explanation = fmt.Sprintf("Compared: %d with %d, the years of the claim. ", from, to) + r.Explanation
	}
	r.Explanation += contextText(r.ContextValues)
	return r, nil
}

func contextText(cs []ReadingResult) string {
	var parts []string
	for _, x := range cs {
		parts = append(parts, fmt.Sprintf("%s: %s.", x.Label, x.Detail))
	}
	if len(parts) == 0 {
		return ""
	}
	return " For context, not part of the verdict: " + strings.Join(parts, " ")
}

// readings evaluates every reading of an ambiguous claim.
func (ev Evaluator) readings(c Claim, r Result) (Result, error) {
	seen := map[string]bool{}
	var lines []string
	for _, rd := range c.Readings {
		rr := ev.reading(c, rd)
		r.Readings = append(r.Readings, rr)
		lines = append(lines, fmt.Sprintf("%s: %s (%s)", rd.Label, rr.Detail, rr.Verdict))
		if rr.Verdict != NotCheckable {
			seen[rr.Verdict] = true
		}
	}
	r.Detail = strings.Join(lines, "; ")
	switch len(seen) {
	case 0:
		r.Verdict = NotCheckable
		r.Explanation = "No reading of the claim can be computed from the data."
	case 1:
		for v := range seen {
			r.Verdict = v
		}
		r.Explanation = "Every reading that can be computed gives the same answer."
	default:
		r.Verdict = Ambiguous
		r.Explanation = "The readings of the claim give different answers (each is shown with its own verdict)."
		r.addShared(c.Note)
	}
	// the headline value: the reading closest to the stated figure
	if c.Stated != nil {
		for _, rr := range r.Readings {
			if !math.IsNaN(rr.Value) && (math.IsNaN(r.Computed) || math.Abs(rr.Value-*c.Stated) < math.Abs(r.Computed-*c.Stated)) {
				r.Computed = rr.Value
			}
		}
		r.Difference = r.Computed - *c.Stated
	}
	return r, nil
}

// reading computes one reading: the percent change in the count (the sum
// of the counts of "a+b" measures, missing when any part is) from From to
// To.
func (ev Evaluator) reading(c Claim, rd Reading) ReadingResult {
	out := ReadingResult{Reading: rd, Value: math.NaN(), Verdict: NotCheckable}
	areaName := rd.Area
	if areaName == "" {
		areaName = c.Area
	}
	area, err := resolveArea(ev.Calc, areaName)
	if err != nil {
		out.Detail = err.Error()
		return out
	}
	var a, b float64
	for _, m := range strings.Split(rd.Measure, "+") {
		if miss := missingYears(ev.Calc, m, rd.From, rd.From); len(miss) > 0 {
			out.Detail = noData(c, m, []int{rd.From})
			if miss2 := missingYears(ev.Calc, m, rd.To, rd.To); len(miss2) > 0 {
				out.Detail = noData(c, m, []int{rd.From, rd.To})
			}
			return out
		}
		if miss := missingYears(ev.Calc, m, rd.To, rd.To); len(miss) > 0 {
			out.Detail = noData(c, m, miss)
			return out
		}
		x, y := ev.Calc.Get(m, area, rd.From), ev.Calc.Get(m, area, rd.To)
		if !x.Count.OK() || !y.Count.OK() {
			out.Detail = fmt.Sprintf("%s count missing for %s in %d or %d", m, area.Name, rd.From, rd.To)
			return out
		}
		a += x.Count.Number
		b += y.Count.Number
	}
	if a == 0 {
		out.Detail = fmt.Sprintf("%s count is 0 in %d: no percent change", rd.Measure, rd.From)
		return out
	}
	out.Value = (b - a) / a * 100
	out.Detail = fmt.Sprintf("%s count %.0f in %d to %.0f in %d, %+.1f%%", strings.ReplaceAll(rd.Measure, "+", " + "), a, rd.From, b, rd.To, out.Value)
	if c.Stated != nil {
		if c.About {
			out.Verdict = verdictAbout(out.Value, *c.Stated)
		} else {
			out.Verdict = verdictFor(out.Value, *c.Stated, 0)
		}
	}
	return out
}

// latestYear is the latest year of the claim's measure in the data.
func (ev Evaluator) latestYear(c Claim) int {
	ys := ev.Calc.Years(c.Measure)
	if len(ys) == 0 {
		return 0
	}
	return ys[len(ys)-1]
}

func resolveArea(calc *rates.Calculator, name string) (rates.Area, error) {
	if name == "England" || name == "" {
		return rates.England(), nil
	}
	a, err := calc.Registry.Lookup(name)
	if err != nil {
		return rates.Area{}, err
	}
	return rates.LAArea(a), nil
}
