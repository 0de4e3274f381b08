// Package fetch is the `cscstats fetch` command: it downloads the DfE files
// the measures need from Explore education statistics (EES) and the ONS
// population estimates from Nomis into the data directory, re-checks them
// offline (--check), or imports files the user already has (--from).
//
// What to download comes from data/sources.json (see Catalog): for each
// publication, the name patterns of the files the measures catalogue reads.
// Every downloaded file must also be recognised by its content
// (dataset.ReadFile) as the kind its name promises, or it is rejected and
// the previous copy stays.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/dataset"
	fetchlib "github.com/cscstats/cscstats/pkg/fetch"
	"github.com/cscstats/cscstats/pkg/measures"
	"github.com/cscstats/cscstats/pkg/rates"
)

// Environment variables naming the services (tests point them at a
// loopback fake; plain http is refused for any other host).
const (
	EESURLEnv   = "CSCSTATS_EES_URL"
	NomisURLEnv = "CSCSTATS_NOMIS_URL"
)

// maxOlderReleases is how many earlier releases are searched for a needed
// file the chosen release lacks.
const maxOlderReleases = 6

// Options are the command's flags and dependencies.
type Options struct {
	Factory  *cmdutil.Factory
	Targets  []string // cin, cla, population, all, or publication slugs
	Release  string
	AllFiles bool
	Zip      bool
	Force    bool
	Quiet    bool
	Verbose  bool
	Check    bool
	From     string
	EESURL   string
	NomisURL string

	// Context replaces the interrupt-aware background context (tests).
	Context context.Context
	// ClientOptions adjusts the download client's options (tests).
	ClientOptions func(*fetchlib.Options)

	// auto is set for the automatic fetch before an analysis command:
	// missing population estimates and files not found are warnings.
	auto bool
	// dir overrides Factory.DataDir.
	dir string
	// DirectURLs replace the address of a direct download by key (tests).
	DirectURLs map[string]string
}

// NewCmdFetch wires the cobra command; runF replaces the run function in
// tests of flag parsing.
func NewCmdFetch(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "fetch [cin|cla|population|all|ofsted|geo|SLUG ...]",
		Short: "Download the DfE data files and ONS population estimates into the data directory",
		Long: `Download what the measures need into the data directory (--data):

  cin         "Children in need" (formerly "Characteristics of children in need"),
              latest release: referrals, children in need, section 47 enquiries and
              ICPCs, child protection plans (5 files, about 1.9 MB)
  cla         "Children looked after in England including adoptions", latest
              release: numbers and rates, ceased (adoptions, SGOs); the
              starts-by-age file from an earlier release when the latest has
              none (4 files, about 9.3 MB)
  population  ONS mid-year estimates of children by single year of age 0-17
              (kept as 0-17, under 1 and under 5) by local authority from
              mid-2009, from Nomis, converted to the EES layout; England and
              the regions as Nomis publishes them (never summed from
              whatever authorities came back); former councils (Bournemouth,
              Poole, old Dorset, Northamptonshire, Cumbria) from earlier
              geography types where Nomis has them. A copy less than a week
              old is kept without asking (ONS publishes once a year)
  all         all three (the default)
  ofsted      Ofsted's local authority inspection outcomes (.ods, about 0.1 MB)
              from its GOV.UK statistics page, for judgements in la show,
              compare, spread/correlate --group ofsted and the report
  geo         ONS Counties and Unitary Authorities boundaries (GeoJSON, about
              1 MB) from the Open Geography Portal, for plot map
              (ofsted and geo are not part of all; their addresses are
              not yet verified against the live services)

Files go to DIR/<publication>/<release>/ with DIR/manifest.json recording
where each came from and its SHA-256. A re-run asks the service whether each
file changed (ETag) and downloads only what did. Every file is checked
before it replaces the previous copy: it must be recognised by its content as
the kind of file its name promises.

A publication slug (old slugs are followed through the service's redirects)
with --all-files downloads every data file of any publication.

Without a network: download the CSV files in a browser from
explore-education-statistics.service.gov.uk and import them with --from DIR.`,
		Example: `  cscstats fetch
  cscstats fetch cin --release 2024-25
  cscstats fetch cla --all-files --zip
  cscstats fetch --check
  cscstats fetch --from ~/Downloads/ees`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Targets = args
			if runF != nil {
				return runF(opts)
			}
			return fetchRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Release, "release", "", "release slug such as 2024-25 or 2025 (default: latest)")
	fl.BoolVar(&opts.AllFiles, "all-files", false, "download every data file of the release, not only those the measures need")
	fl.BoolVar(&opts.Zip, "zip", false, "download the whole-release zip and extract the data files from it")
	fl.BoolVar(&opts.Force, "force", false, "download again even if the service says the files have not changed or the population copy is recent")
	fl.BoolVarP(&opts.Quiet, "quiet", "q", false, "print nothing but errors")
	fl.BoolVar(&opts.Verbose, "verbose", false, "log every request and decision to standard error (-v is --version)")
	fl.BoolVar(&opts.Check, "check", false, "re-check the SHA-256 of every file in the manifest, offline")
	fl.StringVar(&opts.From, "from", "", "import the CSV files in `DIR` (recognised by content) instead of downloading")
	fl.StringVar(&opts.EESURL, "ees-url", "", "EES content API base URL (env "+EESURLEnv+")")
	fl.StringVar(&opts.NomisURL, "nomis-url", "", "Nomis API base URL (env "+NomisURLEnv+")")
	_ = fl.MarkHidden("ees-url")
	_ = fl.MarkHidden("nomis-url")
	_ = cmd.MarkFlagDirname("from")
	cmd.MarkFlagsMutuallyExclusive("quiet", "verbose")
	cmd.MarkFlagsMutuallyExclusive("check", "from")
	cmd.ValidArgsFunction = cobra.FixedCompletions([]string{
		TargetCIN + "\tChildren in need", TargetCLA + "\tChildren looked after", TargetPopulation + "\tONS population estimates (Nomis)", TargetAll + "\tall three",
	}, cobra.ShellCompDirectiveNoFileComp)
	return cmd
}

