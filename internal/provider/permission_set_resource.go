package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/validate"
)

var (
	_ resource.Resource                = &permissionSetResource{}
	_ resource.ResourceWithConfigure   = &permissionSetResource{}
	_ resource.ResourceWithImportState = &permissionSetResource{}
	_ resource.ResourceWithModifyPlan  = &permissionSetResource{}
)

// NewPermissionSetResource returns the jitsudo_permission_set resource.
func NewPermissionSetResource() resource.Resource { return &permissionSetResource{} }

// permissionSetResource manages one permission set of the cache, written
// through the bulk upsert endpoint with one item.
type permissionSetResource struct {
	client *client.Client
}

// permissionSetResourceModel is the resource's data: the ARN and the set.
type permissionSetResourceModel struct {
	ID types.String `tfsdk:"id"`
	permissionSetItemModel
}

func (r *permissionSetResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_permission_set"
}

func (r *permissionSetResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := permissionSetItemAttributes()
	attrs["id"] = schema.StringAttribute{
		MarkdownDescription: "The permission set's ARN, `arn:<partition>:sso:::permissionSet/<instance>/<permission-set>`. " +
			"Changing it replaces the resource.",
		Required:      true,
		Validators:    []validator.String{permissionSetARNValue()},
		PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages one AWS permission set in the JITSudo permission set cache.\n\n" +
			"The cache is shared with the sync job that copies permission sets from IAM Identity Center, so " +
			"creating a set that is already cached fails and suggests importing it instead of overwriting it. " +
			"Every write replaces the whole set: removing an optional attribute from the configuration clears it. " +
			"To manage many sets, use `jitsudo_permission_sets`, which writes them in bulk.",
		Attributes: attrs,
	}
}

func (r *permissionSetResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

// permissionSetLocation maps the locations of a one-item bulk upsert to the
// resource's attributes.
func permissionSetLocation(loc string) (path.Path, bool) {
	i, field, ok := parsePermissionSetLocation(loc)
	switch {
	case !ok || i != 0:
		return path.Empty(), false
	case field == "" || field == "id":
		return path.Root("id"), true
	case permissionSetItemFields[field]:
		return path.Root(field), true
	}
	return path.Empty(), false
}

// write upserts the planned set and reads it back for last_synced_at.
func (r *permissionSetResource) write(ctx context.Context, plan *permissionSetResourceModel, summary, verb string) (diags diag.Diagnostics) {
	arn := plan.ID.ValueString()
	in, d := plan.toAPI(arn, path.Empty())
	diags.Append(d...)
	if diags.HasError() {
		return diags
	}
	tflog.Debug(ctx, "Upserting permission set", map[string]any{"id": arn})
	if _, err := r.client.UpsertPermissionSets(ctx, []api.PermissionSetInput{in}); err != nil {
		addAPIError(&diags, summary, fmt.Sprintf("%s permission set %q", verb, arn), err, permissionSetLocation)
		return diags
	}
	got, err := r.client.GetPermissionSet(ctx, arn)
	if err != nil {
		addAPIError(&diags, summary, fmt.Sprintf("reading permission set %q after writing it", arn), err, nil)
		return diags
	}
	tflog.Trace(ctx, "Upserted permission set", map[string]any{"id": arn, "last_synced_at": got.LastSyncedAt})
	plan.LastSyncedAt = permissionSetItemFromAPI(*got, nil).LastSyncedAt
	return diags
}

func (r *permissionSetResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.client == nil {
		notConfiguredError(&resp.Diagnostics)
		return
	}
	var plan permissionSetResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	arn := plan.ID.ValueString()

	// The cache is shared with the sync job: never overwrite a set that
	// Terraform does not manage yet.
	tflog.Debug(ctx, "Checking that the permission set is not cached yet", map[string]any{"id": arn})
	_, err := r.client.GetPermissionSet(ctx, arn)
	switch {
	case err == nil:
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Permission Set Already Exists",
			fmt.Sprintf("The permission set %q is already in the JITSudo cache (written by the sync job or another configuration), "+
				"and creating it would overwrite it. To manage it with Terraform, import it instead:\n\n"+
				"  terraform import <address of this jitsudo_permission_set> %q\n\n"+
				"or add an import block with id = %q.", arn, arn, arn))
		return
	case !errors.Is(err, client.ErrNotFound):
		addAPIError(&resp.Diagnostics, "Error Creating Permission Set", fmt.Sprintf("checking whether permission set %q exists", arn), err, nil)
		return
	}

	resp.Diagnostics.Append(r.write(ctx, &plan, "Error Creating Permission Set", "creating")...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *permissionSetResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.client == nil {
		notConfiguredError(&resp.Diagnostics)
		return
	}
	var state permissionSetResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	arn := state.ID.ValueString()
	tflog.Debug(ctx, "Reading permission set", map[string]any{"id": arn})
	got, err := r.client.GetPermissionSet(ctx, arn)
	if errors.Is(err, client.ErrNotFound) {
		tflog.Debug(ctx, "Permission set is gone; removing it from state", map[string]any{"id": arn})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Permission Set", fmt.Sprintf("reading permission set %q", arn), err, nil)
		return
	}
	state.permissionSetItemModel = permissionSetItemFromAPI(*got, &state.permissionSetItemModel)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *permissionSetResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if r.client == nil {
		notConfiguredError(&resp.Diagnostics)
		return
	}
	var plan permissionSetResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.write(ctx, &plan, "Error Updating Permission Set", "updating")...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *permissionSetResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.client == nil {
		notConfiguredError(&resp.Diagnostics)
		return
	}
	var state permissionSetResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	arn := state.ID.ValueString()
	tflog.Debug(ctx, "Deleting permission set", map[string]any{"id": arn})
	err := r.client.DeletePermissionSet(ctx, arn)
	if errors.Is(err, client.ErrNotFound) {
		tflog.Debug(ctx, "Permission set was already gone", map[string]any{"id": arn})
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Deleting Permission Set", fmt.Sprintf("deleting permission set %q", arn), err, nil)
	}
}

// ModifyPlan keeps last_synced_at when the set does not change: the
// framework plans computed attributes as unknown on any difference, also
// one that the metadata plan modifier then found to be only formatting.
func (r *permissionSetResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var plan, state permissionSetResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.ID.Equal(state.ID) && plan.sameSettings(state.permissionSetItemModel) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("last_synced_at"), state.LastSyncedAt)...)
	}
}

func (r *permissionSetResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if err := validate.PermissionSetARN(req.ID); err != nil {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("The import id of a jitsudo_permission_set is the permission set's ARN, such as "+
				"arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef: %s.", err))
		return
	}
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}
