package la

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// Normalise folds a name for matching: lower case, "&" as "and", "St." as
// "st", punctuation dropped, spaces collapsed.
func Normalise(s string) string {
	s = strings.ToLower(strings.ReplaceAll(s, "&", " and "))
	var b strings.Builder
	space := true
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			space = false
		case r == '\'' || r == '’' || r == '.':
			// "St. Helens" = "St Helens"; "King's Lynn" = "Kings Lynn"
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimSpace(b.String())
}

// keys returns the normalised forms an authority answers to: its name, the
// name without a ", City of"/", County of" suffix, and its initials
// ("bcp" for Bournemouth, Christchurch and Poole).
func keys(a *Authority) []string {
	n := Normalise(a.Name)
	out := []string{n}
	for _, suffix := range []string{" city of", " county of"} {
		if strings.HasSuffix(n, suffix) {
			out = append(out, strings.TrimSuffix(n, suffix))
		}
	}
	if words := strings.Fields(n); len(words) >= 3 {
		var ini strings.Builder
		for _, w := range words {
			if w != "and" && w != "of" && w != "upon" && w != "the" {
				ini.WriteByte(w[0])
			}
		}
		out = append(out, ini.String())
	}
	return out
}

// NotFoundError is returned by Lookup, with the nearest names.
type NotFoundError struct {
	Query       string
	Suggestions []string
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("no local authority matches %q", e.Query)
	if len(e.Suggestions) > 0 {
		msg += "; did you mean: " + strings.Join(e.Suggestions, ", ") + "?"
	}
	return msg + " (names and codes: `cscstats la search TEXT`)"
}

// AmbiguousError is returned when a query matches several authorities.
type AmbiguousError struct {
	Query   string
	Matches []string
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("%q matches several local authorities: %s; be more specific or use a code", e.Query, strings.Join(e.Matches, "; "))
}

// Lookup finds one authority by ONS code (current or former), DfE 3-digit
// code, or name, ignoring case and punctuation. A name may omit ", City of",
// may be the start of a unique name, or whole words found in only one name.
func (r *Registry) Lookup(query string) (*Authority, error) {
	q := strings.TrimSpace(query)
	if c, ok := r.alias[strings.ToUpper(q)]; ok {
		if a, ok := r.byCode[r.Canonical(c)]; ok {
			return a, nil
		}
	}
	nq := Normalise(q)
	if nq == "" {
		return nil, &NotFoundError{Query: query}
	}
	var exact, prefix, words []*Authority
	for _, a := range r.list {
		for i, k := range keys(a) {
			if k == nq {
				exact = append(exact, a)
				break
			}
			if i == 0 && strings.HasPrefix(k, nq+" ") {
				prefix = append(prefix, a)
				break
			}
			if i == 0 && strings.Contains(" "+k+" ", " "+nq+" ") {
				words = append(words, a) // "hull" in "kingston upon hull city of"
				break
			}
		}
	}
	for _, set := range [][]*Authority{exact, prefix, words} {
		switch {
		case len(set) == 1:
			return set[0], nil
		case len(set) > 1:
			// A current authority beats a former one of the same name
			// (Dorset 838 over Dorset county 835).
			var cur []*Authority
			for _, a := range set {
				if a.Current() {
					cur = append(cur, a)
				}
			}
			if len(cur) == 1 {
				return cur[0], nil
			}
			var names []string
			for _, a := range set {
				names = append(names, fmt.Sprintf("%s (%s)", a.Name, a.Code))
			}
			return nil, &AmbiguousError{Query: query, Matches: names}
		}
	}
	return nil, &NotFoundError{Query: query, Suggestions: r.suggest(nq, 3)}
}

// suggest returns up to n names closest to the normalised query by edit
// distance, considering each name and its word-aligned prefix of the
// query's length.
func (r *Registry) suggest(nq string, n int) []string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	for _, a := range r.list {
		best := 1 << 30
		for _, k := range keys(a) {
			best = min(best, levenshtein(nq, k))
			if len(k) > len(nq) {
				best = min(best, levenshtein(nq, k[:len(nq)])+1)
			}
		}
		cs = append(cs, cand{a.Name, best})
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	limit := max(2, len(nq)/3)
	var out []string
	for _, c := range cs {
		if len(out) == n || c.d > limit {
			break
		}
		out = append(out, c.name)
	}
	return out
}

// levenshtein is the edit distance between two strings, by runes.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
