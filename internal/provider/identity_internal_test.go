package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// identityResources are the resources with an identity and the attributes
// their identity has, in import id order.
var identityResources = map[string]struct {
	res   resource.ResourceWithIdentity
	attrs []identityAttribute
}{
	"jitsudo_policy":           {&policyResource{}, policyIdentityAttributes},
	"jitsudo_policy_rule":      {&policyRuleResource{}, policyRuleIdentityAttributes},
	"jitsudo_permission_set":   {&permissionSetResource{}, permissionSetIdentityAttributes},
	"jitsudo_aws_role_mapping": {&awsRoleMappingResource{}, awsRoleMappingIdentityAttributes},
}

// identityOf is an empty identity of r's schema, as the framework hands it
// to Create, Read, Update and ImportState.
func identityOf(t *testing.T, r resource.ResourceWithIdentity) *tfsdk.ResourceIdentity {
	t.Helper()
	ctx := context.Background()
	var resp resource.IdentitySchemaResponse
	r.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("IdentitySchema: %v", resp.Diagnostics)
	}
	if diags := resp.IdentitySchema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatalf("identity schema is invalid: %v", diags)
	}
	return &tfsdk.ResourceIdentity{Schema: resp.IdentitySchema, Raw: tftypes.NewValue(resp.IdentitySchema.Type().TerraformType(ctx), nil)}
}

// TestIdentitySchemas checks that every identity attribute is a
// documented string required for import, and that no resource's identity
// has attributes its import id does not.
func TestIdentitySchemas(t *testing.T) {
	for name, tc := range identityResources {
		t.Run(name, func(t *testing.T) {
			id := identityOf(t, tc.res)
			if len(id.Schema.GetAttributes()) != len(tc.attrs) {
				t.Fatalf("identity has %d attributes, want %d", len(id.Schema.GetAttributes()), len(tc.attrs))
			}
			for _, a := range tc.attrs {
				got, ok := id.Schema.GetAttributes()[a.name]
				if !ok {
					t.Fatalf("identity has no attribute %q", a.name)
				}
				if got.GetDescription() == "" || !strings.HasSuffix(got.GetDescription(), ".") {
					t.Errorf("%s: description %q is missing or not a sentence", a.name, got.GetDescription())
				}
			}
		})
	}
}

// TestSetIdentity sets each identity and reads it back as the import id.
func TestSetIdentity(t *testing.T) {
	ctx := context.Background()
	values := map[string][]string{
		"jitsudo_policy":           {"2489e9ad-2ee2-8e00-8ec9-32d5f69181c0"},
		"jitsudo_policy_rule":      {"2489e9ad-2ee2-8e00-8ec9-32d5f69181c0", "7b0c7a51-4a4e-4d4b-9b7e-0f5d1c2e3a4b"},
		"jitsudo_permission_set":   {"arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef"},
		"jitsudo_aws_role_mapping": {"0b8f2c1e-8c2d-4f5a-9e3b-1a2b3c4d5e6f"},
	}
	for name, tc := range identityResources {
		t.Run(name, func(t *testing.T) {
			id := identityOf(t, tc.res)
			var diags diag.Diagnostics
			setIdentity(ctx, id, tc.attrs, &diags, values[name]...)
			if diags.HasError() {
				t.Fatalf("setIdentity: %v", diags)
			}
			got := importID(ctx, resource.ImportStateRequest{Identity: id}, tc.attrs, &diags)
			if diags.HasError() {
				t.Fatalf("importID: %v", diags)
			}
			if want := strings.Join(values[name], "/"); got != want {
				t.Errorf("import id from the identity = %q, want %q", got, want)
			}
		})
	}
}

// TestSetIdentityErrors: a wrong number of values is reported, never
// stored; a nil identity is left alone.
func TestSetIdentityErrors(t *testing.T) {
	ctx := context.Background()
	id := identityOf(t, &policyRuleResource{})
	var diags diag.Diagnostics
	setIdentity(ctx, id, policyRuleIdentityAttributes, &diags, "only-one")
	if !diags.HasError() {
		t.Fatal("one value for a two-attribute identity: no error")
	}
	if !id.Raw.IsNull() {
		t.Errorf("identity was set to %s after the error", id.Raw)
	}
	diags = nil
	setIdentity(ctx, nil, policyIdentityAttributes, &diags, "x")
	if diags.HasError() {
		t.Errorf("nil identity: %v", diags)
	}
	diags = nil
	setIdentity(ctx, identityOf(t, &policyResource{}), policyRuleIdentityAttributes, &diags, "a", "b")
	if !diags.HasError() {
		t.Error("attributes of another identity: no error")
	}
}

