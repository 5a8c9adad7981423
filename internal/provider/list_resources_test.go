package provider_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-exec/tfexec"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/acctest"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/provider"
)

// listTestTenant is what listTestFill creates through the API, as a tenant
// that was set up before Terraform.
type listTestTenant struct {
	prodPolicy, devPolicy string   // policy ids
	rules                 []string // rule ids of prodPolicy
	adminAwsRole          string   // AWS role ids
	developerAwsRole      string
}

// Permission sets listTestFill writes.
const (
	listTestSetFull = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-aaaaaaaaaaaaaaaa"
	listTestSetMin  = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-bbbbbbbbbbbbbbbb"
)

// listTestFill creates, through the API, two policies (one with a
// structured and a raw rule), two permission sets and two role mappings.
func listTestFill(t *testing.T, srv *acctest.Server) listTestTenant {
	t.Helper()
	ctx := context.Background()
	c := srv.Client
	var out listTestTenant
	prod, err := c.CreatePolicy(ctx, api.PolicyCreate{
		Name: "adopt-prod", MaxDurationSeconds: 7200,
		Description:            nullable.NewNullableWithValue("Production access"),
		DefaultDurationSeconds: nullable.NewNullableWithValue(1800),
		NotificationChannel:    nullable.NewNullableWithValue("#prod-access"),
		Priority:               new(10),
	})
	if err != nil {
		t.Fatalf("create policy: %v", err)
	}
	out.prodPolicy = prod.Id.String()
	dev, err := c.CreatePolicy(ctx, api.PolicyCreate{Name: "adopt-dev", MaxDurationSeconds: 3600, Enabled: new(false)})
	if err != nil {
		t.Fatalf("create policy: %v", err)
	}
	out.devPolicy = dev.Id.String()
	for _, body := range []api.RuleCreate{
		{PolicyText: new(`permit (principal in Group::"sre", action in [Action::"request_access", Action::"extend"], ` +
			`resource is AwsPermissionSet in AwsAccount::"123456789012") when { context.duration_seconds <= 3600 };`),
			Notice: nullable.NewNullableWithValue("Production: keep it short")},
		{PolicyText: new(`forbid (principal, action, resource) unless { context.mfa_authenticated };`), AuditSession: new(false)},
	} {
		r, err := c.CreateRule(ctx, out.prodPolicy, body)
		if err != nil {
			t.Fatalf("create rule: %v", err)
		}
		out.rules = append(out.rules, r.Id.String())
	}
	if _, err := c.UpsertPermissionSets(ctx, []api.PermissionSetInput{
		{Id: listTestSetFull, Name: "DataEngineer", AccountId: nullable.NewNullableWithValue("123456789012"),
			Metadata: &map[string]any{"team": "data", "tiers": []any{1, 2}}, Rank: nullable.NewNullableWithValue(3),
			Description: nullable.NewNullableWithValue("Data lake engineers"), SessionDuration: nullable.NewNullableWithValue("PT8H"),
			RelayState: nullable.NewNullableWithValue("https://console.aws.amazon.com/s3")},
		{Id: listTestSetMin, Name: "ReadOnly"},
	}); err != nil {
		t.Fatalf("upsert permission sets: %v", err)
	}
	roles := map[string]string{}
	for r, err := range c.AllRoles(ctx, api.ListRolesParams{}) {
		if err != nil {
			t.Fatalf("list roles: %v", err)
		}
		roles[r.Name] = r.Id.String()
	}
	for arn, names := range map[string][]string{
		"arn:aws:iam::123456789012:role/Admin":     {"sre"},
		"arn:aws:iam::210987654321:role/Developer": {"developer", "auditor"},
	} {
		l, err := c.ListAwsRoles(ctx, api.ListAwsRolesParams{Arn: new(arn)})
		if err != nil || len(l.Data) != 1 {
			t.Fatalf("AWS role %s: %v (%d found)", arn, err, len(l.Data))
		}
		ids := make([]string, len(names))
		for i, n := range names {
			ids[i] = roles[n]
		}
		if _, err := c.SetAwsRoleMapping(ctx, l.Data[0].Id.String(), ids); err != nil {
			t.Fatalf("map %s: %v", arn, err)
		}
		if strings.HasSuffix(arn, "/Admin") {
			out.adminAwsRole = l.Data[0].Id.String()
		} else {
			out.developerAwsRole = l.Data[0].Id.String()
		}
	}
	return out
}

// listTestRule filters the query results down to rule i of listTestFill.
func listTestRule(tenant listTestTenant, i int) queryfilter.QueryFilter {
	return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
		"policy_id": knownvalue.StringExact(tenant.prodPolicy), "rule_id": knownvalue.StringExact(tenant.rules[i]),
	})
}

