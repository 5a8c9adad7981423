package cedar

import (
	_ "embed"
	"fmt"
	"slices"

	xast "github.com/cedar-policy/cedar-go/x/exp/ast"
	"github.com/cedar-policy/cedar-go/x/exp/schema"
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

// ValidatePolicy checks the single policy in policyText against the Cedar
// schema schemaText (.cedarschema format) in strict mode: unknown entity
// types, unknown actions, actions that do not apply to the scoped
// principal/resource types, unknown attributes and type errors in the
// conditions.
//
// Each problem becomes a Finding with Type "WARN", Code "schema" and
// Location "policy_text"; a nil result means the policy is valid. If the
// policy text itself does not parse, the result is a single "ERROR" finding
// with Code "syntax". The error is non-nil only when the schema fails to
// parse or resolve.
//
// The schema support of cedar-go v1.9.0 is experimental (x/exp/schema); it
// is used only inside this function so it can be replaced later.
func ValidatePolicy(policyText, schemaText string) ([]Finding, error) {
	var s schema.Schema
	if err := s.UnmarshalCedar([]byte(schemaText)); err != nil {
		return nil, fmt.Errorf("parse schema: %w", err)
	}
	resolved, err := s.Resolve()
	if err != nil {
		return nil, fmt.Errorf("resolve schema: %w", err)
	}

	p, err := ParseOne(policyText)
	if err != nil {
		// A policy that does not parse is a finding about the policy, not a
		// failure of validation: only a broken schema is an error.
		return []Finding{{Type: FindingError, Code: CodeSyntax, Location: "policy_text", Message: err.Error()}}, nil //nolint:nilerr // see above
	}

	err = validate.New(resolved, validate.WithStrict()).Policy("", (*xast.Policy)(p.AST()))
	if err == nil {
		return nil, nil
	}
	// cedar-go checks the request environments in map order, so the order
	// (and repetition, one per action) of its messages varies between runs:
	// sort and de-duplicate them for stable output.
	var msgs []string
	for _, e := range flatten(err) {
		msgs = append(msgs, e.Error())
	}
	slices.Sort(msgs)
	msgs = slices.Compact(msgs)
	findings := make([]Finding, len(msgs))
	for i, msg := range msgs {
		findings[i] = Finding{Type: FindingWarn, Code: CodeSchema, Location: "policy_text", Message: msg}
	}
	return findings, nil
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
