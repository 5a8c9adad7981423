package provider

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// A rule that passes the default schema, and a schema of its own under
// which it does not (and cedarValidateTeamRule does).
const (
	cedarValidateSRERule = `permit (principal in Group::"sre", action in [Action::"request_access", Action::"extend"], resource is AwsAccount) ` +
		`when { context.duration_seconds <= 3600 && context.mfa_authenticated };`
	cedarValidateTeamSchema = "entity Team;\nentity Service in [Team];\naction deploy appliesTo { principal: [Team], resource: [Service] };\n"
	cedarValidateTeamRule   = `permit (principal == Team::"payments", action == Action::"deploy", resource in Team::"payments");`
)

// cedarFindingValue is a cedarFinding; line and column < 0 are null.
func cedarFindingValue(code, message string, line, column int64) cedarFinding {
	f := newCedarFinding(code, message)
	if line >= 0 {
		f.Line, f.Column = types.Int64Value(line), types.Int64Value(column)
	}
	return f
}

func TestFunctionCedarValidate_run(t *testing.T) {
	schemaFinding := func(msg string) cedarFinding { return cedarFindingValue("schema", msg, -1, -1) }
	noFindings := []cedarFinding{}
	for name, tc := range map[string]struct {
		text   string
		schema *string // nil: null
		want   cedarValidateResult
	}{
		"valid, null schema": {
			text: cedarValidateSRERule,
			want: cedarValidateResult{Valid: true, Errors: noFindings, Warnings: noFindings},
		},
		"valid, empty schema": {
			text:   cedarValidateSRERule,
			schema: cedarTestString(""),
			want:   cedarValidateResult{Valid: true, Errors: noFindings, Warnings: noFindings},
		},
		"valid, blank schema": {
			text:   cedarValidateSRERule,
			schema: cedarTestString(" \n\t"),
			want:   cedarValidateResult{Valid: true, Errors: noFindings, Warnings: noFindings},
		},
		"own schema": {
			text:   cedarValidateTeamRule,
			schema: cedarTestString(cedarValidateTeamSchema),
			want:   cedarValidateResult{Valid: true, Errors: noFindings, Warnings: noFindings},
		},
		"default schema rejects the rule of another schema": {
			text: cedarValidateTeamRule,
			want: cedarValidateResult{
				Errors: []cedarFinding{
					schemaFinding("unable to find an applicable action given the policy scope constraints"),
					schemaFinding("unrecognized action `Action::\"deploy\"`"),
					schemaFinding("unrecognized entity type `Team`"),
				},
				Warnings: noFindings,
			},
		},
		"own schema rejects a rule of the default schema": {
			text:   cedarValidateSRERule,
			schema: cedarTestString(cedarValidateTeamSchema),
			want: cedarValidateResult{
				Errors: []cedarFinding{
					schemaFinding("unable to find an applicable action given the policy scope constraints"),
					schemaFinding("unrecognized action `Action::\"extend\"`"),
					schemaFinding("unrecognized action `Action::\"request_access\"`"),
					schemaFinding("unrecognized entity type `AwsAccount`"),
					schemaFinding("unrecognized entity type `Group`"),
				},
				Warnings: noFindings,
			},
		},
		"type error in the conditions": {
			text: `permit (principal is User, action, resource) when { context.duration_seconds > "3600" };`,
			want: cedarValidateResult{
				Errors:   []cedarFinding{schemaFinding("unexpected type: expected datetime, or duration, or Long but saw String")},
				Warnings: noFindings,
			},
		},
		"syntax error with position": {
			text: "permit (principal, action, resource)\nwhen { 1 + };",
			want: cedarValidateResult{
				Errors:   []cedarFinding{cedarFindingValue("cedar_syntax", "invalid primary", 2, 12)},
				Warnings: noFindings,
			},
		},
		"syntax error in a string literal": {
			text: `permit (principal, action, resource) when { "a\*" == "b" };`,
			want: cedarValidateResult{
				Errors:   []cedarFinding{cedarFindingValue("cedar_syntax", "bad char escape", 1, 45)},
				Warnings: noFindings,
			},
		},
		"two statements": {
			text: "permit (principal, action, resource);\nforbid (principal, action, resource);",
			want: cedarValidateResult{
				Errors: []cedarFinding{cedarFindingValue("cedar_statement_count",
					"the text must hold exactly one Cedar policy (one permit or forbid statement): expected exactly one policy, found 2", -1, -1)},
				Warnings: noFindings,
			},
		},
		"empty entity id": {
			text: `permit (principal == User::"", action, resource);`,
			want: cedarValidateResult{
				Errors: []cedarFinding{cedarFindingValue("cedar_unsupported",
					"the policy is valid Cedar but cannot be stored as a JITSudo rule: principal.entity_id is required when principal.scope is \"eq\"", -1, -1)},
				Warnings: noFindings,
			},
		},
		"warnings only": {
			text: `@id("approvers") @advice("ask #sre") permit (principal in Group::"leads", action in [Action::"approve", Action::"deny", Action::"approve"], resource);`,
			want: cedarValidateResult{
				Valid:  true,
				Errors: noFindings,
				Warnings: []cedarFinding{
					cedarFindingValue("annotations_dropped",
						"annotations (@advice, @id) are not stored: a JITSudo rule keeps only its effect, scopes and conditions; use the rule's notice for a message", -1, -1),
					cedarFindingValue("duplicate_action_id", "action.ids[2] \"approve\" is listed more than once", -1, -1),
				},
			},
		},
	} {
		t.Run(name, func(t *testing.T) {
			got, funcErr := runCedarFunction(t, NewCedarValidateFunction(), cedarTestString(tc.text), tc.schema)
			if funcErr != nil {
				t.Fatalf("unexpected error: %s", funcErr.Text)
			}
			want, diags := types.ObjectValueFrom(context.Background(), cedarValidateResultTypes, tc.want)
			if diags.HasError() {
				t.Fatalf("expected value: %v", diags)
			}
			if !got.Equal(want) {
				t.Errorf("result\n got: %v\nwant: %v", got, want)
			}
		})
	}
}

