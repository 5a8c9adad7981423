package provider

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
)

func TestPolicyRuleLocationPath(t *testing.T) {
	for loc, want := range map[string]string{
		"ordinal":                  "ordinal",
		"policy_text":              "policy_text",
		"effect":                   "effect",
		"conditions":               "conditions",
		"notice":                   "notice",
		"audit_session":            "audit_session",
		"principal_scope_type":     "principal.scope",
		"principal_entity_type":    "principal.entity_type",
		"principal_entity_id":      "principal.entity_id",
		"principal_in_entity_type": "principal.in_entity_type",
		"resource_scope_type":      "resource.scope",
		"resource_in_entity_type":  "resource.in_entity_type",
		"action_scope_type":        "action.scope",
		"action_ids":               "action.ids",
		"action_ids[2]":            "action.ids[2]",
	} {
		p, ok := policyRuleLocationPath(loc)
		if !ok || p.String() != want {
			t.Errorf("policyRuleLocationPath(%q) = %s, %t; want %s", loc, p, ok, want)
		}
	}
	for _, loc := range []string{"", "ids[0]", "principal_foo", "action_ids[x]", "action_ids[-1]", "action_ids[1"} {
		if p, ok := policyRuleLocationPath(loc); ok {
			t.Errorf("policyRuleLocationPath(%q) = %s, want no path", loc, p)
		}
	}
}

func TestPolicyRuleConditionsProblem(t *testing.T) {
	rule := func(conditions string) cedar.Rule {
		return cedar.Rule{
			Effect:          cedar.EffectPermit,
			Principal:       cedar.Scope{Type: cedar.ScopeIn, EntityType: "Group", EntityID: "sre"},
			ActionScopeType: cedar.ScopeIn, ActionIDs: []string{"request_access", "extend"},
			Resource:   cedar.Scope{Type: cedar.ScopeAny},
			Conditions: conditions,
		}
	}
	for _, tc := range []struct{ conditions, want string }{
		{"when { context.duration_seconds <= 3600 }", ""},
		{"when { context.x } // trailing comment", ""},
		// `<==` is `<=` and `=`: the error is at the `=`.
		{"when { context.duration_seconds <== 3600 }", "line 1, column 35 of conditions: invalid primary"},
		{"when {\n  context.duration_seconds <== 3600\n}", "line 2, column 30 of conditions: invalid primary"},
		// A heredoc: leading blank line and indentation count.
		{"\n    when {\n      context.duration_seconds <== 3600\n    }\n", "line 3, column 34 of conditions: invalid primary"},
		{"  when { context.x <== 1 }", "line 1, column 22 of conditions"},
		{"\twhen {\n\t\tcontext.x &&\n\t\tfoo.y\n\t}", "line 3, column 3 of conditions: invalid primary"},
		{"when { context.x }\nunless { context.y ++ 1 }", "line 2, column 21 of conditions: invalid primary"},
		// About the statement's closing ";": just past the conditions.
		{"when { context.x", "line 1, column 17 of conditions: expected `}`, got `;`"},
		{"when { context.x\n  // open\n", "line 1, column 17 of conditions: expected `}`, got `;`"},
		{"when { context.x }; permit (principal, action, resource)",
			"end the statement early: another statement starts at line 1, column 21 of conditions (expected exactly one policy, found 2)"},
		{"\n  when { false };\n  permit (principal, action, resource) when { true }\n",
			"another statement starts at line 3, column 3 of conditions"},
	} {
		got := policyRuleConditionsProblem(rule(tc.conditions))
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("conditions %q: got %q, want it to contain %q", tc.conditions, got, tc.want)
		}
	}
}

