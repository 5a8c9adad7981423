package cedar

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// validRule is a well-shaped rule used as the base of many test cases.
func validRule() Rule {
	return Rule{
		Effect:          EffectPermit,
		Principal:       Scope{Type: ScopeIn, EntityType: "Group", EntityID: "sre"},
		ActionScopeType: ScopeIn,
		ActionIDs:       []string{"request_access", "approve"},
		Resource:        Scope{Type: ScopeIs, EntityType: "AwsAccount"},
		Conditions:      "when { context.duration_seconds <= 3600 }",
	}
}

// brief renders findings as "TYPE code location" lines for comparison.
func brief(fs []Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = fmt.Sprintf("%s %s %s", f.Type, f.Code, f.Location)
		if f.Message == "" {
			out[i] += " (no message)"
		}
	}
	return out
}

func TestCheckShape(t *testing.T) {
	tests := []struct {
		name   string
		modify func(r *Rule)
		want   []string
	}{
		{"valid", func(r *Rule) {}, nil},
		{"forbid", func(r *Rule) { r.Effect = EffectForbid }, nil},
		{"effect empty", func(r *Rule) { r.Effect = "" }, []string{"ERROR invalid_effect effect"}},
		{"effect uppercase", func(r *Rule) { r.Effect = "PERMIT" }, []string{"ERROR invalid_effect effect"}},

		// principal: every scope type, valid and invalid
		{"principal any", func(r *Rule) { r.Principal = Scope{Type: ScopeAny} }, nil},
		{"principal any with type", func(r *Rule) { r.Principal = Scope{Type: ScopeAny, EntityType: "User"} },
			[]string{"ERROR unexpected_field principal_entity_type"}},
		{"principal any with id", func(r *Rule) { r.Principal = Scope{Type: ScopeAny, EntityID: "alice"} },
			[]string{"ERROR unexpected_field principal_entity_id"}},
		{"principal eq", func(r *Rule) { r.Principal = Scope{Type: ScopeEq, EntityType: "User", EntityID: "alice"} }, nil},
		{"principal eq namespaced", func(r *Rule) { r.Principal = Scope{Type: ScopeEq, EntityType: "Corp::Iam::User", EntityID: "alice"} }, nil},
		{"principal eq odd id", func(r *Rule) { r.Principal = Scope{Type: ScopeEq, EntityType: "User", EntityID: "a \"b\"\n\\c 😀"} }, nil},
		{"principal eq no type", func(r *Rule) { r.Principal = Scope{Type: ScopeEq, EntityID: "alice"} },
			[]string{"ERROR missing_field principal_entity_type"}},
		{"principal eq no id", func(r *Rule) { r.Principal = Scope{Type: ScopeEq, EntityType: "User"} },
			[]string{"ERROR missing_field principal_entity_id"}},
		{"principal eq nothing", func(r *Rule) { r.Principal = Scope{Type: ScopeEq} },
			[]string{"ERROR missing_field principal_entity_type", "ERROR missing_field principal_entity_id"}},
		{"principal in", func(r *Rule) { r.Principal = Scope{Type: ScopeIn, EntityType: "Group", EntityID: "sre"} }, nil},
		{"principal in no id", func(r *Rule) { r.Principal = Scope{Type: ScopeIn, EntityType: "Group"} },
			[]string{"ERROR missing_field principal_entity_id"}},
		{"principal in no type", func(r *Rule) { r.Principal = Scope{Type: ScopeIn, EntityID: "sre"} },
			[]string{"ERROR missing_field principal_entity_type"}},
		{"principal is", func(r *Rule) { r.Principal = Scope{Type: ScopeIs, EntityType: "User"} }, nil},
		{"principal is with id", func(r *Rule) { r.Principal = Scope{Type: ScopeIs, EntityType: "User", EntityID: "alice"} },
			[]string{"ERROR unexpected_field principal_entity_id"}},
		{"principal is no type", func(r *Rule) { r.Principal = Scope{Type: ScopeIs} },
			[]string{"ERROR missing_field principal_entity_type"}},
		{"principal is_in", func(r *Rule) {
			r.Principal = Scope{Type: ScopeIsIn, EntityType: "User", EntityID: "sre", InEntityType: "Group"}
		}, nil},
		{"principal is_in same type", func(r *Rule) { r.Principal = Scope{Type: ScopeIsIn, EntityType: "Group", EntityID: "sre"} }, nil},
		{"principal is_in no id", func(r *Rule) { r.Principal = Scope{Type: ScopeIsIn, EntityType: "User", InEntityType: "Group"} },
			[]string{"ERROR missing_field principal_entity_id"}},
		{"principal is_in no type", func(r *Rule) { r.Principal = Scope{Type: ScopeIsIn, EntityID: "sre"} },
			[]string{"ERROR missing_field principal_entity_type"}},
		{"principal is_in bad in type", func(r *Rule) {
			r.Principal = Scope{Type: ScopeIsIn, EntityType: "User", EntityID: "sre", InEntityType: "Gr oup"}
		},
			[]string{"ERROR invalid_entity_type principal_entity_type"}},
		{"principal in type outside is_in", func(r *Rule) {
			r.Principal = Scope{Type: ScopeIn, EntityType: "User", EntityID: "sre", InEntityType: "Group"}
		},
			[]string{"ERROR unexpected_field principal_entity_type"}},
		{"principal unknown scope type", func(r *Rule) { r.Principal = Scope{Type: "like", EntityType: "User"} },
			[]string{"ERROR invalid_scope_type principal_scope_type"}},
		{"principal empty scope type", func(r *Rule) { r.Principal = Scope{} },
			[]string{"ERROR invalid_scope_type principal_scope_type"}},
		{"principal scope type uppercase", func(r *Rule) { r.Principal = Scope{Type: "EQ", EntityType: "User", EntityID: "a"} },
			[]string{"ERROR invalid_scope_type principal_scope_type"}},

		// entity type syntax
		{"entity type with quote", func(r *Rule) { r.Principal.EntityType = `Group::"x"` },
			[]string{"ERROR invalid_entity_type principal_entity_type"}},
		{"entity type reserved word", func(r *Rule) { r.Principal.EntityType = "in" },
			[]string{"ERROR invalid_entity_type principal_entity_type"}},
		{"entity type leading digit", func(r *Rule) { r.Principal.EntityType = "1Group" },
			[]string{"ERROR invalid_entity_type principal_entity_type"}},
		{"entity type trailing ::", func(r *Rule) { r.Principal.EntityType = "Ns::" },
			[]string{"ERROR invalid_entity_type principal_entity_type"}},
		{"entity type single colon", func(r *Rule) { r.Principal.EntityType = "Ns:Group" },
			[]string{"ERROR invalid_entity_type principal_entity_type"}},
		{"entity type non-ascii", func(r *Rule) { r.Principal.EntityType = "Grüppe" },
			[]string{"ERROR invalid_entity_type principal_entity_type"}},
		{"entity type injection", func(r *Rule) { r.Principal.EntityType = "Group::\"a\", action, resource);\npermit(principal" },
			[]string{"ERROR invalid_entity_type principal_entity_type"}},

		// resource uses its own locations
		{"resource any", func(r *Rule) { r.Resource = Scope{Type: ScopeAny} }, nil},
		{"resource eq", func(r *Rule) { r.Resource = Scope{Type: ScopeEq, EntityType: "AwsAccount", EntityID: "123456789012"} }, nil},
		{"resource in", func(r *Rule) { r.Resource = Scope{Type: ScopeIn, EntityType: "AwsAccount", EntityID: "123456789012"} }, nil},
		{"resource is_in", func(r *Rule) {
			r.Resource = Scope{Type: ScopeIsIn, EntityType: "AwsRole", EntityID: "123456789012", InEntityType: "AwsAccount"}
		}, nil},
		{"resource any with both", func(r *Rule) { r.Resource = Scope{Type: ScopeAny, EntityType: "AwsAccount", EntityID: "1"} },
			[]string{"ERROR unexpected_field resource_entity_type", "ERROR unexpected_field resource_entity_id"}},
		{"resource eq no id", func(r *Rule) { r.Resource = Scope{Type: ScopeEq, EntityType: "AwsAccount"} },
			[]string{"ERROR missing_field resource_entity_id"}},
		{"resource is bad type", func(r *Rule) { r.Resource = Scope{Type: ScopeIs, EntityType: "Aws Account"} },
			[]string{"ERROR invalid_entity_type resource_entity_type"}},
		{"resource unknown scope type", func(r *Rule) { r.Resource = Scope{Type: "in_set"} },
			[]string{"ERROR invalid_scope_type resource_scope_type"}},

		// actions
		{"action any", func(r *Rule) { r.ActionScopeType, r.ActionIDs = ScopeAny, nil }, nil},
		{"action any with ids", func(r *Rule) { r.ActionScopeType = ScopeAny },
			[]string{"ERROR unexpected_field action_ids"}},
		{"action eq", func(r *Rule) { r.ActionScopeType, r.ActionIDs = ScopeEq, []string{"approve"} }, nil},
		{"action eq none", func(r *Rule) { r.ActionScopeType, r.ActionIDs = ScopeEq, nil },
			[]string{"ERROR missing_field action_ids"}},
		{"action eq two", func(r *Rule) { r.ActionScopeType = ScopeEq },
			[]string{"ERROR too_many_action_ids action_ids"}},
		{"action in one", func(r *Rule) { r.ActionIDs = []string{"approve"} }, nil},
		{"action in none", func(r *Rule) { r.ActionIDs = []string{} },
			[]string{"ERROR missing_field action_ids"}},
		{"action in empty id", func(r *Rule) { r.ActionIDs = []string{"approve", ""} },
			[]string{"ERROR invalid_action_id action_ids"}},
		{"action eq empty id", func(r *Rule) { r.ActionScopeType, r.ActionIDs = ScopeEq, []string{""} },
			[]string{"ERROR invalid_action_id action_ids"}},
		{"action in duplicate", func(r *Rule) { r.ActionIDs = []string{"approve", "deny", "approve"} },
			[]string{"WARN duplicate_action_id action_ids"}},
		{"action odd id", func(r *Rule) { r.ActionIDs = []string{`a"b`, "ü"} }, nil},
		{"action unknown scope type", func(r *Rule) { r.ActionScopeType = "is" },
			[]string{"ERROR invalid_scope_type action_scope_type"}},
		{"action empty scope type", func(r *Rule) { r.ActionScopeType, r.ActionIDs = "", nil },
			[]string{"ERROR invalid_scope_type action_scope_type"}},

		{"conditions are not checked", func(r *Rule) { r.Conditions = "this is not cedar" }, nil},
		{"several problems in field order", func(r *Rule) {
			r.Effect = "allow"
			r.Principal = Scope{Type: ScopeEq}
			r.ActionScopeType = "all"
			r.Resource = Scope{Type: ScopeIs, EntityID: "x"}
		}, []string{
			"ERROR invalid_effect effect",
			"ERROR missing_field principal_entity_type",
			"ERROR missing_field principal_entity_id",
			"ERROR invalid_scope_type action_scope_type",
			"ERROR missing_field resource_entity_type",
			"ERROR unexpected_field resource_entity_id",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validRule()
			tt.modify(&r)
			got := brief(CheckShape(r))
			if !slices.Equal(got, tt.want) {
				t.Errorf("CheckShape() = %q, want %q", got, tt.want)
			}
			if HasErrors(CheckShape(r)) != slices.ContainsFunc(tt.want, func(s string) bool { return strings.HasPrefix(s, "ERROR") }) {
				t.Errorf("HasErrors disagrees with findings %q", got)
			}
		})
	}
}

