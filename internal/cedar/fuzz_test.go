package cedar

// Fuzz targets of the package (`make fuzz` runs them; plain `go test`
// replays the seeds under testdata/fuzz/). Invariants: nothing panics or
// hangs, errors are of the documented types with positions inside the
// text, and a rule survives the round trip through Cedar text.

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzPolicySeeds are Cedar texts every target starts from (besides the
// seed files).
var fuzzPolicySeeds = []string{
	"permit (principal, action, resource);",
	`permit (principal in Group::"sre", action in [Action::"request_access", Action::"extend"], resource is AwsAccount) when { context.duration_seconds <= 3600 };`,
	`forbid (principal is User in Group::"x", action == Action::"approve", resource is AwsRole in AwsAccount::"1") unless { context.mfa_authenticated } when { context has ticket_id && context.ticket_id like "INC-*" };`,
	`@id("a") permit (principal == NS::User::"a\"b", action in NS::Action::"x", resource in NS::AwsAccount::"1") when { if principal.a then [1, -2].contains(3) else {a: "b"}.a == "b" };`,
	"permit (principal, action, resource) when { (((true))) };\nforbid (principal, action, resource);",
	"permit (principal == ?principal, action, resource);",
	"permit (principal, action, resource) when { 1 + };",
	"permit (principal, action, resource) when { \"unterminated };",
	"/* comment */ permit (principal, action, resource) // end\n;",
	"permit (principal, action, resource) when { ip(\"1.2.3.4\").isInRange(ip(\"1.2.3.0/24\")) && decimal(\"1.5\") < decimal(\"2\") };",
	"permit (principal, action, resource) when { !!-1 == - -1 && context[\"a b\"].c.d has e.f };",
	"permit (principal, action == Group::\"sre\", resource);",
	"permit (principal, action, resource) when { ((((((((((((((((((((true)))))))))))))))))))) };",
}

// checkParseError fails unless err is one of the documented error types of
// the parsing functions, positioned inside text.
func checkParseError(t *testing.T, text string, err error) {
	t.Helper()
	var (
		se *SyntaxError
		ce *CountError
		le *LimitError
	)
	switch {
	case errors.As(err, &se):
		if se.Line > 0 {
			if se.Offset < 0 || se.Offset > len(text) {
				t.Fatalf("syntax error offset %d outside the text (%d bytes): %v", se.Offset, len(text), err)
			}
			if line, col := offsetLineCol(text, se.Offset); line != se.Line || col != se.Column {
				t.Fatalf("syntax error at %d:%d, but its offset %d is at %d:%d: %v", se.Line, se.Column, se.Offset, line, col, err)
			}
		}
		if se.Message == "" {
			t.Fatalf("syntax error without a message")
		}
	case errors.As(err, &ce):
		if ce.Found == 1 || ce.Found > 1 && (ce.Line <= 0 || ce.Offset > len(text)) {
			t.Fatalf("count error %+v", ce)
		}
	case errors.As(err, &le):
		if le.Limit == LimitDepth && (le.Line <= 0 || le.Offset > len(text)) {
			t.Fatalf("limit error %+v", le)
		}
	default:
		t.Fatalf("error of type %T: %v", err, err)
	}
}

// FuzzParse: ParseOne, Format and SplitPolicySet of any text do not panic,
// fail with the documented error types, and format idempotently.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzPolicySeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if _, err := ParseOne(text); err != nil {
			checkParseError(t, text, err)
		}
		formatted, err := Format(text)
		if err != nil {
			checkParseError(t, text, err)
		} else {
			again, err := Format(formatted)
			if isLimit(err) {
				return // see isLimit
			}
			if err != nil {
				t.Fatalf("the formatted text does not parse: %v\n%s", err, formatted)
			}
			if again != formatted {
				t.Fatalf("format is not idempotent:\n%s\n---\n%s", formatted, again)
			}
		}
		stmts, err := SplitPolicySet(text)
		if err != nil {
			checkParseError(t, text, err)
			return
		}
		for _, stmt := range stmts {
			if got, err := Format(stmt); !isLimit(err) && (err != nil || got != stmt) {
				t.Fatalf("statement %q formats as %q, %v", stmt, got, err)
			}
		}
	})
}

