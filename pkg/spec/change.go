package spec

import (
	"fmt"
	"math"

	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/stats"
)

// IsChange reports whether the spec is a change between years (change,
// pct, logratio or slope), the statistics subject to regression to the
// mean and to the Poisson noise of both years' counts.
func (s Spec) IsChange() bool {
	switch s.Stat {
	case Change, Pct, LogRatio, Slope:
		return true
	}
	return false
}

// Levels returns the level specs of a change spec's first and last
// years: adoptions:change@2020-2024 gives adoptions:level@2020 and
// adoptions:level@2024.
func (s Spec) Levels() (first, last Spec, err error) {
	if !s.IsChange() {
		return Spec{}, Spec{}, fmt.Errorf("%s is not a change between two years", s)
	}
	return Spec{Measure: s.Measure, Stat: Level, From: s.From, To: s.From}, Spec{Measure: s.Measure, Stat: Level, From: s.To, To: s.To}, nil
}

// Reliability is how much of the spread of a change statistic across
// councils is real rather than Poisson noise in the counts.
type Reliability struct {
	// Observed is the variance of the statistic across the councils.
	Observed float64
	// Noise is the mean over councils of its Poisson sampling variance.
	Noise float64
	// Ratio is the reliability 1 − Noise/Observed (at most 1; can be
	// negative when noise exceeds the observed spread).
	Ratio float64
	// MeanCount is the mean count per council over the two years.
	MeanCount float64
	N         int
}

// ChangeReliability estimates the reliability of a change spec over the
// given units (those of a Table, so the same councils as the analysis):
// the share of the variance across councils that is not Poisson noise.
// With counts c₁, c₂ in populations n₁, n₂ (rates r = c/n·10,000) each
// council's sampling variance is, by the delta method,
//
//	change:   r₁²/c₁ + r₂²/c₂            (Var r = r²/c for a Poisson count)
//	logratio: 1/c₁ + 1/c₂
//	pct:      100²·(r₂/r₁)²·(1/c₁ + 1/c₂)
//
// and the reliability is 1 − mean(noise)/Var(statistic). A council with a
// zero count in either year adds no defined noise term and is skipped from
// the mean noise. The correlation of two such statistics is attenuated by
// about sqrt(rel_x·rel_y) (Spearman 1904). Slope is not supported.
func ChangeReliability(calc *rates.Calculator, s Spec, units []Unit) (Reliability, error) {
	if s.Stat == Slope || !s.IsChange() {
		return Reliability{}, fmt.Errorf("reliability: %s is not a two-year change", s)
	}
	var stat []float64
	var noise, counts float64
	nNoise := 0
	for _, u := range units {
		a, b := rateAt(calc, s.Measure, u, s.From), rateAt(calc, s.Measure, u, s.To)
		if !a.OK() || !b.OK() || !a.Count.OK() || !b.Count.OK() {
			continue
		}
		c1, c2, r1, r2 := a.Count.Number, b.Count.Number, a.Value, b.Value
		var v, nv float64
		switch s.Stat {
		case Change:
			v, nv = r2-r1, 0
			if c1 > 0 {
				nv += r1 * r1 / c1
			}
			if c2 > 0 {
				nv += r2 * r2 / c2
			}
		case LogRatio:
			if c1 == 0 || c2 == 0 {
				continue
			}
			v, nv = math.Log(r2/r1), 1/c1+1/c2
		case Pct:
			if c1 == 0 {
				continue
			}
			v = 100 * (r2 - r1) / r1
			nv = 1e4 * (r2 / r1) * (r2 / r1) * (1/c1 + 1/math.Max(c2, 1))
		}
		stat = append(stat, v)
		noise += nv
		nNoise++
		counts += (c1 + c2) / 2
	}
	if len(stat) < 3 {
		return Reliability{}, fmt.Errorf("reliability: only %d councils with both counts", len(stat))
	}
	var mean, ss float64
	for _, v := range stat {
		mean += v
	}
	mean /= float64(len(stat))
	for _, v := range stat {
		ss += (v - mean) * (v - mean)
	}
	r := Reliability{Observed: ss / float64(len(stat)-1), Noise: noise / float64(nNoise), MeanCount: counts / float64(len(stat)), N: len(stat)}
	r.Ratio = 1 - r.Noise/r.Observed
	return r, nil
}

// BaselineAdjusted is the ANCOVA-style answer to "do x and y change
// together?" for two change specs: the partial correlation (Pearson, or
// Spearman on ranks) of x's and y's last-year levels controlling for both
// first-year levels, over the councils with all four. It asks whether
// councils whose y ended higher than their starting levels predict also
// had x end higher, without the regression to the mean built into a change
// correlated with its own baseline. The weight option is ignored.
//
// Reference: Vickers AJ & Altman DG (2001). Analysing controlled trials
// with baseline and follow up measurements. BMJ 323:1123-1124.
func BaselineAdjusted(calc *rates.Calculator, x, y Spec, method string, opts Options, level float64) (*Paired, stats.Correlation, error) {
	x0, x1, err := x.Levels()
	if err != nil {
		return nil, stats.Correlation{}, err
	}
	y0, y1, err := y.Levels()
	if err != nil {
		return nil, stats.Correlation{}, err
	}
	opts.Weight = ""
	data, err := Pair(calc, x1, y1, []Spec{x0, y0}, opts)
	if err != nil {
		return nil, stats.Correlation{}, err
	}
	c, err := stats.Partial(data.XS(), data.YS(), data.ControlColumns(), method, level)
	return data, c, err
}
