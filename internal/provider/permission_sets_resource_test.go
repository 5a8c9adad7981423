package provider_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"sync/atomic"
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
)

// Routes of the permission set endpoints in srv.Requests.
const (
	psRouteUpsert     = "PUT /v1/aws/permission-sets"
	psRouteBulkDelete = "POST /v1/aws/permission-sets/bulk-delete"
	psRouteList       = "GET /v1/aws/permission-sets"
	psRouteGet        = "GET /v1/aws/permission-sets/{permissionSetId}"
)

// psCounter measures the requests a step sends: Start in PreConfig, then
// Expect in Check.
type psCounter struct {
	srv    *acctest.Server
	before map[string]int64
}

func (c *psCounter) Start(t *testing.T) { c.before = c.srv.Requests(t) }

// Expect checks the requests sent since Start on the given routes.
func (c *psCounter) Expect(t *testing.T, want map[string]int64) error {
	now := c.srv.Requests(t)
	var errs []string
	for route, n := range want {
		if got := now[route] - c.before[route]; got != n {
			errs = append(errs, fmt.Sprintf("%s: %d requests, want %d", route, got, n))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s (all counts now: %v)", strings.Join(errs, "; "), now)
	}
	return nil
}

// psBeforeHasNo is a plan check that the prior (refreshed) permission_sets
// of the resource change lacks key and the planned one has it.
type psBeforeHasNo struct {
	address, key string
}

func (e psBeforeHasNo) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != e.address {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		b, _ := before["permission_sets"].(map[string]any)
		a, _ := after["permission_sets"].(map[string]any)
		if _, ok := b[e.key]; ok {
			resp.Error = fmt.Errorf("%s: refreshed permission_sets still has %s", e.address, e.key)
		} else if _, ok := a[e.key]; !ok {
			resp.Error = fmt.Errorf("%s: planned permission_sets lacks %s", e.address, e.key)
		}
		return
	}
	resp.Error = fmt.Errorf("no resource change for %s", e.address)
}

func psItemPath(arn, attr string) tfjsonpath.Path {
	return tfjsonpath.New("permission_sets").AtMapKey(arn).AtMapKey(attr)
}

// psSetsConfig is a jitsudo_permission_sets "test" with the given
// entries of permission_sets (HCL lines, see psEntry).
func psSetsConfig(entries ...string) string {
	return "\nresource \"jitsudo_permission_sets\" \"test\" {\n  permission_sets = {\n" + strings.Join(entries, "") + "  }\n}\n"
}

// psEntry is the permission_sets entry of arn, with the attribute lines.
func psEntry(arn string, attributes ...string) string {
	return fmt.Sprintf("    %q = {\n      %s\n    }\n", arn, strings.Join(attributes, "\n      "))
}

// The entries of psBulkConfig3: ARN1 with every attribute, ARN2 with a
// session duration, ARN3 with a name only.
var (
	psEntry1 = psEntry(psTestARN1,
		`name             = "ReadOnly"`,
		`account_id       = "123456789012"`,
		`metadata         = jsonencode({ team = "platform" })`,
		`rank             = 1`,
		`description      = "Read-only access"`,
		`session_duration = "PT8H"`,
		`relay_state      = "https://console.aws.amazon.com/"`)
	psEntry2 = psEntry(psTestARN2, `name             = "Admin"`, `session_duration = "PT1H"`)
	psEntry3 = psEntry(psTestARN3, `name = "Billing"`)
)

// psBulkConfig3 manages ARN1 to ARN3.
var psBulkConfig3 = psSetsConfig(psEntry1, psEntry2, psEntry3)

// psChangedConfig changes psBulkConfig3: ARN1 renamed, ARN2 unchanged,
// ARN3 dropped, ARN4 added.
var psChangedConfig = psSetsConfig(psEntry(psTestARN1, `name = "ReadOnly2"`), psEntry2, psEntry(psTestARN4, `name = "Auditor"`))

// psChangedConfig2 changes psBulkConfig3: ARN1 renamed, ARN2 unchanged,
// ARN3 dropped.
var psChangedConfig2 = psSetsConfig(psEntry(psTestARN1, `name = "ReadOnly2"`), psEntry2)

