package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
)

// refreshCache is the provider's refresh-by-list: within one provider
// process (one terraform command's walk), the first Read of an object
// fetches its whole collection in as few requests as the API allows (a
// policy with all its rules in one GET, the AWS roles or the permission
// sets in pages of 250), and later Reads of the same collection are served
// from that response. Concurrent Reads share one in-flight fetch.
//
// Writes made by this process mark what they touched as stale: a Read of a
// stale item is not served from the collection (which predates the write)
// but from the object's own GET. A fetch that fails is not kept, so the
// next Read tries again.
//
// Drift detection stays exact because terraform starts a new provider
// process for every walk: a plan's refresh sees the server as it is when
// the plan starts.
type refreshCache[T any] struct {
	mu      sync.Mutex
	entries map[string]*cacheEntry[T]
}

type cacheEntry[T any] struct {
	done  chan struct{} // closed when val and err are set
	val   T
	err   error
	stale map[string]bool // items written since the fetch began; guarded by refreshCache.mu
}

// get returns the collection coll, fetching it once. ok is false when the
// item was written by this process since the collection was fetched: the
// caller must then read the item on its own.
func (c *refreshCache[T]) get(ctx context.Context, coll, item string, fetch func(context.Context) (T, error)) (val T, ok bool, err error) {
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]*cacheEntry[T]{}
	}
	e, found := c.entries[coll]
	if !found {
		e = &cacheEntry[T]{done: make(chan struct{}), stale: map[string]bool{}}
		c.entries[coll] = e
		c.mu.Unlock()
		e.val, e.err = fetch(ctx)
		if e.err != nil {
			c.mu.Lock()
			if c.entries[coll] == e {
				delete(c.entries, coll)
			}
			c.mu.Unlock()
		}
		close(e.done)
	} else {
		c.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return val, false, ctx.Err()
		}
	}
	if e.err != nil {
		return val, false, e.err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return e.val, !e.stale[item], nil
}

// forget marks items of coll as written by this process: later Reads of
// them are not served from the collection fetched before.
func (c *refreshCache[T]) forget(coll string, items ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[coll]
	if !ok {
		return
	}
	for _, item := range items {
		e.stale[item] = true
	}
}

// refreshCaches are the collections the provider refreshes by list, one
// set per provider process.
type refreshCaches struct {
	// Policies: a policy with all its rules, from one GET of the policy,
	// by policy id. Item "" is the policy itself, any other item a rule id.
	Policies refreshCache[*policySnapshot]
	// AwsRoles: every discovered AWS role with its mapped roles and
	// mapping ETag, by AWS role id, from the paged list (collection "").
	AwsRoles refreshCache[map[string]*api.AwsRole]
	// PermissionSets: every permission set of the cache, by ARN, from the
	// paged list (collection "").
	PermissionSets refreshCache[map[string]*api.PermissionSet]
}

// policySnapshot is one GET of a policy: the policy (nil when it does not
// exist) and its rules by id.
type policySnapshot struct {
	Policy *api.Policy
	Rules  map[string]*api.Rule
}

// cachesFromProviderData returns the provider's refresh caches, or nil
// when the provider is not configured yet.
func cachesFromProviderData(pd any) *refreshCaches {
	if data, ok := pd.(*providerData); ok && data != nil {
		return data.Caches
	}
	return nil
}

// cacheKey folds the spelling of an id: the API answers UUIDs in lower
// case, configurations may spell them otherwise.
func cacheKey(id string) string { return strings.ToLower(id) }

// readPolicy returns the policy id, served from the one GET of the policy
// that this process shares among the policy and its rules. A policy that
// does not exist is an error matching client.ErrNotFound.
func (c *refreshCaches) readPolicy(ctx context.Context, cl *client.Client, id string) (*api.Policy, error) {
	snap, err := c.policySnapshot(ctx, cl, id)
	if err != nil {
		return nil, err
	}
	if snap.Policy == nil {
		return nil, notFoundf("policy %s", id)
	}
	return snap.Policy, nil
}

