package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/acctest"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// AWS roles of examples/jitsudo-local/roles.json the tests use.
const (
	awsRoleTestProdAdminARN     = "arn:aws:iam::123456789012:role/Admin"
	awsRoleTestStagingAdminARN  = "arn:aws:iam::210987654321:role/Admin"
	awsRoleTestProdReadOnlyARN  = "arn:aws:iam::123456789012:role/ReadOnly"
	awsRoleTestProdDeployerARN  = "arn:aws:iam::123456789012:role/ci/Deployer"
	awsRoleTestBreakGlassARN    = "arn:aws:iam::123456789012:role/BreakGlass"
	awsRoleTestProdSourceID     = "0b6f3a52-8f57-4c1e-9d1a-2f4b7c0e9a11"
	awsRoleTestStagingSourceID  = "5d2c8e7b-1a34-4f0e-b6c9-8e3d2a1f7b42"
	awsRoleTestUnknownID        = "00000000-0000-4000-8000-000000000000"
	awsRoleTestMappingAddress   = "jitsudo_aws_role_mapping.test"
	awsRoleTestMappingDataRoles = `data "jitsudo_roles" "all" {}`
)

// awsRoleTestRoleIDs returns the internal roles of srv by name.
func awsRoleTestRoleIDs(t *testing.T, srv *acctest.Server) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for r, err := range srv.Client.AllRoles(context.Background(), api.ListRolesParams{}) {
		if err != nil {
			t.Fatalf("list roles: %v", err)
		}
		ids[r.Name] = r.Id.String()
	}
	if len(ids) != 5 {
		t.Fatalf("expected the 5 roles of the example roles file, got %v", ids)
	}
	return ids
}

// awsRoleTestByARN returns the AWS role of srv with the given ARN.
func awsRoleTestByARN(t *testing.T, srv *acctest.Server, arn string) api.AwsRole {
	t.Helper()
	l, err := srv.Client.ListAwsRoles(context.Background(), api.ListAwsRolesParams{Arn: &arn})
	if err != nil {
		t.Fatalf("look up AWS role %s: %v", arn, err)
	}
	if len(l.Data) != 1 {
		t.Fatalf("expected one AWS role with ARN %s, got %d", arn, len(l.Data))
	}
	return l.Data[0]
}

// awsRoleTestSetMapping maps an AWS role out of band.
func awsRoleTestSetMapping(t *testing.T, srv *acctest.Server, awsRoleID string, roleIDs ...string) {
	t.Helper()
	if _, err := srv.Client.SetAwsRoleMapping(context.Background(), awsRoleID, roleIDs); err != nil {
		t.Fatalf("map AWS role %s out of band: %v", awsRoleID, err)
	}
}

// awsRoleTestCheckMapping checks the mapping of an AWS role on the server.
func awsRoleTestCheckMapping(srv *acctest.Server, awsRoleID string, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		l, err := srv.Client.GetAwsRoleMapping(context.Background(), awsRoleID)
		if err != nil {
			return fmt.Errorf("read the mapping of AWS role %s: %w", awsRoleID, err)
		}
		got := make([]string, len(l.Data))
		for i, ref := range l.Data {
			got[i] = ref.Id.String()
		}
		slices.Sort(got)
		want = slices.Sorted(slices.Values(want))
		if !slices.Equal(got, want) {
			return fmt.Errorf("AWS role %s maps roles %v on the server, want %v", awsRoleID, got, want)
		}
		return nil
	}
}

// awsRoleTestCheckNoMappings is a CheckDestroy: no AWS role maps any role
// any more, except those listed in keep (AWS role id -> its role ids).
func awsRoleTestCheckNoMappings(srv *acctest.Server, keep map[string][]string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for role, err := range srv.Client.AllAwsRoles(context.Background(), api.ListAwsRolesParams{}) {
			if err != nil {
				return fmt.Errorf("list AWS roles: %w", err)
			}
			want := keep[role.Id.String()]
			if err := awsRoleTestCheckMapping(srv, role.Id.String(), want...)(s); err != nil {
				return fmt.Errorf("after destroy: %w", err)
			}
		}
		return nil
	}
}

// awsRoleTestSetChecks is a knownvalue check of a set of strings.
func awsRoleTestSetChecks(values ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.SetExact(checks)
}

