package la

import (
	"errors"
	"fmt"

	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/ofsted"
)

var inspectionColumns = []export.Column{
	{Name: "inspection_date", Decimals: -1}, {Name: "publication_date", Decimals: -1}, {Name: "inspection_type", Decimals: -1},
	{Name: "overall_effectiveness", Decimals: -1}, {Name: "leaders", Decimals: -1}, {Name: "help_and_protection", Decimals: -1},
	{Name: "children_in_care", Decimals: -1}, {Name: "care_leavers", Decimals: -1}, {Name: "filed_under", Decimals: -1},
}

// ofstedHistory builds the authority's ILACS inspections, newest first,
// with the summary of its latest judgement as the section title; and the
// notes. A data directory without the Ofsted file gives a note, not an
// error; a malformed Ofsted file is an error.
func ofstedHistory(dir string, reg *la.Registry, a *la.Authority) (export.Section, []string, error) {
	sec := export.Section{Name: "ofsted", Columns: inspectionColumns}
	j, err := ofsted.Load(dir, reg)
	var nf *ofsted.NotFoundError
	if errors.As(err, &nf) {
		return sec, []string{"Ofsted judgements: " + err.Error() + "."}, nil
	}
	if err != nil {
		return sec, nil, err
	}
	// A former authority's inspections, and for a successor its
	// predecessors', are part of its story.
	var h []ofsted.Inspection
	codes := append([]string{a.Code}, a.Predecessors...)
	for _, c := range codes {
		h = append(h, j.History(c)...)
	}
	own := j.History(a.Code)
	src := j.Source.Describe()
	if len(h) == 0 {
		return sec, []string{fmt.Sprintf("Ofsted: no ILACS inspection of %s in %s (the file starts in 2018; earlier single-inspection-framework judgements are not in it).", a.Name, src)}, nil
	}
	sortNewestFirst(h)
	for _, in := range h {
		sec.Rows = append(sec.Rows, []export.Cell{
			export.Str(in.Inspected.Format("2006-01-02")), export.Str(in.Published.Format("2006-01-02")), export.Str(in.Type),
			export.Str(in.Overall.String()), export.Str(in.Leaders.String()), export.Str(in.HelpAndProtection.String()),
			export.Str(in.InCare.String()), export.Str(in.CareLeavers.String()), export.Str(fmt.Sprintf("%s %s", in.Code, in.Name)),
		})
	}
	notes := []string{"Ofsted judgements: " + src + ". ofsted_judgement is the overall effectiveness at the latest ILACS inspection, with the month of each inspection (newest first) that gave it in an unbroken run. Care leavers have been judged separately since January 2023 (blank before). Inspections under the single inspection framework (2013-2018) are not in the file."}
	if len(own) == 0 {
		sec.Title = "not inspected under ILACS itself"
		notes = append(notes, fmt.Sprintf("%s has not been inspected under ILACS itself; the inspections listed are of the authority it replaced.", a.Name))
	} else {
		sec.Title = ofsted.Summary(own)
	}
	return sec, notes, nil
}

func sortNewestFirst(h []ofsted.Inspection) {
	for i := 1; i < len(h); i++ {
		for k := i; k > 0 && h[k].Inspected.After(h[k-1].Inspected); k-- {
			h[k], h[k-1] = h[k-1], h[k]
		}
	}
}
