package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/acctest"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

const testAccPolicyDataAddr = "data.jitsudo_policy.test"

// testAccPolicyWithRules creates, out of band, a policy with every setting
// and two rules parsed from Cedar text.
func testAccPolicyWithRules(t *testing.T, srv *acctest.Server, name string) *api.Policy {
	t.Helper()
	enabled, priority := false, 7
	cedarText := `forbid (principal, action, resource) unless { context.mfa_authenticated };

@id("ignored")
permit (principal, action, resource) when { context.duration_seconds <= 3600 };`
	p, err := srv.Client.CreatePolicy(context.Background(), api.PolicyCreate{
		Name:                   name,
		Description:            nullable.NewNullableWithValue("read by a data source"),
		Enabled:                &enabled,
		Priority:               &priority,
		MaxDurationSeconds:     7200,
		DefaultDurationSeconds: nullable.NewNullableWithValue(900),
		NotificationChannel:    nullable.NewNullableWithValue("#data"),
		CedarPolicySet:         &cedarText,
	})
	if err != nil {
		t.Fatalf("create policy %q out of band: %v", name, err)
	}
	if len(p.Rules) != 2 {
		t.Fatalf("policy %q has %d rules, want 2", name, len(p.Rules))
	}
	return p
}

// testAccPolicyDataChecks are the state checks of a data source that read p.
func testAccPolicyDataChecks(p *api.Policy) []statecheck.StateCheck {
	at := func(name string) tfjsonpath.Path { return tfjsonpath.New(name) }
	rule := func(i int, name string) tfjsonpath.Path {
		return tfjsonpath.New("rules").AtSliceIndex(i).AtMapKey(name)
	}
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, at("id"), knownvalue.StringExact(p.Id.String())),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, at("name"), knownvalue.StringExact(p.Name)),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, at("description"), knownvalue.StringExact("read by a data source")),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, at("enabled"), knownvalue.Bool(false)),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, at("priority"), knownvalue.Int64Exact(7)),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, at("max_duration_seconds"), knownvalue.Int64Exact(7200)),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, at("default_duration_seconds"), knownvalue.Int64Exact(900)),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, at("notification_channel"), knownvalue.StringExact("#data")),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, at("cedar_policy_set"), knownvalue.StringExact(p.CedarPolicySet)),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, at("created_at"), knownvalue.StringRegexp(testAccPolicyTimestamp)),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, at("updated_at"), knownvalue.StringRegexp(testAccPolicyTimestamp)),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, at("rules"), knownvalue.ListSizeExact(2)),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, rule(0, "id"), knownvalue.StringExact(p.Rules[0].Id.String())),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, rule(0, "ordinal"), knownvalue.Int64Exact(1)),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, rule(0, "effect"), knownvalue.StringExact("forbid")),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, rule(0, "policy_text"), knownvalue.StringExact(p.Rules[0].PolicyText)),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, rule(0, "conditions"), knownvalue.StringRegexp(regexp.MustCompile(`^unless \{.*mfa_authenticated.*\}$`))),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, rule(0, "notice"), knownvalue.Null()),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, rule(0, "audit_session"), knownvalue.Bool(true)),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, rule(1, "ordinal"), knownvalue.Int64Exact(2)),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, rule(1, "effect"), knownvalue.StringExact("permit")),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, rule(1, "policy_text"), knownvalue.StringExact(p.Rules[1].PolicyText)),
	}
}

// testAccPolicyDataLookup looks p up by its attribute by (id or name)
// whose value is value, then looks up a policy managed in the same
// configuration by the same attribute, unknown until the policy is
// created; managed are further checks of that second lookup.
func testAccPolicyDataLookup(t *testing.T, srv *acctest.Server, p *api.Policy, by, value string, managed ...statecheck.StateCheck) {
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccPolicyCheckDestroy(srv),
		Steps: []resource.TestStep{
			{
				Config: srv.Config(fmt.Sprintf(`
data "jitsudo_policy" "test" {
  %s = %q
}
`, by, value)),
				ConfigStateChecks: testAccPolicyDataChecks(p),
			},
			{
				Config: srv.Config(fmt.Sprintf(`
resource "jitsudo_policy" "test" {
  name                 = "acc-data-managed"
  max_duration_seconds = 3600
}

data "jitsudo_policy" "test" {
  %[1]s = jitsudo_policy.test.%[1]s
}
`, by)),
				ConfigStateChecks: append([]statecheck.StateCheck{
					statecheck.CompareValuePairs(testAccPolicyDataAddr, tfjsonpath.New("id"), testAccPolicyAddr, tfjsonpath.New("id"), compare.ValuesSame()),
				}, managed...),
			},
		},
	})
}

func TestAccPolicyDataSource_byID(t *testing.T) {
	srv := acctest.NewServer(t)
	p := testAccPolicyWithRules(t, srv, "acc-data-by-id")
	testAccPolicyDataLookup(t, srv, p, "id", p.Id.String(),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, tfjsonpath.New("name"), knownvalue.StringExact("acc-data-managed")),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, tfjsonpath.New("description"), knownvalue.Null()),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, tfjsonpath.New("default_duration_seconds"), knownvalue.Null()),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, tfjsonpath.New("cedar_policy_set"), knownvalue.StringExact("")),
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, tfjsonpath.New("rules"), knownvalue.ListExact([]knownvalue.Check{})),
	)
}

func TestAccPolicyDataSource_byName(t *testing.T) {
	srv := acctest.NewServer(t)
	p := testAccPolicyWithRules(t, srv, "acc-data-by-name")
	// A second policy, so the lookup has to pick the right one.
	testAccPolicyWithRules(t, srv, "acc-data-by-name-2")
	testAccPolicyDataLookup(t, srv, p, "name", "acc-data-by-name",
		statecheck.ExpectKnownValue(testAccPolicyDataAddr, tfjsonpath.New("max_duration_seconds"), knownvalue.Int64Exact(3600)),
	)
}

func TestAccPolicyDataSource_notFound(t *testing.T) {
	srv := acctest.NewServer(t)
	missing := uuid.NewString()

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: srv.Config(`
data "jitsudo_policy" "test" {
  name = "no-such-policy"
}
`),
				ExpectError: regexp.MustCompile(`(?s)Policy Not Found.*name = "no-such-policy".*No policy named "no-such-policy".*GET /v1/policies`),
			},
			{
				Config: srv.Config(`
data "jitsudo_policy" "test" {
  id = "` + missing + `"
}
`),
				ExpectError: regexp.MustCompile(`(?s)Policy Not Found.*No policy with id "` + missing + `"`),
			},
			{
				Config: srv.Config(`
data "jitsudo_policy" "test" {
  id   = "` + missing + `"
  name = "no-such-policy"
}
`),
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*Exactly one of these attributes must be configured: \[id,name\]`),
			},
			{
				Config: srv.Config(`
data "jitsudo_policy" "test" {
}
`),
				ExpectError: regexp.MustCompile(`(?s)Missing Attribute Configuration.*Exactly one of these attributes must be configured: \[id,name\]`),
			},
			{
				Config: srv.Config(`
data "jitsudo_policy" "test" {
  id = "prod-breakglass"
}
`),
				ExpectError: regexp.MustCompile(`(?s)Invalid UUID.*id = "prod-breakglass"`),
			},
		},
	})
}
