package provider

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

var (
	_ datasource.DataSource              = &awsRolesDataSource{}
	_ datasource.DataSourceWithConfigure = &awsRolesDataSource{}
)

// NewAwsRolesDataSource returns the jitsudo_aws_roles data source.
func NewAwsRolesDataSource() datasource.DataSource { return &awsRolesDataSource{} }

// awsRolesDataSource lists discovered AWS roles.
type awsRolesDataSource struct {
	dataSourceBase
}

// awsRolesDataSourceModel is the configuration and state of jitsudo_aws_roles.
type awsRolesDataSourceModel struct {
	NameRegex types.String   `tfsdk:"name_regex"`
	ARN       types.String   `tfsdk:"arn"`
	Source    types.String   `tfsdk:"source"`
	Status    types.String   `tfsdk:"status"`
	Refresh   types.Bool     `tfsdk:"refresh"`
	AwsRoles  []awsRoleModel `tfsdk:"aws_roles"`
	IDs       []types.String `tfsdk:"ids"`
}

func (d *awsRolesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_aws_roles"
}

func (d *awsRolesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the AWS roles JITSudo discovered in its AWS directory sources, optionally filtered, " +
			"sorted by name, then id. Use it to find the `aws_role_id` of a `jitsudo_aws_role_mapping`, or to review which " +
			"internal roles each AWS role grants. To look up exactly one AWS role, use `jitsudo_aws_role`.",
		Attributes: map[string]schema.Attribute{
			"name_regex": schema.StringAttribute{
				MarkdownDescription: "Only roles whose name matches this Go regular expression ([RE2 syntax](https://golang.org/s/re2syntax); " +
					"unanchored: use `^Admin$` for an exact name).",
				Optional:   true,
				Validators: []validator.String{regexpValue()},
			},
			"arn": schema.StringAttribute{
				MarkdownDescription: "Only the role with exactly this IAM role ARN.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"source": schema.StringAttribute{
				MarkdownDescription: "Only roles of this directory source (a UUID).",
				Optional:            true,
				Validators:          []validator.String{uuidValue()},
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "Only roles with this discovery status: `OK` or `MISSING`.",
				Optional:            true,
				Validators: []validator.String{stringvalidator.OneOf(
					string(api.AwsRoleStatusOK), string(api.AwsRoleStatusMISSING))},
			},
			"refresh": schema.BoolAttribute{
				MarkdownDescription: "Rescan the AWS directories before listing, so roles created in AWS since the last scan appear " +
					"and vanished ones turn `MISSING`. Defaults to `false` (list what the last scan found).",
				Optional: true,
			},
			"aws_roles": schema.ListNestedAttribute{
				MarkdownDescription: "The matching AWS roles, sorted by name, then id.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: awsRoleDataSourceAttributes()},
			},
			"ids": schema.ListAttribute{
				MarkdownDescription: "The ids of the matching AWS roles, in the order of `aws_roles`.",
				ElementType:         types.StringType,
				Computed:            true,
			},
		},
	}
}

func (d *awsRolesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !d.configured(&resp.Diagnostics) {
		return
	}
	var data awsRolesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	params, re := data.query(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	tflog.Debug(ctx, "Listing AWS roles", map[string]any{"refresh": data.Refresh.ValueBool()})
	var roles []api.AwsRole
	for role, err := range d.client.AllAwsRoles(ctx, params) {
		if err != nil {
			addAPIError(&resp.Diagnostics, "Error Listing AWS Roles", "listing AWS roles", err, awsRolesFilterPath)
			return
		}
		if re != nil && !re.MatchString(role.Name) {
			continue
		}
		roles = append(roles, role)
	}
	tflog.Debug(ctx, "Listed AWS roles", map[string]any{"count": len(roles)})

	resp.Diagnostics.Append(data.setRoles(roles)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

// query is the API's query for the filters, and the compiled name_regex
// (nil when unset), which the API does not take.
func (data *awsRolesDataSourceModel) query(diags *diag.Diagnostics) (api.ListAwsRolesParams, *regexp.Regexp) {
	limit := api.MaxPageSize
	params := api.ListAwsRolesParams{Limit: &limit}
	if !data.ARN.IsNull() {
		params.Arn = data.ARN.ValueStringPointer()
	}
	if !data.Source.IsNull() {
		src, err := uuid.Parse(data.Source.ValueString())
		if err != nil { // the validator already rejects this at validate time
			diags.AddAttributeError(path.Root("source"), "Invalid UUID", fmt.Sprintf("source: %s.", err))
			return params, nil
		}
		params.Source = &src
	}
	if !data.Status.IsNull() {
		st := api.AwsRoleStatus(data.Status.ValueString())
		params.Status = &st
	}
	if data.Refresh.ValueBool() {
		refresh := true
		params.Refresh = &refresh
	}
	if data.NameRegex.IsNull() {
		return params, nil
	}
	re, err := regexp.Compile(data.NameRegex.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("name_regex"), "Invalid Regular Expression", fmt.Sprintf("name_regex: %s.", err))
	}
	return params, re
}

// setRoles sets aws_roles and ids to the roles, sorted by name, then id.
func (data *awsRolesDataSourceModel) setRoles(roles []api.AwsRole) diag.Diagnostics {
	var diags diag.Diagnostics
	// The API orders by name, then id already; sorting again keeps the
	// documented order independent of the server.
	slices.SortStableFunc(roles, func(a, b api.AwsRole) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Id.String(), b.Id.String()))
	})
	data.AwsRoles = make([]awsRoleModel, 0, len(roles))
	data.IDs = make([]types.String, 0, len(roles))
	for _, role := range roles {
		m, d := awsRoleFromAPI(role)
		diags.Append(d...)
		data.AwsRoles = append(data.AwsRoles, m)
		data.IDs = append(data.IDs, m.ID)
	}
	return diags
}

// awsRolesFilterPath maps the query parameters of GET /v1/aws/roles the
// server may reject to the filter attributes.
func awsRolesFilterPath(location string) (path.Path, bool) {
	switch location {
	case "arn", "source", "status":
		return path.Root(location), true
	}
	return path.Empty(), false
}
