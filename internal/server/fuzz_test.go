package server

// Fuzz targets of jitsudo-local (issue 8). Plain `go test` replays the
// seeds (f.Add and testdata/fuzz/<Target>/); `make fuzz` runs each target
// for FUZZTIME. Invariants: no panic; anything bad is a 4xx with the JSON
// error body; never a 5xx; strings are never altered on the way in.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/apitest"
)

// fuzzBodies are the request body types of the handlers, decoded as the
// handlers decode them.
var fuzzBodies = []func() any{
	func() any { return &api.PolicyCreate{} },
	func() any { return &api.PolicyUpdate{} },
	func() any { return &api.RuleCreate{} },
	func() any { return &api.RuleUpdate{} },
	func() any { return &api.RuleReorder{} },
	func() any { return &permissionSetUpsertBody{} },
	func() any { return &bulkDeleteBody{} },
	func() any { return &[]json.RawMessage{} },
}

// FuzzDecodeBody feeds arbitrary bodies to the server's JSON decoders
// (decodeFields, decodeBody, checkJSONText). No panic; every refusal is a
// 4xx apiError; an accepted body's strings are exactly what the JSON text
// says (no U+FFFD that the text does not hold).
func FuzzDecodeBody(f *testing.F) {
	for _, seed := range []string{
		`{"name":"p","max_duration_seconds":3600}`,
		`{"name":"a\ud800","max_duration_seconds":3600}`,
		`{"name":"\ud83d\ude00"}`,
		"{\"name\":\"\xff\"}",
		`{"resources":[{"id":"arn:aws:sso:::permissionSet/ssoins-1/ps-1","name":"n","metadata":{"k":["\udc00"]}}]}`,
		`{"ids":["a"],"if_match":{"a\ud800":"*"}}`,
		`[{"id":"5bf77342-221c-41ee-be56-0242ac120002"}]`,
		`{"effect":"permit","principal_scope_type":"any","action_scope_type":"any","resource_scope_type":"any","conditions":"when { true }"}`,
		`[[[[[[[[[[`,
		`{"a":1}{"b":2}`,
		`"\u`,
		``,
	} {
		for i := range fuzzBodies {
			f.Add(uint8(i), []byte(seed))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		dst := fuzzBodies[int(which)%len(fuzzBodies)]()
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		_, err := decodeFields(r, dst)
		if err == nil {
			var err2 error
			r2 := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
			err2 = decodeBody(r2, fuzzBodies[int(which)%len(fuzzBodies)]())
			if err2 != nil {
				t.Fatalf("decodeFields accepted what decodeBody refuses: %v", err2)
			}
		}
		if err != nil {
			ae := asAPIError(err)
			if ae == nil || ae.Status < 400 || ae.Status >= 500 {
				t.Fatalf("decode error is not a 4xx apiError: %#v", err)
			}
			if _, jerr := json.Marshal(ae.body()); jerr != nil {
				t.Fatalf("error body does not marshal: %v", jerr)
			}
		}
		// checkJSONText: text it lets through decodes without replacement.
		v := &validation{}
		checkJSONText(v, body)
		if v.ok() && json.Valid(body) {
			var anyv any
			if json.Unmarshal(body, &anyv) == nil && containsReplacement(anyv) &&
				!bytes.Contains(body, []byte("\uFFFD")) && !bytes.Contains(bytes.ToLower(body), []byte(`\ufffd`)) {
				t.Fatalf("checkJSONText passed a body whose strings decode with U+FFFD: %q", body)
			}
		}
		if !v.ok() && utf8.Valid(body) && !bytes.Contains(body, []byte(`\u`)) {
			t.Fatalf("checkJSONText refused valid UTF-8 without escapes: %q: %v", body, v.err())
		}
	})
}

