package server

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

func TestDiscoveryScanAndRefresh(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true, rolesJSON: testRolesJSON})
	roles := e.awsRoles(asA, "")
	if len(roles) != 5 {
		t.Fatalf("%d AWS roles, want 5", len(roles))
	}
	var names []string
	for _, r := range roles {
		names = append(names, r.Name)
		if r.Status != api.AwsRoleStatusOK {
			t.Errorf("%s: status %s", r.Arn, r.Status)
		}
	}
	if got := strings.Join(names, ","); got != "Admin,Admin,Deployer,Developer,ReadOnly" {
		t.Errorf("names in order: %s", got)
	}
	deployer := e.awsRoleByARN(asA, "arn:aws:iam::123456789012:role/ci/Deployer")
	if deployer.Description.IsSpecified() && !deployer.Description.IsNull() {
		t.Errorf("Deployer description %v, want null", deployer.Description)
	}
	if deployer.Source.String() != "11111111-1111-4111-8111-111111111111" {
		t.Errorf("Deployer source %s", deployer.Source)
	}
	ids := e.roleIDs(asA)
	if len(ids) != 3 {
		t.Fatalf("roles %v", ids)
	}

	// Map ReadOnly (which will vanish) and Developer (whose role auditor will vanish).
	readOnly := e.awsRoleByARN(asA, "arn:aws:iam::123456789012:role/ReadOnly")
	developer := e.awsRoleByARN(asA, "arn:aws:iam::210987654321:role/Developer")
	e.do("PUT", "/v1/aws/roles/"+readOnly.Id.String()+"/roles", asA, `[{"id":"`+ids["sre"]+`"}]`).want(200)
	e.do("PUT", "/v1/aws/roles/"+developer.Id.String()+"/roles", asA, `[{"id":"`+ids["auditor"]+`"},{"id":"`+ids["developer"]+`"}]`).want(200)
	admin := e.awsRoleByARN(asA, "arn:aws:iam::123456789012:role/Admin")

	// An unchanged rescan changes nothing.
	e.clock.Advance(time.Minute)
	e.awsRoles(asA, "&refresh=true")
	if got := e.awsRoleByARN(asA, admin.Arn); !got.Updated.Equal(admin.Updated) {
		t.Errorf("unchanged rescan moved updated: %v -> %v", admin.Updated, got.Updated)
	}

	// ReadOnly vanishes, Admin's description changes, auditor is dropped.
	e.clock.Advance(time.Minute)
	edited := strings.Replace(testRolesJSON, `{"name": "ReadOnly", "arn": "arn:aws:iam::123456789012:role/ReadOnly"}`, `{"name": "Spare", "arn": "arn:aws:iam::123456789012:role/Spare"}`, 1)
	edited = strings.Replace(edited, `"Prod admin"`, `"Production administrators"`, 1)
	edited = strings.Replace(edited, `{"name": "auditor", "description": "Auditors"}`, `{"name": "reviewer"}`, 1)
	writeFile(t, e.roles, edited)

	// Without refresh nothing changes.
	if got := e.awsRoleByARN(asA, readOnly.Arn); got.Status != api.AwsRoleStatusOK {
		t.Fatalf("status before refresh %s", got.Status)
	}
	missing := e.awsRoles(asA, "&refresh=true&status=MISSING")
	if len(missing) != 1 || missing[0].Arn != readOnly.Arn {
		t.Fatalf("MISSING after refresh: %+v", missing)
	}
	if len(missing[0].Roles) != 1 || missing[0].Roles[0].Name != "sre" {
		t.Errorf("MISSING role lost its mapping: %+v", missing[0].Roles)
	}
	if !missing[0].Updated.Equal(e.clock.Now()) {
		t.Errorf("MISSING role updated %v, want %v", missing[0].Updated, e.clock.Now())
	}
	if got := e.awsRoleByARN(asA, admin.Arn); got.Description.MustGet() != "Production administrators" || !got.Updated.Equal(e.clock.Now()) {
		t.Errorf("Admin after edit: %v %v", got.Description, got.Updated)
	}
	if got := e.awsRoleByARN(asA, deployer.Arn); !got.Updated.Equal(deployer.Updated) {
		t.Errorf("unchanged Deployer updated moved")
	}
	if got := e.awsRoleByARN(asA, developer.Arn); len(got.Roles) != 1 || got.Roles[0].Name != "developer" {
		t.Errorf("Developer mapping after auditor vanished: %+v", got.Roles)
	}
	newIDs := e.roleIDs(asA)
	if _, ok := newIDs["auditor"]; ok || newIDs["reviewer"] == "" || newIDs["sre"] != ids["sre"] {
		t.Errorf("roles after edit: %v", newIDs)
	}
	if n := len(e.awsRoles(asA, "")); n != 6 {
		t.Errorf("%d AWS roles after edit, want 6 (one MISSING)", n)
	}
	// Tenant B was not rescanned.
	if got := e.awsRoleByARN(asB, readOnly.Arn); got.Status != api.AwsRoleStatusOK {
		t.Errorf("tenant B's role changed by tenant A's refresh: %s", got.Status)
	}

	// The role comes back: OK again, same id, mapping kept.
	e.clock.Advance(time.Minute)
	writeFile(t, e.roles, testRolesJSON)
	back := e.awsRoles(asA, "&refresh=true&arn="+readOnly.Arn)
	if len(back) != 1 || back[0].Status != api.AwsRoleStatusOK || back[0].Id != readOnly.Id || len(back[0].Roles) != 1 {
		t.Errorf("role after it came back: %+v", back)
	}
}

