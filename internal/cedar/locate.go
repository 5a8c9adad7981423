package cedar

// Locating findings: schema findings at the field of a structured rule
// they are about (ValidateRule) and at the line and column of the text
// that mentions their subject (locateSubject); the attribute of
// jitsudo_policy_rule that a field of the API's rule is written in
// (RuleAttribute, RenameFields); and a position of an assembled statement
// within its conditions (ConditionsPosition).

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Messages of cedar-go's validator that name what they are about.
var (
	unknownEntityTypeRe = regexp.MustCompile("^unrecognized entity type `([^`]+)`$")
	unknownActionRe     = regexp.MustCompile("^unrecognized action `(.+)`$")
	attributeRe         = regexp.MustCompile("attribute `([^`]+)`")
)

// noApplicableAction is cedar-go's message for scopes that no action of
// the schema applies to.
const noApplicableAction = "unable to find an applicable action given the policy scope constraints"

// ValidateRule checks the structured rule r against s as [Schema.ValidatePolicy]
// checks Assemble(r), and locates each finding at the field of r it is
// about, with the flat API field names of [CheckShape]:
//
//   - an undeclared entity type of a principal or resource scope:
//     principal_entity_type, or principal_in_entity_type for the `in` type
//     of an is_in scope that sets InEntityType (resource_... likewise);
//   - an undeclared action of the action scope: action_ids[i], the first
//     id naming it;
//   - "unable to find an applicable action given the policy scope
//     constraints": principal_entity_type or resource_entity_type when
//     widening that scope alone to `any` makes it go away, else action_ids
//     (action_scope_type when the action scope is `any`);
//   - everything else (attributes and types in the conditions, entity types
//     and actions named only there): conditions, with Line and Column
//     relative to r.Conditions as written when the finding names something
//     the conditions mention.
//
// r must pass CheckShape and its assembled text must parse; if not, the
// result is what CheckShape reports, or one "ERROR" finding with Code
// "syntax" at conditions.
func (s *Schema) ValidateRule(r Rule) []Finding {
	if shape := CheckShape(r); HasErrors(shape) {
		return shape
	}
	p, err := ParseOne(Assemble(r))
	if err != nil {
		return []Finding{{Type: FindingError, Code: CodeSyntax, Location: "conditions", Message: err.Error()}}
	}
	msgs := s.messages(p)
	if len(msgs) == 0 {
		return nil
	}
	findings := make([]Finding, 0, len(msgs))
	for _, msg := range msgs {
		f := Finding{Type: FindingWarn, Code: CodeSchema, Message: msg}
		f.Location = s.ruleLocation(r, msg)
		if f.Location == "conditions" {
			f.Line, f.Column = locateSubject(r.Conditions, msg)
		}
		findings = append(findings, f)
	}
	return findings
}

// ruleLocation is the field of r that the validation message msg is about.
func (s *Schema) ruleLocation(r Rule, msg string) string {
	if m := unknownEntityTypeRe.FindStringSubmatch(msg); m != nil {
		for _, sc := range []struct {
			prefix string
			scope  Scope
		}{{"principal", r.Principal}, {"resource", r.Resource}} {
			if loc := scopeTypeLocation(sc.prefix, sc.scope, m[1]); loc != "" {
				return loc
			}
		}
		return "conditions"
	}
	if m := unknownActionRe.FindStringSubmatch(msg); m != nil {
		for i, id := range r.ActionIDs {
			if entityUID(actionType, id) == m[1] {
				return fmt.Sprintf("action_ids[%d]", i)
			}
		}
		return "conditions"
	}
	if msg == noApplicableAction {
		principalIsCause := r.Principal.Type != ScopeAny && !s.hasMessage(withScope(r, "principal", Scope{Type: ScopeAny}), msg)
		resourceIsCause := r.Resource.Type != ScopeAny && !s.hasMessage(withScope(r, "resource", Scope{Type: ScopeAny}), msg)
		switch {
		case principalIsCause && !resourceIsCause:
			return s.causeInScope(r, "principal", r.Principal, msg)
		case resourceIsCause && !principalIsCause:
			return s.causeInScope(r, "resource", r.Resource, msg)
		case r.ActionScopeType == ScopeAny:
			return "action_scope_type"
		default:
			return "action_ids"
		}
	}
	return "conditions"
}

// causeInScope is the field of scope sc (of variable prefix), which
// causes msg, to report msg at: its `in` entity type when sc is is_in with
// an InEntityType and dropping the `in` part makes msg go away, else its
// entity type.
func (s *Schema) causeInScope(r Rule, prefix string, sc Scope, msg string) string {
	if sc.Type == ScopeIsIn && sc.InEntityType != "" && !s.hasMessage(withScope(r, prefix, Scope{Type: ScopeIs, EntityType: sc.EntityType}), msg) {
		return prefix + "_in_entity_type"
	}
	return prefix + "_entity_type"
}

