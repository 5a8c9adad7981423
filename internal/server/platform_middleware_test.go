package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// idemServer serves the middleware chain around a tiny test mux, so
// idempotency is tested without the other handlers.
type idemServer struct {
	*testServer
	execs atomic.Int32
	url   string
}

func newIdemServer(t *testing.T) *idemServer {
	t.Helper()
	base := newTestServer(t, serverConfig{fixedClock: true, noValidator: true})
	e := &idemServer{testServer: base}
	mux := http.NewServeMux()
	var flaky atomic.Int32
	mux.HandleFunc("POST /test/things", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		time.Sleep(5 * time.Millisecond) // widen the window for concurrent retries
		n := e.execs.Add(1)
		w.Header().Set("Location", fmt.Sprintf("/test/things/%d", n))
		w.Header().Set("X-Not-Replayed", "1")
		writeObject(w, http.StatusCreated, map[string]any{"n": n, "body": string(body)})
	})
	mux.HandleFunc("POST /test/other", func(w http.ResponseWriter, r *http.Request) {
		e.execs.Add(1)
		writeJSON(w, http.StatusCreated, map[string]any{"other": true})
	})
	mux.HandleFunc("POST /test/invalid", func(w http.ResponseWriter, r *http.Request) {
		e.execs.Add(1)
		v := &validation{}
		v.add("name", "required", "name is required")
		base.srv.writeError(w, r, v.err())
	})
	mux.HandleFunc("POST /test/flaky", func(w http.ResponseWriter, r *http.Request) {
		e.execs.Add(1)
		if flaky.Add(1) == 1 {
			base.srv.writeError(w, r, &apiError{Status: 503, Code: "unavailable", Message: "try again"})
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"ok": true})
	})
	mux.HandleFunc("POST /test/empty", func(w http.ResponseWriter, r *http.Request) {
		e.execs.Add(1)
		w.WriteHeader(http.StatusNoContent)
	})
	ts := httptest.NewServer(base.srv.chain(mux))
	t.Cleanup(ts.Close)
	e.url = ts.URL
	return e
}

func (e *idemServer) post(path string, auth credentials, key, body string) *response {
	e.t.Helper()
	if key == "" {
		return send(e.t, e.url, "POST", path, auth, body)
	}
	return send(e.t, e.url, "POST", path, auth, body, "Idempotency-Key", key)
}

