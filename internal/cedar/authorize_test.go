package cedar

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

const authzPolicies = `
permit (principal in Group::"sre", action == Action::"request_access", resource)
when { context.duration_seconds <= 14400 };

@id("mfa")
forbid (principal, action == Action::"request_access", resource)
unless { context.mfa_authenticated };

permit (principal == User::"alice", action, resource);
`

// jsonValue decodes s as NewQuery's callers do.
func jsonValue(t *testing.T, s string) any {
	t.Helper()
	var v any
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestAuthorize(t *testing.T) {
	ps, err := ParsePolicySet(authzPolicies)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ps.IDs(), []string{"policy0", "mfa", "policy2"}; !slices.Equal(got, want) {
		t.Fatalf("IDs() = %q, want %q", got, want)
	}
	entities := jsonValue(t, `[{"uid": "User::\"alice\"", "parents": ["Group::\"sre\""]}, {"uid": {"type": "User", "id": "bob"}, "attrs": {}, "parents": []}]`)
	tests := []struct {
		name, request, decision string
		reasons, errors         []string
	}{
		{"sre with mfa", `{"principal": "User::\"alice\"", "action": "Action::\"request_access\"", "resource": "AwsAccount::\"1\"", "context": {"duration_seconds": 3600, "mfa_authenticated": true}}`,
			DecisionAllow, []string{"policy0", "policy2"}, nil},
		{"forbid wins", `{"principal": "User::\"alice\"", "action": "Action::\"request_access\"", "resource": "AwsAccount::\"1\"", "context": {"duration_seconds": 3600, "mfa_authenticated": false}}`,
			DecisionDeny, []string{"mfa"}, nil},
		{"nothing permits", `{"principal": {"type": "User", "id": "bob"}, "action": {"__entity": {"type": "Action", "id": "approve"}}, "resource": "AwsAccount::\"1\""}`,
			DecisionDeny, nil, nil},
		{"evaluation errors are skipped", `{"principal": "User::\"alice\"", "action": "Action::\"request_access\"", "resource": "AwsAccount::\"1\"", "context": {}}`,
			DecisionAllow, []string{"policy2"}, []string{"policy0", "mfa"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := NewQuery(jsonValue(t, tt.request), entities, nil)
			if err != nil {
				t.Fatal(err)
			}
			a := ps.Authorize(q)
			var errs []string
			for _, e := range a.Errors {
				errs = append(errs, e.Policy)
				if e.Message == "" {
					t.Errorf("error of %s has no message", e.Policy)
				}
			}
			if a.Decision != tt.decision || !slices.Equal(a.Reasons, append([]string{}, tt.reasons...)) || !slices.Equal(errs, tt.errors) {
				t.Errorf("Authorize = %s %q errors %q, want %s %q errors %q", a.Decision, a.Reasons, errs, tt.decision, tt.reasons, tt.errors)
			}
		})
	}
}

func TestParsePolicySetErrors(t *testing.T) {
	_, err := ParsePolicySet(`@id("x") permit (principal, action, resource); @id("x") forbid (principal, action, resource);`)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Arg != ArgPolicies || !strings.Contains(ie.Message, `"x"`) {
		t.Errorf("duplicate @id: err = %v, want an InputError of policies naming x", err)
	}
	_, err = ParsePolicySet(`permit (principal, action, resource) when { 1 + };`)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 1 {
		t.Errorf("syntax error: err = %v, want a *SyntaxError with a position", err)
	}
	if ps, err := ParsePolicySet("// nothing\n"); err != nil || len(ps.IDs()) != 0 {
		t.Errorf("empty text: %v, %v", ps, err)
	}
	_, err = NewPolicySet([]Statement{{ID: "r1", Text: "permit (principal, action, resource);"}, {ID: "r2", Text: "permit (principal, action, resource); forbid (principal, action, resource);"}})
	if !errors.As(err, &ie) || ie.Path != "r2" {
		t.Errorf("NewPolicySet with two policies in one statement: err = %v, want an InputError at r2", err)
	}
}

func TestNewQueryErrors(t *testing.T) {
	const ok = `"principal": "User::\"a\"", "action": "Action::\"go\"", "resource": "Doc::\"d\""`
	schema, err := ParseSchema(DefaultSchema())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, request, entities string
		schema                  bool
		arg, path, message      string
	}{
		{"not an object", `"User::\"a\""`, `[]`, false, ArgRequest, "", "must be an object"},
		{"unknown member", `{` + ok + `, "who": 1}`, `[]`, false, ArgRequest, "who", "unknown member"},
		{"missing principal", `{"action": "Action::\"go\"", "resource": "Doc::\"d\""}`, `[]`, false, ArgRequest, "principal", "is missing"},
		{"bad reference", `{"principal": "alice", "action": "Action::\"go\"", "resource": "Doc::\"d\""}`, `[]`, false, ArgRequest, "principal", `"alice" is not an entity reference`},
		{"bad type", `{"principal": {"type": "in", "id": "a"}, "action": "Action::\"go\"", "resource": "Doc::\"d\""}`, `[]`, false, ArgRequest, "principal", "not a Cedar entity type"},
		{"context not a record", `{` + ok + `, "context": [1]}`, `[]`, false, ArgRequest, "context", "must be an object"},
		{"null in context", `{` + ok + `, "context": {"a": {"b": null}}}`, `[]`, false, ArgRequest, "context", "context.a.b is null"},
		{"fraction", `{` + ok + `, "context": {"a": 1.5}}`, `[]`, false, ArgRequest, "context", "Long"},
		{"entities not a list", `{` + ok + `}`, `{}`, false, ArgEntities, "", "must be a list"},
		{"entity without uid", `{` + ok + `}`, `[{"attrs": {}}]`, false, ArgEntities, "[0].uid", "is missing"},
		{"entity twice", `{` + ok + `}`, `[{"uid": "User::\"a\""}, {"uid": {"type": "User", "id": "a"}}]`, false, ArgEntities, "[1].uid", "listed twice"},
		{"bad parent", `{` + ok + `}`, `[{"uid": "User::\"a\"", "parents": ["sre"]}]`, false, ArgEntities, "[0].parents[0]", "not an entity reference"},
		{"unknown entity member", `{` + ok + `}`, `[{"uid": "User::\"a\"", "parent": []}]`, false, ArgEntities, "[0].parent", "unknown member"},
		{"request against schema", `{` + ok + `}`, `[]`, true, ArgRequest, "", "does not match the schema"},
		{"entity of an undeclared type", `{"principal": "User::\"a\"", "action": "Action::\"approve\"", "resource": "AwsAccount::\"1\"", "context": {"duration_seconds": 60, "reason": "r", "mfa_authenticated": true}}`,
			`[{"uid": "User::\"a\"", "attrs": {"email": "a@example.com"}}, {"uid": "Robot::\"r\""}]`, true, ArgEntities, "[1]", `Robot::"r" does not match the schema: entity type "Robot" not found in schema`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s *Schema
			if tt.schema {
				s = schema
			}
			_, err := NewQuery(jsonValue(t, tt.request), jsonValue(t, tt.entities), s)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an *InputError", err)
			}
			if ie.Arg != tt.arg || ie.Path != tt.path || !strings.Contains(ie.Message, tt.message) {
				t.Errorf("err = %q (arg %q, path %q), want arg %q, path %q, message containing %q", ie, ie.Arg, ie.Path, tt.arg, tt.path, tt.message)
			}
		})
	}
}

