package report

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/cscstats/cscstats/pkg/export"
	"github.com/cscstats/cscstats/pkg/safefile"
	"github.com/cscstats/cscstats/pkg/safetext"
)

// Marker is the file that marks a folder as written by cscstats. It lists
// every file cscstats wrote there, one per line after its first line, so
// that a later run can tell whether anything else was added.
const Marker = ".cscstats-report"

// markerHeader is the marker's first line.
const markerHeader = "Written by cscstats report; safe to replace. Files written:"

// tmpInfix names the temporary folder a report is built in, beside out:
// ".<base>.tmp-<random>". Finished reports replace out by rename.
const tmpInfix = ".tmp-"

// ErrNotOurs is returned when the output folder holds files cscstats did
// not write.
var ErrNotOurs = errors.New("output folder holds files cscstats did not write")

// ErrProtected is returned for an output folder cscstats never replaces:
// the file system root, the home folder, the current folder, the data
// directory, or a folder that contains one of them.
var ErrProtected = errors.New("cscstats never replaces this folder")

// WriteOptions say how Write may treat an existing output folder.
type WriteOptions struct {
	// Force lets Write replace a folder cscstats made to which files were
	// added afterwards (they are deleted). It never lets it replace a folder
	// cscstats did not make, nor a protected one.
	Force bool
	// Protect lists folders that must survive: the data directory. The
	// root, the home folder and the current folder are always protected, and
	// so is any folder that contains a protected one.
	Protect []string
	// Progress, if not nil, is told each step.
	Progress func(step string)
}

// Write builds the report folder at out. Everything is written into a
// temporary sibling folder (".<out>.tmp-*", marked as cscstats's while it
// is built) that is renamed into place at the end, so an interrupted run
// leaves no half-built report; such leftovers are removed by the next run.
//
// An existing out is replaced only when it is empty or cscstats made it (it
// has the Marker) and holds nothing but what the marker lists; with Force,
// files added to a folder cscstats made are deleted too. Any other folder
// is refused with ErrNotOurs or ErrProtected, saying what replacing it
// would delete. Files are 0644 and folders 0755, less the umask.
//
// index.html and the SVG charts show bidi overrides and other invisible
// characters from the data as visible escapes (safetext.ShowInvisible);
// report.md escapes them itself.
func Write(doc Document, out string, opt WriteOptions) error {
	progress := opt.Progress
	if progress == nil {
		progress = func(string) {}
	}
	if err := validNames(doc); err != nil {
		return err
	}
	return buildFolder(out, opt, func(tmp string) ([]string, error) { return writeReport(tmp, doc, progress) })
}

// buildFolder is how Write and WriteSet make a folder: check out may be
// replaced (CheckTarget), build in a temporary sibling folder marked as
// cscstats's and locked while fill writes into it (a dead build is removed
// by the next run), list in the marker every file fill wrote, make the
// files 0644 and folders 0755 less the umask, and rename into place.
func buildFolder(out string, opt WriteOptions, fill func(tmp string) ([]string, error)) error {
	if err := CheckTarget(out, opt); err != nil {
		return err
	}
	parent := filepath.Dir(filepath.Clean(out))
	if err := os.MkdirAll(parent, safefile.Dir); err != nil {
		return err
	}
	removeStaleBuilds(parent, filepath.Base(filepath.Clean(out)))
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(filepath.Clean(out))+tmpInfix)
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	// The marker goes first and stays locked while the folder is built, so
	// a later run can tell a dead build (remove it) from a live one.
	markerPath := filepath.Join(tmp, Marker)
	if err := os.WriteFile(markerPath, []byte(markerHeader+"\n"), safefile.File); err != nil {
		return err
	}
	lock, err := safefile.LockFile(markerPath)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	written, err := fill(tmp)
	if err != nil {
		return err
	}
	if err := os.WriteFile(markerPath, []byte(markerHeader+"\n"+strings.Join(written, "\n")+"\n"), safefile.File); err != nil {
		return err
	}
	if err := safefile.Publish(tmp); err != nil {
		return err
	}
	if err := replace(tmp, out); err != nil {
		return err
	}
	ok = true
	return nil
}

