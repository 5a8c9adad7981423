package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// awsRoleModel is a discovered AWS role as the data sources hold it: the
// jitsudo_aws_role data source itself and each element of
// jitsudo_aws_roles.aws_roles. awsRoleFromAPI is its only converter.
type awsRoleModel struct {
	ID          types.String      `tfsdk:"id"`
	Name        types.String      `tfsdk:"name"`
	ARN         types.String      `tfsdk:"arn"`
	Description types.String      `tfsdk:"description"`
	Source      types.String      `tfsdk:"source"`
	Status      types.String      `tfsdk:"status"`
	Updated     timetypes.RFC3339 `tfsdk:"updated"`
	Roles       types.Map         `tfsdk:"roles"`
}

// awsRoleFromAPI converts an AWS role of the API.
func awsRoleFromAPI(r api.AwsRole) (awsRoleModel, diag.Diagnostics) {
	roles, diags := mappedRolesValue(r.Roles)
	m := awsRoleModel{
		ID:          types.StringValue(r.Id.String()),
		Name:        types.StringValue(r.Name),
		ARN:         types.StringValue(r.Arn),
		Description: stringFromAPI(r.Description),
		Source:      types.StringValue(r.Source.String()),
		Status:      types.StringValue(string(r.Status)),
		Updated:     timestampFromAPI(r.Updated),
		Roles:       roles,
	}
	return m, diags
}

// mappedRolesValue is the map of role id to role name of the internal roles
// an AWS role grants (never null: empty when it grants none).
func mappedRolesValue(refs []api.RoleRef) (types.Map, diag.Diagnostics) {
	elems := make(map[string]attr.Value, len(refs))
	for _, ref := range refs {
		elems[ref.Id.String()] = types.StringValue(ref.Name)
	}
	return types.MapValue(types.StringType, elems)
}

// awsRoleStatusDescription documents the status attribute.
const awsRoleStatusDescription = "Discovery status: `OK` while the role exists in its AWS directory, `MISSING` once a rescan no longer finds it " +
	"(its mappings are kept and apply again if it reappears)."

// awsRoleMappedRolesDescription documents the roles attribute of an AWS role.
const awsRoleMappedRolesDescription = "The internal roles this AWS role grants, as a map of role id to role name " +
	"(manage them with the `jitsudo_aws_role_mapping` resource)."

// awsRoleDataSourceAttributes are the attributes of an AWS role in data
// sources, all computed; jitsudo_aws_role makes its lookup keys optional.
func awsRoleDataSourceAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The AWS role's id (a UUID) in JITSudo, stable across rescans; the `aws_role_id` of `jitsudo_aws_role_mapping`.",
			Computed:            true,
		},
		"name": schema.StringAttribute{
			MarkdownDescription: "The role's name in AWS (the last segment of its ARN unless the directory says otherwise). Not unique: the same name can exist in several sources.",
			Computed:            true,
		},
		"arn": schema.StringAttribute{
			MarkdownDescription: "The IAM role ARN, such as `arn:aws:iam::123456789012:role/Admin`. Unique.",
			Computed:            true,
		},
		"description": schema.StringAttribute{
			MarkdownDescription: "The role's description in its directory; null when it has none.",
			Computed:            true,
		},
		"source": schema.StringAttribute{
			MarkdownDescription: "The id (a UUID) of the directory source the role was discovered in (one per AWS account or organization).",
			Computed:            true,
		},
		"status": schema.StringAttribute{
			MarkdownDescription: awsRoleStatusDescription,
			Computed:            true,
		},
		"updated": schema.StringAttribute{
			MarkdownDescription: "When the role last changed (its discovered attributes, its status or its mapped roles), RFC 3339 in UTC.",
			CustomType:          timetypes.RFC3339Type{},
			Computed:            true,
		},
		"roles": schema.MapAttribute{
			MarkdownDescription: awsRoleMappedRolesDescription,
			ElementType:         types.StringType,
			Computed:            true,
		},
	}
}
