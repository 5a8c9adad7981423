package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
)

var (
	_ datasource.DataSource                     = &policyDataSource{}
	_ datasource.DataSourceWithConfigure        = &policyDataSource{}
	_ datasource.DataSourceWithConfigValidators = &policyDataSource{}
)

// NewPolicyDataSource returns the jitsudo_policy data source.
func NewPolicyDataSource() datasource.DataSource { return &policyDataSource{} }

// policyDataSource reads one policy, with its rules, by id or by name.
type policyDataSource struct {
	dataSourceBase
}

// policyDataSourceModel is the resource's model plus the policy's rules.
type policyDataSourceModel struct {
	policyResourceModel
	Rules []policyDataSourceRule `tfsdk:"rules"`
}

// policyDataSourceRule is one rule of the policy, as the data source shows it.
type policyDataSourceRule struct {
	ID           types.String `tfsdk:"id"`
	Ordinal      types.Int64  `tfsdk:"ordinal"`
	Effect       types.String `tfsdk:"effect"`
	PolicyText   types.String `tfsdk:"policy_text"`
	Conditions   types.String `tfsdk:"conditions"`
	Notice       types.String `tfsdk:"notice"`
	AuditSession types.Bool   `tfsdk:"audit_session"`
}

// fromAPI sets every attribute, rules included, from the API's policy.
func (m *policyDataSourceModel) fromAPI(p *api.Policy) {
	m.policyResourceModel.fromAPI(p)
	m.Rules = make([]policyDataSourceRule, len(p.Rules))
	for i, r := range p.Rules {
		m.Rules[i] = policyDataSourceRule{
			ID:           types.StringValue(r.Id.String()),
			Ordinal:      types.Int64Value(int64(r.Ordinal)),
			Effect:       types.StringValue(string(r.Effect)),
			PolicyText:   types.StringValue(r.PolicyText),
			Conditions:   stringFromAPI(r.Conditions),
			Notice:       stringFromAPI(r.Notice),
			AuditSession: types.BoolValue(r.AuditSession),
		}
	}
}

func (d *policyDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_policy"
}

func (d *policyDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a JITSudo access policy, with its rules and their assembled Cedar text, by `id` " +
			"or by `name` (set exactly one). Use it to refer to a policy that is managed elsewhere, for example to " +
			"add `jitsudo_policy_rule` resources to it.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The id (UUID) of the policy to read. Set exactly one of `id` and `name`; " +
					"when looking up by `name`, this is the id found.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{uuidValue()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The exact (case-sensitive) name of the policy to read. Set exactly one of " +
					"`id` and `name`; when looking up by `id`, this is the policy's name.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.LengthBetween(1, policyNameMaxLength)},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "The policy's description; null when it has none.",
				Computed:            true,
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the policy takes part in access decisions.",
				Computed:            true,
			},
			"priority": schema.Int64Attribute{
				MarkdownDescription: "The policy's evaluation priority: policies with higher values are evaluated first.",
				Computed:            true,
			},
			"max_duration_seconds": schema.Int64Attribute{
				MarkdownDescription: "The longest access grant the policy allows, in seconds.",
				Computed:            true,
			},
			"default_duration_seconds": schema.Int64Attribute{
				MarkdownDescription: "The grant duration used when a request names none, in seconds; null when unset.",
				Computed:            true,
			},
			"notification_channel": schema.StringAttribute{
				MarkdownDescription: "Where grants under this policy are announced; null when unset.",
				Computed:            true,
			},
			"cedar_policy_set": schema.StringAttribute{
				MarkdownDescription: "The assembled Cedar text of all the policy's rules, in rule order, separated " +
					"by blank lines; empty while the policy has no rules.",
				Computed: true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the policy was created (RFC 3339, UTC).",
				CustomType:          timetypes.RFC3339Type{},
				Computed:            true,
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the policy or one of its rules last changed (RFC 3339, UTC).",
				CustomType:          timetypes.RFC3339Type{},
				Computed:            true,
			},
			"rules": schema.ListNestedAttribute{
				MarkdownDescription: "The policy's rules in evaluation order (by `ordinal`).",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id": schema.StringAttribute{
							MarkdownDescription: "The rule's id (UUID).",
							Computed:            true,
						},
						"ordinal": schema.Int64Attribute{
							MarkdownDescription: "The rule's position in the evaluation order; gaps are allowed.",
							Computed:            true,
						},
						"effect": schema.StringAttribute{
							MarkdownDescription: "`permit` or `forbid`.",
							Computed:            true,
						},
						"policy_text": schema.StringAttribute{
							MarkdownDescription: "The rule's Cedar statement, as the API assembled it (canonical form).",
							Computed:            true,
						},
						"conditions": schema.StringAttribute{
							MarkdownDescription: "The rule's Cedar `when { ... }` / `unless { ... }` clauses; null when it has none.",
							Computed:            true,
						},
						"notice": schema.StringAttribute{
							MarkdownDescription: "The message shown to requesters when the rule applies; null when it has none.",
							Computed:            true,
						},
						"audit_session": schema.BoolAttribute{
							MarkdownDescription: "Whether access granted under the rule gets session auditing.",
							Computed:            true,
						},
					},
				},
			},
		},
	}
}

