package fetch

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"
)

// Defaults used when the matching Options field is zero.
const (
	DefaultContentBaseURL = "https://content.explore-education-statistics.service.gov.uk/api"
	DefaultNomisBaseURL   = "https://www.nomisweb.co.uk/api/v01"
	DefaultMaxConcurrent  = 3
	DefaultMaxRetries     = 4
	DefaultBaseBackoff    = time.Second
	DefaultMaxBackoff     = time.Minute
	DefaultMaxRetryAfter  = 10 * time.Minute
	DefaultMaxFileBytes   = int64(1) << 30 // 1 GiB per data file or zip entry
	DefaultMaxZipBytes    = int64(4) << 30 // 4 GiB for a whole-release zip
	DefaultMaxZipEntries  = 5000
	// DefaultMaxZipTotalBytes caps what one release zip may expand to (the
	// entries extracted); DfE's largest releases expand to a few hundred MB.
	DefaultMaxZipTotalBytes = int64(2) << 30
	// DefaultMaxZipRatio caps an entry's uncompressed:compressed size ratio
	// (entries over zipRatioFloor bytes); DfE CSVs compress about 20-30:1,
	// a zip bomb 1000:1.
	DefaultMaxZipRatio = 200
	DefaultTimeout     = 30 * time.Minute
	ProjectURL         = "https://github.com/cscstats/cscstats"
)

// Options configures a Client. The zero value is usable (production hosts).
type Options struct {
	ContentBaseURL string // EES content API base, default DefaultContentBaseURL
	NomisBaseURL   string // Nomis API base, default DefaultNomisBaseURL

	Version    string       // cscstats version for the User-Agent, default "dev"
	UserAgent  string       // overrides the whole User-Agent
	HTTPClient *http.Client // default: timeouts below, redirects checked for https
	Timeout    time.Duration

	MaxConcurrent int           // requests in flight at once, default 3
	MaxRetries    int           // retries after the first try on 429/5xx/network errors; <0 means none
	BaseBackoff   time.Duration // first retry delay before jitter, doubled each retry
	MaxBackoff    time.Duration
	MaxRetryAfter time.Duration // a longer Retry-After fails instead of waiting

	// Sleep waits d or until ctx is done; tests inject a recorder.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock used for Retry-After HTTP dates and fetched_at.
	Now func() time.Time
	// Jitter returns a number in [0,1); default math/rand/v2.
	Jitter func() float64

	MaxFileBytes  int64 // cap per downloaded file and per zip entry
	MaxZipBytes   int64 // cap for a whole-release zip
	MaxZipEntries int
	// MaxZipTotalBytes caps the bytes extracted from one zip, declared and
	// actual; MaxZipRatio caps each entry's compression ratio.
	MaxZipTotalBytes int64
	MaxZipRatio      int64

	// Validate checks a downloaded file before it is renamed into place.
	// Default DefaultValidator. The path ends with the real file name's extension.
	Validate func(path string) error

	Progress Progress // default: a progress bar if stderr is a terminal, else none
	Quiet    bool     // no progress and no log lines
	Verbose  bool     // log each request and decision to Log

	// ReuseLookups makes the Client remember the content API's JSON
	// answers (release lists, file lists, redirects) for its life, so a
	// run that resolves a release, lists its files and downloads them asks
	// for each once. For one run; a long-lived Client would not see
	// new releases.
	ReuseLookups bool
	Log          io.Writer // default os.Stderr
}

// Client talks to the EES content API and Nomis. Safe for concurrent use.
type Client struct {
	contentBase *url.URL
	nomisBase   *url.URL
	hc          *http.Client
	ua          string
	sem         chan struct{}
	opt         Options
	progress    Progress

	logMu sync.Mutex

	// memo holds the content API's JSON answers by URL for the Client's
	// life (one run): see getJSON.
	memoMu sync.Mutex
	memo   map[string][]byte
}

