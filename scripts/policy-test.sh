#!/usr/bin/env bash
# `make policy-test`: the quickstart's policy tests
# (examples/quickstart/tests/*.tftest.hcl) with `terraform test`.
#
# Starts jitsudo-local on a free loopback port with its own SQLite file and
# the example discovered roles (scripts/local-server.sh), points terraform
# at the provider build in bin/ with dev_overrides (a CLI configuration
# generated under .local/policy-test/, nothing written to your home), and
# runs `terraform test` in a fresh copy of examples/quickstart. Nothing is
# downloaded: the provider comes from bin/ and the tests' helper module from
# the copy (`terraform get`), so no `terraform init` is needed. `make
# policy-test` builds the binaries and installs terraform into .tools/bin
# first.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=scripts/local-server.sh
source scripts/local-server.sh

terraform="$root/.tools/bin/terraform"
dir="$root/.local/policy-test"
work="$dir/quickstart"

require_built policy-test "$terraform" bin/terraform-provider-jitsudo bin/jitsudo-local

start_local_server "$dir/server"

# A fresh copy every run: state or modules left by an earlier run would
# name objects of an old database.
rm -rf "$work"
mkdir -p "$work"
cp -R examples/quickstart/. "$work/"
use_local_provider "$dir"

"$terraform" -chdir="$work" get -no-color >/dev/null
"$terraform" -chdir="$work" test -no-color