// AutoFetcher is the Factory.Fetcher the root command wires: `cscstats
// fetch all` into the data directory, with the service URLs from the
// environment. Population and files not found are warnings: what arrived
// is enough to answer many questions.
func AutoFetcher(f *cmdutil.Factory) cmdutil.Fetcher {
	return func(ctx context.Context, dir string) error {
		return fetchRun(&Options{Factory: f, Targets: []string{TargetAll}, Context: ctx, auto: true, dir: dir})
	}
}

func fetchRun(opts *Options) error {
	if opts.Check || opts.From != "" {
		if len(opts.Targets) > 0 || opts.Release != "" || opts.AllFiles || opts.Zip || opts.Force {
			return cmdutil.FlagErrorf("--check and --from take no publications, --release, --all-files, --zip or --force")
		}
		if opts.Check {
			return checkRun(opts)
		}
		return importRun(opts)
	}
	if opts.Factory.Offline {
		return fmt.Errorf("--offline (or %s) is set, and `cscstats fetch` downloads; to use files you already have, run `cscstats fetch --from DIR` or `cscstats --data DIR ...`", cmdutil.OfflineEnv)
	}
	if direct, rest := splitDirect(opts.Targets); len(direct) > 0 {
		if err := directRun(opts, direct); err != nil || len(rest) == 0 {
			return err
		}
		opts.Targets = rest
	}
	cat, err := Sources()
	if err != nil {
		return err
	}
	targets, err := expandTargets(opts.Targets)
	if err != nil {
		return err
	}
	pubs := 0
	for _, t := range targets {
		if t != TargetPopulation {
			pubs++
		}
	}
	if opts.Release != "" && pubs != 1 {
		return cmdutil.FlagErrorf("--release needs exactly one publication (cin, cla or a slug): release names differ between publications")
	}
	ctx := opts.Context
	if ctx == nil {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	dir := opts.dir
	if dir == "" {
		dir = opts.Factory.DataDir
	}
	r := &runner{opts: opts, cat: cat, dir: dir, out: opts.Factory.IOStreams.ErrOut}
	if opts.Quiet {
		r.out = io.Discard
	}
	if r.client, err = newClient(opts, cat); err != nil {
		return err
	}
	var errs []error
	eesDown, eesOK := false, false
	for _, t := range targets {
		var err error
		switch {
		case t == TargetPopulation && r.opts.auto && !eesOK:
			r.skipped = append(r.skipped, t)
			continue // the DfE files failed: the denominators alone are no use
		case t == TargetPopulation:
			err = r.population(ctx)
		case eesDown:
			r.printf("%s: skipped, since Explore education statistics could not be reached\n", t)
			r.skipped = append(r.skipped, t)
			continue
		default:
			err = r.publication(ctx, t)
			eesDown = isNetworkError(err)
			eesOK = eesOK || err == nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("interrupted: %w (files already complete were kept; nothing half-written)", ctx.Err())
			}
			errs = append(errs, err)
			r.failedSources = append(r.failedSources, t)
		}
	}
	r.summary()
	return errors.Join(errs...)
}