// FuzzDecompose: Decompose of any text does not panic, and a rule it
// returns that passes CheckShape assembles into text that decomposes into
// the same rule (and assembles into the same text again).
func FuzzDecompose(f *testing.F) {
	for _, s := range fuzzPolicySeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r, err := Decompose(text)
		if err != nil {
			var se *SyntaxError
			var ce *CountError
			var le *LimitError
			if errors.As(err, &se) || errors.As(err, &ce) || errors.As(err, &le) {
				checkParseError(t, text, err)
			}
			return
		}
		if HasErrors(CheckShape(r)) {
			return // the server refuses such a rule (cedar_unsupported)
		}
		checkRoundTrip(t, r, false)
	})
}

// checkRoundTrip assembles r (which passes CheckShape) and checks that the
// text parses and decomposes into r again: exactly when exact, else up to
// the documented normalizations (conditions normalized, an is_in
// InEntityType equal to EntityType dropped), after which the round trip is
// a fixpoint.
func checkRoundTrip(t *testing.T, r Rule, exact bool) {
	t.Helper()
	text := Assemble(r)
	back, err := Decompose(text)
	if isLimit(err) && !exact {
		return // see isLimit
	}
	if err != nil {
		if !exact {
			t.Fatalf("assembled text of a decomposed rule does not decompose: %v\n%s", err, text)
		}
		return // conditions that are not valid clauses: the server refuses them
	}
	want := r
	if want.Principal.Type == ScopeIsIn && want.Principal.InEntityType == want.Principal.EntityType {
		want.Principal.InEntityType = ""
	}
	if want.Resource.Type == ScopeIsIn && want.Resource.InEntityType == want.Resource.EntityType {
		want.Resource.InEntityType = ""
	}
	if want.ActionScopeType == ScopeAny {
		want.ActionIDs = nil
	}
	if exact {
		// Conditions come back normalized: compare them normalized.
		if strings.TrimSpace(want.Conditions) == "" {
			want.Conditions = ""
		} else {
			want.Conditions = back.Conditions
		}
	}
	if !rulesEqual(back, want) {
		t.Fatalf("round trip changed the rule:\n got %#v\nwant %#v\ntext:\n%s", back, want, text)
	}
	text2 := Assemble(back)
	back2, err := Decompose(text2)
	if isLimit(err) {
		return // see isLimit
	}
	if err != nil || !rulesEqual(back2, back) {
		t.Fatalf("second round trip: %#v, %v\n%s", back2, err, text2)
	}
	if exact {
		f1, err1 := Format(text)
		f2, err2 := Format(text2)
		if err1 != nil || err2 != nil || f1 != f2 {
			t.Fatalf("the assembled texts are different rules:\n%s\n---\n%s (%v, %v)", f1, f2, err1, err2)
		}
	}
}

// isLimit reports whether err is a *LimitError. Normalized text (Format,
// the conditions of Decompose) can be over the bounds when the text it
// comes from is not: cedar-go writes `has a.b.c` as `has a && a has b &&
// a.b has c`, and `- -1` as `-(-1)`. The server and the provider refuse
// such a rule with the limit's error ("reassembled it does not parse"),
// which is the documented behaviour, not a failed round trip.
func isLimit(err error) bool {
	var le *LimitError
	return errors.As(err, &le)
}

func rulesEqual(a, b Rule) bool {
	if len(a.ActionIDs) == 0 && len(b.ActionIDs) == 0 {
		a.ActionIDs, b.ActionIDs = nil, nil
	}
	return reflect.DeepEqual(a, b)
}

// fuzzScope builds a scope from fuzzed parts.
func fuzzScope(kind uint8, entityType, entityID, inType string) Scope {
	types := []string{ScopeAny, ScopeEq, ScopeIn, ScopeIs, ScopeIsIn}
	s := Scope{Type: types[int(kind)%len(types)]}
	switch s.Type {
	case ScopeEq, ScopeIn:
		s.EntityType, s.EntityID = entityType, entityID
	case ScopeIs:
		s.EntityType = entityType
	case ScopeIsIn:
		s.EntityType, s.EntityID, s.InEntityType = entityType, entityID, inType
	}
	return s
}

