package cedar

// Positions of syntax errors.
//
// cedar-go v1.9.0 positions its parser errors at the parser's current
// token, and for almost every error it has already consumed the offending
// token at that point: `when { 1 + }` is reported at the `;` after the `}`
// that cannot start an expression, a missing comma at the token after the
// one that should have been a comma, trailing junk at the end of input.
// Only the "got X want ," errors of lists and records are raised before
// consuming. Errors found while decoding a token (bad escapes, integer
// overflow) come without any position.
//
// syntaxErrorOf maps each error to the token it is about, with the same
// conventions as Cedar's reference implementation (Rust), which
// TestDifferentialPositions (difftest_positions_test.go) checks:
//
//   - "late" errors: the token before the one cedar-go reports;
//   - errors about the end of input: just past the last token (not after
//     trailing blank lines or comments);
//   - an unknown or misused function: the start of the function name; an
//     unknown method or a wrong number of method arguments: the start of
//     the receiver of the call (`context.x` in `context.x.foo(1)`);
//   - a duplicate record key: the record's `{`; a duplicate annotation:
//     its `@`;
//   - a string with an invalid escape or an integer literal out of range:
//     that literal (from its unary minus, for a negative one), or the
//     entity literal (`User::"..."`) or annotation (`@id("...")`) the string
//     belongs to;
//   - other tokenizer errors (an unterminated string or comment) are exact
//     already.

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	cedargo "github.com/cedar-policy/cedar-go"
)

// Forms of cedar-go's error messages, after the "parser error: " prefix:
// parser errors `parse error at <input>:2:21 "3": invalid primary` and
// tokenizer errors `<input>:1:45: literal not terminated`.
var (
	parserErrorRe    = regexp.MustCompile(`^parse error at <input>:(\d+):(\d+) "((?:[^"\\]|\\.)*)": `)
	tokenizerErrorRe = regexp.MustCompile(`^<input>:(\d+):(\d+): `)
	exactGotWant     = regexp.MustCompile(`^exact got (.*) want (.*)$`)
)

// syntaxErrorOf converts an error of cedar-go's parser for text into a
// *SyntaxError positioned at the token the error is about (see the top of
// this file).
func syntaxErrorOf(text string, err error) *SyntaxError {
	msg := strings.TrimPrefix(err.Error(), "parser error: ")
	se := &SyntaxError{Message: msg}
	switch m := parserErrorRe.FindStringSubmatch(msg); {
	case m != nil:
		se.Message = msg[len(m[0]):]
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		se.setPosition(text, lineColOffset(text, line, col))
		if toks, err := tokenize(text); err == nil {
			if off, ok := parserErrorOffset(text, toks, line, col, se.Message); ok {
				se.setPosition(text, off)
				if ref := referenceOffset(toks, tokenIndexAt(toks, off), se.Message); ref >= 0 {
					se.setPosition(text, ref)
				}
			}
		}
	case tokenizerErrorRe.MatchString(msg):
		m := tokenizerErrorRe.FindStringSubmatch(msg)
		se.Message = msg[len(m[0]):]
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		if line > 0 {
			off := lineColOffset(text, line, col)
			se.setPosition(text, literalStart(text, off))
		}
	default:
		// A token that does not decode: find it.
		if toks, err := tokenize(text); err == nil {
			if off, ok := undecodableTokenOffset(toks); ok {
				se.setPosition(text, off)
			}
		}
	}
	// Make cedar-go's terse "exact got X want Y" readable.
	if m := exactGotWant.FindStringSubmatch(se.Message); m != nil {
		got := "`" + m[1] + "`"
		if m[1] == "" {
			got = "end of input"
		}
		se.Message = "expected `" + m[2] + "`, got " + got
	}
	if se.Message == "unexpected effect: " { // a policy cut off after its annotations
		se.Message = "expected `permit` or `forbid`, got end of input"
	}
	if se.Message == "" {
		se.Message = msg
	}
	return se
}

// setPosition sets Offset, Line and Column of e to the byte offset off of
// text.
func (e *SyntaxError) setPosition(text string, off int) {
	if off < 0 || off > len(text) {
		return
	}
	e.Offset = off
	e.Line, e.Column = offsetLineCol(text, off)
}

// offsetLineCol is the 1-based line and rune column of byte offset off.
func offsetLineCol(text string, off int) (int, int) {
	before := text[:off]
	line := 1 + strings.Count(before, "\n")
	return line, 1 + utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:])
}

// lineColOffset is the byte offset of a 1-based line and rune column,
// clamped to the text (and to the end of the line).
func lineColOffset(text string, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		nl := strings.IndexByte(text[off:], '\n')
		if nl < 0 {
			return len(text)
		}
		off += nl + 1
	}
	for c := 1; c < col && off < len(text) && text[off] != '\n'; c++ {
		_, n := utf8.DecodeRuneInString(text[off:])
		off += n
	}
	return off
}

