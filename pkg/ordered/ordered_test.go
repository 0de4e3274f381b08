package ordered

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// Results come in order, each once, whatever the workers' speeds, and no
// more than ahead of them wait at any time.
func TestMapOrderAndBound(t *testing.T) {
	for _, tc := range []struct{ n, workers, ahead int }{{0, 2, 4}, {1, 4, 1}, {7, 1, 1}, {100, 2, 3}, {100, 8, 2}, {500, 3, 16}} {
		var started, emitted atomic.Int64
		var worst atomic.Int64
		var got []int
		err := Map(tc.n, tc.workers, tc.ahead, func(w, i int) int {
			if w < 0 || w >= max(1, min(tc.workers, tc.n)) {
				t.Errorf("worker number %d of %d", w, tc.workers)
			}
			s := started.Add(1)
			if waiting := s - emitted.Load(); waiting > worst.Load() {
				worst.Store(waiting)
			}
			if rand.IntN(3) == 0 {
				time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond)
			}
			return i * i
		}, func(i, v int) error {
			if v != i*i {
				t.Errorf("result %d is %d, want %d", i, v, i*i)
			}
			got = append(got, i)
			emitted.Add(1)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tc.n {
			t.Fatalf("%+v: %d results, want %d", tc, len(got), tc.n)
		}
		for i, g := range got {
			if g != i {
				t.Fatalf("%+v: result %d emitted at %d", tc, g, i)
			}
		}
		if limit := int64(max(tc.ahead, max(1, min(tc.workers, tc.n)))); worst.Load() > limit {
			t.Errorf("%+v: %d pieces started and not emitted at once, limit %d", tc, worst.Load(), limit)
		}
	}
}

// An error from emit stops the work: emit is not called again, Map
// returns the error, and no worker is left running.
func TestMapStopsOnError(t *testing.T) {
	before := runtime.NumGoroutine()
	boom := errors.New("boom")
	var worked atomic.Int64
	calls := 0
	err := Map(1000, 4, 4, func(w, i int) int { worked.Add(1); return i }, func(i, v int) error {
		calls++
		if i == 10 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want boom", err)
	}
	if calls != 11 {
		t.Errorf("emit called %d times, want 11", calls)
	}
	if n := worked.Load(); n > 11+4 {
		t.Errorf("%d pieces worked after the error at 10 with 4 ahead", n)
	}
	time.Sleep(10 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("%d goroutines before, %d after", before, after)
	}
}
