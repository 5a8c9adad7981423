package server

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go)
)

//go:embed migrations/*.sql
var migrations embed.FS

// openDB opens (creating if needed) the SQLite database at path, or an
// ephemeral one for ":memory:", and applies the embedded migrations.
//
// The pool holds one connection: SQLite has one writer anyway, ":memory:"
// is per connection, and it makes every request's transaction serializable
// without busy retries.
func openDB(ctx context.Context, path string) (*sql.DB, error) {
	dsn := path
	if path != ":memory:" {
		dsn = "file:" + path
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	dsn += sep + "_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := migrate(ctx, db); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// migrate applies, in name order, every embedded migration not yet recorded
// in schema_migrations, each in its own transaction.
func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		var done int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, name).Scan(&done); err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if done > 0 {
			continue
		}
		text, err := migrations.ReadFile(name)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, string(text)); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name) VALUES (?)`, name); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
	}
	return nil
}

// inTx runs fn in one transaction: committed if fn returns nil, rolled back
// otherwise, and rolled back too when fn panics (the connection is then
// free again for the next request). Every request handler does all its
// reads and writes through one inTx call, so a request applies whole or not
// at all.
//
// Inside a request transaction (withRequestTx: the idempotency middleware
// opens one so that the Idempotency-Key record commits with the write it
// remembers), fn runs in a savepoint of that transaction instead: its
// changes are undone if it fails and committed only with the request's.
func (s *Server) inTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	if rt, ok := ctx.Value(requestTxKey{}).(*requestTx); ok {
		return rt.savepoint(ctx, fn)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			_ = tx.Rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	done = true
	return tx.Commit()
}

// requestTx is a transaction that spans a whole request.
type requestTx struct {
	tx *sql.Tx
	n  int // savepoints opened so far, for unique names
}

type requestTxKey struct{}

// withRequestTx makes inTx calls under ctx run in rt.
func withRequestTx(ctx context.Context, rt *requestTx) context.Context {
	return context.WithValue(ctx, requestTxKey{}, rt)
}

// savepoint runs fn in a savepoint of the request transaction: released
// if fn returns nil, rolled back to if it fails or panics.
func (rt *requestTx) savepoint(ctx context.Context, fn func(tx *sql.Tx) error) error {
	rt.n++
	name := fmt.Sprintf("sp%d", rt.n)
	if _, err := rt.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			_, _ = rt.tx.ExecContext(context.WithoutCancel(ctx), "ROLLBACK TO "+name)
			_, _ = rt.tx.ExecContext(context.WithoutCancel(ctx), "RELEASE "+name)
		}
	}()
	if err := fn(rt.tx); err != nil {
		return err
	}
	done = true
	_, err := rt.tx.ExecContext(ctx, "RELEASE "+name)
	return err
}
