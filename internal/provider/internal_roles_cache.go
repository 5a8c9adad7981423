package provider

import (
	"context"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
)

// internalRolesCache is the tenant's list of internal roles, fetched at
// most once per provider process (one terraform command) and only when a
// plan needs it: jitsudo_aws_role_mapping names the roles of role_ids in
// its plan, and rejects an id that is no role, from it. Concurrent callers
// share one in-flight fetch; a fetch that fails is not kept, so the next
// caller tries again.
//
// Internal roles are discovered by JITSudo, never written by the provider,
// so the list cannot go stale by a write of this process; a role renamed
// or removed by its directory between plan and apply is caught by the
// apply, which reads the names the API answers.
type internalRolesCache struct {
	client *client.Client
	roles  refreshCache[map[string]string]
}

// newInternalRolesCache returns the cache of the roles cl's tenant has.
func newInternalRolesCache(cl *client.Client) *internalRolesCache {
	return &internalRolesCache{client: cl}
}

// names returns the name of every internal role of the tenant by its id
// (cacheKey, lower case).
func (c *internalRolesCache) names(ctx context.Context) (map[string]string, error) {
	names, _, err := c.roles.get(ctx, "", "", func(ctx context.Context) (map[string]string, error) {
		out := map[string]string{}
		for role, err := range c.client.AllRoles(ctx, api.ListRolesParams{Limit: new(api.MaxPageSize)}) {
			if err != nil {
				return nil, err
			}
			out[cacheKey(role.Id.String())] = role.Name
		}
		return out, nil
	})
	return names, err
}

// internalRolesFromProviderData returns the provider's internal-role list,
// or nil when the provider is not configured yet.
func internalRolesFromProviderData(pd any) *internalRolesCache {
	if data, ok := pd.(*providerData); ok && data != nil {
		return data.InternalRoles
	}
	return nil
}
