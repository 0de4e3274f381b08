// Package rates turns counts into rates per 10,000 children with confidence
// intervals, for every local authority, region and England, computed the
// same way for all three, and the change between years.
package rates

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// PerTenThousand is count ÷ population × 10,000.
func PerTenThousand(count, population float64) float64 {
	return count / population * 10000
}

// PoissonCI returns the exact (Garwood) two-sided confidence interval for
// the mean of a Poisson count k at the given level (0.95 for 95%):
//
//	lower = χ²(α/2; 2k) / 2,  upper = χ²(1−α/2; 2k+2) / 2,  α = 1 − level,
//
// where χ²(p; ν) is the p-quantile of the chi-square distribution with ν
// degrees of freedom, and lower = 0 when k = 0. Garwood F (1936) "Fiducial
// limits for the Poisson distribution", Biometrika 28:437-442; the method
// used for rates in Public Health England's "Technical guide: confidence
// intervals" (2018) for small counts. Non-integer counts (sums of rounded
// figures never are, but weighted ones may be) are used as they are.
func PoissonCI(k, level float64) (lower, upper float64) {
	alpha := 1 - level
	if k < 0 || math.IsNaN(k) {
		return math.NaN(), math.NaN()
	}
	if k > 0 {
		lower = distuv.ChiSquared{K: 2 * k}.Quantile(alpha/2) / 2
	}
	upper = distuv.ChiSquared{K: 2*k + 2}.Quantile(1-alpha/2) / 2
	return lower, upper
}

// RateCI is a rate per 10,000 with its exact Poisson 95% confidence
// interval: the interval for the count (PoissonCI) divided by the
// population and scaled like the rate. The population is treated as known
// exactly, as DfE and PHE do for rates on ONS denominators.
func RateCI(count, population float64) (rate, lower, upper float64) {
	lo, hi := PoissonCI(count, 0.95)
	return PerTenThousand(count, population), PerTenThousand(lo, population), PerTenThousand(hi, population)
}
