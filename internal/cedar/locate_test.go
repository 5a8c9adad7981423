package cedar

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseSchema(t *testing.T) {
	if _, err := ParseSchema(DefaultSchema()); err != nil {
		t.Fatalf("ParseSchema(DefaultSchema()) error: %v", err)
	}
	for schemaText, want := range map[string]string{
		"entity User {":           "parse schema: <input>:1:14: expected '}' to close record type, got EOF",
		"entity User in [Group];": "resolve schema: ",
	} {
		if _, err := ParseSchema(schemaText); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ParseSchema(%q) error = %v, want it to start with %q", schemaText, err, want)
		}
	}
}

func TestValidateRule(t *testing.T) {
	s, err := ParseSchema(DefaultSchema())
	if err != nil {
		t.Fatal(err)
	}
	anyScope := Scope{Type: ScopeAny}
	rule := func(principal Scope, actionScope string, ids []string, resource Scope, conditions string) Rule {
		return Rule{Effect: EffectPermit, Principal: principal, ActionScopeType: actionScope, ActionIDs: ids, Resource: resource, Conditions: conditions}
	}
	requestAccess := []string{"request_access"}
	// want: "location line:column message-substring", one per finding.
	tests := []struct {
		name string
		rule Rule
		want []string
	}{
		{"valid", validRule(), nil},
		{"unknown principal type", rule(Scope{Type: ScopeIs, EntityType: "Admin"}, ScopeIn, requestAccess, anyScope, ""),
			[]string{"principal_entity_type 0:0 unable to find an applicable action", "principal_entity_type 0:0 unrecognized entity type `Admin`"}},
		{"unknown `in` type of is_in", rule(Scope{Type: ScopeIsIn, EntityType: "User", EntityID: "x", InEntityType: "Team"}, ScopeAny, nil, anyScope, ""),
			[]string{"principal_in_entity_type 0:0 unable to find an applicable action", "principal_in_entity_type 0:0 unrecognized entity type `Team`"}},
		{"unknown resource type in an eq scope", rule(anyScope, ScopeAny, nil, Scope{Type: ScopeEq, EntityType: "S3Bucket", EntityID: "b"}, ""),
			[]string{"resource_entity_type 0:0 unable to find an applicable action", "resource_entity_type 0:0 unrecognized entity type `S3Bucket`"}},
		{"known resource type no action applies to", rule(anyScope, ScopeIn, requestAccess, Scope{Type: ScopeIs, EntityType: "Group"}, ""),
			[]string{"resource_entity_type 0:0 unable to find an applicable action"}},
		{"unknown action id", rule(anyScope, ScopeIn, []string{"request_access", "delete_account"}, anyScope, ""),
			[]string{"action_ids 0:0 unable to find an applicable action", "action_ids[1] 0:0 unrecognized action `Action::\"delete_account\"`"}},
		{"principal and resource only wrong together", rule(Scope{Type: ScopeIs, EntityType: "Group"}, ScopeAny, nil, Scope{Type: ScopeIs, EntityType: "User"}, ""),
			[]string{"action_scope_type 0:0 unable to find an applicable action"}},
		{"unknown context attribute in a heredoc", rule(anyScope, ScopeEq, requestAccess, anyScope, "\n  when {\n    context.duration_seconds < 60 &&\n    context.foo == 1\n  }\n"),
			[]string{"conditions 4:13 attribute `foo` in context for Action::\"request_access\" not found"}},
		{"optional attribute without has", rule(anyScope, ScopeEq, requestAccess, anyScope,
			"unless { context has ticket_id } // not a guard of the next clause\nwhen { context.ticket_id like \"OPS-*\" }"),
			[]string{"conditions 2:16 unable to guarantee safety of access to optional attribute `ticket_id`"}},
		{"a guard in another clause covers the access (the clauses are one conjunction)", rule(anyScope, ScopeEq, requestAccess, anyScope,
			"when { context has ticket_id }\nwhen { context.ticket_id like \"OPS-*\" }"),
			nil},
		{"type mismatch has no position", rule(anyScope, ScopeEq, requestAccess, anyScope, `when { context.duration_seconds == "3600" }`),
			[]string{"conditions 0:0 Long and String are not compatible"}},
		{"unknown entity type in the conditions", rule(anyScope, ScopeEq, requestAccess, anyScope, `when { principal in Team::"x" }`),
			[]string{"conditions 1:21 unrecognized entity type `Team`"}},
		{"entity attribute", rule(anyScope, ScopeEq, requestAccess, Scope{Type: ScopeIs, EntityType: "AwsAccount"}, `unless { resource["owner"] == "x" }`),
			[]string{"conditions 1:19 attribute `owner` on entity type `AwsAccount` not found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range s.ValidateRule(tt.rule) {
				if f.Type != FindingWarn || f.Code != CodeSchema {
					t.Errorf("unexpected finding %+v", f)
				}
				got = append(got, fmt.Sprintf("%s %d:%d %s", f.Location, f.Line, f.Column, f.Message))
			}
			if len(got) != len(tt.want) {
				t.Fatalf("ValidateRule() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for i := range got {
				loc, rest, _ := strings.Cut(tt.want[i], " ")
				pos, msg, _ := strings.Cut(rest, " ")
				if !strings.HasPrefix(got[i], loc+" "+pos+" ") || !strings.Contains(got[i], msg) {
					t.Errorf("finding %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}

	// Rules that do not pass CheckShape or do not parse.
	bad := rule(Scope{Type: ScopeEq, EntityType: "User"}, ScopeAny, nil, anyScope, "")
	if fs := s.ValidateRule(bad); len(fs) != 1 || fs[0].Location != "principal_entity_id" {
		t.Errorf("ValidateRule(ill-shaped) = %+v, want CheckShape's finding", fs)
	}
	broken := rule(anyScope, ScopeAny, nil, anyScope, "when { 1 + }")
	if fs := s.ValidateRule(broken); len(fs) != 1 || fs[0].Code != CodeSyntax || fs[0].Location != "conditions" || fs[0].Type != FindingError {
		t.Errorf("ValidateRule(broken conditions) = %+v, want one syntax error", fs)
	}
}

func TestValidatePolicyLocatesFindings(t *testing.T) {
	text := "// deploys\npermit (\n  principal is Team,\n  action == Action::\"deploy\",\n  resource\n) when {\n  context.foo\n};"
	got, err := ValidatePolicy(text, DefaultSchema())
	if err != nil {
		t.Fatal(err)
	}
	var positions []string
	for _, f := range got {
		positions = append(positions, fmt.Sprintf("%d:%d %s", f.Line, f.Column, f.Message))
	}
	want := []string{
		"0:0 unable to find an applicable action given the policy scope constraints",
		"4:13 unrecognized action `Action::\"deploy\"`",
		"3:16 unrecognized entity type `Team`",
	}
	if strings.Join(positions, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings =\n%s\nwant\n%s", strings.Join(positions, "\n"), strings.Join(want, "\n"))
	}
}

func TestLocateSubject(t *testing.T) {
	tests := []struct {
		text, msg string
		line, col int
	}{
		{`permit (principal in Jit::Team::"x", action, resource);`, "unrecognized entity type `Jit::Team`", 1, 22},
		{`permit (principal in Jit::Team::"x", action, resource);`, "unrecognized entity type `Team`", 0, 0},
		{`when { principal in Team::"x" || principal in Team::"y" }`, "unrecognized entity type `Team`", 1, 21},
		{`when { action == Action::"d\u{65}ploy" }`, "unrecognized action `Action::\"deploy\"`", 1, 18},
		{`when { context has a.b && context.a.b }`, "unable to guarantee safety of access to optional attribute `a.b`", 1, 35},
		{`when { context.a.c && context["a"] && context.a.b }`, "attribute `a.b` not found", 1, 47},
		{`when { context["a"] }`, "attribute `a` not found", 1, 16},
		{`when { context.reason == "" }`, "the types String and Long are not compatible", 0, 0},
		{`when { "unterminated }`, "unrecognized entity type `X`", 0, 0},
	}
	for _, tt := range tests {
		if line, col := locateSubject(tt.text, tt.msg); line != tt.line || col != tt.col {
			t.Errorf("locateSubject(%q, %q) = %d:%d, want %d:%d", tt.text, tt.msg, line, col, tt.line, tt.col)
		}
	}
}
