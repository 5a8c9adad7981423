package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/validate"
)

// Limits of a policy's fields: the contract's (internal/api/limits.go).
const (
	policyNameMaxLength        = api.MaxPolicyNameLength
	policyDescriptionMaxLength = api.MaxPolicyDescriptionLength
	policyChannelMaxLength     = api.MaxNotificationChannelLength
	policyPriorityMin          = api.MinPolicyPriority
	policyPriorityMax          = api.MaxPolicyPriority
	policyDurationMin          = api.MinPolicyDurationSeconds
	policyDurationMax          = api.MaxPolicyDurationSeconds
)

var (
	_ resource.Resource                   = &policyResource{}
	_ resource.ResourceWithConfigure      = &policyResource{}
	_ resource.ResourceWithImportState    = &policyResource{}
	_ resource.ResourceWithValidateConfig = &policyResource{}
	_ resource.ResourceWithIdentity       = &policyResource{}
)

// NewPolicyResource returns the jitsudo_policy resource.
func NewPolicyResource() resource.Resource { return &policyResource{} }

// policyResource manages a JITSudo access policy: its settings, not its
// rules (those are jitsudo_policy_rule resources).
type policyResource struct {
	resourceBase
}

// policyResourceModel is the state of a jitsudo_policy; the jitsudo_policy
// data source embeds it.
type policyResourceModel struct {
	ID                     types.String      `tfsdk:"id"`
	Name                   types.String      `tfsdk:"name"`
	Description            types.String      `tfsdk:"description"`
	Enabled                types.Bool        `tfsdk:"enabled"`
	Priority               types.Int64       `tfsdk:"priority"`
	MaxDurationSeconds     types.Int64       `tfsdk:"max_duration_seconds"`
	DefaultDurationSeconds types.Int64       `tfsdk:"default_duration_seconds"`
	NotificationChannel    types.String      `tfsdk:"notification_channel"`
	CedarPolicySet         types.String      `tfsdk:"cedar_policy_set"`
	CreatedAt              timetypes.RFC3339 `tfsdk:"created_at"`
	UpdatedAt              timetypes.RFC3339 `tfsdk:"updated_at"`
}

