package cedar

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// posOf returns the 1-based line and rune column of the first occurrence of
// marker in text.
func posOf(t *testing.T, text, marker string) (int, int) {
	t.Helper()
	i := strings.Index(text, marker)
	if i < 0 {
		t.Fatalf("marker %q not in %q", marker, text)
	}
	before := text[:i]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	return line, col
}

func TestParseOneAccepts(t *testing.T) {
	tests := []string{
		`permit (principal, action, resource);`,
		"// leading comment\n@id(\"r1\")\nforbid(principal,action,resource) // trailing comment\n;\n\n// and another\n",
		`permit (principal, action, resource) when { context.reason == "?principal ?resource" };`,
		"permit (principal, action, resource) when { context.reason == \"// not a comment\" && context.reason != \"\\\"?principal\" };",
		"permit (principal, action, resource) when { context.reason == \"a\nb\" };", // Cedar allows a raw newline in a string
		"permit\u00a0(principal,\u3000action,\u2028resource)\v;",                    // and any Unicode white space between tokens
		"permit (principal, action, resource) // a lone CR ends a comment\r;",
		"permit (principal, action, resource) when { !!!!context.mfa_authenticated && ----1 < 0 };",
		"permit (principal, action, resource) unless { true } when { -1.duration_seconds == 1 };", // -(1.duration_seconds), as Cedar reads it
		"permit (principal, action, resource) when { context.is_principal }; // ?principal in a comment",
		Assemble(validRule()),
	}
	for _, text := range tests {
		p, err := ParseOne(text)
		if err != nil || p == nil {
			t.Errorf("ParseOne(%q) = %v, %v; want a policy", text, p, err)
		}
	}
}

func TestParseOneCountErrors(t *testing.T) {
	tests := []struct {
		text string
		want string
	}{
		{"", "expected exactly one policy, found 0"},
		{"  \n\t", "expected exactly one policy, found 0"},
		{"// just a comment", "expected exactly one policy, found 0"},
		{"permit (principal, action, resource);\nforbid (principal, action, resource);", "expected exactly one policy, found 2"},
		// Injection through conditions produces a second policy.
		{Assemble(Rule{
			Effect: EffectForbid, Principal: Scope{Type: ScopeAny}, ActionScopeType: ScopeAny, Resource: Scope{Type: ScopeAny},
			Conditions: "when { false }; permit (principal, action, resource) when { true }",
		}), "expected exactly one policy, found 2"},
	}
	for _, tt := range tests {
		_, err := ParseOne(tt.text)
		var se *SyntaxError
		if err == nil || errors.As(err, &se) || err.Error() != tt.want {
			t.Errorf("ParseOne(%q) error = %#v, want plain error %q", tt.text, err, tt.want)
		}
	}
}

