package charts

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// demoSource is the source line used by the demo and test charts.
const demoSource = "DfE, Children looked after in England including adoptions (2013 to 2025); ONS mid-year population estimates."

// demoTrendSeries returns realistic-looking series for 2013-2025: England,
// a region, two councils and eight neighbours, with a suppressed year.
func demoTrendSeries(r *rand.Rand) []Series {
	mk := func(name string, role Role, base, slope, noise float64) Series {
		s := Series{Name: name, Role: role}
		for y := 2013; y <= 2025; y++ {
			v := base + slope*float64(y-2013) + noise*r.NormFloat64()
			half := 1.96 * math.Sqrt(v*v/(v*50)) * 3
			s.Points = append(s.Points, Point{Year: y, Value: v, Lower: v - half, Upper: v + half, Valid: true})
		}
		return s
	}
	var out []Series
	for i := 0; i < 8; i++ {
		out = append(out, mk("Neighbour "+string(rune('A'+i)), Neighbour, 40+10*r.Float64()*6, 0.8+r.Float64(), 4))
	}
	out = append(out,
		mk("England", England, 60, 0.85, 0.3),
		mk("North West", Region, 80, 1.3, 1),
		mk("Blackpool", Council, 150, 4, 6),
		mk("Cheshire East", Council, 45, 1.0, 3),
	)
	// a suppressed year and a boundary break
	out[len(out)-1].Points[4].Valid = false
	out[len(out)-2].Points[8].Valid = false
	return out
}

func demoTrend() *Trend {
	r := rand.New(rand.NewPCG(1, 2))
	return &Trend{
		Labels: Labels{
			Title:    "Children looked after at 31 March, 2013 to 2025",
			Subtitle: "Rate per 10,000 children aged 0-17; years ending 31 March",
			XLabel:   "Year ending 31 March",
			YLabel:   "per 10,000 children aged 0-17",
			Source:   demoSource,
			Notes:    []string{"Blackpool 2021 suppressed; Cheshire East 2017 not comparable after a boundary change."},
		},
		Series: demoTrendSeries(r),
	}
}

// demoCouncils returns 150 councils with child populations 2,000-300,000
// (log-uniform), and counts drawn around a rate of 70 per 10,000 with
// extra between-council variation, so rates span roughly 20-300.
func demoCouncils(r *rand.Rand) []FunnelUnit {
	names := []string{"Blackpool", "Cheshire East", "Hartlepool", "Isles of Scilly", "Kensington and Chelsea", "Middlesbrough", "Wokingham", "Richmond upon Thames", "Stoke-on-Trent", "North East Lincolnshire", "Rutland", "Birmingham", "Kent", "Lancashire"}
	var out []FunnelUnit
	for i := 0; i < 150; i++ {
		pop := math.Exp(math.Log(2000) + r.Float64()*math.Log(300000.0/2000))
		if i == 3 {
			pop = 2100
		}
		if i == 11 || i == 12 {
			pop = 280000 + r.Float64()*20000
		}
		rate := 70 * math.Exp(0.45*r.NormFloat64())
		rate = math.Min(math.Max(rate, 20), 300)
		count := math.Round(rate * pop / 10000)
		name := fmt.Sprintf("Council %03d", i+1)
		if i < len(names) {
			name = names[i]
		}
		out = append(out, FunnelUnit{Name: name, Value: count / pop * 10000, Population: pop, Valid: true})
	}
	out[0].Value = 215 // Blackpool high
	out[0].Highlight = true
	out[1].Highlight = true
	out[7].Valid = false // suppressed
	return out
}

func demoRank() *Rank {
	r := rand.New(rand.NewPCG(3, 4))
	units := demoCouncils(r)
	var items []RankItem
	for _, u := range units {
		half := 1.96 * math.Sqrt(u.Value*10000/u.Population)
		items = append(items, RankItem{Name: u.Name, Value: u.Value, Lower: math.Max(0, u.Value-half), Upper: u.Value + half, Valid: u.Valid, Highlight: u.Highlight})
	}
	items[5].Highlight = true
	items[6].Highlight = true
	return &Rank{
		Labels: Labels{
			Title:    "Children starting to be looked after aged under 1, 2024-25",
			Subtitle: "Rate per 10,000 children aged under 1, with 95% confidence intervals",
			YLabel:   "per 10,000 children aged under 1",
			Source:   demoSource,
			Notes:    []string{"Children starting care aged under 1 (proxy for removals at birth)."},
		},
		Items:   items,
		England: 70,
	}
}

