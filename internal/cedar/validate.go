package cedar

// Pre- and post-checks that bring cedar-go v1.9.0's strict validation in
// line with Cedar's reference implementation (Rust, 4.12), found by the
// differential test (difftest_test.go). Before validating, the policy is
// rewritten (parityPolicy):
//
//   - its when/unless clauses become one conjunction, `when {A} when {B}
//     unless {C}` → `when { A && B && !C }`: Cedar type-checks them as
//     one expression, so a `has` in one clause guards an access in a later
//     one and a clause that is always false leaves the later ones
//     unchecked (but for their entity references); cedar-go checks each
//     clause on its own;
//   - `x is T in e` becomes `x is T && x in e`: Cedar does not type-check
//     e where x cannot be a T;
//   - `action == <literal>` and `<literal> == action` (and `!=`) with a
//     literal that is not an entity become false (true): Cedar knows the
//     action of each request environment and folds the comparison, warning
//     that the policy is impossible, where cedar-go reports incompatible
//     types.
//
// After validating, when cedar-go finds nothing, probes find what Cedar
// reports and cedar-go does not (parityProbe): comparisons (<, <=, >, >=)
// of operands of different types (datetime with Long or duration),
// containsAll/containsAny of set literals of different entity types, an
// undeclared entity type after `is` and an entity literal of an enumerated
// type whose id is not one of its values.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cedar-policy/cedar-go/types"
	xast "github.com/cedar-policy/cedar-go/x/exp/ast"
)

// parityPolicy is a copy of p rewritten for validation (see the top of
// this file).
func parityPolicy(p *xast.Policy) *xast.Policy {
	out := *p
	if len(p.Conditions) == 0 {
		return &out
	}
	terms := make([]xast.IsNode, len(p.Conditions))
	for i, c := range p.Conditions {
		terms[i] = c.Body
		if c.Condition == xast.ConditionUnless {
			terms[i] = xast.NodeTypeNot{UnaryNode: xast.UnaryNode{Arg: c.Body}}
		}
	}
	body := conjunction(terms)
	out.Conditions = []xast.ConditionType{{Condition: xast.ConditionWhen, Body: mapNode(body, func(n xast.IsNode) xast.IsNode {
		return splitIsIn(foldActionEquality(n))
	})}}
	return &out
}

// conjunction joins terms (at least one) with `&&` in a balanced tree, so
// that a policy of many clauses nests no deeper than log2 of their count
// more than its deepest clause (see MaxDepth). `&&` is associative, and
// cedar-go's checks go from left to right through it either way.
func conjunction(terms []xast.IsNode) xast.IsNode {
	if len(terms) == 1 {
		return terms[0]
	}
	mid := len(terms) / 2
	return xast.NodeTypeAnd{BinaryNode: xast.BinaryNode{Left: conjunction(terms[:mid]), Right: conjunction(terms[mid:])}}
}

// splitIsIn turns `x is T in e` into `x is T && x in e`: when `x is T` is
// false in a request environment (x's type is not T), Cedar does not
// type-check e, and neither does cedar-go's `&&`; its `is ... in` does.
func splitIsIn(n xast.IsNode) xast.IsNode {
	e, ok := n.(xast.NodeTypeIsIn)
	if !ok {
		return n
	}
	return xast.NodeTypeAnd{BinaryNode: xast.BinaryNode{
		Left:  e.NodeTypeIs,
		Right: xast.NodeTypeIn{BinaryNode: xast.BinaryNode{Left: e.Left, Right: e.Entity}},
	}}
}

// foldActionEquality turns `action == <literal that is not an entity>`
// into false and `!=` into true (either operand order).
func foldActionEquality(n xast.IsNode) xast.IsNode {
	var (
		b       xast.BinaryNode
		negated bool
	)
	switch e := n.(type) {
	case xast.NodeTypeEquals:
		b = e.BinaryNode
	case xast.NodeTypeNotEquals:
		b, negated = e.BinaryNode, true
	default:
		return n
	}
	if (isActionVariable(b.Left) && isNonEntityLiteral(b.Right)) || (isNonEntityLiteral(b.Left) && isActionVariable(b.Right)) {
		return xast.NodeValue{Value: types.Boolean(negated)}
	}
	return n
}

func isActionVariable(n xast.IsNode) bool {
	v, ok := n.(xast.NodeTypeVariable)
	return ok && v.Name == "action"
}