// awsRoleTestMappingConfig maps the AWS role with the given ARN to the
// named roles, looked up through the jitsudo_roles data source.
func awsRoleTestMappingConfig(srv *acctest.Server, arn string, roleNames ...string) string {
	refs := make([]string, len(roleNames))
	for i, n := range roleNames {
		refs[i] = fmt.Sprintf("data.jitsudo_roles.all.ids_by_name[%q]", n)
	}
	return srv.Config(fmt.Sprintf(`
%s

data "jitsudo_aws_role" "target" {
  arn = %q
}

resource "jitsudo_aws_role_mapping" "test" {
  aws_role_id = data.jitsudo_aws_role.target.id
  role_ids    = [%s]
}
`, awsRoleTestMappingDataRoles, arn, strings.Join(refs, ", ")))
}

// awsRoleTestRoleIDsChange is a plan check that the planned change of
// role_ids of address goes from exactly before to exactly after, so a test
// shows which role ids a plan adds and removes.
type awsRoleTestRoleIDsChange struct {
	address       string
	before, after []string
}

var _ plancheck.PlanCheck = awsRoleTestRoleIDsChange{}

func (c awsRoleTestRoleIDsChange) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.address || rc.Change == nil {
			continue
		}
		before, err := awsRoleTestStrings(rc.Change.Before, "role_ids")
		if err != nil {
			resp.Error = fmt.Errorf("%s: before: %w", c.address, err)
			return
		}
		after, err := awsRoleTestStrings(rc.Change.After, "role_ids")
		if err != nil {
			resp.Error = fmt.Errorf("%s: after: %w", c.address, err)
			return
		}
		wantBefore, wantAfter := slices.Sorted(slices.Values(c.before)), slices.Sorted(slices.Values(c.after))
		if !slices.Equal(before, wantBefore) || !slices.Equal(after, wantAfter) {
			resp.Error = fmt.Errorf("%s: role_ids planned to change from %v to %v, want from %v to %v",
				c.address, before, after, wantBefore, wantAfter)
		}
		return
	}
	resp.Error = fmt.Errorf("%s: no change planned", c.address)
}

// awsRoleTestStrings is the sorted list of strings at attribute of a plan
// value (the JSON of `terraform show -json`).
func awsRoleTestStrings(value any, attribute string) ([]string, error) {
	v, err := awsRoleTestAttribute(value, attribute)
	if err != nil {
		return nil, err
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s is %T, not a list of known values", attribute, v)
	}
	out := make([]string, len(list))
	for i, v := range list {
		if out[i], ok = v.(string); !ok {
			return nil, fmt.Errorf("%s[%d] is %T, not a string", attribute, i, v)
		}
	}
	slices.Sort(out)
	return out, nil
}

