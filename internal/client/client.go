// Package client is the Go client of the JITSudo access API
// (internal/api/openapi.yaml), used by the Terraform provider.
//
// Every operation of the contract is a typed method taking the generated
// models of package api. Transient failures (connection errors, 429, 502,
// 503, 504) are retried with exponential backoff and jitter, honouring
// Retry-After; creates are safe to retry because every POST carries an
// Idempotency-Key that stays the same across the retries of one call.
// Failed calls return an *APIError that matches the sentinel errors of this
// package with errors.Is.
package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// Defaults of the zero fields of Config.
const (
	DefaultMaxRetries   = 4
	DefaultRetryWaitMin = 250 * time.Millisecond
	DefaultRetryWaitMax = 10 * time.Second
	DefaultTimeout      = 30 * time.Second
	// DefaultRateLimitWait bounds how long one call keeps retrying 429s.
	DefaultRateLimitWait = 5 * time.Minute
	DefaultUserAgent     = "terraform-provider-jitsudo/dev"
)

// NoRetries as Config.MaxRetries sends every request once: the zero value
// already means DefaultMaxRetries.
const NoRetries = -1

// maxBodyBytes bounds how much of a response body is read.
const maxBodyBytes = 32 << 20

// Config configures a Client. Zero fields take the Default* values.
type Config struct {
	// Endpoint is the base URL of the API, e.g. https://jitsudo.example.com.
	Endpoint string
	// APIKey is sent as X-API-Key. It is never logged.
	APIKey string
	// TenantID is the tenant UUID sent as X-Tenant-ID.
	TenantID string
	// UserAgent identifies the caller, e.g. "terraform-provider-jitsudo/1.2.3".
	UserAgent string
	// MaxRetries is how many times a failed attempt is retried (0 means
	// DefaultMaxRetries; NoRetries, or any negative count, disables retries).
	// Answers 429 do not count: with retries on, a rate-limited call is
	// retried after each Retry-After for up to RateLimitWait.
	MaxRetries int
	// RateLimitWait is how long, from its first attempt, a call is retried
	// while the API answers 429 (0 means DefaultRateLimitWait). The
	// context's deadline still ends it first.
	RateLimitWait time.Duration
	// RetryWaitMin and RetryWaitMax bound the wait between attempts, also
	// when the server asks for a longer one with Retry-After.
	RetryWaitMin, RetryWaitMax time.Duration
	// Timeout bounds each HTTP attempt, from dialing to reading the whole
	// response, also against a server that accepts the connection and never
	// answers; a timed-out attempt is retried like a connection error. It
	// replaces HTTPClient's Timeout.
	Timeout time.Duration
	// TimeoutSetting names the setting Timeout comes from in the error of a
	// call whose attempts all went unanswered, e.g. "request_timeout";
	// empty leaves the name out.
	TimeoutSetting string
	// HTTPClient is the client to send requests with; it is copied, not
	// modified. Nil means a pooled client of go-cleanhttp.
	HTTPClient *http.Client
	// Logger receives one debug entry per HTTP attempt; nil disables logging.
	Logger Logger
}

// Logger receives the client's debug log. Fields never contain the API key
// or request and response bodies.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
}

// Client calls the JITSudo API. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	apiKey    string
	tenantID  string
	userAgent string
	http      *retryablehttp.Client
	// timeout is the per-attempt bound and timeoutSetting its name, for
	// the error of unanswered calls.
	timeout        time.Duration
	timeoutSetting string
	// pause holds calls back while the API rate limits the client.
	pause *ratePause
	// retry decides the retries of http.
	retry retryPolicy
}

// CheckEndpoint accepts absolute http and https URLs with a host and
// without user information, query or fragment; a path is a base path the
// API lives under. New applies it; callers that validate configuration
// before creating a client (the provider) call it to say the same.
func CheckEndpoint(s string) error {
	fail := func(what string) error {
		return fmt.Errorf("%q is not an http:// or https:// base URL: %s", s, what)
	}
	u, err := url.Parse(s)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fail(err.Error())
	}
	switch {
	case !strings.Contains(s, "://"):
		return fail("it does not start with http:// or https://")
	case u.Scheme != "http" && u.Scheme != "https":
		return fail(fmt.Sprintf("the scheme is %q, not http or https", u.Scheme))
	case u.Host == "":
		return fail("it has no host")
	case u.User != nil:
		return fail("it carries user information (the API key belongs in api_key)")
	case u.RawQuery != "" || u.ForceQuery:
		return fail("it has a query string")
	case u.Fragment != "":
		return fail("it has a fragment")
	}
	return nil
}