// isNetworkError reports an error from the connection itself (no answer
// from the service), rather than an HTTP status or an unexpected answer.
func isNetworkError(err error) bool {
	var ue *url.Error
	return err != nil && errors.As(err, &ue)
}

// expandTargets turns the arguments into publication keys, slugs and
// "population", without duplicates; none means all.
func expandTargets(args []string) ([]string, error) {
	if len(args) == 0 {
		args = []string{TargetAll}
	}
	var out []string
	seen := map[string]bool{}
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, a := range args {
		a = strings.ToLower(strings.TrimSpace(a))
		switch a {
		case TargetAll:
			add(TargetCIN)
			add(TargetCLA)
			add(TargetPopulation)
		case TargetCIN, TargetCLA, TargetPopulation:
			add(a)
		default:
			s, err := fetchlib.NormaliseSlug(a)
			if err != nil {
				return nil, cmdutil.FlagErrorf("unknown publication %q: use cin, cla, population, all or an EES publication slug", a)
			}
			add(s)
		}
	}
	return out, nil
}

func baseURL(flag, env string) string {
	if flag != "" {
		return flag
	}
	return os.Getenv(env)
}

func newClient(opts *Options, cat *Catalog) (*fetchlib.Client, error) {
	ios := opts.Factory.IOStreams
	o := fetchlib.Options{
		ContentBaseURL: baseURL(opts.EESURL, EESURLEnv),
		NomisBaseURL:   baseURL(opts.NomisURL, NomisURLEnv),
		Version:        opts.Factory.Version,
		Quiet:          opts.Quiet,
		Verbose:        opts.Verbose,
		Log:            ios.ErrOut,
		Validate:       ContentValidator(cat),
		ReuseLookups:   true, // one run looks each release up once
		Progress:       fetchlib.NopProgress{},
	}
	if ios.ErrTTY && !opts.Quiet {
		o.Progress = fetchlib.NewBarProgress(ios.ErrOut)
	}
	if opts.ClientOptions != nil {
		opts.ClientOptions(&o)
	}
	return fetchlib.New(o)
}

// ContentValidator checks a staged download: the library's text checks
// (no HTML error page, UTF-8, no NUL bytes), then, for a file whose name
// matches a spec of sources.json with a kind, that dataset.ReadFile
// recognises it as that kind.
func ContentValidator(cat *Catalog) func(path string) error {
	return func(path string) error {
		if err := fetchlib.DefaultValidator(path); err != nil {
			return err
		}
		name := fetchlib.StagedName(path)
		_, spec := cat.SpecFor(name)
		if spec == nil || spec.Kind == "" || !strings.EqualFold(filepath.Ext(name), ".csv") {
			return nil
		}
		rep, _, _, err := dataset.ReadFile(path)
		if err != nil {
			return errors.New(strings.ReplaceAll(err.Error(), path, name))
		}
		if rep.Kind != spec.Kind {
			why := rep.Ignored
			if rep.Kind != "" {
				why = "its content is that of " + kindTitle(rep.Kind)
			}
			return fmt.Errorf("by its name it should be %q (%s), but cscstats does not recognise its content as that: %s",
				spec.KindTitle(), spec.Kind, strings.ReplaceAll(why, path, name))
		}
		return nil
	}
}

func kindTitle(kind string) string {
	if k, ok := measures.Kind(kind); ok {
		return fmt.Sprintf("%q (%s)", k.Title, k.ID)
	}
	return kind
}

