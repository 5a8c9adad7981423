package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/testutil"

	"github.com/google/uuid"
	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

const (
	testKey    = "jsk_live_SECRET-never-log-me"
	testTenant = "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0"
	policyJSON = `{"id":"11111111-1111-1111-1111-111111111111","name":"p","description":null,"enabled":true,"priority":0,"max_duration_seconds":3600,"default_duration_seconds":null,"notification_channel":null,"rules":[],"cedar_policy_set":"","created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:00:00Z"}`
)

// newTestClient returns a client of srv with fast retries.
func newTestClient(t *testing.T, srv *httptest.Server, mod ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		Endpoint:     srv.URL,
		APIKey:       testKey,
		TenantID:     testTenant,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
		HTTPClient:   srv.Client(),
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// statusSequence answers the given statuses in turn, then 200 with body.
func statusSequence(t *testing.T, body string, statuses ...int) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		w.Header().Set("X-Request-ID", fmt.Sprintf("req-%d", i+1))
		if i < len(statuses) {
			w.WriteHeader(statuses[i])
			fmt.Fprintf(w, `{"code":"c%d","message":"m"}`, statuses[i])
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestNewValidates(t *testing.T) {
	ok := Config{Endpoint: "https://jitsudo.example.com/", APIKey: "k", TenantID: testTenant}
	if _, err := New(ok); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for name, tc := range map[string]struct {
		mod  func(*Config)
		want string
	}{
		"empty endpoint":    {func(c *Config) { c.Endpoint = "" }, "http(s) base URL"},
		"no scheme":         {func(c *Config) { c.Endpoint = "jitsudo.example.com" }, "http(s) base URL"},
		"ftp":               {func(c *Config) { c.Endpoint = "ftp://jitsudo.example.com" }, "http(s) base URL"},
		"no host":           {func(c *Config) { c.Endpoint = "https:///v1" }, "http(s) base URL"},
		"query":             {func(c *Config) { c.Endpoint = "https://x.example.com/?a=b" }, "has a query string"},
		"empty key":         {func(c *Config) { c.APIKey = " " }, "missing API key"},
		"tenant not a UUID": {func(c *Config) { c.TenantID = "acme" }, "tenant's UUID"},
		"tenant urn form":   {func(c *Config) { c.TenantID = "urn:uuid:" + testTenant }, "tenant's UUID"},
		"waits inverted":    {func(c *Config) { c.RetryWaitMin, c.RetryWaitMax = time.Second, time.Millisecond }, "exceeds RetryWaitMax"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := ok
			tc.mod(&cfg)
			_, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	c, err := New(Config{Endpoint: "http://127.0.0.1:1", APIKey: "k", TenantID: testTenant})
	if err != nil {
		t.Fatal(err)
	}
	h := c.http
	if c.retry.maxRetries != DefaultMaxRetries || c.retry.rateLimitWait != DefaultRateLimitWait ||
		h.RetryWaitMin != DefaultRetryWaitMin || h.RetryWaitMax != DefaultRetryWaitMax ||
		h.HTTPClient.Timeout != DefaultTimeout || c.userAgent != DefaultUserAgent {
		t.Fatalf("defaults not applied: %+v %q", h, c.userAgent)
	}
	c, _ = New(Config{Endpoint: "http://127.0.0.1:1", APIKey: "k", TenantID: testTenant, MaxRetries: NoRetries})
	if c.http.RetryMax != 0 || c.retry.maxRetries >= 0 {
		t.Fatalf("MaxRetries -1: RetryMax = %d, policy %+v, want no retries", c.http.RetryMax, c.retry)
	}
}

func TestHeaders(t *testing.T) {
	var mu sync.Mutex
	got := map[string]http.Header{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got[r.Method+" "+r.URL.Path] = r.Header.Clone()
		mu.Unlock()
		switch r.URL.Path {
		case "/healthz":
			io.WriteString(w, `{"status":"ok"}`)
		default:
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, policyJSON)
		}
	}))
	defer srv.Close()
	ctx := context.Background()

	c := newTestClient(t, srv, func(c *Config) { c.UserAgent = "terraform-provider-jitsudo/1.2.3" })
	if _, err := c.CreatePolicy(ctx, api.PolicyCreate{Name: "p", MaxDurationSeconds: 3600}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetHealth(ctx); err != nil {
		t.Fatal(err)
	}
	h := got["POST /v1/policies"]
	for k, want := range map[string]string{
		"X-Api-Key": testKey, "X-Tenant-Id": testTenant, "User-Agent": "terraform-provider-jitsudo/1.2.3",
		"Accept": "application/json", "Content-Type": "application/json",
	} {
		if h.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, h.Get(k), want)
		}
	}
	if hz := got["GET /healthz"]; hz.Get("X-Api-Key") != "" || hz.Get("Content-Type") != "" {
		t.Errorf("healthz sent credentials or a content type: %v", hz)
	}

	c = newTestClient(t, srv)
	if _, err := c.GetHealth(ctx); err != nil {
		t.Fatal(err)
	}
	if ua := got["GET /healthz"].Get("User-Agent"); ua != DefaultUserAgent {
		t.Errorf("default User-Agent = %q, want %q", ua, DefaultUserAgent)
	}
}

