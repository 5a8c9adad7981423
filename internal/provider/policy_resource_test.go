package provider_test

import (
	"context"
	"errors"
	"fmt"
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

const testAccPolicyAddr = "jitsudo_policy.test"

// testAccPolicyUUID matches the ids the API assigns.
var testAccPolicyUUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// testAccPolicyTimestamp matches the RFC 3339 UTC timestamps of the state.
var testAccPolicyTimestamp = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`)

func TestAccPolicy_basic(t *testing.T) {
	srv := acctest.NewServer(t)
	idSame := statecheck.CompareValue(compare.ValuesSame())
	createdSame := statecheck.CompareValue(compare.ValuesSame())
	updatedDiffers := statecheck.CompareValue(compare.ValuesDiffer())
	var id string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccPolicyCheckDestroy(srv),
		Steps: []resource.TestStep{
			{
				Config: srv.Config(`
resource "jitsudo_policy" "test" {
  name                     = "acc-basic"
  description              = "Emergency access to production"
  enabled                  = false
  priority                 = 10
  max_duration_seconds     = 3600
  default_duration_seconds = 1800
  notification_channel     = "#sre-oncall"
}
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccPolicyAddr, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(testAccPolicyUUID)),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("name"), knownvalue.StringExact("acc-basic")),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("description"), knownvalue.StringExact("Emergency access to production")),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("enabled"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("priority"), knownvalue.Int64Exact(10)),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("max_duration_seconds"), knownvalue.Int64Exact(3600)),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("default_duration_seconds"), knownvalue.Int64Exact(1800)),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("notification_channel"), knownvalue.StringExact("#sre-oncall")),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("cedar_policy_set"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(testAccPolicyTimestamp)),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("updated_at"), knownvalue.StringRegexp(testAccPolicyTimestamp)),
					idSame.AddStateValue(testAccPolicyAddr, tfjsonpath.New("id")),
					createdSame.AddStateValue(testAccPolicyAddr, tfjsonpath.New("created_at")),
					updatedDiffers.AddStateValue(testAccPolicyAddr, tfjsonpath.New("updated_at")),
				},
				Check: resource.ComposeTestCheckFunc(
					testAccPolicyStoreID(testAccPolicyAddr, &id),
					testAccPolicyOnServer(srv, &id, func(p *api.Policy) error {
						return testAccPolicyWant(p, "acc-basic", false, 10, 3600,
							nullable.NewNullableWithValue("Emergency access to production"),
							nullable.NewNullableWithValue(1800),
							nullable.NewNullableWithValue("#sre-oncall"))
					}),
				),
			},
			{
				// Every updatable attribute changes; the policy is updated in place.
				Config: srv.Config(`
resource "jitsudo_policy" "test" {
  name                     = "acc-basic-renamed"
  description              = "Break-glass access"
  enabled                  = true
  priority                 = -5
  max_duration_seconds     = 7200
  default_duration_seconds = 3600
  notification_channel     = "#security"
}
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccPolicyAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(testAccPolicyAddr, tfjsonpath.New("updated_at")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("name"), knownvalue.StringExact("acc-basic-renamed")),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("description"), knownvalue.StringExact("Break-glass access")),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("priority"), knownvalue.Int64Exact(-5)),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("max_duration_seconds"), knownvalue.Int64Exact(7200)),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("default_duration_seconds"), knownvalue.Int64Exact(3600)),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("notification_channel"), knownvalue.StringExact("#security")),
					idSame.AddStateValue(testAccPolicyAddr, tfjsonpath.New("id")),
					createdSame.AddStateValue(testAccPolicyAddr, tfjsonpath.New("created_at")),
					updatedDiffers.AddStateValue(testAccPolicyAddr, tfjsonpath.New("updated_at")),
				},
				Check: testAccPolicyOnServer(srv, &id, func(p *api.Policy) error {
					return testAccPolicyWant(p, "acc-basic-renamed", true, -5, 7200,
						nullable.NewNullableWithValue("Break-glass access"),
						nullable.NewNullableWithValue(3600),
						nullable.NewNullableWithValue("#security"))
				}),
			},
			{
				// The optional attributes are removed: the nullable ones are
				// cleared on the server, the others return to their defaults.
				Config: srv.Config(`
resource "jitsudo_policy" "test" {
  name                 = "acc-basic-renamed"
  max_duration_seconds = 7200
}
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccPolicyAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("description"), knownvalue.Null()),
					plancheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("priority"), knownvalue.Int64Exact(0)),
					plancheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("description"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("priority"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("default_duration_seconds"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("notification_channel"), knownvalue.Null()),
					idSame.AddStateValue(testAccPolicyAddr, tfjsonpath.New("id")),
				},
				Check: testAccPolicyOnServer(srv, &id, func(p *api.Policy) error {
					return testAccPolicyWant(p, "acc-basic-renamed", true, 0, 7200,
						nullable.NewNullNullable[string](), nullable.NewNullNullable[int](), nullable.NewNullNullable[string]())
				}),
			},
			{
				ResourceName:      testAccPolicyAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				// An import block with the id works the same way.
				ResourceName:    testAccPolicyAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccPolicyAddr, plancheck.ResourceActionNoop),
				}},
				Config: srv.Config(`
resource "jitsudo_policy" "test" {
  name                 = "acc-basic-renamed"
  max_duration_seconds = 7200
}
`),
			},
		},
	})
}