func demoFunnel(od bool) *Funnel {
	r := rand.New(rand.NewPCG(3, 4))
	return &Funnel{
		Labels: Labels{
			Title:    "Children looked after at 31 March 2025, by council",
			Subtitle: "Rate per 10,000 children aged 0-17 against council child population",
			XLabel:   "Children aged 0-17 (log scale)",
			YLabel:   "per 10,000 children aged 0-17",
			Source:   demoSource,
		},
		Units:         demoCouncils(r),
		Target:        70,
		Overdispersed: od,
	}
}

func demoScatter() *Scatter {
	r := rand.New(rand.NewPCG(5, 6))
	var pts []ScatterPoint
	for i, u := range demoCouncils(r) {
		x := 5 + 45*r.Float64()
		pts = append(pts, ScatterPoint{Name: u.Name, X: x, Y: 30 + 2.2*x + 25*r.NormFloat64(), Valid: u.Valid, Highlight: i == 1})
	}
	return &Scatter{
		Labels: Labels{
			Title:    "Looked-after rate and deprivation, 2024-25",
			Subtitle: "Each point is a council",
			XLabel:   "IDACI: % of children in income-deprived households",
			YLabel:   "Children looked after per 10,000 children aged 0-17",
			Source:   demoSource + " MHCLG English indices of deprivation 2019.",
		},
		Points: pts,
	}
}

func demoSlope() *Slope {
	r := rand.New(rand.NewPCG(1, 2))
	ss := demoTrendSeries(r)
	ss[len(ss)-1].Points[len(ss[len(ss)-1].Points)-1].Valid = false
	return &Slope{
		Labels: Labels{
			Title:    "Children looked after, 2015 and 2025",
			Subtitle: "Rate per 10,000 children aged 0-17",
			YLabel:   "per 10,000 children aged 0-17",
			Source:   demoSource,
		},
		Series:    ss,
		YearA:     2015,
		YearB:     2025,
		YearLabel: func(y int) string { return fmt.Sprintf("%d-%02d", y-1, y%100) },
	}
}

func demoSmallMultiples() *SmallMultiples {
	r := rand.New(rand.NewPCG(1, 2))
	mk := func(title string) Trend {
		ss := demoTrendSeries(r)
		return Trend{Labels: Labels{Title: title, YLabel: "per 10,000"}, Series: ss[8:]}
	}
	return &SmallMultiples{
		Labels: Labels{
			Title:    "Blackpool compared with England, 2013 to 2025",
			Subtitle: "Rates per 10,000 children aged 0-17 (under 1 for starts aged under 1)",
			XLabel:   "Year ending 31 March",
			Source:   demoSource,
			Notes:    []string{"Children starting care aged under 1 (proxy for removals at birth)."},
		},
		Panels: []Trend{mk("Section 47 enquiries"), mk("Child protection plans"), mk("Starts aged under 1")},
	}
}

func demoCharts() map[string]Chart {
	bands := demoTrend()
	bands.Intervals = IntervalBands
	bands.Series = bands.Series[8:]
	bars := demoTrend()
	bars.Intervals = IntervalBars
	bars.Series = bars.Series[8:]
	bars.YearLabel = func(y int) string { return fmt.Sprintf("%d-%02d", y-1, y%100) }
	bars.Labels.XLabel = "Financial year"
	// an isolated valid year between two gaps
	bars.Series[3].Points[1].Valid = false
	bars.Series[3].Points[3].Valid = false
	crowded := demoRank()
	for i := range crowded.Items {
		crowded.Items[i].Highlight = i%13 == 0
	}
	return map[string]Chart{
		"trend_bars":      bars,
		"rank_crowded":    crowded,
		"trend":           demoTrend(),
		"trend_bands":     bands,
		"small_multiples": demoSmallMultiples(),
		"rank":            demoRank(),
		"funnel":          demoFunnel(false),
		"funnel_od":       demoFunnel(true),
		"scatter":         demoScatter(),
		"slope":           demoSlope(),
	}
}

// TestDemo writes the demo charts as PNG (and SVG, PDF) to
// $CSCSTATS_CHART_DEMO_DIR for visual review. Skipped unless set.
func TestDemo(t *testing.T) {
	dir := os.Getenv("CSCSTATS_CHART_DEMO_DIR")
	if dir == "" {
		t.Skip("set CSCSTATS_CHART_DEMO_DIR to write demo charts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, c := range demoCharts() {
		for _, ext := range []string{".png", ".svg", ".pdf"} {
			if err := c.Save(filepath.Join(dir, name+ext), 0, 0); err != nil {
				t.Errorf("%s%s: %v", name, ext, err)
			}
		}
	}
}