func TestAccAwsRoleMapping_basic(t *testing.T) {
	srv := acctest.NewServer(t)
	roles := awsRoleTestRoleIDs(t, srv)
	admin := awsRoleTestByARN(t, srv, awsRoleTestProdAdminARN).Id.String()
	stagingAdmin := awsRoleTestByARN(t, srv, awsRoleTestStagingAdminARN).Id.String()
	sre, dev, aud, sec := roles["sre"], roles["developer"], roles["auditor"], roles["security-admin"]

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             awsRoleTestCheckNoMappings(srv, nil),
		Steps: []resource.TestStep{
			{
				Config: awsRoleTestMappingConfig(srv, awsRoleTestProdAdminARN, "sre", "developer"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(awsRoleTestMappingAddress, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("role_ids"), awsRoleTestSetChecks(sre, dev)),
					plancheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("roles"), knownvalue.MapExact(map[string]knownvalue.Check{
						sre: knownvalue.StringExact("sre"),
						dev: knownvalue.StringExact("developer"),
					})),
					plancheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("arn"), knownvalue.StringExact(awsRoleTestProdAdminARN)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("aws_role_id"), knownvalue.StringExact(admin)),
					statecheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("role_ids"), awsRoleTestSetChecks(sre, dev)),
					statecheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("arn"), knownvalue.StringExact(awsRoleTestProdAdminARN)),
					statecheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("name"), knownvalue.StringExact("Admin")),
					statecheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("roles"), knownvalue.MapExact(map[string]knownvalue.Check{
						sre: knownvalue.StringExact("sre"),
						dev: knownvalue.StringExact("developer"),
					})),
				},
				Check: awsRoleTestCheckMapping(srv, admin, sre, dev),
			},
			{
				// Replace developer, add a third role.
				Config: awsRoleTestMappingConfig(srv, awsRoleTestProdAdminARN, "sre", "auditor", "security-admin"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(awsRoleTestMappingAddress, plancheck.ResourceActionUpdate),
					awsRoleTestRoleIDsChange{address: awsRoleTestMappingAddress, before: []string{sre, dev}, after: []string{sre, aud, sec}},
					awsRoleTestRoleNamesChange{address: awsRoleTestMappingAddress, added: []string{"auditor", "security-admin"}, removed: []string{"developer"}},
					plancheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("arn"), knownvalue.StringExact(awsRoleTestProdAdminARN)),
					plancheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("name"), knownvalue.StringExact("Admin")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("role_ids"), awsRoleTestSetChecks(sre, aud, sec)),
					statecheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("roles"), knownvalue.MapExact(map[string]knownvalue.Check{
						sre: knownvalue.StringExact("sre"),
						aud: knownvalue.StringExact("auditor"),
						sec: knownvalue.StringExact("security-admin"),
					})),
				},
				Check: awsRoleTestCheckMapping(srv, admin, sre, aud, sec),
			},
			{
				ResourceName:                         awsRoleTestMappingAddress,
				ImportState:                          true,
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "aws_role_id",
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					rs, ok := s.RootModule().Resources[awsRoleTestMappingAddress]
					if !ok {
						return "", fmt.Errorf("%s not in state", awsRoleTestMappingAddress)
					}
					return rs.Primary.Attributes["aws_role_id"], nil
				},
			},
			{
				// An id typed in upper case imports the same mapping.
				ResourceName:                         awsRoleTestMappingAddress,
				ImportState:                          true,
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "aws_role_id",
				ImportStateId:                        strings.ToUpper(admin),
			},
			{
				ResourceName:  awsRoleTestMappingAddress,
				ImportState:   true,
				ImportStateId: "Admin",
				ExpectError:   regexp.MustCompile(`Invalid Import ID`),
			},
			{
				// An empty set maps nothing, explicitly.
				Config: awsRoleTestMappingConfig(srv, awsRoleTestProdAdminARN),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(awsRoleTestMappingAddress, plancheck.ResourceActionUpdate),
					awsRoleTestRoleIDsChange{address: awsRoleTestMappingAddress, before: []string{sre, aud, sec}, after: []string{}},
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("role_ids"), knownvalue.SetExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("roles"), knownvalue.MapExact(map[string]knownvalue.Check{})),
				},
				Check: awsRoleTestCheckMapping(srv, admin),
			},
			{
				// Another AWS role replaces the resource: the new one is mapped,
				// the old one stays cleared.
				Config: awsRoleTestMappingConfig(srv, awsRoleTestStagingAdminARN, "developer"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(awsRoleTestMappingAddress, plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("arn"), knownvalue.StringExact(awsRoleTestStagingAdminARN)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("aws_role_id"), knownvalue.StringExact(stagingAdmin)),
					statecheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("arn"), knownvalue.StringExact(awsRoleTestStagingAdminARN)),
					statecheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("role_ids"), awsRoleTestSetChecks(dev)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					awsRoleTestCheckMapping(srv, stagingAdmin, dev),
					awsRoleTestCheckMapping(srv, admin),
				),
			},
		},
	})
}

func TestAccAwsRoleMapping_disappears(t *testing.T) {
	srv := acctest.NewServer(t)
	roles := awsRoleTestRoleIDs(t, srv)
	admin := awsRoleTestByARN(t, srv, awsRoleTestProdAdminARN).Id.String()
	sre, dev := roles["sre"], roles["developer"]
	config := awsRoleTestMappingConfig(srv, awsRoleTestProdAdminARN, "sre", "developer")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             awsRoleTestCheckNoMappings(srv, nil),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check:  awsRoleTestCheckMapping(srv, admin, sre, dev),
			},
			{
				// The mapping is cleared outside Terraform.
				PreConfig: func() { awsRoleTestSetMapping(t, srv, admin) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectNonEmptyPlan(),
					plancheck.ExpectResourceAction(awsRoleTestMappingAddress, plancheck.ResourceActionUpdate),
					awsRoleTestRoleIDsChange{address: awsRoleTestMappingAddress, before: []string{}, after: []string{sre, dev}},
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("role_ids"), awsRoleTestSetChecks(sre, dev)),
				},
				Check: awsRoleTestCheckMapping(srv, admin, sre, dev),
			},
		},
	})
}

