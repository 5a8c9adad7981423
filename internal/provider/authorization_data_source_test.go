package provider_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/acctest"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// testAccAuthorizationPolicy is a managed policy with the quickstart's
// request and MFA rules.
const testAccAuthorizationPolicy = `
resource "jitsudo_policy" "prod" {
  name                 = "acc-authorization"
  max_duration_seconds = 14400
}

resource "jitsudo_policy_rule" "sre" {
  policy_id = jitsudo_policy.prod.id
  ordinal   = 10
  effect    = "permit"
  principal = { scope = "in", entity_type = "Group", entity_id = "sre" }
  action    = { scope = "in", ids = ["request_access", "extend"] }
  resource  = { scope = "in", entity_type = "AwsAccount", entity_id = "123456789012" }

  conditions = "when { context.duration_seconds <= 14400 }"
}

resource "jitsudo_policy_rule" "mfa" {
  policy_id   = jitsudo_policy.prod.id
  ordinal     = 20
  policy_text = "forbid (principal, action == Action::\"request_access\", resource) unless { context.mfa_authenticated };"
}

locals {
  entities = [
    { uid = "User::\"alice\"", attrs = { email = "alice@example.com" }, parents = ["Group::\"sre\""] },
  ]
}
`

// testAccAuthorizationRequest is a data source deciding a request of alice
// against the policy of testAccAuthorizationPolicy.
func testAccAuthorizationRequest(name, context, extra string) string {
	return `
data "jitsudo_authorization" "` + name + `" {
  policy_id = jitsudo_policy.prod.id
  principal = "User::\"alice\""
  action    = "Action::\"request_access\""
  resource  = "AwsAccount::\"123456789012\""
  context   = ` + context + `
  entities  = local.entities
` + extra + `
  depends_on = [jitsudo_policy_rule.sre, jitsudo_policy_rule.mfa]
}
`
}

