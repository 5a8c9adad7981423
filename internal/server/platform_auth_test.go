package server

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// contractOperation is one operation of the contract with its path filled in.
type contractOperation struct {
	method, template, path string
	public                 bool
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// contractOperations lists every operation of internal/api/openapi.yaml, path
// parameters filled with random UUIDs (an ARN for permission sets).
func contractOperations(t *testing.T) []contractOperation {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.Spec)
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	var ops []contractOperation
	for template, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			path := pathParam.ReplaceAllStringFunc(template, func(m string) string {
				if m == "{permissionSetId}" {
					return url.PathEscape("arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-" + uuid.NewString()[:16])
				}
				return uuid.NewString()
			})
			public := op.Security != nil && len(*op.Security) == 0
			ops = append(ops, contractOperation{method: method, template: template, path: path, public: public})
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		return ops[i].template+ops[i].method < ops[j].template+ops[j].method
	})
	if len(ops) < 20 {
		t.Fatalf("only %d operations in openapi.yaml", len(ops))
	}
	return ops
}

// TestAuthMatrix sends every operation of the contract with missing,
// unknown, other-tenant and read-only credentials.
func TestAuthMatrix(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true, rolesJSON: testRolesJSON})
	for _, op := range contractOperations(t) {
		t.Run(op.method+" "+op.template, func(t *testing.T) {
			body := ""
			if op.method != http.MethodGet && op.method != http.MethodDelete {
				body = "{}"
			}
			if op.public {
				e.do(op.method, op.path, credentials{}, body).want(200)
				return
			}
			e.do(op.method, op.path, credentials{tenant: tenantA}, body).apiErr(401, "unauthenticated")
			e.do(op.method, op.path, credentials{key: "no-such-key", tenant: tenantA}, body).apiErr(401, "unauthenticated")
			e.do(op.method, op.path, credentials{key: keyB, tenant: tenantA}, body).apiErr(403, "tenant_mismatch")
			e.do(op.method, op.path, credentials{key: keyA, tenant: tenantB}, body).apiErr(403, "tenant_mismatch")
			e.do(op.method, op.path, credentials{key: keyARO, tenant: tenantB}, body).apiErr(403, "tenant_mismatch")
			if op.method != http.MethodGet {
				r := e.do(op.method, op.path, asARO, body)
				r.apiErr(403, "forbidden")
				if !strings.Contains(r.errorBody().Message, "read-only") {
					t.Errorf("forbidden message %q does not say the key is read-only", r.errorBody().Message)
				}
			}
			for _, tenant := range []string{"", "not-a-uuid", strings.ReplaceAll(tenantA, "-", "")} {
				r := e.do(op.method, op.path, credentials{key: keyA, tenant: tenant}, body)
				r.apiErr(400, "invalid_request")
				if got := r.locations(); !slices.Equal(got, []string{"X-Tenant-ID"}) {
					t.Errorf("X-Tenant-ID %q: locations %v", tenant, got)
				}
			}
			if r := e.do(op.method, op.path, credentials{tenant: tenantA}, body); r.Header.Get("X-Request-ID") == "" {
				t.Errorf("no X-Request-ID on a 401")
			}
		})
	}
}

func TestAuthAcceptsTenantCaseInsensitively(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true, rolesJSON: testRolesJSON})
	e.do("GET", "/v1/roles", credentials{keyA, strings.ToUpper(tenantA)}, "").want(200)
	e.do("GET", "/v1/roles", asARO, "").want(200)
}

func TestPublicRoutesAndUnknownRoutes(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true})
	r := e.do("GET", "/healthz", credentials{}, "")
	r.want(200)
	if string(r.Body) != `{"status":"ok"}` {
		t.Errorf("healthz body %s", r.Body)
	}
	e.do("GET", "/debug/requests", credentials{}, "").want(200)

	r = e.do("GET", "/v1/nothing-here", asA, "")
	r.apiErr(404, "not_found")
	r = e.do("GET", "/v1/nothing-here", credentials{}, "")
	r.apiErr(404, "not_found")
	if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Request-ID") == "" {
		t.Errorf("404 headers %v", r.Header)
	}
	r = e.do("DELETE", "/v1/roles", asA, "")
	r.apiErr(405, "method_not_allowed")
	if allow := r.Header.Get("Allow"); !strings.Contains(allow, "GET") {
		t.Errorf("Allow %q", allow)
	}
	e.do("POST", "/healthz", credentials{}, "{}").apiErr(405, "method_not_allowed")
}

