package server

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"

	"github.com/google/uuid"
	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// ListRoles lists the tenant's internal roles (the targets of AWS role
// mappings) by name, then id.
func (s *Server) ListRoles(w http.ResponseWriter, r *http.Request, params api.ListRolesParams) {
	ctx := r.Context()
	tenant := tenantID(ctx)
	limit, err := pageLimit(params.Limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	after, err := readPageKey(params.Cursor, "roles")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := api.RoleList{Data: []api.Role{}, NextCursor: nullable.NewNullNullable[string]()}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		q, args := rolesQuery(tenant, params, after, limit)
		out.Data, err = queryRoles(ctx, tx, q, args...)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(out.Data) > limit {
		out.Data = out.Data[:limit]
		last := out.Data[limit-1]
		out.HasMore = true
		out.NextCursor = nextPageCursor(true, pageKey{List: "roles", Name: last.Name, ID: last.Id.String()})
	}
	writeJSON(w, http.StatusOK, out)
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

// queryRoles runs q, which selects id, name, description of roles.
func queryRoles(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]api.Role, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []api.Role{}
	for rows.Next() {
		var id, name string
		var desc sql.NullString
		if err := rows.Scan(&id, &name, &desc); err != nil {
			return nil, err
		}
		role := api.Role{Name: name, Description: optionalString(desc)}
		if role.Id, err = uuid.Parse(id); err != nil {
			return nil, fmt.Errorf("stored role id %q: %w", id, err)
		}
		out = append(out, role)
	}
	return out, rows.Err()
}

// optionalString converts a nullable column to a response field that is
// always present: the value or an explicit null.
func optionalString(ns sql.NullString) nullable.Nullable[string] {
	if !ns.Valid {
		return nullable.NewNullNullable[string]()
	}
	return nullable.NewNullableWithValue(ns.String)
}
