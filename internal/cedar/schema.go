package cedar

import (
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"strings"

	cedargo "github.com/cedar-policy/cedar-go"
	xast "github.com/cedar-policy/cedar-go/x/exp/ast"
	"github.com/cedar-policy/cedar-go/x/exp/schema"
	"github.com/cedar-policy/cedar-go/x/exp/schema/resolved"
	"github.com/cedar-policy/cedar-go/x/exp/schema/validate"
)

//go:embed default.cedarschema
var defaultSchema string

// DefaultSchema returns JITSudo's default Cedar schema in the human-readable
// .cedarschema format. It declares the entity types User (in Group), Group,
// AwsAccount, AwsPermissionSet (in AwsAccount) and AwsRole (in AwsAccount),
// and the actions request_access, extend, approve, deny and revoke, all with
// principal User, resource AwsAccount | AwsPermissionSet | AwsRole and the
// request context { duration_seconds: Long, reason: String, ticket_id?:
// String, mfa_authenticated: Bool }. Entity types and actions are not in a
// namespace, so actions are written Action::"request_access".
func DefaultSchema() string {
	return defaultSchema
}

// Schema is a Cedar schema, parsed and resolved once for checking any
// number of policies against it (see [ParseSchema]). It is safe for
// concurrent use.
type Schema struct {
	resolved *resolved.Schema
}

// ParseSchema parses and resolves schemaText, a Cedar schema in the
// human-readable .cedarschema format. The error says what is wrong, with
// cedar-go's message: "parse schema: <input>:1:14: expected '}' to close
// record type, got EOF" for a schema that does not parse, "resolve schema:
// ..." for one that names undeclared types.
func ParseSchema(schemaText string) (*Schema, error) {
	if err := checkSchemaBounds(schemaText); err != nil {
		return nil, fmt.Errorf("parse schema: %w", err)
	}
	var s schema.Schema
	if err := s.UnmarshalCedar([]byte(schemaText)); err != nil {
		return nil, fmt.Errorf("parse schema: %w", err)
	}
	if err := schemaGrammarError(schemaText); err != nil {
		return nil, fmt.Errorf("parse schema: %w", err)
	}
	r, err := s.Resolve()
	if err != nil {
		return nil, fmt.Errorf("resolve schema: %w", err)
	}
	return &Schema{resolved: r}, nil
}

// ValidatePolicy checks the single policy in policyText against the Cedar
// schema schemaText (.cedarschema format) in strict mode: unknown entity
// types, unknown actions, actions that do not apply to the scoped
// principal/resource types, unknown attributes and type errors in the
// conditions.
//
// Each problem becomes a Finding with Type "WARN", Code "schema" and
// Location "policy_text"; a nil result means the policy is valid. When the
// finding names an entity type, an action or an attribute, Line and Column
// are where the policy text first mentions it. If the policy text itself
// does not parse, the result is a single "ERROR" finding with Code
// "syntax". The error is non-nil only when the schema fails to parse or
// resolve (see [ParseSchema]).
//
// The schema support of cedar-go v1.9.0 is experimental (x/exp/schema); it
// is used only inside this package so it can be replaced later.
func ValidatePolicy(policyText, schemaText string) ([]Finding, error) {
	s, err := ParseSchema(schemaText)
	if err != nil {
		return nil, err
	}
	return s.ValidatePolicy(policyText), nil
}

// ValidatePolicy is [ValidatePolicy] against s.
func (s *Schema) ValidatePolicy(policyText string) []Finding {
	p, err := ParseOne(policyText)
	if err != nil {
		// A policy that does not parse is a finding about the policy, not a
		// failure of validation: only a broken schema is an error.
		return []Finding{{Type: FindingError, Code: CodeSyntax, Location: "policy_text", Message: err.Error()}}
	}
	msgs := s.messages(p)
	if len(msgs) == 0 {
		return nil
	}
	findings := make([]Finding, len(msgs))
	for i, msg := range msgs {
		findings[i] = Finding{Type: FindingWarn, Code: CodeSchema, Location: "policy_text", Message: msg}
		findings[i].Line, findings[i].Column = locateSubject(policyText, msg)
	}
	return findings
}

// messages are the strict-mode validation messages of p against s: sorted,
// without repetitions, and with the messages that differ only in the
// action whose context they are about merged into one.
//
// The policy is validated as Cedar's reference implementation validates it
// (see validate.go): its clauses as one conjunction, `action == <literal>`
// folded; when cedar-go finds nothing, probes look for what only Cedar
// reports.
func (s *Schema) messages(p *cedargo.Policy) []string {
	pol := parityPolicy((*xast.Policy)(p.AST()))
	msgs := s.validate(pol)
	if len(msgs) == 0 {
		if probe := parityProbe(pol); probe != nil {
			msgs = s.validate(probe)
		}
		msgs = append(msgs, s.undeclaredNames(pol)...)
	}
	if len(msgs) == 0 && !s.hasApplicableAction() {
		msgs = []string{msgNoApplicableAction}
	}
	// cedar-go checks the request environments in map order, so the order
	// (and repetition, one per action) of its messages varies between runs:
	// sort and de-duplicate them for stable output.
	slices.Sort(msgs)
	return mergeContextMessages(slices.Compact(msgs))
}

// validate is the messages of cedar-go's strict validation of pol.
func (s *Schema) validate(pol *xast.Policy) []string {
	err := validate.New(s.resolved, validate.WithStrict()).Policy("", pol)
	if err == nil {
		return nil
	}
	var msgs []string
	for _, e := range flatten(err) {
		msgs = append(msgs, e.Error())
	}
	return msgs
}

// contextForAction matches the action in cedar-go's messages about the
// request context, e.g. `attribute `+"`foo`"+` in context for Action::"approve" not found`.
var contextForAction = regexp.MustCompile(`( in context for )((?:[_A-Za-z][_A-Za-z0-9]*::)*Action::"(?:[^"\\]|\\.)*")`)

// mergeContextMessages merges the messages (sorted) that are the same but
// for the action in "in context for <action>" into one that lists the
// actions, in order.
func mergeContextMessages(msgs []string) []string {
	var out []string
	index := map[string]int{} // message with the action cut out -> index in out
	actions := map[string][]string{}
	for _, msg := range msgs {
		m := contextForAction.FindStringSubmatchIndex(msg)
		if m == nil {
			out = append(out, msg)
			continue
		}
		key := msg[:m[4]] + "\x00" + msg[m[5]:]
		if _, ok := index[key]; !ok {
			index[key] = len(out)
			out = append(out, msg)
		}
		actions[key] = append(actions[key], msg[m[4]:m[5]])
	}
	for key, i := range index {
		before, after, _ := strings.Cut(key, "\x00")
		out[i] = before + strings.Join(actions[key], ", ") + after
	}
	return out
}

// flatten unwraps errors.Join trees into their leaves.
func flatten(err error) []error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range joined.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}
