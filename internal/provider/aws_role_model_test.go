package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
)

var (
	testAwsRoleID = uuid.MustParse("2f8823ef-16d5-5b86-b4f9-8a16a28f91d9")
	testRoleSRE   = uuid.MustParse("88acca70-87bc-5922-a8d2-81aba1a4a178")
	testRoleDev   = uuid.MustParse("ddb8c96e-5c45-555c-9bb5-ed8055dc5805")
)

func testAwsRole() api.AwsRole {
	return api.AwsRole{
		Id:          testAwsRoleID,
		Name:        "Admin",
		Arn:         "arn:aws:iam::123456789012:role/Admin",
		Description: nullable.NewNullNullable[string](),
		Source:      uuid.MustParse("0b6f3a52-8f57-4c1e-9d1a-2f4b7c0e9a11"),
		Status:      api.AwsRoleStatusOK,
		Updated:     time.Date(2025, 1, 2, 3, 4, 5, 600, time.FixedZone("x", 3600)),
		Roles:       []api.RoleRef{{Id: testRoleSRE, Name: "sre"}, {Id: testRoleDev, Name: "developer"}},
	}
}

func TestAwsRoleFromAPI(t *testing.T) {
	m, diags := awsRoleFromAPI(testAwsRole())
	if diags.HasError() {
		t.Fatal(diags)
	}
	if !m.Description.IsNull() {
		t.Errorf("a null description must stay null, got %v", m.Description)
	}
	if got, want := m.Updated.ValueString(), "2025-01-02T02:04:05.0000006Z"; got != want {
		t.Errorf("updated = %q, want %q (RFC 3339 in UTC)", got, want)
	}
	wantRoles := types.MapValueMust(types.StringType, map[string]attr.Value{
		testRoleSRE.String(): types.StringValue("sre"),
		testRoleDev.String(): types.StringValue("developer"),
	})
	if !m.Roles.Equal(wantRoles) {
		t.Errorf("roles = %v, want %v", m.Roles, wantRoles)
	}

	r := testAwsRole()
	r.Description = nullable.NewNullableWithValue("Full access")
	r.Roles = []api.RoleRef{}
	m, _ = awsRoleFromAPI(r)
	if m.Description.ValueString() != "Full access" {
		t.Errorf("description = %v", m.Description)
	}
	if m.Roles.IsNull() || len(m.Roles.Elements()) != 0 {
		t.Errorf("no mapped roles must be an empty map, got %v", m.Roles)
	}
}

// The mapping keeps ids as the configuration spells them, so an upper-case
// UUID in role_ids or aws_role_id never shows as a diff.
func TestAwsRoleMappingFromAPIKeepsSpelling(t *testing.T) {
	upperSRE := "88ACCA70-87BC-5922-A8D2-81ABA1A4A178"
	m := awsRoleMappingResourceModel{
		AwsRoleID: types.StringValue("2F8823EF-16D5-5B86-B4F9-8A16A28F91D9"),
		RoleIDs:   types.SetValueMust(types.StringType, []attr.Value{types.StringValue(upperSRE)}),
	}
	role := testAwsRole()
	if diags := m.fromAPI(&role); diags.HasError() {
		t.Fatal(diags)
	}
	if got := m.AwsRoleID.ValueString(); got != "2F8823EF-16D5-5B86-B4F9-8A16A28F91D9" {
		t.Errorf("aws_role_id = %q, want the configured spelling", got)
	}
	want := types.SetValueMust(types.StringType, []attr.Value{types.StringValue(upperSRE), types.StringValue(testRoleDev.String())})
	if !m.RoleIDs.Equal(want) {
		t.Errorf("role_ids = %v, want %v", m.RoleIDs, want)
	}
	if m.ARN.ValueString() != role.Arn || m.Name.ValueString() != "Admin" || len(m.Roles.Elements()) != 2 {
		t.Errorf("computed attributes not filled: %+v", m)
	}

	// Import: nothing known yet, the API's values are taken.
	imported := awsRoleMappingResourceModel{AwsRoleID: types.StringValue(testAwsRoleID.String()), RoleIDs: types.SetNull(types.StringType)}
	role.Roles = nil
	if diags := imported.fromAPI(&role); diags.HasError() {
		t.Fatal(diags)
	}
	if imported.RoleIDs.IsNull() || len(imported.RoleIDs.Elements()) != 0 {
		t.Errorf("an empty mapping must be an empty set, got %v", imported.RoleIDs)
	}
}

func TestAwsRoleMappingIndex(t *testing.T) {
	for loc, want := range map[string]int{"[0].id": 0, "[12]": 12, "[3].name": 3, "": -1, "[x].id": -1, "[-1]": -1, "X-Tenant-ID": -1, "[4": -1} {
		i, ok := awsRoleMappingIndex(loc)
		if !ok {
			i = -1
		}
		if i != want {
			t.Errorf("%q: index %d (ok %v), want %d", loc, i, ok, want)
		}
	}
}

func TestAddAwsRoleMappingAttributeErrors(t *testing.T) {
	err := &client.APIError{Status: 400, Code: "invalid_request", Details: api.ErrorDetails{Validation: &[]api.ValidationDetail{
		{Location: "[1].id", Code: "unknown_role", Message: "role X does not exist"},
		{Location: "[0].id", Code: "invalid_uuid", Message: "[0].id must be a UUID"},
		{Location: "limit", Code: "out_of_range", Message: "ignored"},
	}}}
	var diags diag.Diagnostics
	addAwsRoleMappingAttributeErrors(&diags, "Error", err, []string{"a", "6F1C2A9E-0D4B-4C3A-9E8F-1A2B3C4D5E6F"})
	if len(diags) != 2 {
		t.Fatalf("want 2 attribute errors, got %v", diags)
	}
	for _, d := range diags {
		if wp, ok := d.(diag.DiagnosticWithPath); !ok || !wp.Path().Equal(path.Root("role_ids")) {
			t.Errorf("%v is not on role_ids", d)
		}
	}
	if !strings.Contains(diags[0].Detail(), `"6F1C2A9E-0D4B-4C3A-9E8F-1A2B3C4D5E6F"`) {
		t.Errorf("the unknown role must be named as written: %s", diags[0].Detail())
	}
}

func TestWarnAwsRoleMappingReplaced(t *testing.T) {
	before := []api.RoleRef{{Id: testRoleSRE, Name: "sre"}, {Id: testRoleDev, Name: "developer"}}
	var diags diag.Diagnostics
	warnAwsRoleMappingReplaced(&diags, testAwsRoleID.String(), before, []string{strings.ToUpper(testRoleSRE.String()), testRoleDev.String()})
	if len(diags) != 0 {
		t.Fatalf("nothing was removed, got %v", diags)
	}
	warnAwsRoleMappingReplaced(&diags, testAwsRoleID.String(), before, []string{testRoleSRE.String()})
	if len(diags) != 1 || diags.HasError() || !strings.Contains(diags[0].Detail(), "developer ("+testRoleDev.String()+")") ||
		strings.Contains(diags[0].Detail(), "sre (") {
		t.Fatalf("want one warning naming developer only, got %v", diags)
	}
}
