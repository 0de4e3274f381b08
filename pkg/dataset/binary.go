package dataset

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/cscstats/cscstats/pkg/ees"
	"github.com/cscstats/cscstats/pkg/la"
)

// storeFormat is the version of the binary layout below; a change to it
// (or to the types it writes) must change this.
const storeFormat = 4

// MarshalBinary writes the resolved store (files, population rows,
// figures by measure, revisions) in a compact binary layout, for a cache
// to give the next run without reading the CSV files again. Numbers keep
// their exact bits. Every distinct string is written once, in a table at
// the start, and referred to by its number after that; each measure's
// figures are a block of known length, so that the blocks can be read a
// CPU at a time (see UnmarshalBinary).
func (s *Store) MarshalBinary() ([]byte, error) {
	e := &encoder{strs: map[string]uint64{}}
	e.str(s.Dir)
	e.uvarint(uint64(len(s.Files)))
	for _, f := range s.Files {
		e.file(f)
	}
	e.uvarint(uint64(len(s.Population)))
	for _, p := range s.Population {
		e.str(string(p.Source))
		e.str(p.AgeBand)
		e.varint(int64(p.Year))
		e.geo(p.Geo)
		e.value(p.Value)
		e.str(p.File)
		e.varint(int64(p.Line))
		e.str(p.Column)
		e.varint(int64(p.Release))
	}
	// Measures in catalogue order, so the bytes do not depend on map order.
	var ids []string
	for id := range s.byMeasure {
		ids = append(ids, id)
	}
	sortByCatalogue(ids)
	e.uvarint(uint64(len(ids)))
	for _, id := range ids {
		e.str(id)
		obs := s.byMeasure[id]
		at := len(e.b)
		e.b = append(e.b, 0, 0, 0, 0) // the block's length, set below
		e.uvarint(uint64(len(obs)))
		for _, o := range obs {
			e.obs(o)
		}
		if len(e.b)-at-4 > math.MaxUint32 {
			return nil, fmt.Errorf("stored data set: the figures of %s take more than 4 GB", id)
		}
		binary.LittleEndian.PutUint32(e.b[at:], uint32(len(e.b)-at-4))
	}
	e.uvarint(uint64(len(s.revisions)))
	for _, r := range s.revisions {
		e.str(r.Measure)
		e.varint(int64(r.Year))
		e.geo(r.Geo)
		e.obs(r.Old)
		e.obs(r.New)
	}
	// The registry's compact sightings, with the code changes they were
	// made under (see RegistrySightings); none is written as 0.
	if s.compact == nil {
		e.uvarint(0)
	} else {
		e.uvarint(uint64(len(s.compact.aliases)) + 1)
		for _, a := range s.compact.aliases {
			e.str(a[0])
			e.str(a[1])
		}
		e.uvarint(uint64(len(s.compact.sightings)))
		for _, g := range s.compact.sightings {
			e.geo(g.Geo)
			e.varint(int64(g.Year))
		}
	}
	out := binary.AppendUvarint(nil, storeFormat)
	out = binary.AppendUvarint(out, uint64(len(e.list)))
	for _, str := range e.list {
		out = binary.AppendUvarint(out, uint64(len(str)))
		out = append(out, str...)
	}
	return append(out, e.b...), nil
}

// UnmarshalBinary reads what MarshalBinary wrote. Input that is
// truncated, corrupt or of another layout gives an error, never a panic
// or a partly filled store.
func (s *Store) UnmarshalBinary(b []byte) (err error) {
	d := &decoder{b: b}
	if v := d.uvarint(); d.err == nil && v != storeFormat {
		return fmt.Errorf("stored data set: layout %d, want %d", v, storeFormat)
	}
	d.strings()
	out := Store{Dir: d.str(), byMeasure: map[string][]Observation{}}
	n := d.count(8)
	if n > 0 {
		out.Files = make([]FileReport, 0, n)
	}
	for i := 0; i < n && d.err == nil; i++ {
		out.Files = append(out.Files, d.file())
	}
	n = d.count(8)
	if n > 0 {
		out.Population = make([]PopulationRow, 0, n)
	}
	for i := 0; i < n && d.err == nil; i++ {
		p := PopulationRow{Source: PopulationSource(d.str()), AgeBand: d.str(), Year: d.int()}
		p.Geo = d.geo()
		p.Value = d.value()
		p.File, p.Line, p.Column, p.Release = d.str(), d.int(), d.str(), d.int()
		out.Population = append(out.Population, p)
	}
	// Each measure's block is read by the next free CPU.
	n = d.count(5)
	ids := make([]string, n)
	blocks := make([]decoder, n)
	for i := 0; i < n && d.err == nil; i++ {
		ids[i] = d.str()
		size := d.uint32()
		if d.err == nil && uint64(size) > uint64(len(d.b)) {
			d.fail("block length")
		}
		if d.err != nil {
			break
		}
		blocks[i] = decoder{b: d.b[:size], strs: d.strs}
		d.b = d.b[size:]
	}
	obs := make([][]Observation, n)
	if d.err == nil {
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := min(runtime.GOMAXPROCS(0), n); w > 0; w-- {
			wg.Go(func() {
				for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
					obs[i] = blocks[i].block()
				}
			})
		}
		wg.Wait()
		for i := range blocks {
			if blocks[i].err != nil {
				d.err = fmt.Errorf("figures of %s: %w", ids[i], blocks[i].err)
				break
			}
			out.byMeasure[ids[i]] = obs[i]
		}
	}
	n = d.count(8)
	for i := 0; i < n && d.err == nil; i++ {
		r := Revision{Measure: d.str(), Year: d.int()}
		r.Geo = d.geo()
		r.Old, r.New = d.obs(), d.obs()
		out.revisions = append(out.revisions, r)
	}
	if n, isNil := d.nilOr(2); !isNil && d.err == nil {
		c := &compactSightings{aliases: make([][2]string, 0, n)}
		for i := 0; i < n && d.err == nil; i++ {
			c.aliases = append(c.aliases, [2]string{d.str(), d.str()})
		}
		m := d.count(7)
		if m > 0 { // none stays nil, as la.Compact gives it
			c.sightings = make([]la.Sighting, 0, m)
		}
		for i := 0; i < m && d.err == nil; i++ {
			c.sightings = append(c.sightings, la.Sighting{Geo: d.geo(), Year: d.int()})
		}
		out.compact = c
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = errors.New("trailing bytes")
	}
	if d.err != nil {
		return fmt.Errorf("stored data set: %w", d.err)
	}
	out.index()
	*s = out
	return nil
}