// New validates cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	endpoint := strings.TrimSpace(cfg.Endpoint)
	if err := CheckEndpoint(endpoint); err != nil {
		return nil, fmt.Errorf("invalid endpoint: %w; set it to the http(s) base URL of the JITSudo API, such as https://jitsudo.example.com", err)
	}
	base, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("invalid endpoint %q: %w", cfg.Endpoint, err)
	}
	base.Path = strings.TrimRight(base.Path, "/")
	base.RawPath = strings.TrimRight(base.RawPath, "/")
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, errors.New("missing API key: set the JITSudo API key the requests are authenticated with")
	}
	if _, err := uuid.Parse(cfg.TenantID); err != nil || len(cfg.TenantID) != 36 {
		return nil, fmt.Errorf("invalid tenant ID %q: set it to your tenant's UUID, such as 2489e9ad-2ee2-8e00-8ec9-32d5f69181c0", cfg.TenantID)
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = DefaultMaxRetries
	}
	if cfg.RetryWaitMin <= 0 {
		cfg.RetryWaitMin = DefaultRetryWaitMin
	}
	if cfg.RetryWaitMax <= 0 {
		cfg.RetryWaitMax = DefaultRetryWaitMax
	}
	if cfg.RetryWaitMin > cfg.RetryWaitMax {
		return nil, fmt.Errorf("RetryWaitMin (%s) exceeds RetryWaitMax (%s): lower the minimum or raise the maximum", cfg.RetryWaitMin, cfg.RetryWaitMax)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.RateLimitWait <= 0 {
		cfg.RateLimitWait = DefaultRateLimitWait
	}

	hc := cleanhttp.DefaultPooledClient()
	if cfg.HTTPClient != nil {
		c := *cfg.HTTPClient
		hc = &c
	}
	hc.Timeout = cfg.Timeout
	if hc.Transport == nil {
		hc.Transport = http.DefaultTransport
	}
	pause := &ratePause{max: cfg.RetryWaitMax}
	retry := retryPolicy{maxRetries: cfg.MaxRetries, rateLimitWait: cfg.RateLimitWait}
	hc.Transport = &transport{next: hc.Transport, log: cfg.Logger, pause: pause}

	return &Client{
		base:           base,
		apiKey:         cfg.APIKey,
		tenantID:       strings.ToLower(cfg.TenantID),
		userAgent:      cfg.UserAgent,
		timeout:        cfg.Timeout,
		timeoutSetting: cfg.TimeoutSetting,
		pause:          pause,
		retry:          retry,
		http: &retryablehttp.Client{
			HTTPClient:   hc,
			Logger:       nil, // disabled: transport logs, with ctx and without headers
			RetryWaitMin: cfg.RetryWaitMin,
			RetryWaitMax: cfg.RetryWaitMax,
			// The retries are counted by retryPolicy (rate limits apart).
			RetryMax:   retryMax(cfg.MaxRetries),
			CheckRetry: retry.check,
			Backoff: func(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
				if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
					// The pause holds the Retry-After; a little jitter
					// spreads the calls that it released together.
					return min(max(pause.remaining(), lo)+rand.N(lo+1), hi)
				}
				return max(backoff(lo, hi, attempt, resp), pause.remaining())
			},
			ErrorHandler: keepLastResponse,
		},
	}, nil
}

// retryMax is retryablehttp's bound on attempts: none without retries,
// otherwise unbounded, as retryPolicy counts them.
func retryMax(maxRetries int) int {
	if maxRetries < 0 {
		return 0
	}
	return math.MaxInt32
}

// retryPolicy retries connection errors, 502, 503 and 504 up to
// maxRetries times, and 429 for up to rateLimitWait from the call's first
// attempt (not with retries off); never other statuses, and never once
// the context is done.
type retryPolicy struct {
	maxRetries    int
	rateLimitWait time.Duration
}

func (p retryPolicy) check(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	st, _ := ctx.Value(callStateKey{}).(*callState)
	if st == nil || p.maxRetries < 0 {
		return false, nil
	}
	if err != nil {
		// Retries connection errors, not TLS, scheme or redirect errors.
		retry, err := retryablehttp.DefaultRetryPolicy(ctx, nil, err)
		return retry && st.failure(p.maxRetries), err
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		st.rateLimited++
		left := p.rateLimitWait - time.Since(st.start)
		if ra, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && ra > left {
			return false, nil // the server asks for a longer wait than is left
		}
		return left > 0, nil
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return st.failure(p.maxRetries), nil
	}
	return false, nil
}

