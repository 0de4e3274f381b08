package compare

import (
	"errors"

	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/ofsted"
	"github.com/cscstats/cscstats/pkg/rates"
)

// OfstedSection gives each council's latest Ofsted (ILACS) judgement, from
// Ofsted's outcomes spreadsheet in the data directory. Without the file
// there is no section, only a note saying how to get it.
func OfstedSection(calc *rates.Calculator, dataDir string, councils []*Council) (*export.Section, []string, error) {
	j, err := ofsted.Load(dataDir, calc.Registry)
	var nf *ofsted.NotFoundError
	if errors.As(err, &nf) {
		return nil, []string{"Ofsted judgements not shown: " + err.Error() + "."}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	sec := &export.Section{Name: "ofsted", Title: "Latest Ofsted judgement (ILACS)", Columns: []export.Column{
		{Name: "la_name", Decimals: -1}, {Name: "overall_effectiveness", Decimals: -1}, {Name: "inspection_date", Decimals: -1},
		{Name: "inspection_type", Decimals: -1}, {Name: "summary", Decimals: -1}, {Name: "inspections", Decimals: -1}}}
	for _, c := range councils {
		h := j.History(c.Authority.Code)
		if len(h) == 0 {
			sec.Rows = append(sec.Rows, []export.Cell{export.Str(c.Authority.Name), export.Str("not inspected under ILACS"), export.Str(""), export.Str(""), export.Str(""), export.Int(0)})
			continue
		}
		in := h[len(h)-1]
		sec.Rows = append(sec.Rows, []export.Cell{export.Str(c.Authority.Name), export.Str(in.Overall.String()),
			export.Str(in.Inspected.Format("2006-01-02")), export.Str(in.Type), export.Str(ofsted.Summary(h)), export.Int(len(h))})
	}
	return sec, []string{"Ofsted: " + j.Source.Describe() + "; the latest ILACS inspection (since 2018) of each council; `cscstats la show NAME` lists every inspection and sub-judgement."}, nil
}
