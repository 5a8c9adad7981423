package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
)

var _ function.Function = (*cedarIsAuthorizedFunction)(nil)

// NewCedarIsAuthorizedFunction returns the cedar_is_authorized function:
// provider::jitsudo::cedar_is_authorized(policies, request, entities[,
// schema]) decides a Cedar request against a policy set (see
// cedar.PolicySet.Authorize).
func NewCedarIsAuthorizedFunction() function.Function {
	return &cedarIsAuthorizedFunction{}
}

// cedarIsAuthorizedFunction is provider::jitsudo::cedar_is_authorized.
type cedarIsAuthorizedFunction struct{}

// cedarAuthorization is the result of cedar_is_authorized; the lists are
// never null.
type cedarAuthorization struct {
	Decision string                    `tfsdk:"decision"`
	Reasons  []string                  `tfsdk:"reasons"`
	Errors   []cedarAuthorizationError `tfsdk:"errors"`
}

// cedarAuthorizationError is a policy whose evaluation failed.
type cedarAuthorizationError struct {
	Policy  string `tfsdk:"policy"`
	Message string `tfsdk:"message"`
}

// cedarAuthorizationErrorType is the Terraform type of
// cedarAuthorizationError.
var cedarAuthorizationErrorType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"policy":  types.StringType,
	"message": types.StringType,
}}

// Argument positions of cedar_is_authorized, by the argument names of
// cedar.InputError.
var cedarIsAuthorizedArgs = map[string]int64{
	cedar.ArgPolicies: 0,
	cedar.ArgRequest:  1,
	cedar.ArgEntities: 2,
	cedar.ArgSchema:   3,
}

func (f *cedarIsAuthorizedFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "cedar_is_authorized"
}

func (f *cedarIsAuthorizedFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Decide a Cedar access request against a policy set, offline",
		MarkdownDescription: "Evaluates a Cedar authorization request against `policies` and `entities` with cedar-go, the evaluator the " +
			"JITSudo API uses, and returns `{ decision = \"allow\" | \"deny\", reasons = list(string), errors = list(object) }`. " +
			"Use it to assert what a policy decides before it is applied, in a `check` block, a precondition or a " +
			"`terraform test` suite (see the guide *Testing policies*).\n\n" +
			"Cedar's rules: the decision is `deny` if a satisfied `forbid` policy exists, else `allow` if a satisfied `permit` " +
			"policy exists, else `deny`. `reasons` are the ids of the policies that decided (the satisfied `forbid` policies of a " +
			"deny, else the satisfied `permit` policies of an allow; empty when nothing permits), in the order of `policies`. " +
			"A policy's id is its `@id(\"...\")` annotation, else `policyN` for the N-th policy of the text, counted from 0 " +
			"(the ids Cedar gives them). `errors` lists the policies whose evaluation failed, `{ policy, message }`, e.g. on an " +
			"attribute that an entity lacks; Cedar skips such a policy, so it neither permits nor forbids.\n\n" +
			"Bad input fails the call with an error naming the argument and the place in it: Cedar that does not parse, " +
			"two policies with the same id, an entity reference that is not `Type::\"id\"` or `{ type, id }`, a `null` or a " +
			"fractional number where a Cedar value is expected, an entity listed twice, and, with a `schema`, a request or " +
			"entities that do not match it.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name: "policies",
				MarkdownDescription: "Cedar text of any number of policies: a policy's `cedar_policy_set` (as `jitsudo_policy` reads it), " +
					"a rule's `policy_text`, `file(\"rules.cedar\")` or several joined with `join(\"\\n\", [...])`.",
			},
			function.DynamicParameter{
				Name: "request",
				MarkdownDescription: "The request: an object `{ principal, action, resource, context }`. `principal`, `action` and " +
					"`resource` are entity references, written `\"User::\\\"alice\\\"\"` (Cedar syntax) or `{ type = \"User\", id = \"alice\" }`. " +
					"`context` (optional) is an object of Cedar values: strings, bools, whole numbers (Longs), lists (sets), objects " +
					"(records), entity references `{ __entity = { type, id } }` and extension values " +
					"`{ __extn = { fn = \"ip\", arg = \"10.0.0.1\" } }` (Cedar's JSON value format).",
			},
			function.DynamicParameter{
				Name: "entities",
				MarkdownDescription: "The entities the request is evaluated against: a list of `{ uid, attrs, parents }` in Cedar's JSON " +
					"entity format, where `uid` and each of `parents` is an entity reference (as in `request`) and `attrs` an object " +
					"of Cedar values; `attrs` and `parents` may be left out. Group membership comes from `parents`: " +
					"`principal in Group::\"sre\"` holds for a user whose `parents` include `Group::\"sre\"` (or a group inside it). " +
					"`[]` or `null` for none.",
				AllowNullValue: true,
			},
		},
		VariadicParameter: function.StringParameter{
			Name: "schema",
			MarkdownDescription: "Optional: a Cedar schema (`.cedarschema` format) to validate the request and the entities against, " +
				"such as the one the JITSudo API serves at `GET /v1/cedar/schema`; an empty string selects JITSudo's default schema. " +
				"Its action entities are added to `entities`, so that action groups declared in the schema apply. " +
				"At most one schema may be given.",
		},
		Return: function.ObjectReturn{AttributeTypes: map[string]attr.Type{
			"decision": types.StringType,
			"reasons":  types.ListType{ElemType: types.StringType},
			"errors":   types.ListType{ElemType: cedarAuthorizationErrorType},
		}},
	}
}

