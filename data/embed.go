// Package data holds the small hand-written metadata cscstats needs at run
// time (boundary changes, the sources manifest, the report's claims),
// embedded in the binary. Downloaded data never lives here: the data cache
// (data/ees by default) is git-ignored.
package data

import _ "embed"

// BoundaryChanges is boundary_changes.json: local authority code changes
// and boundary changes affecting DfE children's social care series.
//
//go:embed boundary_changes.json
var BoundaryChanges []byte

// FormerNames is former_names.json: abolished district names and everyday
// aliases, mapped to the children's services authorities that cover them
// now (used by `cscstats la search` and name lookups).
//
//go:embed former_names.json
var FormerNames []byte

// Claims is claims.json: the checkable claims of "Children's Social Care –
// The Way Forward" (2022) with the values the report states, which
// `cscstats report` sets beside the values cscstats computes.
//
//go:embed claims.json
var Claims []byte

// Sources is sources.json: for each publication cscstats downloads, its EES
// slug and id and the files `cscstats fetch` selects (name patterns, file
// kinds, measures, typical names and sizes), marked verified or not.
//
//go:embed sources.json
var Sources []byte
