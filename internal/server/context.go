package server

import "context"

type principalKey struct{}

// principal is who a request authenticated as: set by the auth middleware
// before any handler runs.
type principal struct {
	TenantID string
	ReadOnly bool
}

func withPrincipal(ctx context.Context, p principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// tenantID is the authenticated tenant of the request. Every query of a
// handler filters by it: other tenants' objects are not found.
func tenantID(ctx context.Context) string {
	p, _ := ctx.Value(principalKey{}).(principal)
	return p.TenantID
}
