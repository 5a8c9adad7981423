package provider_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/acctest"
)

func TestAccAwsRoleDataSource_byIDArnName(t *testing.T) {
	srv := acctest.NewServer(t)
	roles := awsRoleTestRoleIDs(t, srv)
	deployer := awsRoleTestByARN(t, srv, awsRoleTestProdDeployerARN)
	awsRoleTestSetMapping(t, srv, deployer.Id.String(), roles["sre"])
	deployer = awsRoleTestByARN(t, srv, awsRoleTestProdDeployerARN)
	whole := awsRoleTestObject(deployer)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		// Error cases first: the post-test destroy runs with the last
		// step's configuration, which must therefore be valid.
		Steps: []resource.TestStep{
			{
				// "Admin" exists in both sources.
				Config: srv.Config(`
data "jitsudo_aws_role" "admin" {
  name = "Admin"
}
`),
				ExpectError: regexp.MustCompile(`(?s)Ambiguous AWS Role Name.*2 AWS roles are named "Admin".*` +
					regexp.QuoteMeta(awsRoleTestProdAdminARN) + `.*` + regexp.QuoteMeta(awsRoleTestStagingAdminARN) + `.*by arn`),
			},
			{
				Config: srv.Config(`
data "jitsudo_aws_role" "nope" {
  name = "NoSuchRole"
}
`),
				ExpectError: regexp.MustCompile(`(?s)AWS Role Not Found.*name\s+"NoSuchRole"`),
			},
			{
				Config: srv.Config(`
data "jitsudo_aws_role" "nope" {
  arn = "arn:aws:iam::123456789012:role/NoSuchRole"
}
`),
				ExpectError: regexp.MustCompile(`(?s)AWS Role Not Found.*arn\s+"arn:aws:iam::123456789012:role/NoSuchRole"`),
			},
			{
				Config: srv.Config(`
data "jitsudo_aws_role" "nope" {
  id = "` + awsRoleTestUnknownID + `"
}
`),
				ExpectError: regexp.MustCompile(`(?s)AWS Role Not Found.*` + awsRoleTestUnknownID),
			},
			{
				Config: srv.Config(`
data "jitsudo_aws_role" "two_keys" {
  name = "Deployer"
  arn  = "` + awsRoleTestProdDeployerARN + `"
}
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*Exactly one of these attributes must be configured`),
			},
			{
				Config: srv.Config(`
data "jitsudo_aws_role" "no_key" {}
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Missing Attribute Configuration.*Exactly one of these attributes must be configured`),
			},
			{
				Config: srv.Config(`
data "jitsudo_aws_role" "bad_id" {
  id = "Deployer"
}
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid UUID.*"Deployer" is not a UUID`),
			},
			{
				Config: srv.Config(`
data "jitsudo_aws_role" "by_id" {
  id = "` + deployer.Id.String() + `"
}

data "jitsudo_aws_role" "by_id_upper" {
  id = "` + strings.ToUpper(deployer.Id.String()) + `"
}

data "jitsudo_aws_role" "by_arn" {
  arn = "` + awsRoleTestProdDeployerARN + `"
}

data "jitsudo_aws_role" "by_name" {
  name = "Deployer"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.jitsudo_aws_role.by_id", tfjsonpath.New("arn"), knownvalue.StringExact(awsRoleTestProdDeployerARN)),
					statecheck.ExpectKnownValue("data.jitsudo_aws_role.by_id", tfjsonpath.New("name"), knownvalue.StringExact("Deployer")),
					statecheck.ExpectKnownValue("data.jitsudo_aws_role.by_id", tfjsonpath.New("description"), knownvalue.StringExact("Deploys services through the pipeline")),
					statecheck.ExpectKnownValue("data.jitsudo_aws_role.by_id", tfjsonpath.New("source"), knownvalue.StringExact(awsRoleTestProdSourceID)),
					statecheck.ExpectKnownValue("data.jitsudo_aws_role.by_id", tfjsonpath.New("status"), knownvalue.StringExact("OK")),
					statecheck.ExpectKnownValue("data.jitsudo_aws_role.by_id", tfjsonpath.New("roles"), knownvalue.MapExact(map[string]knownvalue.Check{
						roles["sre"]: knownvalue.StringExact("sre"),
					})),
					// The id stays as written; everything else is the same role.
					statecheck.ExpectKnownValue("data.jitsudo_aws_role.by_id_upper", tfjsonpath.New("id"), knownvalue.StringExact(strings.ToUpper(deployer.Id.String()))),
					statecheck.ExpectKnownValue("data.jitsudo_aws_role.by_id_upper", tfjsonpath.New("arn"), knownvalue.StringExact(awsRoleTestProdDeployerARN)),
					statecheck.ExpectKnownValue("data.jitsudo_aws_role.by_arn", tfjsonpath.New("id"), knownvalue.StringExact(deployer.Id.String())),
					// Whole objects, compared with what the API answers.
					statecheck.ExpectKnownValue("data.jitsudo_aws_role.by_id", tfjsonpath.Path{}, whole),
					statecheck.ExpectKnownValue("data.jitsudo_aws_role.by_arn", tfjsonpath.Path{}, whole),
					statecheck.ExpectKnownValue("data.jitsudo_aws_role.by_name", tfjsonpath.Path{}, whole),
				},
			},
		},
	})
}
