package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/validate"
)

var (
	_ resource.Resource                   = (*policyRuleResource)(nil)
	_ resource.ResourceWithConfigure      = (*policyRuleResource)(nil)
	_ resource.ResourceWithImportState    = (*policyRuleResource)(nil)
	_ resource.ResourceWithValidateConfig = (*policyRuleResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*policyRuleResource)(nil)
	_ resource.ResourceWithIdentity       = (*policyRuleResource)(nil)
)

// NewPolicyRuleResource returns the jitsudo_policy_rule resource.
func NewPolicyRuleResource() resource.Resource { return &policyRuleResource{} }

// policyRuleResource manages one rule (one Cedar statement) of a policy.
type policyRuleResource struct {
	resourceBase
	schema *cedarSchemaSource // nil until the provider is configured
}

// Limits of rule fields (openapi.yaml, RuleCreate).
const (
	policyRuleOrdinalMax    = api.MaxRuleOrdinal
	policyRuleTextMax       = api.MaxPolicyTextLength
	policyRuleConditionsMax = api.MaxConditionsLength
	policyRuleNoticeMax     = api.MaxRuleNoticeLength
)

// policyRuleModel maps the resource's schema. A rule is written in one of
// two modes: structured (Effect, Principal, Action, Resource, Conditions;
// PolicyText is the server's assembled text) or raw (PolicyText as the
// user wrote it; the structured attributes are null).
type policyRuleModel struct {
	ID           types.String      `tfsdk:"id"`
	PolicyID     types.String      `tfsdk:"policy_id"`
	Ordinal      types.Int64       `tfsdk:"ordinal"`
	Effect       types.String      `tfsdk:"effect"`
	Principal    types.Object      `tfsdk:"principal"`
	Action       types.Object      `tfsdk:"action"`
	Resource     types.Object      `tfsdk:"resource"`
	Conditions   types.String      `tfsdk:"conditions"`
	PolicyText   types.String      `tfsdk:"policy_text"`
	Notice       types.String      `tfsdk:"notice"`
	AuditSession types.Bool        `tfsdk:"audit_session"`
	CreatedAt    timetypes.RFC3339 `tfsdk:"created_at"`
	UpdatedAt    timetypes.RFC3339 `tfsdk:"updated_at"`
	// Timeouts bounds create, update and delete.
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// policyRuleScopeModel maps the principal and resource attributes.
type policyRuleScopeModel struct {
	Scope        types.String `tfsdk:"scope"`
	EntityType   types.String `tfsdk:"entity_type"`
	EntityID     types.String `tfsdk:"entity_id"`
	InEntityType types.String `tfsdk:"in_entity_type"`
}

// policyRuleActionModel maps the action attribute.
type policyRuleActionModel struct {
	Scope types.String `tfsdk:"scope"`
	IDs   types.List   `tfsdk:"ids"`
}

var (
	policyRuleScopeAttrTypes = map[string]attr.Type{
		"scope":          types.StringType,
		"entity_type":    types.StringType,
		"entity_id":      types.StringType,
		"in_entity_type": types.StringType,
	}
	policyRuleActionAttrTypes = map[string]attr.Type{
		"scope": types.StringType,
		"ids":   types.ListType{ElemType: types.StringType},
	}
)

// isRaw reports whether m (a configuration, plan or state) is in raw mode:
// policy_text written by the user and no effect. A state without either,
// as ImportState leaves it, is read in structured mode.
func (m *policyRuleModel) isRaw() bool {
	return m.Effect.IsNull() && !m.PolicyText.IsNull()
}

// equal reports whether m and o hold the same values.
func (m *policyRuleModel) equal(o *policyRuleModel) bool {
	return m.ID.Equal(o.ID) && m.PolicyID.Equal(o.PolicyID) && m.Ordinal.Equal(o.Ordinal) &&
		m.Effect.Equal(o.Effect) && m.Principal.Equal(o.Principal) && m.Action.Equal(o.Action) && m.Resource.Equal(o.Resource) &&
		m.Conditions.Equal(o.Conditions) && m.PolicyText.Equal(o.PolicyText) && m.Notice.Equal(o.Notice) &&
		m.AuditSession.Equal(o.AuditSession) && m.CreatedAt.Equal(o.CreatedAt) && m.UpdatedAt.Equal(o.UpdatedAt) &&
		m.Timeouts.Equal(o.Timeouts)
}

func (r *policyRuleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_policy_rule"
}

// IdentitySchema is { policy_id, rule_id }, the two ids of the import id
// "<policy_id>/<rule_id>".
func (r *policyRuleResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema(policyRuleIdentityAttributes)
}

func (r *policyRuleResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	scopeAttributes := func(variable, example string) map[string]schema.Attribute {
		return map[string]schema.Attribute{
			"scope": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("How the %[1]s is constrained: `any` (bare `%[1]s`), `eq` (`%[1]s == Type::\"id\"`), "+
					"`in` (`%[1]s in Type::\"id\"`, the entity or anything inside it), `is` (`%[1]s is Type`) or "+
					"`is_in` (`%[1]s is Type in InType::\"id\"`).", variable),
				Required:   true,
				Validators: []validator.String{stringvalidator.OneOf(cedar.ScopeAny, cedar.ScopeEq, cedar.ScopeIn, cedar.ScopeIs, cedar.ScopeIsIn)},
			},
			"entity_type": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Cedar entity type (`Ident` or `Namespace::Ident`, e.g. `%s`). Required with `eq`, `in`, `is` and `is_in` "+
					"(for `is_in`, the type tested by `is`); must be unset with `any`. At most %d characters.", example, api.MaxEntityTypeLength),
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtMost(api.MaxEntityTypeLength)},
			},
			"entity_id": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Entity id, any non-empty string of at most %d characters (written as an escaped Cedar string literal). "+
					"Required with `eq`, `in` and `is_in`; must be unset with `any` and `is`.", api.MaxEntityIDLength),
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtMost(api.MaxEntityIDLength)},
			},
			"in_entity_type": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Only with `is_in`: the entity type of `entity_id`, e.g. `AwsAccount` in `%s is AwsPermissionSet in AwsAccount::\"123456789012\"`. "+
					"Unset means the same as `entity_type`. At most %d characters.", variable, api.MaxEntityTypeLength),
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtMost(api.MaxEntityTypeLength)},
			},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A rule of a JITSudo policy: one Cedar `permit` or `forbid` statement that decides who may request, approve, deny, revoke " +
			"or extend just-in-time AWS access. Write a rule either **structured**, with `effect`, `principal`, `action`, `resource` and `conditions` " +
			"(the server assembles the Cedar text, readable in `policy_text`), or **raw**, as Cedar text in `policy_text` alone.\n\n" +
			"Rules are checked at `terraform validate`, without the API, exactly as the JITSudo API checks them: scope fields that do not fit the scope, " +
			"Cedar syntax errors (with line and column within `conditions` or `policy_text`) and texts that are not exactly one statement are errors. " +
			"At `terraform plan`, before anything is written, a rule that is created or changed is also checked against the Cedar schema " +
			"(the provider's `cedar_schema`, or the tenant's schema from the API): undeclared entity types and actions are reported on `principal`, " +
			"`action` or `resource`, unknown attributes, type errors and optional attributes without a `has` guard on `conditions` (with line and column), " +
			"everything in raw mode on `policy_text`. They fail the plan unless the provider's `schema_findings` is `\"warning\"`.\n\n" +
			"Layout is not a change: reformatting `policy_text` or `conditions` (whitespace, line breaks, comments) plans no update. " +
			"Rules keep their `ordinal` when other rules are added or removed.\n\n" +
			"A refresh reads all the rules of a policy with one request for the policy, however many rules it has. " +
			concurrencyDescription,
		Attributes: map[string]schema.Attribute{
			"timeouts": timeoutsAttribute(ctx),
			"id": schema.StringAttribute{
				MarkdownDescription: "Rule id (a UUID) assigned by the server.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"policy_id": schema.StringAttribute{
				MarkdownDescription: "Id of the policy the rule belongs to, e.g. `jitsudo_policy.example.id`. Changing it replaces the rule.",
				Required:            true,
				Validators:          []validator.String{uuidValue()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"ordinal": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Evaluation order of the rule within its policy (0 to %d; gaps allowed, ties by creation time). "+
					"When unset, the rule is appended after the policy's last rule and keeps that ordinal; removing `ordinal` from the configuration "+
					"keeps the current one. Other rules never change ordinals when one is added or deleted.", policyRuleOrdinalMax),
				Optional:      true,
				Computed:      true,
				Validators:    []validator.Int64{int64validator.Between(0, policyRuleOrdinalMax)},
				PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"effect": schema.StringAttribute{
				MarkdownDescription: "Structured mode (required there): `permit` or `forbid`. Conflicts with `policy_text`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(cedar.EffectPermit, cedar.EffectForbid)},
			},
			"principal": schema.SingleNestedAttribute{
				MarkdownDescription: "Structured mode: who the rule is about, e.g. `{ scope = \"in\", entity_type = \"Group\", entity_id = \"sre\" }`. " +
					"Unset means any principal (as does `{ scope = \"any\" }`, which is kept as written). Conflicts with `policy_text`.",
				Optional:   true,
				Attributes: scopeAttributes("principal", "Group"),
			},
			"action": schema.SingleNestedAttribute{
				MarkdownDescription: "Structured mode: which actions the rule covers, e.g. `{ scope = \"in\", ids = [\"request_access\", \"extend\"] }` " +
					"for `action in [Action::\"request_access\", Action::\"extend\"]`. Unset means any action (as does `{ scope = \"any\" }`, which is kept as written). " +
					"Conflicts with `policy_text`.",
				Optional: true,
				Attributes: map[string]schema.Attribute{
					"scope": schema.StringAttribute{
						MarkdownDescription: "`any` (bare `action`), `eq` (`action == Action::\"id\"`, exactly one id) or `in` (`action in [...]`, one or more ids).",
						Required:            true,
						Validators:          []validator.String{stringvalidator.OneOf(cedar.ScopeAny, cedar.ScopeEq, cedar.ScopeIn)},
					},
					"ids": schema.ListAttribute{
						MarkdownDescription: "Action ids, in the order written: `request_access`, `approve`, `deny`, `revoke`, `extend` in the default schema. " +
							fmt.Sprintf("Exactly one with `eq`, at least one with `in`, none with `any`; each at most %d characters.", api.MaxActionIDLength),
						ElementType: types.StringType,
						Optional:    true,
						Validators:  []validator.List{listvalidator.ValueStringsAre(stringvalidator.LengthAtMost(api.MaxActionIDLength))},
					},
				},
			},
			"resource": schema.SingleNestedAttribute{
				MarkdownDescription: "Structured mode: which AWS resources the rule is about, e.g. " +
					"`{ scope = \"is_in\", entity_type = \"AwsPermissionSet\", in_entity_type = \"AwsAccount\", entity_id = \"123456789012\" }`. " +
					"Unset means any resource (as does `{ scope = \"any\" }`, which is kept as written). Conflicts with `policy_text`.",
				Optional:   true,
				Attributes: scopeAttributes("resource", "AwsAccount"),
			},
			"conditions": schema.StringAttribute{
				MarkdownDescription: "Structured mode: Cedar `when { ... }` and `unless { ... }` clauses appended to the statement, e.g. " +
					"`when { context.duration_seconds <= 3600 }`. Stored as written; changes of layout or comments only are not a change. " +
					"Conflicts with `policy_text`.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtMost(policyRuleConditionsMax)},
			},
			"policy_text": schema.StringAttribute{
				MarkdownDescription: "Raw mode: the whole rule as exactly one Cedar statement, e.g. " +
					"`forbid (principal, action, resource) unless { context.mfa_authenticated };`. It is kept as written as long as the server stores the same rule " +
					"(comments, layout and annotations are not stored). Conflicts with `effect`, `principal`, `action`, `resource` and `conditions`. " +
					"In structured mode, the Cedar text the server assembled from them.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.LengthBetween(1, policyRuleTextMax)},
			},
			"notice": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Message shown to users when the rule applies to their request (at most %d characters).", policyRuleNoticeMax),
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtMost(policyRuleNoticeMax)},
			},
			"audit_session": schema.BoolAttribute{
				MarkdownDescription: "Whether access granted under this rule gets session auditing. Defaults to `true`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the rule was created (RFC 3339).",
				CustomType:          timetypes.RFC3339Type{},
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the rule last changed (RFC 3339).",
				CustomType:          timetypes.RFC3339Type{},
				Computed:            true,
			},
		},
	}
}

