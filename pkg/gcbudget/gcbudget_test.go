package gcbudget

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// gcPercent and memLimit read the collector's settings without changing
// them (setting GOGC to read it back could start a collection).
func gcPercent() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64())
}

func memLimit() int64 {
	s := []metrics.Sample{{Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// Off until the runtime's memory reaches the limit, then back to the
// given percent with no limit, after the first collection.
func TestDeferUntilLimit(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	before, beforeLimit := gcPercent(), memLimit()
	defer func() {
		debug.SetGCPercent(before)
		debug.SetMemoryLimit(beforeLimit)
	}()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	limit := int64(ms.Sys) + 64<<20
	Defer(limit, 300)
	if p := gcPercent(); p != -1 {
		t.Fatalf("collector target %d right after Defer, want -1 (off)", p)
	}
	if l := memLimit(); l != limit {
		t.Fatalf("memory limit %d, want %d", l, limit)
	}
	// Garbage well below the limit: no collection.
	var keep [][]byte
	runtime.ReadMemStats(&ms)
	gcs := ms.NumGC
	for range 16 {
		keep = append(keep[:0], make([]byte, 1<<20))
	}
	runtime.ReadMemStats(&ms)
	if ms.NumGC != gcs || gcPercent() != -1 {
		t.Fatalf("%d collections and target %d after 16 MB of garbage with 64 MB to the limit, want none and -1", ms.NumGC-gcs, gcPercent())
	}
	// Garbage beyond the limit: the runtime must collect, and the
	// finalizer then restore the usual target.
	deadline := time.Now().Add(20 * time.Second)
	for gcPercent() != 300 {
		if time.Now().After(deadline) {
			runtime.ReadMemStats(&ms)
			t.Fatalf("still off after %d collections and %d MB allocated", ms.NumGC, ms.TotalAlloc>>20)
		}
		b := make([]byte, 1<<20)
		keep = append(keep[:0], b) // garbage, one MB at a time
		runtime.Gosched()
	}
	runtime.ReadMemStats(&ms)
	if ms.NumGC == gcs {
		t.Errorf("the target came back without a collection")
	}
	if l := memLimit(); l != math.MaxInt64 {
		t.Errorf("memory limit %d after the first collection, want none", l)
	}
	_ = keep
}

// GOGC set by the user: Defer changes nothing.
func TestDeferLeavesGOGC(t *testing.T) {
	t.Setenv("GOGC", "150")
	before, beforeLimit := gcPercent(), memLimit()
	Defer(1<<20, 300)
	if p := gcPercent(); p != before {
		t.Errorf("collector target %d, want the user's %d unchanged", p, before)
	}
	if l := memLimit(); l != beforeLimit {
		t.Errorf("memory limit %d, want %d unchanged", l, beforeLimit)
	}
}

// GOMEMLIMIT set by the user: only the target is applied, never a limit.
func TestDeferLeavesGOMEMLIMIT(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "1GiB")
	before, beforeLimit := gcPercent(), memLimit()
	defer debug.SetGCPercent(before)
	Defer(1<<20, 300)
	if p := gcPercent(); p != 300 {
		t.Errorf("collector target %d, want 300", p)
	}
	if l := memLimit(); l != beforeLimit {
		t.Errorf("memory limit %d, want %d unchanged", l, beforeLimit)
	}
}
