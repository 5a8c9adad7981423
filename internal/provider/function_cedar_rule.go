package provider

// Shared parts of the provider-defined Cedar functions (cedar_format,
// cedar_validate, cedar_decompose): judging one Cedar policy the way the
// JITSudo API judges a rule's policy_text, and the texts of their errors.

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
)

// Codes of cedarFinding, the same as the codes of the JITSudo API's
// details.validation for a rule's policy_text. Shape warnings of
// cedar.CheckShape (such as cedar.CodeDuplicateActionID) keep their own
// code, schema findings get cedar.CodeSchema.
const (
	cedarCodeSyntax         = "cedar_syntax"          // the text does not parse
	cedarCodeStatementCount = "cedar_statement_count" // not exactly one statement
	cedarCodeUnsupported    = "cedar_unsupported"     // valid Cedar that a JITSudo rule cannot hold
	cedarCodeAnnotations    = "annotations_dropped"   // annotations parse, but a rule does not keep them
	cedarCodeTooLong        = "too_long"              // longer than a rule's policy_text may be; not parsed
	cedarCodeTooDeep        = "cedar_too_deep"        // nested deeper than cedar.MaxDepth; not parsed
)

// cedarFinding is one entry of the errors and warnings lists of
// cedar_validate. Line and Column are null when the finding has no
// position.
type cedarFinding struct {
	Code    string      `tfsdk:"code"`
	Message string      `tfsdk:"message"`
	Line    types.Int64 `tfsdk:"line"`
	Column  types.Int64 `tfsdk:"column"`
}

// cedarFindingType is the Terraform type of cedarFinding.
var cedarFindingType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"code":    types.StringType,
	"message": types.StringType,
	"line":    types.Int64Type,
	"column":  types.Int64Type,
}}

// newCedarFinding is a finding without a position.
func newCedarFinding(code, message string) cedarFinding {
	return cedarFinding{Code: code, Message: message, Line: types.Int64Null(), Column: types.Int64Null()}
}

// cedarRuleJudgement is what judgeCedarRule finds out about a policy text.
type cedarRuleJudgement struct {
	// Rule is the decomposed rule; only meaningful when Errors is empty.
	Rule cedar.Rule
	// Errors make the text unusable as a JITSudo rule; Warnings do not.
	Errors, Warnings []cedarFinding
}

// judgeCedarRule judges text as the JITSudo API judges a rule's
// policy_text: exactly one Cedar statement (a syntax error is reported
// with its line and column), which must decompose into the structured
// fields of a rule (cedar_unsupported otherwise) and assemble again into a
// statement that parses. Annotations are a warning, since the API drops
// them, as are the non-fatal shape findings of cedar.CheckShape (an action
// id listed twice).
func judgeCedarRule(text string) cedarRuleJudgement {
	var j cedarRuleJudgement
	if err := cedarFunctionBounds(text); err != nil {
		j.Errors = append(j.Errors, cedarParseFinding(err))
		return j
	}
	p, err := cedar.ParseOne(text)
	if err != nil {
		j.Errors = append(j.Errors, cedarParseFinding(err))
		return j
	}
	if anns := p.Annotations(); len(anns) > 0 {
		names := make([]string, 0, len(anns))
		for k := range anns {
			names = append(names, "@"+string(k))
		}
		slices.Sort(names)
		j.Warnings = append(j.Warnings, newCedarFinding(cedarCodeAnnotations,
			fmt.Sprintf("annotations (%s) are not stored: a JITSudo rule keeps only its effect, scopes and conditions; use the rule's notice for a message",
				strings.Join(names, ", "))))
	}
	r, err := cedar.Decompose(text)
	if err != nil {
		j.Errors = append(j.Errors, newCedarFinding(cedarCodeUnsupported, cedarUnsupportedMessage(err.Error())))
		return j
	}
	for _, f := range cedar.CheckShape(r) {
		if f.Type == cedar.FindingError {
			j.Errors = append(j.Errors, newCedarFinding(cedarCodeUnsupported, cedarUnsupportedMessage(cedarRuleFieldNames.Replace(f.Message))))
			continue
		}
		j.Warnings = append(j.Warnings, newCedarFinding(f.Code, cedarRuleFieldNames.Replace(f.Message)))
	}
	if len(j.Errors) > 0 {
		return j
	}
	if _, err := cedar.ParseOne(cedar.Assemble(r)); err != nil {
		j.Errors = append(j.Errors, newCedarFinding(cedarCodeUnsupported,
			cedarUnsupportedMessage("assembled again it does not parse: "+err.Error())))
		return j
	}
	j.Rule = r
	return j
}