// policyResourceData is the whole state of a jitsudo_policy: the policy
// and the timeouts of its operations (not in policyResourceModel, which
// the data source shares).
type policyResourceData struct {
	policyResourceModel
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// fromAPI sets every attribute from the API's representation of the policy.
func (m *policyResourceModel) fromAPI(p *api.Policy) {
	m.ID = types.StringValue(p.Id.String())
	m.Name = types.StringValue(p.Name)
	m.Description = stringFromAPI(p.Description)
	m.Enabled = types.BoolValue(p.Enabled)
	m.Priority = types.Int64Value(int64(p.Priority))
	m.MaxDurationSeconds = types.Int64Value(int64(p.MaxDurationSeconds))
	m.DefaultDurationSeconds = int64FromAPI(p.DefaultDurationSeconds)
	m.NotificationChannel = stringFromAPI(p.NotificationChannel)
	m.CedarPolicySet = types.StringValue(p.CedarPolicySet)
	m.CreatedAt = timestampFromAPI(p.CreatedAt)
	m.UpdatedAt = timestampFromAPI(p.UpdatedAt)
}

// toCreate is the request body creating the policy the model describes;
// null optional attributes are left out, so the API applies its defaults.
func (m *policyResourceModel) toCreate() api.PolicyCreate {
	body := api.PolicyCreate{
		Name:                   m.Name.ValueString(),
		MaxDurationSeconds:     int(m.MaxDurationSeconds.ValueInt64()),
		Description:            nullableStringToAPI(m.Description, false),
		DefaultDurationSeconds: nullableInt64ToAPI(m.DefaultDurationSeconds, false),
		NotificationChannel:    nullableStringToAPI(m.NotificationChannel, false),
	}
	if !m.Enabled.IsNull() && !m.Enabled.IsUnknown() {
		body.Enabled = m.Enabled.ValueBoolPointer()
	}
	if !m.Priority.IsNull() && !m.Priority.IsUnknown() {
		p := int(m.Priority.ValueInt64())
		body.Priority = &p
	}
	return body
}

// toUpdate is the PATCH body taking the policy from state to plan: only the
// attributes that differ are sent, and an optional attribute removed from
// the configuration is sent as an explicit null so the API clears it.
// changed names the attributes sent, for the log.
func (m *policyResourceModel) toUpdate(state *policyResourceModel) (body api.PolicyUpdate, changed []string) {
	if !m.Name.Equal(state.Name) {
		body.Name = m.Name.ValueStringPointer()
		changed = append(changed, "name")
	}
	if !m.Description.Equal(state.Description) {
		body.Description = nullableStringToAPI(m.Description, true)
		changed = append(changed, "description")
	}
	if !m.Enabled.Equal(state.Enabled) {
		body.Enabled = m.Enabled.ValueBoolPointer()
		changed = append(changed, "enabled")
	}
	if !m.Priority.Equal(state.Priority) {
		p := int(m.Priority.ValueInt64())
		body.Priority = &p
		changed = append(changed, "priority")
	}
	if !m.MaxDurationSeconds.Equal(state.MaxDurationSeconds) {
		d := int(m.MaxDurationSeconds.ValueInt64())
		body.MaxDurationSeconds = &d
		changed = append(changed, "max_duration_seconds")
	}
	if !m.DefaultDurationSeconds.Equal(state.DefaultDurationSeconds) {
		body.DefaultDurationSeconds = nullableInt64ToAPI(m.DefaultDurationSeconds, true)
		changed = append(changed, "default_duration_seconds")
	}
	if !m.NotificationChannel.Equal(state.NotificationChannel) {
		body.NotificationChannel = nullableStringToAPI(m.NotificationChannel, true)
		changed = append(changed, "notification_channel")
	}
	return body, changed
}

// addPolicyAPIError is addAPIError for policy writes: a name conflict is
// reported on the name attribute, so terraform shows the line to change.
func addPolicyAPIError(diags *diag.Diagnostics, summary, action string, err error) {
	var d diag.Diagnostics
	addAPIError(&d, summary, action, err, policyLocationPath)
	if !errors.Is(err, client.ErrConflict) {
		diags.Append(d...)
		return
	}
	for _, x := range d {
		if _, hasPath := x.(diag.DiagnosticWithPath); !hasPath && x.Severity() == diag.SeverityError {
			diags.AddAttributeError(path.Root("name"), x.Summary(), x.Detail())
			continue
		}
		diags.Append(x)
	}
}

// policyLocationPath maps the location of a validation finding of the
// policy endpoints (a field of the request body) to its attribute.
func policyLocationPath(location string) (path.Path, bool) {
	switch location {
	case "name", "description", "enabled", "priority", "max_duration_seconds",
		"default_duration_seconds", "notification_channel":
		return path.Root(location), true
	}
	return path.Empty(), false
}

func (r *policyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_policy"
}

// IdentitySchema is { id }, the policy's id, as its import id.
func (r *policyResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema(policyIdentityAttributes)
}

func (r *policyResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages a JITSudo access policy: the settings of just-in-time access requests it governs " +
			"(maximum and default grant durations, priority, notification channel). The policy's Cedar rules are " +
			"managed separately with `jitsudo_policy_rule` resources; `cedar_policy_set` shows the result.\n\n" +
			"Deleting a policy also deletes all of its rules.\n\n" + concurrencyDescription,
		Attributes: map[string]schema.Attribute{
			"timeouts": timeoutsAttribute(ctx),
			"id": schema.StringAttribute{
				MarkdownDescription: "The policy's id, a UUID assigned by the API.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The policy's name, unique within the tenant (1 to %d characters). "+
					"Renaming updates the policy in place.", policyNameMaxLength),
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthBetween(1, policyNameMaxLength)},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("A description of the policy for humans (at most %d characters). "+
					"Removing it from the configuration clears it.", policyDescriptionMaxLength),
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtMost(policyDescriptionMaxLength)},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the policy takes part in access decisions. Defaults to `true`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"priority": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("The policy's evaluation priority: policies with higher values are "+
					"evaluated first. Between %d and %d; defaults to `0`.", policyPriorityMin, policyPriorityMax),
				Optional:   true,
				Computed:   true,
				Default:    int64default.StaticInt64(0),
				Validators: []validator.Int64{int64validator.Between(policyPriorityMin, policyPriorityMax)},
			},
			"max_duration_seconds": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("The longest access grant the policy allows, in seconds, from %d "+
					"(one minute) to %d (seven days).", policyDurationMin, policyDurationMax),
				Required:   true,
				Validators: []validator.Int64{int64validator.Between(policyDurationMin, policyDurationMax)},
			},
			"default_duration_seconds": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("The grant duration used when a request names none, in seconds, "+
					"from %d to %d; it must not exceed `max_duration_seconds`. Unset means requests must name a "+
					"duration; removing it from the configuration clears it.", policyDurationMin, policyDurationMax),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(policyDurationMin, policyDurationMax)},
			},
			"notification_channel": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Where grants under this policy are announced, such as a chat "+
					"channel (`#sre-oncall`); 1 to %d characters. Removing it from the configuration clears it.",
					policyChannelMaxLength),
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthBetween(1, policyChannelMaxLength)},
			},
			"cedar_policy_set": schema.StringAttribute{
				MarkdownDescription: "The assembled Cedar text of all the policy's rules, in rule order, separated " +
					"by blank lines; empty while the policy has no rules. Read only: rules are managed with " +
					"`jitsudo_policy_rule`, and this value follows them on every refresh.",
				Computed: true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the policy was created (RFC 3339, UTC).",
				CustomType:          timetypes.RFC3339Type{},
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the policy or one of its rules last changed (RFC 3339, UTC).",
				CustomType:          timetypes.RFC3339Type{},
				Computed:            true,
			},
		},
	}
}

