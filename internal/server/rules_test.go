package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
)

// structuredRule is the structured example of openapi.yaml's createRule.
func structuredRule() map[string]any {
	return map[string]any{
		"effect":                "permit",
		"principal_scope_type":  "in",
		"principal_entity_type": "Group",
		"principal_entity_id":   "sre",
		"action_scope_type":     "eq",
		"action_ids":            []string{"request_access"},
		"resource_scope_type":   "in",
		"resource_entity_type":  "AwsAccount",
		"resource_entity_id":    "123456789012",
		"conditions":            "when { context.duration_seconds <= 3600 }",
		"notice":                "Break-glass access is audited.",
	}
}

// newPolicyPath creates a policy and returns its path.
func (c *tenantClient) newPolicyPath(name string) string {
	c.t.Helper()
	p := c.createPolicy(map[string]any{"name": name, "max_duration_seconds": 3600})
	return "/v1/policies/" + p.Id.String()
}

// createRule adds a rule and returns it.
func (c *tenantClient) createRule(policyPath string, body any) api.Rule {
	c.t.Helper()
	var r api.Rule
	c.do(http.MethodPost, policyPath+"/rules", body).want(http.StatusCreated).into(&r)
	return r
}

func (c *tenantClient) listRules(policyPath string) []api.Rule {
	c.t.Helper()
	var list api.RuleList
	c.do(http.MethodGet, policyPath+"/rules?limit=250", nil).want(http.StatusOK).into(&list)
	return list.Data
}

func TestRuleCreateStructured(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	pp := c.newPolicyPath("p")
	var before api.Policy
	c.do(http.MethodGet, pp, nil).want(http.StatusOK).into(&before)

	res := c.do(http.MethodPost, pp+"/rules", structuredRule()).want(http.StatusCreated)
	var r api.Rule
	res.into(&r)
	if got, want := res.Header.Get("Location"), pp+"/rules/"+r.Id.String(); got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
	want := cedar.Assemble(cedar.Rule{
		Effect:          "permit",
		Principal:       cedar.Scope{Type: "in", EntityType: "Group", EntityID: "sre"},
		ActionScopeType: "eq", ActionIDs: []string{"request_access"},
		Resource:   cedar.Scope{Type: "in", EntityType: "AwsAccount", EntityID: "123456789012"},
		Conditions: "when { context.duration_seconds <= 3600 }",
	})
	if r.PolicyText != want {
		t.Errorf("policy_text:\n%s\nwant:\n%s", r.PolicyText, want)
	}
	if r.Ordinal != 1 || !r.AuditSession || r.Notice.MustGet() != "Break-glass access is audited." ||
		r.Conditions.MustGet() != "when { context.duration_seconds <= 3600 }" || !r.PrincipalInEntityType.IsNull() ||
		r.PolicyId.String() != strings.TrimPrefix(pp, "/v1/policies/") {
		t.Errorf("rule: %s", res.Body)
	}
	if r.Notices != nil || r.Validation != nil {
		t.Errorf("a schema-valid rule has notices: %s", res.Body)
	}
	get := c.do(http.MethodGet, pp+"/rules/"+r.Id.String(), nil).want(http.StatusOK)
	if get.Header.Get("ETag") != res.Header.Get("ETag") || string(get.Body) != string(res.Body) {
		t.Errorf("GET differs from the create:\n%s\n%s", get.Body, res.Body)
	}
	var after api.Policy
	c.do(http.MethodGet, pp, nil).want(http.StatusOK).into(&after)
	if !after.UpdatedAt.After(before.UpdatedAt) {
		t.Errorf("policy updated_at not bumped by a rule create")
	}
	if after.CedarPolicySet != r.PolicyText {
		t.Errorf("cedar_policy_set %q", after.CedarPolicySet)
	}

	// Conditions are stored as sent (policy_text holds them trimmed).
	body := structuredRule()
	body["conditions"] = "  when { true }\n"
	body["audit_session"] = false
	r2 := c.createRule(pp, body)
	if r2.Conditions.MustGet() != "  when { true }\n" || r2.AuditSession || r2.Ordinal != 2 {
		t.Errorf("rule 2: %+v", r2)
	}
	// is_in with another `in` entity type.
	r3 := c.createRule(pp, map[string]any{
		"effect": "forbid", "principal_scope_type": "is_in", "principal_entity_type": "User", "principal_entity_id": "dba",
		"principal_in_entity_type": "Group", "action_scope_type": "any", "resource_scope_type": "any",
	})
	if !strings.Contains(r3.PolicyText, `principal is User in Group::"dba"`) || r3.PrincipalInEntityType.MustGet() != "Group" {
		t.Errorf("is_in: %+v", r3)
	}
}

