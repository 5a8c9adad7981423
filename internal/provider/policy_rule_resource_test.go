package provider_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/acctest"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
)

const testAccPolicyRuleAddr = "jitsudo_policy_rule.test"

// The SRE rule of the raw-mode tests: as Cedar text on one line, as the
// server stores it, and as structured attributes.
const (
	testAccPolicyRuleSRE = `permit (principal in Group::"sre", action in [Action::"request_access"], ` +
		`resource is AwsPermissionSet in AwsAccount::"123456789012") when { context.duration_seconds <= 3600 };`
	testAccPolicyRuleSRECanonical = "permit (\n  principal in Group::\"sre\",\n  action in [Action::\"request_access\"],\n" +
		"  resource is AwsPermissionSet in AwsAccount::\"123456789012\"\n)\nwhen { context.duration_seconds <= 3600 };"
	testAccPolicyRuleSREStructured = `
  ordinal       = 5
  audit_session = false
  effect        = "permit"
  principal     = { scope = "in", entity_type = "Group", entity_id = "sre" }
  action        = { scope = "in", ids = ["request_access"] }
  resource      = { scope = "is_in", entity_type = "AwsPermissionSet", in_entity_type = "AwsAccount", entity_id = "123456789012" }
  conditions    = "when { context.duration_seconds <= 3600 }"
`
)

// testAccPolicyRuleParent creates the rule's parent policy out of band and
// returns its id.
func testAccPolicyRuleParent(t *testing.T, srv *acctest.Server) string {
	t.Helper()
	return testAccPolicyRuleParentNamed(t, srv, "rules-"+strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")))
}

// testAccPolicyRuleParentNamed creates a policy named name out of band and
// returns its id.
func testAccPolicyRuleParentNamed(t *testing.T, srv *acctest.Server, name string) string {
	t.Helper()
	p, err := srv.Client.CreatePolicy(context.Background(), api.PolicyCreate{
		Name:               name,
		MaxDurationSeconds: 28800,
	})
	if err != nil {
		t.Fatalf("create parent policy: %v", err)
	}
	return p.Id.String()
}

// testAccPolicyRuleConfig is one jitsudo_policy_rule "test" in policyID
// with the given attribute lines.
func testAccPolicyRuleConfig(srv *acctest.Server, policyID, body string) string {
	return srv.Config(fmt.Sprintf(`
resource "jitsudo_policy_rule" "test" {
  policy_id = %q
%s
}
`, policyID, body))
}

// testAccPolicyRuleIDs returns the policy and rule id of addr in s.
func testAccPolicyRuleIDs(s *terraform.State, addr string) (string, string, error) {
	rs, ok := s.RootModule().Resources[addr]
	if !ok {
		return "", "", fmt.Errorf("%s is not in the state", addr)
	}
	return rs.Primary.Attributes["policy_id"], rs.Primary.ID, nil
}

// testAccPolicyRuleImportID is "<policy_id>/<rule_id>" of addr.
func testAccPolicyRuleImportID(addr string) resource.ImportStateIdFunc {
	return func(s *terraform.State) (string, error) {
		policyID, ruleID, err := testAccPolicyRuleIDs(s, addr)
		return policyID + "/" + ruleID, err
	}
}

// testAccPolicyRuleOnServer reads the rule of addr from the server and
// runs check on it.
func testAccPolicyRuleOnServer(srv *acctest.Server, addr string, check func(*api.Rule) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		policyID, ruleID, err := testAccPolicyRuleIDs(s, addr)
		if err != nil {
			return err
		}
		r, err := srv.Client.GetRule(context.Background(), policyID, ruleID)
		if err != nil {
			return fmt.Errorf("get rule %s: %w", ruleID, err)
		}
		return check(r)
	}
}

// testAccPolicyRuleServerText checks the rule's canonical policy_text on the
// server.
func testAccPolicyRuleServerText(srv *acctest.Server, addr, want string) resource.TestCheckFunc {
	return testAccPolicyRuleOnServer(srv, addr, func(r *api.Rule) error {
		if r.PolicyText != want {
			return fmt.Errorf("server policy_text = %q, want %q", r.PolicyText, want)
		}
		return nil
	})
}

// testAccPolicyRuleNullable renders a nullable string for messages.
func testAccPolicyRuleNullable(n nullable.Nullable[string]) string {
	if v, err := n.Get(); err == nil {
		return fmt.Sprintf("%q", v)
	}
	return "null"
}

// testAccCheckPolicyRuleDestroy checks that no rule of the state is left on
// the server.
func testAccCheckPolicyRuleDestroy(srv *acctest.Server) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "jitsudo_policy_rule" {
				continue
			}
			_, err := srv.Client.GetRule(context.Background(), rs.Primary.Attributes["policy_id"], rs.Primary.ID)
			switch {
			case err == nil:
				return fmt.Errorf("rule %s still exists", rs.Primary.ID)
			case !errors.Is(err, client.ErrNotFound):
				return fmt.Errorf("get rule %s: %w", rs.Primary.ID, err)
			}
		}
		return nil
	}
}

// testAccPolicyRuleExpectChange is a plan check that addr's attribute
// (top level) changes from before (the refreshed value) to after.
type testAccPolicyRuleExpectChange struct {
	addr, attribute string
	before, after   any
}

func (c testAccPolicyRuleExpectChange) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.addr {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		if !reflect.DeepEqual(before[c.attribute], c.before) || !reflect.DeepEqual(after[c.attribute], c.after) {
			resp.Error = fmt.Errorf("%s.%s: planned %#v -> %#v, want %#v -> %#v", c.addr, c.attribute, before[c.attribute], after[c.attribute], c.before, c.after)
		}
		return
	}
	resp.Error = fmt.Errorf("no planned change for %s", c.addr)
}

