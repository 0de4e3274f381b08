package fetch_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/cscstats/cscstats/pkg/fetch"
	"github.com/cscstats/cscstats/pkg/fetch/eestest"
)

func TestListReleases(t *testing.T) {
	srv := eestest.NewServer(t, smallConfig(2))
	c, _ := newClient(t, srv, nil)
	rs, err := c.ListReleases(ctx(t), "pub-a")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Slug != "2023-24" || rs[1].Slug != "2024-25" || !rs[1].Latest || rs[0].Latest || rs[0].ReleaseVersionID == "" {
		t.Errorf("releases: %+v", rs)
	}
	if _, err := c.ListReleases(ctx(t), "no-such-pub"); !errors.Is(err, fetch.ErrNotFound) {
		t.Errorf("unknown publication: %v", err)
	}
}

func TestStagedName(t *testing.T) {
	for in, want := range map[string]string{
		filepath.Join("d", ".tmp-123456-b1_children_in_need_2013_to_2025.csv"): "b1_children_in_need_2013_to_2025.csv",
		filepath.Join("d", ".tmp-9-a-b-c.csv"):                                 "a-b-c.csv",
		filepath.Join("d", "plain.csv"):                                        "plain.csv",
	} {
		if got := fetch.StagedName(in); got != want {
			t.Errorf("StagedName(%q) = %q, want %q", in, got, want)
		}
	}
	// The name a validator sees is the real file name.
	srv := eestest.NewServer(t, smallConfig(1))
	var seen []string
	c, _ := newClient(t, srv, func(o *fetch.Options) {
		o.Validate = func(p string) error { seen = append(seen, fetch.StagedName(p)); return fetch.DefaultValidator(p) }
	})
	if _, err := c.Fetch(ctx(t), fetch.Request{Dir: t.TempDir(), Publication: "pub-a", AllFiles: true}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0] != "file_00.csv" {
		t.Errorf("validator saw %v", seen)
	}
}

// Without a network (the name does not resolve, or no route), the client
// fails at once instead of retrying.
func TestNoNetworkIsNotRetried(t *testing.T) {
	for name, dialErr := range map[string]error{
		"dns":         &net.DNSError{Err: "no such host", Name: "content.example.org", IsNotFound: true},
		"unreachable": &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)},
	} {
		tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) { return nil, dialErr }}
		sl := &sleeps{}
		c, err := fetch.New(fetch.Options{ContentBaseURL: "https://content.example.org/api", HTTPClient: &http.Client{Transport: tr}, Sleep: sl.Sleep, Quiet: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.ResolveRelease(ctx(t), "children-in-need", ""); err == nil {
			t.Fatalf("%s: no error", name)
		}
		if len(sl.All()) != 0 {
			t.Errorf("%s: retried (slept %v)", name, sl.All())
		}
	}
}

// With ReuseLookups, resolving a release, listing earlier releases and
// listing a release's files twice asks the service for each once.
func TestReuseLookups(t *testing.T) {
	srv := eestest.NewServer(t, smallConfig(3))
	c, _ := newClient(t, srv, func(o *fetch.Options) { o.ReuseLookups = true })
	rel, err := c.ResolveRelease(ctx(t), "pub-a", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListReleases(ctx(t), rel.PublicationSlug); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := c.ListFiles(ctx(t), rel.ReleaseVersionID); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Requests("/api/publications/pub-a/releases"); n != 1 {
		t.Errorf("release list asked %d times, want 1", n)
	}
	if n := srv.Requests("/api/data-set-files"); n != 1 {
		t.Errorf("file list asked %d times, want 1", n)
	}
	// Without it (the default), every call asks.
	c2, _ := newClient(t, srv, nil)
	c2.ResolveRelease(ctx(t), "pub-a", "")
	c2.ResolveRelease(ctx(t), "pub-a", "")
	if n := srv.Requests("/api/publications/pub-a/releases"); n != 3 {
		t.Errorf("release list asked %d times in all, want 3", n)
	}
}