func TestRuleCreatePolicyText(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	pp := c.newPolicyPath("p")
	text := `// only with MFA
@id("mfa")
forbid (principal, action, resource)
unless   {   context.mfa_authenticated   };`
	res := c.do(http.MethodPost, pp+"/rules", map[string]any{"policy_text": text, "notice": "MFA required", "ordinal": 10}).want(http.StatusCreated)
	var r api.Rule
	res.into(&r)
	cr, err := cedar.Decompose(text)
	if err != nil {
		t.Fatal(err)
	}
	if r.PolicyText != cedar.Assemble(cr) {
		t.Errorf("policy_text is not canonical:\n%s", r.PolicyText)
	}
	if r.Effect != api.EffectForbid || r.PrincipalScopeType != api.ScopeTypeAny || r.ActionScopeType != api.ActionScopeTypeAny ||
		r.Conditions.MustGet() != cr.Conditions || r.Ordinal != 10 || r.Notice.MustGet() != "MFA required" {
		t.Errorf("rule: %s", res.Body)
	}
	// The dropped annotation is an INFO finding of the write.
	if r.Validation == nil || len(*r.Validation) != 1 || (*r.Validation)[0].Type != api.ValidationDetailTypeINFO ||
		(*r.Validation)[0].Code != "annotations_dropped" {
		t.Errorf("validation: %s", res.Body)
	}
	// Re-sending the stored text is stable.
	r2 := c.createRule(pp, map[string]any{"policy_text": r.PolicyText})
	if r2.PolicyText != r.PolicyText || r2.Ordinal != 11 {
		t.Errorf("not stable: %+v", r2)
	}
}

func TestRuleCreateValidation(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	pp := c.newPolicyPath("p")

	e := c.do(http.MethodPost, pp+"/rules", map[string]any{}).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "effect", "principal_scope_type", "action_scope_type", "resource_scope_type")

	// Shape problems, each at its field.
	e = c.do(http.MethodPost, pp+"/rules", map[string]any{
		"effect": "allow", "principal_scope_type": "eq", "principal_entity_type": "Group",
		"action_scope_type": "eq", "action_ids": []string{"a", "b"},
		"resource_scope_type": "any", "resource_entity_id": "x",
	}).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "effect", "principal_entity_id", "action_ids", "resource_entity_id")

	// policy_text cannot be mixed with structured fields; the error names them.
	e = c.do(http.MethodPost, pp+"/rules", map[string]any{
		"policy_text": "permit (principal, action, resource);", "effect": "permit", "action_ids": []string{"x"},
	}).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "effect", "action_ids")
	if !strings.Contains(e.Message, "effect, action_ids") || !strings.Contains(e.Message, "policy_text") {
		t.Errorf("message: %s", e.Message)
	}
	// Nulls of structured fields are not values: allowed with policy_text.
	c.do(http.MethodPost, pp+"/rules", `{"policy_text": "permit (principal, action, resource);", "conditions": null, "principal_entity_id": null}`).
		want(http.StatusCreated)

	// Non-nullable fields, ranges and lengths.
	e = c.do(http.MethodPost, pp+"/rules", `{"policy_text": "permit (principal, action, resource);", "ordinal": -1, "audit_session": null, "notice": "`+
		strings.Repeat("n", 1025)+`"}`).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "ordinal", "audit_session", "notice")

	// Invalid Cedar in policy_text: invalid_cedar with line and column.
	e = c.do(http.MethodPost, pp+"/rules", map[string]any{"policy_text": "permit (\n  principal,\n  action,\n  resource\n) when { 1 + };"}).
		apiErr(http.StatusBadRequest, "invalid_cedar")
	f := findingAt(t, e, "policy_text")
	if f.Code != "cedar_syntax" || f.Line == nil || *f.Line != 5 || f.Column == nil {
		t.Errorf("finding: %+v", f)
	}
	e = c.do(http.MethodPost, pp+"/rules", map[string]any{"policy_text": "permit (principal, action, resource);\nforbid (principal, action, resource);"}).
		apiErr(http.StatusBadRequest, "invalid_cedar")
	if f := findingAt(t, e, "policy_text"); f.Code != "cedar_statement_count" || !strings.Contains(f.Message, "found 2") {
		t.Errorf("finding: %+v", f)
	}
	e = c.do(http.MethodPost, pp+"/rules", map[string]any{"policy_text": `permit (principal, action == Other::"x", resource);`}).
		apiErr(http.StatusBadRequest, "invalid_cedar")
	wantLocations(t, e, "policy_text")

	c.do(http.MethodPost, "/v1/policies/2489e9ad-2ee2-4e00-8ec9-32d5f69181c0/rules", structuredRule()).apiErr(http.StatusNotFound, "not_found")
	if n := len(c.listRules(pp)); n != 1 {
		t.Errorf("%d rules, want only the one valid create", n)
	}
}

