package cedar

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	cedargo "github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/ast"
	"github.com/cedar-policy/cedar-go/types"
	xast "github.com/cedar-policy/cedar-go/x/exp/ast"
)

// SyntaxError is a Cedar syntax error in policy text.
//
// Line and Column are 1-based and relative to the text that was passed in;
// Column counts characters (runes), not bytes. Offset is the same position
// as a byte offset into the text. The position is that of the token the
// error is about, with the conventions of Cedar's reference implementation
// (see position.go): cedar-go's own positions, which are mostly one token
// late, are corrected. Line and Column are 0 (and Offset meaningless) when
// the position cannot be determined, which should not happen for text that
// cedar-go tokenizes.
type SyntaxError struct {
	Message string
	Line    int
	Column  int
	Offset  int
}

// Error implements error.
func (e *SyntaxError) Error() string {
	if e.Line <= 0 {
		return "syntax error: " + e.Message
	}
	return fmt.Sprintf("syntax error at line %d, column %d: %s", e.Line, e.Column, e.Message)
}

// CountError is the error of [ParseOne] for a text that parses but does
// not hold exactly one policy. Its message is "expected exactly one policy,
// found N". With more than one policy, Line, Column and Offset (as in
// [SyntaxError]) are where the second policy starts (its first annotation,
// if any); with none they are 0.
type CountError struct {
	Found  int
	Line   int
	Column int
	Offset int
}

// Error implements error.
func (e *CountError) Error() string {
	return fmt.Sprintf("expected exactly one policy, found %d", e.Found)
}

// ParseOne parses text, which must hold exactly one static Cedar policy
// (annotations and // comments allowed). Trailing text after the policy is an
// error, as are policy templates (?principal / ?resource slots). Syntax errors
// are returned as *SyntaxError; any other count of policies than one is a
// *CountError.
//
// The text is read as Cedar's reference implementation (4.12) reads it,
// where cedar-go differs (see grammar.go): no /* */ block comments, at most
// four repeated unary operators of one kind, raw newlines in strings and
// any Unicode white space between tokens allowed, and errors positioned
// where the reference reports its first one (refgrammar.go, position.go).
func ParseOne(text string) (*cedargo.Policy, error) {
	policies, err := parseText(text, true)
	if err != nil {
		return nil, err
	}
	if len(policies) != 1 {
		ce := &CountError{Found: len(policies)}
		if len(policies) > 1 {
			// cedar-go's offsets are into the text as normalized for it.
			m, _ := cedarGoText(text)
			ce.Offset = m.orig(policies[1].Position().Offset)
			ce.Line, ce.Column = offsetLineCol(text, ce.Offset)
		}
		return nil, ce
	}
	return policies[0], nil
}

// Format returns the normalized Cedar text of the single policy in text
// (see [ParseOne] for what is accepted). Whitespace, comments and redundant
// parentheses do not survive, so two texts with the same Format mean the same
// rule. Annotations are kept. Besides cedar-go's own normalization
// (Policy.MarshalCedar) one rewrite is applied: a one-element action list
// `action in [Action::"a"]` is written as the equivalent `action in
// Action::"a"`.
func Format(text string) (string, error) {
	p, err := ParseOne(text)
	if err != nil {
		return "", err
	}
	return normalize(p), nil
}

// SplitPolicySet splits a Cedar text holding any number of policies into one
// normalized text (as produced by [Format]) per policy, in source order. An
// empty text (or only comments) gives an empty slice. Syntax errors are
// returned as *SyntaxError with positions relative to the whole text.
func SplitPolicySet(text string) ([]string, error) {
	policies, err := parseList(text)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(policies))
	for i, p := range policies {
		out[i] = normalize(p)
	}
	return out, nil
}

// Decompose is the inverse of [Assemble]: it parses the single policy in text
// (see [ParseOne]) and returns it as a Rule. Conditions holds the policy's
// when/unless clauses as normalized Cedar text, one clause per line, or ""
// when there are none. Action entities must be of type Action (or
// Namespace::Action); only their ids are kept. An action `in` a single
// entity and `in` a list both give ActionScopeType "in". Annotations cannot be
// expressed in a Rule and are dropped.
//
// For every r that passes [CheckShape], Decompose(Assemble(r)) gives r back,
// except that Conditions comes back normalized and an is_in InEntityType equal
// to EntityType comes back empty.
func Decompose(text string) (Rule, error) {
	p, err := ParseOne(text)
	if err != nil {
		return Rule{}, err
	}
	pol := p.AST()

	r := Rule{Effect: EffectForbid}
	if pol.Effect == xast.EffectPermit {
		r.Effect = EffectPermit
	}
	if r.Principal, err = decomposeScope(pol.Principal); err != nil {
		return Rule{}, fmt.Errorf("principal: %w", err)
	}
	if r.Resource, err = decomposeScope(pol.Resource); err != nil {
		return Rule{}, fmt.Errorf("resource: %w", err)
	}
	if r.ActionScopeType, r.ActionIDs, err = decomposeAction(pol.Action); err != nil {
		return Rule{}, err
	}
	if r.Conditions, err = conditionsText(pol); err != nil {
		return Rule{}, err
	}
	return r, nil
}

