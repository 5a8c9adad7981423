package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"
)

// timeFormat is RFC 3339 with a fixed nine-digit fraction, so stored
// timestamps sort as strings in time order.
const timeFormat = "2006-01-02T15:04:05.000000000Z"

func (s *Server) nowString() string { return s.now().UTC().Format(timeFormat) }

func parseTime(v string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, v)
	return t
}

// marshal is the one JSON encoding of response bodies; ETags hash its output.
func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("marshal response: %v", err))
	}
	return b
}

// etagOf is the strong ETag of a representation: a hash of its JSON.
func etagOf(v any) string {
	sum := sha256.Sum256(marshal(v))
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b := marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeObject writes a representation without an etag field (the Cedar
// schema, an AWS role) with the ETag of its JSON.
func writeObject(w http.ResponseWriter, status int, v any) {
	w.Header().Set("ETag", etagOf(v))
	writeJSON(w, status, v)
}

// writeVersioned writes body, a representation that carries its version
// (etags.go), with that version as the ETag header: header and body field
// are one value. Write responses may carry extras (notices, validation)
// that the version does not cover.
func writeVersioned(w http.ResponseWriter, status int, etag string, body any) {
	w.Header().Set("ETag", etag)
	writeJSON(w, status, body)
}

// writeError writes err as the API error body. Errors that are not
// *apiError are logged and answered as a 500 without internals.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	ae := asAPIError(err)
	if ae == nil {
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "request_id", w.Header().Get("X-Request-ID"), "error", err)
		ae = &apiError{Status: http.StatusInternalServerError, Code: "internal", Message: "internal server error; see the server log for request " + w.Header().Get("X-Request-ID")}
	}
	writeJSON(w, ae.Status, ae.body())
}

// writeNoContent answers 204 No Content, or err when it is not nil.
func (s *Server) writeNoContent(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// checkIfMatch enforces If-Match against the current version of an
// object. An empty header always passes; "*" passes for an existing object.
func checkIfMatch(ifMatch *string, current string) error {
	if ifMatch == nil || strings.TrimSpace(*ifMatch) == "" {
		return nil
	}
	given := strings.TrimSpace(*ifMatch)
	if etagMatches(given, current) {
		return nil
	}
	return errPrecondition(given, current)
}

// etagMatches reports whether an If-Match value (a header or a bulk item's
// if_match: "*" or a comma-separated list of tags, W/ ignored) matches the
// current ETag of an existing object.
func etagMatches(given, current string) bool {
	given = strings.TrimSpace(given)
	if given == "*" {
		return true
	}
	for t := range strings.SplitSeq(given, ",") {
		t = strings.TrimSpace(t)
		t = strings.TrimPrefix(t, "W/")
		if t == current {
			return true
		}
	}
	return false
}

// readBody reads the whole request body: over maxBodyBytes it is a 413
// too_large (limitBody bounds the reader; the check here also covers
// handlers served outside the chain).
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, errTooLarge()
	case err != nil:
		return nil, &apiError{Status: http.StatusBadRequest, Code: "invalid_request", Message: "reading the request body: " + err.Error()}
	case len(body) > maxBodyBytes:
		return nil, errTooLarge()
	}
	return body, nil
}

// decodeBody decodes the JSON request body strictly into dst: unknown
// fields, trailing data and type mismatches are 400s that name the field,
// and so are strings decoding would alter (invalid UTF-8, unpaired
// surrogate escapes; checkJSONText).
func decodeBody(r *http.Request, dst any) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		v := &validation{}
		v.add("", "required", "a JSON request body is required")
		return v.err()
	}
	text := &validation{}
	checkJSONText(text, body)
	if err := text.err(); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		v := &validation{}
		var typeErr *json.UnmarshalTypeError
		var syntaxErr *json.SyntaxError
		switch {
		case errors.As(err, &typeErr):
			v.add(typeErr.Field, "invalid_type", "expected %s, got JSON %s", typeErr.Type.String(), typeErr.Value)
		case errors.As(err, &syntaxErr):
			v.add("", "invalid_json", "the body is not valid JSON at byte %d: %v", syntaxErr.Offset, err)
		case unknownFieldOf(err) != "":
			field := unknownFieldOf(err)
			v.add(field, "unknown_field", "unknown field %q", field)
		default:
			v.add("", "invalid_json", "the body could not be decoded: %v", err)
		}
		return v.err()
	}
	if dec.More() {
		v := &validation{}
		v.add("", "invalid_json", "unexpected data after the JSON body")
		return v.err()
	}
	keys := &validation{}
	checkExactKeys(keys, body, reflect.TypeOf(dst), "")
	return keys.err()
}

// unknownFieldOf returns the field that a json.Decoder with
// DisallowUnknownFields refused, or "" when err is another error
// (encoding/json has no error type for it, only the text).
func unknownFieldOf(err error) string {
	const prefix = "json: unknown field "
	if !strings.HasPrefix(err.Error(), prefix) {
		return ""
	}
	return strings.Trim(strings.TrimPrefix(err.Error(), prefix), `"`)
}

// Pagination ---------------------------------------------------------------

const (
	defaultLimit = 50
	maxLimit     = 250
)

// pageLimit validates the limit query parameter.
func pageLimit(limit *int) (int, error) {
	if limit == nil {
		return defaultLimit, nil
	}
	if *limit < 1 || *limit > maxLimit {
		v := &validation{}
		v.add("limit", "out_of_range", "limit must be between 1 and %d, got %d", maxLimit, *limit)
		return 0, v.err()
	}
	return *limit, nil
}

// encodeCursor makes an opaque cursor from the sort key of the last item.
func encodeCursor(key any) string {
	return base64.RawURLEncoding.EncodeToString(marshal(key))
}

// decodeCursor reads a cursor made by encodeCursor into dst; nil or empty
// cursors leave dst untouched and report false.
func decodeCursor(cursor *string, dst any) (bool, error) {
	if cursor == nil || *cursor == "" {
		return false, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(*cursor)
	if err == nil {
		err = json.Unmarshal(raw, dst)
	}
	if err != nil {
		v := &validation{}
		v.add("cursor", "invalid_cursor", "cursor is not one this server issued; pass next_cursor from the previous page")
		return false, v.err()
	}
	return true, nil
}
