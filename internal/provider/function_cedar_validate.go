package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
)

var _ function.Function = (*cedarValidateFunction)(nil)

// NewCedarValidateFunction returns the cedar_validate function:
// provider::jitsudo::cedar_validate(text, schema) judges the single policy
// in text as a JITSudo rule and against a Cedar schema, and returns an
// object with valid, errors and warnings.
func NewCedarValidateFunction() function.Function {
	return &cedarValidateFunction{}
}

// cedarValidateFunction is provider::jitsudo::cedar_validate.
type cedarValidateFunction struct{}

// cedarValidateResult is the result of cedar_validate. The lists are never
// null.
type cedarValidateResult struct {
	Valid    bool           `tfsdk:"valid"`
	Errors   []cedarFinding `tfsdk:"errors"`
	Warnings []cedarFinding `tfsdk:"warnings"`
}

// cedarValidateResultTypes are the attribute types of cedarValidateResult.
var cedarValidateResultTypes = map[string]attr.Type{
	"valid":    types.BoolType,
	"errors":   types.ListType{ElemType: cedarFindingType},
	"warnings": types.ListType{ElemType: cedarFindingType},
}

func (f *cedarValidateFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "cedar_validate"
}

func (f *cedarValidateFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Validate one Cedar policy as a JITSudo rule and against a Cedar schema",
		MarkdownDescription: "Checks `text`, which should hold exactly one Cedar `permit` or `forbid` policy, and returns an object " +
			"`{ valid = bool, errors = list(object), warnings = list(object) }`. Problems are returned, never raised, so that " +
			"configurations can assert on them, e.g. in a `check` block or a precondition: " +
			"`condition = provider::jitsudo::cedar_validate(local.rule, \"\").valid`.\n\n" +
			"Each entry of `errors` and `warnings` is `{ code = string, message = string, line = number, column = number }`; " +
			"`line` and `column` are set only for syntax errors (and null when cedar-go gives no position). " +
			"`valid` is true exactly when `errors` is empty. Errors, with their codes:\n\n" +
			"- `cedar_syntax`: the text does not parse. " + cedarPositionNote + "\n" +
			"- `cedar_statement_count`: the text holds no policy or more than one.\n" +
			"- `too_long` and `cedar_too_deep`: the text is longer than a rule's `policy_text` may be (65,536 characters) or nested " +
			"deeper than 128 levels (brackets, operators and namespace segments); it is not parsed, as the JITSudo API does not parse it.\n" +
			"- `cedar_unsupported`: valid Cedar that a JITSudo rule cannot hold, e.g. an empty entity id (`User::\"\"`); " +
			"the JITSudo API rejects such a rule.\n" +
			"- `schema`: the policy does not pass strict validation against the schema: unknown entity types, actions or attributes, " +
			"actions that do not apply to the scoped principal and resource types, and type errors in the conditions. " +
			"The JITSudo API stores such a rule and only returns these findings as notices; this function counts them as errors, " +
			"since such a rule never applies as written.\n\n" +
			"Warnings: `annotations_dropped` (annotations are valid Cedar, but a JITSudo rule does not keep them) and " +
			"`duplicate_action_id` (an action listed twice).\n\n" +
			"Only a `schema` argument that is not a valid Cedar schema fails the call.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name: "text",
				MarkdownDescription: "Cedar text of exactly one policy, e.g. the `policy_text` of a `jitsudo_policy_rule` or " +
					"`file(\"${path.module}/rules/sre.cedar\")`.",
			},
			function.StringParameter{
				Name: "schema",
				MarkdownDescription: "Cedar schema in the human-readable `.cedarschema` format, such as the one the JITSudo API serves " +
					"at `GET /v1/cedar/schema`. An empty (or blank) string or `null` selects JITSudo's default schema: the entity types " +
					"`User` (in `Group`), `Group`, `AwsAccount`, `AwsPermissionSet` and `AwsRole` (both in `AwsAccount`), the actions " +
					"`request_access`, `extend`, `approve`, `deny` and `revoke`, and the request context " +
					"`{ duration_seconds: Long, reason: String, ticket_id?: String, mfa_authenticated: Bool }`.",
				AllowNullValue: true,
			},
		},
		Return: function.ObjectReturn{AttributeTypes: cedarValidateResultTypes},
	}
}

func (f *cedarValidateFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var (
		text   string
		schema types.String
	)
	resp.Error = req.Arguments.Get(ctx, &text, &schema)
	if resp.Error != nil {
		return
	}
	schemaText := schema.ValueString() // "" when null
	if strings.TrimSpace(schemaText) == "" {
		schemaText = cedar.DefaultSchema()
	}

	// A text over the bounds is not parsed: the schema is checked alone.
	j := judgeCedarRule(text)
	if j.NotParsed {
		if _, serr := cedar.ParseSchema(schemaText); serr != nil {
			resp.Error = function.NewArgumentFuncError(1, "the schema is not a valid Cedar schema (.cedarschema format): "+serr.Error())
			return
		}
		resp.Error = resp.Result.Set(ctx, cedarValidateResult{Errors: j.Errors, Warnings: []cedarFinding{}})
		return
	}

	// ValidatePolicy loads the schema before it looks at the policy, so a
	// broken schema is reported whatever the text holds.
	schemaFindings, err := cedar.ValidatePolicy(text, schemaText)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(1, "the schema is not a valid Cedar schema (.cedarschema format): "+err.Error())
		return
	}

	result := cedarValidateResult{
		Errors:   append([]cedarFinding{}, j.Errors...),
		Warnings: append([]cedarFinding{}, j.Warnings...),
	}
	for _, sf := range schemaFindings {
		switch {
		case sf.Code == cedar.CodeSyntax:
			// judgeCedarRule reported the syntax error, with its position.
		case sf.Code == cedar.CodeSchema || sf.Type == cedar.FindingError:
			result.Errors = append(result.Errors, newCedarFinding(sf.Code, sf.Message))
		default:
			result.Warnings = append(result.Warnings, newCedarFinding(sf.Code, sf.Message))
		}
	}
	result.Valid = len(result.Errors) == 0
	resp.Error = resp.Result.Set(ctx, result)
}
