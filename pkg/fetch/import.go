package fetch

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
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
	return ImportContext(context.Background(), fromDir, dataDir, recognise, validate)
}

// ImportContext is ImportWith that stops when ctx is done (an interrupt):
// the file being copied is abandoned and its temporary file removed; the
// files already imported are kept and are in the manifest, which is
// updated after each file. A manifest that cannot be read stops the
// import before anything is copied.
func ImportContext(ctx context.Context, fromDir, dataDir string, recognise func(path string) (string, bool), validate func(string) error) (*ImportReport, error) {
	if recognise == nil {
		return nil, fmt.Errorf("import: no recognise function")
	}
	if _, err := LoadManifest(dataDir); err != nil {
		return nil, fmt.Errorf("%w; move it away or fix it before importing", err)
	}
	absFrom, err := filepath.Abs(fromDir)
	if err != nil {
		return nil, err
	}
	absData, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, err
	}
	rep := &ImportReport{}
	taken := map[string]string{}
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
		pub, ok := recognise(p)
		if !ok {
			rep.Unrecognised = append(rep.Unrecognised, p)
			return nil
		}
		e, ierr := importOne(ctx, p, absData, pub, validate, taken)
		if ierr != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			rep.Failed = append(rep.Failed, ImportFailure{Path: p, Err: ierr})
			return nil
		}
		if err := updateManifest(absData, []Entry{e}); err != nil {
			return err
		}
		rep.Imported = append(rep.Imported, e)
		return nil
	})
	if err != nil {
		return rep, err
	}
	return rep, nil
}

func importOne(ctx context.Context, src, dataDir, publication string, validate func(string) error, taken map[string]string) (Entry, error) {
	pub, err := NormaliseSlug(publication)
	if err != nil {
		return Entry{}, err
	}
	name := filepath.Base(src)
	if err := checkFileName(name); err != nil {
		return Entry{}, err
	}
	rp := relPath(pub, ImportReleaseDir, name)
	if other, dup := taken[strings.ToLower(rp)]; dup {
		return Entry{}, fmt.Errorf("same name as %s, already imported to %s", other, rp)
	}
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
	destDir := filepath.Join(dataDir, pub, ImportReleaseDir)
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
	if err := s.commit(filepath.Join(destDir, name)); err != nil {
		return Entry{}, err
	}
	taken[strings.ToLower(rp)] = src
	return Entry{
		Publication:  pub,
		ReleaseSlug:  ImportReleaseDir,
		FileName:     name,
		Path:         rp,
		Source:       SourceLocal,
		Bytes:        s.n,
		SHA256:       s.hash,
		LastModified: st.ModTime().UTC().Format(http.TimeFormat),
		FetchedAt:    stamp(time.Now()),
	}, nil
}
