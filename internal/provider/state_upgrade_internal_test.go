package provider

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestRawUpgradeMatchesFramework compares the raw UpgradeResourceState at
// the current version with the framework's, for every resource type:
// every attribute set, every attribute null, an attribute the schema no
// longer has, and the stored permission sets of an older release.
func TestRawUpgradeMatchesFramework(t *testing.T) {
	ctx := context.Background()
	framework, schemas := frameworkServer(t)
	types := resourceStateTypes()
	if len(types) != len(schemas.ResourceSchemas) || len(types) == 0 {
		t.Fatalf("%d resource state types, %d resource schemas", len(types), len(schemas.ResourceSchemas))
	}
	raw := &rawPlanServer{ProviderServer: framework}
	for typeName, st := range types {
		if st.version != schemas.ResourceSchemas[typeName].Version {
			t.Fatalf("%s: version %d, the framework's %d", typeName, st.version, schemas.ResourceSchemas[typeName].Version)
		}
		states := map[string]string{
			"set":  sampleStateJSON(t, st.typ, true),
			"null": sampleStateJSON(t, st.typ, false),
		}
		if typeName == permissionSetsTypeName {
			states["release"] = `{"id":"permission-sets","permission_sets":{"arn:aws:sso:::permissionSet/i/ps-a":{"name":"A","account_id":null,"metadata":"{\"x\":1}",` +
				`"rank":7,"description":null,"session_duration":"PT8H","relay_state":null,"last_synced_at":"2026-01-01T00:00:00Z","dropped_attribute":1}}}`
		}
		for name, state := range states {
			t.Run(typeName+"/"+name, func(t *testing.T) {
				req := &tfprotov6.UpgradeResourceStateRequest{TypeName: typeName, Version: st.version, RawState: &tfprotov6.RawState{JSON: []byte(state)}}
				want, err := framework.UpgradeResourceState(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				psCheckDiags(t, "framework UpgradeResourceState", want.Diagnostics)
				got, err := raw.UpgradeResourceState(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				psCheckDiags(t, "raw UpgradeResourceState", got.Diagnostics)
				psCheckSameValue(t, st.typ, "upgrade", got.UpgradedState, want.UpgradedState)
			})
		}
	}
}

// frameworkServer is the framework's server of the provider, without the
// raw RPCs, and its schemas.
func frameworkServer(t *testing.T) (tfprotov6.ProviderServer, *tfprotov6.GetProviderSchemaResponse) {
	t.Helper()
	framework, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := framework.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return framework, schemas
}

// sampleStateJSON is a stored state of type typ (an object) with an
// attribute the schema does not have; set fills every attribute with a
// value of its type (dynamic ones stay null), otherwise all are null.
func sampleStateJSON(t *testing.T, typ tftypes.Type, set bool) string {
	t.Helper()
	obj := map[string]any{"dropped_attribute": 1}
	for name, at := range typ.(tftypes.Object).AttributeTypes {
		obj[name] = nil
		if set {
			obj[name] = sampleJSONValue(at)
		}
	}
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sampleJSONValue(typ tftypes.Type) any {
	switch {
	case typ.Is(tftypes.String):
		return "x"
	case typ.Is(tftypes.Number):
		return 7
	case typ.Is(tftypes.Bool):
		return true
	case typ.Is(tftypes.List{}), typ.Is(tftypes.Set{}):
		var ety tftypes.Type
		if l, ok := typ.(tftypes.List); ok {
			ety = l.ElementType
		} else {
			ety = typ.(tftypes.Set).ElementType
		}
		return []any{sampleJSONValue(ety)}
	case typ.Is(tftypes.Map{}):
		return map[string]any{"k": sampleJSONValue(typ.(tftypes.Map).ElementType)}
	case typ.Is(tftypes.Object{}):
		obj := map[string]any{}
		for name, at := range typ.(tftypes.Object).AttributeTypes {
			obj[name] = sampleJSONValue(at)
		}
		return obj
	}
	return nil // dynamic
}