// parserErrorOffset returns the byte offset of the token a parser error
// (msg, reported by cedar-go at line:col) is about. ok is false when the
// reported position is not the start of a token, which would mean that
// this file and cedar-go disagree on the tokens; the caller then keeps
// cedar-go's position.
func parserErrorOffset(text string, toks []token, line, col int, msg string) (int, bool) {
	i := tokenAt(toks, line, col)
	if i < 0 {
		return 0, false
	}
	switch {
	case strings.HasPrefix(msg, "got ") && strings.HasSuffix(msg, " want ,"):
		// Raised by peeking at the offending token: exact.
		return tokenOffset(toks, i), true
	case strings.HasPrefix(msg, "duplicate key: "):
		// Raised after the duplicate entry's value: the record's `{`.
		if j := unclosedOpener(toks, i-1); j >= 0 {
			return toks[j].offset, true
		}
		return tokenOffset(toks, i), true
	case i == 0:
		return tokenOffset(toks, i), true
	}

	// Every other error is raised after consuming the offending token,
	// which is then the one before the reported token, unless the parser
	// was already at the end of input (it does not move past it).
	o := i - 1
	if toks[i].kind == tokEOF {
		switch m := exactGotWant.FindStringSubmatch(msg); {
		case m != nil:
			if m[1] == "" {
				o = i
			}
		case strings.HasPrefix(msg, "unexpected effect: "):
			if msg == "unexpected effect: " {
				o = i
			}
		case functionErrorRe.MatchString(msg) || methodErrorRe.MatchString(msg):
			// Raised after consuming `(` or `)`, never at the end.
		default:
			if !consumedLastToken(text) {
				o = i
			}
		}
	}

	switch {
	case functionErrorRe.MatchString(msg) && toks[o].is("(") && o > 0:
		// After consuming the `(` of `name(`: the start of the name.
		return toks[pathStart(toks, o-1)].offset, true
	case methodErrorRe.MatchString(msg) && toks[o].is(")"):
		// After consuming the `)` of `.name(...)`: the receiver.
		if j := matchingOpener(toks, o); j >= 3 && toks[j-1].kind == tokIdent && toks[j-2].is(".") {
			return toks[memberStart(toks, j-3)].offset, true
		}
	case strings.HasPrefix(msg, "duplicate annotation: ") && o > 0 && toks[o-1].is("@"):
		return toks[o-1].offset, true
	}
	return tokenOffset(toks, o), true
}

// Messages of errors about calls, raised after consuming `name(` (function)
// or `.name(...)` (method).
var (
	functionErrorRe = regexp.MustCompile("^`[^`]*` is (?:not a function|a method, not a function)$")
	methodErrorRe   = regexp.MustCompile("(?:^`[^`]*` is (?:not a method|a function, not a method)| expects (?:no arguments|one argument))$")
)

