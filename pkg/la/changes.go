package la

import (
	"encoding/json"
	"fmt"

	"github.com/cscstats/cscstats/data"
)

// CodeChange is a change of ONS code for an area that did not change (or
// changed only by a minor correction): both codes are the same authority.
type CodeChange struct {
	Name      string `json:"la_name"`
	OldLACode string `json:"old_la_code"`
	From      string `json:"from"`
	To        string `json:"to"`
	Effective string `json:"effective"`
	Note      string `json:"note"`
}

// Area names one authority in a boundary change.
type Area struct {
	NewLACode string `json:"new_la_code"`
	OldLACode string `json:"old_la_code"`
	Name      string `json:"la_name"`
	// From (for an area after the change) lists the ONS codes of the
	// areas before it whose ground it took, when not all of them: Dorset
	// (2019) was formed from Dorset county alone, Bournemouth and Poole
	// went into Bournemouth, Christchurch and Poole.
	From []string `json:"from,omitempty"`
}

// BoundaryChange is a reorganisation where authorities ended and others
// began. The areas in Before together cover the same ground as those in
// After, so a series for the whole group can be harmonised by summing.
type BoundaryChange struct {
	Name               string `json:"name"`
	Effective          string `json:"effective"`
	FirstReportingYear int    `json:"first_reporting_year"`
	Before             []Area `json:"before"`
	After              []Area `json:"after"`
	Note               string `json:"note"`
}

// Changes is the hand-written table of code and boundary changes.
type Changes struct {
	CodeChanges     []CodeChange     `json:"code_changes"`
	BoundaryChanges []BoundaryChange `json:"boundary_changes"`
}

// DefaultChanges parses the table embedded from data/boundary_changes.json.
func DefaultChanges() (Changes, error) {
	var c Changes
	if err := json.Unmarshal(data.BoundaryChanges, &c); err != nil {
		return c, fmt.Errorf("data/boundary_changes.json: %w", err)
	}
	return c, nil
}
