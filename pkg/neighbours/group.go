package neighbours

import (
	"fmt"
	"path/filepath"

	"github.com/cscstats/cscstats/pkg/la"
)

// Member is one neighbour mapped through the registry.
type Member struct {
	Neighbour
	// Authority is the registry's authority for the 3-digit code; nil
	// when the registry does not know the code.
	Authority *la.Authority
}

// Group is an authority's neighbours from one file.
type Group struct {
	Set      *Set
	Entry    *Entry
	Members  []Member
	Fallback bool     // the newest file has no row for the authority
	Unknown  []string // neighbour codes the registry does not know
}

// NoNeighboursError says no neighbour file has a row for an authority.
type NoNeighboursError struct {
	Name, OldCode string
	Files         string
}

func (e *NoNeighboursError) Error() string {
	if e.Files == "" {
		return fmt.Sprintf("no statistical neighbour file found for %s (%s): put DfE's sn_model_2025_wide.csv or the April 2021 groupings in the data directory (the files are recognised by their header)", e.Name, e.OldCode)
	}
	return fmt.Sprintf("%s (%s) has no row in the statistical neighbour files (%s)", e.Name, e.OldCode, e.Files)
}

// For returns an authority's neighbours from the newest file that lists
// it, each mapped to the registry by its DfE 3-digit code.
func (ss Sets) For(reg *la.Registry, a *la.Authority) (Group, error) {
	set, e, ok := ss.Lookup(a.OldCode)
	if !ok || a.OldCode == "" {
		return Group{}, &NoNeighboursError{Name: a.Name, OldCode: a.OldCode, Files: ss.Describe()}
	}
	g := Group{Set: set, Entry: e, Fallback: set != ss[0]}
	for _, n := range e.Neighbours {
		m := Member{Neighbour: n}
		if na, ok := reg.Get(n.OldCode); ok {
			m.Authority = na
		} else {
			g.Unknown = append(g.Unknown, n.OldCode)
		}
		g.Members = append(g.Members, m)
	}
	return g, nil
}

// Source describes where the group came from, for notes: "Leeds (383):
// 10 statistical neighbours from sn_model_2025_wide.csv (DfE children's
// services statistical neighbours, 2025), line 71".
func (g Group) Source() string {
	s := fmt.Sprintf("%s (%s): %d statistical neighbours from %s (%s), line %d", g.Entry.Name, g.Entry.OldCode, len(g.Members), filepath.Base(g.Set.File), g.Set.Label, g.Entry.Line)
	if g.Entry.Former {
		s += `, listed under "Old SNs" (groupings for an authority that has since been abolished)`
	}
	if g.Fallback {
		s += "; the newer model has no row for it, so these are the older groupings"
	}
	return s
}

// Name gives a member's name: the registry's, else the code.
func (m Member) Name() string {
	if m.Authority != nil {
		return m.Authority.Name
	}
	return "unknown authority " + m.OldCode
}