func TestIdempotency(t *testing.T) {
	e := newIdemServer(t)
	first := e.post("/test/things", asA, "k1", `{"a": 1, "b": [1, 2]}`)
	first.want(201)
	if first.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("first response marked replayed")
	}
	// Same key, same JSON (formatted differently): the first response again.
	again := e.post("/test/things", asA, "k1", `{"b":[1,2],"a":1}`)
	again.want(201)
	if string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" ||
		again.Header.Get("Location") != first.Header.Get("Location") || again.Header.Get("ETag") != first.Header.Get("ETag") ||
		again.Header.Get("Content-Type") != "application/json" || again.Header.Get("X-Not-Replayed") != "" ||
		again.Header.Get("X-Request-ID") == "" || again.Header.Get("X-Request-ID") == first.Header.Get("X-Request-ID") {
		t.Errorf("replay differs:\n%v %s\n%v %s", first.Header, first.Body, again.Header, again.Body)
	}
	if n := e.execs.Load(); n != 1 {
		t.Fatalf("executed %d times, want 1", n)
	}
	// Same key, other body or other path: conflict, nothing runs.
	e.post("/test/things", asA, "k1", `{"a": 2}`).apiErr(409, "idempotency_conflict")
	r := e.post("/test/other", asA, "k1", `{"a": 1, "b": [1, 2]}`)
	r.apiErr(409, "idempotency_conflict")
	if !strings.Contains(r.errorBody().Message, "POST /test/things") {
		t.Errorf("conflict message %q", r.errorBody().Message)
	}
	// Keys are per tenant; no key means no idempotency.
	e.post("/test/things", asB, "k1", `{"a": 1, "b": [1, 2]}`).want(201)
	e.post("/test/things", asA, "", `{}`).want(201)
	e.post("/test/things", asA, "", `{}`).want(201)
	if n := e.execs.Load(); n != 4 {
		t.Fatalf("executed %d times, want 4", n)
	}
	// Key length 1..255.
	e.post("/test/things", asA, strings.Repeat("k", 255), `{}`).want(201)
	r = e.post("/test/things", asA, strings.Repeat("k", 256), `{}`)
	r.apiErr(400, "invalid_request")
	if got := r.locations(); len(got) != 1 || got[0] != "Idempotency-Key" {
		t.Errorf("locations %v", got)
	}
	r = send(t, e.url, "POST", "/test/things", asA, `{}`, "Idempotency-Key", "a", "Idempotency-Key", "b")
	r.apiErr(400, "invalid_request")
	// Auth runs before idempotency.
	e.post("/test/things", asARO, "k1", `{"a": 1, "b": [1, 2]}`).apiErr(403, "forbidden")

	// 4xx responses are remembered, 5xx are not.
	before := e.execs.Load()
	e.post("/test/invalid", asA, "k-invalid", `{}`).apiErr(400, "invalid_request")
	r = e.post("/test/invalid", asA, "k-invalid", `{}`)
	if r.Status != 400 || r.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("400 not replayed: %d %v", r.Status, r.Header)
	}
	e.post("/test/flaky", asA, "k-flaky", `{}`).apiErr(503, "unavailable")
	r = e.post("/test/flaky", asA, "k-flaky", `{}`)
	r.want(201)
	if r.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("a retry after a 503 was replayed")
	}
	e.post("/test/empty", asA, "k-empty", ``).want(204)
	if r := e.post("/test/empty", asA, "k-empty", ``); r.Status != 204 || r.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("204 not replayed: %d", r.Status)
	}
	if n := e.execs.Load() - before; n != 4 {
		t.Errorf("executed %d times, want 4 (invalid once, flaky twice, empty once)", n)
	}

	// After 24 hours the key is forgotten.
	e.clock.Advance(24*time.Hour + time.Second)
	before = e.execs.Load()
	r = e.post("/test/things", asA, "k1", `{"a": 1}`)
	r.want(201)
	if e.execs.Load() != before+1 || r.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("expired key was replayed")
	}
}

func TestIdempotencyConcurrentRetries(t *testing.T) {
	e := newIdemServer(t)
	const n = 8
	var wg sync.WaitGroup
	bodies := make([]string, n)
	statuses := make([]int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, e.url+"/test/things", strings.NewReader(`{"x":1}`))
			req.Header.Set("X-API-Key", keyA)
			req.Header.Set("X-Tenant-ID", tenantA)
			req.Header.Set("Idempotency-Key", "same")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			bodies[i], statuses[i] = string(b), res.StatusCode
		}(i)
	}
	wg.Wait()
	if got := e.execs.Load(); got != 1 {
		t.Errorf("executed %d times, want 1", got)
	}
	for i := range bodies {
		if statuses[i] != 201 || bodies[i] != bodies[0] {
			t.Errorf("response %d: %d %s (first %s)", i, statuses[i], bodies[i], bodies[0])
		}
	}
}

func TestFaultPhaseAfterWithIdempotency(t *testing.T) {
	e := newIdemServer(t)
	if err := e.srv.SetFaults("phase=after,count=1,methods=POST"); err != nil {
		t.Fatal(err)
	}
	// The response is lost, but the request ran.
	r := e.post("/test/things", asA, "lost", `{"v":1}`)
	r.apiErr(503, "unavailable")
	if r.Header.Get("X-Fault-Injected") != "after" || r.Header.Get("Retry-After") != "1" {
		t.Errorf("fault headers %v", r.Header)
	}
	if e.execs.Load() != 1 {
		t.Fatalf("executed %d times, want 1", e.execs.Load())
	}
	// The retry gets the stored first result, and nothing runs twice.
	r = e.post("/test/things", asA, "lost", `{"v":1}`)
	r.want(201)
	if r.Header.Get("Idempotent-Replayed") != "true" || e.execs.Load() != 1 {
		t.Errorf("retry after a lost response: %v, executed %d", r.Header, e.execs.Load())
	}
}