// TestAccPolicy_cedarPolicySet: rules managed elsewhere change
// cedar_policy_set and updated_at out from under the policy; that is not a
// diff, and an update while the rules change is still consistent.
func TestAccPolicy_cedarPolicySet(t *testing.T) {
	srv := acctest.NewServer(t)
	var id string
	config := func(description string) string {
		return srv.Config(testAccPolicyHCL("acc-cedar", fmt.Sprintf("description = %q", description)))
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccPolicyCheckDestroy(srv),
		Steps: []resource.TestStep{
			{
				Config: config("one"),
				Check:  testAccPolicyStoreID(testAccPolicyAddr, &id),
			},
			{
				PreConfig: func() {
					testAccPolicyAddRule(t, srv, id, `forbid (principal, action, resource) unless { context.mfa_authenticated };`)
				},
				Config: config("one"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("cedar_policy_set"),
						knownvalue.StringRegexp(regexp.MustCompile(`(?s)^forbid.*mfa_authenticated.*;$`))),
				},
			},
			{
				PreConfig: func() {
					testAccPolicyAddRule(t, srv, id, `permit (principal, action, resource) when { context.duration_seconds <= 600 };`)
				},
				Config: config("two"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccPolicyAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(testAccPolicyAddr, tfjsonpath.New("cedar_policy_set")),
					plancheck.ExpectUnknownValue(testAccPolicyAddr, tfjsonpath.New("updated_at")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("cedar_policy_set"),
						knownvalue.StringRegexp(regexp.MustCompile(`(?s)^forbid.*\n\npermit.*duration_seconds <= 600.*;$`))),
				},
				Check: testAccPolicyOnServer(srv, &id, func(p *api.Policy) error {
					if len(p.Rules) != 2 {
						return fmt.Errorf("policy has %d rules, want 2", len(p.Rules))
					}
					return nil
				}),
			},
		},
	})
}