func TestPolicyRuleEquivalence(t *testing.T) {
	const mfa = "forbid (principal, action, resource) unless { context.mfa_authenticated };"
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{mfa, mfa, true},
		{mfa, "forbid (\n  principal,\n  action,\n  resource\n)\nunless { context.mfa_authenticated };", true},
		{mfa, "// MFA\nforbid ( principal , action , resource )\n  unless {\n    context.mfa_authenticated // always\n  };", true},
		// Annotations are not stored, the Action namespace is not kept, a
		// one-element list is the same as in.
		{mfa, "@id(\"mfa\")\n" + mfa, true},
		{`permit (principal, action in [Action::"a"], resource);`, `permit (principal, action in [Jitsudo::Action::"a"], resource);`, true},
		{mfa, "permit (principal, action, resource) unless { context.mfa_authenticated };", false},
		{mfa, "forbid (principal, action, resource) when { context.mfa_authenticated };", false},
		{`permit (principal, action in [Action::"a", Action::"b"], resource);`, `permit (principal, action in [Action::"b", Action::"a"], resource);`, false},
		{"not cedar", "not  cedar", false},
		{"not cedar", "not cedar", true},
	} {
		if got := policyTextEquivalent(tc.a, tc.b); got != tc.want {
			t.Errorf("policyTextEquivalent(%q, %q) = %t, want %t", tc.a, tc.b, got, tc.want)
		}
	}
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"when { context.x }", "when {\n  context.x // comment\n}\n", true},
		{"when { context.x }", "  when { (context.x) }  ", true},
		{"when { context.x }", "when { context.y }", false},
		{"when { context.x }", "unless { context.x }", false},
		{"when { context.x } when { context.y }", "when { context.y } when { context.x }", false},
		{"", "   ", true},
		{"when {", "when  {", false},
	} {
		if got := conditionsEquivalent(tc.a, tc.b); got != tc.want {
			t.Errorf("conditionsEquivalent(%q, %q) = %t, want %t", tc.a, tc.b, got, tc.want)
		}
	}
}

// policyRuleDiags flattens diagnostics to "severity path: summary: detail".
func policyRuleDiags(diags diag.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		p := ""
		if dp, ok := d.(diag.DiagnosticWithPath); ok {
			p = dp.Path().String()
		}
		out = append(out, d.Severity().String()+" "+p+": "+d.Summary()+": "+d.Detail())
	}
	return out
}

