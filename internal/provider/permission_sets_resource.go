package provider

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
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
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/validate"
)

var (
	_ resource.Resource                = &permissionSetsResource{}
	_ resource.ResourceWithConfigure   = &permissionSetsResource{}
	_ resource.ResourceWithImportState = &permissionSetsResource{}
	_ resource.ResourceWithModifyPlan  = &permissionSetsResource{}
)

// permissionSetsID is the id of every jitsudo_permission_sets: the
// resource is the collection of the sets it lists, not a server object.
const permissionSetsID = "permission-sets"

// NewPermissionSetsResource returns the jitsudo_permission_sets resource.
func NewPermissionSetsResource() resource.Resource { return &permissionSetsResource{} }

// permissionSetsResource manages many permission sets of the cache at once,
// with bulk upserts and bulk deletes of at most permissionSetBatchSize
// sets per call.
type permissionSetsResource struct {
	resourceBase
}

// permissionSetsResourceModel is the resource's data; PermissionSets maps
// ARNs to permissionSetItemModel objects.
type permissionSetsResourceModel struct {
	ID             types.String `tfsdk:"id"`
	PermissionSets types.Map    `tfsdk:"permission_sets"`
	// Timeouts bounds create, update and delete.
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

var permissionSetItemObjectType = types.ObjectType{AttrTypes: permissionSetItemAttrTypes}

func (r *permissionSetsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_permission_sets"
}

func (r *permissionSetsResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages many AWS permission sets of the JITSudo permission set cache at once, " +
			"keyed by ARN.\n\n" +
			"The resource is authoritative for the sets it lists, and only for those: sets of the cache that " +
			"are not in `permission_sets` (such as those of the sync job) are never read into state, changed " +
			"or deleted. A plan shows the change of each set. An apply sends only the sets that are added or " +
			"changed, in bulk upserts of at most 1000 sets, and deletes the dropped ones in bulk deletes of at most " +
			"1000. A refresh lists the cache once, in pages of 250: sets changed outside Terraform show their " +
			"new values and sets deleted outside Terraform disappear from state, so the next apply restores them.\n\n" +
			"Like `jitsudo_permission_set`, adding a set that is already cached fails (the cache is shared with " +
			"the sync job) and suggests importing it. Import with the id `*` for every set of the tenant, or a " +
			"comma-separated list of ARNs.\n\n" +
			"Each set's version (`etag`) is kept in private state: a set changed or deleted outside Terraform after the plan " +
			"read it is not overwritten, the apply fails naming it. A bulk write whose response was lost and that the " +
			"provider retried is recognised as its own.\n\n" +
			"Size: the provider's work grows linearly with the number of sets, but Terraform's own conversion of the " +
			"`permission_sets` map to its type grows with the square of it (about 5 s of CPU per evaluation of the " +
			"configuration for 10,000 sets with Terraform 1.8, and a plan evaluates it twice). Beyond a few thousand sets, " +
			"split them over several `jitsudo_permission_sets` resources, e.g. with `for_each` over chunks of ARNs: " +
			"they still refresh with one listing of the cache.",
		Attributes: map[string]schema.Attribute{
			"timeouts": timeoutsAttribute(ctx),
			"id": schema.StringAttribute{
				MarkdownDescription: "Always `" + permissionSetsID + "`: the resource stands for the collection of the sets it lists.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"permission_sets": schema.MapNestedAttribute{
				MarkdownDescription: "The permission sets, keyed by ARN (`arn:<partition>:sso:::permissionSet/<instance>/<permission-set>`). " +
					"Every write replaces a whole set: an optional attribute left out is cleared.",
				Required:     true,
				Validators:   []validator.Map{mapvalidator.KeysAre(permissionSetARNValue())},
				NestedObject: schema.NestedAttributeObject{Attributes: permissionSetItemAttributes()},
			},
		},
	}
}