func TestAccPolicy_disappears(t *testing.T) {
	srv := acctest.NewServer(t)
	idDiffers := statecheck.CompareValue(compare.ValuesDiffer())
	var id string
	config := srv.Config(testAccPolicyHCL("acc-disappears"))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccPolicyCheckDestroy(srv),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					idDiffers.AddStateValue(testAccPolicyAddr, tfjsonpath.New("id")),
				},
				Check: testAccPolicyStoreID(testAccPolicyAddr, &id),
			},
			{
				PreConfig: func() {
					if err := srv.Client.DeletePolicy(context.Background(), id); err != nil {
						t.Fatalf("delete policy %s out of band: %v", id, err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectNonEmptyPlan(),
					plancheck.ExpectResourceAction(testAccPolicyAddr, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					idDiffers.AddStateValue(testAccPolicyAddr, tfjsonpath.New("id")),
				},
				Check: resource.ComposeTestCheckFunc(
					testAccPolicyStoreID(testAccPolicyAddr, &id),
					testAccPolicyOnServer(srv, &id, func(p *api.Policy) error {
						if p.Name != "acc-disappears" {
							return fmt.Errorf("re-created policy is named %q", p.Name)
						}
						return nil
					}),
				),
			},
		},
	})
}

func TestAccPolicy_drift(t *testing.T) {
	srv := acctest.NewServer(t)
	var id string
	config := srv.Config(`
resource "jitsudo_policy" "test" {
  name                 = "acc-drift"
  description          = "managed by terraform"
  priority             = 5
  max_duration_seconds = 3600
}
`)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccPolicyCheckDestroy(srv),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check:  testAccPolicyStoreID(testAccPolicyAddr, &id),
			},
			{
				PreConfig: func() {
					priority := 99
					_, err := srv.Client.UpdatePolicy(context.Background(), id, api.PolicyUpdate{
						Priority:            &priority,
						Description:         nullable.NewNullableWithValue("changed by hand"),
						NotificationChannel: nullable.NewNullableWithValue("#added-by-hand"),
					})
					if err != nil {
						t.Fatalf("update policy %s out of band: %v", id, err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectNonEmptyPlan(),
					plancheck.ExpectResourceAction(testAccPolicyAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("priority"), knownvalue.Int64Exact(5)),
					plancheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("description"), knownvalue.StringExact("managed by terraform")),
					plancheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("notification_channel"), knownvalue.Null()),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("priority"), knownvalue.Int64Exact(5)),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("description"), knownvalue.StringExact("managed by terraform")),
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("notification_channel"), knownvalue.Null()),
				},
				Check: testAccPolicyOnServer(srv, &id, func(p *api.Policy) error {
					return testAccPolicyWant(p, "acc-drift", true, 5, 3600,
						nullable.NewNullableWithValue("managed by terraform"),
						nullable.NewNullNullable[int](), nullable.NewNullNullable[string]())
				}),
			},
		},
	})
}

func TestAccPolicy_nameConflict(t *testing.T) {
	srv := acctest.NewServer(t)
	existing, err := srv.Client.CreatePolicy(context.Background(), api.PolicyCreate{Name: "acc-taken", MaxDurationSeconds: 3600})
	if err != nil {
		t.Fatalf("create policy out of band: %v", err)
	}
	// The error is on the name attribute (terraform shows its line), names
	// the existing policy and suggests importing it.
	conflict := regexp.MustCompile(`(?s)Error (Creating|Updating) Policy.*name\s+= "acc-taken".*409 conflict.*` +
		`already\s+exists\s+with\s+id\s+"` + existing.Id.String() + `".*import`)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccPolicyCheckDestroy(srv),
		Steps: []resource.TestStep{
			{
				Config: srv.Config(`
resource "jitsudo_policy" "test" {
  name                 = "acc-taken"
  max_duration_seconds = 3600
}
`),
				ExpectError: conflict,
			},
			{
				Config: srv.Config(`
resource "jitsudo_policy" "test" {
  name                 = "acc-free"
  max_duration_seconds = 3600
}
`),
			},
			{
				// Renaming onto a taken name fails the same way.
				Config: srv.Config(`
resource "jitsudo_policy" "test" {
  name                 = "acc-taken"
  max_duration_seconds = 3600
}
`),
				ExpectError: conflict,
			},
		},
	})
}