// A policy_id written in upper case: Create, Update and Read give the same
// identity (in lower case), so the refresh after each apply does not fail
// with "Unexpected Identity Change" (Terraform 1.12 and later, which keep
// identities: this test is in the version matrix).
func TestAccPolicyRule_upperCasePolicyID(t *testing.T) {
	srv := acctest.NewServer(t)
	policyID := strings.ToUpper(testAccPolicyRuleParent(t, srv))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPolicyRuleDestroy(srv),
		Steps: []resource.TestStep{
			{
				Config: testAccPolicyRuleConfig(srv, policyID, `  policy_text = "permit (principal, action, resource);"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("policy_id"), knownvalue.StringExact(policyID)),
				},
			},
			{
				Config: testAccPolicyRuleConfig(srv, policyID, `  policy_text = "forbid (principal, action, resource);"`),
			},
		},
	})
}

func TestAccPolicyRule_basic(t *testing.T) {
	srv := acctest.NewServer(t)
	policyID := testAccPolicyRuleParent(t, srv)
	otherPolicyID := testAccPolicyRuleParentNamed(t, srv, "other")

	const text1 = "permit (\n  principal in Group::\"sre\",\n  action in [Action::\"request_access\", Action::\"extend\"],\n" +
		"  resource is AwsPermissionSet in AwsAccount::\"123456789012\"\n)\nwhen { context.duration_seconds <= 3600 };"
	const text2 = "forbid (\n  principal == User::\"alice\",\n  action == Action::\"approve\",\n  resource is AwsAccount\n)\n" +
		"unless { context.mfa_authenticated };"
	const text3 = "permit (\n  principal,\n  action,\n  resource in AwsAccount::\"210987654321\"\n);"
	const text4 = "permit (\n  principal is User in Group::\"oncall\",\n  action,\n  resource\n);"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPolicyRuleDestroy(srv),
		Steps: []resource.TestStep{
			{
				Config: testAccPolicyRuleConfig(srv, policyID, `
  ordinal   = 10
  effect    = "permit"
  principal = { scope = "in", entity_type = "Group", entity_id = "sre" }
  action    = { scope = "in", ids = ["request_access", "extend"] }
  resource  = { scope = "is_in", entity_type = "AwsPermissionSet", in_entity_type = "AwsAccount", entity_id = "123456789012" }
  conditions = <<-EOT
    when { context.duration_seconds <= 3600 }
  EOT
  notice = "Production access is audited."
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccPolicyRuleAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue(testAccPolicyRuleAddr, tfjsonpath.New("policy_text")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f-]{36}$`))),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("policy_id"), knownvalue.StringExact(policyID)),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("ordinal"), knownvalue.Int64Exact(10)),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("effect"), knownvalue.StringExact("permit")),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("principal"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"scope": knownvalue.StringExact("in"), "entity_type": knownvalue.StringExact("Group"),
						"entity_id": knownvalue.StringExact("sre"), "in_entity_type": knownvalue.Null(),
					})),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("action"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"scope": knownvalue.StringExact("in"),
						"ids":   knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("request_access"), knownvalue.StringExact("extend")}),
					})),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("resource"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"scope": knownvalue.StringExact("is_in"), "entity_type": knownvalue.StringExact("AwsPermissionSet"),
						"entity_id": knownvalue.StringExact("123456789012"), "in_entity_type": knownvalue.StringExact("AwsAccount"),
					})),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("conditions"), knownvalue.StringExact("when { context.duration_seconds <= 3600 }\n")),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("policy_text"), knownvalue.StringExact(text1)),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("notice"), knownvalue.StringExact("Production access is audited.")),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("audit_session"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("created_at"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("updated_at"), knownvalue.NotNull()),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccPolicyRuleServerText(srv, testAccPolicyRuleAddr, text1),
					testAccPolicyRuleOnServer(srv, testAccPolicyRuleAddr, func(r *api.Rule) error {
						if r.Ordinal != 10 || !r.AuditSession || testAccPolicyRuleNullable(r.Notice) != `"Production access is audited."` ||
							testAccPolicyRuleNullable(r.Conditions) != `"when { context.duration_seconds <= 3600 }\n"` {
							return fmt.Errorf("server rule: ordinal %d, audit_session %t, notice %s, conditions %s",
								r.Ordinal, r.AuditSession, testAccPolicyRuleNullable(r.Notice), testAccPolicyRuleNullable(r.Conditions))
						}
						return nil
					}),
				),
			},
			{
				// Every updatable attribute changes.
				Config: testAccPolicyRuleConfig(srv, policyID, `
  ordinal       = 20
  effect        = "forbid"
  principal     = { scope = "eq", entity_type = "User", entity_id = "alice" }
  action        = { scope = "eq", ids = ["approve"] }
  resource      = { scope = "is", entity_type = "AwsAccount" }
  conditions    = "unless { context.mfa_authenticated }"
  notice        = "MFA is required."
  audit_session = false
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccPolicyRuleAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(testAccPolicyRuleAddr, tfjsonpath.New("policy_text")),
					plancheck.ExpectUnknownValue(testAccPolicyRuleAddr, tfjsonpath.New("updated_at")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("ordinal"), knownvalue.Int64Exact(20)),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("effect"), knownvalue.StringExact("forbid")),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("principal"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"scope": knownvalue.StringExact("eq"), "entity_type": knownvalue.StringExact("User"),
						"entity_id": knownvalue.StringExact("alice"), "in_entity_type": knownvalue.Null(),
					})),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("action"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"scope": knownvalue.StringExact("eq"), "ids": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("approve")}),
					})),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("resource"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"scope": knownvalue.StringExact("is"), "entity_type": knownvalue.StringExact("AwsAccount"),
						"entity_id": knownvalue.Null(), "in_entity_type": knownvalue.Null(),
					})),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("conditions"), knownvalue.StringExact("unless { context.mfa_authenticated }")),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("policy_text"), knownvalue.StringExact(text2)),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("notice"), knownvalue.StringExact("MFA is required.")),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("audit_session"), knownvalue.Bool(false)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccPolicyRuleServerText(srv, testAccPolicyRuleAddr, text2),
					testAccPolicyRuleOnServer(srv, testAccPolicyRuleAddr, func(r *api.Rule) error {
						if r.Ordinal != 20 || r.AuditSession || testAccPolicyRuleNullable(r.Notice) != `"MFA is required."` {
							return fmt.Errorf("server rule: ordinal %d, audit_session %t, notice %s", r.Ordinal, r.AuditSession, testAccPolicyRuleNullable(r.Notice))
						}
						return nil
					}),
				),
			},
			{
				ResourceName:      testAccPolicyRuleAddr,
				ImportState:       true,
				ImportStateIdFunc: testAccPolicyRuleImportID(testAccPolicyRuleAddr),
				ImportStateVerify: true,
			},
			{
				// Ids typed in upper case import the same rule.
				ResourceName: testAccPolicyRuleAddr,
				ImportState:  true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					id, err := testAccPolicyRuleImportID(testAccPolicyRuleAddr)(s)
					return strings.ToUpper(id), err
				},
				ImportStateVerify: true,
			},
			{
				// Unset scopes are `any`, an explicit { scope = "any" } is kept;
				// removed conditions and notice are cleared on the server,
				// removed audit_session goes back to true, a removed ordinal
				// stays.
				Config: testAccPolicyRuleConfig(srv, policyID, `
  effect   = "permit"
  action   = { scope = "any" }
  resource = { scope = "in", entity_type = "AwsAccount", entity_id = "210987654321" }
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("ordinal"), knownvalue.Int64Exact(20)),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("principal"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("action"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"scope": knownvalue.StringExact("any"), "ids": knownvalue.Null(),
					})),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("conditions"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("notice"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("audit_session"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("policy_text"), knownvalue.StringExact(text3)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccPolicyRuleServerText(srv, testAccPolicyRuleAddr, text3),
					testAccPolicyRuleOnServer(srv, testAccPolicyRuleAddr, func(r *api.Rule) error {
						if r.Ordinal != 20 || !r.AuditSession || r.Notice.IsSpecified() && !r.Notice.IsNull() || r.Conditions.IsSpecified() && !r.Conditions.IsNull() ||
							r.PrincipalScopeType != "any" || r.ActionScopeType != "any" || len(r.ActionIds) != 0 {
							return fmt.Errorf("server rule: ordinal %d, audit_session %t, notice %s, conditions %s, principal %s, action %s %v",
								r.Ordinal, r.AuditSession, testAccPolicyRuleNullable(r.Notice), testAccPolicyRuleNullable(r.Conditions),
								r.PrincipalScopeType, r.ActionScopeType, r.ActionIds)
						}
						return nil
					}),
				),
			},
			{
				// The import reads unconstrained scopes as unset.
				ResourceName:            testAccPolicyRuleAddr,
				ImportState:             true,
				ImportStateIdFunc:       testAccPolicyRuleImportID(testAccPolicyRuleAddr),
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"action"},
			},
			{
				// is_in without in_entity_type; the ordinal moves back.
				Config: testAccPolicyRuleConfig(srv, policyID, `
  ordinal   = 1
  effect    = "permit"
  principal = { scope = "is_in", entity_type = "User", in_entity_type = "Group", entity_id = "oncall" }
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("ordinal"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("action"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("resource"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("policy_text"), knownvalue.StringExact(text4)),
				},
				Check: testAccPolicyRuleServerText(srv, testAccPolicyRuleAddr, text4),
			},
			{
				// Moving the rule to another policy replaces it.
				Config: testAccPolicyRuleConfig(srv, otherPolicyID, `
  ordinal   = 1
  effect    = "permit"
  principal = { scope = "is_in", entity_type = "User", in_entity_type = "Group", entity_id = "oncall" }
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccPolicyRuleAddr, plancheck.ResourceActionReplace),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("policy_id"), knownvalue.StringExact(otherPolicyID)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccPolicyRuleServerText(srv, testAccPolicyRuleAddr, text4),
					func(*terraform.State) error {
						p, err := srv.Client.GetPolicy(context.Background(), policyID)
						if err != nil {
							return err
						}
						if len(p.Rules) != 0 {
							return fmt.Errorf("the first policy still has %d rules", len(p.Rules))
						}
						return nil
					},
				),
			},
			{
				ResourceName:      testAccPolicyRuleAddr,
				ImportState:       true,
				ImportStateId:     "not-a-rule-id",
				ImportStateVerify: true,
				ExpectError:       regexp.MustCompile(`Invalid Import ID`),
			},
			{
				ResourceName:      testAccPolicyRuleAddr,
				ImportState:       true,
				ImportStateId:     policyID + "/7b0c7a51-4a4e-4d4b-9b7e-0f5d1c2e3a4b",
				ImportStateVerify: true,
				ExpectError:       regexp.MustCompile(`Cannot import non-existent remote object`),
			},
		},
	})
}

func TestAccPolicyRule_raw(t *testing.T) {
	srv := acctest.NewServer(t)
	policyID := testAccPolicyRuleParent(t, srv)

	const mfa = "forbid (principal, action, resource) unless { context.mfa_authenticated };"
	const mfaCanonical = "forbid (\n  principal,\n  action,\n  resource\n)\nunless { context.mfa_authenticated };"
	const sre, sreCanonical, structured = testAccPolicyRuleSRE, testAccPolicyRuleSRECanonical, testAccPolicyRuleSREStructured
	sameUpdatedAt := statecheck.CompareValue(compare.ValuesSame())
	structuredNull := func() []statecheck.StateCheck {
		var out []statecheck.StateCheck
		for _, a := range []string{"effect", "principal", "action", "resource", "conditions"} {
			out = append(out, statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New(a), knownvalue.Null()))
		}
		return out
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPolicyRuleDestroy(srv),
		Steps: []resource.TestStep{
			{
				Config: testAccPolicyRuleConfig(srv, policyID, fmt.Sprintf(`
  policy_text = %q
  notice      = "Use MFA."
`, mfa)),
				ConfigStateChecks: append(structuredNull(),
					// The text as written, not the server's canonical text.
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("policy_text"), knownvalue.StringExact(mfa)),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("ordinal"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("notice"), knownvalue.StringExact("Use MFA.")),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("audit_session"), knownvalue.Bool(true)),
				),
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccPolicyRuleServerText(srv, testAccPolicyRuleAddr, mfaCanonical),
					testAccPolicyRuleOnServer(srv, testAccPolicyRuleAddr, func(r *api.Rule) error {
						if r.Effect != "forbid" || testAccPolicyRuleNullable(r.Conditions) != `"unless { context.mfa_authenticated }"` {
							return fmt.Errorf("server rule: effect %s, conditions %s", r.Effect, testAccPolicyRuleNullable(r.Conditions))
						}
						return nil
					}),
				),
			},
			{
				Config: testAccPolicyRuleConfig(srv, policyID, fmt.Sprintf(`
  policy_text   = %q
  ordinal       = 5
  audit_session = false
`, sre)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccPolicyRuleAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("policy_text"), knownvalue.StringExact(sre)),
				}},
				ConfigStateChecks: append(structuredNull(),
					sameUpdatedAt.AddStateValue(testAccPolicyRuleAddr, tfjsonpath.New("updated_at")),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("policy_text"), knownvalue.StringExact(sre)),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("ordinal"), knownvalue.Int64Exact(5)),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("notice"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("audit_session"), knownvalue.Bool(false)),
				),
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccPolicyRuleServerText(srv, testAccPolicyRuleAddr, sreCanonical),
					testAccPolicyRuleOnServer(srv, testAccPolicyRuleAddr, func(r *api.Rule) error {
						if r.Ordinal != 5 || r.AuditSession || r.Notice.IsSpecified() && !r.Notice.IsNull() {
							return fmt.Errorf("server rule: ordinal %d, audit_session %t, notice %s", r.Ordinal, r.AuditSession, testAccPolicyRuleNullable(r.Notice))
						}
						return nil
					}),
				),
			},
			{
				// Only layout and comments change: nothing to do, and the
				// state keeps the text of the last apply.
				Config: testAccPolicyRuleConfig(srv, policyID, `
  policy_text = <<-EOT
    // SREs may request production permission sets for up to an hour.
    permit (
      principal in Group::"sre",
      action in [Action::"request_access"],
      resource is AwsPermissionSet in AwsAccount::"123456789012"
    )
    when {
      context.duration_seconds <= 3600 // one hour
    };
  EOT
  ordinal       = 5
  audit_session = false
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("policy_text"), knownvalue.StringExact(sre)),
				},
			},
			{
				// Import reads the rule in structured mode.
				ResourceName:            testAccPolicyRuleAddr,
				ImportState:             true,
				ImportStateIdFunc:       testAccPolicyRuleImportID(testAccPolicyRuleAddr),
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"policy_text", "effect", "principal", "action", "resource", "conditions"},
				ImportStateCheck:        testAccPolicyRuleImportedSRE,
			},
			{
				// Switching to structured mode with the same rule changes
				// nothing on the server.
				Config: testAccPolicyRuleConfig(srv, policyID, structured),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccPolicyRuleAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(testAccPolicyRuleAddr, tfjsonpath.New("policy_text")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("effect"), knownvalue.StringExact("permit")),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("policy_text"), knownvalue.StringExact(sreCanonical)),
					sameUpdatedAt.AddStateValue(testAccPolicyRuleAddr, tfjsonpath.New("updated_at")),
				},
				Check: testAccPolicyRuleServerText(srv, testAccPolicyRuleAddr, sreCanonical),
			},
			{
				// Nor does switching back to raw mode.
				Config: testAccPolicyRuleConfig(srv, policyID, fmt.Sprintf(`
  policy_text   = %q
  ordinal       = 5
  audit_session = false
`, sre)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccPolicyRuleAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("effect"), knownvalue.Null()),
				}},
				ConfigStateChecks: append(structuredNull(),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("policy_text"), knownvalue.StringExact(sre)),
					sameUpdatedAt.AddStateValue(testAccPolicyRuleAddr, tfjsonpath.New("updated_at")),
				),
				Check: testAccPolicyRuleServerText(srv, testAccPolicyRuleAddr, sreCanonical),
			},
			{
				// Another rule in raw mode.
				Config: testAccPolicyRuleConfig(srv, policyID, fmt.Sprintf(`
  policy_text = %q
`, mfa)),
				ConfigStateChecks: append(structuredNull(),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("policy_text"), knownvalue.StringExact(mfa)),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("audit_session"), knownvalue.Bool(true)),
				),
				Check: testAccPolicyRuleServerText(srv, testAccPolicyRuleAddr, mfaCanonical),
			},
		},
	})
}

