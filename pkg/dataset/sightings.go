package dataset

import (
	"iter"
	"slices"
	"sort"

	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/measures"
)

// Sightings gives where each area appears, for la.NewInYearOrder:
// every measure's observations in catalogue order, then the population
// rows (an ONS estimate's mid-year is not a reporting year: year 0), in
// the order of a stable sort by year. The order is found with a counting
// sort of small references to the store's geographies (16 bytes each),
// and each sighting is made as it is given: the sightings themselves
// (104 bytes each) were a tenth of a warm run's memory, copied twice.
func (st *Store) Sightings() iter.Seq[*la.Sighting] {
	type ref struct {
		geo  *ees.Geography
		year int
	}
	popYear := func(p *PopulationRow) int {
		if p.Source == ONS {
			return 0
		}
		return p.Year
	}
	// Figures come in runs of one year: the maps are consulted once per
	// run.
	count := map[int]int{}
	runYear, run, n := 0, 0, 0
	add := func(y int) {
		if run > 0 && y != runYear {
			count[runYear] += run
			run = 0
		}
		runYear = y
		run++
		n++
	}
	for _, m := range measures.Catalogue {
		obs := st.byMeasure[m.ID]
		for i := range obs {
			add(obs[i].Year)
		}
	}
	for i := range st.Population {
		add(popYear(&st.Population[i]))
	}
	if run > 0 {
		count[runYear] += run
	}
	years := make([]int, 0, len(count))
	for y := range count {
		years = append(years, y)
	}
	sort.Ints(years)
	next := make(map[int]int, len(years))
	at := 0
	for _, y := range years {
		next[y] = at
		at += count[y]
	}
	refs := make([]ref, n)
	lastYear, slot := 0, -1
	put := func(g *ees.Geography, y int) {
		if slot < 0 || y != lastYear {
			if slot >= 0 {
				next[lastYear] = slot
			}
			lastYear, slot = y, next[y]
		}
		refs[slot] = ref{g, y}
		slot++
	}
	for _, m := range measures.Catalogue {
		obs := st.byMeasure[m.ID]
		for i := range obs {
			put(&obs[i].Geo, obs[i].Year)
		}
	}
	for i := range st.Population {
		put(&st.Population[i].Geo, popYear(&st.Population[i]))
	}
	return func(yield func(*la.Sighting) bool) {
		var s la.Sighting
		for _, r := range refs {
			s.Geo, s.Year = *r.geo, r.year
			if !yield(&s) {
				return
			}
		}
	}
}

// RegistrySightings gives the sightings la.NewInYearOrder makes the
// registry of the store's areas from, under changes: the store's compact
// list (la.Compact, made when the store was loaded and kept with it in a
// cache), when it was made under the same code changes, else Sightings.
// The compact list is a fraction of the sightings, so a warm start builds
// the registry without visiting every figure.
func (st *Store) RegistrySightings(changes la.Changes) iter.Seq[*la.Sighting] {
	if st.compact == nil || !slices.Equal(st.compact.aliases, aliases(changes)) {
		return st.Sightings()
	}
	return func(yield func(*la.Sighting) bool) {
		for i := range st.compact.sightings {
			if !yield(&st.compact.sightings[i]) {
				return
			}
		}
	}
}

// compactSightings is la.Compact of a store's Sightings under the code
// changes it was made with (their codes, from and to: all la.Compact
// reads of them).
type compactSightings struct {
	aliases   [][2]string
	sightings []la.Sighting
}

func aliases(c la.Changes) [][2]string {
	out := make([][2]string, len(c.CodeChanges))
	for i, cc := range c.CodeChanges {
		out[i] = [2]string{cc.From, cc.To}
	}
	return out
}

// compactRegistrySightings makes st.compact under the built-in changes.
func (st *Store) compactRegistrySightings() error {
	changes, err := la.DefaultChanges()
	if err != nil {
		return err
	}
	st.compact = &compactSightings{aliases: aliases(changes), sightings: la.Compact(st.Sightings(), changes)}
	return nil
}
