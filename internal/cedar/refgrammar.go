package cedar

// A recognizer for the grammar of Cedar's reference implementation (Rust,
// cedar-policy-core's grammar.lalrpop, 4.12), used only to place syntax
// errors where Cedar reports them. Cedar parses in two phases: an LR parser
// over a lax grammar (any identifier, keywords included, may be an effect,
// a scope variable or a condition keyword; relations may be chained; `=`,
// `/`, `%`, slots and any number of unary operators parse), then checks of
// the tree it built (reserved words, scope shapes, escapes, templates,
// duplicate annotations and keys, ...). The first error Cedar reports is
// the first token its grammar cannot continue with, if there is one, and
// only otherwise an error of the second phase. cedar-go checks everything
// in one pass, so when a text has errors of both kinds it may report a
// later one first. referenceGrammarError finds the first: an LR parser
// detects an error at the first token that cannot extend a valid prefix,
// and so does this recursive descent over the same (LL(1) in effect)
// grammar.
//
// Cedar's parser also recovers from errors as LALRPOP does, through its
// two error productions `Expr: !` and `Policy: ! ";"`: it skips tokens up
// to the first one that can follow an expression in an enclosing context
// (a `)` for `( ... )`, a `}` for a condition, ...) or a `;`, and parses
// on. An error it cannot recover from (at the end of input, an invalid
// token, or anything after the policy when it parses exactly one) is
// reported before the ones it recovered from. The recognizer does the
// same.

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token kinds of Cedar's lexer.
const (
	rtEOF     = iota
	rtIdent   // identifier or keyword
	rtNumber  // [0-9]+
	rtString  // "..." (any escapes)
	rtSlot    // ?principal, ?resource, ?name
	rtOp      // punctuation and operators
	rtInvalid // a character no token starts with, or an unterminated string
)

// rtoken is one token of Cedar's lexer: kind, text and byte offsets.
type rtoken struct {
	kind       int
	text       string
	start, end int
}

// referenceLex splits text into tokens as Cedar's lexer does: it skips
// Unicode white space and // comments (ended by CR or LF), and stops after
// the first invalid token.
func referenceLex(text string) []rtoken {
	var toks []rtoken
	i := 0
	for {
		for i < len(text) {
			r, n := utf8.DecodeRuneInString(text[i:])
			switch {
			case unicode.Is(unicode.White_Space, r):
				i += n
				continue
			case strings.HasPrefix(text[i:], "//"):
				if j := strings.IndexAny(text[i:], "\r\n"); j >= 0 {
					i += j
				} else {
					i = len(text)
				}
				continue
			}
			break
		}
		if i >= len(text) {
			// Cedar reports the end of input just past the last token.
			end := 0
			if len(toks) > 0 {
				end = toks[len(toks)-1].end
			}
			return append(toks, rtoken{kind: rtEOF, start: end, end: end})
		}
		kind, n := referenceToken(text[i:])
		toks = append(toks, rtoken{kind: kind, text: text[i : i+n], start: i, end: i + n})
		if kind == rtInvalid {
			return toks
		}
		i += n
	}
}

// referenceToken is the kind and length of the token at the start of s.
func referenceToken(s string) (int, int) {
	c := s[0]
	identLen := func(s string) int {
		n := 0
		for n < len(s) && isCedarIdentByte(s[n]) {
			n++
		}
		return n
	}
	switch {
	case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		return rtIdent, identLen(s)
	case c >= '0' && c <= '9':
		n := 1
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		return rtNumber, n
	case c == '?' && len(s) > 1 && (s[1] == '_' || s[1] >= 'a' && s[1] <= 'z' || s[1] >= 'A' && s[1] <= 'Z'):
		return rtSlot, 1 + identLen(s[1:])
	case c == '"':
		// "(\\.|[^"\\])*": an escape takes any character but a newline.
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '"':
				return rtString, i + 1
			case '\\':
				if i+1 >= len(s) || s[i+1] == '\n' {
					return rtInvalid, 1
				}
				i++
			}
		}
		return rtInvalid, 1
	}
	if len(s) >= 2 {
		switch s[:2] {
		case "::", "==", "!=", "<=", ">=", "||", "&&":
			return rtOp, 2
		}
	}
	if strings.IndexByte("@.,;:(){}[]<>+-*/%!=", c) >= 0 {
		return rtOp, 1
	}
	_, n := utf8.DecodeRuneInString(s)
	return rtInvalid, n
}

