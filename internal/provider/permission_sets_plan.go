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
// TestPermissionSetsRawPlanMatchesFramework compares both plans.
// UpgradeResourceState at the current version is answered on raw values
// for every resource type (state_upgrade.go). Every other RPC, and plans
// of any other resource type, go to the framework.

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
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
		fw := framework()
		return withListResources(&rawPlanServer{ProviderServer: fw}, fw)
	}
}

// rawPlanServer is the framework's provider server with
// PlanResourceChange of jitsudo_permission_sets answered on raw values, and
// so are the plans of unchanged resources (plan_unchanged.go) and
// UpgradeResourceState at the current version (state_upgrade.go).
type rawPlanServer struct {
	tfprotov6.ProviderServer

	// configured is set by a ConfigureProvider without errors and without
	// unknown values (see rawPlanServer.ConfigureProvider).
	configured atomic.Bool
}

func (s *rawPlanServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	if req.TypeName != permissionSetsTypeName {
		if resp := s.planUnchanged(req); resp != nil {
			return resp, nil
		}
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

// permissionSetsRawType is the value type of jitsudo_permission_sets.
func permissionSetsRawType() tftypes.Object {
	return resourceStateTypes()[permissionSetsTypeName].typ.(tftypes.Object)
}

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
func planPermissionSetsRaw(_ context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	typ := permissionSetsRawType()
	config, prior, proposed, err := rawDecodePlanRequest(req, typ)
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
	p, err := newRawPlan(typ, config, prior, proposed)
	if err != nil {
		return nil, err
	}
	if err := p.applyDefaults(); err != nil {
		return nil, err
	}
	planned, err := p.build()
	if err != nil {
		return nil, err
	}
	if !planned.Equal(prior) {
		p.markComputedUnknown()
	}
	if err := p.applyPlanModifiers(); err != nil {
		return nil, err
	}
	if planned, err = p.build(); err != nil {
		return nil, err
	}
	dv, err := tfprotov6.NewDynamicValue(typ, planned)
	if err != nil {
		return nil, err
	}
	resp.PlannedState = &dv
	return resp, nil
}

// rawDecodePlanRequest decodes the configuration, the prior state and the
// proposed new state of a plan request.
func rawDecodePlanRequest(req *tfprotov6.PlanResourceChangeRequest, typ tftypes.Object) (config, prior, proposed tftypes.Value, err error) {
	if config, err = rawDecode(req.Config, typ); err != nil {
		return
	}
	if prior, err = rawDecode(req.PriorState, typ); err != nil {
		return
	}
	proposed, err = rawDecode(req.ProposedNewState, typ)
	return
}

// rawPlan is a plan of jitsudo_permission_sets being made: the attributes
// of the configuration, the prior state and the plan (which the steps
// change), and those of each planned set.
type rawPlan struct {
	typ     tftypes.Object
	mapTyp  tftypes.Map
	elemTyp tftypes.Object

	planAttrs, configAttrs, priorAttrs map[string]tftypes.Value
	planSets, configSets, priorSets    map[string]tftypes.Value
	// elems are the planned sets as attribute maps (nil: null or unknown
	// element).
	elems map[string]map[string]tftypes.Value
}

// newRawPlan takes the values apart; proposed is known and not null.
func newRawPlan(typ tftypes.Object, config, prior, proposed tftypes.Value) (*rawPlan, error) {
	p := &rawPlan{typ: typ}
	var ok bool
	if p.mapTyp, ok = typ.AttributeTypes["permission_sets"].(tftypes.Map); !ok {
		return nil, fmt.Errorf("permission_sets is a %s", typ.AttributeTypes["permission_sets"])
	}
	if p.elemTyp, ok = p.mapTyp.ElementType.(tftypes.Object); !ok {
		return nil, fmt.Errorf("permission_sets elements are %s", p.mapTyp.ElementType)
	}
	var err error
	if p.planAttrs, err = rawObject(proposed); err != nil {
		return nil, err
	}
	if p.configAttrs, err = rawObject(config); err != nil {
		return nil, err
	}
	if p.priorAttrs, err = rawObject(prior); err != nil {
		return nil, err
	}
	if p.configSets, err = rawMap(p.configAttrs["permission_sets"]); err != nil {
		return nil, err
	}
	if p.priorSets, err = rawMap(p.priorAttrs["permission_sets"]); err != nil {
		return nil, err
	}
	if p.planSets, err = rawMap(p.planAttrs["permission_sets"]); err != nil {
		return nil, err
	}
	return p, nil
}

// applyDefaults fills elems from the planned sets, with the default of
// metadata: null in the configuration is "{}".
func (p *rawPlan) applyDefaults() error {
	p.elems = make(map[string]map[string]tftypes.Value, len(p.planSets))
	emptyMetadata := tftypes.NewValue(tftypes.String, permissionSetEmptyMetadata)
	for arn, v := range p.planSets {
		a, err := rawObject(v)
		if err != nil {
			return err
		}
		p.elems[arn] = a
		if a == nil {
			continue
		}
		ca, err := rawObject(p.configSets[arn])
		if err != nil {
			return err
		}
		if ca != nil && ca["metadata"].IsNull() {
			a["metadata"] = emptyMetadata
		}
	}
	return nil
}

// build is the planned value as the attributes stand.
func (p *rawPlan) build() (tftypes.Value, error) {
	out := make(map[string]tftypes.Value, len(p.planAttrs))
	for k, v := range p.planAttrs {
		out[k] = v
	}
	if p.planSets != nil {
		m := make(map[string]tftypes.Value, len(p.elems))
		for arn, a := range p.elems {
			if a == nil {
				m[arn] = p.planSets[arn]
				continue
			}
			if err := tftypes.ValidateValue(p.elemTyp, a); err != nil {
				return tftypes.Value{}, err
			}
			m[arn] = tftypes.NewValue(p.elemTyp, a)
		}
		out["permission_sets"] = tftypes.NewValue(p.mapTyp, m)
	}
	if err := tftypes.ValidateValue(p.typ, out); err != nil {
		return tftypes.Value{}, err
	}
	return tftypes.NewValue(p.typ, out), nil
}

// markComputedUnknown is the framework's plan on any change: computed
// attributes null in the configuration become unknown (id; last_synced_at
// of every set; metadata has a default).
func (p *rawPlan) markComputedUnknown() {
	unknown := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	if p.configAttrs["id"].IsNull() {
		p.planAttrs["id"] = unknown
	}
	for arn, a := range p.elems {
		if a == nil {
			continue
		}
		if ca, _ := rawObject(p.configSets[arn]); ca != nil && ca["last_synced_at"].IsNull() {
			a["last_synced_at"] = unknown
		}
	}
}

// applyPlanModifiers runs the plan modifiers (id UseStateForUnknown,
// metadata kept when equal as JSON) and the resource's ModifyPlan
// (last_synced_at kept for a set that does not change).
func (p *rawPlan) applyPlanModifiers() error {
	if p.priorAttrs != nil && !p.planAttrs["id"].IsKnown() && p.configAttrs["id"].IsKnown() {
		p.planAttrs["id"] = p.priorAttrs["id"]
	}
	for arn, a := range p.elems {
		if a == nil {
			continue
		}
		sa, err := rawObject(p.priorSets[arn])
		if err != nil {
			return err
		}
		if sa == nil {
			continue
		}
		if rawMetadataEqual(sa["metadata"], a["metadata"]) {
			a["metadata"] = sa["metadata"]
		}
		if !a["last_synced_at"].IsKnown() && p.priorAttrs != nil && rawSameSettings(a, sa) {
			a["last_synced_at"] = sa["last_synced_at"]
		}
	}
	return nil
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
