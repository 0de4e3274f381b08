package fetch

import (
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
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
	if recognise == nil {
		return nil, fmt.Errorf("import: no recognise function")
	}
	return ImportReleases(fromDir, dataDir, func(p string) (string, string, bool) {
		pub, ok := recognise(p)
		return pub, ImportReleaseDir, ok
	}, validate)
}

// ImportReleases is ImportWith where recognise also names the release
// folder each file goes to (DIR/<publication>/<release>/<file name>;
// "" means ImportReleaseDir), so that files of the same name from
// different releases — the 2022 and the 2025 cla_number_and_rate file,
// the SFR tables of different years — are kept apart, never one written
// over the other. The release folder is recorded as the entry's release
// slug.
func ImportReleases(fromDir, dataDir string, recognise func(path string) (publication, release string, ok bool), validate func(string) error) (*ImportReport, error) {
	if recognise == nil {
		return nil, fmt.Errorf("import: no recognise function")
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
		pub, release, ok := recognise(p)
		if !ok {
			rep.Unrecognised = append(rep.Unrecognised, p)
			return nil
		}
		if release == "" {
			release = ImportReleaseDir
		}
		e, ierr := importOne(p, absData, pub, release, validate, taken)
		if ierr != nil {
			rep.Failed = append(rep.Failed, ImportFailure{Path: p, Err: ierr})
			return nil
		}
		rep.Imported = append(rep.Imported, e)
		return nil
	})
	if err != nil {
		return rep, err
	}
	if err := updateManifest(absData, rep.Imported); err != nil {
		return rep, err
	}
	return rep, nil
}

func importOne(src, dataDir, publication, release string, validate func(string) error, taken map[string]string) (Entry, error) {
	pub, err := NormaliseSlug(publication)
	if err != nil {
		return Entry{}, err
	}
	if release, err = NormaliseSlug(release); err != nil {
		return Entry{}, err
	}
	name := filepath.Base(src)
	if err := checkFileName(name); err != nil {
		return Entry{}, err
	}
	rp := relPath(pub, release, name)
	if other, dup := taken[strings.ToLower(rp)]; dup {
		return Entry{}, fmt.Errorf("same name as %s, already imported to %s", other, rp)
	}
	f, err := os.Open(src)
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
	s, err := stage(destDir, name, f, DefaultMaxFileBytes)
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
