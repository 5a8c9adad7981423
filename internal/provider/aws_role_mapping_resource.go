package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
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
	_ resource.Resource                   = &awsRoleMappingResource{}
	_ resource.ResourceWithConfigure      = &awsRoleMappingResource{}
	_ resource.ResourceWithImportState    = &awsRoleMappingResource{}
	_ resource.ResourceWithValidateConfig = &awsRoleMappingResource{}
	_ resource.ResourceWithModifyPlan     = &awsRoleMappingResource{}
	_ resource.ResourceWithIdentity       = &awsRoleMappingResource{}
)

// NewAwsRoleMappingResource returns the jitsudo_aws_role_mapping resource.
func NewAwsRoleMappingResource() resource.Resource { return &awsRoleMappingResource{} }

// awsRoleMappingResource manages the whole set of internal roles one
// discovered AWS role grants. AWS roles themselves are discovered, never
// created: the resource owns only the mapping, and destroying it clears it.
type awsRoleMappingResource struct {
	resourceBase
	// internalRoles names the planned role_ids (ModifyPlan).
	internalRoles *internalRolesCache
}

// Configure takes the client and caches (resourceBase) and the tenant's
// internal-role list of the provider.
func (r *awsRoleMappingResource) Configure(ctx context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.resourceBase.Configure(ctx, req, resp)
	r.internalRoles = internalRolesFromProviderData(req.ProviderData)
}

