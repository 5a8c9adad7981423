package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
)

var _ function.Function = (*cedarFormatFunction)(nil)

// NewCedarFormatFunction returns the cedar_format function:
// provider::jitsudo::cedar_format(text) is the normalized Cedar text of
// the single policy in text.
func NewCedarFormatFunction() function.Function {
	return &cedarFormatFunction{}
}

// cedarFormatFunction is provider::jitsudo::cedar_format.
type cedarFormatFunction struct{}

func (f *cedarFormatFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "cedar_format"
}

func (f *cedarFormatFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Normalize the layout of one Cedar policy",
		MarkdownDescription: "Returns the normalized Cedar text of `text`, which must hold exactly one Cedar `permit` or `forbid` " +
			"policy (annotations and comments allowed). Whitespace, line breaks, comments and redundant parentheses do not survive " +
			"and a one-element action list `action in [Action::\"a\"]` is written `action in Action::\"a\"`, so two texts with the " +
			"same result mean the same rule: compare `provider::jitsudo::cedar_format(a) == provider::jitsudo::cedar_format(b)`. " +
			"Annotations are kept.\n\n" +
			"The result is not necessarily the `policy_text` the JITSudo API stores for a `jitsudo_policy_rule` (the server writes " +
			"its own layout and drops annotations), but formatting either gives the same result.\n\n" +
			"A text that does not parse, or that holds no or several policies, fails the call with the Cedar error, e.g. " +
			"`Cedar syntax error at 2:21 (line:column): invalid primary`. " + cedarPositionNote + " " + cedarBoundsNote,
		Parameters: []function.Parameter{
			function.StringParameter{
				Name: "text",
				MarkdownDescription: "Cedar text of exactly one policy, e.g. " +
					"`permit (principal in Group::\"sre\", action, resource) when { context.mfa_authenticated };`.",
			},
		},
		Return: function.StringReturn{},
	}
}

func (f *cedarFormatFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var text string
	resp.Error = req.Arguments.Get(ctx, &text)
	if resp.Error != nil {
		return
	}
	var formatted string
	err := cedarFunctionBounds(text)
	if err == nil {
		formatted, err = cedar.Format(text)
	}
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, cedarParseProblem(cedar.IssueOf(err, "")))
		return
	}
	resp.Error = resp.Result.Set(ctx, formatted)
}
