package provider

// Conversions of policyRuleModel from and to Terraform values without the
// framework's reflection. tfsdk.Config.Get, Plan.Get/Set and State.Get/Set
// into a struct compile a regular expression per struct field on every call
// (terraform-plugin-framework v1.19.0, internal/reflect.isValidFieldName)
// and walk the schema once more for the struct; a plan calls them several
// times per rule (see "Provider CPU per rule" in BENCHMARKS.md).

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// policyRuleObjectType is the object type of the resource's schema, built
// once.
var policyRuleObjectType = sync.OnceValue(func() basetypes.ObjectType {
	var resp resource.SchemaResponse
	(&policyRuleResource{}).Schema(context.Background(), resource.SchemaRequest{}, &resp)
	t, ok := resp.Schema.Type().(basetypes.ObjectType)
	if !ok {
		panic(fmt.Sprintf("jitsudo_policy_rule: schema type is %T, not an object type", resp.Schema.Type()))
	}
	return t
})

// fromTerraform sets m from raw, a configuration, plan or state of the
// resource (not null), as tfsdk's Get would.
func (m *policyRuleModel) fromTerraform(ctx context.Context, raw tftypes.Value) diag.Diagnostics {
	var diags diag.Diagnostics
	v, err := policyRuleObjectType().ValueFromTerraform(ctx, raw)
	if err != nil {
		diags.AddError("Value Conversion Error", "An unexpected error was encountered converting the jitsudo_policy_rule value. "+
			"This is always a bug in the provider; please report it.\n\nError: "+err.Error())
		return diags
	}
	obj, ok := v.(basetypes.ObjectValue)
	if !ok || obj.IsNull() || obj.IsUnknown() {
		diags.AddError("Value Conversion Error", fmt.Sprintf("The jitsudo_policy_rule value is %s, not a known object. "+
			"This is always a bug in the provider; please report it.", v))
		return diags
	}
	a := obj.Attributes()
	str := func(name string) types.String {
		return policyRuleAttr[basetypes.StringValue](a, name, "a string", &diags)
	}
	timestamp := func(name string) timetypes.RFC3339 {
		return policyRuleAttr[timetypes.RFC3339](a, name, "a timestamp", &diags)
	}
	object := func(name string) types.Object {
		return policyRuleAttr[basetypes.ObjectValue](a, name, "an object", &diags)
	}
	*m = policyRuleModel{
		ID:           str("id"),
		PolicyID:     str("policy_id"),
		Ordinal:      policyRuleAttr[basetypes.Int64Value](a, "ordinal", "a number", &diags),
		Effect:       str("effect"),
		Principal:    object("principal"),
		Action:       object("action"),
		Resource:     object("resource"),
		Conditions:   str("conditions"),
		PolicyText:   str("policy_text"),
		Notice:       str("notice"),
		AuditSession: policyRuleAttr[basetypes.BoolValue](a, "audit_session", "a bool", &diags),
		CreatedAt:    timestamp("created_at"),
		UpdatedAt:    timestamp("updated_at"),
		Timeouts:     policyRuleAttr[timeouts.Value](a, "timeouts", "a timeouts value", &diags),
	}
	return diags
}

// policyRuleAttr is the attribute name of a jitsudo_policy_rule value as a
// T (kind names it in the error when it is not).
func policyRuleAttr[T attr.Value](a map[string]attr.Value, name, kind string, diags *diag.Diagnostics) T {
	v, ok := a[name].(T)
	if !ok {
		diags.AddError("Value Conversion Error", fmt.Sprintf("jitsudo_policy_rule attribute %s is %T, not %s. This is always a bug in the provider; please report it.", name, a[name], kind))
	}
	return v
}

// toTerraform is m as a value of the resource, as tfsdk's Set would
// store it.
func (m *policyRuleModel) toTerraform(ctx context.Context) (tftypes.Value, diag.Diagnostics) {
	obj, diags := types.ObjectValue(policyRuleObjectType().AttrTypes, map[string]attr.Value{
		"id":            m.ID,
		"policy_id":     m.PolicyID,
		"ordinal":       m.Ordinal,
		"effect":        m.Effect,
		"principal":     m.Principal,
		"action":        m.Action,
		"resource":      m.Resource,
		"conditions":    m.Conditions,
		"policy_text":   m.PolicyText,
		"notice":        m.Notice,
		"audit_session": m.AuditSession,
		"created_at":    m.CreatedAt,
		"updated_at":    m.UpdatedAt,
		"timeouts":      m.Timeouts,
	})
	if diags.HasError() {
		return tftypes.Value{}, diags
	}
	v, err := obj.ToTerraformValue(ctx)
	if err != nil {
		diags.AddError("Value Conversion Error", "An unexpected error was encountered converting the jitsudo_policy_rule value. "+
			"This is always a bug in the provider; please report it.\n\nError: "+err.Error())
	}
	return v, diags
}