func TestIsValidEntityType(t *testing.T) {
	tests := map[string]bool{
		"User": true, "_x": true, "a1": true, "AwsPermissionSet": true, "Jitsudo::User": true, "A::B::C": true,
		"": false, "1a": false, "a-b": false, "a b": false, "::User": false, "User::": false, "A:::B": false,
		"A::::B": false, "is": false, "Ns::in": false, "__cedar": false, "__cedar::User": false, "User\n": false,
	}
	for in, want := range tests {
		if got := IsValidEntityType(in); got != want {
			t.Errorf("IsValidEntityType(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestAssemble(t *testing.T) {
	tests := []struct {
		name string
		rule Rule
		want string
	}{
		{"brief example", validRule(), `permit (
  principal in Group::"sre",
  action in [Action::"request_access", Action::"approve"],
  resource is AwsAccount
)
when { context.duration_seconds <= 3600 };`},
		{"all any, no conditions", Rule{
			Effect: EffectForbid, Principal: Scope{Type: ScopeAny}, ActionScopeType: ScopeAny, Resource: Scope{Type: ScopeAny},
		}, "forbid (\n  principal,\n  action,\n  resource\n);"},
		{"eq everywhere", Rule{
			Effect:          EffectPermit,
			Principal:       Scope{Type: ScopeEq, EntityType: "User", EntityID: "alice@example.com"},
			ActionScopeType: ScopeEq, ActionIDs: []string{"request_access"},
			Resource: Scope{Type: ScopeEq, EntityType: "AwsAccount", EntityID: "123456789012"},
		}, "permit (\n  principal == User::\"alice@example.com\",\n  action == Action::\"request_access\",\n  resource == AwsAccount::\"123456789012\"\n);"},
		{"is_in with in type, single action in", Rule{
			Effect:          EffectPermit,
			Principal:       Scope{Type: ScopeIsIn, EntityType: "User", EntityID: "sre", InEntityType: "Group"},
			ActionScopeType: ScopeIn, ActionIDs: []string{"approve"},
			Resource: Scope{Type: ScopeIn, EntityType: "AwsAccount", EntityID: "123"},
		}, "permit (\n  principal is User in Group::\"sre\",\n  action in [Action::\"approve\"],\n  resource in AwsAccount::\"123\"\n);"},
		{"is_in defaulting in type, namespaced", Rule{
			Effect:          EffectPermit,
			Principal:       Scope{Type: ScopeIs, EntityType: "Corp::User"},
			ActionScopeType: ScopeAny,
			Resource:        Scope{Type: ScopeIsIn, EntityType: "Corp::AwsAccount", EntityID: "123"},
		}, "permit (\n  principal is Corp::User,\n  action,\n  resource is Corp::AwsAccount in Corp::AwsAccount::\"123\"\n);"},
		{"ids escaped", Rule{
			Effect:          EffectPermit,
			Principal:       Scope{Type: ScopeEq, EntityType: "User", EntityID: "a\"b\\c\nd\te"},
			ActionScopeType: ScopeEq, ActionIDs: []string{`x"); permit(principal,action,resource`},
			Resource: Scope{Type: ScopeAny},
		}, "permit (\n  principal == User::\"a\\\"b\\\\c\\nd\\te\",\n  action == Action::\"x\\\"); permit(principal,action,resource\",\n  resource\n);"},
		{"conditions trimmed, several clauses", Rule{
			Effect: EffectForbid, Principal: Scope{Type: ScopeAny}, ActionScopeType: ScopeAny, Resource: Scope{Type: ScopeAny},
			Conditions: "\n  when { context.duration_seconds > 28800 }\n  unless { context.mfa_authenticated }\n\n",
		}, "forbid (\n  principal,\n  action,\n  resource\n)\nwhen { context.duration_seconds > 28800 }\n  unless { context.mfa_authenticated };"},
		{"trailing line comment does not eat the semicolon", Rule{
			Effect: EffectPermit, Principal: Scope{Type: ScopeAny}, ActionScopeType: ScopeAny, Resource: Scope{Type: ScopeAny},
			Conditions: "when { true } // always",
		}, "permit (\n  principal,\n  action,\n  resource\n)\nwhen { true } // always\n;"},

		// Invalid shapes never produce parseable text.
		{"invalid effect", Rule{
			Effect: "allow", Principal: Scope{Type: ScopeAny}, ActionScopeType: ScopeAny, Resource: Scope{Type: ScopeAny},
		}, "<invalid effect> (\n  principal,\n  action,\n  resource\n);"},
		{"invalid scopes", Rule{
			Effect:          EffectPermit,
			Principal:       Scope{Type: ScopeAny, EntityType: "User"},
			ActionScopeType: ScopeIn,
			Resource:        Scope{Type: ScopeEq, EntityType: "Aws Account", EntityID: "1"},
		}, "permit (\n  <invalid principal scope>,\n  <invalid action scope>,\n  <invalid resource scope>\n);"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Assemble(tt.rule)
			if got != tt.want {
				t.Errorf("Assemble() =\n%s\nwant\n%s", got, tt.want)
			}
			if Assemble(tt.rule) != got {
				t.Errorf("Assemble is not deterministic")
			}
			shapeOK := !HasErrors(CheckShape(tt.rule))
			if _, err := ParseOne(got); (err == nil) != shapeOK {
				t.Errorf("ParseOne(Assemble()) error = %v; want parse success = %v", err, shapeOK)
			}
		})
	}
}