// permissionSetItems converts the permission_sets map to models; null and
// unknown elements are left out.
func permissionSetItems(m types.Map) (map[string]permissionSetItemModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	items := map[string]permissionSetItemModel{}
	if m.IsNull() || m.IsUnknown() {
		return items, diags
	}
	for arn, v := range m.Elements() {
		obj, ok := v.(types.Object)
		if !ok {
			diags.AddError("Unexpected Permission Set Value",
				fmt.Sprintf("permission_sets[%q] is a %T, not an object. This is a bug in the provider; please report it.", arn, v))
			continue
		}
		if obj.IsNull() || obj.IsUnknown() {
			continue
		}
		item, d := permissionSetItemFromObject(obj)
		diags.Append(d...)
		items[arn] = item
	}
	return items, diags
}

// permissionSetItemsMap converts models to the permission_sets map.
func permissionSetItemsMap(items map[string]permissionSetItemModel) (types.Map, diag.Diagnostics) {
	elems := make(map[string]attr.Value, len(items))
	for arn, item := range items {
		elems[arn] = item.object()
	}
	return types.MapValue(permissionSetItemObjectType, elems)
}

// permissionSetsItemPath is the attribute path of one set.
func permissionSetsItemPath(arn string) path.Path { return path.Root("permission_sets").AtMapKey(arn) }

// permissionSetsBulkLocation maps the locations of one bulk upsert (batch lists the ARNs
// it sent, in order) to the attributes of those sets.
func permissionSetsBulkLocation(batch []string) locationPath {
	return func(loc string) (path.Path, bool) {
		i, field, ok := parsePermissionSetLocation(loc)
		switch {
		case !ok || i >= len(batch):
			return path.Empty(), false
		case field == "" || field == "id":
			return permissionSetsItemPath(batch[i]), true
		case permissionSetItemFields[field]:
			return permissionSetsItemPath(batch[i]).AtName(field), true
		}
		return path.Empty(), false
	}
}

// permissionSetsARNList formats ARNs for a diagnostic, at most 20 of them.
func permissionSetsARNList(arns []string) string {
	const most = 20
	var b strings.Builder
	for i, arn := range arns {
		if i == most {
			fmt.Fprintf(&b, "\n  ... and %d more", len(arns)-most)
			break
		}
		b.WriteString("\n  - " + arn)
	}
	return b.String()
}

// permissionSetsBatchLabel names the sets of one bulk call in diagnostics.
func permissionSetsBatchLabel(batch []string) string {
	if len(batch) == 1 {
		return fmt.Sprintf("permission set %q", batch[0])
	}
	return fmt.Sprintf("%d permission sets (%s to %s)", len(batch), batch[0], batch[len(batch)-1])
}

// permissionSetsApplied is what a write of jitsudo_permission_sets leaves:
// the sets to keep in state and the ETags of those whose version is known.
type permissionSetsApplied struct {
	items map[string]permissionSetItemModel
	etags map[string]string
}

// apply turns prior into planned on the server and returns the sets as
// they are then (planned, with last_synced_at of the written sets). On an
// error it returns what is on the server after the calls that succeeded,
// so that state tracks every set written.
//
// Every write is conditional: a set added to the resource must not exist
// yet (the cache is shared with the sync job: never overwrite a set
// Terraform does not manage), a changed or dropped set must still have the
// ETag of its last read (etags; "*" when none is known: it must exist). A
// batch refused with 412 whose failing sets, read again, already are as
// planned was this same write, applied by an attempt whose response was
// lost; anything else is a change made outside Terraform, reported and not
// overwritten.
func (r *permissionSetsResource) apply(ctx context.Context, prior, planned map[string]permissionSetItemModel, etags map[string]string, summary string) (permissionSetsApplied, diag.Diagnostics) {
	d := diffPermissionSets(prior, planned)
	tflog.Debug(ctx, "Applying permission sets", map[string]any{"upsert": len(d.Upsert), "delete": len(d.Delete), "etags": len(etags)})
	w := newPermissionSetsWrite(r, prior, planned, etags, summary)
	for _, batch := range permissionSetChunks(d.Upsert, permissionSetBatchSize) {
		if !w.upsert(ctx, batch) {
			return w.failed(ctx)
		}
	}
	for _, batch := range permissionSetChunks(d.Delete, permissionSetBatchSize) {
		if !w.delete(ctx, batch) {
			return w.failed(ctx)
		}
	}
	r.readBack(ctx, w.written, planned, &w.out, summary, &w.diags)
	return w.out, w.diags
}