// testAccPolicyRuleImportedSRE checks the import of the SRE rule of the raw
// tests: structured mode, with the server's canonical text.
func testAccPolicyRuleImportedSRE(states []*terraform.InstanceState) error {
	if len(states) != 1 {
		return fmt.Errorf("imported %d states, want 1", len(states))
	}
	want := map[string]string{
		"policy_text": testAccPolicyRuleSRECanonical, "effect": "permit",
		"principal.scope": "in", "principal.entity_type": "Group", "principal.entity_id": "sre",
		"action.scope": "in", "action.ids.#": "1", "action.ids.0": "request_access",
		"resource.scope": "is_in", "resource.entity_type": "AwsPermissionSet", "resource.in_entity_type": "AwsAccount",
		"resource.entity_id": "123456789012", "conditions": "when { context.duration_seconds <= 3600 }",
		"ordinal": "5", "audit_session": "false",
	}
	for k, v := range want {
		if got := states[0].Attributes[k]; got != v {
			return fmt.Errorf("imported %s = %q, want %q", k, got, v)
		}
	}
	return nil
}

// A rule created outside Terraform from Cedar text is imported in
// structured mode, matches a structured configuration of the same rule
// exactly, and a raw configuration of it only changes the state.
func TestAccPolicyRule_importThenRaw(t *testing.T) {
	srv := acctest.NewServer(t)
	policyID := testAccPolicyRuleParent(t, srv)
	sre := testAccPolicyRuleSRE
	audit, ordinal := false, 5
	created, err := srv.Client.CreateRule(context.Background(), policyID, api.RuleCreate{PolicyText: &sre, AuditSession: &audit, Ordinal: &ordinal})
	if err != nil {
		t.Fatalf("create rule: %v", err)
	}
	sameUpdatedAt := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPolicyRuleDestroy(srv),
		Steps: []resource.TestStep{
			{
				Config:             testAccPolicyRuleConfig(srv, policyID, testAccPolicyRuleSREStructured),
				ResourceName:       testAccPolicyRuleAddr,
				ImportState:        true,
				ImportStateId:      policyID + "/" + created.Id.String(),
				ImportStatePersist: true,
				ImportStateCheck:   testAccPolicyRuleImportedSRE,
			},
			{
				Config:           testAccPolicyRuleConfig(srv, policyID, testAccPolicyRuleSREStructured),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("id"), knownvalue.StringExact(created.Id.String())),
					sameUpdatedAt.AddStateValue(testAccPolicyRuleAddr, tfjsonpath.New("updated_at")),
				},
			},
			{
				Config: testAccPolicyRuleConfig(srv, policyID, fmt.Sprintf(`
  policy_text   = %q
  ordinal       = 5
  audit_session = false
`, sre)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccPolicyRuleAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("policy_text"), knownvalue.StringExact(sre)),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("effect"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("principal"), knownvalue.Null()),
					sameUpdatedAt.AddStateValue(testAccPolicyRuleAddr, tfjsonpath.New("updated_at")),
				},
				Check: testAccPolicyRuleServerText(srv, testAccPolicyRuleAddr, testAccPolicyRuleSRECanonical),
			},
		},
	})
}

