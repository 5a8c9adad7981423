package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The jitsudo-local command (cmd/jitsudo-local) is a thin main around Main.

// shutdownTimeout bounds how long in-flight requests may finish at exit.
const shutdownTimeout = 10 * time.Second

// CommandConfig is the parsed command line of jitsudo-local.
type CommandConfig struct {
	Addr            string
	DB              string
	Tenant          string
	APIKey          string
	ReadOnlyKey     string
	RolesFile       string
	Faults          string
	RateLimit       float64
	CedarSchemaFile string
	LogFormat       string
	Version         bool
}

// envPrefix prefixes the environment variables that stand in for flags:
// -api-key falls back to JITSUDO_LOCAL_API_KEY, and so on.
const envPrefix = "JITSUDO_LOCAL_"

// ParseCommandLine parses the flags of jitsudo-local (args without the
// program name). A flag not given falls back to its environment variable
// (JITSUDO_LOCAL_ and the flag name in upper case with _ for -, e.g.
// JITSUDO_LOCAL_API_KEY), then to its default. Usage and errors go to out.
func ParseCommandLine(args []string, getenv func(string) string, out io.Writer) (CommandConfig, error) {
	var c CommandConfig
	fs := flag.NewFlagSet("jitsudo-local", flag.ContinueOnError)
	fs.SetOutput(out)
	env := func(name, def string) string {
		if v := getenv(envPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&c.Addr, "addr", env("addr", "127.0.0.1:8080"), "listen address; 127.0.0.1:0 picks a free port (the address is printed)")
	fs.StringVar(&c.DB, "db", env("db", ".local/jitsudo-local.db"), "SQLite database file (its directory is created); :memory: for an ephemeral database")
	fs.StringVar(&c.Tenant, "tenant", env("tenant", ""), "create this tenant (a UUID) at start")
	fs.StringVar(&c.APIKey, "api-key", env("api-key", ""), "create this read-write API key for -tenant at start")
	fs.StringVar(&c.ReadOnlyKey, "read-only-key", env("read-only-key", ""), "create this read-only API key for -tenant at start")
	fs.StringVar(&c.RolesFile, "roles", env("roles", ""), "discovery file of internal roles and AWS roles (JSON, see README)")
	fs.StringVar(&c.Faults, "faults", env("faults", ""), `fault injection spec, e.g. "rate=0.2,codes=429:503,latency=50ms" (see README)`)
	rateDefault := 0.0
	if v := env("rate-limit", ""); v != "" {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return c, fmt.Errorf("%sRATE_LIMIT=%q is not a number", envPrefix, v)
		}
		rateDefault = n
	}
	fs.Float64Var(&c.RateLimit, "rate-limit", rateDefault, "requests per second allowed per tenant; 0 for no limit")
	fs.StringVar(&c.CedarSchemaFile, "cedar-schema", env("cedar-schema", ""), "Cedar schema file (.cedarschema) rules are validated against; default: the built-in schema")
	fs.StringVar(&c.LogFormat, "log-format", env("log-format", "text"), "log format on stderr: text or json")
	fs.BoolVar(&c.Version, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q; jitsudo-local takes flags only", fs.Args())
	}
	switch {
	case c.LogFormat != "text" && c.LogFormat != "json":
		return c, fmt.Errorf("-log-format must be text or json, got %q", c.LogFormat)
	case c.RateLimit < 0:
		return c, fmt.Errorf("-rate-limit must be 0 (none) or positive, got %v", c.RateLimit)
	case (c.APIKey != "" || c.ReadOnlyKey != "") && c.Tenant == "":
		return c, errors.New("-api-key and -read-only-key need -tenant: keys belong to a tenant")
	case c.APIKey != "" && c.APIKey == c.ReadOnlyKey:
		return c, errors.New("-api-key and -read-only-key must differ")
	}
	if c.Tenant != "" {
		if _, ok := canonicalUUID(c.Tenant); !ok {
			return c, fmt.Errorf("-tenant must be a UUID such as 2489e9ad-2ee2-4e00-8ec9-32d5f69181c0, got %q", c.Tenant)
		}
	}
	if _, err := parseFaults(c.Faults); err != nil {
		return c, fmt.Errorf("-faults: %w", err)
	}
	return c, nil
}

