package server

// Fault injection: jitsudo-local can answer errors and add latency on
// purpose, so clients' retry and recovery paths can be tested.
//
// A spec is a comma-separated list of key=value settings:
//
//	rate=F          probability (0..1) that a matching request faults
//	codes=C[:C...]  statuses to answer, picked at random among them:
//	                429 (rate_limited), 500 (internal), 502 (bad_gateway),
//	                503 (unavailable), 504 (gateway_timeout); default 503
//	latency=D       delay added to every matching request (Go duration,
//	                e.g. 50ms; at most 1m), faulted or not
//	phase=P         before (default): answer the fault instead of running
//	                the request; after: run the request (it commits), then
//	                drop its response and answer the fault, like a response
//	                lost on the way back
//	methods=M[:M]   only requests with these methods match (default all)
//	count=N         only the first N faults are injected, then none
//	retry-after=S   Retry-After seconds sent with 429 and 503 (default 1)
//	seed=N          seed of the random choices (default Options.FaultSeed,
//	                or random when that is 0)
//
// Errors are injected only when rate, codes or count is given; without
// rate, the rate is 1 (every matching request, up to count). "latency=50ms"
// alone only slows requests down. GET /healthz and GET /debug/requests
// never fault. Injected responses carry the error body and the header
// X-Fault-Injected (before|after).
//
// Examples: "rate=0.2,codes=429:503,latency=50ms",
// "codes=503,count=2,methods=POST", "phase=after,count=1,methods=PUT".

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// faultSpec is a parsed fault-injection spec.
type faultSpec struct {
	text       string
	rate       float64
	codes      []int
	latency    time.Duration
	after      bool
	methods    []string // nil: all
	count      int      // 0: unlimited
	retryAfter int
	seed       uint64
	seeded     bool
}

// faultCodes are the statuses that can be injected, with their error code.
var faultCodes = map[int]string{
	http.StatusTooManyRequests:     "rate_limited",
	http.StatusInternalServerError: "internal",
	http.StatusBadGateway:          "bad_gateway",
	http.StatusServiceUnavailable:  "unavailable",
	http.StatusGatewayTimeout:      "gateway_timeout",
}

const maxFaultLatency = time.Minute

// parseFaults parses a fault spec (see the top of this file); "" is nil.
func parseFaults(text string) (*faultSpec, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	fail := func(format string, args ...any) (*faultSpec, error) {
		return nil, fmt.Errorf("fault spec %q: %s", text, fmt.Sprintf(format, args...))
	}
	f := &faultSpec{text: text, codes: []int{http.StatusServiceUnavailable}, retryAfter: 1}
	seen := map[string]bool{}
	for _, part := range strings.Split(text, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if !ok || v == "" {
			return fail("%q is not key=value", part)
		}
		if seen[k] {
			return fail("%s is given twice", k)
		}
		seen[k] = true
		if err := f.set(k, v); err != nil {
			return fail("%s", err)
		}
	}
	// Asking for errors (codes or count) without a rate means every request.
	if !seen["rate"] && (seen["codes"] || seen["count"]) {
		f.rate = 1
	}
	return f, nil
}

// set applies one key=value of a fault spec.
func (f *faultSpec) set(k, v string) error {
	var err error
	switch k {
	case "rate":
		f.rate, err = strconv.ParseFloat(v, 64)
		if err != nil || f.rate < 0 || f.rate > 1 {
			return fmt.Errorf("rate must be a number from 0 to 1, got %q", v)
		}
	case "codes":
		f.codes, err = parseFaultCodes(v)
	case "latency":
		f.latency, err = time.ParseDuration(v)
		if err != nil || f.latency < 0 || f.latency > maxFaultLatency {
			return fmt.Errorf("latency must be a duration from 0 to %s such as 50ms, got %q", maxFaultLatency, v)
		}
	case "phase":
		f.after, err = parseFaultPhase(v)
	case "methods":
		f.methods, err = parseFaultMethods(v)
	case "count":
		f.count, err = strconv.Atoi(v)
		if err != nil || f.count < 1 {
			return fmt.Errorf("count must be a positive integer, got %q", v)
		}
	case "retry-after":
		f.retryAfter, err = strconv.Atoi(v)
		if err != nil || f.retryAfter < 0 || f.retryAfter > 3600 {
			return fmt.Errorf("retry-after must be whole seconds from 0 to 3600, got %q", v)
		}
	case "seed":
		n, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil {
			return fmt.Errorf("seed must be an integer, got %q", v)
		}
		f.seed, f.seeded = uint64(n), true
	default:
		return fmt.Errorf("unknown key %q; known keys: rate, codes, latency, phase, methods, count, retry-after, seed", k)
	}
	return err
}

