package provider_test

import (
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/acctest"
)

// The permission sets of examples/quickstart.
const (
	quickstartPS1 = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0000000000000001"
	quickstartPS2 = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0000000000000002"
)

// TestAccQuickstart applies examples/quickstart as it is (its provider
// block reads the JITSUDO_* environment), plans nothing afterwards, and
// destroys everything it created. It is part of the version matrix
// (`make testacc-matrix`).
//
// The example names its provider jitsudo-community/jitsudo, so the test
// serves the provider under that namespace; t.Setenv keeps the setting to
// this test (which therefore never runs in parallel).
func TestAccQuickstart(t *testing.T) {
	srv := acctest.NewServer(t)
	t.Setenv("JITSUDO_ENDPOINT", srv.URL)
	t.Setenv("JITSUDO_API_KEY", srv.APIKey)
	t.Setenv("JITSUDO_TENANT_ID", srv.TenantID)
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "jitsudo-community")

	resource.Test(t, resource.TestCase{
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(
			testAccPolicyCheckDestroy(srv),
			testAccCheckPolicyRuleDestroy(srv),
			awsRoleTestCheckNoMappings(srv, nil),
			func(*terraform.State) error { return psCheckDestroyed(srv.Client, quickstartPS1, quickstartPS2) },
		),
		Steps: []resource.TestStep{{
			// At the step: the example's provider block counts as the
			// step's, and plugin-testing wants all of them in one place.
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			ConfigDirectory:          config.StaticDirectory(filepath.Join(acctest.RepoRoot(), "examples", "quickstart")),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("jitsudo_policy.prod", tfjsonpath.New("name"), knownvalue.StringExact("prod-access")),
				statecheck.ExpectKnownValue("jitsudo_policy_rule.sre_request", tfjsonpath.New("effect"), knownvalue.StringExact("permit")),
				statecheck.ExpectKnownValue("jitsudo_aws_role_mapping.prod_breakglass", tfjsonpath.New("role_ids"), knownvalue.SetSizeExact(2)),
				statecheck.ExpectKnownValue("jitsudo_permission_sets.org", tfjsonpath.New("permission_sets"), knownvalue.MapSizeExact(2)),
				statecheck.ExpectKnownOutputValue("cedar_policy_set", knownvalue.StringRegexp(testAccQuickstartThreeRules)),
			},
		}},
	})
}

// testAccQuickstartThreeRules matches the quickstart policy's Cedar policy
// set: its three rules in ordinal order.
var testAccQuickstartThreeRules = regexp.MustCompile(`(?s)^\s*permit\s*\(.*context\.duration_seconds <= 14400.*\bpermit\s*\(.*\bforbid\s*\(.*context\.mfa_authenticated`)
