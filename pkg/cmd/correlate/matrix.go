package correlate

import (
	"fmt"
	"strings"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/spec"
	"github.com/cscstats/cscstats/pkg/stats"
)

// Matrix is a correlation matrix of one statistic of several measures.
type Matrix struct {
	Method string
	Stat   string
	Data   *spec.Table
	R      [][]float64
}

// MatrixSpecs builds the specs of --matrix: STAT of each measure; "imd"
// stands for imd:score.
func MatrixSpecs(list []string, stat string) ([]spec.Spec, error) {
	var out []spec.Spec
	seen := map[string]bool{}
	for _, item := range list {
		for _, m := range strings.Split(item, ",") {
			m = strings.ToLower(strings.TrimSpace(m))
			if m == "" || seen[m] {
				continue
			}
			seen[m] = true
			text := m + ":" + stat
			if m == spec.IMD {
				text = spec.IMD + ":" + spec.Score
			}
			s, err := spec.Parse(text)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
	}
	if len(out) < 2 {
		return nil, fmt.Errorf("--matrix needs at least two measures in --measures, e.g. --measures s47,icpc,cpp_31march")
	}
	return out, nil
}

// CorrelateMatrix evaluates the specs on the councils that have every
// value and returns their correlation matrix.
func CorrelateMatrix(calc *rates.Calculator, specs []spec.Spec, stat, method string, sel spec.Options) (*Matrix, error) {
	t, err := spec.Collect(calc, specs, sel)
	if err != nil {
		return nil, err
	}
	cols := make([][]float64, len(specs))
	for i := range specs {
		cols[i] = t.Column(i)
	}
	m, err := stats.CorrelationMatrix(cols, method)
	if err != nil {
		return nil, explain(err, len(t.Rows), &spec.Paired{Table: t})
	}
	return &Matrix{Method: method, Stat: stat, Data: t, R: m}, nil
}

func matrixRun(opts *Options) error {
	switch {
	case opts.X != "" || opts.Y != "" || len(opts.Controls) > 0:
		return cmdutil.FlagErrorf("--matrix takes --measures and --stat, not --x, --y or --control")
	case opts.Stat == "":
		return cmdutil.FlagErrorf("--matrix needs --stat, e.g. --stat change@2020-2024")
	case opts.Weight != "":
		return cmdutil.FlagErrorf("--weight is not available with --matrix")
	case opts.Influence || opts.Bootstrap > 0:
		return cmdutil.FlagErrorf("--influence and --bootstrap are for one pair (--x and --y), not --matrix")
	}
	specs, err := MatrixSpecs(opts.Measures, opts.Stat)
	if err != nil {
		return cmdutil.FlagErrorf("%v", err)
	}
	calc, err := opts.Factory.Calculator()
	if err != nil {
		return err
	}
	mx, err := CorrelateMatrix(calc, specs, opts.Stat, opts.Method, spec.Options{IncludeSmall: opts.IncludeSmall, Exclude: opts.Exclude})
	if err != nil {
		return err
	}
	n := len(mx.Data.Rows)
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.Measure
		if s.IsIMD() {
			names[i] = s.String()
		}
	}
	mat := export.Section{Name: "matrix", Title: methodName(opts.Method, nil),
		Columns: []export.Column{{Name: "measure", Decimals: -1}}}
	inc := export.Section{Name: "included", Title: fmt.Sprintf("Councils included (%d)", n),
		Columns: []export.Column{{Name: "new_la_code", Decimals: -1}, {Name: "la_name", Decimals: -1}}}
	for _, nm := range names {
		mat.Columns = append(mat.Columns, export.Column{Name: nm, Decimals: 3})
		inc.Columns = append(inc.Columns, export.Column{Name: nm, Decimals: 3})
	}
	for i, row := range mx.R {
		cells := []export.Cell{export.Str(names[i])}
		for _, v := range row {
			cells = append(cells, export.Num(v))
		}
		mat.Rows = append(mat.Rows, cells)
	}
	for _, r := range mx.Data.Rows {
		cells := []export.Cell{export.Str(r.Unit.Code), export.Str(r.Unit.Name)}
		for _, v := range r.Values {
			cells = append(cells, export.Num(v))
		}
		inc.Rows = append(inc.Rows, cells)
	}
	notes := []string{fmt.Sprintf("Each measure's statistic is %s; n = %d councils have a value for every measure (complete cases), and every coefficient uses those same councils. No intervals or p-values are given here; use correlate --x --y for one pair.", opts.Stat, n)}
	for _, s := range specs {
		notes = append(notes, fmt.Sprintf("%s: %s.", s, s.Describe()))
	}
	notes = append(notes, sourceNotes(calc, specs)...)
	notes = append(notes, mx.Data.Notes...)
	notes = append(notes, methodNote(opts.Method, 0))
	doc := export.Document{
		Title:    fmt.Sprintf("Correlation matrix across councils: %s of %s, n = %d councils", opts.Stat, strings.Join(names, ", "), n),
		Sections: []export.Section{mat, inc, excludedSection(mx.Data.Excluded)},
	}
	if opts.Factory.Format == "csv" {
		notes = append(notes, excludedLines(mx.Data.Excluded)...)
	}
	doc.Notes = append(notes, Caveat)
	return cmdutil.Print(opts.Factory, doc)
}