// containsReplacement reports whether any string in v (keys included)
// holds U+FFFD.
func containsReplacement(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.ContainsRune(x, utf8.RuneError)
	case []any:
		for _, e := range x {
			if containsReplacement(e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range x {
			if strings.ContainsRune(k, utf8.RuneError) || containsReplacement(e) {
				return true
			}
		}
	}
	return false
}

// fuzzRoutes are the operations FuzzHandlers picks from. In paths, {p},
// {r} and {a} are a policy, rule and AWS role that exist, {s} is a
// permission set id, and {x} is the fuzzer's path segment.
var fuzzRoutes = []struct{ method, path string }{
	{"GET", "/healthz"},
	{"GET", "/debug/requests"},
	{"GET", "/v1/cedar/schema"},
	{"GET", "/v1/policies"},
	{"POST", "/v1/policies"},
	{"GET", "/v1/policies/{p}"},
	{"PATCH", "/v1/policies/{p}"},
	{"DELETE", "/v1/policies/{x}"},
	{"GET", "/v1/policies/{p}/rules"},
	{"POST", "/v1/policies/{p}/rules"},
	{"PATCH", "/v1/policies/{p}/rules/reorder"},
	{"GET", "/v1/policies/{p}/rules/{r}"},
	{"PATCH", "/v1/policies/{p}/rules/{r}"},
	{"DELETE", "/v1/policies/{p}/rules/{x}"},
	{"GET", "/v1/aws/permission-sets"},
	{"PUT", "/v1/aws/permission-sets"},
	{"POST", "/v1/aws/permission-sets/bulk-delete"},
	{"GET", "/v1/aws/permission-sets/{s}"},
	{"DELETE", "/v1/aws/permission-sets/{x}"},
	{"GET", "/v1/aws/roles"},
	{"GET", "/v1/aws/roles/{a}"},
	{"GET", "/v1/aws/roles/{a}/roles"},
	{"PUT", "/v1/aws/roles/{a}/roles"},
	{"GET", "/v1/roles"},
	{"GET", "/v1/policies/{x}"},
	{"POST", "/v1/{x}"},
}

// fuzzEnv is the server the handler fuzz target talks to, shared by the
// inputs of one process (state accumulates, as on a real server).
type fuzzEnv struct {
	srv                  *Server
	h                    http.Handler
	val                  *apitest.Validator
	policy, rule, awsRol string
}

var (
	fuzzEnvOnce sync.Once
	fuzzEnvVal  *fuzzEnv
	fuzzEnvErr  error
)

func newFuzzEnv(t testing.TB) *fuzzEnv {
	fuzzEnvOnce.Do(func() {
		fuzzEnvVal, fuzzEnvErr = buildFuzzEnv(t)
	})
	if fuzzEnvErr != nil {
		t.Fatal(fuzzEnvErr)
	}
	return fuzzEnvVal
}

func buildFuzzEnv(t testing.TB) (*fuzzEnv, error) {
	dir, err := os.MkdirTemp("", "jitsudo-fuzz-") //nolint:usetesting // the file outlives the input's t (refresh=true reads it later)
	if err != nil {
		return nil, err
	}
	srv, err := openTestServer(context.Background(), Options{MaxBatch: 50}, testRolesJSON, dir)
	if err != nil {
		return nil, err
	}
	val, err := apitest.New(srv.Handler())
	if err != nil {
		return nil, err
	}
	e := &fuzzEnv{srv: srv, h: val, val: val}
	do := func(method, path, body string) []byte {
		res, _ := fuzzServe(e.h, method, path, "", []byte(body), "")
		return res.Body.Bytes()
	}
	var pol api.Policy
	if err := json.Unmarshal(do("POST", "/v1/policies", `{"name":"fuzz-base","max_duration_seconds":3600,
		"cedar_policy_set":"permit(principal in Group::\"sre\", action, resource);"}`), &pol); err != nil {
		return nil, err
	}
	e.policy = pol.Id.String()
	if len(pol.Rules) > 0 {
		e.rule = pol.Rules[0].Id.String()
	}
	var roleList api.AwsRoleList
	if err := json.Unmarshal(do("GET", "/v1/aws/roles", ""), &roleList); err != nil || len(roleList.Data) == 0 {
		return nil, err
	}
	e.awsRol = roleList.Data[0].Id.String()
	return e, nil
}

// fuzzServe sends one request to h as tenant A.
func fuzzServe(h http.Handler, method, target, query string, body []byte, idemKey string) (*httptest.ResponseRecorder, *http.Request) {
	if query != "" {
		target += "?" + query
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, "/", rd)
	// Set the target after construction: NewRequest panics on targets it
	// cannot parse, a real server answers those 400 before any handler.
	u, err := req.URL.Parse(target)
	if err != nil || !strings.HasPrefix(target, "/") {
		return nil, nil
	}
	req.URL, req.RequestURI = u, target
	req.Header.Set("X-API-Key", keyA)
	req.Header.Set("X-Tenant-ID", tenantA)
	req.Header.Set("Content-Type", "application/json")
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec, req
}

// FuzzHandlers sends arbitrary requests to every operation through the
// whole middleware chain, against a real in-memory database, behind the
// contract validator. The route is picked by the input; seg fills the
// path segment the fuzzer controls, query is the raw query string.
// Invariants: no panic, no 5xx, every 4xx carries the JSON error body,
// and every response holds to the contract.
func FuzzHandlers(f *testing.F) {
	seeds := []struct {
		route      uint8
		seg, query string
		body       string
		idem       string
	}{
		{4, "", "", `{"name":"p1","max_duration_seconds":3600}`, ""},
		{4, "", "", `{"name":"p2","max_duration_seconds":3600,"cedar_policy_set":"permit(principal, action, resource) when { context.x > 1 };"}`, "k1"},
		{4, "", "", `{"name":"a\ud800","max_duration_seconds":3600}`, ""},
		{4, "", "", `{"name":"p3","max_duration_seconds":3600,"cedar_policy_set":"permit(principal,action,resource) when { ((((((((((true)))))))))) };"}`, ""},
		{9, "", "", `{"effect":"permit","principal_scope_type":"eq","principal_entity_type":"User","principal_entity_id":"alice","action_scope_type":"in","action_ids":["view"],"resource_scope_type":"any"}`, ""},
		{9, "", "", `{"policy_text":"forbid(principal, action, resource) unless { principal.level >= 3 };"}`, "k2"},
		{12, "", "", `{"conditions":"when { resource.owner == principal }"}`, ""},
		{10, "", "", `{"ids":[]}`, ""},
		{6, "", "", `{"description":null,"priority":5}`, ""},
		{15, "", "", `{"resources":[{"id":"arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef","name":"n","metadata":{"a":1},"session_duration":"PT8H"}]}`, ""},
		{16, "", "", `{"ids":["arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef"],"if_match":{"arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef":"*"}}`, "k3"},
		{17, "arn:aws:sso:::permissionSet%2Fssoins-1234567890abcdef%2Fps-1234567890abcdef", "", "", ""},
		{22, "", "", `[]`, ""},
		{19, "", "name=Admin&refresh=true&status=MISSING&limit=2", "", ""},
		{3, "", "cursor=eyJsIjoicG9saWNpZXMifQ&limit=0", "", ""},
		{24, "..", "", "", ""},
		{25, "%2e%2e", "", "", ""},
		{7, "not-a-uuid", "", "", ""},
	}
	for _, s := range seeds {
		f.Add(s.route, s.seg, s.query, []byte(s.body), s.idem)
	}
	f.Fuzz(func(t *testing.T, route uint8, seg, query string, body []byte, idem string) {
		e := newFuzzEnv(t)
		rt := fuzzRoutes[int(route)%len(fuzzRoutes)]
		path := strings.NewReplacer("{p}", e.policy, "{r}", e.rule, "{a}", e.awsRol,
			"{s}", seg, "{x}", seg).Replace(rt.path)
		var b []byte
		if rt.method != "GET" && rt.method != "DELETE" {
			b = body
		}
		before := len(e.val.Problems())
		rec, req := fuzzServe(e.h, rt.method, path, query, b, idem)
		if rec == nil {
			return // not a request a server would route
		}
		res := rec.Result()
		got := rec.Body.Bytes()
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s?%s %q -> %d %s", rt.method, path, query, b, res.StatusCode, got)
		}
		if res.StatusCode >= 300 && res.StatusCode < 400 {
			t.Fatalf("%s %s -> redirect %d", rt.method, path, res.StatusCode)
		}
		if rt.method == "POST" && rt.path == "/v1/policies" && res.StatusCode == http.StatusCreated {
			// Stored exactly as sent: the created policy's strings are
			// the request's, byte for byte.
			var sent, created map[string]any
			if json.Unmarshal(b, &sent) == nil && json.Unmarshal(got, &created) == nil {
				for _, k := range []string{"name", "description", "notification_channel"} {
					if v, ok := sent[k].(string); ok && created[k] != v {
						t.Fatalf("%s sent %q, stored %q", k, v, created[k])
					}
				}
			}
		}
		if res.StatusCode >= 400 {
			var apiErr api.Error
			if err := json.Unmarshal(got, &apiErr); err != nil || apiErr.Code == "" || res.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("%s %s -> %d without the JSON error body: %q", rt.method, path, res.StatusCode, got)
			}
		}
		// The validator's router (kin-openapi) cannot judge paths the
		// contract does not describe: it matches /v1/policies/ to
		// listPolicies, whose statuses do not include the right 404.
		if p := e.val.Problems(); len(p) > before && canonicalPath(req) {
			t.Fatalf("contract: %s", strings.Join(p[before:], "\n"))
		}
	})
}