// Configure also takes the Cedar schema source, which only this resource uses.
func (r *policyRuleResource) Configure(ctx context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.resourceBase.Configure(ctx, req, resp)
	r.schema = cedarSchemaFromProviderData(req.ProviderData)
}

// ValidateConfig checks, without the API, what the API would reject: both
// modes or neither, scope fields that do not fit the scope, and Cedar that
// does not parse. Unknown values are skipped.
func (r *policyRuleResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg policyRuleModel
	resp.Diagnostics.Append(cfg.fromTerraform(ctx, req.Config.Raw)...)
	if resp.Diagnostics.HasError() {
		return
	}
	structured := []struct {
		name  string
		value attr.Value
	}{{"effect", cfg.Effect}, {"principal", cfg.Principal}, {"action", cfg.Action}, {"resource", cfg.Resource}, {"conditions", cfg.Conditions}}

	switch {
	case cfg.PolicyText.IsUnknown():
		// The mode is only known once policy_text is.
	case !cfg.PolicyText.IsNull():
		conflict := false
		for _, s := range structured {
			if !s.value.IsNull() && !s.value.IsUnknown() {
				conflict = true
				resp.Diagnostics.AddAttributeError(path.Root(s.name), "Conflicting Rule Attributes",
					fmt.Sprintf("%s cannot be combined with policy_text. Write the rule either as one Cedar statement in policy_text alone (raw mode), "+
						"or with effect, principal, action, resource and conditions (structured mode).", s.name))
			}
		}
		if !conflict {
			validatePolicyRuleText(cfg.PolicyText.ValueString(), &resp.Diagnostics)
		}
	default:
		if cfg.Effect.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("effect"), "Missing Rule Effect",
				"A rule needs effect (\"permit\" or \"forbid\") with optional principal, action, resource and conditions, "+
					"or the whole rule as one Cedar statement in policy_text.")
		}
		parts, diags := cfg.ruleParts(ctx)
		resp.Diagnostics.Append(diags...)
		if !diags.HasError() {
			validatePolicyRuleStructured(parts, &resp.Diagnostics)
		}
	}
}