func TestParameterBindingErrors(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true, rolesJSON: testRolesJSON})
	for _, c := range []struct{ path, location string }{
		{"/v1/aws/roles/not-a-uuid", "awsRoleId"},
		{"/v1/aws/roles/not-a-uuid/roles", "awsRoleId"},
		{"/v1/aws/roles?limit=abc", "limit"},
		{"/v1/aws/roles?limit=0", "limit"},
		{"/v1/aws/roles?limit=251", "limit"},
		{"/v1/aws/roles?refresh=maybe", "refresh"},
		{"/v1/aws/roles?source=prod", "source"},
		{"/v1/aws/roles?status=GONE", "status"},
		{"/v1/aws/roles?cursor=garbage", "cursor"},
		{"/v1/roles?limit=-1", "limit"},
		{"/v1/roles?cursor=%21%21", "cursor"},
	} {
		r := e.do("GET", c.path, asA, "")
		r.apiErr(400, "invalid_request")
		if got := r.locations(); !slices.Equal(got, []string{c.location}) {
			t.Errorf("%s: locations %v, want [%s]; body %s", c.path, got, c.location, r.Body)
		}
	}
	// Credentials are checked before parameters.
	e.do("GET", "/v1/aws/roles/not-a-uuid", credentials{}, "").apiErr(401, "unauthenticated")
}

func TestRequestID(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true})
	r := e.do("GET", "/healthz", credentials{}, "", "X-Request-ID", "trace-abc.123:4_5")
	if got := r.Header.Get("X-Request-ID"); got != "trace-abc.123:4_5" {
		t.Errorf("sane request id not echoed: %q", got)
	}
	for _, bad := range []string{"has spaces", strings.Repeat("x", 129), "semi;colon"} {
		r := e.do("GET", "/healthz", credentials{}, "", "X-Request-ID", bad)
		if got := r.Header.Get("X-Request-ID"); got == bad || got == "" {
			t.Errorf("request id %q: answered %q", bad, got)
		}
	}
	a := e.do("GET", "/healthz", credentials{}, "").Header.Get("X-Request-ID")
	b := e.do("GET", "/healthz", credentials{}, "").Header.Get("X-Request-ID")
	if a == "" || a == b {
		t.Errorf("generated request ids %q, %q", a, b)
	}
}

func TestEnsureTenantAndAddKey(t *testing.T) {
	ctx := context.Background()
	e := newTestServer(t, serverConfig{fixedClock: true, rolesJSON: testRolesJSON})
	s := e.srv
	if err := s.EnsureTenant(ctx, "nope"); err == nil || !strings.Contains(err.Error(), "not a UUID") {
		t.Errorf("EnsureTenant(nope) = %v", err)
	}
	if err := s.EnsureTenant(ctx, strings.ToUpper(tenantA)); err != nil {
		t.Errorf("EnsureTenant again: %v", err)
	}
	if err := s.AddKey(ctx, tenantA, keyA, false); err != nil {
		t.Errorf("AddKey again: %v", err)
	}
	err := s.AddKey(ctx, tenantB, keyA, false)
	if err == nil || !strings.Contains(err.Error(), "already bound to tenant "+tenantA) {
		t.Errorf("AddKey of another tenant's key = %v", err)
	}
	for _, bad := range []string{"", "has space", strings.Repeat("k", 513)} {
		if err := s.AddKey(ctx, tenantA, bad, false); err == nil {
			t.Errorf("AddKey(%q) accepted", bad)
		}
	}
	// A new tenant through AddKey gets discovery too.
	const tenantC = "c0c0c0c0-0000-4000-8000-000000000001"
	if err := s.AddKey(ctx, tenantC, "key-c", false); err != nil {
		t.Fatal(err)
	}
	if n := len(e.awsRoles(credentials{"key-c", tenantC}, "")); n != 5 {
		t.Errorf("tenant C has %d AWS roles, want 5", n)
	}
	// Re-adding a key with another flag changes it.
	if err := s.AddKey(ctx, tenantC, "key-c", true); err != nil {
		t.Fatal(err)
	}
	e.do("PUT", "/v1/aws/roles/"+uuid.NewString()+"/roles", credentials{"key-c", tenantC}, "[]").apiErr(403, "forbidden")
	// Keys are stored hashed only.
	var stored string
	if err := s.db.QueryRow(`SELECT key_hash FROM api_keys WHERE tenant_id = ?`, tenantC).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored == "key-c" || len(stored) != 64 {
		t.Errorf("stored key %q", stored)
	}
}