// consumedLastToken reports, for a text whose parse fails at the end of
// input, whether the parser failed on the last token (having consumed it,
// so that it reports the end of input) rather than on the end of input
// itself. cedar-go's messages do not tell the two apart; appending a
// token (`@`, which no rule accepts where a parse can fail) does: if the
// error moves to that token, it was raised after consuming the last one.
func consumedLastToken(text string) bool {
	_, err := cedargo.NewPolicyListFromBytes("", []byte(text+"\n@"))
	if err == nil {
		return false
	}
	m := parserErrorRe.FindStringSubmatch(strings.TrimPrefix(err.Error(), "parser error: "))
	if m == nil {
		return false
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	return line == strings.Count(text, "\n")+2 && col == 1
}

// literalStart is, for a tokenizer error in the string literal at off,
// where Cedar reports it: at the start of the annotation (`@name("...")`)
// or entity literal (`Type::"..."`) the string belongs to, else at the
// string itself.
func literalStart(text string, off int) int {
	if off >= len(text) || text[off] != '"' {
		return off
	}
	toks, err := tokenize(text[:off])
	if err != nil {
		return off
	}
	return stringOwnerStart(toks, len(toks)-1, off)
}

// stringOwnerStart is where an error about the string literal that starts
// at off and follows toks[:i] is reported: the start of the annotation or
// entity literal it belongs to, or off.
func stringOwnerStart(toks []token, i, off int) int {
	switch {
	case i >= 3 && toks[i-1].is("(") && (toks[i-2].kind == tokIdent || toks[i-2].kind == tokKeyword) && toks[i-3].is("@"):
		return toks[i-3].offset
	case i >= 2 && toks[i-1].is("::") && toks[i-2].kind == tokIdent:
		return toks[pathStart(toks, i-2)].offset
	}
	return off
}

// tokenAt is the index of the token that starts at line:col, or -1.
func tokenAt(toks []token, line, col int) int {
	for i, t := range toks {
		if t.line == line && t.col == col {
			return i
		}
	}
	return -1
}

// tokenIndexAt is the index of the token that starts at byte offset
// off (the EOF token for the end of the text), or -1.
func tokenIndexAt(toks []token, off int) int {
	for i, t := range toks {
		if t.offset == off && t.kind != tokEOF {
			return i
		}
	}
	if n := len(toks); n > 0 && (n == 1 || toks[n-2].end == off) {
		return n - 1
	}
	return -1
}

// tokenOffset is where an error about toks[i] is reported: its start, or
// for the end of input, just past the last token.
func tokenOffset(toks []token, i int) int {
	if toks[i].kind != tokEOF {
		return toks[i].offset
	}
	if i == 0 {
		return 0
	}
	return toks[i-1].end
}

// isCloser and isOpener tell brackets apart.
func isCloser(t token) bool { return t.is(")") || t.is("]") || t.is("}") }
func isOpener(t token) bool { return t.is("(") || t.is("[") || t.is("{") }

// matchingOpener is the index of the bracket that the closing bracket at
// i closes, or -1.
func matchingOpener(toks []token, i int) int {
	depth := 0
	for j := i; j >= 0; j-- {
		switch {
		case isCloser(toks[j]):
			depth++
		case isOpener(toks[j]):
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// unclosedOpener is the index of the innermost `{` that is open at token
// i (searching backwards from i, inclusive), or -1.
func unclosedOpener(toks []token, i int) int {
	depth := 0
	for j := i; j >= 0; j-- {
		switch {
		case isCloser(toks[j]):
			depth++
		case isOpener(toks[j]):
			if depth == 0 {
				if toks[j].is("{") {
					return j
				}
				return -1
			}
			depth--
		}
	}
	return -1
}

// pathStart is the index of the first identifier of the path `A::B::C`
// whose last identifier is at i.
func pathStart(toks []token, i int) int {
	for i >= 2 && toks[i-1].is("::") && toks[i-2].kind == tokIdent {
		i -= 2
	}
	return i
}

// endsOperand reports whether t can be the last token of an operand, so
// that a following `[` is an index access and a following `-` is binary.
func endsOperand(t token) bool {
	switch t.kind {
	case tokIdent, tokString, tokInt:
		return true
	case tokKeyword:
		return t.text == "true" || t.text == "false"
	}
	return isCloser(t)
}

// isUnary reports whether toks[i] is a unary `-` or `!`.
func isUnary(toks []token, i int) bool {
	return i >= 0 && (toks[i].is("-") || toks[i].is("!")) && (i == 0 || !endsOperand(toks[i-1]))
}

// memberStart is the index of the first token of the member expression
// (a primary followed by `.attr`, `["attr"]` and `.method(...)` accesses)
// whose last token is at i.
func memberStart(toks []token, i int) int {
	for i > 0 {
		t := toks[i]
		switch {
		case t.is(")"):
			j := matchingOpener(toks, i)
			if j <= 0 || toks[j-1].kind != tokIdent {
				return max(j, 0) // a parenthesized expression
			}
			k := pathStart(toks, j-1)
			if k == j-1 && k >= 2 && toks[k-1].is(".") {
				i = k - 2 // .method(...): continue with its receiver
				continue
			}
			return k // function(...)
		case t.is("]"):
			j := matchingOpener(toks, i)
			if j > 0 && endsOperand(toks[j-1]) {
				i = j - 1 // ["attr"]
				continue
			}
			return max(j, 0) // a set literal
		case t.is("}"):
			return max(matchingOpener(toks, i), 0) // a record literal
		case t.kind == tokIdent && i >= 2 && toks[i-1].is("."):
			i -= 2 // .attr
		case t.kind == tokString && i >= 2 && toks[i-1].is("::"):
			return pathStart(toks, i-2) // Type::"id"
		default:
			return i
		}
	}
	return i
}

// undecodableTokenOffset finds the first string or integer literal that
// cedar-go's tokenizer accepts but its parser cannot decode (an escape
// such as \* outside a `like` pattern, \u{D800}, an integer out of range),
// which cedar-go reports without a position. Each literal is judged by
// cedar-go itself, inside a minimal policy.
func undecodableTokenOffset(toks []token) (int, bool) {
	const head = "permit (principal, action, resource) when { "
	for i, t := range toks {
		var expr string
		switch {
		case t.kind == tokString && i > 0 && toks[i-1].is("like"):
			expr = `"" like ` + t.text
		case t.kind == tokString:
			expr = t.text
		case t.kind == tokInt && isUnary(toks, i-1) && toks[i-1].is("-"):
			// cedar-go (like Cedar) reads a negated literal as one value;
			// Cedar reports it from the first of the unary operators.
			if _, err := cedargo.NewPolicyListFromBytes("", []byte(head+"-"+t.text+" };")); err != nil {
				k := i - 1
				for isUnary(toks, k-1) {
					k--
				}
				return toks[k].offset, true
			}
			continue
		case t.kind == tokInt:
			expr = t.text
		default:
			continue
		}
		if _, err := cedargo.NewPolicyListFromBytes("", []byte(head+expr+" };")); err != nil {
			if t.kind == tokString {
				return stringOwnerStart(toks, i, t.offset), true
			}
			return t.offset, true
		}
	}
	return 0, false
}

// EndPosition is the 1-based line and column (in characters) just past
// the last token of text, ignoring trailing whitespace and comments: where
// an error about what should follow text is reported. It is 1:1 for a text
// without tokens (or one that does not tokenize).
func EndPosition(text string) (line, column int) {
	toks, err := tokenize(text)
	if err != nil || len(toks) < 2 {
		return 1, 1
	}
	return offsetLineCol(text, toks[len(toks)-2].end)
}