// cedarRuleFieldNames rewrites the flat API field names in the messages of
// cedar.CheckShape to the attribute names of jitsudo_policy_rule, which
// cedar_decompose returns.
var cedarRuleFieldNames = strings.NewReplacer(
	"principal_scope_type", "principal.scope",
	"principal_entity_type", "principal.entity_type",
	"principal_entity_id", "principal.entity_id",
	"resource_scope_type", "resource.scope",
	"resource_entity_type", "resource.entity_type",
	"resource_entity_id", "resource.entity_id",
	"action_scope_type", "action.scope",
	"action_ids", "action.ids",
)

// cedarUnsupportedPrefix starts the message of a cedar_unsupported finding.
const cedarUnsupportedPrefix = "the policy is valid Cedar but cannot be stored as a JITSudo rule: "

func cedarUnsupportedMessage(reason string) string {
	return cedarUnsupportedPrefix + reason
}

// cedarParseFinding turns an error of cedar.ParseOne into a finding: a
// syntax error with its position when cedar-go reports one, or a text that
// is not exactly one statement.
func cedarParseFinding(err error) cedarFinding {
	var le *cedar.LimitError
	if errors.As(err, &le) {
		if le.Limit == cedar.LimitLength {
			return newCedarFinding(cedarCodeTooLong, le.Error())
		}
		f := newCedarFinding(cedarCodeTooDeep, le.Error())
		f.Line, f.Column = types.Int64Value(int64(le.Line)), types.Int64Value(int64(le.Column))
		return f
	}
	var se *cedar.SyntaxError
	if !errors.As(err, &se) {
		return newCedarFinding(cedarCodeStatementCount, "the text must hold exactly one Cedar policy (one permit or forbid statement): "+err.Error())
	}
	f := newCedarFinding(cedarCodeSyntax, se.Message)
	if se.Line > 0 {
		f.Line, f.Column = types.Int64Value(int64(se.Line)), types.Int64Value(int64(se.Column))
	}
	return f
}

// cedarParseProblem is the text of the function error for a policy text
// that cedar.ParseOne rejects, e.g. "Cedar syntax error at 1:49
// (line:column): invalid primary".
func cedarParseProblem(err error) string {
	var se *cedar.SyntaxError
	var le *cedar.LimitError
	switch {
	case errors.As(err, &le):
		return le.Error() + "; the text is not parsed"
	case errors.As(err, &se) && se.Line > 0:
		return fmt.Sprintf("Cedar syntax error at %d:%d (line:column): %s", se.Line, se.Column, se.Message)
	case errors.As(err, &se):
		return "Cedar syntax error: " + se.Message
	default:
		return "the text must hold exactly one Cedar policy (one permit or forbid statement): " + err.Error()
	}
}

// cedarFunctionBounds checks the text argument of the Cedar functions
// before anything parses it: at most as long as a rule's policy_text
// (api.MaxPolicyTextLength) and nested at most cedar.MaxDepth deep. The
// error is a *cedar.LimitError.
func cedarFunctionBounds(text string) error {
	return cedar.CheckBounds(text, api.MaxPolicyTextLength)
}

// cedarBoundsNote is appended to the descriptions of the functions.
const cedarBoundsNote = "Texts longer than a rule's `policy_text` may be (65,536 characters) or nested deeper than 128 levels " +
	"(brackets, operators and namespace segments) are refused before they are parsed, as the JITSudo API refuses them."

// cedarPositionNote is appended to the descriptions of the functions that
// report syntax errors.
const cedarPositionNote = "Positions are 1-based, relative to the text passed in, with columns counted in characters; " +
	"like the JITSudo API, which uses the same parser (cedar-go), some errors are reported at the token after the offending one."