func TestValidatePolicyRuleStructured(t *testing.T) {
	known := func(r cedar.Rule) policyRuleParts {
		return policyRuleParts{Rule: r, Effect: true, Principal: true, Action: true, Resource: true, Conditions: true}
	}
	anyScope := cedar.Scope{Type: cedar.ScopeAny}
	base := cedar.Rule{Effect: cedar.EffectPermit, Principal: anyScope, ActionScopeType: cedar.ScopeAny, Resource: anyScope}
	with := func(f func(*cedar.Rule)) cedar.Rule {
		r := base
		f(&r)
		return r
	}
	for name, tc := range map[string]struct {
		parts policyRuleParts
		want  []string // substrings, one per diagnostic, in order
	}{
		"valid": {known(with(func(r *cedar.Rule) {
			r.Principal = cedar.Scope{Type: cedar.ScopeIsIn, EntityType: "User", InEntityType: "Group", EntityID: "sre"}
			r.Conditions = "when { context.mfa_authenticated }"
		})), nil},
		"missing entity id on the scope object": {known(with(func(r *cedar.Rule) {
			r.Principal = cedar.Scope{Type: cedar.ScopeEq, EntityType: "User"}
		})), []string{`Error principal: Invalid Principal Scope: principal.entity_id is required when principal.scope is "eq".`}},
		"unexpected entity id": {known(with(func(r *cedar.Rule) {
			r.Resource = cedar.Scope{Type: cedar.ScopeIs, EntityType: "AwsAccount", EntityID: "1"}
		})), []string{`Error resource: Invalid Resource Scope: resource.entity_id must be empty when resource.scope is "is".`}},
		"in entity type": {known(with(func(r *cedar.Rule) {
			r.Resource = cedar.Scope{Type: cedar.ScopeIn, EntityType: "AwsAccount", EntityID: "1", InEntityType: "AwsAccount"}
		})), []string{`Error resource: Invalid Resource Scope: in_entity_type is only used when resource.scope is "is_in".`}},
		"invalid in entity type": {known(with(func(r *cedar.Rule) {
			r.Principal = cedar.Scope{Type: cedar.ScopeIsIn, EntityType: "User", EntityID: "sre", InEntityType: "9Group"}
		})), []string{`Error principal: Invalid Principal Scope: in_entity_type "9Group" is not a valid Cedar entity type`}},
		"invalid entity type": {known(with(func(r *cedar.Rule) {
			r.Principal = cedar.Scope{Type: cedar.ScopeIs, EntityType: "in"}
		})), []string{`Error principal: Invalid Principal Scope: principal.entity_type "in" is not a valid Cedar entity type`}},
		"action ids": {known(with(func(r *cedar.Rule) {
			r.ActionScopeType, r.ActionIDs = cedar.ScopeEq, []string{"approve", "deny"}
		})), []string{`Error action: Invalid Action Scope: action.ids must hold exactly one id when action.scope is "eq", got 2`}},
		"duplicate action id is a warning": {known(with(func(r *cedar.Rule) {
			r.ActionScopeType, r.ActionIDs = cedar.ScopeIn, []string{"approve", "approve"}
		})), []string{`Warning action: Invalid Action Scope: action.ids[1] "approve" is listed more than once.`}},
		// The enum validators report these.
		"invalid effect and scope type": {known(with(func(r *cedar.Rule) {
			r.Effect = "allow"
			r.Principal = cedar.Scope{Type: "some"}
		})), nil},
		"conditions syntax": {known(with(func(r *cedar.Rule) {
			r.Conditions = "when { context.x <== 1 }"
		})), []string{`Error conditions: Invalid Cedar Conditions: Cedar syntax error at line 1, column 20 of conditions: invalid primary`}},
		// A broken scope does not hide a conditions error, nor invent one.
		"broken scope and conditions": {known(with(func(r *cedar.Rule) {
			r.Principal = cedar.Scope{Type: cedar.ScopeEq, EntityType: "User"}
			r.Conditions = "when { context.x }"
		})), []string{`principal.entity_id is required`}},
		"unknown parts are skipped": {policyRuleParts{
			Rule: with(func(r *cedar.Rule) {
				r.Principal = cedar.Scope{Type: cedar.ScopeEq} // would be an error if known
				r.Conditions = "when {"                        // would be an error if known
			}),
			Effect: true, Action: true, Resource: true,
		}, nil},
	} {
		var diags diag.Diagnostics
		validatePolicyRuleStructured(tc.parts, &diags)
		got := policyRuleDiags(diags)
		if len(got) != len(tc.want) {
			t.Errorf("%s: got %q, want %d diagnostics like %q", name, got, len(tc.want), tc.want)
			continue
		}
		for i := range got {
			if !strings.Contains(got[i], tc.want[i]) {
				t.Errorf("%s: diagnostic %d = %q, want it to contain %q", name, i, got[i], tc.want[i])
			}
		}
	}
}

