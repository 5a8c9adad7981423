// Package cedar assembles, parses, decomposes and validates the Cedar
// policies ("rules") that JITSudo uses to decide who may request, approve,
// deny, revoke or extend just-in-time AWS access.
//
// Both the local API server (jitsudo-local) and the Terraform provider use
// this package, so that a rule given as structured fields (see [Rule]) and a
// rule given as Cedar text are assembled and judged in exactly the same way:
//
//   - [CheckShape] reports structural problems of a [Rule] as [Finding]s;
//   - [Assemble] turns a well-shaped [Rule] into deterministic Cedar text;
//   - [ParseOne], [Format], [Decompose] and [SplitPolicySet] read Cedar text;
//   - [DefaultSchema] and [ValidatePolicy] check a policy against a schema.
//
// The package wraps github.com/cedar-policy/cedar-go; callers should not need
// to import cedar-go themselves except to use the *cedargo.Policy returned by
// [ParseOne].
package cedar

import (
	"fmt"
	"strings"
	"unicode/utf8"

	cedargo "github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"
)

// Effects of a rule.
const (
	EffectPermit = "permit"
	EffectForbid = "forbid"
)

// Scope types of a principal, action or resource scope. Actions only use
// ScopeAny, ScopeEq and ScopeIn.
const (
	ScopeAny  = "any"   // no constraint: bare `principal`
	ScopeEq   = "eq"    // `principal == Type::"id"`
	ScopeIn   = "in"    // `principal in Type::"id"`; actions: `action in [...]`
	ScopeIs   = "is"    // `principal is Type`
	ScopeIsIn = "is_in" // `principal is Type in Type2::"id"` (Type2 from EntityType)
)

// Finding types (Finding.Type), in decreasing severity.
const (
	FindingError = "ERROR"
	FindingWarn  = "WARN"
	FindingInfo  = "INFO"
)

// Finding codes (Finding.Code) produced by this package.
const (
	CodeInvalidEffect     = "invalid_effect"      // effect is not permit|forbid
	CodeInvalidScopeType  = "invalid_scope_type"  // unknown *_scope_type
	CodeMissingField      = "missing_field"       // a field the scope type needs is empty
	CodeUnexpectedField   = "unexpected_field"    // a field the scope type does not use is set
	CodeInvalidEntityType = "invalid_entity_type" // entity type is not a Cedar path
	CodeInvalidActionID   = "invalid_action_id"   // an action id is empty
	CodeInvalidUTF8       = "invalid_utf8"        // an entity or action id is not valid UTF-8 (Cedar strings are Unicode)
	CodeTooManyActionIDs  = "too_many_action_ids" // action scope eq with more than one id
	CodeDuplicateActionID = "duplicate_action_id" // the same action id listed twice (WARN)
	CodeSyntax            = "syntax"              // policy text does not parse (ValidatePolicy)
	CodeSchema            = "schema"              // schema validation finding (ValidatePolicy)
)

// Scope is the principal or resource scope of a rule.
//
// Which fields are used depends on Type:
//
//	any    nothing                                   principal
//	eq     EntityType, EntityID                      principal == Group::"sre"
//	in     EntityType, EntityID                      principal in Group::"sre"
//	is     EntityType                                principal is User
//	is_in  EntityType, EntityID (+ InEntityType)     principal is User in Group::"sre"
//
// For is_in, EntityType is the type tested by `is` and InEntityType the type
// of the entity named by EntityID. The flat API has no field for the latter,
// so InEntityType is optional: when empty it defaults to EntityType
// (`principal is Group in Group::"sre"`).
type Scope struct {
	Type       string // "any" | "eq" | "in" | "is" | "is_in"
	EntityType string // e.g. "Group"; empty when not used
	EntityID   string // e.g. "sre"; empty when not used
	// InEntityType is the type of the `in` entity of an is_in scope, e.g.
	// "Group" in `principal is User in Group::"sre"`. Only used by is_in;
	// empty means "same as EntityType". [Decompose] leaves it empty when it
	// equals EntityType.
	InEntityType string
}

// Rule is the structured form of one Cedar policy as the JITSudo API exposes
// it. Use [Assemble] to turn it into Cedar text and [Decompose] for the
// reverse.
type Rule struct {
	Effect          string   // "permit" | "forbid"
	Principal       Scope    // principal scope
	ActionScopeType string   // "any" | "eq" | "in"
	ActionIDs       []string // Action entity ids, e.g. "request_access" -> Action::"request_access"
	Resource        Scope    // resource scope
	Conditions      string   // raw Cedar when/unless clauses, may be empty
}