// scopeTypeLocation is the field of scope sc (of variable prefix) that
// names entity type t, or "".
func scopeTypeLocation(prefix string, sc Scope, t string) string {
	switch sc.Type {
	case ScopeEq, ScopeIn, ScopeIs:
		if sc.EntityType == t {
			return prefix + "_entity_type"
		}
	case ScopeIsIn:
		if sc.EntityType == t { // also the `in` type when InEntityType is empty
			return prefix + "_entity_type"
		}
		if sc.InEntityType == t {
			return prefix + "_in_entity_type"
		}
	}
	return ""
}

// withScope is r with its principal or resource scope replaced.
func withScope(r Rule, variable string, sc Scope) Rule {
	if variable == "principal" {
		r.Principal = sc
	} else {
		r.Resource = sc
	}
	return r
}

// hasMessage reports whether validating r against s gives msg.
func (s *Schema) hasMessage(r Rule, msg string) bool {
	p, err := ParseOne(Assemble(r))
	if err != nil {
		return false
	}
	return slices.Contains(s.messages(p), msg)
}

// locateSubject is the 1-based line and column of the first mention, in
// text (a policy or its conditions), of what msg (a validation message) is
// about: an undeclared entity type, an undeclared action or an attribute.
// Both are 0 when msg names nothing of the kind or text does not mention
// it.
func locateSubject(text, msg string) (int, int) {
	toks, err := tokenize(text)
	if err != nil {
		return 0, 0
	}
	at := -1
	switch {
	case unknownEntityTypeRe.MatchString(msg):
		at = findPath(toks, unknownEntityTypeRe.FindStringSubmatch(msg)[1])
	case unknownActionRe.MatchString(msg):
		at = findEntityLiteral(toks, unknownActionRe.FindStringSubmatch(msg)[1])
	case attributeRe.MatchString(msg):
		name := attributeRe.FindStringSubmatch(msg)[1]
		at = findAccess(toks, name)
	}
	if at < 0 {
		return 0, 0
	}
	return toks[at].line, toks[at].col
}

// pathAt is the path (`A::B::C`) of identifiers starting at toks[i], and
// the index of its last identifier.
func pathAt(toks []token, i int) (string, int) {
	path := toks[i].text
	for i+2 < len(toks) && toks[i+1].is("::") && toks[i+2].kind == tokIdent {
		path += "::" + toks[i+2].text
		i += 2
	}
	return path, i
}

// findPath is the index of the first complete path equal to t, or -1.
func findPath(toks []token, t string) int {
	for i, tk := range toks {
		if tk.kind != tokIdent || i > 0 && toks[i-1].is("::") {
			continue
		}
		if path, _ := pathAt(toks, i); path == t {
			return i
		}
	}
	return -1
}

// findEntityLiteral is the index of the first entity literal written as
// uid (`Action::"approve"`, as cedar-go prints it), or -1.
func findEntityLiteral(toks []token, uid string) int {
	for i, tk := range toks {
		if tk.kind != tokIdent || i > 0 && toks[i-1].is("::") {
			continue
		}
		path, last := pathAt(toks, i)
		if last+2 >= len(toks) || !toks[last+1].is("::") || toks[last+2].kind != tokString {
			continue
		}
		if path+"::"+toks[last+2].text == uid || literalEquals(path, toks[last+2].text, uid) {
			return i
		}
	}
	return -1
}

// literalEquals reports whether the entity literal path::str (str as
// written, with its quotes) is uid as cedar-go prints it, which may escape
// the id differently than it was written.
func literalEquals(path, str, uid string) bool {
	r, err := Decompose("permit (principal == " + path + "::" + str + ", action, resource);")
	return err == nil && entityUID(r.Principal.EntityType, r.Principal.EntityID) == uid
}

// findAccess is the index of the first access of the attribute path
// (`.a.b` for "a.b", or `["a"]` for "a"), not part of a `has` test, or -1.
// The index is that of the path's first attribute.
func findAccess(toks []token, path string) int {
	segs := strings.Split(path, ".")
	quoted := `"` + path + `"`
	for i := 1; i < len(toks); i++ {
		switch {
		case toks[i-1].is(".") && toks[i].kind == tokIdent && toks[i].text == segs[0]:
			if !inHasChain(toks, i) && followsPath(toks, i, segs[1:]) {
				return i
			}
		case len(segs) == 1 && toks[i-1].is("[") && toks[i].kind == tokString && toks[i].text == quoted && i+1 < len(toks) && toks[i+1].is("]"):
			return i
		}
	}
	return -1
}

// followsPath reports whether the tokens after toks[i] are `.seg` for
// each of segs.
func followsPath(toks []token, i int, segs []string) bool {
	for _, seg := range segs {
		if i+2 >= len(toks) || !toks[i+1].is(".") || toks[i+2].kind != tokIdent || toks[i+2].text != seg {
			return false
		}
		i += 2
	}
	return true
}

// inHasChain reports whether the identifier at i is part of the attribute
// path of a `has` test, as `b` in `context has a.b`.
func inHasChain(toks []token, i int) bool {
	for i >= 2 && toks[i-1].is(".") && toks[i-2].kind == tokIdent {
		i -= 2
	}
	return i >= 1 && toks[i-1].is("has")
}