func TestValidatePolicyRuleText(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"forbid (principal, action, resource) unless { context.mfa_authenticated };", nil},
		{"// comment\npermit (principal in Group::\"sre\", action in [Action::\"a\"], resource is AwsAccount in AwsAccount::\"1\");", nil},
		{"permit (principal, action, resource);\nforbid (principal, action, resource);",
			[]string{"Error policy_text: Invalid Cedar Policy: policy_text must hold exactly one Cedar statement (one permit or forbid policy), " +
				"but the second one starts at line 2, column 1: expected exactly one policy, found 2."}},
		{"// nothing", []string{"found 0"}},
		{"permit (principal, action, resource)\nwhen { context.x <== 1 };", []string{"Cedar syntax error at line 2, column 20 of policy_text: invalid primary"}},
		{"permit (principal == ?principal, action, resource);", []string{"policy templates are not supported"}},
		{"@id(\"x\") @note(\"y\")\npermit (principal, action, resource);",
			[]string{"Warning policy_text: Cedar Annotations Not Stored: The annotations of policy_text (@id, @note) are valid Cedar"}},
		{"permit (principal, action == Foo::\"x\", resource);", []string{"Error policy_text: Invalid Cedar Policy: Cedar syntax error at line 1, column 30 of policy_text: action scope entities must have type Action"}},
		{"permit (principal == User::\"\", action, resource);", []string{"Error policy_text: Unsupported Cedar Policy: policy_text cannot be stored as a rule: principal_entity_id is required"}},
		{"permit (principal, action in [Action::\"a\", Action::\"a\"], resource);", []string{"Warning policy_text: Cedar Policy Finding: action_ids[1] \"a\" is listed more than once."}},
	} {
		var diags diag.Diagnostics
		validatePolicyRuleText(tc.text, &diags)
		got := policyRuleDiags(diags)
		if len(got) != len(tc.want) {
			t.Errorf("%q: got %q, want %d diagnostics like %q", tc.text, got, len(tc.want), tc.want)
			continue
		}
		for i := range got {
			if !strings.Contains(got[i], tc.want[i]) {
				t.Errorf("%q: diagnostic %d = %q, want it to contain %q", tc.text, i, got[i], tc.want[i])
			}
		}
	}
}

// policyRuleTestScope is a principal/resource attribute value.
func policyRuleTestScope(scope string, fields ...string) types.Object {
	v := map[string]attr.Value{
		"scope": types.StringValue(scope), "entity_type": types.StringNull(), "entity_id": types.StringNull(), "in_entity_type": types.StringNull(),
	}
	for i := 0; i+1 < len(fields); i += 2 {
		v[fields[i]] = types.StringValue(fields[i+1])
	}
	return types.ObjectValueMust(policyRuleScopeAttrTypes, v)
}

func policyRuleTestAction(scope string, ids ...string) types.Object {
	list := types.ListNull(types.StringType)
	if ids != nil {
		vals := make([]attr.Value, len(ids))
		for i, id := range ids {
			vals[i] = types.StringValue(id)
		}
		list = types.ListValueMust(types.StringType, vals)
	}
	return types.ObjectValueMust(policyRuleActionAttrTypes, map[string]attr.Value{"scope": types.StringValue(scope), "ids": list})
}

// policyRuleTestModel is a structured rule as a plan or state holds it.
func policyRuleTestModel() policyRuleModel {
	return policyRuleModel{
		ID:           types.StringValue("7b0c7a51-4a4e-4d4b-9b7e-0f5d1c2e3a4b"),
		PolicyID:     types.StringValue("2489e9ad-2ee2-8e00-8ec9-32d5f69181c0"),
		Ordinal:      types.Int64Value(3),
		Effect:       types.StringValue("permit"),
		Principal:    policyRuleTestScope("in", "entity_type", "Group", "entity_id", "sre"),
		Action:       policyRuleTestAction("in", "request_access", "extend"),
		Resource:     types.ObjectNull(policyRuleScopeAttrTypes),
		Conditions:   types.StringValue("when { context.x }"),
		PolicyText:   types.StringValue("permit (...)"),
		Notice:       types.StringValue("hi"),
		AuditSession: types.BoolValue(true),
		CreatedAt:    timetypes.NewRFC3339ValueMust("2026-01-01T00:00:00Z"),
		UpdatedAt:    timetypes.NewRFC3339ValueMust("2026-01-01T00:00:00Z"),
	}
}