func isNonEntityLiteral(n xast.IsNode) bool {
	v, ok := n.(xast.NodeValue)
	if !ok {
		return false
	}
	_, entity := v.Value.(types.EntityUID)
	return !entity
}

// parityProbe is p (as rewritten by parityPolicy) with, after every
// comparison `a < b` (and <=, >, >=), a check `a == b` that strict mode
// fails for operands of different types, and after every
// `[x, ...].containsAll([y, ...])` (or containsAny) a set literal
// `[x, ..., y, ...]`, which strict mode fails for entities of different
// types. Either check is joined with `&&`, so that it is checked under the
// same guards as the original.
// It is nil when p has nothing to probe.
func parityProbe(p *xast.Policy) *xast.Policy {
	out := *p
	out.Conditions = make([]xast.ConditionType, len(p.Conditions))
	probed := false
	for i, c := range p.Conditions {
		out.Conditions[i] = xast.ConditionType{Condition: c.Condition, Body: mapNode(c.Body, func(n xast.IsNode) xast.IsNode {
			m := addTypeProbe(n)
			if _, isAnd := m.(xast.NodeTypeAnd); isAnd {
				if _, wasAnd := n.(xast.NodeTypeAnd); !wasAnd {
					probed = true
				}
			}
			return m
		})}
	}
	if !probed {
		return nil
	}
	return &out
}

func addTypeProbe(n xast.IsNode) xast.IsNode {
	var probe xast.IsNode
	switch e := n.(type) {
	case xast.NodeTypeLessThan:
		probe = xast.NodeTypeEquals(e)
	case xast.NodeTypeLessThanOrEqual:
		probe = xast.NodeTypeEquals(e)
	case xast.NodeTypeGreaterThan:
		probe = xast.NodeTypeEquals(e)
	case xast.NodeTypeGreaterThanOrEqual:
		probe = xast.NodeTypeEquals(e)
	case xast.NodeTypeContainsAll:
		probe = setUnionProbe(e.BinaryNode)
	case xast.NodeTypeContainsAny:
		probe = setUnionProbe(e.BinaryNode)
	}
	if probe == nil {
		return n
	}
	return xast.NodeTypeAnd{BinaryNode: xast.BinaryNode{Left: n, Right: probe}}
}

// setUnionProbe is `[x, ..., y, ...].isEmpty()` for set literals `[x,
// ...]` and `[y, ...]`, or nil.
func setUnionProbe(b xast.BinaryNode) xast.IsNode {
	l, lok := b.Left.(xast.NodeTypeSet)
	r, rok := b.Right.(xast.NodeTypeSet)
	if !lok || !rok || len(l.Elements) == 0 || len(r.Elements) == 0 {
		return nil
	}
	union := xast.NodeTypeSet{Elements: append(slices.Clone(l.Elements), r.Elements...)}
	return xast.NodeTypeIsEmpty{UnaryNode: xast.UnaryNode{Arg: union}}
}

// undeclaredNames are the messages, in the words of Cedar, about entity
// types after `is` in p's conditions that s does not declare and entity
// literals of enumerated types whose id is not one of the values.
func (s *Schema) undeclaredNames(p *xast.Policy) []string {
	var msgs []string
	for _, c := range p.Conditions {
		xast.Inspect(xast.NewNode(c.Body), func(n xast.IsNode) bool {
			switch e := n.(type) {
			case xast.NodeTypeIs:
				if !s.declares(e.EntityType) {
					msgs = append(msgs, fmt.Sprintf("unrecognized entity type `%s`", e.EntityType))
				}
			case xast.NodeTypeIsIn:
				if !s.declares(e.EntityType) {
					msgs = append(msgs, fmt.Sprintf("unrecognized entity type `%s`", e.EntityType))
				}
			case xast.NodeValue:
				msgs = append(msgs, s.enumMessages(e.Value)...)
			}
			return true
		})
	}
	return msgs
}

// declares reports whether t is an entity type, an enumerated type or an
// action type of s.
func (s *Schema) declares(t types.EntityType) bool {
	if _, ok := s.resolved.Entities[t]; ok {
		return true
	}
	if _, ok := s.resolved.Enums[t]; ok {
		return true
	}
	for uid := range s.resolved.Actions {
		if uid.Type == t {
			return true
		}
	}
	return false
}