// Attribute is the attribute of the jitsudo_policy_rule resource that a
// field of the API's rule (a location of details.validation) is written
// in: Name is the top-level attribute ("effect", "principal", "action",
// "conditions", "policy_text", ...), Field the attribute within the object
// of principal, action or resource ("scope", "entity_type", "ids", ...;
// else ""), and Index the element of action.ids (else -1).
type Attribute struct {
	Name  string
	Field string
	Index int
}

// String is the attribute's dotted name, e.g. "principal.entity_type" or
// "action.ids[2]".
func (a Attribute) String() string {
	s := a.Name
	if a.Field != "" {
		s += "." + a.Field
	}
	if a.Index >= 0 {
		s += fmt.Sprintf("[%d]", a.Index)
	}
	return s
}

// ruleFieldAttributes maps the flat fields of the API's rule that an
// attribute of jitsudo_policy_rule holds within an object to that
// attribute. The other fields of a rule are top-level attributes of the
// same name (ruleTopLevelFields).
var ruleFieldAttributes = map[string]Attribute{
	"principal_scope_type":     {"principal", "scope", -1},
	"principal_entity_type":    {"principal", "entity_type", -1},
	"principal_entity_id":      {"principal", "entity_id", -1},
	"principal_in_entity_type": {"principal", "in_entity_type", -1},
	"action_scope_type":        {"action", "scope", -1},
	"action_ids":               {"action", "ids", -1},
	"resource_scope_type":      {"resource", "scope", -1},
	"resource_entity_type":     {"resource", "entity_type", -1},
	"resource_entity_id":       {"resource", "entity_id", -1},
	"resource_in_entity_type":  {"resource", "in_entity_type", -1},
}

// ruleTopLevelFields are the fields of the API's rule that are top-level
// attributes of jitsudo_policy_rule under the same name.
var ruleTopLevelFields = []string{"ordinal", "policy_text", "effect", "conditions", "notice", "audit_session"}

// RuleAttribute is the attribute of jitsudo_policy_rule that the API's rule
// field location (such as "principal_entity_id" or "action_ids[2]") is
// written in; ok is false for a location that is no such field.
func RuleAttribute(location string) (a Attribute, ok bool) {
	if slices.Contains(ruleTopLevelFields, location) {
		return Attribute{Name: location, Index: -1}, true
	}
	if a, ok := ruleFieldAttributes[location]; ok {
		return a, true
	}
	if rest, ok := strings.CutPrefix(location, "action_ids["); ok {
		if i, err := strconv.Atoi(strings.TrimSuffix(rest, "]")); err == nil && strings.HasSuffix(rest, "]") && i >= 0 {
			a := ruleFieldAttributes["action_ids"]
			a.Index = i
			return a, true
		}
	}
	return Attribute{}, false
}

// attributeNames rewrites the API's field names in a message to the
// attribute names of jitsudo_policy_rule (see RenameFields).
var attributeNames = func() *strings.Replacer {
	var pairs []string
	for _, loc := range slices.Sorted(maps.Keys(ruleFieldAttributes)) { // no name is a prefix of another
		pairs = append(pairs, loc, ruleFieldAttributes[loc].String())
	}
	// CheckShape names the is_in-only InEntityType in prose.
	return strings.NewReplacer(append(pairs, "the `in` entity type", "in_entity_type", "`in` entity type", "in_entity_type")...)
}()

// RenameFields rewrites the API's rule field names in msg (a message of
// CheckShape or a location) to the attribute names of jitsudo_policy_rule:
// principal_scope_type to principal.scope, action_ids[1] to action.ids[1],
// "the `in` entity type" to in_entity_type, and so on.
func RenameFields(msg string) string {
	return attributeNames.Replace(msg)
}

// ConditionsPosition maps a 1-based line and column (in characters) of
// the statement assembled from a rule, in which the trimmed conditions
// start at byte start (at the beginning of a line), to the same position
// in the conditions as written, leading blank lines and indentation
// included. Positions after the conditions (errors about the statement's
// closing ";", which Assemble adds, on a line of its own after a trailing
// line comment) map to just past their last token (EndPosition), where
// Cedar reports an error about the end of a text; positions before them
// do not map.
func ConditionsPosition(assembled string, start int, conditions string, line, col int) (int, int, bool) {
	if line <= 0 || col <= 0 || start > len(assembled) {
		return 0, 0, false
	}
	first := 1 + strings.Count(assembled[:start], "\n") // line of the conditions' first character
	if line < first {
		return 0, 0, false
	}
	lines := strings.Split(strings.TrimSpace(conditions), "\n")
	i := line - first
	if i >= len(lines) {
		line, col := EndPosition(conditions)
		return line, col, true
	}
	col = min(col, utf8.RuneCountInString(lines[i])+1)

	lead := conditions[:len(conditions)-len(strings.TrimLeftFunc(conditions, unicode.IsSpace))]
	leadLines := strings.Count(lead, "\n")
	if i > 0 {
		return 1 + leadLines + i, col, true
	}
	indent := utf8.RuneCountInString(lead[strings.LastIndexByte(lead, '\n')+1:])
	return 1 + leadLines, indent + col, true
}
