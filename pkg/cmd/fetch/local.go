package fetch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/dataset"
	"github.com/cscstats/cscstats/pkg/export"
	fetchlib "github.com/cscstats/cscstats/pkg/fetch"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/neighbours"
	"github.com/cscstats/cscstats/pkg/safetext"
	"github.com/cscstats/cscstats/pkg/spec"
)

// checkRun is `cscstats fetch --check`: every manifest entry re-hashed,
// offline. The report goes to standard output in --format; a changed or
// missing file makes the command fail.
func checkRun(opts *Options) error {
	f := opts.Factory
	dir := f.DataDir
	m, err := fetchlib.LoadManifest(dir)
	if err != nil {
		return err
	}
	if len(m.Files) == 0 {
		return fmt.Errorf("nothing to check: %s has no %s (nothing was fetched or imported there yet); run `cscstats fetch` or `cscstats fetch --from DIR`",
			dir, fetchlib.ManifestName)
	}
	rep, err := fetchlib.Check(dir)
	if err != nil {
		return err
	}
	sec := export.Section{Name: "check", Columns: []export.Column{
		{Name: "status", Decimals: -1}, {Name: "path", Decimals: -1}, {Name: "bytes", Decimals: 0},
		{Name: "detail", Decimals: -1}}}
	byPath := map[string]fetchlib.Entry{}
	for _, e := range m.Files {
		byPath[e.Path] = e
	}
	for _, p := range rep.OK {
		sec.Rows = append(sec.Rows, []export.Cell{export.Str("ok"), export.Str(p), export.Int(int(byPath[p].Bytes)), export.Str("sha256 " + short(byPath[p].SHA256))})
	}
	for _, it := range rep.Changed {
		detail := fmt.Sprintf("sha256 %s, manifest says %s; %d bytes, manifest says %d", short(it.ActualSHA256), short(it.ExpectedSHA256), it.ActualBytes, it.ExpectedBytes)
		if it.Err != nil {
			detail = it.Err.Error()
		}
		sec.Rows = append(sec.Rows, []export.Cell{export.Str("changed"), export.Str(it.Path), export.Int(int(it.ActualBytes)), export.Str(detail)})
	}
	for _, it := range rep.Missing {
		sec.Rows = append(sec.Rows, []export.Cell{export.Str("missing"), export.Str(it.Path), export.MissingCell(""), export.Str("listed in the manifest, not on disk")})
	}
	sort.SliceStable(sec.Rows, func(i, j int) bool { return sec.Rows[i][1].Text < sec.Rows[j][1].Text })
	bad := len(rep.Changed) + len(rep.Missing)
	notes := []string{fmt.Sprintf("%d of %d file(s) in %s match the SHA-256 recorded when they were fetched.", len(rep.OK), len(m.Files), filepath.Join(dir, fetchlib.ManifestName))}
	doc := export.Document{Title: "Data files checked against the manifest (" + dir + ")", Sections: []export.Section{sec}, Notes: notes}
	if err := cmdutil.Print(f, doc); err != nil {
		return err
	}
	if bad > 0 {
		return fmt.Errorf("%d file(s) in %s changed or missing since they were fetched; run `cscstats fetch` (add --force to download everything again), or for files imported with --from, import them again", bad, dir)
	}
	return nil
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// ReferencePublication is the folder `fetch --from` puts reference files
// in (statistical neighbours, IMD): they belong to no DfE publication
// that fetch downloads.
const ReferencePublication = "reference"

// importRun is `cscstats fetch --from DIR`: the CSV files below DIR that
// cscstats recognises by content are copied into the data directory, with
// manifest entries (source "local import").
func importRun(opts *Options) error {
	f := opts.Factory
	cat, err := Sources()
	if err != nil {
		return err
	}
	st, err := os.Stat(opts.From)
	if err != nil || !st.IsDir() {
		return cmdutil.FlagErrorf("--from %s: not a folder", opts.From)
	}
	out := f.IOStreams.ErrOut
	if opts.Quiet {
		out = nil
	}
	kinds := map[string]dataset.FileReport{}
	refs := map[string]string{} // reference files (not DfE counts), by file name: what they are
	why := map[string]string{}
	releases := importReleases{dataDir: f.DataDir, years: map[string]int{}}
	dest := map[string]string{} // source path -> publication/release/name
	recognise := func(p string) (string, string, bool) {
		if !strings.EqualFold(filepath.Ext(p), ".csv") {
			why[p] = "not a CSV file"
			return "", "", false
		}
		rep, _, _, err := dataset.ReadFile(p)
		if err != nil {
			why[p] = err.Error()
			return "", "", false
		}
		if rep.Kind == "" {
			// Reference files the analyses read beside the counts: DfE's
			// statistical neighbours (compare --neighbours, report
			// council) and the IMD 2019 summaries (--control imd:score).
			switch {
			case neighbours.IsNeighbourFile(p):
				refs[filepath.Base(p)] = "DfE statistical neighbours"
				return ReferencePublication, "", true
			case spec.IsIMDFile(p):
				refs[filepath.Base(p)] = "IMD 2019 local authority summaries"
				return ReferencePublication, "", true
			}
			why[p] = rep.Ignored
			return "", "", false
		}
		pub := cat.PublicationForKind(rep.Kind)
		if pub == nil {
			why[p] = "no publication in sources.json for kind " + rep.Kind
			return "", "", false
		}
		kinds[p] = rep
		folder := releases.folder(pub.Slug, filepath.Base(p), rep)
		dest[p] = strings.ToLower(pub.Slug + "/" + folder + "/" + filepath.Base(p))
		return pub.Slug, folder, true
	}
	// Ctrl-C or SIGTERM stops the import between reads: the file being
	// copied is abandoned and its temporary file removed; files already
	// imported stay, recorded in the manifest.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Of two files of one name bound for one release folder, the one whose
	// data reach the later year is the newer; then the later modified.
	newer := func(a, b string) bool {
		ya, yb := lastYear(kinds[a]), lastYear(kinds[b])
		if ya != yb {
			return ya > yb
		}
		sa, erra := os.Stat(a)
		sb, errb := os.Stat(b)
		return erra == nil && errb == nil && sa.ModTime().After(sb.ModTime())
	}
	rep, err := fetchlib.ImportContext(ctx, fetchlib.ImportRequest{From: opts.From, Dir: f.DataDir,
		Recognise: recognise, Validate: fetchlib.DefaultValidator, Newer: newer})
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted: %d file(s) imported before it were kept; nothing half-written", len(rep.Imported))
	}
	if err != nil {
		return err
	}
	left := map[string]bool{}
	for _, sp := range rep.Superseded {
		left[sp.Path] = true
	}
	byDest := map[string]dataset.FileReport{}
	for p, k := range kinds {
		if !left[p] {
			byDest[dest[p]] = k
		}
	}
	if out != nil {
		for _, e := range rep.Imported {
			what := refs[e.FileName]
			if e.Publication != ReferencePublication || what == "" {
				what = describeReport(byDest[strings.ToLower(e.Path)])
			}
			fmt.Fprintf(out, "  %-10s  %-9s  %s  %s\n", "imported", HumanBytes(e.Bytes), safetext.Terminal(e.Path), safetext.Terminal(what))
		}
		others := 0
		for _, p := range rep.Unrecognised {
			if why[p] == "not a CSV file" {
				others++
				continue
			}
			fmt.Fprintf(out, "  %-10s  %-9s  %s: %s\n", "skipped", "", safetext.Terminal(p), safetext.Terminal(why[p]))
		}
		for _, sp := range rep.Superseded {
			fmt.Fprintf(out, "  %-10s  %-9s  %s: an older copy of %s (data to %d, against %d), which was imported\n", "skipped", "",
				safetext.Terminal(sp.Path), safetext.Terminal(sp.By), lastYear(kinds[sp.Path]), lastYear(kinds[sp.By]))
		}
		if others > 0 {
			fmt.Fprintf(out, "  (%d file(s) that are not CSV skipped)\n", others)
		}
	}
	var errs []error
	for _, fl := range rep.Failed {
		errs = append(errs, fmt.Errorf("%s: %w", fl.Path, fl.Err))
	}
	if len(rep.Imported) == 0 && len(errs) == 0 {
		return fmt.Errorf("no file in %s is one cscstats reads (it looks for the DfE CSV files by their columns; see `cscstats inspect FILE`)", opts.From)
	}
	if out != nil && len(rep.Imported) > 0 {
		fmt.Fprintf(out, "%d file(s) imported into %s. `cscstats sources` lists what is there.\n", len(rep.Imported), f.DataDir)
	}
	return errors.Join(errs...)
}