func TestFaultSpecParsing(t *testing.T) {
	for _, bad := range []string{
		"rate=2", "rate=x", "codes=418", "codes=503:abc", "latency=abc", "latency=2m", "phase=middle",
		"methods=FETCH", "count=0", "count=-1", "retry-after=-1", "seed=x", "bogus=1", "rate", "rate=0.1,rate=0.2",
	} {
		if _, err := parseFaults(bad); err == nil {
			t.Errorf("parseFaults(%q) accepted", bad)
		} else if !strings.Contains(err.Error(), "fault spec") {
			t.Errorf("parseFaults(%q): unclear error %v", bad, err)
		}
		if _, err := New(context.Background(), Options{Faults: bad}); err == nil {
			t.Errorf("New with faults %q accepted", bad)
		}
	}
	f, err := parseFaults(" rate=0.2 , codes=429:503 , latency=50ms, phase=after, methods=post:PUT, count=3, retry-after=2, seed=7 ")
	if err != nil {
		t.Fatal(err)
	}
	if f.rate != 0.2 || len(f.codes) != 2 || f.latency != 50*time.Millisecond || !f.after ||
		strings.Join(f.methods, ",") != "POST,PUT" || f.count != 3 || f.retryAfter != 2 || f.seed != 7 {
		t.Errorf("parsed %+v", f)
	}
	if f, _ := parseFaults("latency=10ms"); f.rate != 0 {
		t.Errorf("latency alone injects errors")
	}
	if f, _ := parseFaults("count=2"); f.rate != 1 || f.codes[0] != 503 {
		t.Errorf("count alone: %+v", f)
	}
	if f, _ := parseFaults(""); f != nil {
		t.Errorf("empty spec: %+v", f)
	}
}

func TestFaults(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true, rolesJSON: testRolesJSON, noValidator: true, opts: Options{Faults: "codes=503,count=2,retry-after=3"}})
	// Meta routes never fault and do not use up the count.
	for i := 0; i < 3; i++ {
		e.do("GET", "/healthz", credentials{}, "").want(200)
		e.do("GET", "/debug/requests", credentials{}, "").want(200)
	}
	for i := 0; i < 2; i++ {
		r := e.do("GET", "/v1/roles", asA, "")
		r.apiErr(503, "unavailable")
		if r.Header.Get("Retry-After") != "3" || r.Header.Get("X-Fault-Injected") != "before" || r.Header.Get("X-Request-ID") == "" {
			t.Errorf("fault headers %v", r.Header)
		}
	}
	e.do("GET", "/v1/roles", asA, "").want(200)

	// Invalid specs leave the active one alone.
	if err := e.srv.SetFaults("codes=999"); err == nil {
		t.Error("SetFaults accepted codes=999")
	}
	e.do("GET", "/v1/roles", asA, "").want(200)

	for code, name := range map[int]string{429: "rate_limited", 500: "internal", 502: "bad_gateway", 504: "gateway_timeout"} {
		if err := e.srv.SetFaults(fmt.Sprintf("codes=%d,count=1", code)); err != nil {
			t.Fatal(err)
		}
		r := e.do("GET", "/v1/roles", asA, "")
		r.apiErr(code, name)
		if hasRA := r.Header.Get("Retry-After") != ""; hasRA != (code == 429) {
			t.Errorf("%d: Retry-After %q", code, r.Header.Get("Retry-After"))
		}
	}

	// methods= filters; phase=after commits the write but loses the answer.
	admin := e.awsRoleByARN(asA, "arn:aws:iam::123456789012:role/Admin")
	sre := e.roleIDs(asA)["sre"]
	if err := e.srv.SetFaults("phase=after,codes=504,methods=PUT,count=1"); err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/v1/roles", asA, "").want(200)
	r := e.do("PUT", "/v1/aws/roles/"+admin.Id.String()+"/roles", asA, `[{"id":"`+sre+`"}]`)
	r.apiErr(504, "gateway_timeout")
	if r.Header.Get("ETag") != "" {
		t.Errorf("the lost response leaked its ETag")
	}
	if got := e.awsRoleByARN(asA, admin.Arn); len(got.Roles) != 1 || got.Roles[0].Name != "sre" {
		t.Errorf("the write behind the lost response did not happen: %+v", got.Roles)
	}

	// Latency alone slows requests down without failing them.
	if err := e.srv.SetFaults("latency=60ms"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	e.do("GET", "/v1/roles", asA, "").want(200)
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("request took %v with latency=60ms", d)
	}
	start = time.Now()
	e.do("GET", "/healthz", credentials{}, "").want(200)
	if d := time.Since(start); d >= 60*time.Millisecond {
		t.Errorf("healthz took %v: latency applied", d)
	}

	// A seeded rate is reproducible.
	run := func() string {
		if err := e.srv.SetFaults("rate=0.5,seed=42"); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i := 0; i < 24; i++ {
			if e.do("GET", "/v1/roles", asA, "").Status == 200 {
				b.WriteByte('.')
			} else {
				b.WriteByte('x')
			}
		}
		return b.String()
	}
	a, b := run(), run()
	if a != b || !strings.Contains(a, "x") || !strings.Contains(a, ".") {
		t.Errorf("seeded runs %s and %s", a, b)
	}
	if err := e.srv.SetFaults(""); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		e.do("GET", "/v1/roles", asA, "").want(200)
	}
}

