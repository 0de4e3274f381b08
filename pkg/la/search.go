package la

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/cscstats/cscstats/data"
)

// Kinds of FormerName.
const (
	KindFormerDistrict = "former district"
	KindAlias          = "alias"
)

// FormerName is a name people use for a place whose children's services
// are run by another authority: a district abolished in a reorganisation
// (Barrow-in-Furness, now in Westmorland and Furness) or an everyday alias
// ("Hull"). Districts were never children's services authorities, so they
// are not in the registry; they point at the authorities that cover them.
type FormerName struct {
	Name       string   `json:"name"`
	Code       string   `json:"code"` // the district's own ONS code; "" for an alias
	Kind       string   `json:"kind"` // KindFormerDistrict or KindAlias
	Until      string   `json:"until"`
	Successors []string `json:"successors"` // ONS codes of the authorities covering it now
	Note       string   `json:"note"`
}

// Describe says in words what the name is, for notes: "Barrow-in-Furness
// (former district E07000027, until 2023-03-31)".
func (f FormerName) Describe() string {
	if f.Kind == KindAlias {
		return fmt.Sprintf("%q (alias)", f.Name)
	}
	s := fmt.Sprintf("%s (%s %s", f.Name, f.Kind, f.Code)
	if f.Until != "" {
		s += ", until " + f.Until
	}
	return s + ")"
}

var (
	formerOnce  sync.Once
	formerNames []FormerName
	formerErr   error
)

// DefaultFormerNames parses the table embedded from data/former_names.json.
func DefaultFormerNames() ([]FormerName, error) {
	formerOnce.Do(func() {
		var f struct {
			Names []FormerName `json:"names"`
		}
		if err := json.Unmarshal(data.FormerNames, &f); err != nil {
			formerErr = fmt.Errorf("data/former_names.json: %w", err)
			return
		}
		formerNames = f.Names
	})
	return formerNames, formerErr
}

