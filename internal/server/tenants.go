package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
)

// init validates the options that New cannot check itself (fault spec,
// Cedar schema, discovery file) and rescans the discovery file for every
// tenant already in the database, so a changed file applies at start.
func (s *Server) init(ctx context.Context) error {
	spec, err := parseFaults(s.opts.Faults)
	if err != nil {
		return err
	}
	s.mw.faults.set(spec, s.opts.FaultSeed)
	if s.opts.RateLimit < 0 {
		return fmt.Errorf("rate limit must be 0 (none) or a positive number of requests per second, got %v", s.opts.RateLimit)
	}
	if s.opts.CedarSchema != "" {
		if _, err := cedar.ValidatePolicy("permit (principal, action, resource);", s.opts.CedarSchema); err != nil {
			return fmt.Errorf("cedar schema: %w", err)
		}
	}
	f, err := s.discoverySource()
	if err != nil {
		return err
	}
	return s.syncAllTenants(ctx, f)
}

// EnsureTenant creates the tenant tenantID (a UUID, stored lower-case) if it
// does not exist, and applies the discovery file to it. It is idempotent.
func (s *Server) EnsureTenant(ctx context.Context, tenantID string) error {
	id, ok := canonicalUUID(tenantID)
	if !ok {
		return fmt.Errorf("tenant id %q is not a UUID such as 2489e9ad-2ee2-4e00-8ec9-32d5f69181c0", tenantID)
	}
	f, err := s.discoverySource()
	if err != nil {
		return err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO tenants (id, created_at) VALUES (?, ?)`, id, s.nowString()); err != nil {
			return err
		}
		return s.syncTenant(ctx, tx, id, f)
	})
	if err != nil {
		return fmt.Errorf("ensure tenant %s: %w", id, err)
	}
	return nil
}

// AddKey binds the API key to the tenant tenantID (created with
// EnsureTenant if needed), read-only or read-write. Only a hash of the key
// is stored. It is idempotent; adding a known key of the same tenant again
// updates its read-only flag; a key bound to another tenant is an error.
func (s *Server) AddKey(ctx context.Context, tenantID, key string, readOnly bool) error {
	id, ok := canonicalUUID(tenantID)
	if !ok {
		return fmt.Errorf("tenant id %q is not a UUID such as 2489e9ad-2ee2-4e00-8ec9-32d5f69181c0", tenantID)
	}
	if err := checkAPIKey(key); err != nil {
		return err
	}
	var exists int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM tenants WHERE id = ?`, id).Scan(&exists); err != nil {
		return fmt.Errorf("add API key: %w", err)
	}
	if exists == 0 {
		if err := s.EnsureTenant(ctx, id); err != nil {
			return err
		}
	}
	hash := hashKey(key)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var owner string
		var ro bool
		err := tx.QueryRowContext(ctx, `SELECT tenant_id, read_only FROM api_keys WHERE key_hash = ?`, hash).Scan(&owner, &ro)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, `INSERT INTO api_keys (key_hash, tenant_id, read_only, created_at) VALUES (?, ?, ?, ?)`,
				hash, id, readOnly, s.nowString())
			if err != nil {
				return fmt.Errorf("add API key: %w", err)
			}
			return nil
		case err != nil:
			return fmt.Errorf("add API key: %w", err)
		case owner != id:
			return fmt.Errorf("add API key: the key is already bound to tenant %s; a key belongs to one tenant, choose another key for %s", owner, id)
		case ro != readOnly:
			if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET read_only = ? WHERE key_hash = ?`, readOnly, hash); err != nil {
				return fmt.Errorf("add API key: %w", err)
			}
		}
		return nil
	})
}

// checkAPIKey accepts keys of 1..512 visible ASCII characters: they travel
// in an HTTP header.
func checkAPIKey(key string) error {
	if key == "" {
		return errors.New("API key is empty")
	}
	if len(key) > 512 {
		return fmt.Errorf("API key is %d characters long; at most 512 are allowed", len(key))
	}
	for _, c := range key {
		if c <= ' ' || c > '~' {
			return errors.New("API key must consist of visible ASCII characters (no spaces or control characters)")
		}
	}
	return nil
}
