package server

// AWS permission sets: /v1/aws/permission-sets (bulk upsert and list),
// /v1/aws/permission-sets/bulk-delete and /v1/aws/permission-sets/{id}.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/validate"
)

// Limits of permission set fields (openapi.yaml, PermissionSetInput).
const (
	permissionSetIDMax              = api.MaxPermissionSetIDLength
	permissionSetNameMax            = api.MaxPermissionSetNameLength
	permissionSetDescriptionMax     = api.MaxPermissionSetDescriptionLength
	permissionSetSessionDurationMax = api.MaxSessionDurationLength
	permissionSetRelayStateMax      = api.MaxRelayStateLength
)

// permissionSetInputBody is api.PermissionSetInput with metadata kept as
// raw JSON: decoding it into map[string]any would turn every number into
// a float64 and lose large integers.
type permissionSetInputBody struct {
	api.PermissionSetInput
	Metadata json.RawMessage `json:"metadata"`
}

// permissionSetUpsertBody is api.PermissionSetUpsert with the items kept
// raw: each is decoded on its own, so that a malformed item is reported at
// its index (resources[3].rank) and all of them are reported at once.
type permissionSetUpsertBody struct {
	Resources []json.RawMessage `json:"resources"`
}

// decodeItem decodes one element of a bulk request strictly into dst; a
// problem is recorded in v at prefix + "." + the field.
func decodeItem(v *validation, prefix string, data []byte, dst any) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		n := len(v.items)
		checkExactKeys(v, data, reflect.TypeOf(dst), prefix)
		return len(v.items) == n
	}
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field == "":
		v.add(prefix, "invalid_type", "%s must be a JSON object, got JSON %s", prefix, typeErr.Value)
	case errors.As(err, &typeErr):
		// Field names embedded Go structs (PermissionSetInput.rank); the
		// contract's JSON names are all lower case.
		var path []string
		for part := range strings.SplitSeq(typeErr.Field, ".") {
			if part != "" && !(part[0] >= 'A' && part[0] <= 'Z') {
				path = append(path, part)
			}
		}
		v.add(prefix+"."+strings.Join(path, "."), "invalid_type", "expected %s, got JSON %s", typeErr.Type.String(), typeErr.Value)
	case unknownFieldOf(err) != "":
		field := unknownFieldOf(err)
		v.add(prefix+"."+field, "unknown_field", "unknown field %q", field)
	default:
		v.add(prefix, "invalid_json", "%s could not be decoded: %v", prefix, err)
	}
	return false
}

// bulkDeleteBody is api.PermissionSetBulkDelete.
type bulkDeleteBody struct {
	Ids     []string          `json:"ids"`
	IfMatch map[string]string `json:"if_match"`
}

const permissionSetColumns = `id, name, account_id, metadata, rank, description, session_duration, relay_state, last_synced_at`

func scanPermissionSet(sc rowScanner) (api.PermissionSet, error) {
	var (
		ps                                                api.PermissionSet
		metadata, synced                                  string
		account, description, sessionDuration, relayState sql.NullString
		rank                                              sql.NullInt64
	)
	if err := sc.Scan(&ps.Id, &ps.Name, &account, &metadata, &rank, &description, &sessionDuration, &relayState, &synced); err != nil {
		return ps, err
	}
	ps.AccountId = fromNullString(account)
	ps.Rank = fromNullInt64(rank)
	ps.Description = fromNullString(description)
	ps.SessionDuration = fromNullString(sessionDuration)
	ps.RelayState = fromNullString(relayState)
	ps.LastSyncedAt = parseTime(synced)
	md, err := decodeMetadata([]byte(metadata))
	if err != nil {
		return ps, fmt.Errorf("permission set %s: stored metadata: %w", ps.Id, err)
	}
	ps.Metadata = md
	ps.Etag = permissionSetETag(ps)
	return ps, nil
}

// permissionSetETags returns the current ETag of each of ids of tenant
// that exists.
func permissionSetETags(ctx context.Context, tx *sql.Tx, tenant string, ids []string) (map[string]string, error) {
	const chunk = 500 // well below SQLite's limit of bound parameters
	out := make(map[string]string, len(ids))
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := make([]any, 0, len(part)+1)
		args = append(args, tenant)
		for _, id := range part {
			args = append(args, id)
		}
		marks := strings.TrimSuffix(strings.Repeat("?,", len(part)), ",")
		rows, err := tx.QueryContext(ctx, `SELECT `+permissionSetColumns+` FROM permission_sets
			WHERE tenant_id = ? AND id IN (`+marks+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read permission sets: %w", err)
		}
		for rows.Next() {
			ps, err := scanPermissionSet(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("read permission sets: %w", err)
			}
			out[ps.Id] = ps.Etag
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read permission sets: %w", err)
		}
	}
	return out, nil
}