func TestAccAwsRoleMapping_drift(t *testing.T) {
	srv := acctest.NewServer(t)
	roles := awsRoleTestRoleIDs(t, srv)
	admin := awsRoleTestByARN(t, srv, awsRoleTestProdAdminARN).Id.String()
	sre, dev, aud := roles["sre"], roles["developer"], roles["auditor"]
	config := awsRoleTestMappingConfig(srv, awsRoleTestProdAdminARN, "sre", "developer")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             awsRoleTestCheckNoMappings(srv, nil),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check:  awsRoleTestCheckMapping(srv, admin, sre, dev),
			},
			{
				// By hand: auditor added, developer removed.
				PreConfig: func() { awsRoleTestSetMapping(t, srv, admin, sre, aud) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(awsRoleTestMappingAddress, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("role_ids"), awsRoleTestSetChecks(sre, dev)),
					awsRoleTestRoleIDsChange{address: awsRoleTestMappingAddress, before: []string{sre, aud}, after: []string{sre, dev}},
					awsRoleTestRoleNamesChange{address: awsRoleTestMappingAddress, added: []string{"developer"}, removed: []string{"auditor"}},
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("roles"), knownvalue.MapExact(map[string]knownvalue.Check{
						sre: knownvalue.StringExact("sre"),
						dev: knownvalue.StringExact("developer"),
					})),
				},
				Check: awsRoleTestCheckMapping(srv, admin, sre, dev),
			},
		},
	})
}

func TestAccAwsRoleMapping_unknownRole(t *testing.T) {
	srv := acctest.NewServer(t)
	roles := awsRoleTestRoleIDs(t, srv)
	admin := awsRoleTestByARN(t, srv, awsRoleTestProdAdminARN).Id.String()

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             awsRoleTestCheckNoMappings(srv, nil),
		Steps: []resource.TestStep{
			{
				// A well-formed UUID that is no role, second in the body.
				Config: srv.Config(fmt.Sprintf(`
resource "jitsudo_aws_role_mapping" "test" {
  aws_role_id = %q
  role_ids    = [%q, %q]
}
`, admin, roles["sre"], awsRoleTestUnknownID)),
				// Rejected by the plan, on role_ids.
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Unknown Role.*role_ids.*role_ids\s+contains\s+"` + awsRoleTestUnknownID + `",\s+which\s+is\s+not\s+an\s+internal\s+role`),
			},
			{
				// The failed write changed nothing; a valid one succeeds.
				PreConfig: func() {
					if err := awsRoleTestCheckMapping(srv, admin)(nil); err != nil {
						t.Errorf("a rejected mapping must change nothing: %v", err)
					}
				},
				Config: srv.Config(fmt.Sprintf(`
resource "jitsudo_aws_role_mapping" "test" {
  aws_role_id = %q
  role_ids    = [%q]
}
`, admin, roles["sre"])),
				Check: awsRoleTestCheckMapping(srv, admin, roles["sre"]),
			},
			{
				// Updating to an unknown role fails the same way and keeps the mapping.
				Config: srv.Config(fmt.Sprintf(`
resource "jitsudo_aws_role_mapping" "test" {
  aws_role_id = %q
  role_ids    = [%q]
}
`, admin, awsRoleTestUnknownID)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Unknown Role.*role_ids.*role_ids\s+contains\s+"` + awsRoleTestUnknownID + `",\s+which\s+is\s+not\s+an\s+internal\s+role`),
			},
			{
				PreConfig: func() {
					if err := awsRoleTestCheckMapping(srv, admin, roles["sre"])(nil); err != nil {
						t.Errorf("a rejected mapping must change nothing: %v", err)
					}
				},
				// An AWS role id that names no AWS role, rejected by the plan.
				PlanOnly: true,
				Config: srv.Config(fmt.Sprintf(`
resource "jitsudo_aws_role_mapping" "other" {
  aws_role_id = %q
  role_ids    = []
}
`, awsRoleTestUnknownID)),
				ExpectError: regexp.MustCompile(`(?s)aws_role_id.*No AWS role has the id\s+"` + awsRoleTestUnknownID + `"`),
			},
		},
	})
}