func TestAccPermissionSets_basic(t *testing.T) {
	srv := acctest.NewServer(t)
	const addr = "jitsudo_permission_sets.test"
	counter := &psCounter{srv: srv}
	syncedSame := statecheck.CompareValue(compare.ValuesSame())
	want1 := psWant{
		Name: "ReadOnly", AccountID: new("123456789012"), Metadata: map[string]any{"team": "platform"},
		Rank: new(1), Description: new("Read-only access"), SessionDuration: new("PT8H"), RelayState: new("https://console.aws.amazon.com/"),
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return psCheckDestroyed(srv.Client, psTestARN1, psTestARN2, psTestARN3, psTestARN4)
		},
		Steps: []resource.TestStep{
			{
				PreConfig: func() { counter.Start(t) },
				Config:    srv.Config(psBulkConfig3),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("permission-sets")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("permission_sets"), knownvalue.MapSizeExact(3)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("permission_sets").AtMapKey(psTestARN1), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"name":             knownvalue.StringExact("ReadOnly"),
						"account_id":       knownvalue.StringExact("123456789012"),
						"metadata":         knownvalue.StringExact(`{"team":"platform"}`),
						"rank":             knownvalue.Int64Exact(1),
						"description":      knownvalue.StringExact("Read-only access"),
						"session_duration": knownvalue.StringExact("PT8H"),
						"relay_state":      knownvalue.StringExact("https://console.aws.amazon.com/"),
						"last_synced_at":   knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT.*Z$`)),
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("permission_sets").AtMapKey(psTestARN3), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"name":             knownvalue.StringExact("Billing"),
						"account_id":       knownvalue.Null(),
						"metadata":         knownvalue.StringExact("{}"),
						"rank":             knownvalue.Null(),
						"description":      knownvalue.Null(),
						"session_duration": knownvalue.Null(),
						"relay_state":      knownvalue.Null(),
						"last_synced_at":   knownvalue.NotNull(),
					})),
					syncedSame.AddStateValue(addr, psItemPath(psTestARN1, "last_synced_at")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error {
						return counter.Expect(t, map[string]int64{psRouteUpsert: 1, psRouteBulkDelete: 0, psRouteGet: 0})
					},
					func(*terraform.State) error { return psCheckServer(srv.Client, psTestARN1, want1) },
					func(*terraform.State) error {
						return psCheckServer(srv.Client, psTestARN2, psWant{Name: "Admin", SessionDuration: new("PT1H")})
					},
					func(*terraform.State) error { return psCheckServer(srv.Client, psTestARN3, psWant{Name: "Billing"}) },
				),
			},
			// Add one, change one, drop one: one bulk upsert of two sets and
			// one bulk delete.
			{
				PreConfig: func() { counter.Start(t) },
				Config: srv.Config(psSetsConfig(psEntry1,
					psEntry(psTestARN2, `name        = "Administrator"`, `description = "Full access"`, `metadata    = jsonencode({ break_glass = true })`),
					psEntry(psTestARN4, `name       = "Auditor"`, `account_id = "210987654321"`))),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, psItemPath(psTestARN1, "last_synced_at"), knownvalue.NotNull()),
					plancheck.ExpectUnknownValue(addr, psItemPath(psTestARN2, "last_synced_at")),
					plancheck.ExpectUnknownValue(addr, psItemPath(psTestARN4, "last_synced_at")),
					plancheck.ExpectKnownValue(addr, psItemPath(psTestARN2, "session_duration"), knownvalue.Null()),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("permission_sets"), knownvalue.MapSizeExact(3)),
					syncedSame.AddStateValue(addr, psItemPath(psTestARN1, "last_synced_at")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error {
						return counter.Expect(t, map[string]int64{psRouteUpsert: 1, psRouteBulkDelete: 1, psRouteGet: 0})
					},
					func(*terraform.State) error { return psCheckServer(srv.Client, psTestARN1, want1) },
					func(*terraform.State) error {
						return psCheckServer(srv.Client, psTestARN2, psWant{Name: "Administrator", Description: new("Full access"), Metadata: map[string]any{"break_glass": true}})
					},
					func(*terraform.State) error {
						return psCheckServer(srv.Client, psTestARN4, psWant{Name: "Auditor", AccountID: new("210987654321")})
					},
					func(*terraform.State) error { return psCheckDestroyed(srv.Client, psTestARN3) },
				),
			},
			// The same metadata written with another key order and
			// whitespace plans nothing.
			{
				Config: srv.Config(fmt.Sprintf(`
resource "jitsudo_permission_sets" "test" {
  permission_sets = {
    %[1]q = {
      name             = "ReadOnly"
      account_id       = "123456789012"
      metadata         = "{ \"team\" : \"platform\" }"
      rank             = 1
      description      = "Read-only access"
      session_duration = "PT8H"
      relay_state      = "https://console.aws.amazon.com/"
    }
    %[2]q = {
      name        = "Administrator"
      description = "Full access"
      metadata    = "{\n  \"break_glass\": true\n}"
    }
    %[3]q = {
      name       = "Auditor"
      account_id = "210987654321"
    }
  }
}
`, psTestARN1, psTestARN2, psTestARN4)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			// Import every set of the tenant, then the listed ones.
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     "*",
				ImportStateVerify: true,
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     fmt.Sprintf("%s, %s,%s", psTestARN4, psTestARN1, psTestARN2),
				ImportStateVerify: true,
			},
			{
				ResourceName:  addr,
				ImportState:   true,
				ImportStateId: psTestARN1 + ",arn:aws:sso:::permissionSet/only-one-segment",
				ExpectError:   regexp.MustCompile(`(?s)Invalid Import ID.*comma-separated list of permission set ARNs`),
			},
			{
				ResourceName:  addr,
				ImportState:   true,
				ImportStateId: psTestARN1 + "," + psTestARN3,
				ExpectError:   regexp.MustCompile(`(?s)Cannot Import Non-Existent Permission Sets.*` + regexp.QuoteMeta(psTestARN3)),
			},
		},
	})
}

func TestAccPermissionSets_alreadyExists(t *testing.T) {
	srv := acctest.NewServer(t)
	const addr = "jitsudo_permission_sets.test"
	config := psBulkConfig3

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			// The set the resource was refused stays as the sync job wrote it.
			if err := psCheckServer(srv.Client, psTestARN4, psWant{Name: "FromSync"}); err != nil {
				return err
			}
			return psCheckDestroyed(srv.Client, psTestARN1, psTestARN2, psTestARN3)
		},
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					psUpsert(t, srv.Client, api.PermissionSetInput{Id: psTestARN2, Name: "FromSync"})
				},
				Config:      srv.Config(config),
				ExpectError: regexp.MustCompile(`(?s)Permission Sets Already Exist.*` + regexp.QuoteMeta(psTestARN2) + `.*import`),
			},
			// Nothing was written; importing the cached set and applying
			// adds the others.
			{
				PreConfig: func() {
					if err := psCheckDestroyed(srv.Client, psTestARN1, psTestARN3); err != nil {
						t.Errorf("the failed create wrote sets: %v", err)
					}
					if err := psCheckServer(srv.Client, psTestARN2, psWant{Name: "FromSync"}); err != nil {
						t.Errorf("the failed create changed the cached set: %v", err)
					}
				},
				Config: srv.Config(`
import {
  to = jitsudo_permission_sets.test
  id = "*"
}
` + config),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					psBeforeHasNo{address: addr, key: psTestARN1},
					psExpectBefore{address: addr, path: []any{"permission_sets", psTestARN2, "name"}, want: "FromSync"},
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error {
						return psCheckServer(srv.Client, psTestARN2, psWant{Name: "Admin", SessionDuration: new("PT1H")})
					},
					func(*terraform.State) error { return psCheckServer(srv.Client, psTestARN3, psWant{Name: "Billing"}) },
				),
			},
			// Adding a cached set to the resource later is refused too, and
			// leaves the cached set alone.
			{
				PreConfig: func() {
					psUpsert(t, srv.Client, api.PermissionSetInput{Id: psTestARN4, Name: "FromSync"})
				},
				Config:      srv.Config(psSetsConfig(psEntry1, psEntry2, psEntry3, psEntry(psTestARN4, `name = "Mine"`))),
				ExpectError: regexp.MustCompile(`(?s)Permission Sets Already Exist.*` + regexp.QuoteMeta(psTestARN4)),
			},
		},
	})
}

// psFailingProxy stands between the provider and srv and answers 400 to
// bulk deletes while fail is set.
func psFailingProxy(t *testing.T, srv *acctest.Server, fail *atomic.Bool) string {
	t.Helper()
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() && r.Method == http.MethodPost && r.URL.Path == "/v1/aws/permission-sets/bulk-delete" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"code":"invalid_request","message":"injected failure of the bulk delete"}`))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return srv.ProviderConfigAt(ts.URL)
}