// permissionSetsWrite is one apply under way: what it was asked to do
// (prior, planned, the ETags of the last read) and what it has done.
type permissionSetsWrite struct {
	r              *permissionSetsResource
	prior, planned map[string]permissionSetItemModel
	etags          map[string]string
	summary        string

	out permissionSetsApplied
	// written are the sets upserted whose read-back is due.
	written []string
	diags   diag.Diagnostics
}

func newPermissionSetsWrite(r *permissionSetsResource, prior, planned map[string]permissionSetItemModel, etags map[string]string, summary string) *permissionSetsWrite {
	w := &permissionSetsWrite{r: r, prior: prior, planned: planned, etags: etags, summary: summary,
		out: permissionSetsApplied{items: maps.Clone(prior), etags: maps.Clone(etags)}}
	if w.out.items == nil {
		w.out.items = map[string]permissionSetItemModel{}
	}
	if w.out.etags == nil {
		w.out.etags = map[string]string{}
	}
	return w
}

// failed ends a write that failed: the sets written so far are read back
// (a failure there is not reported: an earlier error is).
func (w *permissionSetsWrite) failed(ctx context.Context) (permissionSetsApplied, diag.Diagnostics) {
	w.r.readBack(ctx, w.written, w.planned, &w.out, w.summary, nil)
	return w.out, w.diags
}

// done records a set found already as planned, with its read.
func (w *permissionSetsWrite) done(arn string, ps api.PermissionSet) {
	w.out.items[arn] = permissionSetItemFromAPI(ps, new(w.planned[arn]))
	w.out.etags[arn] = ps.Etag
}

// wrote records sets upserted: as planned, their read-back due.
func (w *permissionSetsWrite) wrote(arns ...string) {
	for _, arn := range arns {
		item := w.planned[arn]
		item.LastSyncedAt = timetypes.NewRFC3339Null()
		w.out.items[arn] = item
		delete(w.out.etags, arn)
	}
	w.written = append(w.written, arns...)
}

// inputs are the batch's sets as the API takes them, each conditional: an
// added set must not exist, a managed one must have its last ETag.
func (w *permissionSetsWrite) inputs(batch []string) ([]api.PermissionSetInput, bool) {
	in := make([]api.PermissionSetInput, len(batch))
	for i, arn := range batch {
		var dd diag.Diagnostics
		in[i], dd = w.planned[arn].toAPI(arn, permissionSetsItemPath(arn))
		w.diags.Append(dd...)
		if _, managed := w.prior[arn]; !managed {
			in[i].IfNoneMatch = new(api.PermissionSetInputIfNoneMatch("*"))
		} else {
			in[i].IfMatch = new(cmp.Or(w.etags[arn], "*"))
		}
	}
	return in, !w.diags.HasError()
}

// upsert writes one batch; false: it failed, with diagnostics.
func (w *permissionSetsWrite) upsert(ctx context.Context, batch []string) bool {
	in, ok := w.inputs(batch)
	if !ok {
		return false
	}
	tflog.Debug(ctx, "Upserting permission sets", map[string]any{"count": len(batch), "first": batch[0], "last": batch[len(batch)-1]})
	_, err := w.r.client.UpsertPermissionSets(ctx, in)
	forgetPermissionSets(w.r.caches, batch...)
	switch {
	case err == nil:
		w.wrote(batch...)
		return true
	case !isStale(err):
		addAPIError(&w.diags, w.summary, "upserting "+permissionSetsBatchLabel(batch), err, permissionSetsBulkLocation(batch))
		return false
	}
	return w.upsertStale(ctx, batch, in, err)
}

