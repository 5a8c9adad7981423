// Package server is jitsudo-local: an implementation of the whole JITSudo
// API contract (internal/api/openapi.yaml) on an embedded SQLite database.
// The acceptance tests, `make demo` and users testing their configurations
// offline run against it.
package server

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
)

// Options configure a Server. The zero value is an in-memory server with no
// tenants, no discovery source, no faults and no rate limit.
type Options struct {
	// DBPath is the SQLite file; ":memory:" or "" for an ephemeral database.
	DBPath string
	// RolesFile is the discovery source (JSON, see discovery.go); "" for
	// none. It is read at start, by EnsureTenant and on
	// GET /v1/aws/roles?refresh=true, so edits apply without a restart.
	RolesFile string
	// CedarSchema is the Cedar schema text rules are validated against;
	// "" for the built-in default of the access broker.
	CedarSchema string
	// Faults is a fault-injection spec such as
	// "rate=0.2,codes=429:503,latency=50ms" (see faults.go); "" for none.
	// SetFaults changes it at runtime.
	Faults string
	// FaultSeed seeds the random choices of fault injection when the spec
	// has no seed=; 0 means a random seed.
	FaultSeed int64
	// RateLimit is the allowed requests per second per tenant; 0 for none.
	RateLimit float64
	// MaxBatch bounds bulk requests; 0 means 1000.
	MaxBatch int
	// Logger receives the request log; nil discards it.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Server implements api.ServerInterface.
type Server struct {
	db       *sql.DB
	store    store // the SQL of the handlers, each call in an inTx transaction
	opts     Options
	log      *slog.Logger
	now      func() time.Time
	maxBatch int

	mw middleware // auth, rate limit, faults, idempotency, counts (middleware.go)

	// schema is the server's Cedar schema, parsed once (parsedSchema).
	schemaOnce sync.Once
	schema     *cedar.Schema
	schemaErr  error
}

var _ api.ServerInterface = (*Server)(nil)

// New opens the database, applies migrations and loads the discovery source.
func New(ctx context.Context, opts Options) (*Server, error) {
	if opts.DBPath == "" {
		opts.DBPath = ":memory:"
	}
	s := &Server{opts: opts, log: opts.Logger, now: opts.Now, maxBatch: opts.MaxBatch}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.maxBatch <= 0 {
		s.maxBatch = api.MaxBatchSize
	}
	db, err := openDB(ctx, opts.DBPath)
	if err != nil {
		return nil, err
	}
	s.db = db
	if err := s.init(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Server) Close() error {
	if s.db == nil {
		return errors.New("server already closed")
	}
	err := s.db.Close()
	s.db = nil
	return err
}
