package provider

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// TestListResources checks every list resource: it lists a resource type
// of the provider that has an identity, its schema is valid and
// documented, and every attribute is an optional filter.
func TestListResources(t *testing.T) {
	ctx := context.Background()
	p := New("test")().(*jitsudoProvider)
	resources := map[string]resource.Resource{}
	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "jitsudo"}, &meta)
		resources[meta.TypeName] = r
	}
	for _, newList := range p.ListResources(ctx) {
		l := newList()
		var meta resource.MetadataResponse
		l.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "jitsudo"}, &meta)
		t.Run(meta.TypeName, func(t *testing.T) {
			if _, ok := resources[meta.TypeName].(resource.ResourceWithIdentity); !ok {
				t.Fatalf("%s is not a resource with an identity", meta.TypeName)
			}
			var sresp list.ListResourceSchemaResponse
			l.ListResourceConfigSchema(ctx, list.ListResourceSchemaRequest{}, &sresp)
			if diags := sresp.Schema.ValidateImplementation(ctx); diags.HasError() {
				t.Fatalf("schema: %v", diags)
			}
			if sresp.Schema.MarkdownDescription == "" {
				t.Error("no description")
			}
			for name, a := range sresp.Schema.Attributes {
				if !a.IsOptional() || a.GetMarkdownDescription() == "" {
					t.Errorf("%s: optional %v, description %q; want an optional, documented filter", name, a.IsOptional(), a.GetMarkdownDescription())
				}
			}
			if _, ok := l.(list.ListResourceWithValidateConfig); !ok {
				t.Error("filters are not checked at validate time")
			}
		})
	}
}

// TestWithListResources: the provider's server answers the list RPCs.
func TestWithListResources(t *testing.T) {
	s := NewProtocol6Server("test")()
	if _, ok := s.(tfprotov6.ListResourceServer); !ok {
		t.Fatalf("%T does not serve list resources", s)
	}
}

func TestAwsRoleAccountID(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:iam::123456789012:role/Admin":        "123456789012",
		"arn:aws-cn:iam::210987654321:role/ci/Deploy": "210987654321",
		"not-an-arn": "",
	} {
		if got := awsRoleAccountID(arn); got != want {
			t.Errorf("awsRoleAccountID(%q) = %q, want %q", arn, got, want)
		}
	}
}

