package provider

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
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
	_ resource.ResourceWithIdentity    = &permissionSetResource{}
)

// NewPermissionSetResource returns the jitsudo_permission_set resource.
func NewPermissionSetResource() resource.Resource { return &permissionSetResource{} }

// permissionSetResource manages one permission set of the cache, written
// through the bulk upsert endpoint with one item.
type permissionSetResource struct {
	resourceBase
}

// permissionSetResourceModel is the resource's data: the ARN and the set.
type permissionSetResourceModel struct {
	ID types.String `tfsdk:"id"`
	permissionSetItemModel
	// Timeouts bounds create, update and delete.
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

func (r *permissionSetResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_permission_set"
}

// IdentitySchema is { arn }, the set's ARN, as its import id.
func (r *permissionSetResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema(permissionSetIdentityAttributes)
}

func (r *permissionSetResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := permissionSetItemAttributes()
	attrs["timeouts"] = timeoutsAttribute(ctx)
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
			"To manage many sets, use `jitsudo_permission_sets`, which writes them in bulk.\n\n" + concurrencyDescription,
		Attributes: attrs,
	}
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

// upsert writes the planned set with a precondition: create requires that
// the set does not exist yet (the cache is shared with the sync job: never
// overwrite a set Terraform does not manage), an update that it still has
// etag (the version of the last read; "*" when none is known: that it
// exists). A 412 whose set, read again, already is as planned was this
// same write, applied by an attempt whose response was lost: success.
func (r *permissionSetResource) upsert(ctx context.Context, plan *permissionSetResourceModel, create bool, etag, summary, verb string) (diags diag.Diagnostics) {
	arn := plan.ID.ValueString()
	in, d := plan.toAPI(arn, path.Empty())
	diags.Append(d...)
	if diags.HasError() {
		return diags
	}
	if create {
		in.IfNoneMatch = new(api.PermissionSetInputIfNoneMatch("*"))
	} else {
		in.IfMatch = new(cmp.Or(etag, "*"))
	}
	tflog.Debug(ctx, "Upserting permission set", map[string]any{"id": arn, "create": create, "if_match": etag})
	_, err := r.client.UpsertPermissionSets(ctx, []api.PermissionSetInput{in})
	forgetPermissionSets(r.caches, arn)
	if err == nil {
		return diags
	}
	if !isStale(err) {
		addAPIError(&diags, summary, fmt.Sprintf("%s permission set %q", verb, arn), err, permissionSetLocation)
		return diags
	}
	cur, gerr := r.client.GetPermissionSet(ctx, arn)
	switch {
	case gerr == nil && permissionSetIsIntended(*cur, plan.permissionSetItemModel):
		tflog.Debug(ctx, "Permission set is already as planned: an earlier attempt of this write was applied", map[string]any{"id": arn})
		return diags
	case gerr != nil && !errors.Is(gerr, client.ErrNotFound):
		addAPIError(&diags, summary, fmt.Sprintf("reading permission set %q again after the API refused to %s it (412)", arn, verb), gerr, nil)
	case create && gerr == nil:
		diags.AddAttributeError(path.Root("id"), "Permission Set Already Exists",
			fmt.Sprintf("The permission set %q is already in the JITSudo cache (written by the sync job or another configuration), "+
				"and creating it would overwrite it. To manage it with Terraform, import it instead:\n\n"+
				"  terraform import <address of this jitsudo_permission_set> %q\n\n"+
				"or add an import block with id = %q.", arn, arn, arn))
	case gerr != nil:
		diags.AddAttributeError(path.Root("id"), summary,
			fmt.Sprintf("The permission set %q was deleted outside Terraform since Terraform read it, so Terraform did not write it. "+
				"Run terraform plan again to see the change, then apply.", arn))
	default:
		addChangedOutsideError(&diags, summary, fmt.Sprintf("the permission set %q", arn))
	}
	return diags
}

// readBack reads the set after a write, for last_synced_at and the ETag.
// When that fails, the write is still kept in state (the planned values,
// last_synced_at null, no ETag), so that the next plan reads the set
// instead of creating it again.
func (r *permissionSetResource) readBack(ctx context.Context, plan *permissionSetResourceModel, private privateSetter, summary string) (diags diag.Diagnostics) {
	arn := plan.ID.ValueString()
	got, err := r.client.GetPermissionSet(ctx, arn)
	if err != nil {
		plan.LastSyncedAt = timetypes.NewRFC3339Null()
		diags.Append(permissionSetSetETags(ctx, private, "")...)
		addAPIError(&diags, summary, fmt.Sprintf("reading permission set %q after writing it (the write was applied and is kept in state; "+
			"the next plan reads the set again)", arn), err, nil)
		return diags
	}
	tflog.Trace(ctx, "Upserted permission set", map[string]any{"id": arn, "last_synced_at": got.LastSyncedAt})
	plan.LastSyncedAt = permissionSetItemFromAPI(*got, nil).LastSyncedAt
	diags.Append(permissionSetSetETags(ctx, private, got.Etag)...)
	return diags
}

func (r *permissionSetResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	var plan permissionSetResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	defer cancel()
	const summary = "Error Creating Permission Set"
	resp.Diagnostics.Append(r.upsert(ctx, &plan, true, "", summary, "create")...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.readBack(ctx, &plan, resp.Private, summary)...)
	setIdentity(ctx, resp.Identity, permissionSetIdentityAttributes, &resp.Diagnostics, plan.ID.ValueString())
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *permissionSetResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	var state permissionSetResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	arn := state.ID.ValueString()
	// Also when the set is gone: the framework wants an identity then.
	setIdentity(ctx, resp.Identity, permissionSetIdentityAttributes, &resp.Diagnostics, arn)
	tflog.Debug(ctx, "Reading permission set", map[string]any{"id": arn})
	got, err := readPermissionSet(ctx, r.client, r.caches, arn)
	if readFailed(ctx, err, resp, "Error Reading Permission Set", fmt.Sprintf("reading permission set %q", arn), map[string]any{"id": arn}) {
		return
	}
	state.permissionSetItemModel = permissionSetItemFromAPI(*got, &state.permissionSetItemModel)
	resp.Diagnostics.Append(permissionSetSetETags(ctx, resp.Private, got.Etag)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *permissionSetResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	var plan, state permissionSetResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.ID.Equal(state.ID) && plan.sameSettings(state.permissionSetItemModel) {
		// Only timeouts changed (ModifyPlan kept last_synced_at): writing
		// would move last_synced_at away from the plan.
		setIdentity(ctx, resp.Identity, permissionSetIdentityAttributes, &resp.Diagnostics, plan.ID.ValueString())
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	defer cancel()
	var etag string
	resp.Diagnostics.Append(permissionSetGetETags(ctx, req.Private, &etag)...)
	const summary = "Error Updating Permission Set"
	resp.Diagnostics.Append(r.upsert(ctx, &plan, false, etag, summary, "update")...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.readBack(ctx, &plan, resp.Private, summary)...)
	setIdentity(ctx, resp.Identity, permissionSetIdentityAttributes, &resp.Diagnostics, plan.ID.ValueString())
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *permissionSetResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	var state permissionSetResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Delete, &resp.Diagnostics)
	defer cancel()
	arn := state.ID.ValueString()
	var etag string
	resp.Diagnostics.Append(permissionSetGetETags(ctx, req.Private, &etag)...)
	const summary = "Error Deleting Permission Set"
	tflog.Debug(ctx, "Deleting permission set", map[string]any{"id": arn, "if_match": etag})
	err := r.client.DeletePermissionSet(ctx, arn, ifMatch(etag)...)
	forgetPermissionSets(r.caches, arn)
	if isStale(err) {
		// Gone now: an earlier attempt of this delete was applied.
		_, err = r.client.GetPermissionSet(ctx, arn)
		if err == nil {
			addChangedOutsideError(&resp.Diagnostics, summary, fmt.Sprintf("the permission set %q", arn))
			return
		}
	}
	if errors.Is(err, client.ErrNotFound) {
		tflog.Debug(ctx, "Permission set was already gone", map[string]any{"id": arn})
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, summary, fmt.Sprintf("deleting permission set %q", arn), err, nil)
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

// ImportState imports a set by its ARN: the import id or the identity's arn.
func (r *permissionSetResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	arn := importID(ctx, req, permissionSetIdentityAttributes, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := validate.PermissionSetARN(arn); err != nil {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("The import id of a jitsudo_permission_set is the permission set's ARN, such as "+
				"arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef: %s.", err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), arn)...)
}