func TestRuleConditionsSyntaxError(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	pp := c.newPolicyPath("p")

	tests := []struct {
		name, conditions string
		line             int
	}{
		{"first line", "when { context.duration_seconds <= + }", 1},
		{"third line", "when {\n  context.mfa_authenticated &&\n  context.duration_seconds <= <= 3\n}", 3},
		{"after leading blank lines", "\n\n   when { ) }", 3},
		{"unterminated", "when { context.mfa_authenticated", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := structuredRule()
			body["conditions"] = tc.conditions
			e := c.do(http.MethodPost, pp+"/rules", body).apiErr(http.StatusBadRequest, "invalid_cedar")
			wantLocations(t, e, "conditions")
			f := findingAt(t, e, "conditions")
			if f.Line == nil || f.Column == nil {
				t.Fatalf("no position: %+v", f)
			}
			if *f.Line != tc.line {
				t.Errorf("line %d, want %d: %s", *f.Line, tc.line, f.Message)
			}
			lines := strings.Split(tc.conditions, "\n")
			if *f.Column < 1 || *f.Column > len(lines[*f.Line-1])+1 {
				t.Errorf("column %d outside line %q", *f.Column, lines[*f.Line-1])
			}
			if !strings.Contains(f.Message, fmt.Sprintf("line %d, column %d of conditions", *f.Line, *f.Column)) {
				t.Errorf("message: %s", f.Message)
			}
		})
	}
	// Conditions that end the statement early.
	body := structuredRule()
	body["conditions"] = "when { true }; permit (principal, action, resource)"
	e := c.do(http.MethodPost, pp+"/rules", body).apiErr(http.StatusBadRequest, "invalid_cedar")
	if f := findingAt(t, e, "conditions"); f.Code != "cedar_statement_count" {
		t.Errorf("finding: %+v", f)
	}
}