// enumMessages are the messages about the entity literals in v of an
// enumerated type whose id is not one of its values.
func (s *Schema) enumMessages(v types.Value) []string {
	switch e := v.(type) {
	case types.EntityUID:
		enum, ok := s.resolved.Enums[e.Type]
		if ok && !slices.Contains(enum.Values, e) {
			return []string{fmt.Sprintf("entity `%s` is of an enumerated entity type, but `%q` is not one of its declared values", e, string(e.ID))}
		}
	case types.Set:
		var msgs []string
		for elem := range e.All() {
			msgs = append(msgs, s.enumMessages(elem)...)
		}
		return msgs
	}
	return nil
}

// mapNode rebuilds the expression n bottom-up, replacing every node m by
// f(m) after its operands have been mapped.
func mapNode(n xast.IsNode, f func(xast.IsNode) xast.IsNode) xast.IsNode {
	m := func(c xast.IsNode) xast.IsNode { return mapNode(c, f) }
	bin := func(b xast.BinaryNode) xast.BinaryNode { return xast.BinaryNode{Left: m(b.Left), Right: m(b.Right)} }
	un := func(u xast.UnaryNode) xast.UnaryNode { return xast.UnaryNode{Arg: m(u.Arg)} }
	str := func(s xast.StrOpNode) xast.StrOpNode { return xast.StrOpNode{Arg: m(s.Arg), Value: s.Value} }
	var out xast.IsNode
	switch e := n.(type) {
	case xast.NodeTypeIfThenElse:
		out = xast.NodeTypeIfThenElse{If: m(e.If), Then: m(e.Then), Else: m(e.Else)}
	case xast.NodeTypeOr:
		out = xast.NodeTypeOr{BinaryNode: bin(e.BinaryNode)}
	case xast.NodeTypeAnd:
		out = xast.NodeTypeAnd{BinaryNode: bin(e.BinaryNode)}
	case xast.NodeTypeLessThan:
		out = xast.NodeTypeLessThan{BinaryNode: bin(e.BinaryNode)}
	case xast.NodeTypeLessThanOrEqual:
		out = xast.NodeTypeLessThanOrEqual{BinaryNode: bin(e.BinaryNode)}
	case xast.NodeTypeGreaterThan:
		out = xast.NodeTypeGreaterThan{BinaryNode: bin(e.BinaryNode)}
	case xast.NodeTypeGreaterThanOrEqual:
		out = xast.NodeTypeGreaterThanOrEqual{BinaryNode: bin(e.BinaryNode)}
	case xast.NodeTypeNotEquals:
		out = xast.NodeTypeNotEquals{BinaryNode: bin(e.BinaryNode)}
	case xast.NodeTypeEquals:
		out = xast.NodeTypeEquals{BinaryNode: bin(e.BinaryNode)}
	case xast.NodeTypeIn:
		out = xast.NodeTypeIn{BinaryNode: bin(e.BinaryNode)}
	case xast.NodeTypeHas:
		out = xast.NodeTypeHas{StrOpNode: str(e.StrOpNode)}
	case xast.NodeTypeHasTag:
		out = xast.NodeTypeHasTag{BinaryNode: bin(e.BinaryNode)}
	case xast.NodeTypeLike:
		out = xast.NodeTypeLike{Arg: m(e.Arg), Value: e.Value}
	case xast.NodeTypeIs:
		out = xast.NodeTypeIs{Left: m(e.Left), EntityType: e.EntityType}
	case xast.NodeTypeIsIn:
		out = xast.NodeTypeIsIn{NodeTypeIs: xast.NodeTypeIs{Left: m(e.Left), EntityType: e.EntityType}, Entity: m(e.Entity)}
	case xast.NodeTypeSub:
		out = xast.NodeTypeSub{BinaryNode: bin(e.BinaryNode)}
	case xast.NodeTypeAdd:
		out = xast.NodeTypeAdd{BinaryNode: bin(e.BinaryNode)}
	case xast.NodeTypeMult:
		out = xast.NodeTypeMult{BinaryNode: bin(e.BinaryNode)}
	case xast.NodeTypeNegate:
		out = xast.NodeTypeNegate{UnaryNode: un(e.UnaryNode)}
	case xast.NodeTypeNot:
		out = xast.NodeTypeNot{UnaryNode: un(e.UnaryNode)}
	case xast.NodeTypeAccess:
		out = xast.NodeTypeAccess{StrOpNode: str(e.StrOpNode)}
	case xast.NodeTypeGetTag:
		out = xast.NodeTypeGetTag{BinaryNode: bin(e.BinaryNode)}
	case xast.NodeTypeExtensionCall:
		args := make([]xast.IsNode, len(e.Args))
		for i, a := range e.Args {
			args[i] = m(a)
		}
		out = xast.NodeTypeExtensionCall{Name: e.Name, Args: args}
	case xast.NodeTypeContains:
		out = xast.NodeTypeContains{BinaryNode: bin(e.BinaryNode)}
	case xast.NodeTypeContainsAll:
		out = xast.NodeTypeContainsAll{BinaryNode: bin(e.BinaryNode)}
	case xast.NodeTypeContainsAny:
		out = xast.NodeTypeContainsAny{BinaryNode: bin(e.BinaryNode)}
	case xast.NodeTypeIsEmpty:
		out = xast.NodeTypeIsEmpty{UnaryNode: un(e.UnaryNode)}
	case xast.NodeTypeRecord:
		elems := make([]xast.RecordElementNode, len(e.Elements))
		for i, el := range e.Elements {
			elems[i] = xast.RecordElementNode{Key: el.Key, Value: m(el.Value)}
		}
		out = xast.NodeTypeRecord{Elements: elems}
	case xast.NodeTypeSet:
		elems := make([]xast.IsNode, len(e.Elements))
		for i, el := range e.Elements {
			elems[i] = m(el)
		}
		out = xast.NodeTypeSet{Elements: elems}
	default: // values and variables have no operands
		out = n
	}
	return f(out)
}