func TestRetryCountAndBackoffBounded(t *testing.T) {
	srv, n := statusSequence(t, "{}", 503, 503, 503, 503, 503, 503, 503, 503)
	c := newTestClient(t, srv, func(c *Config) {
		c.MaxRetries, c.RetryWaitMin, c.RetryWaitMax = 3, 10*time.Millisecond, 40*time.Millisecond
	})
	start := time.Now()
	_, err := c.GetPolicy(context.Background(), "11111111-1111-1111-1111-111111111111")
	elapsed := time.Since(start)
	if got := n.Load(); got != 4 {
		t.Fatalf("attempts = %d, want 1 + 3 retries", got)
	}
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	// Waits are within [10ms,10ms], [10ms,20ms], [20ms,40ms].
	if elapsed < 40*time.Millisecond || elapsed > 2*time.Second {
		t.Fatalf("elapsed %s, want between 40ms and 2s", elapsed)
	}

	for attempt := range 40 {
		for range 20 {
			d := backoff(10*time.Millisecond, time.Second, attempt, nil)
			want := min(10*time.Millisecond<<min(attempt, 20), time.Second)
			if d < 10*time.Millisecond || d > want || d < want/2 {
				t.Fatalf("backoff(attempt %d) = %s, want within [%s, %s]", attempt, d, want/2, want)
			}
		}
	}
	for attempt := range 100 {
		if d := backoff(time.Minute, time.Hour, attempt, nil); d < time.Minute || d > time.Hour {
			t.Fatalf("backoff(1m, 1h, attempt %d) = %s", attempt, d)
		}
	}
	resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"3600"}}}
	if d := backoff(time.Millisecond, 2*time.Second, 0, resp); d != 2*time.Second {
		t.Fatalf("Retry-After 3600 capped by RetryWaitMax 2s: got %s", d)
	}
}

func TestRetriesTransientStatuses(t *testing.T) {
	for _, status := range []int{429, 502, 503, 504} {
		srv, n := statusSequence(t, policyJSON, status, status)
		p, err := newTestClient(t, srv).GetPolicy(context.Background(), "x")
		if err != nil || p.Name != "p" || n.Load() != 3 {
			t.Errorf("status %d: err %v, attempts %d, want success on attempt 3", status, err, n.Load())
		}
	}
}

func TestNoRetryOnOtherErrors(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 409, 412, 422, 500, 501} {
		srv, n := statusSequence(t, policyJSON, status, status)
		c := newTestClient(t, srv)
		_, err := c.CreatePolicy(context.Background(), api.PolicyCreate{Name: "p", MaxDurationSeconds: 60})
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != status || n.Load() != 1 {
			t.Errorf("status %d: err %v, attempts %d, want one attempt and an APIError", status, err, n.Load())
		}
		n.Store(0)
		if err := c.DeletePolicy(context.Background(), "x"); err == nil || n.Load() != 1 {
			t.Errorf("DELETE status %d: err %v, attempts %d, want one attempt", status, err, n.Load())
		}
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	var n atomic.Int32
	var first, second time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"code":"rate_limited","message":"slow down"}`)
			return
		}
		second = time.Now()
		io.WriteString(w, policyJSON)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, func(c *Config) { c.RetryWaitMax = 5 * time.Second })
	if _, err := c.GetPolicy(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
	if gap := second.Sub(first); gap < time.Second || gap > 3*time.Second {
		t.Fatalf("retried after %s, want >= Retry-After 1s", gap)
	}
}

// TestRateLimitPausesEveryCall checks that a 429 holds back the other calls
// of the client, not only the one answered: a call started after it is
// sent once the Retry-After has passed, and is not rejected itself.
func TestRateLimitPausesEveryCall(t *testing.T) {
	var n atomic.Int32
	var limited time.Time
	rejected := make(chan struct{})
	arrivals := make(chan time.Time, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			limited = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"code":"rate_limited","message":"slow down"}`)
			return
		}
		arrivals <- time.Now()
		io.WriteString(w, policyJSON)
	}))
	defer srv.Close()
	var once sync.Once
	c := newTestClient(t, srv, func(c *Config) {
		c.RetryWaitMax = 5 * time.Second
		// The transport logs an attempt once it has seen the answer.
		c.Logger = &pauseSignal{once: &once, rejected: rejected}
	})
	errs := make(chan error, 2)
	go func() { _, err := c.GetPolicy(context.Background(), "a"); errs <- err }()
	<-rejected
	go func() { _, err := c.GetPolicy(context.Background(), "b"); errs <- err }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := n.Load(); got != 3 {
		t.Errorf("%d requests, want 3 (one 429, then one for each call)", got)
	}
	close(arrivals)
	for at := range arrivals {
		if gap := at.Sub(limited); gap < 900*time.Millisecond {
			t.Errorf("a request was sent %s after the 429, before its Retry-After of 1 s", gap)
		}
	}
}

// TestRateLimitPauseOutsideTimeout checks that a call held back by a rate
// limit pause does not spend its per-attempt timeout waiting: an answer
// that takes most of the timeout still arrives in time.
func TestRateLimitPauseOutsideTimeout(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		time.Sleep(700 * time.Millisecond)
		io.WriteString(w, policyJSON)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, func(c *Config) {
		c.Timeout = time.Second
		c.RetryWaitMax = 5 * time.Second
		c.MaxRetries = NoRetries
	})
	if _, err := c.GetPolicy(context.Background(), "a"); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("first call: %v, want the 429", err)
	}
	start := time.Now()
	if _, err := c.GetPolicy(context.Background(), "b"); err != nil {
		t.Fatalf("a call after the pause: %v", err)
	}
	if waited := time.Since(start); waited < 1500*time.Millisecond {
		t.Errorf("the call took %s, want the pause of about 1 s and the answer's 0.7 s", waited)
	}
}

