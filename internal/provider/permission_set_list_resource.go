package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

var (
	_ list.ListResource                   = (*permissionSetListResource)(nil)
	_ list.ListResourceWithConfigure      = (*permissionSetListResource)(nil)
	_ list.ListResourceWithValidateConfig = (*permissionSetListResource)(nil)
)

// NewPermissionSetListResource returns the jitsudo_permission_set list
// resource.
func NewPermissionSetListResource() list.ListResource {
	return &permissionSetListResource{listResourceBase{filters: permissionSetListFilters}}
}

// permissionSetListResource lists the permission sets of the cache.
type permissionSetListResource struct {
	listResourceBase
}

// permissionSetListModel is the configuration of a jitsudo_permission_set
// list block.
type permissionSetListModel struct {
	AccountID types.String `tfsdk:"account_id"`
	NameRegex types.String `tfsdk:"name_regex"`
}

var permissionSetListFilters = listFilters{"account_id": awsAccountIDValue(), "name_regex": regexpValue()}

func (r *permissionSetListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_permission_set"
}

func (r *permissionSetListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the permission sets of the JITSudo cache, by ARN, as `jitsudo_permission_set` resources with their " +
			"identity (`arn`). Every filter is optional: without any, every cached set is listed, those the sync job wrote included.",
		Attributes: map[string]schema.Attribute{
			"account_id": schema.StringAttribute{
				MarkdownDescription: "Only sets of this AWS account (12 digits).",
				Optional:            true,
			},
			"name_regex": schema.StringAttribute{
				MarkdownDescription: "Only sets whose name matches this Go regular expression ([RE2 syntax](https://golang.org/s/re2syntax); " +
					"unanchored: use `^Admin$` for an exact name).",
				Optional: true,
			},
		},
	}
}

func (r *permissionSetListResource) List(ctx context.Context, req list.ListRequest, resp *list.ListResultsStream) {
	runList(ctx, &r.listResourceBase, req, resp, permissionSetIdentityAttributes, func(s *listStream, cfg permissionSetListModel) (diags diag.Diagnostics) {
		params := api.ListPermissionSetsParams{Limit: new(api.MaxPageSize), AccountId: cfg.AccountID.ValueStringPointer()}
		re := optionalRegexp(cfg.NameRegex)
		tflog.Debug(ctx, "Listing permission sets", map[string]any{"include_resource": req.IncludeResource})
		for ps, err := range r.client.AllPermissionSets(ctx, params) {
			if err != nil {
				addAPIError(&diags, "Error Listing Permission Sets", "listing the permission sets", err, permissionSetListFilterPath)
				return diags
			}
			if re != nil && !re.MatchString(ps.Name) {
				continue
			}
			if !s.emit(ps.Name, []string{ps.Id}, func(res *tfsdk.Resource) diag.Diagnostics {
				m := permissionSetResourceModel{ID: types.StringValue(ps.Id), permissionSetItemModel: permissionSetItemFromAPI(ps, nil), Timeouts: nullTimeouts(ctx)}
				return res.Set(ctx, &m)
			}) {
				break
			}
		}
		return diags
	})
}

// permissionSetListFilterPath maps the query parameter the server may
// reject to its filter.
func permissionSetListFilterPath(location string) (path.Path, bool) {
	if location == "account_id" {
		return path.Root(location), true
	}
	return path.Empty(), false
}
