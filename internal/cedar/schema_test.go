package cedar

import (
	"slices"
	"strings"
	"testing"

	"github.com/cedar-policy/cedar-go/types"
	"github.com/cedar-policy/cedar-go/x/exp/schema"
)

func TestDefaultSchemaParses(t *testing.T) {
	var s schema.Schema
	if err := s.UnmarshalCedar([]byte(DefaultSchema())); err != nil {
		t.Fatalf("DefaultSchema does not parse: %v", err)
	}
	resolved, err := s.Resolve()
	if err != nil {
		t.Fatalf("DefaultSchema does not resolve: %v", err)
	}
	for _, et := range []types.EntityType{"User", "Group", "AwsAccount", "AwsPermissionSet", "AwsRole"} {
		if _, ok := resolved.Entities[et]; !ok {
			t.Errorf("entity type %s missing", et)
		}
	}
	for _, a := range []string{"request_access", "approve", "deny", "revoke", "extend"} {
		if _, ok := resolved.Actions[types.NewEntityUID("Action", types.String(a))]; !ok {
			t.Errorf("action %s missing", a)
		}
	}
	if len(resolved.Entities) != 5 || len(resolved.Actions) != 5 {
		t.Errorf("got %d entity types and %d actions, want 5 and 5", len(resolved.Entities), len(resolved.Actions))
	}
}

func TestValidatePolicy(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string // substrings of the findings' messages, in order; nil means valid
	}{
		{"brief example", Assemble(validRule()), nil},
		{"unconstrained", `permit (principal, action, resource);`, nil},
		{"every attribute", `permit (
			principal is User in Group::"sre",
			action in [Action::"request_access", Action::"extend"],
			resource is AwsPermissionSet in AwsAccount::"123456789012"
		) when {
			context.duration_seconds <= 3600 && context.reason != "" && context.mfa_authenticated &&
			(context has ticket_id && context.ticket_id like "OPS-*") &&
			principal.email like "*@example.com" && (principal has department && principal.department == "sre") &&
			resource.arn like "arn:aws:sso:::permissionSet/*" && resource.name == "Admin"
		};`, nil},
		{"approvers judge the request context", `forbid (principal, action in [Action::"approve", Action::"deny", Action::"revoke"], resource is AwsRole)
			unless { context.duration_seconds <= 28800 && resource.arn != "" };`, nil},
		{"unknown principal entity type", `permit (principal is Admin, action == Action::"approve", resource);`,
			[]string{"unable to find an applicable action", "unrecognized entity type `Admin`"}},
		{"unknown entity in condition", `permit (principal, action, resource) when { principal in Team::"x" };`,
			[]string{"Team"}},
		{"unknown action", `permit (principal, action == Action::"delete_account", resource);`,
			[]string{"unable to find an applicable action", "unrecognized action `Action::\"delete_account\"`"}},
		{"unknown context attribute", `permit (principal, action == Action::"request_access", resource) when { context.foo };`,
			[]string{"attribute `foo` in context for Action::\"request_access\" not found"}},
		{"unknown context attribute on every action, reported once for all", `permit (principal, action, resource) when { context.foo == 1 };`,
			[]string{
				"attribute `foo` in context for Action::\"approve\", Action::\"deny\", Action::\"extend\", Action::\"request_access\", Action::\"revoke\" not found",
			}},
		{"unknown entity attribute", `permit (principal, action == Action::"request_access", resource is AwsAccount) when { resource.owner == "x" };`,
			[]string{"owner"}},
		{"optional attribute without has", `permit (principal, action == Action::"request_access", resource) when { context.ticket_id == "OPS-1" };`,
			[]string{"ticket_id"}},
		{"type mismatch", `permit (principal, action == Action::"request_access", resource) when { context.duration_seconds == "3600" };`,
			[]string{"Long and String are not compatible"}},
		{"action does not apply to principal type", `permit (principal is Group, action == Action::"approve", resource);`,
			[]string{"unable to find an applicable action"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ValidatePolicy(tt.text, DefaultSchema())
			if err != nil {
				t.Fatalf("ValidatePolicy() error: %v", err)
			}
			var msgs []string
			for _, f := range got {
				if f.Type != FindingWarn || f.Code != CodeSchema || f.Location != "policy_text" || f.Message == "" {
					t.Errorf("unexpected finding shape %+v", f)
				}
				msgs = append(msgs, f.Message)
			}
			if len(msgs) != len(tt.want) {
				t.Fatalf("findings = %q, want %d matching %q", msgs, len(tt.want), tt.want)
			}
			for i := range msgs {
				if !strings.Contains(msgs[i], tt.want[i]) {
					t.Errorf("finding %d = %q, want it to contain %q", i, msgs[i], tt.want[i])
				}
			}
			// Output is stable despite cedar-go's map iteration order.
			for range 5 {
				again, _ := ValidatePolicy(tt.text, DefaultSchema())
				if !slices.Equal(again, got) {
					t.Fatalf("ValidatePolicy is not deterministic: %+v vs %+v", again, got)
				}
			}
		})
	}
}

func TestValidatePolicySyntaxError(t *testing.T) {
	for _, text := range []string{
		`permit (principal, action, resource)`,
		`permit (principal, action, resource); permit (principal, action, resource);`,
		`permit (principal == ?principal, action, resource);`,
	} {
		got, err := ValidatePolicy(text, DefaultSchema())
		if err != nil {
			t.Fatalf("ValidatePolicy(%q) error: %v", text, err)
		}
		if len(got) != 1 || got[0].Type != FindingError || got[0].Code != CodeSyntax || got[0].Location != "policy_text" || got[0].Message == "" {
			t.Errorf("ValidatePolicy(%q) = %+v, want one syntax ERROR", text, got)
		}
	}
}

func TestValidatePolicyBadSchema(t *testing.T) {
	for _, s := range []string{
		"entity User {",                          // does not parse
		"entity User in [Group];",                // does not resolve
		"action a appliesTo { principal: [X] };", // no resource, unknown type
	} {
		if got, err := ValidatePolicy(`permit (principal, action, resource);`, s); err == nil || !strings.Contains(err.Error(), "schema") {
			t.Errorf("ValidatePolicy(schema %q) = %v, %v; want a schema error", s, got, err)
		}
	}
}

func TestValidatePolicyOtherSchema(t *testing.T) {
	const s = `namespace Jit {
		entity Person;
		entity Box;
		action open appliesTo { principal: Person, resource: Box, context: { urgent: Bool } };
	}`
	got, err := ValidatePolicy(`permit (principal is Jit::Person, action == Jit::Action::"open", resource) when { context.urgent };`, s)
	if err != nil || got != nil {
		t.Errorf("ValidatePolicy() = %v, %v; want valid", got, err)
	}
	got, err = ValidatePolicy(`permit (principal is User, action, resource);`, s)
	if err != nil || len(got) == 0 {
		t.Errorf("ValidatePolicy() = %v, %v; want findings", got, err)
	}
}