// backoff waits lo·2^attempt with jitter (between half and all of it, at
// least lo), or the server's Retry-After if longer, never more than hi.
func backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	d := hi
	if attempt < 63 && lo <= hi>>attempt { // no overflow
		d = lo << attempt
	}
	wait := max(d/2+rand.N(d/2+1), lo)
	if resp != nil {
		if ra, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			wait = max(wait, ra)
		}
	}
	return min(wait, hi)
}

// retryAfter parses a Retry-After value: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(min(s, int64(24*time.Hour/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// keepLastResponse hands the last response to the caller when retries are
// exhausted, so that it becomes an APIError rather than a generic error.
func keepLastResponse(resp *http.Response, err error, _ int) (*http.Response, error) {
	if err == nil && resp != nil {
		return resp, nil
	}
	if resp != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		_ = resp.Body.Close()
	}
	return nil, err
}

// callState follows one logical call through its attempts.
type callState struct {
	start       time.Time
	attempts    int
	failures    int // answers and errors that count against MaxRetries
	rateLimited int // answers 429
}

// attemptsText is "N attempt(s)", with how many were rate limited.
func (st *callState) attemptsText() string {
	text := fmt.Sprintf("%d attempt(s)", max(st.attempts, 1))
	if st.rateLimited > 0 {
		text += fmt.Sprintf(", %d of them answered 429 (rate limited)", st.rateLimited)
	}
	return text
}

// failure counts one and reports whether max more retries allow another.
func (st *callState) failure(maxRetries int) bool {
	st.failures++
	return st.failures <= maxRetries
}

type callStateKey struct{}

// transport counts the attempts of each call and, with a Logger, logs each
// one: method, path, status or error, attempt, duration and request id. It
// never logs headers (the API key) or bodies.
type transport struct {
	next  http.RoundTripper
	log   Logger
	pause *ratePause
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	attempt := 0
	if st, ok := req.Context().Value(callStateKey{}).(*callState); ok {
		st.attempts++ // attempts of one call are sequential
		attempt = st.attempts
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		t.pause.extend(resp.Header.Get("Retry-After"), time.Now())
	}
	if t.log == nil {
		return resp, err
	}
	fields := map[string]any{
		"method":      req.Method,
		"path":        req.URL.EscapedPath(),
		"attempt":     attempt,
		"duration_ms": time.Since(start).Milliseconds(),
	}
	if err != nil {
		fields["error"] = err.Error()
	} else {
		fields["status"] = resp.StatusCode
		fields["request_id"] = resp.Header.Get("X-Request-ID")
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			fields["retry_after"] = ra
		}
	}
	t.log.Debug(req.Context(), "jitsudo API request", fields)
	return resp, err
}

// ratePause holds back every request of a client while the API is rate
// limiting it. A 429 tells that the tenant's budget is spent, for all the
// calls in flight, not only the one answered: each of them would otherwise
// be answered 429 too, spend its retries, and with many concurrent calls
// (terraform's parallelism) an unlucky call could fail after max_retries
// rejections. So after a 429 (seen by the transport) no call of the client
// sends its first attempt (do) or a retry (Backoff) before the Retry-After
// has passed: 1 s without one, at most RetryWaitMax. The waits are outside
// the per-attempt timeout.
type ratePause struct {
	max   time.Duration
	mu    sync.Mutex
	until time.Time
}

// extend holds requests back until now plus the Retry-After value ra.
func (p *ratePause) extend(ra string, now time.Time) {
	d, ok := retryAfter(ra, now)
	if !ok {
		d = time.Second
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if until := now.Add(min(d, p.max)); until.After(p.until) {
		p.until = until
	}
}

// remaining is how long requests are still held back.
func (p *ratePause) remaining() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return max(time.Until(p.until), 0)
}

// wait returns once requests may be sent again (also when the pause was
// extended meanwhile), or ctx's error.
func (p *ratePause) wait(ctx context.Context) error {
	for {
		d := p.remaining()
		if d <= 0 {
			return nil
		}
		timer := time.NewTimer(d)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return context.Cause(ctx)
		}
	}
}

