package server

// The Idempotency-Key records of the store: the responses of POSTs sent
// with a key, replayed to a retry (idempotency.go).

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// IdempotentResponse is the stored response of (tenant, key) created at
// or after cutoff, or nil.
func (store) IdempotentResponse(ctx context.Context, tx *sql.Tx, tenant, key, cutoff string) (*storedResponse, error) {
	var rec storedResponse
	var headers string
	err := tx.QueryRowContext(ctx, `SELECT method, path, body_hash, status, headers, body FROM idempotency_keys
			WHERE tenant_id = ? AND key = ? AND created_at >= ?`, tenant, key, cutoff).
		Scan(&rec.method, &rec.path, &rec.bodyHash, &rec.status, &headers, &rec.body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(headers), &rec.headers); err != nil {
		return nil, fmt.Errorf("headers: %w", err)
	}
	return &rec, nil
}

// RecordResponse stores the response of (tenant, key), created now, and
// deletes the records created before cutoff.
func (store) RecordResponse(ctx context.Context, tx *sql.Tx, tenant, key string, rec storedResponse, now, cutoff string) error {
	if rec.body == nil {
		rec.body = []byte{} // the column is NOT NULL
	}
	headers, err := json.Marshal(rec.headers)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, cutoff); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO idempotency_keys
		(tenant_id, key, method, path, body_hash, status, headers, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tenant, key, rec.method, rec.path, rec.bodyHash, rec.status, string(headers), rec.body, now)
	return err
}
