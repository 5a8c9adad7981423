package provider

// Shared parts of the provider-defined Cedar functions (cedar_format,
// cedar_validate, cedar_decompose): judging one Cedar policy the way the
// JITSudo API judges a rule's policy_text, and the texts of their errors.

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
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
	// NotParsed is true for a text over the bounds of cedarFunctionBounds.
	NotParsed bool
}

// judgeCedarRule judges text as the JITSudo API judges a rule's
// policy_text (cedar.JudgeText, with the length limit of policy_text):
// exactly one Cedar statement (a syntax error is reported with its line
// and column), which must decompose into the structured fields of a rule
// (cedar_unsupported otherwise) and assemble again into a statement that
// parses. Annotations are a warning, since the API drops them, as are the
// non-fatal shape findings of cedar.CheckShape (an action id listed
// twice), with their own code.
func judgeCedarRule(text string) cedarRuleJudgement {
	j := cedar.JudgeText(text, api.MaxPolicyTextLength)
	out := cedarRuleJudgement{Rule: j.Rule}
	for _, is := range j.Issues {
		out.NotParsed = out.NotParsed || is.Cause == cedar.CauseBounds
		if is.Type == cedar.FindingError {
			out.Errors = append(out.Errors, cedarFunctionFinding(is))
		} else {
			out.Warnings = append(out.Warnings, cedarFunctionFinding(is))
		}
	}
	return out
}

// cedarFunctionFinding is the entry of cedar_validate's result for an
// issue of the judgement. Only syntax errors and too deep texts have a
// position; field names are those of jitsudo_policy_rule, which
// cedar_decompose returns.
func cedarFunctionFinding(is cedar.Issue) cedarFinding {
	switch is.Code {
	case api.CodeCedarSyntax, api.CodeCedarTooDeep:
		f := newCedarFinding(is.Code, is.Message)
		if is.Line > 0 {
			f.Line, f.Column = types.Int64Value(int64(is.Line)), types.Int64Value(int64(is.Column))
		}
		return f
	case api.CodeCedarStatementCount:
		return newCedarFinding(is.Code, cedarCountPrefix+is.Message)
	case api.CodeAnnotationsDropped:
		return newCedarFinding(is.Code,
			fmt.Sprintf("annotations (%s) are not stored: a JITSudo rule keeps only its effect, scopes and conditions; use the rule's notice for a message",
				strings.Join(is.Annotations, ", ")))
	case api.CodeCedarUnsupported:
		return newCedarFinding(is.Code, cedarUnsupportedMessage(cedar.RenameFields(is.Message)))
	}
	return newCedarFinding(is.Code, cedar.RenameFields(is.Message))
}

// cedarCountPrefix starts the message of a cedar_statement_count finding.
const cedarCountPrefix = "the text must hold exactly one Cedar policy (one permit or forbid statement): "

// cedarUnsupportedPrefix starts the message of a cedar_unsupported finding.
const cedarUnsupportedPrefix = "the policy is valid Cedar but cannot be stored as a JITSudo rule: "

func cedarUnsupportedMessage(reason string) string {
	return cedarUnsupportedPrefix + reason
}

// cedarParseProblem is the text of the function error for an issue of
// the bounds or the parse of a policy text (cedar.IssueOf), e.g. "Cedar
// syntax error at 1:49 (line:column): invalid primary".
func cedarParseProblem(is cedar.Issue) string {
	switch {
	case is.Cause == cedar.CauseBounds:
		return is.Message + "; the text is not parsed"
	case is.Code == api.CodeCedarSyntax && is.Line > 0:
		return fmt.Sprintf("Cedar syntax error at %d:%d (line:column): %s", is.Line, is.Column, is.Message)
	case is.Code == api.CodeCedarSyntax:
		return "Cedar syntax error: " + is.Message
	default:
		return cedarCountPrefix + is.Message
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