func TestParseOneSyntaxErrors(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		marker  string // where the error is reported (first occurrence); "" means no position
		message string // substring of SyntaxError.Message
	}{
		{
			name:    "template principal slot",
			text:    "permit (\n  principal == ?principal,\n  action,\n  resource\n);",
			marker:  "?principal",
			message: "templates are not supported",
		},
		{
			name:    "template resource slot after a string with a slot",
			text:    "permit (principal, action, resource in ?resource)\nwhen { context.reason == \"?resource\" };",
			marker:  "?resource)",
			message: "?resource",
		},
		{
			name:    "NUL byte",
			text:    "permit (principal, action, resource)\nwhen { 1 \x00 };",
			marker:  "\x00",
			message: "NUL",
		},
		{
			name:    "unterminated string",
			text:    "permit (principal, action, resource)\nwhen { context.reason == \"ü😀\" && \"abc };",
			marker:  "\"abc",
			message: "literal not terminated",
		},
		{
			name:    "error after a string across lines",
			text:    "permit (principal, action, resource) when { context.x == \"a\nb\" +* 1 };",
			marker:  "*",
			message: "",
		},
		{
			name:    "error after a no-break space",
			text:    "permit (principal,\u00a0action, resource) when { context.x +* 1 };",
			marker:  "*",
			message: "",
		},
		{
			name:    "block comment",
			text:    "permit (principal, action, resource)\n\n  /* unterminated };",
			marker:  "/*",
			message: "Cedar has no block comments",
		},
		{
			name:    "block comment after an operand",
			text:    "permit (principal, action, resource) when { true /* c */ };",
			marker:  "* c",
			message: "unexpected token `*`",
		},
		{
			name:    "five unary operators",
			text:    "permit (principal, action, resource) when { !!!!!context.mfa_authenticated };",
			marker:  "!!!!!",
			message: "too many occurrences of `!`",
		},
		{
			name:    "mixed unary operators",
			text:    "permit (principal, action, resource) when { !-1 };",
			marker:  "-1",
			message: "unexpected token `-`",
		},
		{
			// cedar-go reports this one token late, at `3`.
			name:    "bad operator in conditions",
			text:    "permit (principal, action, resource)\nwhen {\n  context.x +* 3\n};",
			marker:  "*",
			message: "invalid primary",
		},
		{
			// cedar-go reports this at the end of input.
			name:    "trailing text",
			text:    "permit (principal, action, resource);\njunk",
			marker:  "junk",
			message: "junk",
		},
		{
			name:    "missing semicolon",
			text:    "permit (principal, action, resource)",
			marker:  ")",
			message: "expected `;`, got end of input",
		},
		{
			name:    "missing comma",
			text:    "permit (\n  principal\n  action,\n  resource\n);",
			marker:  "action",
			message: "expected `,`, got `action`",
		},
		{
			name:    "bad effect",
			text:    "allow (principal, action, resource);",
			marker:  "allow",
			message: "unexpected effect: allow",
		},
		{
			// cedar-go parses this; Cedar does not (see checkActionScope).
			name:    "action scope entity of another type",
			text:    "// comment\n  permit (principal, action in [Action::\"a\", Group::\"sre\"], resource);",
			marker:  "[", // Cedar spans the list
			message: "action scope entities must have type Action (optionally in a namespace), got Group::\"sre\"",
		},
		{
			name:    "action scope entity of another type, no list",
			text:    "permit (principal, action == Group::\"sre\", resource);",
			marker:  "Group",
			message: "action scope entities must have type Action (optionally in a namespace), got Group::\"sre\"",
		},
		{
			// cedar-go reports this without a position.
			name:    "invalid escape",
			text:    `permit (principal, action, resource) when { context.x like "\*" && context.x == "\*" };`,
			marker:  `"\*" }`,
			message: "escape",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseOne(tt.text)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseOne() error = %#v, want *SyntaxError", err)
			}
			if !strings.Contains(se.Message, tt.message) {
				t.Errorf("Message = %q, want it to contain %q", se.Message, tt.message)
			}
			if strings.Contains(se.Message, "<input>") || strings.HasPrefix(se.Message, "parse") {
				t.Errorf("Message = %q still carries cedar-go's prefix", se.Message)
			}
			var line, col int
			if tt.marker != "" {
				line, col = posOf(t, tt.text, tt.marker)
				if tt.marker == ")" { // end of input: one past the marker
					col++
				}
			}
			if se.Line != line || se.Column != col {
				t.Errorf("position = %d:%d, want %d:%d (%s)", se.Line, se.Column, line, col, se)
			}
			if !strings.Contains(se.Error(), se.Message) {
				t.Errorf("Error() = %q does not contain the message", se.Error())
			}
		})
	}
}