// CloseIdleConnections lets retryablehttp close the pooled connections.
func (t *transport) CloseIdleConnections() {
	if ci, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// request describes one logical call.
type request struct {
	method string
	path   string // escaped, from pathf
	query  url.Values
	body   any // JSON-encoded when not nil
	noAuth bool
}

// do performs r with retries and decodes a 2xx JSON body into out (if not
// nil); any other final status is an *APIError.
func (c *Client) do(ctx context.Context, r request, out any, opts []Option) error {
	o := applyOptions(opts)
	var body any // nil, or the JSON bytes: retryablehttp rewinds them for each attempt
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return fmt.Errorf("jitsudo API: %s %s: encoding the request: %w", r.method, r.path, err)
		}
		body = b
	}
	u := *c.base
	u.RawPath = c.base.EscapedPath() + r.path // keeps %2F inside a segment
	u.Path, _ = url.PathUnescape(u.RawPath)
	u.RawQuery = r.query.Encode()

	st := &callState{start: time.Now()}
	ctx = context.WithValue(ctx, callStateKey{}, st)
	req, err := retryablehttp.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return fmt.Errorf("jitsudo API: %s %s: %w", r.method, r.path, err)
	}
	h := req.Header
	h.Set("Accept", "application/json")
	h.Set("User-Agent", c.userAgent)
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	if !r.noAuth {
		h.Set("X-API-Key", c.apiKey)
		h.Set("X-Tenant-ID", c.tenantID)
	}
	if r.method == http.MethodPost {
		h.Set("Idempotency-Key", uuid.NewString()) // once per call, reused by its retries
	}
	if o.ifMatch != "" {
		h.Set("If-Match", o.ifMatch)
	}

	// The first attempt waits out a rate limit pause here, retries in
	// Backoff: outside each attempt's timeout.
	if err := c.pause.wait(ctx); err != nil {
		return fmt.Errorf("jitsudo API: %s %s: %w", r.method, r.path, ctxError(ctx))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("jitsudo API: %s %s: %w", r.method, r.path, ctxError(ctx))
		}
		if isTimeout(err) {
			return fmt.Errorf("jitsudo API: %s %s: no answer from %s within %s after %s: %w",
				r.method, r.path, c.endpoint(), c.timeoutDesc(), st.attemptsText(), err)
		}
		return fmt.Errorf("jitsudo API: %s %s: giving up after %s: %w", r.method, r.path, st.attemptsText(), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if o.response != nil {
		*o.response = Response{
			StatusCode: resp.StatusCode,
			ETag:       resp.Header.Get("ETag"),
			RequestID:  resp.Header.Get("X-Request-ID"),
			Replayed:   resp.Header.Get("Idempotent-Replayed") == "true",
			Attempts:   st.attempts,
			Location:   resp.Header.Get("Location"),
		}
	}
	if err != nil {
		if isTimeout(err) && ctx.Err() == nil {
			return fmt.Errorf("jitsudo API: %s %s: reading the response: %s did not finish it within %s: %w",
				r.method, r.path, c.endpoint(), c.timeoutDesc(), err)
		}
		return fmt.Errorf("jitsudo API: %s %s: reading the response: %w", r.method, r.path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return newAPIError(resp, data)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("jitsudo API: %s %s: decoding the %d response (request id %s): %w", r.method, r.path, resp.StatusCode, resp.Header.Get("X-Request-ID"), err)
	}
	return nil
}

// ctxError is why ctx is done: ctx.Err(), with the cause the caller gave
// (context.WithTimeoutCause, context.WithCancelCause) when there is one.
func ctxError(ctx context.Context) error {
	err := ctx.Err()
	// Identity, not errors.Is: Cause is ctx.Err() itself when none was
	// given, and a given cause may well match context.DeadlineExceeded.
	if cause := context.Cause(ctx); cause != nil && cause != err { //nolint:errorlint // see above
		return fmt.Errorf("%w: %w", err, cause)
	}
	return err
}

// isTimeout reports whether err is an attempt that ran out of its Timeout.
func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}

// endpoint is the base URL calls go to, for error messages.
func (c *Client) endpoint() string {
	return c.base.String()
}

// timeoutDesc is the per-attempt timeout and the setting it comes from,
// e.g. "30s (request_timeout)".
func (c *Client) timeoutDesc() string {
	if c.timeoutSetting == "" {
		return c.timeout.String()
	}
	return c.timeout.String() + " (" + c.timeoutSetting + ")"
}

// pathf formats an API path, escaping each argument as one path segment
// (so an ARN's "/" is sent as %2F).
func pathf(format string, segments ...string) string {
	args := make([]any, len(segments))
	for i, s := range segments {
		args[i] = url.PathEscape(s)
	}
	return fmt.Sprintf(format, args...)
}
