package server

// Regression tests of issue 8 (hardening): unclean paths, string and body
// limits, strings stored exactly or refused, Idempotency-Key records in the
// write's transaction, panics answered as 500s.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// hardServe sends one request straight to h, with the raw request target
// (no client-side path cleaning), and returns the response.
func hardServe(t *testing.T, h http.Handler, method, target string, auth credentials, body string, headers ...string) *response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if auth.key != "" {
		req.Header.Set("X-API-Key", auth.key)
		req.Header.Set("X-Tenant-ID", auth.tenant)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return &response{t: t, Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// wantValidation fails unless r is a 400 with a finding of code at location.
func (r *response) wantValidation(t *testing.T, code, location string) {
	t.Helper()
	r.want(http.StatusBadRequest)
	e := r.errorBody()
	if e.Details != nil && e.Details.Validation != nil {
		for _, d := range *e.Details.Validation {
			if d.Code == code && d.Location == location {
				return
			}
		}
	}
	t.Fatalf("want finding %s at %q; body %s", code, location, r.Body)
}

// Unclean paths: Go's ServeMux answered them with a 301/307 redirect and an
// HTML body; the contract says 404 not_found JSON.
func TestUncleanPathsAreNotFoundJSON(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true, rolesJSON: testRolesJSON})
	h := e.srv.Handler()
	for _, target := range []string{
		"/v1/policies/../../etc/passwd",
		"/v1//policies",
		"//v1/policies",
		"/./v1/policies",
		"/v1/./policies",
		"/v1/policies/.",
		"/v1/policies/..",
		"/v1/policies/%2e%2e/%2e%2e/etc/passwd",
		"/v1/policies/%2E/x",
		"/v1/aws/permission-sets/arn%2F..%2F..%2Fx",
		"/v1/aws/permission-sets/arn%2F%2Fx",
		"/v1/aws/roles/",
		"/healthz/",
		"/healthz/..",
		"/v1/policies/",
		"/debug/../healthz",
	} {
		for _, method := range []string{"GET", "POST", "DELETE"} {
			for _, auth := range []credentials{{}, asA} {
				r := hardServe(t, h, method, target, auth, "")
				if r.Status != http.StatusNotFound || r.Header.Get("Location") != "" || r.Header.Get("Content-Type") != "application/json" {
					t.Errorf("%s %s (auth %v): %d Location=%q Content-Type=%q %s, want 404 JSON",
						method, target, auth.key != "", r.Status, r.Header.Get("Location"), r.Header.Get("Content-Type"), r.Body)
					continue
				}
				if code := r.errorBody().Code; code != "not_found" {
					t.Errorf("%s %s: code %q", method, target, code)
				}
			}
		}
	}
	// Canonical paths still route.
	hardServe(t, h, "GET", "/v1/policies", asA, "").want(200)
	hardServe(t, h, "GET", "/healthz", credentials{}, "").want(200)
	hardServe(t, h, "GET", "/v1/aws/permission-sets/arn:aws:sso:::permissionSet%2Fssoins-1234567890abcdef%2Fps-1234567890abcdef", asA, "").apiErr(404, "not_found")
}