func TestAccAuthorizationDataSource_policy(t *testing.T) {
	srv := acctest.NewServer(t)
	var policyGets int64
	at := tfjsonpath.New[string]
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccPolicyCheckDestroy(srv),
		Steps: []resource.TestStep{
			{
				Config: srv.Config(testAccAuthorizationPolicy +
					testAccAuthorizationRequest("mfa", `{ duration_seconds = 14400, mfa_authenticated = true }`, "") +
					testAccAuthorizationRequest("no_mfa", `{ duration_seconds = 3600, mfa_authenticated = false }`, "") +
					testAccAuthorizationRequest("too_long", `{ duration_seconds = 14401, mfa_authenticated = true }`, "") +
					testAccAuthorizationRequest("no_context", `null`, "") + `
check "nobody_without_mfa" {
  assert {
    condition     = data.jitsudo_authorization.no_mfa.decision == "deny"
    error_message = "A request without MFA is allowed."
  }
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.jitsudo_authorization.mfa", at("decision"), knownvalue.StringExact("allow")),
					statecheck.ExpectKnownValue("data.jitsudo_authorization.mfa", at("allowed"), knownvalue.Bool(true)),
					statecheck.CompareValuePairs("data.jitsudo_authorization.mfa", at("reasons").AtSliceIndex(0), "jitsudo_policy_rule.sre", at("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue("data.jitsudo_authorization.mfa", at("reasons"), knownvalue.ListSizeExact(1)),
					statecheck.CompareValuePairs("data.jitsudo_authorization.mfa", at("deciding_policy_id"), "jitsudo_policy.prod", at("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue("data.jitsudo_authorization.mfa", at("errors"), knownvalue.ListExact([]knownvalue.Check{})),

					statecheck.ExpectKnownValue("data.jitsudo_authorization.no_mfa", at("decision"), knownvalue.StringExact("deny")),
					statecheck.ExpectKnownValue("data.jitsudo_authorization.no_mfa", at("allowed"), knownvalue.Bool(false)),
					statecheck.CompareValuePairs("data.jitsudo_authorization.no_mfa", at("reasons").AtSliceIndex(0), "jitsudo_policy_rule.mfa", at("id"), compare.ValuesSame()),

					statecheck.ExpectKnownValue("data.jitsudo_authorization.too_long", at("decision"), knownvalue.StringExact("deny")),
					statecheck.ExpectKnownValue("data.jitsudo_authorization.too_long", at("reasons"), knownvalue.ListExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue("data.jitsudo_authorization.too_long", at("deciding_policy_id"), knownvalue.Null()),

					// Without a context both rules fail to evaluate and are skipped.
					statecheck.ExpectKnownValue("data.jitsudo_authorization.no_context", at("decision"), knownvalue.StringExact("deny")),
					statecheck.ExpectKnownValue("data.jitsudo_authorization.no_context", at("errors"), knownvalue.ListSizeExact(2)),
					statecheck.CompareValuePairs("data.jitsudo_authorization.no_context", at("errors").AtSliceIndex(1).AtMapKey("rule_id"), "jitsudo_policy_rule.mfa", at("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs("data.jitsudo_authorization.no_context", at("errors").AtSliceIndex(1).AtMapKey("policy_id"), "jitsudo_policy.prod", at("id"), compare.ValuesSame()),
				},
			},
			{
				// The four data sources read the policy from the one GET
				// that the refresh of the policy and its rules makes, not
				// with one GET each (5 before).
				PreConfig: func() { policyGets = srv.Requests(t)["GET /v1/policies/{policyId}"] },
				Config: srv.Config(testAccAuthorizationPolicy +
					testAccAuthorizationRequest("mfa", `{ duration_seconds = 14400, mfa_authenticated = true }`, "") +
					testAccAuthorizationRequest("no_mfa", `{ duration_seconds = 3600, mfa_authenticated = false }`, "") +
					testAccAuthorizationRequest("too_long", `{ duration_seconds = 14401, mfa_authenticated = true }`, "") +
					testAccAuthorizationRequest("no_context", `null`, "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{planCheckFunc(func() error {
					if n := srv.Requests(t)["GET /v1/policies/{policyId}"] - policyGets; n != 1 {
						return fmt.Errorf("%d GETs of the policy for a no-change plan, want 1", n)
					}
					return nil
				})}},
			},
			{
				// A postcondition on the decision fails the run.
				Config: srv.Config(testAccAuthorizationPolicy + testAccAuthorizationRequest("no_mfa", `{ duration_seconds = 3600, mfa_authenticated = false }`, `
  lifecycle {
    postcondition {
      condition     = self.decision == "allow"
      error_message = "alice cannot request production access without MFA"
    }
  }
`)),
				ExpectError: regexp.MustCompile(`alice cannot request production access without MFA`),
			},
		},
	})
}

func TestAccAuthorizationDataSource_tenant(t *testing.T) {
	srv := acctest.NewServer(t)
	ctx := context.Background()
	policy := func(name string, priority int, enabled bool, text string) *api.Policy {
		t.Helper()
		p, err := srv.Client.CreatePolicy(ctx, api.PolicyCreate{Name: name, Priority: &priority, Enabled: &enabled, MaxDurationSeconds: 3600, CedarPolicySet: &text})
		if err != nil {
			t.Fatalf("create policy %q: %v", name, err)
		}
		return p
	}
	// Evaluated highest priority first; the disabled one not at all.
	low := policy("acc-low", 10, true, `permit (principal is User, action, resource);`+"\n"+
		`permit (principal, action, resource) when { principal.missing };`)
	high := policy("acc-high", 100, true, `forbid (principal in Group::"contractors", action, resource);`)
	off := policy("acc-off", 1000, false, `forbid (principal, action, resource);`)

	decide := func(name, principal, policyID string) string {
		line := ""
		if policyID != "" {
			line = "policy_id = \"" + policyID + "\"\n"
		}
		return `
data "jitsudo_authorization" "` + name + `" {
  ` + line + `principal = "` + principal + `"
  action    = "Action::\"approve\""
  resource  = "AwsAccount::\"1\""
  entities = [
    { uid = "User::\"carl\"", parents = ["Group::\"contractors\""] },
    { uid = { type = "User", id = "olga" } },
  ]
}
`
	}
	at := tfjsonpath.New[string]
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: srv.Config(decide("contractor", `User::\"carl\"`, "") + decide("employee", `User::\"olga\"`, "") +
					decide("robot", `Robot::\"r2\"`, "") + decide("disabled", `User::\"olga\"`, off.Id.String())),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.jitsudo_authorization.contractor", at("decision"), knownvalue.StringExact("deny")),
					statecheck.ExpectKnownValue("data.jitsudo_authorization.contractor", at("deciding_policy_id"), knownvalue.StringExact(high.Id.String())),
					statecheck.ExpectKnownValue("data.jitsudo_authorization.contractor", at("reasons"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(high.Rules[0].Id.String())})),
					statecheck.ExpectKnownValue("data.jitsudo_authorization.contractor", at("errors"), knownvalue.ListExact([]knownvalue.Check{})),

					statecheck.ExpectKnownValue("data.jitsudo_authorization.employee", at("decision"), knownvalue.StringExact("allow")),
					statecheck.ExpectKnownValue("data.jitsudo_authorization.employee", at("deciding_policy_id"), knownvalue.StringExact(low.Id.String())),
					statecheck.ExpectKnownValue("data.jitsudo_authorization.employee", at("reasons"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(low.Rules[0].Id.String())})),
					statecheck.ExpectKnownValue("data.jitsudo_authorization.employee", at("errors"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"policy_id": knownvalue.StringExact(low.Id.String()),
							"rule_id":   knownvalue.StringExact(low.Rules[1].Id.String()),
						}),
					})),

					statecheck.ExpectKnownValue("data.jitsudo_authorization.robot", at("decision"), knownvalue.StringExact("deny")),
					statecheck.ExpectKnownValue("data.jitsudo_authorization.robot", at("deciding_policy_id"), knownvalue.Null()),

					statecheck.ExpectKnownValue("data.jitsudo_authorization.disabled", at("decision"), knownvalue.StringExact("deny")),
					statecheck.ExpectKnownValue("data.jitsudo_authorization.disabled", at("reasons"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(off.Rules[0].Id.String())})),
				},
			},
			{
				Config:      srv.Config(decide("bad", `alice`, "")),
				ExpectError: regexp.MustCompile(`Invalid Entity Reference`),
			},
			{
				Config: srv.Config(`
data "jitsudo_authorization" "bad" {
  principal = "User::\"a\""
  action    = "Action::\"approve\""
  resource  = "AwsAccount::\"1\""
  context   = { ratio = 0.5 }
}
`),
				ExpectError: regexp.MustCompile(`(?s)Invalid Authorization Request.*evaluated:\s+context.ratio\s+is\s+0.5,\s+which\s+is\s+not\s+a\s+Cedar\s+Long`),
			},
			{
				Config: srv.Config(`
data "jitsudo_authorization" "bad" {
  principal = "User::\"a\""
  action    = "Action::\"approve\""
  resource  = "AwsAccount::\"1\""
  entities  = [{ uid = "User::\"a\"" }, { uid = "User::\"a\"" }]
}
`),
				ExpectError: regexp.MustCompile(`(?s)Invalid Authorization Request.*entities\[1\]\.uid:\s+User::"a"\s+is\s+listed\s+twice`),
			},
			{
				Config:      srv.Config(decide("missing", `User::\"olga\"`, "00000000-0000-4000-8000-000000000000")),
				ExpectError: regexp.MustCompile(`Policy Not Found`),
			},
		},
	})
}

