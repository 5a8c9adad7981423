package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// Sentinel errors matched by an *APIError with errors.Is.
var (
	// ErrInvalidRequest: 400 (any code, invalid_cedar included).
	ErrInvalidRequest = errors.New("invalid request")
	// ErrInvalidCedar: 400 invalid_cedar.
	ErrInvalidCedar = errors.New("invalid Cedar")
	// ErrUnauthenticated: 401, a missing or unknown API key.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrForbidden: 403 (any code, tenant_mismatch included).
	ErrForbidden = errors.New("forbidden")
	// ErrTenantMismatch: 403 tenant_mismatch, the key belongs to another tenant.
	ErrTenantMismatch = errors.New("tenant mismatch")
	// ErrNotFound: 404.
	ErrNotFound = errors.New("not found")
	// ErrConflict: 409, a taken name or a reused idempotency key.
	ErrConflict = errors.New("conflict")
	// ErrPreconditionFailed: 412, a stale If-Match.
	ErrPreconditionFailed = errors.New("precondition failed")
	// ErrRateLimited: 429, still rate limited after the retries.
	ErrRateLimited = errors.New("rate limited")
	// ErrUnavailable: any 5xx.
	ErrUnavailable = errors.New("unavailable")
)

// APIError is a non-2xx answer of the API.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Code is the machine-readable error code (not_found, invalid_cedar, ...);
	// empty when the body was not an API error body.
	Code string
	// Message is the server's message, or the trimmed body text.
	Message string
	// Details holds the validation findings, existing_id, max_batch_size, ...
	Details api.ErrorDetails
	// Notices are policy notices from Cedar processing.
	Notices []string
	// RequestID is the X-Request-ID of the response.
	RequestID string
}

// Error reads like "jitsudo API: 404 not_found: policy ... not found (request id ...)".
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "jitsudo API: %d ", e.Status)
	if e.Code != "" {
		b.WriteString(e.Code)
	} else {
		b.WriteString(http.StatusText(e.Status))
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + e.RequestID + ")")
	}
	return b.String()
}

// Is reports whether e matches one of the sentinel errors of this package.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrInvalidRequest:
		return e.Status == http.StatusBadRequest
	case ErrInvalidCedar:
		return e.Status == http.StatusBadRequest && e.Code == api.CodeInvalidCedar
	case ErrUnauthenticated:
		return e.Status == http.StatusUnauthorized
	case ErrForbidden:
		return e.Status == http.StatusForbidden
	case ErrTenantMismatch:
		return e.Status == http.StatusForbidden && e.Code == api.CodeTenantMismatch
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrConflict:
		return e.Status == http.StatusConflict
	case ErrPreconditionFailed:
		return e.Status == http.StatusPreconditionFailed
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests
	case ErrUnavailable:
		return e.Status >= 500
	}
	return false
}

// Validation returns the structured validation findings, if any; each
// Location is a JSON path into the request (resources[3].session_duration).
func (e *APIError) Validation() []api.ValidationDetail {
	if e.Details.Validation == nil {
		return nil
	}
	return *e.Details.Validation
}

// ExistingID returns, for a name conflict, the id of the object holding
// the name, else "".
func (e *APIError) ExistingID() string {
	if e.Details.ExistingId == nil {
		return ""
	}
	return *e.Details.ExistingId
}

// maxMessage bounds the message taken from a non-JSON error body.
const maxMessage = 512

// newAPIError decodes an error response; a body that is not an API error
// (a proxy's HTML page, plain text) becomes its trimmed text.
func newAPIError(resp *http.Response, body []byte) *APIError {
	e := &APIError{Status: resp.StatusCode, RequestID: resp.Header.Get("X-Request-ID")}
	var b api.Error
	if json.Unmarshal(body, &b) == nil && b.Code != "" {
		e.Code, e.Message = b.Code, b.Message
		if b.Details != nil {
			e.Details = *b.Details
		}
		if b.Notices != nil {
			e.Notices = *b.Notices
		}
		return e
	}
	msg := strings.Join(strings.Fields(string(body)), " ")
	if r := []rune(msg); len(r) > maxMessage {
		msg = string(r[:maxMessage]) + "…"
	}
	e.Message = msg
	return e
}
