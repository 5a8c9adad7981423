package server

// Defences of the middleware chain against hostile requests: canonical
// paths only, bounded bodies and parameters, panics answered as a 500.

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"runtime/debug"
	"strings"
	"unicode/utf8"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// maxBodyBytes bounds request bodies (api.MaxRequestBodyBytes).
const maxBodyBytes = api.MaxRequestBodyBytes

// canonicalPath reports whether r's path is one the router may serve as
// it is: it starts with "/", has no empty segment ("//", a trailing "/"
// other than the root's) and no "." or ".." segment, encoded or not (also
// inside a segment's %2F-separated parts). Go's ServeMux would answer any
// other path with a redirect to its cleaned form (an HTML body); the
// contract describes none of them, so they are 404 not_found.
func canonicalPath(r *http.Request) bool {
	p := r.URL.Path
	if p == "/" {
		return true
	}
	if !strings.HasPrefix(p, "/") || path.Clean(p) != p {
		return false
	}
	for seg := range strings.SplitSeq(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/") {
		dec, err := url.PathUnescape(seg)
		if err != nil || seg == "" {
			return false
		}
		for part := range strings.SplitSeq(dec, "/") {
			if part == "." || part == ".." || part == "" {
				return false
			}
		}
	}
	return true
}

// recoverPanics answers a panic of anything inside it (handlers, inner
// middleware) with 500 `internal` and the error body, unless the response
// has already begun (then the response is aborted), and logs the panic with
// its stack and the request id.
// Transactions are rolled back by the code that opened them (inTx and the
// idempotency middleware roll back on a panic), so the connection is free
// again and the server keeps serving. http.ErrAbortHandler is passed on:
// it is the way to abort a response on purpose.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(p)
			}
			st := stateOf(r)
			s.log.Error("panic serving request",
				"method", r.Method, "route", st.routeLabel(), "path", r.URL.Path,
				"request_id", st.requestID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if st.rec != nil && st.rec.status != 0 {
				// The response has begun: abort it (the client sees a broken
				// response, not a truncated success); net/http keeps serving.
				panic(http.ErrAbortHandler)
			}
			s.writeError(w, r, &apiError{Status: http.StatusInternalServerError, Code: "internal",
				Message: "internal server error; see the server log for request " + st.requestID})
		}()
		next.ServeHTTP(w, r)
	})
}

// errTooLarge is the 413 of a body over maxBodyBytes.
func errTooLarge() *apiError {
	return &apiError{Status: http.StatusRequestEntityTooLarge, Code: "too_large",
		Message: fmt.Sprintf("the request body is larger than %d bytes", maxBodyBytes)}
}

// limitBody refuses a body declared larger than maxBodyBytes at once, on
// the methods whose operations take a body (POST, PUT, PATCH; other methods
// never read theirs), and bounds the reading of any other
// (http.MaxBytesReader): whoever reads past the limit gets an error that
// readBody turns into the 413.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		withBody := r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch
		if withBody && stateOf(r).pattern != "" && r.ContentLength > maxBodyBytes {
			s.writeError(w, r, errTooLarge())
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// paramLimits are the maxLength of the contract's string query parameters
// per route; cursor is bounded on every route.
var paramLimits = map[string]map[string]int{
	"GET /v1/policies":            {"name": api.MaxPolicyNameLength},
	"GET /v1/roles":               {"name": api.MaxRoleNameLength},
	"GET /v1/aws/roles":           {"name": api.MaxAwsRoleNameLength, "arn": api.MaxArnLength},
	"GET /v1/aws/permission-sets": {"account_id": api.MaxAccountIDLength},
}

// checkParamLengths enforces the maxLength of string parameters: query
// parameters, the If-Match and Idempotency-Key headers and the permission
// set id in paths. It runs after authentication (credentials are checked
// before parameters).
func (s *Server) checkParamLengths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := stateOf(r)
		if st.pattern == "" || st.pattern == routeHealth || st.pattern == routeDebug {
			next.ServeHTTP(w, r)
			return
		}
		v := &validation{}
		q := r.URL.Query()
		limits := paramLimits[st.pattern]
		for name, values := range q {
			limit, ok := limits[name]
			if name == "cursor" {
				limit, ok = api.MaxCursorLength, true
			}
			if !ok {
				continue
			}
			for _, val := range values {
				checkParamText(v, name, val, limit)
			}
		}
		for _, val := range r.Header.Values("If-Match") {
			checkParamText(v, "If-Match", val, api.MaxIfMatchLength)
		}
		if strings.Contains(st.pattern, "{permissionSetId}") {
			// The mux sets path values only when it serves; the id is the
			// last segment of both permission set routes.
			esc := r.URL.EscapedPath()
			if id, err := url.PathUnescape(esc[strings.LastIndex(esc, "/")+1:]); err == nil {
				checkParamText(v, "permissionSetId", id, api.MaxPermissionSetIDLength)
			}
		}
		if err := v.err(); err != nil {
			s.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkParamText records a finding when a parameter value is not valid
// UTF-8 or longer than limit characters.
func checkParamText(v *validation, name, val string, limit int) {
	if !utf8.ValidString(val) {
		v.add(name, "invalid_utf8", "%s is not valid UTF-8", name)
		return
	}
	if n := utf8.RuneCountInString(val); n > limit {
		v.add(name, api.CodeTooLong, "%s must be at most %d characters long, got %d", name, limit, n)
	}
}