func TestAccPolicyRule_conditionsReformat(t *testing.T) {
	srv := acctest.NewServer(t)
	policyID := testAccPolicyRuleParent(t, srv)

	const conditions = "when { context.duration_seconds <= 3600 && context.mfa_authenticated }"
	const head = "permit (\n  principal in Group::\"sre\",\n  action,\n  resource\n)\n"
	rule := func(conditions string) string {
		return fmt.Sprintf(`
  effect     = "permit"
  principal  = { scope = "in", entity_type = "Group", entity_id = "sre" }
  conditions = %s
`, conditions)
	}
	const reformatted = `<<-EOT

    when {
      context.duration_seconds <= 3600 && // at most an hour
      context.mfa_authenticated
    }
  EOT`
	const changed = `<<-EOT
    when {
      context.duration_seconds <= 1800 && // at most half an hour
      context.mfa_authenticated
    }
  EOT`
	const changedValue = "when {\n  context.duration_seconds <= 1800 && // at most half an hour\n  context.mfa_authenticated\n}\n"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPolicyRuleDestroy(srv),
		Steps: []resource.TestStep{
			{
				Config: testAccPolicyRuleConfig(srv, policyID, rule(fmt.Sprintf("%q", conditions))),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("conditions"), knownvalue.StringExact(conditions)),
				},
				Check: testAccPolicyRuleServerText(srv, testAccPolicyRuleAddr, head+conditions+";"),
			},
			{
				// Line breaks, indentation and a comment only: no change.
				Config:           testAccPolicyRuleConfig(srv, policyID, rule(reformatted)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("conditions"), knownvalue.StringExact(conditions)),
				},
				Check: testAccPolicyRuleServerText(srv, testAccPolicyRuleAddr, head+conditions+";"),
			},
			{
				// A real change is planned and stored as written.
				Config: testAccPolicyRuleConfig(srv, policyID, rule(changed)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccPolicyRuleAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("conditions"), knownvalue.StringExact(changedValue)),
					plancheck.ExpectUnknownValue(testAccPolicyRuleAddr, tfjsonpath.New("policy_text")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("conditions"), knownvalue.StringExact(changedValue)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					// The trailing comment makes the assembled text end with a line break before ";".
					testAccPolicyRuleServerText(srv, testAccPolicyRuleAddr, head+strings.TrimSpace(changedValue)+";"),
					testAccPolicyRuleOnServer(srv, testAccPolicyRuleAddr, func(r *api.Rule) error {
						if got := testAccPolicyRuleNullable(r.Conditions); got != fmt.Sprintf("%q", changedValue) {
							return fmt.Errorf("server conditions = %s, want %q", got, changedValue)
						}
						return nil
					}),
				),
			},
		},
	})
}

func TestAccPolicyRule_disappears(t *testing.T) {
	srv := acctest.NewServer(t)
	policyID := testAccPolicyRuleParent(t, srv)
	config := testAccPolicyRuleConfig(srv, policyID, `
  effect = "permit"
  action = { scope = "eq", ids = ["request_access"] }
`)
	var firstID string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPolicyRuleDestroy(srv),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: testAccPolicyRuleOutOfBand(func(pid, rid string) error {
					firstID = rid
					return srv.Client.DeleteRule(context.Background(), pid, rid)
				}),
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccPolicyRuleAddr, plancheck.ResourceActionCreate),
				}},
				Check: testAccPolicyRuleOnServer(srv, testAccPolicyRuleAddr, func(r *api.Rule) error {
					if r.Id.String() == firstID {
						return fmt.Errorf("rule %s was not re-created", firstID)
					}
					return nil
				}),
			},
			{
				// The whole policy disappears: the rule goes with it.
				PreConfig: func() {
					if err := srv.Client.DeletePolicy(context.Background(), policyID); err != nil {
						t.Fatalf("delete policy: %v", err)
					}
				},
				Config:   config,
				PlanOnly: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccPolicyRuleAddr, plancheck.ResourceActionCreate),
				}},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccPolicyRule_drift(t *testing.T) {
	srv := acctest.NewServer(t)
	policyID := testAccPolicyRuleParent(t, srv)
	const conditions = "when { context.duration_seconds <= 3600 }"
	config := testAccPolicyRuleConfig(srv, policyID, fmt.Sprintf(`
  effect     = "permit"
  principal  = { scope = "in", entity_type = "Group", entity_id = "sre" }
  action     = { scope = "in", ids = ["request_access", "extend"] }
  conditions = %q
`, conditions))
	const drifted = "when { context.duration_seconds <= 86400 }"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPolicyRuleDestroy(srv),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: testAccPolicyRuleOutOfBand(func(pid, rid string) error {
					scope := api.ActionScopeType("in")
					ids := []string{"request_access", "approve", "extend"}
					_, err := srv.Client.UpdateRule(context.Background(), pid, rid, api.RuleUpdate{
						Conditions:      nullable.NewNullableWithValue(drifted),
						ActionScopeType: &scope,
						ActionIds:       &ids,
					})
					return err
				}),
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectNonEmptyPlan(),
					plancheck.ExpectResourceAction(testAccPolicyRuleAddr, plancheck.ResourceActionUpdate),
					testAccPolicyRuleExpectChange{addr: testAccPolicyRuleAddr, attribute: "conditions", before: drifted, after: conditions},
					testAccPolicyRuleExpectChange{addr: testAccPolicyRuleAddr, attribute: "action",
						before: map[string]any{"scope": "in", "ids": []any{"request_access", "approve", "extend"}},
						after:  map[string]any{"scope": "in", "ids": []any{"request_access", "extend"}}},
					plancheck.ExpectUnknownValue(testAccPolicyRuleAddr, tfjsonpath.New("policy_text")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("conditions"), knownvalue.StringExact(conditions)),
				},
				Check: testAccPolicyRuleOnServer(srv, testAccPolicyRuleAddr, func(r *api.Rule) error {
					if got := testAccPolicyRuleNullable(r.Conditions); got != fmt.Sprintf("%q", conditions) ||
						!reflect.DeepEqual(r.ActionIds, []string{"request_access", "extend"}) {
						return fmt.Errorf("server rule not restored: conditions %s, action_ids %v", got, r.ActionIds)
					}
					return nil
				}),
			},
		},
	})
}

// testAccPolicyRuleOutOfBand is a check that calls change with the policy
// id and the id of the rule testAccPolicyRuleAddr: a change made outside
// Terraform.
func testAccPolicyRuleOutOfBand(change func(policyID, ruleID string) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		pid, rid, err := testAccPolicyRuleIDs(s, testAccPolicyRuleAddr)
		if err != nil {
			return err
		}
		return change(pid, rid)
	}
}

// testAccPolicyRuleInvalidStep is a plan of a jitsudo_policy_rule with the
// attribute lines body that fails validation with wantErr; its policy is
// never reached.
func testAccPolicyRuleInvalidStep(srv *acctest.Server, body, wantErr string) resource.TestStep {
	const policyID = "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0"
	return resource.TestStep{
		Config:      testAccPolicyRuleConfig(srv, policyID, body),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(wantErr),
	}
}

