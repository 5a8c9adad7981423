package provider

// The model, schema and converters of one permission set, shared by
// jitsudo_permission_set (one set), jitsudo_permission_sets (a map of sets
// keyed by ARN) and the jitsudo_permission_sets data source.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
)

const (
	// permissionSetBatchSize is the most sets one bulk upsert or bulk
	// delete may carry (openapi.yaml: at most 1000 items per call).
	permissionSetBatchSize = api.MaxBatchSize
	// permissionSetEmptyMetadata is what an absent metadata is stored as.
	permissionSetEmptyMetadata = "{}"
)

// permissionSetItemModel is one permission set without its ARN: the whole
// of jitsudo_permission_set but `id`, and the value of one element of
// jitsudo_permission_sets.permission_sets (whose key is the ARN).
type permissionSetItemModel struct {
	Name            types.String         `tfsdk:"name"`
	AccountID       types.String         `tfsdk:"account_id"`
	Metadata        jsontypes.Normalized `tfsdk:"metadata"`
	Rank            types.Int64          `tfsdk:"rank"`
	Description     types.String         `tfsdk:"description"`
	SessionDuration types.String         `tfsdk:"session_duration"`
	RelayState      types.String         `tfsdk:"relay_state"`
	LastSyncedAt    timetypes.RFC3339    `tfsdk:"last_synced_at"`
}

// permissionSetItemAttrTypes is the object type of permissionSetItemModel.
var permissionSetItemAttrTypes = map[string]attr.Type{
	"name":             types.StringType,
	"account_id":       types.StringType,
	"metadata":         jsontypes.NormalizedType{},
	"rank":             types.Int64Type,
	"description":      types.StringType,
	"session_duration": types.StringType,
	"relay_state":      types.StringType,
	"last_synced_at":   timetypes.RFC3339Type{},
}

// object converts the set to an element of permission_sets. It builds the
// object directly rather than through reflection, which matters for maps
// of thousands of sets.
func (m permissionSetItemModel) object() types.Object {
	return types.ObjectValueMust(permissionSetItemAttrTypes, map[string]attr.Value{
		"name":             m.Name,
		"account_id":       m.AccountID,
		"metadata":         m.Metadata,
		"rank":             m.Rank,
		"description":      m.Description,
		"session_duration": m.SessionDuration,
		"relay_state":      m.RelayState,
		"last_synced_at":   m.LastSyncedAt,
	})
}

// permissionSetItemFromObject converts an element of permission_sets.
func permissionSetItemFromObject(obj types.Object) (permissionSetItemModel, diag.Diagnostics) {
	var (
		m     permissionSetItemModel
		diags diag.Diagnostics
		ok    = true
	)
	a := obj.Attributes()
	str := func(name string) types.String {
		v, isStr := a[name].(types.String)
		ok = ok && isStr
		return v
	}
	m.Name = str("name")
	m.AccountID = str("account_id")
	m.Description = str("description")
	m.SessionDuration = str("session_duration")
	m.RelayState = str("relay_state")
	synced, isSynced := a["last_synced_at"].(timetypes.RFC3339)
	md, isMD := a["metadata"].(jsontypes.Normalized)
	rank, isRank := a["rank"].(types.Int64)
	m.LastSyncedAt, m.Metadata, m.Rank = synced, md, rank
	if !ok || !isSynced || !isMD || !isRank {
		diags.AddError("Unexpected Permission Set Value",
			fmt.Sprintf("A permission set object has unexpected attribute types (%v). This is a bug in the provider; please report it.", obj.AttributeTypes(context.Background())))
	}
	return m, diags
}

// permissionSetItemFromAPI converts a set read from the API. prior is the
// value the set had in the plan or state (nil if none, as on import):
// metadata keeps prior's text when it is the same JSON value, so that the
// user's formatting never shows as a diff.
func permissionSetItemFromAPI(ps api.PermissionSet, prior *permissionSetItemModel) permissionSetItemModel {
	var priorMetadata jsontypes.Normalized
	if prior != nil {
		priorMetadata = prior.Metadata
	}
	return permissionSetItemModel{
		Name:            types.StringValue(ps.Name),
		AccountID:       stringFromAPI(ps.AccountId),
		Metadata:        permissionSetMetadataFromAPI(ps.Metadata, priorMetadata),
		Rank:            int64FromAPI(ps.Rank),
		Description:     stringFromAPI(ps.Description),
		SessionDuration: stringFromAPI(ps.SessionDuration),
		RelayState:      stringFromAPI(ps.RelayState),
		LastSyncedAt:    timestampFromAPI(ps.LastSyncedAt),
	}
}

