package report

import (
	"encoding/csv"
	"errors"
	stdhtml "html"
	"image/png"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/cscstats/cscstats/pkg/claims"
	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/report"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

func build(t *testing.T, out, council string, force bool) (string, error) {
	t.Helper()
	ios, _, stdout, _ := iostreams.Test()
	opts := &Options{Factory: &cmdutil.Factory{IOStreams: ios, DataDir: testfiles.SharedEES(t), Format: "table"},
		Out: out, Council: council, Force: force, Now: time.Now}
	err := reportRun(opts)
	return stdout.String(), err
}

// page is a parsed index.html.
type page struct {
	headings []string
	ids      map[string]bool
	figures  []*html.Node
	tables   []*html.Node
	links    []string
	title    string
}

func parse(t *testing.T, path string) page {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := html.Parse(f)
	if err != nil {
		t.Fatalf("index.html does not parse: %v", err)
	}
	p := page{ids: map[string]bool{}}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				switch a.Key {
				case "id":
					p.ids[a.Val] = true
				case "href", "src":
					p.links = append(p.links, a.Val)
				}
			}
			switch n.Data {
			case "h2":
				p.headings = append(p.headings, text(n))
			case "figure":
				p.figures = append(p.figures, n)
			case "table":
				p.tables = append(p.tables, n)
			case "title":
				p.title = text(n)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return p
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}

func has(n *html.Node, tag string) bool {
	if n.Type == html.ElementNode && n.Data == tag {
		return true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if has(c, tag) {
			return true
		}
	}
	return false
}

// checkPage checks headings, charts, tables and that every link resolves.
// isSourceLink reports whether link is one of the source publications
// linked at the foot of every page.
func isSourceLink(link string) bool {
	for _, s := range report.Sources {
		if link == s.URL {
			return true
		}
	}
	return false
}

func checkPage(t *testing.T, dir string, wantHeadings []string) page {
	t.Helper()
	p := parse(t, filepath.Join(dir, "index.html"))
	for _, h := range wantHeadings {
		found := false
		for _, got := range p.headings {
			if got == h {
				found = true
			}
		}
		if !found {
			t.Errorf("missing section heading %q (have %q)", h, p.headings)
		}
	}
	charts, _ := filepath.Glob(filepath.Join(dir, "charts", "*.svg"))
	if len(p.figures) == 0 || len(p.figures) != len(charts) {
		t.Errorf("%d figures in the page, %d SVG files in charts/", len(p.figures), len(charts))
	}
	for _, f := range p.figures {
		if !has(f, "svg") {
			t.Errorf("a figure has no inline SVG chart")
		}
	}
	if len(p.tables) == 0 {
		t.Error("no tables")
	}
	for _, link := range p.links {
		u, err := url.Parse(link)
		if err == nil && isSourceLink(link) {
			continue // a link (not a resource) to a publication the data come from
		}
		if err != nil || u.Scheme != "" || u.Host != "" {
			t.Errorf("link %q is not a relative link inside the report", link)
			continue
		}
		if u.Path == "" {
			if !p.ids[u.Fragment] {
				t.Errorf("broken anchor %q", link)
			}
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(u.Path))); err != nil {
			t.Errorf("broken link %q", link)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "report.md")); err != nil {
		t.Error("missing report.md")
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "charts", "*.png"))
	if len(pngs) != len(charts) {
		t.Errorf("%d PNG and %d SVG charts: every chart needs both", len(pngs), len(charts))
	}
	return p
}

