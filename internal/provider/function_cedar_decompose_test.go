package provider

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

func TestFunctionCedarDecompose_run(t *testing.T) {
	anyScope := cedarDecomposedScope{Scope: "any"}
	for name, tc := range map[string]struct {
		text    string
		want    cedarDecomposedRule
		wantErr string
	}{
		"scopes and conditions": {
			text: "// SRE, up to an hour\n" +
				`permit (principal in Group::"sre", action in [Action::"request_access", Action::"extend"], ` +
				`resource is AwsPermissionSet in AwsAccount::"123456789012") when { context.duration_seconds <= 3600 } unless { !context.mfa_authenticated };`,
			want: cedarDecomposedRule{
				Effect:    "permit",
				Principal: cedarDecomposedScope{Scope: "in", EntityType: cedarTestString("Group"), EntityID: cedarTestString("sre")},
				Action:    cedarDecomposedAction{Scope: "in", IDs: []string{"request_access", "extend"}},
				Resource: cedarDecomposedScope{Scope: "is_in", EntityType: cedarTestString("AwsPermissionSet"),
					EntityID: cedarTestString("123456789012"), InEntityType: cedarTestString("AwsAccount")},
				Conditions: cedarTestString("when { context.duration_seconds <= 3600 }\nunless { !context.mfa_authenticated }"),
			},
		},
		"any scopes, no conditions, annotations dropped": {
			text: `@id("all") forbid (principal, action, resource);`,
			want: cedarDecomposedRule{Effect: "forbid", Principal: anyScope, Action: cedarDecomposedAction{Scope: "any"}, Resource: anyScope},
		},
		"eq and is": {
			text: `permit (principal == User::"alice", action == Action::"approve", resource is AwsRole);`,
			want: cedarDecomposedRule{
				Effect:    "permit",
				Principal: cedarDecomposedScope{Scope: "eq", EntityType: cedarTestString("User"), EntityID: cedarTestString("alice")},
				Action:    cedarDecomposedAction{Scope: "eq", IDs: []string{"approve"}},
				Resource:  cedarDecomposedScope{Scope: "is", EntityType: cedarTestString("AwsRole")},
			},
		},
		"is_in of one type, action in one entity": {
			text: `permit (principal is Group in Group::"oncall", action in Action::"revoke", resource == AwsAccount::"1");`,
			want: cedarDecomposedRule{
				Effect:    "permit",
				Principal: cedarDecomposedScope{Scope: "is_in", EntityType: cedarTestString("Group"), EntityID: cedarTestString("oncall")},
				Action:    cedarDecomposedAction{Scope: "in", IDs: []string{"revoke"}},
				Resource:  cedarDecomposedScope{Scope: "eq", EntityType: cedarTestString("AwsAccount"), EntityID: cedarTestString("1")},
			},
		},
		"syntax error": {
			text:    "permit (principal, action, resource)\nwhen { 1 + };",
			wantErr: "Cedar syntax error at 2:12 (line:column): invalid primary",
		},
		"two statements": {
			text:    "permit (principal, action, resource); permit (principal, action, resource);",
			wantErr: "the text must hold exactly one Cedar policy (one permit or forbid statement): expected exactly one policy, found 2",
		},
		"empty action id": {
			text:    `permit (principal, action in [Action::"approve", Action::""], resource);`,
			wantErr: "the policy is valid Cedar but cannot be stored as a JITSudo rule: action.ids[1] must not be empty",
		},
		"two unsupported parts": {
			text: `permit (principal == User::"", action, resource in AwsAccount::"");`,
			wantErr: "the policy is valid Cedar but cannot be stored as a JITSudo rule: principal.entity_id is required when principal.scope is \"eq\"; " +
				"resource.entity_id is required when resource.scope is \"in\"",
		},
	} {
		t.Run(name, func(t *testing.T) {
			got, ok := runCedarFunctionOn(t, NewCedarDecomposeFunction(), tc.text, tc.wantErr)
			if !ok {
				return
			}
			want, diags := types.ObjectValueFrom(context.Background(), cedarDecomposedRuleTypes, tc.want)
			if diags.HasError() {
				t.Fatalf("expected value: %v", diags)
			}
			if !got.Equal(want) {
				t.Errorf("result\n got: %v\nwant: %v", got, want)
			}
		})
	}
}

// TestFunctionCedarDecompose_terraform calls cedar_decompose from a
// configuration, uses its parts, and checks the error Terraform shows.
func TestFunctionCedarDecompose_terraform(t *testing.T) {
	t.Parallel()
	requireTerraform(t)
	scope := func(scope string, entityType, entityID knownvalue.Check) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"scope":          knownvalue.StringExact(scope),
			"entity_type":    entityType,
			"entity_id":      entityID,
			"in_entity_type": knownvalue.Null(),
		})
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: cedarFunctionsProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `
locals {
  rule = provider::jitsudo::cedar_decompose(<<-EOT
    permit (
      principal in Group::"sre",
      action in [Action::"request_access", Action::"extend"],
      resource is AwsAccount
    )
    when { context.duration_seconds <= 3600 };
  EOT
  )
}

output "rule" {
  value = local.rule
}

output "covers_approve" {
  value = contains(coalesce(local.rule.action.ids, []), "approve")
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("rule", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"effect":    knownvalue.StringExact("permit"),
						"principal": scope("in", knownvalue.StringExact("Group"), knownvalue.StringExact("sre")),
						"action": knownvalue.ObjectExact(map[string]knownvalue.Check{
							"scope": knownvalue.StringExact("in"),
							"ids":   knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("request_access"), knownvalue.StringExact("extend")}),
						}),
						"resource":   scope("is", knownvalue.StringExact("AwsAccount"), knownvalue.Null()),
						"conditions": knownvalue.StringExact("when { context.duration_seconds <= 3600 }"),
					})),
					statecheck.ExpectKnownOutputValue("covers_approve", knownvalue.Bool(false)),
				},
			},
			{
				Config: `
output "rule" {
  value = provider::jitsudo::cedar_decompose("permit (principal == User::\"\", action, resource);")
}
`,
				ExpectError: regexp.MustCompile(`(?s)Invalid value for "text" parameter: the policy is valid Cedar but cannot be\s+stored as a JITSudo rule: principal.entity_id is required when\s+principal.scope is "eq"`),
			},
		},
	})
}