// listTestProviderEnv configures the provider through its environment
// variables, so that the same configuration (without a provider block)
// serves the .tf and the .tfquery.hcl files of a working directory.
func listTestProviderEnv(t *testing.T, srv *acctest.Server) {
	t.Setenv("JITSUDO_ENDPOINT", srv.URL)
	t.Setenv("JITSUDO_API_KEY", srv.APIKey)
	t.Setenv("JITSUDO_TENANT_ID", srv.TenantID)
}

// listTestQuery lists everything listTestFill created: every policy, rule
// and permission set, and the AWS roles that are mapped.
const listTestQuery = `
list "jitsudo_policy" "all" {
  provider         = jitsudo
  include_resource = true
}

list "jitsudo_policy_rule" "all" {
  provider         = jitsudo
  include_resource = true
}

list "jitsudo_permission_set" "all" {
  provider         = jitsudo
  include_resource = true
}

list "jitsudo_aws_role_mapping" "mapped" {
  provider         = jitsudo
  include_resource = true
  config {
    mapped = true
  }
}
`

// TestAccListResources_query runs `terraform query` on a tenant filled
// through the API: every list resource finds its objects with their
// identities, display names and values, and the filters select.
func TestAccListResources_query(t *testing.T) {
	skipOnOpenTofu(t)
	srv := acctest.NewServer(t)
	tenant := listTestFill(t, srv)
	listTestProviderEnv(t, srv)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{
			{
				// The working directory needs a configuration with the
				// provider; the query step adds the .tfquery.hcl file.
				Config: `data "jitsudo_roles" "all" {}`,
			},
			{
				Query:  true,
				Config: listTestQuery,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("jitsudo_policy.all", 2),
					querycheck.ExpectIdentity("jitsudo_policy.all", map[string]knownvalue.Check{"id": knownvalue.StringExact(tenant.prodPolicy)}),
					querycheck.ExpectResourceDisplayName("jitsudo_policy.all",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringExact(tenant.devPolicy)}),
						knownvalue.StringExact("adopt-dev")),
					querycheck.ExpectResourceKnownValues("jitsudo_policy.all",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringExact(tenant.prodPolicy)}),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact("adopt-prod")},
							{Path: tfjsonpath.New("notification_channel"), KnownValue: knownvalue.StringExact("#prod-access")},
							{Path: tfjsonpath.New("cedar_policy_set"), KnownValue: knownvalue.StringRegexp(regexp.MustCompile(`(?s)^permit.*forbid`))},
						}),

					querycheck.ExpectLength("jitsudo_policy_rule.all", 2),
					querycheck.ExpectIdentity("jitsudo_policy_rule.all", map[string]knownvalue.Check{
						"policy_id": knownvalue.StringExact(tenant.prodPolicy), "rule_id": knownvalue.StringExact(tenant.rules[1]),
					}),
					querycheck.ExpectResourceDisplayName("jitsudo_policy_rule.all",
						listTestRule(tenant, 0),
						knownvalue.StringRegexp(regexp.MustCompile(`^adopt-prod: rule \d+ \(permit\)$`))),
					querycheck.ExpectResourceKnownValues("jitsudo_policy_rule.all",
						listTestRule(tenant, 0),
						[]querycheck.KnownValueCheck{
							// Structured, as an import reads it, and no policy_text.
							{Path: tfjsonpath.New("effect"), KnownValue: knownvalue.StringExact("permit")},
							{Path: tfjsonpath.New("resource").AtMapKey("scope"), KnownValue: knownvalue.StringExact("is_in")},
							{Path: tfjsonpath.New("action").AtMapKey("ids"), KnownValue: knownvalue.ListExact([]knownvalue.Check{
								knownvalue.StringExact("request_access"), knownvalue.StringExact("extend"),
							})},
							{Path: tfjsonpath.New("policy_text"), KnownValue: knownvalue.Null()},
						}),

					querycheck.ExpectLength("jitsudo_permission_set.all", 2),
					querycheck.ExpectIdentity("jitsudo_permission_set.all", map[string]knownvalue.Check{"arn": knownvalue.StringExact(listTestSetFull)}),
					querycheck.ExpectResourceKnownValues("jitsudo_permission_set.all",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"arn": knownvalue.StringExact(listTestSetFull)}),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact("DataEngineer")},
							{Path: tfjsonpath.New("session_duration"), KnownValue: knownvalue.StringExact("PT8H")},
						}),

					// Only the two mapped AWS roles of the nine discovered.
					querycheck.ExpectLength("jitsudo_aws_role_mapping.mapped", 2),
					querycheck.ExpectIdentity("jitsudo_aws_role_mapping.mapped", map[string]knownvalue.Check{"aws_role_id": knownvalue.StringExact(tenant.adminAwsRole)}),
					querycheck.ExpectResourceDisplayName("jitsudo_aws_role_mapping.mapped",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"aws_role_id": knownvalue.StringExact(tenant.developerAwsRole)}),
						knownvalue.StringExact("Developer (arn:aws:iam::210987654321:role/Developer)")),
				},
			},
			{
				// Filters: by policy, name, account, status and mapping.
				Query: true,
				Config: fmt.Sprintf(`
list "jitsudo_policy" "disabled" {
  provider = jitsudo
  config {
    enabled = false
  }
}

list "jitsudo_policy_rule" "dev" {
  provider = jitsudo
  config {
    policy_id = %q
  }
}

list "jitsudo_permission_set" "data" {
  provider = jitsudo
  config {
    account_id = "123456789012"
    name_regex = "^Data"
  }
}

list "jitsudo_aws_role_mapping" "prod_unmapped" {
  provider = jitsudo
  config {
    account_id = "123456789012"
    status     = "OK"
    mapped     = false
  }
}

list "jitsudo_aws_role_mapping" "ci" {
  provider = jitsudo
  config {
    arn_regex  = ":role/ci/"
    name_regex = "^Dep"
  }
}
`, tenant.devPolicy),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("jitsudo_policy.disabled", 1),
					querycheck.ExpectIdentity("jitsudo_policy.disabled", map[string]knownvalue.Check{"id": knownvalue.StringExact(tenant.devPolicy)}),
					querycheck.ExpectLength("jitsudo_policy_rule.dev", 0),
					querycheck.ExpectLength("jitsudo_permission_set.data", 1),
					querycheck.ExpectIdentity("jitsudo_permission_set.data", map[string]knownvalue.Check{"arn": knownvalue.StringExact(listTestSetFull)}),
					// The prod account's five roles but Admin, which is mapped.
					querycheck.ExpectLength("jitsudo_aws_role_mapping.prod_unmapped", 4),
					querycheck.ExpectLength("jitsudo_aws_role_mapping.ci", 1),
				},
			},
		},
	})
}