func TestRateLimit(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true, opts: Options{RateLimit: 1}})
	e.do("GET", "/v1/roles", asA, "").want(200)
	r := e.do("GET", "/v1/roles", asA, "")
	r.apiErr(429, "rate_limited")
	if r.Header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q, want 1", r.Header.Get("Retry-After"))
	}
	// Per tenant; public routes are not limited.
	e.do("GET", "/v1/roles", asB, "").want(200)
	for i := 0; i < 3; i++ {
		e.do("GET", "/healthz", credentials{}, "").want(200)
	}

	slow := newTestServer(t, serverConfig{fixedClock: true, opts: Options{RateLimit: 0.25}})
	slow.do("GET", "/v1/roles", asA, "").want(200)
	if r := slow.do("GET", "/v1/roles", asA, ""); r.Header.Get("Retry-After") != "4" {
		t.Errorf("Retry-After %q at 0.25/s, want 4", r.Header.Get("Retry-After"))
	}

	burst := newTestServer(t, serverConfig{fixedClock: true, opts: Options{RateLimit: 2.5}})
	for i := 0; i < 3; i++ {
		burst.do("GET", "/v1/roles", asA, "").want(200)
	}
	burst.do("GET", "/v1/roles", asA, "").apiErr(429, "rate_limited")
}

func TestDebugRequests(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true, rolesJSON: testRolesJSON})
	e.do("GET", "/v1/roles", asA, "").want(200)
	e.do("GET", "/v1/roles", asA, "").want(200)
	e.do("GET", "/v1/roles", credentials{}, "").want(401)
	e.do("PUT", "/v1/aws/roles/00000000-0000-4000-8000-000000000000/roles", asA, "[]").want(404)
	e.do("GET", "/nowhere", asA, "").want(404)
	e.do("GET", "/healthz", credentials{}, "").want(200)
	e.do("GET", "/debug/requests", credentials{}, "").want(200)

	r := e.do("GET", "/debug/requests", credentials{}, "")
	var counts struct {
		Total    int64            `json:"total"`
		Routes   map[string]int64 `json:"routes"`
		Statuses map[string]int64 `json:"statuses"`
	}
	r.into(&counts)
	want := map[string]int64{"GET /v1/roles": 3, "PUT /v1/aws/roles/{awsRoleId}/roles": 1, "unmatched": 1, "GET /healthz": 1}
	if fmt.Sprint(counts.Routes) != fmt.Sprint(want) || counts.Total != 6 {
		t.Errorf("routes %v total %d, want %v total 6", counts.Routes, counts.Total, want)
	}
	if fmt.Sprint(counts.Statuses) != fmt.Sprint(map[string]int64{"200": 3, "401": 1, "404": 2}) {
		t.Errorf("statuses %v", counts.Statuses)
	}
	for _, secret := range []string{keyA, tenantA} {
		if strings.Contains(string(r.Body), secret) {
			t.Errorf("debug counts show %s", secret)
		}
	}
}

