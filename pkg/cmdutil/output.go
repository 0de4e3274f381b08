package cmdutil

import (
	"bufio"
	"fmt"
	"runtime"
	"sync"

	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/ordered"
	"github.com/cscstats/cscstats/pkg/population"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/safetext"
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
			fmt.Fprintln(ios.ErrOut, "note: "+safetext.Terminal(n))
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

// StreamsCSV reports whether PrintTidyCSV is how f prints a tidy table:
// CSV to standard output (with --out-dir every table is written as a
// file, through Print).
func StreamsCSV(f *Factory) bool { return f.Format == "csv" && f.OutDir == "" }

// PrintTidyCSV writes what Print writes for a document whose one section
// is TidySection of the rates of mys (each measure-year's rows passed
// through prepare, which filters and orders them in place) and whose
// notes are notes followed by DfEDenominatorNote and MissingNote of those
// rows, when f streams CSV (see StreamsCSV). It makes the table a
// measure-year at a time instead of holding it: each measure-year is
// computed, prepared and formatted by the next free CPU, and written in
// turn, at most two per CPU waiting, with their buffers reused. A table
// of every measure and year is 16,620 rates of some 360 bytes and 2.4 MB
// of text; holding them cost a fifth of a warm run in fresh memory.
// A test compares its output with Print's, byte for byte.
func PrintTidyCSV(f *Factory, calc *rates.Calculator, mys []rates.MeasureYear, prepare func([]rates.Rate) []rates.Rate, notes []string) error {
	workers := runtime.GOMAXPROCS(0)
	scratch := make([][]rates.Rate, workers) // each worker's rates
	cells := make([][]export.Cell, workers)  // and row of cells
	var free sync.Pool                       // CSV text buffers, handed back once written
	type part struct {
		csv     *[]byte
		missing MissingTally
		dfe     DfEDenominatorTally
	}
	out := bufio.NewWriterSize(f.IOStreams.Out, 64<<10)
	if _, err := out.Write(export.AppendCSVHeader(nil, TidySection("rates", "", nil).Columns)); err != nil {
		return err
	}
	var missing MissingTally
	var dfe DfEDenominatorTally
	err := ordered.Map(len(mys), workers, 2*workers, func(w, i int) part {
		rows := calc.AppendYear(scratch[w][:0], mys[i].Measure, mys[i].Year)
		scratch[w] = rows[:0]
		rows = prepare(rows)
		p := part{csv: new([]byte)}
		if b, ok := free.Get().(*[]byte); ok {
			p.csv = b
		}
		p.missing.Add(rows)
		p.dfe.Add(rows)
		sec := TidySection("rates", "", rows)
		buf := (*p.csv)[:0]
		for r := range sec.Len() {
			cells[w] = sec.Row(r, cells[w][:0])
			buf = export.AppendCSVRow(buf, cells[w])
		}
		*p.csv = buf
		return p
	}, func(i int, p part) error {
		_, err := out.Write(*p.csv)
		free.Put(p.csv)
		missing.Merge(p.missing)
		dfe.Merge(p.dfe)
		return err
	})
	if err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	for _, n := range []string{dfe.Note(), missing.Note()} {
		if n != "" {
			notes = append(notes, n)
		}
	}
	for _, n := range notes {
		fmt.Fprintln(f.IOStreams.ErrOut, "note: "+safetext.Terminal(n))
	}
	return nil
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