// ModifyPlan checks a rule that is created or whose statement changes
// against the Cedar schema (checkPlanSchema), before anything is written.
// For updates it also keeps equivalent texts out of the plan: a
// policy_text or conditions that only differs from the state in layout or
// comments keeps the state's text, and policy_text (structured mode) and
// updated_at are only unknown when the rule really changes.
func (r *policyRuleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	// fromTerraform and toTerraform instead of Get and Set: see
	// policy_rule_model.go.
	var plan, cfg policyRuleModel
	resp.Diagnostics.Append(plan.fromTerraform(ctx, req.Plan.Raw)...)
	resp.Diagnostics.Append(cfg.fromTerraform(ctx, req.Config.Raw)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *policyRuleModel
	if !req.State.Raw.IsNull() {
		state = &policyRuleModel{}
		resp.Diagnostics.Append(state.fromTerraform(ctx, req.State.Raw)...)
		if resp.Diagnostics.HasError() {
			return
		}
		proposed := plan
		plan.keepEquivalent(&cfg, state)
		if !plan.equal(&proposed) {
			raw, diags := plan.toTerraform(ctx)
			resp.Diagnostics.Append(diags...)
			if diags.HasError() {
				return
			}
			resp.Plan.Raw = raw
		}
	}
	r.checkPlanSchema(ctx, &cfg, &plan, state, &resp.Diagnostics)
}

// keepEquivalent adjusts the plan m of an update (cfg is the
// configuration, state the prior state) as ModifyPlan describes.
func (m *policyRuleModel) keepEquivalent(cfg, state *policyRuleModel) {
	if !cfg.PolicyText.IsNull() { // raw mode
		if !cfg.PolicyText.IsUnknown() && state.isRaw() && policyTextEquivalent(cfg.PolicyText.ValueString(), state.PolicyText.ValueString()) {
			m.PolicyText = state.PolicyText
		}
	} else {
		if !cfg.Conditions.IsNull() && !cfg.Conditions.IsUnknown() && !state.Conditions.IsNull() &&
			conditionsEquivalent(cfg.Conditions.ValueString(), state.Conditions.ValueString()) {
			m.Conditions = state.Conditions
		}
		if m.statementChanged(state) {
			m.PolicyText = types.StringUnknown()
		} else {
			m.PolicyText = state.PolicyText
		}
	}
	m.UpdatedAt = state.UpdatedAt
	if !m.equal(state) {
		m.UpdatedAt = timetypes.NewRFC3339Unknown()
	}
}

// identity is the rule's identity: its policy's id and its own, in lower
// case as the API gives ids, whatever case the configuration wrote
// policy_id in (Create, Update and Read must agree).
func (m *policyRuleModel) identity() []string {
	return []string{strings.ToLower(m.PolicyID.ValueString()), strings.ToLower(m.ID.ValueString())}
}

// statementChanged reports whether the structured plan m writes another
// statement than state holds.
func (m *policyRuleModel) statementChanged(state *policyRuleModel) bool {
	return state.isRaw() || state.Effect.IsNull() ||
		!m.Effect.Equal(state.Effect) || !m.Principal.Equal(state.Principal) || !m.Action.Equal(state.Action) ||
		!m.Resource.Equal(state.Resource) || !m.Conditions.Equal(state.Conditions)
}

func (r *policyRuleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	var plan policyRuleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	defer cancel()
	body, diags := plan.toRequest(ctx, nil)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	policyID := plan.PolicyID.ValueString()
	tflog.Debug(ctx, "Creating policy rule", map[string]any{"policy_id": policyID, "raw": plan.isRaw()})
	var res client.Response
	out, err := r.client.CreateRule(ctx, policyID, api.RuleCreate(body), client.WithResponse(&res))
	if err != nil {
		if id, ok := keepCreated(ctx, &res, req.Plan, &resp.State, "id", &resp.Diagnostics); ok {
			r.caches.forgetPolicy(policyID, id)
			addCommittedError(&resp.Diagnostics, "Error Creating Policy Rule", fmt.Sprintf("rule %s of policy %q", id, policyID), err)
			return
		}
		if errors.Is(err, client.ErrNotFound) {
			resp.Diagnostics.AddAttributeError(path.Root("policy_id"), "Policy Not Found",
				fmt.Sprintf("Cannot create the rule: policy %q does not exist. Check policy_id, or create the policy first (reference jitsudo_policy.<name>.id).", policyID))
			return
		}
		addAPIError(&resp.Diagnostics, "Error Creating Policy Rule", fmt.Sprintf("creating a rule in policy %q", policyID), err, policyRuleDiagnosticPath)
		return
	}
	tflog.Debug(ctx, "Created policy rule", map[string]any{"policy_id": policyID, "rule_id": out.Id.String(), "ordinal": out.Ordinal})
	r.caches.forgetPolicy(policyID, out.Id.String())
	addPolicyRuleWriteFindings(&resp.Diagnostics, out, plan.isRaw())
	resp.Diagnostics.Append(plan.fromAPI(ctx, out)...)
	setIdentity(ctx, resp.Identity, policyRuleIdentityAttributes, &resp.Diagnostics, plan.identity()...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(storeETag(ctx, resp.Private, out.Etag)...)
}

func (r *policyRuleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	// fromTerraform and toTerraform instead of Get and Set: see
	// policy_rule_model.go. A refresh of many rules is mostly this.
	var state policyRuleModel
	resp.Diagnostics.Append(state.fromTerraform(ctx, req.State.Raw)...)
	if resp.Diagnostics.HasError() {
		return
	}
	policyID, ruleID := state.PolicyID.ValueString(), state.ID.ValueString()
	// Also when the rule is gone: the framework wants an identity then.
	setIdentity(ctx, resp.Identity, policyRuleIdentityAttributes, &resp.Diagnostics, state.identity()...)
	tflog.Trace(ctx, "Reading policy rule", map[string]any{"policy_id": policyID, "rule_id": ruleID})
	out, err := r.caches.readRule(ctx, r.client, policyID, ruleID)
	// Not found: the rule, or its whole policy, was deleted outside Terraform.
	if readFailed(ctx, err, resp, "Error Reading Policy Rule", fmt.Sprintf("reading rule %q of policy %q", ruleID, policyID),
		map[string]any{"policy_id": policyID, "rule_id": ruleID}) {
		return
	}
	prior := state
	resp.Diagnostics.Append(state.fromAPI(ctx, out)...)
	if !state.equal(&prior) { // else resp.State already holds it
		raw, diags := state.toTerraform(ctx)
		resp.Diagnostics.Append(diags...)
		if diags.HasError() {
			return
		}
		resp.State.Raw = raw
	}
	resp.Diagnostics.Append(storeETag(ctx, resp.Private, out.Etag)...)
}

func (r *policyRuleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	var plan, state policyRuleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	defer cancel()
	body, diags := plan.toRequest(ctx, &state)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	policyID, ruleID := state.PolicyID.ValueString(), state.ID.ValueString()
	etag, diags := storedETag(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	tflog.Debug(ctx, "Updating policy rule", map[string]any{"policy_id": policyID, "rule_id": ruleID, "raw": plan.isRaw()})
	r.caches.forgetPolicy(policyID, ruleID)
	out, err := r.client.UpdateRule(ctx, policyID, ruleID, body, ifMatch(etag)...)
	if isStale(err) {
		// A retried write of this apply, or someone else's change?
		out, err = r.client.GetRule(ctx, policyID, ruleID)
		if err == nil && !r.holds(ctx, out, &plan) {
			err = errChangedOutside
		}
	}
	if errors.Is(err, errChangedOutside) {
		addChangedOutsideError(&resp.Diagnostics, "Error Updating Policy Rule", fmt.Sprintf("rule %q of policy %q", ruleID, policyID))
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Updating Policy Rule", fmt.Sprintf("updating rule %q of policy %q", ruleID, policyID), err, policyRuleDiagnosticPath)
		return
	}
	addPolicyRuleWriteFindings(&resp.Diagnostics, out, plan.isRaw())
	resp.Diagnostics.Append(plan.fromAPI(ctx, out)...)
	setIdentity(ctx, resp.Identity, policyRuleIdentityAttributes, &resp.Diagnostics, plan.identity()...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(storeETag(ctx, resp.Private, out.Etag)...)
}

// holds reports whether the server's rule out already is what plan
// intends: the same statement, ordinal, notice and audit_session.
func (r *policyRuleResource) holds(ctx context.Context, out *api.Rule, plan *policyRuleModel) bool {
	got := *plan
	if got.fromAPI(ctx, out).HasError() {
		return false
	}
	same := got.Notice.Equal(plan.Notice) && got.AuditSession.Equal(plan.AuditSession) &&
		(plan.Ordinal.IsUnknown() || got.Ordinal.Equal(plan.Ordinal))
	if plan.isRaw() {
		return same && got.PolicyText.Equal(plan.PolicyText)
	}
	return same && !got.statementChanged(plan)
}

func (r *policyRuleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	var state policyRuleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Delete, &resp.Diagnostics)
	defer cancel()
	policyID, ruleID := state.PolicyID.ValueString(), state.ID.ValueString()
	etag, diags := storedETag(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	tflog.Debug(ctx, "Deleting policy rule", map[string]any{"policy_id": policyID, "rule_id": ruleID})
	r.caches.forgetPolicy(policyID, ruleID)
	err := r.client.DeleteRule(ctx, policyID, ruleID, ifMatch(etag)...)
	if isStale(err) {
		// The rule is still there with another etag: someone changed it.
		addChangedOutsideError(&resp.Diagnostics, "Error Deleting Policy Rule", fmt.Sprintf("rule %q of policy %q", ruleID, policyID))
		return
	}
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		addAPIError(&resp.Diagnostics, "Error Deleting Policy Rule", fmt.Sprintf("deleting rule %q of policy %q", ruleID, policyID), err, nil)
	}
}

// ImportState takes "<policy_id>/<rule_id>", or the identity with both.
// The rule is imported in structured mode.
func (r *policyRuleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := importID(ctx, req, policyRuleIdentityAttributes, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	policyID, ruleID, ok := strings.Cut(id, "/")
	if !ok || validate.UUID(policyID) != nil || validate.UUID(ruleID) != nil {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("A jitsudo_policy_rule is imported by \"<policy_id>/<rule_id>\", two UUIDs separated by a slash, "+
				"e.g. \"2489e9ad-2ee2-8e00-8ec9-32d5f69181c0/7b0c7a51-4a4e-4d4b-9b7e-0f5d1c2e3a4b\"; got %q.", id))
		return
	}
	// Lower case, as the API gives ids (Read keeps policy_id as it is).
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("policy_id"), strings.ToLower(policyID))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), strings.ToLower(ruleID))...)
}

