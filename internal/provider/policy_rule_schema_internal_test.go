package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
)

// requireDiags checks that diags, flattened by policyRuleDiags, are as many
// as want and contain its strings in order.
func requireDiags(t *testing.T, diags diag.Diagnostics, want ...string) {
	t.Helper()
	got := policyRuleDiags(diags)
	if len(got) != len(want) {
		t.Fatalf("got %d diagnostics:\n%s\nwant %d like:\n%s", len(got), strings.Join(got, "\n"), len(want), strings.Join(want, "\n"))
	}
	for i := range got {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("diagnostic %d = %q, want it to contain %q", i, got[i], want[i])
		}
	}
}

// The API's details.validation of a rejected write become errors and
// warnings on the attributes their locations name.
func TestPolicyRuleAPIError(t *testing.T) {
	line, col := 2, 5
	details := []api.ValidationDetail{
		{Type: "ERROR", Code: "cedar_syntax", Location: "conditions", Message: "syntax error at line 2, column 5 of conditions: invalid primary", Line: &line, Column: &col},
		{Type: "ERROR", Code: "required", Location: "principal_entity_id", Message: "principal_entity_id is required when principal_scope_type is \"eq\""},
		{Type: "ERROR", Code: "required", Location: "action_ids[1]", Message: "must not be empty"},
		{Type: "WARN", Code: "schema", Location: "policy_text", Message: "unrecognized entity type `Team`"},
		{Type: "ERROR", Code: "invalid_uuid", Location: "X-Tenant-ID", Message: "not a UUID"},
	}
	err := &client.APIError{Status: 400, Code: "invalid_cedar", Message: "the rule is invalid", RequestID: "req-1",
		Details: api.ErrorDetails{Validation: &details}, Notices: []string{"policy_text: unrecognized entity type `Team`"}}
	var diags diag.Diagnostics
	addAPIError(&diags, "Error Creating Policy Rule", "creating a rule in policy \"p\"", err, policyRuleDiagnosticPath)
	requireDiags(t, diags,
		"Error conditions: Error Creating Policy Rule: 2:5: syntax error at line 2, column 5 of conditions: invalid primary (cedar_syntax)",
		"Error principal: Error Creating Policy Rule: principal_entity_id is required",
		"Error action: Error Creating Policy Rule: must not be empty (required)",
		"Warning policy_text: Error Creating Policy Rule: unrecognized entity type `Team` (schema)",
		"Error : Error Creating Policy Rule: Creating a rule in policy \"p\" failed: the JITSudo API answered 400 invalid_cedar: the rule is invalid (request id req-1).",
	)
	if d := policyRuleDiags(diags)[4]; !strings.Contains(d, "Notices from the server:\n  - policy_text: unrecognized entity type `Team`") {
		t.Errorf("the summary error lacks the notices: %s", d)
	}
}

// Findings of a successful write are warnings: on the attribute the user
// wrote, else together.
func TestAddPolicyRuleWriteFindings(t *testing.T) {
	line, col := 1, 22
	schemaWarning := api.ValidationDetail{Type: "WARN", Code: "schema", Location: "policy_text", Message: "unrecognized entity type `Team`", Line: &line, Column: &col}
	annotations := api.ValidationDetail{Type: "INFO", Code: "annotations_dropped", Location: "policy_text", Message: "annotations (@id) are not stored"}
	duplicate := api.ValidationDetail{Type: "WARN", Code: "duplicate_action_id", Location: "action_ids", Message: "action_ids[1] \"a\" is listed more than once"}
	rule := func(details ...api.ValidationDetail) *api.Rule {
		notices := make([]string, len(details))
		for i, d := range details {
			notices[i] = d.Location + ": " + d.Message
		}
		return &api.Rule{Validation: &details, Notices: &notices}
	}

	t.Run("raw mode", func(t *testing.T) {
		var diags diag.Diagnostics
		addPolicyRuleWriteFindings(&diags, rule(schemaWarning, annotations), true)
		requireDiags(t, diags,
			"Warning policy_text: Policy Rule Notice: The JITSudo API accepted the rule with this finding (schema): at line 1, column 22 of policy_text: unrecognized entity type `Team`.",
			"Warning policy_text: Policy Rule Notice: The JITSudo API accepted the rule with this finding (annotations_dropped): annotations (@id) are not stored.",
		)
	})
	t.Run("structured mode", func(t *testing.T) {
		var diags diag.Diagnostics
		addPolicyRuleWriteFindings(&diags, rule(schemaWarning, duplicate), false)
		requireDiags(t, diags,
			"Warning action: Policy Rule Notice: The JITSudo API accepted the rule with this finding (duplicate_action_id): action.ids: action_ids[1] \"a\" is listed more than once.",
			"Warning : Policy Rule Notices: The JITSudo API accepted the change with these notices:\n  - policy_text: unrecognized entity type `Team`",
		)
	})
	t.Run("notices only", func(t *testing.T) {
		var diags diag.Diagnostics
		notices := []string{"policy_text: something"}
		addPolicyRuleWriteFindings(&diags, &api.Rule{Notices: &notices}, false)
		requireDiags(t, diags, "Warning : Policy Rule Notices: The JITSudo API accepted the change with these notices:\n  - policy_text: something")
	})
	t.Run("nothing", func(t *testing.T) {
		var diags diag.Diagnostics
		addPolicyRuleWriteFindings(&diags, &api.Rule{}, false)
		requireDiags(t, diags)
	})
}