// FuzzAssemble: a structured rule that passes CheckShape assembles into
// text that parses to exactly one policy and decomposes into the same
// rule; Assemble never panics, whatever the rule.
func FuzzAssemble(f *testing.F) {
	f.Add(true, uint8(2), "Group", "sre", "", uint8(1), "request_access,extend", uint8(3), "AwsAccount", "", "", "when { context.duration_seconds <= 3600 }")
	f.Add(false, uint8(4), "User", "a\"b\\c\n", "Group", uint8(2), "approve", uint8(4), "AwsRole", "1", "AwsAccount", "unless { context.mfa_authenticated } // x")
	f.Add(true, uint8(1), "NS::User", "é\x00", "", uint8(0), "", uint8(0), "", "", "", "")
	f.Add(true, uint8(4), "A", "x", "A", uint8(2), "a,a", uint8(1), "B::C", "y", "", "when { true }; permit (principal, action, resource)")
	f.Fuzz(func(t *testing.T, permit bool, pKind uint8, pType, pID, pIn string, aKind uint8, actions string, rKind uint8, rType, rID, rIn string, conditions string) {
		r := Rule{
			Effect:     EffectForbid,
			Principal:  fuzzScope(pKind, pType, pID, pIn),
			Resource:   fuzzScope(rKind, rType, rID, rIn),
			Conditions: conditions,
		}
		if permit {
			r.Effect = EffectPermit
		}
		r.ActionScopeType = []string{ScopeAny, ScopeEq, ScopeIn}[int(aKind)%3]
		if r.ActionScopeType != ScopeAny {
			r.ActionIDs = strings.Split(actions, ",")
		}
		text := Assemble(r)
		if HasErrors(CheckShape(r)) {
			return
		}
		if _, err := ParseOne(text); err != nil {
			checkParseError(t, text, err)
			if strings.TrimSpace(r.Conditions) == "" {
				t.Fatalf("a well-shaped rule without conditions does not parse: %v\n%s", err, text)
			}
			return // conditions that are not valid clauses: the server refuses them
		}
		checkRoundTrip(t, r, true)
	})
}

// FuzzPositions: the position helpers map between offsets and line and
// column consistently, and never panic, for any text and position.
func FuzzPositions(f *testing.F) {
	for _, s := range fuzzPolicySeeds {
		f.Add(s, 3, 7)
	}
	f.Add("a\nbé\r\n\n", 2, 2)
	f.Fuzz(func(t *testing.T, text string, line, col int) {
		off := lineColOffset(text, line, col)
		if off < 0 || off > len(text) {
			t.Fatalf("lineColOffset(%d, %d) = %d outside the text (%d bytes)", line, col, off, len(text))
		}
		if utf8.ValidString(text) && utf8.RuneStart(byteAt(text, off)) {
			l, c := offsetLineCol(text, off)
			if back := lineColOffset(text, l, c); back != off {
				t.Fatalf("offset %d is at %d:%d, which maps to offset %d", off, l, c, back)
			}
		}
		endLine, endCol := EndPosition(text)
		if endLine < 1 || endCol < 1 {
			t.Fatalf("EndPosition = %d:%d", endLine, endCol)
		}
		if toks, err := tokenize(text); err == nil {
			prev := 0
			for _, tok := range toks {
				if tok.offset < prev || tok.end < tok.offset || tok.end > len(text) || text[tok.offset:tok.end] != tok.text {
					t.Fatalf("token %+v out of order or outside the text", tok)
				}
				if l, c := offsetLineCol(text, tok.offset); l != tok.line || c != tok.col {
					t.Fatalf("token %+v is at %d:%d", tok, l, c)
				}
				prev = tok.end
			}
		}
		// Positions of parse errors and of schema findings.
		if _, err := ParseOne(text); err != nil {
			checkParseError(t, text, err)
		}
		for _, msg := range []string{"unrecognized entity type `" + text + "`", "attribute `a` not found", text} {
			if l, c := locateSubject(text, msg); l < 0 || c < 0 || (l == 0) != (c == 0) {
				t.Fatalf("locateSubject = %d:%d", l, c)
			}
		}
		if depth, stop, ok := policyDepth(text, MaxDepth); depth < 0 || stop < 0 || stop > len(text) || !ok && depth <= MaxDepth {
			t.Fatalf("policyDepth = %d, %d, %v", depth, stop, ok)
		}
	})
}

// byteAt is text[off], or 0 at the end.
func byteAt(text string, off int) byte {
	if off >= len(text) {
		return 0
	}
	return text[off]
}