func TestRuleSchemaNotices(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	pp := c.newPolicyPath("p")
	body := structuredRule()
	body["conditions"] = "when { context.nonexistent }"
	res := c.do(http.MethodPost, pp+"/rules", body).want(http.StatusCreated)
	var r api.Rule
	res.into(&r)
	if r.Notices == nil || len(*r.Notices) == 0 || r.Validation == nil || len(*r.Validation) != len(*r.Notices) {
		t.Fatalf("no schema notices: %s", res.Body)
	}
	for i, v := range *r.Validation {
		if v.Type != api.ValidationDetailTypeWARN || v.Code != "schema" || v.Location != "policy_text" || !strings.Contains(v.Message, "nonexistent") {
			t.Errorf("validation %d: %+v", i, v)
		}
		if (*r.Notices)[i] != v.Location+": "+v.Message {
			t.Errorf("notice %d: %q", i, (*r.Notices)[i])
		}
	}
	// Stored regardless, and the notices belong to the write only.
	get := c.do(http.MethodGet, pp+"/rules/"+r.Id.String(), nil).want(http.StatusOK)
	if strings.Contains(string(get.Body), "notices") || get.Header.Get("ETag") != res.Header.Get("ETag") {
		t.Errorf("GET: %s", get.Body)
	}
	// PATCH reports the findings of the resulting rule.
	var p api.Rule
	c.do(http.MethodPatch, pp+"/rules/"+r.Id.String(), map[string]any{"notice": "n"}).want(http.StatusOK).into(&p)
	if p.Notices == nil {
		t.Error("PATCH of a rule with schema findings has no notices")
	}
	var fixed api.Rule
	c.do(http.MethodPatch, pp+"/rules/"+r.Id.String(), map[string]any{"conditions": nil}).want(http.StatusOK).into(&fixed)
	if fixed.Notices != nil || fixed.Validation != nil {
		t.Errorf("notices after the fix: %v", *fixed.Notices)
	}

	// A custom schema is honoured.
	rs2 := newTestServer(t, serverConfig{opts: Options{CedarSchema: "entity User;\naction request_access appliesTo { principal: User, resource: User };"}})
	c2 := rs2.tenant()
	r2 := c2.createRule(c2.newPolicyPath("p"), structuredRule())
	if r2.Notices == nil || !strings.Contains(strings.Join(*r2.Notices, " "), "Group") {
		t.Errorf("custom schema not applied: %+v", r2.Notices)
	}
}

func TestRuleOrdinalStability(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	pp := c.newPolicyPath("p")
	var rules []api.Rule
	for i := range 3 {
		rules = append(rules, c.createRule(pp, map[string]any{"policy_text": fmt.Sprintf(`permit (principal == User::"u%d", action, resource);`, i)}))
	}
	for i, r := range rules {
		if r.Ordinal != i+1 {
			t.Fatalf("rule %d ordinal %d", i, r.Ordinal)
		}
	}
	c.do(http.MethodDelete, pp+"/rules/"+rules[1].Id.String(), nil).want(http.StatusNoContent)
	added := c.createRule(pp, map[string]any{"policy_text": `forbid (principal, action, resource);`})
	if added.Ordinal != 4 {
		t.Errorf("appended ordinal %d, want 4 (max + 1)", added.Ordinal)
	}
	// A rule with an explicit ordinal equal to another's sorts after it (created later).
	tie := c.createRule(pp, map[string]any{"policy_text": `permit (principal, action, resource);`, "ordinal": 1})
	got := c.listRules(pp)
	wantIDs := []string{rules[0].Id.String(), tie.Id.String(), rules[2].Id.String(), added.Id.String()}
	wantOrd := []int{1, 1, 3, 4}
	if len(got) != len(wantIDs) {
		t.Fatalf("%d rules", len(got))
	}
	for i, r := range got {
		if r.Id.String() != wantIDs[i] || r.Ordinal != wantOrd[i] {
			t.Errorf("position %d: %s ordinal %d, want %s ordinal %d", i, r.Id, r.Ordinal, wantIDs[i], wantOrd[i])
		}
	}
	// Editing one rule never renumbers the others.
	c.do(http.MethodPatch, pp+"/rules/"+rules[2].Id.String(), map[string]any{"ordinal": 0}).want(http.StatusOK)
	got = c.listRules(pp)
	if got[0].Id != rules[2].Id || got[1].Ordinal != 1 || got[2].Ordinal != 1 || got[3].Ordinal != 4 {
		t.Errorf("after moving: %v", ordinalsOf(got))
	}
	// Untouched rules keep their representation (ETag) too.
	var first api.Rule
	c.do(http.MethodGet, pp+"/rules/"+rules[0].Id.String(), nil).want(http.StatusOK).into(&first)
	if !first.UpdatedAt.Equal(rules[0].UpdatedAt) {
		t.Errorf("untouched rule's updated_at moved")
	}
}

func ordinalsOf(rules []api.Rule) []string {
	var out []string
	for _, r := range rules {
		out = append(out, fmt.Sprintf("%s:%d", r.Id.String()[:8], r.Ordinal))
	}
	return out
}