// upsertStale handles a batch refused with 412 (err): its sets are read
// again; those already as planned were written by an earlier attempt whose
// response was lost, those the API did not find failing are sent once
// more, and any other is a conflict.
func (w *permissionSetsWrite) upsertStale(ctx context.Context, batch []string, in []api.PermissionSetInput, err error) bool {
	failedItems := permissionSetFailedItems(err)
	cur, ferr := findPermissionSets(ctx, w.r.client, batch)
	if ferr != nil {
		addAPIError(&w.diags, w.summary, "reading "+permissionSetsBatchLabel(batch)+" again after the API refused to upsert them (412)", ferr, nil)
		return false
	}
	var exist, changed, rest []string
	var restIn []api.PermissionSetInput
	for i, arn := range batch {
		ps, found := cur[arn]
		switch {
		case found && permissionSetIsIntended(ps, w.planned[arn]):
			w.done(arn, ps)
		case failedItems != nil && !failedItems[i]:
			rest, restIn = append(rest, arn), append(restIn, in[i])
		case in[i].IfNoneMatch != nil && found:
			exist = append(exist, arn)
		default:
			changed = append(changed, arn)
		}
	}
	if len(exist)+len(changed) > 0 {
		permissionSetsConflicts(&w.diags, exist, changed)
		return false
	}
	tflog.Debug(ctx, "Permission sets refused with 412 are already as planned: an earlier attempt of this write was applied",
		map[string]any{"count": len(batch) - len(rest)})
	if len(rest) == 0 {
		return true
	}
	// The batch was refused as a whole: send the sets it did not find as
	// planned once more.
	_, err = w.r.client.UpsertPermissionSets(ctx, restIn)
	forgetPermissionSets(w.r.caches, rest...)
	if err != nil {
		addAPIError(&w.diags, w.summary, "upserting "+permissionSetsBatchLabel(rest), err, permissionSetsBulkLocation(rest))
		return false
	}
	w.wrote(rest...)
	return true
}

// delete deletes one batch of dropped sets; false: it failed, with
// diagnostics.
func (w *permissionSetsWrite) delete(ctx context.Context, batch []string) bool {
	tflog.Debug(ctx, "Deleting permission sets", map[string]any{"count": len(batch), "first": batch[0], "last": batch[len(batch)-1]})
	if err := w.r.deleteBatch(ctx, batch, w.etags, w.summary, &w.diags); err != nil {
		return false
	}
	for _, arn := range batch {
		delete(w.out.items, arn)
		delete(w.out.etags, arn)
	}
	return true
}

// deleteBatch deletes one batch of sets that must still have their ETags
// (those known). A 412 whose failing sets are gone now is retried once; a
// failing set that still exists was changed outside Terraform.
func (r *permissionSetsResource) deleteBatch(ctx context.Context, batch []string, etags map[string]string, summary string, diags *diag.Diagnostics) error {
	ifMatch := map[string]string{}
	for _, arn := range batch {
		if tag := etags[arn]; tag != "" {
			ifMatch[arn] = tag
		}
	}
	res, err := r.client.DeletePermissionSets(ctx, batch, ifMatch)
	forgetPermissionSets(r.caches, batch...)
	if isStale(err) {
		failedIDs := permissionSetFailedDeletes(err)
		want := batch
		if failedIDs != nil {
			want = slices.Sorted(maps.Keys(failedIDs))
		}
		cur, ferr := findPermissionSets(ctx, r.client, want)
		if ferr != nil {
			addAPIError(diags, summary, "reading "+permissionSetsBatchLabel(want)+" again after the API refused to delete them (412)", ferr, nil)
			return ferr
		}
		if len(cur) > 0 {
			permissionSetsConflicts(diags, nil, slices.Sorted(maps.Keys(cur)))
			return err
		}
		res, err = r.client.DeletePermissionSets(ctx, batch, ifMatch)
	}
	if err != nil {
		addAPIError(diags, summary, "deleting "+permissionSetsBatchLabel(batch), err, nil)
		return err
	}
	if len(res.Missing) > 0 {
		tflog.Debug(ctx, "Some permission sets to delete were already gone", map[string]any{"missing": len(res.Missing)})
	}
	return nil
}