func TestDiscoveryRefreshWithBrokenFile(t *testing.T) {
	// The contract lists no 5xx, so no validator here.
	e := newTestServer(t, serverConfig{fixedClock: true, rolesJSON: testRolesJSON, noValidator: true})
	writeFile(t, e.roles, `{"roles": [`)
	r := e.do("GET", "/v1/aws/roles?refresh=true", asA, "")
	if r.Status != 500 || !strings.Contains(r.errorBody().Message, "roles file") {
		t.Errorf("refresh with a broken file: %d %s", r.Status, r.Body)
	}
	if n := len(e.awsRoles(asA, "")); n != 5 {
		t.Errorf("%d AWS roles after a failed refresh, want 5", n)
	}
	if err := e.srv.EnsureTenant(context.Background(), tenantA); err == nil {
		t.Errorf("EnsureTenant with a broken roles file succeeded")
	}
}

func TestDiscoveryIDsAreStableAndPerTenant(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true, rolesJSON: testRolesJSON})
	a := e.awsRoleByARN(asA, "arn:aws:iam::123456789012:role/Admin")
	b := e.awsRoleByARN(asB, "arn:aws:iam::123456789012:role/Admin")
	if a.Id == b.Id {
		t.Errorf("tenants share the derived AWS role id %s", a.Id)
	}
	if a.Id.String() != derivedID("aws-role", tenantA, a.Arn) {
		t.Errorf("AWS role id %s is not derived from tenant and ARN", a.Id)
	}
	if e.roleIDs(asA)["sre"] == e.roleIDs(asB)["sre"] {
		t.Errorf("tenants share derived role ids")
	}
	// Explicit ids are kept.
	explicit := `{"roles":[{"id":"AAAAAAAA-0000-4000-8000-000000000001","name":"ops"}],
	  "sources":[{"name":"s","aws_roles":[{"id":"bbbbbbbb-0000-4000-8000-000000000002","arn":"arn:aws-us-gov:iam::123456789012:role/X"}]}]}`
	f, err := parseRolesFile([]byte(explicit))
	if err != nil {
		t.Fatal(err)
	}
	if f.Roles[0].ID != "aaaaaaaa-0000-4000-8000-000000000001" || f.Sources[0].AwsRoles[0].Name != "X" || f.Sources[0].ID != derivedID("source", "s") {
		t.Errorf("parsed %+v", f)
	}
}