func TestRuleListPagination(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	pp := c.newPolicyPath("p")
	other := c.newPolicyPath("other")
	var want []string
	for i, ord := range []int{5, 1, 3, 1, 2, 5, 4} {
		r := c.createRule(pp, map[string]any{"policy_text": fmt.Sprintf(`permit (principal == User::"u%d", action, resource);`, i), "ordinal": ord})
		want = append(want, r.Id.String())
	}
	c.createRule(other, map[string]any{"policy_text": `permit (principal, action, resource);`})
	// Expected order: ordinal, then creation.
	order := []int{1, 3, 4, 2, 6, 0, 5}
	var got []api.Rule
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		path := pp + "/rules?limit=2"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		var page api.RuleList
		c.do(http.MethodGet, path, nil).want(http.StatusOK).into(&page)
		got = append(got, page.Data...)
		if !page.HasMore {
			break
		}
		cursor = page.NextCursor.MustGet()
	}
	if len(got) != len(order) {
		t.Fatalf("walked %d rules, want %d", len(got), len(order))
	}
	for i, k := range order {
		if got[i].Id.String() != want[k] {
			t.Errorf("position %d: %s, want rule %d", i, got[i].Id, k)
		}
	}
	wantLocations(t, c.do(http.MethodGet, pp+"/rules?cursor=!!!", nil).apiErr(http.StatusBadRequest, "invalid_request"), "cursor")
	wantLocations(t, c.do(http.MethodGet, pp+"/rules?cursor=bm9wZQ", nil).apiErr(http.StatusBadRequest, "invalid_request"), "cursor")
	wantLocations(t, c.do(http.MethodGet, pp+"/rules?limit=251", nil).apiErr(http.StatusBadRequest, "invalid_request"), "limit")
	// A cursor of another policy's rules is refused.
	var page api.RuleList
	c.do(http.MethodGet, pp+"/rules?limit=1", nil).want(http.StatusOK).into(&page)
	wantLocations(t, c.do(http.MethodGet, other+"/rules?cursor="+page.NextCursor.MustGet(), nil).apiErr(http.StatusBadRequest, "invalid_request"), "cursor")
}

