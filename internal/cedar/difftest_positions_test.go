package cedar

// The positions part of the differential test (difftest_test.go): for every
// corpus case that neither cedar-go (through this package) nor Cedar's
// reference implementation (cedar-wasm) can parse, the position of this
// package's *SyntaxError (SyntaxError.Offset, after correcting cedar-go's
// positions, see position.go) must be where cedar-wasm's first parse error
// starts (the start of its first source location, a byte offset), unless
// the case is a documented exception in difftestPositionExceptions.
//
// Texts that parse but do not hold exactly one policy are a *CountError
// here, not a syntax error: with two or more policies it is positioned at
// the start of the second one, which is compared too; an empty text (found
// 0) has no position and is counted but not compared.

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// Why this package's position and cedar-wasm's legitimately differ. In
// each category both report an error; they differ in what they consider
// the offending construct.
// difftestPositionExceptions are the cases whose error positions differ
// between this package and cedar-wasm 4.12.0: case id → why. The test fails
// when a listed case no longer differs (or no longer fails to parse on both
// sides), so the list cannot rot. Apart from the two cases below: the errors that Cedar
// reports at the start of a construct its grammar lets through (a scope
// clause with `=`, a chained relation, `/`, an empty `when { }`, ...) or
// at the token after a name are placed as Cedar does by
// position_reference.go, and the template slot, action list and text after
// the policy by parse.go.
var difftestPositionExceptions = map[string]string{
	// A syntax error inside the one policy, then more text: Cedar reports
	// the error inside first (its parser recovers at the `;` and goes on),
	// this package the text after the policy. Placing the inner error first
	// in parse.go and refgrammar.go moved 3% of the mutants' positions away
	// from Cedar's, so it is left as it is.
	"syntax/error-then-second-policy":        "an error inside the policy, then a second policy: Cedar reports the inner error first",
	"syntax/error-in-sum-then-second-policy": "an error inside the policy, then a second policy: Cedar reports the inner error first",
	"syntax/error-then-stray-statements":     "an error inside the policy, then stray statements: Cedar reports the inner error first",
}

// goErrorOffset is the byte offset of the error ParseOne reports for text,
// or nil when it reports none (or the text parses).
func goErrorOffset(text string) (*int, error) {
	_, err := ParseOne(text)
	var se *SyntaxError
	var ce *CountError
	switch {
	case err == nil:
		return nil, nil
	case errors.As(err, &se) && se.Line > 0:
		return &se.Offset, err
	case errors.As(err, &ce) && ce.Line > 0:
		return &ce.Offset, err
	}
	return nil, err
}

func TestDifferentialPositions(t *testing.T) {
	run := cedarWasmVerdicts(t)
	byID := map[string]bool{}
	for _, c := range run.cases {
		byID[c.ID] = true
	}
	for id := range difftestPositionExceptions {
		if !byID[id] {
			t.Errorf("difftestPositionExceptions names %s, which is not in the corpus", id)
		}
	}

	var (
		compared, agree, excepted, noGoPosition, noRustPosition int
		disagreements                                           []string
	)
	for i, c := range run.cases {
		r := run.verdicts[i]
		reason, isException := difftestPositionExceptions[c.ID]
		goOff, goErr := goErrorOffset(c.Policy)
		if goErr == nil || r.Parses {
			if isException {
				t.Errorf("%s is listed in difftestPositionExceptions (%s), but it does not fail to parse on both sides", c.ID, reason)
			}
			continue
		}
		switch {
		case r.ErrorOffset == nil:
			noRustPosition++
			continue
		case goOff == nil:
			noGoPosition++
			var ce *CountError
			if !errors.As(goErr, &ce) || ce.Found != 0 {
				disagreements = append(disagreements, describePosition(c, goErr, goOff, *r.ErrorOffset, r, run.pinned))
			}
			continue
		}
		compared++
		same := *goOff == *r.ErrorOffset
		switch {
		case same && isException:
			t.Errorf("%s is listed in difftestPositionExceptions (%s), but both now report offset %d: remove the exception",
				c.ID, reason, *goOff)
		case same:
			agree++
		case isException:
			excepted++
		default:
			disagreements = append(disagreements, describePosition(c, goErr, goOff, *r.ErrorOffset, r, run.pinned))
		}
	}
	if len(disagreements) > 0 {
		t.Errorf("%d syntax error positions differ between internal/cedar and cedar-wasm %s:\n\n%s",
			len(disagreements), run.pinned, strings.Join(disagreements, "\n"))
	}
	t.Logf("syntax error positions against cedar-wasm %s: %d cases fail to parse on both sides with a position on both, "+
		"%d at the same offset, %d documented exceptions, %d differ; %d without a position in Go (empty text), %d without one in Rust",
		run.pinned, compared, agree, excepted, len(disagreements), noGoPosition, noRustPosition)
	rate := float64(agree) / float64(max(compared, 1))
	t.Logf("position agreement: %d of %d parse errors both reject = %.1f%% (minimum %.1f%%)", agree, compared, 100*rate, 100*minPositionAgreement)
	if rate < minPositionAgreement {
		t.Errorf("position agreement %.1f%% is below the minimum of %.1f%%", 100*rate, 100*minPositionAgreement)
	}
}