// awsRoleMappingResourceModel is the configuration and state of
// jitsudo_aws_role_mapping.
type awsRoleMappingResourceModel struct {
	AwsRoleID types.String `tfsdk:"aws_role_id"`
	RoleIDs   types.Set    `tfsdk:"role_ids"`
	ARN       types.String `tfsdk:"arn"`
	Name      types.String `tfsdk:"name"`
	Roles     types.Map    `tfsdk:"roles"`
	// Timeouts bounds create, update and delete.
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// fromAPI fills m from the AWS role as the API answers it. Ids are kept as
// the configuration or prior state spells them when they name the same
// UUID (the API answers lower case), so a spelling never shows as a diff.
func (m *awsRoleMappingResourceModel) fromAPI(role *api.AwsRole) diag.Diagnostics {
	if id := role.Id.String(); !strings.EqualFold(m.AwsRoleID.ValueString(), id) {
		m.AwsRoleID = types.StringValue(id)
	}
	m.ARN = types.StringValue(role.Arn)
	m.Name = types.StringValue(role.Name)
	return m.rolesFromAPI(role.Roles)
}

// rolesFromAPI sets role_ids and roles from the roles the AWS role grants.
func (m *awsRoleMappingResourceModel) rolesFromAPI(refs []api.RoleRef) diag.Diagnostics {
	var diags diag.Diagnostics
	spelled := map[string]string{} // lower-case UUID -> spelling in m
	if !m.RoleIDs.IsNull() && !m.RoleIDs.IsUnknown() {
		for _, e := range m.RoleIDs.Elements() {
			if s, ok := e.(types.String); ok && !s.IsNull() && !s.IsUnknown() {
				spelled[strings.ToLower(s.ValueString())] = s.ValueString()
			}
		}
	}
	ids := make([]attr.Value, 0, len(refs))
	for _, ref := range refs {
		id := ref.Id.String()
		if s, ok := spelled[id]; ok {
			id = s
		}
		ids = append(ids, types.StringValue(id))
	}
	var d diag.Diagnostics
	m.RoleIDs, d = types.SetValue(types.StringType, ids)
	diags.Append(d...)
	m.Roles, d = mappedRolesValue(refs)
	diags.Append(d...)
	return diags
}

// roleIDList is the request body of the mapping: the role ids of m.
func (m *awsRoleMappingResourceModel) roleIDList(ctx context.Context) ([]string, diag.Diagnostics) {
	ids := []string{}
	diags := m.RoleIDs.ElementsAs(ctx, &ids, false)
	return ids, diags
}

func (r *awsRoleMappingResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_aws_role_mapping"
}

// IdentitySchema is { aws_role_id }, the AWS role's id in lower case, as
// its import id.
func (r *awsRoleMappingResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema(awsRoleMappingIdentityAttributes)
}

func (r *awsRoleMappingResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Maps a discovered AWS role to the internal JITSudo roles it grants.\n\n" +
			"The resource is authoritative for its AWS role: `role_ids` is the whole set of granted roles.\n\n" +
			"- Roles mapped or unmapped outside Terraform show up as a diff of `role_ids` and are undone on apply.\n" +
			"- Creating the resource replaces whatever the AWS role granted before (a warning names the roles removed).\n" +
			"- Destroying it clears the mapping. The AWS role itself is discovered from AWS and is never created or deleted.\n\n" +
			"Manage each AWS role with at most one `jitsudo_aws_role_mapping`. Look up AWS roles with the `jitsudo_aws_role` " +
			"and `jitsudo_aws_roles` data sources, and role ids with `jitsudo_roles`.\n\n" +
			"A refresh reads every mapping from one list of the AWS roles (pages of 250), not one request per mapping. " +
			concurrencyDescription,
		Attributes: map[string]schema.Attribute{
			"timeouts": timeoutsAttribute(ctx),
			"aws_role_id": schema.StringAttribute{
				MarkdownDescription: "The id (a UUID) of the discovered AWS role whose mapping this resource manages, " +
					"such as `data.jitsudo_aws_role.admin.id`. Changing it replaces the resource: the old AWS role's mapping is cleared.",
				Required:      true,
				Validators:    []validator.String{uuidValue()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"role_ids": schema.SetAttribute{
				MarkdownDescription: "The ids (UUIDs) of every internal role the AWS role grants, such as " +
					"`data.jitsudo_roles.all.ids_by_name[\"sre\"]`. An empty set (`[]`) explicitly grants nothing. " +
					"An id that is not a role of the tenant fails the plan.",
				ElementType: types.StringType,
				Required:    true,
				Validators:  []validator.Set{setvalidator.ValueStringsAre(uuidValue())},
			},
			"arn": schema.StringAttribute{
				MarkdownDescription: "The IAM role ARN of the AWS role.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The name of the AWS role in AWS.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"roles": schema.MapAttribute{
				MarkdownDescription: "The internal roles the AWS role grants, as a map of role id to role name. " +
					"The plan already shows the names of the planned `role_ids` (from the tenant's list of internal roles), " +
					"so a review reads which roles are granted and removed by name.",
				ElementType: types.StringType,
				Computed:    true,
			},
		},
	}
}

// ValidateConfig rejects a role id listed twice in different letter case:
// the set holds both strings, the API collapses them into one role.
func (r *awsRoleMappingResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var ids types.Set
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("role_ids"), &ids)...)
	if resp.Diagnostics.HasError() || ids.IsNull() || ids.IsUnknown() {
		return
	}
	seen := map[string]string{}
	for _, e := range ids.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		key := strings.ToLower(s.ValueString())
		if prev, dup := seen[key]; dup {
			resp.Diagnostics.AddAttributeError(path.Root("role_ids"), "Duplicate Role ID",
				fmt.Sprintf("role_ids lists the role %q twice, as %q and %q (UUIDs are case-insensitive). Keep one of them.",
					key, prev, s.ValueString()))
			continue
		}
		seen[key] = s.ValueString()
	}
}