func (d *policyDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *policyDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !d.configured(&resp.Diagnostics) {
		return
	}
	var id, name types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("name"), &name)...)
	if resp.Diagnostics.HasError() {
		return
	}

	var (
		p   *api.Policy
		err error
	)
	if !id.IsNull() {
		p, err = d.byID(ctx, id.ValueString())
		if policyLookupFailed(&resp.Diagnostics, path.Root("id"), err,
			fmt.Sprintf("No policy with id %q exists in the tenant the provider is configured with (its tenant_id). "+
				"Check the id, or look the policy up by name instead; policies are listed with GET /v1/policies of the JITSudo API.",
				id.ValueString()),
			fmt.Sprintf("reading policy %s", id.ValueString())) {
			return
		}
	} else {
		p, err = d.byName(ctx, name.ValueString())
		if policyLookupFailed(&resp.Diagnostics, path.Root("name"), err,
			fmt.Sprintf("No policy named %q exists in the tenant the provider is configured with (its tenant_id). "+
				"Names are case-sensitive and must match exactly; policies are listed with GET /v1/policies of the JITSudo API.",
				name.ValueString()),
			fmt.Sprintf("looking up the policy named %q", name.ValueString())) {
			return
		}
	}

	var state policyDataSourceModel
	state.fromAPI(p)
	tflog.Debug(ctx, "Read policy", map[string]any{"id": state.ID.ValueString(), "rules": len(state.Rules)})
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// policyLookupFailed reports err, the error of looking a policy up by the
// attribute at: notFound is the detail when no such policy exists, doing
// says what failed otherwise. It tells whether there was an error.
func policyLookupFailed(diags *diag.Diagnostics, at path.Path, err error, notFound, doing string) bool {
	if errors.Is(err, client.ErrNotFound) {
		diags.AddAttributeError(at, "Policy Not Found", notFound)
		return true
	}
	if err != nil {
		addAPIError(diags, "Error Reading Policy", doing, err, nil)
		return true
	}
	return false
}

func (d *policyDataSource) byID(ctx context.Context, id string) (*api.Policy, error) {
	tflog.Debug(ctx, "Reading policy by id", map[string]any{"id": id})
	return d.caches.readPolicy(ctx, d.client, id) // shared with the policy's and rules' refresh
}

// byName finds the policy's id with the list's name filter, then reads the
// policy with its rules. A name nobody holds is client.ErrNotFound.
func (d *policyDataSource) byName(ctx context.Context, name string) (*api.Policy, error) {
	tflog.Debug(ctx, "Looking up policy by name", map[string]any{"name": name})
	limit := 1
	page, err := d.client.ListPolicies(ctx, api.ListPoliciesParams{Name: &name, Limit: &limit})
	if err != nil {
		return nil, err
	}
	if len(page.Data) == 0 {
		return nil, client.ErrNotFound
	}
	return d.byID(ctx, page.Data[0].Id.String())
}