// minPositionAgreement is the least share of the parse errors that both
// sides report with a position at which the offsets are the same
// (exceptions count as differences). Issue 11 asks for 95%; before the
// corrections for it, it was 87.5% (154 of 176).
const minPositionAgreement = 0.95

// describePosition renders a position disagreement with a caret under
// each side's position.
func describePosition(c diffCase, goErr error, goOff *int, rustOff int, r diffVerdict, pinned string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s (category %s)\n", c.ID, c.Category)
	fmt.Fprintf(&b, "    policy: %q\n", c.Policy)
	at := func(off int) string {
		if off < 0 || off > len(c.Policy) {
			return fmt.Sprintf("offset %d (outside the text)", off)
		}
		line, col := offsetLineCol(c.Policy, off)
		rest := c.Policy[off:]
		if n := strings.IndexByte(rest, '\n'); n >= 0 {
			rest = rest[:n]
		}
		if utf8.RuneCountInString(rest) > 20 {
			rest = string([]rune(rest)[:20]) + "…"
		}
		return fmt.Sprintf("offset %d (%d:%d) at %q", off, line, col, rest)
	}
	if goOff == nil {
		fmt.Fprintf(&b, "    internal/cedar: no position: %v\n", goErr)
	} else {
		fmt.Fprintf(&b, "    internal/cedar: %s: %v\n", at(*goOff), goErr)
	}
	msg := ""
	if len(r.Errors) > 0 {
		msg = r.Errors[0]
	}
	fmt.Fprintf(&b, "    cedar-wasm %s: %s: %s\n", pinned, at(rustOff), msg)
	return b.String()
}