// writeReport writes one report's files into dir and lists them.
func writeReport(tmp string, doc Document, progress func(string)) ([]string, error) {
	var written []string
	write := func(rel string, data []byte) error {
		written = append(written, rel)
		return os.WriteFile(filepath.Join(tmp, filepath.FromSlash(rel)), data, safefile.File)
	}
	writeCSV := func(rel string, s export.Section) error {
		var b bytes.Buffer
		if err := export.Write(&b, nil, "csv", export.Document{Sections: []export.Section{s}}); err != nil {
			return err
		}
		return write(rel, b.Bytes())
	}
	// index.html and report.md only read doc: they are rendered while
	// the charts and data are written.
	type rendered struct {
		b   []byte
		err error
	}
	page, md := make(chan rendered, 1), make(chan rendered, 1)
	go func() {
		var b bytes.Buffer
		if err := renderHTML(&b, doc); err != nil {
			page <- rendered{err: err}
			return
		}
		page <- rendered{b: safetext.ShowInvisible(b.Bytes())}
	}()
	go func() {
		var b bytes.Buffer
		err := renderMarkdown(&b, doc)
		md <- rendered{b.Bytes(), err}
	}()
	for _, d := range []string{"charts", "data"} {
		if err := os.Mkdir(filepath.Join(tmp, d), safefile.Dir); err != nil {
			return nil, err
		}
	}
	for _, s := range doc.Sections {
		for _, b := range s.Blocks {
			switch {
			case b.Chart != nil:
				progress("chart " + b.Chart.Name)
				if err := write("charts/"+b.Chart.Name+".svg", safetext.ShowInvisible(b.Chart.SVG)); err != nil {
					return nil, err
				}
				if err := write("charts/"+b.Chart.Name+".png", b.Chart.PNG); err != nil {
					return nil, err
				}
				if err := writeCSV("data/"+b.Chart.Name+".csv", b.Chart.Data); err != nil {
					return nil, err
				}
			case b.Table != nil:
				if err := writeCSV("data/"+b.Table.Name+".csv", b.Table.Data); err != nil {
					return nil, err
				}
			}
		}
	}
	if doc.Claims != nil {
		if err := writeCSV("claims.csv", *doc.Claims); err != nil {
			return nil, err
		}
	}
	progress("index.html")
	p := <-page
	if p.err != nil {
		return nil, p.err
	}
	if err := write("index.html", p.b); err != nil {
		return nil, err
	}
	progress("report.md")
	m := <-md
	if m.err != nil {
		return nil, m.err
	}
	if err := write("report.md", m.b); err != nil {
		return nil, err
	}
	return written, nil
}

// validNames refuses chart and table names that are not plain file stems:
// they become file names under charts/ and data/.
func validNames(doc Document) error {
	check := func(kind, name string) error {
		if name == "" || strings.ContainsAny(name, "/\\\x00") || strings.HasPrefix(name, ".") || !filepath.IsLocal(name) {
			return fmt.Errorf("report: %s name %q is not a plain file name", kind, name)
		}
		return nil
	}
	for _, s := range doc.Sections {
		for _, b := range s.Blocks {
			if b.Chart != nil {
				if err := check("chart", b.Chart.Name); err != nil {
					return err
				}
			}
			if b.Table != nil {
				if err := check("table", b.Table.Name); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// CheckTarget decides whether Write may replace out (see Write), so that
// a command can refuse before it does the work. Write checks again.
func CheckTarget(out string, opt WriteOptions) error {
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	for _, p := range protectedDirs(opt.Protect) {
		if abs == p.path || within(p.path, abs) {
			what := p.what
			if abs != p.path {
				what = "a folder that contains " + p.what + " (" + p.path + ")"
			}
			return fmt.Errorf("%s is %s: %w; replacing it would delete everything in it. Choose a new or empty folder with --out", out, what, ErrProtected)
		}
	}
	st, err := os.Lstat(out)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if st.Mode()&os.ModeSymlink != 0 {
		return fmt.Errorf("%s is a symbolic link: give the folder it points to, or a new folder, with --out", out)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s exists and is not a folder; choose another --out", out)
	}
	all, err := listTree(out)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		return nil
	}
	ours, hasMarker := readMarker(out)
	if !hasMarker {
		return fmt.Errorf("%s: %w (it has no %s marker); --force would delete %s, so cscstats will not replace it even with --force. Choose a new or empty folder with --out",
			out, ErrNotOurs, Marker, describe(all))
	}
	var extra []string
	for _, f := range all {
		if !ours(f) {
			extra = append(extra, f)
		}
	}
	if len(extra) == 0 || opt.Force {
		return nil
	}
	return fmt.Errorf("%s is a report cscstats made, but %w: --force would delete %s. Move them out, or add --force to delete them",
		out, ErrNotOurs, describe(extra))
}

type protected struct{ path, what string }

// protectedDirs are the folders checkTarget never replaces, made absolute
// with symlinks resolved.
func protectedDirs(extra []string) []protected {
	var out []protected
	add := func(p, what string) {
		if p == "" {
			return
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return
		}
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			abs = real
		}
		out = append(out, protected{abs, what})
	}
	add(string(filepath.Separator), "the root folder")
	if h, err := os.UserHomeDir(); err == nil {
		add(h, "your home folder")
	}
	if wd, err := os.Getwd(); err == nil {
		add(wd, "the current folder")
	}
	for _, p := range extra {
		add(p, "the data directory")
	}
	return out
}

// within reports whether path is inside dir (not equal to it).
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != "." && filepath.IsLocal(rel)
}

// listTree lists the files below dir ('/'-separated, relative), with
// folders as "name/" when empty, not counting the marker.
func listTree(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		rel := filepath.ToSlash(mustRel(dir, p))
		if rel == Marker {
			return nil
		}
		if d.IsDir() {
			if ents, _ := os.ReadDir(p); len(ents) == 0 {
				out = append(out, rel+"/")
			}
			return nil
		}
		out = append(out, rel)
		return nil
	})
	return out, err
}