func (f *cedarIsAuthorizedFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var (
		policies          string
		request, entities types.Dynamic
		schemas           []string
	)
	resp.Error = req.Arguments.Get(ctx, &policies, &request, &entities, &schemas)
	if resp.Error != nil {
		return
	}
	if len(schemas) > 1 {
		resp.Error = function.NewArgumentFuncError(4, fmt.Sprintf("at most one schema may be given, got %d", len(schemas)))
		return
	}
	var schema *cedar.Schema
	if len(schemas) == 1 {
		text := schemas[0]
		if strings.TrimSpace(text) == "" {
			text = cedar.DefaultSchema()
		}
		s, err := cedar.ParseSchema(text)
		if err != nil {
			resp.Error = function.NewArgumentFuncError(3, "the schema is not a valid Cedar schema (.cedarschema format): "+err.Error())
			return
		}
		schema = s
	}

	ps, err := cedar.ParsePolicySet(policies)
	if err != nil {
		resp.Error = cedarAuthorizeFuncError(err)
		return
	}
	reqValue, err := terraformJSON(request)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(1, err.Error())
		return
	}
	entValue, err := terraformJSON(entities)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(2, err.Error())
		return
	}
	q, err := cedar.NewQuery(reqValue, entValue, schema)
	if err != nil {
		resp.Error = cedarAuthorizeFuncError(err)
		return
	}
	a := ps.Authorize(q)
	result := cedarAuthorization{Decision: a.Decision, Reasons: a.Reasons, Errors: []cedarAuthorizationError{}}
	for _, e := range a.Errors {
		result.Errors = append(result.Errors, cedarAuthorizationError{Policy: e.Policy, Message: e.Message})
	}
	resp.Error = resp.Result.Set(ctx, result)
}

// cedarAuthorizeFuncError is the function error of an error of
// cedar.ParsePolicySet or cedar.NewQuery, on the argument at fault.
func cedarAuthorizeFuncError(err error) *function.FuncError {
	var ie *cedar.InputError
	if errors.As(err, &ie) {
		msg := ie.Message
		if ie.Path != "" {
			msg = ie.Path + ": " + msg
		}
		return function.NewArgumentFuncError(cedarIsAuthorizedArgs[ie.Arg], msg)
	}
	return function.NewArgumentFuncError(0, cedarParseProblem(cedar.IssueOf(err, "")))
}

// terraformJSON converts a Terraform value (of any type, as a dynamic
// argument or attribute holds it) to the Go value encoding/json would
// decode from its JSON: objects and maps become map[string]any, lists,
// sets and tuples []any, numbers json.Number, null nil. Unknown values are
// an error.
func terraformJSON(v attr.Value) (any, error) {
	if v == nil || v.IsNull() {
		return nil, nil
	}
	if v.IsUnknown() {
		return nil, errors.New("the value is not known yet")
	}
	switch x := v.(type) {
	case basetypes.DynamicValue:
		return terraformJSON(x.UnderlyingValue())
	case basetypes.StringValue:
		return x.ValueString(), nil
	case basetypes.BoolValue:
		return x.ValueBool(), nil
	case basetypes.NumberValue:
		n := x.ValueBigFloat()
		if n.IsInt() {
			i, _ := n.Int(nil)
			return json.Number(i.String()), nil
		}
		return json.Number(n.Text('g', -1)), nil
	case basetypes.Int64Value:
		return json.Number(fmt.Sprint(x.ValueInt64())), nil
	case basetypes.ObjectValue:
		return terraformJSONObject(x.Attributes())
	case basetypes.MapValue:
		return terraformJSONObject(x.Elements())
	case basetypes.ListValue:
		return terraformJSONList(x.Elements())
	case basetypes.SetValue:
		return terraformJSONList(x.Elements())
	case basetypes.TupleValue:
		return terraformJSONList(x.Elements())
	default:
		return nil, fmt.Errorf("a value of type %s has no JSON form", v.Type(context.Background()))
	}
}

func terraformJSONObject(attrs map[string]attr.Value) (any, error) {
	m := make(map[string]any, len(attrs))
	for k, e := range attrs {
		jv, err := terraformJSON(e)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		m[k] = jv
	}
	return m, nil
}

func terraformJSONList(elems []attr.Value) (any, error) {
	l := make([]any, len(elems))
	for i, e := range elems {
		jv, err := terraformJSON(e)
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		l[i] = jv
	}
	return l, nil
}