// toAPI converts the set to the item of a bulk upsert. Null attributes are
// left out, which clears them on the server: a replaced set takes exactly
// the fields sent. at is the attribute path of the set, for diagnostics.
func (m permissionSetItemModel) toAPI(arn string, at path.Path) (api.PermissionSetInput, diag.Diagnostics) {
	var diags diag.Diagnostics
	in := api.PermissionSetInput{
		Id:              arn,
		Name:            m.Name.ValueString(),
		AccountId:       nullableStringToAPI(m.AccountID, false),
		Description:     nullableStringToAPI(m.Description, false),
		SessionDuration: nullableStringToAPI(m.SessionDuration, false),
		RelayState:      nullableStringToAPI(m.RelayState, false),
	}
	if !m.Rank.IsNull() && !m.Rank.IsUnknown() {
		in.Rank = nullable.NewNullableWithValue(int(m.Rank.ValueInt64()))
	}
	if !m.Metadata.IsNull() && !m.Metadata.IsUnknown() {
		md, err := decodePermissionSetMetadata(m.Metadata.ValueString())
		if err != nil {
			diags.AddAttributeError(at.AtName("metadata"), "Invalid Permission Set Metadata",
				fmt.Sprintf("metadata of permission set %q must be a JSON object such as jsonencode({ team = \"platform\" }): %v.", arn, err))
			return in, diags
		}
		in.Metadata = &md
	}
	return in, diags
}

// sameSettings reports whether two sets have the same settings, all
// attributes but last_synced_at, metadata compared as JSON values.
func (m permissionSetItemModel) sameSettings(o permissionSetItemModel) bool {
	return m.Name.Equal(o.Name) &&
		m.AccountID.Equal(o.AccountID) &&
		permissionSetMetadataEqual(m.Metadata, o.Metadata) &&
		m.Rank.Equal(o.Rank) &&
		m.Description.Equal(o.Description) &&
		m.SessionDuration.Equal(o.SessionDuration) &&
		m.RelayState.Equal(o.RelayState)
}

// Metadata ---------------------------------------------------------------------

// decodePermissionSetMetadata decodes a JSON object, keeping numbers as written
// (json.Number) so that they reach the server exactly.
func decodePermissionSetMetadata(s string) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("not valid JSON: text after the object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("got %s", permissionSetJSONKind(v))
	}
	return m, nil
}

func permissionSetJSONKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	default:
		return "a number"
	}
}

// permissionSetMetadataFromAPI is the metadata attribute for metadata read from the API.
// The API client decodes numbers as float64, so the comparison with prior
// decodes prior the same way: a number beyond float64 precision written by
// the user keeps its exact text in state instead of showing a diff.
func permissionSetMetadataFromAPI(md map[string]any, prior jsontypes.Normalized) jsontypes.Normalized {
	if md == nil {
		md = map[string]any{}
	}
	if !prior.IsNull() && !prior.IsUnknown() {
		var p any
		if err := json.Unmarshal([]byte(prior.ValueString()), &p); err == nil && reflect.DeepEqual(p, any(md)) {
			return prior
		}
	}
	b, err := json.Marshal(md) // keys sorted
	if err != nil {
		return jsontypes.NewNormalizedValue(permissionSetEmptyMetadata)
	}
	return jsontypes.NewNormalizedValue(string(b))
}

// permissionSetMetadataEqual compares two metadata values as JSON values (key order,
// whitespace and number spelling aside).
func permissionSetMetadataEqual(a, b jsontypes.Normalized) bool {
	if a.IsNull() || a.IsUnknown() || b.IsNull() || b.IsUnknown() {
		return a.Equal(b)
	}
	if a.ValueString() == b.ValueString() {
		return true
	}
	var x, y any
	if json.Unmarshal([]byte(a.ValueString()), &x) != nil || json.Unmarshal([]byte(b.ValueString()), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// permissionSetMetadataObject accepts a string holding a JSON object. Text that is not
// JSON at all is left to jsontypes.Normalized's own validation.
type permissionSetMetadataObject struct{}

var _ validator.String = permissionSetMetadataObject{}

func (permissionSetMetadataObject) Description(context.Context) string {
	return `value must be a JSON object, such as jsonencode({ team = "platform" })`
}

func (v permissionSetMetadataObject) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (permissionSetMetadataObject) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || !json.Valid([]byte(req.ConfigValue.ValueString())) {
		return
	}
	if _, err := decodePermissionSetMetadata(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Permission Set Metadata",
			fmt.Sprintf("%s must be a JSON object, such as jsonencode({ team = \"platform\" }), %s.", req.Path, err))
	}
}

