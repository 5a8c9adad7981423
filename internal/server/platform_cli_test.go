package server

import (
	"context"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func envFunc(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseCommandLine(t *testing.T) {
	c, err := ParseCommandLine(nil, envFunc(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DB != ".local/jitsudo-local.db" || c.LogFormat != "text" || c.RateLimit != 0 {
		t.Errorf("defaults %+v", c)
	}
	env := envFunc(map[string]string{
		"JITSUDO_LOCAL_TENANT":     tenantA,
		"JITSUDO_LOCAL_API_KEY":    "env-key",
		"JITSUDO_LOCAL_RATE_LIMIT": "7.5",
		"JITSUDO_LOCAL_FAULTS":     "latency=1ms",
	})
	c, err = ParseCommandLine([]string{"-api-key", "flag-key", "-log-format", "json"}, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Tenant != tenantA || c.APIKey != "flag-key" || c.RateLimit != 7.5 || c.Faults != "latency=1ms" || c.LogFormat != "json" {
		t.Errorf("env fallbacks %+v", c)
	}
	for _, bad := range [][]string{
		{"-api-key", "k"},
		{"-read-only-key", "k"},
		{"-tenant", "nope"},
		{"-tenant", tenantA, "-api-key", "k", "-read-only-key", "k"},
		{"-log-format", "xml"},
		{"-rate-limit", "-1"},
		{"-faults", "rate=7"},
		{"-no-such-flag"},
		{"extra"},
	} {
		if _, err := ParseCommandLine(bad, envFunc(nil), io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	var out strings.Builder
	if code := Main(context.Background(), "v1.2.3", []string{"-version"}, envFunc(nil), &out, io.Discard); code != 0 || out.String() != "jitsudo-local v1.2.3\n" {
		t.Errorf("-version: %d %q", code, out.String())
	}
	if code := Main(context.Background(), "v", []string{"-tenant", "x"}, envFunc(nil), io.Discard, io.Discard); code != 2 {
		t.Errorf("usage error exit code %d", code)
	}
}

func TestMainServesUntilCancelled(t *testing.T) {
	dir := t.TempDir()
	roles := filepath.Join(dir, "roles.json")
	writeFile(t, roles, testRolesJSON)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	args := []string{"-addr", "127.0.0.1:0", "-db", filepath.Join(dir, "state", "j.db"), "-tenant", tenantA,
		"-api-key", keyA, "-read-only-key", keyARO, "-roles", roles, "-log-format", "json"}
	done := make(chan int, 1)
	go func() { done <- Main(ctx, "test", args, envFunc(nil), &stdout, &stderr) }()

	re := regexp.MustCompile(`jitsudo-local listening on (http://127\.0\.0\.1:\d+)\n`)
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == ""; time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
		}
		select {
		case code := <-done:
			t.Fatalf("exited with %d before listening: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no listening line; stderr: %s", stderr.String())
		}
	}
	send(t, base, "GET", "/healthz", credentials{}, "").want(200)
	r := send(t, base, "GET", "/v1/roles", asARO, "")
	r.want(200)
	if !strings.Contains(string(r.Body), `"sre"`) {
		t.Errorf("roles: %s", r.Body)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d; stderr %s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no shutdown")
	}
	if strings.Contains(stderr.String(), keyA) || strings.Contains(stderr.String(), keyARO) {
		t.Errorf("the log shows an API key")
	}
	if !strings.Contains(stderr.String(), `"route":"GET /v1/roles"`) {
		t.Errorf("no request log on stderr: %s", stderr.String())
	}

	// The state survives: restart on the same database with no flags but -db.
	ctx2, cancel2 := context.WithCancel(context.Background())
	var out2 syncBuffer
	go func() {
		done <- Main(ctx2, "test", []string{"-addr", "127.0.0.1:0", "-db", filepath.Join(dir, "state", "j.db")}, envFunc(nil), &out2, io.Discard)
	}()
	base = ""
	for deadline := time.Now().Add(10 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(out2.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		cancel2()
		t.Fatal("restart did not listen")
	}
	send(t, base, "GET", "/v1/roles?name=sre", asA, "").want(200)
	cancel2()
	if code := <-done; code != 0 {
		t.Errorf("restart exit code %d", code)
	}
}
