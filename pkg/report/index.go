package report

import (
	"bytes"
	"html/template"
	"sort"
	"sync"
)

// IndexEntry is one council on the index of council profiles.
type IndexEntry struct {
	Name     string
	Region   string
	Href     string // the profile's index.html, relative to the index
	Headline string // the profile's strongest key finding
	Summary  string // the tally of funnel verdicts, when Headline is another finding
}

// IndexPage is the page that lists every council profile.
type IndexPage struct {
	Title   string
	Intro   []string
	Entries []IndexEntry
}

// regionGroup is one region's councils, for the template.
type regionGroup struct {
	Region  string
	ID      string
	Entries []IndexEntry
}

// Groups returns the entries grouped by region (regions and councils in
// alphabetical order; councils without a region last, under "Other").
func (p IndexPage) Groups() []regionGroup {
	byRegion := map[string][]IndexEntry{}
	for _, e := range p.Entries {
		r := e.Region
		if r == "" {
			r = "Other"
		}
		byRegion[r] = append(byRegion[r], e)
	}
	var out []regionGroup
	for r, es := range byRegion {
		sort.SliceStable(es, func(i, j int) bool { return es[i].Name < es[j].Name })
		out = append(out, regionGroup{Region: r, ID: "region-" + Slug(r, '-'), Entries: es})
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Region == "Other") != (out[j].Region == "Other") {
			return out[j].Region == "Other"
		}
		return out[i].Region < out[j].Region
	})
	return out
}

// Slug makes a file or anchor name of s: ASCII letters (lower-cased) and
// digits, every other run of characters one sep, none at the ends. It can
// be empty (a name with no ASCII letters or digits).
func Slug(s string, sep rune) string {
	var b []rune
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b = append(b, r)
		case r >= 'A' && r <= 'Z':
			b = append(b, r+'a'-'A')
		default:
			if len(b) > 0 && b[len(b)-1] != sep {
				b = append(b, sep)
			}
		}
	}
	for len(b) > 0 && b[len(b)-1] == sep {
		b = b[:len(b)-1]
	}
	return string(b)
}

var indexPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; line-height: 1.5; color: #1b1b1b; max-width: 60rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.9rem; line-height: 1.2; }
h2 { font-size: 1.35rem; margin-top: 2rem; border-bottom: 2px solid #1b1b1b; padding-bottom: .2rem; }
nav ul { columns: 3 12rem; padding-left: 1.25rem; }
ul.councils { list-style: none; padding: 0; }
ul.councils li { margin: .6rem 0; }
ul.councils a { font-weight: bold; font-size: 1.05rem; }
ul.councils p { margin: .1rem 0 0; color: #333; }
ul.councils p.summary { font-size: .85rem; color: #505a5f; }
@media print { nav { display: none; } }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{range .Intro}}<p>{{.}}</p>
{{end}}
<nav aria-label="Regions"><h2>Regions</h2><ul>
{{range .Groups}}<li><a href="#{{.ID}}">{{.Region}}</a> ({{len .Entries}})</li>
{{end}}</ul></nav>
<main>
{{range .Groups}}<section id="{{.ID}}">
<h2>{{.Region}}</h2>
<ul class="councils">
{{range .Entries}}<li><a href="{{.Href}}">{{.Name}}</a><p>{{.Headline}}</p>{{with .Summary}}<p class="summary">{{.}}</p>{{end}}</li>
{{end}}</ul>
</section>
{{end}}</main>
</body>
</html>
`))
})

// RenderIndex writes the index page's HTML.
func RenderIndex(p IndexPage) ([]byte, error) {
	var b bytes.Buffer
	if err := indexPage().Execute(&b, p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WriteSet builds a folder of reports at out: fill writes everything into
// a temporary folder beside out (each report with Write, into a
// subfolder), marked as cscstats's and locked while it is built; then the
// marker lists every file written and the folder is renamed into place,
// so a failure or an interrupt leaves nothing half-built (a dead build is
// removed by the next run). An existing out is replaced on the same terms
// as Write's (see CheckTarget): never a folder cscstats did not make, nor
// a protected one.
func WriteSet(out string, opt WriteOptions, fill func(dir string) error) error {
	return buildFolder(out, opt, func(tmp string) ([]string, error) {
		if err := fill(tmp); err != nil {
			return nil, err
		}
		return listTree(tmp)
	})
}
