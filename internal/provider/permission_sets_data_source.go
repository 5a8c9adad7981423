package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

var (
	_ datasource.DataSource              = &permissionSetsDataSource{}
	_ datasource.DataSourceWithConfigure = &permissionSetsDataSource{}
)

// NewPermissionSetsDataSource returns the jitsudo_permission_sets data source.
func NewPermissionSetsDataSource() datasource.DataSource {
	return &permissionSetsDataSource{}
}

// permissionSetsDataSource lists the permission sets of the cache.
type permissionSetsDataSource struct {
	dataSourceBase
}

type permissionSetsDataSourceModel struct {
	AccountID      types.String                        `tfsdk:"account_id"`
	NameRegex      types.String                        `tfsdk:"name_regex"`
	PermissionSets []permissionSetsDataSourceItemModel `tfsdk:"permission_sets"`
}

// permissionSetsDataSourceItemModel is one listed set: its ARN and the
// shared permissionSetItemModel.
type permissionSetsDataSourceItemModel struct {
	ID types.String `tfsdk:"id"`
	permissionSetItemModel
}

func (d *permissionSetsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_permission_sets"
}

func (d *permissionSetsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the AWS permission sets of the JITSudo permission set cache, whoever wrote them " +
			"(the sync job or Terraform), optionally only those of one AWS account or whose name matches a regular expression.",
		Attributes: map[string]schema.Attribute{
			"account_id": schema.StringAttribute{
				MarkdownDescription: "Only list the sets of this 12-digit AWS account id.",
				Optional:            true,
				Validators:          []validator.String{awsAccountIDValue()},
			},
			"name_regex": schema.StringAttribute{
				MarkdownDescription: "Only list the sets whose name matches this regular expression " +
					"([RE2 syntax](https://github.com/google/re2/wiki/Syntax), unanchored: use `^...$` to match the whole name).",
				Optional:   true,
				Validators: []validator.String{regexpValue()},
			},
			"permission_sets": schema.ListNestedAttribute{
				MarkdownDescription: "The matching permission sets, sorted by ARN.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id": schema.StringAttribute{
						MarkdownDescription: "The permission set's ARN.",
						Computed:            true,
					},
					"name": schema.StringAttribute{
						MarkdownDescription: "The permission set's name.",
						Computed:            true,
					},
					"account_id": schema.StringAttribute{
						MarkdownDescription: "The 12-digit AWS account id, or null.",
						Computed:            true,
					},
					"metadata": schema.StringAttribute{
						MarkdownDescription: "The metadata, a JSON object string (`\"{}\"` when empty); read it with `jsondecode()`.",
						CustomType:          jsontypes.NormalizedType{},
						Computed:            true,
					},
					"rank": schema.Int64Attribute{
						MarkdownDescription: "The ordering hint, or null.",
						Computed:            true,
					},
					"description": schema.StringAttribute{
						MarkdownDescription: "The description, or null.",
						Computed:            true,
					},
					"session_duration": schema.StringAttribute{
						MarkdownDescription: "The session duration, an ISO 8601 duration such as `PT8H`, or null.",
						Computed:            true,
					},
					"relay_state": schema.StringAttribute{
						MarkdownDescription: "The relay state, or null.",
						Computed:            true,
					},
					"last_synced_at": schema.StringAttribute{
						MarkdownDescription: "When the set was last written to the cache (RFC 3339, UTC).",
						CustomType:          timetypes.RFC3339Type{},
						Computed:            true,
					},
				}},
			},
		},
	}
}

func (d *permissionSetsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !d.configured(&resp.Diagnostics) {
		return
	}
	var data permissionSetsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var re *regexp.Regexp
	if !data.NameRegex.IsNull() {
		var err error
		if re, err = regexp.Compile(data.NameRegex.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("name_regex"), "Invalid Regular Expression", fmt.Sprintf("name_regex: %s.", err))
			return
		}
	}
	params := api.ListPermissionSetsParams{Limit: new(api.MaxPageSize)}
	if !data.AccountID.IsNull() {
		params.AccountId = new(data.AccountID.ValueString())
	}
	tflog.Debug(ctx, "Listing permission sets", map[string]any{"account_id": data.AccountID.ValueString(), "name_regex": data.NameRegex.ValueString()})
	data.PermissionSets = []permissionSetsDataSourceItemModel{}
	for ps, err := range d.client.AllPermissionSets(ctx, params) {
		if err != nil {
			addAPIError(&resp.Diagnostics, "Error Listing Permission Sets", "listing the permission sets", err, func(loc string) (path.Path, bool) {
				if loc == "account_id" {
					return path.Root("account_id"), true
				}
				return path.Empty(), false
			})
			return
		}
		if re != nil && !re.MatchString(ps.Name) {
			continue
		}
		data.PermissionSets = append(data.PermissionSets, permissionSetsDataSourceItemModel{
			ID:                     types.StringValue(ps.Id),
			permissionSetItemModel: permissionSetItemFromAPI(ps, nil),
		})
	}
	slices.SortFunc(data.PermissionSets, func(a, b permissionSetsDataSourceItemModel) int {
		return strings.Compare(a.ID.ValueString(), b.ID.ValueString())
	})
	tflog.Trace(ctx, "Listed permission sets", map[string]any{"count": len(data.PermissionSets)})
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}
