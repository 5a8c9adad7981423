#!/usr/bin/env bash
# `make demo`: the provider end to end against jitsudo-local.
#
# Starts jitsudo-local on a free port with its own SQLite file and the
# example discovered roles, points terraform at the local provider build
# (dev_overrides in a CLI configuration generated under .local/demo/, nothing
# written to your home), applies examples/quickstart, changes a role mapping
# out of band, shows that `terraform plan` reports the drift, applies again
# to restore it, and stops the server. `make demo` builds the binaries
# first. A terraform 1.8 or newer on PATH is used as it is; without one the
# pinned terraform is installed into .tools/bin (scripts/install-tools.sh).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=scripts/local-server.sh
source scripts/local-server.sh

demo_dir="$root/.local/demo"
work="$demo_dir/quickstart"

# terraform_version BINARY prints the version of a terraform binary
# ("1.8.5"), or nothing if it is not one.
terraform_version() {
  "$1" version 2>/dev/null | sed -n '1s/^Terraform v\([0-9][0-9.]*\).*/\1/p'
}

# at_least_1_8 VERSION: whether VERSION is 1.8 or newer.
at_least_1_8() {
  local major minor
  IFS=. read -r major minor _ <<<"$1"
  [ "${major:-0}" -gt 1 ] || { [ "${major:-0}" -eq 1 ] && [ "${minor:-0}" -ge 8 ]; }
}

# The user's terraform first (PATH without .tools/bin, which `make` puts
# first), then the pinned one in .tools/bin, installed if missing.
terraform=
user_path=$(tr ':' '\n' <<<"$PATH" | grep -vxF "$root/.tools/bin" | paste -sd: -)
if candidate=$(PATH=$user_path command -v terraform); then
  version=$(terraform_version "$candidate")
  if [ -n "$version" ] && at_least_1_8 "$version"; then
    terraform=$candidate
    echo "demo: using terraform $version from PATH ($terraform)"
  else
    echo "demo: $candidate is terraform ${version:-of an unknown version}, older than 1.8; using the pinned terraform in .tools/bin"
  fi
fi
if [ -z "$terraform" ]; then
  if [ ! -x "$root/.tools/bin/terraform" ]; then
    echo "demo: no terraform 1.8 or newer on PATH; building the pinned one into .tools/bin (a few minutes, once)"
  fi
  bash scripts/install-tools.sh terraform
  terraform="$root/.tools/bin/terraform"
  echo "demo: using terraform $(terraform_version "$terraform") from .tools/bin"
fi

require_built demo bin/terraform-provider-jitsudo bin/jitsudo-local
command -v curl >/dev/null || { echo "demo: curl is not installed" >&2; exit 1; }

step "Start jitsudo-local"
start_local_server "$demo_dir/server"

step "Point terraform at the local provider build"
# A fresh working copy every run: a lock file or state left by an earlier
# run would name another build's checksum or objects of an old database.
rm -rf "$work"
mkdir -p "$work"
cp examples/quickstart/*.tf "$work/"
use_local_provider "$demo_dir"
echo "    TF_CLI_CONFIG_FILE=$TF_CLI_CONFIG_FILE"
echo "    JITSUDO_ENDPOINT=$JITSUDO_ENDPOINT JITSUDO_TENANT_ID=$JITSUDO_TENANT_ID JITSUDO_API_KEY=(demo key)"
echo "    working copy of examples/quickstart: $work"

step "terraform init"
tf init -no-color

step "terraform apply: policy, rules, permission sets and role mappings"
tf apply -auto-approve -no-color

step "Someone edits the BreakGlass role mapping by hand (out of band)"
breakglass=$(tf output -raw -no-color breakglass_aws_role_id 2>/dev/null | tail -n 1)
developer=$(role_id developer)
sre=$(role_id sre)
echo "\$ curl -X PUT $base/v1/aws/roles/$breakglass/roles  # sre + developer, security-admin dropped"
api PUT "/v1/aws/roles/$breakglass/roles" "[{\"id\":\"$sre\"},{\"id\":\"$developer\"}]"
echo

step "terraform plan detects the drift"
set +e
tf plan -detailed-exitcode -no-color
code=$?
set -e
if [ "$code" -ne 2 ]; then
  echo "demo: expected terraform plan to report changes (exit code 2), got $code" >&2
  exit 1
fi
bold "    terraform plan exited 2: the out-of-band change is reported above"

step "terraform apply restores the reviewed configuration"
tf apply -auto-approve -no-color

step "terraform plan is clean again"
tf plan -detailed-exitcode -no-color

step "Stop jitsudo-local"
stop_local_server
trap - EXIT
echo
bold "==> Demo finished"
cat <<EOF

What it showed: terraform created a policy with Cedar rules, permission sets
and two AWS role mappings in jitsudo-local; a mapping changed by hand was
reported by terraform plan, with the names of the roles added and removed,
and the next apply restored the reviewed configuration.

Where to look next:
  docs/index.md, docs/resources/   the provider's reference
  examples/quickstart/main.tf      the configuration the demo applied
  make server                      jitsudo-local on 127.0.0.1:8080 with the demo tenant and keys
  make adopt-demo                  bring objects made by hand under terraform (examples/adopt)
  make help                        every other target
EOF