// Finding is one validation result. It mirrors the entries of the API's
// details.validation array.
type Finding struct {
	Type     string `json:"type"`     // "ERROR" | "WARN" | "INFO"
	Code     string `json:"code"`     // machine-readable code, see the Code* constants
	Location string `json:"location"` // JSON field name in the API request, e.g. "principal_entity_type", "conditions", "policy_text", "action_ids"
	Message  string `json:"message"`  // human-readable explanation
	// Line and Column (1-based; the column counts characters) are where the
	// text named by Location (policy_text or conditions) first mentions
	// what the finding is about, such as an undeclared entity type; 0 when
	// the finding has no such subject (a type error) or it is not found.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

// HasErrors reports whether any finding has Type "ERROR".
func HasErrors(findings []Finding) bool {
	for _, f := range findings {
		if f.Type == FindingError {
			return true
		}
	}
	return false
}

// CheckShape reports structural problems of r: an effect other than
// permit|forbid, unknown scope types, scope fields that the scope type needs
// but are empty or that it does not use but are set, entity types that are not
// Cedar paths (Ident or Ns::Ident), and action id lists that do not fit the
// action scope type (eq: exactly one; in: one or more; any: none). Entity and
// action ids may be any non-empty string. Conditions are not checked here;
// parse the assembled text with [ParseOne] for that.
//
// Locations are the flat API field names: effect, principal_scope_type,
// principal_entity_type, principal_entity_id, action_scope_type, action_ids,
// resource_scope_type, resource_entity_type, resource_entity_id. Problems
// with the is_in-only Scope.InEntityType are reported at *_entity_type.
func CheckShape(r Rule) []Finding {
	var out []Finding
	switch r.Effect {
	case EffectPermit, EffectForbid:
	default:
		out = append(out, errorf(CodeInvalidEffect, "effect", "effect must be %q or %q, got %q", EffectPermit, EffectForbid, r.Effect))
	}
	out = append(out, checkScope("principal", r.Principal)...)
	out = append(out, checkAction(r.ActionScopeType, r.ActionIDs)...)
	out = append(out, checkScope("resource", r.Resource)...)
	return out
}

func errorf(code, location, format string, args ...any) Finding {
	return Finding{Type: FindingError, Code: code, Location: location, Message: fmt.Sprintf(format, args...)}
}

// checkScope checks a principal or resource scope; prefix is "principal" or
// "resource".
func checkScope(prefix string, s Scope) []Finding {
	var out []Finding
	typeLoc, etLoc, idLoc := prefix+"_scope_type", prefix+"_entity_type", prefix+"_entity_id"

	var needType, needID bool
	switch s.Type {
	case ScopeAny:
	case ScopeEq, ScopeIn, ScopeIsIn:
		needType, needID = true, true
	case ScopeIs:
		needType = true
	default:
		return append(out, errorf(CodeInvalidScopeType, typeLoc,
			"%s must be one of any, eq, in, is, is_in; got %q", typeLoc, s.Type))
	}

	switch {
	case needType && s.EntityType == "":
		out = append(out, errorf(CodeMissingField, etLoc, "%s is required when %s is %q", etLoc, typeLoc, s.Type))
	case !needType && s.EntityType != "":
		out = append(out, errorf(CodeUnexpectedField, etLoc, "%s must be empty when %s is %q", etLoc, typeLoc, s.Type))
	case s.EntityType != "" && !IsValidEntityType(s.EntityType):
		out = append(out, errorf(CodeInvalidEntityType, etLoc,
			"%s %q is not a valid Cedar entity type (expected Ident or Namespace::Ident)", etLoc, s.EntityType))
	}
	switch {
	case s.InEntityType == "":
	case s.Type != ScopeIsIn:
		out = append(out, errorf(CodeUnexpectedField, etLoc, "the `in` entity type is only used when %s is %q", typeLoc, ScopeIsIn))
	case !IsValidEntityType(s.InEntityType):
		out = append(out, errorf(CodeInvalidEntityType, etLoc,
			"`in` entity type %q is not a valid Cedar entity type (expected Ident or Namespace::Ident)", s.InEntityType))
	}
	switch {
	case needID && s.EntityID == "":
		out = append(out, errorf(CodeMissingField, idLoc, "%s is required when %s is %q", idLoc, typeLoc, s.Type))
	case !needID && s.EntityID != "":
		out = append(out, errorf(CodeUnexpectedField, idLoc, "%s must be empty when %s is %q", idLoc, typeLoc, s.Type))
	case !utf8.ValidString(s.EntityID):
		// Cedar would read it back with U+FFFD in place of the bad bytes:
		// another entity.
		out = append(out, errorf(CodeInvalidUTF8, idLoc, "%s is not valid UTF-8", idLoc))
	}
	return out
}

func checkAction(scopeType string, ids []string) []Finding {
	const typeLoc, idsLoc = "action_scope_type", "action_ids"
	var out []Finding
	switch scopeType {
	case ScopeAny:
		if len(ids) > 0 {
			out = append(out, errorf(CodeUnexpectedField, idsLoc, "action_ids must be empty when action_scope_type is %q", scopeType))
		}
		return out
	case ScopeEq:
		switch {
		case len(ids) == 0:
			out = append(out, errorf(CodeMissingField, idsLoc, "action_ids must hold exactly one id when action_scope_type is %q", scopeType))
		case len(ids) > 1:
			out = append(out, errorf(CodeTooManyActionIDs, idsLoc,
				"action_ids must hold exactly one id when action_scope_type is %q, got %d (use %q for several)", scopeType, len(ids), ScopeIn))
		}
	case ScopeIn:
		if len(ids) == 0 {
			out = append(out, errorf(CodeMissingField, idsLoc, "action_ids must hold at least one id when action_scope_type is %q", scopeType))
		}
	default:
		return append(out, errorf(CodeInvalidScopeType, typeLoc, "action_scope_type must be one of any, eq, in; got %q", scopeType))
	}
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		switch {
		case id == "":
			out = append(out, errorf(CodeInvalidActionID, idsLoc, "action_ids[%d] must not be empty", i))
		case !utf8.ValidString(id):
			out = append(out, errorf(CodeInvalidUTF8, idsLoc, "action_ids[%d] is not valid UTF-8", i))
		case seen[id]:
			out = append(out, Finding{Type: FindingWarn, Code: CodeDuplicateActionID, Location: idsLoc,
				Message: fmt.Sprintf("action_ids[%d] %q is listed more than once", i, id)})
		}
		seen[id] = true
	}
	return out
}

