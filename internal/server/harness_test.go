package server

// The one server test harness: a server (testServer) behind its real
// Handler and the contract validator on a loopback listener, with the
// test clock, the fixed tenants A and B, tenants made on demand and
// optionally a discovery file; requests and responses (send, response).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/apitest"
)

// testClock is the clock of the tests: every reading moves it by step
// (0 for a clock that moves only with Advance).
type testClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

// newStepClock is a deterministic clock: every reading is one millisecond
// after the previous one.
func newStepClock(start time.Time) *testClock {
	return &testClock{t: start, step: time.Millisecond}
}

// newFixedClock is a clock that stands still until Advance.
func newFixedClock(start time.Time) *testClock {
	return &testClock{t: start}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// serveForTest serves srv's Handler on a loopback listener, checked against
// openapi.yaml unless validate is false (fault tests answer statuses the
// contract does not list); at cleanup a contract violation fails the test
// and srv is closed. The validator is nil when validate is false.
func serveForTest(t *testing.T, srv *Server, validate bool) (*httptest.Server, *apitest.Validator) {
	t.Helper()
	h := srv.Handler()
	var val *apitest.Validator
	if validate {
		v, err := apitest.New(h)
		if err != nil {
			t.Fatalf("apitest.New: %v", err)
		}
		val, h = v, v
	}
	hs := httptest.NewServer(h)
	t.Cleanup(func() {
		hs.Close()
		if val != nil {
			for _, p := range val.Problems() {
				t.Errorf("contract violation: %s", p)
			}
		}
		_ = srv.Close()
	})
	return hs, val
}

// The fixed tenants of every test server: A with a read-write and a
// read-only key, B with a read-write key.
const (
	tenantA = "6f1c1a6e-5d4c-4b8e-9a0e-0c1d2e3f4a5b"
	tenantB = "0a9b8c7d-6e5f-4a3b-8c1d-9e8f7a6b5c4d"
	keyA    = "test-key-tenant-a-rw"
	keyARO  = "test-key-tenant-a-ro"
	keyB    = "test-key-tenant-b-rw"
)

// credentials are the credential headers of a request; zero values are
// not sent.
type credentials struct{ key, tenant string }

var (
	asA   = credentials{keyA, tenantA}
	asARO = credentials{keyARO, tenantA}
	asB   = credentials{keyB, tenantB}
)

// testServer is a jitsudo-local under test: the fixed tenants A and B,
// more tenants on demand (tenant), optionally a discovery file, served by
// serveForTest.
type testServer struct {
	t     *testing.T
	srv   *Server
	ts    *httptest.Server
	url   string
	val   *apitest.Validator // nil with noValidator
	clock *testClock         // nil when opts.Now was given
	roles string             // path of the discovery file, "" for none
	n     int                // tenants made by tenant()
}

// serverConfig configures newTestServer.
type serverConfig struct {
	opts        Options
	fixedClock  bool   // a clock that moves only with Advance (else every reading moves it 1ms)
	rolesJSON   string // written to a temp file unless opts.RolesFile is set; "" for none
	noValidator bool   // fault tests answer statuses the contract does not list
}

// newTestServer starts a server configured by cfg. opts.Now, when set,
// replaces the test clock.
func newTestServer(t *testing.T, cfg serverConfig) *testServer {
	t.Helper()
	ts := &testServer{t: t}
	opts := cfg.opts
	if opts.Now == nil {
		ts.clock = newStepClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
		if cfg.fixedClock {
			ts.clock = newFixedClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
		}
		opts.Now = ts.clock.Now
	}
	srv, err := openTestServer(t.Context(), opts, cfg.rolesJSON, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ts.srv, ts.roles = srv, srv.opts.RolesFile
	ts.ts, ts.val = serveForTest(t, srv, !cfg.noValidator)
	ts.url = ts.ts.URL
	return ts
}

// openTestServer opens a server with opts and the fixed tenants' keys;
// rolesJSON, unless "" or opts.RolesFile is set, is written to
// dir/roles.json as its discovery file. The fuzz targets share one such
// server across inputs.
func openTestServer(ctx context.Context, opts Options, rolesJSON, dir string) (*Server, error) {
	if rolesJSON != "" && opts.RolesFile == "" {
		opts.RolesFile = filepath.Join(dir, "roles.json")
		if err := os.WriteFile(opts.RolesFile, []byte(rolesJSON), 0o600); err != nil {
			return nil, err
		}
	}
	srv, err := New(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("New: %w", err)
	}
	for _, k := range []struct {
		as credentials
		ro bool
	}{{asA, false}, {asARO, true}, {asB, false}} {
		if err := srv.EnsureTenant(ctx, k.as.tenant); err != nil {
			return nil, fmt.Errorf("EnsureTenant: %w", err)
		}
		if err := srv.AddKey(ctx, k.as.tenant, k.as.key, k.ro); err != nil {
			return nil, fmt.Errorf("AddKey: %w", err)
		}
	}
	return srv, nil
}

// do sends a request to the server; body "" sends none.
func (ts *testServer) do(method, path string, as credentials, body string, headers ...string) *response {
	ts.t.Helper()
	return send(ts.t, ts.url, method, path, as, body, headers...)
}

// tenantClient calls the API as one tenant.
type tenantClient struct {
	t   *testing.T
	url string
	as  credentials
}

// tenant creates a new tenant with a read-write key and returns its
// client.
func (ts *testServer) tenant() *tenantClient {
	ts.t.Helper()
	ts.n++
	as := credentials{key: fmt.Sprintf("test-key-%d", ts.n), tenant: fmt.Sprintf("00000000-0000-4000-8000-%012d", ts.n)}
	if err := ts.srv.AddKey(ts.t.Context(), as.tenant, as.key, false); err != nil {
		ts.t.Fatalf("AddKey: %v", err)
	}
	return &tenantClient{t: ts.t, url: ts.url, as: as}
}

// do sends a request as the client's tenant; body is JSON-encoded unless
// it is a string or []byte (sent as is).
func (c *tenantClient) do(method, path string, body any, headers ...string) *response {
	c.t.Helper()
	return send(c.t, c.url, method, path, c.as, body, headers...)
}

// send sends a request to base+path; body is JSON-encoded unless it is a
// string or []byte (sent as is), nil or "" for none. headers are name,
// value pairs: they replace the defaults (Content-Type) of their name,
// and a name given twice is sent twice.
func send(t *testing.T, base, method, path string, as credentials, body any, headers ...string) *response {
	t.Helper()
	if body == "" {
		body = nil
	}
	req, err := http.NewRequest(method, base+path, requestBody(t, body))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if as.key != "" {
		req.Header.Set("X-API-Key", as.key)
	}
	if as.tenant != "" {
		req.Header.Set("X-Tenant-ID", as.tenant)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Del(headers[i])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return &response{t: t, Status: res.StatusCode, Header: res.Header, Body: data}
}

// requestBody is the reader of a request body for send.
func requestBody(t *testing.T, body any) io.Reader {
	t.Helper()
	switch b := body.(type) {
	case nil:
		return nil
	case string:
		return strings.NewReader(b)
	case []byte:
		return bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("marshal request: %v", err)
		}
		return bytes.NewReader(data)
	}
}

// response is an answer of the server, read whole.
type response struct {
	t      *testing.T
	Status int
	Header http.Header
	Body   []byte
}

// want fails the test unless the status is status; it returns r.
func (r *response) want(status int) *response {
	r.t.Helper()
	if r.Status != status {
		r.t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	return r
}

// into decodes the body into v.
func (r *response) into(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// errorBody decodes the error body, whatever the status.
func (r *response) errorBody() api.Error {
	r.t.Helper()
	var e api.Error
	r.into(&e)
	return e
}

// apiErr checks the status and error code and returns the error body.
func (r *response) apiErr(status int, code string) api.Error {
	r.t.Helper()
	r.want(status)
	e := r.errorBody()
	if e.Code != code {
		r.t.Fatalf("error code %q, want %q; body: %s", e.Code, code, r.Body)
	}
	return e
}

// locations lists details.validation[].location of an error body.
func (r *response) locations() []string {
	r.t.Helper()
	var out []string
	for _, f := range findings(r.errorBody()) {
		out = append(out, f.Location)
	}
	return out
}
