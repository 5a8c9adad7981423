package server

// The AWS role aggregate of the store: a discovered AWS role and the
// internal roles it is mapped to. Discovery's writes are in discovery.go's
// sync functions.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// awsRolesQuery is the SELECT of one page of ListAwsRoles: the filters,
// the position after the cursor, and limit+1 rows to tell whether there
// are more.
func awsRolesQuery(tenant string, params api.ListAwsRolesParams, after *pageKey, limit int) (string, []any) {
	q := `SELECT ` + awsRoleColumns + ` FROM aws_roles WHERE tenant_id = ?`
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

// AwsRolesPage is one page of the tenant's AWS roles (awsRolesQuery) with
// the mapped roles of each and next_cursor.
func (store) AwsRolesPage(ctx context.Context, tx *sql.Tx, tenant string, params api.ListAwsRolesParams, after *pageKey, limit int) (api.AwsRoleList, error) {
	q, args := awsRolesQuery(tenant, params, after, limit)
	roles, hasMore, err := queryPage(ctx, tx, "AWS roles", limit, scanAwsRole, q, args...)
	if err != nil {
		return api.AwsRoleList{}, err
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

// KnownRoleIDs is the set of the valid ids that name roles of tenant;
// each unknown one is recorded in v, and v's problems are the error.
func (store) KnownRoleIDs(ctx context.Context, tx *sql.Tx, tenant string, ids []string, v *validation) (map[string]bool, error) {
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
			v.add(fmt.Sprintf("[%d].id", i), api.CodeUnknownRole, "role %s does not exist; list the roles with GET /v1/roles", id)
			continue
		}
		want[id] = true
	}
	return want, v.err()
}

// ReplaceMapping stores want as the roles of the AWS role and moves its
// updated time to now.
func (store) ReplaceMapping(ctx context.Context, tx *sql.Tx, tenant, awsRoleID string, want map[string]bool, now string) error {
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

// awsRoleColumns are the columns scanAwsRole reads.
const awsRoleColumns = `id, name, arn, description, source, status, updated`

// scanAwsRole reads a row selected with awsRoleColumns; roles[] is left
// empty.
func scanAwsRole(sc rowScanner) (api.AwsRole, error) {
	var id, name, arn, source, status, updated string
	var desc sql.NullString
	if err := sc.Scan(&id, &name, &arn, &desc, &source, &status, &updated); err != nil {
		return api.AwsRole{}, err
	}
	role := api.AwsRole{Name: name, Arn: arn, Description: optionalString(desc),
		Status: api.AwsRoleStatus(status), Updated: parseTime(updated), Roles: []api.RoleRef{}}
	var err error
	if role.Id, err = uuid.Parse(id); err != nil {
		return api.AwsRole{}, fmt.Errorf("stored AWS role id %q: %w", id, err)
	}
	if role.Source, err = uuid.Parse(source); err != nil {
		return api.AwsRole{}, fmt.Errorf("stored source id %q: %w", source, err)
	}
	return role, nil
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

// AwsRoleByID reads one AWS role of tenant with its mapped roles; 404 if
// the tenant has no such role.
func (store) AwsRoleByID(ctx context.Context, tx *sql.Tx, tenant string, id api.AwsRoleID) (api.AwsRole, error) {
	role, err := scanAwsRole(tx.QueryRowContext(ctx, `SELECT `+awsRoleColumns+` FROM aws_roles WHERE tenant_id = ? AND id = ?`,
		tenant, strings.ToLower(id.String())))
	if errors.Is(err, sql.ErrNoRows) {
		return api.AwsRole{}, errNotFound("AWS role", id.String())
	}
	if err != nil {
		return api.AwsRole{}, err
	}
	roles := []api.AwsRole{role}
	if err := attachMappedRoles(ctx, tx, tenant, roles); err != nil {
		return api.AwsRole{}, err
	}
	return roles[0], nil
}

// Mapping is the representation of GET /v1/aws/roles/{id}/roles, after
// checking If-Match against its etag (404 first, then 412).
func (st store) Mapping(ctx context.Context, tx *sql.Tx, tenant string, id api.AwsRoleID, ifMatch *string) (api.RoleRefList, error) {
	role, err := st.AwsRoleByID(ctx, tx, tenant, id)
	if err != nil {
		return api.RoleRefList{}, err
	}
	// roles[] is already ordered by name, then id.
	out := mappingList(role.Roles)
	return out, checkIfMatch(ifMatch, out.Etag)
}
