package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// cedarFormatSRE is the normalized text of the SRE rule of the format
// tests, however it is written.
const cedarFormatSRE = "permit (\n" +
	"    principal in Group::\"sre\",\n" +
	"    action in Action::\"request_access\",\n" +
	"    resource is AwsAccount\n" +
	")\n" +
	"when { context.duration_seconds <= 3600 };"

func TestFunctionCedarFormat_run(t *testing.T) {
	for name, tc := range map[string]struct {
		text    string
		want    string
		wantErr string
	}{
		"one line": {
			text: `permit(principal in Group::"sre",action in [Action::"request_access"],resource is AwsAccount) when {context.duration_seconds<=3600};`,
			want: cedarFormatSRE,
		},
		"comments, layout and parentheses": {
			text: "// SRE may ask for up to an hour.\n" +
				"permit (\n  principal in Group::\"sre\", // the team\n  action in [Action::\"request_access\"],\n  resource is AwsAccount\n)\n" +
				"when { (context.duration_seconds <= 3600) }; // done\n",
			want: cedarFormatSRE,
		},
		"annotations are kept": {
			text: `@id("mfa") forbid (principal, action, resource) unless { context.mfa_authenticated };`,
			want: "@id(\"mfa\")\nforbid ( principal, action, resource )\nunless { context.mfa_authenticated };",
		},
		"syntax error with position": {
			text:    "permit (principal, action, resource)\nwhen { 1 + };",
			wantErr: "Cedar syntax error at 2:12 (line:column): invalid primary",
		},
		"missing semicolon": {
			text:    "permit (principal, action, resource)",
			wantErr: "Cedar syntax error at 1:37 (line:column): expected `;`, got end of input",
		},
		"template slot": {
			text:    `permit (principal == ?principal, action, resource);`,
			wantErr: "Cedar syntax error at 1:22 (line:column): policy templates are not supported: remove the ?principal slot and name the entity",
		},
		"syntax error in a string literal": {
			text:    `permit (principal, action, resource) when { "a\*" == "b" };`,
			wantErr: "Cedar syntax error at 1:45 (line:column): bad char escape",
		},
		"two policies": {
			text:    "permit (principal, action, resource);\nforbid (principal, action, resource);",
			wantErr: "the text must hold exactly one Cedar policy (one permit or forbid statement): expected exactly one policy, found 2",
		},
		"empty": {
			text:    "  // nothing\n",
			wantErr: "the text must hold exactly one Cedar policy (one permit or forbid statement): expected exactly one policy, found 0",
		},
	} {
		t.Run(name, func(t *testing.T) {
			got, ok := runCedarFunctionOn(t, NewCedarFormatFunction(), tc.text, tc.wantErr)
			if !ok {
				return
			}
			if want := types.StringValue(tc.want); !got.Equal(want) {
				t.Errorf("result\n got: %v\nwant: %v", got, want)
			}
			// Formatting is idempotent.
			again, funcErr := runCedarFunction(t, NewCedarFormatFunction(), cedarTestString(tc.want))
			if funcErr != nil || !again.Equal(got) {
				t.Errorf("formatting the result again gives %v, %v", again, funcErr)
			}
		})
	}
}

// TestFunctionCedarFormat_terraform calls cedar_format from a
// configuration: results, semantic comparison of two layouts, and the
// errors Terraform shows.
func TestFunctionCedarFormat_terraform(t *testing.T) {
	t.Parallel()
	requireTerraform(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: cedarFunctionsProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `
locals {
  compact = "permit(principal in Group::\"sre\",action in [Action::\"request_access\"],resource is AwsAccount) when {context.duration_seconds<=3600};"
  heredoc = <<-EOT
    // SRE may ask for up to an hour.
    permit (
      principal in Group::"sre",
      action in [Action::"request_access"],
      resource is AwsAccount
    )
    when { context.duration_seconds <= 3600 };
  EOT
  wider   = "permit (principal in Group::\"sre\", action, resource is AwsAccount);"
}

output "formatted" {
  value = provider::jitsudo::cedar_format(local.heredoc)
}

output "same_rule" {
  value = provider::jitsudo::cedar_format(local.compact) == provider::jitsudo::cedar_format(local.heredoc)
}

output "other_rule" {
  value = provider::jitsudo::cedar_format(local.wider) == provider::jitsudo::cedar_format(local.heredoc)
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("formatted", knownvalue.StringExact(cedarFormatSRE)),
					statecheck.ExpectKnownOutputValue("same_rule", knownvalue.Bool(true)),
					statecheck.ExpectKnownOutputValue("other_rule", knownvalue.Bool(false)),
				},
			},
			{
				Config: `
output "formatted" {
  value = provider::jitsudo::cedar_format(<<-EOT
    permit (principal, action, resource)
    when { context.duration_seconds <= };
  EOT
  )
}
`,
				ExpectError: regexp.MustCompile(`(?s)Invalid value for "text" parameter: Cedar syntax error at 2:\d+\s+\(line:column\):\s+invalid\s+primary`),
			},
			{
				Config: `
output "formatted" {
  value = provider::jitsudo::cedar_format("permit (principal, action, resource); forbid (principal, action, resource);")
}
`,
				ExpectError: regexp.MustCompile(`(?s)exactly\s+one\s+Cedar\s+policy.*found\s+2`),
			},
		},
	})
}