// corpusPositions: syntax errors whose position cedar-go reports one token
// late or not at all, laid out over several lines, with non-ASCII text
// before the error, trailing comments and blank lines, so that
// TestDifferentialPositions checks the corrections of position.go.
func corpusPositions(b *corpusBuilder) {
	const head = "permit (principal, action, resource)\n"
	cases := []struct{ name, text string }{
		{"late-multiline", "permit (\n  principal,\n  action,\n  resource\n)\nwhen {\n  context.duration_seconds <== 3600\n};"},
		{"late-indented-clauses", head + "    when {\n      context.mfa_authenticated &&\n      context.duration_seconds <= <= 3\n    }\n;"},
		{"late-after-unicode", `permit (principal == User::"jürgen 😀", action, resource) when { context.reason == "ü" +* 1 };`},
		{"late-after-comment", head + "when { // why\n  1 +\n  // nothing follows\n};"},
		{"late-crlf-tabs", "permit (\r\n\tprincipal,\r\n\taction\r\n\tresource\r\n);"},
		{"missing-comma-multiline", "permit (\n  principal\n  action,\n  resource\n);"},
		{"missing-semicolon-trailing-comment", head + "// the end\n\n"},
		{"missing-semicolon-after-when", head + "when { context.mfa_authenticated }\n\n"},
		{"missing-brace-at-end", head + "when { context.mfa_authenticated\n"},
		{"open-when-at-end", head + "when {   \n  "},
		{"unless-at-end", head + "when { true } unless"},
		{"scope-at-end", "permit (principal, action"},
		{"effect-only", "permit"},
		{"annotation-only", "@id(\"x\")\n"},
		{"unknown-token", head + "when { $x };"},
		{"lone-ampersand", head + "when { true & false };"},
		{"lone-pipe", head + "when {\n  true | false\n};"},
		{"entity-missing-colons", `permit (principal == User"alice", action, resource);`},
		{"entity-list-missing-comma", `permit (principal, action in [Action::"a" Action::"b"], resource);`},
		{"set-missing-comma", head + "when { [1 2].contains(1) };"},
		{"record-missing-comma", head + "when { {a: 1 b: 2}.a == 1 };"},
		{"record-missing-colon", head + "when { {a 1}.a == 1 };"},
		{"has-trailing-dot", head + "when { context has a. };"},
		{"ite-missing-then", head + "when {\n  if context.mfa_authenticated\n    1 < 2\n  else false\n};"},
		{"unbalanced-paren-multiline", head + "when {\n  ((context.mfa_authenticated)\n};"},
		{"unknown-function-multiline", head + "when {\n  context.mfa_authenticated &&\n  lower(context.reason) == \"x\"\n};"},
		{"unknown-namespaced-function", head + "when { a::b(context.reason) == \"x\" };"},
		{"method-as-function", head + "when { isInRange(ip(\"10.0.0.1\"), ip(\"10.0.0.0/8\")) };"},
		{"function-as-method", head + "when { context.reason.ip() };"},
		{"unknown-method-paren-receiver", head + "when { (context).x[\"y\"].foo(1) };"},
		{"unknown-method-negated", head + "when { -context.duration_seconds.foo(1) == 1 };"},
		{"unknown-method-entity-receiver", head + "when { Group::\"a\".foo() };"},
		{"unknown-method-record-receiver", head + "when { {a: \"x\"}.a.lower() == \"x\" };"},
		{"unknown-method-call-receiver", head + "when { ip(\"10.0.0.1\").foo() };"},
		{"method-arity-multiline", head + "when {\n  context.mfa_authenticated &&\n  [1, 2]\n    .contains()\n};"},
		{"method-arity-zero", head + "when { [1].isEmpty(1) };"},
		{"duplicate-key-multiline", head + "when {\n  { a: 1,\n    a: 2 }.a == 1\n};"},
		{"duplicate-key-nested", head + "when { {x: {a: 1, a: 2}}.x.a == 1 };"},
		{"duplicate-annotation-lines", "@id(\"a\")\n@advice(\"x\")\n@id(\"b\")\npermit (principal, action, resource);"},
		{"integer-overflow-multiline", head + "when {\n  context.duration_seconds <\n    9223372036854775808\n};"},
		{"integer-overflow-binary-minus", head + "when { 1 - 9223372036854775808 == 0 };"},
		{"integer-overflow-spaced-minus", head + "when { - 9223372036854775809 == 0 };"},
		{"integer-overflow-double-minus", head + "when { --9223372036854775809 == 0 };"},
		{"bad-escape-entity-id", `permit (principal == User::"a\q", action, resource);`},
		{"bad-escape-star-entity-id", `permit (principal == User::"a\*", action, resource);`},
		{"bad-escape-surrogate-entity-id", `permit (principal == User::"\u{DFFF}", action, resource);`},
		{"bad-escape-record-key", head + `when { {"a\*": 1}["a*"] == 1 };`},
		{"bad-escape-has-string", head + `when { context has "\*" };`},
		{"bad-escape-index", head + `when { context["\*"] };`},
		{"bad-escape-after-like", head + `when { context.reason like "a\*b" && context.reason == "\*" };`},
		{"bad-escape-annotation-second-line", "@id(\"a\")\n@advice(\"\\q\")\npermit (principal, action, resource);"},
		{"two-policies-annotated", "permit (principal, action, resource);\n\n@id(\"second\")\nforbid (principal, action, resource);"},
		{"two-policies-same-line", "permit (principal, action, resource); forbid (principal, action, resource);"},
	}
	for _, c := range cases {
		b.add("position", c.name, c.text)
	}
}
