package rates

import (
	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/la"
)

// Sightings collects what sightings gives, for the external tests.
func Sightings(st *dataset.Store) []la.Sighting {
	var out []la.Sighting
	for s := range st.Sightings() {
		out = append(out, *s)
	}
	return out
}