// TestRateLimitRetriesBeyondMaxRetries checks that answers 429 do not
// spend max_retries: a call rate limited more often than that still
// succeeds, while other failures stay bounded by it (see
// TestRetryCountAndBackoffBounded) and rate limits by RateLimitWait.
func TestRateLimitRetriesBeyondMaxRetries(t *testing.T) {
	srv, n := statusSequence(t, policyJSON, 429, 429, 429, 429, 429, 503, 429)
	c := newTestClient(t, srv, func(c *Config) {
		c.MaxRetries, c.RetryWaitMin, c.RetryWaitMax = 1, time.Millisecond, 5*time.Millisecond
	})
	if _, err := c.GetPolicy(context.Background(), "x"); err != nil {
		t.Fatalf("7 failed attempts, 6 of them 429, with max_retries 1: %v", err)
	}
	if got := n.Load(); got != 8 {
		t.Errorf("%d attempts, want 8", got)
	}

	srv, n = statusSequence(t, policyJSON, 503, 429, 503)
	c = newTestClient(t, srv, func(c *Config) {
		c.MaxRetries, c.RetryWaitMin, c.RetryWaitMax = 1, time.Millisecond, 5*time.Millisecond
	})
	if _, err := c.GetPolicy(context.Background(), "x"); !errors.Is(err, ErrUnavailable) || n.Load() != 3 {
		t.Errorf("503, 429, 503 with max_retries 1: %v after %d attempts, want ErrUnavailable after 3", err, n.Load())
	}

	always := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer always.Close()
	c = newTestClient(t, always, func(c *Config) {
		c.RetryWaitMin, c.RetryWaitMax, c.RateLimitWait = time.Millisecond, 5*time.Millisecond, 100*time.Millisecond
	})
	start := time.Now()
	if _, err := c.GetPolicy(context.Background(), "x"); !errors.Is(err, ErrRateLimited) {
		t.Errorf("always 429: %v, want ErrRateLimited", err)
	}
	if took := time.Since(start); took < 100*time.Millisecond || took > 2*time.Second {
		t.Errorf("always 429 with RateLimitWait 100ms: gave up after %s", took)
	}
}

// TestRateLimitGivesUpOnLongRetryAfter checks that a call asked to wait
// longer than its rate limit budget has left gives up at once, and that an
// error after answers 429 counts them.
func TestRateLimitGivesUpOnLongRetryAfter(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c := newTestClient(t, srv)
	if _, err := c.GetPolicy(context.Background(), "x"); !errors.Is(err, ErrRateLimited) || n.Load() != 1 {
		t.Errorf("Retry-After 3600 s: %v after %d attempts, want ErrRateLimited after 1", err, n.Load())
	}

	n.Store(0)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		time.Sleep(200 * time.Millisecond)
	}))
	defer slow.Close()
	c = newTestClient(t, slow, func(c *Config) {
		c.MaxRetries, c.Timeout, c.RetryWaitMin, c.RetryWaitMax = 1, 50*time.Millisecond, time.Millisecond, 5*time.Millisecond
	})
	_, err := c.GetPolicy(context.Background(), "x")
	if want := "after 4 attempt(s), 2 of them answered 429 (rate limited)"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want it to say %q", err, want)
	}
}

// TestTLSErrorsNotRetried checks that a certificate error is not retried
// (nor counted as a failure that may be).
func TestTLSErrorsNotRetried(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, policyJSON)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, func(c *Config) { c.HTTPClient = nil }) // without the test server's certificate
	_, err := c.GetPolicy(context.Background(), "x")
	if err == nil || !strings.Contains(err.Error(), "giving up after 1 attempt(s)") {
		t.Errorf("untrusted certificate: %v, want one attempt", err)
	}
}

// pauseSignal closes rejected when the transport has seen a 429.
type pauseSignal struct {
	once     *sync.Once
	rejected chan struct{}
}

func (p *pauseSignal) Debug(_ context.Context, _ string, fields map[string]any) {
	if fields["status"] == http.StatusTooManyRequests {
		p.once.Do(func() { close(p.rejected) })
	}
}

// TestRateLimitPauseEndsWithContext checks that a call held back by a
// rate limit pause returns when its context ends.
func TestRateLimitPauseEndsWithContext(t *testing.T) {
	p := &ratePause{max: time.Minute}
	p.extend("30", time.Now())
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := p.wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait = %v, want the context's deadline", err)
	}
	p = &ratePause{max: 10 * time.Millisecond}
	p.extend("30", time.Now())
	if err := p.wait(context.Background()); err != nil {
		t.Fatalf("wait past the cap: %v", err)
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"0":                                 0,
		"7":                                 7 * time.Second,
		" 2 ":                               2 * time.Second,
		"Wed, 01 Jan 2025 12:00:30 GMT":     30 * time.Second,
		"Wednesday, 01-Jan-25 12:00:05 GMT": 5 * time.Second,
		"Wed, 01 Jan 2025 11:00:00 GMT":     0, // in the past
	} {
		if got, ok := retryAfter(v, now); !ok || got != want {
			t.Errorf("retryAfter(%q) = %s, %v; want %s", v, got, ok, want)
		}
	}
	for _, v := range []string{"", "-1", "soon", "1.5"} {
		if _, ok := retryAfter(v, now); ok {
			t.Errorf("retryAfter(%q) accepted", v)
		}
	}
}

