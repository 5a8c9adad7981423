package cedar

import (
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	cedargo "github.com/cedar-policy/cedar-go"
)

func TestTokenize(t *testing.T) {
	type tok struct {
		kind      tokenKind
		text      string
		line, col int
	}
	tests := []struct {
		name string
		text string
		want []tok
	}{
		{"empty", "", []tok{{tokEOF, "", 1, 1}}},
		{"identifiers, keywords, numbers", "principal in 12ab _x9 __cedar",
			[]tok{{tokIdent, "principal", 1, 1}, {tokKeyword, "in", 1, 11}, {tokInt, "12", 1, 14}, {tokIdent, "ab", 1, 16},
				{tokIdent, "_x9", 1, 19}, {tokKeyword, "__cedar", 1, 23}, {tokEOF, "", 1, 30}}},
		{"operators", "::==!=<=>=&&||<>!-+*.,;:@()[]{}",
			[]tok{{tokOperator, "::", 1, 1}, {tokOperator, "==", 1, 3}, {tokOperator, "!=", 1, 5}, {tokOperator, "<=", 1, 7},
				{tokOperator, ">=", 1, 9}, {tokOperator, "&&", 1, 11}, {tokOperator, "||", 1, 13}, {tokOperator, "<", 1, 15},
				{tokOperator, ">", 1, 16}, {tokOperator, "!", 1, 17}, {tokOperator, "-", 1, 18}, {tokOperator, "+", 1, 19},
				{tokOperator, "*", 1, 20}, {tokOperator, ".", 1, 21}, {tokOperator, ",", 1, 22}, {tokOperator, ";", 1, 23},
				{tokOperator, ":", 1, 24}, {tokOperator, "@", 1, 25}, {tokOperator, "(", 1, 26}, {tokOperator, ")", 1, 27},
				{tokOperator, "[", 1, 28}, {tokOperator, "]", 1, 29}, {tokOperator, "{", 1, 30}, {tokOperator, "}", 1, 31},
				{tokEOF, "", 1, 32}}},
		{"lone =, |, & and other characters are unknown tokens", "a = b | c & $ / ü",
			[]tok{{tokIdent, "a", 1, 1}, {tokUnknown, "=", 1, 3}, {tokIdent, "b", 1, 5}, {tokUnknown, "|", 1, 7},
				{tokIdent, "c", 1, 9}, {tokUnknown, "&", 1, 11}, {tokUnknown, "$", 1, 13}, {tokUnknown, "/", 1, 15},
				{tokUnknown, "ü", 1, 17}, {tokEOF, "", 1, 18}}},
		{"<== is <= then =", "x <== 1", []tok{{tokIdent, "x", 1, 1}, {tokOperator, "<=", 1, 3}, {tokUnknown, "=", 1, 5}, {tokInt, "1", 1, 7}, {tokEOF, "", 1, 8}}},
		{"strings with escapes; columns count characters", `"a\"b\\" "ü😀\u{1F600}\x41\*" x`,
			[]tok{{tokString, `"a\"b\\"`, 1, 1}, {tokString, `"ü😀\u{1F600}\x41\*"`, 1, 10}, {tokIdent, "x", 1, 30}, {tokEOF, "", 1, 31}}},
		{"comments and whitespace", "a // c \"x\n\t/* b\n c */ b\r\n  /**/c //",
			[]tok{{tokIdent, "a", 1, 1}, {tokIdent, "b", 3, 7}, {tokIdent, "c", 4, 7}, {tokEOF, "", 4, 11}}},
		{"end of input after a final newline is on the next line", "a\n", []tok{{tokIdent, "a", 1, 1}, {tokEOF, "", 2, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			toks, err := tokenize(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			var got []tok
			for _, x := range toks {
				got = append(got, tok{x.kind, x.text, x.line, x.col})
				if tt.text[x.offset:x.end] != x.text {
					t.Errorf("token %q has offsets %d:%d, which hold %q", x.text, x.offset, x.end, tt.text[x.offset:x.end])
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("tokenize() =\n%v\nwant\n%v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("token %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}

	for _, bad := range []string{`"abc`, "\"a\nb\"", `"\q"`, `"\u{1234567}"`, `"\x4"`, "/* open", "a \x00", "\xff"} {
		if _, err := tokenize(bad); err == nil {
			t.Errorf("tokenize(%q) succeeded, want an error like cedar-go's scanner", bad)
		}
	}
}

// TestTokenizeMatchesCedarGo checks that every parser error cedar-go
// reports for the texts of the differential test's corpus (and for some
// more) is positioned at the start of one of our tokens: the two tokenizers
// agree on where tokens start.
func TestTokenizeMatchesCedarGo(t *testing.T) {
	data, err := os.ReadFile(difftestCorpusPath)
	if err != nil {
		t.Fatal(err)
	}
	var corpus diffCorpus
	if err := json.Unmarshal(data, &corpus); err != nil {
		t.Fatal(err)
	}
	texts := []string{"permit (principal, action, resource) when { \"ü\" <== ü };", "permit (principal, action, resource) when { 1 + $ };"}
	for _, c := range corpus.Cases {
		texts = append(texts, c.Policy)
		// Cut each policy at every token to make more errors.
		if toks, err := tokenize(c.Policy); err == nil {
			for _, tk := range toks {
				texts = append(texts, c.Policy[:tk.offset])
			}
		}
	}
	checked := 0
	for _, text := range texts {
		_, err := cedargo.NewPolicyListFromBytes("", []byte(text))
		if err == nil {
			continue
		}
		m := parserErrorRe.FindStringSubmatch(strings.TrimPrefix(err.Error(), "parser error: "))
		if m == nil {
			continue
		}
		toks, terr := tokenize(text)
		if terr != nil {
			t.Errorf("cedar-go tokenizes %q, we do not: %v", text, terr)
			continue
		}
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		i := tokenAt(toks, line, col)
		if i < 0 {
			t.Errorf("cedar-go reports %q at %d:%d, where none of our tokens starts (%v)", text, line, col, err)
			continue
		}
		if unq, _ := strconv.Unquote(`"` + m[3] + `"`); unq != toks[i].text {
			t.Errorf("cedar-go reports %q at token %q, ours is %q", text, unq, toks[i].text)
		}
		checked++
	}
	t.Logf("%d parser errors of cedar-go are at the start of one of our tokens", checked)
	if checked < 1000 {
		t.Errorf("only %d parser errors checked", checked)
	}
}

// TestSyntaxErrorPositions checks the corrected positions (position.go).
// In each text, ‸ marks where the error must be reported; it is removed
// before parsing.
func TestSyntaxErrorPositions(t *testing.T) {
	const head = "permit (principal, action, resource)\n"
	tests := []struct {
		name, text, message string
	}{
		// Late errors: the token before the one cedar-go reports.
		{"operator", head + "when {\n  context.x +‸* 3\n};", "invalid primary"},
		{"<== after a multi-byte string", head + `when { "ü😀" <=‸= 1 };`, "invalid primary"},
		{"missing comma", "permit (\n  principal\n  ‸action,\n  resource\n);", "expected `,`, got `action`"},
		{"bad effect", "‸allow (principal, action, resource);", "unexpected effect: allow"},
		{"trailing text", head[:len(head)-1] + ";\n‸junk", "junk"},
		// Where Cedar's grammar lets a construct through and rejects it as a
		// whole, or fails at the token after a name (position_reference.go).
		{"name then @", head + "when { duration‸@\"1h\" };", "unexpected token `@`"},
		{"|| if", head + "when { context.a || if ‸true then 1 else 2 };", "unexpected token `true`"},
		{"missing ; before a second policy", head[:len(head)-1] + "\npermit ‸(principal, action, resource);", "unexpected token `(`"},
		{"scope clause with =", "permit (‸principal = User::\"a\", action, resource);", ""},
		{"scope operand not an entity", "permit (principal == ‸User, action, resource);", ""},
		{"empty scope", "permit‸ ();", "principal"},
		{"chained relation", head + "when {\n  ‸1 < 2\n  < 3\n};", ""},
		{"chained relation in parentheses", head + "when { !(‸1 < 2 == 3) };", ""},
		{"= in a condition", head + "when { ‸1 + context.x = 1 };", ""},
		{"division", head + "when { 1 + ‸2 / 3 == 0 };", ""},
		{"modulo after a unary minus", head + "when { ‸-2 % 3 == 0 };", ""},
		{"empty when", head + "‸when { };", "invalid primary"},
		{"identifier as effect", "x ‸permit (principal, action, resource);", "unexpected token `permit`"},
		{"keyword as a path", "permit (principal == if::‸\"x\", action, resource);", "unexpected token `\"x\"`"},
		{"block comment in the scope", "permit (principal ‸/* c */, action, resource);", "no block comments"},
		{"block comment after an operand", head + "when { [1 /‸* c */] };", "no block comments"},
		{"five unary operators", head + "when { ‸!!!!!true };", "too many"},
		{"error after a newline in a string", head + "when { \"a\nb\" == 1 +‸* 1 };", "invalid primary"},
		{"raw CR in an entity id", "permit (principal == ‸User::\"a\rb\", action, resource);", "carriage return"},
		{"template with two slots", "permit (principal in ?principal, action, resource == ‸?resource);", "?resource"},
		// Cedar's grammar fails before its later checks, and it recovers
		// from an error at a `;` or in an expression (refgrammar.go).
		{"grammar error after a duplicate annotation", "@id(\"a\") @id(\"b\") permit (principal, action ‸resource);", "unexpected token `resource`"},
		{"grammar error after a template slot", "permit (principal == ?principal, action, resource) when { 1 ‸2 };", "unexpected token `2`"},
		{"grammar error after a bad escape", "permit (principal == User::\"\\q\", action, resource) ‸};", "unexpected token `}`"},
		{"recovered at ;, then text after the policy", "permit (principal, action, resource in A;‸\"1\");", "unexpected token `\"1\"`"},
		{"recovered at ;, then }", head + "when { 1 + ; ‸};", "unexpected token `}`"},
		{"recovered in parentheses", head + "when { (1 + ‸) } when { 2 + };", ""},
		{"invalid token", head + "when { true &&‸& false } ;", ""},
		{"missing scope variable", "permit (principal, action‸, );", "resource"},
		{"scope operand with an operator", "permit (principal == ‸User/\"alice\", action, resource);", ""},
		{"scope list element with an operator", "permit (principal, action in [Action::\"a\", ‸Action==\"b\"], resource);", ""},
		{"trailing annotation", head[:len(head)-1] + "; ‸@id(\"a\")", "unexpected token `@`"},
		{"unknown variable", head + "when { ‸user.email == \"x\" };", "invalid primary"},
		{"expected ident in scope", "permit (principal == ‸1, action, resource);", "expected ident"},
		{"missing ::", "permit (principal == User‸\"a\", action, resource);", "unexpected token `\"a\"`"},
		{"ident after dot", head + "when { context.‸1 };", "expected ident"},
		{"like without string", head + "when { context.x like ‸5 };", "expected string literal"},
		{"has without name", head + "when { context has ‸};", "expected ident or string"},
		{"keyword as annotation value", "@id(‸if) permit (principal, action, resource);", "expected string"},
		{"peeked: list without comma", head + "when { [1 ‸2] };", "got 2 want ,"},
		{"unknown token", head + "when { ‸$ };", "invalid primary"},

		// The end of input: just past the last token.
		{"missing semicolon", "permit (principal, action, resource)‸", "expected `;`, got end of input"},
		{"missing semicolon, trailing comment and lines", "permit (principal, action, resource)‸ // done\n\n  \n", "expected `;`, got end of input"},
		{"open clause", head + "when { true‸ \n\n", "expected `}`, got end of input"},
		{"last token consumed at the end", head + "when { 1 + ‸*", "invalid primary"},
		{"nothing after an operator", head + "when { 1 +‸ // more to come\n", "invalid primary"},
		{"annotation without policy", "@id(\"x\")‸\n", "expected `permit` or `forbid`, got end of input"},

		// Calls, records and annotations.
		{"unknown function", head + "when { ‸lower(context.x) };", "`lower` is not a function"},
		{"unknown function at the end", head + "when { a::b(‸", "unexpected end of input"}, // Cedar's grammar fails first
		{"method called as function", head + "when {\n  ‸isInRange(ip(\"1.2.3.4\"), ip(\"1.0.0.0/8\"))\n};", "is a method, not a function"},
		{"unknown method", head + "when { ‸context.x[\"y\"].foo(1) };", "`foo` is not a method"},
		{"unknown method on a parenthesized receiver", head + "when { -‸(context.x).foo() };", "`foo` is not a method"},
		{"method arity", head + "when { ‸[1, 2].contains() };", "contains expects one argument"},
		{"method arity over lines", head + "when {\n  true &&\n  ‸principal.groups\n    .isEmpty(1)\n};", "isEmpty expects no arguments"},
		{"duplicate key", head + "when { ‸{a: 1, b: {a: 1}, a: 2}.a == 1 };", "duplicate key: a"},
		{"duplicate annotation", "@id(\"a\")\n‸@id(\"b\")\npermit (principal, action, resource);", "duplicate annotation: @id"},

		// Literals that do not decode, which cedar-go reports without a position.
		{"escape", head + `when { context.x like "\*" && context.x == ‸"\*" };`, "bad char escape"},
		{"escape in an entity id", `permit (principal == ‸Jit::User::"\*", action, resource);`, "bad char escape"},
		{"invalid code point", head + `when { context.x == ‸"\u{D800}" };`, "bad unicode escape"},
		{"integer out of range", head + "when { context.x < ‸9223372036854775808 };", "value out of range"},
		{"negative integer out of range", head + "when { 1 + ‸- -9223372036854775809 == 0 };", "value out of range"},
		{"negated parenthesized integer", head + "when { -(‸9223372036854775808) == 0 };", "value out of range"},
		{"smallest integer is fine, the next is not", head + "when { -9223372036854775808 == ‸9223372036854775808 };", "value out of range"},

		// Tokenizer errors are exact already.
		{"unterminated string", head + "when { ‸\"abc };", "literal not terminated"},
		{"escape the tokenizer rejects", head + `when { context.x == ‸"\q" };`, "invalid char escape"},
		{"escape in an annotation", "‸@id(\"\\q\")\npermit (principal, action, resource);", "invalid char escape"},
		{"escape in an entity id the tokenizer rejects", "permit (principal == ‸User::\"\\q\", action, resource);", "invalid char escape"},

		// Found by this package itself.
		{"template slot", "permit (principal == ‸?principal, action, resource);", "templates are not supported"},
		{"NUL", head + "when { 1 ‸\x00 };", "NUL"},
		{"action entity of another type", "permit (\n  principal,\n  action in ‸[Action::\"a\", Group::\"b\"],\n  resource\n);", "must have type Action"},
		{"action entity of another type, no list", "permit (\n  principal,\n  action == ‸Group::\"b\",\n  resource\n);", "must have type Action"},
		{"action entity of another type, annotated", "@id(\"x\")\n@action(\"y\")\npermit (principal == action::\"x\", action == ‸Group::\"b\", resource);", "must have type Action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			off := strings.Index(tt.text, "‸")
			if off < 0 {
				t.Fatal("no ‸ marker")
			}
			text := strings.Replace(tt.text, "‸", "", 1)
			_, err := ParseOne(text)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseOne() error = %#v, want *SyntaxError", err)
			}
			if !strings.Contains(se.Message, tt.message) {
				t.Errorf("Message = %q, want it to contain %q", se.Message, tt.message)
			}
			line, col := offsetLineCol(text, off)
			if se.Offset != off || se.Line != line || se.Column != col {
				t.Errorf("position = offset %d (%d:%d), want offset %d (%d:%d): %v\n%s",
					se.Offset, se.Line, se.Column, off, line, col, se, tt.text)
			}
		})
	}
}

func TestCountErrorPosition(t *testing.T) {
	tests := []struct {
		text                string
		found, line, column int
	}{
		{"", 0, 0, 0},
		{"// nothing\n", 0, 0, 0},
		{"permit (principal, action, resource);\n\n  forbid (principal, action, resource);", 2, 3, 3},
		{"permit (principal, action, resource); @id(\"x\") @advice(\"y\")\nforbid (principal, action, resource);\npermit (principal, action, resource);", 3, 1, 39},
	}
	for _, tt := range tests {
		_, err := ParseOne(tt.text)
		var ce *CountError
		if !errors.As(err, &ce) {
			t.Fatalf("ParseOne(%q) error = %#v, want *CountError", tt.text, err)
		}
		if ce.Found != tt.found || ce.Line != tt.line || ce.Column != tt.column {
			t.Errorf("ParseOne(%q) = %+v, want found %d at %d:%d", tt.text, ce, tt.found, tt.line, tt.column)
		}
		if tt.found > 1 {
			if l, c := offsetLineCol(tt.text, ce.Offset); l != ce.Line || c != ce.Column {
				t.Errorf("Offset %d is %d:%d, not %d:%d", ce.Offset, l, c, ce.Line, ce.Column)
			}
		}
	}
}

// Every syntax error of the corpus has a position whose offset, line and
// column agree.
func TestSyntaxErrorOffsetsConsistent(t *testing.T) {
	data, err := os.ReadFile(difftestCorpusPath)
	if err != nil {
		t.Fatal(err)
	}
	var corpus diffCorpus
	if err := json.Unmarshal(data, &corpus); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range corpus.Cases {
		_, err := ParseOne(c.Policy)
		var se *SyntaxError
		if !errors.As(err, &se) {
			continue
		}
		n++
		if se.Line <= 0 {
			t.Errorf("%s: no position: %v", c.ID, se)
			continue
		}
		if l, col := offsetLineCol(c.Policy, se.Offset); l != se.Line || col != se.Column {
			t.Errorf("%s: Offset %d is %d:%d, not %d:%d", c.ID, se.Offset, l, col, se.Line, se.Column)
		}
	}
	if n < 100 {
		t.Errorf("only %d syntax errors in the corpus", n)
	}
}

func TestEndPosition(t *testing.T) {
	tests := []struct {
		text      string
		line, col int
	}{
		{"", 1, 1},
		{"// only a comment\n", 1, 1},
		{"when { true }", 1, 14},
		{"when { \"ü\" } // done\n\n", 1, 13},
		{"\n  when {\n    x\n  }\n  // end", 4, 4},
		{"when { \"open", 1, 1}, // does not tokenize
	}
	for _, tt := range tests {
		if line, col := EndPosition(tt.text); line != tt.line || col != tt.col {
			t.Errorf("EndPosition(%q) = %d:%d, want %d:%d", tt.text, line, col, tt.line, tt.col)
		}
	}
}