// IsValidEntityType reports whether s is a Cedar entity type path: one or
// more identifiers ([_A-Za-z][_A-Za-z0-9]*, not a reserved word such as `in`,
// `is` or `__cedar`) joined by "::", e.g. "User" or "Jitsudo::User".
func IsValidEntityType(s string) bool {
	for part := range strings.SplitSeq(s, "::") {
		if !isIdent(part) {
			return false
		}
	}
	return true
}

var reservedWords = map[string]bool{
	"true": true, "false": true, "if": true, "then": true, "else": true,
	"in": true, "like": true, "has": true, "is": true, "__cedar": true,
}

func isIdent(s string) bool {
	if s == "" || reservedWords[s] {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// Assemble renders r as Cedar text in a fixed layout, e.g.
//
//	permit (
//	  principal in Group::"sre",
//	  action in [Action::"request_access", Action::"approve"],
//	  resource is AwsAccount
//	)
//	when { context.duration_seconds <= 3600 };
//
// Scopes: any gives the bare variable, eq `==`, in `in`, is `is`, is_in
// `is T in T2::"id"`. The action scope "in" is always written as a list, even
// for a single id. Entity ids are written as escaped Cedar string literals.
// Conditions are inserted verbatim (trimmed) after the scope; a rule without
// conditions ends in ");".
//
// Callers must run [CheckShape] first. Assemble never panics, but a part that
// CheckShape would reject (invalid effect, unknown scope type, fields that do
// not fit the scope type, malformed entity type) is replaced by a marker such
// as `<invalid principal scope>`, so that the output never parses rather than
// silently meaning something wider or narrower than intended.
func Assemble(r Rule) string {
	var b strings.Builder
	switch r.Effect {
	case EffectPermit, EffectForbid:
		b.WriteString(r.Effect)
	default:
		b.WriteString("<invalid effect>")
	}
	b.WriteString(" (\n  ")
	b.WriteString(assembleScope("principal", r.Principal))
	b.WriteString(",\n  ")
	b.WriteString(assembleAction(r.ActionScopeType, r.ActionIDs))
	b.WriteString(",\n  ")
	b.WriteString(assembleScope("resource", r.Resource))
	b.WriteString("\n)")
	if c := strings.TrimSpace(r.Conditions); c != "" {
		b.WriteString("\n")
		b.WriteString(c)
		// A trailing line comment would swallow the terminating semicolon.
		if last := c[strings.LastIndexByte(c, '\n')+1:]; strings.Contains(last, "//") {
			b.WriteString("\n")
		}
	}
	b.WriteString(";")
	return b.String()
}

func assembleScope(variable string, s Scope) string {
	if HasErrors(checkScope(variable, s)) {
		return "<invalid " + variable + " scope>"
	}
	switch s.Type {
	case ScopeEq:
		return variable + " == " + entityUID(s.EntityType, s.EntityID)
	case ScopeIn:
		return variable + " in " + entityUID(s.EntityType, s.EntityID)
	case ScopeIs:
		return variable + " is " + s.EntityType
	case ScopeIsIn:
		inEntityType := s.InEntityType
		if inEntityType == "" {
			inEntityType = s.EntityType
		}
		return variable + " is " + s.EntityType + " in " + entityUID(inEntityType, s.EntityID)
	default: // ScopeAny
		return variable
	}
}

func assembleAction(scopeType string, ids []string) string {
	if HasErrors(checkAction(scopeType, ids)) {
		return "<invalid action scope>"
	}
	switch scopeType {
	case ScopeEq:
		return "action == " + entityUID(actionType, ids[0])
	case ScopeIn:
		parts := make([]string, len(ids))
		for i, id := range ids {
			parts[i] = entityUID(actionType, id)
		}
		return "action in [" + strings.Join(parts, ", ") + "]"
	default: // ScopeAny
		return "action"
	}
}

// actionType is the entity type of the action ids in a Rule.
const actionType = "Action"

// entityUID renders Type::"id" with id escaped as a Cedar string literal.
func entityUID(entityType, id string) string {
	return string(cedargo.NewEntityUID(types.EntityType(entityType), types.String(id)).MarshalCedar())
}