func TestAwsRoleMappingListMatch(t *testing.T) {
	admin := api.AwsRole{Name: "Admin", Arn: "arn:aws:iam::123456789012:role/Admin", Roles: []api.RoleRef{{Name: "sre"}}}
	deployer := api.AwsRole{Name: "Deployer", Arn: "arn:aws:iam::210987654321:role/ci/Deployer"}
	cases := []struct {
		name string
		cfg  awsRoleMappingListModel
		want [2]bool // admin, deployer
	}{
		{"no filter", awsRoleMappingListModel{}, [2]bool{true, true}},
		{"mapped", awsRoleMappingListModel{Mapped: types.BoolValue(true)}, [2]bool{true, false}},
		{"unmapped", awsRoleMappingListModel{Mapped: types.BoolValue(false)}, [2]bool{false, true}},
		{"account", awsRoleMappingListModel{AccountID: types.StringValue("210987654321")}, [2]bool{false, true}},
		{"arn pattern", awsRoleMappingListModel{ARNRegex: types.StringValue(":role/ci/")}, [2]bool{false, true}},
		{"name pattern", awsRoleMappingListModel{NameRegex: types.StringValue("^Adm")}, [2]bool{true, false}},
		{"all must hold", awsRoleMappingListModel{NameRegex: types.StringValue("^Adm"), Mapped: types.BoolValue(false)}, [2]bool{false, false}},
	}
	for _, tc := range cases {
		match := awsRoleMappingListMatch(tc.cfg)
		if got := [2]bool{match(admin), match(deployer)}; got != tc.want {
			t.Errorf("%s: admin, deployer match %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestListStreamLimit: the stream stops at Terraform's limit and when
// Terraform stops reading; the resource value is only made when asked for.
func TestListStreamLimit(t *testing.T) {
	ctx := context.Background()
	r := &policyResource{}
	var sresp resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sresp)
	var iresp resource.IdentitySchemaResponse
	r.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &iresp)
	for _, tc := range []struct {
		limit, stopAfter, want int64
		include                bool
	}{
		{limit: 2, stopAfter: 10, want: 2},
		{limit: 0, stopAfter: 10, want: 5, include: true},
		{limit: 10, stopAfter: 3, want: 3},
	} {
		req := list.ListRequest{Limit: tc.limit, IncludeResource: tc.include, ResourceSchema: sresp.Schema, ResourceIdentitySchema: iresp.IdentitySchema}
		var got, made int64
		s := &listStream{ctx: ctx, req: req, attrs: policyIdentityAttributes, push: func(r list.ListResult) bool {
			if r.Diagnostics.HasError() {
				t.Fatalf("result: %v", r.Diagnostics)
			}
			got++
			return got < tc.stopAfter
		}}
		for i := 0; i < 5; i++ {
			if !s.emit("p", []string{"2489e9ad-2ee2-8e00-8ec9-32d5f69181c0"}, func(res *tfsdk.Resource) diag.Diagnostics {
				made++
				res.Raw = tftypes.NewValue(sresp.Schema.Type().TerraformType(ctx), nil)
				return nil
			}) {
				break
			}
		}
		if got != tc.want {
			t.Errorf("limit %d, stop after %d: %d results, want %d", tc.limit, tc.stopAfter, got, tc.want)
		}
		if tc.include != (made > 0) {
			t.Errorf("include_resource %v: %d resource values made", tc.include, made)
		}
	}
}

// TestPolicyRuleListValue: a listed rule is structured, as an import
// reads it, and has no policy_text, so that the configuration generated
// from it is valid (a rule with both effect and policy_text is not).
func TestPolicyRuleListValue(t *testing.T) {
	ctx := context.Background()
	var sresp resource.SchemaResponse
	(&policyRuleResource{}).Schema(ctx, resource.SchemaRequest{}, &sresp)
	rule := &api.Rule{
		Id: uuid.MustParse("7b0c7a51-4a4e-4d4b-9b7e-0f5d1c2e3a4b"), PolicyId: uuid.MustParse("2489e9ad-2ee2-8e00-8ec9-32d5f69181c0"),
		Effect: api.EffectPermit, Ordinal: 2, AuditSession: true,
		PrincipalScopeType: api.ScopeTypeIn, PrincipalEntityType: nullable.NewNullableWithValue("Group"), PrincipalEntityId: nullable.NewNullableWithValue("sre"),
		ActionScopeType: api.ActionScopeTypeAny, ResourceScopeType: api.ScopeTypeAny,
		Conditions: nullable.NewNullableWithValue("when { context.mfa_authenticated }"),
		PolicyText: `permit (principal in Group::"sre", action, resource) when { context.mfa_authenticated };`,
	}
	res := tfsdk.Resource{Schema: sresp.Schema}
	if diags := policyRuleListValue(ctx, rule, &res); diags.HasError() {
		t.Fatal(diags)
	}
	var m policyRuleModel
	if diags := res.Get(ctx, &m); diags.HasError() {
		t.Fatal(diags)
	}
	if !m.PolicyText.IsNull() || m.Effect.ValueString() != "permit" || m.Conditions.ValueString() != "when { context.mfa_authenticated }" ||
		m.Principal.IsNull() || !m.Action.IsNull() || !m.Resource.IsNull() || m.Ordinal.ValueInt64() != 2 || !m.Timeouts.IsNull() {
		t.Errorf("listed rule = %+v; want structured, policy_text null, unconstrained scopes null", m)
	}
	if m.isRaw() {
		t.Error("listed rule is in raw mode")
	}
}
