package provider_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/testutil"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/acctest"
)

// silentProviderConfig is the provider block of srv's tenant pointed at
// endpoint instead, with the given request_timeout and max_retries.
func silentProviderConfig(srv *acctest.Server, endpoint, requestTimeout string, maxRetries int) string {
	return srv.ProviderConfigAt(endpoint,
		fmt.Sprintf("  request_timeout = %q", requestTimeout),
		fmt.Sprintf("  max_retries     = %d", maxRetries))
}

const testAccTimeoutsPolicy = `
resource "jitsudo_policy" "test" {
  name                 = "acc-timeouts"
  max_duration_seconds = 3600
}
`

// TestAccProvider_requestTimeout refreshes a policy against an endpoint
// that accepts connections and never answers: terraform plan fails after
// max_retries + 1 attempts of request_timeout each, not after the minutes
// the default would take, and the error names the endpoint and the
// timeout.
func TestAccProvider_requestTimeout(t *testing.T) {
	srv := acctest.NewServer(t)
	silent, accepted := testutil.SilentListener(t)
	const (
		requestTimeout = time.Second
		maxRetries     = 1
		attempts       = maxRetries + 1
		// Terraform's own start, refresh and plan around the attempts.
		overhead = 8 * time.Second
	)
	var start time.Time

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// A policy in state, so that the plan refreshes it.
				Config: srv.Config(testAccTimeoutsPolicy),
			},
			{
				PreConfig: func() { start = time.Now() },
				Config:    silentProviderConfig(srv, silent, requestTimeout.String(), maxRetries) + testAccTimeoutsPolicy,
				PlanOnly:  true,
				ExpectError: regexp.MustCompile(`(?s)Error Reading Policy.*no\s+answer\s+from\s+` + regexp.QuoteMeta(silent) +
					`\s+within\s+1s\s+\(request_timeout\)\s+after\s+2\s+attempt\(s\)`),
			},
			{
				PreConfig: func() {
					elapsed := time.Since(start)
					t.Logf("terraform plan against the silent endpoint failed after %s (%d connections)", elapsed, accepted.Load())
					if lo, hi := attempts*requestTimeout, attempts*requestTimeout+overhead; elapsed < lo || elapsed > hi {
						t.Errorf("terraform plan failed after %s, want between %s and %s", elapsed, lo, hi)
					}
					if n := accepted.Load(); n != attempts {
						t.Errorf("the silent endpoint accepted %d connections, want %d (one per attempt)", n, attempts)
					}
				},
				// Back to the real server: nothing changed, and the policy
				// can be destroyed.
				Config: srv.Config(testAccTimeoutsPolicy),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

// TestAccPolicy_createTimeout creates a policy against an endpoint that
// never answers, with a request_timeout far longer than the resource's
// create timeout: the create ends at the create timeout, with an error
// saying so.
func TestAccPolicy_createTimeout(t *testing.T) {
	srv := acctest.NewServer(t)
	silent, _ := testutil.SilentListener(t)
	var start time.Time
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { start = time.Now() },
				Config: silentProviderConfig(srv, silent, "5m", 4) + `
resource "jitsudo_policy" "test" {
  name                 = "acc-create-timeout"
  max_duration_seconds = 3600
  timeouts = {
    create = "1s"
  }
}
`,
				ExpectError: regexp.MustCompile(`(?s)Error Creating Policy.*context\s+deadline\s+exceeded:\s+the\s+operation\s+did\s+not\s+finish\s+within\s+its\s+timeout\s+of\s+1s`),
			},
			{
				PreConfig: func() {
					if elapsed := time.Since(start); elapsed > 10*time.Second {
						t.Errorf("terraform apply failed after %s, want about the create timeout of 1s", elapsed)
					}
				},
				Config:   srv.Config(`# nothing`),
				PlanOnly: true,
			},
		},
	})
}

