package provider

// Resource identity (Terraform 1.12 and later): a small object of string
// attributes stored beside each resource's state that names the object on
// the server, such as { policy_id, rule_id } for a rule. Terraform imports
// by it (`import { identity = { ... } }`), `terraform query` reports it for
// every listed object, and it never changes for the life of the object.
//
// Every resource with an identity sets it in Create, Read and Update from
// the same values as its import id; ImportState takes either the string
// import id (`terraform import`, `import { id = ... }`, every Terraform
// version and OpenTofu) or the identity, through importID, so both go
// through the same checks. jitsudo_permission_sets has no identity: it is a
// chosen collection of sets whose membership changes in place, not one
// object of the API.

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// identityAttribute is one attribute of a resource identity: a string,
// required when importing by identity.
type identityAttribute struct {
	name        string
	description string
}

// Identity attributes of the resources, in the order their values make up
// the string import id.
var (
	policyIdentityAttributes = []identityAttribute{
		{"id", "The policy's id, a UUID such as `2489e9ad-2ee2-8e00-8ec9-32d5f69181c0`."},
	}
	policyRuleIdentityAttributes = []identityAttribute{
		{"policy_id", "The id (a UUID) of the policy the rule belongs to."},
		{"rule_id", "The rule's id, a UUID."},
	}
	permissionSetIdentityAttributes = []identityAttribute{
		{"arn", "The permission set's ARN, `arn:<partition>:sso:::permissionSet/<instance>/<permission-set>`."},
	}
	awsRoleMappingIdentityAttributes = []identityAttribute{
		{"aws_role_id", "The id (a UUID) of the discovered AWS role whose mapping the resource manages."},
	}
)

// identitySchema is the identity schema made of attrs.
func identitySchema(attrs []identityAttribute) identityschema.Schema {
	s := identityschema.Schema{Attributes: make(map[string]identityschema.Attribute, len(attrs))}
	for _, a := range attrs {
		s.Attributes[a.name] = identityschema.StringAttribute{RequiredForImport: true, Description: a.description}
	}
	return s
}

// setIdentity stores values, in the order of the identity's attributes, as
// the identity. It builds the value directly, without the framework's
// reflection: Read of every rule of a large policy calls it. A nil
// identity (a response of a resource without one) is left alone.
func setIdentity(ctx context.Context, id *tfsdk.ResourceIdentity, attrs []identityAttribute, diags *diag.Diagnostics, values ...string) {
	if id == nil {
		return
	}
	typ, ok := id.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok || len(values) != len(attrs) || len(typ.AttributeTypes) != len(attrs) {
		diags.AddError("Resource Identity Error", fmt.Sprintf("The provider could not set the resource identity: %d values for %d attributes "+
			"of an identity of type %s. This is always a bug in the provider; please report it.", len(values), len(attrs), id.Schema.Type()))
		return
	}
	obj := make(map[string]tftypes.Value, len(attrs))
	for i, a := range attrs {
		if _, ok := typ.AttributeTypes[a.name]; !ok {
			diags.AddError("Resource Identity Error", fmt.Sprintf("The resource identity has no attribute %q. This is always a bug in the provider; please report it.", a.name))
			return
		}
		obj[a.name] = tftypes.NewValue(tftypes.String, values[i])
	}
	id.Raw = tftypes.NewValue(typ, obj)
}

// importID is the string import id of an import: req.ID when the import
// names one (`terraform import`, or an import block with id), else the
// identity's attributes (an import block with identity, Terraform 1.12 and
// later) joined with "/", which is the import id's format for every
// resource with an identity. Empty, with an error in diags, when an
// identity attribute is missing.
func importID(ctx context.Context, req resource.ImportStateRequest, attrs []identityAttribute, diags *diag.Diagnostics) string {
	if req.ID != "" || req.Identity == nil {
		return req.ID
	}
	parts := make([]string, 0, len(attrs))
	for _, a := range attrs {
		var v types.String
		diags.Append(req.Identity.GetAttribute(ctx, path.Root(a.name), &v)...)
		if diags.HasError() {
			return ""
		}
		if v.IsNull() || v.IsUnknown() || v.ValueString() == "" {
			diags.AddAttributeError(path.Root(a.name), "Missing Identity Attribute",
				fmt.Sprintf("Importing by identity needs %q in the import block's identity: %s", a.name, a.description))
			return ""
		}
		parts = append(parts, v.ValueString())
	}
	return strings.Join(parts, "/")
}