// Converters -------------------------------------------------------------------

// fromAPI sets m from the server's rule. m holds the prior values (the
// plan after a write, the state on Read, nulls after ImportState), which
// decide the representation: the mode; policy_id in the case written; a
// policy_text or conditions that
// is equivalent to the server's stays as written; an unconstrained scope
// stays null or an explicit { scope = "any" }.
func (m *policyRuleModel) fromAPI(ctx context.Context, r *api.Rule) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(r.Id.String())
	if !strings.EqualFold(m.PolicyID.ValueString(), r.PolicyId.String()) {
		m.PolicyID = types.StringValue(r.PolicyId.String()) // the same id stays as written
	}
	m.Ordinal = types.Int64Value(int64(r.Ordinal))
	m.Notice = stringFromAPI(r.Notice)
	m.AuditSession = types.BoolValue(r.AuditSession)
	m.CreatedAt = timestampFromAPI(r.CreatedAt)
	m.UpdatedAt = timestampFromAPI(r.UpdatedAt)

	if m.isRaw() {
		if m.PolicyText.IsUnknown() || !policyTextEquivalent(m.PolicyText.ValueString(), r.PolicyText) {
			m.PolicyText = types.StringValue(r.PolicyText)
		}
		m.Effect, m.Conditions = types.StringNull(), types.StringNull()
		m.Principal = types.ObjectNull(policyRuleScopeAttrTypes)
		m.Action = types.ObjectNull(policyRuleActionAttrTypes)
		m.Resource = types.ObjectNull(policyRuleScopeAttrTypes)
		return diags
	}

	m.PolicyText = types.StringValue(r.PolicyText)
	m.Effect = types.StringValue(string(r.Effect))
	var d diag.Diagnostics
	m.Principal, d = policyRuleScopeFromAPI(m.Principal, string(r.PrincipalScopeType), r.PrincipalEntityType, r.PrincipalEntityId, r.PrincipalInEntityType)
	diags.Append(d...)
	m.Resource, d = policyRuleScopeFromAPI(m.Resource, string(r.ResourceScopeType), r.ResourceEntityType, r.ResourceEntityId, r.ResourceInEntityType)
	diags.Append(d...)
	m.Action, d = policyRuleActionFromAPI(ctx, m.Action, string(r.ActionScopeType), r.ActionIds)
	diags.Append(d...)
	switch c, err := r.Conditions.Get(); {
	case err != nil: // null or absent
		m.Conditions = types.StringNull()
	case m.Conditions.IsNull() || m.Conditions.IsUnknown() || !conditionsEquivalent(m.Conditions.ValueString(), c):
		m.Conditions = types.StringValue(c)
	}
	return diags
}