// policyRuleJSON is the request body as the client sends it.
func policyRuleJSON(t *testing.T, body api.RuleUpdate) string {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPolicyRuleToRequest(t *testing.T) {
	ctx := context.Background()
	state := policyRuleTestModel()

	plan := policyRuleTestModel()
	plan.PolicyText, plan.UpdatedAt = types.StringUnknown(), timetypes.NewRFC3339Unknown()
	plan.Ordinal = types.Int64Unknown()
	body, diags := plan.toRequest(ctx, nil)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if got, want := policyRuleJSON(t, body), `{"action_ids":["request_access","extend"],"action_scope_type":"in","audit_session":true,`+
		`"conditions":"when { context.x }","effect":"permit","notice":"hi","principal_entity_id":"sre","principal_entity_type":"Group",`+
		`"principal_in_entity_type":null,"principal_scope_type":"in","resource_entity_id":null,"resource_entity_type":null,`+
		`"resource_in_entity_type":null,"resource_scope_type":"any"}`; got != want {
		t.Errorf("create body\n got %s\nwant %s", got, want)
	}

	// Update: only what changed, scopes as a unit, nulls clear.
	plan = policyRuleTestModel()
	plan.Principal = policyRuleTestScope("in", "entity_type", "Group", "entity_id", "oncall")
	plan.Conditions, plan.Notice = types.StringNull(), types.StringNull()
	plan.Ordinal = types.Int64Value(4)
	body, _ = plan.toRequest(ctx, &state)
	if got, want := policyRuleJSON(t, body), `{"conditions":null,"notice":null,"ordinal":4,"principal_entity_id":"oncall",`+
		`"principal_entity_type":"Group","principal_in_entity_type":null,"principal_scope_type":"in"}`; got != want {
		t.Errorf("update body\n got %s\nwant %s", got, want)
	}

	plan = policyRuleTestModel()
	plan.Action = types.ObjectNull(policyRuleActionAttrTypes)
	plan.AuditSession = types.BoolValue(false)
	body, _ = plan.toRequest(ctx, &state)
	if got, want := policyRuleJSON(t, body), `{"action_ids":[],"action_scope_type":"any","audit_session":false}`; got != want {
		t.Errorf("update body\n got %s\nwant %s", got, want)
	}

	// Raw mode: policy_text alone; switching modes sends the statement.
	raw := policyRuleTestModel()
	raw.Effect, raw.Conditions = types.StringNull(), types.StringNull()
	raw.Principal, raw.Resource = types.ObjectNull(policyRuleScopeAttrTypes), types.ObjectNull(policyRuleScopeAttrTypes)
	raw.Action = types.ObjectNull(policyRuleActionAttrTypes)
	raw.PolicyText = types.StringValue("forbid (principal, action, resource);")
	body, _ = raw.toRequest(ctx, &state)
	if got, want := policyRuleJSON(t, body), `{"policy_text":"forbid (principal, action, resource);"}`; got != want {
		t.Errorf("raw update body\n got %s\nwant %s", got, want)
	}
	body, _ = raw.toRequest(ctx, &raw)
	if got, want := policyRuleJSON(t, body), `{}`; got != want {
		t.Errorf("unchanged raw update body\n got %s\nwant %s", got, want)
	}
	body, _ = state.toRequest(ctx, &raw)
	if !strings.Contains(policyRuleJSON(t, body), `"effect":"permit"`) || body.ResourceScopeType == nil || body.PrincipalScopeType == nil ||
		body.ActionScopeType == nil || !body.Conditions.IsSpecified() || body.PolicyText != nil {
		t.Errorf("switch to structured mode: body %s lacks the whole statement", policyRuleJSON(t, body))
	}
}

func TestPolicyRuleFromAPI(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	server := api.Rule{
		Id: uuid.MustParse("7b0c7a51-4a4e-4d4b-9b7e-0f5d1c2e3a4b"), PolicyId: uuid.MustParse("2489e9ad-2ee2-8e00-8ec9-32d5f69181c0"),
		Ordinal: 3, Effect: "permit", PolicyText: "permit (\n  principal,\n  action,\n  resource\n)\nwhen { context.x };",
		PrincipalScopeType: "any", PrincipalEntityType: nullable.NewNullNullable[string](), PrincipalEntityId: nullable.NewNullNullable[string](),
		PrincipalInEntityType: nullable.NewNullNullable[string](),
		ActionScopeType:       "any", ActionIds: []string{},
		ResourceScopeType: "any", ResourceEntityType: nullable.NewNullNullable[string](), ResourceEntityId: nullable.NewNullNullable[string](),
		ResourceInEntityType: nullable.NewNullNullable[string](),
		Conditions:           nullable.NewNullableWithValue("when { context.x }"), Notice: nullable.NewNullNullable[string](),
		AuditSession: true, CreatedAt: now, UpdatedAt: now,
	}

	// Import: nothing prior; unconstrained scopes are unset.
	var m policyRuleModel
	m.Principal, m.Resource = types.ObjectNull(policyRuleScopeAttrTypes), types.ObjectNull(policyRuleScopeAttrTypes)
	m.Action = types.ObjectNull(policyRuleActionAttrTypes)
	if diags := m.fromAPI(ctx, &server); diags.HasError() {
		t.Fatal(diags)
	}
	if !m.Principal.IsNull() || !m.Action.IsNull() || !m.Resource.IsNull() || m.Effect.ValueString() != "permit" ||
		m.PolicyText.ValueString() != server.PolicyText || m.Conditions.ValueString() != "when { context.x }" || !m.Notice.IsNull() ||
		m.CreatedAt.ValueString() != "2026-01-02T03:04:05.000000006Z" {
		t.Errorf("imported model: %+v", m)
	}

	// An explicit { scope = "any" } (and ids = []) stays as written;
	// equivalent conditions keep their layout.
	m = policyRuleTestModel()
	m.Principal = policyRuleTestScope("any")
	emptyIDs := types.ObjectValueMust(policyRuleActionAttrTypes, map[string]attr.Value{
		"scope": types.StringValue("any"), "ids": types.ListValueMust(types.StringType, nil),
	})
	m.Action = emptyIDs
	m.Conditions = types.StringValue("when {\n  context.x // why\n}\n")
	_ = m.fromAPI(ctx, &server)
	if !m.Principal.Equal(policyRuleTestScope("any")) || !m.Action.Equal(emptyIDs) || !m.Resource.IsNull() ||
		m.Conditions.ValueString() != "when {\n  context.x // why\n}\n" {
		t.Errorf("explicit any / equivalent conditions not kept: principal %s, action %s, conditions %q", m.Principal, m.Action, m.Conditions.ValueString())
	}

	// Drift: a scope that was constrained and is now `any` shows as
	// { scope = "any" }; different conditions are taken from the server.
	m = policyRuleTestModel()
	m.Conditions = types.StringValue("when { context.y }")
	_ = m.fromAPI(ctx, &server)
	if !m.Principal.Equal(policyRuleTestScope("any")) || !m.Action.Equal(policyRuleTestAction("any")) ||
		m.Conditions.ValueString() != "when { context.x }" {
		t.Errorf("drift: principal %s, action %s, conditions %q", m.Principal, m.Action, m.Conditions.ValueString())
	}

	// Raw mode keeps an equivalent text and takes a different one.
	raw := policyRuleModel{PolicyText: types.StringValue("// x\npermit (principal, action, resource) when { context.x };")}
	_ = raw.fromAPI(ctx, &server)
	if raw.PolicyText.ValueString() != "// x\npermit (principal, action, resource) when { context.x };" || !raw.Effect.IsNull() || !raw.Conditions.IsNull() {
		t.Errorf("raw mode: policy_text %q, effect %s, conditions %s", raw.PolicyText.ValueString(), raw.Effect, raw.Conditions)
	}
	raw = policyRuleModel{PolicyText: types.StringValue("forbid (principal, action, resource);")}
	_ = raw.fromAPI(ctx, &server)
	if raw.PolicyText.ValueString() != server.PolicyText {
		t.Errorf("raw mode drift: policy_text %q, want the server's", raw.PolicyText.ValueString())
	}
}
