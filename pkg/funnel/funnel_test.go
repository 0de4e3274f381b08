package funnel

import (
	"math"
	"testing"
)

// poisson25CDF is an independent Poisson(25) distribution function built
// by summing the probability mass function term by term
// (p_0 = e^-25, p_k = p_{k-1}·25/k), with no use of the package code.
func poisson25CDF() []float64 {
	const mu = 25.0
	p := math.Exp(-mu)
	c := p
	out := []float64{c}
	for k := 1; k <= 100; k++ {
		p *= mu / float64(k)
		c += p
		out = append(out, c)
	}
	return out
}

func TestPoissonQuantilesE25(t *testing.T) {
	F := poisson25CDF()
	// Independent quantile by scanning the hand-built CDF.
	quant := func(p float64) int {
		for k, c := range F {
			if c >= p {
				return k
			}
		}
		t.Fatalf("no quantile for %v", p)
		return -1
	}
	// Published values for Poisson(25): 16, 35 (95%) and 11, 42 (99.8%).
	for _, c := range []struct {
		p    float64
		want int
	}{{P95Lower, 16}, {P95Upper, 35}, {P998Lower, 11}, {P998Upper, 42}} {
		if got := quant(c.p); got != c.want {
			t.Errorf("hand quantile(%v) = %d, want %d", c.p, got, c.want)
		}
		if got := PoissonQuantile(c.p, 25); got != c.want {
			t.Errorf("PoissonQuantile(%v, 25) = %d, want %d", c.p, got, c.want)
		}
	}
	for k := 0; k < 60; k++ {
		if d := math.Abs(PoissonCDF(k, 25) - F[k]); d > 1e-12 {
			t.Errorf("PoissonCDF(%d, 25) off by %g", k, d)
		}
	}
}

func TestLimitsE25(t *testing.T) {
	// Target 25 per 10,000 (θ = 0.0025 per child) and n = 10,000 give E = 25,
	// so the limit rate per 10,000 equals the limit count.
	const target, n = 25.0, 10000.0
	if e := Expected(target, n); e != 25 {
		t.Fatalf("Expected = %v", e)
	}
	F := poisson25CDF()
	// Hand computation of r_p − α from the independent CDF, and the
	// same values worked to 50 digits offline (decimal arithmetic).
	cases := []struct {
		p      float64
		r      int
		worked float64
	}{
		{P998Lower, 11, 10.498532507209964},
		{P95Lower, 16, 15.175156532855532},
		{P95Upper, 35, 34.776717190089720},
		{P998Upper, 42, 41.346523474719966},
	}
	for _, c := range cases {
		alpha := (F[c.r] - c.p) / (F[c.r] - F[c.r-1])
		hand := float64(c.r) - alpha
		if math.Abs(hand-c.worked) > 1e-9 {
			t.Errorf("p=%v: hand %v vs worked %v", c.p, hand, c.worked)
		}
		got := Limit(target, n, c.p)
		if math.Abs(got-c.worked) > 1e-9 {
			t.Errorf("Limit(p=%v) = %.12f, want %.12f", c.p, got, c.worked)
		}
		// Same expected count, different population: the count limit is
		// unchanged, so the rate scales by 10,000/n.
		if got := Limit(50, 5000, c.p); math.Abs(got-c.worked*2) > 1e-9 {
			t.Errorf("Limit(50, 5000, %v) = %v, want %v", c.p, got, c.worked*2)
		}
	}
}

func TestLimitSmoothAndOrdered(t *testing.T) {
	// The interpolated limit is continuous in n: no jumps larger than a
	// small fraction of a count when n changes by a small step.
	const target = 70.0
	prev := math.NaN()
	for n := 2000.0; n < 4000; n += 5 {
		c := LimitCount(Expected(target, n), P95Upper)
		if !math.IsNaN(prev) && math.Abs(c-prev) > 0.1 {
			t.Fatalf("jump in upper count limit at n=%v: %v -> %v", n, prev, c)
		}
		prev = c
		l := PoissonLimits(target, n)
		if !(l.Lower998 <= l.Lower95 && l.Lower95 < target && target < l.Upper95 && l.Upper95 <= l.Upper998) {
			t.Fatalf("limits out of order at n=%v: %+v", n, l)
		}
	}
	if l := Limit(10, 100, P998Lower); l != 0 {
		t.Errorf("lower limit with E=0.1 = %v, want 0", l)
	}
	if !math.IsNaN(Limit(10, 0, P95Upper)) {
		t.Error("zero population should give NaN")
	}
}