// permissionSetsConflicts reports the sets a conditional write refused:
// exist are added sets that are already cached, changed are managed sets
// changed or deleted outside Terraform since they were read.
func permissionSetsConflicts(diags *diag.Diagnostics, exist, changed []string) {
	for _, arn := range exist[:min(len(exist), 20)] {
		diags.AddAttributeError(permissionSetsItemPath(arn), "Permission Set Already Exists",
			fmt.Sprintf("The permission set %q is already in the JITSudo cache; adding it would overwrite it.", arn))
	}
	if len(exist) > 0 {
		diags.AddError("Permission Sets Already Exist",
			fmt.Sprintf("%d of the permission sets to add are already in the JITSudo cache (written by the sync job or another "+
				"configuration), and adding them would overwrite them:%s\n\n"+
				"To manage them with this resource, import them: remove the resource from state if it is there "+
				"(terraform state rm), then import it with the comma-separated ARNs of all its sets, or with id \"*\" for "+
				"every set of the tenant. Alternatively remove them from permission_sets.", len(exist), permissionSetsARNList(exist)))
	}
	for _, arn := range changed[:min(len(changed), 20)] {
		diags.AddAttributeError(permissionSetsItemPath(arn), "Permission Set Changed Outside Terraform",
			fmt.Sprintf("The permission set %q was changed or deleted outside Terraform since Terraform read it.", arn))
	}
	if len(changed) > 0 {
		diags.AddError("Permission Sets Changed Outside Terraform",
			fmt.Sprintf("%d permission sets were changed or deleted outside Terraform since Terraform read them, so Terraform "+
				"did not write them rather than overwrite those changes:%s\n\n"+
				"Run terraform plan again to see the changes, then apply.", len(changed), permissionSetsARNList(changed)))
	}
}

// readBack reads the written sets for last_synced_at and their ETags
// (every write sets them). When that fails they stay in out as planned,
// last_synced_at null, without ETag: the writes were applied, and the next
// plan reads them again instead of adding them once more. diags nil: a
// failure is not reported (an earlier error is).
func (r *permissionSetsResource) readBack(ctx context.Context, written []string, planned map[string]permissionSetItemModel, out *permissionSetsApplied, summary string, diags *diag.Diagnostics) {
	if len(written) == 0 {
		return
	}
	synced, err := findPermissionSets(ctx, r.client, written)
	if err != nil {
		if diags != nil {
			addAPIError(diags, summary, fmt.Sprintf("reading the %d written permission sets back (the writes were applied and are kept in state; "+
				"the next plan reads them again)", len(written)), err, nil)
		}
		return
	}
	for _, arn := range written {
		ps, ok := synced[arn]
		if !ok {
			if diags != nil {
				diags.AddAttributeError(permissionSetsItemPath(arn), "Permission Set Deleted Meanwhile",
					fmt.Sprintf("The permission set %q was written but is no longer in the JITSudo cache: something deleted it meanwhile. "+
						"Apply again to write it again.", arn))
			}
			delete(out.items, arn)
			delete(out.etags, arn)
			continue
		}
		item := planned[arn]
		item.LastSyncedAt = permissionSetItemFromAPI(ps, nil).LastSyncedAt
		out.items[arn] = item
		out.etags[arn] = ps.Etag
	}
}

func (r *permissionSetsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	var plan permissionSetsResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	defer cancel()
	planned, diags := permissionSetItems(plan.PermissionSets)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	applied, diags := r.apply(ctx, nil, planned, nil, "Error Creating Permission Sets")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() && len(applied.items) == 0 {
		return // nothing was written
	}
	r.setState(ctx, &resp.State, applied.items, plan.Timeouts, &resp.Diagnostics)
	resp.Diagnostics.Append(permissionSetSetETags(ctx, resp.Private, applied.etags)...)
}

