// Package sources is the `cscstats sources` command: what data is in the
// data directory, which publication and release each file came from and
// when, from DIR/manifest.json; CSV files present but not in the manifest
// are listed as "not from fetch".
package sources

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	fetchcmd "github.com/cscstats/cscstats/pkg/cmd/fetch"
	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/export"
	fetchlib "github.com/cscstats/cscstats/pkg/fetch"
	"github.com/cscstats/cscstats/pkg/measures"
)

// Options are the command's flags and dependencies.
type Options struct {
	Factory *cmdutil.Factory
	// NoHash skips re-hashing the files (status then only says present or missing).
	NoHash bool
}

// NewCmdSources wires the cobra command.
func NewCmdSources(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "sources",
		Short: "Show what data is in the data directory and which release it came from",
		Long: `List the files in the data directory (--data): for each, the publication and
release it came from (from DIR/manifest.json, written by ` + "`cscstats fetch`" + `), how it
got there (EES download, release zip, Nomis, or --from import), when, its size,
the kind of file cscstats recognises from its content, the measures and years
it gives, and whether it still matches the SHA-256 recorded when it was
fetched. CSV files in the folder that fetch did not write are listed as
"not from fetch".`,
		Example: `  cscstats sources
  cscstats sources --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return sourcesRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.NoHash, "no-hash", false, "do not re-hash the files (faster on large folders)")
	return cmd
}

type row struct {
	path, publication, release, source, fetched, status string
	bytes                                               int64
	rep                                                 *dataset.FileReport
}

func sourcesRun(opts *Options) error {
	f := opts.Factory
	dir := f.DataDir
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("data directory %s does not exist.\n%s", dir, cmdutil.NoDataAdvice)
	}
	m, err := fetchlib.LoadManifest(dir)
	if err != nil {
		return err
	}
	cat, err := fetchcmd.Sources()
	if err != nil {
		return err
	}
	var rows []row
	inManifest := map[string]bool{}
	for _, e := range m.Files {
		inManifest[e.Path] = true
		r := row{path: e.Path, publication: e.Publication, release: e.ReleaseSlug, source: e.Source, fetched: e.FetchedAt, bytes: e.Bytes}
		full := filepath.Join(dir, filepath.FromSlash(e.Path))
		if !filepath.IsLocal(filepath.FromSlash(e.Path)) {
			r.status = "unsafe path in manifest"
			rows = append(rows, r)
			continue
		}
		switch {
		case !fileExists(full):
			r.status = "missing"
		case opts.NoHash:
			r.status = "present"
		default:
			sum, n, err := fetchlib.HashFile(full)
			switch {
			case err != nil:
				r.status = "unreadable: " + err.Error()
			case sum != e.SHA256 || n != e.Bytes:
				r.status = "changed since fetch"
			default:
				r.status = "ok"
			}
		}
		if r.status != "missing" && strings.EqualFold(filepath.Ext(full), ".csv") {
			rep, _, _, err := dataset.ReadFile(full)
			if err == nil {
				r.rep = &rep
			}
		}
		rows = append(rows, r)
	}
	// CSV files that fetch did not write.
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") || !strings.EqualFold(filepath.Ext(p), ".csv") {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if inManifest[rel] {
			return nil
		}
		st, _ := os.Stat(p) // follows a symbolic link to the file it names
		r := row{path: rel, source: "not from fetch", status: "not from fetch"}
		if st != nil {
			r.bytes = st.Size()
		}
		if rep, _, _, err := dataset.ReadFile(p); err == nil {
			r.rep = &rep
			if pub := cat.PublicationForKind(rep.Kind); pub != nil {
				r.publication = pub.Slug
			}
		} else {
			r.status = "not from fetch; unreadable: " + firstLine(err.Error())
		}
		rows = append(rows, r)
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].path < rows[j].path })

	sec := export.Section{Name: "sources", Columns: []export.Column{
		{Name: "publication", Decimals: -1}, {Name: "release", Decimals: -1}, {Name: "file", Decimals: -1},
		{Name: "kind", Decimals: -1}, {Name: "measures", Decimals: -1}, {Name: "years", Decimals: -1},
		{Name: "bytes", Decimals: 0}, {Name: "source", Decimals: -1}, {Name: "fetched_at", Decimals: -1}, {Name: "status", Decimals: -1},
		{Name: "release_used", Decimals: -1}, {Name: "notes", Decimals: -1},
	}}
	var fileNotes []string
	have := map[string]bool{}
	changed := 0
	for _, r := range rows {
		kind, ms, years := "", "", ""
		if r.rep != nil {
			kind = r.rep.Kind
			if kind == "" && r.rep.Ignored != "" {
				kind = "(not read)"
			}
			ms = strings.Join(r.rep.Measures, " ")
			if n := len(r.rep.Years); n > 0 {
				years = fmt.Sprintf("%d-%d", r.rep.Years[0], r.rep.Years[n-1])
			}
			if r.rep.Kind != "" && (r.status == "ok" || r.status == "present" || strings.HasPrefix(r.status, "not from fetch")) {
				have[r.rep.Kind] = true
			}
		}
		if r.status == "changed since fetch" || r.status == "missing" {
			changed++
		}
		used, fileNote := "", ""
		if r.rep != nil && r.rep.Kind != "" {
			if y, how := dataset.FileRelease(r.release, r.rep.Years); y != 0 {
				used = fmt.Sprintf("%d (%s)", y, how)
			}
			fileNote = strings.Join(r.rep.Notes, "; ")
			if fileNote != "" {
				fileNotes = append(fileNotes, r.path+": "+fileNote)
			}
		}
		sec.Rows = append(sec.Rows, []export.Cell{
			export.Str(r.publication), export.Str(r.release), export.Str(r.path), export.Str(kind), export.Str(ms), export.Str(years),
			export.Int(int(r.bytes)), export.Str(r.source), export.Str(r.fetched), export.Str(r.status),
			export.Str(used), export.Str(fileNote)})
	}
	var notes []string
	if len(rows) == 0 {
		notes = append(notes, fmt.Sprintf("No data in %s.", dir), strings.ReplaceAll(cmdutil.NoDataAdvice, "\n", " "))
	} else {
		if len(m.Files) == 0 {
			notes = append(notes, fmt.Sprintf("%s has no %s: none of these files came from `cscstats fetch`.", dir, fetchlib.ManifestName))
		}
		var lacking []string
		for _, k := range measures.Kinds {
			if !have[k.ID] {
				lacking = append(lacking, k.ID)
			}
		}
		if len(lacking) > 0 {
			notes = append(notes, "No usable file of kind(s): "+strings.Join(lacking, ", ")+"; `cscstats fetch` downloads them.")
		}
		notes = append(notes, "release_used is the release cscstats files each figure under: the release fetch recorded in the manifest, else the latest year the file covers. Where several files give the same measure, area and year, the newest release wins; `cscstats revisions` lists the figures that differ, and `--format json` on the analysis commands gives each figure's file, line and release.")
		notes = append(notes, fileNotes...)
		if changed > 0 {
			notes = append(notes, fmt.Sprintf("%d file(s) changed or missing since they were fetched: `cscstats fetch --check` says more; `cscstats fetch` repairs them.", changed))
		}
	}
	doc := export.Document{Title: "Data in " + dir, Sections: []export.Section{sec}, Notes: notes}
	return cmdutil.Print(f, doc)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