func TestAccPolicy_invalidConfig(t *testing.T) {
	srv := acctest.NewServer(t)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccPolicyCheckDestroy(srv),
		Steps: []resource.TestStep{
			{
				// The source line in the error shows the attribute path.
				Config: srv.Config(`
resource "jitsudo_policy" "test" {
  name                     = "acc-invalid"
  max_duration_seconds     = 3600
  default_duration_seconds = 7200
}
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Default Duration Exceeds Maximum.*default_duration_seconds = 7200.*must not exceed`),
			},
			{
				Config: srv.Config(fmt.Sprintf(`
resource "jitsudo_policy" "test" {
  name                 = %q
  max_duration_seconds = 3600
}
`, strings.Repeat("n", 129))),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)name\s+= "nnnn.*string length must be between 1 and 128, got: 129`),
			},
			{
				Config: srv.Config(`
resource "jitsudo_policy" "test" {
  name                 = "acc-invalid"
  max_duration_seconds = 30
}
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)max_duration_seconds = 30.*value must be between 60 and 604800, got: 30`),
			},
			{
				ResourceName:  testAccPolicyAddr,
				ImportState:   true,
				ImportStateId: "not-a-uuid",
				Config: srv.Config(`
resource "jitsudo_policy" "test" {
  name                 = "acc-invalid"
  max_duration_seconds = 3600
}
`),
				ExpectError: regexp.MustCompile(`(?s)Invalid Policy Import ID.*"not-a-uuid"`),
			},
		},
	})
}

// testAccPolicyStoreID copies the id of the resource at addr into id.
func testAccPolicyStoreID(addr string, id *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s is not in the state", addr)
		}
		*id = rs.Primary.ID
		return nil
	}
}

// testAccPolicyOnServer runs check on the policy *id as the API returns it.
func testAccPolicyOnServer(srv *acctest.Server, id *string, check func(*api.Policy) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		p, err := srv.Client.GetPolicy(context.Background(), *id)
		if err != nil {
			return fmt.Errorf("get policy %s: %w", *id, err)
		}
		if err := check(p); err != nil {
			return fmt.Errorf("policy %s on the server: %w", *id, err)
		}
		return nil
	}
}

// testAccPolicyWant compares a policy's settings with the wanted ones; a
// nullable wanted null must be null on the server.
func testAccPolicyWant(p *api.Policy, name string, enabled bool, priority, maxDur int,
	description nullable.Nullable[string], def nullable.Nullable[int], channel nullable.Nullable[string],
) error {
	var errs []error
	if p.Name != name {
		errs = append(errs, fmt.Errorf("name = %q, want %q", p.Name, name))
	}
	if p.Enabled != enabled {
		errs = append(errs, fmt.Errorf("enabled = %t, want %t", p.Enabled, enabled))
	}
	if p.Priority != priority {
		errs = append(errs, fmt.Errorf("priority = %d, want %d", p.Priority, priority))
	}
	if p.MaxDurationSeconds != maxDur {
		errs = append(errs, fmt.Errorf("max_duration_seconds = %d, want %d", p.MaxDurationSeconds, maxDur))
	}
	if !testAccPolicyNullableEqual(p.Description, description) {
		errs = append(errs, fmt.Errorf("description = %v, want %v", p.Description, description))
	}
	if !testAccPolicyNullableEqual(p.DefaultDurationSeconds, def) {
		errs = append(errs, fmt.Errorf("default_duration_seconds = %v, want %v", p.DefaultDurationSeconds, def))
	}
	if !testAccPolicyNullableEqual(p.NotificationChannel, channel) {
		errs = append(errs, fmt.Errorf("notification_channel = %v, want %v", p.NotificationChannel, channel))
	}
	return errors.Join(errs...)
}

func testAccPolicyNullableEqual[T comparable](got, want nullable.Nullable[T]) bool {
	if want.IsNull() {
		return got.IsNull()
	}
	g, gerr := got.Get()
	w, werr := want.Get()
	return gerr == nil && werr == nil && g == w
}

// testAccPolicyAddRule adds a rule to policy id out of band.
func testAccPolicyAddRule(t *testing.T, srv *acctest.Server, id, text string) {
	t.Helper()
	if _, err := srv.Client.CreateRule(context.Background(), id, api.RuleCreate{PolicyText: &text}); err != nil {
		t.Fatalf("add a rule to policy %s out of band: %v", id, err)
	}
}

