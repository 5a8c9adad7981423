package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
)

var (
	_ datasource.DataSource              = &authorizationDataSource{}
	_ datasource.DataSourceWithConfigure = &authorizationDataSource{}
)

// NewAuthorizationDataSource returns the jitsudo_authorization data source.
func NewAuthorizationDataSource() datasource.DataSource { return &authorizationDataSource{} }

// authorizationDataSource decides an access request against the live
// rules of one policy, or of every enabled policy of the tenant as the
// broker evaluates them (cedar.AuthorizeFirstApplicable).
type authorizationDataSource struct {
	dataSourceBase
}

// authorizationModel is the data source's configuration and result.
type authorizationModel struct {
	PolicyID         types.String  `tfsdk:"policy_id"`
	Principal        types.String  `tfsdk:"principal"`
	Action           types.String  `tfsdk:"action"`
	Resource         types.String  `tfsdk:"resource"`
	Context          types.Dynamic `tfsdk:"context"`
	Entities         types.Dynamic `tfsdk:"entities"`
	Decision         types.String  `tfsdk:"decision"`
	Allowed          types.Bool    `tfsdk:"allowed"`
	Reasons          types.List    `tfsdk:"reasons"`
	DecidingPolicyID types.String  `tfsdk:"deciding_policy_id"`
	Errors           types.List    `tfsdk:"errors"`
}

// authorizationRuleError is an entry of errors: a rule whose evaluation
// failed.
type authorizationRuleError struct {
	PolicyID string `tfsdk:"policy_id"`
	RuleID   string `tfsdk:"rule_id"`
	Message  string `tfsdk:"message"`
}

var authorizationRuleErrorType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"policy_id": types.StringType,
	"rule_id":   types.StringType,
	"message":   types.StringType,
}}

// entityRefValue accepts an entity reference written Type::"id".
func entityRefValue() validator.String {
	return valueCheck{
		summary:     "Invalid Entity Reference",
		description: `value must be a Cedar entity reference Type::"id", such as User::"alice"`,
		check: func(s string) error {
			_, err := cedar.ParseEntityRef(s)
			return err
		},
	}
}

func (d *authorizationDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_authorization"
}

