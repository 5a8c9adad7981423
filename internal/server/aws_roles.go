package server

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"

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
	limit, after, err := awsRolesParams(params)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	source, err := s.rescan(r, params.Refresh)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var out api.AwsRoleList
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.syncTenant(ctx, tx, tenant, source); err != nil {
			return err
		}
		out, err = s.store.AwsRolesPage(ctx, tx, tenant, params, after, limit)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// awsRolesParams checks the limit, status and cursor of ListAwsRoles, in
// that order.
func awsRolesParams(params api.ListAwsRolesParams) (int, *pageKey, error) {
	limit, err := pageLimit(params.Limit)
	if err != nil {
		return 0, nil, err
	}
	if params.Status != nil && !params.Status.Valid() {
		v := &validation{}
		v.add("status", "invalid_enum", "status must be OK or MISSING, got %q", truncate(string(*params.Status), 80))
		return 0, nil, v.err()
	}
	after, err := readPageKey(params.Cursor, "aws_roles")
	return limit, after, err
}

// rescan reads the discovery source when refresh is true (nil otherwise);
// a source that cannot be read is a 500 that says to fix it.
func (s *Server) rescan(r *http.Request, refresh *bool) (*rolesFile, error) {
	if refresh == nil || !*refresh {
		return nil, nil
	}
	source, err := s.discoverySource()
	if err != nil {
		s.log.Error("rescan failed", "request_id", stateOf(r).requestID, "error", err)
		return nil, &apiError{Status: http.StatusInternalServerError, Code: "internal",
			Message: "rescanning the discovery source failed; fix the roles file of jitsudo-local and retry: " + err.Error()}
	}
	return source, nil
}

// GetAwsRole answers one AWS role with its mapped roles.
func (s *Server) GetAwsRole(w http.ResponseWriter, r *http.Request, awsRoleId api.AwsRoleID) {
	ctx := r.Context()
	var role api.AwsRole
	err := s.inTx(ctx, func(tx *sql.Tx) (err error) {
		role, err = s.store.AwsRoleByID(ctx, tx, tenantID(ctx), awsRoleId)
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
		out, err = s.store.Mapping(ctx, tx, tenantID(ctx), awsRoleId, nil)
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
		current, err := s.store.Mapping(ctx, tx, tenant, awsRoleId, params.IfMatch)
		if err != nil {
			return err
		}
		want, err := s.store.KnownRoleIDs(ctx, tx, tenant, ids, v)
		if err != nil {
			return err
		}
		if !sameMapping(current, want) {
			if err := s.store.ReplaceMapping(ctx, tx, tenant, awsRoleId.String(), want, s.nowString()); err != nil {
				return err
			}
		}
		out, err = s.store.Mapping(ctx, tx, tenant, awsRoleId, nil)
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

// sameMapping reports whether current maps exactly the roles of want.
func sameMapping(current api.RoleRefList, want map[string]bool) bool {
	same := len(want) == len(current.Data)
	for _, ref := range current.Data {
		same = same && want[ref.Id.String()]
	}
	return same
}
