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
  # Release archives, checksums and manifest (`make release-snapshot`,
  # .goreleaser.yml).
  "goreleaser|github.com/goreleaser/goreleaser/v2|v2.15.1|"
  # The version matrix (`make testacc-matrix`). Both need a wrapper module
  # (build_wrapped below): `go install` refuses a module whose go.mod has
  # replace directives.
  "terraform-1.14|github.com/hashicorp/terraform|v1.14.9|-ldflags=-X github.com/hashicorp/terraform/version.dev=no"
  "tofu|github.com/opentofu/opentofu/cmd/tofu|v1.12.6|-ldflags=-X github.com/opentofu/opentofu/version.dev=no"
)

# Modules built through a wrapper module: name|module path.
wrapped=(
  "terraform-1.14|github.com/hashicorp/terraform"
  "tofu|github.com/opentofu/opentofu"
)

# build_wrapped NAME PKG VERSION FLAGS MODULE builds PKG of MODULE@VERSION
# in a throwaway wrapper module that requires it. The module's own replace
# directives do not apply to a dependency, so the wrapper copies those that
# name another module (OpenTofu's hcl fork) and stands in for those that
# name a directory: Terraform's nine remote-state backends (and
# internal/legacy) are nested modules missing from the module zip. A
# backend stand-in is a package with `func New() backend.Backend` that
# returns nil; only the local backend works, which is all tests use.
build_wrapped() {
  local name=$1 pkg=$2 version=$3 flags=$4 module=$5
  local work modfile old new path
  work=$(mktemp -d "$root/.tools/wrap-$name.XXXXXX")
  trap 'rm -rf "$work"' RETURN
  modfile=$(go mod download -json "$module@$version" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')
  if [ ! -f "$modfile" ] || grep -qE '^replace\s*\(' "$modfile"; then
    echo "install-tools: cannot read the replace directives of $module@$version" >&2
    return 1
  fi
  {
    echo "module jitsudo.tools/$name"
    echo "go $(sed -n 's/^go //p' "$modfile")"
    echo "require $module $version"
  } >"$work/go.mod"
  # "replace OLD [VERSION] => NEW [VERSION]" lines, as OLD|NEW.
  while IFS='|' read -r old new; do
    if [[ "$new" != ./* ]]; then
      echo "replace $old => $new" >>"$work/go.mod"
      continue
    fi
    path=${old%% *}
    mkdir -p "$work/stub/$path"
    printf 'module %s\n\ngo 1.22\n' "$path" >"$work/stub/$path/go.mod"
    if [[ "$path" == */remote-state/* ]]; then
      printf 'package %s\n\nimport "%s/internal/backend"\n\nfunc New() backend.Backend { return nil }\n' \
        "${path##*/}" "$module" >"$work/stub/$path/backend.go"
    fi
    echo "replace $path => ./stub/$path" >>"$work/go.mod"
  done < <(awk -F' => ' '/^replace / { sub(/^replace /, "", $1); print $1 "|" $2 }' "$modfile")
  (cd "$work" && GOFLAGS=-mod=mod go build "$flags" -o "$bin/$name" "$pkg")
}

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
  module=
  for w in "${wrapped[@]}"; do
    if [ "${w%%|*}" = "$name" ]; then module=${w#*|}; fi
  done
  # `go version -m` reads the module version the binary was built from
  # (a wrapped module is a dependency of its wrapper). Read whole first: an
  # early exit of grep -q would fail the pipe under pipefail (SIGPIPE).
  info=$( [ -x "$bin/$name" ] && go version -m "$bin/$name" 2>/dev/null || true)
  if grep -qE "^\s+(mod\s+\S+|dep\s+${module:-\S+})\s+$version\b" <<<"$info"; then
    continue
  fi
  echo "installing $name $version into .tools/bin"
  if [ -n "$module" ]; then
    build_wrapped "$name" "$pkg" "$version" "$flags" "$module"
  elif [ -n "$flags" ]; then
    GOBIN="$bin" GOFLAGS=-mod=mod go install "$flags" "$pkg@$version"
  else
    GOBIN="$bin" GOFLAGS=-mod=mod go install "$pkg@$version"
  fi
done