// ModifyPlan fills in what the plan can know before the apply, for a
// reviewer to read: roles, the names of the planned role_ids, from the
// tenant's internal roles (listed once per provider process), and on
// create the AWS role's arn and name. A role id that is no internal role
// fails the plan on role_ids, an aws_role_id that is no AWS role on
// aws_role_id. When a list cannot be read the values stay known after
// apply, which reads them itself.
func (r *awsRoleMappingResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.client == nil || r.internalRoles == nil {
		return // destroy, or the provider is not configured yet
	}
	var plan awsRoleMappingResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	before := plan
	if plan.Roles.IsUnknown() {
		if roles, ok := r.plannedRoles(ctx, plan.RoleIDs, &resp.Diagnostics); ok {
			plan.Roles = roles
		}
	}
	if (plan.ARN.IsUnknown() || plan.Name.IsUnknown()) && !plan.AwsRoleID.IsUnknown() {
		id := plan.AwsRoleID.ValueString()
		role, err := r.caches.readAwsRole(ctx, r.client, id)
		switch {
		case errors.Is(err, client.ErrNotFound):
			addAwsRoleNotFound(&resp.Diagnostics, "Unknown AWS Role", id)
		case err != nil:
			tflog.Warn(ctx, "Could not read the AWS role at plan time; its arn and name are known after apply",
				map[string]any{"aws_role_id": id, "error": err.Error()})
		default:
			plan.ARN, plan.Name = types.StringValue(role.Arn), types.StringValue(role.Name)
		}
	}
	if resp.Diagnostics.HasError() || (plan.Roles.Equal(before.Roles) && plan.ARN.Equal(before.ARN) && plan.Name.Equal(before.Name)) {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// plannedRoles is the roles map (id -> name) of the role ids ids, from the
// tenant's internal roles. ok is false when it cannot be known at plan
// time: an id is unknown yet, the list cannot be read, or an id is no
// internal role (an error on role_ids, naming it).
func (r *awsRoleMappingResource) plannedRoles(ctx context.Context, ids types.Set, diags *diag.Diagnostics) (roles types.Map, ok bool) {
	if ids.IsNull() || ids.IsUnknown() {
		return roles, false
	}
	names, err := r.internalRoles.names(ctx)
	if err != nil {
		tflog.Warn(ctx, "Could not list the internal roles at plan time; roles is known after apply", map[string]any{"error": err.Error()})
		return roles, false
	}
	elems := make(map[string]attr.Value, len(ids.Elements()))
	ok = true
	for _, e := range ids.Elements() {
		s, isString := e.(types.String)
		if !isString || s.IsNull() || s.IsUnknown() {
			ok = false
			continue
		}
		name, found := names[cacheKey(s.ValueString())]
		if !found {
			diags.AddAttributeError(path.Root("role_ids"), "Unknown Role", unknownRoleDetail(s.ValueString()))
			ok = false
			continue
		}
		elems[cacheKey(s.ValueString())] = types.StringValue(name)
	}
	if !ok {
		return roles, false
	}
	roles, d := types.MapValue(types.StringType, elems)
	diags.Append(d...)
	return roles, !d.HasError()
}

// keepPlannedRoles keeps the roles the plan showed when the apply granted
// exactly the planned role ids: Terraform requires the planned value. A
// role renamed between plan and apply keeps its planned name until the
// next refresh, with a warning.
func keepPlannedRoles(planned types.Map, m *awsRoleMappingResourceModel, diags *diag.Diagnostics) {
	if planned.IsNull() || planned.IsUnknown() || planned.Equal(m.Roles) {
		return
	}
	got, want := m.Roles.Elements(), planned.Elements()
	if len(got) != len(want) {
		return
	}
	var renamed []string
	for id, name := range want {
		now, found := got[id]
		if !found {
			return // another set of roles: let Terraform report the difference
		}
		if !now.Equal(name) {
			renamed = append(renamed, fmt.Sprintf("%s (%s, now %s)", name, id, now))
		}
	}
	slices.Sort(renamed)
	m.Roles = planned
	diags.AddAttributeWarning(path.Root("roles"), "Role Renamed Since the Plan",
		fmt.Sprintf("Roles were renamed in their directory after the plan: %s. The state keeps the planned names until the "+
			"next refresh.", strings.Join(renamed, ", ")))
}

func (r *awsRoleMappingResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	var plan awsRoleMappingResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	defer cancel()
	summary := "Error Creating AWS Role Mapping"
	id := plan.AwsRoleID.ValueString()
	// The AWS role and the mapping it has now (with its etag) come from the
	// list of AWS roles that this process fetches once for all mappings.
	role, err := r.caches.readAwsRole(ctx, r.client, id)
	if err != nil {
		if errors.Is(err, client.ErrNotFound) {
			addAwsRoleNotFound(&resp.Diagnostics, summary, id)
			return
		}
		addAPIError(&resp.Diagnostics, summary, fmt.Sprintf("reading AWS role %q", id), err, nil)
		return
	}
	plan.ARN = types.StringValue(role.Arn)
	plan.Name = types.StringValue(role.Name)
	planned := plan.Roles
	if ok, committed := r.apply(ctx, &plan, role.MappingEtag, summary, resp.Private, &resp.Diagnostics); !ok {
		if committed {
			resp.Diagnostics.Append(keepCommitted(req.Plan, &resp.State)...)
		}
		return
	}
	keepPlannedRoles(planned, &plan, &resp.Diagnostics)
	roleIDs, diags := plan.roleIDList(ctx)
	resp.Diagnostics.Append(diags...)
	warnAwsRoleMappingReplaced(&resp.Diagnostics, id, role.Roles, roleIDs)
	warnIfAwsRoleMissing(&resp.Diagnostics, role)
	setIdentity(ctx, resp.Identity, awsRoleMappingIdentityAttributes, &resp.Diagnostics, strings.ToLower(id))
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *awsRoleMappingResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	var state awsRoleMappingResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.AwsRoleID.ValueString()
	// Also when the AWS role is gone: the framework wants an identity then.
	setIdentity(ctx, resp.Identity, awsRoleMappingIdentityAttributes, &resp.Diagnostics, strings.ToLower(id))
	tflog.Trace(ctx, "Reading AWS role mapping", map[string]any{"aws_role_id": id})
	role, err := r.caches.readAwsRole(ctx, r.client, id)
	if readFailed(ctx, err, resp, "Error Reading AWS Role Mapping", fmt.Sprintf("reading AWS role %q", id), map[string]any{"aws_role_id": id}) {
		return
	}
	resp.Diagnostics.Append(state.fromAPI(role)...)
	if resp.Diagnostics.HasError() {
		return
	}
	warnIfAwsRoleMissing(&resp.Diagnostics, role)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(storeETag(ctx, resp.Private, role.MappingEtag)...)
}

func (r *awsRoleMappingResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	var plan, state awsRoleMappingResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	etag, diags := storedETag(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	defer cancel()
	plan.ARN, plan.Name = state.ARN, state.Name // the AWS role itself is discovered, never written
	planned := plan.Roles
	if ok, _ := r.apply(ctx, &plan, etag, "Error Updating AWS Role Mapping", resp.Private, &resp.Diagnostics); !ok {
		return // the prior state stays; the next refresh reads what the server has
	}
	keepPlannedRoles(planned, &plan, &resp.Diagnostics)
	setIdentity(ctx, resp.Identity, awsRoleMappingIdentityAttributes, &resp.Diagnostics, strings.ToLower(plan.AwsRoleID.ValueString()))
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *awsRoleMappingResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	var state awsRoleMappingResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	etag, diags := storedETag(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Delete, &resp.Diagnostics)
	defer cancel()
	id := state.AwsRoleID.ValueString()
	tflog.Debug(ctx, "Clearing AWS role mapping", map[string]any{"aws_role_id": id})
	_, err := r.set(ctx, id, []string{}, etag)
	switch {
	case errors.Is(err, client.ErrNotFound):
		tflog.Debug(ctx, "AWS role already gone; nothing to clear", map[string]any{"aws_role_id": id})
	case errors.Is(err, errChangedOutside):
		addChangedOutsideError(&resp.Diagnostics, "Error Deleting AWS Role Mapping", fmt.Sprintf("the mapping of AWS role %q", id))
	case err != nil:
		addAPIError(&resp.Diagnostics, "Error Deleting AWS Role Mapping", fmt.Sprintf("clearing the roles of AWS role %q", id), err, nil)
	default:
		tflog.Debug(ctx, "Cleared AWS role mapping", map[string]any{"aws_role_id": id})
	}
}

// ImportState imports the mapping of an AWS role by the role's id: the
// import id or the identity's aws_role_id.
func (r *awsRoleMappingResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := importID(ctx, req, awsRoleMappingIdentityAttributes, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := validate.UUID(id); err != nil {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("Import a jitsudo_aws_role_mapping by the id of its AWS role (a UUID, the id attribute of the "+
				"jitsudo_aws_role data source): %s.", err))
		return
	}
	// The API's ids are lower case, as the identity and the jitsudo_aws_role
	// data source give them: an id typed in upper case must not make the
	// next plan replace the mapping.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("aws_role_id"), strings.ToLower(id))...)
}

// apply writes the role set of plan to the API, authoritatively, on
// condition that the mapping still has etag (the version Terraform last
// read), and fills plan's role_ids and roles from the answer. It keeps the
// new etag in private and reports whether the write took, and whether a
// write that failed committed all the same (its answer was unusable).
func (r *awsRoleMappingResource) apply(ctx context.Context, plan *awsRoleMappingResourceModel, etag, summary string, private privateSetter, diags *diag.Diagnostics) (ok, committed bool) {
	id := plan.AwsRoleID.ValueString()
	roleIDs, d := plan.roleIDList(ctx)
	diags.Append(d...)
	if diags.HasError() {
		return false, false
	}
	tflog.Debug(ctx, "Setting AWS role mapping", map[string]any{"aws_role_id": id, "role_ids": roleIDs})
	out, err := r.set(ctx, id, roleIDs, etag)
	if err != nil {
		switch {
		case errors.Is(err, client.ErrNotFound):
			addAwsRoleNotFound(diags, summary, id)
		case errors.Is(err, errChangedOutside):
			addChangedOutsideError(diags, summary, fmt.Sprintf("the mapping of AWS role %q", id))
		case errors.As(err, new(committedError)):
			addCommittedError(diags, summary, fmt.Sprintf("the mapping of AWS role %q", id), err)
			return false, true
		default:
			addAwsRoleMappingAttributeErrors(diags, summary, err, roleIDs)
			addAPIError(diags, summary, fmt.Sprintf("setting the roles of AWS role %q", id), err, nil)
		}
		return false, false
	}
	tflog.Debug(ctx, "Set AWS role mapping", map[string]any{"aws_role_id": id})
	diags.Append(plan.rolesFromAPI(out.Data)...)
	diags.Append(storeETag(ctx, private, out.Etag)...)
	return !diags.HasError(), true
}

// set replaces the roles of AWS role id with roleIDs, on condition that the
// mapping still has etag. A 412 is read as someone else's change
// (errChangedOutside) unless the mapping already is roleIDs: then it was
// this apply's own write, retried after its answer was lost.
func (r *awsRoleMappingResource) set(ctx context.Context, id string, roleIDs []string, etag string) (*api.RoleRefList, error) {
	r.caches.forgetAwsRole(id)
	var res client.Response
	out, err := r.client.SetAwsRoleMapping(ctx, id, roleIDs, append(ifMatch(etag), client.WithResponse(&res))...)
	if err != nil && res.StatusCode == http.StatusOK {
		return nil, committedError{err}
	}
	if !isStale(err) {
		return out, err
	}
	cur, err := r.client.GetAwsRoleMapping(ctx, id)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, rid := range roleIDs {
		want[strings.ToLower(rid)] = true
	}
	have := map[string]bool{}
	for _, ref := range cur.Data {
		have[ref.Id.String()] = true
	}
	if !maps.Equal(want, have) {
		return nil, errChangedOutside
	}
	tflog.Debug(ctx, "AWS role mapping already holds the planned roles", map[string]any{"aws_role_id": id})
	return cur, nil
}

// warnAwsRoleMappingReplaced warns about the roles an AWS role granted
// before Terraform took its mapping over and no longer grants.
func warnAwsRoleMappingReplaced(diags *diag.Diagnostics, awsRoleID string, before []api.RoleRef, roleIDs []string) {
	kept := map[string]bool{}
	for _, id := range roleIDs {
		kept[strings.ToLower(id)] = true
	}
	var dropped []string
	for _, ref := range before {
		if !kept[ref.Id.String()] {
			dropped = append(dropped, fmt.Sprintf("%s (%s)", ref.Name, ref.Id))
		}
	}
	if len(dropped) == 0 {
		return
	}
	diags.AddAttributeWarning(path.Root("role_ids"), "Existing Role Mapping Replaced",
		fmt.Sprintf("AWS role %q already granted roles that are not in role_ids; jitsudo_aws_role_mapping is authoritative, "+
			"so they were removed: %s. Add them to role_ids to keep them.", awsRoleID, strings.Join(dropped, ", ")))
}

// addAwsRoleMappingAttributeErrors turns the validation findings of a
// rejected mapping into errors on role_ids. Their locations ("[2].id") index
// the role ids sent, so an unknown role is named as the user wrote it.
func addAwsRoleMappingAttributeErrors(diags *diag.Diagnostics, summary string, err error, roleIDs []string) {
	var ae *client.APIError
	if !errors.As(err, &ae) {
		return
	}
	for _, v := range ae.Validation() {
		i, ok := awsRoleMappingIndex(v.Location)
		switch {
		case !ok:
			continue
		case (v.Code == api.CodeUnknownRole || v.Code == api.CodeNotFound) && i < len(roleIDs):
			diags.AddAttributeError(path.Root("role_ids"), summary, unknownRoleDetail(roleIDs[i]))
		default:
			diags.AddAttributeError(path.Root("role_ids"), summary, fmt.Sprintf("%s (%s)", v.Message, v.Code))
		}
	}
}

// unknownRoleDetail is the detail of an error on a role id of role_ids
// that names no internal role.
func unknownRoleDetail(id string) string {
	return fmt.Sprintf("role_ids contains %q, which is not an internal role of this tenant (a role removed from the "+
		"directory loses its id). Look role ids up with the jitsudo_roles data source, such as "+
		"data.jitsudo_roles.all.ids_by_name[\"sre\"].", id)
}

// awsRoleMappingIndex is the index into the mapping body of a validation
// location such as "[2].id" or "[2]".
func awsRoleMappingIndex(location string) (int, bool) {
	rest, ok := strings.CutPrefix(location, "[")
	if !ok {
		return 0, false
	}
	digits, _, ok := strings.Cut(rest, "]")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(digits)
	if err != nil || i < 0 {
		return 0, false
	}
	return i, true
}

// addAwsRoleNotFound reports an aws_role_id that names no AWS role.
func addAwsRoleNotFound(diags *diag.Diagnostics, summary, id string) {
	diags.AddAttributeError(path.Root("aws_role_id"), summary,
		fmt.Sprintf("No AWS role has the id %q in this tenant. AWS roles are discovered from AWS, not created: look the id up "+
			"with the jitsudo_aws_role or jitsudo_aws_roles data source.", id))
}

// warnIfAwsRoleMissing warns that the mapped AWS role vanished from its
// directory: its mapping is kept but grants nothing until it reappears.
func warnIfAwsRoleMissing(diags *diag.Diagnostics, role *api.AwsRole) {
	if role.Status != api.AwsRoleStatusMISSING {
		return
	}
	diags.AddAttributeWarning(path.Root("aws_role_id"), "AWS Role Missing",
		fmt.Sprintf("The AWS role %s (id %s) was not found by the last scan of its directory source (status MISSING). "+
			"JITSudo keeps its mapping, which applies again if the role reappears in AWS. If the role was deleted for good, "+
			"remove this jitsudo_aws_role_mapping.", role.Arn, role.Id))
}