// policyRuleScopeFromAPI is the principal or resource attribute for a scope of the
// server, given its prior value.
func policyRuleScopeFromAPI(prior types.Object, scopeType string, entityType, entityID, inEntityType nullable.Nullable[string]) (types.Object, diag.Diagnostics) {
	unset := func(n nullable.Nullable[string]) bool { return !n.IsSpecified() || n.IsNull() }
	if scopeType == cedar.ScopeAny && (prior.IsNull() || prior.IsUnknown()) && unset(entityType) && unset(entityID) && unset(inEntityType) {
		return types.ObjectNull(policyRuleScopeAttrTypes), nil
	}
	return types.ObjectValue(policyRuleScopeAttrTypes, map[string]attr.Value{
		"scope":          types.StringValue(scopeType),
		"entity_type":    stringFromAPI(entityType),
		"entity_id":      stringFromAPI(entityID),
		"in_entity_type": stringFromAPI(inEntityType),
	})
}

// policyRuleActionFromAPI is the action attribute for the server's action scope,
// given its prior value.
func policyRuleActionFromAPI(ctx context.Context, prior types.Object, scopeType string, ids []string) (types.Object, diag.Diagnostics) {
	if scopeType == cedar.ScopeAny && len(ids) == 0 && (prior.IsNull() || prior.IsUnknown()) {
		return types.ObjectNull(policyRuleActionAttrTypes), nil
	}
	var diags diag.Diagnostics
	list := types.ListNull(types.StringType)
	if len(ids) > 0 {
		var d diag.Diagnostics
		list, d = types.ListValueFrom(ctx, types.StringType, ids)
		diags.Append(d...)
	} else if !prior.IsNull() && !prior.IsUnknown() {
		// Keep an explicit `ids = []` as written.
		if p, ok := prior.Attributes()["ids"].(types.List); ok && !p.IsNull() && !p.IsUnknown() && len(p.Elements()) == 0 {
			list = p
		}
	}
	obj, d := types.ObjectValue(policyRuleActionAttrTypes, map[string]attr.Value{
		"scope": types.StringValue(scopeType),
		"ids":   list,
	})
	diags.Append(d...)
	return obj, diags
}