func TestReportEndToEnd(t *testing.T) {
	out := filepath.Join(t.TempDir(), "the-way-forward")
	stdout, err := build(t, out, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "index.html") {
		t.Errorf("stdout should name the page, got %q", stdout)
	}
	p := checkPage(t, out, []string{"The claims, checked", "National trends since 2013", "Leeds against England",
		"Differences between councils: babies entering care and adoptions", "Adoption and child protection: do they move together?", "Methods and sources"})
	if !strings.Contains(p.title, "The Way Forward") {
		t.Errorf("title %q", p.title)
	}
	// Issue 14: the 24% claim is shown as ambiguous with its four readings
	// and every verdict is explained on the page.
	html, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := stdhtml.UnescapeString(string(html))
	for _, want := range []string{"Between 2014 and 2017 child protection plans rose 24%", "ambiguous",
		"plans at 31 March, 2014 to 2017: +5.8% (differs)", "plans started in the year, 2014 to 2017: +11.1% (differs)",
		"plans started in the year, 2013 to 2017: +26.1% (differs)", "plans at 31 March, 2013 to 2018: +24.7% (close)",
		"Not checkable: the data cannot answer it yet", "Different design: the claim comes from a study"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Every chart kind the report promises: national and Leeds trends, a
	// funnel each for under-1 starts and adoptions, the correlation scatter.
	for _, want := range []string{"national_trends.svg", "leeds_trends.svg", "funnel_under1_starts_2022.svg", "funnel_adoptions_2024.svg"} {
		if _, err := os.Stat(filepath.Join(out, "charts", want)); err != nil {
			t.Errorf("missing chart %s", want)
		}
	}
	scatter, _ := filepath.Glob(filepath.Join(out, "charts", "scatter_*.svg"))
	if len(scatter) != 1 {
		t.Errorf("want one scatter chart, got %v", scatter)
	}

	// claims.csv: a row per claim, computed values equal to the rates code's.
	f, _ := claims.Load()
	recs := readCSV(t, filepath.Join(out, "claims.csv"))
	head := index(recs[0])
	if len(recs)-1 < len(f.Claims) {
		t.Fatalf("claims.csv has %d rows, want at least one per claim (%d)", len(recs)-1, len(f.Claims))
	}
	calc, err := rates.Load(testfiles.SharedEES(t))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string][]string{}
	for _, r := range recs[1:] {
		if r[head["row"]] == "own years" { // a claim's "and since" row follows it
			byID[r[head["id"]]] = r
		}
	}
	for _, c := range f.Claims {
		row, ok := byID[c.ID]
		if !ok {
			t.Errorf("claim %s missing from claims.csv", c.ID)
			continue
		}
		if c.Kind != claims.KindRate {
			continue
		}
		area := rates.England()
		if c.Area != "England" {
			a, err := calc.Registry.Lookup(c.Area)
			if err != nil {
				t.Fatal(err)
			}
			area = rates.LAArea(a)
		}
		want := calc.Get(c.Measure, area, c.Year).Value
		got, err := strconv.ParseFloat(row[head["computed"]], 64)
		if err != nil || math.Abs(got-want) > 1e-9 {
			t.Errorf("claim %s: claims.csv computed %q, rates code %v", c.ID, row[head["computed"]], want)
		}
	}
	// The Leeds footnote figures, by hand from the CSV rows:
	// c4 2013 Leeds ICPC 1513, ONS Leeds 0-17 mid-2012 156568.
	if got, _ := strconv.ParseFloat(byID["leeds-icpc-2013"][head["computed"]], 64); math.Abs(got-1513.0/156568*1e4) > 1e-9 {
		t.Errorf("leeds-icpc-2013 computed %v, want %v", got, 1513.0/156568*1e4)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func index(head []string) map[string]int {
	m := map[string]int{}
	for i, h := range head {
		m[h] = i
	}
	return m
}

func TestCouncilReport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "leeds")
	if _, err := build(t, out, "leeds", false); err != nil {
		t.Fatal(err)
	}
	p := checkPage(t, out, []string{"Key findings", "At a glance", "Trends", "Statistical neighbours", "All the figures", "Methods and sources", "Where the data come from"})
	if !strings.Contains(p.title, "Leeds") {
		t.Errorf("title %q", p.title)
	}
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	// Leeds's first statistical neighbour in sn_model_2025_wide.csv (row 383) is Portsmouth.
	if !strings.Contains(string(md), "Portsmouth") {
		t.Error("the council profile should list its statistical neighbours")
	}
}

func TestReportRefusesForeignFolder(t *testing.T) {
	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := build(t, out, "", false)
	if !errors.Is(err, report.ErrNotOurs) {
		t.Fatalf("want a refusal, got %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "notes.txt")); string(b) != "mine" {
		t.Error("the user's file was touched")
	}
}

// chromium finds a Chromium binary; outside CI the browser test skips
// without one, in CI it must be there (.ci/run installs Debian's).
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("CI: no chromium found; .ci/run should have installed Debian's chromium package")
	}
	t.Skip("no chromium on PATH: install Debian's chromium package to run the real-browser test")
	return ""
}

func TestReportInRealBrowser(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "report")
	if _, err := build(t, out, "", false); err != nil {
		t.Fatal(err)
	}
	pageURL := "file://" + filepath.Join(out, "index.html")
	flags := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--user-data-dir=" + filepath.Join(dir, "profile")}
	dom, err := exec.Command(bin, append(flags, "--dump-dom", pageURL)...).Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v", err)
	}
	d := string(dom)
	if !strings.Contains(d, "<title>Children's social care in England: checking “The Way Forward”") {
		t.Errorf("rendered DOM lacks the title")
	}
	if n := strings.Count(d, "<svg"); n < 5 {
		t.Errorf("rendered DOM has %d inline SVG charts, want at least 5", n)
	}
	shot := filepath.Join(dir, "shot.png")
	cmd := exec.Command(bin, append(flags, "--window-size=1280,2000", "--screenshot="+shot, pageURL)...)
	if outb, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium --screenshot: %v\n%s", err, outb)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	// Non-blank: many distinct colours (text, lines, chart colours).
	colours := map[uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[r>>8<<16|g>>8<<8|bl>>8] = true
		}
	}
	if b.Dx() != 1280 || len(colours) < 20 {
		t.Errorf("screenshot %dx%d with %d colours: looks blank", b.Dx(), b.Dy(), len(colours))
	}
}

// TestStemFallsBackToCode: an authority whose name has no ASCII letters
// or digits gets its own folder named by its code, never reports/ itself.
func TestStemFallsBackToCode(t *testing.T) {
	for _, c := range []struct{ name, code, want string }{
		{"Leeds", "E08000035", "leeds"},
		{"Bristol, City of", "E06000023", "bristol_city_of"},
		{"Ynys Môn", "W06000001", "ynys_m_n"},
		{"Καλαμάτα", "E06000099", "e06000099"},
		{"***", "E06000098", "e06000098"},
		{"<>", "", "area"},
	} {
		if got := stem(c.name, c.code); got != c.want {
			t.Errorf("stem(%q, %q) = %q, want %q", c.name, c.code, got, c.want)
		}
	}
}
