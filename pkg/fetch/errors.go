package fetch

import (
	"errors"
	"fmt"
)

// ErrNotFound is matched (errors.Is) by every *NotFoundError.
var ErrNotFound = errors.New("not found")

// ErrTruncated is matched by errors about a body that ended early.
var ErrTruncated = errors.New("download truncated")

// ErrTooLarge is matched by errors about a file or zip entry over its size cap.
var ErrTooLarge = errors.New("over the size cap")

// ErrUnsafeZip is matched by errors about a zip that would write outside its
// folder, holds a symlink, an absolute path or too many entries.
var ErrUnsafeZip = errors.New("unsafe zip")

// NotFoundError reports an HTTP 404/410. It is never retried.
type NotFoundError struct {
	URL  string
	What string // optional, e.g. `publication "foo"`
}

func (e *NotFoundError) Error() string {
	if e.What != "" {
		return fmt.Sprintf("%s not found (GET %s returned 404)", e.What, e.URL)
	}
	return fmt.Sprintf("not found: GET %s returned 404", e.URL)
}

// Is reports whether target is ErrNotFound.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// HTTPError is an unexpected HTTP status (after retries, for 429 and 5xx).
type HTTPError struct {
	URL        string
	StatusCode int
	Body       string // first bytes of the body, for the message
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("GET %s: HTTP %d", e.URL, e.StatusCode)
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// ShapeError reports a JSON response that lacks what this package needs:
// the EES content API is unversioned and may have changed.
type ShapeError struct {
	URL     string
	Missing string
}

func (e *ShapeError) Error() string {
	return fmt.Sprintf("unexpected response from %s: %s (the EES content API may have changed; please report this)", e.URL, e.Missing)
}

// InsecureURLError is returned for plain http:// to a host that is not loopback,
// or any scheme other than http/https.
type InsecureURLError struct {
	URL string
}

func (e *InsecureURLError) Error() string {
	return fmt.Sprintf("refusing %s: only https:// is allowed (plain http only for loopback test servers)", e.URL)
}

// ValidationError reports a downloaded file that the validator rejected.
type ValidationError struct {
	Name string // file name or URL
	Err  error
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("%s rejected: %v", e.Name, e.Err)
}

func (e *ValidationError) Unwrap() error { return e.Err }