func (r *permissionSetsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	var plan, state permissionSetsResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	defer cancel()
	planned, diags := permissionSetItems(plan.PermissionSets)
	resp.Diagnostics.Append(diags...)
	prior, diags := permissionSetItems(state.PermissionSets)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	etags := map[string]string{}
	resp.Diagnostics.Append(permissionSetGetETags(ctx, req.Private, &etags)...)
	applied, diags := r.apply(ctx, prior, planned, etags, "Error Updating Permission Sets")
	resp.Diagnostics.Append(diags...)
	r.setState(ctx, &resp.State, applied.items, plan.Timeouts, &resp.Diagnostics)
	resp.Diagnostics.Append(permissionSetSetETags(ctx, resp.Private, applied.etags)...)
}

// setState stores the sets with the fixed id, and to as timeouts.
func (r *permissionSetsResource) setState(ctx context.Context, st permissionSetsStateSetter, items map[string]permissionSetItemModel, to timeouts.Value, diags *diag.Diagnostics) {
	m, d := permissionSetItemsMap(items)
	diags.Append(d...)
	if d.HasError() {
		return
	}
	diags.Append(st.Set(ctx, &permissionSetsResourceModel{ID: types.StringValue(permissionSetsID), PermissionSets: m, Timeouts: to})...)
}

// permissionSetsStateSetter is tfsdk.State.
type permissionSetsStateSetter interface {
	Set(ctx context.Context, val any) diag.Diagnostics
}

func (r *permissionSetsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	var state permissionSetsResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	prior, diags := permissionSetItems(state.PermissionSets)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	arns := slices.Sorted(maps.Keys(prior))
	tflog.Debug(ctx, "Reading permission sets", map[string]any{"count": len(arns)})
	found, err := readPermissionSets(ctx, r.client, r.caches, arns)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Permission Sets", fmt.Sprintf("listing the permission sets to refresh %d managed sets", len(arns)), err, nil)
		return
	}
	items := make(map[string]permissionSetItemModel, len(found))
	etags := make(map[string]string, len(found))
	for arn, item := range prior {
		ps, ok := found[arn]
		if !ok {
			tflog.Debug(ctx, "Permission set is gone; removing it from state", map[string]any{"id": arn})
			continue
		}
		items[arn] = permissionSetItemFromAPI(*ps, &item)
		etags[arn] = ps.Etag
	}
	r.setState(ctx, &resp.State, items, state.Timeouts, &resp.Diagnostics)
	resp.Diagnostics.Append(permissionSetSetETags(ctx, resp.Private, etags)...)
}

func (r *permissionSetsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	var state permissionSetsResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Delete, &resp.Diagnostics)
	defer cancel()
	prior, diags := permissionSetItems(state.PermissionSets)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	etags := map[string]string{}
	resp.Diagnostics.Append(permissionSetGetETags(ctx, req.Private, &etags)...)
	arns := slices.Sorted(maps.Keys(prior))
	for i, batch := range permissionSetChunks(arns, permissionSetBatchSize) {
		tflog.Debug(ctx, "Deleting permission sets", map[string]any{"count": len(batch), "first": batch[0], "last": batch[len(batch)-1]})
		if err := r.deleteBatch(ctx, batch, etags, "Error Deleting Permission Sets", &resp.Diagnostics); err != nil {
			// Keep in state what is left.
			for _, arn := range arns[:i*permissionSetBatchSize] {
				delete(prior, arn)
			}
			r.setState(ctx, &resp.State, prior, state.Timeouts, &resp.Diagnostics)
			return
		}
	}
}