func TestAssessEachBand(t *testing.T) {
	const target, n = 25.0, 10000.0 // E = 25; limits 10.50, 15.18, 34.78, 41.35
	cases := []struct {
		count float64
		want  Verdict
		str   string
	}{
		{10, Below998, "below 99.8%"},
		{11, Below95, "below 95%"},
		{15, Below95, "below 95%"},
		{16, Within, "within"},
		{25, Within, "within"},
		{34, Within, "within"},
		{35, Above95, "above 95%"},
		{41, Above95, "above 95%"},
		{42, Above998, "above 99.8%"},
	}
	for _, c := range cases {
		v := Assess(c.count, n, target)
		if v != c.want || v.String() != c.str {
			t.Errorf("Assess(%v) = %v, want %v", c.count, v, c.str)
		}
		if r := AssessRate(c.count/n*Per, n, target); r != v {
			t.Errorf("AssessRate disagrees with Assess for %v", c.count)
		}
	}
	if !Above998.Outside998() || Above95.Outside998() || !Below95.Outside95() || Within.Outside95() {
		t.Error("Outside helpers wrong")
	}
}

func TestOverdispersionHand(t *testing.T) {
	// Worked by hand. θ = 100 per 10,000 so s_i² = 100·10,000/n_i:
	//   n = 10,000 → s² = 100 (s = 10), w = 0.01
	//   n = 40,000 → s² = 25  (s = 5),  w = 0.04
	//   n =  2,500 → s² = 400 (s = 20), w = 0.0025
	// Rates chosen to give z = 2, −1, 3, −2, 1, −1.
	// Sorted: −2, −1, −1, 1, 2, 3. Type 7 percentiles, h = (I−1)p:
	//   P10: h = 0.5 → −2 + 0.5·(−1 − −2) = −1.5
	//   P90: h = 4.5 →  2 + 0.5·(3 − 2)   =  2.5
	// so 3 → 2.5 and −2 → −1.5 (two winsorised).
	// Σz² = 4 + 1 + 6.25 + 2.25 + 1 + 1 = 15.5, φ = 15.5/6.
	// Σw = 0.105, Σw² = 2(0.0001)+2(0.0016)+2(0.00000625) = 0.0034125,
	// Σw²/Σw = 0.0325, denominator = 0.0725.
	// τ² = (15.5 − 5)/0.0725 = 144.827586...
	rates := []float64{120, 90, 115, 90, 120, 80}
	pops := []float64{10000, 10000, 40000, 40000, 2500, 2500}
	od, err := Overdispersion(100, rates, pops, ScaleRate)
	if err != nil {
		t.Fatal(err)
	}
	if od.Units != 6 || od.Winsorised != 2 || od.Low != -1.5 || od.High != 2.5 {
		t.Errorf("units/winsorised/low/high = %d/%d/%v/%v", od.Units, od.Winsorised, od.Low, od.High)
	}
	if math.Abs(od.Phi-15.5/6) > 1e-12 {
		t.Errorf("phi = %v, want %v", od.Phi, 15.5/6)
	}
	if math.Abs(od.Tau2-10.5/0.0725) > 1e-9 || math.Abs(od.Tau2-144.827586) > 1e-5 {
		t.Errorf("tau2 = %v, want %v", od.Tau2, 10.5/0.0725)
	}
	// Overdispersed upper 95% limit at n = 10,000:
	// 100 + 1.959964·sqrt(100 + 144.827586) = 100 + 1.959964·15.646967 = 130.6675
	want := 100 + 1.959963984540054*math.Sqrt(100+10.5/0.0725)
	if got := ODLimit(100, 10000, P95Upper, od.Tau2, ScaleRate); math.Abs(got-want) > 1e-9 || math.Abs(got-130.6675) > 1e-3 {
		t.Errorf("ODLimit = %v, want %v", got, want)
	}
	if got := od.Limits(10000).Upper95; got != ODLimit(100, 10000, P95Upper, od.Tau2, ScaleRate) {
		t.Errorf("OD.Limits upper 95 = %v", got)
	}
	if v := od.Assess(130, 10000); v != Within {
		t.Errorf("Assess(130) = %v, want within (Poisson verdict %v)", v, AssessRate(130, 10000, 100))
	}
	if v := od.Assess(131, 10000); v != Above95 {
		t.Errorf("Assess(131) = %v, want above 95%%", v)
	}
}