// ValidateConfig checks what the attribute validators cannot see alone:
// the default duration must not exceed the maximum.
func (r *policyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var def, maxDur types.Int64
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("default_duration_seconds"), &def)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("max_duration_seconds"), &maxDur)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validatePolicyDurations(def, maxDur, &resp.Diagnostics)
}

func (r *policyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	var plan policyResourceData
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	defer cancel()

	name := plan.Name.ValueString()
	tflog.Debug(ctx, "Creating policy", map[string]any{"name": name})
	var res client.Response
	p, err := r.client.CreatePolicy(ctx, plan.toCreate(), client.WithResponse(&res))
	if err != nil {
		if id, ok := keepCreated(ctx, &res, req.Plan, &resp.State, "id", &resp.Diagnostics); ok {
			addCommittedError(&resp.Diagnostics, "Error Creating Policy", fmt.Sprintf("policy %s (%q)", id, name), err)
			return
		}
		addPolicyAPIError(&resp.Diagnostics, "Error Creating Policy", fmt.Sprintf("creating policy %q", name), err)
		return
	}
	tflog.Debug(ctx, "Created policy", map[string]any{"id": p.Id.String(), "name": name})
	addNotices(&resp.Diagnostics, "Policy Created With Notices", p.Notices)

	plan.fromAPI(p)
	setIdentity(ctx, resp.Identity, policyIdentityAttributes, &resp.Diagnostics, plan.ID.ValueString())
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(storeETag(ctx, resp.Private, p.Etag)...)
}

func (r *policyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	var state policyResourceData
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	id := state.ID.ValueString()
	// Also when the policy is gone: the framework wants an identity then.
	setIdentity(ctx, resp.Identity, policyIdentityAttributes, &resp.Diagnostics, strings.ToLower(id))
	tflog.Trace(ctx, "Reading policy", map[string]any{"id": id})
	p, err := r.caches.readPolicy(ctx, r.client, id)
	if readFailed(ctx, err, resp, "Error Reading Policy", fmt.Sprintf("reading policy %s", id), map[string]any{"id": id}) {
		return
	}

	state.fromAPI(p)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(storeETag(ctx, resp.Private, p.Etag)...)
}

