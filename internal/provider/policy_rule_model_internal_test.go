package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// policyRuleModelCases are models of every shape: structured and raw,
// with null, unknown and known nested values.
func policyRuleModelCases(t *testing.T) map[string]policyRuleModel {
	t.Helper()
	scope := func(s, typ, id, in string) types.Object {
		str := func(v string) types.String {
			if v == "" {
				return types.StringNull()
			}
			return types.StringValue(v)
		}
		o, d := types.ObjectValue(policyRuleScopeAttrTypes, map[string]attr.Value{
			"scope": types.StringValue(s), "entity_type": str(typ), "entity_id": str(id), "in_entity_type": str(in),
		})
		if d.HasError() {
			t.Fatal(d)
		}
		return o
	}
	action := func(s string, ids ...string) types.Object {
		list, d := types.ListValueFrom(context.Background(), types.StringType, ids)
		if d.HasError() {
			t.Fatal(d)
		}
		o, d := types.ObjectValue(policyRuleActionAttrTypes, map[string]attr.Value{"scope": types.StringValue(s), "ids": list})
		if d.HasError() {
			t.Fatal(d)
		}
		return o
	}
	null := policyRuleModel{
		ID: types.StringNull(), PolicyID: types.StringNull(), Ordinal: types.Int64Null(), Effect: types.StringNull(),
		Principal: types.ObjectNull(policyRuleScopeAttrTypes), Action: types.ObjectNull(policyRuleActionAttrTypes),
		Resource: types.ObjectNull(policyRuleScopeAttrTypes), Conditions: types.StringNull(), PolicyText: types.StringNull(),
		Notice: types.StringNull(), AuditSession: types.BoolNull(), CreatedAt: timetypes.NewRFC3339Null(), UpdatedAt: timetypes.NewRFC3339Null(),
		Timeouts: nullTimeouts(context.Background()),
	}
	structured := null
	structured.ID = types.StringValue("0b6a3c1e-8f0e-4c36-9d8a-6a1f7f0d2b11")
	structured.PolicyID = types.StringValue("5d0c1b7e-3a51-4f0b-8f43-0d9c4f6b2a10")
	structured.Ordinal = types.Int64Value(7)
	structured.Effect = types.StringValue("permit")
	structured.Principal = scope("in", "Group", "sre", "")
	structured.Action = action("in", "request_access", "extend")
	structured.Resource = scope("is_in", "AwsPermissionSet", "123456789012", "AwsAccount")
	structured.Conditions = types.StringValue("when { context.mfa_authenticated }")
	structured.PolicyText = types.StringValue("permit (...);")
	structured.Notice = types.StringValue("audited")
	structured.AuditSession = types.BoolValue(true)
	structured.CreatedAt = timetypes.NewRFC3339ValueMust("2026-11-30T10:00:00Z")
	structured.UpdatedAt = timetypes.NewRFC3339ValueMust("2026-11-30T11:00:00Z")
	to, d := types.ObjectValue(null.Timeouts.AttributeTypes(context.Background()), map[string]attr.Value{
		"create": types.StringValue("5m"), "update": types.StringNull(), "delete": types.StringValue("1h"),
	})
	if d.HasError() {
		t.Fatal(d)
	}
	structured.Timeouts = timeouts.Value{Object: to}

	unknown := structured
	unknown.ID, unknown.Ordinal, unknown.PolicyText, unknown.UpdatedAt = types.StringUnknown(), types.Int64Unknown(), types.StringUnknown(), timetypes.NewRFC3339Unknown()
	unknown.Principal = types.ObjectUnknown(policyRuleScopeAttrTypes)
	emptyIDs := structured
	emptyIDs.Action = action("any")

	raw := null
	raw.PolicyID = types.StringUnknown()
	raw.PolicyText = types.StringValue("forbid (principal, action, resource)\nunless { context.mfa_authenticated };")
	raw.AuditSession = types.BoolValue(false)

	return map[string]policyRuleModel{"all null": null, "structured": structured, "unknowns": unknown, "empty ids": emptyIDs, "raw": raw}
}

// fromTerraform and toTerraform agree with the framework's Get and Set.
func TestPolicyRuleModelTerraform(t *testing.T) {
	ctx := context.Background()
	var sr resource.SchemaResponse
	(&policyRuleResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
	for name, m := range policyRuleModelCases(t) {
		t.Run(name, func(t *testing.T) {
			// Set (reflection) and toTerraform give the same value.
			want := tfsdk.Plan{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
			if d := want.Set(ctx, &m); d.HasError() {
				t.Fatalf("Set: %v", d)
			}
			got, d := m.toTerraform(ctx)
			if d.HasError() {
				t.Fatalf("toTerraform: %v", d)
			}
			if !got.Equal(want.Raw) {
				t.Fatalf("toTerraform =\n%s\nwant (Set)\n%s", got, want.Raw)
			}
			// Get (reflection) and fromTerraform read the same model.
			var viaGet, viaFrom policyRuleModel
			if d := want.Get(ctx, &viaGet); d.HasError() {
				t.Fatalf("Get: %v", d)
			}
			if d := viaFrom.fromTerraform(ctx, got); d.HasError() {
				t.Fatalf("fromTerraform: %v", d)
			}
			if !viaFrom.equal(&viaGet) || !viaFrom.equal(&m) {
				t.Fatalf("fromTerraform = %+v\nGet = %+v\nwant %+v", viaFrom, viaGet, m)
			}
		})
	}
	t.Run("not an object", func(t *testing.T) {
		var m policyRuleModel
		if d := m.fromTerraform(ctx, tftypes.NewValue(tftypes.String, "x")); !d.HasError() {
			t.Fatal("fromTerraform of a string: no error")
		}
	})
}

// BenchmarkPolicyRuleModel compares the framework's Get and Set with
// fromTerraform and toTerraform on a structured rule.
func BenchmarkPolicyRuleModel(b *testing.B) {
	ctx := context.Background()
	var sr resource.SchemaResponse
	(&policyRuleResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
	t := &testing.T{}
	m := policyRuleModelCases(t)["structured"]
	plan := tfsdk.Plan{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
	if d := plan.Set(ctx, &m); d.HasError() {
		b.Fatal(d)
	}
	b.Run("Get+Set", func(b *testing.B) {
		for b.Loop() {
			var got policyRuleModel
			_ = plan.Get(ctx, &got)
			p := plan
			_ = p.Set(ctx, &got)
		}
	})
	b.Run("fromTerraform+toTerraform", func(b *testing.B) {
		for b.Loop() {
			var got policyRuleModel
			_ = got.fromTerraform(ctx, plan.Raw)
			_, _ = got.toTerraform(ctx)
		}
	})
}
