package plot

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cscstats/cscstats/pkg/chartdata"
	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/geo"
	"github.com/cscstats/cscstats/pkg/rates"
)

// KindMap is `cscstats plot map`.
const KindMap = "map"

// newMapCmd wires `cscstats plot map`.
func newMapCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	cmd := newKindCmd(f, runF, KindMap, "map --measure ID [--year YEAR] [--hex] [--highlight NAME ...] -o FILE",
		"A map of every council coloured by its rate (choropleth or hex map)",
		`Every council coloured by its rate in one year (default: the latest), in
five classes of about a fifth of councils each (quintiles), with a legend
stating the classes, the number of councils in each and England's rate.
Councils with no figure (suppressed or missing) are hatched and named in a
note.

By default the map is drawn on ONS's Counties and Unitary Authorities
boundaries (ultra-generalised), projected onto the British National Grid,
with London's boroughs enlarged in an inset. The boundary file is found in
the data directory by its content (`+"`cscstats fetch geo`"+` downloads it).
--hex draws a hex cartogram instead, where every council has the same
area, so small urban councils count as much as large rural ones; its
layout ships with cscstats (Open Innovations, MIT licence).

Councils abolished later (Northamptonshire before 2021, Cumbria before
2023) are drawn as the area of the councils that replaced them; councils
whose areas were redrawn (Bournemouth, Poole and the old Dorset county,
before 2020) have no shape and are listed in a note.

The default size is 16 × 17 cm.`,
		`  cscstats plot map --measure cla_31march --year 2024 -o cla.png
  cscstats plot map --measure under1_starts --year 2022 --hex --highlight Leeds -o under1_hex.svg`)
	return cmd
}

// addMapFlags adds the map's own flags (called by newKindCmd).
func addMapFlags(fl *pflag.FlagSet, opts *Options) {
	fl.StringSliceVarP(&opts.Measures, "measure", "m", nil, "measure ID")
	fl.StringVarP(&opts.Year, "year", "y", "", "reporting year ending 31 March (default: the latest)")
	fl.StringArrayVar(&opts.Highlight, "highlight", nil, "council to outline and label (repeatable)")
	fl.BoolVar(&opts.Hex, "hex", false, "draw a hex cartogram (every council the same size) instead of boundaries")
	if h := fl.Lookup("height"); h != nil {
		h.Usage = "chart height: cm, mm, in, pt or px (default 17cm for a map)"
	}
}

func buildMap(calc *rates.Calculator, opts *Options) (built, error) {
	m, year, err := measureYear(calc, opts)
	if err != nil {
		return built{}, err
	}
	var layer *geo.Layer
	if opts.Hex {
		layer, err = chartdata.HexLayer()
	} else {
		layer, err = geo.FindBoundaries(opts.Factory.DataDir)
	}
	if err != nil {
		return built{}, err
	}
	res, err := chartdata.Map(calc, layer, m, year, chartdata.Options{Highlight: opts.Highlight})
	if err != nil {
		return built{}, err
	}
	var extra []string
	for _, u := range res.Unmapped {
		extra = append(extra, fmt.Sprintf("not mapped: %s %s: %s", u.Code, u.Name, u.Why))
	}
	return built{chart: res.Chart, labels: res.Chart.Labels, section: res.Section, extra: extra}, nil
}
