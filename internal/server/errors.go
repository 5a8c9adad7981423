package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// apiError is an error that becomes the API's error body
// `{code, message, details?, notices?}` with its HTTP status.
type apiError struct {
	Status  int
	Code    string
	Message string
	Details map[string]any
	Notices []string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

func (e *apiError) body() api.Error {
	out := api.Error{Code: e.Code, Message: e.Message}
	if len(e.Details) > 0 {
		d := api.ErrorDetails{AdditionalProperties: map[string]any{}}
		for k, v := range e.Details {
			switch k {
			case "validation":
				if vs, ok := v.([]api.ValidationDetail); ok {
					d.Validation = &vs
					continue
				}
			case "existing_id":
				if s, ok := v.(string); ok {
					d.ExistingId = &s
					continue
				}
			case "max_batch_size":
				if n, ok := v.(int); ok {
					d.MaxBatchSize = &n
					continue
				}
			}
			d.AdditionalProperties[k] = v
		}
		out.Details = &d
	}
	if len(e.Notices) > 0 {
		n := e.Notices
		out.Notices = &n
	}
	return out
}

func errNotFound(kind, id string) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: fmt.Sprintf("%s %s not found", kind, id)}
}

func errForbidden(msg string) *apiError {
	return &apiError{Status: http.StatusForbidden, Code: "forbidden", Message: msg}
}

func errConflict(msg, existingID string) *apiError {
	e := &apiError{Status: http.StatusConflict, Code: "conflict", Message: msg}
	if existingID != "" {
		e.Details = map[string]any{"existing_id": existingID}
	}
	return e
}

func errPrecondition(given, current string) *apiError {
	return &apiError{Status: http.StatusPreconditionFailed, Code: api.CodePreconditionFailed,
		Message: fmt.Sprintf("If-Match %s does not match the current ETag %s; read the object again and retry", given, current)}
}

// validation collects field findings for one request and turns them into a
// 400 with details.validation.
type validation struct {
	code  string // error code of the 400: invalid_request unless set
	items []api.ValidationDetail
}

// add records an ERROR finding at location (a JSON path into the request).
func (v *validation) add(location, code, format string, args ...any) {
	v.items = append(v.items, api.ValidationDetail{
		Type: api.ValidationDetailTypeERROR, Code: code, Location: location, Message: fmt.Sprintf(format, args...),
	})
}

// addDetail records a prepared finding (e.g. a Cedar error with line and column).
func (v *validation) addDetail(d api.ValidationDetail) { v.items = append(v.items, d) }

func (v *validation) ok() bool { return len(v.items) == 0 }

// err returns nil when nothing was found, else the 400 error.
func (v *validation) err() error {
	if len(v.items) == 0 {
		return nil
	}
	code := v.code
	if code == "" {
		code = "invalid_request"
	}
	return &apiError{
		Status:  http.StatusBadRequest,
		Code:    code,
		Message: fmt.Sprintf("%d %s invalid: %s", len(v.items), plural(len(v.items), "field is", "fields are"), v.summary()),
		Details: map[string]any{"validation": v.items},
	}
}

// preconditionErr returns nil when nothing was found, else the 412
// precondition_failed of a bulk request whose items' preconditions (the
// findings, code precondition_failed) failed.
func (v *validation) preconditionErr() error {
	if len(v.items) == 0 {
		return nil
	}
	return &apiError{
		Status: http.StatusPreconditionFailed,
		Code:   api.CodePreconditionFailed,
		Message: fmt.Sprintf("%d %s failed, nothing was changed; read the objects again and compare them with the intended ones: %s",
			len(v.items), plural(len(v.items), "precondition", "preconditions"), v.summary()),
		Details: map[string]any{"validation": v.items},
	}
}

// summary is the findings as "location: message; ...".
func (v *validation) summary() string {
	msgs := make([]string, 0, len(v.items))
	for _, it := range v.items {
		msgs = append(msgs, it.Location+": "+it.Message)
	}
	return strings.Join(msgs, "; ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// asAPIError unwraps err to an *apiError, or nil.
func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	return nil
}