// ruleParts is the structured rule of m, with placeholders for unknown
// parts (see policyRuleParts).
func (m *policyRuleModel) ruleParts(ctx context.Context) (policyRuleParts, diag.Diagnostics) {
	var diags diag.Diagnostics
	parts := policyRuleParts{
		Rule: cedar.Rule{
			Effect:          cedar.EffectPermit,
			Principal:       cedar.Scope{Type: cedar.ScopeAny},
			ActionScopeType: cedar.ScopeAny,
			Resource:        cedar.Scope{Type: cedar.ScopeAny},
		},
		Principal: true, Action: true, Resource: true, Conditions: true,
	}
	if !m.Effect.IsNull() && !m.Effect.IsUnknown() {
		parts.Rule.Effect, parts.Effect = m.Effect.ValueString(), true
	}
	var d diag.Diagnostics
	parts.Rule.Principal, parts.Principal, d = policyRuleScopeFromModel(ctx, m.Principal)
	diags.Append(d...)
	parts.Rule.Resource, parts.Resource, d = policyRuleScopeFromModel(ctx, m.Resource)
	diags.Append(d...)
	parts.Rule.ActionScopeType, parts.Rule.ActionIDs, parts.Action, d = policyRuleActionFromModel(ctx, m.Action)
	diags.Append(d...)
	switch {
	case m.Conditions.IsUnknown():
		parts.Conditions = false
	case !m.Conditions.IsNull():
		parts.Rule.Conditions = m.Conditions.ValueString()
	}
	return parts, diags
}