// refParser is the recursive descent over Cedar's grammar.
type refParser struct {
	toks []rtoken
	pos  int
	// follows are the open expression contexts, innermost last: the
	// tokens that can follow the expression each of them expects.
	follows [][]string
	first   int // index of the token of the first error, or -1
	fatal   int // index of the token of the unrecoverable error, or -1
}

// recovery unwinds the recognizer to the expression context ctx (an index
// of follows, or policyContext), to go on at token pos.
type recovery struct{ ctx, pos int }

// unrecoverable unwinds the recognizer after an unrecoverable error.
type unrecoverable struct{}

// policyContext is the context of `Policy: ! ";"`.
const policyContext = -1

// referenceGrammarError is the byte offset and a message of the error
// Cedar's parser reports first (see the top of this file) in text, which
// holds one policy (single) or a policy set; ok is false when the grammar
// accepts the text.
func referenceGrammarError(text string, single bool) (offset int, msg string, ok bool) {
	p := &refParser{toks: referenceLex(text), first: -1, fatal: -1}
	p.run(single)
	i := p.fatal
	if i < 0 {
		i = p.first
	}
	if i < 0 {
		return 0, "", false
	}
	t := p.toks[i]
	switch t.kind {
	case rtEOF:
		return t.start, "unexpected end of input", true
	case rtInvalid:
		return t.start, "invalid token", true
	case rtNumber:
		if _, err := strconv.ParseUint(t.text, 10, 64); err != nil {
			return t.start, "integer literal out of range", true
		}
	}
	return t.start, "unexpected token `" + t.text + "`", true
}

func (p *refParser) run(single bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(unrecoverable); !ok {
				panic(r)
			}
		}
	}()
	if single {
		p.policy()
		if p.cur().kind != rtEOF {
			p.fatal = p.pos
		}
		return
	}
	for p.cur().kind != rtEOF {
		p.policy()
	}
}

func (p *refParser) cur() rtoken { return p.toks[p.pos] }

func (p *refParser) peek() rtoken {
	if p.pos+1 < len(p.toks) {
		return p.toks[p.pos+1]
	}
	return p.toks[len(p.toks)-1]
}

func (p *refParser) is(s string) bool {
	t := p.cur()
	return (t.kind == rtOp || t.kind == rtIdent) && t.text == s
}

// failHere records an error at the current token and recovers from it
// as Cedar's parser does: it unwinds to the innermost context that can
// go on at the current or a later token, or stops at an unrecoverable
// error. It never returns; its result type is for its callers' returns.
func (p *refParser) failHere() bool {
	if p.first < 0 {
		p.first = p.pos
	}
	for j := p.pos; j < len(p.toks); j++ {
		t := p.toks[j]
		switch t.kind {
		case rtEOF: // nothing to recover at
			p.fatal = p.pos
			panic(unrecoverable{})
		case rtInvalid: // a lexer error ends the parse
			p.fatal = j
			panic(unrecoverable{})
		}
		for ctx := len(p.follows) - 1; ctx >= 0; ctx-- {
			for _, f := range p.follows[ctx] {
				if (t.kind == rtOp || t.kind == rtIdent) && t.text == f {
					panic(recovery{ctx: ctx, pos: j})
				}
			}
		}
		if t.kind == rtOp && t.text == ";" {
			panic(recovery{ctx: policyContext, pos: j})
		}
	}
	p.fatal = p.pos
	panic(unrecoverable{})
}

// exprIn parses an expression in a context where it can be followed by
// the tokens follow, then tail, the rest of the production the
// expression is part of. An error inside either is recovered from here
// when it comes to a token of follow: the expression's state stays on
// Cedar's parser stack until the production is complete.
func (p *refParser) exprIn(follow []string, tail func() bool) bool {
	ctx := len(p.follows)
	p.follows = append(p.follows, follow)
	defer func() { p.follows = p.follows[:ctx] }()
	return p.recovering(ctx, func() bool { return p.expr() && tail() }, tail)
}

// recovering runs body; when an error inside it is recovered from in the
// context ctx, it goes on with tail.
func (p *refParser) recovering(ctx int, body, tail func() bool) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if rc, isRecovery := r.(recovery); isRecovery && rc.ctx == ctx {
				p.pos = rc.pos
				ok = p.recovering(ctx, tail, tail)
				return
			}
			panic(r)
		}
	}()
	return body()
}

// expectAt returns a tail that consumes the token s.
func (p *refParser) expectAt(s string) func() bool {
	return func() bool { return p.expect(s) }
}