func TestIdempotencyKey(t *testing.T) {
	var mu sync.Mutex
	var keys []string
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		mu.Unlock()
		if n.Add(1)%3 != 0 { // two failures, then success, per call
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, policyJSON)
	}))
	defer srv.Close()
	c := newTestClient(t, srv)
	for range 2 {
		if _, err := c.CreatePolicy(context.Background(), api.PolicyCreate{Name: "p", MaxDurationSeconds: 60}); err != nil {
			t.Fatal(err)
		}
	}
	if len(keys) != 6 {
		t.Fatalf("%d attempts, want 6", len(keys))
	}
	if _, err := uuid.Parse(keys[0]); err != nil {
		t.Fatalf("Idempotency-Key %q is not a UUID", keys[0])
	}
	if keys[0] != keys[1] || keys[1] != keys[2] || keys[3] != keys[4] || keys[4] != keys[5] {
		t.Fatalf("key changed across the retries of one call: %q", keys)
	}
	if keys[0] == keys[3] {
		t.Fatalf("two calls shared the key %q", keys[0])
	}

	// Only POSTs carry a key.
	keys = nil
	n.Store(2)
	if err := c.DeletePolicy(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
	if keys[0] != "" {
		t.Fatalf("DELETE sent Idempotency-Key %q", keys[0])
	}
}

func TestContextCancellation(t *testing.T) {
	t.Run("during backoff", func(t *testing.T) {
		var n atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusServiceUnavailable)
		}))
		defer srv.Close()
		c := newTestClient(t, srv, func(c *Config) { c.RetryWaitMax = time.Minute })
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.GetPolicy(ctx, "x")
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("returned after %s, want promptly", d)
		}
		if n.Load() != 1 {
			t.Fatalf("%d attempts, want 1", n.Load())
		}
	})
	t.Run("in flight", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}))
		defer srv.Close()
		defer close(release)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := newTestClient(t, srv).ListPolicies(ctx, api.ListPoliciesParams{})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("returned after %s, want promptly", d)
		}
	})
}

func TestConnectionErrorsRetried(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // connection refused from now on
	log := &captureLogger{}
	c, err := New(Config{Endpoint: "http://" + addr, APIKey: testKey, TenantID: testTenant, MaxRetries: 2,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetCedarSchema(context.Background())
	if err == nil || !strings.Contains(err.Error(), "giving up after 3 attempt(s)") {
		t.Fatalf("err = %v, want giving up after 3 attempts", err)
	}
	if len(log.entries()) != 3 {
		t.Fatalf("%d attempts logged, want 3", len(log.entries()))
	}
}

func TestErrorDecodingAndSentinels(t *testing.T) {
	sentinels := []error{ErrInvalidRequest, ErrInvalidCedar, ErrUnauthenticated, ErrForbidden, ErrTenantMismatch,
		ErrNotFound, ErrConflict, ErrPreconditionFailed, ErrRateLimited, ErrUnavailable}
	for _, tc := range []struct {
		status int
		code   string
		want   []error
	}{
		{400, "invalid_request", []error{ErrInvalidRequest}},
		{400, "invalid_cedar", []error{ErrInvalidRequest, ErrInvalidCedar}},
		{401, "unauthenticated", []error{ErrUnauthenticated}},
		{403, "forbidden", []error{ErrForbidden}},
		{403, "tenant_mismatch", []error{ErrForbidden, ErrTenantMismatch}},
		{404, "not_found", []error{ErrNotFound}},
		{409, "conflict", []error{ErrConflict}},
		{409, "idempotency_conflict", []error{ErrConflict}},
		{412, "precondition_failed", []error{ErrPreconditionFailed}},
		{429, "rate_limited", []error{ErrRateLimited}},
		{500, "internal", []error{ErrUnavailable}},
		{503, "unavailable", []error{ErrUnavailable}},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Request-ID", "req-42")
			w.WriteHeader(tc.status)
			json.NewEncoder(w).Encode(map[string]any{"code": tc.code, "message": "policy 42 broke"})
		}))
		_, err := newTestClient(t, srv, func(c *Config) { c.MaxRetries = -1 }).GetPolicy(context.Background(), "42")
		srv.Close()
		for _, s := range sentinels {
			want := false
			for _, w := range tc.want {
				want = want || w == s //nolint:errorlint // identity of the sentinels themselves
			}
			if errors.Is(err, s) != want {
				t.Errorf("%d %s: errors.Is(err, %q) = %v, want %v", tc.status, tc.code, s, !want, want)
			}
		}
		if want := fmt.Sprintf("jitsudo API: %d %s: policy 42 broke (request id req-42)", tc.status, tc.code); err == nil || err.Error() != want {
			t.Errorf("Error() = %v, want %q", err, want)
		}
	}
}

