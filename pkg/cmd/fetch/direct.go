package fetch

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"strings"

	"github.com/cscstats/cscstats/data"
	fetchlib "github.com/cscstats/cscstats/pkg/fetch"
	"github.com/cscstats/cscstats/pkg/geo"
	"github.com/cscstats/cscstats/pkg/ods"
	"github.com/cscstats/cscstats/pkg/ofsted"
)

// Targets for files published outside EES.
const (
	TargetOfsted = "ofsted"
	TargetGeo    = "geo"
)

// DirectSpec is one entry of sources.json's "direct_downloads": a file
// published outside EES, at a fixed URL or as an attachment of a GOV.UK
// page.
type DirectSpec struct {
	Key         string `json:"key"`
	Title       string `json:"title"`
	Page        string `json:"page"`
	URL         string `json:"url,omitempty"`
	IndexURL    string `json:"index_url,omitempty"`
	NamePattern string `json:"name_pattern,omitempty"`
	FileName    string `json:"file_name,omitempty"`
	TypicalName string `json:"typical_name"`
	Bytes       int64  `json:"bytes"`
	Licence     string `json:"licence"`
	Verified    string `json:"verified"`
}

// DirectSources returns sources.json's direct downloads.
func DirectSources() ([]DirectSpec, error) {
	var c struct {
		Direct []DirectSpec `json:"direct_downloads"`
	}
	if err := json.Unmarshal(data.Sources, &c); err != nil {
		return nil, fmt.Errorf("sources.json: %w", err)
	}
	for _, d := range c.Direct {
		if d.Key == "" || (d.URL == "" && (d.IndexURL == "" || d.NamePattern == "")) || d.Verified == "" {
			return nil, fmt.Errorf("sources.json: direct download %q needs key, verified, and url or index_url with name_pattern", d.Key)
		}
		if d.NamePattern != "" {
			if _, err := regexp.Compile(d.NamePattern); err != nil {
				return nil, fmt.Errorf("sources.json: %s: %w", d.Key, err)
			}
		}
	}
	return c.Direct, nil
}

// directValidators check a downloaded file by its content.
var directValidators = map[string]func(string) error{
	TargetOfsted: func(p string) error {
		f, err := ods.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = ofsted.ReadFile(f)
		return err
	},
	TargetGeo: func(p string) error {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = geo.ReadBoundaries(f, fetchlib.StagedName(p))
		return err
	},
}

// splitDirect separates the direct-download targets from the others.
func splitDirect(targets []string) (direct, rest []string) {
	for _, t := range targets {
		switch k := strings.ToLower(strings.TrimSpace(t)); k {
		case TargetOfsted, TargetGeo:
			direct = append(direct, k)
		default:
			rest = append(rest, t)
		}
	}
	return direct, rest
}

// directRun downloads the direct targets: Ofsted's outcomes spreadsheet
// and ONS boundaries. DirectURLs (tests) replace a spec's url or
// index_url by key.
func directRun(opts *Options, keys []string) error {
	specs, err := DirectSources()
	if err != nil {
		return err
	}
	cat, err := Sources()
	if err != nil {
		return err
	}
	client, err := newClient(opts, cat)
	if err != nil {
		return err
	}
	ctx := opts.Context
	if ctx == nil {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
	}
	dir := opts.dir
	if dir == "" {
		dir = opts.Factory.DataDir
	}
	m, err := fetchlib.LoadManifest(dir)
	if err != nil {
		return err
	}
	out := opts.Factory.IOStreams.ErrOut
	for _, k := range keys {
		var s *DirectSpec
		for i := range specs {
			if specs[i].Key == k {
				s = &specs[i]
			}
		}
		if s == nil {
			return fmt.Errorf("sources.json has no direct download %q", k)
		}
		d := fetchlib.Direct{Key: s.Key, URL: s.URL, IndexURL: s.IndexURL, FileName: s.FileName, Validate: directValidators[k]}
		if u, ok := opts.DirectURLs[k]; ok {
			if d.URL != "" {
				d.URL = u
			} else {
				d.IndexURL = u
			}
		}
		if s.NamePattern != "" {
			d.Pattern = regexp.MustCompile(s.NamePattern)
		}
		var prev *fetchlib.Entry
		for i := range m.Files {
			if m.Files[i].Publication == s.Key && m.Files[i].Source == fetchlib.SourceDirect {
				prev = &m.Files[i]
			}
		}
		if opts.Force {
			prev = nil
		}
		e, st, err := client.DownloadDirect(ctx, dir, d, prev)
		if err != nil {
			return fmt.Errorf("%s (%s): %w; the address in data/sources.json is unverified: if it has moved, download the file in a browser from %s and put it anywhere in the data directory", s.Key, s.Title, err, s.Page)
		}
		if !opts.Quiet {
			fmt.Fprintf(out, "%s: %s %s (%s)\n", s.Key, st, e.Path, HumanBytes(e.Bytes))
		}
	}
	return nil
}
