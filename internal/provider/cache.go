package provider

import (
	"context"
	"sync"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
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