// block reads one measure's figures: their number, then each, filling
// the block exactly.
func (d *decoder) block() []Observation {
	m := d.count(8)
	obs := make([]Observation, 0, m)
	for j := 0; j < m && d.err == nil; j++ {
		obs = append(obs, d.obs())
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("block (trailing bytes)")
	}
	return obs
}

func sortByCatalogue(ids []string) {
	for i := 1; i < len(ids); i++ {
		for j := i; j > 0 && (catalogueIndex(ids[j]) < catalogueIndex(ids[j-1]) ||
			catalogueIndex(ids[j]) == catalogueIndex(ids[j-1]) && ids[j] < ids[j-1]); j-- {
			ids[j], ids[j-1] = ids[j-1], ids[j]
		}
	}
}

type encoder struct {
	b    []byte
	strs map[string]uint64 // string -> its number in list
	list []string
}

func (e *encoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) bool(v bool) {
	if v {
		e.uvarint(1)
	} else {
		e.uvarint(0)
	}
}

// str writes a string's number in the table of distinct strings (in
// order of first appearance; MarshalBinary writes the table first).
func (e *encoder) str(s string) {
	i, ok := e.strs[s]
	if !ok {
		i = uint64(len(e.list))
		e.strs[s] = i
		e.list = append(e.list, s)
	}
	e.uvarint(i)
}

// strs writes a string slice, keeping nil apart from empty.
func (e *encoder) strSlice(ss []string) {
	if ss == nil {
		e.uvarint(0)
		return
	}
	e.uvarint(uint64(len(ss)) + 1)
	for _, s := range ss {
		e.str(s)
	}
}

func (e *encoder) intSlice(xs []int) {
	if xs == nil {
		e.uvarint(0)
		return
	}
	e.uvarint(uint64(len(xs)) + 1)
	for _, x := range xs {
		e.varint(int64(x))
	}
}

func (e *encoder) float(f float64) { e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(f)) }

func (e *encoder) value(v ees.Value) {
	e.float(v.Number)
	e.str(string(v.Symbol))
}

func (e *encoder) geo(g ees.Geography) {
	e.str(g.Level)
	e.str(g.RegionCode)
	e.str(g.RegionName)
	e.str(g.OldLACode)
	e.str(g.NewLACode)
	e.str(g.LAName)
}

func (e *encoder) obs(o Observation) {
	e.str(o.Measure)
	e.varint(int64(o.Year))
	e.geo(o.Geo)
	e.value(o.Count)
	e.str(o.File)
	e.varint(int64(o.Line))
	e.varint(int64(o.Release))
	e.str(o.Note)
	e.varint(int64(o.priority))
}

func (e *encoder) file(f FileReport) {
	e.str(f.Path)
	e.str(f.Kind)
	e.str(f.Ignored)
	e.strSlice(f.Measures)
	e.intSlice(f.Years)
	writeMap(e, f.Levels, func(k string) string { return k })
	e.varint(int64(f.Rows))
	writeMap(e, f.Symbols, func(k ees.Symbol) string { return string(k) })
	e.bool(f.HasMeta)
	e.varint(int64(f.Superseded))
	e.varint(int64(f.Release))
	e.str(f.ReleaseFrom)
	e.varint(int64(f.Duplicates))
	e.strSlice(f.Notes)
	e.varint(int64(len(f.NearMisses)))
	for _, n := range f.NearMisses {
		e.str(n.Measure)
		e.str(n.Missing)
		e.str(n.Closest)
	}
	e.bool(f.Suspect)
}

