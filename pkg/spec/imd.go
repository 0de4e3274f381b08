package spec

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/gocarina/gocsv"

	"github.com/cscstats/cscstats/pkg/la"
	"github.com/cscstats/cscstats/pkg/rates"
)

// Columns of the IMD 2019 upper-tier local authority summaries (MHCLG,
// "File 11: upper-tier local authority summaries"), as DfE and MHCLG
// publish them. The file's headers carry trailing spaces ("IMD - Average
// score "); they are matched trimmed.
const (
	IMDCodeColumn  = "Upper Tier Local Authority District code (2019)"
	IMDNameColumn  = "Upper Tier Local Authority District name (2019)"
	IMDScoreColumn = "IMD - Average score"
)

// imdRow is one row of the summaries. gocsv matches each tag against the
// header trimmed of spaces and of a leading byte-order mark, which is what
// this file needs; the score is kept as text so that a bad cell is
// reported with its line.
type imdRow struct {
	Code  string `csv:"Upper Tier Local Authority District code (2019)"`
	Name  string `csv:"Upper Tier Local Authority District name (2019)"`
	Score string `csv:"IMD - Average score"`
}

type imdTable struct {
	file  string
	score map[string]float64 // by canonical code
}

// IMDScores reads the IMD 2019 average score of every upper-tier local
// authority from the data directory, keyed by the registry's canonical
// code (2019 codes such as North Yorkshire's E10000023 map to today's).
func IMDScores(calc *rates.Calculator) (map[string]float64, string, error) {
	t, err := loadIMD(calc)
	if err != nil {
		return nil, "", err
	}
	return t.score, t.file, nil
}

func loadIMD(calc *rates.Calculator) (*imdTable, error) {
	path, err := FindIMDFile(calc.Store.Dir)
	if err != nil {
		return nil, err
	}
	return readIMD(path, calc.Registry)
}

// FindIMDFile finds the IMD 2019 summaries below dir by their header (the
// code and average-score columns), whatever the file is called.
func FindIMDFile(dir string) (string, error) {
	var found []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != dir {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.EqualFold(filepath.Ext(p), ".csv") {
			return nil
		}
		if hasIMDHeader(p) {
			found = append(found, p)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("looking for the IMD 2019 file in %s: %w", dir, err)
	}
	if len(found) == 0 {
		return "", fmt.Errorf("imd:score needs the IMD 2019 upper-tier local authority summaries (a CSV with columns %q and %q, such as reference/imd19.csv) in the data directory %s; none found", IMDCodeColumn, IMDScoreColumn, dir)
	}
	sort.Strings(found)
	return found[0], nil
}

func hasIMDHeader(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadBytes('\n')
	if err != nil && len(line) == 0 {
		return false
	}
	line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
	head, err := csv.NewReader(bytes.NewReader(line)).Read()
	if err != nil {
		return false
	}
	var code, score bool
	for _, h := range head {
		switch strings.TrimSpace(h) {
		case IMDCodeColumn:
			code = true
		case IMDScoreColumn:
			score = true
		}
	}
	return code && score
}

func readIMD(path string, reg *la.Registry) (*imdTable, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows []imdRow
	if err := gocsv.UnmarshalCSV(csv.NewReader(bufio.NewReader(f)), &rows); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t := &imdTable{file: filepath.Base(path), score: map[string]float64{}}
	for i, r := range rows {
		code := strings.TrimSpace(r.Code)
		if code == "" {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(r.Score), 64)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %s for %s is %q, not a number", path, i+2, IMDScoreColumn, strings.TrimSpace(r.Name), r.Score)
		}
		t.score[reg.Canonical(code)] = v
	}
	return t, nil
}

// IsIMDFile reports whether path has the IMD 2019 summaries' header (as
// FindIMDFile recognises it), for `cscstats fetch --from` to import it.
func IsIMDFile(path string) bool { return hasIMDHeader(path) }