func TestNewQuerySchemaActions(t *testing.T) {
	// With a schema, its action entities are added: a policy on an action
	// group matches its members without the caller listing them.
	s, err := ParseSchema(`entity User; entity Doc; action read, write in [all] appliesTo { principal: User, resource: Doc }; action all;`)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := ParsePolicySet(`permit (principal, action in Action::"all", resource);`)
	if err != nil {
		t.Fatal(err)
	}
	req := jsonValue(t, `{"principal": "User::\"u\"", "action": "Action::\"read\"", "resource": "Doc::\"d\""}`)
	for _, tt := range []struct {
		schema *Schema
		want   string
	}{{nil, DecisionDeny}, {s, DecisionAllow}} {
		q, err := NewQuery(req, nil, tt.schema)
		if err != nil {
			t.Fatal(err)
		}
		if got := ps.Authorize(q).Decision; got != tt.want {
			t.Errorf("schema %v: decision %s, want %s", tt.schema != nil, got, tt.want)
		}
	}
}

func TestAuthorizeFirstApplicable(t *testing.T) {
	set := func(id, text string) *PolicySet {
		ps, err := NewPolicySet([]Statement{{ID: id, Text: text}})
		if err != nil {
			t.Fatal(err)
		}
		return ps
	}
	other := set("other", `permit (principal == User::"nobody", action, resource);`)
	broken := set("broken", `permit (principal, action, resource) when { principal.missing };`)
	deny := set("deny", `forbid (principal, action, resource);`)
	allow := set("allow", `permit (principal, action, resource);`)
	q, err := NewQuery(jsonValue(t, `{"principal": "User::\"u\"", "action": "Action::\"go\"", "resource": "Doc::\"d\""}`), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		sets     []*PolicySet
		index    int
		decision string
		errors   int
	}{
		{"the first that applies decides", []*PolicySet{other, broken, allow, deny}, 2, DecisionAllow, 1},
		{"a forbid first", []*PolicySet{deny, allow}, 0, DecisionDeny, 0},
		{"none applies", []*PolicySet{other, broken}, -1, DecisionDeny, 1},
		{"no sets", nil, -1, DecisionDeny, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i, a := AuthorizeFirstApplicable(tt.sets, q)
			if i != tt.index || a.Decision != tt.decision || len(a.Errors) != tt.errors {
				t.Errorf("= %d, %s with %d errors; want %d, %s with %d errors", i, a.Decision, len(a.Errors), tt.index, tt.decision, tt.errors)
			}
		})
	}
}

func TestParseEntityRef(t *testing.T) {
	for _, s := range []string{`User::"alice"`, ` Jitsudo::Action::"approve" `, `User::"with \"quote\""`} {
		if _, err := ParseEntityRef(s); err != nil {
			t.Errorf("ParseEntityRef(%q): %v", s, err)
		}
	}
	for _, s := range []string{``, `User`, `User::alice`, `User::"a" extra`, `"a"`, `::"a"`} {
		if _, err := ParseEntityRef(s); err == nil {
			t.Errorf("ParseEntityRef(%q) succeeded, want an error", s)
		}
	}
}
