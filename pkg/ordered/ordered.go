// Package ordered runs numbered pieces of work on several goroutines and
// hands their results on in number order, with a bound on how many
// results wait: the pattern of a parallel pipeline whose output must keep
// its order (rows of a table computed a CPU at a time and written in
// turn), without holding every result at once.
package ordered

import (
	"sync"
	"sync/atomic"
)

// Map calls work(w, i) for each i in [0, n) on workers goroutines, w being
// the calling worker's number (0 to workers-1, for scratch space of its
// own), and emit(i, v) with each result v on the calling goroutine, in
// order of i. A worker starts a piece only when fewer than ahead pieces
// are started and not yet emitted, so at most ahead results exist at
// once (ahead is raised to workers when smaller).
//
// When emit returns an error, no further piece is started, the pieces
// under way finish, and Map returns the error; emit is not called again.
func Map[T any](n, workers, ahead int, work func(w, i int) T, emit func(i int, v T) error) error {
	if n <= 0 {
		return nil
	}
	workers = max(1, min(workers, n))
	ahead = max(ahead, workers)
	results := make([]chan T, n)
	for i := range results {
		results[i] = make(chan T, 1)
	}
	tokens := make(chan struct{}, ahead)
	quit := make(chan struct{})
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for {
				select {
				case tokens <- struct{}{}:
				case <-quit:
					return
				}
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				select {
				case <-quit:
					return
				default:
				}
				results[i] <- work(w, i)
			}
		})
	}
	var err error
	for i := 0; i < n; i++ {
		v := <-results[i]
		if err = emit(i, v); err != nil {
			break
		}
		<-tokens
	}
	close(quit)
	wg.Wait()
	return err
}
