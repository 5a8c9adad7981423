package provider

import (
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// resourceStateType is what the raw RPCs need of a resource type's
// schema: its version and value type for UpgradeResourceState, and for
// the plan of an unchanged resource (plan_unchanged.go) the defaults of
// its attributes.
type resourceStateType struct {
	version int64
	typ     tftypes.Type
	// defaults are the top-level attributes with a default, and their
	// default values; defaultsKnown is false when an attribute has a
	// default that attributeDefaults cannot read.
	defaults      map[string]tftypes.Value
	defaultsKnown bool
	// identityType is the value type of the resource identity, nil
	// without one.
	identityType tftypes.Type
}

// resourceStateTypes are the state types of every resource type of the
// provider, by type name, built once per process.
var resourceStateTypes = sync.OnceValue(func() map[string]resourceStateType {
	ctx := context.Background()
	types := map[string]resourceStateType{}
	for _, newResource := range New("")().Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: providerTypeName}, &meta)
		var sch resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &sch)
		if sch.Diagnostics.HasError() {
			continue // the framework reports it
		}
		defaults, known := attributeDefaults(ctx, sch.Schema)
		st := resourceStateType{
			version: sch.Schema.Version, typ: sch.Schema.Type().TerraformType(ctx),
			defaults: defaults, defaultsKnown: known,
		}
		if ri, ok := r.(resource.ResourceWithIdentity); ok {
			var id resource.IdentitySchemaResponse
			ri.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &id)
			st.identityType = id.IdentitySchema.Type().TerraformType(ctx)
		}
		types[meta.TypeName] = st
	}
	return types
})

// UpgradeResourceState at a resource type's current schema version, which
// terraform calls for every resource before every refresh, is the
// framework's passthrough (fwserver.UpgradeResourceState: the stored JSON
// read with the schema's type, unknown attributes dropped) without the
// framework's per-call schema and type building, which is 6% of the
// provider's CPU in a no-change plan of 1,000 rules and, for 10,000
// permission sets, more than half a second and hundreds of MB of garbage.
// Older versions, and state the schema's type cannot read, go to the
// framework (its upgraders and its diagnostics).
// TestRawUpgradeMatchesFramework compares both.
func (s *rawPlanServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	if req == nil || req.RawState == nil {
		return s.ProviderServer.UpgradeResourceState(ctx, req)
	}
	st, ok := resourceStateTypes()[req.TypeName]
	if !ok || req.Version != st.version {
		return s.ProviderServer.UpgradeResourceState(ctx, req)
	}
	v, err := req.RawState.UnmarshalWithOpts(st.typ, tfprotov6.UnmarshalOpts{
		ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true},
	})
	if err != nil {
		return s.ProviderServer.UpgradeResourceState(ctx, req) // the framework's diagnostics
	}
	dv, err := tfprotov6.NewDynamicValue(st.typ, v)
	if err != nil {
		return s.ProviderServer.UpgradeResourceState(ctx, req)
	}
	return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: &dv}, nil
}
