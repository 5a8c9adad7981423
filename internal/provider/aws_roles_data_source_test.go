package provider_test

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/acctest"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// awsRoleTestNames checks a list of AWS role objects by their names, in order.
func awsRoleTestNames(names ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(names))
	for i, n := range names {
		checks[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact(n)})
	}
	return knownvalue.ListExact(checks)
}

// awsRoleTestObject checks every attribute of an AWS role object against
// the role as the API answers it.
func awsRoleTestObject(r api.AwsRole) knownvalue.Check {
	var description knownvalue.Check = knownvalue.Null()
	if d, err := r.Description.Get(); err == nil {
		description = knownvalue.StringExact(d)
	}
	roles := map[string]knownvalue.Check{}
	for _, ref := range r.Roles {
		roles[ref.Id.String()] = knownvalue.StringExact(ref.Name)
	}
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"id":          knownvalue.StringExact(r.Id.String()),
		"name":        knownvalue.StringExact(r.Name),
		"arn":         knownvalue.StringExact(r.Arn),
		"description": description,
		"source":      knownvalue.StringExact(r.Source.String()),
		"status":      knownvalue.StringExact(string(r.Status)),
		"updated":     knownvalue.StringExact(r.Updated.UTC().Format(time.RFC3339Nano)),
		"roles":       knownvalue.MapExact(roles),
	})
}

// awsRoleTestRemoveFromRolesFile deletes the AWS role with the given ARN
// from the server's discovery file, as if it vanished from AWS.
func awsRoleTestRemoveFromRolesFile(t *testing.T, srv *acctest.Server, arn string) {
	t.Helper()
	raw, err := os.ReadFile(srv.RolesFile)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Roles   []map[string]any `json:"roles"`
		Sources []struct {
			ID       string           `json:"id"`
			Name     string           `json:"name"`
			AwsRoles []map[string]any `json:"aws_roles"`
		} `json:"sources"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	removed := false
	for i := range file.Sources {
		file.Sources[i].AwsRoles = slices.DeleteFunc(file.Sources[i].AwsRoles, func(r map[string]any) bool {
			hit := r["arn"] == arn
			removed = removed || hit
			return hit
		})
	}
	if !removed {
		t.Fatalf("%s is not in the roles file", arn)
	}
	if raw, err = json.Marshal(file); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(srv.RolesFile, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestAccAwsRolesDataSource_filters(t *testing.T) {
	srv := acctest.NewServer(t)
	roles := awsRoleTestRoleIDs(t, srv)
	deployer := awsRoleTestByARN(t, srv, awsRoleTestProdDeployerARN)
	awsRoleTestSetMapping(t, srv, deployer.Id.String(), roles["sre"], roles["developer"])
	deployer = awsRoleTestByARN(t, srv, awsRoleTestProdDeployerARN)

	var allIDs []knownvalue.Check
	for r, err := range srv.Client.AllAwsRoles(context.Background(), api.ListAwsRolesParams{}) {
		if err != nil {
			t.Fatal(err)
		}
		allIDs = append(allIDs, knownvalue.StringExact(r.Id.String()))
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: srv.Config(`
data "jitsudo_aws_roles" "all" {}

data "jitsudo_aws_roles" "regex" {
  name_regex = "^(Read|Data)"
}

data "jitsudo_aws_roles" "arn" {
  arn = "arn:aws:iam::123456789012:role/ci/Deployer"
}

data "jitsudo_aws_roles" "staging" {
  source = "` + awsRoleTestStagingSourceID + `"
}

data "jitsudo_aws_roles" "prod_admin" {
  source     = "` + awsRoleTestProdSourceID + `"
  name_regex = "^Admin$"
}

data "jitsudo_aws_roles" "ok" {
  status = "OK"
}

data "jitsudo_aws_roles" "missing" {
  status = "MISSING"
}

data "jitsudo_aws_roles" "none" {
  name_regex = "^NoSuchRole$"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.jitsudo_aws_roles.all", tfjsonpath.New("aws_roles"), awsRoleTestNames(
						"Admin", "Admin", "BreakGlass", "DataLakeReader", "Deployer", "Developer", "ReadOnly", "ReadOnly", "SecurityAudit")),
					statecheck.ExpectKnownValue("data.jitsudo_aws_roles.all", tfjsonpath.New("ids"), knownvalue.ListExact(allIDs)),
					statecheck.ExpectKnownValue("data.jitsudo_aws_roles.regex", tfjsonpath.New("aws_roles"), awsRoleTestNames(
						"DataLakeReader", "ReadOnly", "ReadOnly")),
					statecheck.ExpectKnownValue("data.jitsudo_aws_roles.arn", tfjsonpath.New("aws_roles"), knownvalue.ListExact([]knownvalue.Check{
						awsRoleTestObject(deployer),
					})),
					statecheck.ExpectKnownValue("data.jitsudo_aws_roles.arn", tfjsonpath.New("ids"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact(deployer.Id.String()),
					})),
					statecheck.ExpectKnownValue("data.jitsudo_aws_roles.staging", tfjsonpath.New("aws_roles"), awsRoleTestNames(
						"Admin", "DataLakeReader", "Developer", "ReadOnly")),
					statecheck.ExpectKnownValue("data.jitsudo_aws_roles.prod_admin", tfjsonpath.New("aws_roles"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"arn":    knownvalue.StringExact(awsRoleTestProdAdminARN),
							"source": knownvalue.StringExact(awsRoleTestProdSourceID),
						}),
					})),
					statecheck.ExpectKnownValue("data.jitsudo_aws_roles.ok", tfjsonpath.New("ids"), knownvalue.ListSizeExact(9)),
					statecheck.ExpectKnownValue("data.jitsudo_aws_roles.missing", tfjsonpath.New("aws_roles"), knownvalue.ListExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue("data.jitsudo_aws_roles.none", tfjsonpath.New("ids"), knownvalue.ListExact([]knownvalue.Check{})),
				},
			},
			{
				Config: srv.Config(`
data "jitsudo_aws_roles" "bad" {
  name_regex = "Admin("
}
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Regular Expression.*name_regex.*missing closing \)`),
			},
			{
				Config: srv.Config(`
data "jitsudo_aws_roles" "bad" {
  status = "GONE"
}
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)status.*value must be one of`),
			},
			{
				Config: srv.Config(`
data "jitsudo_aws_roles" "bad" {
  source = "aws-prod"
}
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid UUID.*source`),
			},
			{
				// BreakGlass vanishes from AWS: without refresh the last scan
				// still lists it as OK; a refresh marks it MISSING.
				PreConfig: func() { awsRoleTestRemoveFromRolesFile(t, srv, awsRoleTestBreakGlassARN) },
				Config: srv.Config(`
data "jitsudo_aws_roles" "missing" {
  status = "MISSING"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.jitsudo_aws_roles.missing", tfjsonpath.New("aws_roles"), knownvalue.ListExact([]knownvalue.Check{})),
				},
			},
			{
				Config: srv.Config(`
data "jitsudo_aws_roles" "missing" {
  refresh = true
  status  = "MISSING"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.jitsudo_aws_roles.missing", tfjsonpath.New("aws_roles"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"arn":    knownvalue.StringExact(awsRoleTestBreakGlassARN),
							"status": knownvalue.StringExact("MISSING"),
						}),
					})),
				},
			},
		},
	})
}
