package server

// The tenant aggregate of the store: tenants, their API keys, and the
// internal and AWS roles discovery writes (discovery.go decides what
// changes; these statements apply it).

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// InsertTenant creates the tenant id unless it exists.
func (store) InsertTenant(ctx context.Context, tx *sql.Tx, id, now string) error {
	_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO tenants (id, created_at) VALUES (?, ?)`, id, now)
	return err
}

// TenantExists reports whether the tenant id exists.
func (store) TenantExists(ctx context.Context, tx *sql.Tx, id string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tenants WHERE id = ?`, id).Scan(&n)
	return n > 0, err
}

// TenantIDs lists the tenants by id.
func (store) TenantIDs(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM tenants ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	defer rows.Close()
	var tenants []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list tenants: %w", err)
		}
		tenants = append(tenants, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	return tenants, nil
}

// apiKey is a stored API key: its tenant and whether it is read-only.
type apiKey struct {
	tenant   string
	readOnly bool
}

// KeyByHash reads the API key with the hash (hashKey); found is false
// when there is none. A single read, so q may be the database itself.
func (store) KeyByHash(ctx context.Context, q rowQuerier, hash string) (key apiKey, found bool, err error) {
	err = q.QueryRowContext(ctx, `SELECT tenant_id, read_only FROM api_keys WHERE key_hash = ?`, hash).Scan(&key.tenant, &key.readOnly)
	if errors.Is(err, sql.ErrNoRows) {
		return key, false, nil
	}
	return key, err == nil, err
}

// InsertKey stores a new API key by its hash.
func (store) InsertKey(ctx context.Context, tx *sql.Tx, hash string, key apiKey, now string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO api_keys (key_hash, tenant_id, read_only, created_at) VALUES (?, ?, ?, ?)`,
		hash, key.tenant, key.readOnly, now)
	return err
}

// SetKeyReadOnly changes the read-only flag of the API key with the hash.
func (store) SetKeyReadOnly(ctx context.Context, tx *sql.Tx, hash string, readOnly bool) error {
	_, err := tx.ExecContext(ctx, `UPDATE api_keys SET read_only = ? WHERE key_hash = ?`, readOnly, hash)
	return err
}

// roleRow is an internal role as stored.
type roleRow struct {
	name string
	desc sql.NullString
}

// RoleRows reads the tenant's internal roles by id.
func (store) RoleRows(ctx context.Context, tx *sql.Tx, tenant string) (map[string]roleRow, error) {
	existing := map[string]roleRow{}
	rows, err := tx.QueryContext(ctx, `SELECT id, name, description FROM roles WHERE tenant_id = ?`, tenant)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var rr roleRow
		if err := rows.Scan(&id, &rr.name, &rr.desc); err != nil {
			return nil, err
		}
		existing[id] = rr
	}
	return existing, rows.Close()
}

// PutRole inserts the internal role id, or updates it when exists.
func (store) PutRole(ctx context.Context, tx *sql.Tx, tenant, id string, role roleRow, exists bool) error {
	var err error
	if exists {
		_, err = tx.ExecContext(ctx, `UPDATE roles SET name = ?, description = ? WHERE tenant_id = ? AND id = ?`, role.name, role.desc, tenant, id)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO roles (tenant_id, id, name, description) VALUES (?, ?, ?, ?)`, tenant, id, role.name, role.desc)
	}
	return err
}

// DeleteRole deletes an internal role with its mappings; the AWS roles
// that granted it change (updated = now).
func (store) DeleteRole(ctx context.Context, tx *sql.Tx, tenant, id, now string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE aws_roles SET updated = ? WHERE tenant_id = ? AND id IN
		(SELECT aws_role_id FROM aws_role_mappings WHERE tenant_id = ? AND role_id = ?)`, now, tenant, tenant, id); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM roles WHERE tenant_id = ? AND id = ?`, tenant, id)
	return err
}

// awsRoleRow is an AWS role as stored.
type awsRoleRow struct {
	name, arn, source, status string
	desc                      sql.NullString
}