func TestFormat(t *testing.T) {
	const want = "permit (\n    principal in Group::\"sre\",\n    action in [Action::\"request_access\", Action::\"approve\"],\n    resource is AwsAccount\n)\nwhen { context.duration_seconds <= 3600 && context.mfa_authenticated };"
	variants := []string{
		"permit(principal in Group::\"sre\",action in [Action::\"request_access\",Action::\"approve\"],resource is AwsAccount)when{context.duration_seconds<=3600&&context.mfa_authenticated};",
		"// SREs may ask for an hour\npermit (\n\tprincipal in Group::\"sre\",   // the group\n\taction in [\n\t\tAction::\"request_access\",\n\t\tAction::\"approve\", // trailing comma below\n\t],\n\tresource is AwsAccount,\n)\nwhen {\n  (context.duration_seconds <= 3600) && (context[\"mfa_authenticated\"])\n};\n",
		"permit\u00a0( principal in Group::\"s\\u{72}e\" , action in [ Action::\"request_access\" , Action::\"approve\" ] , resource is AwsAccount ) when { context.duration_seconds <= 3600 && context.mfa_authenticated } ;",
	}
	for _, v := range variants {
		got, err := Format(v)
		if err != nil {
			t.Fatalf("Format(%q) error: %v", v, err)
		}
		if got != want {
			t.Errorf("Format(%q) =\n%s\nwant\n%s", v, got, want)
		}
		again, err := Format(got)
		if err != nil || again != got {
			t.Errorf("Format is not idempotent: %q, %v", again, err)
		}
	}

	same := []struct{ a, b string }{
		// A one-element action list means the same as `in` the entity.
		{`permit (principal, action in [Action::"approve"], resource);`, `permit (principal, action in Action::"approve", resource);`},
		{Assemble(validRule()), "permit(principal in Group::\"sre\", action in [Action::\"request_access\", Action::\"approve\"], resource is AwsAccount) when { context.duration_seconds <= 3600 };"},
	}
	for _, tt := range same {
		fa, errA := Format(tt.a)
		fb, errB := Format(tt.b)
		if errA != nil || errB != nil || fa != fb {
			t.Errorf("Format(%q) = %q (%v), Format(%q) = %q (%v); want equal", tt.a, fa, errA, tt.b, fb, errB)
		}
	}

	different := []struct{ a, b string }{
		{`permit (principal, action, resource);`, `forbid (principal, action, resource);`},
		{`permit (principal == User::"a", action, resource);`, `permit (principal in User::"a", action, resource);`},
		{`@id("x") permit (principal, action, resource);`, `permit (principal, action, resource);`},
		{`permit (principal, action, resource) when { true };`, `permit (principal, action, resource) unless { true };`},
		{`permit (principal, action, resource) when { context.a == "x" };`, `permit (principal, action, resource) when { context.a == "X" };`},
	}
	for _, tt := range different {
		fa, _ := Format(tt.a)
		fb, _ := Format(tt.b)
		if fa == fb {
			t.Errorf("Format(%q) == Format(%q) = %q; want different", tt.a, tt.b, fa)
		}
	}

	if _, err := Format("permit (principal, action, resource); permit (principal, action, resource);"); err == nil {
		t.Error("Format of two policies: want error")
	}
	var se *SyntaxError
	if _, err := Format("permit (principal, action, resource)"); !errors.As(err, &se) {
		t.Errorf("Format of broken policy: error = %#v, want *SyntaxError", err)
	}
}

func TestSplitPolicySet(t *testing.T) {
	text := `// JIT rules
@id("sre-request")
permit (principal in Group::"sre", action == Action::"request_access", resource is AwsAccount)
when { context.duration_seconds <= 3600 };

// no approvals
// for oneself
forbid (principal, action == Action::"approve", resource)
unless { context.mfa_authenticated };

permit(principal,action,resource);`
	got, err := SplitPolicySet(text)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"@id(\"sre-request\")\npermit (\n    principal in Group::\"sre\",\n    action == Action::\"request_access\",\n    resource is AwsAccount\n)\nwhen { context.duration_seconds <= 3600 };",
		"forbid (\n    principal,\n    action == Action::\"approve\",\n    resource\n)\nunless { context.mfa_authenticated };",
		"permit ( principal, action, resource );",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("SplitPolicySet() =\n%q\nwant\n%q", got, want)
	}
	for _, p := range got {
		if f, err := Format(p); err != nil || f != p {
			t.Errorf("split policy %q is not in Format form: %q, %v", p, f, err)
		}
	}

	for _, empty := range []string{"", " \n", "// nothing here\n"} {
		got, err := SplitPolicySet(empty)
		if err != nil || len(got) != 0 {
			t.Errorf("SplitPolicySet(%q) = %q, %v; want empty", empty, got, err)
		}
	}

	broken := "permit (principal, action, resource);\n\npermit (principal, action, resource)\nwhen { \"x };"
	_, err = SplitPolicySet(broken)
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("SplitPolicySet(broken) error = %#v, want *SyntaxError", err)
	}
	if wantLine, wantCol := posOf(t, broken, `"x`); se.Line != wantLine || se.Column != wantCol {
		t.Errorf("position = %d:%d, want %d:%d", se.Line, se.Column, wantLine, wantCol)
	}

	if _, err := SplitPolicySet("permit (principal == ?principal, action, resource);"); !errors.As(err, &se) {
		t.Errorf("SplitPolicySet(template) error = %#v, want *SyntaxError", err)
	}
}