func TestOverdispersionWinsorised(t *testing.T) {
	// Ten units, all n = 10,000 (s = 10, w = 0.01), θ = 100.
	// z = 5, 2, 1, 1, 0, 0, −1, −1, −2, −3; sorted −3, −2, −1, −1, 0, 0, 1, 1, 2, 5.
	// P10: h = 9·0.1 = 0.9 → −3 + 0.9·1 = −2.1; P90: h = 8.1 → 2 + 0.1·3 = 2.3.
	// So 5 → 2.3 and −3 → −2.1 (the old "k-th next value" rule gave 2 and −2).
	// Σz² = 5.29 + 4 + 1 + 1 + 0 + 0 + 1 + 1 + 4 + 4.41 = 21.7, φ = 2.17.
	// Σw = 0.1, Σw²/Σw = 0.001/0.1 = 0.01, denominator 0.09.
	// τ² = (21.7 − 9)/0.09 = 141.111...
	zs := []float64{5, 2, 1, 1, 0, 0, -1, -1, -2, -3}
	var rates, pops []float64
	for _, z := range zs {
		rates = append(rates, 100+10*z)
		pops = append(pops, 10000)
	}
	od, err := Overdispersion(100, rates, pops, ScaleRate)
	if err != nil {
		t.Fatal(err)
	}
	if od.Winsorised != 2 || math.Abs(od.Low+2.1) > 1e-12 || math.Abs(od.High-2.3) > 1e-12 ||
		math.Abs(od.Phi-2.17) > 1e-12 || math.Abs(od.Tau2-12.7/0.09) > 1e-9 {
		t.Errorf("got %+v, want phi 2.17 tau2 %v", od, 12.7/0.09)
	}
}

func TestOverdispersionScales(t *testing.T) {
	// θ = 100 per 10,000, every n = 10,000 (E = 100).
	// Square-root scale: T = 10, s² = 10,000/40,000 = 0.25 (s = 0.5), so a
	// rate of 121 (√ = 11) has z = 2 and 81 (√ = 9) has z = −2:
	// z = 2(√O − √E) = 2(√121 − √100) = 2. Two units: P10 = −2 + 0.1·4 = −1.6,
	// P90 = 1.6, φ = (1.6² + 1.6²)/2 = 2.56; w = 4 each, Σw = 8,
	// Σw²/Σw = 32/8 = 4, τ² = (2·2.56 − 1)/4 = 1.03 (on the √rate scale).
	od, err := Overdispersion(100, []float64{121, 81}, []float64{1e4, 1e4}, ScaleSqrt)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(od.Phi-2.56) > 1e-12 || math.Abs(od.Tau2-1.03) > 1e-12 {
		t.Errorf("sqrt: %+v, want phi 2.56 tau2 1.03", od)
	}
	// Limit on the square-root scale, τ² = 0: (10 + 1.959964·0.5)² = 10.979982² = 120.5600.
	if got := ODLimit(100, 1e4, P95Upper, 0, ScaleSqrt); math.Abs(got-120.5600) > 1e-3 {
		t.Errorf("sqrt upper 95 = %v, want 120.5600", got)
	}
	// Log scale: T = ln 100, s² = 10,000/(100·10,000) = 0.01 (s = 0.1):
	// a rate of 100·e^0.2 has z = 2. Upper 95% with τ² = 0:
	// 100·e^(0.1959964) = 121.6527; lower 100·e^(−0.1959964) = 82.2012.
	od, err = Overdispersion(100, []float64{100 * math.Exp(0.2), 100 * math.Exp(-0.2)}, []float64{1e4, 1e4}, ScaleLog)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(od.Phi-2.56) > 1e-9 {
		t.Errorf("log: phi = %v, want 2.56", od.Phi)
	}
	l := ODLimits(100, 1e4, 0, ScaleLog)
	if math.Abs(l.Upper95-121.6527) > 1e-3 || math.Abs(l.Lower95-82.2012) > 1e-3 {
		t.Errorf("log limits %+v", l)
	}
	// A zero count on the log scale is half an event: n = 10,000 gives a
	// rate of 0.5, z = (ln 0.5 − ln 100)/0.1 = −52.983.
	od, err = Overdispersion(100, []float64{0, 100}, []float64{1e4, 1e4}, ScaleLog)
	if err != nil {
		t.Fatal(err)
	}
	if want := (math.Log(0.5) - math.Log(100)) / 0.1; math.Abs(od.Low-(want+0.1*(0-want))) > 1e-9 {
		t.Errorf("log zero count: low %v", od.Low)
	}
}