func TestAccPolicyRule_invalid(t *testing.T) {
	srv := acctest.NewServer(t)
	step := func(body, wantErr string) resource.TestStep { return testAccPolicyRuleInvalidStep(srv, body, wantErr) }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(`
  effect      = "permit"
  policy_text = "permit (principal, action, resource);"
`, `(?s)Conflicting Rule Attributes.*effect\s+= "permit".*effect cannot be combined with\s+policy_text`),
			step(`
  notice = "no rule"
`, `(?s)Missing Rule Effect.*A rule needs effect`),
			step(`
  effect    = "permit"
  principal = { scope = "eq", entity_type = "User" }
`, `(?s)Invalid Principal Scope.*principal\s+= \{ scope = "eq".*principal\.entity_id is required when\s+principal\.scope is "eq"`),
			step(`
  effect   = "permit"
  resource = { scope = "in", entity_type = "AwsAccount", entity_id = "1", in_entity_type = "AwsAccount" }
`, `(?s)Invalid Resource Scope.*in_entity_type is only used when\s+resource\.scope is "is_in"`),
			step(`
  effect = "permit"
  action = { scope = "eq", ids = ["approve", "deny"] }
`, `(?s)Invalid Action Scope.*action\.ids must hold exactly one id when\s+action\.scope is "eq"`),
			step(`
  effect = "allow"
`, `(?s)Invalid Attribute Value Match.*effect\s+= "allow".*value must be one of:\s+\["permit" "forbid"\], got: "allow"`),
			step(`
  effect     = "permit"
  conditions = <<-EOT
    when {
      context.duration_seconds <== 3600
    }
  EOT
`, `(?s)Invalid Cedar Conditions.*Cedar syntax error at line 2, column 30 of\s+conditions: invalid primary`),
			step(`
  policy_text = "permit (principal, action, resource);\nforbid (principal, action, resource) unless { context.mfa_authenticated };"
`, `(?s)Invalid Cedar Policy.*policy_text must hold exactly one Cedar statement.*the second one starts at\s+line 2, column 1: expected exactly one\s+policy, found 2`),
			step(`
  policy_text = "permit (principal, action, resource)\nwhen { context.x <== 1 };"
`, `(?s)Invalid Cedar Policy.*Cedar syntax error at line 2, column 20 of\s+policy_text`),
		},
	})
}

func TestAccPolicyRule_ordinalsStable(t *testing.T) {
	srv := acctest.NewServer(t)
	policyID := testAccPolicyRuleParent(t, srv)
	rule := func(name, dependsOn string) string {
		deps := ""
		if dependsOn != "" {
			deps = fmt.Sprintf("\n  depends_on = [jitsudo_policy_rule.%s]", dependsOn)
		}
		return fmt.Sprintf(`
resource "jitsudo_policy_rule" %q {
  policy_id = %q
  effect    = "permit"
  principal = { scope = "in", entity_type = "Group", entity_id = %q }%s
}
`, name, policyID, name, deps)
	}
	ordinals := func(want ...int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			var got []int
			for r, err := range srv.Client.AllRules(context.Background(), policyID, api.ListRulesParams{}) {
				if err != nil {
					return err
				}
				got = append(got, r.Ordinal)
			}
			if !reflect.DeepEqual(got, want) {
				return fmt.Errorf("server ordinals = %v, want %v", got, want)
			}
			return nil
		}
	}
	sameA := statecheck.CompareValue(compare.ValuesSame())
	sameC := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPolicyRuleDestroy(srv),
		Steps: []resource.TestStep{
			{
				Config: srv.Config(rule("a", "") + rule("b", "a") + rule("c", "b")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("jitsudo_policy_rule.a", tfjsonpath.New("ordinal"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue("jitsudo_policy_rule.b", tfjsonpath.New("ordinal"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue("jitsudo_policy_rule.c", tfjsonpath.New("ordinal"), knownvalue.Int64Exact(3)),
					sameA.AddStateValue("jitsudo_policy_rule.a", tfjsonpath.New("ordinal")),
					sameC.AddStateValue("jitsudo_policy_rule.c", tfjsonpath.New("ordinal")),
				},
				Check: ordinals(1, 2, 3),
			},
			{
				// Deleting the middle rule leaves the others where they are.
				Config: srv.Config(rule("a", "") + rule("c", "a")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("jitsudo_policy_rule.b", plancheck.ResourceActionDestroy),
						plancheck.ExpectResourceAction("jitsudo_policy_rule.a", plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction("jitsudo_policy_rule.c", plancheck.ResourceActionNoop),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameA.AddStateValue("jitsudo_policy_rule.a", tfjsonpath.New("ordinal")),
					sameC.AddStateValue("jitsudo_policy_rule.c", tfjsonpath.New("ordinal")),
				},
				Check: ordinals(1, 3),
			},
			{
				// A new rule without ordinal is appended after the last one.
				Config: srv.Config(rule("a", "") + rule("c", "a") + rule("d", "c")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("jitsudo_policy_rule.d", tfjsonpath.New("ordinal"), knownvalue.Int64Exact(4)),
					sameA.AddStateValue("jitsudo_policy_rule.a", tfjsonpath.New("ordinal")),
					sameC.AddStateValue("jitsudo_policy_rule.c", tfjsonpath.New("ordinal")),
				},
				Check: ordinals(1, 3, 4),
			},
		},
	})
}

// The documentation example, with its jitsudo_policy, applies cleanly and
// plans nothing afterwards.
func TestAccPolicyRule_example(t *testing.T) {
	srv := acctest.NewServer(t)
	example, err := os.ReadFile(filepath.Join(acctest.RepoRoot(), "examples", "resources", "jitsudo_policy_rule", "resource.tf"))
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPolicyRuleDestroy(srv),
		Steps: []resource.TestStep{
			{
				Config: srv.Config(string(example)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("jitsudo_policy_rule.sre_prod", tfjsonpath.New("ordinal"), knownvalue.Int64Exact(10)),
					statecheck.ExpectKnownValue("jitsudo_policy_rule.sre_prod", tfjsonpath.New("policy_text"), knownvalue.StringExact(
						"permit (\n  principal in Group::\"sre\",\n  action in [Action::\"request_access\", Action::\"extend\"],\n"+
							"  resource is AwsPermissionSet in AwsAccount::\"123456789012\"\n)\nwhen { context.duration_seconds <= 3600 };")),
					statecheck.ExpectKnownValue("jitsudo_policy_rule.approvers", tfjsonpath.New("policy_text"), knownvalue.StringExact(
						"permit (\n  principal in Group::\"sre-leads\",\n  action in [Action::\"approve\", Action::\"deny\", Action::\"revoke\"],\n  resource\n);")),
					statecheck.ExpectKnownValue("jitsudo_policy_rule.mfa", tfjsonpath.New("policy_text"), knownvalue.StringRegexp(regexp.MustCompile(`^// Nobody gets`))),
				},
				Check: func(*terraform.State) error {
					// Every rule landed in the policy the example created.
					for p, err := range srv.Client.AllPolicies(context.Background(), api.ListPoliciesParams{}) {
						if err != nil {
							return err
						}
						if p.Name == "prod" {
							if p.RuleCount != 3 {
								return fmt.Errorf("policy prod has %d rules, want 3", p.RuleCount)
							}
							return nil
						}
					}
					return errors.New("policy prod not found")
				},
			},
		},
	})
}

// testAccPolicyRuleProvider is srv's provider block with more settings
// (cedar_schema, schema_findings).
func testAccPolicyRuleProvider(srv *acctest.Server, settings string) string {
	return acctest.ConfigFor(srv, settings)
}

// testAccPolicyRuleWords is a regexp matching the words of s in order,
// separated by any whitespace, as Terraform wraps diagnostic details.
func testAccPolicyRuleWords(s string) string {
	return strings.Join(strings.Fields(regexp.QuoteMeta(s)), `\s+`)
}

const testAccPolicyRuleSchemaRoute = "GET /v1/cedar/schema"