func decomposeScope(n xast.IsScopeNode) (Scope, error) {
	switch s := n.(type) {
	case xast.ScopeTypeAll:
		return Scope{Type: ScopeAny}, nil
	case xast.ScopeTypeEq:
		return Scope{Type: ScopeEq, EntityType: string(s.Entity.Type), EntityID: string(s.Entity.ID)}, nil
	case xast.ScopeTypeIn:
		return Scope{Type: ScopeIn, EntityType: string(s.Entity.Type), EntityID: string(s.Entity.ID)}, nil
	case xast.ScopeTypeIs:
		return Scope{Type: ScopeIs, EntityType: string(s.Type)}, nil
	case xast.ScopeTypeIsIn:
		sc := Scope{Type: ScopeIsIn, EntityType: string(s.Type), EntityID: string(s.Entity.ID)}
		if s.Entity.Type != s.Type {
			sc.InEntityType = string(s.Entity.Type)
		}
		return sc, nil
	default:
		return Scope{}, fmt.Errorf("unsupported scope %T", n)
	}
}

func decomposeAction(n xast.IsActionScopeNode) (string, []string, error) {
	var (
		scopeType string
		uids      []types.EntityUID
	)
	switch s := n.(type) {
	case xast.ScopeTypeAll:
		return ScopeAny, nil, nil
	case xast.ScopeTypeEq:
		scopeType, uids = ScopeEq, []types.EntityUID{s.Entity}
	case xast.ScopeTypeIn:
		scopeType, uids = ScopeIn, []types.EntityUID{s.Entity}
	case xast.ScopeTypeInSet:
		scopeType, uids = ScopeIn, s.Entities
	default:
		return "", nil, fmt.Errorf("action: unsupported scope %T", n)
	}
	ids := make([]string, len(uids))
	for i, uid := range uids {
		if !isActionType(uid.Type) { // unreachable after ParseOne; kept as a guard
			return "", nil, fmt.Errorf("action: %s is not an Action entity", uid.MarshalCedar())
		}
		ids[i] = string(uid.ID)
	}
	return scopeType, ids, nil
}

// conditionsText renders only the when/unless clauses of pol. cedar-go has
// no public way to print an expression, so we print a copy of the policy
// with an unconstrained scope, no annotations and the same conditions, and
// cut off the fixed head `permit ( principal, action, resource )` and the
// trailing `;`.
func conditionsText(pol *ast.Policy) (string, error) {
	if len(pol.Conditions) == 0 {
		return "", nil
	}
	bare := ast.Policy{
		Effect:     xast.EffectPermit,
		Principal:  xast.ScopeTypeAll{},
		Action:     xast.ScopeTypeAll{},
		Resource:   xast.ScopeTypeAll{},
		Conditions: pol.Conditions,
	}
	const head = "permit ( principal, action, resource )\n"
	text := string(bare.MarshalCedar())
	if !strings.HasPrefix(text, head) || !strings.HasSuffix(text, ";") {
		return "", fmt.Errorf("cannot extract conditions from %q", text)
	}
	return strings.TrimSuffix(strings.TrimPrefix(text, head), ";"), nil
}

// normalize prints p the way Format documents.
func normalize(p *cedargo.Policy) string {
	pol := *p.AST() // shallow copy: the original must not be modified
	if s, ok := pol.Action.(xast.ScopeTypeInSet); ok && len(s.Entities) == 1 {
		pol.Action = xast.ScopeTypeIn{Entity: s.Entities[0]}
	}
	return string(pol.MarshalCedar())
}

// parseList parses any number of policies and converts errors to
// *SyntaxError.
func parseList(text string) (cedargo.PolicyList, error) {
	return parseText(text, false)
}

// parseText parses text, a policy set or (single) one policy, with
// parseWithCedarGo and moves a *SyntaxError to where Cedar reports the
// first error: a token its grammar cannot continue with comes first (see
// refgrammar.go).
func parseText(text string, single bool) (cedargo.PolicyList, error) {
	policies, err := parseWithCedarGo(text)
	var se *SyntaxError
	if err == nil || !errors.As(err, &se) {
		return policies, err
	}
	if off, msg, ok := referenceGrammarError(text, single); ok && (off != se.Offset || se.Line <= 0) {
		ref := &SyntaxError{Message: msg}
		ref.setPosition(text, off)
		return nil, ref
	}
	return nil, err
}

