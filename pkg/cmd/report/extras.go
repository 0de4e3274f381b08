package report

import (
	"errors"
	"fmt"
	"sync"

	"github.com/cscstats/cscstats/pkg/chartdata"
	"github.com/cscstats/cscstats/pkg/geo"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/ofsted"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/report"
)

// MapChart draws the map of a measure in a year for a report, with the
// councils of highlight outlined and labelled: on ONS boundaries when the
// data directory has them (see geo.FindBoundaries), otherwise as the hex
// cartogram that ships with cscstats. It is the chart `cscstats plot map`
// draws, at the same size.
func MapChart(calc *rates.Calculator, dataDir, measure string, year int, highlight []string) (report.Chart, error) {
	layer, err := geo.FindBoundaries(dataDir)
	kind := "map"
	var nf *geo.NotFoundError
	if errors.As(err, &nf) {
		layer, err = chartdata.HexLayer()
		kind = "hex map"
	}
	if err != nil {
		return report.Chart{}, err
	}
	res, err := chartdata.Map(calc, layer, measure, year, chartdata.Options{Highlight: highlight})
	if err != nil {
		return report.Chart{}, err
	}
	name := fmt.Sprintf("map_%s_%d", measure, year)
	if len(highlight) > 0 {
		name += "_" + slug(highlight[0])
	}
	caption := fmt.Sprintf("A %s of %s: every council coloured by its rate, in five classes of about a fifth of councils each", kind, res.Chart.Labels.Title)
	return render(name, caption, res.Chart, res.Section)
}

// addExtras adds what issue 15 brings to the reports, without changing how
// the rest is built: in the main report, a map in the spread section for
// each of its measures and the Ofsted section before the methods; in a
// council profile, a map with the council highlighted. A data directory
// without the Ofsted file leaves the Ofsted section out, with a note in
// the methods.
func addExtras(calc *rates.Calculator, dataDir string, doc *report.Document, council *la.Authority) error {
	return startExtras(calc, dataDir, council)(doc)
}

// mapMeasures are the measures the main report maps, in page order.
var mapMeasures = []string{"under1_starts", "adoptions"}

// startExtras starts building what addExtras adds (the maps and the
// Ofsted section), each in its own goroutine since they share only what
// they read, so that it is built while the rest of the report is; the
// function it returns waits for them and adds them to doc as addExtras
// does. It must be called (it is what waits for the goroutines).
func startExtras(calc *rates.Calculator, dataDir string, council *la.Authority) func(doc *report.Document) error {
	var wg sync.WaitGroup
	if council != nil {
		m := "cla_31march"
		ys := calc.Years(m)
		var ch report.Chart
		var err error
		if len(ys) > 0 {
			wg.Go(func() { ch, err = MapChart(calc, dataDir, m, ys[len(ys)-1], []string{council.Code}) })
		}
		return func(doc *report.Document) error {
			wg.Wait()
			if len(ys) == 0 {
				return nil
			}
			if err != nil {
				return err
			}
			insertBefore(doc, "methods", report.Section{ID: "map", Heading: "On the map", Blocks: []report.Block{
				report.Paragraph(fmt.Sprintf("Children looked after per 10,000 children in every council, %d, with %s outlined. Councils with no published figure are hatched.", ys[len(ys)-1], council.Name)),
				report.ChartBlock(ch),
			}})
			return nil
		}
	}
	maps := make([]report.Chart, len(mapMeasures))
	mapErrs := make([]error, len(mapMeasures))
	for k, m := range mapMeasures {
		if ys := calc.Years(m); len(ys) > 0 {
			wg.Go(func() { maps[k], mapErrs[k] = MapChart(calc, dataDir, m, ys[len(ys)-1], nil) })
		}
	}
	var ofstedSec report.Section
	var ofstedErr error
	wg.Go(func() {
		j, err := ofsted.Load(dataDir, calc.Registry)
		if err != nil {
			ofstedErr = err
			return
		}
		ofstedSec, ofstedErr = report.OfstedSection(calc, j)
	})
	return func(doc *report.Document) error {
		wg.Wait()
		for i := range doc.Sections {
			if doc.Sections[i].ID != "spread" {
				continue
			}
			for k, m := range mapMeasures {
				if mapErrs[k] != nil {
					return mapErrs[k]
				}
				if len(calc.Years(m)) > 0 {
					doc.Sections[i].Blocks = append(doc.Sections[i].Blocks, report.ChartBlock(maps[k]))
				}
			}
			doc.Sections[i].Blocks = append(doc.Sections[i].Blocks, report.Paragraph("The maps show where the high and low rates are: each class holds about a fifth of councils, and the legend gives England's rate. A hatched council has no published figure that year."))
		}
		var nf *ofsted.NotFoundError
		if errors.As(ofstedErr, &nf) {
			for i := range doc.Sections {
				if doc.Sections[i].ID == "methods" {
					doc.Sections[i].Blocks = append(doc.Sections[i].Blocks, report.Paragraph("Ofsted judgements are not included: "+ofstedErr.Error()+"."))
				}
			}
			return nil
		}
		if ofstedErr != nil {
			return ofstedErr
		}
		insertBefore(doc, "methods", ofstedSec)
		return nil
	}
}

// insertBefore puts sec before the section with the given id (at the end
// when there is none).
func insertBefore(doc *report.Document, id string, sec report.Section) {
	for i, s := range doc.Sections {
		if s.ID == id {
			doc.Sections = append(doc.Sections[:i], append([]report.Section{sec}, doc.Sections[i:]...)...)
			return
		}
	}
	doc.Sections = append(doc.Sections, sec)
}
