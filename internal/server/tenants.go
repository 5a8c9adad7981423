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
		if err := s.store.InsertTenant(ctx, tx, id, s.nowString()); err != nil {
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
	var exists bool
	err := s.inTx(ctx, func(tx *sql.Tx) (err error) {
		exists, err = s.store.TenantExists(ctx, tx, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("add API key: %w", err)
	}
	if !exists {
		if err := s.EnsureTenant(ctx, id); err != nil {
			return err
		}
	}
	if err := s.inTx(ctx, func(tx *sql.Tx) error { return s.bindKey(ctx, tx, hashKey(key), apiKey{id, readOnly}) }); err != nil {
		return fmt.Errorf("add API key: %w", err)
	}
	return nil
}

// bindKey stores the key with the hash, or updates its read-only flag; a
// key bound to another tenant is an error.
func (s *Server) bindKey(ctx context.Context, tx *sql.Tx, hash string, want apiKey) error {
	cur, found, err := s.store.KeyByHash(ctx, tx, hash)
	switch {
	case err != nil:
		return err
	case !found:
		return s.store.InsertKey(ctx, tx, hash, want, s.nowString())
	case cur.tenant != want.tenant:
		return fmt.Errorf("the key is already bound to tenant %s; a key belongs to one tenant, choose another key for %s", cur.tenant, want.tenant)
	case cur.readOnly != want.readOnly:
		return s.store.SetKeyReadOnly(ctx, tx, hash, want.readOnly)
	}
	return nil
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
