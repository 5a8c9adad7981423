package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/acctest"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

func TestAccPermissionSetsDataSource_filters(t *testing.T) {
	srv := acctest.NewServer(t)
	const addr = "data.jitsudo_permission_sets.test"
	// Written out of band, in an order other than by ARN.
	psUpsert(t, srv.Client,
		api.PermissionSetInput{Id: psTestARN4, Name: "Billing"},
		api.PermissionSetInput{
			Id: psTestARN1, Name: "ReadOnly", AccountId: nullable.NewNullableWithValue("123456789012"),
			Metadata: &map[string]any{"team": "platform", "tier": 1}, Rank: nullable.NewNullableWithValue(3),
			Description: nullable.NewNullableWithValue("Read-only access"), SessionDuration: nullable.NewNullableWithValue("PT8H"),
			RelayState: nullable.NewNullableWithValue("https://console.aws.amazon.com/"),
		},
		api.PermissionSetInput{Id: psTestARN3, Name: "DataReadOnly", AccountId: nullable.NewNullableWithValue("123456789012")},
		api.PermissionSetInput{Id: psTestARN2, Name: "Admin", AccountId: nullable.NewNullableWithValue("210987654321")},
	)
	ids := func(arns ...string) knownvalue.Check {
		checks := make([]knownvalue.Check, len(arns))
		for i, arn := range arns {
			checks[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(arn)})
		}
		return knownvalue.ListExact(checks)
	}
	config := func(args string) string {
		return srv.Config(`
data "jitsudo_permission_sets" "test" {
` + args + `
}
`)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			// Invalid filters fail at validation (first: the destroy at the
			// end uses the last configuration).
			{
				Config:      config(`  name_regex = "(Read"`),
				ExpectError: regexp.MustCompile(`(?s)Invalid Regular Expression.*name_regex: .*missing closing \)`),
			},
			{
				Config:      config(`  account_id = "12345"`),
				ExpectError: regexp.MustCompile(`(?s)Invalid AWS Account ID.*account_id: "12345" is not an AWS account ID`),
			},
			// No filter: every set, sorted by ARN, with every attribute.
			{
				Config: config(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("permission_sets"), ids(psTestARN1, psTestARN2, psTestARN3, psTestARN4)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("permission_sets").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":               knownvalue.StringExact(psTestARN1),
						"name":             knownvalue.StringExact("ReadOnly"),
						"account_id":       knownvalue.StringExact("123456789012"),
						"metadata":         knownvalue.StringExact(`{"team":"platform","tier":1}`),
						"rank":             knownvalue.Int64Exact(3),
						"description":      knownvalue.StringExact("Read-only access"),
						"session_duration": knownvalue.StringExact("PT8H"),
						"relay_state":      knownvalue.StringExact("https://console.aws.amazon.com/"),
						"last_synced_at":   knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT.*Z$`)),
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("permission_sets").AtSliceIndex(3), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":               knownvalue.StringExact(psTestARN4),
						"name":             knownvalue.StringExact("Billing"),
						"account_id":       knownvalue.Null(),
						"metadata":         knownvalue.StringExact("{}"),
						"rank":             knownvalue.Null(),
						"description":      knownvalue.Null(),
						"session_duration": knownvalue.Null(),
						"relay_state":      knownvalue.Null(),
						"last_synced_at":   knownvalue.NotNull(),
					})),
				},
			},
			{
				Config: config(`  account_id = "123456789012"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("permission_sets"), ids(psTestARN1, psTestARN3)),
				},
			},
			{
				Config: config(`  name_regex = "ReadOnly$"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("permission_sets"), ids(psTestARN1, psTestARN3)),
				},
			},
			{
				Config: config("  account_id = \"123456789012\"\n  name_regex = \"^Data\""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("permission_sets"), ids(psTestARN3)),
				},
			},
			{
				Config: config(`  account_id = "999999999999"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("permission_sets"), knownvalue.ListSizeExact(0)),
				},
			},
		},
	})
}
