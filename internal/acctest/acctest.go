// Package acctest runs the provider's acceptance tests against jitsudo-local:
// each test gets its own server, in process, on a random loopback port, with
// an in-memory database, a tenant, a read-write key and the example
// discovery source. Tests then drive the real terraform binary through
// terraform-plugin-testing and make out-of-band changes with Client.
package acctest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/provider"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/server"
)

// ProviderName is the provider's local name in test configurations.
const ProviderName = "jitsudo"

// ProtoV6ProviderFactories serve the provider in process to terraform, as
// main.go serves it (provider.NewProtocol6Server).
var ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	ProviderName: func() func() (tfprotov6.ProviderServer, error) {
		server := provider.NewProtocol6Server("test")
		return func() (tfprotov6.ProviderServer, error) { return server(), nil }
	}(),
}

// Server is one test's jitsudo-local.
type Server struct {
	URL       string // base URL, http://127.0.0.1:PORT
	APIKey    string
	TenantID  string
	RolesFile string // a copy of examples/jitsudo-local/roles.json the test may edit

	Srv    *server.Server
	Client *client.Client // for out-of-band changes and CheckDestroy

	mu  sync.Mutex
	brk *breakSpec // BreakNextAnswer
}

// RepoRoot is the repository's top folder.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// NewServer starts a jitsudo-local for t and stops it when t ends.
func NewServer(t testing.TB, opts ...func(*server.Options)) *Server {
	t.Helper()
	ctx := context.Background()

	roles, err := os.ReadFile(filepath.Join(RepoRoot(), "examples", "jitsudo-local", "roles.json"))
	if err != nil {
		t.Fatalf("read the example roles file: %v", err)
	}
	rolesFile := filepath.Join(t.TempDir(), "roles.json")
	if err := os.WriteFile(rolesFile, roles, 0o600); err != nil {
		t.Fatal(err)
	}

	o := server.Options{DBPath: ":memory:", RolesFile: rolesFile}
	for _, f := range opts {
		f(&o)
	}
	srv, err := server.New(ctx, o)
	if err != nil {
		t.Fatalf("start jitsudo-local: %v", err)
	}
	s := &Server{APIKey: "acc-" + uuid.NewString(), TenantID: uuid.NewString(), RolesFile: rolesFile, Srv: srv}
	if err := srv.EnsureTenant(ctx, s.TenantID); err != nil {
		t.Fatalf("create tenant: %v", err)
	}
	if err := srv.AddKey(ctx, s.TenantID, s.APIKey, false); err != nil {
		t.Fatalf("create API key: %v", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}
	hs := &http.Server{Handler: s.breakAnswers(srv.Handler()), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	s.URL = "http://" + ln.Addr().String()
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
		_ = srv.Close()
	})

	s.Client, err = client.New(client.Config{Endpoint: s.URL, APIKey: s.APIKey, TenantID: s.TenantID, RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	return s
}

// ConfigFor is the provider block of s's tenant, pointing at s, with
// further settings (HCL attribute lines) added to the block. Every test
// configuration starts with it (Server.Config prepends it).
func ConfigFor(s *Server, settings ...string) string { return s.ProviderConfigAt(s.URL, settings...) }

// ProviderConfigAt is ConfigFor sent to endpoint instead (a proxy in front
// of the server).
func (s *Server) ProviderConfigAt(endpoint string, settings ...string) string {
	return fmt.Sprintf(`
provider "jitsudo" {
  endpoint       = %q
  api_key        = %q
  tenant_id      = %q
  retry_wait_min = "10ms"
  retry_wait_max = "100ms"
%s}
`, endpoint, s.APIKey, s.TenantID, settingLines(settings))
}

// settingLines is settings, each on its own line.
func settingLines(settings []string) string {
	var b strings.Builder
	for _, s := range settings {
		b.WriteString(s + "\n")
	}
	return b.String()
}

// Config prepends the provider block (ConfigFor) to an HCL configuration.
func (s *Server) Config(hcl string) string { return ConfigFor(s) + hcl }

// Requests returns the server's request counts per route, for tests that
// assert how many calls reached the API.
func (s *Server) Requests(t testing.TB) map[string]int64 {
	t.Helper()
	c, err := s.Client.GetDebugRequests(context.Background())
	if err != nil {
		t.Fatalf("read /debug/requests: %v", err)
	}
	return c.Routes
}

// BreakNextAnswer makes the server answer the next successful request
// with method to a path starting with pathPrefix with a body that is not
// JSON (status and headers unchanged): the request commits, but the
// client cannot use the answer.
func (s *Server) BreakNextAnswer(method, pathPrefix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.brk = &breakSpec{method: method, prefix: pathPrefix}
}

type breakSpec struct{ method, prefix string }

// breakAnswers serves next, with the answer BreakNextAnswer asked for.
func (s *Server) breakAnswers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		b := s.brk
		if b != nil && (r.Method != b.method || !strings.HasPrefix(r.URL.Path, b.prefix)) {
			b = nil
		}
		s.mu.Unlock()
		if b == nil {
			next.ServeHTTP(w, r)
			return
		}
		bw := &brokenWriter{ResponseWriter: w}
		next.ServeHTTP(bw, r)
		if bw.status >= 200 && bw.status < 300 {
			s.mu.Lock()
			s.brk = nil
			s.mu.Unlock()
		}
	})
}

// brokenWriter passes the status and headers on and replaces a 2xx body.
type brokenWriter struct {
	http.ResponseWriter
	status int
}

func (w *brokenWriter) WriteHeader(status int) {
	w.status = status
	if status >= 200 && status < 300 {
		w.Header().Del("Content-Length")
	}
	w.ResponseWriter.WriteHeader(status)
	if status >= 200 && status < 300 {
		_, _ = w.ResponseWriter.Write([]byte(`{"truncated`))
	}
}

func (w *brokenWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.status >= 200 && w.status < 300 {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}