// Every request string has a maxLength the server enforces (400 too_long
// at the field), cedar_policy_set included, refused before any Cedar parse.
func TestRequestStringLimits(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true, rolesJSON: testRolesJSON})
	long := func(n int) string { return strings.Repeat("a", n) }
	js := func(s string) string { b, _ := json.Marshal(s); return string(b) }

	// cedar_policy_set: one character over the limit, deeply nested, is
	// refused quickly (no parse), at its location.
	start := time.Now()
	deep := strings.Repeat("(", api.MaxCedarPolicySetLength+1)
	e.do("POST", "/v1/policies", asA, `{"name":"p","max_duration_seconds":3600,"cedar_policy_set":`+js(deep)+`}`).
		wantValidation(t, "too_long", "cedar_policy_set")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("over-long cedar_policy_set took %v", d)
	}
	// At the limit the length check passes (the text is then parsed).
	e.do("POST", "/v1/policies", asA, `{"name":"p0","max_duration_seconds":3600,"cedar_policy_set":`+js(strings.Repeat(" ", api.MaxCedarPolicySetLength))+`}`).
		want(201)

	r := e.do("POST", "/v1/policies", asA, `{"name":"p1","max_duration_seconds":3600}`)
	r.want(201)
	var pol api.Policy
	r.into(&pol)
	rules := "/v1/policies/" + pol.Id.String() + "/rules"
	base := `"effect":"permit","action_scope_type":"any","resource_scope_type":"any"`
	for _, c := range []struct{ body, loc string }{
		{`{` + base + `,"principal_scope_type":"eq","principal_entity_type":` + js(long(api.MaxEntityTypeLength+1)) + `,"principal_entity_id":"x"}`, "principal_entity_type"},
		{`{` + base + `,"principal_scope_type":"eq","principal_entity_type":"User","principal_entity_id":` + js(long(api.MaxEntityIDLength+1)) + `}`, "principal_entity_id"},
		{`{"effect":"permit","principal_scope_type":"any","resource_scope_type":"any","action_scope_type":"in","action_ids":["view",` + js(long(api.MaxActionIDLength+1)) + `]}`, "action_ids[1]"},
		{`{"effect":"permit","principal_scope_type":"any","action_scope_type":"any","resource_scope_type":"is_in","resource_entity_type":"Account","resource_entity_id":"a","resource_in_entity_type":` + js(long(api.MaxEntityTypeLength+1)) + `}`, "resource_in_entity_type"},
	} {
		e.do("POST", rules, asA, c.body).wantValidation(t, "too_long", c.loc)
	}
	// Bulk permission set requests: if_match of an item, ids and if_match
	// values of a bulk delete.
	arn := "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef"
	e.do("PUT", "/v1/aws/permission-sets", asA, `{"resources":[{"id":"`+arn+`","name":"n","if_match":`+js(long(api.MaxIfMatchLength+1))+`}]}`).
		wantValidation(t, "too_long", "resources[0].if_match")
	e.do("POST", "/v1/aws/permission-sets/bulk-delete", asA, `{"ids":[`+js(long(api.MaxPermissionSetIDLength+1))+`]}`).
		wantValidation(t, "too_long", "ids[0]")
	e.do("POST", "/v1/aws/permission-sets/bulk-delete", asA, `{"ids":["`+arn+`"],"if_match":{"`+arn+`":`+js(long(api.MaxIfMatchLength+1))+`}}`).
		wantValidation(t, "too_long", ifMatchLocation(arn))
	// Parameters.
	e.do("GET", "/v1/policies?name="+long(api.MaxPolicyNameLength+1), asA, "").wantValidation(t, "too_long", "name")
	e.do("GET", "/v1/roles?name="+long(api.MaxRoleNameLength+1), asA, "").wantValidation(t, "too_long", "name")
	e.do("GET", "/v1/aws/roles?arn="+long(api.MaxArnLength+1), asA, "").wantValidation(t, "too_long", "arn")
	e.do("GET", "/v1/policies?cursor="+long(api.MaxCursorLength+1), asA, "").wantValidation(t, "too_long", "cursor")
	e.do("DELETE", "/v1/policies/"+pol.Id.String(), asA, "", "If-Match", long(api.MaxIfMatchLength+1)).wantValidation(t, "too_long", "If-Match")
	e.do("GET", "/v1/aws/permission-sets/"+long(api.MaxPermissionSetIDLength+1), asA, "").wantValidation(t, "too_long", "permissionSetId")
	// Credentials still come first.
	e.do("GET", "/v1/policies?name="+long(api.MaxPolicyNameLength+1), credentials{}, "").apiErr(401, "unauthenticated")
}

