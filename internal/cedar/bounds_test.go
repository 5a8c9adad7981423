package cedar

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// deepBodies are conditions bodies (inside `when { }`) that nest about n
// levels deep in each way cedar-go recurses on or builds a deep tree from.
var deepBodies = map[string]func(n int) string{
	"parentheses": func(n int) string { return strings.Repeat("(", n) + "true" + strings.Repeat(")", n) },
	"sets":        func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) + ".isEmpty()" },
	"records":     func(n int) string { return strings.Repeat("{a:", n) + "1" + strings.Repeat("}", n) + ".a == 1" },
	"not":         func(n int) string { return strings.Repeat("!", n) + "true" },
	"negation":    func(n int) string { return strings.Repeat("-", n) + "1 == 1" },
	"spaced negation": func(n int) string {
		return strings.Repeat("- ", n) + "1 == 1"
	},
	"if in then": func(n int) string {
		return strings.Repeat("if true then ", n) + "true" + strings.Repeat(" else false", n)
	},
	"if in else": func(n int) string { return strings.Repeat("if false then true else ", n) + "true" },
	"if in if": func(n int) string {
		return strings.Repeat("if ", n) + "true" + strings.Repeat(" then true else true", n)
	},
	"addition":     func(n int) string { return "1" + strings.Repeat(" + 1", n) + " == 1" },
	"product":      func(n int) string { return "1" + strings.Repeat("*1", n) + " == 1" },
	"and":          func(n int) string { return "true" + strings.Repeat(" && true", n) },
	"or":           func(n int) string { return "true" + strings.Repeat(" || true", n) },
	"access":       func(n int) string { return "context" + strings.Repeat(".a", n) },
	"index":        func(n int) string { return "context" + strings.Repeat(`["a"]`, n) },
	"has":          func(n int) string { return "context has a" + strings.Repeat(".a", n) },
	"method chain": func(n int) string { return "[]" + strings.Repeat(".contains(1)", n) },
	"method args":  func(n int) string { return strings.Repeat("[].contains(", n) + "1" + strings.Repeat(")", n) },
	"function args": func(n int) string {
		return strings.Repeat(`ip(`, n) + `"1.2.3.4"` + strings.Repeat(")", n) + `.isIpv4()`
	},
	"like": func(n int) string { return strings.Repeat("(", n) + `"a" like "*"` + strings.Repeat(")", n) },
	"is in": func(n int) string {
		return strings.Repeat("(", n) + `principal is User in Group::"a"` + strings.Repeat(")", n)
	},
	"namespace": func(n int) string { return strings.Repeat("A::", n) + `"x" == principal` },
}

// deepText is a policy whose conditions are body(n) with n chosen so that
// the text is about size bytes long.
func deepText(body func(int) string, size int) string {
	const head, tail = "permit (principal, action, resource) when { ", " };"
	unit := len(body(2)) - len(body(1))
	n := max((size-len(head)-len(tail)-len(body(0)))/max(unit, 1), 1)
	return head + body(n) + tail
}

func TestCheckBoundsDeepNesting(t *testing.T) {
	sizes := []int{4 << 10, 60 << 10, 1 << 20}
	if testing.Short() {
		sizes = sizes[:2]
	}
	for name, body := range deepBodies {
		for _, size := range sizes {
			t.Run(fmt.Sprintf("%s/%d", name, size), func(t *testing.T) {
				text := deepText(body, size)
				start := time.Now()
				for _, parse := range []struct {
					name string
					f    func(string) error
				}{
					{"ParseOne", func(s string) error { _, err := ParseOne(s); return err }},
					{"Format", func(s string) error { _, err := Format(s); return err }},
					{"Decompose", func(s string) error { _, err := Decompose(s); return err }},
					{"SplitPolicySet", func(s string) error { _, err := SplitPolicySet(s); return err }},
				} {
					err := parse.f(text)
					var le *LimitError
					if !errors.As(err, &le) || le.Limit != LimitDepth {
						t.Fatalf("%s of %d bytes: got %v, want the depth limit", parse.name, len(text), err)
					}
					if !strings.Contains(err.Error(), "limit of 128 levels") || le.Line != 1 || le.Column <= 0 {
						t.Errorf("%s: error %q (line %d, column %d) does not name the limit and where", parse.name, err, le.Line, le.Column)
					}
				}
				if d := time.Since(start); d > 5*time.Second {
					t.Errorf("took %v", d)
				}
			})
		}
	}
}

