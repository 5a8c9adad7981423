package server

// Request and response field helpers shared by the policy, rule and
// permission set handlers.

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// decodeFields decodes the JSON body strictly into dst (see decodeBody) and
// also returns its top-level members as raw JSON, so that handlers can tell
// an absent field from an explicit null where dst cannot.
func decodeFields(r *http.Request, dst any) (map[string]json.RawMessage, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := decodeBody(r, dst); err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		v := &validation{}
		v.add("", "invalid_type", "the request body must be a JSON object")
		return nil, v.err()
	}
	return raw, nil
}

// isNull reports whether the member name of raw was sent as JSON null.
func isNull(raw map[string]json.RawMessage, name string) bool {
	m, ok := raw[name]
	return ok && bytes.Equal(bytes.TrimSpace(m), []byte("null"))
}

// rejectNulls records a finding for each of fields that was sent as null
// although it is not nullable (decoding would silently treat it as absent).
func rejectNulls(v *validation, raw map[string]json.RawMessage, fields ...string) {
	for _, f := range fields {
		if isNull(raw, f) {
			v.add(f, "null_not_allowed", "%s cannot be null; omit it instead", f)
		}
	}
}

// checkLength records a finding when s has fewer than min or more than max
// characters (Unicode code points, as JSON Schema counts them).
func checkLength(v *validation, location, s string, min, max int) {
	n := utf8.RuneCountInString(s)
	switch {
	case n < min && min == 1:
		v.add(location, "required", "%s must not be empty", location)
	case n < min:
		v.add(location, "too_short", "%s must be at least %d characters long, got %d", location, min, n)
	case n > max:
		v.add(location, api.CodeTooLong, "%s must be at most %d characters long, got %d", location, max, n)
	}
}

// checkRange records a finding when n is outside min..max.
func checkRange(v *validation, location string, n, min, max int) {
	if n < min || n > max {
		v.add(location, "out_of_range", "%s must be between %d and %d, got %d", location, min, max, n)
	}
}

// fromNullString converts a nullable column to a response field (always
// specified: a value or an explicit null).
func fromNullString(ns sql.NullString) nullable.Nullable[string] {
	if !ns.Valid {
		return nullable.NewNullNullable[string]()
	}
	return nullable.NewNullableWithValue(ns.String)
}

// fromNullInt64 converts a nullable integer column to a response field.
func fromNullInt64(ni sql.NullInt64) nullable.Nullable[int] {
	if !ni.Valid {
		return nullable.NewNullNullable[int]()
	}
	return nullable.NewNullableWithValue(int(ni.Int64))
}

// nullableArg is the column value of a nullable request field: nil (NULL)
// when it is null or absent.
func nullableArg[T any](n nullable.Nullable[T]) any {
	if !n.IsSpecified() || n.IsNull() {
		return nil
	}
	return n.MustGet()
}

// nullableOr is the value of n, or def when n is null or absent.
func nullableOr[T any](n nullable.Nullable[T], def T) T {
	if !n.IsSpecified() || n.IsNull() {
		return def
	}
	return n.MustGet()
}

// pageKey is the content of the opaque cursors of every list (policies,
// rules, permission sets, roles, AWS roles): the list it belongs to and the
// sort key of the last item of the page.
type pageKey struct {
	List     string `json:"l"`
	Priority int64  `json:"p,omitempty"`
	Name     string `json:"n,omitempty"`
	ID       string `json:"i,omitempty"`
	Ordinal  int64  `json:"o,omitempty"`
	Created  string `json:"c,omitempty"`
	RowID    int64  `json:"r,omitempty"`
}

// readPageKey decodes a cursor of the list named list; a cursor of another
// list (or garbage) is a 400 at location "cursor".
func readPageKey(cursor *string, list string) (*pageKey, error) {
	var c pageKey
	ok, err := decodeCursor(cursor, &c)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, nil
	}
	if c.List != list {
		v := &validation{}
		v.add("cursor", "invalid_cursor", "cursor belongs to another list; pass next_cursor from the previous page of this list")
		return nil, v.err()
	}
	return &c, nil
}

// nextPageCursor is the response's next_cursor: null on the last page.
func nextPageCursor(hasMore bool, last pageKey) nullable.Nullable[string] {
	if !hasMore {
		return nullable.NewNullNullable[string]()
	}
	return nullable.NewNullableWithValue(encodeCursor(last))
}
