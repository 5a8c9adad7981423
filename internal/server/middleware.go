package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/validate"
)

// middleware is the state of the middleware chain, shared by every handler
// Server.Handler returns.
type middleware struct {
	counts   requestCounts
	faults   faultState
	limits   tenantLimits
	idemLock keyLocks
}

// Public routes: no authentication, no faults.
const (
	routeHealth = "GET /healthz"
	routeDebug  = "GET /debug/requests"
)

// reqState is what the middleware learns about one request; the outermost
// middleware puts it in the context, inner ones fill it in.
type reqState struct {
	pattern   string // route pattern such as "POST /v1/policies"; "" if no route matched
	requestID string
	tenant    string // set by authenticate
	rec       *statusRecorder
}

type reqStateKey struct{}

// stateOf returns the request's state; a fresh one outside the chain.
func stateOf(r *http.Request) *reqState {
	if st, ok := r.Context().Value(reqStateKey{}).(*reqState); ok {
		return st
	}
	return &reqState{}
}

// routeLabel names the request's route in logs and counts.
func (st *reqState) routeLabel() string {
	if st.pattern == "" {
		return "unmatched"
	}
	return st.pattern
}

// statusRecorder passes a response through and remembers its status.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(status int) {
	if s.status == 0 {
		s.status = status
	}
	s.ResponseWriter.WriteHeader(status)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// requestID is the outermost middleware: it resolves the route pattern,
// sets X-Request-ID and records the response status for the log and the
// counts.
func (s *Server) requestID(mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := mux.Handler(r)
		if !canonicalPath(r) {
			pattern = "" // the mux would redirect: no route (404)
		}
		id := r.Header.Get("X-Request-ID")
		if !saneRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-ID", id)
		st := &reqState{pattern: pattern, requestID: id, rec: &statusRecorder{ResponseWriter: w}}
		next.ServeHTTP(st.rec, r.WithContext(context.WithValue(r.Context(), reqStateKey{}, st)))
	})
}

// saneRequestID accepts incoming request ids of 1..128 characters from
// [A-Za-z0-9._:-], so they cannot forge log lines or headers.
func saneRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range id {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// logRequests writes one log line per request. It never logs the API key,
// the query string or bodies.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r)
		st := stateOf(r)
		status := st.rec.status
		if status == 0 {
			status = http.StatusOK
		}
		s.log.LogAttrs(r.Context(), levelFor(status), "request",
			slog.String("method", r.Method),
			slog.String("route", st.routeLabel()),
			slog.String("path", r.URL.Path),
			slog.Int("status", status),
			slog.Duration("duration", time.Since(start)),
			slog.String("tenant", st.tenant),
			slog.String("request_id", st.requestID),
		)
	})
}

// levelFor is the log level of a response status: server errors are
// warnings, everything else is info.
func levelFor(status int) slog.Level {
	if status >= 500 {
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

// requestCounts are the counters of GET /debug/requests.
type requestCounts struct {
	mu       sync.Mutex
	total    int64
	routes   map[string]int64
	statuses map[string]int64
}

func (c *requestCounts) add(route string, status int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.routes == nil {
		c.routes = map[string]int64{}
		c.statuses = map[string]int64{}
	}
	c.total++
	c.routes[route]++
	c.statuses[strconv.Itoa(status)]++
}

func (c *requestCounts) snapshot() (int64, map[string]int64, map[string]int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	routes := make(map[string]int64, len(c.routes))
	for k, v := range c.routes {
		routes[k] = v
	}
	statuses := make(map[string]int64, len(c.statuses))
	for k, v := range c.statuses {
		statuses[k] = v
	}
	return c.total, routes, statuses
}

// countRequests counts every request per route pattern and per status,
// except GET /debug/requests itself (reading the counts does not change
// them).
func (s *Server) countRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		st := stateOf(r)
		if st.pattern == routeDebug {
			return
		}
		status := st.rec.status
		if status == 0 {
			status = http.StatusOK
		}
		s.mw.counts.add(st.routeLabel(), status)
	})
}