// testAccPolicyHCL is a jitsudo_policy "test" named name, with
// max_duration_seconds = 3600 and the further attributes (HCL lines).
func testAccPolicyHCL(name string, attributes ...string) string {
	var b strings.Builder
	for _, a := range attributes {
		b.WriteString("  " + a + "\n")
	}
	return fmt.Sprintf(`
resource "jitsudo_policy" "test" {
  name                 = %q
  max_duration_seconds = 3600
%s}
`, name, b.String())
}

// testAccPolicyCheckDestroy checks that no jitsudo_policy resource of the
// state still exists on the server. Data sources are not checked: they
// read policies the test created out of band.
func testAccPolicyCheckDestroy(srv *acctest.Server) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for addr, rs := range s.RootModule().Resources {
			if rs.Type != "jitsudo_policy" || strings.HasPrefix(addr, "data.") {
				continue
			}
			_, err := srv.Client.GetPolicy(context.Background(), rs.Primary.ID)
			if err == nil {
				return fmt.Errorf("policy %s (%s) still exists", rs.Primary.ID, addr)
			}
			if !errors.Is(err, client.ErrNotFound) {
				return fmt.Errorf("check that policy %s is deleted: %w", rs.Primary.ID, err)
			}
		}
		return nil
	}
}

// A change made on the server after terraform planned is not overwritten:
// the apply of the saved plan sends the etag the plan read as If-Match, is
// refused with 412, and reports the policy as changed outside Terraform.
// The change made by hand is still on the server, and the next plan and
// apply (which read it) converge.
func TestAccPolicy_changedBetweenPlanAndApply(t *testing.T) {
	srv := acctest.NewServer(t)
	var id string
	config := func(description string) string {
		return srv.Config(testAccPolicyHCL("acc-race", fmt.Sprintf("description = %q", description)))
	}
	description := func(want string) func(*api.Policy) error {
		return func(p *api.Policy) error {
			if got, _ := p.Description.Get(); got != want {
				return fmt.Errorf("description is %q, want %q", got, want)
			}
			return nil
		}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccPolicyCheckDestroy(srv),
		Steps: []resource.TestStep{
			{
				Config: config("one"),
				Check:  testAccPolicyStoreID(testAccPolicyAddr, &id),
			},
			{
				Config: config("two"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					acctest.BeforeApply(func(ctx context.Context) error {
						_, err := srv.Client.UpdatePolicy(ctx, id, api.PolicyUpdate{Description: nullable.NewNullableWithValue("by hand")})
						return err
					}),
				}},
				ExpectError: regexp.MustCompile(`(?s)Error Updating Policy.*changed\s+outside\s+Terraform\s+since\s+Terraform\s+read\s+it`),
			},
			{
				PreConfig: func() {
					if err := testAccPolicyOnServer(srv, &id, description("by hand"))(nil); err != nil {
						t.Fatalf("the change made by hand was lost: %v", err)
					}
				},
				Config: config("two"),
				Check:  testAccPolicyOnServer(srv, &id, description("two")),
			},
		},
	})
}