// TestCheckBoundsRealRules: nesting a little below the limit parses, and
// real rules are far from it.
func TestCheckBoundsShallow(t *testing.T) {
	for name, body := range deepBodies {
		text := "permit (principal, action, resource) when { " + body(40) + " };"
		if err := CheckBounds(text, 0); err != nil {
			t.Errorf("%s at 40 levels: %v", name, err)
		}
	}
	for _, text := range []string{
		`permit (principal in Group::"sre", action in [Action::"request_access", Action::"extend"], resource is AwsAccount)
		 when { context.duration_seconds <= 3600 && context has ticket_id && context.ticket_id like "INC-*" }
		 unless { !context.mfa_authenticated || (principal has team && principal.team == "x") };`,
		strings.Repeat(`permit (principal, action, resource) when { [1, 2, 3].contains(1) && {a: {b: [1]}}.a.b.isEmpty() };`, 1000),
	} {
		if depth, _, ok := policyDepth(text, MaxDepth); !ok || depth > 12 {
			t.Errorf("depth %d (ok %v) of a real rule", depth, ok)
		}
	}
	// 40 terms joined by && in one clause pass; 200 pass in clauses of 20.
	terms := strings.TrimSuffix(strings.Repeat("context.duration_seconds <= 3600 && ", 40), " && ")
	if err := CheckBounds("permit (principal, action, resource) when { "+terms+" };", 0); err != nil {
		t.Errorf("40 terms: %v", err)
	}
	clause := "when { " + strings.TrimSuffix(strings.Repeat("principal.team == \"a\" && ", 20), " && ") + " }\n"
	if _, err := ParseOne("permit (principal, action, resource)\n" + strings.Repeat(clause, 10) + ";"); err != nil {
		t.Errorf("10 clauses of 20 terms: %v", err)
	}
	// Width is not depth: long sets, records, argument lists and many
	// clauses.
	wide := "permit (principal, action, resource) when { [" + strings.Repeat("1 + 1, ", 5000) + "1].isEmpty() }" +
		strings.Repeat(" when { true && true }", 5000) + ";"
	if _, err := ParseOne(wide); err != nil {
		t.Errorf("wide policy: %v", err)
	}
}

func TestCheckBoundsDepthCounts(t *testing.T) {
	for _, tc := range []struct {
		text  string
		depth int
	}{
		{"", 0},
		{"a", 0},
		{"((a))", 2},
		{"a.b.c", 2},
		{"if x then !y else z", 2},
		{"(a) + 1 + 1", 3},
		{"[a + b, c]", 2},
		{`x["a"]["b"]`, 3},
		{"A::B::C", 2},
		{`"((((" /* (((( */ // ((((`, 0},
		{"permit (principal, action, resource) when { true };", 1},
		{"((((", 4},
	} {
		if depth, _, ok := policyDepth(tc.text, MaxDepth); !ok || depth != tc.depth {
			t.Errorf("depth of %q: %d (ok %v), want %d", tc.text, depth, ok, tc.depth)
		}
	}
}

func TestCheckBoundsLength(t *testing.T) {
	err := CheckBounds(strings.Repeat("é", 11), 10)
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != LimitLength || le.Max != 10 || le.Actual != 11 ||
		err.Error() != "the Cedar text is 11 characters long, over the limit of 10 characters" {
		t.Fatalf("got %#v (%v)", err, err)
	}
	if err := CheckBounds(strings.Repeat("é", 10), 10); err != nil {
		t.Fatalf("10 characters (20 bytes) at a limit of 10: %v", err)
	}
	// The parsing functions bound every text at MaxTextLength.
	long := "permit (principal, action, resource);" + strings.Repeat(" ", MaxTextLength)
	if _, err := SplitPolicySet(long); !errors.As(err, &le) || le.Limit != LimitLength || le.Max != MaxTextLength {
		t.Fatalf("SplitPolicySet of %d characters: %v", len(long), err)
	}
	if _, err := ParseSchema(long); !errors.As(err, &le) || le.Limit != LimitLength {
		t.Fatalf("ParseSchema of %d characters: %v", len(long), err)
	}
}

func TestParseSchemaDeepNesting(t *testing.T) {
	for name, text := range map[string]string{
		"records":   "entity U = " + strings.Repeat("{a: ", 200000) + "Long" + strings.Repeat("}", 200000) + ";",
		"sets":      "entity U = {a: " + strings.Repeat("Set<", 200000) + "Long" + strings.Repeat(">", 200000) + "};",
		"namespace": "entity U = {a: " + strings.Repeat("A::", 300000) + "B};",
		// A string the policy scanner rejects does not end the scan.
		"after an odd string": "@doc(\"\\q\") entity U = {a: " + strings.Repeat("A::", 300000) + "B};",
	} {
		start := time.Now()
		_, err := ParseSchema(text)
		var le *LimitError
		if !errors.As(err, &le) || le.Limit != LimitDepth || !strings.Contains(err.Error(), "limit of 128 levels") {
			t.Errorf("%s: got %v, want the depth limit", name, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: took %v", name, d)
		}
	}
	// The default schema and nesting below the limit load.
	if _, err := ParseSchema(DefaultSchema()); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseSchema("entity U = " + strings.Repeat("{a: ", 50) + "Long" + strings.Repeat("}", 50) + ";"); err != nil {
		t.Fatal(err)
	}
}
