package rates

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// RateRatio is the exact test of a change between two Poisson rates.
type RateRatio struct {
	// Ratio is (countTo/popTo) ÷ (countFrom/popFrom).
	Ratio float64
	// Lower and Upper bound the exact (conditional, Clopper-Pearson based)
	// confidence interval for the ratio.
	Lower, Upper float64
	// P is the exact two-sided p-value for "the two underlying rates are
	// equal".
	P float64
}

// RateRatioTest compares two Poisson counts with population offsets: a
// count of countFrom in popFrom people and countTo in popTo. It is the
// conditional (binomial) test of Przyborowski & Wilenski (1940), R's
// poisson.test for two samples:
//
//	N = countFrom + countTo,  π₀ = popTo / (popFrom + popTo)
//	given N, countTo ~ Binomial(N, π) with π = RR·popTo / (popFrom + RR·popTo),
//	so RR = 1 ⇔ π = π₀ and RR = π/(1−π) · popFrom/popTo.
//
// The p-value is the exact two-sided binomial p-value of countTo against
// π₀: the probability of every outcome no more likely than the one seen
// (the "minimum likelihood" rule of R's binom.test, with its relative
// tolerance 1e-7). The confidence interval maps the Clopper-Pearson
// interval (π_L, π_U) for π at the given level (0.95 for 95%) to the
// ratio scale, π_L = B(α/2; x, N−x+1), π_U = B(1−α/2; x+1, N−x), where
// B(p; a, b) is the beta quantile.
//
// Unlike asking whether two 95% intervals overlap, which is not a test
// (two overlapping intervals can still differ significantly), this gives
// the p-value for the change itself. Counts must be whole numbers ≥ 0 and
// populations > 0; otherwise every field is NaN. With both counts 0 the
// ratio and interval are NaN and P = 1.
//
// References: Przyborowski J & Wilenski H (1940). Homogeneity of results
// in testing samples from Poisson series. Biometrika 31:313-323; Clopper
// CJ & Pearson ES (1934). Biometrika 26:404-413; Ulm K (1990) Am J
// Epidemiol 131:373-375.
func RateRatioTest(countFrom, popFrom, countTo, popTo, level float64) RateRatio {
	nan := RateRatio{Ratio: math.NaN(), Lower: math.NaN(), Upper: math.NaN(), P: math.NaN()}
	if !whole(countFrom) || !whole(countTo) || !(popFrom > 0) || !(popTo > 0) || !(level > 0 && level < 1) {
		return nan
	}
	n := countFrom + countTo
	if n == 0 {
		nan.P = 1
		return nan
	}
	x := countTo
	p0 := popTo / (popFrom + popTo)
	odds := func(p float64) float64 { return p / (1 - p) * popFrom / popTo }
	rr := RateRatio{Ratio: (countTo / popTo) / (countFrom / popFrom)}
	alpha := 1 - level
	rr.Lower, rr.Upper = 0, math.Inf(1)
	if x > 0 {
		rr.Lower = odds(distuv.Beta{Alpha: x, Beta: n - x + 1}.Quantile(alpha / 2))
	}
	if x < n {
		rr.Upper = odds(distuv.Beta{Alpha: x + 1, Beta: n - x}.Quantile(1 - alpha/2))
	}
	rr.P = binomialTwoSided(x, n, p0)
	return rr
}

func whole(v float64) bool { return v >= 0 && v == math.Trunc(v) && !math.IsInf(v, 0) }

// binomialTwoSided is the exact two-sided p-value of x successes in n
// trials with success probability p, summing the probabilities of all
// outcomes with probability ≤ P(X = x)·(1 + 1e-7), as R's binom.test does.
// The binomial distribution is unimodal, so the outcomes are the tail on
// x's side of the mean from x outwards and, on the other side, the tail
// beyond the first outcome as unlikely as x, found by bisection.
func binomialTwoSided(x, n, p float64) float64 {
	b := distuv.Binomial{N: n, P: p}
	d := b.LogProb(x) + math.Log1p(1e-7)
	m := n * p
	var pv float64
	switch {
	case x == m:
		return 1
	case x < m:
		// first i ≥ ceil(m) with P(X = i) ≤ d
		lo, hi := math.Ceil(m), n+1
		for lo < hi {
			mid := math.Floor((lo + hi) / 2)
			if b.LogProb(mid) <= d {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		pv = b.CDF(x) + upperTail(b, lo)
	default:
		// last i ≤ floor(m) with P(X = i) ≤ d
		lo, hi := -1.0, math.Floor(m)
		for lo < hi {
			mid := math.Ceil((lo + hi) / 2)
			if b.LogProb(mid) <= d {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		pv = upperTail(b, x)
		if lo >= 0 {
			pv += b.CDF(lo)
		}
	}
	return math.Min(1, pv)
}

// upperTail is P(X ≥ i), computed directly (not as 1 − CDF) so that tiny
// tails keep their precision.
func upperTail(b distuv.Binomial, i float64) float64 {
	if i > b.N {
		return 0
	}
	if i <= 0 {
		return 1
	}
	return b.Survival(i - 1)
}

// ChangeTestNote explains the change columns rate_ratio,
// rate_ratio_lower, rate_ratio_upper and p_value for tables of changes.
const ChangeTestNote = "rate_ratio: the last year's rate ÷ the first's, with its exact 95% interval (rate_ratio_lower, rate_ratio_upper) and p_value, the exact two-sided conditional binomial test that the two underlying rates are equal (two Poisson counts with the populations as offsets; R's poisson.test). p_value < 0.05 is evidence of a real change; whether the two years' 95% intervals overlap is not a test of change (they can overlap when the change is significant). The test treats each year's count as Poisson, so it allows for chance variation only, not for changes in recording."
