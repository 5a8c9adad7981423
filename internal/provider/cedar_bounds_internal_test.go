package provider

// Cedar text over the bounds of internal/cedar (cedar.CheckBounds) is
// refused before anything parses it, by every entry point of the
// provider: jitsudo_policy_rule's validation, the Cedar functions and the
// provider's cedar_schema. Once, conditions = file("deep.cedar") of
// nested parentheses crashed the plugin at `terraform validate` with a
// stack overflow in cedar-go's parser.

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
)

// cedarDeepParens is n nested parentheses around true.
func cedarDeepParens(n int) string {
	return strings.Repeat("(", n) + "true" + strings.Repeat(")", n)
}

// cedarDeepPolicy is a policy whose conditions nest n parentheses deep.
func cedarDeepPolicy(n int) string {
	return "permit (principal, action, resource) when { " + cedarDeepParens(n) + " };"
}

func TestPolicyRuleValidation_deepNesting(t *testing.T) {
	deep := "when {\n  " + cedarDeepParens(30000) + "\n}" // 60 KB, within the length limit
	rule := cedar.Rule{Effect: cedar.EffectPermit, Principal: cedar.Scope{Type: cedar.ScopeAny}, ActionScopeType: cedar.ScopeAny,
		Resource: cedar.Scope{Type: cedar.ScopeAny}}

	var diags diag.Diagnostics
	rule.Conditions = deep
	validatePolicyRuleStructured(policyRuleParts{Rule: rule, Effect: true, Principal: true, Action: true, Resource: true, Conditions: true}, &diags)
	if len(diags) != 1 || diags[0].Summary() != "Cedar Nested Too Deeply" ||
		!strings.Contains(diags[0].Detail(), "conditions nests deeper than the limit of 128 levels (brackets, operators and namespaces) at line 2, column 130 of conditions") {
		t.Errorf("structured: %v", diags)
	}

	diags = nil
	validatePolicyRuleText(cedarDeepPolicy(30000), &diags)
	if len(diags) != 1 || !strings.Contains(diags[0].Detail(), "policy_text nests deeper than the limit of 128 levels") {
		t.Errorf("raw: %v", diags)
	}

	// Over the length limit (1.6 MB): not parsed, and left to the length
	// validator of the attribute.
	diags = nil
	rule.Conditions = "when { " + cedarDeepParens(800000) + " }"
	validatePolicyRuleStructured(policyRuleParts{Rule: rule, Effect: true, Principal: true, Action: true, Resource: true, Conditions: true}, &diags)
	validatePolicyRuleText(cedarDeepPolicy(800000), &diags)
	if len(diags) != 0 {
		t.Errorf("over the length limit: %v", diags)
	}

	// Below the limit, the same nesting is fine.
	diags = nil
	rule.Conditions = "when { " + cedarDeepParens(100) + " }"
	validatePolicyRuleStructured(policyRuleParts{Rule: rule, Effect: true, Principal: true, Action: true, Resource: true, Conditions: true}, &diags)
	validatePolicyRuleText(cedarDeepPolicy(100), &diags)
	if len(diags) != 0 {
		t.Errorf("100 levels: %v", diags)
	}
}

func TestFunctionCedar_deepNesting(t *testing.T) {
	deep := cedarDeepPolicy(30000)
	const wantDeep = "the Cedar text nests deeper than the limit of 128 levels (brackets, operators and namespaces) at line 1, column 172; the text is not parsed"
	long := cedarDeepPolicy(800000)
	const wantLong = "the Cedar text is 1600051 characters long, over the limit of 65536 characters; the text is not parsed"
	for name, fn := range map[string]function.Function{"cedar_format": NewCedarFormatFunction(), "cedar_decompose": NewCedarDecomposeFunction()} {
		for text, want := range map[string]string{deep: wantDeep, long: wantLong} {
			_, funcErr := runCedarFunction(t, fn, cedarTestString(text))
			if funcErr == nil || funcErr.Text != want {
				t.Errorf("%s: error %v, want %q", name, funcErr, want)
			}
		}
	}

	for text, want := range map[string]cedarFinding{
		deep: cedarFindingValue("cedar_too_deep", strings.TrimSuffix(wantDeep, "; the text is not parsed"), 1, 172),
		long: cedarFindingValue("too_long", strings.TrimSuffix(wantLong, "; the text is not parsed"), -1, -1),
	} {
		got, funcErr := runCedarFunction(t, NewCedarValidateFunction(), cedarTestString(text), nil)
		if funcErr != nil {
			t.Fatalf("cedar_validate: %s", funcErr.Text)
		}
		wantValue, diags := types.ObjectValueFrom(context.Background(), cedarValidateResultTypes,
			cedarValidateResult{Errors: []cedarFinding{want}, Warnings: []cedarFinding{}})
		if diags.HasError() {
			t.Fatal(diags)
		}
		if !got.Equal(wantValue) {
			t.Errorf("cedar_validate\n got: %v\nwant: %v", got, wantValue)
		}
	}

	// A schema nested too deeply fails the call, as any broken schema.
	schema := "entity U = " + strings.Repeat("{a: ", 100000) + "Long" + strings.Repeat("}", 100000) + ";"
	_, funcErr := runCedarFunction(t, NewCedarValidateFunction(), cedarTestString(cedarValidateSRERule), &schema)
	if funcErr == nil || !strings.Contains(funcErr.Text, "nests deeper than the limit of 128 levels") {
		t.Errorf("deep schema: %v", funcErr)
	}
	if err := checkCedarSchema(schema); err == nil || !strings.Contains(err.Error(), "limit of 128 levels") {
		t.Errorf("provider cedar_schema: %v", err)
	}
}

// TestFunctionCedar_deepNestingTerraform calls the functions with deeply
// nested text from a configuration: the call fails with the limit, and
// the provider keeps running.
func TestFunctionCedar_deepNestingTerraform(t *testing.T) {
	t.Parallel()
	requireTerraform(t)
	config := fmt.Sprintf(`
locals {
  deep = %s
}

output "valid" {
  value = provider::jitsudo::cedar_validate(local.deep, "").errors[0].code
}

output "formatted" {
  value = provider::jitsudo::cedar_format(local.deep)
}
`, cedarHCLString(cedarDeepPolicy(30000)))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: cedarFunctionsProviderFactories,
		Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: regexp.MustCompile(`(?s)cedar_format.*nests\s+deeper\s+than\s+the\s+limit\s+of\s+128\s+levels`),
		}},
	})
}