func TestErrorDetails(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/aws/permission-sets":
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"code":"invalid_request","message":"1 field is invalid","notices":["n1"],
			  "details":{"validation":[{"type":"ERROR","code":"invalid_duration","location":"resources[3].session_duration","message":"bad"}],"hint":"x"}}`)
		case "/v1/policies":
			w.WriteHeader(http.StatusConflict)
			io.WriteString(w, `{"code":"conflict","message":"taken","details":{"existing_id":"abc"}}`)
		default:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "<html>\n  <body>upstream   gone</body>\n</html>\n")
		}
	}))
	defer srv.Close()
	c := newTestClient(t, srv, func(c *Config) { c.MaxRetries = -1 })
	ctx := context.Background()

	_, err := c.UpsertPermissionSets(ctx, []api.PermissionSetInput{{Id: "a", Name: "b"}})
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want *APIError", err)
	}
	v := ae.Validation()
	if len(v) != 1 || v[0].Location != "resources[3].session_duration" || v[0].Code != "invalid_duration" {
		t.Fatalf("Validation() = %+v", v)
	}
	if len(ae.Notices) != 1 || ae.Details.AdditionalProperties["hint"] != "x" {
		t.Fatalf("notices/details lost: %+v", ae)
	}

	_, err = c.CreatePolicy(ctx, api.PolicyCreate{Name: "p", MaxDurationSeconds: 60})
	if !errors.As(err, &ae) || ae.ExistingID() != "abc" || ae.Validation() != nil {
		t.Fatalf("conflict: %v", err)
	}

	_, err = c.GetRule(ctx, "p", "r")
	if !errors.As(err, &ae) || ae.Code != "" || ae.Message != "<html> <body>upstream gone</body> </html>" || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("non-JSON body: %#v", ae)
	}
	if want := "jitsudo API: 502 Bad Gateway: <html> <body>upstream gone</body> </html>"; err.Error() != want {
		t.Fatalf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestPermissionSetARNEscaping(t *testing.T) {
	const arn = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef"
	var uris []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		uris = append(uris, r.Method+" "+r.RequestURI)
		if r.Method == http.MethodDelete {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		io.WriteString(w, `{"id":"`+arn+`","name":"ReadOnly","account_id":null,"metadata":{},"rank":null,"description":null,"session_duration":null,"relay_state":null,"last_synced_at":"2025-01-01T00:00:00Z"}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, func(c *Config) { c.Endpoint = srv.URL + "/base/" })
	ps, err := c.GetPermissionSet(context.Background(), arn)
	if err != nil || ps.Id != arn {
		t.Fatalf("GetPermissionSet: %v %+v", err, ps)
	}
	if err := c.DeletePermissionSet(context.Background(), arn); err != nil {
		t.Fatal(err)
	}
	const want = "/base/v1/aws/permission-sets/arn:aws:sso:::permissionSet%2Fssoins-1234567890abcdef%2Fps-1234567890abcdef"
	if uris[0] != "GET "+want || uris[1] != "DELETE "+want {
		t.Fatalf("request URIs %q, want %q", uris, want)
	}
}

// captureLogger records the log as the provider's tflog adapter would see it.
type captureLogger struct {
	mu  sync.Mutex
	log []string
	raw []map[string]any
}

func (l *captureLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.log = append(l.log, fmt.Sprintf("%s %v", msg, fields))
	l.raw = append(l.raw, fields)
}

func (l *captureLogger) entries() []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.raw
}

func TestLoggingNeverShowsAPIKey(t *testing.T) {
	srv, _ := statusSequence(t, policyJSON, 503, 429)
	log := &captureLogger{}
	c := newTestClient(t, srv, func(c *Config) { c.Logger = log })
	if _, err := c.CreatePolicy(context.Background(), api.PolicyCreate{Name: "p", MaxDurationSeconds: 60}); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(log.log, "\n")
	if strings.Contains(all, testKey) || strings.Contains(all, "SECRET") {
		t.Fatalf("API key logged:\n%s", all)
	}
	if strings.Contains(all, `"name"`) {
		t.Fatalf("body logged:\n%s", all)
	}
	e := log.entries()
	if len(e) != 3 {
		t.Fatalf("%d entries, want one per attempt:\n%s", len(e), all)
	}
	for i, f := range e {
		if f["method"] != "POST" || f["path"] != "/v1/policies" || f["attempt"] != i+1 ||
			f["status"] != []int{503, 429, 200}[i] || f["request_id"] != fmt.Sprintf("req-%d", i+1) || f["duration_ms"] == nil {
			t.Errorf("entry %d = %v", i, f)
		}
	}
}

func TestWithResponseAndIfMatch(t *testing.T) {
	var ifMatch string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ifMatch = r.Header.Get("If-Match")
		w.Header().Set("ETag", `"abc"`)
		w.Header().Set("X-Request-ID", "req-1")
		w.Header().Set("Idempotent-Replayed", "true")
		io.WriteString(w, policyJSON)
	}))
	defer srv.Close()
	c := newTestClient(t, srv)
	var resp Response
	p, err := c.UpdatePolicy(context.Background(), "x", api.PolicyUpdate{Priority: new(5)}, IfMatch(`"old"`), WithResponse(&resp))
	if err != nil || p.Name != "p" {
		t.Fatal(err)
	}
	if ifMatch != `"old"` {
		t.Fatalf("If-Match = %q", ifMatch)
	}
	if resp != (Response{StatusCode: 200, ETag: `"abc"`, RequestID: "req-1", Replayed: true, Attempts: 1}) {
		t.Fatalf("Response = %+v", resp)
	}
}

