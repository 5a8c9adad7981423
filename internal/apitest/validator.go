// Package apitest holds the contract checker the tests of the server and the
// client share: an http.Handler wrapper that validates every request and
// every response against the OpenAPI document (internal/api/openapi.yaml)
// and records which operations and statuses were exercised.
package apitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// slash stands for an escaped "/" inside one path segment while routing:
// kin-openapi routes on the decoded path, where an ARN's %2F would split
// the segment.
const slash = "\x1fSLASH\x1f"

var escapedSlash = regexp.MustCompile(`(?i)%2F`)

// Validator checks traffic to the wrapped handler against the contract.
type Validator struct {
	next   http.Handler
	doc    *openapi3.T
	router routers.Router

	mu       sync.Mutex
	problems []string
	seen     map[string]map[int]int // operationId -> status -> count
}

// Load parses and validates the OpenAPI document.
func Load() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(api.Spec)
	if err != nil {
		return nil, fmt.Errorf("load openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi.yaml is not a valid OpenAPI document: %w", err)
	}
	return doc, nil
}

// New wraps next. Requests that the document does not describe, and
// responses whose status, headers or body the operation does not declare,
// are recorded as problems (see Problems); the traffic itself is passed
// through unchanged.
func New(next http.Handler) (*Validator, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	doc.Servers = nil // match any host and port
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &Validator{next: next, doc: doc, router: router, seen: map[string]map[int]int{}}, nil
}

// Operations lists "METHOD /path operationId" for every operation of the document.
func (v *Validator) Operations() map[string]string {
	out := map[string]string{}
	for path, item := range v.doc.Paths.Map() {
		for method, op := range item.Operations() {
			out[op.OperationID] = method + " " + path
		}
	}
	return out
}

// Seen returns, per operationId, the statuses observed and how often.
func (v *Validator) Seen() map[string]map[int]int {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make(map[string]map[int]int, len(v.seen))
	for op, st := range v.seen {
		m := make(map[int]int, len(st))
		for k, n := range st {
			m[k] = n
		}
		out[op] = m
	}
	return out
}

// Problems returns every contract violation seen so far, sorted.
func (v *Validator) Problems() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := append([]string(nil), v.problems...)
	sort.Strings(out)
	return out
}

func (v *Validator) problem(format string, args ...any) {
	v.mu.Lock()
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
	v.mu.Unlock()
}

func (v *Validator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqBody, _ := io.ReadAll(r.Body)
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(reqBody))

	rec := httptest.NewRecorder()
	v.next.ServeHTTP(rec, r)
	res := rec.Result()
	resBody := rec.Body.Bytes()

	v.check(r, reqBody, res.StatusCode, res.Header, resBody)

	for k, vals := range res.Header {
		w.Header()[k] = vals
	}
	w.WriteHeader(res.StatusCode)
	_, _ = w.Write(resBody)
}

func (v *Validator) check(r *http.Request, reqBody []byte, status int, header http.Header, body []byte) {
	where := r.Method + " " + r.URL.RequestURI()
	routed := r.Clone(r.Context())
	u := *r.URL
	if p, err := url.PathUnescape(escapedSlash.ReplaceAllString(r.URL.EscapedPath(), slash)); err == nil {
		u.Path, u.RawPath = p, ""
	}
	routed.URL = &u
	routed.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := v.router.FindRoute(routed)
	if err != nil {
		// Unknown routes must still answer the error body.
		if status < 400 {
			v.problem("%s: not in the contract but answered %d", where, status)
		}
		return
	}
	for k, p := range params {
		params[k] = strings.ReplaceAll(p, slash, "/")
	}
	v.mu.Lock()
	if v.seen[route.Operation.OperationID] == nil {
		v.seen[route.Operation.OperationID] = map[int]int{}
	}
	v.seen[route.Operation.OperationID][status]++
	v.mu.Unlock()

	in := &openapi3filter.RequestValidationInput{
		Request:    routed,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			MultiError:         true,
		},
	}
	// Requests answered 2xx must have been valid; a 4xx may be the server
	// rightly rejecting an invalid request a test sent on purpose.
	if status < 300 {
		if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
			v.problem("%s: request accepted with %d but violates the contract: %v", where, status, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(r.Context(), out); err != nil {
		v.problem("%s -> %d: response violates the contract: %v", where, status, err)
	}
	if header.Get("X-Request-ID") == "" {
		v.problem("%s -> %d: no X-Request-ID header", where, status)
	}
}
