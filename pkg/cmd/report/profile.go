package report

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/cscstats/cscstats/pkg/cmd/compare"
	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/neighbours"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/report"
)

// DefaultCouncilsOut is where `report councils` writes.
const DefaultCouncilsOut = "reports/councils"

// noNeighbourFile is said on a profile when the data directory has no
// statistical neighbour file: the page promises no neighbours it lacks.
const noNeighbourFile = "Statistical neighbours are not shown: the data directory has no DfE statistical neighbour file (sn_model_2025_wide.csv, or the April 2021 groupings). Put one anywhere in the data directory, or import it with `cscstats fetch --from DIR`, and build the profile again."

// Profile computes a council's profile figures as `cscstats compare CODE
// --measure all --neighbours` does (without neighbours when nbrs is empty
// or has no row for the council, saying why).
func Profile(calc *rates.Calculator, dataDir string, nbrs neighbours.Sets, a *la.Authority) (report.CouncilProfile, error) {
	p := report.CouncilProfile{Authority: a}
	// Every measure the data directory has (a folder with only the
	// children-in-need files gives a profile of those).
	var have []string
	for _, m := range measures.Catalogue {
		if len(calc.Years(m.ID)) > 0 {
			have = append(have, m.ID)
		}
	}
	if len(have) == 0 {
		return p, fmt.Errorf("no measure has data in %s; run `cscstats measures` to see what is there, or `cscstats fetch`", dataDir)
	}
	copts := &compare.Options{Names: []string{a.Code}, Measures: have, Neighbours: len(nbrs) > 0}
	if copts.Neighbours {
		if _, err := nbrs.For(calc.Registry, a); err != nil {
			var nn *neighbours.NoNeighboursError
			if !errors.As(err, &nn) {
				return p, err
			}
			copts.Neighbours = false
			p.NeighboursSource = fmt.Sprintf("Statistical neighbours are not shown: %s.", err)
		}
	} else {
		p.NeighboursSource = noNeighbourFile
	}
	res, notes, err := compare.Compute(calc, dataDir, copts)
	if err != nil {
		return p, err
	}
	p.Comparison = readableMeasures(res.Document(calc, "markdown", notes))
	if len(res.Councils) == 1 && res.Councils[0].Group != nil {
		g := res.Councils[0].Group
		p.HasNeighbours = true
		p.NeighboursSource = g.Source()
		for _, m := range g.Members {
			if m.Authority != nil {
				p.NeighbourNames = append(p.NeighbourNames, m.Authority.Name)
			} else {
				p.NeighbourNames = append(p.NeighbourNames, "DfE code "+m.OldCode)
			}
		}
	}
	for _, row := range res.Rows {
		f := report.CouncilFigure{Measure: row.Measure, Year: row.Year, Rate: row.Rate, England: row.England, Region: row.Region,
			Rank: row.Rank, RankedOf: row.RankedOf, Verdict: row.FunnelOD, VerdictOK: row.FunnelODOK,
			Neighbours: row.NbrSpread, NeighboursOf: len(row.Neighbours)}
		for _, y := range res.Years {
			if y.Measure.ID != row.Measure.ID {
				continue
			}
			for _, r := range y.All {
				if r.OK() {
					f.Councils = append(f.Councils, r.Value)
				}
			}
		}
		p.Figures = append(p.Figures, f)
	}
	return p, nil
}

// councilDoc builds one council's profile document.
func councilDoc(opts *Options, calc *rates.Calculator, nbrs neighbours.Sets, a *la.Authority, progress func(string)) (report.Document, error) {
	doc, _, err := councilProfile(opts, calc, nbrs, a, progress)
	return doc, err
}

// councilProfile is councilDoc with the figures it was built from.
func councilProfile(opts *Options, calc *rates.Calculator, nbrs neighbours.Sets, a *la.Authority, progress func(string)) (report.Document, report.CouncilProfile, error) {
	p, err := Profile(calc, opts.Factory.DataDir, nbrs, a)
	if err != nil {
		return report.Document{}, p, err
	}
	doc, err := report.Council(calc, p, charter{}, progress)
	if err != nil {
		return doc, p, err
	}
	if err := addExtras(calc, opts.Factory.DataDir, &doc, a); err != nil {
		return doc, p, err
	}
	// The council's Ofsted judgements (ILACS), before the full tables.
	insp, inspNotes, err := compare.OfstedSection(calc, opts.Factory.DataDir, []*compare.Council{{Authority: a}})
	if err != nil {
		return doc, p, err
	}
	blocks := []report.Block{}
	if insp != nil {
		blocks = append(blocks, report.TableBlock(report.Table{Name: "ofsted", Caption: "Latest Ofsted judgement of children's services (ILACS inspections since 2018)", Data: *insp}))
	}
	for _, n := range inspNotes {
		blocks = append(blocks, report.Paragraph(n))
	}
	insertBefore(&doc, "tables", report.Section{ID: "ofsted", Heading: "Ofsted judgement", Blocks: blocks})
	return doc, p, nil
}

