package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/google/uuid"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// call performs r and decodes the response into a new T.
func call[T any](ctx context.Context, c *Client, r request, opts []Option) (*T, error) {
	out := new(T)
	if err := c.do(ctx, r, out, opts); err != nil {
		return nil, err
	}
	return out, nil
}

func get[T any](ctx context.Context, c *Client, path string, q url.Values, opts []Option) (*T, error) {
	return call[T](ctx, c, request{method: http.MethodGet, path: path, query: q}, opts)
}

func send[T any](ctx context.Context, c *Client, method, path string, body any, opts []Option) (*T, error) {
	return call[T](ctx, c, request{method: method, path: path, body: body}, opts)
}

func (c *Client) del(ctx context.Context, path string, opts []Option) error {
	return c.do(ctx, request{method: http.MethodDelete, path: path}, nil, opts)
}

// setQuery sets key to *v unless v is nil.
func setQuery[T any](q url.Values, key string, v *T) {
	if v != nil {
		q.Set(key, fmt.Sprint(*v))
	}
}

func pageQuery(limit *int, cursor *string) url.Values {
	q := url.Values{}
	setQuery(q, "limit", limit)
	setQuery(q, "cursor", cursor)
	return q
}

// parseUUIDs parses ids, naming the first one that is not a UUID.
func parseUUIDs(what string, ids []string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, len(ids))
	for i, id := range ids {
		u, err := uuid.Parse(id)
		if err != nil {
			return nil, fmt.Errorf("%s %q (index %d) is not a UUID", what, id, i)
		}
		out[i] = u
	}
	return out, nil
}

// Meta -----------------------------------------------------------------------

// GetHealth checks that the server is up (unauthenticated).
func (c *Client) GetHealth(ctx context.Context, opts ...Option) (*api.Health, error) {
	return call[api.Health](ctx, c, request{method: http.MethodGet, path: "/healthz", noAuth: true}, opts)
}

// GetDebugRequests returns the request counts per route and status
// (jitsudo-local only, unauthenticated).
func (c *Client) GetDebugRequests(ctx context.Context, opts ...Option) (*api.RequestCounts, error) {
	return call[api.RequestCounts](ctx, c, request{method: http.MethodGet, path: "/debug/requests", noAuth: true}, opts)
}

// GetCedarSchema returns the Cedar schema rules are validated against.
func (c *Client) GetCedarSchema(ctx context.Context, opts ...Option) (*api.CedarSchema, error) {
	return get[api.CedarSchema](ctx, c, "/v1/cedar/schema", nil, opts)
}

// Policies -------------------------------------------------------------------

// ListPolicies returns one page of policy summaries.
func (c *Client) ListPolicies(ctx context.Context, params api.ListPoliciesParams, opts ...Option) (*api.PolicyList, error) {
	q := pageQuery(params.Limit, params.Cursor)
	setQuery(q, "name", params.Name)
	return get[api.PolicyList](ctx, c, "/v1/policies", q, opts)
}

// CreatePolicy creates a policy. Retries are safe: they replay the first
// result instead of creating a duplicate.
func (c *Client) CreatePolicy(ctx context.Context, body api.PolicyCreate, opts ...Option) (*api.Policy, error) {
	return send[api.Policy](ctx, c, http.MethodPost, "/v1/policies", body, opts)
}

// GetPolicy returns a policy with its rules.
func (c *Client) GetPolicy(ctx context.Context, id string, opts ...Option) (*api.Policy, error) {
	return get[api.Policy](ctx, c, pathf("/v1/policies/%s", id), nil, opts)
}

// UpdatePolicy applies a partial update: unset fields are unchanged, an
// explicit null clears a nullable field.
func (c *Client) UpdatePolicy(ctx context.Context, id string, body api.PolicyUpdate, opts ...Option) (*api.Policy, error) {
	return send[api.Policy](ctx, c, http.MethodPatch, pathf("/v1/policies/%s", id), body, opts)
}