// New checks the options and returns a Client.
func New(opt Options) (*Client, error) {
	if opt.ContentBaseURL == "" {
		opt.ContentBaseURL = DefaultContentBaseURL
	}
	if opt.NomisBaseURL == "" {
		opt.NomisBaseURL = DefaultNomisBaseURL
	}
	cb, err := parseBase(opt.ContentBaseURL)
	if err != nil {
		return nil, fmt.Errorf("content API base: %w", err)
	}
	nb, err := parseBase(opt.NomisBaseURL)
	if err != nil {
		return nil, fmt.Errorf("Nomis base: %w", err)
	}
	if opt.Version == "" {
		opt.Version = "dev"
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	if opt.MaxConcurrent <= 0 {
		opt.MaxConcurrent = DefaultMaxConcurrent
	}
	if opt.MaxRetries == 0 {
		opt.MaxRetries = DefaultMaxRetries
	} else if opt.MaxRetries < 0 {
		opt.MaxRetries = 0
	}
	if opt.BaseBackoff <= 0 {
		opt.BaseBackoff = DefaultBaseBackoff
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = DefaultMaxBackoff
	}
	if opt.MaxRetryAfter <= 0 {
		opt.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if opt.Sleep == nil {
		opt.Sleep = sleepCtx
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Jitter == nil {
		opt.Jitter = rand.Float64
	}
	if opt.MaxFileBytes <= 0 {
		opt.MaxFileBytes = DefaultMaxFileBytes
	}
	if opt.MaxZipBytes <= 0 {
		opt.MaxZipBytes = DefaultMaxZipBytes
	}
	if opt.MaxZipEntries <= 0 {
		opt.MaxZipEntries = DefaultMaxZipEntries
	}
	if opt.MaxZipTotalBytes <= 0 {
		opt.MaxZipTotalBytes = DefaultMaxZipTotalBytes
	}
	if opt.MaxZipRatio <= 0 {
		opt.MaxZipRatio = DefaultMaxZipRatio
	}
	if opt.Validate == nil {
		opt.Validate = DefaultValidator
	}
	if opt.Log == nil {
		opt.Log = os.Stderr
	}
	c := &Client{
		contentBase: cb,
		nomisBase:   nb,
		ua:          opt.UserAgent,
		sem:         make(chan struct{}, opt.MaxConcurrent),
	}
	if c.ua == "" {
		c.ua = fmt.Sprintf("cscstats/%s (+%s)", opt.Version, ProjectURL)
	}
	switch {
	case opt.Quiet:
		c.progress = NopProgress{}
	case opt.Progress != nil:
		c.progress = opt.Progress
	default:
		c.progress = NewTerminalProgress(os.Stderr)
	}
	if opt.HTTPClient != nil {
		hc := *opt.HTTPClient // shallow copy: never modify the caller's client
		if hc.CheckRedirect == nil {
			hc.CheckRedirect = checkRedirect
		}
		c.hc = &hc
	} else {
		tr := &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   15 * time.Second,
			ResponseHeaderTimeout: 2 * time.Minute,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   opt.MaxConcurrent,
			ForceAttemptHTTP2:     true,
		}
		c.hc = &http.Client{Transport: tr, Timeout: opt.Timeout, CheckRedirect: checkRedirect}
	}
	c.opt = opt
	return c, nil
}

// UserAgent returns the User-Agent header the client sends.
func (c *Client) UserAgent() string { return c.ua }

// ContentBaseURL returns the EES content API base in use.
func (c *Client) ContentBaseURL() string { return c.contentBase.String() }

func parseBase(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil {
		return nil, err
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q has no host", raw)
	}
	if err := CheckURL(u); err != nil {
		return nil, err
	}
	return u, nil
}

// CheckURL allows https:// anywhere and http:// only to loopback hosts
// (127.0.0.0/8, ::1, localhost), which is what test servers use.
func CheckURL(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
	}
	return &InsecureURLError{URL: u.Redacted()}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return CheckURL(req.URL)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (c *Client) logf(format string, args ...any) {
	if !c.opt.Verbose || c.opt.Quiet {
		return
	}
	c.logMu.Lock()
	defer c.logMu.Unlock()
	fmt.Fprintf(c.opt.Log, "fetch: "+format+"\n", args...)
}

// contentURL joins path segments (escaped) onto the content API base.
func (c *Client) contentURL(query url.Values, segs ...string) string {
	u := *c.contentBase
	p := u.Path
	for _, s := range segs {
		p += "/" + url.PathEscape(s)
	}
	u.Path = p
	u.RawPath = ""
	if query != nil {
		u.RawQuery = query.Encode()
	}
	return u.String()
}

// backoff returns the jittered delay before retry number n (0-based).
func (c *Client) backoff(n int) time.Duration {
	d := c.opt.BaseBackoff
	for i := 0; i < n && d < c.opt.MaxBackoff; i++ {
		d *= 2
	}
	if d > c.opt.MaxBackoff {
		d = c.opt.MaxBackoff
	}
	half := d / 2
	return half + time.Duration(c.opt.Jitter()*float64(half))
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(h, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

func retryableStatus(code int) bool {
	return code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500
}

func permanentNetError(err error) bool {
	var ins *InsecureURLError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	if errors.As(err, &ins) || errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci) {
		return true
	}
	// No network at all (the host name does not resolve, or there is no
	// route): retrying for a minute would only delay the advice.
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return true
	}
	return errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH)
}

// get performs a GET with the concurrency limit and retries. It returns only
// 2xx and 304 responses; the caller must Close the body, which frees the slot.
func (c *Client) get(ctx context.Context, rawURL string, hdr http.Header) (*http.Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if err := CheckURL(u); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
		if err != nil {
			return nil, err
		}
		for k, v := range hdr {
			req.Header[k] = v
		}
		req.Header.Set("User-Agent", c.ua)
		if req.Header.Get("Accept") == "" {
			req.Header.Set("Accept", "application/json, text/csv, */*;q=0.5")
		}
		select {
		case c.sem <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		release := sync.OnceFunc(func() { <-c.sem })
		c.logf("GET %s (try %d)", rawURL, attempt+1)
		resp, err := c.hc.Do(req)
		if err != nil {
			release()
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if permanentNetError(err) || attempt >= c.opt.MaxRetries {
				return nil, err
			}
			wait := c.backoff(attempt)
			c.logf("GET %s failed (%v); retrying in %s", rawURL, err, wait)
			if err := c.opt.Sleep(ctx, wait); err != nil {
				return nil, err
			}
			continue
		}
		code := resp.StatusCode
		if (code >= 200 && code < 300) || code == http.StatusNotModified {
			resp.Body = &releaseBody{ReadCloser: resp.Body, release: release}
			return resp, nil
		}
		snippet := readSnippet(resp.Body)
		resp.Body.Close()
		release()
		final := resp.Request.URL.String()
		switch {
		case code == http.StatusNotFound || code == http.StatusGone:
			return nil, &NotFoundError{URL: final}
		case retryableStatus(code) && attempt < c.opt.MaxRetries:
			wait, ok := retryAfter(resp.Header.Get("Retry-After"), c.opt.Now())
			if ok && wait > c.opt.MaxRetryAfter {
				return nil, fmt.Errorf("GET %s: HTTP %d with Retry-After %s, longer than the %s allowed; try again later", final, code, wait, c.opt.MaxRetryAfter)
			}
			if !ok {
				wait = c.backoff(attempt)
			}
			c.logf("GET %s: HTTP %d; retrying in %s", final, code, wait)
			if err := c.opt.Sleep(ctx, wait); err != nil {
				return nil, err
			}
		default:
			return nil, &HTTPError{URL: final, StatusCode: code, Body: snippet}
		}
	}
}

func readSnippet(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, 300))
	s := strings.TrimSpace(strings.ToValidUTF8(string(b), "?"))
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

type releaseBody struct {
	io.ReadCloser
	release func()
}

func (b *releaseBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}