func TestRequestLog(t *testing.T) {
	var logs syncBuffer
	e := newTestServer(t, serverConfig{fixedClock: true, rolesJSON: testRolesJSON, opts: Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))}})
	e.do("GET", "/v1/roles?name=sre", asA, "", "X-Request-ID", "req-log-1").want(200)
	e.do("PUT", "/v1/aws/roles/00000000-0000-4000-8000-000000000000/roles", asA, `[{"id":"body-marker-xyz"}]`).want(404)
	e.do("GET", "/v1/roles", credentials{key: "secret-unknown-key", tenant: tenantA}, "").want(401)
	e.do("GET", "/v1/roles", asARO, "").want(200)

	text := logs.String()
	for _, secret := range []string{keyA, keyARO, "secret-unknown-key", "body-marker-xyz", "name=sre"} {
		if strings.Contains(text, secret) {
			t.Errorf("request log contains %q:\n%s", secret, text)
		}
	}
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["request_id"] == "req-log-1" {
			found = true
			if rec["route"] != "GET /v1/roles" || rec["path"] != "/v1/roles" || rec["status"] != float64(200) ||
				rec["tenant"] != tenantA || rec["method"] != "GET" || rec["duration"] == nil {
				t.Errorf("log record %v", rec)
			}
		}
	}
	if !found {
		t.Errorf("no log line for request req-log-1:\n%s", text)
	}
}

func TestPersistenceAcrossRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	rolesPath := filepath.Join(dir, "roles.json")
	writeFile(t, rolesPath, testRolesJSON)
	opts := Options{DBPath: filepath.Join(dir, "data", "jitsudo.db"), RolesFile: rolesPath}
	if _, err := New(ctx, opts); err == nil {
		t.Fatal("New created a database in a missing directory")
	}
	opts.DBPath = filepath.Join(dir, "jitsudo.db")

	s1, err := New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s1.AddKey(ctx, tenantA, keyA, false); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s1.Handler())
	var roles struct{ Data []struct{ ID, Name string } }
	send(t, ts.URL, "GET", "/v1/roles?name=sre", asA, "").into(&roles)
	var aws struct{ Data []struct{ ID string } }
	send(t, ts.URL, "GET", "/v1/aws/roles?name=Deployer", asA, "").into(&aws)
	if len(roles.Data) != 1 || len(aws.Data) != 1 {
		t.Fatalf("discovery: %v %v", roles, aws)
	}
	put := send(t, ts.URL, "PUT", "/v1/aws/roles/"+aws.Data[0].ID+"/roles", asA, `[{"id":"`+roles.Data[0].ID+`"}]`)
	put.want(200)
	ts.Close()
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s1.Close(); err == nil {
		t.Error("second Close succeeded")
	}

	s2, err := New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	ts = httptest.NewServer(s2.Handler())
	defer ts.Close()
	got := send(t, ts.URL, "GET", "/v1/aws/roles/"+aws.Data[0].ID+"/roles", asA, "")
	got.want(200)
	if string(got.Body) != string(put.Body) || got.Header.Get("ETag") != put.Header.Get("ETag") {
		t.Errorf("after restart: %s, want %s", got.Body, put.Body)
	}
}