func TestRolesFileValidation(t *testing.T) {
	for _, c := range []struct{ name, file, want string }{
		{"unknown field", `{"roles":[{"name":"a","colour":"red"}]}`, `unknown field "colour"`},
		{"unknown top-level field", `{"groups":[]}`, `unknown field "groups"`},
		{"bad role id", `{"roles":[{"id":"nope","name":"a"}]}`, `roles[0].id: "nope" is not a UUID`},
		{"missing role name", `{"roles":[{"description":"x"}]}`, `roles[0].name is required`},
		{"duplicate role name", `{"roles":[{"name":"a"},{"name":"a"}]}`, `roles[1].name: "a" is also the name of roles[0]`},
		{"duplicate role id", `{"roles":[{"id":"aaaaaaaa-0000-4000-8000-000000000001","name":"a"},{"id":"AAAAAAAA-0000-4000-8000-000000000001","name":"b"}]}`, `roles[1].id`},
		{"bad ARN", `{"sources":[{"name":"s","aws_roles":[{"arn":"arn:aws:iam::123456789012:role/A"},{"arn":"arn:aws:iam::12345:role/B"}]}]}`, `sources[0].aws_roles[1].arn: "arn:aws:iam::12345:role/B" is not an IAM role ARN`},
		{"user ARN", `{"sources":[{"name":"s","aws_roles":[{"arn":"arn:aws:iam::123456789012:user/bob"}]}]}`, `sources[0].aws_roles[0].arn`},
		{"missing ARN", `{"sources":[{"name":"s","aws_roles":[{"name":"A"}]}]}`, `sources[0].aws_roles[0].arn is required`},
		{"duplicate ARN", `{"sources":[{"name":"s","aws_roles":[{"arn":"arn:aws:iam::123456789012:role/A"}]},{"name":"t","aws_roles":[{"arn":"arn:aws:iam::123456789012:role/A"}]}]}`, `sources[1].aws_roles[0].arn: arn:aws:iam::123456789012:role/A is also the ARN of sources[0].aws_roles[0]`},
		{"bad source id", `{"sources":[{"id":"x","name":"s","aws_roles":[]}]}`, `sources[0].id`},
		{"duplicate source name", `{"sources":[{"name":"s","aws_roles":[]},{"name":"s","aws_roles":[]}]}`, `sources[1].name`},
		{"wrong type", `{"roles":{"name":"a"}}`, `roles: expected`},
		{"not JSON", `{"roles": [`, `roles file`},
		{"trailing data", `{} {}`, `unexpected data`},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "roles.json")
			writeFile(t, path, c.file)
			_, err := loadRolesFile(path)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want it to contain %q", err, c.want)
			}
			if _, err := New(context.Background(), Options{RolesFile: path}); err == nil {
				t.Errorf("New accepted the file")
			}
		})
	}
	if _, err := New(context.Background(), Options{RolesFile: filepath.Join(t.TempDir(), "absent.json")}); err == nil || !strings.Contains(err.Error(), "roles file") {
		t.Errorf("New with a missing file: %v", err)
	}
	// Several problems are all reported.
	_, err := parseRolesFile([]byte(`{"roles":[{"name":""}],"sources":[{"name":"s","aws_roles":[{"arn":"bad"}]}]}`))
	if err == nil || !strings.Contains(err.Error(), "2 problem(s)") {
		t.Errorf("error %v", err)
	}
}

func TestNoRolesFileMeansNoRoles(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true})
	if n := len(e.awsRoles(asA, "&refresh=true")); n != 0 {
		t.Errorf("%d AWS roles without a roles file", n)
	}
	if n := len(e.roleIDs(asA)); n != 0 {
		t.Errorf("%d roles without a roles file", n)
	}
}

func TestExampleRolesFileIsValid(t *testing.T) {
	f, err := loadRolesFile(filepath.Join("..", "..", "examples", "jitsudo-local", "roles.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Roles) < 4 || len(f.Sources) != 2 {
		t.Errorf("example has %d roles and %d sources", len(f.Roles), len(f.Sources))
	}
}