func TestRulePatch(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	pp := c.newPolicyPath("p")
	created := c.do(http.MethodPost, pp+"/rules", structuredRule()).want(http.StatusCreated)
	var r api.Rule
	created.into(&r)
	rp := pp + "/rules/" + r.Id.String()

	// Conditions alone; everything else unchanged.
	var got api.Rule
	c.do(http.MethodPatch, rp, map[string]any{"conditions": "when { context.duration_seconds <= 1800 }"}).want(http.StatusOK).into(&got)
	if !strings.Contains(got.PolicyText, "1800") || got.PrincipalEntityId.MustGet() != "sre" || got.Notice.MustGet() != r.Notice.MustGet() ||
		got.Ordinal != r.Ordinal || !got.UpdatedAt.After(r.UpdatedAt) || !got.CreatedAt.Equal(r.CreatedAt) {
		t.Errorf("conditions patch: %+v", got)
	}
	// The principal scope is replaced as a unit: absent fields become null.
	c.do(http.MethodPatch, rp, map[string]any{"principal_scope_type": "is", "principal_entity_type": "User"}).want(http.StatusOK).into(&got)
	if got.PrincipalScopeType != api.ScopeTypeIs || !got.PrincipalEntityId.IsNull() || !strings.Contains(got.PolicyText, "principal is User") ||
		got.ResourceEntityId.MustGet() != "123456789012" {
		t.Errorf("principal patch: %+v", got)
	}
	e := c.do(http.MethodPatch, rp, map[string]any{"principal_entity_id": "x"}).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "principal_scope_type")
	e = c.do(http.MethodPatch, rp, map[string]any{"action_ids": []string{"approve"}}).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "action_scope_type")
	// action_ids absent with a new action scope type: empty.
	c.do(http.MethodPatch, rp, map[string]any{"action_scope_type": "any"}).want(http.StatusOK).into(&got)
	if len(got.ActionIds) != 0 || !strings.Contains(got.PolicyText, "  action,\n") {
		t.Errorf("action patch: %+v", got)
	}
	// Shape is checked on the merged rule.
	e = c.do(http.MethodPatch, rp, map[string]any{"resource_scope_type": "eq"}).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "resource_entity_type", "resource_entity_id")
	// null clears conditions and notice.
	c.do(http.MethodPatch, rp, `{"conditions": null, "notice": null, "audit_session": false}`).want(http.StatusOK).into(&got)
	if !got.Conditions.IsNull() || !got.Notice.IsNull() || got.AuditSession || strings.Contains(got.PolicyText, "when") {
		t.Errorf("clear: %+v", got)
	}
	// policy_text replaces the statement, keeps ordinal, notice and audit_session.
	c.do(http.MethodPatch, rp, map[string]any{"policy_text": `forbid (principal in Group::"x", action, resource) when { context.mfa_authenticated };`, "notice": "kept"}).
		want(http.StatusOK).into(&got)
	if got.Effect != api.EffectForbid || got.PrincipalEntityId.MustGet() != "x" || got.Ordinal != r.Ordinal || got.Notice.MustGet() != "kept" ||
		got.AuditSession || !strings.Contains(got.Conditions.MustGet(), "mfa_authenticated") {
		t.Errorf("policy_text patch: %+v", got)
	}
	e = c.do(http.MethodPatch, rp, map[string]any{"policy_text": `permit (principal, action, resource);`, "effect": "permit"}).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "effect")
	e = c.do(http.MethodPatch, rp, map[string]any{"policy_text": `permit (principal, action, resource) when {`}).apiErr(http.StatusBadRequest, "invalid_cedar")
	wantLocations(t, e, "policy_text")
	e = c.do(http.MethodPatch, rp, map[string]any{"conditions": "when { ( }"}).apiErr(http.StatusBadRequest, "invalid_cedar")
	wantLocations(t, e, "conditions")

	// A no-op PATCH keeps updated_at.
	var same api.Rule
	c.do(http.MethodPatch, rp, map[string]any{"notice": "kept", "effect": "forbid"}).want(http.StatusOK).into(&same)
	if !same.UpdatedAt.Equal(got.UpdatedAt) {
		t.Errorf("no-op PATCH moved updated_at")
	}

	// If-Match.
	cur := c.do(http.MethodGet, rp, nil).want(http.StatusOK)
	c.do(http.MethodPatch, rp, map[string]any{"notice": "stale"}, "If-Match", created.Header.Get("ETag")).apiErr(http.StatusPreconditionFailed, "precondition_failed")
	c.do(http.MethodDelete, rp, nil, "If-Match", created.Header.Get("ETag")).apiErr(http.StatusPreconditionFailed, "precondition_failed")
	patched := c.do(http.MethodPatch, rp, map[string]any{"notice": "fresh"}, "If-Match", cur.Header.Get("ETag")).want(http.StatusOK)
	c.do(http.MethodDelete, rp, nil, "If-Match", patched.Header.Get("ETag")).want(http.StatusNoContent)
	c.do(http.MethodGet, rp, nil).apiErr(http.StatusNotFound, "not_found")
	c.do(http.MethodPatch, rp, map[string]any{"notice": "x"}).apiErr(http.StatusNotFound, "not_found")
}

