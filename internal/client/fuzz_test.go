package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// fuzzErrorBodies are error bodies the fuzz target starts from (besides
// testdata/fuzz/FuzzErrorDecoding).
var fuzzErrorBodies = []string{
	`{"code":"not_found","message":"policy 42 not found"}`,
	`{"code":"invalid_cedar","message":"m","details":{"validation":[{"type":"ERROR","code":"cedar_too_deep","location":"conditions","message":"x","line":2,"column":130}]}}`,
	`{"code":"conflict","message":"m","details":{"existing_id":"11111111-1111-1111-1111-111111111111"},"notices":["a"]}`,
	`{"code":"","message":"no code"}`,
	`{"code":null,"details":null,"notices":null}`,
	`{"code":1}`,
	`<html><body><h1>502 Bad Gateway</h1></body></html>`,
	"",
	"\xff\xfe not UTF-8 \x00",
	`{"code":"x","details":{"validation":[null,{"line":"x"}]}}`,
}

// checkAPIError checks the invariants of a decoded error: an *APIError
// with the response's status, a readable message of bounded length, and
// methods that do not panic.
func checkAPIError(t *testing.T, err error, status int, body []byte) {
	t.Helper()
	var e *APIError
	if !errors.As(err, &e) {
		t.Fatalf("status %d, body %q: error %T %v, want an *APIError", status, body, err, err)
	}
	if e.Status != status {
		t.Fatalf("Status %d, want %d", e.Status, status)
	}
	if e.Code == "" && utf8.RuneCountInString(e.Message) > maxMessage+1 {
		t.Fatalf("message of a body that is no API error is %d characters long", utf8.RuneCountInString(e.Message))
	}
	if msg := e.Error(); !strings.HasPrefix(msg, "jitsudo API: ") {
		t.Fatalf("Error() = %q", msg)
	}
	_ = e.Validation()
	_ = e.ExistingID()
	for _, s := range []error{ErrInvalidRequest, ErrInvalidCedar, ErrUnauthenticated, ErrForbidden, ErrTenantMismatch,
		ErrNotFound, ErrConflict, ErrPreconditionFailed, ErrRateLimited, ErrUnavailable} {
		_ = errors.Is(err, s)
	}
	if errors.Is(err, ErrUnavailable) != (status >= 500) || errors.Is(err, ErrNotFound) != (status == http.StatusNotFound) {
		t.Fatalf("sentinels do not follow the status %d", status)
	}
}

// FuzzErrorDecoding: any error response (status and body) decodes into an
// *APIError with the status, both directly (newAPIError) and through a
// real call against a server answering it.
func FuzzErrorDecoding(f *testing.F) {
	for i, body := range fuzzErrorBodies {
		f.Add(400+i*11, []byte(body))
	}
	var (
		mu     sync.Mutex
		status int
		body   []byte
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("X-Request-ID", "req-1")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	c, err := New(Config{Endpoint: srv.URL, APIKey: testKey, TenantID: testTenant, MaxRetries: NoRetries, HTTPClient: srv.Client()})
	if err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, code int, data []byte) {
		// Directly, with any status.
		resp := &http.Response{StatusCode: code, Header: http.Header{"X-Request-Id": {"req-1"}}}
		checkAPIError(t, newAPIError(resp, data), code, data)

		// Through a call: an error status (4xx, 5xx).
		s := 400 + (code%200+200)%200
		mu.Lock()
		status, body = s, data
		mu.Unlock()
		_, err := c.GetPolicy(context.Background(), "42")
		checkAPIError(t, err, s, data)
	})
}
