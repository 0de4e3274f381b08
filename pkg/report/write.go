package report

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/cscstats/cscstats/pkg/export"
)

// Marker is the file that marks a folder as written by cscstats, so that it
// may be replaced without --force.
const Marker = ".cscstats-report"

// ErrNotOurs is returned when the output folder has files cscstats did not
// write and overwriting was not forced.
var ErrNotOurs = errors.New("output folder is not empty and was not made by cscstats")

// Write builds the report folder at out. It writes everything into a
// temporary sibling folder and renames it into place at the end. A
// non-empty out that lacks the marker is refused unless force is set.
// progress, if not nil, is told each step.
func Write(doc Document, out string, force bool, progress func(step string)) error {
	if progress == nil {
		progress = func(string) {}
	}
	if err := checkTarget(out, force); err != nil {
		return err
	}
	parent := filepath.Dir(filepath.Clean(out))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	for _, d := range []string{"charts", "data"} {
		if err := os.Mkdir(filepath.Join(tmp, d), 0o755); err != nil {
			return err
		}
	}
	for _, s := range doc.Sections {
		for _, b := range s.Blocks {
			switch {
			case b.Chart != nil:
				progress("chart " + b.Chart.Name)
				if err := os.WriteFile(filepath.Join(tmp, "charts", b.Chart.Name+".svg"), b.Chart.SVG, 0o644); err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(tmp, "charts", b.Chart.Name+".png"), b.Chart.PNG, 0o644); err != nil {
					return err
				}
				if err := writeCSV(filepath.Join(tmp, "data", b.Chart.Name+".csv"), b.Chart.Data); err != nil {
					return err
				}
			case b.Table != nil:
				if err := writeCSV(filepath.Join(tmp, "data", b.Table.Name+".csv"), b.Table.Data); err != nil {
					return err
				}
			}
		}
	}
	if doc.Claims != nil {
		if err := writeCSV(filepath.Join(tmp, "claims.csv"), *doc.Claims); err != nil {
			return err
		}
	}
	progress("index.html")
	var page bytes.Buffer
	if err := renderHTML(&page, doc); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "index.html"), page.Bytes(), 0o644); err != nil {
		return err
	}
	progress("report.md")
	var md bytes.Buffer
	if err := renderMarkdown(&md, doc); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "report.md"), md.Bytes(), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, Marker), []byte("Written by cscstats report; safe to replace.\n"), 0o644); err != nil {
		return err
	}
	if err := replace(tmp, out); err != nil {
		return err
	}
	ok = true
	return nil
}

// checkTarget refuses a non-empty folder that cscstats did not write.
func checkTarget(out string, force bool) error {
	entries, err := os.ReadDir(out)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) == 0 || force {
		return nil
	}
	if _, err := os.Stat(filepath.Join(out, Marker)); err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w; choose another --out or add --force to replace it", out, ErrNotOurs)
}

// replace moves the finished folder into place, keeping the old one until
// the new one is there.
func replace(tmp, out string) error {
	old := ""
	if _, err := os.Stat(out); err == nil {
		old = tmp + ".old"
		if err := os.Rename(out, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		if old != "" {
			_ = os.Rename(old, out)
		}
		return err
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

func writeCSV(path string, s export.Section) error {
	var b bytes.Buffer
	if err := export.Write(&b, nil, "csv", export.Document{Sections: []export.Section{s}}); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// svgProlog matches the XML declaration and doctype that must not appear
// inside an HTML page.
var svgProlog = regexp.MustCompile(`(?s)^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?`)

// InlineSVG prepares a standalone SVG document for inlining in HTML: the
// prolog goes, and the root element gets a class, role and title so that
// screen readers and CSS can address it.
func InlineSVG(svg []byte, title string) template.HTML {
	s := svgProlog.ReplaceAllString(string(svg), "")
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[:i] + `<svg class="chart" role="img" aria-label="` + template.HTMLEscapeString(title) + `"` + s[i+4:]
	}
	return template.HTML(s)
}

func renderMarkdown(w io.Writer, doc Document) error {
	fmt.Fprintf(w, "# %s\n\n", doc.Title)
	if doc.Subtitle != "" {
		fmt.Fprintf(w, "_%s_\n\n", doc.Subtitle)
	}
	for _, h := range doc.Headlines {
		fmt.Fprintf(w, "- **%s**\n", h)
	}
	if len(doc.Headlines) > 0 {
		fmt.Fprintln(w)
	}
	for _, p := range doc.Intro {
		fmt.Fprintf(w, "%s\n\n", p)
	}
	for _, s := range doc.Sections {
		fmt.Fprintf(w, "## %s\n\n", s.Heading)
		for _, b := range s.Blocks {
			switch {
			case b.Paragraph != "":
				fmt.Fprintf(w, "%s\n\n", b.Paragraph)
			case len(b.List) > 0:
				for _, item := range b.List {
					fmt.Fprintf(w, "- %s\n", item)
				}
				fmt.Fprintln(w)
			case b.Table != nil:
				if b.Table.Caption != "" {
					fmt.Fprintf(w, "**%s** ([data](data/%s.csv))\n\n", b.Table.Caption, b.Table.Name)
				}
				if err := export.Write(w, nil, "markdown", export.Document{Sections: []export.Section{b.Table.Data}, Notes: b.Table.Notes}); err != nil {
					return err
				}
				fmt.Fprintln(w)
			case b.Chart != nil:
				fmt.Fprintf(w, "![%s](charts/%s.svg)\n\n_%s_ ([PNG](charts/%s.png), [data](data/%s.csv))\n\n", b.Chart.Caption, b.Chart.Name, b.Chart.Caption, b.Chart.Name, b.Chart.Name)
			}
		}
	}
	fmt.Fprintf(w, "## Where the data come from\n\n")
	for _, s := range Sources {
		fmt.Fprintf(w, "- %s: <%s>\n", s.Title, s.URL)
	}
	fmt.Fprintln(w)
	return nil
}