// testAccPolicyRuleWrites is the number of requests in counts that write
// rules (any method but GET on a rules route).
func testAccPolicyRuleWrites(counts map[string]int64) int64 {
	var n int64
	for route, c := range counts {
		if strings.Contains(route, "/rules") && !strings.HasPrefix(route, "GET ") {
			n += c
		}
	}
	return n
}

// testAccPolicyRuleStepCounts records the server's request counts before
// each step (as a PreConfig) and after the test, so that each step's
// requests can be checked.
type testAccPolicyRuleStepCounts struct {
	t      *testing.T
	srv    *acctest.Server
	before []map[string]int64
}

func (c *testAccPolicyRuleStepCounts) snapshot() { c.before = append(c.before, c.srv.Requests(c.t)) }

// step is the requests of step i (0-based) to route, or of rule writes for
// route "writes".
func (c *testAccPolicyRuleStepCounts) step(i int, route string) int64 {
	get := func(m map[string]int64) int64 {
		if route == "writes" {
			return testAccPolicyRuleWrites(m)
		}
		return m[route]
	}
	return get(c.before[i+1]) - get(c.before[i])
}

// Rules the Cedar schema rejects fail `terraform plan` at the attribute
// the problem is in, and nothing is written: each plan fetches the API's
// schema once, however many rules it holds, and sends no rule write.
func TestAccPolicyRule_schemaErrorsAtPlan(t *testing.T) {
	srv := acctest.NewServer(t)
	policyID := testAccPolicyRuleParent(t, srv)
	counts := &testAccPolicyRuleStepCounts{t: t, srv: srv}
	words := testAccPolicyRuleWords
	const summary = `(?s)Rule Does Not Match Cedar Schema.*with jitsudo_policy_rule\.test,.*`
	step := func(body, want string) resource.TestStep {
		return resource.TestStep{
			PreConfig:   counts.snapshot,
			Config:      testAccPolicyRuleConfig(srv, policyID, body),
			ExpectError: regexp.MustCompile(want),
		}
	}
	rule := func(name, body string) string {
		return fmt.Sprintf("\nresource \"jitsudo_policy_rule\" %q {\n  policy_id = %q\n%s\n}\n", name, policyID, body)
	}
	const valid = `
  effect    = "permit"
  principal = { scope = "in", entity_type = "Group", entity_id = "sre" }
  action    = { scope = "eq", ids = ["request_access"] }
  conditions = "when { context.duration_seconds <= 3600 }"
`
	steps := []resource.TestStep{
		step(`
  effect    = "permit"
  principal = { scope = "is", entity_type = "Admin" }
  action    = { scope = "eq", ids = ["request_access"] }
`, summary+`principal = \{ scope = "is", entity_type = "Admin" \}.*`+words("The rule does not match the tenant's Cedar schema (GET /v1/cedar/schema): principal.entity_type: unrecognized entity type `Admin`.")),
		step(`
  effect = "permit"
  action = { scope = "in", ids = ["request_access", "delete_account"] }
`, summary+`action = \{ scope = "in", ids = \["request_access", "delete_account"\] \}.*`+words("action.ids[1]: unrecognized action `Action::\"delete_account\"`.")),
		step(`
  effect     = "permit"
  action     = { scope = "eq", ids = ["request_access"] }
  conditions = <<-EOT
    when {
      context.duration_seconds <= 3600 &&
      context.justification != ""
    }
  EOT
`, summary+`conditions = <<-EOT.*`+words("at line 3, column 11 of conditions: attribute `justification` in context for Action::\"request_access\" not found.")),
		step(`
  effect     = "permit"
  action     = { scope = "eq", ids = ["request_access"] }
  conditions = "when { context.duration_seconds == \"3600\" }"
`, summary+`conditions = "when \{ context\.duration_seconds == \\"3600\\" \}".*`+words("the types Long and String are not compatible")),
		step(`
  effect     = "permit"
  action     = { scope = "in", ids = ["request_access", "extend"] }
  conditions = "when { context.ticket_id like \"OPS-*\" }"
`, summary+`conditions = "when \{ context\.ticket_id like \\"OPS-\*\\" \}".*`+
			words("at line 1, column 16 of conditions: unable to guarantee safety of access to optional attribute `ticket_id` in context for Action::\"extend\", Action::\"request_access\".")),
		step(`
  policy_text = "// deployments\npermit (principal is Team, action == Action::\"request_access\", resource);"
`, summary+`policy_text = .*`+words("at line 2, column 22 of policy_text: unrecognized entity type `Team`.")),
		{
			// Several rules, two of them wrong: one fetch of the schema.
			PreConfig: counts.snapshot,
			Config: srv.Config(rule("ok", valid) + rule("admin", `
  effect    = "forbid"
  principal = { scope = "eq", entity_type = "Admin", entity_id = "root" }
`) + rule("bucket", `
  effect   = "permit"
  resource = { scope = "is", entity_type = "S3Bucket" }
`)),
			ExpectError: regexp.MustCompile(`(?s)with jitsudo_policy_rule\.admin,.*unrecognized entity type\s+` + "`Admin`" +
				`.*with jitsudo_policy_rule\.bucket,.*unrecognized entity type\s+` + "`S3Bucket`"),
		},
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPolicyRuleDestroy(srv),
		Steps:                    steps,
	})
	counts.snapshot()
	for i := range steps {
		if n := counts.step(i, testAccPolicyRuleSchemaRoute); n != 1 {
			t.Errorf("step %d: %d requests %s, want 1", i+1, n, testAccPolicyRuleSchemaRoute)
		}
		if n := counts.step(i, "writes"); n != 0 {
			t.Errorf("step %d: %d rule writes, want none (requests: %v)", i+1, n, counts.before[i+1])
		}
	}
	if p, err := srv.Client.GetPolicy(context.Background(), policyID); err != nil || len(p.Rules) != 0 {
		t.Errorf("the policy has rules after plans that failed: %v, %v", p, err)
	}
}

// An update that the schema rejects fails at plan too, with no PATCH; an
// unchanged rule is not checked again.
func TestAccPolicyRule_schemaErrorOnUpdate(t *testing.T) {
	srv := acctest.NewServer(t)
	policyID := testAccPolicyRuleParent(t, srv)
	counts := &testAccPolicyRuleStepCounts{t: t, srv: srv}
	config := func(conditions string) string {
		return testAccPolicyRuleConfig(srv, policyID, fmt.Sprintf(`
  effect     = "permit"
  principal  = { scope = "in", entity_type = "Group", entity_id = "sre" }
  action     = { scope = "eq", ids = ["request_access"] }
  conditions = %q
`, conditions))
	}
	steps := []resource.TestStep{
		{PreConfig: counts.snapshot, Config: config("when { context.duration_seconds <= 3600 }")},
		{
			PreConfig:   counts.snapshot,
			Config:      config("when { context.duration_seconds <= 3600 && context.approved }"),
			ExpectError: regexp.MustCompile(`(?s)Rule Does Not Match Cedar Schema.*conditions = .*` + testAccPolicyRuleWords("at line 1, column 52 of conditions: attribute `approved`")),
		},
		{
			// Unchanged (only reformatted): no schema check, no fetch.
			PreConfig:          counts.snapshot,
			Config:             config("when {\n  context.duration_seconds <= 3600\n}"),
			PlanOnly:           true,
			ExpectNonEmptyPlan: false,
		},
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPolicyRuleDestroy(srv),
		Steps:                    steps,
	})
	counts.snapshot()
	if n := counts.step(1, "writes"); n != 0 {
		t.Errorf("the rejected update wrote %d times", n)
	}
	if n := counts.step(1, testAccPolicyRuleSchemaRoute); n != 1 {
		t.Errorf("the rejected update fetched the schema %d times, want 1", n)
	}
	if n := counts.step(2, testAccPolicyRuleSchemaRoute); n != 0 {
		t.Errorf("the plan of an unchanged rule fetched the schema %d times, want 0", n)
	}
}

