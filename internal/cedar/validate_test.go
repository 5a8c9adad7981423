package cedar

import (
	"strings"
	"testing"

	"github.com/cedar-policy/cedar-go/types"
	xast "github.com/cedar-policy/cedar-go/x/exp/ast"
)

// TestValidatePolicyParity: each class of validate.go, with what Cedar
// 4.12 (cedar-wasm) says about it. TestDifferentialAgainstCedarWasm checks
// the same against the reference itself; this test runs without Node.js.
func TestValidatePolicyParity(t *testing.T) {
	const head = `permit (principal, action == Action::"request_access", resource) `
	tests := []struct {
		name, text string
		want       string // a substring of the only finding, or "" for valid
	}{
		// Clauses are one conjunction.
		{"has in an earlier clause guards a later one", head + `when { context has ticket_id } when { context.ticket_id == "x" }`, ""},
		{"has in a when guards an unless", head + `when { context has ticket_id } unless { context.ticket_id == "" }`, ""},
		{"has in a later clause guards nothing", head + `when { context.ticket_id == "x" } when { context has ticket_id }`, "ticket_id"},
		{"unless has guards nothing", head + `unless { context has ticket_id } when { context.ticket_id == "x" }`, "ticket_id"},
		{"a false clause leaves the next unchecked", head + `when { false } when { context.duration_seconds == "x" }`, ""},
		{"but not its entity types", head + `when { false } when { principal in Team::"x" }`, "Team"},
		{"each clause still must be Bool", head + `when { true } when { context.duration_seconds }`, "Bool"},
		// action == literal folds to false.
		{"action == string", head + `when { action == "approve" }`, ""},
		{"action != long", head + `when { action != 1 }`, ""},
		{"string == action", head + `when { "approve" == action }`, ""},
		{"action == an attribute is still a type error", head + `when { action == context.reason }`, "not compatible"},
		{"principal == string is still a type error", head + `when { principal == "x" }`, "not compatible"},
		// Comparisons of different types.
		{"datetime < datetime", head + `when { datetime("2024-01-01") < datetime("2024-02-01") }`, ""},
		{"datetime < Long", head + `when { datetime("2024-01-01") < context.duration_seconds }`, "not compatible"},
		{"Long >= duration", head + `when { 1 >= duration("1h") }`, "not compatible"},
		{"duration <= datetime", head + `when { duration("1h") <= datetime("2024-01-01") }`, "not compatible"},
		{"a mixed comparison in dead code", head + `when { false && 1 < duration("1h") }`, ""},
		// containsAll / containsAny of different entity types.
		{"containsAll of one type", head + `when { [User::"a"].containsAll([User::"b"]) }`, ""},
		{"containsAll across types", head + `when { [User::"a"].containsAll([Group::"b"]) }`, "not compatible"},
		{"containsAny of principal and resource", head + `when { [principal].containsAny([resource]) }`, "not compatible"},
		// Undeclared types after is.
		{"is a declared type", head + `when { resource is AwsAccount }`, ""},
		{"is an undeclared type", head + `when { resource is Bucket }`, "unrecognized entity type `Bucket`"},
		{"is an undeclared type in is-in", head + `when { principal is Robot in Group::"sre" }`, "unrecognized entity type `Robot`"},
		{"is the action type", head + `when { action is Action }`, ""},
		// is ... in checks the in only where the is can hold.
		{"is-in with an impossible is", head + `when { principal is Group in "sre" }`, ""},
		{"is-in with a possible is", head + `when { principal is User in "sre" }`, "unexpected type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			findings, err := ValidatePolicy(tt.text+";", DefaultSchema())
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.want == "" && len(findings) > 0:
				t.Errorf("findings = %+v, want none", findings)
			case tt.want != "" && len(findings) == 0:
				t.Errorf("no findings, want one containing %q", tt.want)
			}
			for _, f := range findings {
				if !strings.Contains(f.Message, tt.want) {
					t.Errorf("finding %q, want one containing %q", f.Message, tt.want)
				}
			}
		})
	}
}