func mustRel(base, p string) string {
	r, err := filepath.Rel(base, p)
	if err != nil {
		return p
	}
	return r
}

// readMarker reads the set of files cscstats wrote in dir (empty charts/
// and data/ folders count as its own). A marker written before markers
// listed their files (one line) makes every file a report has its own:
// index.html, report.md, claims.csv and what is directly in charts/ and
// data/.
func readMarker(dir string) (ours func(string) bool, ok bool) {
	b, err := os.ReadFile(filepath.Join(dir, Marker))
	if err != nil {
		return nil, false
	}
	listed := map[string]bool{"charts/": true, "data/": true}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for _, l := range lines[1:] {
		listed[strings.TrimSpace(l)] = true
	}
	if len(lines) > 1 {
		return func(f string) bool { return listed[f] }, true
	}
	return func(f string) bool {
		switch f {
		case "index.html", "report.md", "claims.csv", "charts/", "data/":
			return true
		}
		d, base := path.Split(f)
		return (d == "charts/" || d == "data/") && base != ""
	}, true
}

// describe says what a list of files is, for a refusal: how many, and the
// first few names.
func describe(files []string) string {
	const show = 5
	var b strings.Builder
	fmt.Fprintf(&b, "%d file(s) that cscstats did not write: ", len(files))
	for i, f := range files {
		if i == show {
			fmt.Fprintf(&b, ", and %d more", len(files)-show)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(f))
	}
	return b.String()
}

// removeStaleBuilds removes temporary report folders for base in parent
// left by a run that was interrupted: those marked as cscstats's whose
// builder no longer holds the marker's lock.
func removeStaleBuilds(parent, base string) {
	ents, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	prefix := "." + base + tmpInfix
	for _, e := range ents {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		dir := filepath.Join(parent, e.Name())
		l, ok, err := safefile.TryLockFile(filepath.Join(dir, Marker))
		if err != nil || !ok {
			continue // not ours, or still being built by another run
		}
		os.RemoveAll(dir)
		l.Unlock()
	}
}

// replace moves the finished folder into place, keeping the old one until
// the new one is there.
func replace(tmp, out string) error {
	old := ""
	if _, err := os.Lstat(out); err == nil {
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

// renderMarkdown writes report.md. Every piece of text is escaped by
// safetext.Markdown, since names and file names in it come from data
// files; link targets are percent-encoded.
func renderMarkdown(w io.Writer, doc Document) error {
	esc := safetext.Markdown
	fmt.Fprintf(w, "# %s\n\n", esc(doc.Title))
	if doc.Subtitle != "" {
		fmt.Fprintf(w, "_%s_\n\n", esc(doc.Subtitle))
	}
	for _, h := range doc.Headlines {
		fmt.Fprintf(w, "- **%s**\n", esc(h))
	}
	if len(doc.Headlines) > 0 {
		fmt.Fprintln(w)
	}
	for _, p := range doc.Intro {
		fmt.Fprintf(w, "%s\n\n", esc(p))
	}
	for _, s := range doc.Sections {
		fmt.Fprintf(w, "## %s\n\n", esc(s.Heading))
		for _, b := range s.Blocks {
			switch {
			case b.Paragraph != "":
				fmt.Fprintf(w, "%s\n\n", esc(b.Paragraph))
			case len(b.List) > 0:
				for _, item := range b.List {
					fmt.Fprintf(w, "- %s\n", esc(item))
				}
				fmt.Fprintln(w)
			case b.Table != nil:
				if b.Table.Caption != "" {
					fmt.Fprintf(w, "**%s** ([data](%s))\n\n", esc(b.Table.Caption), safetext.MarkdownLink("data/"+b.Table.Name+".csv"))
				}
				if err := export.Write(w, nil, "markdown", export.Document{Sections: []export.Section{b.Table.Data}, Notes: b.Table.Notes}); err != nil {
					return err
				}
				fmt.Fprintln(w)
			case b.Chart != nil:
				base := "charts/" + b.Chart.Name
				fmt.Fprintf(w, "![%s](%s)\n\n_%s_ ([PNG](%s), [data](%s))\n\n", esc(b.Chart.Caption), safetext.MarkdownLink(base+".svg"),
					esc(b.Chart.Caption), safetext.MarkdownLink(base+".png"), safetext.MarkdownLink("data/"+b.Chart.Name+".csv"))
			}
		}
	}
	fmt.Fprintf(w, "## Where the data come from\n\n")
	for _, s := range Sources {
		fmt.Fprintf(w, "- %s: <%s>\n", esc(s.Title), s.URL)
	}
	fmt.Fprintln(w)
	return nil
}