// readRule returns the rule ruleID of policy policyID, served from the one
// GET of its policy (which has every rule of the policy).
func (c *refreshCaches) readRule(ctx context.Context, cl *client.Client, policyID, ruleID string) (*api.Rule, error) {
	if c == nil {
		return cl.GetRule(ctx, policyID, ruleID)
	}
	snap, ok, err := c.Policies.get(ctx, cacheKey(policyID), cacheKey(ruleID), c.fetchPolicy(cl, policyID))
	switch {
	case err != nil:
		return nil, err
	case !ok: // written by this process since: read it on its own
		return cl.GetRule(ctx, policyID, ruleID)
	case snap.Policy == nil:
		return nil, notFoundf("policy %s", policyID)
	}
	r, found := snap.Rules[cacheKey(ruleID)]
	if !found {
		return nil, notFoundf("rule %s of policy %s", ruleID, policyID)
	}
	return r, nil
}

// policySnapshot returns the shared GET of policy id, or a GET of its own
// when the policy was written by this process since.
func (c *refreshCaches) policySnapshot(ctx context.Context, cl *client.Client, id string) (*policySnapshot, error) {
	fetch := c.fetchPolicy(cl, id)
	if c == nil {
		return fetch(ctx)
	}
	snap, ok, err := c.Policies.get(ctx, cacheKey(id), "", fetch)
	if err != nil || ok {
		return snap, err
	}
	return fetch(ctx)
}

// fetchPolicy is one GET of policy id as a snapshot; a policy that does
// not exist is a snapshot without a policy.
func (c *refreshCaches) fetchPolicy(cl *client.Client, id string) func(context.Context) (*policySnapshot, error) {
	return func(ctx context.Context) (*policySnapshot, error) {
		p, err := cl.GetPolicy(ctx, id)
		if errors.Is(err, client.ErrNotFound) {
			return &policySnapshot{}, nil
		}
		if err != nil {
			return nil, err
		}
		snap := &policySnapshot{Policy: p, Rules: make(map[string]*api.Rule, len(p.Rules))}
		for i := range p.Rules {
			snap.Rules[cacheKey(p.Rules[i].Id.String())] = &p.Rules[i]
		}
		return snap, nil
	}
}

// forgetPolicy marks what a write of this process touched in policy id:
// the policy (whose etag covers its rules) and the given rules.
func (c *refreshCaches) forgetPolicy(id string, ruleIDs ...string) {
	if c == nil {
		return
	}
	items := []string{""}
	for _, r := range ruleIDs {
		items = append(items, cacheKey(r))
	}
	c.Policies.forget(cacheKey(id), items...)
}

// readAwsRole returns the AWS role id with its mapped roles and mapping
// etag, served from the paged list of AWS roles this process fetches once.
// A role that does not exist is an error matching client.ErrNotFound.
func (c *refreshCaches) readAwsRole(ctx context.Context, cl *client.Client, id string) (*api.AwsRole, error) {
	if c == nil {
		return cl.GetAwsRole(ctx, id)
	}
	roles, ok, err := c.AwsRoles.get(ctx, "", cacheKey(id), func(ctx context.Context) (map[string]*api.AwsRole, error) {
		out := map[string]*api.AwsRole{}
		for role, err := range cl.AllAwsRoles(ctx, api.ListAwsRolesParams{Limit: new(api.MaxPageSize)}) {
			if err != nil {
				return nil, err
			}
			out[cacheKey(role.Id.String())] = &role
		}
		return out, nil
	})
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return cl.GetAwsRole(ctx, id)
	}
	if role, found := roles[cacheKey(id)]; found {
		return role, nil
	}
	// Not in the list: discovered since, or gone. Its own GET tells.
	return cl.GetAwsRole(ctx, id)
}

// forgetAwsRole marks the mapping of AWS role id as written by this process.
func (c *refreshCaches) forgetAwsRole(id string) {
	if c != nil {
		c.AwsRoles.forget("", cacheKey(id))
	}
}

// notFoundf is an error matching client.ErrNotFound for an object missing
// from a list.
func notFoundf(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), client.ErrNotFound)
}