// permissionSetMetadataKeepState plans the prior state's metadata when the configured
// one is the same JSON value written differently (key order, whitespace),
// so that reformatting the configuration plans no change.
type permissionSetMetadataKeepState struct{}

var _ planmodifier.String = permissionSetMetadataKeepState{}

func (permissionSetMetadataKeepState) Description(context.Context) string {
	return "A metadata value equal as JSON to the current one plans no change."
}

func (m permissionSetMetadataKeepState) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (permissionSetMetadataKeepState) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	a := jsontypes.NewNormalizedValue(req.StateValue.ValueString())
	b := jsontypes.NewNormalizedValue(req.PlanValue.ValueString())
	if permissionSetMetadataEqual(a, b) {
		resp.PlanValue = req.StateValue
	}
}

// Schema -------------------------------------------------------------------------

// permissionSetItemAttributes are the resource schema attributes of one
// set but its ARN. Each call returns a new map.
func permissionSetItemAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"name": schema.StringAttribute{
			MarkdownDescription: "The permission set's name as in IAM Identity Center, 1 to 256 characters.",
			Required:            true,
			Validators:          []validator.String{stringvalidator.LengthBetween(1, api.MaxPermissionSetNameLength)},
		},
		"account_id": schema.StringAttribute{
			MarkdownDescription: "The 12-digit AWS account id the permission set belongs to. Omit it for none.",
			Optional:            true,
			Validators:          []validator.String{awsAccountIDValue()},
		},
		"metadata": schema.StringAttribute{
			MarkdownDescription: "Free-form metadata, a JSON object string (use `jsonencode({ ... })`). " +
				"It is compared as JSON: key order, whitespace and formatting never show as a difference, " +
				"numbers are stored exactly as written. Omitting it is the same as `jsonencode({})` " +
				"(the API stores an absent metadata as `{}`), and it then reads as `\"{}\"`.",
			CustomType:    jsontypes.NormalizedType{},
			Optional:      true,
			Computed:      true,
			Default:       stringdefault.StaticString(permissionSetEmptyMetadata),
			Validators:    []validator.String{permissionSetMetadataObject{}},
			PlanModifiers: []planmodifier.String{permissionSetMetadataKeepState{}},
		},
		"rank": schema.Int64Attribute{
			MarkdownDescription: "An ordering hint for clients that list permission sets. Omit it for none.",
			Optional:            true,
		},
		"description": schema.StringAttribute{
			MarkdownDescription: "A description of the permission set, at most 1024 characters. Omit it for none.",
			Optional:            true,
			Validators:          []validator.String{stringvalidator.LengthAtMost(api.MaxPermissionSetDescriptionLength)},
		},
		"session_duration": schema.StringAttribute{
			MarkdownDescription: "How long a session lasts, an ISO 8601 duration such as `PT8H` (8 hours), `PT30M` or `P1D`. Omit it for none.",
			Optional:            true,
			Validators:          []validator.String{stringvalidator.LengthBetween(1, api.MaxSessionDurationLength), iso8601DurationValue()},
		},
		"relay_state": schema.StringAttribute{
			MarkdownDescription: "The relay state, a URL users land on after sign-in, at most 240 characters. Omit it for none.",
			Optional:            true,
			Validators:          []validator.String{stringvalidator.LengthAtMost(api.MaxRelayStateLength)},
		},
		"last_synced_at": schema.StringAttribute{
			MarkdownDescription: "When the permission set was last written to the cache (RFC 3339, UTC). " +
				"Every write sets it, so it is known after apply whenever the set changes, and kept otherwise.",
			CustomType: timetypes.RFC3339Type{},
			Computed:   true,
		},
	}
}

// API errors ----------------------------------------------------------------

// permissionSetResourcesLocation matches a validation location of a bulk upsert,
// "resources[3].session_duration" or "resources[3]".
var permissionSetResourcesLocation = regexp.MustCompile(`^resources\[(\d+)\](?:\.([a-z_]+))?`)

// parsePermissionSetLocation splits a bulk upsert location into the item index
// and its field ("" for the item itself).
func parsePermissionSetLocation(loc string) (index int, field string, ok bool) {
	m := permissionSetResourcesLocation.FindStringSubmatch(loc)
	if m == nil {
		return 0, "", false
	}
	i, err := strconv.Atoi(m[1])
	if err != nil {
		return 0, "", false
	}
	return i, m[2], true
}