// TestAccListResources_queryInvalidFilters: malformed filters fail the
// query at the filter, before any listing; a policy_id of no policy fails
// at policy_id.
func TestAccListResources_queryInvalidFilters(t *testing.T) {
	skipOnOpenTofu(t)
	srv := acctest.NewServer(t)
	listTestProviderEnv(t, srv)
	step := func(typ, filter, want string) resource.TestStep {
		return resource.TestStep{
			Query:       true,
			Config:      fmt.Sprintf("list %q \"x\" {\n  provider = jitsudo\n  config {\n    %s\n  }\n}\n", typ, filter),
			ExpectError: regexp.MustCompile(want),
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{
			{Config: `data "jitsudo_roles" "all" {}`},
			step("jitsudo_policy", `name_regex = "("`, `Invalid Regular Expression`),
			step("jitsudo_policy_rule", `policy_id = "nope"`, `Invalid UUID`),
			step("jitsudo_permission_set", `account_id = "12"`, `Invalid AWS Account ID`),
			step("jitsudo_aws_role_mapping", `status = "GONE"`, `(?s)Invalid Attribute Value Match.*OK.*MISSING`),
			step("jitsudo_aws_role_mapping", `source = "x"`, `Invalid UUID`),
			// Well-formed, but no such policy.
			step("jitsudo_policy_rule", `policy_id = "7b0c7a51-4a4e-4d4b-9b7e-0f5d1c2e3a4b"`, `(?s)Policy Not Found.*no policy "7b0c7a51`),
		},
	})
}

