package fetch

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	fetchlib "github.com/cscstats/cscstats/pkg/fetch"
	"github.com/cscstats/cscstats/pkg/geo"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/ofsted"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

func TestDirectSourcesParse(t *testing.T) {
	specs, err := DirectSources()
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]DirectSpec{}
	for _, s := range specs {
		keys[s.Key] = s
		if !strings.Contains(s.Verified, "unverified") {
			t.Errorf("%s: sources.json must say the address is unverified until a live run", s.Key)
		}
	}
	for _, k := range []string{TargetOfsted, TargetGeo} {
		if _, ok := keys[k]; !ok {
			t.Errorf("sources.json has no direct download %q", k)
		}
	}
	// What sources.json says of the files matches the real ones.
	for k, rel := range map[string]string{TargetOfsted: testfiles.OfstedODS, TargetGeo: "geo/Counties_and_Unitary_Authorities_December_2024_Boundaries_UK_BUC.geojson"} {
		p := testfiles.SharedOther(t, rel)
		st, _ := os.Stat(p)
		if st.Size() != keys[k].Bytes || filepath.Base(p) != keys[k].TypicalName {
			t.Errorf("%s: sources.json says %s, %d bytes; the real file is %s, %d bytes", k, keys[k].TypicalName, keys[k].Bytes, filepath.Base(p), st.Size())
		}
		if err := directValidators[k](p); err != nil {
			t.Errorf("%s: the real file fails its validator: %v", k, err)
		}
	}
}

// A loopback stand-in for GOV.UK and the Open Geography Portal.
func TestFetchDirect(t *testing.T) {
	odsBytes, err := os.ReadFile(testfiles.SharedOther(t, testfiles.OfstedODS))
	if err != nil {
		t.Fatal(err)
	}
	geoBytes, err := os.ReadFile(testfiles.SharedOther(t, "geo/Counties_and_Unitary_Authorities_December_2024_Boundaries_UK_BUC.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	broken := false
	mux := http.NewServeMux()
	mux.HandleFunc("/api/content/stats", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"details":{"attachments":[{"url":"/media/1/notes.pdf","filename":"notes.pdf"},{"url":"/media/2/LA_Inspection_Outcomes_as_at_31_March_2025.ods","filename":"LA_Inspection_Outcomes_as_at_31_March_2025.ods"}]}}`))
	})
	mux.HandleFunc("/media/2/LA_Inspection_Outcomes_as_at_31_March_2025.ods", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(odsBytes)
	})
	mux.HandleFunc("/geo/query", func(w http.ResponseWriter, r *http.Request) {
		if broken {
			w.Write([]byte("<html><body>Service unavailable</body></html>"))
			return
		}
		w.Write(geoBytes)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	dir := t.TempDir()
	run := func(targets ...string) (string, error) {
		ios, _, _, errOut := iostreams.Test()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		opts := &Options{Factory: &cmdutil.Factory{IOStreams: ios, DataDir: dir, Version: "test"}, Targets: targets, Context: ctx,
			DirectURLs: map[string]string{TargetOfsted: srv.URL + "/api/content/stats", TargetGeo: srv.URL + "/geo/query?f=geojson"},
			ClientOptions: func(o *fetchlib.Options) {
				o.Sleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
			}}
		err := fetchRun(opts)
		return errOut.String(), err
	}
	out, err := run("ofsted", "geo")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if _, err := ofsted.Find(dir); err != nil {
		t.Errorf("the fetched Ofsted file is not found by content: %v", err)
	}
	if l, err := geo.FindBoundaries(dir); err != nil || len(l.Shapes) != 153 {
		t.Errorf("the fetched boundaries: %v", err)
	}
	m, err := fetchlib.LoadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := m.Get("ofsted/LA_Inspection_Outcomes_as_at_31_March_2025.ods")
	if e == nil || e.Source != fetchlib.SourceDirect || e.SHA256 == "" || e.ETag != `"v1"` || !strings.HasSuffix(e.SourceURL, "/media/2/LA_Inspection_Outcomes_as_at_31_March_2025.ods") {
		t.Errorf("manifest entry %+v", e)
	}
	// Again: the ETag says nothing changed.
	if out, err := run("ofsted"); err != nil || !strings.Contains(out, "unchanged") {
		t.Errorf("second run: %v\n%s", err, out)
	}
	// A broken response is rejected and the good copy stays.
	broken = true
	before, _ := os.ReadFile(filepath.Join(dir, "geo", "Counties_and_Unitary_Authorities_December_2024_Boundaries_UK_BUC.geojson"))
	out, err = run("geo")
	if err == nil || !strings.Contains(err.Error(), "in a browser") {
		t.Errorf("broken geo: err %v\n%s", err, out)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "geo", "Counties_and_Unitary_Authorities_December_2024_Boundaries_UK_BUC.geojson"))
	if len(before) == 0 || string(before) != string(after) {
		t.Error("a rejected download replaced the good copy")
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "geo"))
	if len(entries) != 1 {
		t.Errorf("geo folder holds %d files after a rejected download, want 1", len(entries))
	}
}