func (d *authorizationDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	ref := func(what, example string) schema.StringAttribute {
		return schema.StringAttribute{
			MarkdownDescription: fmt.Sprintf("The request's %s, a Cedar entity reference written `Type::\"id\"`, e.g. `%s`.", what, example),
			Required:            true,
			Validators:          []validator.String{entityRefValue()},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Decides an access request against the rules the JITSudo broker evaluates, as stored now: the rules of " +
			"the policy `policy_id`, or, without it, the rules of every enabled policy of the tenant. Use `decision` in a `check` " +
			"block or a postcondition to assert what deployed policies decide, e.g. that nobody is let in without MFA. " +
			"To test rules before they are applied, without an API, use the function `cedar_is_authorized`.\n\n" +
			"Within one policy, Cedar decides: `deny` if a satisfied `forbid` rule exists, else `allow` if a satisfied `permit` " +
			"rule exists, else `deny`. Across policies, the broker evaluates the enabled policies in priority order (highest " +
			"`priority` first, then by name and id, the order of `GET /v1/policies`), each policy on its own; the first policy " +
			"with a satisfied rule (`permit` or `forbid`) decides, and when no policy has one the request is denied.\n\n" +
			"The request is evaluated with cedar-go, the evaluator the JITSudo API uses, against the `entities` given here: " +
			"group memberships and attributes come from them, not from the API. A rule whose evaluation fails (for instance on " +
			"an attribute that an entity lacks) is skipped, as Cedar skips it, and listed in `errors`.",
		Attributes: map[string]schema.Attribute{
			"policy_id": schema.StringAttribute{
				MarkdownDescription: "The id (UUID) of the policy whose rules to evaluate, whether it is enabled or not. " +
					"Unset: every enabled policy of the tenant, as the broker evaluates them.",
				Optional:   true,
				Validators: []validator.String{uuidValue()},
			},
			"principal": ref("principal", `User::"alice"`),
			"action":    ref("action", `Action::"request_access"`),
			"resource":  ref("resource", `AwsAccount::"123456789012"`),
			"context": schema.DynamicAttribute{
				MarkdownDescription: "The request context: an object of Cedar values, e.g. " +
					"`{ duration_seconds = 3600, mfa_authenticated = true }`. Entity references are written " +
					"`{ __entity = { type, id } }` and extension values `{ __extn = { fn = \"ip\", arg = \"10.0.0.1\" } }` " +
					"(Cedar's JSON value format). Unset: an empty context.",
				Optional: true,
			},
			"entities": schema.DynamicAttribute{
				MarkdownDescription: "The entities the request is evaluated against: a list of `{ uid, attrs, parents }` in Cedar's " +
					"JSON entity format, where `uid` and each of `parents` is written `Type::\"id\"` or `{ type, id }`; `attrs` and " +
					"`parents` may be left out. `principal in Group::\"sre\"` holds for a principal whose `parents` include " +
					"`Group::\"sre\"`. Unset: no entities.",
				Optional: true,
			},
			"decision": schema.StringAttribute{
				MarkdownDescription: "`allow` or `deny`.",
				Computed:            true,
			},
			"allowed": schema.BoolAttribute{
				MarkdownDescription: "Whether `decision` is `allow`.",
				Computed:            true,
			},
			"reasons": schema.ListAttribute{
				MarkdownDescription: "The ids of the rules that decided, in evaluation order: the satisfied `forbid` rules of a deny, " +
					"else the satisfied `permit` rules of an allow. Empty when the request is denied because nothing permits it.",
				ElementType: types.StringType,
				Computed:    true,
			},
			"deciding_policy_id": schema.StringAttribute{
				MarkdownDescription: "The id of the policy that decided; null when no rule of any evaluated policy is satisfied.",
				Computed:            true,
			},
			"errors": schema.ListNestedAttribute{
				MarkdownDescription: "The rules whose evaluation failed, which Cedar skips, of the policies evaluated up to the " +
					"deciding one.",
				Computed: true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"policy_id": schema.StringAttribute{MarkdownDescription: "The rule's policy.", Computed: true},
						"rule_id":   schema.StringAttribute{MarkdownDescription: "The rule's id.", Computed: true},
						"message":   schema.StringAttribute{MarkdownDescription: "What failed.", Computed: true},
					},
				},
			},
		},
	}
}

