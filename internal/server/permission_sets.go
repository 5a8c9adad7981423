package server

// AWS permission sets: /v1/aws/permission-sets (bulk upsert and list),
// /v1/aws/permission-sets/bulk-delete and /v1/aws/permission-sets/{id}.

import (
	"bytes"
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
	checkItemPreconditions(v, prefix, in.IfMatch, in.IfNoneMatch)
	return compactMetadata(v, loc("metadata"), in.Metadata)
}

// checkItemPreconditions records the problems of the if_match and
// if_none_match of the item at prefix.
func checkItemPreconditions(v *validation, prefix string, ifMatch *string, ifNoneMatch *api.PermissionSetInputIfNoneMatch) {
	if ifMatch != nil && strings.TrimSpace(*ifMatch) == "" {
		v.add(prefix+".if_match", "required", "if_match must not be empty: send the set's etag, or * for any existing set, or omit it")
	} else if ifMatch != nil {
		checkLength(v, prefix+".if_match", *ifMatch, 1, api.MaxIfMatchLength)
	}
	if ifNoneMatch != nil {
		switch {
		case *ifNoneMatch != "*":
			v.add(prefix+".if_none_match", "invalid_enum", "if_none_match may only be \"*\" (create only), got %q", truncate(string(*ifNoneMatch), 80))
		case ifMatch != nil:
			v.add(prefix+".if_none_match", "conflicting_field", "if_none_match cannot be combined with if_match: the set cannot both exist and not exist")
		}
	}
}

// compactMetadata is the metadata to store, compacted ("{}" when absent
// or null), or "" after recording at loc why raw is not a JSON object.
func compactMetadata(v *validation, loc string, raw json.RawMessage) string {
	md := bytes.TrimSpace(raw)
	if len(md) == 0 || bytes.Equal(md, []byte("null")) {
		return "{}"
	}
	if md[0] != '{' {
		v.add(loc, "invalid_type", "metadata must be a JSON object (e.g. {\"team\": \"platform\"}), got %s", jsonKind(md[0]))
		return ""
	}
	var out bytes.Buffer
	if err := json.Compact(&out, md); err != nil {
		v.add(loc, "invalid_json", "metadata is not valid JSON: %v", err)
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
		return s.store.UpsertPermissionSets(ctx, tx, tenant, items, metadata, now)
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

// ListPermissionSets answers GET /v1/aws/permission-sets, ordered by id.
func (s *Server) ListPermissionSets(w http.ResponseWriter, r *http.Request, params api.ListPermissionSetsParams) {
	limit, key, err := permissionSetsParams(params)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	var out api.PermissionSetList
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		out, err = s.store.PermissionSetsPage(ctx, tx, tenantID(ctx), params, key, limit)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// permissionSetsParams checks the limit, cursor and account_id of
// ListPermissionSets; account_id only when the others are valid.
func permissionSetsParams(params api.ListPermissionSetsParams) (int, *pageKey, error) {
	limit, key, err := pageParams(params.Limit, params.Cursor, "permission-sets")
	if err != nil || params.AccountId == nil {
		return limit, key, err
	}
	if err := validate.AWSAccountID(*params.AccountId); err != nil {
		v := &validation{}
		v.add("account_id", "invalid_account_id", "%v", err)
		return 0, nil, v.err()
	}
	return limit, key, nil
}

// GetPermissionSet answers GET /v1/aws/permission-sets/{permissionSetId}
// (the ARN, URL-encoded).
func (s *Server) GetPermissionSet(w http.ResponseWriter, r *http.Request, permissionSetId api.PermissionSetID) {
	ctx := r.Context()
	var out api.PermissionSet
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.store.PermissionSetByID(ctx, tx, tenantID(ctx), permissionSetId)
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
		return s.store.DeletePermissionSet(ctx, tx, tenant, permissionSetId, params.IfMatch)
	})
	s.writeNoContent(w, r, err)
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
		out, err = s.store.DeletePermissionSets(ctx, tx, tenant, body.Ids, body.IfMatch)
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

// ifMatchLocation is the validation location of the precondition of id
// in a bulk delete: if_match["<id>"], the id as a JSON string.
func ifMatchLocation(id string) string {
	return "if_match[" + jsonQuote(id) + "]"
}