// followedBy returns a tail that checks, without consuming it, that the
// next token is one of follow.
func (p *refParser) followedBy(follow ...string) func() bool {
	return func() bool {
		for _, f := range follow {
			if p.is(f) {
				return true
			}
		}
		return p.failHere()
	}
}

// outerFollow is what can follow the innermost open expression.
func (p *refParser) outerFollow() []string {
	if n := len(p.follows); n > 0 {
		return p.follows[n-1]
	}
	return nil
}

func (p *refParser) expect(s string) bool {
	if !p.is(s) {
		return p.failHere()
	}
	p.pos++
	return true
}

// anyIdent: an identifier or any keyword.
func (p *refParser) anyIdent() bool {
	if p.cur().kind != rtIdent {
		return p.failHere()
	}
	p.pos++
	return true
}

// special reports whether t is one of the identifiers that cannot be a
// one-part name: true, false and if.
func special(t rtoken) bool {
	return t.kind == rtIdent && (t.text == "true" || t.text == "false" || t.text == "if")
}

// comma parses Comma<E> followed by closer: (E ",")* E? closer.
func (p *refParser) comma(elem func() bool, closer string) bool {
	for !p.is(closer) {
		if !elem() {
			return false
		}
		if !p.is(",") {
			break
		}
		p.pos++
	}
	return p.expect(closer)
}

// policy: Annotation* AnyIdent "(" Comma<VariableDef> ")" Cond* ";"
// | ! ";"
func (p *refParser) policy() (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if rc, isRecovery := r.(recovery); isRecovery && rc.ctx == policyContext {
				p.pos, ok = rc.pos+1, true
				return
			}
			panic(r)
		}
	}()
	for p.is("@") {
		p.pos++
		if !p.anyIdent() {
			return false
		}
		if p.is("(") {
			p.pos++
			if p.cur().kind != rtString {
				return p.failHere()
			}
			p.pos++
			if !p.expect(")") {
				return false
			}
		}
	}
	if !p.anyIdent() || !p.expect("(") || !p.comma(p.variableDef, ")") {
		return false
	}
	for p.cur().kind == rtIdent {
		p.pos++
		if !p.expect("{") {
			return false
		}
		if p.is("}") {
			p.pos++
			continue
		}
		if !p.exprIn([]string{"}"}, p.expectAt("}")) {
			return false
		}
	}
	return p.expect(";")
}

// variableDef: AnyIdent [":" Name] [IS Add] [RelOp Expr]
func (p *refParser) variableDef() bool {
	if !p.anyIdent() {
		return false
	}
	if p.is(":") {
		p.pos++
		if !p.name() {
			return false
		}
	}
	if p.is("is") {
		p.pos++
		if !p.add() {
			return false
		}
	}
	if p.relOp() {
		p.pos++
		return p.exprIn([]string{",", ")"}, p.followedBy(",", ")"))
	}
	return true
}

// name: CommonIdent | (AnyIdent "::")+ AnyIdent
func (p *refParser) name() bool {
	if p.cur().kind != rtIdent {
		return p.failHere()
	}
	first := p.cur()
	p.pos++
	if special(first) && !p.is("::") {
		return p.failHere()
	}
	for p.is("::") {
		p.pos++
		if !p.anyIdent() {
			return false
		}
	}
	return true
}

func (p *refParser) relOp() bool {
	for _, op := range []string{"<", "<=", ">=", ">", "!=", "==", "=", "in"} {
		if p.is(op) {
			return true
		}
	}
	return false
}

// expr: Or | IF Expr THEN Expr ELSE Expr
func (p *refParser) expr() bool {
	if p.is("if") && !(p.peek().kind == rtOp && p.peek().text == "::") {
		p.pos++
		outer := p.outerFollow()
		return p.exprIn([]string{"then"}, p.expectAt("then")) && p.exprIn([]string{"else"}, p.expectAt("else")) &&
			p.exprIn(outer, func() bool { return true })
	}
	return p.or()
}

func (p *refParser) or() bool {
	if !p.and() {
		return false
	}
	for p.is("||") {
		p.pos++
		if !p.and() {
			return false
		}
	}
	return true
}

func (p *refParser) and() bool {
	if !p.relation() {
		return false
	}
	for p.is("&&") {
		p.pos++
		if !p.relation() {
			return false
		}
	}
	return true
}

