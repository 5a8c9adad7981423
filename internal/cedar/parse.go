package cedar

import (
	"fmt"
	"regexp"
	"strconv"
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
// Column counts characters (runes), not bytes. Both are 0 when cedar-go does
// not report a position, which happens for escapes that are well-formed but
// not allowed in a plain string, such as "\*" outside a `like` pattern.
//
// Caveat: cedar-go v1.9.0 reports most parser errors at the token AFTER the
// offending one (it advances before building the error), e.g. for
// `permit (principal == ?principal, ...)` it points at `principal`, not `?`,
// and for trailing junk after the last `;` it points at the end of input.
// Tokenizer errors (unterminated string or comment, malformed escape) are
// positioned at the start of the offending token. We pass the positions through unchanged,
// except for NUL bytes and template slots, which this package detects itself
// with exact positions.
type SyntaxError struct {
	Message string
	Line    int
	Column  int
}

// Error implements error.
func (e *SyntaxError) Error() string {
	if e.Line <= 0 {
		return "syntax error: " + e.Message
	}
	return fmt.Sprintf("syntax error at line %d, column %d: %s", e.Line, e.Column, e.Message)
}

// ParseOne parses text, which must hold exactly one static Cedar policy
// (annotations and comments allowed). Trailing text after the policy is an
// error, as are policy templates (?principal / ?resource slots). Syntax errors
// are returned as *SyntaxError; any other count of policies than one is a
// plain error "expected exactly one policy, found N".
func ParseOne(text string) (*cedargo.Policy, error) {
	policies, err := parseList(text)
	if err != nil {
		return nil, err
	}
	if len(policies) != 1 {
		return nil, fmt.Errorf("expected exactly one policy, found %d", len(policies))
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
		if t := string(uid.Type); t != actionType && !strings.HasSuffix(t, "::"+actionType) {
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
	if err := precheck(text); err != nil {
		return nil, err
	}
	// NewPolicyListFromBytes, unlike Policy.UnmarshalCedar, parses up to the
	// end of input, so trailing text is an error instead of being ignored.
	policies, err := cedargo.NewPolicyListFromBytes("", []byte(text))
	if err != nil {
		return nil, toSyntaxError(err)
	}
	return policies, nil
}

// cedarPosition matches the positions in cedar-go's error messages, e.g.
// `parser error: parse error at <input>:2:21 "3": invalid primary` or
// `parser error: <input>:1:45: literal not terminated`.
var cedarPosition = regexp.MustCompile(`<input>:(\d+):(\d+)(?::| "(?:[^"\\]|\\.)*":)? ?`)

func toSyntaxError(err error) *SyntaxError {
	msg := strings.TrimPrefix(err.Error(), "parser error: ")
	msg = strings.TrimPrefix(msg, "parse error at ")
	se := &SyntaxError{Message: msg}
	if m := cedarPosition.FindStringSubmatchIndex(msg); m != nil {
		se.Line, _ = strconv.Atoi(msg[m[2]:m[3]])
		se.Column, _ = strconv.Atoi(msg[m[4]:m[5]])
		se.Message = strings.TrimSpace(msg[:m[0]] + msg[m[1]:])
		if se.Line <= 0 {
			se.Line, se.Column = 0, 0
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
	if se.Message == "" {
		se.Message = err.Error()
	}
	return se
}

var exactGotWant = regexp.MustCompile(`^exact got (.*) want (.*)$`)

// precheck finds two problems that cedar-go reports badly: NUL bytes (whose
// position cedar-go may report as line 0) and template slots (?principal,
// ?resource), which cedar-go does not support at all and reports as a
// confusing "expected ident" one token late. It skips string literals and
// comments.
func precheck(text string) error {
	line, col := 1, 0
	inString, lineComment, blockComment := false, false, false
	for i := 0; i < len(text); {
		c, size := utf8.DecodeRuneInString(text[i:])
		col++
		switch {
		case c == 0:
			return &SyntaxError{Message: "invalid character NUL", Line: line, Column: col}
		case c == '\n':
			line, col = line+1, 0
			lineComment, inString = false, false // cedar-go strings cannot span lines
		case lineComment:
		case blockComment:
			if strings.HasPrefix(text[i:], "*/") {
				blockComment = false
				i, col = i+2, col+1
				continue
			}
		case inString:
			switch c {
			case '\\':
				// Skip the escaped character (never a newline in valid Cedar).
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
		case strings.HasPrefix(text[i:], "/*"): // cedar-go also accepts block comments
			blockComment = true
			i, col = i+2, col+1
			continue
		case c == '?':
			rest := text[i+1:]
			for _, slot := range []string{"principal", "resource"} {
				if strings.HasPrefix(rest, slot) && !startsWithIdentRune(rest[len(slot):]) {
					return &SyntaxError{
						Message: "policy templates are not supported: remove the ?" + slot + " slot and name the entity",
						Line:    line, Column: col,
					}
				}
			}
		}
		i += size
	}
	return nil
}

func startsWithIdentRune(s string) bool {
	return s != "" && (s[0] == '_' || s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z' || s[0] >= '0' && s[0] <= '9')
}
