#!/usr/bin/env bash
# `make testacc-matrix`: the version matrix. `make testacc` runs every test
# on terraform 1.8.5 (.tools/bin/terraform), the oldest version supported;
# this runs a set of the same acceptance tests, through
# terraform-plugin-testing, on each binary of .tools/bin named on the
# command line (`make testacc-matrix` names terraform-1.14 and tofu):
#   - TestAccQuickstart: examples/quickstart applies, plans empty, destroys;
#   - import of every resource (the _basic tests, importThenRaw) and drift
#     of every resource (the _drift tests);
#   - the Cedar plan-time checks of jitsudo_policy_rule and the Cedar
#     functions called from a configuration.
# On Terraform 1.12 and later it also runs the identity, list and query
# tests; OpenTofu has neither identity nor list resources.
#
# OpenTofu runs through terraform-plugin-testing like Terraform: the test
# framework takes any binary at TF_ACC_TERRAFORM_PATH, and terraform-exec
# reads the version from `tofu version -json`. Only the provider address
# differs: OpenTofu's default registry is registry.opentofu.org, so the
# provider is served under that host (TF_ACC_PROVIDER_HOST).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# The matrix set, by name: every name must exist (a renamed test fails the
# matrix rather than dropping out of it).
set=(
  TestAccQuickstart
  TestAccAwsRoleMapping_basic TestAccAwsRoleMapping_drift
  TestAccPermissionSet_basic TestAccPermissionSet_drift
  TestAccPermissionSets_basic TestAccPermissionSets_drift
  TestAccPolicy_basic TestAccPolicy_drift
  TestAccPolicyRule_basic TestAccPolicyRule_drift TestAccPolicyRule_importThenRaw TestAccPolicyRule_upperCasePolicyID
  TestAccPolicyRule_invalid TestAccPolicyRule_deepNesting TestAccPolicyRule_providerSchema
  TestAccPolicyRule_schemaErrorsAtPlan TestAccPolicyRule_schemaErrorOnUpdate
  TestAccPolicyRule_schemaWarnings TestAccPolicyRule_schemaUnavailable
  TestFunctionCedarDecompose_terraform TestFunctionCedarFormat_terraform TestFunctionCedarValidate_terraform
  TestFunctionCedarIsAuthorized_terraform
)
# Terraform only: resource identity, list resources and `terraform query`.
terraform_run='TestAccListResources_[A-Za-z]*|TestAcc[A-Za-z]*_(identity|importByIdentity|list|query)[A-Za-z]*'
# Not on OpenTofu: OpenTofu 1.12.6 sends a null argument of a provider
# function as an empty DynamicValue (internal/plugin6/grpc_provider.go,
# CallFunction skips it), which terraform-plugin-framework cannot decode, so
# `provider::jitsudo::cedar_validate(text, null)` fails there ("DynamicValue
# had no JSON or msgpack data set"); the test's first step makes that call.
not_on_tofu=(TestFunctionCedarValidate_terraform)

if [ $# -eq 0 ]; then
  echo "usage: scripts/matrix.sh BINARY... (names in .tools/bin, e.g. terraform-1.14 tofu)" >&2
  exit 2
fi

listed=$(go test ./internal/provider/ -list '.*')
for test in "${set[@]}"; do
  if ! grep -qx "$test" <<<"$listed"; then
    echo "matrix: internal/provider has no test $test; update the set in scripts/matrix.sh" >&2
    exit 1
  fi
done
set_run=$(IFS='|'; echo "${set[*]}")
tofu_set=()
for test in "${set[@]}"; do
  [[ " ${not_on_tofu[*]} " == *" $test "* ]] || tofu_set+=("$test")
done
tofu_run=$(IFS='|'; echo "${tofu_set[*]}")

# A TF_CLI_CONFIG_FILE naming a missing file makes both print a warning on
# stdout, before the JSON terraform-exec reads (the GNUmakefile drops it too).
if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -e "$TF_CLI_CONFIG_FILE" ]; then
  unset TF_CLI_CONFIG_FILE
fi

results=()
failed=0
for name in "$@"; do
  binary="$root/.tools/bin/$name"
  [ -x "$binary" ] || { echo "matrix: $binary is missing; run scripts/install-tools.sh $name" >&2; exit 1; }
  # Read whole, then matched: grep -m1 in a pipe would end `version` early
  # (SIGPIPE, a failure under pipefail).
  version=$("$binary" version)
  version=$(grep -m1 -E '^(Terraform|OpenTofu) v' <<<"$version")
  run="^($set_run|$terraform_run)\$"
  host=()
  if [[ "$version" == OpenTofu* ]]; then
    run="^($tofu_run)\$"
    host=(TF_ACC_PROVIDER_HOST=registry.opentofu.org)
  fi
  echo "==> matrix: $version ($binary)"
  start=$SECONDS
  if env TF_ACC=1 TF_ACC_TERRAFORM_PATH="$binary" "${host[@]}" \
    go test ./internal/provider/ -run "$run" -count=1 -timeout 30m; then
    result=ok
  else
    result=FAILED
    failed=1
  fi
  results+=("$(printf '%-24s %-7s %4ss' "$version" "$result" "$((SECONDS - start))")")
done
echo "==> matrix summary"
printf '  %s\n' "${results[@]}"
exit "$failed"