func TestAddPolicyRuleSchemaFinding(t *testing.T) {
	for _, tc := range []struct {
		finding  cedar.Finding
		asError  bool
		raw      bool
		want     string
		wantHint string
	}{
		{cedar.Finding{Location: "principal_entity_type", Message: "unrecognized entity type `Admin`"}, true, false,
			"Error principal: Rule Does Not Match Cedar Schema: The rule does not match the tenant's Cedar schema (GET /v1/cedar/schema): principal.entity_type: unrecognized entity type `Admin`.",
			"Nothing was written."},
		{cedar.Finding{Location: "action_ids[1]", Message: "unrecognized action `Action::\"x\"`"}, true, false,
			"Error action: Rule Does Not Match Cedar Schema: The rule does not match the tenant's Cedar schema (GET /v1/cedar/schema): action.ids[1]: unrecognized action", "schema_findings = \"warning\""},
		{cedar.Finding{Location: "conditions", Message: "attribute `foo` in context for Action::\"approve\" not found", Line: 3, Column: 13}, false, false,
			"Warning conditions: Cedar Schema Finding: The rule does not match the tenant's Cedar schema (GET /v1/cedar/schema): at line 3, column 13 of conditions: attribute `foo`",
			"planned anyway"},
		{cedar.Finding{Location: "policy_text", Message: "unrecognized entity type `Team`", Line: 2, Column: 16}, true, true,
			"Error policy_text: Rule Does Not Match Cedar Schema: The rule does not match the tenant's Cedar schema (GET /v1/cedar/schema): at line 2, column 16 of policy_text: unrecognized entity type `Team`.", ""},
		{cedar.Finding{Location: "", Message: "something else"}, true, false, "Error conditions: Rule Does Not Match Cedar Schema", ""},
	} {
		var diags diag.Diagnostics
		addPolicyRuleSchemaFinding(&diags, tc.finding, cedarSchemaOriginAPI, tc.asError, tc.raw)
		requireDiags(t, diags, tc.want)
		if !strings.Contains(diags[0].Detail(), tc.wantHint) {
			t.Errorf("detail %q lacks %q", diags[0].Detail(), tc.wantHint)
		}
	}
}