// decodeMetadata decodes a JSON object keeping numbers as json.Number, so
// that they are written back exactly as they were sent.
func decodeMetadata(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	md := map[string]any{}
	if err := dec.Decode(&md); err != nil {
		return nil, err
	}
	if md == nil {
		md = map[string]any{}
	}
	return md, nil
}

// loadPermissionSet reads one permission set of tenant; a missing one is a
// 404.
func loadPermissionSet(ctx context.Context, tx *sql.Tx, tenant, id string) (api.PermissionSet, error) {
	ps, err := scanPermissionSet(tx.QueryRowContext(ctx,
		`SELECT `+permissionSetColumns+` FROM permission_sets WHERE tenant_id = ? AND id = ?`, tenant, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ps, errNotFound("permission set", id)
	}
	if err != nil {
		return ps, fmt.Errorf("read permission set %s: %w", id, err)
	}
	return ps, nil
}

// errBatchTooLarge is the 400 of a bulk request over the batch bound.
func errBatchTooLarge(what string, n, maxBatch int) *apiError {
	return batchTooLarge(maxBatch, "the request lists %d %s, more than the %d allowed per call; split it into calls of at most %d",
		n, what, maxBatch, maxBatch)
}

// batchTooLarge is the 400 batch_too_large with its own message, for a
// request that cannot be split (a mapping replaces the whole set).
func batchTooLarge(maxBatch int, format string, args ...any) *apiError {
	return &apiError{
		Status:  http.StatusBadRequest,
		Code:    "batch_too_large",
		Message: fmt.Sprintf(format, args...),
		Details: map[string]any{"max_batch_size": maxBatch},
	}
}

// checkPermissionSet records every problem of one input item; prefix is
// its location ("resources[3]"). It returns the metadata to store,
// compacted ("{}" when absent or null).
func checkPermissionSet(v *validation, prefix string, in permissionSetInputBody) string {
	loc := func(field string) string { return prefix + "." + field }
	if in.Id == "" {
		v.add(loc("id"), "required", "id is required: the permission set's ARN")
	} else if len(in.Id) > permissionSetIDMax {
		checkLength(v, loc("id"), in.Id, 1, permissionSetIDMax)
	} else if err := validate.PermissionSetARN(in.Id); err != nil {
		v.add(loc("id"), "invalid_arn", "%v", err)
	}
	if in.Name == "" {
		v.add(loc("name"), "required", "name is required: the permission set's name, 1 to %d characters", permissionSetNameMax)
	} else {
		checkLength(v, loc("name"), in.Name, 1, permissionSetNameMax)
	}
	if a := nullablePtr[string](in.AccountId); a != nil {
		if err := validate.AWSAccountID(*a); err != nil {
			v.add(loc("account_id"), "invalid_account_id", "%v", err)
		}
	}
	if d := nullablePtr[string](in.Description); d != nil {
		checkLength(v, loc("description"), *d, 0, permissionSetDescriptionMax)
	}
	if sd := nullablePtr[string](in.SessionDuration); sd != nil {
		if *sd == "" || len(*sd) > permissionSetSessionDurationMax {
			checkLength(v, loc("session_duration"), *sd, 1, permissionSetSessionDurationMax)
		} else if err := validate.ISO8601Duration(*sd); err != nil {
			v.add(loc("session_duration"), "invalid_duration", "%v", err)
		}
	}
	if rs := nullablePtr[string](in.RelayState); rs != nil {
		checkLength(v, loc("relay_state"), *rs, 0, permissionSetRelayStateMax)
	}
	if in.IfMatch != nil && strings.TrimSpace(*in.IfMatch) == "" {
		v.add(loc("if_match"), "required", "if_match must not be empty: send the set's etag, or * for any existing set, or omit it")
	} else if in.IfMatch != nil {
		checkLength(v, loc("if_match"), *in.IfMatch, 1, api.MaxIfMatchLength)
	}
	if in.IfNoneMatch != nil {
		switch {
		case *in.IfNoneMatch != "*":
			v.add(loc("if_none_match"), "invalid_enum", "if_none_match may only be \"*\" (create only), got %q", truncate(string(*in.IfNoneMatch), 80))
		case in.IfMatch != nil:
			v.add(loc("if_none_match"), "conflicting_field", "if_none_match cannot be combined with if_match: the set cannot both exist and not exist")
		}
	}
	md := bytes.TrimSpace(in.Metadata)
	if len(md) == 0 || bytes.Equal(md, []byte("null")) {
		return "{}"
	}
	if md[0] != '{' {
		v.add(loc("metadata"), "invalid_type", "metadata must be a JSON object (e.g. {\"team\": \"platform\"}), got %s", jsonKind(md[0]))
		return ""
	}
	var out bytes.Buffer
	if err := json.Compact(&out, md); err != nil {
		v.add(loc("metadata"), "invalid_json", "metadata is not valid JSON: %v", err)
		return ""
	}
	return out.String()
}

// jsonKind names the JSON type of a value starting with c.
func jsonKind(c byte) string {
	switch {
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	default:
		return "a number"
	}
}

// UpsertPermissionSets answers PUT /v1/aws/permission-sets: every item is
// validated first, then all are written in one transaction.
func (s *Server) UpsertPermissionSets(w http.ResponseWriter, r *http.Request) {
	var body permissionSetUpsertBody
	raw, err := decodeFields(r, &body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items, metadata, err := checkUpsertBody(raw, body, s.maxBatch)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	tenant := tenantID(ctx)
	now := s.nowString()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := checkUpsertPreconditions(ctx, tx, tenant, items); err != nil {
			return err
		}
		return upsertPermissionSets(ctx, tx, tenant, items, metadata, now)
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, api.UpsertResult{Upserted: len(body.Resources)})
}

// checkUpsertBody validates an upsert body without the database and
// returns its items with the compacted metadata of each.
func checkUpsertBody(raw map[string]json.RawMessage, body permissionSetUpsertBody, maxBatch int) ([]permissionSetInputBody, []string, error) {
	v := &validation{}
	if _, ok := raw["resources"]; !ok || isNull(raw, "resources") {
		v.add("resources", "required", "resources is required: the list of permission sets to insert or replace")
		return nil, nil, v.err()
	}
	if len(body.Resources) > maxBatch {
		return nil, nil, errBatchTooLarge("permission sets", len(body.Resources), maxBatch)
	}
	items := make([]permissionSetInputBody, len(body.Resources))
	metadata := make([]string, len(body.Resources))
	first := make(map[string]int, len(body.Resources))
	for i, data := range body.Resources {
		prefix := fmt.Sprintf("resources[%d]", i)
		if !decodeItem(v, prefix, data, &items[i]) {
			continue
		}
		in := items[i]
		metadata[i] = checkPermissionSet(v, prefix, in)
		if in.Id == "" {
			continue
		}
		if j, dup := first[in.Id]; dup {
			v.add(prefix+".id", "duplicate", "id %q is already listed at resources[%d]; an id may appear once per batch", in.Id, j)
			continue
		}
		first[in.Id] = i
	}
	return items, metadata, v.err()
}

// upsertPermissionSets inserts or replaces items (metadata[i] is the
// stored metadata of items[i]), all synced at now.
func upsertPermissionSets(ctx context.Context, tx *sql.Tx, tenant string, items []permissionSetInputBody, metadata []string, now string) error {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO permission_sets
		(tenant_id, id, name, account_id, metadata, rank, description, session_duration, relay_state, last_synced_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, account_id = excluded.account_id,
			metadata = excluded.metadata, rank = excluded.rank, description = excluded.description,
			session_duration = excluded.session_duration, relay_state = excluded.relay_state,
			last_synced_at = excluded.last_synced_at`)
	if err != nil {
		return fmt.Errorf("upsert permission sets: %w", err)
	}
	defer stmt.Close()
	for i, in := range items {
		if _, err := stmt.ExecContext(ctx, tenant, in.Id, in.Name, nullableArg(in.AccountId), metadata[i],
			nullableArg(in.Rank), nullableArg(in.Description), nullableArg(in.SessionDuration), nullableArg(in.RelayState), now); err != nil {
			return fmt.Errorf("upsert permission set %s: %w", in.Id, err)
		}
	}
	return nil
}

// checkUpsertPreconditions checks the if_match and if_none_match of the
// items of a bulk upsert against the stored sets: a 412 listing every
// failing item, or nil.
func checkUpsertPreconditions(ctx context.Context, tx *sql.Tx, tenant string, items []permissionSetInputBody) error {
	var ids []string
	for _, in := range items {
		if in.IfMatch != nil || in.IfNoneMatch != nil {
			ids = append(ids, in.Id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	current, err := permissionSetETags(ctx, tx, tenant, ids)
	if err != nil {
		return err
	}
	v := &validation{}
	for i, in := range items {
		cur, exists := current[in.Id]
		prefix := fmt.Sprintf("resources[%d]", i)
		switch {
		case in.IfMatch != nil && !exists:
			v.add(prefix+".if_match", "precondition_failed", "permission set %s does not exist (if_match %s)", in.Id, *in.IfMatch)
		case in.IfMatch != nil && !etagMatches(*in.IfMatch, cur):
			v.add(prefix+".if_match", "precondition_failed", "permission set %s has another current ETag %s (if_match %s)", in.Id, cur, *in.IfMatch)
		case in.IfNoneMatch != nil && exists:
			v.add(prefix+".if_none_match", "precondition_failed", "permission set %s already exists (current ETag %s; if_none_match *)", in.Id, cur)
		}
	}
	return v.preconditionErr()
}

// ListPermissionSets answers GET /v1/aws/permission-sets, ordered by id.
func (s *Server) ListPermissionSets(w http.ResponseWriter, r *http.Request, params api.ListPermissionSetsParams) {
	limit, key, err := pageParams(params.Limit, params.Cursor, "permission-sets")
	if err == nil && params.AccountId != nil {
		if aerr := validate.AWSAccountID(*params.AccountId); aerr != nil {
			v := &validation{}
			v.add("account_id", "invalid_account_id", "%v", aerr)
			err = v.err()
		}
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	q, args := permissionSetsQuery(tenantID(ctx), params, key, limit)
	out := api.PermissionSetList{Data: []api.PermissionSet{}}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		out.Data, out.HasMore, err = queryPermissionSets(ctx, tx, limit, q, args...)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var last pageKey
	if n := len(out.Data); n > 0 {
		last = pageKey{List: "permission-sets", ID: out.Data[n-1].Id}
	}
	out.NextCursor = nextPageCursor(out.HasMore, last)
	writeJSON(w, http.StatusOK, out)
}

// permissionSetsQuery is the SELECT of one page of ListPermissionSets,
// with limit+1 rows to tell whether there are more.
func permissionSetsQuery(tenant string, params api.ListPermissionSetsParams, key *pageKey, limit int) (string, []any) {
	q := `SELECT ` + permissionSetColumns + ` FROM permission_sets WHERE tenant_id = ?`
	args := []any{tenant}
	if params.AccountId != nil {
		q += ` AND account_id = ?`
		args = append(args, *params.AccountId)
	}
	if key != nil {
		q += ` AND id > ?`
		args = append(args, key.ID)
	}
	q += ` ORDER BY id LIMIT ?`
	return q, append(args, limit+1)
}

// queryPermissionSets runs q, which selects permissionSetColumns and at
// most limit+1 rows: it returns the first limit and whether there were
// more.
func queryPermissionSets(ctx context.Context, tx *sql.Tx, limit int, q string, args ...any) ([]api.PermissionSet, bool, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, false, fmt.Errorf("list permission sets: %w", err)
	}
	defer rows.Close()
	page := []api.PermissionSet{}
	for rows.Next() {
		ps, err := scanPermissionSet(rows)
		if err != nil {
			return nil, false, fmt.Errorf("list permission sets: %w", err)
		}
		if len(page) == limit {
			return page, true, nil
		}
		page = append(page, ps)
	}
	return page, false, rows.Err()
}

// GetPermissionSet answers GET /v1/aws/permission-sets/{permissionSetId}
// (the ARN, URL-encoded).
func (s *Server) GetPermissionSet(w http.ResponseWriter, r *http.Request, permissionSetId api.PermissionSetID) {
	ctx := r.Context()
	var out api.PermissionSet
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = loadPermissionSet(ctx, tx, tenantID(ctx), permissionSetId)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeVersioned(w, http.StatusOK, out.Etag, out)
}

// DeletePermissionSet answers DELETE /v1/aws/permission-sets/{permissionSetId}.
func (s *Server) DeletePermissionSet(w http.ResponseWriter, r *http.Request, permissionSetId api.PermissionSetID, params api.DeletePermissionSetParams) {
	ctx := r.Context()
	tenant := tenantID(ctx)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := loadPermissionSet(ctx, tx, tenant, permissionSetId)
		if err != nil {
			return err
		}
		if err := checkIfMatch(params.IfMatch, cur.Etag); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM permission_sets WHERE tenant_id = ? AND id = ?`, tenant, permissionSetId); err != nil {
			return fmt.Errorf("delete permission set %s: %w", permissionSetId, err)
		}
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// DeletePermissionSets answers POST /v1/aws/permission-sets/bulk-delete:
// all listed sets go in one transaction; ids that do not exist are listed
// in missing (each once, in request order). if_match preconditions are
// checked for the sets that exist, all before anything is deleted.
func (s *Server) DeletePermissionSets(w http.ResponseWriter, r *http.Request, params api.DeletePermissionSetsParams) {
	var body bulkDeleteBody
	raw, err := decodeFields(r, &body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := checkBulkDelete(raw, body, s.maxBatch); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	tenant := tenantID(ctx)
	var out api.DeleteResult
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := checkDeletePreconditions(ctx, tx, tenant, body.Ids, body.IfMatch); err != nil {
			return err
		}
		out, err = deletePermissionSets(ctx, tx, tenant, body.Ids)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// checkBulkDelete validates a bulk delete body without the database.
func checkBulkDelete(raw map[string]json.RawMessage, body bulkDeleteBody, maxBatch int) error {
	v := &validation{}
	if _, ok := raw["ids"]; !ok || len(body.Ids) == 0 {
		v.add("ids", "required", "ids must list at least one permission set ARN to delete")
	}
	if len(body.Ids) > maxBatch {
		return errBatchTooLarge("ids", len(body.Ids), maxBatch)
	}
	listed := make(map[string]bool, len(body.Ids))
	for i, id := range body.Ids {
		if id == "" {
			v.add(fmt.Sprintf("ids[%d]", i), "required", "ids[%d] must not be empty", i)
		} else {
			checkLength(v, fmt.Sprintf("ids[%d]", i), id, 1, api.MaxPermissionSetIDLength)
		}
		listed[id] = true
	}
	for _, id := range slices.Sorted(maps.Keys(body.IfMatch)) {
		switch {
		case !listed[id]:
			v.add(ifMatchLocation(id), "not_listed", "%q has an if_match but is not listed in ids; list it or remove its precondition", id)
		case strings.TrimSpace(body.IfMatch[id]) == "":
			v.add(ifMatchLocation(id), "required", "the if_match of %q must not be empty: send the set's etag, or * for any existing set", id)
		default:
			checkLength(v, ifMatchLocation(id), body.IfMatch[id], 1, api.MaxIfMatchLength)
		}
	}
	return v.err()
}

// deletePermissionSets deletes each listed id once; ids that were not
// there are the result's missing.
func deletePermissionSets(ctx context.Context, tx *sql.Tx, tenant string, ids []string) (api.DeleteResult, error) {
	out := api.DeleteResult{Missing: []string{}}
	stmt, err := tx.PrepareContext(ctx, `DELETE FROM permission_sets WHERE tenant_id = ? AND id = ?`)
	if err != nil {
		return out, fmt.Errorf("delete permission sets: %w", err)
	}
	defer stmt.Close()
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		res, err := stmt.ExecContext(ctx, tenant, id)
		if err != nil {
			return out, fmt.Errorf("delete permission set %s: %w", id, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return out, fmt.Errorf("delete permission set %s: %w", id, err)
		}
		if n == 0 {
			out.Missing = append(out.Missing, id)
		}
		out.Deleted += int(n)
	}
	return out, nil
}

// ifMatchLocation is the validation location of the precondition of id
// in a bulk delete: if_match["<id>"], the id as a JSON string.
func ifMatchLocation(id string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(id)
	return "if_match[" + strings.TrimSuffix(b.String(), "\n") + "]"
}

// checkDeletePreconditions checks the if_match of a bulk delete: a 412
// listing every listed set (once, in request order) that exists with
// another ETag, or nil. Sets that do not exist pass.
func checkDeletePreconditions(ctx context.Context, tx *sql.Tx, tenant string, ids []string, ifMatch map[string]string) error {
	if len(ifMatch) == 0 {
		return nil
	}
	var checked []string
	seen := make(map[string]bool, len(ifMatch))
	for _, id := range ids {
		if _, ok := ifMatch[id]; ok && !seen[id] {
			seen[id] = true
			checked = append(checked, id)
		}
	}
	current, err := permissionSetETags(ctx, tx, tenant, checked)
	if err != nil {
		return err
	}
	v := &validation{}
	for _, id := range checked {
		if cur, exists := current[id]; exists && !etagMatches(ifMatch[id], cur) {
			v.add(ifMatchLocation(id), "precondition_failed", "permission set %s has another current ETag %s (if_match %s)", id, cur, ifMatch[id])
		}
	}
	return v.preconditionErr()
}