// DeletePolicy deletes a policy and its rules.
func (c *Client) DeletePolicy(ctx context.Context, id string, opts ...Option) error {
	return c.del(ctx, pathf("/v1/policies/%s", id), opts)
}

// Rules ----------------------------------------------------------------------

// ListRules returns one page of a policy's rules, in evaluation order.
func (c *Client) ListRules(ctx context.Context, policyID string, params api.ListRulesParams, opts ...Option) (*api.RuleList, error) {
	return get[api.RuleList](ctx, c, pathf("/v1/policies/%s/rules", policyID), pageQuery(params.Limit, params.Cursor), opts)
}

// CreateRule adds a rule to a policy, from policy_text or structured fields.
func (c *Client) CreateRule(ctx context.Context, policyID string, body api.RuleCreate, opts ...Option) (*api.Rule, error) {
	return send[api.Rule](ctx, c, http.MethodPost, pathf("/v1/policies/%s/rules", policyID), body, opts)
}

// GetRule returns a rule of a policy.
func (c *Client) GetRule(ctx context.Context, policyID, ruleID string, opts ...Option) (*api.Rule, error) {
	return get[api.Rule](ctx, c, pathf("/v1/policies/%s/rules/%s", policyID, ruleID), nil, opts)
}

// UpdateRule applies a partial update to a rule.
func (c *Client) UpdateRule(ctx context.Context, policyID, ruleID string, body api.RuleUpdate, opts ...Option) (*api.Rule, error) {
	return send[api.Rule](ctx, c, http.MethodPatch, pathf("/v1/policies/%s/rules/%s", policyID, ruleID), body, opts)
}

// DeleteRule deletes a rule; the ordinals of the others do not change.
func (c *Client) DeleteRule(ctx context.Context, policyID, ruleID string, opts ...Option) error {
	return c.del(ctx, pathf("/v1/policies/%s/rules/%s", policyID, ruleID), opts)
}

// ReorderRules puts the listed rules in the given order, using the ordinals
// they hold among themselves, and returns all rules of the policy in order.
func (c *Client) ReorderRules(ctx context.Context, policyID string, ruleIDs []string, opts ...Option) (*api.RuleList, error) {
	ids, err := parseUUIDs("rule id", ruleIDs)
	if err != nil {
		return nil, err
	}
	return send[api.RuleList](ctx, c, http.MethodPatch, pathf("/v1/policies/%s/rules/reorder", policyID), api.RuleReorder{Ids: ids}, opts)
}

// Permission sets ------------------------------------------------------------

// ListPermissionSets returns one page of cached permission sets, by id.
func (c *Client) ListPermissionSets(ctx context.Context, params api.ListPermissionSetsParams, opts ...Option) (*api.PermissionSetList, error) {
	q := pageQuery(params.Limit, params.Cursor)
	setQuery(q, "account_id", params.AccountId)
	return get[api.PermissionSetList](ctx, c, "/v1/aws/permission-sets", q, opts)
}

// UpsertPermissionSets inserts or replaces sets, all or nothing (at most
// the server's batch size, 1000 by default), and returns how many were
// written. An item's IfMatch (the set must exist with this ETag, "*": must
// exist) and IfNoneMatch ("*": must not exist yet) are preconditions: if
// any fails, nothing is written and the error matches
// ErrPreconditionFailed, with each failing item in (*APIError).Validation()
// at resources[i].if_match or resources[i].if_none_match.
func (c *Client) UpsertPermissionSets(ctx context.Context, sets []api.PermissionSetInput, opts ...Option) (int, error) {
	if sets == nil {
		sets = []api.PermissionSetInput{}
	}
	out, err := send[api.UpsertResult](ctx, c, http.MethodPut, "/v1/aws/permission-sets", api.PermissionSetUpsert{Resources: sets}, opts)
	if err != nil {
		return 0, err
	}
	return out.Upserted, nil
}