// hugeBody is a body of n bytes that is valid JSON up to its end.
func hugeBody(n int) io.Reader {
	prefix := `{"name":"big","max_duration_seconds":3600,"description":"`
	return io.MultiReader(strings.NewReader(prefix), io.LimitReader(repeatReader('a'), int64(n-len(prefix)-2)), strings.NewReader(`"}`))
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// Bodies over the limit are 413 too_large JSON, declared (Content-Length)
// or streamed (chunked), with or without Idempotency-Key.
func TestBodyTooLarge(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true, rolesJSON: testRolesJSON})
	for _, chunked := range []bool{false, true} {
		for _, key := range []string{"", "big-1"} {
			req, err := http.NewRequest(http.MethodPost, e.ts.URL+"/v1/policies", hugeBody(api.MaxRequestBodyBytes+1))
			if err != nil {
				t.Fatal(err)
			}
			if !chunked {
				req.ContentLength = api.MaxRequestBodyBytes + 1
			}
			req.Header.Set("X-API-Key", keyA)
			req.Header.Set("X-Tenant-ID", tenantA)
			if key != "" {
				req.Header.Set("Idempotency-Key", key)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("chunked=%v key=%q: %v", chunked, key, err)
			}
			b, _ := io.ReadAll(res.Body)
			_ = res.Body.Close()
			r := &response{t: t, Status: res.StatusCode, Header: res.Header, Body: b}
			r.apiErr(http.StatusRequestEntityTooLarge, "too_large")
		}
	}
	e.do("GET", "/v1/policies", asA, "").want(200)
}

// Strings are stored exactly as sent or refused: lone surrogates (which
// encoding/json turns into U+FFFD) and invalid UTF-8 are 400s at the JSON
// path of the string.
func TestStringsStoredExactlyOrRefused(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true, rolesJSON: testRolesJSON})
	arn := "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef"
	for _, c := range []struct {
		method, path, body, code, loc string
	}{
		{"POST", "/v1/policies", `{"name":"a\ud800","max_duration_seconds":3600}`, "invalid_unicode", "name"},
		{"POST", "/v1/policies", `{"name":"a\udc00b","max_duration_seconds":3600}`, "invalid_unicode", "name"},
		{"POST", "/v1/policies", `{"name":"a\ud800\ud800","max_duration_seconds":3600}`, "invalid_unicode", "name"},
		{"POST", "/v1/policies", `{"name":"a\ud800x\udc00","max_duration_seconds":3600}`, "invalid_unicode", "name"},
		{"POST", "/v1/policies", `{"name":"ok","max_duration_seconds":3600,"description":"\\\ud800"}`, "invalid_unicode", "description"},
		{"POST", "/v1/policies", "{\"name\":\"a\xff\",\"max_duration_seconds\":3600}", "invalid_utf8", "name"},
		{"POST", "/v1/policies", "{\"name\":\"a\xed\xa0\x80\",\"max_duration_seconds\":3600}", "invalid_utf8", "name"},
		{"PUT", "/v1/aws/permission-sets", `{"resources":[{"id":"` + arn + `","name":"ok"},{"id":"` + arn + `","name":"n","metadata":{"team":["x","\udfff"]}}]}`, "invalid_unicode", "resources[1].metadata.team[1]"},
		{"PUT", "/v1/aws/permission-sets", `{"resources":[{"id":"` + arn + `","name":"n","metadata":{"a-b":"\ud800"}}]}`, "invalid_unicode", `resources[0].metadata["a-b"]`},
		{"PUT", "/v1/aws/permission-sets", `{"resources":[{"id":"` + arn + `","name":"n","metadata":{"k\ud800":"v"}}]}`, "invalid_unicode", "resources[0].metadata"},
		{"POST", "/v1/aws/permission-sets/bulk-delete", `{"ids":["` + arn + `"],"if_match":{"` + arn + `":"\ud800"}}`, "invalid_unicode", ifMatchLocation(arn)},
	} {
		r := e.do(c.method, c.path, asA, c.body)
		r.wantValidation(t, c.code, c.loc)
	}
	// Nothing was stored.
	var list api.PolicyList
	e.do("GET", "/v1/policies", asA, "").into(&list)
	if len(list.Data) != 0 {
		t.Fatalf("refused requests stored %d policies", len(list.Data))
	}
	// Valid pairs and other escapes are stored exactly.
	r := e.do("POST", "/v1/policies", asA, `{"name":"smile \ud83d\ude00 \u00e9 \\ud800","max_duration_seconds":3600}`)
	r.want(201)
	var pol api.Policy
	r.into(&pol)
	if want := "smile \U0001F600 é \\ud800"; pol.Name != want {
		t.Errorf("stored name %q, want %q", pol.Name, want)
	}
}

