package provider

// Planning jitsudo_permission_sets on raw values.
//
// terraform-plugin-framework v1.19 plans a map nested attribute in time
// quadratic in its size: for every element, its attribute plan modification
// looks the element up in the configuration and in the prior state with
// MapValue.Elements()[key] (internal/fwserver/attr_value.go,
// mapElemObject), and Elements() copies the whole map each time. With
// 10,000 permission sets that is 20,000 copies of a 10,000-element map per
// PlanResourceChange, half a minute of CPU for a plan that changes nothing
// (BENCHMARKS.md, "jitsudo_permission_sets at 10,000"). Every nested shape
// (list, set, map) has the same lookup, and a non-nested map of objects
// could not keep last_synced_at per set or the metadata default.
//
// So PlanResourceChange of jitsudo_permission_sets is answered here, on
// the tftypes values, in time linear in the number of sets, with exactly
// what the framework would plan for this schema: the metadata default, the
// computed attributes marked unknown when anything changes, the plan
// modifiers (id UseStateForUnknown, metadata kept when equal as JSON) and
// the resource's ModifyPlan (last_synced_at kept for unchanged sets).
// TestPermissionSetsRawPlanMatchesFramework compares both plans. The same
// goes for UpgradeResourceState at the current version. Every other RPC,
// and these for any other resource type, go to the framework.

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// permissionSetsTypeName is the type name of jitsudo_permission_sets.
const permissionSetsTypeName = "jitsudo_permission_sets"

// NewProtocol6Server returns the provider's protocol version 6 server: the
// framework's server for New(version), with the plan of
// jitsudo_permission_sets made on raw values (see above). Serve it with
// tf6server.Serve, or use it as a ProtoV6ProviderFactories entry.
func NewProtocol6Server(version string) func() tfprotov6.ProviderServer {
	framework := providerserver.NewProtocol6(New(version)())
	return func() tfprotov6.ProviderServer {
		return &rawPlanServer{ProviderServer: framework()}
	}
}

// rawPlanServer is the framework's provider server with
// PlanResourceChange of jitsudo_permission_sets answered on raw values.
type rawPlanServer struct {
	tfprotov6.ProviderServer
}

func (s *rawPlanServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	if req.TypeName != permissionSetsTypeName {
		return s.ProviderServer.PlanResourceChange(ctx, req)
	}
	resp, err := planPermissionSetsRaw(ctx, req)
	if err != nil {
		// Values this plan does not expect: the framework knows best.
		tflog.Debug(ctx, "Planning jitsudo_permission_sets through the framework", map[string]any{"reason": err.Error()})
		return s.ProviderServer.PlanResourceChange(ctx, req)
	}
	return resp, nil
}

// UpgradeResourceState of jitsudo_permission_sets at the current schema
// version (terraform calls it before every refresh) is the framework's
// round trip of the stored JSON state through the schema's type, without
// the framework's per-value schema lookups, which for 10,000 sets cost
// more than half a second and hundreds of MB of garbage.
func (s *rawPlanServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	if req == nil || req.TypeName != permissionSetsTypeName || req.Version != 0 || req.RawState == nil {
		return s.ProviderServer.UpgradeResourceState(ctx, req)
	}
	typ := permissionSetsRawType()
	v, err := req.RawState.UnmarshalWithOpts(typ, tfprotov6.UnmarshalOpts{
		ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true},
	})
	if err != nil {
		return s.ProviderServer.UpgradeResourceState(ctx, req) // the framework's diagnostics
	}
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		return s.ProviderServer.UpgradeResourceState(ctx, req)
	}
	return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: &dv}, nil
}

// permissionSetsRawType is the value type of jitsudo_permission_sets.
var permissionSetsRawType = sync.OnceValue(func() tftypes.Object {
	var resp resource.SchemaResponse
	(&permissionSetsResource{}).Schema(context.Background(), resource.SchemaRequest{}, &resp)
	return resp.Schema.Type().TerraformType(context.Background()).(tftypes.Object)
})

// rawObject is the attributes of a known, non-null object (nil otherwise).
func rawObject(v tftypes.Value) (map[string]tftypes.Value, error) {
	if !v.IsKnown() || v.IsNull() {
		return nil, nil
	}
	var m map[string]tftypes.Value
	if err := v.As(&m); err != nil {
		return nil, err
	}
	return m, nil
}

func rawDecode(dv *tfprotov6.DynamicValue, typ tftypes.Type) (tftypes.Value, error) {
	if dv == nil {
		return tftypes.NewValue(typ, nil), nil
	}
	return dv.Unmarshal(typ)
}

