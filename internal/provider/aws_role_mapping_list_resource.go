package provider

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
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
	_ list.ListResource                   = (*awsRoleMappingListResource)(nil)
	_ list.ListResourceWithConfigure      = (*awsRoleMappingListResource)(nil)
	_ list.ListResourceWithValidateConfig = (*awsRoleMappingListResource)(nil)
)

// NewAwsRoleMappingListResource returns the jitsudo_aws_role_mapping list
// resource.
func NewAwsRoleMappingListResource() list.ListResource {
	return &awsRoleMappingListResource{listResourceBase{filters: awsRoleMappingListFilters}}
}

// awsRoleMappingListResource lists the mappings of discovered AWS roles.
type awsRoleMappingListResource struct {
	listResourceBase
}

// awsRoleMappingListModel is the configuration of a
// jitsudo_aws_role_mapping list block.
type awsRoleMappingListModel struct {
	Source    types.String `tfsdk:"source"`
	AccountID types.String `tfsdk:"account_id"`
	NameRegex types.String `tfsdk:"name_regex"`
	ARNRegex  types.String `tfsdk:"arn_regex"`
	Status    types.String `tfsdk:"status"`
	Mapped    types.Bool   `tfsdk:"mapped"`
}

var awsRoleMappingListFilters = listFilters{
	"source":     uuidValue(),
	"account_id": awsAccountIDValue(),
	"name_regex": regexpValue(),
	"arn_regex":  regexpValue(),
	"status":     stringvalidator.OneOf(string(api.AwsRoleStatusOK), string(api.AwsRoleStatusMISSING)),
}

func (r *awsRoleMappingListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_aws_role_mapping"
}

func (r *awsRoleMappingListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists discovered AWS roles, sorted by name, then id, as `jitsudo_aws_role_mapping` resources with their " +
			"identity (`aws_role_id`): one per AWS role, with the internal roles it grants in `role_ids`. Every filter is optional " +
			"and they combine: without any, every discovered AWS role is listed, mapped or not. To adopt the mappings that exist, " +
			"set `mapped = true`: importing an unmapped role makes Terraform manage its (empty) mapping.",
		Attributes: map[string]schema.Attribute{
			"source": schema.StringAttribute{
				MarkdownDescription: "Only roles of this directory source (a UUID).",
				Optional:            true,
			},
			"account_id": schema.StringAttribute{
				MarkdownDescription: "Only roles of this AWS account (12 digits), the account of the role's ARN.",
				Optional:            true,
			},
			"name_regex": schema.StringAttribute{
				MarkdownDescription: "Only roles whose name matches this Go regular expression ([RE2 syntax](https://golang.org/s/re2syntax); " +
					"unanchored: use `^Admin$` for an exact name).",
				Optional: true,
			},
			"arn_regex": schema.StringAttribute{
				MarkdownDescription: "Only roles whose IAM role ARN matches this Go regular expression, e.g. `:role/ci/` for the roles " +
					"under the path `/ci/`.",
				Optional: true,
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "Only roles with this discovery status: `OK` or `MISSING`.",
				Optional:            true,
			},
			"mapped": schema.BoolAttribute{
				MarkdownDescription: "`true`: only roles that grant at least one internal role; `false`: only roles that grant none.",
				Optional:            true,
			},
		},
	}
}

// awsRoleMappingListMatch is the client-side part of the filters of cfg.
func awsRoleMappingListMatch(cfg awsRoleMappingListModel) func(api.AwsRole) bool {
	nameRE, arnRE := optionalRegexp(cfg.NameRegex), optionalRegexp(cfg.ARNRegex)
	return func(role api.AwsRole) bool {
		switch {
		case nameRE != nil && !nameRE.MatchString(role.Name),
			arnRE != nil && !arnRE.MatchString(role.Arn),
			!cfg.AccountID.IsNull() && awsRoleAccountID(role.Arn) != cfg.AccountID.ValueString(),
			!cfg.Mapped.IsNull() && cfg.Mapped.ValueBool() != (len(role.Roles) > 0):
			return false
		}
		return true
	}
}

// awsRoleAccountID is the account of an IAM role ARN,
// arn:<partition>:iam::<account>:role/<name>; empty when arn has none.
func awsRoleAccountID(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

func (r *awsRoleMappingListResource) List(ctx context.Context, req list.ListRequest, resp *list.ListResultsStream) {
	runList(ctx, &r.listResourceBase, req, resp, awsRoleMappingIdentityAttributes, func(s *listStream, cfg awsRoleMappingListModel) (diags diag.Diagnostics) {
		params := api.ListAwsRolesParams{Limit: new(api.MaxPageSize)}
		if !cfg.Source.IsNull() {
			src := uuid.MustParse(cfg.Source.ValueString()) // checked by uuidValue at validate time
			params.Source = &src
		}
		if !cfg.Status.IsNull() {
			params.Status = new(api.AwsRoleStatus(cfg.Status.ValueString()))
		}
		match := awsRoleMappingListMatch(cfg)
		tflog.Debug(ctx, "Listing AWS role mappings", map[string]any{"include_resource": req.IncludeResource})
		for role, err := range r.client.AllAwsRoles(ctx, params) {
			if err != nil {
				addAPIError(&diags, "Error Listing AWS Role Mappings", "listing the AWS roles", err, awsRolesFilterPath)
				return diags
			}
			if !match(role) {
				continue
			}
			if !s.emit(role.Name+" ("+role.Arn+")", []string{role.Id.String()}, func(res *tfsdk.Resource) diag.Diagnostics {
				m := awsRoleMappingResourceModel{RoleIDs: types.SetNull(types.StringType), Timeouts: nullTimeouts(ctx)}
				diags := m.fromAPI(&role)
				if diags.HasError() {
					return diags
				}
				return append(diags, res.Set(ctx, &m)...)
			}) {
				break
			}
		}
		return diags
	})
}