// ModifyPlan keeps last_synced_at of the sets that do not change: the
// framework plans it unknown for every set as soon as anything changes.
func (r *permissionSetsResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var plan, state permissionSetsResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || plan.PermissionSets.IsNull() || plan.PermissionSets.IsUnknown() {
		return
	}
	prior, diags := permissionSetItems(state.PermissionSets)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	elems := plan.PermissionSets.Elements()
	out := make(map[string]attr.Value, len(elems))
	changed := false
	for arn, v := range elems {
		out[arn] = v
		obj, ok := v.(types.Object)
		old, known := prior[arn]
		if !ok || obj.IsNull() || obj.IsUnknown() || !known {
			continue
		}
		item, d := permissionSetItemFromObject(obj)
		resp.Diagnostics.Append(d...)
		if resp.Diagnostics.HasError() {
			return
		}
		if !item.LastSyncedAt.IsUnknown() || !item.sameSettings(old) {
			continue
		}
		item.LastSyncedAt = old.LastSyncedAt
		nv := item.object()
		out[arn] = nv
		changed = true
	}
	if !changed {
		return
	}
	m, d := types.MapValue(permissionSetItemObjectType, out)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("permission_sets"), m)...)
}

// ImportState imports every set of the tenant (id "*") or the listed ones
// (comma-separated ARNs).
func (r *permissionSetsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	var found map[string]api.PermissionSet
	if id := strings.TrimSpace(req.ID); id == "*" {
		found = r.importAll(ctx, &resp.Diagnostics)
	} else {
		found = r.importListed(ctx, id, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	items := make(map[string]permissionSetItemModel, len(found))
	for arn, ps := range found {
		items[arn] = permissionSetItemFromAPI(ps, nil)
	}
	r.setState(ctx, &resp.State, items, nullTimeouts(ctx), &resp.Diagnostics)
}

// importAll reads every set of the tenant, keyed by ARN.
func (r *permissionSetsResource) importAll(ctx context.Context, diags *diag.Diagnostics) map[string]api.PermissionSet {
	tflog.Debug(ctx, "Importing every permission set")
	found := map[string]api.PermissionSet{}
	for ps, err := range r.client.AllPermissionSets(ctx, api.ListPermissionSetsParams{Limit: new(api.MaxPageSize)}) {
		if err != nil {
			addAPIError(diags, "Error Importing Permission Sets", "listing the permission sets", err, nil)
			return nil
		}
		found[ps.Id] = ps
	}
	return found
}

// importListed reads the sets of id, comma-separated ARNs, each of which
// must exist.
func (r *permissionSetsResource) importListed(ctx context.Context, id string, diags *diag.Diagnostics) map[string]api.PermissionSet {
	arns := permissionSetsImportARNs(id, diags)
	if diags.HasError() {
		return nil
	}
	tflog.Debug(ctx, "Importing permission sets", map[string]any{"count": len(arns)})
	found, err := findPermissionSets(ctx, r.client, arns)
	if err != nil {
		addAPIError(diags, "Error Importing Permission Sets", "listing the permission sets", err, nil)
		return nil
	}
	var missing []string
	for _, arn := range arns {
		if _, ok := found[arn]; !ok {
			missing = append(missing, arn)
		}
	}
	if len(missing) > 0 {
		diags.AddError("Cannot Import Non-Existent Permission Sets",
			fmt.Sprintf("%d of the permission sets to import are not in the JITSudo cache:%s", len(missing), permissionSetsARNList(missing)))
		return nil
	}
	return found
}

// permissionSetsImportARNs are the distinct ARNs of an import id, in
// order; each invalid one is an error.
func permissionSetsImportARNs(id string, diags *diag.Diagnostics) []string {
	const idHelp = "The import id of a jitsudo_permission_sets is \"*\" for every permission set of the tenant, or a " +
		"comma-separated list of permission set ARNs such as " +
		"arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1111111111111111,arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-2222222222222222."
	var arns []string
	seen := map[string]bool{}
	for part := range strings.SplitSeq(id, ",") {
		arn := strings.TrimSpace(part)
		if err := validate.PermissionSetARN(arn); err != nil {
			diags.AddError("Invalid Import ID", fmt.Sprintf("%s\n\n%q: %s.", idHelp, arn, err))
			continue
		}
		if !seen[arn] {
			seen[arn] = true
			arns = append(arns, arn)
		}
	}
	return arns
}
