package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
)

var (
	_ datasource.DataSource                     = &awsRoleDataSource{}
	_ datasource.DataSourceWithConfigure        = &awsRoleDataSource{}
	_ datasource.DataSourceWithConfigValidators = &awsRoleDataSource{}
)

// NewAwsRoleDataSource returns the jitsudo_aws_role data source.
func NewAwsRoleDataSource() datasource.DataSource { return &awsRoleDataSource{} }

// awsRoleDataSource looks up one discovered AWS role by id, ARN or name.
// Its model is awsRoleModel, the same object jitsudo_aws_roles lists.
type awsRoleDataSource struct {
	dataSourceBase
}

func (d *awsRoleDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_aws_role"
}

func (d *awsRoleDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := awsRoleDataSourceAttributes()
	attrs["id"] = schema.StringAttribute{
		MarkdownDescription: "The AWS role's id (a UUID) in JITSudo; the `aws_role_id` of `jitsudo_aws_role_mapping`. " +
			"Exactly one of `id`, `arn` and `name` must be set; the others are filled in.",
		Optional:   true,
		Computed:   true,
		Validators: []validator.String{uuidValue()},
	}
	attrs["arn"] = schema.StringAttribute{
		MarkdownDescription: "The IAM role ARN, such as `arn:aws:iam::123456789012:role/Admin`; unique, so the safest lookup key. " +
			"Exactly one of `id`, `arn` and `name` must be set.",
		Optional:   true,
		Computed:   true,
		Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	attrs["name"] = schema.StringAttribute{
		MarkdownDescription: "The role's name in AWS, matched exactly. The same name can exist in several directory sources " +
			"(one `Admin` per account): a name that matches more than one role is an error, then look the role up by `arn`. " +
			"Exactly one of `id`, `arn` and `name` must be set.",
		Optional:   true,
		Computed:   true,
		Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one AWS role JITSudo discovered in its AWS directory sources, by id, ARN or name, " +
			"with the internal roles it grants. A lookup that matches no role, or a name that matches several, is an error. " +
			"To list or filter AWS roles, use `jitsudo_aws_roles`.",
		Attributes: attrs,
	}
}

func (d *awsRoleDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("arn"), path.MatchRoot("name")),
	}
}

func (d *awsRoleDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !d.configured(&resp.Diagnostics) {
		return
	}
	var config awsRoleModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	var role *api.AwsRole
	switch {
	case !config.ID.IsNull():
		role = d.byID(ctx, config.ID.ValueString(), &resp.Diagnostics)
	case !config.ARN.IsNull():
		role = d.byFilter(ctx, "arn", config.ARN.ValueString(), &resp.Diagnostics)
	case !config.Name.IsNull():
		role = d.byFilter(ctx, "name", config.Name.ValueString(), &resp.Diagnostics)
	default: // ExactlyOneOf rejects this at validate time
		resp.Diagnostics.AddError("Missing AWS Role Lookup Key", "Set exactly one of id, arn and name.")
	}
	if role == nil {
		return
	}

	state, diags := awsRoleFromAPI(*role)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Keep the id as written (the API answers it in lower case).
	if !config.ID.IsNull() {
		state.ID = config.ID
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// byID reads the AWS role with the given id.
func (d *awsRoleDataSource) byID(ctx context.Context, id string, diags *diag.Diagnostics) *api.AwsRole {
	tflog.Debug(ctx, "Reading AWS role", map[string]any{"aws_role_id": id})
	role, err := d.client.GetAwsRole(ctx, id)
	if errors.Is(err, client.ErrNotFound) {
		diags.AddAttributeError(path.Root("id"), "AWS Role Not Found",
			fmt.Sprintf("No AWS role has the id %q in this tenant. List the discovered AWS roles with the jitsudo_aws_roles data source, "+
				"or look the role up by arn.", id))
		return nil
	}
	if err != nil {
		addAPIError(diags, "Error Reading AWS Role", fmt.Sprintf("reading AWS role %q", id), err, nil)
		return nil
	}
	return role
}

// byFilter lists the AWS roles whose attribute (arn or name) equals value
// and returns the only one; none or several are errors on that attribute.
func (d *awsRoleDataSource) byFilter(ctx context.Context, attribute, value string, diags *diag.Diagnostics) *api.AwsRole {
	params := api.ListAwsRolesParams{}
	if attribute == "arn" {
		params.Arn = &value
	} else {
		params.Name = &value
	}
	tflog.Debug(ctx, "Looking up AWS role", map[string]any{attribute: value})
	var matches []api.AwsRole
	for role, err := range d.client.AllAwsRoles(ctx, params) {
		if err != nil {
			addAPIError(diags, "Error Reading AWS Role", fmt.Sprintf("looking up the AWS role with %s %q", attribute, value), err, nil)
			return nil
		}
		matches = append(matches, role)
	}
	switch len(matches) {
	case 0:
		diags.AddAttributeError(path.Root(attribute), "AWS Role Not Found",
			fmt.Sprintf("No discovered AWS role has the %s %q in this tenant (matched exactly, case-sensitive). "+
				"If the role was created in AWS recently, rescan first with `refresh = true` on a jitsudo_aws_roles data source; "+
				"list the discovered roles with that data source.", attribute, value))
		return nil
	case 1:
		return &matches[0]
	}
	slices.SortFunc(matches, func(a, b api.AwsRole) int { return strings.Compare(a.Arn, b.Arn) })
	lines := make([]string, len(matches))
	for i, m := range matches {
		lines[i] = fmt.Sprintf("  - %s (id %s, source %s, status %s)", m.Arn, m.Id, m.Source, m.Status)
	}
	diags.AddAttributeError(path.Root(attribute), "Ambiguous AWS Role Name",
		fmt.Sprintf("%d AWS roles are named %q (in different directory sources or IAM paths):\n%s\nLook the role up by arn instead (arn = %q), or by id.",
			len(matches), value, strings.Join(lines, "\n"), matches[0].Arn))
	return nil
}