// With schema_findings = "warning", a rule with schema findings is planned
// and applied; the findings are warnings.
func TestAccPolicyRule_schemaWarnings(t *testing.T) {
	srv := acctest.NewServer(t)
	policyID := testAccPolicyRuleParent(t, srv)
	config := func(conditions string) string {
		return testAccPolicyRuleProvider(srv, `  schema_findings = "warning"`) + fmt.Sprintf(`
resource "jitsudo_policy_rule" "test" {
  policy_id  = %q
  effect     = "permit"
  principal  = { scope = "is", entity_type = "Contractor" }
  action     = { scope = "eq", ids = ["request_access"] }
  conditions = %q
}
`, policyID, conditions)
	}
	const first, second = "when { context.justification != \"\" }", "when { context.ticket_id == \"OPS-1\" }"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPolicyRuleDestroy(srv),
		Steps: []resource.TestStep{
			{
				Config: config(first),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("conditions"), knownvalue.StringExact(first)),
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("principal"), knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"entity_type": knownvalue.StringExact("Contractor"),
					})),
				},
				Check: testAccPolicyRuleOnServer(srv, testAccPolicyRuleAddr, func(r *api.Rule) error {
					if got := testAccPolicyRuleNullable(r.Conditions); got != fmt.Sprintf("%q", first) {
						return fmt.Errorf("server conditions = %s", got)
					}
					return nil
				}),
			},
			{
				Config: config(second),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccPolicyRuleAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("conditions"), knownvalue.StringExact(second)),
				},
			},
		},
	})
	// The schema was checked (and its findings only warned).
	if n := srv.Requests(t)[testAccPolicyRuleSchemaRoute]; n == 0 {
		t.Errorf("no %s: the rules were not checked against the schema", testAccPolicyRuleSchemaRoute)
	}
}

// The provider's cedar_schema replaces the API's schema: a rule that only
// its entity types allow is planned and applied, one it does not allow
// fails, and the API's schema is never fetched.
func TestAccPolicyRule_providerSchema(t *testing.T) {
	srv := acctest.NewServer(t)
	policyID := testAccPolicyRuleParent(t, srv)
	provider := testAccPolicyRuleProvider(srv, `  cedar_schema = <<-EOT
    // Contractors may ask for access to the vaults of an account.
    entity Contractor;
    entity AwsAccount;
    entity Vault in [AwsAccount] { sealed: Bool };
    action request_access appliesTo {
      principal: [Contractor],
      resource: [Vault],
      context: { duration_seconds: Long }
    };
  EOT`)
	config := func(body string) string {
		return provider + fmt.Sprintf("\nresource \"jitsudo_policy_rule\" \"test\" {\n  policy_id = %q\n%s\n}\n", policyID, body)
	}
	const contractors = `
  effect     = "permit"
  principal  = { scope = "is", entity_type = "Contractor" }
  action     = { scope = "eq", ids = ["request_access"] }
  resource   = { scope = "is_in", entity_type = "Vault", in_entity_type = "AwsAccount", entity_id = "123456789012" }
  conditions = "unless { resource.sealed || context.duration_seconds > 3600 }"
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPolicyRuleDestroy(srv),
		Steps: []resource.TestStep{
			{
				// Valid under the default schema, not under this one.
				Config: config(`
  effect     = "permit"
  principal  = { scope = "in", entity_type = "Group", entity_id = "sre" }
  action     = { scope = "eq", ids = ["request_access"] }
  conditions = "when { context.mfa_authenticated }"
`),
				ExpectError: regexp.MustCompile(`(?s)Rule Does Not Match Cedar Schema.*principal\s+= \{ scope = "in", entity_type = "Group", entity_id = "sre" \}.*` +
					testAccPolicyRuleWords("The rule does not match the provider's cedar_schema: principal.entity_type: unrecognized entity type `Group`.")),
			},
			{
				// The context of this schema has no mfa_authenticated.
				Config: config(`
  effect     = "permit"
  principal  = { scope = "is", entity_type = "Contractor" }
  action     = { scope = "eq", ids = ["request_access"] }
  conditions = "when { context.mfa_authenticated }"
`),
				ExpectError: regexp.MustCompile(`(?s)Rule Does Not Match Cedar Schema.*conditions = "when \{ context\.mfa_authenticated \}".*` +
					testAccPolicyRuleWords("The rule does not match the provider's cedar_schema: at line 1, column 16 of conditions: attribute `mfa_authenticated` in context for Action::\"request_access\" not found.")),
			},
			{
				Config: config(contractors),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyRuleAddr, tfjsonpath.New("policy_text"), knownvalue.StringExact(
						"permit (\n  principal is Contractor,\n  action == Action::\"request_access\",\n  resource is Vault in AwsAccount::\"123456789012\"\n)\n"+
							"unless { resource.sealed || context.duration_seconds > 3600 };")),
				},
			},
		},
	})
	if n := srv.Requests(t)[testAccPolicyRuleSchemaRoute]; n != 0 {
		t.Errorf("%d requests %s, want none: the provider's cedar_schema is used", n, testAccPolicyRuleSchemaRoute)
	}
}

// Invalid rules fail at plan (at validation) with the attribute and the
// position, without the API: nothing listens at the provider's endpoint.
func TestAccPolicyRule_validateServerStopped(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadEndpoint := "http://" + ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	const policyID = "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0"
	config := func(policyID, body string) string {
		return fmt.Sprintf(`
provider "jitsudo" {
  endpoint    = %q
  api_key     = "jsk_unused"
  tenant_id   = "5bf77342-221c-11ee-be56-0242ac120002"
  max_retries = 0
}

resource "jitsudo_policy_rule" "test" {
  policy_id = %q
%s
}
`, deadEndpoint, policyID, body)
	}
	step := func(policyID, body, want string) resource.TestStep {
		return resource.TestStep{Config: config(policyID, body), PlanOnly: true, ExpectError: regexp.MustCompile(want)}
	}
	words := testAccPolicyRuleWords
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(policyID, `
  effect     = "permit"
  conditions = <<-EOT
    when {
      context.mfa_authenticated &&
      context.duration_seconds <== 3600
    }
  EOT
`, `(?s)Invalid Cedar Conditions.*with jitsudo_policy_rule\.test,.*conditions = <<-EOT.*`+
				words("Cedar syntax error at line 3, column 30 of conditions: invalid primary.")),
			step(policyID, `
  policy_text = "permit (principal, action, resource);\n  forbid (principal, action, resource) unless { context.mfa_authenticated };"
`, `(?s)Invalid Cedar Policy.*with jitsudo_policy_rule\.test,.*policy_text = .*`+
				words("policy_text must hold exactly one Cedar statement (one permit or forbid policy), but the second one starts at line 2, column 3: expected exactly one policy, found 2.")),
			step(policyID, `
  policy_text = "permit (\n  principal,\n  action,\n  resource\n)\nwhen { context.x > };"
`, `(?s)Invalid Cedar Policy.*policy_text = .*`+words("Cedar syntax error at line 6, column 20 of policy_text: invalid primary.")),
			step(policyID, `
  effect    = "permit"
  principal = { scope = "eq", entity_type = "User" }
`, `(?s)Invalid Principal Scope.*with jitsudo_policy_rule\.test,.*principal = \{ scope = "eq", entity_type = "User" \}.*`+
				words(`principal.entity_id is required when principal.scope is "eq".`)),
			step("not-a-uuid", `
  effect = "permit"
`, `(?s)Invalid UUID.*with jitsudo_policy_rule\.test,.*policy_id = "not-a-uuid"`),
		},
	})
}

// When the API's schema cannot be fetched, rules are checked for syntax
// only: the plan warns once and goes on, never fails for it.
func TestAccPolicyRule_schemaUnavailable(t *testing.T) {
	srv := acctest.NewServer(t)
	policyID := testAccPolicyRuleParent(t, srv)
	setFaults := func(spec string) func() {
		return func() {
			if err := srv.Srv.SetFaults(spec); err != nil {
				t.Fatal(err)
			}
		}
	}
	config := testAccPolicyRuleConfig(srv, policyID, `
  effect     = "permit"
  action     = { scope = "eq", ids = ["request_access"] }
  conditions = "when { context.justification != \"\" }"
`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPolicyRuleDestroy(srv),
		Steps: []resource.TestStep{
			{
				// Every GET fails with 500: the plan of the new rule (which
				// reads nothing else) succeeds without the schema check.
				PreConfig:          setFaults("codes=500,methods=GET"),
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				// With the schema back, the same rule fails at plan.
				PreConfig:   setFaults(""),
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Rule Does Not Match Cedar Schema.*` + testAccPolicyRuleWords("attribute `justification` in context")),
			},
		},
	})
	if n := testAccPolicyRuleWrites(srv.Requests(t)); n != 0 {
		t.Errorf("%d rule writes, want none", n)
	}
}