func (r *policyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	var plan, state policyResourceData
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	defer cancel()

	id := state.ID.ValueString()
	etag, diags := storedETag(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	body, changed := plan.toUpdate(&state.policyResourceModel)
	var (
		p   *api.Policy
		err error
	)
	if len(changed) == 0 {
		// Only computed values were planned to change: nothing to send.
		tflog.Debug(ctx, "No policy attribute changed, reading the policy", map[string]any{"id": id})
		p, err = r.client.GetPolicy(ctx, id)
	} else {
		tflog.Debug(ctx, "Updating policy", map[string]any{"id": id, "changed": strings.Join(changed, ",")})
		r.caches.forgetPolicy(id)
		p, err = r.client.UpdatePolicy(ctx, id, body, ifMatch(etag)...)
		if isStale(err) {
			p, err = r.retryStale(ctx, &plan.policyResourceModel, &state.policyResourceModel, func(etag string) (*api.Policy, error) {
				return r.client.UpdatePolicy(ctx, id, body, client.IfMatch(etag))
			})
		}
	}
	if errors.Is(err, errChangedOutside) {
		addChangedOutsideError(&resp.Diagnostics, "Error Updating Policy", fmt.Sprintf("policy %s (%q)", id, state.Name.ValueString()))
		return
	}
	if err != nil {
		addPolicyAPIError(&resp.Diagnostics, "Error Updating Policy", fmt.Sprintf("updating policy %s (%q)", id, plan.Name.ValueString()), err)
		return
	}
	tflog.Debug(ctx, "Updated policy", map[string]any{"id": id})
	addNotices(&resp.Diagnostics, "Policy Updated With Notices", p.Notices)

	plan.fromAPI(p)
	setIdentity(ctx, resp.Identity, policyIdentityAttributes, &resp.Diagnostics, plan.ID.ValueString())
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(storeETag(ctx, resp.Private, p.Etag)...)
}

// retryStale handles a write of the policy refused with 412. The policy's
// etag covers its rules, so rules written by this same apply (or outside
// Terraform: they are not this resource's) move it too. The policy is read
// again: if it already holds what plan intends (a retried write of this
// apply), that is the result; if its own settings are still those of
// state, only its rules changed and the write is sent again, conditional on
// the new etag; else someone changed the policy and errChangedOutside
// comes back. plan is nil for a delete. Rules written at the same time
// (a destroy deletes rules that do not reference the policy in parallel
// with it) can move the etag again before the write: then the policy is
// read again, up to staleRetries times.
func (r *policyResource) retryStale(ctx context.Context, plan, state *policyResourceModel, write func(etag string) (*api.Policy, error)) (*api.Policy, error) {
	var err error
	for range staleRetries {
		var cur *api.Policy
		if cur, err = r.client.GetPolicy(ctx, state.ID.ValueString()); err != nil {
			return nil, err
		}
		var got policyResourceModel
		got.fromAPI(cur)
		if plan != nil {
			if _, changed := plan.toUpdate(&got); len(changed) == 0 {
				tflog.Debug(ctx, "Policy already holds the planned settings", map[string]any{"id": cur.Id.String()})
				return cur, nil
			}
		}
		if _, changed := state.toUpdate(&got); len(changed) != 0 {
			tflog.Debug(ctx, "Policy changed outside Terraform", map[string]any{"id": cur.Id.String(), "changed": strings.Join(changed, ",")})
			return nil, errChangedOutside
		}
		tflog.Debug(ctx, "Only the policy's rules changed since it was read; writing again", map[string]any{"id": cur.Id.String()})
		var p *api.Policy
		if p, err = write(cur.Etag); !isStale(err) {
			return p, err
		}
	}
	return nil, err
}

// staleRetries bounds how often retryStale reads a policy whose etag only
// its rules moved, and writes again.
const staleRetries = 10

func (r *policyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	var state policyResourceData
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Delete, &resp.Diagnostics)
	defer cancel()

	id := state.ID.ValueString()
	etag, diags := storedETag(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	tflog.Debug(ctx, "Deleting policy", map[string]any{"id": id})
	r.caches.forgetPolicy(id)
	err := r.client.DeletePolicy(ctx, id, ifMatch(etag)...)
	if isStale(err) {
		_, err = r.retryStale(ctx, nil, &state.policyResourceModel, func(etag string) (*api.Policy, error) {
			return nil, r.client.DeletePolicy(ctx, id, client.IfMatch(etag))
		})
	}
	if errors.Is(err, client.ErrNotFound) {
		tflog.Debug(ctx, "Policy already deleted", map[string]any{"id": id})
		return
	}
	if errors.Is(err, errChangedOutside) {
		addChangedOutsideError(&resp.Diagnostics, "Error Deleting Policy", fmt.Sprintf("policy %s (%q)", id, state.Name.ValueString()))
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Deleting Policy", fmt.Sprintf("deleting policy %s (%q)", id, state.Name.ValueString()), err, nil)
		return
	}
	tflog.Debug(ctx, "Deleted policy", map[string]any{"id": id})
}

// ImportState imports a policy by its id (the import id or the identity);
// Read then fills in the rest.
func (r *policyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := importID(ctx, req, policyIdentityAttributes, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := validate.UUID(id); err != nil {
		resp.Diagnostics.AddError("Invalid Policy Import ID",
			fmt.Sprintf("A jitsudo_policy is imported by its id, a UUID such as 2489e9ad-2ee2-8e00-8ec9-32d5f69181c0; "+
				"got %q: %s. The jitsudo_policy data source looks a policy's id up by name.", id, err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), strings.ToLower(id))...)
}

// validatePolicyDurations reports a default duration above the maximum on
// the default_duration_seconds attribute. Null or unknown values are not
// checked: the API checks them on the merged result.
func validatePolicyDurations(def, maxDur types.Int64, diags *diag.Diagnostics) {
	if def.IsNull() || def.IsUnknown() || maxDur.IsNull() || maxDur.IsUnknown() {
		return
	}
	if def.ValueInt64() > maxDur.ValueInt64() {
		diags.AddAttributeError(path.Root("default_duration_seconds"), "Default Duration Exceeds Maximum",
			fmt.Sprintf("default_duration_seconds (%d) must not exceed max_duration_seconds (%d): "+
				"lower the default duration or raise the maximum.", def.ValueInt64(), maxDur.ValueInt64()))
	}
}