func TestFunctionCedarValidate_runInvalidSchema(t *testing.T) {
	for name, tc := range map[string]struct {
		text, schema string
		wantErr      string
	}{
		"does not parse": {
			text:    cedarValidateSRERule,
			schema:  "entity User {",
			wantErr: "the schema is not a valid Cedar schema (.cedarschema format): parse schema: <input>:1:14: expected '}' to close record type, got EOF",
		},
		"does not resolve": {
			text:    cedarValidateSRERule,
			schema:  "entity User in [Team];",
			wantErr: "the schema is not a valid Cedar schema (.cedarschema format): resolve schema: entity \"User\": undefined entity type \"Team\"",
		},
		"also when the policy is broken": {
			text:    "permit (",
			schema:  "entity User {",
			wantErr: "the schema is not a valid Cedar schema (.cedarschema format): parse schema: <input>:1:14: expected '}' to close record type, got EOF",
		},
	} {
		t.Run(name, func(t *testing.T) {
			got, funcErr := runCedarFunction(t, NewCedarValidateFunction(), cedarTestString(tc.text), cedarTestString(tc.schema))
			if funcErr == nil {
				t.Fatalf("no error, result %v", got)
			}
			if funcErr.Text != tc.wantErr {
				t.Errorf("error\n got: %s\nwant: %s", funcErr.Text, tc.wantErr)
			}
			if funcErr.FunctionArgument == nil || *funcErr.FunctionArgument != 1 {
				t.Errorf("error is not about argument 1 (schema): %+v", funcErr)
			}
		})
	}
}

