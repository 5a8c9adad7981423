package provider_test

import (
	"context"
	"encoding/json"
	"errors"
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
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
)

const (
	psTestARN1 = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1111111111111111"
	psTestARN2 = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-2222222222222222"
	psTestARN3 = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-3333333333333333"
	psTestARN4 = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-4444444444444444"
)

// psWant is what a test expects of a permission set on the server; nil
// pointers are null there.
type psWant struct {
	Name            string
	AccountID       *string
	Metadata        map[string]any
	Rank            *int
	Description     *string
	SessionDuration *string
	RelayState      *string
}

func psPtr[T any](p nullable.Nullable[T]) *T {
	v, err := p.Get()
	if err != nil {
		return nil
	}
	return &v
}

func psFmt[T any](p *T) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}

// psCheckServer checks the set arn on the server against want.
func psCheckServer(c *client.Client, arn string, want psWant) error {
	got, err := c.GetPermissionSet(context.Background(), arn)
	if err != nil {
		return fmt.Errorf("get permission set %s: %w", arn, err)
	}
	return psCompare(*got, want)
}

func psCompare(got api.PermissionSet, want psWant) error {
	if want.Metadata == nil {
		want.Metadata = map[string]any{}
	}
	var errs []error
	cmp := func(field, g, w string) {
		if g != w {
			errs = append(errs, fmt.Errorf("%s %s = %s, want %s", got.Id, field, g, w))
		}
	}
	cmp("name", got.Name, want.Name)
	cmp("account_id", psFmt(psPtr(got.AccountId)), psFmt(want.AccountID))
	cmp("rank", psFmt(psPtr(got.Rank)), psFmt(want.Rank))
	cmp("description", psFmt(psPtr(got.Description)), psFmt(want.Description))
	cmp("session_duration", psFmt(psPtr(got.SessionDuration)), psFmt(want.SessionDuration))
	cmp("relay_state", psFmt(psPtr(got.RelayState)), psFmt(want.RelayState))
	// Compare metadata as JSON values (the client decodes numbers as float64).
	wb, _ := json.Marshal(want.Metadata)
	var wm map[string]any
	_ = json.Unmarshal(wb, &wm)
	if !reflect.DeepEqual(got.Metadata, wm) {
		errs = append(errs, fmt.Errorf("%s metadata = %v, want %v", got.Id, got.Metadata, wm))
	}
	return errors.Join(errs...)
}

// psUpsert writes sets out of band.
func psUpsert(t *testing.T, c *client.Client, sets ...api.PermissionSetInput) {
	t.Helper()
	if _, err := c.UpsertPermissionSets(context.Background(), sets); err != nil {
		t.Fatalf("out-of-band upsert: %v", err)
	}
}

// psCheckDestroyed checks that none of the sets exists on the server.
func psCheckDestroyed(c *client.Client, arns ...string) error {
	for _, arn := range arns {
		_, err := c.GetPermissionSet(context.Background(), arn)
		if err == nil {
			return fmt.Errorf("permission set %s still exists", arn)
		}
		if !errors.Is(err, client.ErrNotFound) {
			return err
		}
	}
	return nil
}

// psExpectBefore is a plan check that the prior (refreshed) value of an
// attribute of a resource change is want: it shows what Terraform found
// on the server before planning to change it back.
type psExpectBefore struct {
	address string
	path    []any // map keys and attribute names
	want    any
}

func (e psExpectBefore) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != e.address {
			continue
		}
		v := rc.Change.Before
		for _, step := range e.path {
			m, ok := v.(map[string]any)
			if !ok {
				resp.Error = fmt.Errorf("%s: before value at %v is %T, not an object", e.address, step, v)
				return
			}
			v, ok = m[fmt.Sprint(step)]
			if !ok {
				resp.Error = fmt.Errorf("%s: before value has no %v (keys: %v)", e.address, step, reflect.ValueOf(m).MapKeys())
				return
			}
		}
		if !reflect.DeepEqual(v, e.want) {
			resp.Error = fmt.Errorf("%s: before value at %v = %#v, want %#v", e.address, e.path, v, e.want)
		}
		return
	}
	resp.Error = fmt.Errorf("no resource change for %s", e.address)
}

