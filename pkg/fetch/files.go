package fetch

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
)

// ListPageSize is the page size used for GET /data-set-files (the API maximum).
const ListPageSize = 40

const maxListPages = 9999 // the API's own page limit

// DataSetFile is one data file of a release, from GET /data-set-files.
type DataSetFile struct {
	ID            string `json:"id"`     // dataSetFileId
	FileID        string `json:"fileId"` // used in /releases/{releaseVersionId}/files/{fileId}
	Filename      string `json:"filename"`
	FileSize      string `json:"fileSize,omitempty"` // display string such as "12 Kb"
	FileExtension string `json:"fileExtension,omitempty"`
	Title         string `json:"title,omitempty"`
	Summary       string `json:"content,omitempty"`
	Published     string `json:"published,omitempty"`
	LastUpdated   string `json:"lastUpdated,omitempty"`
	LatestData    bool   `json:"latestData,omitempty"`
	IsSuperseded  bool   `json:"isSuperseded,omitempty"`
	Release       struct {
		ID    string `json:"id"`
		Slug  string `json:"slug"`
		Title string `json:"title"`
	} `json:"release"`
	Publication struct {
		ID    string `json:"id"`
		Slug  string `json:"slug"`
		Title string `json:"title"`
	} `json:"publication"`
	API *struct {
		ID      string `json:"id"`
		Version string `json:"version"`
	} `json:"api,omitempty"`
	Meta json.RawMessage `json:"meta,omitempty"` // kept raw: numDataFileRows, geographicLevels, timePeriodRange, filters, indicators
}

type fileListJSON struct {
	Results *[]DataSetFile `json:"results"`
	Paging  *struct {
		Page         int `json:"page"`
		PageSize     int `json:"pageSize"`
		TotalResults int `json:"totalResults"`
		TotalPages   int `json:"totalPages"`
	} `json:"paging"`
}

// ListFiles lists every data file of a release version, paging through
// GET /data-set-files?releaseId={releaseVersionId}&page=N&pageSize=40 until
// page >= totalPages.
func (c *Client) ListFiles(ctx context.Context, releaseVersionID string) ([]DataSetFile, error) {
	id := strings.ToLower(strings.TrimSpace(releaseVersionID))
	if id == "" {
		return nil, fmt.Errorf("ListFiles: empty release version id")
	}
	var out []DataSetFile
	seen := map[string]bool{}
	for page := 1; page <= maxListPages; page++ {
		q := url.Values{}
		q.Set("releaseId", id)
		q.Set("page", strconv.Itoa(page))
		q.Set("pageSize", strconv.Itoa(ListPageSize))
		u := c.contentURL(q, "data-set-files")
		var fl fileListJSON
		if err := c.getJSON(ctx, u, &fl); err != nil {
			return nil, err
		}
		if fl.Results == nil {
			return nil, &ShapeError{URL: u, Missing: `no "results" array`}
		}
		if fl.Paging == nil {
			return nil, &ShapeError{URL: u, Missing: `no "paging" object`}
		}
		for i, f := range *fl.Results {
			if f.FileID == "" || f.Filename == "" {
				return nil, &ShapeError{URL: u, Missing: fmt.Sprintf(`result %d lacks "fileId" or "filename"`, i)}
			}
			if err := checkFileName(f.Filename); err != nil {
				return nil, &ShapeError{URL: u, Missing: "a safe file name: " + err.Error()}
			}
			f.FileID = strings.ToLower(f.FileID)
			if seen[f.FileID] {
				continue
			}
			seen[f.FileID] = true
			out = append(out, f)
		}
		c.logf("data-set-files page %d of %d: %d results", page, fl.Paging.TotalPages, len(*fl.Results))
		if page >= fl.Paging.TotalPages || len(*fl.Results) == 0 {
			return out, nil
		}
	}
	return nil, fmt.Errorf("ListFiles: more than %d pages for release %s", maxListPages, id)
}

// checkFileName accepts a plain file name that is safe to create in a folder.
func checkFileName(name string) error {
	switch {
	case name == "", name == ".", name == "..":
		return fmt.Errorf("empty or dot file name %q", name)
	case strings.ContainsAny(name, `/\:`+"\x00"):
		return fmt.Errorf("file name %q contains a path separator", name)
	case strings.HasPrefix(name, "."):
		return fmt.Errorf("hidden file name %q", name)
	case len(name) > 200:
		return fmt.Errorf("file name too long (%d bytes)", len(name))
	case !filepath.IsLocal(name):
		return fmt.Errorf("file name %q is not local", name)
	}
	return nil
}