func TestRuleReorder(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	pp := c.newPolicyPath("p")
	other := c.newPolicyPath("other")
	var ids []string
	for i, ord := range []int{1, 2, 5, 7} {
		r := c.createRule(pp, map[string]any{"policy_text": fmt.Sprintf(`permit (principal == User::"u%d", action, resource);`, i), "ordinal": ord})
		ids = append(ids, r.Id.String())
	}
	foreign := c.createRule(other, map[string]any{"policy_text": `permit (principal, action, resource);`})

	// Move rule 3 (ordinal 7) before rule 1 (ordinal 2) among {1, 3}: 3 takes 2, 1 takes 7.
	var list api.RuleList
	c.do(http.MethodPatch, pp+"/rules/reorder", map[string]any{"ids": []string{ids[3], ids[1]}}).want(http.StatusOK).into(&list)
	wantOrder := []string{ids[0], ids[3], ids[2], ids[1]}
	wantOrd := []int{1, 2, 5, 7}
	for i, r := range list.Data {
		if r.Id.String() != wantOrder[i] || r.Ordinal != wantOrd[i] {
			t.Errorf("position %d: %v, want %s:%d", i, ordinalsOf(list.Data), wantOrder[i][:8], wantOrd[i])
			break
		}
	}
	if list.HasMore || !list.NextCursor.IsNull() {
		t.Errorf("reorder answer is paginated: %+v", list)
	}
	if got := c.listRules(pp); fmt.Sprint(ordinalsOf(got)) != fmt.Sprint(ordinalsOf(list.Data)) {
		t.Errorf("listing %v differs from the reorder answer %v", ordinalsOf(got), ordinalsOf(list.Data))
	}
	// Full reverse.
	c.do(http.MethodPatch, pp+"/rules/reorder", map[string]any{"ids": []string{ids[1], ids[2], ids[3], ids[0]}}).want(http.StatusOK).into(&list)
	for i, want := range []string{ids[1], ids[2], ids[3], ids[0]} {
		if list.Data[i].Id.String() != want || list.Data[i].Ordinal != wantOrd[i] {
			t.Errorf("reverse: %v", ordinalsOf(list.Data))
			break
		}
	}

	// Listed rules that share an ordinal still come out in the given order.
	a := c.createRule(pp, map[string]any{"policy_text": `forbid (principal, action, resource);`, "ordinal": 20})
	b := c.createRule(pp, map[string]any{"policy_text": `forbid (principal == User::"b", action, resource);`, "ordinal": 20})
	c.do(http.MethodPatch, pp+"/rules/reorder", map[string]any{"ids": []string{b.Id.String(), a.Id.String()}}).want(http.StatusOK).into(&list)
	n := len(list.Data)
	if list.Data[n-2].Id != b.Id || list.Data[n-1].Id != a.Id || list.Data[n-2].Ordinal != 20 || list.Data[n-1].Ordinal != 21 {
		t.Errorf("ties: %v", ordinalsOf(list.Data))
	}

	// Errors at ids[i]; nothing changes.
	before := ordinalsOf(c.listRules(pp))
	e := c.do(http.MethodPatch, pp+"/rules/reorder", map[string]any{"ids": []string{
		ids[0], "2489e9ad-2ee2-4e00-8ec9-32d5f69181c0", ids[0], foreign.Id.String(), "nope",
	}}).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "ids[1]", "ids[2]", "ids[3]", "ids[4]")
	if f := findingAt(t, e, "ids[2]"); f.Code != "duplicate" {
		t.Errorf("duplicate: %+v", f)
	}
	if f := findingAt(t, e, "ids[3]"); f.Code != "not_found" {
		t.Errorf("foreign: %+v", f)
	}
	wantLocations(t, c.do(http.MethodPatch, pp+"/rules/reorder", map[string]any{"ids": []string{}}).apiErr(http.StatusBadRequest, "invalid_request"), "ids")
	if after := ordinalsOf(c.listRules(pp)); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("a failed reorder changed ordinals: %v -> %v", before, after)
	}
	c.do(http.MethodPatch, "/v1/policies/2489e9ad-2ee2-4e00-8ec9-32d5f69181c0/rules/reorder", map[string]any{"ids": ids[:1]}).apiErr(http.StatusNotFound, "not_found")
}

func TestRuleOfAnotherPolicy(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	p1, p2 := c.newPolicyPath("one"), c.newPolicyPath("two")
	r := c.createRule(p1, structuredRule())
	wrong := p2 + "/rules/" + r.Id.String()
	c.do(http.MethodGet, wrong, nil).apiErr(http.StatusNotFound, "not_found")
	c.do(http.MethodPatch, wrong, map[string]any{"notice": "x"}).apiErr(http.StatusNotFound, "not_found")
	c.do(http.MethodDelete, wrong, nil).apiErr(http.StatusNotFound, "not_found")
	if got := c.listRules(p2); len(got) != 0 {
		t.Errorf("policy two lists %d rules", len(got))
	}
	c.do(http.MethodGet, p1+"/rules/"+r.Id.String(), nil).want(http.StatusOK)
	c.do(http.MethodGet, p1+"/rules/not-a-uuid", nil).apiErr(http.StatusBadRequest, "invalid_request")
}
