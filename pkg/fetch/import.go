package fetch

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cscstats/cscstats/pkg/safefile"
)

// ImportFailure is a recognised file that could not be imported.
type ImportFailure struct {
	Path string
	Err  error
}

// ImportReport is what Import did.
type ImportReport struct {
	Imported     []Entry
	Unrecognised []string // files recognise did not claim
	Failed       []ImportFailure
	// Superseded are files passed over because another file of the same
	// name, a newer vintage, was imported in their place.
	Superseded []ImportSuperseded
}

// ImportSuperseded is a file left out for a newer one of the same name.
type ImportSuperseded struct {
	Path string // the file left out
	By   string // the file imported instead
}

// ImportRequest says what ImportContext should import.
type ImportRequest struct {
	From, Dir string // the folder to import from, and the data folder
	// Recognise says which publication a file belongs to and the release
	// folder it goes to (DIR/<publication>/<release>/<file name>; ""
	// means ImportReleaseDir), so that files of the same name from
	// different releases — the 2022 and the 2025 cla_number_and_rate
	// file, the SFR tables of different years — are kept apart, never one
	// written over the other; ok=false leaves the file out.
	Recognise func(path string) (publication, release string, ok bool)
	// Validate checks each file before it is put in place (nil: none).
	Validate func(path string) error
	// Newer reports whether file a is a newer vintage than file b, for two
	// files that would be imported under the same name in the same
	// release folder; nil compares
	// modification times.
	Newer func(a, b string) bool
}

// Import copies files a user downloaded by hand from fromDir (walked
// recursively; symlinks and hidden files skipped) into
// dataDir/<publication>/local/<file name>, for each file that recognise
// claims, validating with DefaultValidator and recording manifest entries with
// source "local import".
func Import(fromDir, dataDir string, recognise func(path string) (publication string, ok bool)) (*ImportReport, error) {
	return ImportWith(fromDir, dataDir, recognise, DefaultValidator)
}

// ImportWith is Import with a chosen validator (nil: none).
func ImportWith(fromDir, dataDir string, recognise func(path string) (string, bool), validate func(string) error) (*ImportReport, error) {
	if recognise == nil {
		return nil, fmt.Errorf("import: no recognise function")
	}
	return ImportReleases(fromDir, dataDir, func(p string) (string, string, bool) {
		pub, ok := recognise(p)
		return pub, ImportReleaseDir, ok
	}, validate)
}

// ImportReleases is ImportWith where recognise also names the release
// folder of each file (see ImportRequest.Recognise).
func ImportReleases(fromDir, dataDir string, recognise func(path string) (publication, release string, ok bool), validate func(string) error) (*ImportReport, error) {
	return ImportContext(context.Background(), ImportRequest{From: fromDir, Dir: dataDir, Recognise: recognise, Validate: validate})
}

// ImportContext imports as Import does, and stops when ctx is done (an
// interrupt): the file being copied is abandoned and its temporary file
// removed; the files already imported are kept and are in the manifest,
// which is updated after each file. A manifest that cannot be read stops
// the import before anything is copied. Of two files that would land on
// the same name (two vintages of one DfE file), only the newer is
// imported and the other is listed in Superseded, so the choice is never
// silent and never depends on folder order.
func ImportContext(ctx context.Context, req ImportRequest) (*ImportReport, error) {
	if req.Recognise == nil {
		return nil, fmt.Errorf("import: no recognise function")
	}
	if _, err := LoadManifest(req.Dir); err != nil {
		return nil, fmt.Errorf("%w; move it away or fix it before importing", err)
	}
	absFrom, err := filepath.Abs(req.From)
	if err != nil {
		return nil, err
	}
	absData, err := filepath.Abs(req.Dir)
	if err != nil {
		return nil, err
	}
	newer := req.Newer
	if newer == nil {
		newer = newerModTime
	}
	rep := &ImportReport{}
	// Pass 1: what is there, and which of each name to take.
	type candidate struct{ path, pub, release string }
	var order []string // destination keys, in walk order
	best := map[string]candidate{}
	var losers [][2]string // path, destination key
	err = filepath.WalkDir(absFrom, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != absFrom && (strings.HasPrefix(name, ".") || p == absData) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(name, ".") || !d.Type().IsRegular() {
			return nil
		}
		pub, release, ok := req.Recognise(p)
		if !ok {
			rep.Unrecognised = append(rep.Unrecognised, p)
			return nil
		}
		slug, serr := NormaliseSlug(pub)
		if serr != nil {
			rep.Failed = append(rep.Failed, ImportFailure{Path: p, Err: serr})
			return nil
		}
		if release == "" {
			release = ImportReleaseDir
		}
		rel, rerr := NormaliseSlug(release)
		if rerr != nil {
			rep.Failed = append(rep.Failed, ImportFailure{Path: p, Err: rerr})
			return nil
		}
		key := strings.ToLower(relPath(slug, rel, name))
		c := candidate{p, pub, rel}
		old, dup := best[key]
		switch {
		case !dup:
			best[key] = c
			order = append(order, key)
		case newer(p, old.path):
			losers = append(losers, [2]string{old.path, key})
			best[key] = c
		default:
			losers = append(losers, [2]string{p, key})
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	for _, l := range losers {
		rep.Superseded = append(rep.Superseded, ImportSuperseded{Path: l[0], By: best[l[1]].path})
	}
	// Pass 2: copy, validate and record each file.
	for _, key := range order {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		c := best[key]
		e, ierr := importOne(ctx, c.path, absData, c.pub, c.release, req.Validate)
		if ierr != nil {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			rep.Failed = append(rep.Failed, ImportFailure{Path: c.path, Err: ierr})
			continue
		}
		if err := updateManifest(absData, []Entry{e}); err != nil {
			return rep, err
		}
		rep.Imported = append(rep.Imported, e)
	}
	return rep, nil
}

// newerModTime is the default Newer: the later modification time.
func newerModTime(a, b string) bool {
	sa, erra := os.Stat(a)
	sb, errb := os.Stat(b)
	return erra == nil && errb == nil && sa.ModTime().After(sb.ModTime())
}

func importOne(ctx context.Context, src, dataDir, publication, release string, validate func(string) error) (Entry, error) {
	pub, err := NormaliseSlug(publication)
	if err != nil {
		return Entry{}, err
	}
	name := filepath.Base(src)
	if err := checkFileName(name); err != nil {
		return Entry{}, err
	}
	rp := relPath(pub, release, name)
	f, err := safefile.OpenRegular(src)
	if err != nil {
		return Entry{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Entry{}, err
	}
	if !st.Mode().IsRegular() {
		return Entry{}, errNotRegular
	}
	destDir := filepath.Join(dataDir, pub, release)
	s, err := stage(destDir, name, ctxReader{ctx, f}, DefaultMaxFileBytes)
	if err != nil {
		return Entry{}, err
	}
	if validate != nil {
		if err := validate(s.tmp); err != nil {
			s.discard()
			return Entry{}, &ValidationError{Name: src, Err: err}
		}
	}
	if err := ctx.Err(); err != nil {
		s.discard() // interrupted while validating
		return Entry{}, err
	}
	if err := s.commit(filepath.Join(destDir, name)); err != nil {
		return Entry{}, err
	}
	return Entry{
		Publication:  pub,
		ReleaseSlug:  release,
		FileName:     name,
		Path:         rp,
		Source:       SourceLocal,
		Bytes:        s.n,
		SHA256:       s.hash,
		LastModified: st.ModTime().UTC().Format(http.TimeFormat),
		FetchedAt:    stamp(time.Now()),
	}, nil
}