// councilsRun builds every current council's profile and the index.
func councilsRun(opts *Options, calc *rates.Calculator, start time.Time) error {
	ios := opts.Factory.IOStreams
	out := opts.Out
	if out == "" {
		out = DefaultCouncilsOut
	}
	nbrs, err := neighbours.Find(opts.Factory.DataDir)
	if err != nil {
		return err
	}
	councils := calc.Registry.Current()
	bar := progressBar(ios.ErrOut, ios.ErrTTY, len(councils))
	// Folder names: the council's slug, with its code when two share one.
	folders := make([]string, len(councils))
	used := map[string]bool{}
	for i, a := range councils {
		folders[i] = stem(a.Name, a.Code)
		if used[folders[i]] {
			folders[i] += "_" + strings.ToLower(a.Code)
		}
		used[folders[i]] = true
	}
	entries := make([]report.IndexEntry, len(councils))
	err = report.WriteSet(out, report.WriteOptions{Force: opts.Force, Protect: []string{opts.Factory.DataDir}}, func(dir string) error {
		// Profiles are independent and the data are only read, so they
		// are built on every core; the progress bar counts finished ones.
		jobs := make(chan int)
		type result struct {
			i   int
			err error
		}
		results := make(chan result)
		workers := max(1, runtime.GOMAXPROCS(0))
		for range workers {
			go func() {
				for i := range jobs {
					a := councils[i]
					doc, p, err := councilProfile(opts, calc, nbrs, a, nil)
					if err == nil {
						doc.Up = "../index.html"
						err = report.Write(doc, filepath.Join(dir, folders[i]), report.WriteOptions{})
					}
					if err == nil {
						headline, summary := indexLines(doc.Headlines, p.Figures)
						entries[i] = report.IndexEntry{Name: a.Name, Region: a.RegionName, Href: folders[i] + "/index.html", Headline: headline, Summary: summary}
					} else {
						err = fmt.Errorf("%s: %w", a.Name, err)
					}
					results <- result{i, err}
				}
			}()
		}
		go func() {
			defer close(jobs)
			for i := range councils {
				jobs <- i
			}
		}()
		var firstErr error
		for done := 0; done < len(councils); done++ {
			r := <-results
			if r.err != nil && firstErr == nil {
				firstErr = r.err
			}
			bar(done+1, councils[r.i].Name)
		}
		if firstErr != nil {
			return firstErr
		}
		page, err := report.RenderIndex(report.IndexPage{
			Title: "Children's social care: council profiles",
			Intro: []string{
				fmt.Sprintf("A profile of each of England's %d councils with children's services, built by cscstats from DfE's open data: key findings, every measure against England and all councils, trends, statistical neighbours and the full figures.", len(entries)),
				"Under each council is its strongest finding, then how many measures are higher or lower than expected: “higher (lower) than expected” means outside the funnel plot's 95% limits around England's rate, widened for the usual spread between councils. Councils within the expected range on every measure say so.",
			},
			Entries: entries,
		})
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, "index.html"), page, 0o644)
	})
	if ios.ErrTTY {
		fmt.Fprint(ios.ErrOut, "\r\033[K")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(ios.ErrOut, "wrote %s (%d council profiles and index.html) in %.1fs\n", out, len(entries), opts.Now().Sub(start).Seconds())
	fmt.Fprintf(ios.Out, "%s\n", filepath.Join(out, "index.html"))
	return nil
}

// indexLines picks what the index shows for a council: its strongest
// finding that differs from England, with a short tally under it; when
// no measure differs, the tally alone.
func indexLines(headlines []string, figs []report.CouncilFigure) (headline, summary string) {
	higher, within, lower := report.Tally(figs)
	n := higher + within + lower
	short := ""
	if n > 0 {
		var parts []string
		for _, c := range []struct {
			k    int
			what string
		}{{higher, "higher than expected"}, {within, "within the expected range"}, {lower, "lower than expected"}} {
			if c.k > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", c.k, c.what))
			}
		}
		short = fmt.Sprintf("%d measures compared with England: %s.", n, strings.Join(parts, ", "))
	}
	for _, h := range headlines {
		if strings.Contains(h, "than expected for a council of its size:") {
			return h, short
		}
	}
	if short != "" {
		return short, ""
	}
	if len(headlines) > 0 {
		return headlines[0], ""
	}
	return "", ""
}

// progressBar returns a function that shows "[#####.....] 45/153 Leeds"
// on a terminal (and nothing otherwise).
func progressBar(w io.Writer, tty bool, total int) func(done int, what string) {
	return func(done int, what string) {
		if !tty || total == 0 {
			return
		}
		const width = 30
		n := done * width / total
		fmt.Fprintf(w, "\r\033[K  [%s%s] %d/%d %s", strings.Repeat("#", n), strings.Repeat(".", width-n), done, total, what)
	}
}

// readableMeasures replaces measure IDs in the tables' "measure" columns
// with the measures' names, for readers of the profile (the CSV files
// keep the same names; the IDs are in the at-a-glance data).
func readableMeasures(doc export.Document) export.Document {
	for i := range doc.Sections {
		s := &doc.Sections[i]
		col := -1
		for j, c := range s.Columns {
			if c.Name == "measure" {
				col = j
			}
		}
		if col < 0 {
			continue
		}
		rows := make([][]export.Cell, len(s.Rows))
		for r, row := range s.Rows {
			rows[r] = append([]export.Cell(nil), row...)
			if m, err := measures.Lookup(row[col].Text); err == nil && !row[col].IsNum {
				rows[r][col] = export.Str(m.Label)
			}
		}
		s.Rows = rows
	}
	return doc
}