// TestValidatePolicyEnumIDs: an entity literal of an enumerated type must
// name one of its values, in dead code too.
func TestValidatePolicyEnumIDs(t *testing.T) {
	const schema = `entity Color enum ["red", "green"]; entity User { favorite: Color };
action pick appliesTo { principal: User, resource: User };`
	for text, want := range map[string]string{
		`permit (principal, action, resource) when { principal.favorite == Color::"red" };`:           "",
		`permit (principal, action, resource) when { principal.favorite == Color::"blue" };`:          "Color::\"blue\"",
		`permit (principal, action, resource) when { [Color::"red", Color::"blue"].isEmpty() };`:      "Color::\"blue\"",
		`permit (principal, action, resource) when { false && principal.favorite == Color::"blue" };`: "Color::\"blue\"",
	} {
		findings, err := ValidatePolicy(text, schema)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case want == "" && len(findings) > 0:
			t.Errorf("%s: findings = %+v, want none", text, findings)
		case want != "" && (len(findings) == 0 || !strings.Contains(findings[0].Message, want)):
			t.Errorf("%s: findings = %+v, want one about %s", text, findings, want)
		}
	}
}

// TestParseSchemaParity: schemas as Cedar reads them.
func TestParseSchemaParity(t *testing.T) {
	const rest = "entity User; action a appliesTo { principal: User, resource: User };"
	for schema, wantErr := range map[string]string{
		rest:                                                    "",
		"/* c */ " + rest:                                       "block comments",
		"entity G { /* c */ a: Long }; " + rest:                 "block comments",
		`entity G { "/* c */": Long }; ` + rest:                 "",
		"// /* c */\n" + rest:                                   "",
		"entity G { b: Boolean }; " + rest:                      "Boolean",
		"entity G { s: Set<Boolean> }; " + rest:                 "Boolean",
		"type Boolean = Long; entity G { b: Boolean }; " + rest: "reserved",
	} {
		_, err := ParseSchema(schema)
		switch {
		case wantErr == "" && err != nil:
			t.Errorf("ParseSchema(%q) error: %v", schema, err)
		case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
			t.Errorf("ParseSchema(%q) error = %v, want one about %s", schema, err, wantErr)
		}
	}
}

// TestValidatePolicyNoApplicableAction: in a schema in which no action
// applies to anything, Cedar reports every policy.
func TestValidatePolicyNoApplicableAction(t *testing.T) {
	for schema, valid := range map[string]bool{
		"":                          false,
		"entity User;":              false,
		"entity User; action ping;": false,
		"entity User; action ping; action a appliesTo { principal: User, resource: User };": true,
	} {
		findings, err := ValidatePolicy(`permit (principal, action, resource);`, schema)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(findings) == 0; got != valid {
			t.Errorf("schema %q: findings = %+v, want valid = %v", schema, findings, valid)
		}
		if !valid && (len(findings) != 1 || findings[0].Message != msgNoApplicableAction) {
			t.Errorf("schema %q: findings = %+v, want %q", schema, findings, msgNoApplicableAction)
		}
	}
}

// TestValidatePolicyManyClauses: clauses are joined in a balanced tree, so
// a guard in the first clause covers the last one and many clauses do not
// nest deeply.
func TestValidatePolicyManyClauses(t *testing.T) {
	text := `permit (principal, action == Action::"request_access", resource) when { context has ticket_id }` +
		strings.Repeat(" when { context.mfa_authenticated }", 3000) + ` unless { context.ticket_id == "" };`
	findings, err := ValidatePolicy(text, DefaultSchema())
	if err != nil || len(findings) > 0 {
		t.Fatalf("ValidatePolicy() = %+v, %v; want valid", findings, err)
	}
	terms := make([]xast.IsNode, 1000)
	for i := range terms {
		terms[i] = xast.NodeValue{Value: types.True}
	}
	if d := andDepth(conjunction(terms)); d > 10 {
		t.Errorf("a conjunction of 1000 terms nests %d deep, want at most 10", d)
	}
}

func andDepth(n xast.IsNode) int {
	if a, ok := n.(xast.NodeTypeAnd); ok {
		return 1 + max(andDepth(a.Left), andDepth(a.Right))
	}
	return 0
}
