package cedar

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// issueString is "TYPE code location line:col cause: message".
func issueString(is Issue) string {
	return fmt.Sprintf("%s %s %s %d:%d %s: %s", is.Type, is.Code, is.Location, is.Line, is.Column, is.Cause, is.Message)
}

// wantIssues fails unless the issues, as issueString, are want in order.
func wantIssues(t *testing.T, name string, got []Issue, want ...string) {
	t.Helper()
	gotS := make([]string, len(got))
	for i, is := range got {
		gotS[i] = issueString(is)
	}
	if strings.Join(gotS, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s: issues\n%s\nwant\n%s", name, strings.Join(gotS, "\n"), strings.Join(want, "\n"))
	}
}

func TestJudgeText(t *testing.T) {
	const sre = "permit (\n  principal in Group::\"sre\",\n  action in [Action::\"request_access\"],\n  resource\n)\nwhen { context.mfa_authenticated };"
	j := JudgeText("// SRE\n@id(\"b\") @id2(\"a\")\npermit (principal in Group::\"sre\", action in Action::\"request_access\", resource)\n  when { (context.mfa_authenticated) };", 0)
	if !j.OK() || j.Text != sre || j.Rule.Principal.EntityID != "sre" {
		t.Fatalf("canonical: OK %t, text %q, rule %+v", j.OK(), j.Text, j.Rule)
	}
	wantIssues(t, "annotations", j.Issues,
		"INFO annotations_dropped policy_text 0:0 parse: annotations (@id, @id2) are not stored: a rule keeps only its effect, scopes and conditions; use notice for a message")
	if got := fmt.Sprint(j.Issues[0].Annotations); got != "[@id @id2]" {
		t.Errorf("annotations %s", got)
	}

	for name, tc := range map[string]struct {
		text      string
		maxLength int
		want      []string
	}{
		"syntax error": {"permit (principal, action, resource)\nwhen { 1 + };", 0,
			[]string{"ERROR cedar_syntax policy_text 2:12 parse: invalid primary"}},
		"two statements": {"permit (principal, action, resource);\n  forbid (principal, action, resource);", 0,
			[]string{"ERROR cedar_statement_count policy_text 2:3 parse: expected exactly one policy, found 2"}},
		"no statement": {"// nothing", 0,
			[]string{"ERROR cedar_statement_count policy_text 0:0 parse: expected exactly one policy, found 0"}},
		"too long": {"permit (principal, action, resource);", 10,
			[]string{"ERROR too_long policy_text 0:0 bounds: the Cedar text is 37 characters long, over the limit of 10 characters"}},
		"too deep": {"permit (principal, action, resource) when { " + strings.Repeat("(", 200) + "true" + strings.Repeat(")", 200) + " };", 0,
			[]string{"ERROR cedar_too_deep policy_text 1:172 bounds: the Cedar text nests deeper than the limit of 128 levels (brackets, operators and namespaces) at line 1, column 172"}},
		"shape error and warning": {`permit (principal == User::"", action in [Action::"a", Action::"a"], resource);`, 0, []string{
			`ERROR cedar_unsupported policy_text 0:0 shape: principal_entity_id is required when principal_scope_type is "eq"`,
			`WARN duplicate_action_id policy_text 0:0 shape: action_ids[1] "a" is listed more than once`,
		}},
	} {
		j := JudgeText(tc.text, tc.maxLength)
		wantIssues(t, name, j.Issues, tc.want...)
		if j.OK() != !HasErrors(issueFindings(j.Issues)) || j.OK() != (j.Text != "") {
			t.Errorf("%s: OK %t with text %q", name, j.OK(), j.Text)
		}
	}
}

func issueFindings(issues []Issue) []Finding {
	out := make([]Finding, len(issues))
	for i, is := range issues {
		out[i] = is.Finding
	}
	return out
}

func TestJudgeRule(t *testing.T) {
	anyScope := Scope{Type: ScopeAny}
	base := Rule{Effect: EffectPermit, Principal: Scope{Type: ScopeIn, EntityType: "Group", EntityID: "sre"},
		ActionScopeType: ScopeIn, ActionIDs: []string{"request_access"}, Resource: anyScope}
	with := func(f func(*Rule)) Rule {
		r := base
		f(&r)
		return r
	}

	j := JudgeRule(with(func(r *Rule) { r.Conditions = "\n  when { context.mfa_authenticated } // MFA\n" }), Parts{})
	if !j.OK() || j.Text != Assemble(j.Rule) || !strings.HasSuffix(j.Text, "// MFA\n;") || len(j.Issues) != 0 {
		t.Fatalf("valid rule: OK %t, text %q, issues %v", j.OK(), j.Text, j.Issues)
	}

	for name, tc := range map[string]struct {
		rule    Rule
		unknown Parts
		want    []string
	}{
		// Positions are within the conditions as written.
		"syntax error": {with(func(r *Rule) { r.Conditions = "\n\n    when {\n      context.x <== 1\n    }" }), Parts{},
			[]string{"ERROR cedar_syntax conditions 4:19 assembled: invalid primary"}},
		"about the closing semicolon": {with(func(r *Rule) { r.Conditions = "when { context.x\n  // open\n" }), Parts{},
			[]string{"ERROR cedar_syntax conditions 1:17 assembled: expected `}`, got `;`"}},
		"a second statement": {with(func(r *Rule) { r.Conditions = "when { true }; permit (principal, action, resource)" }), Parts{},
			[]string{"ERROR cedar_statement_count conditions 1:16 assembled: expected exactly one policy, found 2"}},
		"too deep": {with(func(r *Rule) {
			r.Conditions = "when {\n  " + strings.Repeat("(", 200) + "true" + strings.Repeat(")", 200) + "\n}"
		}), Parts{},
			[]string{"ERROR cedar_too_deep conditions 2:130 bounds: the Cedar text nests deeper than the limit of 128 levels (brackets, operators and namespaces) at line 2, column 130"}},
		// A broken scope does not hide a conditions error, nor invent one.
		"broken scope and conditions": {with(func(r *Rule) {
			r.Principal = Scope{Type: ScopeEq, EntityType: "User"}
			r.Conditions = "when { 1 + }"
		}), Parts{}, []string{
			`ERROR missing_field principal_entity_id 0:0 shape: principal_entity_id is required when principal_scope_type is "eq"`,
			"ERROR cedar_syntax conditions 1:12 assembled: invalid primary",
		}},
		"broken scope": {with(func(r *Rule) { r.Principal = Scope{Type: ScopeEq, EntityType: "User"} }), Parts{},
			[]string{`ERROR missing_field principal_entity_id 0:0 shape: principal_entity_id is required when principal_scope_type is "eq"`}},
		"duplicate action": {with(func(r *Rule) { r.ActionIDs = []string{"a", "a"} }), Parts{},
			[]string{`WARN duplicate_action_id action_ids 0:0 shape: action_ids[1] "a" is listed more than once`}},
		// Unknown parts are not judged.
		"unknown parts": {with(func(r *Rule) {
			r.Principal = Scope{Type: ScopeEq}
			r.Conditions = "when {"
		}), Parts{Principal: true, Conditions: true}, nil},
	} {
		j := JudgeRule(tc.rule, tc.unknown)
		wantIssues(t, name, j.Issues, tc.want...)
		if j.Text != "" && (!j.OK() || tc.unknown != (Parts{})) {
			t.Errorf("%s: canonical text %q", name, j.Text)
		}
	}
}