func TestAccAwsRoleMapping_invalidConfig(t *testing.T) {
	srv := acctest.NewServer(t)
	const id = "6f1c2a9e-0d4b-4c3a-9e8f-1a2b3c4d5e6f"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: srv.Config(`
resource "jitsudo_aws_role_mapping" "test" {
  aws_role_id = "Admin"
  role_ids    = []
}
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid UUID.*aws_role_id`),
			},
			{
				Config: srv.Config(fmt.Sprintf(`
resource "jitsudo_aws_role_mapping" "test" {
  aws_role_id = %q
  role_ids    = ["sre"]
}
`, id)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid UUID.*role_ids.*"sre" is not a UUID`),
			},
			{
				Config: srv.Config(fmt.Sprintf(`
resource "jitsudo_aws_role_mapping" "test" {
  aws_role_id = %q
  role_ids    = [%q, %q]
}
`, id, id, strings.ToUpper(id))),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Duplicate Role ID`),
			},
		},
	})
}

func TestAccAwsRoleMapping_destroy(t *testing.T) {
	srv := acctest.NewServer(t)
	roles := awsRoleTestRoleIDs(t, srv)
	admin := awsRoleTestByARN(t, srv, awsRoleTestProdAdminARN).Id.String()
	readOnly := awsRoleTestByARN(t, srv, awsRoleTestProdReadOnlyARN).Id.String()
	// A mapping Terraform does not manage must survive the destroy.
	awsRoleTestSetMapping(t, srv, readOnly, roles["auditor"])
	// A mapping made by hand before the resource exists is taken over:
	// creating the resource replaces it.
	awsRoleTestSetMapping(t, srv, admin, roles["data-analyst"], roles["sre"])

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             awsRoleTestCheckNoMappings(srv, map[string][]string{readOnly: {roles["auditor"]}}),
		Steps: []resource.TestStep{
			{
				Config: awsRoleTestMappingConfig(srv, awsRoleTestProdAdminARN, "sre", "security-admin"),
				Check:  awsRoleTestCheckMapping(srv, admin, roles["sre"], roles["security-admin"]),
			},
			{
				// Destroy explicitly, then check the server before the test ends.
				Config:  awsRoleTestMappingConfig(srv, awsRoleTestProdAdminARN, "sre", "security-admin"),
				Destroy: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					awsRoleTestCheckMapping(srv, admin),
					awsRoleTestCheckMapping(srv, readOnly, roles["auditor"]),
				),
			},
		},
	})
}

// An AWS role that vanished from AWS turns MISSING: its mapping stays, in
// state and on the server, without a diff (the provider only warns).
func TestAccAwsRoleMapping_missingAwsRole(t *testing.T) {
	srv := acctest.NewServer(t)
	roles := awsRoleTestRoleIDs(t, srv)
	breakGlass := awsRoleTestByARN(t, srv, awsRoleTestBreakGlassARN).Id.String()
	config := awsRoleTestMappingConfig(srv, awsRoleTestBreakGlassARN, "security-admin")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             awsRoleTestCheckNoMappings(srv, nil),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check:  awsRoleTestCheckMapping(srv, breakGlass, roles["security-admin"]),
			},
			{
				PreConfig: func() {
					awsRoleTestRemoveFromRolesFile(t, srv, awsRoleTestBreakGlassARN)
					refresh := true
					if _, err := srv.Client.ListAwsRoles(context.Background(), api.ListAwsRolesParams{Refresh: &refresh}); err != nil {
						t.Fatalf("rescan: %v", err)
					}
					if r := awsRoleTestByARN(t, srv, awsRoleTestBreakGlassARN); r.Status != api.AwsRoleStatusMISSING {
						t.Fatalf("BreakGlass status %s after the rescan, want MISSING", r.Status)
					}
				},
				// The data source still finds the role by ARN; the mapping has no diff.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("role_ids"), awsRoleTestSetChecks(roles["security-admin"])),
					statecheck.ExpectKnownValue("data.jitsudo_aws_role.target", tfjsonpath.New("status"), knownvalue.StringExact("MISSING")),
				},
				Check: awsRoleTestCheckMapping(srv, breakGlass, roles["security-admin"]),
			},
		},
	})
}

