package dataset

import (
	"os"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
)

// fileResult is what readFile made of one file.
type fileResult struct {
	rep FileReport
	obs chunks
	pop []PopulationRow
	err error
}

// readFiles reads the files, GOMAXPROCS at a time, and returns what each
// gave in the order of paths, or the error of the first file in that
// order that has one: the same result, and the same error, as reading
// them one after another.
//
// Files are independent until they are resolved, so a load spends most of
// its time in work that runs side by side. The biggest files start first
// (longest-processing-time-first scheduling; Graham, "Bounds on
// multiprocessing timing anomalies", 1969), so that no worker is left with
// a big file at the end. Each worker interns the text it keeps in its own
// interner: equal strings of two workers are two copies, a few hundred
// codes and names at most.
func readFiles(paths []string) ([]fileResult, error) {
	out := make([]fileResult, len(paths))
	workers := min(runtime.GOMAXPROCS(0), len(paths))
	if workers <= 1 {
		in := newInterner()
		for i, p := range paths {
			r := &out[i]
			r.rep, r.obs, r.pop, r.err = readFile(p, in, true)
			if r.err != nil {
				return nil, r.err
			}
		}
		return out, nil
	}
	order := bySizeDescending(paths)
	var next atomic.Int64
	// firstErr is the smallest index of a file that failed: a file after
	// it is not read, since its result cannot be used.
	var firstErr atomic.Int64
	firstErr.Store(int64(len(paths)))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := newInterner()
			for {
				k := next.Add(1) - 1
				if k >= int64(len(order)) {
					return
				}
				i := order[k]
				if int64(i) > firstErr.Load() {
					continue
				}
				r := &out[i]
				r.rep, r.obs, r.pop, r.err = readFile(paths[i], in, true)
				if r.err == nil {
					continue
				}
				for {
					cur := firstErr.Load()
					if int64(i) >= cur || firstErr.CompareAndSwap(cur, int64(i)) {
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	if i := firstErr.Load(); i < int64(len(paths)) {
		return nil, out[i].err
	}
	return out, nil
}

// bySizeDescending returns the indexes of paths, biggest file first (a
// file that cannot be stated counts as empty; readFile reports it), ties
// in path order.
func bySizeDescending(paths []string) []int {
	sizes := make([]int64, len(paths))
	order := make([]int, len(paths))
	for i, p := range paths {
		order[i] = i
		if fi, err := os.Stat(p); err == nil {
			sizes[i] = fi.Size()
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return sizes[order[a]] > sizes[order[b]] })
	return order
}
