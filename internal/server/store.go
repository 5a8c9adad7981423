package server

import (
	"context"
	"database/sql"
	"fmt"
)

// store is jitsudo-local's storage layer: every SQL statement of the API
// handlers, one method per operation on an aggregate (a policy with its
// rules, a permission set, an AWS role with its mapping, a tenant's roles
// and keys). Each method runs in the transaction it is given, so that a
// handler's reads and writes commit or roll back together (Server.inTx).
//
// The store does not validate input (the handlers' pure check and merge
// functions do that first) and does not speak HTTP, except for the errors
// only stored data can show, which it returns as the API's: a missing
// object (404), a taken name (409), a failed If-Match (412), a reference
// to a role that does not exist or a policy whose ordinals are used up
// (400).
//
// The methods are grouped by aggregate: store_policies.go, store_rules.go,
// store_permission_sets.go, store_aws_roles.go, store_tenants.go (tenants,
// API keys, roles and discovery's writes) and store_idempotency.go. The
// database itself (migrations, transactions, savepoints) is db.go's.
type store struct{}

// rowQuerier is a *sql.Tx, or the *sql.DB for the one read that needs no
// transaction (the API key of every request, authPrincipal).
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

// queryPage runs q, which selects at most limit+1 rows, and reads each with
// scan: it returns the first limit rows and whether there were more. what
// names the rows in errors ("policies").
func queryPage[T any](ctx context.Context, tx *sql.Tx, what string, limit int, scan func(rowScanner) (T, error), q string, args ...any) ([]T, bool, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, false, fmt.Errorf("list %s: %w", what, err)
	}
	defer rows.Close()
	page := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, false, fmt.Errorf("list %s: %w", what, err)
		}
		if len(page) == limit {
			return page, true, nil
		}
		page = append(page, v)
	}
	return page, false, rows.Err()
}