func psConfigFull(arn, name, account, metadata string, rank int, description, duration, relay string) string {
	return fmt.Sprintf(`
resource "jitsudo_permission_set" "test" {
  id               = %q
  name             = %q
  account_id       = %q
  metadata         = %s
  rank             = %d
  description      = %q
  session_duration = %q
  relay_state      = %q
}
`, arn, name, account, metadata, rank, description, duration, relay)
}

func TestAccPermissionSet_basic(t *testing.T) {
	srv := acctest.NewServer(t)
	const addr = "jitsudo_permission_set.test"
	syncedSame := statecheck.CompareValue(compare.ValuesSame())
	syncedDiffer := statecheck.CompareValue(compare.ValuesDiffer())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return psCheckDestroyed(srv.Client, psTestARN1)
		},
		Steps: []resource.TestStep{
			// Create with every attribute.
			{
				Config: srv.Config(psConfigFull(psTestARN1, "ReadOnly", "123456789012",
					`jsonencode({ team = "platform", tier = 1, big = 12345678901234567890 })`,
					1, "Read-only access", "PT8H", "https://console.aws.amazon.com/")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("last_synced_at")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(psTestARN1)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("ReadOnly")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("account_id"), knownvalue.StringExact("123456789012")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("metadata"), knownvalue.StringExact(`{"big":12345678901234567890,"team":"platform","tier":1}`)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("rank"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("Read-only access")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("session_duration"), knownvalue.StringExact("PT8H")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("relay_state"), knownvalue.StringExact("https://console.aws.amazon.com/")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_synced_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT.*Z$`))),
					syncedDiffer.AddStateValue(addr, tfjsonpath.New("last_synced_at")),
				},
				Check: func(*terraform.State) error {
					return psCheckServer(srv.Client, psTestARN1, psWant{
						Name: "ReadOnly", AccountID: new("123456789012"),
						Metadata: map[string]any{"team": "platform", "tier": 1, "big": 12345678901234567890.0},
						Rank:     new(1), Description: new("Read-only access"), SessionDuration: new("PT8H"),
						RelayState: new("https://console.aws.amazon.com/"),
					})
				},
			},
			// Update every attribute.
			{
				Config: srv.Config(psConfigFull(psTestARN1, "PowerUser", "210987654321",
					`jsonencode({ team = "data", nested = { list = [1, 2.5, "x"], flag = true } })`,
					2, "Power user access", "PT1H30M", "https://example.com/landing")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("last_synced_at")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("PowerUser")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("account_id"), knownvalue.StringExact("210987654321")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("metadata"), knownvalue.StringExact(`{"nested":{"flag":true,"list":[1,2.5,"x"]},"team":"data"}`)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("rank"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("Power user access")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("session_duration"), knownvalue.StringExact("PT1H30M")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("relay_state"), knownvalue.StringExact("https://example.com/landing")),
					syncedDiffer.AddStateValue(addr, tfjsonpath.New("last_synced_at")),
					syncedSame.AddStateValue(addr, tfjsonpath.New("last_synced_at")),
				},
				Check: func(*terraform.State) error {
					return psCheckServer(srv.Client, psTestARN1, psWant{
						Name: "PowerUser", AccountID: new("210987654321"),
						Metadata: map[string]any{"team": "data", "nested": map[string]any{"list": []any{1, 2.5, "x"}, "flag": true}},
						Rank:     new(2), Description: new("Power user access"), SessionDuration: new("PT1H30M"),
						RelayState: new("https://example.com/landing"),
					})
				},
			},
			// Import finds every attribute as the configuration has it.
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			// The same metadata written with another key order and
			// whitespace plans nothing and keeps last_synced_at.
			{
				Config: srv.Config(psConfigFull(psTestARN1, "PowerUser", "210987654321",
					`"{ \"team\": \"data\",\n \"nested\": {\"list\": [1, 2.5, \"x\"], \"flag\": true} }"`,
					2, "Power user access", "PT1H30M", "https://example.com/landing")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("metadata"), knownvalue.StringExact(`{"nested":{"flag":true,"list":[1,2.5,"x"]},"team":"data"}`)),
					syncedSame.AddStateValue(addr, tfjsonpath.New("last_synced_at")),
				},
			},
			// Removing the optional attributes clears them on the server.
			{
				Config: srv.Config(fmt.Sprintf(`
resource "jitsudo_permission_set" "test" {
  id   = %q
  name = "PowerUser"
}
`, psTestARN1)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("metadata"), knownvalue.StringExact("{}")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("account_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("metadata"), knownvalue.StringExact("{}")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("rank"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("session_duration"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("relay_state"), knownvalue.Null()),
				},
				Check: func(*terraform.State) error {
					return psCheckServer(srv.Client, psTestARN1, psWant{Name: "PowerUser"})
				},
			},
			// An explicit empty object is the same as no metadata.
			{
				Config: srv.Config(fmt.Sprintf(`
resource "jitsudo_permission_set" "test" {
  id       = %q
  name     = "PowerUser"
  metadata = jsonencode({})
}
`, psTestARN1)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

func TestAccPermissionSet_disappears(t *testing.T) {
	srv := acctest.NewServer(t)
	const addr = "jitsudo_permission_set.test"
	config := srv.Config(fmt.Sprintf(`
resource "jitsudo_permission_set" "test" {
  id               = %q
  name             = "ReadOnly"
  session_duration = "PT8H"
}
`, psTestARN1))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return psCheckDestroyed(srv.Client, psTestARN1)
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(*terraform.State) error {
					return psCheckServer(srv.Client, psTestARN1, psWant{Name: "ReadOnly", SessionDuration: new("PT8H")})
				},
			},
			{
				PreConfig: func() {
					if err := srv.Client.DeletePermissionSet(context.Background(), psTestARN1); err != nil {
						t.Fatalf("out-of-band delete: %v", err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectNonEmptyPlan(),
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				}},
				Check: func(*terraform.State) error {
					return psCheckServer(srv.Client, psTestARN1, psWant{Name: "ReadOnly", SessionDuration: new("PT8H")})
				},
			},
		},
	})
}

func TestAccPermissionSet_drift(t *testing.T) {
	srv := acctest.NewServer(t)
	const addr = "jitsudo_permission_set.test"
	config := srv.Config(fmt.Sprintf(`
resource "jitsudo_permission_set" "test" {
  id               = %q
  name             = "ReadOnly"
  metadata         = jsonencode({ team = "platform" })
  session_duration = "PT8H"
}
`, psTestARN1))
	want := psWant{Name: "ReadOnly", Metadata: map[string]any{"team": "platform"}, SessionDuration: new("PT8H")}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return psCheckDestroyed(srv.Client, psTestARN1)
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				Check:  func(*terraform.State) error { return psCheckServer(srv.Client, psTestARN1, want) },
			},
			{
				PreConfig: func() {
					psUpsert(t, srv.Client, api.PermissionSetInput{
						Id: psTestARN1, Name: "ReadOnly",
						Metadata:        &map[string]any{"team": "rogue", "extra": true},
						SessionDuration: nullable.NewNullableWithValue("PT12H"),
					})
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectNonEmptyPlan(),
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					psExpectBefore{address: addr, path: []any{"session_duration"}, want: "PT12H"},
					psExpectBefore{address: addr, path: []any{"metadata"}, want: `{"extra":true,"team":"rogue"}`},
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("session_duration"), knownvalue.StringExact("PT8H")),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("metadata"), knownvalue.StringExact(`{"team":"platform"}`)),
				}},
				Check: func(*terraform.State) error { return psCheckServer(srv.Client, psTestARN1, want) },
			},
		},
	})
}

func TestAccPermissionSet_alreadyExists(t *testing.T) {
	srv := acctest.NewServer(t)
	const addr = "jitsudo_permission_set.test"
	existing := api.PermissionSetInput{Id: psTestARN1, Name: "FromSync", SessionDuration: nullable.NewNullableWithValue("PT2H")}
	var synced string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return psCheckDestroyed(srv.Client, psTestARN1)
		},
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					psUpsert(t, srv.Client, existing)
					ps, err := srv.Client.GetPermissionSet(context.Background(), psTestARN1)
					if err != nil {
						t.Fatal(err)
					}
					synced = ps.LastSyncedAt.String()
				},
				Config: srv.Config(fmt.Sprintf(`
resource "jitsudo_permission_set" "test" {
  id   = %q
  name = "FromTerraform"
}
`, psTestARN1)),
				ExpectError: regexp.MustCompile(`(?s)Permission Set Already Exists.*already in the JITSudo cache.*terraform import`),
			},
			// The failed create changed nothing; importing with an import
			// block, as suggested, adopts the set as it is.
			{
				PreConfig: func() {
					ps, err := srv.Client.GetPermissionSet(context.Background(), psTestARN1)
					if err != nil {
						t.Fatal(err)
					}
					if err := psCompare(*ps, psWant{Name: "FromSync", SessionDuration: new("PT2H")}); err != nil {
						t.Errorf("the failed create changed the set: %v", err)
					}
					if ps.LastSyncedAt.String() != synced {
						t.Errorf("last_synced_at = %s, want %s: the failed create wrote the set", ps.LastSyncedAt, synced)
					}
				},
				Config: srv.Config(fmt.Sprintf(`
import {
  to = jitsudo_permission_set.test
  id = %q
}

resource "jitsudo_permission_set" "test" {
  id               = %q
  name             = "FromSync"
  session_duration = "PT2H"
}
`, psTestARN1, psTestARN1)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("FromSync")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("metadata"), knownvalue.StringExact("{}")),
				},
			},
		},
	})
}

func TestAccPermissionSet_invalid(t *testing.T) {
	srv := acctest.NewServer(t)
	config := func(attrs string) string {
		return srv.Config(`
resource "jitsudo_permission_set" "test" {
` + attrs + `
}
`)
	}
	valid := fmt.Sprintf("  id   = %q\n  name = \"ReadOnly\"\n", psTestARN1)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config("  id   = \"arn:aws:iam::123456789012:role/x\"\n  name = \"ReadOnly\""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Permission Set ARN.*id: .*not a permission set ARN`),
			},
			{
				Config:      config(valid + `  session_duration = "8 hours"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid ISO 8601 Duration.*session_duration: "8 hours" is not a valid ISO 8601 duration`),
			},
			{
				Config:      config(valid + `  account_id = "1234-5678-9012"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid AWS Account ID.*account_id: "1234-5678-9012" is not an AWS account ID`),
			},
			{
				Config:      config(valid + `  metadata = jsonencode(["team", "platform"])`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Permission Set Metadata.*metadata must be a JSON object.*got an array`),
			},
			{
				Config:      config(valid + `  metadata = "{not json"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid JSON String Value`),
			},
			{
				Config:      config(valid + `  relay_state = "` + strings.Repeat("x", 241) + `"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)relay_state.*string length must be at most 240`),
			},
		},
	})
}

// psHookProxy stands between the provider and srv and calls hook before
// forwarding each request; a hook that returns true has answered the
// request itself. It returns the provider block pointing at the proxy.
func psHookProxy(t *testing.T, srv *acctest.Server, hook func(w http.ResponseWriter, r *http.Request) bool) string {
	t.Helper()
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hook(w, r) {
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return srv.ProviderConfigAt(ts.URL)
}

// psInternalError answers 500, which the client does not retry.
func psInternalError(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte(`{"code":"internal","message":"injected failure of the read-back"}`))
}

// psSetFaults returns a PreConfig that sets the server's fault injection.
func psSetFaults(t *testing.T, srv *acctest.Server, spec string) func() {
	return func() {
		if err := srv.Srv.SetFaults(spec); err != nil {
			t.Fatalf("faults %q: %v", spec, err)
		}
	}
}

// A set changed outside Terraform between the refresh and the write is
// never overwritten: the update and the delete fail with 412 and say so.
func TestAccPermissionSet_changedOutside(t *testing.T) {
	srv := acctest.NewServer(t)
	var armed atomic.Bool
	rogue := api.PermissionSetInput{Id: psTestARN1, Name: "Rogue"}
	provider := psHookProxy(t, srv, func(_ http.ResponseWriter, r *http.Request) bool {
		if (r.Method == http.MethodPut || r.Method == http.MethodDelete) && armed.CompareAndSwap(true, false) {
			psUpsert(t, srv.Client, rogue) // just before the provider's write
		}
		return false
	})
	config := func(name string) string {
		return provider + fmt.Sprintf(`
resource "jitsudo_permission_set" "test" {
  id   = %q
  name = %q
}
`, psTestARN1, name)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return psCheckDestroyed(srv.Client, psTestARN1)
		},
		Steps: []resource.TestStep{
			{Config: config("ReadOnly")},
			{
				PreConfig:   func() { armed.Store(true) },
				Config:      config("ReadOnly2"),
				ExpectError: psErrorRE(`(?s)Error Updating Permission Set.*` + regexp.QuoteMeta(psTestARN1) + `.*changed outside Terraform.*terraform plan again`),
			},
			// The change made outside was kept; the next apply sees it and
			// replaces it knowingly.
			{
				PreConfig: func() {
					if err := psCheckServer(srv.Client, psTestARN1, psWant{Name: "Rogue"}); err != nil {
						t.Errorf("the refused update overwrote the change: %v", err)
					}
				},
				Config: config("ReadOnly2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					psExpectBefore{address: "jitsudo_permission_set.test", path: []any{"name"}, want: "Rogue"},
				}},
				Check: func(*terraform.State) error { return psCheckServer(srv.Client, psTestARN1, psWant{Name: "ReadOnly2"}) },
			},
			// Removing the resource while someone changes the set.
			{
				PreConfig:   func() { armed.Store(true) },
				Config:      provider,
				ExpectError: psErrorRE(`(?s)Error Deleting Permission Set.*` + regexp.QuoteMeta(psTestARN1) + `.*changed outside Terraform`),
			},
			{
				PreConfig: func() {
					if err := psCheckServer(srv.Client, psTestARN1, psWant{Name: "Rogue"}); err != nil {
						t.Errorf("the refused delete deleted the set: %v", err)
					}
				},
				Config: provider,
			},
		},
	})
}

// A write whose response is lost (jitsudo-local -faults phase=after) is
// retried by the client; the retry's 412 is recognised as the provider's
// own write, not someone else's.
func TestAccPermissionSet_lostResponse(t *testing.T) {
	srv := acctest.NewServer(t)
	counter := &psCounter{srv: srv}
	config := func(name string) string {
		return srv.Config(fmt.Sprintf(`
resource "jitsudo_permission_set" "test" {
  id   = %q
  name = %q
}
`, psTestARN1, name))
	}
	lose := func() {
		psSetFaults(t, srv, "phase=after,codes=503,methods=PUT,count=1")()
		counter.Start(t)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return psCheckDestroyed(srv.Client, psTestARN1)
		},
		Steps: []resource.TestStep{
			{
				PreConfig: lose,
				Config:    config("ReadOnly"),
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error { return counter.Expect(t, map[string]int64{psRouteUpsert: 2}) },
					func(*terraform.State) error { return psCheckServer(srv.Client, psTestARN1, psWant{Name: "ReadOnly"}) },
				),
			},
			{
				PreConfig: lose,
				Config:    config("ReadOnly2"),
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error { return counter.Expect(t, map[string]int64{psRouteUpsert: 2}) },
					func(*terraform.State) error { return psCheckServer(srv.Client, psTestARN1, psWant{Name: "ReadOnly2"}) },
				),
			},
		},
	})
}

// A write that commits but whose read-back fails is kept in state: the
// next apply converges, without creating the set twice or losing it.
func TestAccPermissionSet_readBackFails(t *testing.T) {
	srv := acctest.NewServer(t)
	const addr = "jitsudo_permission_set.test"
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
	config := func(name string) string {
		return provider + fmt.Sprintf(`
resource "jitsudo_permission_set" "test" {
  id               = %q
  name             = %q
  session_duration = "PT8H"
}
`, psTestARN1, name)
	}
	arm := func() { afterPut.Store(false); failNextGet.Store(true) }

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return psCheckDestroyed(srv.Client, psTestARN1)
		},
		Steps: []resource.TestStep{
			// The create is applied, its read-back fails: an error, and
			// the set in state (tainted).
			{
				PreConfig:   arm,
				Config:      config("ReadOnly"),
				ExpectError: psErrorRE(`(?s)Error Creating Permission Set.*Reading permission set.*after writing it.*injected failure`),
			},
			// The next apply replaces the tainted set: a delete and a
			// create, no "already exists".
			{
				Config: config("ReadOnly"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_synced_at"), knownvalue.NotNull()),
				},
				Check: func(*terraform.State) error {
					return psCheckServer(srv.Client, psTestARN1, psWant{Name: "ReadOnly", SessionDuration: new("PT8H")})
				},
			},
			// The same for an update: state keeps the new values, and the
			// next plan is empty.
			{
				PreConfig:   arm,
				Config:      config("ReadOnly2"),
				ExpectError: psErrorRE(`(?s)Error Updating Permission Set.*Reading permission set.*after writing it.*injected failure`),
			},
			{
				Config: config("ReadOnly2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_synced_at"), knownvalue.NotNull()),
				},
				Check: func(*terraform.State) error {
					return psCheckServer(srv.Client, psTestARN1, psWant{Name: "ReadOnly2", SessionDuration: new("PT8H")})
				},
			},
		},
	})
}

// Any number of jitsudo_permission_set resources refresh with one walk of
// the list, without a GET per set.
func TestAccPermissionSet_refreshByList(t *testing.T) {
	srv := acctest.NewServer(t)
	counter := &psCounter{srv: srv}
	var config strings.Builder
	for i, arn := range []string{psTestARN1, psTestARN2, psTestARN3, psTestARN4} {
		fmt.Fprintf(&config, "resource \"jitsudo_permission_set\" \"s%d\" {\n  id   = %q\n  name = \"Set%d\"\n}\n", i, arn, i)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return psCheckDestroyed(srv.Client, psTestARN1, psTestARN2, psTestARN3, psTestARN4)
		},
		Steps: []resource.TestStep{
			{Config: srv.Config(config.String())},
			{
				PreConfig: func() { counter.Start(t) },
				Config:    srv.Config(config.String()),
				PlanOnly:  true,
			},
			{
				PreConfig: func() {
					now := srv.Requests(t)
					if got := now[psRouteGet] - counter.before[psRouteGet]; got != 0 {
						t.Errorf("refresh of 4 sets: %d GETs of single sets, want none", got)
					}
					if got := now[psRouteList] - counter.before[psRouteList]; got == 0 {
						t.Errorf("refresh of 4 sets: no list request")
					}
				},
				Config:   srv.Config(config.String()),
				PlanOnly: true,
			},
		},
	})
}

// psErrorRE compiles an error pattern in which each space matches any
// white space: terraform wraps the lines of diagnostics.
func psErrorRE(pattern string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(pattern, " ", `\s+`))
}