// TestFunctionCedarValidate_terraform calls cedar_validate from a
// configuration: results with the default and an own schema, a
// precondition that fails on a schema error, a broken schema, and a text
// that is unknown until apply.
func TestFunctionCedarValidate_terraform(t *testing.T) {
	t.Parallel()
	requireTerraform(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: cedarFunctionsProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `
locals {
  team_schema = <<-EOT
    entity Team;
    entity Service in [Team];
    action deploy appliesTo { principal: [Team], resource: [Service] };
  EOT
}

output "sre" {
  value = provider::jitsudo::cedar_validate(` + cedarHCLString(cedarValidateSRERule) + `, "")
}

output "team_default_schema" {
  value = provider::jitsudo::cedar_validate(` + cedarHCLString(cedarValidateTeamRule) + `, null)
}

output "team_own_schema" {
  value = provider::jitsudo::cedar_validate(` + cedarHCLString(cedarValidateTeamRule) + `, local.team_schema).valid
}

output "syntax" {
  value = provider::jitsudo::cedar_validate(<<-EOT
    // one rule
    permit (principal, action, resource)
    when { context.duration_seconds <= };
  EOT
  , "")
}

output "annotated" {
  value = provider::jitsudo::cedar_validate("@id(\"x\") forbid (principal, action, resource);", "")
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("sre", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"valid":    knownvalue.Bool(true),
						"errors":   knownvalue.ListSizeExact(0),
						"warnings": knownvalue.ListSizeExact(0),
					})),
					statecheck.ExpectKnownOutputValue("team_default_schema", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"valid": knownvalue.Bool(false),
						"errors": knownvalue.ListExact([]knownvalue.Check{
							cedarKnownFinding("schema", "unable to find an applicable action given the policy scope constraints", -1, -1),
							cedarKnownFinding("schema", "unrecognized action `Action::\"deploy\"`", -1, -1),
							cedarKnownFinding("schema", "unrecognized entity type `Team`", -1, -1),
						}),
						"warnings": knownvalue.ListSizeExact(0),
					})),
					statecheck.ExpectKnownOutputValue("team_own_schema", knownvalue.Bool(true)),
					statecheck.ExpectKnownOutputValue("syntax", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"valid":    knownvalue.Bool(false),
						"errors":   knownvalue.ListExact([]knownvalue.Check{cedarKnownFinding("cedar_syntax", "invalid primary", 3, 36)}),
						"warnings": knownvalue.ListSizeExact(0),
					})),
					statecheck.ExpectKnownOutputValue("annotated", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"valid":  knownvalue.Bool(true),
						"errors": knownvalue.ListSizeExact(0),
						"warnings": knownvalue.ListExact([]knownvalue.Check{cedarKnownFinding("annotations_dropped",
							"annotations (@id) are not stored: a JITSudo rule keeps only its effect, scopes and conditions; use the rule's notice for a message", -1, -1)}),
					})),
				},
			},
			{
				// The intended use: a precondition that fails on a rule
				// the schema rejects, with the findings as its message.
				Config: `
locals {
  rule   = "permit (principal in Group::\"sre\", action == Action::\"request_acess\", resource);"
  result = provider::jitsudo::cedar_validate(local.rule, "")
}

output "rule" {
  value = local.rule

  precondition {
    condition     = local.result.valid
    error_message = "Invalid rule: ${join("; ", [for e in local.result.errors : e.message])}"
  }
}
`,
				ExpectError: regexp.MustCompile("(?s)Invalid rule:.*unrecognized\\s+action\\s+`Action::\"request_acess\"`"),
			},
			{
				Config: `
output "broken_schema" {
  value = provider::jitsudo::cedar_validate("permit (principal, action, resource);", "entity User {")
}
`,
				ExpectError: regexp.MustCompile(`(?s)Invalid value for "schema" parameter: the schema is not a valid Cedar\s+schema`),
			},
			{
				// The text is unknown at plan time: Terraform does not call
				// the function and the result is unknown until apply.
				Config: `
resource "terraform_data" "rule" {
  input = "forbid (principal, action, resource) unless { context.mfa_authenticated };"
}

output "valid" {
  value = provider::jitsudo::cedar_validate(terraform_data.rule.output, "").valid
}
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownOutputValue("valid")},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("valid", knownvalue.Bool(true)),
				},
			},
		},
	})
}
