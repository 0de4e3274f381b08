package report

import (
	"html/template"
	"io"
	"sync"

	"github.com/cscstats/cscstats/pkg/measures"
)

// page is the report's HTML: one self-contained file, no scripts, no
// external resources, readable on a phone and printable. It is parsed
// when a page is first written, not when the program starts: every
// command would otherwise pay for it.
var page = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Funcs(template.FuncMap{
		"inline":  InlineSVG,
		"sources": func() []SourceLink { return Sources },
		"shown":   func(t *Table, row, col int) string { return t.Data.Shown(row, col) },
		"numeric": func(t *Table, col int) bool { return t.Data.IsNumeric(col) },
	}).Parse(`<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; line-height: 1.5; color: #1b1b1b; max-width: 60rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.9rem; line-height: 1.2; margin-bottom: .25rem; }
h2 { font-size: 1.35rem; margin-top: 2.5rem; border-bottom: 2px solid #1b1b1b; padding-bottom: .2rem; }
.subtitle { color: #505a5f; margin-top: 0; }
nav ol { padding-left: 1.25rem; }
figure { margin: 1.5rem 0; }
svg.chart { width: 100%; height: auto; max-width: 100%; display: block; }
figcaption { font-size: .9rem; color: #505a5f; }
.table-wrap { overflow-x: auto; margin: 1rem 0; }
table { border-collapse: collapse; font-size: .85rem; }
caption { text-align: left; font-weight: bold; padding-bottom: .4rem; }
th, td { border-bottom: 1px solid #b1b4b6; padding: .25rem .5rem; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.notes { font-size: .85rem; color: #505a5f; }
.verdict-reproduced { color: #00703c; font-weight: bold; }
.verdict-close { color: #8a5a00; font-weight: bold; }
.verdict-differs { color: #b10e1e; font-weight: bold; }
a.data { font-size: .85rem; }
.headlines { background: #f3f2f1; border-left: 6px solid #1d70b8; padding: .5rem 1.25rem .75rem; margin: 1.5rem 0; }
.headlines h2 { margin-top: .5rem; border: 0; font-size: 1.2rem; }
.headlines li { margin: .4rem 0; font-size: 1.05rem; }
.up { margin: 0; font-size: .9rem; }
footer.sources { font-size: .85rem; color: #505a5f; margin-top: 3rem; }
footer.sources h2 { font-size: 1.1rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav, a.data { display: none; }
  h2 { break-after: avoid; }
  figure, table { break-inside: avoid; }
}
</style>
</head>
<body>
<header>
{{with .Up}}<p class="up"><a href="{{.}}">All councils</a></p>{{end}}
<h1>{{.Title}}</h1>
{{with .Subtitle}}<p class="subtitle">{{.}}</p>{{end}}
</header>
{{with .Headlines}}<section class="headlines" aria-label="Key findings"><h2>Key findings</h2><ul>{{range .}}<li>{{.}}</li>{{end}}</ul></section>
{{end}}
{{range .Intro}}<p>{{.}}</p>
{{end}}
<nav aria-label="Contents"><h2 id="contents">Contents</h2><ol>
{{range .Sections}}<li><a href="#{{.ID}}">{{.Heading}}</a></li>
{{end}}</ol></nav>
<main>
{{range .Sections}}<section id="{{.ID}}">
<h2>{{.Heading}}</h2>
{{range .Blocks}}{{if .Paragraph}}<p>{{.Paragraph}}</p>
{{else if .List}}<ul>{{range .List}}<li>{{.}}</li>{{end}}</ul>
{{else if .Table}}{{$t := .Table}}<div class="table-wrap"><table id="table-{{$t.Name}}">
{{with $t.Caption}}<caption>{{.}}</caption>{{end}}
<thead><tr>{{range $j, $c := $t.Data.Columns}}<th scope="col"{{if numeric $t $j}} class="num"{{end}}>{{$c.Name}}</th>{{end}}</tr></thead>
<tbody>{{range $i, $row := $t.Data.Rows}}<tr>{{range $j, $c := $row}}<td{{if numeric $t $j}} class="num"{{end}}{{if eq (index $t.Data.Columns $j).Name "verdict"}} class="verdict-{{shown $t $i $j}}"{{end}}>{{shown $t $i $j}}</td>{{end}}</tr>
{{end}}</tbody></table></div>
{{if $t.Notes}}<ul class="notes">{{range $t.Notes}}<li>{{.}}</li>{{end}}</ul>{{end}}
<p><a class="data" href="data/{{$t.Name}}.csv">Data for this table (CSV)</a></p>
{{else if .Chart}}<figure id="chart-{{.Chart.Name}}">
{{inline .Chart.SVG .Chart.Caption}}
<figcaption>{{.Chart.Caption}} <a class="data" href="charts/{{.Chart.Name}}.png">PNG</a> · <a class="data" href="charts/{{.Chart.Name}}.svg">SVG</a> · <a class="data" href="data/{{.Chart.Name}}.csv">data (CSV)</a></figcaption>
</figure>
{{end}}{{end}}</section>
{{end}}</main>
<footer class="sources"><h2 id="sources">Where the data come from</h2><ul>
{{range sources}}<li>{{.Title}}: <a href="{{.URL}}">{{.URL}}</a></li>
{{end}}</ul><p>Open Government Licence v3.0. Built by cscstats.</p></footer>
</body>
</html>
`))
})

func renderHTML(w io.Writer, doc Document) error { return page().Execute(w, doc) }

// SourceLink is a publication a page's figures come from.
type SourceLink struct{ Title, URL string }

// Sources are the publications every cscstats page draws on, linked at
// the foot of each page (HTML and Markdown).
var Sources = []SourceLink{
	{"DfE, Children in need (formerly Characteristics of children in need)", publicationURLs[measures.PubCIN]},
	{"DfE, Children looked after in England including adoptions", publicationURLs[measures.PubCLA]},
	{"ONS, mid-year population estimates", publicationURLs[measures.PubONS]},
}
