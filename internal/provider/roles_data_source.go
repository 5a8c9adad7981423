package provider

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

var (
	_ datasource.DataSource                     = &rolesDataSource{}
	_ datasource.DataSourceWithConfigure        = &rolesDataSource{}
	_ datasource.DataSourceWithConfigValidators = &rolesDataSource{}
)

// NewRolesDataSource returns the jitsudo_roles data source.
func NewRolesDataSource() datasource.DataSource { return &rolesDataSource{} }

// rolesDataSource lists the internal roles AWS roles can be mapped to.
type rolesDataSource struct {
	dataSourceBase
}

// rolesDataSourceModel is the configuration and state of jitsudo_roles.
type rolesDataSourceModel struct {
	Name      types.String          `tfsdk:"name"`
	NameRegex types.String          `tfsdk:"name_regex"`
	Roles     []roleDataSourceModel `tfsdk:"roles"`
	IDsByName map[string]string     `tfsdk:"ids_by_name"`
}

// roleDataSourceModel is one internal role.
type roleDataSourceModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Description types.String `tfsdk:"description"`
}

// roleFromAPI converts an internal role of the API.
func roleFromAPI(r api.Role) roleDataSourceModel {
	m := roleDataSourceModel{
		ID:          types.StringValue(r.Id.String()),
		Name:        types.StringValue(r.Name),
		Description: stringFromAPI(r.Description),
	}
	return m
}

func (d *rolesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_roles"
}

func (d *rolesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the internal JITSudo roles (such as `sre` or `auditor`) that AWS roles can be mapped to with " +
			"`jitsudo_aws_role_mapping`, sorted by name. `ids_by_name` turns names into the role ids a mapping takes: " +
			"`data.jitsudo_roles.all.ids_by_name[\"sre\"]`.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: "Only the role with exactly this name. A name no role has is an error, so a typo fails the plan " +
					"instead of mapping nothing. Conflicts with `name_regex`.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"name_regex": schema.StringAttribute{
				MarkdownDescription: "Only roles whose name matches this Go regular expression ([RE2 syntax](https://golang.org/s/re2syntax); " +
					"unanchored). Matching no role is not an error. Conflicts with `name`.",
				Optional:   true,
				Validators: []validator.String{regexpValue()},
			},
			"roles": schema.ListNestedAttribute{
				MarkdownDescription: "The matching roles, sorted by name, then id.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id": schema.StringAttribute{
						MarkdownDescription: "The role's id (a UUID), as `jitsudo_aws_role_mapping.role_ids` takes it.",
						Computed:            true,
					},
					"name": schema.StringAttribute{
						MarkdownDescription: "The role's name, unique in the tenant.",
						Computed:            true,
					},
					"description": schema.StringAttribute{
						MarkdownDescription: "The role's description; null when it has none.",
						Computed:            true,
					},
				}},
			},
			"ids_by_name": schema.MapAttribute{
				MarkdownDescription: "The ids of the matching roles keyed by name, such as `{ sre = \"6f1c...\" }`.",
				ElementType:         types.StringType,
				Computed:            true,
			},
		},
	}
}

func (d *rolesDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.Conflicting(path.MatchRoot("name"), path.MatchRoot("name_regex")),
	}
}

func (d *rolesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !d.configured(&resp.Diagnostics) {
		return
	}
	var data rolesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}

	limit := api.MaxPageSize
	params := api.ListRolesParams{Limit: &limit}
	if !data.Name.IsNull() {
		params.Name = data.Name.ValueStringPointer()
	}
	var re *regexp.Regexp
	if !data.NameRegex.IsNull() {
		var err error
		if re, err = regexp.Compile(data.NameRegex.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("name_regex"), "Invalid Regular Expression", fmt.Sprintf("name_regex: %s.", err))
			return
		}
	}

	tflog.Debug(ctx, "Listing roles", map[string]any{"name": data.Name.ValueString()})
	roles, err := d.list(ctx, params)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Listing Roles", "listing roles", err, nil)
		return
	}
	if re != nil {
		roles = slices.DeleteFunc(roles, func(r api.Role) bool { return !re.MatchString(r.Name) })
	}
	tflog.Debug(ctx, "Listed roles", map[string]any{"count": len(roles)})

	if !data.Name.IsNull() && len(roles) == 0 {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Role Not Found", d.notFoundDetail(ctx, data.Name.ValueString()))
		return
	}

	slices.SortStableFunc(roles, func(a, b api.Role) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Id.String(), b.Id.String()))
	})
	data.Roles = make([]roleDataSourceModel, 0, len(roles))
	data.IDsByName = make(map[string]string, len(roles))
	for _, r := range roles {
		data.Roles = append(data.Roles, roleFromAPI(r))
		data.IDsByName[r.Name] = r.Id.String()
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

// list returns every role matching params.
func (d *rolesDataSource) list(ctx context.Context, params api.ListRolesParams) ([]api.Role, error) {
	var roles []api.Role
	for r, err := range d.client.AllRoles(ctx, params) {
		if err != nil {
			return nil, err
		}
		roles = append(roles, r)
	}
	return roles, nil
}

// maxSuggestedRoles bounds the role names a not-found error lists.
const maxSuggestedRoles = 20

// notFoundDetail explains that no role is named name and lists the names
// there are, so a typo is easy to spot.
func (d *rolesDataSource) notFoundDetail(ctx context.Context, name string) string {
	detail := fmt.Sprintf("No internal role is named %q in this tenant (names are matched exactly, case-sensitive).", name)
	limit := maxSuggestedRoles
	page, err := d.client.ListRoles(ctx, api.ListRolesParams{Limit: &limit})
	if err != nil || len(page.Data) == 0 {
		return detail
	}
	names := make([]string, len(page.Data))
	for i, r := range page.Data {
		names[i] = fmt.Sprintf("%q", r.Name)
	}
	more := ""
	if page.HasMore {
		more = ", ..."
	}
	return detail + fmt.Sprintf(" The roles are: %s%s. Use name_regex to match several names or none without an error.", strings.Join(names, ", "), more)
}
