package server

// The one server test harness core: the clock of Options.Now and a server
// behind its real Handler and the contract validator on a loopback
// listener. resourceServer (fields_test.go) and platEnv
// (platform_helpers_test.go) are two views of it: tenants made on demand,
// or the fixed tenants A and B with a discovery file.

import (
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/apitest"
)

// testClock is the clock of the tests: every reading moves it by step
// (0 for a clock that moves only with Advance).
type testClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

// newStepClock is a deterministic clock: every reading is one millisecond
// after the previous one.
func newStepClock(start time.Time) *testClock {
	return &testClock{t: start, step: time.Millisecond}
}

// newFixedClock is a clock that stands still until Advance.
func newFixedClock(start time.Time) *testClock {
	return &testClock{t: start}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// serveForTest serves srv's Handler on a loopback listener, checked against
// openapi.yaml unless validate is false (fault tests answer statuses the
// contract does not list); at cleanup a contract violation fails the test
// and srv is closed. The validator is nil when validate is false.
func serveForTest(t *testing.T, srv *Server, validate bool) (*httptest.Server, *apitest.Validator) {
	t.Helper()
	h := srv.Handler()
	var val *apitest.Validator
	if validate {
		v, err := apitest.New(h)
		if err != nil {
			t.Fatalf("apitest.New: %v", err)
		}
		val, h = v, v
	}
	hs := httptest.NewServer(h)
	t.Cleanup(func() {
		hs.Close()
		if val != nil {
			for _, p := range val.Problems() {
				t.Errorf("contract violation: %s", p)
			}
		}
		_ = srv.Close()
	})
	return hs, val
}
