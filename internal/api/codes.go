package api

// Codes of the contract that clients act on, in one hand-written place: the
// `code` of an Error body and of a details.validation entry. The server
// sends them; the client and the provider compare against these instead of
// repeating the strings.
const (
	// CodeNotFound is the 404 error code, and the validation code of a
	// referenced object that does not exist.
	CodeNotFound = "not_found"
	// CodePreconditionFailed is the 412 error code of a stale If-Match.
	CodePreconditionFailed = "precondition_failed"
	// CodeInvalidCedar is the 400 error code of Cedar text that does not
	// parse or fit the rule shape.
	CodeInvalidCedar = "invalid_cedar"
	// CodeTenantMismatch is the 403 error code of an API key used with
	// another tenant's id.
	CodeTenantMismatch = "tenant_mismatch"
	// CodeUnknownRole is the validation code of a role id, in a mapping,
	// that is not an internal role of the tenant.
	CodeUnknownRole = "unknown_role"
	// CodeTooLong is the validation code of a value longer than its limit
	// (a Cedar text longer than the limit is not parsed).
	CodeTooLong = "too_long"

	// The validation codes of Cedar problems, found by internal/cedar's
	// judgement (besides the codes of its CheckShape).
	CodeCedarSyntax         = "cedar_syntax"          // the text does not parse
	CodeCedarStatementCount = "cedar_statement_count" // not exactly one statement where one is expected
	CodeCedarUnsupported    = "cedar_unsupported"     // valid Cedar that a rule cannot hold
	CodeAnnotationsDropped  = "annotations_dropped"   // INFO: annotations parse, but a rule does not keep them
	CodeCedarTooDeep        = "cedar_too_deep"        // nested deeper than MaxDepth; not parsed
)