// GetPermissionSet returns the permission set with this ARN.
func (c *Client) GetPermissionSet(ctx context.Context, arn string, opts ...Option) (*api.PermissionSet, error) {
	return get[api.PermissionSet](ctx, c, pathf("/v1/aws/permission-sets/%s", arn), nil, opts)
}

// DeletePermissionSet deletes the permission set with this ARN.
func (c *Client) DeletePermissionSet(ctx context.Context, arn string, opts ...Option) error {
	return c.del(ctx, pathf("/v1/aws/permission-sets/%s", arn), opts)
}

// DeletePermissionSets deletes the listed sets in one transaction; ids that
// do not exist are listed in the result's Missing, not an error. ifMatch
// (nil for none) maps listed ids to the ETag each must still have ("*":
// any); a listed set that exists with another ETag fails the whole call
// with ErrPreconditionFailed, each such id in (*APIError).Validation() at
// if_match["<id>"], and nothing is deleted.
func (c *Client) DeletePermissionSets(ctx context.Context, ids []string, ifMatch map[string]string, opts ...Option) (*api.DeleteResult, error) {
	body := api.PermissionSetBulkDelete{Ids: ids}
	if len(ifMatch) > 0 {
		body.IfMatch = &ifMatch
	}
	return send[api.DeleteResult](ctx, c, http.MethodPost, "/v1/aws/permission-sets/bulk-delete", body, opts)
}

// AWS roles and roles --------------------------------------------------------

// ListAwsRoles returns one page of discovered AWS roles; params.Refresh
// rescans the directory source first.
func (c *Client) ListAwsRoles(ctx context.Context, params api.ListAwsRolesParams, opts ...Option) (*api.AwsRoleList, error) {
	q := pageQuery(params.Limit, params.Cursor)
	setQuery(q, "refresh", params.Refresh)
	setQuery(q, "name", params.Name)
	setQuery(q, "arn", params.Arn)
	setQuery(q, "source", params.Source)
	setQuery(q, "status", params.Status)
	return get[api.AwsRoleList](ctx, c, "/v1/aws/roles", q, opts)
}

// GetAwsRole returns a discovered AWS role with its mapped roles.
func (c *Client) GetAwsRole(ctx context.Context, id string, opts ...Option) (*api.AwsRole, error) {
	return get[api.AwsRole](ctx, c, pathf("/v1/aws/roles/%s", id), nil, opts)
}

// GetAwsRoleMapping returns the internal roles an AWS role grants. Its ETag
// is the one SetAwsRoleMapping's IfMatch takes.
func (c *Client) GetAwsRoleMapping(ctx context.Context, awsRoleID string, opts ...Option) (*api.RoleRefList, error) {
	return get[api.RoleRefList](ctx, c, pathf("/v1/aws/roles/%s/roles", awsRoleID), nil, opts)
}

// SetAwsRoleMapping replaces the internal roles an AWS role grants (empty
// clears them) and returns them as they now are.
func (c *Client) SetAwsRoleMapping(ctx context.Context, awsRoleID string, roleIDs []string, opts ...Option) (*api.RoleRefList, error) {
	ids, err := parseUUIDs("role id", roleIDs)
	if err != nil {
		return nil, err
	}
	body := make(api.SetAwsRoleMappingJSONRequestBody, len(ids))
	for i, id := range ids {
		body[i] = api.RoleIDRef{Id: id}
	}
	return send[api.RoleRefList](ctx, c, http.MethodPut, pathf("/v1/aws/roles/%s/roles", awsRoleID), body, opts)
}

// ListRoles returns one page of the internal roles AWS roles can map to.
func (c *Client) ListRoles(ctx context.Context, params api.ListRolesParams, opts ...Option) (*api.RoleList, error) {
	q := pageQuery(params.Limit, params.Cursor)
	setQuery(q, "name", params.Name)
	return get[api.RoleList](ctx, c, "/v1/roles", q, opts)
}
