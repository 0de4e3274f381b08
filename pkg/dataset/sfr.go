package dataset

import (
	"bytes"
	"errors"
	"io"
	"sort"
	"strconv"

	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/sfr"
)

// readSFR reads path as a pre-2018 SFR underlying-data file. ok is false
// when the file is not one (it may still be an EES file); an SFR file
// whose year cannot be told comes back ignored, with the reason.
func readSFR(f io.Reader, path string, in *interner, keep bool) (rep FileReport, obs chunks, pop []PopulationRow, ok bool, err error) {
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
	defer r.Release()
	year := r.Year()
	if n := r.YearNote(); n != "" {
		rep.Notes = append(rep.Notes, n)
	}
	found := map[string]bool{}
	obs = newChunks(path, in)
	figs := r.Figures()
	measureOf := make([]int16, len(figs)) // catalogue index of each of a row's values
	noteOf := make([]uint16, len(figs))
	for i, f := range figs {
		measureOf[i], noteOf[i] = int16(catalogueIndex(f.Measure)), obs.note(f.Note)
	}
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
		var geoIndex int32
		if keep {
			geoIndex = in.geoIndex(row.Geo)
			row.Geo = in.geos[geoIndex]
		}
		for vi, v := range row.Values {
			for _, p := range v.Parts {
				if !p.OK() {
					rep.Symbols[p.Symbol]++
				}
			}
			found[v.Measure] = true
			if !keep {
				continue
			}
			obs.add(figure{number: v.Value.Number, symbol: obs.symbol(v.Value.Symbol), year: int32(year), geo: geoIndex,
				measure: measureOf[vi], line: row.Line, note: noteOf[vi], priority: int16(v.Priority)})
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
	obs.done(in)
	rep.Kind = measures.KindSFR
	rep.Years = []int{year}
	for id := range found {
		rep.Measures = append(rep.Measures, id)
	}
	sort.Slice(rep.Measures, func(i, j int) bool { return catalogueIndex(rep.Measures[i]) < catalogueIndex(rep.Measures[j]) })
	return rep, obs, pop, true, nil
}

// maybeSFR reports whether a file starting with head may be an SFR file:
// false only when head holds the whole header line, unquoted, and no
// column of it can be geog_l (which every SFR header has, in any case,
// a hyphen for the underscore). Most files of a data directory
// are EES files: this spares them the SFR reader's header work, which was
// a tenth of a load.
func maybeSFR(head []byte) bool {
	end := bytes.IndexByte(head, '\n')
	if end < 0 {
		return true // a header longer than head, or no line end: let the SFR reader decide
	}
	line := head[:end]
	if len(bytes.TrimSpace(line)) == 0 || bytes.IndexByte(line, '"') >= 0 {
		return true // encoding/csv skips a blank line; a quoted field may span lines
	}
	// geog_l, in any case, "-" for "_" (geographic_level does not count).
	for i := 0; i+6 <= len(line); i++ {
		if line[i]|0x20 == 'g' && line[i+1]|0x20 == 'e' && line[i+2]|0x20 == 'o' && line[i+3]|0x20 == 'g' &&
			(line[i+4] == '_' || line[i+4] == '-') && line[i+5]|0x20 == 'l' {
			return true
		}
	}
	return false
}
