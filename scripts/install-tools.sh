#!/usr/bin/env bash
# Installs the project's pinned tools into .tools/bin (ignored by git).
# A tool already there at the pinned version is skipped, so a warm run is
# a few milliseconds. Everything comes from the Go module proxy: no tool
# downloads a binary of its own.
#
# Without arguments it installs the tools of `make tools`; with names
# (e.g. `install-tools.sh terraform terraform-provider-time`) only those,
# which may also be the named-only tools below.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin"
mkdir -p "$bin"

# name|module path of the main package|version|extra go install flags
tools=(
  "terraform|github.com/hashicorp/terraform|v1.8.5|-ldflags=-X github.com/hashicorp/terraform/version.dev=no"
  "tfplugindocs|github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs|v0.25.0|"
  "golangci-lint|github.com/golangci/golangci-lint/v2/cmd/golangci-lint|v2.15.0|"
  "oapi-codegen|github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen|v2.8.2|"
)
# Installed only when named (`make bench` does): the time_static baseline
# of the scale benchmarks (BENCHMARKS.md), a peer provider on the same
# plugin framework.
named_only=(
  "terraform-provider-time|github.com/hashicorp/terraform-provider-time|v0.14.2|"
)

only=("$@")
entries=("${tools[@]}")
if [ ${#only[@]} -gt 0 ]; then
  entries+=("${named_only[@]}")
fi
for entry in "${entries[@]}"; do
  IFS='|' read -r name pkg version flags <<<"$entry"
  if [ ${#only[@]} -gt 0 ] && [[ " ${only[*]} " != *" $name "* ]]; then
    continue
  fi
  # `go version -m` reads the module version the binary was built from.
  if [ -x "$bin/$name" ] && go version -m "$bin/$name" 2>/dev/null | grep -qE "^\s+mod\s+\S+\s+$version\b"; then
    continue
  fi
  echo "installing $name $version into .tools/bin"
  if [ -n "$flags" ]; then
    GOBIN="$bin" GOFLAGS=-mod=mod go install "$flags" "$pkg@$version"
  else
    GOBIN="$bin" GOFLAGS=-mod=mod go install "$pkg@$version"
  fi
done