// A mapping changed by hand after terraform planned is not overwritten:
// the apply of the saved plan is refused with 412 and says so, and the
// mapping made by hand is still on the server.
func TestAccAwsRoleMapping_changedBetweenPlanAndApply(t *testing.T) {
	srv := acctest.NewServer(t)
	roles := awsRoleTestRoleIDs(t, srv)
	admin := awsRoleTestByARN(t, srv, awsRoleTestProdAdminARN).Id.String()
	sre, dev, aud := roles["sre"], roles["developer"], roles["auditor"]

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             awsRoleTestCheckNoMappings(srv, nil),
		Steps: []resource.TestStep{
			{
				Config: awsRoleTestMappingConfig(srv, awsRoleTestProdAdminARN, "sre"),
				Check:  awsRoleTestCheckMapping(srv, admin, sre),
			},
			{
				Config: awsRoleTestMappingConfig(srv, awsRoleTestProdAdminARN, "sre", "developer"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					acctest.BeforeApply(func(ctx context.Context) error {
						_, err := srv.Client.SetAwsRoleMapping(ctx, admin, []string{sre, aud})
						return err
					}),
				}},
				ExpectError: regexp.MustCompile(`(?s)Error Updating AWS Role Mapping.*changed\s+outside\s+Terraform\s+since\s+Terraform\s+read\s+it`),
			},
			{
				PreConfig: func() {
					if err := awsRoleTestCheckMapping(srv, admin, sre, aud)(nil); err != nil {
						t.Fatalf("the mapping made by hand was lost: %v", err)
					}
				},
				Config: awsRoleTestMappingConfig(srv, awsRoleTestProdAdminARN, "sre", "developer"),
				Check:  awsRoleTestCheckMapping(srv, admin, sre, dev),
			},
		},
	})
}

// A PUT whose response is lost is retried by the client and meets its own
// write: the 412 is not taken for someone else's change, because the
// mapping already is the planned one.
func TestAccAwsRoleMapping_retriedWriteIsNotAConflict(t *testing.T) {
	srv := acctest.NewServer(t)
	roles := awsRoleTestRoleIDs(t, srv)
	admin := awsRoleTestByARN(t, srv, awsRoleTestProdAdminARN).Id.String()
	sre, dev := roles["sre"], roles["developer"]

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             awsRoleTestCheckNoMappings(srv, nil),
		Steps: []resource.TestStep{
			{
				Config: awsRoleTestMappingConfig(srv, awsRoleTestProdAdminARN, "sre"),
				Check:  awsRoleTestCheckMapping(srv, admin, sre),
			},
			{
				PreConfig: func() {
					if err := srv.Srv.SetFaults("phase=after,count=1,methods=PUT,codes=503"); err != nil {
						t.Fatal(err)
					}
				},
				Config: awsRoleTestMappingConfig(srv, awsRoleTestProdAdminARN, "sre", "developer"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("role_ids"), awsRoleTestSetChecks(sre, dev)),
				},
				Check: resource.ComposeTestCheckFunc(
					awsRoleTestCheckMapping(srv, admin, sre, dev),
					func(*terraform.State) error {
						if n := srv.Requests(t)["PUT /v1/aws/roles/{awsRoleId}/roles"]; n != 3 {
							return fmt.Errorf("%d PUTs of the mapping, want 3: the create, the lost update and its retry", n)
						}
						return nil
					},
				),
			},
		},
	})
}