// TestImportID: the string import id wins; an identity without a value is
// an error on that attribute.
func TestImportID(t *testing.T) {
	ctx := context.Background()
	var diags diag.Diagnostics
	if got := importID(ctx, resource.ImportStateRequest{ID: "a/b"}, policyRuleIdentityAttributes, &diags); got != "a/b" || diags.HasError() {
		t.Errorf("string import id: got %q, %v", got, diags)
	}
	id := identityOf(t, &policyRuleResource{})
	id.Raw = tftypes.NewValue(id.Raw.Type(), map[string]tftypes.Value{
		"policy_id": tftypes.NewValue(tftypes.String, "p"),
		"rule_id":   tftypes.NewValue(tftypes.String, nil),
	})
	got := importID(ctx, resource.ImportStateRequest{Identity: id}, policyRuleIdentityAttributes, &diags)
	if got != "" || !diags.HasError() {
		t.Fatalf("identity without rule_id: got %q, %v", got, diags)
	}
	if d, ok := diags[0].(diag.DiagnosticWithPath); !ok || d.Path().String() != "rule_id" || d.Summary() != "Missing Identity Attribute" {
		t.Errorf("diagnostic = %v, want Missing Identity Attribute at rule_id", diags[0])
	}
}

// TestImportStateByIdentity runs each resource's ImportState with an
// identity only, as an import block with identity does: the state gets
// the same attributes as with the string import id, and a malformed value
// gets the resource's import id error.
func TestImportStateByIdentity(t *testing.T) {
	ctx := context.Background()
	cases := map[string]struct {
		res     resource.ResourceWithImportState
		values  []string
		attr    string // state attribute the import sets
		want    string
		invalid []string
	}{
		"jitsudo_policy": {&policyResource{}, []string{"2489E9AD-2EE2-8E00-8EC9-32D5F69181C0"}, "id", "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0", []string{"nope"}},
		"jitsudo_policy_rule": {&policyRuleResource{}, []string{"2489e9ad-2ee2-8e00-8ec9-32d5f69181c0", "7b0c7a51-4a4e-4d4b-9b7e-0f5d1c2e3a4b"},
			"id", "7b0c7a51-4a4e-4d4b-9b7e-0f5d1c2e3a4b", []string{"2489e9ad-2ee2-8e00-8ec9-32d5f69181c0", "x"}},
		"jitsudo_permission_set": {&permissionSetResource{}, []string{"arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef"},
			"id", "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef", []string{"arn:aws:iam::123456789012:role/x"}},
		"jitsudo_aws_role_mapping": {&awsRoleMappingResource{}, []string{"0b8f2c1e-8c2d-4f5a-9e3b-1a2b3c4d5e6f"}, "aws_role_id",
			"0b8f2c1e-8c2d-4f5a-9e3b-1a2b3c4d5e6f", []string{"0b8f2c1e"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ir := identityResources[name]
			run := func(values []string) (*resource.ImportStateResponse, tfsdk.State) {
				id := identityOf(t, ir.res)
				var diags diag.Diagnostics
				setIdentity(ctx, id, ir.attrs, &diags, values...)
				if diags.HasError() {
					t.Fatal(diags)
				}
				var sresp resource.SchemaResponse
				tc.res.Schema(ctx, resource.SchemaRequest{}, &sresp)
				st := tfsdk.State{Schema: sresp.Schema, Raw: tftypes.NewValue(sresp.Schema.Type().TerraformType(ctx), nil)}
				resp := &resource.ImportStateResponse{State: st, Identity: id}
				tc.res.ImportState(ctx, resource.ImportStateRequest{Identity: id}, resp)
				return resp, resp.State
			}
			resp, st := run(tc.values)
			if resp.Diagnostics.HasError() {
				t.Fatalf("ImportState: %v", resp.Diagnostics)
			}
			var got string
			if diags := st.GetAttribute(ctx, path.Root(tc.attr), &got); diags.HasError() {
				t.Fatal(diags)
			}
			if got != tc.want {
				t.Errorf("%s = %q, want %q", tc.attr, got, tc.want)
			}
			if resp, _ := run(tc.invalid); !resp.Diagnostics.HasError() {
				t.Errorf("identity %v: no error", tc.invalid)
			}
		})
	}
}