// runner carries one run's state and tallies.
type runner struct {
	opts   *Options
	cat    *Catalog
	client *fetchlib.Client
	dir    string
	out    io.Writer

	downloaded, unchanged, failed int
	bytes                         int64
	skipped                       []string // sources not tried after an earlier failure
	failedSources                 []string // sources whose download failed
}

func (r *runner) printf(format string, args ...any) { fmt.Fprintf(r.out, format, args...) }

func (r *runner) summary() {
	total := r.downloaded + r.unchanged
	if total == 0 && r.failed == 0 {
		return
	}
	if total == 0 {
		// Nothing arrived: say so plainly, counting the sources that were
		// never tried, rather than "1 failed".
		verb := func(n int, one, many string) string {
			if n == 1 {
				return one
			}
			return many
		}
		r.printf("Nothing was downloaded to %s: ", r.dir)
		if len(r.failedSources) > 0 {
			r.printf("%s failed", strings.Join(r.failedSources, ", "))
		} else {
			r.printf("%d download(s) failed", r.failed)
		}
		if len(r.skipped) > 0 {
			r.printf("; %s %s skipped", strings.Join(r.skipped, ", "), verb(len(r.skipped), "was", "were"))
		}
		r.printf(" (all %d sources).\n", len(r.failedSources)+len(r.skipped))
		return
	}
	r.printf("%d file(s) in %s: %d downloaded (%s), %d unchanged", total, r.dir, r.downloaded, HumanBytes(r.bytes), r.unchanged)
	if r.failed > 0 {
		r.printf(", %d failed", r.failed)
	}
	r.printf(". `cscstats sources` lists what is there.\n")
}

// publication fetches one publication (a key of sources.json or a slug).
func (r *runner) publication(ctx context.Context, target string) error {
	spec := r.cat.ByKey(target)
	slug := target
	if spec != nil {
		slug = spec.Slug
	}
	rel, err := r.client.ResolveRelease(ctx, slug, r.opts.Release)
	if err != nil {
		return fmt.Errorf("%s: %w", target, err)
	}
	if spec == nil {
		spec = r.cat.BySlug(rel.PublicationSlug)
	}
	if spec != nil && spec.Source != "ees" {
		return fmt.Errorf("%s: not an EES publication; use `cscstats fetch %s`", target, spec.Key)
	}
	if spec == nil && !r.opts.AllFiles {
		return cmdutil.FlagErrorf("publication %q: cscstats does not know which of its files the measures need; add --all-files to download every data file", rel.PublicationSlug)
	}
	head := rel.PublicationSlug + ", release " + rel.Slug
	if rel.Latest {
		head += " (latest)"
	}
	if rel.RequestedSlug != "" && rel.RequestedSlug != rel.PublicationSlug {
		head += fmt.Sprintf(" — %q is an old name, redirected", rel.RequestedSlug)
	}
	r.printf("%s\n", head)

	files, err := r.client.ListFiles(ctx, rel.ReleaseVersionID)
	if err != nil {
		return fmt.Errorf("%s: %w", rel.PublicationSlug, err)
	}
	names, missing := r.selectFiles(spec, files, nil)
	var errs []error
	if len(names) > 0 {
		if err := r.download(ctx, rel, names, r.opts.Zip); err != nil {
			errs = append(errs, err)
		}
	} else {
		r.printf("  release %s has none of the files needed\n", rel.Slug)
	}
	var search []*FileSpec
	for _, m := range missing {
		if m.SearchOlderReleases {
			search = append(search, m)
		} else {
			r.printf("  note: no %s in release %s (optional)\n", m.TypicalName, rel.Slug)
		}
	}
	if len(search) > 0 {
		left, err := r.older(ctx, rel, search)
		if err != nil {
			errs = append(errs, err)
		}
		for _, m := range left {
			msg := fmt.Sprintf("%s: no file like %s (%s; measures %s) in release %s or the %d before it; the file may have been renamed: try `cscstats fetch %s --all-files` and `cscstats inspect`",
				rel.PublicationSlug, m.TypicalName, m.KindTitle(), strings.Join(m.Measures, ", "), rel.Slug, maxOlderReleases, spec.Key)
			if r.opts.auto {
				r.printf("  warning: %s\n", msg)
			} else {
				errs = append(errs, errors.New(msg))
			}
		}
	}
	return errors.Join(errs...)
}

