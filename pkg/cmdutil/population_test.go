package cmdutil

import (
	"testing"

	"github.com/cscstats/cscstats/pkg/population"
)

func TestPopulationFlag(t *testing.T) {
	for in, want := range map[string]population.Vintage{"": population.Latest, "latest": population.Latest, "as-published": population.AsPublished, "As-Published": population.AsPublished} {
		f := &Factory{Population: in}
		if err := f.CheckPopulation(); err != nil || f.Vintage() != want {
			t.Errorf("%q: %v, %v; want %v", in, f.Vintage(), err, want)
		}
	}
	f := &Factory{Population: "2019"}
	if err := f.CheckPopulation(); err == nil || !IsFlagError(err) {
		t.Errorf("--population 2019: err = %v, want a usage error", err)
	}
}