// A failed apply keeps in state what it did write: here the bulk upsert
// succeeds and the bulk delete fails.
func TestAccPermissionSets_partialFailure(t *testing.T) {
	srv := acctest.NewServer(t)
	const addr = "jitsudo_permission_sets.test"
	var fail atomic.Bool
	provider := psFailingProxy(t, srv, &fail)
	counter := &psCounter{srv: srv}
	changed := provider + psChangedConfig

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return psCheckDestroyed(srv.Client, psTestARN1, psTestARN2, psTestARN3, psTestARN4)
		},
		Steps: []resource.TestStep{
			{Config: provider + psBulkConfig3},
			{
				PreConfig:   func() { fail.Store(true) },
				Config:      changed,
				ExpectError: regexp.MustCompile(`(?s)Error Updating Permission Sets.*Deleting permission set.*ps-3333333333333333.*injected failure`),
			},
			// State has ARN1 and ARN4 as written (were ARN4 missing, the
			// next apply would find it cached and refuse to add it) and
			// still ARN3: the next apply only deletes ARN3.
			{
				PreConfig: func() {
					fail.Store(false)
					if err := psCheckServer(srv.Client, psTestARN1, psWant{Name: "ReadOnly2"}); err != nil {
						t.Errorf("after the failed apply: %v", err)
					}
					if err := psCheckServer(srv.Client, psTestARN4, psWant{Name: "Auditor"}); err != nil {
						t.Errorf("after the failed apply: %v", err)
					}
					counter.Start(t)
				},
				Config: changed,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, psItemPath(psTestARN1, "last_synced_at"), knownvalue.NotNull()),
					plancheck.ExpectKnownValue(addr, psItemPath(psTestARN4, "last_synced_at"), knownvalue.NotNull()),
					psExpectBefore{address: addr, path: []any{"permission_sets", psTestARN3, "name"}, want: "Billing"},
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error {
						return counter.Expect(t, map[string]int64{psRouteUpsert: 0, psRouteBulkDelete: 1})
					},
					func(*terraform.State) error { return psCheckDestroyed(srv.Client, psTestARN3) },
				),
			},
		},
	})
}

