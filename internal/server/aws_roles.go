package server

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// maxMappingItems bounds the body of PUT /v1/aws/roles/{id}/roles (the
// contract's maxItems).
const maxMappingItems = api.MaxBatchSize

// ListAwsRoles lists the tenant's discovered AWS roles by name, then id;
// refresh=true rescans the discovery file first, in the same transaction.
func (s *Server) ListAwsRoles(w http.ResponseWriter, r *http.Request, params api.ListAwsRolesParams) {
	ctx := r.Context()
	tenant := tenantID(ctx)
	limit, err := pageLimit(params.Limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if params.Status != nil && !params.Status.Valid() {
		v := &validation{}
		v.add("status", "invalid_enum", "status must be OK or MISSING, got %q", truncate(string(*params.Status), 80))
		s.writeError(w, r, v.err())
		return
	}
	after, err := readPageKey(params.Cursor, "aws_roles")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var source *rolesFile
	if params.Refresh != nil && *params.Refresh {
		if source, err = s.discoverySource(); err != nil {
			s.log.Error("rescan failed", "request_id", stateOf(r).requestID, "error", err)
			s.writeError(w, r, &apiError{Status: http.StatusInternalServerError, Code: "internal",
				Message: "rescanning the discovery source failed; fix the roles file of jitsudo-local and retry: " + err.Error()})
			return
		}
	}

	var out api.AwsRoleList
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.syncTenant(ctx, tx, tenant, source); err != nil {
			return err
		}
		q, args := awsRolesQuery(tenant, params, after, limit)
		out, err = awsRolesPage(ctx, tx, tenant, limit, q, args...)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// awsRolesQuery is the SELECT of one page of ListAwsRoles: the filters,
// the position after the cursor, and limit+1 rows to tell whether there
// are more.
func awsRolesQuery(tenant string, params api.ListAwsRolesParams, after *pageKey, limit int) (string, []any) {
	q := `SELECT id, name, arn, description, source, status, updated FROM aws_roles WHERE tenant_id = ?`
	args := []any{tenant}
	if params.Name != nil {
		q += ` AND name = ?`
		args = append(args, *params.Name)
	}
	if params.Arn != nil {
		q += ` AND arn = ?`
		args = append(args, *params.Arn)
	}
	if params.Source != nil {
		q += ` AND source = ?`
		args = append(args, strings.ToLower(params.Source.String()))
	}
	if params.Status != nil {
		q += ` AND status = ?`
		args = append(args, string(*params.Status))
	}
	if after != nil {
		q += ` AND (name > ? OR (name = ? AND id > ?))`
		args = append(args, after.Name, after.Name, after.ID)
	}
	q += ` ORDER BY name, id LIMIT ?`
	return q, append(args, limit+1)
}

// awsRolesPage runs awsRolesQuery's q and returns the page with the
// mapped roles of each AWS role and next_cursor.
func awsRolesPage(ctx context.Context, tx *sql.Tx, tenant string, limit int, q string, args ...any) (api.AwsRoleList, error) {
	roles, err := queryAwsRoles(ctx, tx, q, args...)
	if err != nil {
		return api.AwsRoleList{}, err
	}
	hasMore := len(roles) > limit
	if hasMore {
		roles = roles[:limit]
	}
	if err := attachMappedRoles(ctx, tx, tenant, roles); err != nil {
		return api.AwsRoleList{}, err
	}
	out := api.AwsRoleList{Data: roles, HasMore: hasMore, NextCursor: nullable.NewNullNullable[string]()}
	if hasMore {
		last := roles[len(roles)-1]
		out.NextCursor = nextPageCursor(true, pageKey{List: "aws_roles", Name: last.Name, ID: last.Id.String()})
	}
	return out, nil
}

// GetAwsRole answers one AWS role with its mapped roles.
func (s *Server) GetAwsRole(w http.ResponseWriter, r *http.Request, awsRoleId api.AwsRoleID) {
	ctx := r.Context()
	var role api.AwsRole
	err := s.inTx(ctx, func(tx *sql.Tx) (err error) {
		role, err = loadAwsRole(ctx, tx, tenantID(ctx), awsRoleId)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeVersioned(w, http.StatusOK, awsRoleETag(role), role)
}

// GetAwsRoleMapping answers the internal roles an AWS role grants, by name.
func (s *Server) GetAwsRoleMapping(w http.ResponseWriter, r *http.Request, awsRoleId api.AwsRoleID) {
	ctx := r.Context()
	var out api.RoleRefList
	err := s.inTx(ctx, func(tx *sql.Tx) (err error) {
		out, err = loadMapping(ctx, tx, tenantID(ctx), awsRoleId)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeVersioned(w, http.StatusOK, out.Etag, out)
}

// SetAwsRoleMapping replaces the internal roles an AWS role grants. The
// body is a JSON array of {"id": "<role uuid>"}; [] clears the set;
// duplicates collapse; malformed and unknown ids are a 400 naming each
// (`[2].id`). If-Match takes the ETag of GET .../roles. Answers the new
// mapping as that GET does.
func (s *Server) SetAwsRoleMapping(w http.ResponseWriter, r *http.Request, awsRoleId api.AwsRoleID, params api.SetAwsRoleMappingParams) {
	ctx := r.Context()
	tenant := tenantID(ctx)
	var items []json.RawMessage
	if err := decodeBody(r, &items); err != nil {
		s.writeError(w, r, err)
		return
	}
	ids, v, err := parseMappingBody(items)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var out api.RoleRefList
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		current, err := loadMapping(ctx, tx, tenant, awsRoleId)
		if err != nil {
			return err
		}
		if err := checkIfMatch(params.IfMatch, current.Etag); err != nil {
			return err
		}
		want, err := existingRoleIDs(ctx, tx, tenant, ids, v)
		if err != nil {
			return err
		}
		if !sameMapping(current, want) {
			if err := replaceMapping(ctx, tx, tenant, awsRoleId.String(), want, s.nowString()); err != nil {
				return err
			}
		}
		out, err = loadMapping(ctx, tx, tenant, awsRoleId)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeVersioned(w, http.StatusOK, out.Etag, out)
}

// parseMappingBody checks the body of a mapping PUT without the database:
// err is for a body that is not an array or is too long; otherwise ids[i]
// is the canonical role id of item i ("" when invalid) and v holds the
// problems of the items, to which the role lookup adds.
func parseMappingBody(items []json.RawMessage) ([]string, *validation, error) {
	v := &validation{}
	if items == nil {
		v.add("", "invalid_type", `the body must be a JSON array of role references such as [{"id": "2489e9ad-2ee2-4e00-8ec9-32d5f69181c0"}], or [] to clear`)
		return nil, nil, v.err()
	}
	if len(items) > maxMappingItems {
		return nil, nil, batchTooLarge(maxMappingItems, "the body lists %d roles; at most %d are allowed", len(items), maxMappingItems)
	}
	ids := make([]string, len(items))
	for i, raw := range items {
		ids[i] = parseRoleRef(v, fmt.Sprintf("[%d]", i), raw)
	}
	return ids, v, nil
}

// parseRoleRef checks one {"id": ...} item at loc and returns its
// canonical id, or "" after recording the problem in v.
func parseRoleRef(v *validation, loc string, raw json.RawMessage) string {
	var item map[string]json.RawMessage
	if err := json.Unmarshal(raw, &item); err != nil || item == nil {
		v.add(loc, "invalid_type", `%s must be an object such as {"id": "2489e9ad-2ee2-4e00-8ec9-32d5f69181c0"}`, loc)
		return ""
	}
	for k := range item {
		if k != "id" {
			v.add(loc+"."+k, "unknown_field", "unknown field %q; a role reference has only id", k)
		}
	}
	rawID, ok := item["id"]
	if !ok {
		v.add(loc+".id", "required", "%s.id is required", loc)
		return ""
	}
	var str string
	if err := json.Unmarshal(rawID, &str); err != nil || bytes.Equal(bytes.TrimSpace(rawID), []byte("null")) {
		v.add(loc+".id", "invalid_type", "%s.id must be a string holding a role UUID", loc)
		return ""
	}
	id, ok := canonicalUUID(str)
	if !ok {
		v.add(loc+".id", "invalid_uuid", "%s.id must be a UUID such as 2489e9ad-2ee2-4e00-8ec9-32d5f69181c0, got %q", loc, truncate(str, 80))
		return ""
	}
	return id
}

// existingRoleIDs is the set of the valid ids that name roles of tenant;
// each unknown one is recorded in v, and v's problems are the error.
func existingRoleIDs(ctx context.Context, tx *sql.Tx, tenant string, ids []string, v *validation) (map[string]bool, error) {
	want := map[string]bool{}
	for i, id := range ids {
		if id == "" || want[id] {
			continue
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM roles WHERE tenant_id = ? AND id = ?`, tenant, id).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			v.add(fmt.Sprintf("[%d].id", i), "unknown_role", "role %s does not exist; list the roles with GET /v1/roles", id)
			continue
		}
		want[id] = true
	}
	return want, v.err()
}

// sameMapping reports whether current maps exactly the roles of want.
func sameMapping(current api.RoleRefList, want map[string]bool) bool {
	same := len(want) == len(current.Data)
	for _, ref := range current.Data {
		same = same && want[ref.Id.String()]
	}
	return same
}

// replaceMapping stores want as the roles of the AWS role and moves its
// updated time to now.
func replaceMapping(ctx context.Context, tx *sql.Tx, tenant, awsRoleID string, want map[string]bool, now string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM aws_role_mappings WHERE tenant_id = ? AND aws_role_id = ?`, tenant, awsRoleID); err != nil {
		return err
	}
	for id := range want {
		if _, err := tx.ExecContext(ctx, `INSERT INTO aws_role_mappings (tenant_id, aws_role_id, role_id) VALUES (?, ?, ?)`,
			tenant, awsRoleID, id); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE aws_roles SET updated = ? WHERE tenant_id = ? AND id = ?`, now, tenant, awsRoleID)
	return err
}

// queryAwsRoles runs q, which selects id, name, arn, description, source,
// status, updated of aws_roles; roles[] is left empty.
func queryAwsRoles(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]api.AwsRole, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []api.AwsRole{}
	for rows.Next() {
		var id, name, arn, source, status, updated string
		var desc sql.NullString
		if err := rows.Scan(&id, &name, &arn, &desc, &source, &status, &updated); err != nil {
			return nil, err
		}
		role := api.AwsRole{Name: name, Arn: arn, Description: optionalString(desc),
			Status: api.AwsRoleStatus(status), Updated: parseTime(updated), Roles: []api.RoleRef{}}
		if role.Id, err = uuid.Parse(id); err != nil {
			return nil, fmt.Errorf("stored AWS role id %q: %w", id, err)
		}
		if role.Source, err = uuid.Parse(source); err != nil {
			return nil, fmt.Errorf("stored source id %q: %w", source, err)
		}
		out = append(out, role)
	}
	return out, rows.Err()
}

// attachMappedRoles fills roles[] of each AWS role, sorted by name, then
// id, and its mapping_etag.
func attachMappedRoles(ctx context.Context, tx *sql.Tx, tenant string, roles []api.AwsRole) error {
	if len(roles) == 0 {
		return nil
	}
	index := map[string]int{}
	args := []any{tenant}
	marks := make([]string, len(roles))
	for i, role := range roles {
		index[role.Id.String()] = i
		args = append(args, role.Id.String())
		marks[i] = "?"
	}
	rows, err := tx.QueryContext(ctx, `SELECT m.aws_role_id, r.id, r.name FROM aws_role_mappings m
		JOIN roles r ON r.tenant_id = m.tenant_id AND r.id = m.role_id
		WHERE m.tenant_id = ? AND m.aws_role_id IN (`+strings.Join(marks, ",")+`)
		ORDER BY r.name, r.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var awsID, id, name string
		if err := rows.Scan(&awsID, &id, &name); err != nil {
			return err
		}
		ref := api.RoleRef{Name: name}
		if ref.Id, err = uuid.Parse(id); err != nil {
			return fmt.Errorf("stored role id %q: %w", id, err)
		}
		i := index[awsID]
		roles[i].Roles = append(roles[i].Roles, ref)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range roles {
		roles[i].MappingEtag = mappingList(roles[i].Roles).Etag
	}
	return nil
}

// loadAwsRole reads one AWS role of tenant with its mapped roles; 404 if
// the tenant has no such role.
func loadAwsRole(ctx context.Context, tx *sql.Tx, tenant string, id api.AwsRoleID) (api.AwsRole, error) {
	roles, err := queryAwsRoles(ctx, tx, `SELECT id, name, arn, description, source, status, updated
		FROM aws_roles WHERE tenant_id = ? AND id = ?`, tenant, strings.ToLower(id.String()))
	if err != nil {
		return api.AwsRole{}, err
	}
	if len(roles) == 0 {
		return api.AwsRole{}, errNotFound("AWS role", id.String())
	}
	if err := attachMappedRoles(ctx, tx, tenant, roles); err != nil {
		return api.AwsRole{}, err
	}
	return roles[0], nil
}

// loadMapping is the representation of GET /v1/aws/roles/{id}/roles.
func loadMapping(ctx context.Context, tx *sql.Tx, tenant string, id api.AwsRoleID) (api.RoleRefList, error) {
	role, err := loadAwsRole(ctx, tx, tenant, id)
	if err != nil {
		return api.RoleRefList{}, err
	}
	// roles[] is already ordered by name, then id.
	return mappingList(role.Roles), nil
}