func TestMalformedSuccessBody(t *testing.T) {
	srv, _ := statusSequence(t, "not json")
	_, err := newTestClient(t, srv).GetPolicy(context.Background(), "x")
	if err == nil || !strings.Contains(err.Error(), "decoding the 200 response") {
		t.Fatalf("err = %v", err)
	}
}

func TestIDsValidatedBeforeSending(t *testing.T) {
	srv, n := statusSequence(t, "{}")
	c := newTestClient(t, srv)
	_, err := c.SetAwsRoleMapping(context.Background(), uuid.NewString(), []string{uuid.NewString(), "admin"})
	if err == nil || !strings.Contains(err.Error(), `role id "admin" (index 1) is not a UUID`) || n.Load() != 0 {
		t.Fatalf("err = %v, requests %d", err, n.Load())
	}
}

func TestPagination(t *testing.T) {
	var mu sync.Mutex
	var cursors []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cur := r.URL.Query().Get("cursor")
		mu.Lock()
		cursors = append(cursors, cur+"|"+r.URL.Query().Get("limit"))
		mu.Unlock()
		page := map[string]string{
			"":   `{"data":[{"id":"00000000-0000-0000-0000-000000000001","name":"a","description":null},{"id":"00000000-0000-0000-0000-000000000002","name":"b","description":null}],"next_cursor":"c1","has_more":true}`,
			"c1": `{"data":[{"id":"00000000-0000-0000-0000-000000000003","name":"c","description":null}],"next_cursor":"c2","has_more":true}`,
			"c2": `{"data":[],"next_cursor":null,"has_more":false}`,
			"c3": `{"data":[],"next_cursor":"c3","has_more":true}`,
		}[cur]
		if page == "" {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"code":"not_found","message":"no cursor"}`)
			return
		}
		io.WriteString(w, page)
	}))
	defer srv.Close()
	c := newTestClient(t, srv)
	ctx := context.Background()

	var names []string
	for r, err := range c.AllRoles(ctx, api.ListRolesParams{Limit: new(2)}) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, r.Name)
	}
	if strings.Join(names, ",") != "a,b,c" || strings.Join(cursors, ",") != "|2,c1|2,c2|2" {
		t.Fatalf("names %q, requests %q", names, cursors)
	}

	cursors = nil
	for range c.AllRoles(ctx, api.ListRolesParams{}) {
		break
	}
	if len(cursors) != 1 {
		t.Fatalf("breaking early fetched %d pages", len(cursors))
	}

	var errs []error
	for _, err := range c.AllRoles(ctx, api.ListRolesParams{Cursor: new("bad")}) {
		errs = append(errs, err)
	}
	if len(errs) != 1 || !errors.Is(errs[0], ErrNotFound) {
		t.Fatalf("errors %v, want one ErrNotFound", errs)
	}

	errs = nil
	for _, err := range c.AllRoles(ctx, api.ListRolesParams{Cursor: new("c3")}) {
		errs = append(errs, err)
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "again") {
		t.Fatalf("a repeated cursor: %v", errs)
	}
}

func TestEveryOperationRoute(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = r.Method + " " + r.RequestURI + " " + string(body)
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	c := newTestClient(t, srv)
	ctx := context.Background()
	const (
		pid = "11111111-1111-1111-1111-111111111111"
		rid = "22222222-2222-2222-2222-222222222222"
		arn = "arn:aws:sso:::permissionSet/ins/ps"
	)
	src := uuid.MustParse(rid)
	for _, tc := range []struct {
		call func() error
		want string
	}{
		{func() error { _, err := c.GetHealth(ctx); return err }, "GET /healthz "},
		{func() error { _, err := c.GetDebugRequests(ctx); return err }, "GET /debug/requests "},
		{func() error { _, err := c.GetCedarSchema(ctx); return err }, "GET /v1/cedar/schema "},
		{func() error {
			_, err := c.ListPolicies(ctx, api.ListPoliciesParams{Limit: new(10), Cursor: new("c"), Name: new("a b")})
			return err
		}, "GET /v1/policies?cursor=c&limit=10&name=a+b "},
		{func() error {
			_, err := c.CreatePolicy(ctx, api.PolicyCreate{Name: "n", MaxDurationSeconds: 60})
			return err
		}, `POST /v1/policies {"max_duration_seconds":60,"name":"n"}`},
		{func() error { _, err := c.GetPolicy(ctx, pid); return err }, "GET /v1/policies/" + pid + " "},
		{func() error {
			_, err := c.UpdatePolicy(ctx, pid, api.PolicyUpdate{Description: nullable.NewNullNullable[string]()})
			return err
		}, "PATCH /v1/policies/" + pid + ` {"description":null}`},
		{func() error { return c.DeletePolicy(ctx, pid) }, "DELETE /v1/policies/" + pid + " "},
		{func() error { _, err := c.ListRules(ctx, pid, api.ListRulesParams{Limit: new(5)}); return err }, "GET /v1/policies/" + pid + "/rules?limit=5 "},
		{func() error {
			_, err := c.CreateRule(ctx, pid, api.RuleCreate{PolicyText: new("permit (principal, action, resource);")})
			return err
		}, "POST /v1/policies/" + pid + `/rules {"policy_text":"permit (principal, action, resource);"}`},
		{func() error { _, err := c.GetRule(ctx, pid, rid); return err }, "GET /v1/policies/" + pid + "/rules/" + rid + " "},
		{func() error {
			_, err := c.UpdateRule(ctx, pid, rid, api.RuleUpdate{Ordinal: new(3)})
			return err
		}, "PATCH /v1/policies/" + pid + "/rules/" + rid + ` {"ordinal":3}`},
		{func() error { return c.DeleteRule(ctx, pid, rid) }, "DELETE /v1/policies/" + pid + "/rules/" + rid + " "},
		{func() error { _, err := c.ReorderRules(ctx, pid, []string{rid}); return err }, "PATCH /v1/policies/" + pid + `/rules/reorder {"ids":["` + rid + `"]}`},
		{func() error {
			_, err := c.ListPermissionSets(ctx, api.ListPermissionSetsParams{AccountId: new("123456789012")})
			return err
		}, "GET /v1/aws/permission-sets?account_id=123456789012 "},
		{func() error {
			_, err := c.UpsertPermissionSets(ctx, nil)
			return err
		}, `PUT /v1/aws/permission-sets {"resources":[]}`},
		{func() error { _, err := c.GetPermissionSet(ctx, arn); return err }, "GET /v1/aws/permission-sets/arn:aws:sso:::permissionSet%2Fins%2Fps "},
		{func() error { return c.DeletePermissionSet(ctx, arn) }, "DELETE /v1/aws/permission-sets/arn:aws:sso:::permissionSet%2Fins%2Fps "},
		{func() error { _, err := c.DeletePermissionSets(ctx, []string{arn}, nil); return err }, `POST /v1/aws/permission-sets/bulk-delete {"ids":["` + arn + `"]}`},
		{func() error {
			_, err := c.DeletePermissionSets(ctx, []string{arn}, map[string]string{arn: `"e1"`})
			return err
		}, `POST /v1/aws/permission-sets/bulk-delete {"ids":["` + arn + `"],"if_match":{"` + arn + `":"\"e1\""}}`},
		{func() error {
			_, err := c.UpsertPermissionSets(ctx, []api.PermissionSetInput{
				{Id: arn, Name: "a", IfMatch: new(`"e1"`)},
				{Id: arn + "2", Name: "b", IfNoneMatch: new(api.PermissionSetInputIfNoneMatchAsterisk)},
			})
			return err
		}, `PUT /v1/aws/permission-sets {"resources":[{"id":"` + arn + `","if_match":"\"e1\"","name":"a"},{"id":"` + arn + `2","if_none_match":"*","name":"b"}]}`},
		{func() error {
			_, err := c.ListAwsRoles(ctx, api.ListAwsRolesParams{Refresh: new(true), Arn: new("arn:aws:iam::1:role/x"),
				Source: &src, Status: new(api.AwsRoleStatusMISSING)})
			return err
		}, "GET /v1/aws/roles?arn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fx&refresh=true&source=" + rid + "&status=MISSING "},
		{func() error { _, err := c.GetAwsRole(ctx, rid); return err }, "GET /v1/aws/roles/" + rid + " "},
		{func() error { _, err := c.GetAwsRoleMapping(ctx, rid); return err }, "GET /v1/aws/roles/" + rid + "/roles "},
		{func() error { _, err := c.SetAwsRoleMapping(ctx, rid, nil); return err }, "PUT /v1/aws/roles/" + rid + "/roles []"},
		{func() error { _, err := c.SetAwsRoleMapping(ctx, rid, []string{pid}); return err }, "PUT /v1/aws/roles/" + rid + `/roles [{"id":"` + pid + `"}]`},
		{func() error { _, err := c.ListRoles(ctx, api.ListRolesParams{Name: new("sre")}); return err }, "GET /v1/roles?name=sre "},
	} {
		if err := tc.call(); err != nil {
			t.Errorf("%s: %v", tc.want, err)
		}
		if got != tc.want {
			t.Errorf("sent %q, want %q", got, tc.want)
		}
	}
}

func TestTimeoutIsPerAttempt(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			<-r.Context().Done() // hang until the client gives up on this attempt
			return
		}
		io.WriteString(w, policyJSON)
	}))
	defer srv.Close()
	var resp Response
	c := newTestClient(t, srv, func(c *Config) { c.Timeout = 100 * time.Millisecond })
	if _, err := c.GetPolicy(context.Background(), "x", WithResponse(&resp)); err != nil {
		t.Fatal(err)
	}
	if resp.Attempts != 2 {
		t.Fatalf("%d attempts, want a timed-out attempt and a retry", resp.Attempts)
	}
}

func TestTimeoutNeverAnswered(t *testing.T) {
	url, accepted := testutil.SilentListener(t)
	const timeout = 200 * time.Millisecond
	c, err := New(Config{
		Endpoint: url, APIKey: testKey, TenantID: testTenant,
		MaxRetries: 2, RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 20 * time.Millisecond,
		Timeout: timeout, TimeoutSetting: "request_timeout",
	})
	if err != nil {
		t.Fatal(err)
	}
	var resp Response
	start := time.Now()
	_, err = c.GetPolicy(context.Background(), "x", WithResponse(&resp))
	elapsed := time.Since(start)
	if err == nil {
		t.Fatal("GetPolicy succeeded against a listener that never answers")
	}
	want := "no answer from " + url + " within 200ms (request_timeout) after 3 attempt(s)"
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want it to contain %q", err, want)
	}
	// Three attempts of 200ms each, with two backoff waits of at most 20ms.
	if lo, hi := 3*timeout, 3*timeout+2*20*time.Millisecond+time.Second; elapsed < lo || elapsed > hi {
		t.Fatalf("failed after %s, want between %s and %s", elapsed, lo, hi)
	}
	if n := accepted.Load(); n != 3 {
		t.Fatalf("%d connections accepted, want one per attempt (3)", n)
	}
}

func TestTimeoutDefault(t *testing.T) {
	url, _ := testutil.SilentListener(t)
	c, err := New(Config{Endpoint: url, APIKey: testKey, TenantID: testTenant, MaxRetries: NoRetries})
	if err != nil {
		t.Fatal(err)
	}
	if c.timeout != DefaultTimeout || c.http.HTTPClient.Timeout != DefaultTimeout || DefaultTimeout != 30*time.Second {
		t.Fatalf("timeout %s, HTTP client timeout %s, want the default 30s", c.timeout, c.http.HTTPClient.Timeout)
	}
	// Without a setting name the error still names the endpoint and the bound.
	c.http.HTTPClient.Timeout, c.timeout = 50*time.Millisecond, 50*time.Millisecond
	_, err = c.GetPolicy(context.Background(), "x")
	if want := "no answer from " + url + " within 50ms after 1 attempt(s)"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want it to contain %q", err, want)
	}
}

func TestTimeoutReadingBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"id":`)
		w.(http.Flusher).Flush()
		<-r.Context().Done() // the rest of the body never comes
	}))
	defer srv.Close()
	c := newTestClient(t, srv, func(c *Config) { c.Timeout = 100 * time.Millisecond; c.TimeoutSetting = "request_timeout" })
	_, err := c.GetPolicy(context.Background(), "x")
	if want := srv.URL + " did not finish it within 100ms (request_timeout)"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want it to contain %q", err, want)
	}
}

