package server

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// Handler returns the HTTP handler of the whole API: the routes of the
// contract (generated from openapi.yaml) behind the middleware chain, from
// the outside in:
//
//  1. request id: X-Request-ID on every response (a sane incoming one is
//     echoed, otherwise one is generated); the route pattern is resolved
//     (none for a path that is not canonical, see canonicalPath);
//  2. request log (slog: method, route, path, status, duration, tenant,
//     request id; never keys or bodies);
//  3. request counts per route pattern and status (GET /debug/requests);
//  4. panic recovery: 500 `internal`, the stack in the log (hardening.go);
//  5. fault injection (faults.go);
//  6. authentication (X-API-Key, X-Tenant-ID; all routes but GET /healthz
//     and GET /debug/requests);
//  7. per-tenant rate limit;
//  8. maxLength of string parameters (query, If-Match, permission set id);
//  9. the body bound (413 `too_large` past api.MaxRequestBodyBytes);
//  10. Idempotency-Key handling of POSTs (idempotency.go);
//  11. the router: parameter binding (a malformed parameter is a 400 naming
//     it) and the handler. Unknown paths, and paths that are not canonical
//     ("//", "." or ".." segments, encoded or not), answer 404 `not_found`
//     and known paths with another method 405 `method_not_allowed`, both
//     with the error body; never a redirect.
//
// Every call returns a new handler; all of them share the server's state.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	api.HandlerWithOptions(s, api.StdHTTPServerOptions{
		BaseRouter:       mux,
		ErrorHandlerFunc: s.paramError,
	})
	return s.chain(mux)
}

// chain wraps mux in the middleware of Handler. Tests use it with a mux of
// their own routes to exercise the middleware in isolation.
func (s *Server) chain(mux *http.ServeMux) http.Handler {
	h := s.route(mux)
	h = s.idempotency(h)
	h = s.limitBody(h)
	h = s.checkParamLengths(h)
	h = s.rateLimit(h)
	h = s.authenticate(h)
	h = s.injectFaults(h)
	h = s.recoverPanics(h)
	h = s.countRequests(h)
	h = s.logRequests(h)
	return s.requestID(mux, h)
}

// route is the innermost handler: mux for matched routes, JSON error bodies
// for everything the mux would answer with its plain-text 404 or 405 or a
// redirect to a cleaned path.
func (s *Server) route(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if stateOf(r).pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		notFound := &apiError{Status: http.StatusNotFound, Code: api.CodeNotFound,
			Message: fmt.Sprintf("no route for %s %s; see internal/api/openapi.yaml for the API's paths", r.Method, truncate(r.URL.EscapedPath(), 256))}
		if !canonicalPath(r) {
			s.writeError(w, r, notFound)
			return
		}
		// Let the mux decide (404, 405 with Allow), then answer its
		// decision in this API's style.
		cw := &captureWriter{header: http.Header{}}
		h, _ := mux.Handler(r)
		h.ServeHTTP(cw, r)
		switch cw.status {
		case http.StatusMethodNotAllowed:
			allow := cw.header.Get("Allow")
			w.Header().Set("Allow", allow)
			s.writeError(w, r, &apiError{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
				Message: fmt.Sprintf("%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, allow)})
		default:
			// 404, and anything else the mux might answer for a path no
			// route matched (a redirect): the contract describes no such
			// path.
			s.writeError(w, r, notFound)
		}
	})
}

// paramError is the ErrorHandlerFunc of the generated router: a path, query
// or header parameter that does not bind is a 400 `invalid_request` whose
// validation location is the parameter's name.
func (s *Server) paramError(w http.ResponseWriter, r *http.Request, err error) {
	v := &validation{}
	var (
		invalid  *api.InvalidParamFormatError
		required *api.RequiredParamError
		header   *api.RequiredHeaderError
		tooMany  *api.TooManyValuesForParamError
		unmarsh  *api.UnmarshalingParamError
	)
	switch {
	case errors.As(err, &invalid):
		v.add(invalid.ParamName, "invalid_format", "%s", paramFormatMessage(r, invalid.ParamName, invalid.Err))
	case errors.As(err, &required):
		v.add(required.ParamName, "required", "query parameter %s is required", required.ParamName)
	case errors.As(err, &header):
		v.add(header.ParamName, "required", "header %s is required", header.ParamName)
	case errors.As(err, &tooMany):
		v.add(tooMany.ParamName, "too_many_values", "%s must be sent once, got %d values", tooMany.ParamName, tooMany.Count)
	case errors.As(err, &unmarsh):
		v.add(unmarsh.ParamName, "invalid_format", "%s is not valid JSON: %v", unmarsh.ParamName, unmarsh.Err)
	default:
		v.add("", "invalid_request", "%v", err)
	}
	s.writeError(w, r, v.err())
}

// uuidParams are the parameters of the contract that are UUIDs.
var uuidParams = map[string]bool{"policyId": true, "ruleId": true, "awsRoleId": true, "source": true}

// paramFormatMessage explains why parameter name did not bind.
func paramFormatMessage(r *http.Request, name string, err error) string {
	got := r.PathValue(name)
	if got == "" {
		got = r.URL.Query().Get(name)
	}
	switch {
	case uuidParams[name]:
		return fmt.Sprintf("%s must be a UUID such as 2489e9ad-2ee2-4e00-8ec9-32d5f69181c0, got %q", name, truncate(got, 80))
	case name == "limit":
		return fmt.Sprintf("limit must be an integer between 1 and %d, got %q", maxLimit, truncate(got, 80))
	case name == "refresh":
		return fmt.Sprintf("refresh must be true or false, got %q", truncate(got, 80))
	}
	return fmt.Sprintf("%s has an invalid format: %v", name, err)
}

// truncate shortens s to at most n bytes for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// captureWriter records a response without sending it.
type captureWriter struct {
	header http.Header
	status int
	body   []byte
}

func (c *captureWriter) Header() http.Header { return c.header }

func (c *captureWriter) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

func (c *captureWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.body = append(c.body, b...)
	return len(b), nil
}

// newCaptureWriter starts a captured response with a copy of base's headers
// (X-Request-ID in particular, which writeError reads back).
func newCaptureWriter(base http.Header) *captureWriter {
	return &captureWriter{header: base.Clone()}
}

// flushTo sends the captured response to w.
func (c *captureWriter) flushTo(w http.ResponseWriter) {
	h := w.Header()
	for k := range h {
		if _, ok := c.header[k]; !ok {
			delete(h, k)
		}
	}
	for k, v := range c.header {
		h[k] = v
	}
	status := c.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(c.body)
}