func (d *authorizationDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !d.configured(&resp.Diagnostics) {
		return
	}
	var m authorizationModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	q, ok := m.query(&resp.Diagnostics)
	if !ok {
		return
	}

	policies, sets, ok := d.policySets(ctx, m.PolicyID, &resp.Diagnostics)
	if !ok {
		return
	}
	i, a := cedar.AuthorizeFirstApplicable(sets, q)
	ruleToPolicy := map[string]string{}
	for j, ps := range sets {
		for _, id := range ps.IDs() {
			ruleToPolicy[id] = policies[j]
		}
	}
	m.Decision = types.StringValue(a.Decision)
	m.Allowed = types.BoolValue(a.Decision == cedar.DecisionAllow)
	m.DecidingPolicyID = types.StringNull()
	if i >= 0 {
		m.DecidingPolicyID = types.StringValue(policies[i])
	}
	var diags diag.Diagnostics
	m.Reasons, diags = types.ListValueFrom(ctx, types.StringType, a.Reasons)
	resp.Diagnostics.Append(diags...)
	errs := make([]authorizationRuleError, len(a.Errors))
	for j, e := range a.Errors {
		errs[j] = authorizationRuleError{PolicyID: ruleToPolicy[e.Policy], RuleID: e.Policy, Message: e.Message}
	}
	m.Errors, diags = types.ListValueFrom(ctx, authorizationRuleErrorType, errs)
	resp.Diagnostics.Append(diags...)
	tflog.Debug(ctx, "Decided access request", map[string]any{
		"policies": len(sets), "decision": a.Decision, "reasons": a.Reasons, "errors": len(a.Errors),
	})
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// query is the request of m, checked by cedar.NewQuery; a problem is an
// error on the attribute at fault.
func (m *authorizationModel) query(diags *diag.Diagnostics) (*cedar.Query, bool) {
	request := map[string]any{
		"principal": m.Principal.ValueString(),
		"action":    m.Action.ValueString(),
		"resource":  m.Resource.ValueString(),
	}
	ctxValue, err := terraformJSON(m.Context)
	if err != nil {
		diags.AddAttributeError(path.Root("context"), "Invalid Authorization Request", "context: "+err.Error()+".")
		return nil, false
	}
	if ctxValue != nil {
		request["context"] = ctxValue
	}
	entities, err := terraformJSON(m.Entities)
	if err != nil {
		diags.AddAttributeError(path.Root("entities"), "Invalid Authorization Request", "entities: "+err.Error()+".")
		return nil, false
	}
	q, err := cedar.NewQuery(request, entities, nil)
	if err != nil {
		// The request's members are attributes of their own; problems of
		// the entities say where in the list.
		attr, problem := cedar.ArgEntities, err.Error()
		var ie *cedar.InputError
		if errors.As(err, &ie) && ie.Arg == cedar.ArgRequest {
			attr, problem = ie.Path, ie.Message
		} else if errors.As(err, &ie) {
			problem = ie.Arg + ie.Path + ": " + ie.Message
		}
		diags.AddAttributeError(path.Root(attr), "Invalid Authorization Request",
			fmt.Sprintf("The request cannot be evaluated: %s. Write entity references Type::\"id\" or { type, id }, "+
				"and Cedar values in Cedar's JSON value format.", problem))
		return nil, false
	}
	return q, true
}

// policySets reads the rules to evaluate: those of the policy id, or of
// every enabled policy in priority order. It returns the policies' ids and
// one policy set per policy, its rules under their ids.
func (d *authorizationDataSource) policySets(ctx context.Context, id types.String, diags *diag.Diagnostics) ([]string, []*cedar.PolicySet, bool) {
	var ids []string
	if !id.IsNull() {
		ids = []string{id.ValueString()}
	} else {
		for p, err := range d.client.AllPolicies(ctx, api.ListPoliciesParams{Limit: new(api.MaxPageSize)}) {
			if err != nil {
				addAPIError(diags, "Error Listing Policies", "listing the tenant's policies", err, nil)
				return nil, nil, false
			}
			if p.Enabled {
				ids = append(ids, p.Id.String())
			}
		}
	}
	sets := make([]*cedar.PolicySet, 0, len(ids))
	for _, pid := range ids {
		p, err := d.caches.readPolicy(ctx, d.client, pid) // shared with the policy's and rules' refresh
		if errors.Is(err, client.ErrNotFound) && !id.IsNull() {
			diags.AddAttributeError(path.Root("policy_id"), "Policy Not Found",
				fmt.Sprintf("No policy with id %q exists in the tenant the provider is configured with (its tenant_id). "+
					"Check the id, or leave policy_id unset to evaluate every enabled policy.", pid))
			return nil, nil, false
		}
		if err != nil {
			addAPIError(diags, "Error Reading Policy", fmt.Sprintf("reading policy %s", pid), err, nil)
			return nil, nil, false
		}
		statements := make([]cedar.Statement, len(p.Rules))
		for i, r := range p.Rules {
			statements[i] = cedar.Statement{ID: r.Id.String(), Text: r.PolicyText}
		}
		ps, err := cedar.NewPolicySet(statements)
		if err != nil {
			diags.AddError("Policy Rule Not Evaluable",
				fmt.Sprintf("A rule of policy %s cannot be evaluated: %s. The API stores rules that parse, so this rule was "+
					"stored by another version; rewrite it with jitsudo_policy_rule.", pid, err))
			return nil, nil, false
		}
		sets = append(sets, ps)
	}
	return ids, sets, true
}