// permissionSetItemFields are the fields of an upsert item with an
// attribute of the same name.
var permissionSetItemFields = map[string]bool{
	"name": true, "account_id": true, "metadata": true, "rank": true,
	"description": true, "session_duration": true, "relay_state": true,
}

// Bulk helpers ----------------------------------------------------------------

// permissionSetsDiff is what turns one map of sets into another.
type permissionSetsDiff struct {
	Upsert []string // ARNs added or changed, sorted
	Delete []string // ARNs dropped, sorted
}

// diffPermissionSets compares the prior map of sets with the planned one.
func diffPermissionSets(prior, planned map[string]permissionSetItemModel) permissionSetsDiff {
	var d permissionSetsDiff
	for arn, p := range planned {
		if old, ok := prior[arn]; !ok || !old.sameSettings(p) {
			d.Upsert = append(d.Upsert, arn)
		}
	}
	for arn := range prior {
		if _, ok := planned[arn]; !ok {
			d.Delete = append(d.Delete, arn)
		}
	}
	slices.Sort(d.Upsert)
	slices.Sort(d.Delete)
	return d
}

// permissionSetChunks splits s into slices of at most n elements.
func permissionSetChunks[T any](s []T, n int) [][]T {
	var out [][]T
	for len(s) > 0 {
		k := min(n, len(s))
		out = append(out, s[:k:k])
		s = s[k:]
	}
	return out
}

// findPermissionSets walks the tenant's sets once, in pages of
// api.MaxPageSize, and returns those whose ARN is in want. The list
// is ordered by id, so the walk stops once it passes the greatest wanted
// ARN or has found them all.
func findPermissionSets(ctx context.Context, c *client.Client, want []string) (map[string]api.PermissionSet, error) {
	found := make(map[string]api.PermissionSet, len(want))
	if len(want) == 0 {
		return found, nil
	}
	wanted := make(map[string]bool, len(want))
	last := ""
	for _, arn := range want {
		wanted[arn] = true
		last = max(last, arn)
	}
	for ps, err := range c.AllPermissionSets(ctx, api.ListPermissionSetsParams{Limit: new(api.MaxPageSize)}) {
		if err != nil {
			return nil, err
		}
		if wanted[ps.Id] {
			found[ps.Id] = ps
		}
		if len(found) == len(wanted) || ps.Id >= last {
			break
		}
	}
	return found, nil
}

// Conditional writes -------------------------------------------------------------

// permissionSetETagKey is the private state key of the ETags of the last
// read: a JSON string for jitsudo_permission_set, a JSON object ARN ->
// ETag for jitsudo_permission_sets. Every update and delete sends them as
// if_match, so that a set changed outside Terraform since it was read is
// never overwritten.
const permissionSetETagKey = privateETagKey

// permissionSetGetETags reads the private ETags into v (a *string or a
// *map[string]string); absent or undecodable private data leaves v as it
// is (the writes then only require the sets to exist).
func permissionSetGetETags(ctx context.Context, p privateGetter, v any) diag.Diagnostics {
	if p == nil {
		return nil
	}
	b, diags := p.GetKey(ctx, permissionSetETagKey)
	if diags.HasError() || len(b) == 0 {
		return diags
	}
	if err := json.Unmarshal(b, v); err != nil {
		tflog.Warn(ctx, "Ignoring undecodable permission set ETags in private state", map[string]any{"error": err.Error()})
	}
	return diags
}