func TestAccPermissionSets_drift(t *testing.T) {
	srv := acctest.NewServer(t)
	const addr = "jitsudo_permission_sets.test"
	config := srv.Config(psBulkConfig3)
	counter := &psCounter{srv: srv}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return psCheckDestroyed(srv.Client, psTestARN1, psTestARN2, psTestARN3)
		},
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					psUpsert(t, srv.Client, api.PermissionSetInput{
						Id: psTestARN1, Name: "ReadOnly", AccountId: nullable.NewNullableWithValue("123456789012"),
						Metadata: &map[string]any{"team": "rogue"}, Rank: nullable.NewNullableWithValue(1),
						Description: nullable.NewNullableWithValue("Read-only access"), SessionDuration: nullable.NewNullableWithValue("PT12H"),
						RelayState: nullable.NewNullableWithValue("https://console.aws.amazon.com/"),
					})
					if _, err := srv.Client.DeletePermissionSets(context.Background(), []string{psTestARN2}, nil); err != nil {
						t.Fatalf("out-of-band delete: %v", err)
					}
					counter.Start(t)
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectNonEmptyPlan(),
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					psExpectBefore{address: addr, path: []any{"permission_sets", psTestARN1, "session_duration"}, want: "PT12H"},
					psExpectBefore{address: addr, path: []any{"permission_sets", psTestARN1, "metadata"}, want: `{"team":"rogue"}`},
					psBeforeHasNo{address: addr, key: psTestARN2},
					plancheck.ExpectKnownValue(addr, psItemPath(psTestARN1, "session_duration"), knownvalue.StringExact("PT8H")),
					plancheck.ExpectUnknownValue(addr, psItemPath(psTestARN1, "last_synced_at")),
					plancheck.ExpectUnknownValue(addr, psItemPath(psTestARN2, "last_synced_at")),
					plancheck.ExpectKnownValue(addr, psItemPath(psTestARN3, "last_synced_at"), knownvalue.NotNull()),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error {
						return counter.Expect(t, map[string]int64{psRouteUpsert: 1, psRouteBulkDelete: 0})
					},
					func(*terraform.State) error {
						return psCheckServer(srv.Client, psTestARN1, psWant{
							Name: "ReadOnly", AccountID: new("123456789012"), Metadata: map[string]any{"team": "platform"},
							Rank: new(1), Description: new("Read-only access"), SessionDuration: new("PT8H"), RelayState: new("https://console.aws.amazon.com/"),
						})
					},
					func(*terraform.State) error {
						return psCheckServer(srv.Client, psTestARN2, psWant{Name: "Admin", SessionDuration: new("PT1H")})
					},
				),
			},
		},
	})
}