// FormerNamesOf returns the former district names and aliases that now
// belong to the authority with this code.
func (r *Registry) FormerNamesOf(code string) []FormerName {
	names, _ := DefaultFormerNames()
	code = r.Canonical(code)
	var out []FormerName
	for _, f := range names {
		for _, s := range f.Successors {
			if r.Canonical(s) == code {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// What a search matched on.
const (
	OnCode       = "code"
	OnOldCode    = "old code"
	OnFormerCode = "former code"
	OnName       = "name"
	OnInitials   = "initials"
	OnAlias      = "alias"
	OnDistrict   = "former district"
)

// Match is one search result: an authority in the registry, or a former
// district name (Authority nil, Former set) that points at its successors.
type Match struct {
	Authority *Authority
	Former    *FormerName
	On        string // what matched: OnCode, OnName, OnDistrict, ...
	Text      string // the name or code that matched
	// Score ranks matches, lower first: 0 an exact code, 1 an exact name
	// (or initials or alias), 2 the start of a name, 3 whole words of a
	// name, 4 part of a word or the start of a code, 5+d a name within
	// edit distance d of the query.
	Score int
}

// Name is the matched authority's name, or the former district's.
func (m Match) Name() string {
	if m.Authority != nil {
		return m.Authority.Name
	}
	return m.Former.Name
}

// Code is the authority's canonical ONS code, or the district's own code.
func (m Match) Code() string {
	if m.Authority != nil {
		return m.Authority.Code
	}
	return m.Former.Code
}

// Current reports whether the match still exists as a children's services
// authority (a former district never does).
func (m Match) Current() bool { return m.Authority != nil && m.Authority.Current() }

// Successors are the canonical codes of the authorities that replaced it.
func (m Match) Successors() []string {
	if m.Authority != nil {
		return m.Authority.Successors
	}
	return m.Former.Successors
}

func (m Match) key() string {
	if m.Authority != nil {
		return m.Authority.Code
	}
	return "former:" + m.Former.Name
}

// Search finds authorities and former district names matching text,
// best first, at most limit of them (limit ≤ 0: all). Codes (current,
// former and DfE 3-digit) match exactly or by their start; names are
// compared after Normalise (case, "&", "St." and punctuation ignored),
// whole, by their start, by whole words, by part of a word, and finally
// by edit distance (at most one edit per four letters of the query), so
// "hull", "St. Helens", "barow" and "bcp" all find their authority.
// Ties go to current authorities, then by name.
func (r *Registry) Search(text string, limit int) []Match {
	q := strings.TrimSpace(text)
	nq := Normalise(q)
	if q == "" {
		return nil
	}
	uq := strings.ToUpper(q)
	best := map[string]Match{}
	offer := func(m Match) {
		if m.Score < 0 {
			return
		}
		if old, ok := best[m.key()]; !ok || m.Score < old.Score {
			best[m.key()] = m
		}
	}
	former, _ := DefaultFormerNames()
	for _, a := range r.list {
		offer(codeMatch(uq, a.Code, Match{Authority: a, On: OnCode}))
		if a.OldCode != "" {
			offer(codeMatch(uq, a.OldCode, Match{Authority: a, On: OnOldCode}))
		}
		for _, f := range a.FormerCodes {
			offer(codeMatch(uq, f, Match{Authority: a, On: OnFormerCode}))
		}
		full := Normalise(a.Name)
		for i, k := range keys(a) {
			if i > 0 && !strings.Contains(k, " ") && !strings.HasPrefix(full, k) {
				// Initials ("bcp") match only whole.
				if k == nq {
					offer(Match{Authority: a, On: OnInitials, Text: strings.ToUpper(k), Score: 1})
				}
				continue
			}
			offer(nameMatch(nq, k, Match{Authority: a, On: OnName, Text: a.Name}))
		}
	}
	for i := range former {
		f := &former[i]
		if f.Kind == KindAlias {
			// An alias is another name for a current authority.
			for _, s := range f.Successors {
				if a, ok := r.Get(s); ok {
					offer(nameMatch(nq, Normalise(f.Name), Match{Authority: a, On: OnAlias, Text: f.Name}))
				}
			}
			continue
		}
		if f.Code != "" {
			offer(codeMatch(uq, f.Code, Match{Former: f, On: OnCode}))
		}
		offer(nameMatch(nq, Normalise(f.Name), Match{Former: f, On: OnDistrict, Text: f.Name}))
	}
	out := make([]Match, 0, len(best))
	for _, m := range best {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Score != b.Score {
			return a.Score < b.Score
		}
		if (a.Authority != nil) != (b.Authority != nil) {
			return a.Authority != nil
		}
		if a.Current() != b.Current() {
			return a.Current()
		}
		if a.Name() != b.Name() {
			return a.Name() < b.Name()
		}
		return a.Code() < b.Code()
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// codeMatch scores a code: 0 equal, 4 when the query (three characters or
// more) is its start; -1 otherwise.
func codeMatch(uq, code string, m Match) Match {
	m.Text = code
	switch {
	case uq == strings.ToUpper(code):
		m.Score = 0
	case len(uq) >= 3 && strings.HasPrefix(strings.ToUpper(code), uq):
		m.Score = 4
	default:
		m.Score = -1
	}
	return m
}

// nameMatch scores a normalised name k against the normalised query nq;
// -1 when it does not match at all.
func nameMatch(nq, k string, m Match) Match {
	m.Score = nameScore(nq, k)
	return m
}

func nameScore(nq, k string) int {
	switch {
	case nq == "" || k == "":
		return -1
	case nq == k:
		return 1
	case strings.HasPrefix(k, nq+" "):
		return 2
	case strings.Contains(" "+k+" ", " "+nq+" "):
		return 3
	case len(nq) >= 3 && strings.Contains(k, nq):
		return 4
	}
	if len([]rune(nq)) < 4 {
		return -1 // too short to guess at
	}
	limit := max(1, len([]rune(nq))/4)
	d := levenshtein(nq, k)
	// Compare with each run of as many words as the query has, and with
	// the start of the name, so "barow" finds "barrow in furness".
	words := strings.Fields(k)
	n := len(strings.Fields(nq))
	for i := 0; i+n <= len(words); i++ {
		d = min(d, levenshtein(nq, strings.Join(words[i:i+n], " ")))
	}
	if rk := []rune(k); len(rk) > len([]rune(nq)) {
		d = min(d, levenshtein(nq, string(rk[:len([]rune(nq))]))+1)
	}
	if d > limit {
		return -1
	}
	return 5 + d
}

// Resolve finds one authority like Lookup, and also accepts a former
// district name or alias that maps to exactly one authority today
// ("Barrow-in-Furness" gives Westmorland and Furness); former is then the
// name that was used, for a note. When nothing matches, the error's
// suggestions come from Search, so they include former district names.
func (r *Registry) Resolve(query string) (a *Authority, former *FormerName, err error) {
	a, err = r.Lookup(query)
	var nf *NotFoundError
	if err == nil || !errors.As(err, &nf) {
		return a, nil, err
	}
	names, _ := DefaultFormerNames()
	nq := Normalise(query)
	var hits []*FormerName
	for _, tier := range []int{1, 2, 3} {
		for i := range names {
			if nameScore(nq, Normalise(names[i].Name)) == tier || strings.EqualFold(strings.TrimSpace(query), names[i].Code) {
				hits = append(hits, &names[i])
			}
		}
		if len(hits) > 0 {
			break
		}
	}
	if len(hits) == 1 && len(hits[0].Successors) == 1 {
		if a, ok := r.Get(hits[0].Successors[0]); ok {
			return a, hits[0], nil
		}
	}
	if len(hits) > 1 {
		var ms []string
		for _, h := range hits {
			ms = append(ms, h.Describe())
		}
		return nil, nil, &AmbiguousError{Query: query, Matches: ms}
	}
	var sugg []string
	for _, m := range r.Search(query, 3) {
		s := m.Name()
		if m.Former != nil {
			s += " (former district)"
		}
		sugg = append(sugg, s)
	}
	if len(sugg) == 0 {
		sugg = nf.Suggestions
	}
	return nil, nil, &NotFoundError{Query: nf.Query, Suggestions: sugg}
}