// permissionSetSetETags stores v (a string or a map[string]string) as the
// private ETags; an empty v removes them.
func permissionSetSetETags(ctx context.Context, p privateSetter, v any) diag.Diagnostics {
	if p == nil {
		return nil
	}
	switch t := v.(type) {
	case string:
		if t == "" {
			return p.SetKey(ctx, permissionSetETagKey, nil)
		}
	case map[string]string:
		if len(t) == 0 {
			return p.SetKey(ctx, permissionSetETagKey, nil)
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Unexpected Permission Set ETags", fmt.Sprintf("Encoding the ETags for private state failed: %v. This is a bug in the provider; please report it.", err))
		return diags
	}
	return p.SetKey(ctx, permissionSetETagKey, b)
}

// permissionSetIsIntended reports whether a set read from the API has the
// settings the write meant to give it (last_synced_at and etag aside).
func permissionSetIsIntended(ps api.PermissionSet, want permissionSetItemModel) bool {
	return permissionSetItemFromAPI(ps, &want).sameSettings(want)
}

// permissionSetFailedItems returns the indexes of the upsert items whose
// precondition failed, from the 412's details.validation; nil when it
// names none (then every item must be treated as failed).
func permissionSetFailedItems(err error) map[int]bool {
	var ae *client.APIError
	if !errors.As(err, &ae) {
		return nil
	}
	var out map[int]bool
	for _, v := range ae.Validation() {
		if i, field, ok := parsePermissionSetLocation(v.Location); ok && (field == "if_match" || field == "if_none_match" || field == "") {
			if out == nil {
				out = map[int]bool{}
			}
			out[i] = true
		}
	}
	return out
}

// permissionSetIfMatchLocation matches the location of a failed bulk
// delete precondition, if_match["<id>"] (the id as a JSON string).
var permissionSetIfMatchLocation = regexp.MustCompile(`^if_match\[(".*")\]$`)

// permissionSetFailedDeletes returns the ids whose delete precondition
// failed, from the 412's details.validation; nil when it names none.
func permissionSetFailedDeletes(err error) map[string]bool {
	var ae *client.APIError
	if !errors.As(err, &ae) {
		return nil
	}
	var out map[string]bool
	for _, v := range ae.Validation() {
		m := permissionSetIfMatchLocation.FindStringSubmatch(v.Location)
		if m == nil {
			continue
		}
		var id string
		if json.Unmarshal([]byte(m[1]), &id) != nil {
			continue
		}
		if out == nil {
			out = map[string]bool{}
		}
		out[id] = true
	}
	return out
}

// readPermissionSet reads one set for a refresh: from the list this
// provider process fetches once (refresh by list), or with its own GET
// when this process wrote the set since. A set that is not in the list is
// an error matching client.ErrNotFound.
func readPermissionSet(ctx context.Context, c *client.Client, caches *refreshCaches, arn string) (*api.PermissionSet, error) {
	if caches == nil {
		return c.GetPermissionSet(ctx, arn)
	}
	all, ok, err := caches.PermissionSets.get(ctx, "", arn, fetchAllPermissionSets(c))
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return c.GetPermissionSet(ctx, arn)
	}
	if ps, found := all[arn]; found {
		return ps, nil
	}
	return nil, fmt.Errorf("permission set %s is not in the list of permission sets: %w", arn, client.ErrNotFound)
}

// readPermissionSets reads many sets for a refresh, like
// readPermissionSet: those written by this process since the list was
// fetched are read with a walk of their own. Sets that do not exist are
// not in the result.
func readPermissionSets(ctx context.Context, c *client.Client, caches *refreshCaches, arns []string) (map[string]*api.PermissionSet, error) {
	found := make(map[string]*api.PermissionSet, len(arns))
	if len(arns) == 0 {
		return found, nil
	}
	var own []string
	if caches == nil {
		own = arns
	} else {
		fetch := fetchAllPermissionSets(c)
		for _, arn := range arns {
			all, ok, err := caches.PermissionSets.get(ctx, "", arn, fetch)
			if err != nil {
				return nil, err
			}
			if !ok {
				own = append(own, arn)
			} else if ps, exists := all[arn]; exists {
				found[arn] = ps
			}
		}
	}
	if len(own) > 0 {
		sets, err := findPermissionSets(ctx, c, own)
		if err != nil {
			return nil, err
		}
		for arn, ps := range sets {
			found[arn] = &ps
		}
	}
	return found, nil
}

// fetchAllPermissionSets lists every set of the tenant, in pages of
// api.MaxPageSize, by ARN.
func fetchAllPermissionSets(c *client.Client) func(context.Context) (map[string]*api.PermissionSet, error) {
	return func(ctx context.Context) (map[string]*api.PermissionSet, error) {
		out := map[string]*api.PermissionSet{}
		for ps, err := range c.AllPermissionSets(ctx, api.ListPermissionSetsParams{Limit: new(api.MaxPageSize)}) {
			if err != nil {
				return nil, err
			}
			out[ps.Id] = &ps
		}
		tflog.Debug(ctx, "Listed the permission sets for refresh", map[string]any{"count": len(out)})
		return out, nil
	}
}

// forgetPermissionSets marks sets as written by this process: later
// refreshes in this process read them on their own, not from the list
// fetched before.
func forgetPermissionSets(caches *refreshCaches, arns ...string) {
	if caches != nil {
		caches.PermissionSets.forget("", arns...)
	}
}