func TestLimitsFlooredAtZero(t *testing.T) {
	// θ = 1 per 10,000 in a council of 1,000 children: E = 0.1.
	// Rate scale: s² = 1·10,000/1,000 = 10, lower 99.8% = 1 − 3.09·3.16 < 0 → 0.
	// Square-root scale: 1 − 3.09·sqrt(2.5) < 0 → 0 (not the square of a
	// negative number, which would be a spurious positive limit).
	// Log scale: e^(0 − 3.09·sqrt(100)) > 0.
	for _, sc := range []Scale{ScaleRate, ScaleSqrt, ScaleLog} {
		l := ODLimits(1, 1000, 0, sc)
		if l.Lower998 < 0 || l.Lower95 < 0 {
			t.Errorf("%v: negative lower limit %+v", sc, l)
		}
		if sc != ScaleLog && l.Lower998 != 0 {
			t.Errorf("%v: lower 99.8%% = %v, want 0", sc, l.Lower998)
		}
		if sc == ScaleLog && !(l.Lower998 > 0) {
			t.Errorf("log: lower 99.8%% = %v, want > 0", l.Lower998)
		}
	}
	for _, c := range []struct {
		in   string
		want Scale
	}{{"rate", ScaleRate}, {"sqrt", ScaleSqrt}, {"log", ScaleLog}} {
		if got, err := ParseScale(c.in); err != nil || got != c.want || got.String() != c.in {
			t.Errorf("ParseScale(%q) = %v, %v", c.in, got, err)
		}
	}
	if _, err := ParseScale("logit"); err == nil {
		t.Error("ParseScale(logit): want error")
	}
}

func TestOverdispersionNone(t *testing.T) {
	// z = ±0.5: winsorised at ±0.5 still, φ = 0.25 < 1, so τ² = 0 and OD
	// limits reduce to the normal approximation θ ± z_p·s.
	od, err := Overdispersion(100, []float64{105, 95, 105, 95}, []float64{1e4, 1e4, 1e4, 1e4}, ScaleRate)
	if err != nil {
		t.Fatal(err)
	}
	if od.Tau2 != 0 || math.Abs(od.Phi-0.25) > 1e-12 {
		t.Errorf("got %+v", od)
	}
	if _, err := Overdispersion(100, []float64{1}, []float64{0}, ScaleRate); err == nil {
		t.Error("want error for one unit")
	}
	if _, err := Overdispersion(100, []float64{1, 2}, []float64{10, 0}, ScaleRate); err == nil {
		t.Error("want error for zero population")
	}
}

func TestBandsAndLogSpace(t *testing.T) {
	pops := LogSpace(2000, 300000, 50)
	if len(pops) != 50 || pops[0] != 2000 || pops[49] != 300000 {
		t.Fatalf("LogSpace ends: %v %v", pops[0], pops[len(pops)-1])
	}
	b := PoissonBands(70, pops)
	for i := range pops {
		if b.Upper998[i] != Limit(70, pops[i], P998Upper) {
			t.Fatal("band disagrees with Limit")
		}
		if i > 0 && b.Upper998[i] > b.Upper998[i-1]+1e-9 {
			t.Fatalf("upper 99.8%% limit not narrowing at %v", pops[i])
		}
	}
	od := ODBands(70, 0, ScaleRate, pops)
	// At large n the normal approximation and the exact limit agree closely.
	if d := math.Abs(od.Upper95[49] - b.Upper95[49]); d > 0.2 {
		t.Errorf("OD (tau2=0) vs exact at n=300000 differ by %v", d)
	}
}