// relation: Add {RelOp Add} | Add HAS Add | Add HAS IF MemAccess* |
// Add LIKE Add | Add IS Add [IN Add]
func (p *refParser) relation() bool {
	if !p.add() {
		return false
	}
	switch {
	case p.relOp():
		for p.relOp() {
			p.pos++
			if !p.add() {
				return false
			}
		}
	case p.is("has"):
		p.pos++
		if p.is("if") && !(p.peek().kind == rtOp && p.peek().text == "::") {
			p.pos++
			return p.memAccesses()
		}
		return p.add()
	case p.is("like"):
		p.pos++
		return p.add()
	case p.is("is"):
		p.pos++
		if !p.add() {
			return false
		}
		if p.is("in") {
			p.pos++
			return p.add()
		}
	}
	return true
}

func (p *refParser) add() bool {
	if !p.mult() {
		return false
	}
	for p.is("+") || p.is("-") {
		p.pos++
		if !p.mult() {
			return false
		}
	}
	return true
}

func (p *refParser) mult() bool {
	if !p.unary() {
		return false
	}
	for p.is("*") || p.is("/") || p.is("%") {
		p.pos++
		if !p.unary() {
			return false
		}
	}
	return true
}

// unary: any run of one of `!` or `-`, then Member.
func (p *refParser) unary() bool {
	for _, op := range []string{"!", "-"} {
		if p.is(op) {
			for p.is(op) {
				p.pos++
			}
			break
		}
	}
	return p.primary() && p.memAccesses()
}

// memAccesses: { "." AnyIdent | "(" Comma<Expr> ")" | "[" Expr "]" }
func (p *refParser) memAccesses() bool {
	for {
		switch {
		case p.is("."):
			p.pos++
			if !p.anyIdent() {
				return false
			}
		case p.is("("):
			p.pos++
			if !p.comma(func() bool { return p.exprIn([]string{",", ")"}, p.followedBy(",", ")")) }, ")") {
				return false
			}
		case p.is("["):
			p.pos++
			if !p.exprIn([]string{"]"}, p.expectAt("]")) {
				return false
			}
		default:
			return true
		}
	}
}

// primary: Literal | Ref | Name | Slot | "(" Expr ")" |
// "[" Comma<Expr> "]" | "{" Comma<RecInit> "}"
func (p *refParser) primary() bool {
	t := p.cur()
	switch {
	case t.kind == rtNumber:
		if _, err := strconv.ParseUint(t.text, 10, 64); err != nil {
			// Cedar's "integer parse error", raised by the parser's action:
			// it ends the parse.
			if p.first < 0 {
				p.first = p.pos
			}
			p.fatal = p.pos
			panic(unrecoverable{})
		}
		p.pos++
		return true
	case t.kind == rtString, t.kind == rtSlot:
		p.pos++
		return true
	case t.kind == rtIdent:
		return p.nameOrRef()
	case p.is("("):
		p.pos++
		return p.exprIn([]string{")"}, p.expectAt(")"))
	case p.is("["):
		p.pos++
		return p.comma(func() bool { return p.exprIn([]string{",", "]"}, p.followedBy(",", "]")) }, "]")
	case p.is("{"):
		p.pos++
		return p.comma(p.recInit, "}")
	}
	return p.failHere()
}

// nameOrRef: a name (true and false alone are literals, `if` alone is
// nothing), or a name followed by "::" and a string or a record of
// literals (an entity reference).
func (p *refParser) nameOrRef() bool {
	first := p.cur()
	p.pos++
	if special(first) && !p.is("::") {
		if first.text == "if" {
			return p.failHere()
		}
		return true
	}
	name := !special(first) // a Name, which a Ref needs before its "::"
	for p.is("::") {
		p.pos++
		switch {
		case p.cur().kind == rtIdent:
			p.pos++
			name = true
		case p.cur().kind == rtString && name:
			p.pos++
			return true
		case p.is("{"):
			p.pos++
			return p.comma(p.refInit, "}")
		default:
			return p.failHere()
		}
	}
	return true
}

// refInit: AnyIdent ":" Literal
func (p *refParser) refInit() bool {
	if !p.anyIdent() || !p.expect(":") {
		return false
	}
	switch t := p.cur(); {
	case t.kind == rtNumber, t.kind == rtString, t.kind == rtIdent && (t.text == "true" || t.text == "false"):
		p.pos++
		return true
	}
	return p.failHere()
}

// recInit: IF ":" Expr | Expr ":" Expr
func (p *refParser) recInit() bool {
	if p.is("if") && p.peek().kind == rtOp && p.peek().text == ":" {
		p.pos += 2
		return p.exprIn([]string{",", "}"}, p.followedBy(",", "}"))
	}
	return p.exprIn([]string{":"}, p.expectAt(":")) && p.exprIn([]string{",", "}"}, p.followedBy(",", "}"))
}