// parseWithCedarGo parses any number of policies with cedar-go, after the
// pre-checks of this package, and converts errors to *SyntaxError.
func parseWithCedarGo(text string) (cedargo.PolicyList, error) {
	if err := CheckBounds(text, MaxTextLength); err != nil {
		return nil, err
	}
	// cedar-go parses m.text, which means what text means to Cedar (see
	// grammar.go); errors are positioned in m.text and mapped back.
	m, err := cedarGoText(text)
	if err != nil {
		return nil, err
	}
	if err := precheck(m.text); err != nil {
		return nil, m.remap(text, err)
	}
	// NewPolicyListFromBytes, unlike Policy.UnmarshalCedar, parses up to the
	// end of input, so trailing text is an error instead of being ignored.
	policies, err := cedargo.NewPolicyListFromBytes("", []byte(m.text))
	if err != nil {
		return nil, m.remap(text, syntaxErrorOf(m.text, err))
	}
	for _, p := range policies {
		if err := checkActionScope(m.text, p); err != nil {
			return nil, m.remap(text, err)
		}
	}
	return policies, nil
}

// checkActionScope rejects action scope entities that are not of type
// Action or Namespace::Action, such as `action == Group::"sre"`. Cedar's
// grammar does not allow them, but cedar-go v1.9.0 parses them (found by the
// differential test against the Rust implementation). The error is
// positioned at the first such entity in text.
func checkActionScope(text string, p *cedargo.Policy) error {
	var uids []types.EntityUID
	switch s := p.AST().Action.(type) {
	case xast.ScopeTypeEq:
		uids = []types.EntityUID{s.Entity}
	case xast.ScopeTypeIn:
		uids = []types.EntityUID{s.Entity}
	case xast.ScopeTypeInSet:
		uids = s.Entities
	}
	for _, uid := range uids {
		if !isActionType(uid.Type) {
			se := &SyntaxError{
				Message: fmt.Sprintf("action scope entities must have type %s (optionally in a namespace), got %s", actionType, uid.MarshalCedar()),
			}
			se.setPosition(text, actionScopeEntityOffset(text, p.Position().Offset))
			return se
		}
	}
	return nil
}

// actionScopeEntityOffset is the offset of the first entity of the action
// scope of the policy starting at offset start whose type is not an action
// type (the `[` of the list it is in, if any: Cedar spans the list), or
// start if there is none.
func actionScopeEntityOffset(text string, start int) int {
	toks, err := tokenize(text)
	if err != nil {
		return start
	}
	i := 0
	for i < len(toks) && toks[i].offset < start {
		i++
	}
	// Skip the annotations to the effect and its `(`, then to `action`.
	for i < len(toks) && !(toks[i].kind == tokIdent && (toks[i].text == EffectPermit || toks[i].text == EffectForbid)) {
		i++
	}
	for i+1 < len(toks) && !(toks[i].kind == tokIdent && toks[i].text == "action" && !toks[i+1].is("::")) {
		i++
	}
	for ; i < len(toks) && !toks[i].is(")"); i++ {
		if toks[i].kind != tokString || i < 2 || !toks[i-1].is("::") {
			continue
		}
		first := pathStart(toks, i-2)
		var path strings.Builder
		for _, t := range toks[first : i-1] {
			path.WriteString(t.text)
		}
		if !isActionType(types.EntityType(path.String())) {
			// Cedar spans a list from its `[`.
			if open := enclosingOpener(toks, first); open >= 0 && toks[open].is("[") {
				return toks[open].offset
			}
			return toks[first].offset
		}
	}
	return start
}

// isActionType reports whether t is Action or Namespace::Action.
func isActionType(t types.EntityType) bool {
	return t == actionType || strings.HasSuffix(string(t), "::"+actionType)
}

// precheck finds two problems that cedar-go reports badly: NUL bytes (whose
// position cedar-go may report as line 0) and template slots (?principal,
// ?resource), which cedar-go does not support at all and reports as a
// confusing "expected ident" one token late. Like Cedar, it reports the
// last slot of a template with several. It skips string literals and
// comments; text has been through normalizeText, so it holds no block
// comments and no raw newlines in strings.
func precheck(text string) error {
	line, col := 1, 0
	inString, lineComment := false, false
	var slot error
	for i := 0; i < len(text); {
		c, size := utf8.DecodeRuneInString(text[i:])
		col++
		switch {
		case c == 0:
			return &SyntaxError{Message: "invalid character NUL", Line: line, Column: col, Offset: i}
		case c == '\n':
			line, col = line+1, 0
			lineComment, inString = false, false
		case lineComment:
		case inString:
			switch c {
			case '\\':
				// Skip the escaped character.
				if i+1 < len(text) && text[i+1] != '\n' {
					_, next := utf8.DecodeRuneInString(text[i+1:])
					i, col = i+1+next, col+1
					continue
				}
			case '"':
				inString = false
			}
		case c == '"':
			inString = true
		case strings.HasPrefix(text[i:], "//"):
			lineComment = true
		case c == '?':
			rest := text[i+1:]
			for _, name := range []string{"principal", "resource"} {
				if strings.HasPrefix(rest, name) && !startsWithIdentRune(rest[len(name):]) {
					slot = &SyntaxError{
						Message: "policy templates are not supported: remove the ?" + name + " slot and name the entity",
						Line:    line, Column: col, Offset: i,
					}
				}
			}
		}
		i += size
	}
	return slot
}

func startsWithIdentRune(s string) bool {
	return s != "" && (s[0] == '_' || s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z' || s[0] >= '0' && s[0] <= '9')
}