// A rule changed on the server after terraform planned is not overwritten:
// the apply of the saved plan is refused with 412 and says so, and the
// change made by hand is still on the server.
func TestAccPolicyRule_changedBetweenPlanAndApply(t *testing.T) {
	srv := acctest.NewServer(t)
	policyID := testAccPolicyRuleParent(t, srv)
	config := func(notice string) string {
		return testAccPolicyRuleConfig(srv, policyID, fmt.Sprintf(`
  policy_text = "permit (principal, action, resource);"
  notice      = %q
`, notice))
	}
	notice := func(want string) func(*api.Rule) error {
		return func(r *api.Rule) error {
			if got, _ := r.Notice.Get(); got != want {
				return fmt.Errorf("notice is %q, want %q", got, want)
			}
			return nil
		}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPolicyRuleDestroy(srv),
		Steps: []resource.TestStep{
			{Config: config("one")},
			{
				Config: config("two"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					acctest.BeforeApply(func(ctx context.Context) error {
						rules, err := srv.Client.ListRules(ctx, policyID, api.ListRulesParams{})
						if err != nil {
							return fmt.Errorf("list rules: %w", err)
						}
						if len(rules.Data) != 1 {
							return fmt.Errorf("%d rules on the server, want 1", len(rules.Data))
						}
						_, err = srv.Client.UpdateRule(ctx, policyID, rules.Data[0].Id.String(),
							api.RuleUpdate{Notice: nullable.NewNullableWithValue("by hand")})
						return err
					}),
				}},
				ExpectError: regexp.MustCompile(`(?s)Error Updating Policy Rule.*changed\s+outside\s+Terraform\s+since\s+Terraform\s+read\s+it`),
			},
			{
				PreConfig: func() {
					rules, err := srv.Client.ListRules(context.Background(), policyID, api.ListRulesParams{})
					if err != nil || len(rules.Data) != 1 {
						t.Fatalf("list rules: %v", err)
					}
					if err := notice("by hand")(&rules.Data[0]); err != nil {
						t.Fatalf("the change made by hand was lost: %v", err)
					}
				},
				Config: config("two"),
				Check:  testAccPolicyRuleOnServer(srv, testAccPolicyRuleAddr, notice("two")),
			},
		},
	})
}

// Refresh by list: the rules of one policy are read with one GET of the
// policy, however many there are, and drift stays exact. Of five rules,
// one is changed and one deleted out of band: the plan updates the one,
// creates the other again and leaves the other three alone.
func TestAccPolicyRule_refreshByList(t *testing.T) {
	srv := acctest.NewServer(t)
	policyID := testAccPolicyRuleParent(t, srv)
	var config strings.Builder
	config.WriteString(acctest.ConfigFor(srv))
	for i := range 5 {
		fmt.Fprintf(&config, `
resource "jitsudo_policy_rule" "r%d" {
  policy_id = %q
  effect    = "permit"
  principal = { scope = "eq", entity_type = "User", entity_id = "user-%d" }
  notice    = "rule %d"
}
`, i, policyID, i, i)
	}
	ids := map[string]string{}
	counts := &testAccPolicyRuleStepCounts{t: t, srv: srv}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPolicyRuleDestroy(srv),
		Steps: []resource.TestStep{
			{
				Config: config.String(),
				Check: func(s *terraform.State) error {
					for i := range 5 {
						_, rid, err := testAccPolicyRuleIDs(s, fmt.Sprintf("jitsudo_policy_rule.r%d", i))
						if err != nil {
							return err
						}
						ids[fmt.Sprintf("r%d", i)] = rid
					}
					return nil
				},
			},
			{
				PreConfig: func() {
					ctx := context.Background()
					if _, err := srv.Client.UpdateRule(ctx, policyID, ids["r1"], api.RuleUpdate{Notice: nullable.NewNullableWithValue("by hand")}); err != nil {
						t.Fatal(err)
					}
					if err := srv.Client.DeleteRule(ctx, policyID, ids["r3"]); err != nil {
						t.Fatal(err)
					}
					counts.snapshot()
				},
				Config: config.String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("jitsudo_policy_rule.r0", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("jitsudo_policy_rule.r1", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("jitsudo_policy_rule.r2", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("jitsudo_policy_rule.r3", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("jitsudo_policy_rule.r4", plancheck.ResourceActionNoop),
					testAccPolicyRuleExpectChange{addr: "jitsudo_policy_rule.r1", attribute: "notice", before: "by hand", after: "rule 1"},
					acctest.BeforeApply(func(context.Context) error {
						counts.snapshot()
						if n := counts.step(0, "GET /v1/policies/{policyId}"); n != 1 {
							return fmt.Errorf("the plan sent %d GETs of the policy, want 1", n)
						}
						if n := counts.step(0, "GET /v1/policies/{policyId}/rules/{ruleId}"); n != 0 {
							return fmt.Errorf("the plan sent %d GETs of single rules, want 0", n)
						}
						return nil
					}),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("jitsudo_policy_rule.r1", tfjsonpath.New("notice"), knownvalue.StringExact("rule 1")),
					statecheck.ExpectKnownValue("jitsudo_policy_rule.r3", tfjsonpath.New("notice"), knownvalue.StringExact("rule 3")),
				},
				Check: func(*terraform.State) error {
					rules, err := srv.Client.ListRules(context.Background(), policyID, api.ListRulesParams{})
					if err != nil {
						return err
					}
					if len(rules.Data) != 5 {
						return fmt.Errorf("%d rules on the server, want 5", len(rules.Data))
					}
					return nil
				},
			},
		},
	})
}

// A rule create that commits but whose answer is lost to the provider is
// kept in state, so the next apply converges with exactly one rule.
func TestAccPolicyRule_createAnswerUnusable(t *testing.T) {
	srv := acctest.NewServer(t)
	policyID := testAccPolicyRuleParent(t, srv)
	config := testAccPolicyRuleConfig(srv, policyID, `  policy_text = "permit (principal, action, resource);"`)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPolicyRuleDestroy(srv),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { srv.BreakNextAnswer("POST", "/v1/policies/"+policyID+"/rules") },
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Error Creating Policy Rule.*was\s+created,\s+but\s+its\s+answer\s+could\s+not\s+be\s+used`),
			},
			{
				Config: config,
				Check: func(s *terraform.State) error {
					_, rid, err := testAccPolicyRuleIDs(s, testAccPolicyRuleAddr)
					if err != nil {
						return err
					}
					rules, err := srv.Client.ListRules(context.Background(), policyID, api.ListRulesParams{})
					if err != nil {
						return err
					}
					if len(rules.Data) != 1 || rules.Data[0].Id.String() != rid {
						return fmt.Errorf("%d rules on the server, want exactly the one in state", len(rules.Data))
					}
					return nil
				},
			},
		},
	})
}

// The contract's length limits (internal/api/limits.go) are checked at
// validate time, on the attribute, before any request.
func TestAccPolicyRule_contractLengths(t *testing.T) {
	srv := acctest.NewServer(t)
	policyID := testAccPolicyRuleParent(t, srv)
	long := strings.Repeat("x", api.MaxEntityIDLength+1)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccPolicyRuleConfig(srv, policyID, fmt.Sprintf(`
  effect    = "permit"
  principal = { scope = "eq", entity_type = "User", entity_id = %q }
`, long)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)principal\.entity_id.*at most 1024`),
			},
			{
				Config: testAccPolicyRuleConfig(srv, policyID, fmt.Sprintf(`
  effect = "permit"
  action = { scope = "eq", ids = [%q] }
`, long)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)action\.ids.*at most 1024`),
			},
		},
	})
}