// checkPlanSchema checks new and changed rules against the schema, and
// loads the schema only for them.
func TestCheckPlanSchema(t *testing.T) {
	ctx := context.Background()
	newSource := func() *cedarSchemaSource {
		return &cedarSchemaSource{configured: true, text: cedar.DefaultSchema(), asErrors: true}
	}
	// structured is a configuration in structured mode (policy_text is
	// null there); stored is the state of one.
	structured := func(modify func(*policyRuleModel)) *policyRuleModel {
		m := policyRuleTestModel()
		m.Conditions = types.StringValue("when {\n  context.duration_seconds <= 3600 &&\n  context.foo\n}")
		m.PolicyText = types.StringNull()
		if modify != nil {
			modify(&m)
		}
		return &m
	}
	stored := func(modify func(*policyRuleModel)) *policyRuleModel {
		m := structured(modify)
		m.PolicyText = types.StringValue("permit (...)")
		return m
	}
	raw := func(text string) *policyRuleModel {
		m := policyRuleTestModel()
		m.Effect, m.Conditions = types.StringNull(), types.StringNull()
		m.Principal, m.Action, m.Resource = types.ObjectNull(policyRuleScopeAttrTypes), types.ObjectNull(policyRuleActionAttrTypes), types.ObjectNull(policyRuleScopeAttrTypes)
		m.PolicyText = types.StringValue(text)
		return &m
	}
	for _, tc := range []struct {
		name       string
		cfg, state *policyRuleModel
		loads      bool
		want       []string
	}{
		{"created structured rule", structured(nil), nil, true, []string{
			"Error conditions: Rule Does Not Match Cedar Schema: The rule does not match the provider's cedar_schema: at line 3, column 11 of conditions: attribute `foo` in context for Action::\"extend\", Action::\"request_access\" not found."}},
		{"unknown action id", structured(func(m *policyRuleModel) {
			m.Action, m.Conditions = policyRuleTestAction("in", "request_access", "escalate"), types.StringNull()
		}), nil, true, []string{
			"Error action: Rule Does Not Match Cedar Schema: The rule does not match the provider's cedar_schema: action.ids: unable to find an applicable action",
			"Error action: Rule Does Not Match Cedar Schema: The rule does not match the provider's cedar_schema: action.ids[1]: unrecognized action `Action::\"escalate\"`."}},
		{"valid rule", structured(func(m *policyRuleModel) { m.Conditions = types.StringNull() }), nil, true, nil},
		{"unchanged rule", structured(nil), stored(nil), false, nil},
		{"conditions reformatted", structured(func(m *policyRuleModel) {
			m.Conditions = types.StringValue("when { context.duration_seconds <= 3600 && context.foo }")
		}), stored(nil), false, nil},
		{"changed notice only", structured(nil), stored(func(m *policyRuleModel) { m.Notice = types.StringNull() }), false, nil},
		{"changed conditions", structured(nil), stored(func(m *policyRuleModel) { m.Conditions = types.StringNull() }), true, []string{"Error conditions:"}},
		{"from raw to structured", structured(nil), raw("permit (principal, action, resource);"), true, []string{"Error conditions:"}},
		{"unknown conditions", structured(func(m *policyRuleModel) { m.Conditions = types.StringUnknown() }), nil, false, nil},
		{"unknown principal", structured(func(m *policyRuleModel) { m.Principal = types.ObjectUnknown(policyRuleScopeAttrTypes) }), nil, false, nil},
		{"syntax error is left to validation", structured(func(m *policyRuleModel) { m.Conditions = types.StringValue("when {") }), nil, false, nil},
		{"ill-shaped scope is left to validation", structured(func(m *policyRuleModel) { m.Principal = policyRuleTestScope("eq", "entity_type", "User") }), nil, false, nil},
		{"raw rule", raw("// deploys\npermit (principal is Team, action, resource);"), nil, true, []string{
			"Error policy_text: Rule Does Not Match Cedar Schema: The rule does not match the provider's cedar_schema: unable to find an applicable action",
			"Error policy_text: Rule Does Not Match Cedar Schema: The rule does not match the provider's cedar_schema: at line 2, column 22 of policy_text: unrecognized entity type `Team`."}},
		{"raw rule, same statement as stored", raw("permit (principal is Team, action, resource);"), raw("permit (principal is Team, action, resource);"), false, nil},
		{"raw rule with two statements is left to validation", raw("permit (principal, action, resource); permit (principal, action, resource);"), nil, false, nil},
		{"unknown policy_text", raw(""), nil, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "unknown policy_text" {
				tc.cfg.PolicyText = types.StringUnknown()
			}
			r := &policyRuleResource{schema: newSource()}
			plan := *tc.cfg
			if tc.state != nil {
				plan.keepEquivalent(tc.cfg, tc.state)
			}
			var diags diag.Diagnostics
			r.checkPlanSchema(ctx, tc.cfg, &plan, tc.state, &diags)
			requireDiags(t, diags, tc.want...)
			if loaded := r.schema.origin != ""; loaded != tc.loads {
				t.Errorf("schema loaded = %v, want %v", loaded, tc.loads)
			}
		})
	}

	t.Run("warnings", func(t *testing.T) {
		r := &policyRuleResource{schema: newSource()}
		r.schema.asErrors = false
		var diags diag.Diagnostics
		r.checkPlanSchema(ctx, structured(nil), structured(nil), nil, &diags)
		requireDiags(t, diags, "Warning conditions: Cedar Schema Finding:")
	})
	t.Run("unknown provider setting", func(t *testing.T) {
		r := &policyRuleResource{schema: newSource()}
		r.schema.unknown = "cedar_schema"
		var diags diag.Diagnostics
		r.checkPlanSchema(ctx, structured(nil), structured(nil), nil, &diags)
		requireDiags(t, diags)
	})
	t.Run("not configured", func(t *testing.T) {
		var diags diag.Diagnostics
		(&policyRuleResource{}).checkPlanSchema(ctx, structured(nil), structured(nil), nil, &diags)
		requireDiags(t, diags)
	})
}
