// Package gcbudget leaves a short run's garbage to the end of the process
// while its heap stays small, and collects as usual once it is not.
//
// Most cscstats runs allocate a few tens of MB and exit within a tenth of a
// second: collecting during them costs a large part of the run (on two
// CPUs, a warm `rates --measure all` spent about as long in the collector
// as in its own work) and saves almost no memory, since the process ends
// anyway. A run that reads a large data directory must still collect, so
// the collector is not simply turned off (as GOGC=off would): it is off
// until the Go runtime's memory first reaches a limit, and from that first
// collection on it runs at the usual target, without the limit.
package gcbudget

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
)

// Defer turns the collector off until the memory the Go runtime holds
// (as GOMEMLIMIT counts it: heap, stacks and runtime structures) reaches
// limit bytes. At the first collection after that, the collector goes
// back to percent (as GOGC=percent) and the limit is lifted, so the run
// from then on is collected as any other.
//
// A user's GOGC or GOMEMLIMIT wins: when either is set, Defer only applies
// percent if GOGC is not set, and never the limit.
//
// How the first collection is seen: a finalizer on an object that is
// unreachable from the start runs after the first collection that finds
// it (the technique of the Go "GC tuners", such as the one in Uber's
// engineering blog "How We Saved 70K Cores Across 30 Mission-Critical
// Services", 2021).
func Defer(limit int64, percent int) {
	if os.Getenv("GOGC") != "" {
		return
	}
	if os.Getenv("GOMEMLIMIT") != "" {
		debug.SetGCPercent(percent)
		return
	}
	debug.SetMemoryLimit(limit)
	debug.SetGCPercent(-1)
	// A pointer field keeps the sentinel out of the tiny allocator, whose
	// blocks are shared and freed together.
	sentinel := &struct{ p *int }{}
	runtime.SetFinalizer(sentinel, func(*struct{ p *int }) {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(math.MaxInt64)
	})
}
