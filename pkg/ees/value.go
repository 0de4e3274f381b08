// Package ees reads Department for Education "Explore education statistics"
// (EES) open-data CSV files.
//
// EES files follow the DfE open data standard: one row per time period ×
// geography × filter combination, columns identified by header name (their
// order differs between files), and indicator cells that hold either a number
// or one of the GSS-aligned symbols for missing data. This package keeps those
// symbols as "missing, with a reason" and never turns them into zero.
package ees

import (
	"fmt"
	"strconv"
	"strings"
)

// Symbol is an EES data symbol standing in place of a number. The empty
// Symbol means the cell holds a number.
type Symbol string

// EES data symbols (DfE analysts' guide, "Data symbols"; GSS guidance on
// symbols in tables).
const (
	Suppressed         Symbol = "c"   // confidential: suppressed to protect individuals
	NotAvailable       Symbol = "x"   // not available for another reason
	NotApplicable      Symbol = "z"   // not applicable
	Low                Symbol = "low" // rounds to zero but is not zero
	LowK               Symbol = "k"   // rounds to zero but is not zero (alternative form)
	LowReliability     Symbol = "u"   // low reliability
	LegacyNotAvailable Symbol = ":"   // legacy "not available", older CIN releases
	LegacyLow          Symbol = "~"   // legacy "low"
	Blank              Symbol = "blank"
)

// symbols maps the literal cell text to its Symbol.
var symbols = map[string]Symbol{
	"c": Suppressed, "x": NotAvailable, "z": NotApplicable,
	"low": Low, "k": LowK, "u": LowReliability,
	":": LegacyNotAvailable, "~": LegacyLow, "": Blank,
}

// Describe says in words what a symbol means.
func (s Symbol) Describe() string {
	switch s {
	case Suppressed:
		return "suppressed (c)"
	case NotAvailable, LegacyNotAvailable:
		return fmt.Sprintf("not available (%s)", string(s))
	case NotApplicable:
		return "not applicable (z)"
	case Low, LowK, LegacyLow:
		return fmt.Sprintf("low, rounds to zero but is not zero (%s)", string(s))
	case LowReliability:
		return "low reliability (u)"
	case Blank:
		return "blank cell"
	case "..":
		return "not available (..)" // older SFR tables (pkg/sfr)
	case "#VALUE!":
		return "not available (a spreadsheet error, #VALUE!, in the published file)"
	case "":
		return "number"
	}
	return string(s)
}

// Value is one indicator cell: a number, or a Symbol saying why there is none.
type Value struct {
	Number float64
	Symbol Symbol // "" when Number holds the value
}

// Num returns a present numeric Value.
func Num(f float64) Value { return Value{Number: f} }

// Missing returns a Value that holds no number, for the given reason.
func Missing(s Symbol) Value { return Value{Symbol: s} }

// OK reports whether the cell holds a number.
func (v Value) OK() bool { return v.Symbol == "" }

// String formats the value as it would appear in an EES file.
func (v Value) String() string {
	if v.OK() {
		return strconv.FormatFloat(v.Number, 'f', -1, 64)
	}
	if v.Symbol == Blank {
		return ""
	}
	return string(v.Symbol)
}

// ParseValue parses an indicator cell. Numbers may carry thousands separators
// ("1,234") and surrounding spaces. Symbols are matched case-insensitively.
// It returns ok=false when the text is neither a number nor an EES symbol.
func ParseValue(text string) (Value, bool) {
	if n, ok := smallWhole(text); ok {
		return Num(n), true
	}
	t := strings.TrimSpace(text)
	if s, found := symbols[strings.ToLower(t)]; found {
		return Missing(s), true
	}
	if strings.ContainsRune(t, ',') {
		if !validThousands(t) {
			return Value{}, false
		}
		t = strings.ReplaceAll(t, ",", "")
	}
	// Only plain decimal notation: ParseFloat alone would also accept
	// "Inf", "NaN", hex floats and underscores.
	if strings.Trim(t, "0123456789.-+eE") != "" {
		return Value{}, false
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return Value{}, false
	}
	return Num(f), true
}

// validThousands accepts "1,234", "-12,345.6" and rejects "1,2", "12,34,5"
// or "1,234.5,6".
func validThousands(t string) bool {
	intPart := strings.TrimPrefix(t, "-")
	if i := strings.IndexByte(intPart, '.'); i >= 0 {
		if strings.ContainsRune(intPart[i:], ',') {
			return false // "1,234.5,6": separators only in the integer part
		}
		intPart = intPart[:i]
	}
	groups := strings.Split(intPart, ",")
	if len(groups[0]) == 0 || len(groups[0]) > 3 {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return false
		}
	}
	return true
}

// smallWhole reads a cell of 1 to 15 digits and nothing else, most cells
// of a count, as ParseFloat would (exactly: below 2^53 every whole number
// is a float64), without its general work.
func smallWhole(t string) (float64, bool) {
	if len(t) == 0 || len(t) > 15 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(t); i++ {
		d := t[i] - '0'
		if d > 9 {
			return 0, false
		}
		n = n*10 + uint64(d)
	}
	return float64(n), true
}
