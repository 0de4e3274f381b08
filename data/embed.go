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