// lastYear is the latest reporting year in a file (0 if none).
func lastYear(r dataset.FileReport) int {
	if n := len(r.Years); n > 0 {
		return r.Years[n-1]
	}
	return 0
}

func describeReport(r dataset.FileReport) string {
	s := kindTitle(r.Kind)
	if len(r.Measures) > 0 {
		s = strings.Join(r.Measures, ", ")
	}
	if n := len(r.Years); n > 0 {
		s += fmt.Sprintf(", %d-%d", r.Years[0], r.Years[n-1])
	}
	return s
}

// importReleases chooses the release folder of each imported file, so
// that files of the same name from different releases never overwrite
// one another: SFR tables go to sfr-<year>/ (their year is in the folder
// name, as pkg/sfr reads it); other files to local/, unless a file of the
// same name covering a different latest year was already imported there
// (now or before), in which case to local-<year>/.
type importReleases struct {
	dataDir string
	years   map[string]int // publication/local/name -> latest year covered
}

func (r importReleases) folder(pub, name string, rep dataset.FileReport) string {
	last := 0
	if n := len(rep.Years); n > 0 {
		last = rep.Years[n-1]
	}
	if rep.Kind == measures.KindSFR {
		return fmt.Sprintf("sfr-%d", last)
	}
	key := pub + "/" + fetchlib.ImportReleaseDir + "/" + strings.ToLower(name)
	have, seen := r.years[key]
	if !seen {
		if old, _, _, err := dataset.ReadFile(filepath.Join(r.dataDir, pub, fetchlib.ImportReleaseDir, name)); err == nil && len(old.Years) > 0 {
			have, seen = old.Years[len(old.Years)-1], true
		}
	}
	if !seen || have == last {
		r.years[key] = last
		return fetchlib.ImportReleaseDir
	}
	return fmt.Sprintf("%s-%d", fetchlib.ImportReleaseDir, last)
}
