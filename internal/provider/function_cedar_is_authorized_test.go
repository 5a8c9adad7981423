package provider_test

import (
	"context"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/acctest"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/provider"
)

// cedarIsAuthorizedPolicies is the quickstart's policy, the third rule
// with an @id.
const cedarIsAuthorizedPolicies = `permit (principal in Group::"sre", action in [Action::"request_access", Action::"extend"], resource in AwsAccount::"123456789012")
when { context.duration_seconds <= 14400 };

permit (principal in Group::"security-admin", action in [Action::"approve", Action::"deny"], resource);

@id("require-mfa")
forbid (principal, action == Action::"request_access", resource)
unless { context.mfa_authenticated };
`

// runCedarIsAuthorized runs the function with Go values as arguments.
func runCedarIsAuthorized(t *testing.T, policies string, request, entities attr.Value, schema ...string) (attr.Value, *function.FuncError) {
	t.Helper()
	ctx := context.Background()
	f := provider.NewCedarIsAuthorizedFunction()
	var def function.DefinitionResponse
	f.Definition(ctx, function.DefinitionRequest{}, &def)
	schemas := make([]attr.Value, len(schema))
	for i, s := range schema {
		schemas[i] = types.StringValue(s)
	}
	variadic := tfTuple(t, schemas...)
	args := []attr.Value{types.StringValue(policies), types.DynamicValue(request), types.DynamicValue(entities), variadic}
	ret := def.Definition.Return.GetType().(types.ObjectType)
	resp := function.RunResponse{Result: function.NewResultData(types.ObjectUnknown(ret.AttrTypes))}
	f.Run(ctx, function.RunRequest{Arguments: function.NewArgumentsData(args)}, &resp)
	return resp.Result.Value(), resp.Error
}

// tfObject builds an object value of string, bool, number and nested
// values for the tests.
func tfObject(t *testing.T, attrs map[string]attr.Value) attr.Value {
	t.Helper()
	typs := make(map[string]attr.Type, len(attrs))
	for k, v := range attrs {
		typs[k] = v.Type(context.Background())
	}
	o, diags := types.ObjectValue(typs, attrs)
	if diags.HasError() {
		t.Fatal(diags)
	}
	return o
}

func tfTuple(t *testing.T, elems ...attr.Value) attr.Value {
	t.Helper()
	typs := make([]attr.Type, len(elems))
	for i, e := range elems {
		typs[i] = e.Type(context.Background())
	}
	v, diags := types.TupleValue(typs, elems)
	if diags.HasError() {
		t.Fatal(diags)
	}
	return v
}

