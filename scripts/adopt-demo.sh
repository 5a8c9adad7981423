#!/usr/bin/env bash
# `make adopt-demo`: adopting an existing tenant with examples/adopt.
#
# Starts jitsudo-local on a free port with its own SQLite file (as
# scripts/demo.sh does), fills the demo tenant through the API with curl, as
# scripts and people did before Terraform: two policies with three Cedar
# rules, three permission sets, two AWS role mappings. Then it runs the
# three commands of examples/adopt with Terraform 1.14, in a fresh copy
# under .local/adopt-demo/, and checks that `terraform plan` afterwards is
# empty (exit code 0). `make adopt-demo` builds the binaries and installs
# Terraform 1.14 into .tools/bin first.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=scripts/local-server.sh
source scripts/local-server.sh

terraform="$root/.tools/bin/terraform-1.14"
demo_dir="$root/.local/adopt-demo"
work="$demo_dir/adopt"

require_built adopt-demo "$terraform" bin/terraform-provider-jitsudo bin/jitsudo-local
command -v curl >/dev/null || { echo "adopt-demo: curl is not installed" >&2; exit 1; }

step "Start jitsudo-local"
start_local_server "$demo_dir/server"

step "Fill the tenant through the API, without Terraform"
prod=$(json_id "$(api POST /v1/policies '{"name":"prod-access","description":"Production, on call only","max_duration_seconds":7200,
  "default_duration_seconds":1800,"notification_channel":"#prod-access","priority":10}')")
dev=$(json_id "$(api POST /v1/policies '{"name":"dev-access","max_duration_seconds":28800,"enabled":false}')")
echo "    policies prod-access ($prod) and dev-access ($dev)"
api POST "/v1/policies/$prod/rules" '{"policy_text":"permit (principal in Group::\"sre\", action in [Action::\"request_access\", Action::\"extend\"], resource is AwsPermissionSet in AwsAccount::\"123456789012\") when { context.duration_seconds <= 3600 };","notice":"Keep production sessions short"}' >/dev/null
api POST "/v1/policies/$prod/rules" '{"policy_text":"forbid (principal, action, resource) unless { context.mfa_authenticated };","audit_session":true}' >/dev/null
api POST "/v1/policies/$dev/rules" '{"policy_text":"permit (principal in Group::\"developers\", action == Action::\"request_access\", resource);","audit_session":false}' >/dev/null
echo "    three Cedar rules"
api PUT /v1/aws/permission-sets '{"resources":[
  {"id":"arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0a0a0a0a0a0a0a0a","name":"AdministratorAccess","account_id":"123456789012","session_duration":"PT1H"},
  {"id":"arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0b0b0b0b0b0b0b0b","name":"DataEngineer","account_id":"210987654321",
   "metadata":{"team":"data","tier":2},"rank":3,"description":"Data lake engineers","relay_state":"https://console.aws.amazon.com/s3"},
  {"id":"arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0c0c0c0c0c0c0c0c","name":"ReadOnly"}]}' >/dev/null
echo "    three permission sets"
aws_role_id() { json_id "$(api GET "/v1/aws/roles?arn=$1")"; }
sre=$(role_id sre)
developer=$(role_id developer)
auditor=$(role_id auditor)
api PUT "/v1/aws/roles/$(aws_role_id arn:aws:iam::123456789012:role/Admin)/roles" "[{\"id\":\"$sre\"}]" >/dev/null
api PUT "/v1/aws/roles/$(aws_role_id arn:aws:iam::210987654321:role/Developer)/roles" "[{\"id\":\"$developer\"},{\"id\":\"$auditor\"}]" >/dev/null
echo "    AWS roles Admin (prod) -> sre, Developer (staging) -> developer, auditor"

step "Point terraform at the local provider build"
rm -rf "$work"
mkdir -p "$work"
cp examples/adopt/main.tf examples/adopt/adopt.tfquery.hcl "$work/"
use_local_provider "$demo_dir"
echo "    $("$terraform" version | head -n 1), working copy of examples/adopt: $work"

step "terraform init"
tf init -no-color

step "terraform query -generate-config-out=generated.tf: configuration and import blocks for everything"
tf query -no-color -generate-config-out=generated.tf
echo "    generated.tf: $(grep -c '^resource ' "$work/generated.tf") resource blocks, $(grep -c '^import {' "$work/generated.tf") import blocks"

step "terraform apply: imports everything, changes nothing"
tf apply -auto-approve -no-color

step "terraform plan is empty"
tf plan -detailed-exitcode -no-color

step "Stop jitsudo-local"
stop_local_server
trap - EXIT
echo
bold "==> Adoption demo finished"
cat <<EOF

What it showed: objects created through the API (policies, Cedar rules,
permission sets, AWS role mappings) came under Terraform with three
commands; the apply only imported, and the plan after it is empty.

Where to look next:
  .local/adopt-demo/adopt/generated.tf   the generated configuration
  examples/adopt/                        the example's files
  docs/list-resources/                   the list resources and their filters
EOF