// msgNoApplicableAction is cedar-go's (and Cedar's) message for a policy
// that no action of the schema applies to.
const msgNoApplicableAction = "unable to find an applicable action given the policy scope constraints"

// hasApplicableAction reports whether some action of s applies to at least
// one principal type and one resource type. Cedar reports
// msgNoApplicableAction for every policy when none does, even one with an
// unconstrained scope, which cedar-go lets through.
func (s *Schema) hasApplicableAction() bool {
	for _, a := range s.resolved.Actions {
		if a.AppliesTo != nil && len(a.AppliesTo.Principals) > 0 && len(a.AppliesTo.Resources) > 0 {
			return true
		}
	}
	return false
}

// schemaGrammarError is the error for what cedar-go's schema parser
// accepts and Cedar's does not: a block comment `/* ... */` and the type
// name `Boolean` (Cedar's is `Bool`; neither lets a schema declare a type
// of that name).
func schemaGrammarError(text string) error {
	toks := schemaWords(text)
	for i, w := range toks {
		switch {
		case w.text == "/*":
			line, col := offsetLineCol(text, w.offset)
			return fmt.Errorf("<input>:%d:%d: invalid token `/`: Cedar schemas have no block comments, use // line comments", line, col)
		case w.text == "Boolean" && i > 0 && (toks[i-1].text == ":" || toks[i-1].text == "<" || toks[i-1].text == "="):
			line, col := offsetLineCol(text, w.offset)
			return fmt.Errorf("<input>:%d:%d: failed to resolve type: Boolean (Cedar's boolean type is Bool)", line, col)
		}
	}
	return nil
}

// schemaWords splits a schema text into identifiers, `/*` and single
// punctuation characters, skipping white space, string literals and //
// comments. It is only as exact as schemaGrammarError needs.
func schemaWords(text string) []token {
	var out []token
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case strings.HasPrefix(text[i:], "//"):
			n := strings.IndexAny(text[i:], "\r\n")
			if n < 0 {
				return out
			}
			i += n
		case strings.HasPrefix(text[i:], "/*"):
			out = append(out, token{text: "/*", offset: i})
			i += 2
		case c == '"':
			j := i + 1
			for j < len(text) && text[j] != '"' {
				if text[j] == '\\' {
					j++
				}
				j++
			}
			i = j + 1
		case isCedarIdentByte(c):
			j := i
			for j < len(text) && isCedarIdentByte(text[j]) {
				j++
			}
			out = append(out, token{text: text[i:j], offset: i})
			i = j
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		default:
			out = append(out, token{text: text[i : i+1], offset: i})
			i++
		}
	}
	return out
}