// selectFiles picks the listed files to download: every one with
// --all-files, else those matching a needed spec (only the specs in only,
// when given). It returns the names and the specs nothing matched.
func (r *runner) selectFiles(spec *PublicationSpec, files []fetchlib.DataSetFile, only []*FileSpec) ([]string, []*FileSpec) {
	var specs []*FileSpec
	if only != nil {
		specs = only
	} else if spec != nil {
		for i := range spec.Files {
			if spec.Files[i].Needed {
				specs = append(specs, &spec.Files[i])
			}
		}
	}
	found := map[*FileSpec]bool{}
	var names []string
	for _, f := range files {
		take := r.opts.AllFiles && only == nil
		for _, s := range specs {
			if s.Matches(f.Filename) {
				found[s] = true
				take = true
			}
		}
		if take {
			names = append(names, f.Filename)
		}
	}
	var missing []*FileSpec
	for _, s := range specs {
		if !found[s] {
			missing = append(missing, s)
		}
	}
	return names, missing
}

// download fetches the named files of one release and prints a line each.
func (r *runner) download(ctx context.Context, rel *fetchlib.Release, names []string, zip bool) error {
	res, err := r.client.Fetch(ctx, fetchlib.Request{
		Dir: r.dir, Publication: rel.PublicationSlug, Release: rel.Slug,
		WantNames: names, Zip: zip, Force: r.opts.Force,
	})
	if res != nil {
		for _, fr := range res.Files {
			path := fr.Entry.Path
			if path == "" {
				path = rel.PublicationSlug + "/" + rel.Slug + "/" + fr.File.Filename
			}
			switch fr.Status {
			case fetchlib.StatusDownloaded:
				r.downloaded++
				r.bytes += fr.Entry.Bytes
			case fetchlib.StatusUnchanged:
				r.unchanged++
			default:
				r.failed++
			}
			size := ""
			if fr.Err == nil {
				size = HumanBytes(fr.Entry.Bytes)
			}
			r.printf("  %-10s  %-9s  %s%s\n", fr.Status, size, path, r.describe(fr.File.Filename, fr.Err))
		}
		for _, n := range res.NotListed {
			r.printf("  %-10s  %-9s  %s (not in the release's file list)\n", "missing", "", n)
		}
	}
	if err == nil {
		return nil
	}
	fileFailed := false
	if res != nil {
		for _, fr := range res.Files {
			fileFailed = fileFailed || fr.Err != nil
		}
	}
	if fileFailed || zip {
		return fmt.Errorf("%s/%s: %w\n(where a download failed, the previous copy, if any, is unchanged and nothing half-written is left)", rel.PublicationSlug, rel.Slug, err)
	}
	return fmt.Errorf("%s/%s: %w", rel.PublicationSlug, rel.Slug, err)
}

// describe says what a file gives, for the per-file line.
func (r *runner) describe(name string, err error) string {
	if err != nil {
		return "  (failed: see the error below)"
	}
	_, s := r.cat.SpecFor(name)
	if s == nil || s.Kind == "" {
		return ""
	}
	if len(s.Measures) == 0 {
		return "  " + s.KindTitle()
	}
	return "  " + strings.Join(s.Measures, ", ")
}

// older looks for the wanted specs in releases before rel, newest first,
// and downloads them from the first release that has them. It returns
// the specs still not found.
func (r *runner) older(ctx context.Context, rel *fetchlib.Release, want []*FileSpec) ([]*FileSpec, error) {
	all, err := r.client.ListReleases(ctx, rel.PublicationSlug)
	if err != nil {
		return want, fmt.Errorf("%s: listing earlier releases to look for %s: %w", rel.PublicationSlug, want[0].TypicalName, err)
	}
	cands := olderThan(all, rel)
	if len(cands) > maxOlderReleases {
		cands = cands[:maxOlderReleases]
	}
	var errs []error
	for i := range cands {
		if len(want) == 0 {
			break
		}
		o := &cands[i]
		files, err := r.client.ListFiles(ctx, o.ReleaseVersionID)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s release %s: %w", o.PublicationSlug, o.Slug, err))
			continue
		}
		names, left := r.selectFiles(nil, files, want)
		if len(names) == 0 {
			continue
		}
		r.printf("  from the earlier release %s (release %s has no %s):\n", o.Slug, rel.Slug, strings.Join(names, ", "))
		if err := r.download(ctx, o, names, false); err != nil {
			errs = append(errs, err)
		}
		want = left
	}
	return want, errors.Join(errs...)
}