func TestBulkPreconditionFailed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusPreconditionFailed)
		switch r.URL.Path {
		case "/v1/aws/permission-sets":
			io.WriteString(w, `{"code":"precondition_failed","message":"1 precondition failed",
			  "details":{"validation":[{"type":"ERROR","code":"precondition_failed","location":"resources[1].if_none_match","message":"already exists"}]}}`)
		default:
			io.WriteString(w, `{"code":"precondition_failed","message":"1 precondition failed",
			  "details":{"validation":[{"type":"ERROR","code":"precondition_failed","location":"if_match[\"a\"]","message":"has another current ETag"}]}}`)
		}
	}))
	defer srv.Close()
	c := newTestClient(t, srv)
	ctx := context.Background()

	_, err := c.UpsertPermissionSets(ctx, []api.PermissionSetInput{{Id: "a", Name: "a"}, {Id: "b", Name: "b", IfNoneMatch: new(api.PermissionSetInputIfNoneMatchAsterisk)}})
	var ae *APIError
	if !errors.Is(err, ErrPreconditionFailed) || !errors.As(err, &ae) {
		t.Fatalf("upsert: err = %v, want ErrPreconditionFailed", err)
	}
	if v := ae.Validation(); len(v) != 1 || v[0].Location != "resources[1].if_none_match" || v[0].Code != "precondition_failed" {
		t.Fatalf("upsert: Validation() = %+v", v)
	}

	_, err = c.DeletePermissionSets(ctx, []string{"a"}, map[string]string{"a": `"e"`})
	if !errors.Is(err, ErrPreconditionFailed) || !errors.As(err, &ae) {
		t.Fatalf("bulk delete: err = %v, want ErrPreconditionFailed", err)
	}
	if v := ae.Validation(); len(v) != 1 || v[0].Location != `if_match["a"]` {
		t.Fatalf("bulk delete: Validation() = %+v", v)
	}
}

// A call ended by its caller's deadline says why, with the cause the
// caller gave, and still matches context.DeadlineExceeded.
func TestContextCause(t *testing.T) {
	url, _ := testutil.SilentListener(t)
	c, err := New(Config{Endpoint: url, APIKey: testKey, TenantID: testTenant, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	cause := errors.New("the create timeout of 100ms passed")
	ctx, cancel := context.WithTimeoutCause(context.Background(), 100*time.Millisecond, cause)
	defer cancel()
	start := time.Now()
	_, err = c.GetPolicy(ctx, "x")
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("the call took %s, want it to end at the context's deadline", elapsed)
	}
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, cause) ||
		!strings.Contains(err.Error(), "context deadline exceeded: the create timeout of 100ms passed") {
		t.Fatalf("err = %v, want the deadline and its cause", err)
	}

	// Without a cause, just the context's error.
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err = c.GetPolicy(ctx, "x"); err == nil || !strings.HasSuffix(err.Error(), ": context deadline exceeded") {
		t.Fatalf("err = %v, want it to end in the context's error", err)
	}
}
