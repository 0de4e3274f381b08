package dataset

import (
	"errors"
	"io"
	"os"
	"sort"
	"strconv"

	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/sfr"
)

// readSFR reads path as a pre-2018 SFR underlying-data file. ok is false
// when the file is not one (it may still be an EES file); an SFR file
// whose year cannot be told comes back ignored, with the reason.
func readSFR(path string, in *interner, keep bool) (rep FileReport, obs chunks, pop []PopulationRow, ok bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return rep, chunks{}, nil, false, nil // ees.Open reports it
	}
	defer f.Close()
	r, err := sfr.NewReader(f, path)
	var notSFR *sfr.NotSFRError
	if errors.As(err, &notSFR) {
		return rep, chunks{}, nil, false, nil
	}
	rep = FileReport{Path: path, Levels: map[string]int{}, Symbols: map[ees.Symbol]int{}}
	var yerr *sfr.YearError
	if errors.As(err, &yerr) {
		rep.Ignored = yerr.Error()
		return rep, chunks{}, nil, true, nil
	}
	if err != nil {
		return rep, chunks{}, nil, true, err
	}
	year := r.Year()
	if n := r.YearNote(); n != "" {
		rep.Notes = append(rep.Notes, n)
	}
	found := map[string]bool{}
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return rep, chunks{}, nil, true, err
		}
		rep.Rows++
		rep.Levels[row.Geo.Level]++
		if keep {
			row.Geo = in.geo(row.Geo)
		}
		for _, v := range row.Values {
			for _, p := range v.Parts {
				if !p.OK() {
					rep.Symbols[p.Symbol]++
				}
			}
			found[v.Measure] = true
			if !keep {
				continue
			}
			obs.add(Observation{Measure: v.Measure, Year: year, Geo: row.Geo, Count: v.Value,
				File: path, Line: row.Line, Note: v.Note, priority: v.Priority})
		}
		if r.HasPopulation() {
			if !row.Population.OK() {
				rep.Symbols[row.Population.Symbol]++
			}
			if !keep {
				continue
			}
			pop = append(pop, PopulationRow{Source: DfE, AgeBand: "0-17", Year: year, Geo: row.Geo, Value: row.Population,
				File: path, Line: row.Line, Column: "Mid" + strconv.Itoa(row.PopulationMidYear) + "Pop0-17"})
		}
	}
	rep.Kind = measures.KindSFR
	rep.Years = []int{year}
	for id := range found {
		rep.Measures = append(rep.Measures, id)
	}
	sort.Slice(rep.Measures, func(i, j int) bool { return catalogueIndex(rep.Measures[i]) < catalogueIndex(rep.Measures[j]) })
	return rep, obs, pop, true, nil
}