func TestFunctionCedarIsAuthorized_run(t *testing.T) {
	str, num, boolean := types.StringValue, func(n int64) attr.Value { return types.NumberValue(big.NewFloat(float64(n))) }, types.BoolValue
	request := func(principal, action string, duration int64, mfa bool) attr.Value {
		return tfObject(t, map[string]attr.Value{
			"principal": str(`User::"` + principal + `"`),
			"action":    tfObject(t, map[string]attr.Value{"type": str("Action"), "id": str(action)}),
			"resource":  str(`AwsAccount::"123456789012"`),
			"context":   tfObject(t, map[string]attr.Value{"duration_seconds": num(duration), "mfa_authenticated": boolean(mfa)}),
		})
	}
	entities := tfTuple(t,
		tfObject(t, map[string]attr.Value{"uid": str(`User::"alice"`), "parents": tfTuple(t, str(`Group::"sre"`))}),
		tfObject(t, map[string]attr.Value{
			"uid":     tfObject(t, map[string]attr.Value{"type": str("User"), "id": str("bob")}),
			"attrs":   tfObject(t, map[string]attr.Value{}),
			"parents": tfTuple(t, tfObject(t, map[string]attr.Value{"type": str("Group"), "id": str("security-admin")})),
		}),
	)
	for name, tc := range map[string]struct {
		request attr.Value
		want    string
	}{
		"sre, 4 hours, MFA":    {request("alice", "request_access", 14400, true), `allow ["policy0"]`},
		"sre, 5 hours":         {request("alice", "request_access", 18000, true), `deny []`},
		"sre without MFA":      {request("alice", "request_access", 3600, false), `deny ["require-mfa"]`},
		"extend without MFA":   {request("alice", "extend", 3600, false), `allow ["policy0"]`},
		"security approves":    {request("bob", "approve", 0, false), `allow ["policy1"]`},
		"security may not ask": {request("bob", "request_access", 60, true), `deny []`},
		"stranger":             {request("mallory", "approve", 60, true), `deny []`},
	} {
		t.Run(name, func(t *testing.T) {
			got, funcErr := runCedarIsAuthorized(t, cedarIsAuthorizedPolicies, tc.request, entities)
			if funcErr != nil {
				t.Fatalf("unexpected error: %s", funcErr.Text)
			}
			attrs := got.(types.Object).Attributes()
			s := attrs["decision"].(types.String).ValueString() + " " + strings.ReplaceAll(attrs["reasons"].String(), ",", ", ")
			if s != tc.want || len(attrs["errors"].(types.List).Elements()) != 0 {
				t.Errorf("= %s with errors %v, want %s", s, attrs["errors"], tc.want)
			}
		})
	}

	t.Run("evaluation errors", func(t *testing.T) {
		req := tfObject(t, map[string]attr.Value{"principal": str(`User::"alice"`), "action": str(`Action::"request_access"`), "resource": str(`AwsAccount::"123456789012"`)})
		got, funcErr := runCedarIsAuthorized(t, cedarIsAuthorizedPolicies, req, entities)
		if funcErr != nil {
			t.Fatal(funcErr.Text)
		}
		errs := got.(types.Object).Attributes()["errors"].(types.List).Elements()
		if len(errs) != 2 || !strings.Contains(errs[1].String(), `"require-mfa"`) || !strings.Contains(errs[1].String(), "mfa_authenticated") {
			t.Errorf("errors = %v, want policy0 and require-mfa on the missing context attributes", errs)
		}
	})
}

func TestFunctionCedarIsAuthorized_runErrors(t *testing.T) {
	str := types.StringValue
	okRequest := tfObject(t, map[string]attr.Value{"principal": str(`User::"a"`), "action": str(`Action::"approve"`), "resource": str(`AwsAccount::"1"`),
		"context": tfObject(t, map[string]attr.Value{"duration_seconds": types.NumberValue(big.NewFloat(60)), "reason": str("r"), "mfa_authenticated": types.BoolValue(true)})})
	noEntities := types.DynamicNull()
	for name, tc := range map[string]struct {
		policies string
		request  attr.Value
		entities attr.Value
		schema   []string
		arg      int64
		want     string
	}{
		"syntax": {policies: "permit (principal, action, resource) when { 1 + };", request: okRequest, entities: noEntities,
			arg: 0, want: "Cedar syntax error at 1:"},
		"too deep": {policies: "permit (principal, action, resource) when { " + strings.Repeat("(", 200) + "true" + strings.Repeat(")", 200) + " };",
			request: okRequest, entities: noEntities, arg: 0, want: "the text is not parsed"},
		"duplicate id": {policies: `@id("a") permit (principal, action, resource); @id("a") permit (principal, action, resource);`, request: okRequest, entities: noEntities,
			arg: 0, want: `two policies have the id "a"`},
		"bad principal": {request: tfObject(t, map[string]attr.Value{"principal": str("alice"), "action": str(`Action::"a"`), "resource": str(`R::"r"`)}), entities: noEntities,
			arg: 1, want: `principal: "alice" is not an entity reference`},
		"request a string": {request: str("x"), entities: noEntities, arg: 1, want: "must be an object"},
		"entity twice": {request: okRequest, entities: tfTuple(t, tfObject(t, map[string]attr.Value{"uid": str(`User::"a"`)}), tfObject(t, map[string]attr.Value{"uid": str(`User::"a"`)})),
			arg: 2, want: `[1].uid: User::"a" is listed twice`},
		"fraction": {request: tfObject(t, map[string]attr.Value{"principal": str(`User::"a"`), "action": str(`Action::"a"`), "resource": str(`R::"r"`),
			"context": tfObject(t, map[string]attr.Value{"n": types.NumberValue(big.NewFloat(1.5))})}), entities: noEntities,
			arg: 1, want: "context: context.n is 1.5, which is not a Cedar Long"},
		"undeclared entity type": {request: okRequest, entities: tfTuple(t, tfObject(t, map[string]attr.Value{"uid": str(`Robot::"r"`)})), schema: []string{""},
			arg: 2, want: `[0]: Robot::"r" does not match the schema`},
		"bad schema":  {request: okRequest, entities: noEntities, schema: []string{"entity User {"}, arg: 3, want: "not a valid Cedar schema"},
		"two schemas": {request: okRequest, entities: noEntities, schema: []string{"", ""}, arg: 4, want: "at most one schema"},
	} {
		t.Run(name, func(t *testing.T) {
			got, funcErr := runCedarIsAuthorized(t, tc.policies, tc.request, tc.entities, tc.schema...)
			if funcErr == nil {
				t.Fatalf("no error, result %v", got)
			}
			if funcErr.FunctionArgument == nil || *funcErr.FunctionArgument != tc.arg || !strings.Contains(funcErr.Text, tc.want) {
				t.Errorf("error %q on argument %v, want one on argument %d containing %q", funcErr.Text, funcErr.FunctionArgument, tc.arg, tc.want)
			}
		})
	}
}