// AwsRoleRows reads the tenant's AWS roles by id.
func (store) AwsRoleRows(ctx context.Context, tx *sql.Tx, tenant string) (map[string]awsRoleRow, error) {
	existing := map[string]awsRoleRow{}
	rows, err := tx.QueryContext(ctx, `SELECT id, name, arn, description, source, status FROM aws_roles WHERE tenant_id = ?`, tenant)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var ar awsRoleRow
		if err := rows.Scan(&id, &ar.name, &ar.arn, &ar.desc, &ar.source, &ar.status); err != nil {
			return nil, err
		}
		existing[id] = ar
	}
	return existing, rows.Close()
}

// PutAwsRole inserts the AWS role id, or updates it when exists; either
// way it is OK and updated now.
func (store) PutAwsRole(ctx context.Context, tx *sql.Tx, tenant, id string, ar awsRoleRow, exists bool, now string) error {
	var err error
	if exists {
		_, err = tx.ExecContext(ctx, `UPDATE aws_roles SET name = ?, arn = ?, description = ?, source = ?, status = 'OK', updated = ?
			WHERE tenant_id = ? AND id = ?`, ar.name, ar.arn, ar.desc, ar.source, now, tenant, id)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO aws_roles (tenant_id, id, name, arn, description, source, status, updated)
			VALUES (?, ?, ?, ?, ?, ?, 'OK', ?)`, tenant, id, ar.name, ar.arn, ar.desc, ar.source, now)
	}
	return err
}

// DeleteAwsRole deletes an AWS role with its mappings.
func (store) DeleteAwsRole(ctx context.Context, tx *sql.Tx, tenant, id string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM aws_roles WHERE tenant_id = ? AND id = ?`, tenant, id)
	return err
}

// MarkAwsRoleMissing sets an AWS role MISSING, updated now; it keeps its
// mappings.
func (store) MarkAwsRoleMissing(ctx context.Context, tx *sql.Tx, tenant, id, now string) error {
	_, err := tx.ExecContext(ctx, `UPDATE aws_roles SET status = 'MISSING', updated = ? WHERE tenant_id = ? AND id = ?`, now, tenant, id)
	return err
}

// RolesPage is one page of ListRoles (rolesQuery) with next_cursor.
func (store) RolesPage(ctx context.Context, tx *sql.Tx, tenant string, params api.ListRolesParams, after *pageKey, limit int) (api.RoleList, error) {
	q, args := rolesQuery(tenant, params, after, limit)
	roles, hasMore, err := queryPage(ctx, tx, "roles", limit, scanRole, q, args...)
	if err != nil {
		return api.RoleList{}, err
	}
	var last pageKey
	if hasMore {
		last = pageKey{List: "roles", Name: roles[len(roles)-1].Name, ID: roles[len(roles)-1].Id.String()}
	}
	return api.RoleList{Data: roles, HasMore: hasMore, NextCursor: nextPageCursor(hasMore, last)}, nil
}

// rolesQuery is the SELECT of one page of ListRoles, with limit+1 rows to
// tell whether there are more.
func rolesQuery(tenant string, params api.ListRolesParams, after *pageKey, limit int) (string, []any) {
	q := `SELECT id, name, description FROM roles WHERE tenant_id = ?`
	args := []any{tenant}
	if params.Name != nil {
		q += ` AND name = ?`
		args = append(args, *params.Name)
	}
	if after != nil {
		q += ` AND (name > ? OR (name = ? AND id > ?))`
		args = append(args, after.Name, after.Name, after.ID)
	}
	q += ` ORDER BY name, id LIMIT ?`
	return q, append(args, limit+1)
}

// scanRole reads a row of id, name, description of roles.
func scanRole(sc rowScanner) (api.Role, error) {
	var id, name string
	var desc sql.NullString
	if err := sc.Scan(&id, &name, &desc); err != nil {
		return api.Role{}, err
	}
	role := api.Role{Name: name, Description: optionalString(desc)}
	var err error
	if role.Id, err = uuid.Parse(id); err != nil {
		return api.Role{}, fmt.Errorf("stored role id %q: %w", id, err)
	}
	return role, nil
}