// policyRuleScopeFromModel is the cedar.Scope of a principal or resource attribute;
// null is `any`. known is false (and the scope `any`) when any part of it
// is unknown.
func policyRuleScopeFromModel(ctx context.Context, o types.Object) (cedar.Scope, bool, diag.Diagnostics) {
	unconstrained := cedar.Scope{Type: cedar.ScopeAny}
	if o.IsNull() {
		return unconstrained, true, nil
	}
	if o.IsUnknown() {
		return unconstrained, false, nil
	}
	var s policyRuleScopeModel
	diags := o.As(ctx, &s, basetypes.ObjectAsOptions{})
	if diags.HasError() {
		return unconstrained, false, diags
	}
	if s.Scope.IsUnknown() || s.EntityType.IsUnknown() || s.EntityID.IsUnknown() || s.InEntityType.IsUnknown() {
		return unconstrained, false, nil
	}
	return cedar.Scope{
		Type:         s.Scope.ValueString(),
		EntityType:   s.EntityType.ValueString(),
		EntityID:     s.EntityID.ValueString(),
		InEntityType: s.InEntityType.ValueString(),
	}, true, nil
}

// policyRuleActionFromModel is the action scope type and ids of the action
// attribute; null is `any`. known is false (and the scope `any`) when any
// part of it is unknown.
func policyRuleActionFromModel(ctx context.Context, o types.Object) (string, []string, bool, diag.Diagnostics) {
	if o.IsNull() {
		return cedar.ScopeAny, nil, true, nil
	}
	if o.IsUnknown() {
		return cedar.ScopeAny, nil, false, nil
	}
	var a policyRuleActionModel
	diags := o.As(ctx, &a, basetypes.ObjectAsOptions{})
	if diags.HasError() || a.Scope.IsUnknown() || a.IDs.IsUnknown() {
		return cedar.ScopeAny, nil, false, diags
	}
	var ids []string
	for _, e := range a.IDs.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() {
			return cedar.ScopeAny, nil, false, diags
		}
		ids = append(ids, s.ValueString())
	}
	return a.Scope.ValueString(), ids, true, diags
}

