package provider_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/acctest"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// identityTestSet is the permission set of identityTestConfig.
const identityTestSet = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1d1d1d1d1d1d1d1d"

// identityTestConfig is one object of each resource with an identity.
const identityTestConfig = `
data "jitsudo_roles" "all" {}

data "jitsudo_aws_role" "admin" {
  arn = "arn:aws:iam::123456789012:role/Admin"
}

resource "jitsudo_policy" "test" {
  name                 = "acc-identity"
  max_duration_seconds = 3600
}

resource "jitsudo_policy_rule" "test" {
  policy_id = jitsudo_policy.test.id
  effect    = "permit"
  principal = { scope = "in", entity_type = "Group", entity_id = "sre" }
}

resource "jitsudo_permission_set" "test" {
  id   = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1d1d1d1d1d1d1d1d"
  name = "IdentityTest"
}

resource "jitsudo_aws_role_mapping" "test" {
  aws_role_id = data.jitsudo_aws_role.admin.id
  role_ids    = [data.jitsudo_roles.all.ids_by_name["sre"]]
}
`

// identityTestImport is an import step of addr by its identity (an import
// block with identity, Terraform 1.12 and later): the import plans no
// change.
func identityTestImport(addr string) resource.TestStep {
	return resource.TestStep{
		ResourceName:    addr,
		ImportState:     true,
		ImportStateKind: resource.ImportBlockWithResourceIdentity,
		ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop),
		}},
	}
}

// skipOnOpenTofu skips a test of resource identity or list resources on
// OpenTofu, which has neither yet (its version, 1.12, passes Terraform's
// version checks).
func skipOnOpenTofu(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC_PROVIDER_HOST") == "registry.opentofu.org" || filepath.Base(os.Getenv("TF_ACC_TERRAFORM_PATH")) == "tofu" {
		t.Skip("OpenTofu has no resource identity or list resources")
	}
}

// TestAccAllResources_identity: every resource with an identity stores it,
// made of the values of its import id, imports by it, and keeps it on
// updates.
func TestAccAllResources_identity(t *testing.T) {
	skipOnOpenTofu(t)
	srv := acctest.NewServer(t)
	renamed := strings.NewReplacer(`"acc-identity"`, `"acc-identity-renamed"`, `"permit"`, `"forbid"`,
		`"IdentityTest"`, `"IdentityTestRenamed"`, `["sre"]`, `["auditor"]`).Replace(identityTestConfig)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		Steps: []resource.TestStep{
			{
				Config: srv.Config(identityTestConfig),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity("jitsudo_policy.test", map[string]knownvalue.Check{
						"id": knownvalue.StringRegexp(testAccPolicyUUID),
					}),
					statecheck.ExpectIdentityValueMatchesState("jitsudo_policy.test", tfjsonpath.New("id")),
					statecheck.ExpectIdentity("jitsudo_policy_rule.test", map[string]knownvalue.Check{
						"policy_id": knownvalue.StringRegexp(testAccPolicyUUID),
						"rule_id":   knownvalue.StringRegexp(testAccPolicyUUID),
					}),
					statecheck.ExpectIdentityValueMatchesState("jitsudo_policy_rule.test", tfjsonpath.New("policy_id")),
					statecheck.ExpectIdentityValueMatchesStateAtPath("jitsudo_policy_rule.test", tfjsonpath.New("rule_id"), tfjsonpath.New("id")),
					statecheck.ExpectIdentity("jitsudo_permission_set.test", map[string]knownvalue.Check{
						"arn": knownvalue.StringExact(identityTestSet),
					}),
					statecheck.ExpectIdentity("jitsudo_aws_role_mapping.test", map[string]knownvalue.Check{
						"aws_role_id": knownvalue.StringRegexp(testAccPolicyUUID),
					}),
					statecheck.ExpectIdentityValueMatchesState("jitsudo_aws_role_mapping.test", tfjsonpath.New("aws_role_id")),
				},
			},
			identityTestImport("jitsudo_policy.test"),
			identityTestImport("jitsudo_policy_rule.test"),
			identityTestImport("jitsudo_permission_set.test"),
			identityTestImport("jitsudo_aws_role_mapping.test"),
			{
				// Updates in place keep every identity (Terraform fails an
				// apply whose identity changes).
				Config: srv.Config(renamed),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("jitsudo_policy.test", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("jitsudo_policy_rule.test", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("jitsudo_permission_set.test", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("jitsudo_aws_role_mapping.test", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentityValueMatchesState("jitsudo_policy.test", tfjsonpath.New("id")),
					statecheck.ExpectIdentityValueMatchesStateAtPath("jitsudo_policy_rule.test", tfjsonpath.New("rule_id"), tfjsonpath.New("id")),
					statecheck.ExpectIdentityValueMatchesStateAtPath("jitsudo_permission_set.test", tfjsonpath.New("arn"), tfjsonpath.New("id")),
					statecheck.ExpectIdentityValueMatchesState("jitsudo_aws_role_mapping.test", tfjsonpath.New("aws_role_id")),
				},
			},
			{
				// Objects deleted outside Terraform leave the state on
				// refresh (their Read still answers an identity) and are
				// created again.
				PreConfig: func() {
					ctx := context.Background()
					if err := srv.Client.DeletePermissionSet(ctx, identityTestSet); err != nil {
						t.Fatal(err)
					}
					for p, err := range srv.Client.AllPolicies(ctx, api.ListPoliciesParams{}) {
						if err != nil {
							t.Fatal(err)
						}
						if err := srv.Client.DeletePolicy(ctx, p.Id.String()); err != nil {
							t.Fatal(err)
						}
					}
				},
				Config: srv.Config(renamed),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("jitsudo_policy.test", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("jitsudo_policy_rule.test", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("jitsudo_permission_set.test", plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}
