package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
)

var _ function.Function = (*cedarDecomposeFunction)(nil)

// NewCedarDecomposeFunction returns the cedar_decompose function:
// provider::jitsudo::cedar_decompose(text) is the single policy in text as
// the structured attributes of jitsudo_policy_rule (effect, principal,
// action, resource, conditions).
func NewCedarDecomposeFunction() function.Function {
	return &cedarDecomposeFunction{}
}

// cedarDecomposeFunction is provider::jitsudo::cedar_decompose.
type cedarDecomposeFunction struct{}

// cedarDecomposedRule is the result of cedar_decompose, shaped like the
// structured attributes of jitsudo_policy_rule. Fields a scope does not
// use are null, as are ids of an `any` action scope and absent
// conditions.
type cedarDecomposedRule struct {
	Effect     string                `tfsdk:"effect"`
	Principal  cedarDecomposedScope  `tfsdk:"principal"`
	Action     cedarDecomposedAction `tfsdk:"action"`
	Resource   cedarDecomposedScope  `tfsdk:"resource"`
	Conditions *string               `tfsdk:"conditions"`
}

type cedarDecomposedScope struct {
	Scope        string  `tfsdk:"scope"`
	EntityType   *string `tfsdk:"entity_type"`
	EntityID     *string `tfsdk:"entity_id"`
	InEntityType *string `tfsdk:"in_entity_type"`
}

type cedarDecomposedAction struct {
	Scope string   `tfsdk:"scope"`
	IDs   []string `tfsdk:"ids"`
}

var (
	cedarDecomposedScopeType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"scope":          types.StringType,
		"entity_type":    types.StringType,
		"entity_id":      types.StringType,
		"in_entity_type": types.StringType,
	}}
	cedarDecomposedRuleTypes = map[string]attr.Type{
		"effect":    types.StringType,
		"principal": cedarDecomposedScopeType,
		"action": types.ObjectType{AttrTypes: map[string]attr.Type{
			"scope": types.StringType,
			"ids":   types.ListType{ElemType: types.StringType},
		}},
		"resource":   cedarDecomposedScopeType,
		"conditions": types.StringType,
	}
)

func (f *cedarDecomposeFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "cedar_decompose"
}

func (f *cedarDecomposeFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Split one Cedar policy into the structured attributes of jitsudo_policy_rule",
		MarkdownDescription: "Decomposes `text`, which must hold exactly one Cedar `permit` or `forbid` policy, into the structured " +
			"attributes of a `jitsudo_policy_rule`, exactly as the JITSudo API does for a rule written as `policy_text`:\n\n" +
			"```\n{\n" +
			"  effect     = \"permit\" | \"forbid\"\n" +
			"  principal  = { scope, entity_type, entity_id, in_entity_type }\n" +
			"  action     = { scope, ids }\n" +
			"  resource   = { scope, entity_type, entity_id, in_entity_type }\n" +
			"  conditions = string\n" +
			"}\n```\n\n" +
			"Scopes are `any`, `eq`, `in`, `is` or `is_in` (actions: `any`, `eq` or `in`, an action list being `in`); the fields a " +
			"scope does not use are null, as are `ids` of an `any` action scope and `conditions` of a policy without `when` or " +
			"`unless` clauses. `in_entity_type` is set only when the entity of an `is_in` scope has another type than the one " +
			"tested by `is`. `ids` are the ids of the `Action` entities. `conditions` are the policy's clauses in normalized " +
			"Cedar, one per line. Annotations and comments are dropped.\n\n" +
			"The parts can be assigned to a `jitsudo_policy_rule` as they are, e.g. " +
			"`principal = provider::jitsudo::cedar_decompose(local.rule).principal`, or used in assertions such as " +
			"`provider::jitsudo::cedar_decompose(local.rule).effect == \"forbid\"`.\n\n" +
			"A text that does not parse, that holds no or several policies, or that a JITSudo rule cannot hold (e.g. an empty " +
			"entity id, `User::\"\"`) fails the call; a syntax error is reported with its position, e.g. " +
			"`Cedar syntax error at 2:21 (line:column): invalid primary`. " + cedarPositionNote + " " + cedarBoundsNote,
		Parameters: []function.Parameter{
			function.StringParameter{
				Name: "text",
				MarkdownDescription: "Cedar text of exactly one policy, e.g. " +
					"`permit (principal in Group::\"sre\", action in [Action::\"request_access\"], resource is AwsAccount);`.",
			},
		},
		Return: function.ObjectReturn{AttributeTypes: cedarDecomposedRuleTypes},
	}
}

func (f *cedarDecomposeFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var text string
	resp.Error = req.Arguments.Get(ctx, &text)
	if resp.Error != nil {
		return
	}
	j := cedar.JudgeText(text, api.MaxPolicyTextLength)
	var unsupported []string
	for _, is := range j.Issues {
		switch {
		case is.Type != cedar.FindingError:
		case is.Cause == cedar.CauseBounds || is.Cause == cedar.CauseParse:
			resp.Error = function.NewArgumentFuncError(0, cedarParseProblem(is))
			return
		default: // the text parsed: a cedar_unsupported one
			unsupported = append(unsupported, cedar.RenameFields(is.Message))
		}
	}
	if len(unsupported) > 0 {
		resp.Error = function.NewArgumentFuncError(0, cedarUnsupportedMessage(strings.Join(unsupported, "; ")))
		return
	}
	r := j.Rule
	out := cedarDecomposedRule{
		Effect:     r.Effect,
		Principal:  cedarDecomposeScope(r.Principal),
		Action:     cedarDecomposedAction{Scope: r.ActionScopeType},
		Resource:   cedarDecomposeScope(r.Resource),
		Conditions: cedarOptionalString(r.Conditions),
	}
	if r.ActionScopeType != cedar.ScopeAny {
		out.Action.IDs = append([]string{}, r.ActionIDs...)
	}
	resp.Error = resp.Result.Set(ctx, out)
}

func cedarDecomposeScope(s cedar.Scope) cedarDecomposedScope {
	return cedarDecomposedScope{
		Scope:        s.Type,
		EntityType:   cedarOptionalString(s.EntityType),
		EntityID:     cedarOptionalString(s.EntityID),
		InEntityType: cedarOptionalString(s.InEntityType),
	}
}

// cedarOptionalString is nil (null) for "" and a pointer to s otherwise.
func cedarOptionalString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