// olderThan returns the releases published before rel, newest first.
// Releases without a usable date keep the service's order (newest first).
func olderThan(all []fetchlib.Release, rel *fetchlib.Release) []fetchlib.Release {
	type item struct {
		r   fetchlib.Release
		t   time.Time
		idx int
	}
	var items []item
	pos := -1
	for i, x := range all {
		t, _ := time.Parse(time.RFC3339, x.Published)
		items = append(items, item{x, t, i})
		if x.ReleaseVersionID == rel.ReleaseVersionID || x.Slug == rel.Slug {
			pos = len(items) - 1
		}
	}
	sort.SliceStable(items, func(i, j int) bool {
		if !items[i].t.IsZero() && !items[j].t.IsZero() && !items[i].t.Equal(items[j].t) {
			return items[i].t.After(items[j].t)
		}
		return items[i].idx < items[j].idx
	})
	var out []fetchlib.Release
	after := pos < 0
	for _, it := range items {
		if pos >= 0 && it.idx == pos {
			after = true
			continue
		}
		if after && it.r.Slug != rel.Slug {
			out = append(out, it.r)
		}
	}
	return out
}

// population fetches the ONS estimates from Nomis: the authorities,
// England and the regions as published, and former councils from earlier
// geography types, as data/sources.json describes.
func (r *runner) population(ctx context.Context) error {
	req := r.populationRequest()
	r.printf("population: ONS mid-year estimates of children aged 0-17 (single years of age), from Nomis (%s)\n", orDefault(req.Query.Dataset, fetchlib.NomisDataset))
	lookup, from := r.lookup()
	if lookup == nil {
		r.printf("  note: no DfE file in %s to take authorities' DfE codes and regions from, so Inner and Outer London are left out; run `cscstats fetch cin cla` first, then this again\n", r.dir)
	}
	req.Lookup = lookup
	res, err := r.client.FetchPopulation(ctx, req)
	if err != nil {
		r.failed++
		err = fmt.Errorf("population from Nomis: %w", err)
		if r.opts.auto {
			r.printf("  warning: %v\n  rates will use the population estimates DfE publishes in its CLA file (2021 onwards) where they can\n", err)
			return nil
		}
		return fmt.Errorf("%w\nDfE's CLA file (cla_number_and_rate_per_10k_children.csv) also carries population estimates, used where ONS ones are missing; or import DfE's EES copy of the ONS estimates with `cscstats fetch --from DIR`", err)
	}
	if res.Status == fetchlib.StatusUnchanged {
		r.unchanged++
		r.printf("  %-10s  %-9s  %s  (%s)\n", fetchlib.StatusUnchanged, HumanBytes(res.Entry.Bytes), res.Entry.Path, res.Why)
	} else {
		r.downloaded++
		r.bytes += res.Entry.Bytes
	}
	if rep := res.Report; rep != nil {
		years := ""
		if n := len(rep.Years); n > 0 {
			years = fmt.Sprintf("mid-years %d-%d, ", rep.Years[0], rep.Years[n-1])
		}
		if res.Status != fetchlib.StatusUnchanged {
			r.printf("  %-10s  %-9s  %s  %s%d authorities\n", res.Status, HumanBytes(res.Entry.Bytes), res.Entry.Path, years, rep.LAs)
		}
		r.printf("  %d Nomis request(s) (--verbose lists them)\n", len(res.URLs))
		if len(rep.Published) > 0 {
			r.printf("  England and regions as Nomis publishes them: %s\n", strings.Join(rep.Published, "; "))
		}
		if len(rep.Summed) > 0 {
			r.printf("  summed from complete sets of boroughs: %s\n", strings.Join(rep.Summed, "; "))
		}
		if len(rep.NoTotal) > 0 {
			r.printf("  warning: no figure written (never a sum of whatever authorities came back) for: %s\n", strings.Join(rep.NoTotal, "; "))
		}
		if len(rep.Former) > 0 {
			r.printf("  former councils from earlier geography types: %s\n", strings.Join(rep.Former, "; "))
		}
		for _, ns := range res.NotServed {
			r.printf("  note: %s\n", ns)
		}
		if len(res.NotServed) > 0 {
			r.printf("  where Nomis has no estimate, rates divide by DfE's own published population (the CLA file's population_estimate, 2021 onwards) and say so, or are left out with the reason\n")
		}
		if len(rep.Absent) > 0 {
			r.printf("  warning: %d authority(ies) missing from Nomis for some mid-years: %s\n", len(rep.Absent), strings.Join(rep.Absent, "; "))
		}
		if from != "" {
			r.printf("  DfE codes and regions taken from %s\n", from)
		}
		if len(rep.Unmatched) > 0 {
			r.printf("  note: %d authority code(s) not in the DfE files (kept without DfE code or region): %s\n", len(rep.Unmatched), strings.Join(rep.Unmatched, ", "))
		}
		if len(rep.Incomplete) > 0 {
			r.printf("  note: %d authority-year(s) left out for missing single years of age\n", len(rep.Incomplete))
		}
	}
	if !r.opts.auto { // the analysis command that asked warns itself
		r.denominatorGaps()
	}
	return nil
}