func TestIssueOf(t *testing.T) {
	_, err := SplitPolicySet("permit (principal, action, resource);\nforbid (principal, action, resource) when { ) };")
	wantIssues(t, "policy set", []Issue{IssueOf(err, "cedar_policy_set")}, "ERROR cedar_syntax cedar_policy_set 2:45 parse: invalid primary")
	if is := IssueOf(err, "x"); !errors.Is(is.Err, err) {
		t.Errorf("Err = %v", is.Err)
	}
}

func TestRuleAttribute(t *testing.T) {
	for _, tc := range [][2]string{
		{"ordinal", "ordinal"}, {"conditions", "conditions"}, {"principal_scope_type", "principal.scope"},
		{"principal_in_entity_type", "principal.in_entity_type"}, {"resource_entity_id", "resource.entity_id"},
		{"action_ids", "action.ids"}, {"action_ids[2]", "action.ids[2]"},
	} {
		loc, want := tc[0], tc[1]
		if a, ok := RuleAttribute(loc); !ok || a.String() != want {
			t.Errorf("RuleAttribute(%q) = %v, %t; want %s", loc, a, ok, want)
		}
		if got := RenameFields(loc); got != want {
			t.Errorf("RenameFields(%q) = %q, want %q", loc, got, want)
		}
	}
	for _, loc := range []string{"", "ids[0]", "principal_foo", "action_ids[x]", "action_ids[-1]", "action_ids[1"} {
		if a, ok := RuleAttribute(loc); ok {
			t.Errorf("RuleAttribute(%q) = %v, want none", loc, a)
		}
	}
	for msg, want := range map[string]string{
		`action_ids must hold exactly one id when action_scope_type is "eq", got 2`: `action.ids must hold exactly one id when action.scope is "eq", got 2`,
		"the `in` entity type is only used when resource_scope_type is \"is_in\"":   `in_entity_type is only used when resource.scope is "is_in"`,
		"`in` entity type \"9G\" is not a valid Cedar entity type":                  `in_entity_type "9G" is not a valid Cedar entity type`,
	} {
		if got := RenameFields(msg); got != want {
			t.Errorf("RenameFields(%q) = %q, want %q", msg, got, want)
		}
	}
}

func TestConditionsPosition(t *testing.T) {
	// head is 5 lines; the trimmed conditions start on line 6, column 1.
	assembled := "permit (\n  principal,\n  action,\n  resource\n)\nwhen {\n  x <\n};"
	start := strings.Index(assembled, "when")
	for _, tc := range []struct {
		name, conditions  string
		line, col         int
		wantLine, wantCol int
		wantOK            bool
	}{
		{"first line", "when {\n  x <\n}", 6, 3, 1, 3, true},
		{"second line", "when {\n  x <\n}", 7, 5, 2, 5, true},
		{"past the end of the line", "when {\n  x <\n}", 7, 40, 2, 6, true},
		{"leading spaces on the first line", "   when {\n  x <\n}", 6, 3, 1, 6, true},
		{"leading blank lines", "\n\n  when {\n  x <\n}", 7, 5, 4, 5, true},
		{"leading blank lines, first line", "\n\n  when {\n  x <\n}", 6, 1, 3, 3, true},
		{"past the end", "when {\n  x <\n}", 9, 1, 3, 2, true},
		// Just past the last token, not after a trailing comment.
		{"past the end, trailing comment", "when {\n  x <\n} // c", 9, 1, 3, 2, true},
		{"before the conditions", "when {\n  x <\n}", 2, 3, 0, 0, false},
		{"no position", "when {\n  x <\n}", 0, 0, 0, 0, false},
	} {
		line, col, ok := ConditionsPosition(assembled, start, tc.conditions, tc.line, tc.col)
		if ok != tc.wantOK || ok && (line != tc.wantLine || col != tc.wantCol) {
			t.Errorf("%s: got %d:%d %v, want %d:%d %v", tc.name, line, col, ok, tc.wantLine, tc.wantCol, tc.wantOK)
		}
	}
}