// The Idempotency-Key record is written in the same transaction as the
// write it remembers: when recording fails (as a crash between the two
// would), the write is rolled back too, and the retry creates exactly one
// policy. Before, the policy was committed and the retry created a second.
func TestIdempotencyRecordInWriteTransaction(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true, rolesJSON: testRolesJSON, noValidator: true})
	ctx := context.Background()
	if _, err := e.srv.db.ExecContext(ctx, `CREATE TRIGGER fail_idem BEFORE INSERT ON idempotency_keys
		BEGIN SELECT RAISE(ABORT, 'simulated failure of the idempotency record'); END`); err != nil {
		t.Fatal(err)
	}
	body := `{"name":"once","max_duration_seconds":3600}`
	r := e.do("POST", "/v1/policies", asA, body, "Idempotency-Key", "k-1")
	if r.Status < 500 {
		t.Fatalf("record write failed but the request answered %d %s", r.Status, r.Body)
	}
	count := func() int {
		var n int
		if err := e.srv.db.QueryRowContext(ctx, `SELECT count(*) FROM policies WHERE tenant_id = ?`, tenantA).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 0 {
		t.Fatalf("%d policies after the failed record write, want 0 (the write must roll back with it)", n)
	}
	if _, err := e.srv.db.ExecContext(ctx, `DROP TRIGGER fail_idem`); err != nil {
		t.Fatal(err)
	}
	first := e.do("POST", "/v1/policies", asA, body, "Idempotency-Key", "k-1")
	first.want(201)
	again := e.do("POST", "/v1/policies", asA, body, "Idempotency-Key", "k-1")
	again.want(201)
	if again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again.Body, first.Body) {
		t.Errorf("retry not replayed: %v %s", again.Header, again.Body)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d policies, want 1", n)
	}
	// A handler failure (4xx) in the same transaction is remembered, and a
	// rule write and its record commit together.
	e.do("POST", "/v1/policies", asA, body, "Idempotency-Key", "k-2").apiErr(409, "conflict")
	e.do("POST", "/v1/policies", asA, body, "Idempotency-Key", "k-2").apiErr(409, "conflict")
}

// A panic in a handler answers 500 internal JSON, logs the stack with the
// request id, rolls back the transaction (also the request transaction of
// an Idempotency-Key POST) and leaves the server serving.
func TestPanicRecovered(t *testing.T) {
	var logs syncBuffer
	base := newTestServer(t, serverConfig{fixedClock: true, opts: Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))}, noValidator: true})
	s := base.srv
	ctx := context.Background()
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE panic_probe (x TEXT)`); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /test/panic", func(w http.ResponseWriter, r *http.Request) {
		_ = s.inTx(r.Context(), func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(r.Context(), `INSERT INTO panic_probe VALUES ('written before the panic')`); err != nil {
				return err
			}
			panic("handler made to panic")
		})
	})
	mux.HandleFunc("POST /test/panic-after", func(w http.ResponseWriter, r *http.Request) {
		_ = s.inTx(r.Context(), func(tx *sql.Tx) error {
			_, err := tx.ExecContext(r.Context(), `INSERT INTO panic_probe VALUES ('committed step')`)
			return err
		})
		var items []int
		_ = items[len(r.URL.Path)] // a runtime panic (index out of range) after the write
	})
	mux.HandleFunc("GET /test/ok", func(w http.ResponseWriter, r *http.Request) {
		var n int
		err := s.inTx(r.Context(), func(tx *sql.Tx) error {
			return tx.QueryRowContext(r.Context(), `SELECT count(*) FROM panic_probe`).Scan(&n)
		})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, 200, map[string]int{"rows": n})
	})
	mux.HandleFunc("GET /test/panic-late", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"partial":`))
		panic("after the response began")
	})
	ts := httptest.NewServer(s.chain(mux))
	t.Cleanup(ts.Close)

	// A panic after the response began aborts it: the client sees a
	// broken response, never a truncated 200.
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/test/panic-late", nil)
	req.Header.Set("X-API-Key", keyA)
	req.Header.Set("X-Tenant-ID", tenantA)
	if res, err := http.DefaultClient.Do(req); err == nil {
		b, rerr := io.ReadAll(res.Body)
		_ = res.Body.Close()
		if rerr == nil {
			t.Errorf("panic after the response began: complete response %d %s", res.StatusCode, b)
		}
	}

	for i, c := range []struct{ path, key string }{{"/test/panic", ""}, {"/test/panic", "idem-1"}, {"/test/panic-after", "idem-2"}} {
		id := fmt.Sprintf("panic-req-%d", i)
		headers := []string{"X-Request-ID", id}
		if c.key != "" {
			headers = append(headers, "Idempotency-Key", c.key)
		}
		r := send(t, ts.URL, "POST", c.path, asA, `{}`, headers...)
		r.apiErr(500, "internal")
		if r.Header.Get("X-Request-ID") != id || !strings.Contains(r.errorBody().Message, id) {
			t.Errorf("500 without the request id: %v %s", r.Header, r.Body)
		}
		if !strings.Contains(logs.String(), `"request_id":"`+id+`"`) || !strings.Contains(logs.String(), "goroutine") {
			t.Errorf("panic not logged with stack and request id %s:\n%s", id, logs.String())
		}
		// Still serving, and nothing of the panicking request was kept
		// (with one connection in the pool, a leaked transaction would
		// hang this request).
		done := make(chan *response, 1)
		go func() { done <- send(t, ts.URL, "GET", "/test/ok", asA, "") }()
		select {
		case ok := <-done:
			ok.want(200)
			var got map[string]int
			ok.into(&got)
			want := 0
			if c.key == "" && c.path == "/test/panic-after" {
				want = 1
			}
			if got["rows"] != want {
				t.Errorf("%s (key %q): %d rows kept after the panic, want %d", c.path, c.key, got["rows"], want)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("server hangs after a panic (transaction not rolled back)")
		}
	}
	// The real API still answers.
	base.do("GET", "/v1/policies", asA, "").want(200)
}