func TestDecompose(t *testing.T) {
	anyScope := Scope{Type: ScopeAny}
	tests := []struct {
		name string
		text string
		want Rule
	}{
		{"unconstrained", `forbid (principal, action, resource);`,
			Rule{Effect: EffectForbid, Principal: anyScope, ActionScopeType: ScopeAny, Resource: anyScope}},
		{"brief example", Assemble(validRule()), validRule()},
		{"eq scopes", `permit (principal == User::"alice", action == Action::"revoke", resource == AwsRole::"arn:aws:iam::1:role/x");`,
			Rule{
				Effect:          EffectPermit,
				Principal:       Scope{Type: ScopeEq, EntityType: "User", EntityID: "alice"},
				ActionScopeType: ScopeEq, ActionIDs: []string{"revoke"},
				Resource: Scope{Type: ScopeEq, EntityType: "AwsRole", EntityID: "arn:aws:iam::1:role/x"},
			}},
		{"is_in, action in single entity", `permit (principal is User in Group::"sre", action in Action::"approve", resource is AwsRole in AwsRole::"r");`,
			Rule{
				Effect:          EffectPermit,
				Principal:       Scope{Type: ScopeIsIn, EntityType: "User", EntityID: "sre", InEntityType: "Group"},
				ActionScopeType: ScopeIn, ActionIDs: []string{"approve"},
				Resource: Scope{Type: ScopeIsIn, EntityType: "AwsRole", EntityID: "r"},
			}},
		{"namespaced types and actions", `permit (principal in Jit::Group::"sre", action in [Jit::Action::"approve", Action::"deny"], resource is Jit::AwsAccount);`,
			Rule{
				Effect:          EffectPermit,
				Principal:       Scope{Type: ScopeIn, EntityType: "Jit::Group", EntityID: "sre"},
				ActionScopeType: ScopeIn, ActionIDs: []string{"approve", "deny"},
				Resource: Scope{Type: ScopeIs, EntityType: "Jit::AwsAccount"},
			}},
		{"escaped ids", `permit (principal == User::"a\"b\\c\n\u{1F600}", action, resource);`,
			Rule{Effect: EffectPermit, Principal: Scope{Type: ScopeEq, EntityType: "User", EntityID: "a\"b\\c\n😀"}, ActionScopeType: ScopeAny, Resource: anyScope}},
		{"annotations dropped, conditions normalized", `
			@id("x") @advice("be careful")
			permit (principal, action, resource)
			when { context.duration_seconds <= 3600 // one hour
			}
			unless { (context.reason == "") || !(context.mfa_authenticated) }
			when { principal in [Group::"a", Group::"b"] && resource.name like "prod-*\*" };`,
			Rule{Effect: EffectPermit, Principal: anyScope, ActionScopeType: ScopeAny, Resource: anyScope,
				Conditions: "when { context.duration_seconds <= 3600 }\n" +
					"unless { context.reason == \"\" || !context.mfa_authenticated }\n" +
					"when { principal in [Group::\"a\", Group::\"b\"] && resource.name like \"prod-*\\*\" }"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decompose(tt.text)
			if err != nil {
				t.Fatalf("Decompose() error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Decompose() =\n%#v\nwant\n%#v", got, tt.want)
			}
		})
	}

	errorCases := []string{
		`permit (principal, action == Role::"approve", resource);`,
		`permit (principal, action in [Action::"approve", Resource::"x"], resource);`,
		`permit (principal, action, resource); permit (principal, action, resource);`,
		`permit (principal, action, resource)`,
		``,
	}
	for _, text := range errorCases {
		if r, err := Decompose(text); err == nil {
			t.Errorf("Decompose(%q) = %#v, want error", text, r)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	rules := []Rule{
		validRule(),
		{Effect: EffectForbid, Principal: Scope{Type: ScopeAny}, ActionScopeType: ScopeAny, Resource: Scope{Type: ScopeAny}},
		{
			Effect:          EffectPermit,
			Principal:       Scope{Type: ScopeEq, EntityType: "User", EntityID: "o'brien \"the\" \\admin\\\n\t😀"},
			ActionScopeType: ScopeEq, ActionIDs: []string{"request_access"},
			Resource:   Scope{Type: ScopeEq, EntityType: "AwsAccount", EntityID: "123456789012"},
			Conditions: `when { context has ticket_id && context.ticket_id like "OPS-*" }`,
		},
		{
			Effect:          EffectPermit,
			Principal:       Scope{Type: ScopeIsIn, EntityType: "User", EntityID: "sre", InEntityType: "Group"},
			ActionScopeType: ScopeIn, ActionIDs: []string{"approve", "deny", "revoke"},
			Resource:   Scope{Type: ScopeIsIn, EntityType: "AwsPermissionSet", EntityID: "123", InEntityType: "AwsAccount"},
			Conditions: "when { resource.environment != \"prod\" }\nunless { context.reason == \"\" }",
		},
		{
			Effect:          EffectForbid,
			Principal:       Scope{Type: ScopeIs, EntityType: "Corp::User"},
			ActionScopeType: ScopeIn, ActionIDs: []string{"extend"},
			Resource: Scope{Type: ScopeIsIn, EntityType: "Corp::AwsRole", EntityID: "x"},
		},
		{
			// Conditions that are not yet normalized.
			Effect:          EffectPermit,
			Principal:       Scope{Type: ScopeIn, EntityType: "Group", EntityID: "oncall"},
			ActionScopeType: ScopeIn, ActionIDs: []string{"request_access", "extend"},
			Resource:   Scope{Type: ScopeIn, EntityType: "AwsAccount", EntityID: "dev"},
			Conditions: "when {\n  (context.duration_seconds <= 7200) // two hours\n  && context.mfa_authenticated\n}",
		},
	}
	for _, r := range rules {
		if fs := CheckShape(r); HasErrors(fs) {
			t.Fatalf("test rule %#v is not well shaped: %v", r, fs)
		}
		text := Assemble(r)
		if _, err := ParseOne(text); err != nil {
			t.Fatalf("ParseOne(Assemble()) of\n%s\nerror: %v", text, err)
		}
		got, err := Decompose(text)
		if err != nil {
			t.Fatalf("Decompose(%q) error: %v", text, err)
		}
		// Everything but the conditions comes back exactly.
		wantShape, gotShape := r, got
		wantShape.Conditions, gotShape.Conditions = "", ""
		if !reflect.DeepEqual(gotShape, wantShape) {
			t.Errorf("round trip of %q:\n got %#v\nwant %#v", text, gotShape, wantShape)
		}
		// The conditions mean the same: the reassembled texts format equally.
		f1, err1 := Format(text)
		f2, err2 := Format(Assemble(got))
		if err1 != nil || err2 != nil || f1 != f2 {
			t.Errorf("round trip changed the policy:\n%s\n%v\nvs\n%s\n%v", f1, err1, f2, err2)
		}
		// Normalized conditions are a fixed point.
		again, err := Decompose(Assemble(got))
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("second round trip = %#v, %v; want %#v", again, err, got)
		}
	}
}