// A write whose response is lost is retried by the client and then meets
// its own change: the retry's 412 is not taken for someone else's change,
// because the policy already holds what the plan intends. The same holds
// for the policy's delete after its rules were deleted by the same
// destroy (the rules move the policy's etag).
func TestAccPolicy_retriedWriteIsNotAConflict(t *testing.T) {
	srv := acctest.NewServer(t)
	var id string
	config := func(priority int) string {
		return srv.Config(fmt.Sprintf(`
resource "jitsudo_policy" "test" {
  name                 = "acc-retried"
  priority             = %d
  max_duration_seconds = 3600
}

resource "jitsudo_policy_rule" "test" {
  policy_id   = jitsudo_policy.test.id
  policy_text = "permit (principal, action, resource);"
}
`, priority))
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccPolicyCheckDestroy(srv),
		Steps: []resource.TestStep{
			{
				Config: config(1),
				Check:  testAccPolicyStoreID(testAccPolicyAddr, &id),
			},
			{
				PreConfig: func() {
					// The next PATCH commits, then its response is lost.
					if err := srv.Srv.SetFaults("phase=after,count=1,methods=PATCH,codes=503"); err != nil {
						t.Fatal(err)
					}
				},
				Config: config(2),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("priority"), knownvalue.Int64Exact(2)),
				},
				Check: resource.ComposeTestCheckFunc(
					testAccPolicyOnServer(srv, &id, func(p *api.Policy) error {
						if p.Priority != 2 {
							return fmt.Errorf("priority is %d, want 2", p.Priority)
						}
						return nil
					}),
					func(*terraform.State) error {
						if n := srv.Requests(t)["PATCH /v1/policies/{policyId}"]; n != 2 {
							return fmt.Errorf("%d PATCH requests, want 2: the lost one and its retry", n)
						}
						return nil
					},
				),
			},
		},
	})
}

// A destroy deletes rules whose policy_id is a literal (as
// terraform query -generate-config-out writes them: no dependency) in
// parallel with their policy. Each rule deleted moves the policy's etag,
// also after the policy's delete has read it again; the delete must still
// go through, and nothing is left.
func TestAccPolicy_destroyWithUnlinkedRules(t *testing.T) {
	srv := acctest.NewServer(t)
	p, err := srv.Client.CreatePolicy(context.Background(), api.PolicyCreate{Name: "acc-unlinked", MaxDurationSeconds: 3600})
	if err != nil {
		t.Fatal(err)
	}
	id := p.Id.String()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(testAccPolicyCheckDestroy(srv), func(*terraform.State) error {
			_, err := srv.Client.GetPolicy(context.Background(), id)
			switch {
			case err == nil:
				return fmt.Errorf("policy %s still exists after the destroy", id)
			case !errors.Is(err, client.ErrNotFound):
				return fmt.Errorf("reading policy %s after the destroy: %w", id, err)
			}
			return nil
		}),
		Steps: []resource.TestStep{{
			Config: srv.Config(fmt.Sprintf(`
import {
  to = jitsudo_policy.test
  id = %[1]q
}

resource "jitsudo_policy" "test" {
  name                 = "acc-unlinked"
  max_duration_seconds = 3600
}

resource "jitsudo_policy_rule" "test" {
  count       = 30
  policy_id   = %[1]q
  policy_text = "permit (principal == User::\"u${count.index}\", action, resource);"
}
`, id)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccPolicyAddr, tfjsonpath.New("id"), knownvalue.StringExact(id)),
			},
		}},
	})
}

// A create that commits but whose answer is lost to the provider is kept
// in state (its id from Location), so the next apply converges without a
// duplicate or an orphan.
func TestAccPolicy_createAnswerUnusable(t *testing.T) {
	srv := acctest.NewServer(t)
	const name = "acc-answer-lost"
	config := srv.Config(testAccPolicyHCL(name))
	onlyOne := func(s *terraform.State) error {
		l, err := srv.Client.ListPolicies(context.Background(), api.ListPoliciesParams{})
		if err != nil {
			return err
		}
		var ids []string
		for _, p := range l.Data {
			ids = append(ids, p.Id.String())
		}
		if len(ids) != 1 || ids[0] != s.RootModule().Resources[testAccPolicyAddr].Primary.ID {
			return fmt.Errorf("policies on the server %v, want exactly the one in state", ids)
		}
		return nil
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccPolicyCheckDestroy(srv),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { srv.BreakNextAnswer("POST", "/v1/policies") },
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Error Creating Policy.*was\s+created,\s+but\s+its\s+answer\s+could\s+not\s+be\s+used`),
			},
			{
				Config: config,
				Check:  onlyOne,
			},
		},
	})
}