// Found by FuzzHandlers: encoding/json matches member names to fields
// case-insensitively, so "principal_scope_tyPe" was accepted as
// principal_scope_type (201, against additionalProperties: false) and
// {"Description": ...} changed a policy's description. Member names are
// case-sensitive: anything but the exact name is an unknown field.
func TestMemberNamesAreCaseSensitive(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true, rolesJSON: testRolesJSON})
	r := e.do("POST", "/v1/policies", asA, `{"name":"p","max_duration_seconds":3600}`)
	r.want(201)
	var pol api.Policy
	r.into(&pol)
	arn := "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef"
	for _, c := range []struct{ method, path, body, loc string }{
		{"POST", "/v1/policies", `{"NAME":"q","name":"q","max_duration_seconds":3600}`, "NAME"},
		{"PATCH", "/v1/policies/" + pol.Id.String(), `{"Description":"changed"}`, "Description"},
		{"POST", "/v1/policies/" + pol.Id.String() + "/rules", `{"effect":"permit","principal_scope_tyPe":"eq","principal_entity_type":"User",` +
			`"principal_entity_id":"alice","action_scope_type":"in","action_ids":["view"],"resource_scope_type":"any"}`, "principal_scope_tyPe"},
		{"PUT", "/v1/aws/permission-sets", `{"resources":[{"id":"` + arn + `","name":"n","Relay_State":"x"}]}`, "resources[0].Relay_State"},
		{"POST", "/v1/aws/permission-sets/bulk-delete", `{"IDS":["` + arn + `"],"ids":["` + arn + `"]}`, "IDS"},
		{"PATCH", "/v1/policies/" + pol.Id.String() + "/rules/reorder", `{"Ids":[]}`, "Ids"},
	} {
		e.do(c.method, c.path, asA, c.body).wantValidation(t, "unknown_field", c.loc)
	}
	var got api.Policy
	e.do("GET", "/v1/policies/"+pol.Id.String(), asA, "").into(&got)
	if d, err := got.Description.Get(); err == nil {
		t.Errorf("description changed by a mis-cased member name: %q", d)
	}
	if len(got.Rules) != 0 {
		t.Errorf("rule created from a mis-cased member name: %+v", got.Rules)
	}
}