// Refresh by list: every mapping of a plan is read from one list of the
// AWS roles (one page here), never with a GET per AWS role, and an
// apply creating mappings reads that list once and sends one PUT each.
func TestAccAwsRoleMapping_refreshByList(t *testing.T) {
	srv := acctest.NewServer(t)
	roles := awsRoleTestRoleIDs(t, srv)
	var all []api.AwsRole
	for r, err := range srv.Client.AllAwsRoles(context.Background(), api.ListAwsRolesParams{}) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
	}
	var config strings.Builder
	config.WriteString(acctest.ConfigFor(srv))
	for i, r := range all {
		fmt.Fprintf(&config, `
resource "jitsudo_aws_role_mapping" "m%d" {
  aws_role_id = %q
  role_ids    = [%q]
}
`, i, r.Id.String(), roles["sre"])
	}
	var before map[string]int64
	delta := func(route string) int64 { return srv.Requests(t)[route] - before[route] }

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             awsRoleTestCheckNoMappings(srv, nil),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { before = srv.Requests(t) },
				Config:    config.String(),
				Check: func(*terraform.State) error {
					if n := delta("GET /v1/aws/roles/{awsRoleId}") + delta("GET /v1/aws/roles/{awsRoleId}/roles"); n != 0 {
						return fmt.Errorf("%d GETs of single AWS roles or mappings, want 0", n)
					}
					if n := delta("PUT /v1/aws/roles/{awsRoleId}/roles"); n != int64(len(all)) {
						return fmt.Errorf("%d PUTs for %d mappings", n, len(all))
					}
					return nil
				},
			},
			{
				PreConfig: func() { before = srv.Requests(t) },
				Config:    config.String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
					acctest.BeforeApply(func(context.Context) error {
						if n := delta("GET /v1/aws/roles"); n != 1 {
							return fmt.Errorf("the plan listed the AWS roles %d times, want 1", n)
						}
						if n := delta("GET /v1/aws/roles/{awsRoleId}"); n != 0 {
							return fmt.Errorf("the plan sent %d GETs of single AWS roles, want 0", n)
						}
						return nil
					}),
				}},
			},
		},
	})
}