func TestAccPermissionSets_disappears(t *testing.T) {
	srv := acctest.NewServer(t)
	const addr = "jitsudo_permission_sets.test"
	config := srv.Config(psBulkConfig3)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return psCheckDestroyed(srv.Client, psTestARN1, psTestARN2, psTestARN3)
		},
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					if _, err := srv.Client.DeletePermissionSets(context.Background(), []string{psTestARN1, psTestARN2, psTestARN3}, nil); err != nil {
						t.Fatalf("out-of-band delete: %v", err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectNonEmptyPlan(),
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					psBeforeHasNo{address: addr, key: psTestARN1},
					psBeforeHasNo{address: addr, key: psTestARN2},
					psBeforeHasNo{address: addr, key: psTestARN3},
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("permission_sets"), knownvalue.MapSizeExact(3)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error { return psCheckServer(srv.Client, psTestARN3, psWant{Name: "Billing"}) },
					func(*terraform.State) error {
						return psCheckServer(srv.Client, psTestARN2, psWant{Name: "Admin", SessionDuration: new("PT1H")})
					},
				),
			},
		},
	})
}

// psScaleConfig manages 2500 sets; the first `changed` of them have a
// session duration of PT4H instead of PT8H. (range() is limited to 1024
// values, hence the two nested ranges.)
func psScaleConfig(changed int) string {
	return fmt.Sprintf(`
locals {
  indexes = flatten([for a in range(25) : [for b in range(100) : a * 100 + b]])
}

resource "jitsudo_permission_sets" "test" {
  permission_sets = {
    for i in local.indexes : format("arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-%%016d", i) => {
      name             = format("Set%%d", i)
      account_id       = "123456789012"
      metadata         = jsonencode({ index = i })
      session_duration = i < %d ? "PT4H" : "PT8H"
    }
  }
}
`, changed)
}

func psScaleARN(i int) string {
	return fmt.Sprintf("arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-%016d", i)
}

func TestAccPermissionSets_scale(t *testing.T) {
	srv := acctest.NewServer(t)
	const addr = "jitsudo_permission_sets.test"
	counter := &psCounter{srv: srv}

	// Every step of terraform-plugin-testing runs the framework's plan of
	// all 2500 sets several times (apply, then the plans that check that
	// the apply left nothing to do), so the test keeps to two steps.
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			l, err := srv.Client.ListPermissionSets(context.Background(), api.ListPermissionSetsParams{})
			if err != nil {
				return err
			}
			if len(l.Data) > 0 {
				return fmt.Errorf("%d+ permission sets left, such as %s", len(l.Data), l.Data[0].Id)
			}
			return nil
		},
		Steps: []resource.TestStep{
			// 2500 sets: three bulk upserts (1000, 1000, 500) after one
			// list call that finds none of them cached.
			{
				PreConfig: func() { counter.Start(t) },
				Config:    srv.Config(psScaleConfig(0)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("permission_sets"), knownvalue.MapSizeExact(2500)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error {
						return counter.Expect(t, map[string]int64{psRouteUpsert: 3, psRouteGet: 0, psRouteBulkDelete: 0})
					},
					func(*terraform.State) error {
						return psCheckServer(srv.Client, psScaleARN(2499), psWant{
							Name: "Set2499", AccountID: new("123456789012"), Metadata: map[string]any{"index": 2499}, SessionDuration: new("PT8H"),
						})
					},
					// What follows Check is the harness's post-apply plans,
					// one of them with a refresh; the next PreConfig checks
					// that this refresh listed the cache once.
					func(*terraform.State) error { counter.Start(t); return nil },
				),
			},
			// Changing 10 sets sends one bulk upsert of those 10.
			{
				PreConfig: func() {
					if err := counter.Expect(t, map[string]int64{psRouteList: 10, psRouteGet: 0, psRouteUpsert: 0}); err != nil {
						t.Errorf("refresh of 2500 sets: %v", err)
					}
					counter.Start(t)
				},
				Config: srv.Config(psScaleConfig(10)),
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error {
						return counter.Expect(t, map[string]int64{psRouteUpsert: 1, psRouteGet: 0, psRouteBulkDelete: 0})
					},
					func(*terraform.State) error {
						return psCheckServer(srv.Client, psScaleARN(9), psWant{
							Name: "Set9", AccountID: new("123456789012"), Metadata: map[string]any{"index": 9}, SessionDuration: new("PT4H"),
						})
					},
					func(*terraform.State) error {
						return psCheckServer(srv.Client, psScaleARN(10), psWant{
							Name: "Set10", AccountID: new("123456789012"), Metadata: map[string]any{"index": 10}, SessionDuration: new("PT8H"),
						})
					},
				),
			},
		},
	})
}