// toRequest is the API body that makes the server's rule what m (a plan)
// says. With prior nil (create) it is the whole rule, the form the create
// body also has; with the state as prior (update) only what differs, each
// scope as a unit as the API requires, explicit nulls clearing conditions
// and notice. Switching modes sends the whole new statement.
func (m *policyRuleModel) toRequest(ctx context.Context, prior *policyRuleModel) (api.RuleUpdate, diag.Diagnostics) {
	var body api.RuleUpdate
	create := prior == nil
	if m.isRaw() {
		if create || !prior.isRaw() || !m.PolicyText.Equal(prior.PolicyText) {
			body.PolicyText = m.PolicyText.ValueStringPointer()
		}
	} else {
		parts, diags := m.ruleParts(ctx)
		if diags.HasError() {
			return body, diags
		}
		if !parts.Effect || !parts.Principal || !parts.Action || !parts.Resource || !parts.Conditions {
			diags.AddError("Unknown Rule Attributes",
				"The rule's effect, principal, action, resource or conditions are still unknown at apply time. This is a bug in the provider; please report it.")
			return body, diags
		}
		rule := parts.Rule
		whole := create || prior.isRaw() || prior.Effect.IsNull()
		if whole || !m.Effect.Equal(prior.Effect) {
			effect := api.Effect(rule.Effect)
			body.Effect = &effect
		}
		if whole || !m.Principal.Equal(prior.Principal) {
			t := api.ScopeType(rule.Principal.Type)
			body.PrincipalScopeType = &t
			body.PrincipalEntityType, body.PrincipalEntityId, body.PrincipalInEntityType = policyRuleScopeFields(m.Principal)
		}
		if whole || !m.Action.Equal(prior.Action) {
			t := api.ActionScopeType(rule.ActionScopeType)
			ids := append([]string{}, rule.ActionIDs...)
			body.ActionScopeType, body.ActionIds = &t, &ids
		}
		if whole || !m.Resource.Equal(prior.Resource) {
			t := api.ScopeType(rule.Resource.Type)
			body.ResourceScopeType = &t
			body.ResourceEntityType, body.ResourceEntityId, body.ResourceInEntityType = policyRuleScopeFields(m.Resource)
		}
		if whole || !m.Conditions.Equal(prior.Conditions) {
			body.Conditions = nullableStringToAPI(m.Conditions, true)
		}
	}
	if !m.Ordinal.IsNull() && !m.Ordinal.IsUnknown() && (create || !m.Ordinal.Equal(prior.Ordinal)) {
		o := int(m.Ordinal.ValueInt64())
		body.Ordinal = &o
	}
	if create && !m.Notice.IsNull() || !create && !m.Notice.Equal(prior.Notice) {
		body.Notice = nullableStringToAPI(m.Notice, true)
	}
	if !m.AuditSession.IsNull() && !m.AuditSession.IsUnknown() && (create || !m.AuditSession.Equal(prior.AuditSession)) {
		body.AuditSession = m.AuditSession.ValueBoolPointer()
	}
	return body, nil
}

// scopeFields are the entity fields of a principal or resource attribute
// for a request, explicit nulls for unset ones (and for a null attribute,
// which is `any`).
func policyRuleScopeFields(o types.Object) (entityType, entityID, inEntityType nullable.Nullable[string]) {
	get := func(name string) nullable.Nullable[string] {
		if o.IsNull() || o.IsUnknown() {
			return nullable.NewNullNullable[string]()
		}
		s, _ := o.Attributes()[name].(types.String)
		return nullableStringToAPI(s, true)
	}
	return get("entity_type"), get("entity_id"), get("in_entity_type")
}