// writeMap writes a map of counts in key order, keeping nil apart from
// empty.
func writeMap[K ~string](e *encoder, m map[K]int, key func(K) string) {
	if m == nil {
		e.uvarint(0)
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, key(k))
	}
	for i := 1; i < len(keys); i++ { // few keys: insertion sort
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	e.uvarint(uint64(len(keys)) + 1)
	for _, k := range keys {
		e.str(k)
		e.varint(int64(m[K(k)]))
	}
}

type decoder struct {
	b    []byte
	strs []string
	err  error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = errors.New("corrupt " + what)
	}
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("number")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) int() int {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("number")
		return 0
	}
	d.b = d.b[n:]
	return int(v)
}

// count reads a length, refusing one the remaining bytes cannot hold
// (each element takes at least min bytes), so corrupt input cannot ask
// for a huge allocation.
func (d *decoder) count(min int) int {
	v := d.uvarint()
	if d.err == nil && v > uint64(len(d.b)/min) {
		d.fail("length")
		return 0
	}
	return int(v)
}

// strings reads the table of distinct strings: their number, then each
// one's length and bytes. They are made from one copy of the table's
// bytes, so that they cost one allocation, not one each.
func (d *decoder) strings() {
	n := d.count(1)
	if d.err != nil {
		return
	}
	type span struct{ at, len int }
	spans := make([]span, n)
	rest := d.b
	used := 0
	for i := range spans {
		l := d.uvarint()
		if d.err == nil && l > uint64(len(d.b)) {
			d.fail("string")
		}
		if d.err != nil {
			return
		}
		spans[i] = span{len(rest) - len(d.b), int(l)}
		used = spans[i].at + int(l)
		d.b = d.b[l:]
	}
	table := string(rest[:used])
	d.strs = make([]string, n)
	for i, sp := range spans {
		d.strs[i] = table[sp.at : sp.at+sp.len]
	}
}

func (d *decoder) str() string {
	i := d.uvarint()
	if d.err != nil {
		return ""
	}
	if i >= uint64(len(d.strs)) {
		d.fail("string reference")
		return ""
	}
	return d.strs[i]
}

// uint32 reads four bytes, little-endian.
func (d *decoder) uint32() uint32 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 4 {
		d.fail("number")
		return 0
	}
	v := binary.LittleEndian.Uint32(d.b)
	d.b = d.b[4:]
	return v
}

// nilOr reads the length of a slice or map written with nil kept apart:
// 0 is nil.
func (d *decoder) nilOr(min int) (n int, isNil bool) {
	v := d.uvarint()
	if d.err != nil || v == 0 {
		return 0, true
	}
	if v-1 > uint64(len(d.b)/min) {
		d.fail("length")
		return 0, true
	}
	return int(v - 1), false
}

func (d *decoder) strSlice() []string {
	n, isNil := d.nilOr(1)
	if isNil {
		return nil
	}
	out := make([]string, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		out = append(out, d.str())
	}
	return out
}

func (d *decoder) intSlice() []int {
	n, isNil := d.nilOr(1)
	if isNil {
		return nil
	}
	out := make([]int, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		out = append(out, d.int())
	}
	return out
}

func readMap[K ~string](d *decoder) map[K]int {
	n, isNil := d.nilOr(2)
	if isNil {
		return nil
	}
	m := make(map[K]int, n)
	for i := 0; i < n && d.err == nil; i++ {
		k := d.str()
		m[K(k)] = d.int()
	}
	return m
}

func (d *decoder) float() float64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.fail("number")
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return f
}

func (d *decoder) value() ees.Value {
	f := d.float()
	return ees.Value{Number: f, Symbol: ees.Symbol(d.str())}
}

func (d *decoder) geo() ees.Geography {
	return ees.Geography{Level: d.str(), RegionCode: d.str(), RegionName: d.str(), OldLACode: d.str(), NewLACode: d.str(), LAName: d.str()}
}

func (d *decoder) obs() Observation {
	o := Observation{Measure: d.str(), Year: d.int()}
	o.Geo = d.geo()
	o.Count = d.value()
	o.File, o.Line, o.Release, o.Note, o.priority = d.str(), d.int(), d.int(), d.str(), d.int()
	return o
}

func (d *decoder) file() FileReport {
	f := FileReport{Path: d.str(), Kind: d.str(), Ignored: d.str()}
	f.Measures = d.strSlice()
	f.Years = d.intSlice()
	f.Levels = readMap[string](d)
	f.Rows = d.int()
	f.Symbols = readMap[ees.Symbol](d)
	f.HasMeta = d.uvarint() == 1
	f.Superseded, f.Release, f.ReleaseFrom, f.Duplicates = d.int(), d.int(), d.str(), d.int()
	f.Notes = d.strSlice()
	if n := d.int(); n > 0 && d.err == nil {
		f.NearMisses = make([]NearMiss, 0, min(n, 64))
		for i := 0; i < n && d.err == nil; i++ {
			f.NearMisses = append(f.NearMisses, NearMiss{Measure: d.str(), Missing: d.str(), Closest: d.str()})
		}
	}
	f.Suspect = d.uvarint() == 1
	return f
}
