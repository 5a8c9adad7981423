package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// Idempotency of POSTs (table idempotency_keys).
//
// A POST with an Idempotency-Key header runs once per (tenant, key): its
// response (status, body, Content-Type, ETag and Location) is stored in the
// same transaction as the handler's writes (db.go, requestTx), unless it is
// a 5xx or a 429: those are rolled back and worth retrying for real. A later POST with the same key, the
// same path and the same body (compared as JSON, so formatting does not
// matter) gets the stored response with `Idempotent-Replayed: true` and
// executes nothing; a different path or body is 409 idempotency_conflict.
// Requests with the same key are serialized in process, so concurrent
// retries cannot both execute. Records expire after idempotencyTTL.

const (
	idempotencyTTL    = 24 * time.Hour
	maxIdempotencyKey = api.MaxIdempotencyKeyLength
)

// replayedHeaders are the response headers stored with a response.
var replayedHeaders = []string{"Content-Type", "ETag", "Location"}

// keyLocks serializes requests per (tenant, key).
type keyLocks struct {
	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	mu   sync.Mutex
	refs int
}

// lock locks name and returns its unlock function.
func (k *keyLocks) lock(name string) func() {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyLock{}
	}
	l := k.locks[name]
	if l == nil {
		l = &keyLock{}
		k.locks[name] = l
	}
	l.refs++
	k.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		k.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(k.locks, name)
		}
		k.mu.Unlock()
	}
}

// storedResponse is one row of idempotency_keys.
type storedResponse struct {
	method, path, bodyHash string
	status                 int
	headers                map[string][]string
	body                   []byte
}

// idempotency implements Idempotency-Key for POSTs of authenticated routes.
func (s *Server) idempotency(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant := tenantID(r.Context())
		values := r.Header.Values("Idempotency-Key")
		if r.Method != http.MethodPost || tenant == "" || len(values) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		key, err := idempotencyKeyOf(values)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		body, err := readBody(r)
		if err != nil {
			s.writeError(w, r, err) // a 400 or 413 of the body itself: nothing to remember
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.serveIdempotent(w, r, next, tenant, key, bodyHash(body))
	})
}

// idempotencyKeyOf checks the values of the Idempotency-Key header: one,
// of 1 to maxIdempotencyKey characters.
func idempotencyKeyOf(values []string) (string, error) {
	v := &validation{}
	if len(values) > 1 {
		v.add("Idempotency-Key", "too_many_values", "Idempotency-Key must be sent once, got %d values", len(values))
		return "", v.err()
	}
	key := values[0]
	if n := utf8.RuneCountInString(key); n < 1 || n > maxIdempotencyKey {
		v.add("Idempotency-Key", "out_of_range", "Idempotency-Key must be 1 to %d characters long, got %d; a UUID is a good key", maxIdempotencyKey, n)
		return "", v.err()
	}
	return key, nil
}

// serveIdempotent answers a POST with an Idempotency-Key: the stored
// response of an earlier request with the key, or next's, recorded.
func (s *Server) serveIdempotent(w http.ResponseWriter, r *http.Request, next http.Handler, tenant, key, hash string) {
	path := r.URL.EscapedPath()
	unlock := s.mw.idemLock.lock(tenant + "\x00" + key)
	defer unlock()

	// One transaction for the lookup, the handler's writes and the
	// record of its response: a crash or a failed record write leaves
	// neither, so a retry executes exactly once.
	tx, err := s.db.BeginTx(r.Context(), nil)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("begin idempotent request: %w", err))
		return
	}
	finished := false
	defer func() {
		if !finished { // an early answer or a panic of the handler
			_ = tx.Rollback()
		}
	}()
	ctx := withRequestTx(r.Context(), &requestTx{tx: tx})

	prev, err := s.loadIdempotent(ctx, tenant, key)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if prev != nil {
		s.replayIdempotent(w, r, prev, key, path, hash)
		return
	}
	cw := newCaptureWriter(w.Header())
	next.ServeHTTP(cw, r.WithContext(ctx))
	if cw.status == 0 {
		cw.status = http.StatusOK
	}
	if cw.status >= 500 || cw.status == http.StatusTooManyRequests {
		// Not remembered, and not applied either: a retry executes again.
		cw.flushTo(w)
		return
	}
	err = s.storeIdempotent(ctx, tenant, key, storedResponse{
		method: r.Method, path: path, bodyHash: hash, status: cw.status, headers: pickHeaders(cw.header), body: cw.body,
	})
	if err == nil {
		finished = true
		err = tx.Commit()
	}
	if err != nil {
		// Nothing of the request is committed: answer a 5xx, a retry
		// executes it again.
		s.writeError(w, r, fmt.Errorf("storing the idempotent response: %w", err))
		return
	}
	cw.flushTo(w)
}

// replayIdempotent answers the stored response of an earlier request with
// the same key, or 409 when that request was another one.
func (s *Server) replayIdempotent(w http.ResponseWriter, r *http.Request, prev *storedResponse, key, path, hash string) {
	if prev.method != r.Method || prev.path != path || prev.bodyHash != hash {
		what := "a different body"
		if prev.method != r.Method || prev.path != path {
			what = prev.method + " " + prev.path
		}
		s.writeError(w, r, &apiError{Status: http.StatusConflict, Code: "idempotency_conflict",
			Message: fmt.Sprintf("Idempotency-Key %q was already used with %s; send a new key for a new request", truncate(key, 80), what)})
		return
	}
	for k, v := range prev.headers {
		w.Header()[k] = v
	}
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(prev.status)
	_, _ = w.Write(prev.body)
}

// bodyHash hashes a request body; JSON bodies are hashed in a canonical
// form (compact, object keys sorted) so formatting does not count.
func bodyHash(body []byte) string {
	canon := body
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err == nil && !dec.More() {
		if b, err := json.Marshal(v); err == nil {
			canon = b
		}
	}
	sum := sha256.Sum256(canon)
	return hex.EncodeToString(sum[:])
}

func pickHeaders(h http.Header) map[string][]string {
	out := map[string][]string{}
	for _, k := range replayedHeaders {
		if v := h.Values(k); len(v) > 0 {
			out[k] = v
		}
	}
	return out
}

// loadIdempotent returns the unexpired stored response of (tenant, key), or nil.
func (s *Server) loadIdempotent(ctx context.Context, tenant, key string) (*storedResponse, error) {
	cutoff := s.now().Add(-idempotencyTTL).UTC().Format(timeFormat)
	var rec *storedResponse
	err := s.inTx(ctx, func(tx *sql.Tx) (err error) {
		rec, err = s.store.IdempotentResponse(ctx, tx, tenant, key, cutoff)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load idempotency key: %w", err)
	}
	return rec, nil
}

// storeIdempotent records a response and prunes expired records.
func (s *Server) storeIdempotent(ctx context.Context, tenant, key string, rec storedResponse) error {
	now := s.now()
	return s.inTx(context.WithoutCancel(ctx), func(tx *sql.Tx) error {
		return s.store.RecordResponse(context.WithoutCancel(ctx), tx, tenant, key, rec,
			now.UTC().Format(timeFormat), now.Add(-idempotencyTTL).UTC().Format(timeFormat))
	})
}
