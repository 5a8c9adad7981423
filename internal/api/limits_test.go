package api_test

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// requestStringLimits walks every string a request can carry (parameters
// and request bodies, recursively) and returns location -> maxLength (-1
// when the schema has none).
func requestStringLimits(t *testing.T) map[string]int {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.Spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	var walk func(loc string, s *openapi3.Schema, depth int)
	walk = func(loc string, s *openapi3.Schema, depth int) {
		if s == nil || depth > 10 {
			return
		}
		if s.Type.Is("string") {
			n := -1
			if s.MaxLength != nil {
				n = int(*s.MaxLength)
			}
			out[loc] = n
		}
		for name, p := range s.Properties {
			walk(loc+"."+name, p.Value, depth+1)
		}
		if s.Items != nil {
			walk(loc+"[]", s.Items.Value, depth+1)
		}
		if ap := s.AdditionalProperties.Schema; ap != nil {
			walk(loc+"{}", ap.Value, depth+1)
		}
		for _, sub := range append(append(s.AllOf, s.OneOf...), s.AnyOf...) {
			walk(loc, sub.Value, depth+1)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			params := append(openapi3.Parameters{}, item.Parameters...)
			params = append(params, op.Parameters...)
			for _, p := range params {
				walk(fmt.Sprintf("%s %s %s:%s", method, path, p.Value.In, p.Value.Name), p.Value.Schema.Value, 0)
			}
			if op.RequestBody != nil {
				for _, mt := range op.RequestBody.Value.Content {
					walk(fmt.Sprintf("%s %s body", method, path), mt.Schema.Value, 0)
				}
			}
		}
	}
	return out
}

// Every string a request carries has a maxLength (issue 8): the server
// enforces them, the client and provider use the constants of limits.go.
func TestEveryRequestStringHasMaxLength(t *testing.T) {
	var missing []string
	for loc, n := range requestStringLimits(t) {
		if n < 0 {
			missing = append(missing, loc)
		}
	}
	sort.Strings(missing)
	for _, loc := range missing {
		t.Errorf("%s: string without maxLength", loc)
	}
}

// The contract's numbers are the constants of limits.go.
func TestLimitsMatchContract(t *testing.T) {
	limits := requestStringLimits(t)
	for loc, want := range map[string]int{
		"POST /v1/policies body.cedar_policy_set":                            api.MaxCedarPolicySetLength,
		"POST /v1/policies body.name":                                        api.MaxPolicyNameLength,
		"PATCH /v1/policies/{policyId} body.name":                            api.MaxPolicyNameLength,
		"POST /v1/policies body.description":                                 api.MaxPolicyDescriptionLength,
		"POST /v1/policies body.notification_channel":                        api.MaxNotificationChannelLength,
		"GET /v1/policies query:name":                                        api.MaxPolicyNameLength,
		"POST /v1/policies/{policyId}/rules body.policy_text":                api.MaxPolicyTextLength,
		"PATCH /v1/policies/{policyId}/rules/{ruleId} body.policy_text":      api.MaxPolicyTextLength,
		"POST /v1/policies/{policyId}/rules body.conditions":                 api.MaxConditionsLength,
		"POST /v1/policies/{policyId}/rules body.notice":                     api.MaxRuleNoticeLength,
		"POST /v1/policies/{policyId}/rules body.principal_entity_type":      api.MaxEntityTypeLength,
		"POST /v1/policies/{policyId}/rules body.resource_in_entity_type":    api.MaxEntityTypeLength,
		"POST /v1/policies/{policyId}/rules body.principal_entity_id":        api.MaxEntityIDLength,
		"POST /v1/policies/{policyId}/rules body.action_ids[]":               api.MaxActionIDLength,
		"PUT /v1/aws/permission-sets body.resources[].id":                    api.MaxPermissionSetIDLength,
		"PUT /v1/aws/permission-sets body.resources[].name":                  api.MaxPermissionSetNameLength,
		"PUT /v1/aws/permission-sets body.resources[].description":           api.MaxPermissionSetDescriptionLength,
		"PUT /v1/aws/permission-sets body.resources[].session_duration":      api.MaxSessionDurationLength,
		"PUT /v1/aws/permission-sets body.resources[].relay_state":           api.MaxRelayStateLength,
		"PUT /v1/aws/permission-sets body.resources[].account_id":            api.MaxAccountIDLength,
		"PUT /v1/aws/permission-sets body.resources[].if_match":              api.MaxIfMatchLength,
		"POST /v1/aws/permission-sets/bulk-delete body.ids[]":                api.MaxPermissionSetIDLength,
		"POST /v1/aws/permission-sets/bulk-delete body.if_match{}":           api.MaxIfMatchLength,
		"POST /v1/aws/permission-sets/bulk-delete header:Idempotency-Key":    api.MaxIdempotencyKeyLength,
		"GET /v1/aws/permission-sets/{permissionSetId} path:permissionSetId": api.MaxPermissionSetIDLength,
		"GET /v1/aws/permission-sets query:account_id":                       api.MaxAccountIDLength,
		"GET /v1/policies query:cursor":                                      api.MaxCursorLength,
		"DELETE /v1/policies/{policyId} header:If-Match":                     api.MaxIfMatchLength,
		"GET /v1/roles query:name":                                           api.MaxRoleNameLength,
		"GET /v1/aws/roles query:name":                                       api.MaxAwsRoleNameLength,
		"GET /v1/aws/roles query:arn":                                        api.MaxArnLength,
	} {
		got, ok := limits[loc]
		switch {
		case !ok:
			t.Errorf("%s: not in the contract", loc)
		case got != want:
			t.Errorf("%s: maxLength %d in openapi.yaml, %d in limits.go", loc, got, want)
		}
	}
}