// Sets changed outside Terraform between the refresh and the write are
// never overwritten: the bulk upsert and the bulk delete fail with 412 and
// name them.
func TestAccPermissionSets_changedOutside(t *testing.T) {
	srv := acctest.NewServer(t)
	const addr = "jitsudo_permission_sets.test"
	var armed atomic.Value // the method whose next request changes ARN1 or ARN2 first
	armed.Store("")
	provider := psHookProxy(t, srv, func(_ http.ResponseWriter, r *http.Request) bool {
		switch {
		case r.Method == http.MethodPut && armed.CompareAndSwap(http.MethodPut, ""):
			psUpsert(t, srv.Client, api.PermissionSetInput{Id: psTestARN1, Name: "Rogue"})
		case r.Method == http.MethodPost && armed.CompareAndSwap(http.MethodPost, ""):
			psUpsert(t, srv.Client, api.PermissionSetInput{Id: psTestARN3, Name: "Rogue"})
		}
		return false
	})
	base := psBulkConfig3
	changed := psChangedConfig

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return psCheckDestroyed(srv.Client, psTestARN1, psTestARN2, psTestARN3, psTestARN4)
		},
		Steps: []resource.TestStep{
			{Config: provider + base},
			// ARN1 changes just before the bulk upsert: nothing of the
			// batch is written, nothing is deleted.
			{
				PreConfig:   func() { armed.Store(http.MethodPut) },
				Config:      provider + changed,
				ExpectError: psErrorRE(`(?s)Permission Sets Changed Outside Terraform.*` + regexp.QuoteMeta(psTestARN1) + `.*terraform plan again`),
			},
			{
				PreConfig: func() {
					if err := psCheckServer(srv.Client, psTestARN1, psWant{Name: "Rogue"}); err != nil {
						t.Errorf("the refused upsert overwrote the change: %v", err)
					}
					if err := psCheckDestroyed(srv.Client, psTestARN4); err != nil {
						t.Errorf("the refused upsert wrote part of its batch: %v", err)
					}
					if err := psCheckServer(srv.Client, psTestARN3, psWant{Name: "Billing"}); err != nil {
						t.Errorf("the failed apply deleted: %v", err)
					}
					// Now ARN3 changes just before the bulk delete.
					armed.Store(http.MethodPost)
				},
				Config: provider + changed,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					psExpectBefore{address: addr, path: []any{"permission_sets", psTestARN1, "name"}, want: "Rogue"},
				}},
				ExpectError: psErrorRE(`(?s)Permission Sets Changed Outside Terraform.*` + regexp.QuoteMeta(psTestARN3)),
			},
			// The upserts of that apply are in state; the next apply
			// deletes ARN3 as it is now.
			{
				PreConfig: func() {
					if err := psCheckServer(srv.Client, psTestARN3, psWant{Name: "Rogue"}); err != nil {
						t.Errorf("the refused delete deleted the set: %v", err)
					}
				},
				Config: provider + changed,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					psExpectBefore{address: addr, path: []any{"permission_sets", psTestARN3, "name"}, want: "Rogue"},
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error { return psCheckDestroyed(srv.Client, psTestARN3) },
					func(*terraform.State) error { return psCheckServer(srv.Client, psTestARN1, psWant{Name: "ReadOnly2"}) },
					func(*terraform.State) error { return psCheckServer(srv.Client, psTestARN4, psWant{Name: "Auditor"}) },
				),
			},
		},
	})
}