// testAccTimeoutsConfig is one resource of each type, each with timeouts.
func testAccTimeoutsConfig(srv *acctest.Server, timeouts string) string {
	return srv.Config(fmt.Sprintf(`
data "jitsudo_roles" "all" {}

data "jitsudo_aws_role" "target" {
  arn = "arn:aws:iam::123456789012:role/ReadOnly"
}

resource "jitsudo_policy" "test" {
  name                 = "acc-timeouts"
  max_duration_seconds = 3600
  timeouts             = %[1]s
}

resource "jitsudo_policy_rule" "test" {
  policy_id = jitsudo_policy.test.id
  effect    = "permit"
  principal = { scope = "in", entity_type = "Group", entity_id = "sre" }
  timeouts  = %[1]s
}

resource "jitsudo_permission_set" "test" {
  id       = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-7777777777777777"
  name     = "Timeouts"
  timeouts = %[1]s
}

resource "jitsudo_permission_sets" "test" {
  permission_sets = {
    "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-8888888888888888" = { name = "TimeoutsBulk" }
  }
  timeouts = %[1]s
}

resource "jitsudo_aws_role_mapping" "test" {
  aws_role_id = data.jitsudo_aws_role.target.id
  role_ids    = [data.jitsudo_roles.all.ids_by_name["sre"]]
  timeouts    = %[1]s
}
`, timeouts))
}

var testAccTimeoutsResources = []string{
	"jitsudo_policy.test", "jitsudo_policy_rule.test", "jitsudo_permission_set.test",
	"jitsudo_permission_sets.test", "jitsudo_aws_role_mapping.test",
}

// TestAccResources_timeouts sets, changes and removes the timeouts of
// every resource type: a change of timeouts alone is an update that
// applies cleanly (no attribute moves, no second plan), and import, which
// has no timeouts, finds everything else.
func TestAccResources_timeouts(t *testing.T) {
	srv := acctest.NewServer(t)
	expect := func(create, update, del string) []statecheck.StateCheck {
		var checks []statecheck.StateCheck
		for _, addr := range testAccTimeoutsResources {
			checks = append(checks, statecheck.ExpectKnownValue(addr, tfjsonpath.New("timeouts"), knownvalue.ObjectExact(map[string]knownvalue.Check{
				"create": knownvalue.StringExact(create), "update": knownvalue.StringExact(update), "delete": knownvalue.StringExact(del),
			})))
		}
		return checks
	}
	updates := func() []plancheck.PlanCheck {
		var checks []plancheck.PlanCheck
		for _, addr := range testAccTimeoutsResources {
			checks = append(checks, plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate))
		}
		return checks
	}
	steps := []resource.TestStep{
		{
			Config:            testAccTimeoutsConfig(srv, `{ create = "5m", update = "6m", delete = "7m" }`),
			ConfigStateChecks: expect("5m", "6m", "7m"),
		},
		{
			// Only the timeouts change.
			Config:            testAccTimeoutsConfig(srv, `{ create = "5m", update = "1h", delete = "90s" }`),
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: updates()},
			ConfigStateChecks: expect("5m", "1h", "90s"),
		},
	}
	for _, addr := range testAccTimeoutsResources {
		step := resource.TestStep{
			ResourceName:            addr,
			ImportState:             true,
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"timeouts"},
		}
		switch addr {
		case "jitsudo_policy_rule.test":
			step.ImportStateIdFunc = testAccPolicyRuleImportID(addr)
		case "jitsudo_permission_sets.test":
			step.ImportStateId = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-8888888888888888"
		case "jitsudo_aws_role_mapping.test":
			step.ImportStateVerifyIdentifierAttribute = "aws_role_id"
			step.ImportStateIdFunc = func(s *terraform.State) (string, error) {
				return s.RootModule().Resources[addr].Primary.Attributes["aws_role_id"], nil
			}
		}
		steps = append(steps, step)
	}
	steps = append(steps, resource.TestStep{
		// Timeouts removed: the defaults apply.
		Config:           testAccTimeoutsConfig(srv, `null`),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: updates()},
		ConfigStateChecks: func() []statecheck.StateCheck {
			var checks []statecheck.StateCheck
			for _, addr := range testAccTimeoutsResources {
				checks = append(checks, statecheck.ExpectKnownValue(addr, tfjsonpath.New("timeouts"), knownvalue.Null()))
			}
			return checks
		}(),
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps:                    steps,
	})
}
