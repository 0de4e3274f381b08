package cmdutil

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cscstats/cscstats/pkg/population"
)

// AddPopulationFlag adds --population (the population vintage of the
// denominators) to a flag set, filling Factory.Population. The root
// command adds it as a persistent flag, so rates, trend, compare, plot,
// report and every other command that divides by a population share it.
func AddPopulationFlag(fs *pflag.FlagSet, f *Factory) {
	fs.StringVar(&f.Population, "population", string(population.Latest),
		"population vintage of the denominators: latest (today's ONS estimates) or as-published (the estimates DfE used when it first published each year)")
}

// CompletePopulation completes --population values.
func CompletePopulation(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return []string{
		string(population.Latest) + "\ttoday's ONS mid-year estimates",
		string(population.AsPublished) + "\tDfE's population_estimate from the release that first published each year",
	}, cobra.ShellCompDirectiveNoFileComp
}

// CheckPopulation validates Factory.Population as a usage error.
func (f *Factory) CheckPopulation() error {
	if _, err := population.ParseVintage(f.Population); err != nil {
		return FlagErrorf("--population: %v", err)
	}
	return nil
}

// Vintage is the chosen population vintage (latest when unset or invalid;
// CheckPopulation reports an invalid one first).
func (f *Factory) Vintage() population.Vintage {
	v, err := population.ParseVintage(f.Population)
	if err != nil {
		return population.Latest
	}
	return v
}
