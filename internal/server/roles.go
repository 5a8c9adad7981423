package server

import (
	"database/sql"
	"net/http"

	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// ListRoles lists the tenant's internal roles (the targets of AWS role
// mappings) by name, then id.
func (s *Server) ListRoles(w http.ResponseWriter, r *http.Request, params api.ListRolesParams) {
	ctx := r.Context()
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
	var out api.RoleList
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		out, err = s.store.RolesPage(ctx, tx, tenantID(ctx), params, after, limit)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// optionalString converts a nullable column to a response field that is
// always present: the value or an explicit null.
func optionalString(ns sql.NullString) nullable.Nullable[string] {
	if !ns.Valid {
		return nullable.NewNullNullable[string]()
	}
	return nullable.NewNullableWithValue(ns.String)
}