// Bulk writes whose responses are lost (jitsudo-local -faults
// phase=after) are retried by the client; the retry's 412 is recognised as
// the provider's own write.
func TestAccPermissionSets_lostResponse(t *testing.T) {
	srv := acctest.NewServer(t)
	const addr = "jitsudo_permission_sets.test"
	counter := &psCounter{srv: srv}
	lose := func(method string) func() {
		return func() {
			psSetFaults(t, srv, "phase=after,codes=503,count=1,methods="+method)()
			counter.Start(t)
		}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return psCheckDestroyed(srv.Client, psTestARN1, psTestARN2, psTestARN3)
		},
		Steps: []resource.TestStep{
			{
				PreConfig: lose(http.MethodPut),
				Config:    srv.Config(psBulkConfig3),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, psItemPath(psTestARN3, "last_synced_at"), knownvalue.NotNull()),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error { return counter.Expect(t, map[string]int64{psRouteUpsert: 2}) },
					func(*terraform.State) error { return psCheckServer(srv.Client, psTestARN3, psWant{Name: "Billing"}) },
				),
			},
			{
				PreConfig: lose(http.MethodPut),
				Config:    srv.Config(psChangedConfig2),
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error {
						return counter.Expect(t, map[string]int64{psRouteUpsert: 2, psRouteBulkDelete: 1})
					},
					func(*terraform.State) error { return psCheckServer(srv.Client, psTestARN1, psWant{Name: "ReadOnly2"}) },
					func(*terraform.State) error { return psCheckDestroyed(srv.Client, psTestARN3) },
				),
			},
		},
	})
}

// Bulk writes that commit but whose read-back fails are kept in state: the
// next apply converges, without adding the sets twice or losing them.
func TestAccPermissionSets_readBackFails(t *testing.T) {
	srv := acctest.NewServer(t)
	const addr = "jitsudo_permission_sets.test"
	var failNextGet, afterPut atomic.Bool
	provider := psHookProxy(t, srv, func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case r.Method == http.MethodPut && failNextGet.Load():
			afterPut.Store(true)
		case r.Method == http.MethodGet && afterPut.Load() && failNextGet.CompareAndSwap(true, false):
			psInternalError(w)
			return true
		}
		return false
	})
	arm := func() { afterPut.Store(false); failNextGet.Store(true) }
	config := provider + psBulkConfig3
	changed := provider + psChangedConfig
	onlyThese := func(arns ...string) func(*terraform.State) error {
		return func(*terraform.State) error {
			l, err := srv.Client.ListPermissionSets(context.Background(), api.ListPermissionSetsParams{})
			if err != nil {
				return err
			}
			var got []string
			for _, ps := range l.Data {
				got = append(got, ps.Id)
			}
			if !reflect.DeepEqual(got, arns) {
				return fmt.Errorf("sets on the server: %v, want %v", got, arns)
			}
			return nil
		}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return psCheckDestroyed(srv.Client, psTestARN1, psTestARN2, psTestARN3, psTestARN4)
		},
		Steps: []resource.TestStep{
			{
				PreConfig:   arm,
				Config:      config,
				ExpectError: psErrorRE(`(?s)Error Creating Permission Sets.*Reading the 3 written permission sets back.*injected failure`),
			},
			// The tainted resource is replaced: its sets are deleted and
			// added again, none is refused as already existing.
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("permission_sets"), knownvalue.MapSizeExact(3)),
					statecheck.ExpectKnownValue(addr, psItemPath(psTestARN1, "last_synced_at"), knownvalue.NotNull()),
				},
				Check: onlyThese(psTestARN1, psTestARN2, psTestARN3),
			},
			{
				PreConfig:   arm,
				Config:      changed,
				ExpectError: psErrorRE(`(?s)Error Updating Permission Sets.*Reading the 2 written permission sets back.*injected failure`),
			},
			// State has the written sets: the next plan only refreshes
			// their last_synced_at, and nothing is left to do.
			{
				Config: changed,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, psItemPath(psTestARN4, "last_synced_at"), knownvalue.NotNull()),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					onlyThese(psTestARN1, psTestARN2, psTestARN4),
					func(*terraform.State) error { return psCheckServer(srv.Client, psTestARN1, psWant{Name: "ReadOnly2"}) },
				),
			},
		},
	})
}
