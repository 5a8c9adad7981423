package server

// Test helpers of the policy, rule and permission set tests: a server
// behind its real Handler (authentication included) and the contract
// validator, on a loopback listener, and one client per tenant.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// resourceServer is a jitsudo-local under test.
type resourceServer struct {
	t   *testing.T
	srv *Server
	url string
	n   int // tenants created
}

// newResourceServer starts a server with opts (and a step clock unless
// opts.Now is set). Every response is checked against openapi.yaml; a
// violation fails the test.
func newResourceServer(t *testing.T, opts Options) *resourceServer {
	t.Helper()
	if opts.Now == nil {
		opts.Now = newStepClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)).Now
	}
	srv, err := New(t.Context(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	hs, _ := serveForTest(t, srv, true)
	return &resourceServer{t: t, srv: srv, url: hs.URL}
}

// tenantClient calls the API as one tenant with a read-write key.
type tenantClient struct {
	t      *testing.T
	url    string
	tenant string
	key    string
}

// tenant creates a new tenant with a key and returns its client.
func (rs *resourceServer) tenant() *tenantClient {
	rs.t.Helper()
	rs.n++
	id := fmt.Sprintf("00000000-0000-4000-8000-%012d", rs.n)
	key := fmt.Sprintf("test-key-%d", rs.n)
	if err := rs.srv.AddKey(rs.t.Context(), id, key, false); err != nil {
		rs.t.Fatalf("AddKey: %v", err)
	}
	return &tenantClient{t: rs.t, url: rs.url, tenant: id, key: key}
}

// response is an answer of the server.
type response struct {
	t      *testing.T
	status int
	header http.Header
	body   []byte
}

// do sends a request; body is JSON-encoded unless it is a string or
// []byte (sent as is). headers are name, value pairs.
func (c *tenantClient) do(method, path string, body any, headers ...string) *response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.t.Fatalf("marshal request: %v", err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.url+path, rd)
	if err != nil {
		c.t.Fatalf("new request: %v", err)
	}
	req.Header.Set("X-API-Key", c.key)
	req.Header.Set("X-Tenant-ID", c.tenant)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return &response{t: c.t, status: res.StatusCode, header: res.Header, body: data}
}

// want fails the test unless the status is status; it returns r.
func (r *response) want(status int) *response {
	r.t.Helper()
	if r.status != status {
		r.t.Fatalf("status %d, want %d; body: %s", r.status, status, r.body)
	}
	return r
}

// into decodes the body into v.
func (r *response) into(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		r.t.Fatalf("decode %s: %v", r.body, err)
	}
}

// apiErr checks the status and error code and returns the error body.
func (r *response) apiErr(status int, code string) api.Error {
	r.t.Helper()
	r.want(status)
	var e api.Error
	r.into(&e)
	if e.Code != code {
		r.t.Fatalf("error code %q, want %q; body: %s", e.Code, code, r.body)
	}
	return e
}

// findings returns the details.validation of an error body.
func findings(e api.Error) []api.ValidationDetail {
	if e.Details == nil || e.Details.Validation == nil {
		return nil
	}
	return *e.Details.Validation
}

// wantLocations fails unless the error's findings are exactly at the
// given locations (in any order, each as often as listed).
func wantLocations(t *testing.T, e api.Error, locations ...string) {
	t.Helper()
	got := map[string]int{}
	for _, f := range findings(e) {
		got[f.Location]++
	}
	want := map[string]int{}
	for _, l := range locations {
		want[l]++
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("findings at %v, want %v; error: %s: %+v", got, want, e.Message, findings(e))
	}
}

// findingAt returns the first finding at location, failing if none.
func findingAt(t *testing.T, e api.Error, location string) api.ValidationDetail {
	t.Helper()
	for _, f := range findings(e) {
		if f.Location == location {
			return f
		}
	}
	t.Fatalf("no finding at %q in %+v", location, findings(e))
	return api.ValidationDetail{}
}

func TestConditionsPosition(t *testing.T) {
	// head is 5 lines; the trimmed conditions start on line 6, column 1.
	assembled := "permit (\n  principal,\n  action,\n  resource\n)\nwhen {\n  x <\n};"
	start := strings.Index(assembled, "when")
	tests := []struct {
		name, conditions  string
		line, col         int
		wantLine, wantCol int
		wantOK            bool
	}{
		{"first line", "when {\n  x <\n}", 6, 3, 1, 3, true},
		{"second line", "when {\n  x <\n}", 7, 5, 2, 5, true},
		{"leading spaces on the first line", "   when {\n  x <\n}", 6, 3, 1, 6, true},
		{"leading blank lines", "\n\n  when {\n  x <\n}", 7, 5, 4, 5, true},
		{"leading blank lines, first line", "\n\n  when {\n  x <\n}", 6, 1, 3, 3, true},
		{"past the end", "when {\n  x <\n}", 9, 1, 3, 2, true},
		{"before the conditions", "when {\n  x <\n}", 2, 3, 0, 0, false},
		{"no position", "when {\n  x <\n}", 0, 0, 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			line, col, ok := conditionsPosition(assembled, start, tc.conditions, tc.line, tc.col)
			if ok != tc.wantOK || ok && (line != tc.wantLine || col != tc.wantCol) {
				t.Fatalf("got %d:%d %v, want %d:%d %v", line, col, ok, tc.wantLine, tc.wantCol, tc.wantOK)
			}
		})
	}
}
