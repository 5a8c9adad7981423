package client

// Option adjusts one call.
type Option func(*callOptions)

type callOptions struct {
	ifMatch  string
	response *Response
}

func applyOptions(opts []Option) callOptions {
	var o callOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// IfMatch makes a write apply only if the object's current ETag is etag
// ("*" matches any existing object); otherwise it fails with
// ErrPreconditionFailed. etag is the ETag of a read (Response.ETag) or,
// equally, the Etag field of the object in any response, lists included
// (for a mapping, the AWS role's MappingEtag). Only updates, deletes and
// SetAwsRoleMapping honour it; the bulk permission set calls take their
// preconditions in the request instead.
func IfMatch(etag string) Option {
	return func(o *callOptions) { o.ifMatch = etag }
}

// WithResponse stores the metadata of the call's final HTTP response in r,
// also when the call fails with an *APIError.
func WithResponse(r *Response) Option {
	return func(o *callOptions) { o.response = r }
}

// Response is the metadata of the final HTTP response of a call.
type Response struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// ETag is the strong entity tag of a single-object response, for IfMatch.
	ETag string
	// RequestID identifies the request in the server's log.
	RequestID string
	// Replayed is true when the server answered a create from its
	// idempotency record instead of executing it again.
	Replayed bool
	// Attempts is how many HTTP attempts the call made.
	Attempts int
	// Location is the URL path of a created object (201 responses). It
	// names the object even when the body cannot be decoded.
	Location string
}
