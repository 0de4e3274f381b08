// Package stats provides the statistics used by cscstats as small, pure
// functions on plain float64 slices, in the style of gonum.org/v1/gonum/stat
// (on which it is built, together with gonum.org/v1/gonum/stat/distuv).
//
// The package performs no I/O and knows nothing about councils or data
// sources: callers pass slices of equal length, one element per unit of
// observation, with missing values already removed. Pairwise-complete
// filtering is the caller's job.
//
// # Conventions
//
//   - Confidence levels are given as a fraction in (0, 1), e.g. 0.95.
//   - All p-values are two-sided tests of zero association.
//   - Inputs containing NaN or ±Inf are rejected with ErrNonFinite rather than
//     silently propagated.
//   - Errors wrap one of the sentinel errors below, so callers can use
//     errors.Is to tell "not enough data" apart from "bad input".
//   - A confidence interval whose standard error is undefined for the sample
//     size (for example a Fisher-z interval when n ≤ 3) is reported as NaN,
//     as R's cor.test does, rather than as an error: the point estimate and
//     p-value are still valid.
//   - Quantiles always use Hyndman & Fan (1996) definition 7, the default of
//     R's quantile() and of pandas/NumPy; see Quantile.
package stats
