package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/acctest"
)

func TestAccRolesDataSource(t *testing.T) {
	srv := acctest.NewServer(t)
	ids := awsRoleTestRoleIDs(t, srv)
	role := func(name, description string) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":          knownvalue.StringExact(ids[name]),
			"name":        knownvalue.StringExact(name),
			"description": knownvalue.StringExact(description),
		})
	}
	idsByName := func(names ...string) knownvalue.Check {
		m := map[string]knownvalue.Check{}
		for _, n := range names {
			m[n] = knownvalue.StringExact(ids[n])
		}
		return knownvalue.MapExact(m)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		// Error cases first: the post-test destroy runs with the last
		// step's configuration, which must therefore be valid.
		Steps: []resource.TestStep{
			{
				Config: srv.Config(`
data "jitsudo_roles" "typo" {
  name = "SRE"
}
`),
				ExpectError: regexp.MustCompile(`(?s)Role Not Found.*No internal role is named "SRE".*"auditor",\s+"data-analyst",\s+"developer",\s+"security-admin",\s+"sre"`),
			},
			{
				Config: srv.Config(`
data "jitsudo_roles" "both" {
  name       = "sre"
  name_regex = "^s"
}
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination`),
			},
			{
				Config: srv.Config(`
data "jitsudo_roles" "bad" {
  name_regex = "[a-"
}
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Regular Expression.*name_regex`),
			},
			{
				Config: srv.Config(`
data "jitsudo_roles" "all" {}

data "jitsudo_roles" "sre" {
  name = "sre"
}

data "jitsudo_roles" "regex" {
  name_regex = "^s"
}

data "jitsudo_roles" "none" {
  name_regex = "^nobody$"
}

output "sre_id" {
  value = data.jitsudo_roles.all.ids_by_name["sre"]
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.jitsudo_roles.all", tfjsonpath.New("roles"), knownvalue.ListExact([]knownvalue.Check{
						role("auditor", "Internal and external auditors: read-only evidence collection"),
						role("data-analyst", "Analysts: read access to the data lake"),
						role("developer", "Application developers: deploy and debug their services"),
						role("security-admin", "Security team: incident response and IAM administration"),
						role("sre", "Site reliability engineers: on-call operations in every account"),
					})),
					statecheck.ExpectKnownValue("data.jitsudo_roles.all", tfjsonpath.New("ids_by_name"),
						idsByName("auditor", "data-analyst", "developer", "security-admin", "sre")),
					statecheck.ExpectKnownValue("data.jitsudo_roles.sre", tfjsonpath.New("roles"), knownvalue.ListExact([]knownvalue.Check{
						role("sre", "Site reliability engineers: on-call operations in every account"),
					})),
					statecheck.ExpectKnownValue("data.jitsudo_roles.sre", tfjsonpath.New("ids_by_name"), idsByName("sre")),
					statecheck.ExpectKnownValue("data.jitsudo_roles.regex", tfjsonpath.New("ids_by_name"), idsByName("security-admin", "sre")),
					statecheck.ExpectKnownValue("data.jitsudo_roles.none", tfjsonpath.New("roles"), knownvalue.ListExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue("data.jitsudo_roles.none", tfjsonpath.New("ids_by_name"), knownvalue.MapExact(map[string]knownvalue.Check{})),
					statecheck.ExpectKnownOutputValue("sre_id", knownvalue.StringExact(ids["sre"])),
				},
			},
		},
	})
}
