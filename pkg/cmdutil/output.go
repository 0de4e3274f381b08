package cmdutil

import (
	"fmt"

	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
)

// Print writes a command's document to standard output in --format. With
// --format csv, standard output gets the main (first) table, and
// --out-dir DIR also writes every table as DIR/<table>.csv; without it
// standard error names the tables the CSV leaves out. JSON carries every
// table.
func Print(f *Factory, doc export.Document) error {
	ios := f.IOStreams
	if f.OutDir != "" {
		if f.Format != "csv" {
			return FlagErrorf("--out-dir writes CSV files: use it with --format csv")
		}
		paths, err := export.WriteCSVDir(f.OutDir, doc)
		if err != nil {
			return err
		}
		for _, n := range doc.Notes {
			fmt.Fprintln(ios.ErrOut, "note: "+n)
		}
		for _, p := range paths {
			fmt.Fprintf(ios.ErrOut, "wrote %s\n", p)
		}
		return nil
	}
	if (f.Format == "table" || f.Format == "") && ios.OutWidth > 0 {
		return export.WriteTerminal(ios.Out, doc, ios.OutWidth)
	}
	return export.Write(ios.Out, ios.ErrOut, f.Format, doc)
}

// TidyColumns are the columns TidySection adds after rates.Columns.
var TidyColumns = []export.Column{{Name: "old_la_code", Decimals: -1}, {Name: "note", Decimals: -1}}

// TidySection is rates.Section with two more columns: the DfE 3-digit
// code (old_la_code) and a note on each row that says why it has no rate,
// or how a harmonised figure was made (empty otherwise).
func TidySection(name, title string, rs []rates.Rate) export.Section {
	return rates.SectionWith(name, title, rs, TidyColumns, func(dst []export.Cell, r *rates.Rate) []export.Cell {
		return append(dst, export.Str(r.Area.OldCode), export.Str(RateNote(*r)))
	})
}

// RateNote says why a rate is missing, or how a harmonised rate was made;
// empty for a reported rate.
func RateNote(r rates.Rate) string {
	switch {
	case r.OK() && r.Basis != rates.Harmonised:
		return ""
	case r.OK():
		return r.Note
	case r.Break:
		return r.Note
	case !r.Count.OK():
		return "no rate: count " + r.Count.Symbol.Describe()
	case r.Population == 0:
		return fmt.Sprintf("no rate: no population estimate for mid-%d", population.MidYearFor(r.Year))
	}
	return r.Note
}