// Main runs jitsudo-local with the command line args until ctx is done
// (main cancels it on SIGINT and SIGTERM), and returns the exit code: 0
// after a clean shutdown, 1 on errors, 2 on usage errors.
func Main(ctx context.Context, version string, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := ParseCommandLine(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "jitsudo-local:", err)
		return 2
	}
	if cfg.Version {
		fmt.Fprintln(stdout, "jitsudo-local", version)
		return 0
	}
	if err := RunCommand(ctx, cfg, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "jitsudo-local:", err)
		return 1
	}
	return 0
}

// RunCommand opens the database, creates the tenant and keys of cfg,
// listens, prints "jitsudo-local listening on http://ADDR" to stdout and
// serves until ctx is done; then it shuts down gracefully and closes the
// database.
func RunCommand(ctx context.Context, cfg CommandConfig, stdout, stderr io.Writer) error {
	var logHandler slog.Handler = slog.NewTextHandler(stderr, nil)
	if cfg.LogFormat == "json" {
		logHandler = slog.NewJSONHandler(stderr, nil)
	}
	log := slog.New(logHandler)
	srv, err := openCommandServer(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := srv.Close(); err != nil {
			log.Error("closing the database", "error", err)
		}
	}()
	if err := addCommandKeys(ctx, srv, cfg); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	if !addr.IP.IsLoopback() {
		log.Warn("listening on a non-loopback address: anyone who can reach it and knows a key can use this server", "addr", addr.String())
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logHandler, slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	log.Info("jitsudo-local started", "addr", addr.String(), "db", cfg.DB, "roles", cfg.RolesFile,
		"faults", cfg.Faults, "rate_limit", cfg.RateLimit, "tenant", cfg.Tenant)
	fmt.Fprintf(stdout, "jitsudo-local listening on http://%s\n", addr.String())
	return serveUntilDone(ctx, hs, served, log)
}

// openCommandServer reads the Cedar schema file, creates the database
// directory and opens the server of cfg.
func openCommandServer(ctx context.Context, cfg CommandConfig, log *slog.Logger) (*Server, error) {
	opts := Options{DBPath: cfg.DB, RolesFile: cfg.RolesFile, Faults: cfg.Faults, RateLimit: cfg.RateLimit, Logger: log}
	if cfg.CedarSchemaFile != "" {
		b, err := os.ReadFile(cfg.CedarSchemaFile)
		if err != nil {
			return nil, fmt.Errorf("-cedar-schema: %w", err)
		}
		opts.CedarSchema = string(b)
	}
	if cfg.DB != ":memory:" && cfg.DB != "" {
		if err := os.MkdirAll(filepath.Dir(cfg.DB), 0o755); err != nil {
			return nil, fmt.Errorf("-db: create the database directory: %w", err)
		}
	}
	return New(ctx, opts)
}

// addCommandKeys creates the tenant of cfg and its keys, if given.
func addCommandKeys(ctx context.Context, srv *Server, cfg CommandConfig) error {
	if cfg.Tenant == "" {
		return nil
	}
	if err := srv.EnsureTenant(ctx, cfg.Tenant); err != nil {
		return err
	}
	if cfg.APIKey != "" {
		if err := srv.AddKey(ctx, cfg.Tenant, cfg.APIKey, false); err != nil {
			return fmt.Errorf("-api-key: %w", err)
		}
	}
	if cfg.ReadOnlyKey != "" {
		if err := srv.AddKey(ctx, cfg.Tenant, cfg.ReadOnlyKey, true); err != nil {
			return fmt.Errorf("-read-only-key: %w", err)
		}
	}
	return nil
}

// serveUntilDone waits for hs to fail or ctx to be done, then shuts hs
// down within shutdownTimeout.
func serveUntilDone(ctx context.Context, hs *http.Server, served <-chan error, log *slog.Logger) error {
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