// populationRequest turns the Nomis entry of sources.json into a request.
func (r *runner) populationRequest() fetchlib.PopulationRequest {
	req := fetchlib.PopulationRequest{Dir: r.dir, Force: r.opts.Force}
	spec := r.cat.ByKey(TargetPopulation)
	if spec == nil || spec.Nomis == nil {
		return req
	}
	n := spec.Nomis
	q := fetchlib.NomisQuery{Dataset: n.Dataset, Geography: n.Geography, Ages: n.Ages}
	switch {
	case n.FromMidYear > 0:
		q.Dates = []string{fetchlib.LatestMinus(n.FromMidYear, time.Now())}
	case n.Dates != "":
		q.Dates = []string{n.Dates}
	}
	req.Query = q
	req.Totals = fetchlib.NomisQuery{Geography: n.TotalsGeography}
	for _, e := range n.Earlier {
		eq := fetchlib.NomisQuery{Geography: e.Geography}
		if e.Dates != "" {
			eq.Dates = []string{e.Dates}
		}
		req.Earlier = append(req.Earlier, eq)
		req.EarlierCodes = append(req.EarlierCodes, e.Authorities...)
	}
	if n.FreshDays > 0 {
		req.Fresh = time.Duration(n.FreshDays) * 24 * time.Hour
	}
	return req
}

// denominatorGaps warns, naming them, about authorities in the data with
// a count but no population estimate for a year.
func (r *runner) denominatorGaps() {
	calc, err := rates.Load(r.dir)
	if err != nil {
		return // nothing to check against yet
	}
	if w := cmdutil.DenominatorWarning(calc); w != "" {
		r.printf("  warning: %s\n", w)
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// lookup builds the DfE code and region lookup from the CIN and CLA files
// in the data directory (CLA, the more recent geography, wins).
func (r *runner) lookup() (fetchlib.LALookup, string) {
	var paths []string
	for _, kind := range []string{measures.KindCINInNeed, measures.KindCLARates} {
		if p := r.findFile(kind); p != "" {
			paths = append(paths, p)
		}
	}
	var lk fetchlib.LALookup
	var used []string
	for _, p := range paths {
		l, err := fetchlib.LoadLALookupFile(p)
		if err != nil || len(l) == 0 {
			continue
		}
		if lk == nil {
			lk = fetchlib.LALookup{}
		}
		for k, v := range l {
			lk[k] = v
		}
		rel, _ := filepath.Rel(r.dir, p)
		used = append(used, filepath.ToSlash(rel))
	}
	return lk, strings.Join(used, " and ")
}

// findFile finds, by name, the newest file of a kind below the data
// directory (the last in path order).
func (r *runner) findFile(kind string) string {
	var best string
	filepath.WalkDir(r.dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if p != r.dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if _, s := r.cat.SpecFor(d.Name()); s != nil && s.Kind == kind && p > best {
			best = p
		}
		return nil
	})
	return best
}

// HumanBytes formats a size as B, KB or MB (powers of 1000, 1 decimal).
func HumanBytes(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f KB", float64(n)/1000)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
}
