package report

import (
	"fmt"

	"github.com/cscstats/cscstats/pkg/chartdata"
	"github.com/cscstats/cscstats/pkg/charts"
	"github.com/cscstats/cscstats/pkg/claims"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/report"
	"gonum.org/v1/plot/vg"
)

// charter draws the report's charts with the same builders as
// `cscstats plot`, so a chart in the report is the chart the command
// makes.
type charter struct{}

// render draws a chart at the size `cscstats plot` gives it by default,
// or larger where it needs: many panels or long notes (the as-published
// vintage names each year's denominator file) make the chart taller,
// never fail it.
func render(name, caption string, c charts.Chart, data export.Section) (report.Chart, error) {
	width, height := chartdata.DefaultSize(c)
	return renderAt(name, caption, c, data, width, height)
}

// renderAt draws a chart at width × height, or larger where it needs: the
// SVG and the PNG at the same time (rasterising and encoding the PNG is
// most of the work; the two drawings share nothing but the chart's data,
// which drawing only reads).
func renderAt(name, caption string, c charts.Chart, data export.Section, width, height vg.Length) (report.Chart, error) {
	b, _, _, err := charts.RenderFormats(c, width, height, "svg", "png")
	if err != nil {
		return report.Chart{}, fmt.Errorf("chart %s: %w", name, err)
	}
	data.Name = name
	return report.Chart{Name: name, Caption: caption, SVG: b[0], PNG: b[1], Data: data}, nil
}

func (charter) NationalTrends(calc *rates.Calculator, ms []string) (report.Chart, error) {
	var have []string
	for _, m := range ms {
		if len(calc.Years(m)) > 0 {
			have = append(have, m)
		}
	}
	c, data, err := chartdata.SmallMultiples(calc, have, []rates.Area{rates.England()}, 0, 0, chartdata.Options{})
	if err != nil {
		return report.Chart{}, err
	}
	return render("national_trends", "England: rates per 10,000 children aged 0-17 for each measure, by year ending 31 March", c, data)
}

func (charter) AreaTrends(calc *rates.Calculator, ms []string, area rates.Area, from, to int) (report.Chart, error) {
	areas := []rates.Area{area}
	if area.RegionCode != "" {
		areas = append(areas, calc.RegionArea(area.RegionCode))
	}
	areas = append(areas, rates.England())
	c, data, err := chartdata.SmallMultiples(calc, ms, areas, from, to, chartdata.Options{})
	if err != nil {
		return report.Chart{}, err
	}
	return render(stem(area.Name, area.Code)+"_trends", area.Name+" against its region and England: rates per 10,000 children aged 0-17", c, data)
}

// Render draws a council profile's chart widthCM wide, as tall as it
// needs.
func (charter) Render(name, caption string, c charts.Chart, data export.Section, widthCM float64) (report.Chart, error) {
	return renderAt(name, caption, c, data, vg.Length(widthCM)*vg.Centimeter, 4*vg.Centimeter)
}

// CouncilTrends draws a council profile's trends: one small panel per
// measure, three to a row, 4.5 cm high, against the region and England.
func (charter) CouncilTrends(calc *rates.Calculator, ms []string, area rates.Area) (report.Chart, error) {
	areas := []rates.Area{area}
	if area.RegionCode != "" {
		areas = append(areas, calc.RegionArea(area.RegionCode))
	}
	areas = append(areas, rates.England())
	c, data, err := chartdata.SmallMultiples(calc, ms, areas, 0, 0, chartdata.Options{Predecessors: true})
	if err != nil {
		return report.Chart{}, err
	}
	c.Columns = 3
	rows := (len(c.Panels) + c.Columns - 1) / c.Columns
	height := vg.Length(rows)*4.5*vg.Centimeter + 6*vg.Centimeter
	return renderAt("trends", area.Name+" against its region and England: rates per 10,000 children aged 0-17, by year", c, data, 24*vg.Centimeter, height)
}

func (charter) Funnel(calc *rates.Calculator, measure string, year int) (report.Chart, error) {
	c, data, err := chartdata.Funnel(calc, measure, year, chartdata.Options{Overdispersion: true})
	if err != nil {
		return report.Chart{}, err
	}
	name := fmt.Sprintf("funnel_%s_%d", measure, year)
	if b := calc.Band(); b != population.Children {
		name += "_per_" + b.Flag() // beside the same funnel per child
	}
	return render(name, fmt.Sprintf("Funnel plot: %s; limits widened for overdispersion", c.Labels.Title), c, data)
}

func (charter) Scatter(calc *rates.Calculator, cl claims.Claim) (report.Chart, error) {
	p, err := claims.PairFor(calc, cl)
	if err != nil {
		return report.Chart{}, err
	}
	c, data, err := chartdata.Scatter(calc, chartdata.FromPaired(p), chartdata.Options{})
	if err != nil {
		return report.Chart{}, err
	}
	return render("scatter_"+slug(p.X.String()+"_"+p.Y.String()), fmt.Sprintf("Each council's change in %s against its change in %s", p.X, p.Y), c, data)
}

// stem is the file-name stem for a named area: the slug of its name, or
// of its code when the name has no ASCII letters or digits (so that two
// such authorities never share a folder, and none writes to reports/
// itself).
func stem(name, code string) string {
	if s := slug(name); s != "" {
		return s
	}
	if s := slug(code); s != "" {
		return s
	}
	return "area"
}

// slug makes a file-name stem.
func slug(s string) string { return report.Slug(s, '_') }