// A mapping whose PUT commits but whose answer is lost to the provider is
// kept in state, and the next apply converges.
func TestAccAwsRoleMapping_createAnswerUnusable(t *testing.T) {
	srv := acctest.NewServer(t)
	roles := awsRoleTestRoleIDs(t, srv)
	admin := awsRoleTestByARN(t, srv, awsRoleTestProdAdminARN).Id.String()
	config := awsRoleTestMappingConfig(srv, awsRoleTestProdAdminARN, "sre")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             awsRoleTestCheckNoMappings(srv, nil),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { srv.BreakNextAnswer("PUT", "/v1/aws/roles/") },
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Error Creating AWS Role Mapping.*was\s+created,\s+but\s+its\s+answer\s+could\s+not\s+be\s+used`),
			},
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("role_ids"), awsRoleTestSetChecks(roles["sre"])),
				},
				Check: awsRoleTestCheckMapping(srv, admin, roles["sre"]),
			},
		},
	})
}

// awsRoleTestRoleNamesChange is a plan check that the planned change of
// roles (id -> name) of address adds exactly the roles named added and
// removes exactly those named removed: the plan a reviewer reads names the
// roles, not only their ids.
type awsRoleTestRoleNamesChange struct {
	address        string
	added, removed []string
}

var _ plancheck.PlanCheck = awsRoleTestRoleNamesChange{}

func (c awsRoleTestRoleNamesChange) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.address || rc.Change == nil {
			continue
		}
		before, err := awsRoleTestRoleNames(rc.Change.Before)
		if err != nil {
			resp.Error = fmt.Errorf("%s: before: %w", c.address, err)
			return
		}
		after, err := awsRoleTestRoleNames(rc.Change.After)
		if err != nil {
			resp.Error = fmt.Errorf("%s: after (roles must be known in the plan): %w", c.address, err)
			return
		}
		var added, removed []string
		for id, name := range after {
			if before[id] != name {
				added = append(added, name)
			}
		}
		for id, name := range before {
			if after[id] != name {
				removed = append(removed, name)
			}
		}
		slices.Sort(added)
		slices.Sort(removed)
		if !slices.Equal(added, slices.Sorted(slices.Values(c.added))) || !slices.Equal(removed, slices.Sorted(slices.Values(c.removed))) {
			resp.Error = fmt.Errorf("%s: the plan adds roles %v and removes %v, want added %v and removed %v",
				c.address, added, removed, c.added, c.removed)
		}
		return
	}
	resp.Error = fmt.Errorf("%s: no change planned", c.address)
}

// awsRoleTestRoleNames is the roles map (id -> name) of a plan value, empty
// for no value (a create's before).
func awsRoleTestRoleNames(value any) (map[string]string, error) {
	if value == nil {
		return map[string]string{}, nil
	}
	v, err := awsRoleTestAttribute(value, "roles")
	if err != nil {
		return nil, err
	}
	roles, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("roles is %T, not a map of known values", v)
	}
	out := make(map[string]string, len(roles))
	for id, v := range roles {
		name, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("roles[%q] is %T, not a string", id, v)
		}
		out[id] = name
	}
	return out, nil
}

// A mapping's plan carries the names of the roles it grants: at create and
// at every change of role_ids, with one list of the internal roles per
// plan however many mappings the plan changes, and none for a plan without
// changes.
func TestAccAwsRoleMapping_planShowsRoleNames(t *testing.T) {
	srv := acctest.NewServer(t)
	roles := awsRoleTestRoleIDs(t, srv)
	admin := awsRoleTestByARN(t, srv, awsRoleTestProdAdminARN).Id.String()
	readOnly := awsRoleTestByARN(t, srv, awsRoleTestProdReadOnlyARN).Id.String()
	sre, dev, aud, sec := roles["sre"], roles["developer"], roles["auditor"], roles["security-admin"]
	config := func(adminRoles, readOnlyRoles []string) string {
		return srv.Config(fmt.Sprintf(`
resource "jitsudo_aws_role_mapping" "test" {
  aws_role_id = %q
  role_ids    = %s
}

resource "jitsudo_aws_role_mapping" "read_only" {
  aws_role_id = %q
  role_ids    = %s
}
`, admin, awsRoleTestHCLList(adminRoles), readOnly, awsRoleTestHCLList(readOnlyRoles)))
	}
	var before map[string]int64
	oneRoleList := acctest.BeforeApply(func(context.Context) error {
		if n := srv.Requests(t)["GET /v1/roles"] - before["GET /v1/roles"]; n != 1 {
			return fmt.Errorf("the plan listed the internal roles %d times, want 1", n)
		}
		return nil
	})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             awsRoleTestCheckNoMappings(srv, nil),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { before = srv.Requests(t) },
				Config:    config([]string{sre, dev}, []string{aud}),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(awsRoleTestMappingAddress, plancheck.ResourceActionCreate),
					awsRoleTestRoleNamesChange{address: awsRoleTestMappingAddress, added: []string{"sre", "developer"}},
					awsRoleTestRoleNamesChange{address: "jitsudo_aws_role_mapping.read_only", added: []string{"auditor"}},
					plancheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("name"), knownvalue.StringExact("Admin")),
					oneRoleList,
				}},
				Check: awsRoleTestCheckMapping(srv, admin, sre, dev),
			},
			{
				// developer out, security-admin in, on both mappings at once.
				PreConfig: func() { before = srv.Requests(t) },
				Config:    config([]string{sre, sec}, []string{aud, sec}),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(awsRoleTestMappingAddress, plancheck.ResourceActionUpdate),
					awsRoleTestRoleNamesChange{address: awsRoleTestMappingAddress, added: []string{"security-admin"}, removed: []string{"developer"}},
					awsRoleTestRoleNamesChange{address: "jitsudo_aws_role_mapping.read_only", added: []string{"security-admin"}},
					plancheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("roles"), knownvalue.MapExact(map[string]knownvalue.Check{
						sre: knownvalue.StringExact("sre"),
						sec: knownvalue.StringExact("security-admin"),
					})),
					oneRoleList,
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(awsRoleTestMappingAddress, tfjsonpath.New("roles"), knownvalue.MapExact(map[string]knownvalue.Check{
						sre: knownvalue.StringExact("sre"),
						sec: knownvalue.StringExact("security-admin"),
					})),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					awsRoleTestCheckMapping(srv, admin, sre, sec),
					awsRoleTestCheckMapping(srv, readOnly, aud, sec),
				),
			},
			{
				// No change: no list of the internal roles at all.
				PreConfig: func() { before = srv.Requests(t) },
				Config:    config([]string{sre, sec}, []string{aud, sec}),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
					acctest.BeforeApply(func(context.Context) error {
						if n := srv.Requests(t)["GET /v1/roles"] - before["GET /v1/roles"]; n != 0 {
							return fmt.Errorf("a plan without changes listed the internal roles %d times, want 0", n)
						}
						return nil
					}),
				}},
			},
		},
	})
}

// awsRoleTestAttribute is attribute of a plan value (an object in the JSON
// of `terraform show -json`); an unknown value is absent (nil).
func awsRoleTestAttribute(value any, attribute string) (any, error) {
	obj, ok := value.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("value is %T, not an object", value)
	}
	return obj[attribute], nil
}

// awsRoleTestHCLList is values as an HCL list of strings.
func awsRoleTestHCLList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}