func TestFunctionCedarIsAuthorized_terraform(t *testing.T) {
	config := `
locals {
  policies = ` + strconv.Quote(cedarIsAuthorizedPolicies) + `
  entities = [
    { uid = "User::\"alice\"", parents = ["Group::\"sre\""] },
    { uid = { type = "User", id = "bob" }, attrs = { level = 3, tags = ["a", "b"] }, parents = [{ type = "Group", id = "security-admin" }] },
  ]
}

output "sre" {
  value = provider::jitsudo::cedar_is_authorized(local.policies, {
    principal = "User::\"alice\""
    action    = "Action::\"request_access\""
    resource  = { type = "AwsAccount", id = "123456789012" }
    context   = { duration_seconds = 3600, mfa_authenticated = false, reason = "incident" }
  }, local.entities)
}

output "approver" {
  value = provider::jitsudo::cedar_is_authorized(local.policies, {
    principal = "User::\"bob\""
    action    = "Action::\"approve\""
    resource  = "AwsAccount::\"123456789012\""
    context   = { duration_seconds = 3600, mfa_authenticated = true, reason = "r" }
  }, [{ uid = "User::\"bob\"", attrs = { email = "bob@example.com" }, parents = ["Group::\"security-admin\""] }], "")
}
`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("sre", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"decision": knownvalue.StringExact("deny"),
						"reasons":  knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("require-mfa")}),
						"errors":   knownvalue.ListExact([]knownvalue.Check{}),
					})),
					statecheck.ExpectKnownOutputValue("approver", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"decision": knownvalue.StringExact("allow"),
						"reasons":  knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("policy1")}),
						"errors":   knownvalue.ListExact([]knownvalue.Check{}),
					})),
				},
			},
			{
				Config: `
output "bad" {
  value = provider::jitsudo::cedar_is_authorized("", { principal = "alice", action = "Action::\"a\"", resource = "R::\"r\"" }, [])
}
`,
				ExpectError: regexp.MustCompile(`Invalid value for "request" parameter:\s+principal:\s+"alice"\s+is\s+not\s+an\s+entity\s+reference`),
			},
		},
	})
}

// TestFunctionCedarIsAuthorized_example applies the documentation example
// (examples/functions/cedar_is_authorized/function.tf): its check block
// passes and its output is the documented decision.
func TestFunctionCedarIsAuthorized_example(t *testing.T) {
	example, err := os.ReadFile(filepath.Join(acctest.RepoRoot(), "examples", "functions", "cedar_is_authorized", "function.tf"))
	if err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: string(example),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("sre_without_mfa", knownvalue.ObjectExact(map[string]knownvalue.Check{
					"decision": knownvalue.StringExact("deny"),
					"reasons":  knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("require-mfa")}),
					"errors":   knownvalue.ListExact([]knownvalue.Check{}),
				})),
			},
		}},
	})
}
