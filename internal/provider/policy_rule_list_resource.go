package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
)

var (
	_ list.ListResource                   = (*policyRuleListResource)(nil)
	_ list.ListResourceWithConfigure      = (*policyRuleListResource)(nil)
	_ list.ListResourceWithValidateConfig = (*policyRuleListResource)(nil)
)

// NewPolicyRuleListResource returns the jitsudo_policy_rule list resource.
func NewPolicyRuleListResource() list.ListResource {
	return &policyRuleListResource{listResourceBase{filters: policyRuleListFilters}}
}

// policyRuleListResource lists the rules of one policy or of all policies.
type policyRuleListResource struct {
	listResourceBase
}

// policyRuleListModel is the configuration of a jitsudo_policy_rule list
// block.
type policyRuleListModel struct {
	PolicyID types.String `tfsdk:"policy_id"`
}

var policyRuleListFilters = listFilters{"policy_id": uuidValue()}

func (r *policyRuleListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_policy_rule"
}

func (r *policyRuleListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists policy rules as `jitsudo_policy_rule` resources with their identity (`policy_id`, `rule_id`): " +
			"the rules of one policy, or of every policy, policy by policy in evaluation order. Each policy's rules come " +
			"from one request.\n\n" +
			"Rules are listed in structured mode (`effect`, `principal`, `action`, `resource`, `conditions`), as an import " +
			"reads them, with `policy_text` left null, so that the configuration `terraform query -generate-config-out` " +
			"writes is structured and imports with an empty plan.",
		Attributes: map[string]schema.Attribute{
			"policy_id": schema.StringAttribute{
				MarkdownDescription: "Only the rules of this policy (its id, a UUID). Unset lists the rules of every policy.",
				Optional:            true,
			},
		},
	}
}

func (r *policyRuleListResource) List(ctx context.Context, req list.ListRequest, resp *list.ListResultsStream) {
	runList(ctx, &r.listResourceBase, req, resp, policyRuleIdentityAttributes, func(s *listStream, cfg policyRuleListModel) (diags diag.Diagnostics) {
		var policyIDs []string
		if !cfg.PolicyID.IsNull() {
			policyIDs = []string{cfg.PolicyID.ValueString()}
		} else {
			for p, err := range r.client.AllPolicies(ctx, api.ListPoliciesParams{Limit: new(api.MaxPageSize)}) {
				if err != nil {
					addAPIError(&diags, "Error Listing Policy Rules", "listing the policies", err, nil)
					return diags
				}
				policyIDs = append(policyIDs, p.Id.String())
			}
		}
		tflog.Debug(ctx, "Listing policy rules", map[string]any{"policies": len(policyIDs), "include_resource": req.IncludeResource})
		for _, policyID := range policyIDs {
			// The policy with all its rules, in evaluation order.
			p, err := r.client.GetPolicy(ctx, policyID)
			switch {
			case errors.Is(err, client.ErrNotFound) && !cfg.PolicyID.IsNull():
				diags.AddAttributeError(path.Root("policy_id"), "Policy Not Found",
					fmt.Sprintf("There is no policy %q on the tenant, so it has no rules to list. Check policy_id, "+
						"or leave it unset to list the rules of every policy.", policyID))
				return diags
			case errors.Is(err, client.ErrNotFound):
				continue // deleted since the policies were listed
			case err != nil:
				addAPIError(&diags, "Error Listing Policy Rules", fmt.Sprintf("reading policy %s with its rules", policyID), err, nil)
				return diags
			}
			for i := range p.Rules {
				rule := &p.Rules[i]
				display := fmt.Sprintf("%s: rule %d (%s)", p.Name, rule.Ordinal, rule.Effect)
				if !s.emit(display, []string{rule.PolicyId.String(), rule.Id.String()}, func(res *tfsdk.Resource) diag.Diagnostics {
					return policyRuleListValue(ctx, rule, res)
				}) {
					return diags
				}
			}
		}
		return diags
	})
}

// policyRuleListValue sets res to the rule as an import reads it
// (structured mode), with policy_text null: Terraform writes Optional and
// Computed attributes into generated configuration, and a rule with both
// effect and policy_text is invalid.
func policyRuleListValue(ctx context.Context, rule *api.Rule, res *tfsdk.Resource) diag.Diagnostics {
	m := policyRuleModel{
		Principal: types.ObjectNull(policyRuleScopeAttrTypes),
		Action:    types.ObjectNull(policyRuleActionAttrTypes),
		Resource:  types.ObjectNull(policyRuleScopeAttrTypes),
		Timeouts:  nullTimeouts(ctx),
	}
	diags := m.fromAPI(ctx, rule)
	m.PolicyText = types.StringNull()
	raw, d := m.toTerraform(ctx)
	diags.Append(d...)
	if !diags.HasError() {
		res.Raw = raw
	}
	return diags
}