// authenticate checks X-API-Key and X-Tenant-ID on every matched route but
// the public ones, and puts the principal in the context:
//
//   - missing or unknown key: 401 unauthenticated;
//   - missing or malformed X-Tenant-ID: 400 invalid_request at location
//     "X-Tenant-ID";
//   - key of another tenant: 403 tenant_mismatch;
//   - read-only key on a method other than GET or HEAD: 403 forbidden.
//
// Unmatched requests pass through to the 404/405 answer.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := stateOf(r)
		if st.pattern == "" || st.pattern == routeHealth || st.pattern == routeDebug {
			next.ServeHTTP(w, r)
			return
		}
		p, err := s.authPrincipal(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		st.tenant = p.TenantID
		next.ServeHTTP(w, r.WithContext(withPrincipal(r.Context(), p)))
	})
}

// authPrincipal resolves the credentials of r.
func (s *Server) authPrincipal(r *http.Request) (principal, error) {
	key := r.Header.Get("X-API-Key")
	if key == "" {
		return principal{}, &apiError{Status: http.StatusUnauthorized, Code: "unauthenticated",
			Message: "missing X-API-Key header; send an API key of the tenant"}
	}
	// One read: no transaction (inTx would take SQLite's write lock).
	stored, found, err := s.store.KeyByHash(r.Context(), s.db, hashKey(key))
	if err != nil {
		return principal{}, fmt.Errorf("look up API key: %w", err)
	}
	if !found {
		return principal{}, &apiError{Status: http.StatusUnauthorized, Code: "unauthenticated",
			Message: "unknown API key; check the X-API-Key header"}
	}
	keyTenant, readOnly := stored.tenant, stored.readOnly
	raw := r.Header.Get("X-Tenant-ID")
	tenant, ok := canonicalUUID(raw)
	if !ok {
		v := &validation{}
		if raw == "" {
			v.add("X-Tenant-ID", "required", "the X-Tenant-ID header is required: the UUID of the tenant the API key belongs to")
		} else {
			v.add("X-Tenant-ID", "invalid_uuid", "X-Tenant-ID must be a UUID such as 2489e9ad-2ee2-4e00-8ec9-32d5f69181c0")
		}
		return principal{}, v.err()
	}
	if tenant != keyTenant {
		return principal{}, &apiError{Status: http.StatusForbidden, Code: api.CodeTenantMismatch,
			Message: fmt.Sprintf("the API key does not belong to tenant %s; send the key of that tenant or its id in X-Tenant-ID", tenant)}
	}
	if readOnly && r.Method != http.MethodGet && r.Method != http.MethodHead {
		return principal{}, errForbidden(fmt.Sprintf("the API key is read-only; %s needs a read-write key", stateOf(r).pattern))
	}
	return principal{TenantID: tenant, ReadOnly: readOnly}, nil
}

// hashKey is the stored form of an API key: hex SHA-256.
func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// tenantLimits holds one token bucket per tenant.
type tenantLimits struct {
	mu       sync.Mutex
	limiters map[string]*rate.Limiter
}

func (t *tenantLimits) get(tenant string, perSecond float64) *rate.Limiter {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.limiters == nil {
		t.limiters = map[string]*rate.Limiter{}
	}
	l := t.limiters[tenant]
	if l == nil {
		burst := int(math.Max(1, math.Ceil(perSecond)))
		l = rate.NewLimiter(rate.Limit(perSecond), burst)
		t.limiters[tenant] = l
	}
	return l
}

// rateLimit allows Options.RateLimit requests per second per tenant (a
// token bucket with a burst of ceil(N), at least 1). Past it: 429
// rate_limited with Retry-After in whole seconds (at least 1).
func (s *Server) rateLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant := tenantID(r.Context())
		if s.opts.RateLimit <= 0 || tenant == "" {
			next.ServeHTTP(w, r)
			return
		}
		res := s.mw.limits.get(tenant, s.opts.RateLimit).Reserve()
		if delay := res.Delay(); delay > 0 {
			res.Cancel()
			secs := int(math.Ceil(delay.Seconds()))
			if secs < 1 {
				secs = 1
			}
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			s.writeError(w, r, &apiError{Status: http.StatusTooManyRequests, Code: "rate_limited",
				Message: fmt.Sprintf("more than %s requests per second for this tenant; retry after %d s", strconv.FormatFloat(s.opts.RateLimit, 'f', -1, 64), secs)})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// canonicalUUID returns s as a lower-case canonical UUID
// (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx); ok is false for anything else.
func canonicalUUID(s string) (string, bool) {
	if validate.UUID(s) != nil {
		return "", false
	}
	return strings.ToLower(s), true
}
