package server

// Test helpers of the platform tests (auth, middleware, discovery, AWS
// roles, roles, meta, command): fixed tenants and a discovery file on the
// harness of harness_test.go. Top-level names still start with "plat".

import (
	"bytes"
	"context"
	"encoding/json"
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

const (
	platTenantA = "6f1c1a6e-5d4c-4b8e-9a0e-0c1d2e3f4a5b"
	platTenantB = "0a9b8c7d-6e5f-4a3b-8c1d-9e8f7a6b5c4d"
	platKeyA    = "test-key-tenant-a-rw"
	platKeyARO  = "test-key-tenant-a-ro"
	platKeyB    = "test-key-tenant-b-rw"
)

// platRolesJSON is the discovery file of most tests: 3 internal roles, 2
// sources with 5 AWS roles (two named Admin).
const platRolesJSON = `{
  "roles": [
    {"name": "sre", "description": "Site reliability"},
    {"name": "developer"},
    {"name": "auditor", "description": "Auditors"}
  ],
  "sources": [
    {"id": "11111111-1111-4111-8111-111111111111", "name": "aws-prod", "aws_roles": [
      {"name": "Admin", "arn": "arn:aws:iam::123456789012:role/Admin", "description": "Prod admin"},
      {"arn": "arn:aws:iam::123456789012:role/ci/Deployer"},
      {"name": "ReadOnly", "arn": "arn:aws:iam::123456789012:role/ReadOnly"}
    ]},
    {"id": "22222222-2222-4222-8222-222222222222", "name": "aws-staging", "aws_roles": [
      {"name": "Admin", "arn": "arn:aws:iam::210987654321:role/Admin"},
      {"name": "Developer", "arn": "arn:aws:iam::210987654321:role/Developer", "description": "Staging dev"}
    ]}
  ]
}`

// platSyncBuffer is a bytes.Buffer safe for concurrent writers.
type platSyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *platSyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *platSyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// platEnv is a server with tenants A (read-write and read-only key) and B
// (read-write key), served on a loopback listener.
type platEnv struct {
	t     *testing.T
	srv   *Server
	ts    *httptest.Server
	val   *apitest.Validator
	clock *testClock
	roles string // path of the discovery file
}

type platEnvConfig struct {
	opts        Options
	rolesJSON   string // written to a temp file unless opts.RolesFile is set; "" for none
	noValidator bool   // fault tests answer statuses the contract does not list
}

func newPlatEnv(t *testing.T, cfg platEnvConfig) *platEnv {
	t.Helper()
	e := &platEnv{t: t, clock: newFixedClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))}
	opts := cfg.opts
	if opts.Now == nil {
		opts.Now = e.clock.Now
	}
	if cfg.rolesJSON != "" && opts.RolesFile == "" {
		e.roles = filepath.Join(t.TempDir(), "roles.json")
		platWriteFile(t, e.roles, cfg.rolesJSON)
		opts.RolesFile = e.roles
	}
	ctx := context.Background()
	srv, err := New(ctx, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.srv = srv
	for _, k := range []struct {
		tenant, key string
		ro          bool
	}{{platTenantA, platKeyA, false}, {platTenantA, platKeyARO, true}, {platTenantB, platKeyB, false}} {
		if err := srv.EnsureTenant(ctx, k.tenant); err != nil {
			t.Fatalf("EnsureTenant: %v", err)
		}
		if err := srv.AddKey(ctx, k.tenant, k.key, k.ro); err != nil {
			t.Fatalf("AddKey: %v", err)
		}
	}
	e.ts, e.val = serveForTest(t, srv, !cfg.noValidator)
	return e
}

func platWriteFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// platResp is a response read whole.
type platResp struct {
	Status int
	Header http.Header
	Body   []byte
}

// apiErr decodes the error body.
func (r platResp) apiErr(t *testing.T) api.Error {
	t.Helper()
	var e api.Error
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatalf("error body %q: %v", r.Body, err)
	}
	return e
}

// locations lists details.validation[].location of an error body.
func (r platResp) locations(t *testing.T) []string {
	t.Helper()
	e := r.apiErr(t)
	var out []string
	if e.Details != nil && e.Details.Validation != nil {
		for _, v := range *e.Details.Validation {
			out = append(out, v.Location)
		}
	}
	return out
}

func (r platResp) decode(t *testing.T, dst any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, dst); err != nil {
		t.Fatalf("body %q: %v", r.Body, err)
	}
}

// platAuth are the credential headers of a request; zero values are not sent.
type platAuth struct{ key, tenant string }

var (
	platAsA   = platAuth{platKeyA, platTenantA}
	platAsARO = platAuth{platKeyARO, platTenantA}
	platAsB   = platAuth{platKeyB, platTenantB}
)

// do sends a request to the env's server.
func (e *platEnv) do(method, path string, auth platAuth, body string, headers ...string) platResp {
	e.t.Helper()
	return platDo(e.t, e.ts.URL, method, path, auth, body, headers...)
}

// platDo sends a request; headers are name, value pairs.
func platDo(t *testing.T, base, method, path string, auth platAuth, body string, headers ...string) platResp {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth.key != "" {
		req.Header.Set("X-API-Key", auth.key)
	}
	if auth.tenant != "" {
		req.Header.Set("X-Tenant-ID", auth.tenant)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return platResp{Status: res.StatusCode, Header: res.Header, Body: b}
}

// want fails the test unless r has status (and, if code is not "", that
// error code).
func (r platResp) want(t *testing.T, status int, code string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	if code != "" {
		if got := r.apiErr(t).Code; got != code {
			t.Fatalf("code %q, want %q; body %s", got, code, r.Body)
		}
	}
}

// awsRoles lists all AWS roles of a tenant (one page of 250).
func (e *platEnv) awsRoles(auth platAuth, query string) []api.AwsRole {
	e.t.Helper()
	r := e.do("GET", "/v1/aws/roles?limit=250"+query, auth, "")
	r.want(e.t, 200, "")
	var list api.AwsRoleList
	r.decode(e.t, &list)
	return list.Data
}

// awsRoleByARN finds the AWS role with arn among a tenant's roles.
func (e *platEnv) awsRoleByARN(auth platAuth, arn string) api.AwsRole {
	e.t.Helper()
	for _, r := range e.awsRoles(auth, "") {
		if r.Arn == arn {
			return r
		}
	}
	e.t.Fatalf("no AWS role %s", arn)
	return api.AwsRole{}
}

// roleIDs maps the names of a tenant's internal roles to their ids.
func (e *platEnv) roleIDs(auth platAuth) map[string]string {
	e.t.Helper()
	r := e.do("GET", "/v1/roles?limit=250", auth, "")
	r.want(e.t, 200, "")
	var list api.RoleList
	r.decode(e.t, &list)
	out := map[string]string{}
	for _, role := range list.Data {
		out[role.Name] = role.Id.String()
	}
	return out
}