// listTestGenerateConfig runs `terraform query -generate-config-out` on
// query in a working directory of its own, with the provider served in
// this process, and returns the generated configuration: resource and
// import blocks. It skips t below Terraform 1.14, which has no query.
func listTestGenerateConfig(t *testing.T, query string) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("Acceptance tests skipped unless env 'TF_ACC' set")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	tf, err := tfexec.NewTerraform(dir, os.Getenv("TF_ACC_TERRAFORM_PATH"))
	if err != nil {
		t.Fatalf("TF_ACC_TERRAFORM_PATH must name a terraform binary: %v", err)
	}
	v, _, err := tf.Version(ctx, true)
	if err != nil {
		t.Fatalf("terraform version: %v", err)
	}
	if s := v.Segments(); len(s) < 2 || (s[0] == 1 && s[1] < 14) {
		t.Skipf("terraform query needs Terraform 1.14 or later, not %s", v)
	}

	reattach := make(chan *plugin.ReattachConfig)
	closed := make(chan struct{})
	go func() {
		// Errors show in the terraform commands that cannot reach it.
		_ = tf6server.Serve("registry.terraform.io/hashicorp/jitsudo", provider.NewProtocol6Server("test"),
			tf6server.WithDebug(ctx, reattach, closed))
	}()
	var cfg *plugin.ReattachConfig
	select {
	case cfg = <-reattach:
	case <-time.After(time.Minute):
		t.Fatal("the provider server did not start")
	}
	defer func() { cancel(); <-closed }()
	info := tfexec.ReattachInfo{"registry.terraform.io/hashicorp/jitsudo": tfexec.ReattachConfig{
		Protocol: string(cfg.Protocol), ProtocolVersion: cfg.ProtocolVersion, Pid: cfg.Pid, Test: cfg.Test,
		Addr: tfexec.ReattachConfigAddr{Network: cfg.Addr.Network(), String: cfg.Addr.String()},
	}}

	for name, text := range map[string]string{"main.tf": "provider \"jitsudo\" {}\n", "adopt.tfquery.hcl": query} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := tf.Init(ctx, tfexec.Reattach(info)); err != nil {
		t.Fatalf("terraform init: %v", err)
	}
	msgs, err := tf.QueryJSON(ctx, tfexec.GenerateConfigOut("generated.tf"), tfexec.Reattach(info))
	if err != nil {
		t.Fatalf("terraform query: %v", err)
	}
	for m := range msgs {
		if m.Err != nil {
			t.Fatalf("terraform query: %v", m.Err)
		}
		if m.Msg != nil && m.Msg.Level() == "error" {
			t.Fatalf("terraform query: %s", m.Msg.Message())
		}
	}
	out, err := os.ReadFile(filepath.Join(dir, "generated.tf"))
	if err != nil {
		t.Fatalf("terraform query wrote no configuration: %v", err)
	}
	return string(out)
}

// listTestResourceBlock matches the header of a resource block.
var listTestResourceBlock = regexp.MustCompile(`(?m)^resource "(\w+)" "(\w+)" \{`)

// TestAccListResources_generateConfig is the adoption of a tenant: on a
// tenant filled through the API, `terraform query -generate-config-out`
// writes resource and import blocks for everything; applying them imports
// every object and changes nothing, and the plan after it is empty.
func TestAccListResources_generateConfig(t *testing.T) {
	skipOnOpenTofu(t)
	srv := acctest.NewServer(t)
	listTestFill(t, srv)
	listTestProviderEnv(t, srv)
	generated := listTestGenerateConfig(t, listTestQuery)
	t.Logf("generated configuration:\n%s", generated)

	var imports []plancheck.PlanCheck
	for _, m := range listTestResourceBlock.FindAllStringSubmatch(generated, -1) {
		imports = append(imports, plancheck.ExpectResourceAction(m[1]+"."+m[2], plancheck.ResourceActionNoop))
	}
	// 2 policies, 2 rules, 2 permission sets, 2 mapped AWS roles.
	if len(imports) != 8 || strings.Count(generated, "import {") != 8 {
		t.Fatalf("want 8 resource and 8 import blocks, got %d and %d:\n%s", len(imports), strings.Count(generated, "import {"), generated)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{
			{
				// The generated configuration as it is: its apply only
				// imports, and the plan after it is empty (the test
				// framework fails a step whose plan after apply is not).
				Config:           generated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: imports, PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// TestAccListResources_examples runs the list blocks of the examples
// (examples/list-resources, examples/adopt) as queries on a filled tenant:
// they are valid and list without errors.
func TestAccListResources_examples(t *testing.T) {
	skipOnOpenTofu(t)
	srv := acctest.NewServer(t)
	tenant := listTestFill(t, srv)
	listTestProviderEnv(t, srv)
	files, err := filepath.Glob(filepath.Join(acctest.RepoRoot(), "examples", "list-resources", "*", "*.tfquery.hcl"))
	if err != nil || len(files) != 4 {
		t.Fatalf("want the examples of the 4 list resources, got %v (%v)", files, err)
	}
	files = append(files, filepath.Join(acctest.RepoRoot(), "examples", "adopt", "adopt.tfquery.hcl"))
	steps := []resource.TestStep{{Config: `data "jitsudo_roles" "all" {}`}}
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// The example's placeholder policy id is the filled tenant's.
		query := strings.ReplaceAll(string(text), "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0", tenant.prodPolicy)
		steps = append(steps, resource.TestStep{Query: true, Config: query})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps:                    steps,
	})
}
