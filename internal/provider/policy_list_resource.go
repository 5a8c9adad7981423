package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

var (
	_ list.ListResource                   = (*policyListResource)(nil)
	_ list.ListResourceWithConfigure      = (*policyListResource)(nil)
	_ list.ListResourceWithValidateConfig = (*policyListResource)(nil)
)

// NewPolicyListResource returns the jitsudo_policy list resource.
func NewPolicyListResource() list.ListResource {
	return &policyListResource{listResourceBase{filters: policyListFilters}}
}

// policyListResource lists the policies of the tenant.
type policyListResource struct {
	listResourceBase
}

// policyListModel is the configuration of a jitsudo_policy list block.
type policyListModel struct {
	NameRegex types.String `tfsdk:"name_regex"`
	Enabled   types.Bool   `tfsdk:"enabled"`
}

var policyListFilters = listFilters{"name_regex": regexpValue()}

func (r *policyListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_policy"
}

func (r *policyListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the policies of the tenant, highest priority first, then by name, as `jitsudo_policy` resources with their identity " +
			"(`id`). Every filter is optional: without any, every policy is listed. The policies' rules are listed by " +
			"`jitsudo_policy_rule`.",
		Attributes: map[string]schema.Attribute{
			"name_regex": schema.StringAttribute{
				MarkdownDescription: "Only policies whose name matches this Go regular expression ([RE2 syntax](https://golang.org/s/re2syntax); " +
					"unanchored: use `^prod-` for a prefix).",
				Optional: true,
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Only enabled (`true`) or only disabled (`false`) policies.",
				Optional:            true,
			},
		},
	}
}

func (r *policyListResource) List(ctx context.Context, req list.ListRequest, resp *list.ListResultsStream) {
	runList(ctx, &r.listResourceBase, req, resp, policyIdentityAttributes, func(s *listStream, cfg policyListModel) (diags diag.Diagnostics) {
		re := optionalRegexp(cfg.NameRegex)
		tflog.Debug(ctx, "Listing policies", map[string]any{"include_resource": req.IncludeResource})
		for p, err := range r.client.AllPolicies(ctx, api.ListPoliciesParams{Limit: new(api.MaxPageSize)}) {
			if err != nil {
				addAPIError(&diags, "Error Listing Policies", "listing the policies", err, nil)
				return diags
			}
			if (re != nil && !re.MatchString(p.Name)) || (!cfg.Enabled.IsNull() && cfg.Enabled.ValueBool() != p.Enabled) {
				continue
			}
			id := p.Id.String()
			more := s.emit(p.Name, []string{id}, func(res *tfsdk.Resource) (diags diag.Diagnostics) {
				full, err := r.client.GetPolicy(ctx, id)
				if err != nil {
					addAPIError(&diags, "Error Reading Policy", fmt.Sprintf("reading policy %s (%q)", id, p.Name), err, nil)
					return diags
				}
				data := policyResourceData{Timeouts: nullTimeouts(ctx)}
				data.fromAPI(full)
				return res.Set(ctx, &data)
			})
			if !more {
				break
			}
		}
		return diags
	})
}