// TestAccAuthorizationDataSource_example applies the documentation example
// (examples/data-sources/jitsudo_authorization/data-source.tf) against a
// tenant with the policy it names: its check passes, and its postcondition
// stops the run once a policy lets contractors in.
func TestAccAuthorizationDataSource_example(t *testing.T) {
	srv := acctest.NewServer(t)
	example, err := os.ReadFile(filepath.Join(acctest.RepoRoot(), "examples", "data-sources", "jitsudo_authorization", "data-source.tf"))
	if err != nil {
		t.Fatal(err)
	}
	rules := `permit (principal in Group::"sre", action in [Action::"request_access", Action::"extend"], resource) when { context.duration_seconds <= 14400 };
forbid (principal, action == Action::"request_access", resource) unless { context.mfa_authenticated };`
	enabled, priority := true, 0
	prod, err := srv.Client.CreatePolicy(context.Background(), api.PolicyCreate{Name: "prod-access", Enabled: &enabled, Priority: &priority, MaxDurationSeconds: 14400, CedarPolicySet: &rules})
	if err != nil {
		t.Fatal(err)
	}
	at := tfjsonpath.New[string]
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: srv.Config(string(example)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.jitsudo_authorization.sre_without_mfa", at("decision"), knownvalue.StringExact("deny")),
					statecheck.ExpectKnownValue("data.jitsudo_authorization.sre_without_mfa", at("reasons"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(prod.Rules[1].Id.String())})),
					statecheck.ExpectKnownValue("data.jitsudo_authorization.contractor", at("allowed"), knownvalue.Bool(false)),
				},
			},
			{
				PreConfig: func() {
					everyone := `permit (principal, action, resource);`
					p := 10
					if _, err := srv.Client.CreatePolicy(context.Background(), api.PolicyCreate{Name: "open-door", Priority: &p, MaxDurationSeconds: 3600, CedarPolicySet: &everyone}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      srv.Config(string(example)),
				ExpectError: regexp.MustCompile(`Contractors get production access from policy`),
			},
		},
	})
}

// planCheckFunc is a plan check that runs a function (on the server, not
// the plan).
type planCheckFunc func() error

func (f planCheckFunc) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f()
}
