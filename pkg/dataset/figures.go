package dataset

import (
	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/measures"
)

// figure is an Observation as it is kept from reading a file until the
// figures are resolved: numbers and indexes into tables of its file
// (chunks) instead of strings, 32 bytes without a pointer. Most figures
// read are never kept (a later release or a preferred source gives the
// same key); as 176-byte Observations of ten strings each they were a
// fifth of a load's time in the collector, which scanned every block of
// them at each cycle, and resolving read them over several times.
type figure struct {
	number   float64 // Count.Number
	line     int
	year     int32
	geo      int32  // index in chunks.geos
	measure  int16  // catalogue index
	priority int16  // Observation.priority
	symbol   uint16 // index in chunks.symbols (0: a number)
	note     uint16 // index in chunks.notes (0: none)
}

// chunks holds a file's figures in blocks that are never copied to grow
// (appending to one slice copied every figure several times as it grew),
// with the tables they index. The blocks are cut from those of an arena
// shared by the files one worker reads, so that a file's last block is
// not left half empty.
type chunks struct {
	c [][]figure
	n int
	a *arena

	file    string
	geos    []ees.Geography // the worker's geographies when the file was read (see interner.geoIndex)
	symbols []ees.Symbol    // symbols[0] is "" (a number)
	notes   []string        // notes[0] is ""
}

// arena hands out room for figures in blocks of blockSize (128 KB).
type arena struct {
	free []figure // the unused rest of the current block
}

const blockSize = 4096

// take returns an empty slice with the rest of the current block, or
// a new block, as capacity.
func (a *arena) take() []figure {
	if len(a.free) == 0 {
		a.free = make([]figure, blockSize)
	}
	s := a.free[:0]
	a.free = nil
	return s
}

func newChunks(file string, in *interner) chunks {
	c := chunks{file: file, symbols: []ees.Symbol{""}, notes: []string{""}}
	if in != nil {
		c.a = &in.blocks
	}
	return c
}

func (c *chunks) add(f figure) {
	if c.a == nil {
		c.a = &arena{}
	}
	if k := len(c.c); k == 0 || len(c.c[k-1]) == cap(c.c[k-1]) {
		c.c = append(c.c, c.a.take())
	}
	last := &c.c[len(c.c)-1]
	*last = append(*last, f)
	c.n++
}

// symbol returns the index of s in the file's symbols, adding it.
func (c *chunks) symbol(s ees.Symbol) uint16 {
	for i, t := range c.symbols {
		if t == s {
			return uint16(i)
		}
	}
	c.symbols = append(c.symbols, s) // a handful: the symbols ees and sfr know
	return uint16(len(c.symbols) - 1)
}

// note returns the index of n in the file's notes, adding it.
func (c *chunks) note(n string) uint16 {
	for i, t := range c.notes {
		if t == n {
			return uint16(i)
		}
	}
	c.notes = append(c.notes, n) // the few notes of sfr.Figures
	return uint16(len(c.notes) - 1)
}

// done hands the unused rest of the last block back to the arena, for
// the next file, and takes the worker's geographies as they are now.
func (c *chunks) done(in *interner) {
	if k := len(c.c); k > 0 && c.a != nil {
		last := c.c[k-1]
		c.a.free = last[len(last):cap(last)]
		c.c[k-1] = last[:len(last):len(last)]
	}
	if in != nil {
		c.geos = in.geos
	}
}

// observation makes the Observation a figure stands for.
func (c *chunks) observation(f *figure, release int) Observation {
	return Observation{Measure: catalogueID(int(f.measure)), Year: int(f.year), Geo: c.geos[f.geo],
		Count: c.count(f), File: c.file, Line: f.line, Release: release, Note: c.notes[f.note], priority: int(f.priority)}
}

// count is the figure's value.
func (c *chunks) count(f *figure) ees.Value {
	return ees.Value{Number: f.number, Symbol: c.symbols[f.symbol]}
}

// flat returns the observations as one slice (nil when there are none),
// with release 0.
func (c chunks) flat() []Observation {
	if c.n == 0 {
		return nil
	}
	out := make([]Observation, 0, c.n)
	for _, b := range c.c {
		for i := range b {
			out = append(out, c.observation(&b[i], 0))
		}
	}
	return out
}

// geoIndex returns the index of g, interned, among the worker's
// geographies.
func (in *interner) geoIndex(g ees.Geography) int32 {
	if i, ok := in.geoAt[g]; ok {
		return i
	}
	g = in.geo(g)
	if in.geoAt == nil {
		in.geoAt = map[ees.Geography]int32{}
	}
	in.geoAt[g] = int32(len(in.geos))
	in.geos = append(in.geos, g)
	return int32(len(in.geos) - 1)
}

func catalogueID(i int) string { return measures.Catalogue[i].ID }