// planPermissionSetsRaw plans jitsudo_permission_sets like the framework
// would, in linear time. An error means the values are not of the
// expected shape.
func planPermissionSetsRaw(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	typ := permissionSetsRawType()
	config, err := rawDecode(req.Config, typ)
	if err != nil {
		return nil, err
	}
	prior, err := rawDecode(req.PriorState, typ)
	if err != nil {
		return nil, err
	}
	proposed, err := rawDecode(req.ProposedNewState, typ)
	if err != nil {
		return nil, err
	}
	resp := &tfprotov6.PlanResourceChangeResponse{PlannedState: req.ProposedNewState, PlannedPrivate: req.PriorPrivate}
	if proposed.IsNull() {
		return resp, nil // destroy: nothing to plan
	}
	if !proposed.IsKnown() {
		return nil, fmt.Errorf("unknown proposed new state")
	}

	mapTyp, ok := typ.AttributeTypes["permission_sets"].(tftypes.Map)
	if !ok {
		return nil, fmt.Errorf("permission_sets is a %s", typ.AttributeTypes["permission_sets"])
	}
	elemTyp, ok := mapTyp.ElementType.(tftypes.Object)
	if !ok {
		return nil, fmt.Errorf("permission_sets elements are %s", mapTyp.ElementType)
	}

	planAttrs, err := rawObject(proposed)
	if err != nil {
		return nil, err
	}
	configAttrs, err := rawObject(config)
	if err != nil {
		return nil, err
	}
	priorAttrs, err := rawObject(prior)
	if err != nil {
		return nil, err
	}
	configSets, err := rawMap(configAttrs["permission_sets"])
	if err != nil {
		return nil, err
	}
	priorSets, err := rawMap(priorAttrs["permission_sets"])
	if err != nil {
		return nil, err
	}
	planSets, err := rawMap(planAttrs["permission_sets"])
	if err != nil {
		return nil, err
	}

	// The elements, as attribute maps (nil: null or unknown element).
	elems := make(map[string]map[string]tftypes.Value, len(planSets))
	emptyMetadata := tftypes.NewValue(tftypes.String, permissionSetEmptyMetadata)
	for arn, v := range planSets {
		a, err := rawObject(v)
		if err != nil {
			return nil, err
		}
		elems[arn] = a
		if a == nil {
			continue
		}
		// Defaults: metadata null in the configuration is "{}".
		ca, err := rawObject(configSets[arn])
		if err != nil {
			return nil, err
		}
		if ca != nil && ca["metadata"].IsNull() {
			a["metadata"] = emptyMetadata
		}
	}
	build := func() (tftypes.Value, error) {
		out := make(map[string]tftypes.Value, len(planAttrs))
		for k, v := range planAttrs {
			out[k] = v
		}
		if planSets != nil {
			m := make(map[string]tftypes.Value, len(elems))
			for arn, a := range elems {
				if a == nil {
					m[arn] = planSets[arn]
					continue
				}
				if err := tftypes.ValidateValue(elemTyp, a); err != nil {
					return tftypes.Value{}, err
				}
				m[arn] = tftypes.NewValue(elemTyp, a)
			}
			out["permission_sets"] = tftypes.NewValue(mapTyp, m)
		}
		if err := tftypes.ValidateValue(typ, out); err != nil {
			return tftypes.Value{}, err
		}
		return tftypes.NewValue(typ, out), nil
	}

	planned, err := build()
	if err != nil {
		return nil, err
	}
	// Any change: computed attributes null in the configuration become
	// unknown (id; last_synced_at of every set; metadata has a default).
	if !planned.Equal(prior) {
		unknown := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
		if configAttrs["id"].IsNull() {
			planAttrs["id"] = unknown
		}
		for arn, a := range elems {
			if a == nil {
				continue
			}
			if ca, _ := rawObject(configSets[arn]); ca != nil && ca["last_synced_at"].IsNull() {
				a["last_synced_at"] = unknown
			}
		}
	}

	// Plan modifiers. id: UseStateForUnknown.
	if priorAttrs != nil && !planAttrs["id"].IsKnown() && configAttrs["id"].IsKnown() {
		planAttrs["id"] = priorAttrs["id"]
	}
	for arn, a := range elems {
		if a == nil {
			continue
		}
		sa, err := rawObject(priorSets[arn])
		if err != nil {
			return nil, err
		}
		if sa == nil {
			continue
		}
		// metadata: the state's text when equal as JSON.
		if rawMetadataEqual(sa["metadata"], a["metadata"]) {
			a["metadata"] = sa["metadata"]
		}
		// ModifyPlan: last_synced_at kept for a set that does not change.
		if !a["last_synced_at"].IsKnown() && priorAttrs != nil && rawSameSettings(a, sa) {
			a["last_synced_at"] = sa["last_synced_at"]
		}
	}

	planned, err = build()
	if err != nil {
		return nil, err
	}
	dv, err := tfprotov6.NewDynamicValue(typ, planned)
	if err != nil {
		return nil, err
	}
	resp.PlannedState = &dv
	return resp, nil
}

// rawMap is the elements of a known, non-null map (nil otherwise).
func rawMap(v tftypes.Value) (map[string]tftypes.Value, error) {
	if v.Type() == nil || !v.IsKnown() || v.IsNull() {
		return nil, nil
	}
	var m map[string]tftypes.Value
	if err := v.As(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// rawString is a known, non-null string value.
func rawString(v tftypes.Value) (string, bool) {
	if v.Type() == nil || !v.IsKnown() || v.IsNull() {
		return "", false
	}
	var s string
	if err := v.As(&s); err != nil {
		return "", false
	}
	return s, true
}

// rawMetadataEqual is permissionSetMetadataKeepState on raw values: both
// known, non-null and equal as JSON.
func rawMetadataEqual(state, plan tftypes.Value) bool {
	a, ok := rawString(state)
	if !ok {
		return false
	}
	b, ok := rawString(plan)
	if !ok {
		return false
	}
	return permissionSetMetadataEqual(jsontypes.NewNormalizedValue(a), jsontypes.NewNormalizedValue(b))
}

// rawSameSettings is permissionSetItemModel.sameSettings on raw values.
func rawSameSettings(a, b map[string]tftypes.Value) bool {
	for _, name := range []string{"name", "account_id", "rank", "description", "session_duration", "relay_state"} {
		if !a[name].Equal(b[name]) {
			return false
		}
	}
	x, y := a["metadata"], b["metadata"]
	if x.Equal(y) {
		return true
	}
	return rawMetadataEqual(x, y)
}
