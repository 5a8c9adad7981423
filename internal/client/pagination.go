package client

import (
	"context"
	"fmt"
	"iter"

	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// pages iterates over the items of every page from cursor on. fetch returns
// one page: its items, next_cursor and has_more. The first error is yielded
// and ends the iteration.
func pages[T any](cursor *string, fetch func(cursor *string) ([]T, nullable.Nullable[string], bool, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for {
			items, next, more, err := fetch(cursor)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			n, err := next.Get()
			if !more || err != nil || n == "" {
				return
			}
			if cursor != nil && *cursor == n {
				yield(zero, fmt.Errorf("jitsudo API: the server returned cursor %q again; stopping to avoid a loop", n))
				return
			}
			cursor = &n
		}
	}
}

// AllPolicies iterates over all policy summaries, fetching pages of
// params.Limit as needed, from params.Cursor on.
func (c *Client) AllPolicies(ctx context.Context, params api.ListPoliciesParams) iter.Seq2[api.PolicySummary, error] {
	return pages(params.Cursor, func(cur *string) ([]api.PolicySummary, nullable.Nullable[string], bool, error) {
		params.Cursor = cur
		l, err := c.ListPolicies(ctx, params)
		if err != nil {
			return nil, nil, false, err
		}
		return l.Data, l.NextCursor, l.HasMore, nil
	})
}

// AllRules iterates over all rules of a policy, in evaluation order.
func (c *Client) AllRules(ctx context.Context, policyID string, params api.ListRulesParams) iter.Seq2[api.Rule, error] {
	return pages(params.Cursor, func(cur *string) ([]api.Rule, nullable.Nullable[string], bool, error) {
		params.Cursor = cur
		l, err := c.ListRules(ctx, policyID, params)
		if err != nil {
			return nil, nil, false, err
		}
		return l.Data, l.NextCursor, l.HasMore, nil
	})
}

// AllPermissionSets iterates over all cached permission sets.
func (c *Client) AllPermissionSets(ctx context.Context, params api.ListPermissionSetsParams) iter.Seq2[api.PermissionSet, error] {
	return pages(params.Cursor, func(cur *string) ([]api.PermissionSet, nullable.Nullable[string], bool, error) {
		params.Cursor = cur
		l, err := c.ListPermissionSets(ctx, params)
		if err != nil {
			return nil, nil, false, err
		}
		return l.Data, l.NextCursor, l.HasMore, nil
	})
}

// AllAwsRoles iterates over all discovered AWS roles. With params.Refresh
// only the first page rescans.
func (c *Client) AllAwsRoles(ctx context.Context, params api.ListAwsRolesParams) iter.Seq2[api.AwsRole, error] {
	return pages(params.Cursor, func(cur *string) ([]api.AwsRole, nullable.Nullable[string], bool, error) {
		params.Cursor = cur
		l, err := c.ListAwsRoles(ctx, params)
		params.Refresh = nil
		if err != nil {
			return nil, nil, false, err
		}
		return l.Data, l.NextCursor, l.HasMore, nil
	})
}

// AllRoles iterates over all internal roles.
func (c *Client) AllRoles(ctx context.Context, params api.ListRolesParams) iter.Seq2[api.Role, error] {
	return pages(params.Cursor, func(cur *string) ([]api.Role, nullable.Nullable[string], bool, error) {
		params.Cursor = cur
		l, err := c.ListRoles(ctx, params)
		if err != nil {
			return nil, nil, false, err
		}
		return l.Data, l.NextCursor, l.HasMore, nil
	})
}