// parseFaultCodes parses codes=429:503.
func parseFaultCodes(v string) ([]int, error) {
	var codes []int
	for _, c := range strings.Split(v, ":") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if _, known := faultCodes[n]; err != nil || !known {
			return nil, fmt.Errorf("codes: %q is not one of 429, 500, 502, 503, 504 (separate several with ':')", c)
		}
		codes = append(codes, n)
	}
	return codes, nil
}

// parseFaultPhase parses phase=before|after; true is after.
func parseFaultPhase(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "before":
		return false, nil
	case "after":
		return true, nil
	}
	return false, fmt.Errorf("phase must be before or after, got %q", v)
}

// parseFaultMethods parses methods=GET:POST.
func parseFaultMethods(v string) ([]string, error) {
	var methods []string
	for _, m := range strings.Split(v, ":") {
		m = strings.ToUpper(strings.TrimSpace(m))
		switch m {
		case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
			methods = append(methods, m)
		default:
			return nil, fmt.Errorf("methods: %q is not one of GET, HEAD, POST, PUT, PATCH, DELETE (separate several with ':')", m)
		}
	}
	return methods, nil
}

// faultState is the active spec and its random source and counter.
type faultState struct {
	mu       sync.Mutex
	spec     *faultSpec
	rng      *rand.Rand
	injected int
}

// set replaces the active spec (nil clears it) and resets the counter.
func (fs *faultState) set(spec *faultSpec, defaultSeed int64) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.spec, fs.injected, fs.rng = spec, 0, nil
	if spec == nil {
		return
	}
	seed := uint64(defaultSeed)
	switch {
	case spec.seeded:
		seed = spec.seed
	case defaultSeed == 0:
		seed = rand.Uint64()
	}
	fs.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// faultDecision is what happens to one request.
type faultDecision struct {
	latency    time.Duration
	status     int // 0: no error
	after      bool
	retryAfter int
}

// decide rolls the dice for a request with method.
func (fs *faultState) decide(method string) faultDecision {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f := fs.spec
	if f == nil || (f.methods != nil && !slices.Contains(f.methods, method)) {
		return faultDecision{}
	}
	d := faultDecision{latency: f.latency, after: f.after, retryAfter: f.retryAfter}
	if f.rate <= 0 || (f.count > 0 && fs.injected >= f.count) {
		return d
	}
	if f.rate >= 1 || fs.rng.Float64() < f.rate {
		fs.injected++
		d.status = f.codes[fs.rng.IntN(len(f.codes))]
	}
	return d
}

// SetFaults replaces the fault-injection spec at runtime (see faults.go for
// the grammar); "" turns faults off. The fault counter restarts. An invalid
// spec is an error and leaves the active spec unchanged.
func (s *Server) SetFaults(spec string) error {
	f, err := parseFaults(spec)
	if err != nil {
		return err
	}
	s.mw.faults.set(f, s.opts.FaultSeed)
	return nil
}

// injectFaults applies the active fault spec to every request but the
// public meta routes.
func (s *Server) injectFaults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := stateOf(r)
		if st.pattern == routeHealth || st.pattern == routeDebug {
			next.ServeHTTP(w, r)
			return
		}
		d := s.mw.faults.decide(r.Method)
		if d.latency > 0 {
			t := time.NewTimer(d.latency)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
			}
		}
		if d.status == 0 {
			next.ServeHTTP(w, r)
			return
		}
		phase := "before"
		if d.after {
			phase = "after"
			// Run the request to its end (it commits), then lose the answer.
			next.ServeHTTP(newCaptureWriter(w.Header()), r)
		}
		w.Header().Set("X-Fault-Injected", phase)
		if d.status == http.StatusTooManyRequests || d.status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", strconv.Itoa(d.retryAfter))
		}
		s.writeError(w, r, &apiError{Status: d.status, Code: faultCodes[d.status],
			Message: fmt.Sprintf("injected fault (%s the request was handled): jitsudo-local runs with -faults; retry the request", phase)})
	})
}
