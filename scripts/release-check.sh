#!/usr/bin/env bash
# `make release-check` (part of `make test`): runs the release of
# .goreleaser.yml for the platform it runs on, from a tag, signed with a
# throwaway GPG key made here, and checks what the Terraform registry reads:
#   - the file names: the provider zip, SHA256SUMS, its .sig, the manifest,
#     the jitsudo-local archive;
#   - SHA256SUMS: it lists exactly those files and their checksums match;
#   - the signature: a valid detached signature of SHA256SUMS by the key;
#   - the manifest: protocol version 6.0, as terraform-registry-manifest.json;
#   - the zip holds terraform-provider-jitsudo_v<version>, and both binaries
#     print the tag's version with -version.
#
# The release runs in a copy of the working tree (tracked and untracked,
# not ignored, files) committed into a throwaway repository tagged
# v$version, so the check sees uncommitted changes and never tags this
# repository. goreleaser and gpg must be on PATH (`make release-check`
# installs goreleaser into .tools/bin).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
version=0.0.0-releasecheck
name=terraform-provider-jitsudo
platform="$(go env GOOS)_$(go env GOARCH)"

fail() {
  echo "release-check: $*" >&2
  exit 1
}
# gpg and unzip come from Debian packages, installed here when missing and
# this runs as root with apt-get (a fresh CI machine).
missing=()
command -v gpg >/dev/null || missing+=(gnupg)
command -v unzip >/dev/null || missing+=(unzip)
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "release-check: installing ${missing[*]} (Debian)"
  apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null ||
    { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
fi
for tool in goreleaser gpg git unzip tar sha256sum; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (gpg: Debian package gnupg; unzip: Debian package unzip)"
done

tmp=$(mktemp -d)
cleanup() {
  # gpg-agent of the throwaway keyring, if gpg started one.
  GNUPGHOME="$tmp/gnupg" gpgconf --kill all >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# The throwaway signing key.
export GNUPGHOME="$tmp/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --passphrase '' --quick-generate-key 'jitsudo release check <release-check@example.invalid>' ed25519 sign never >"$tmp/gpg.log" 2>&1 || {
  cat "$tmp/gpg.log" >&2
  fail "gpg could not make a key"
}
GPG_FINGERPRINT=$(gpg --batch --with-colons --list-secret-keys 2>/dev/null | awk -F: '/^fpr:/ { print $10; exit }')
[ -n "$GPG_FINGERPRINT" ] || fail "gpg made no key"
export GPG_FINGERPRINT

# The working tree in a throwaway repository tagged v$version, with the
# build targets narrowed to this platform (the targets line of
# .goreleaser.yml; the anchor gives jitsudo-local the same).
src="$tmp/src"
mkdir "$src"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] && printf '%s\0' "$f"
done | tar --null -T - -cf -) | tar -xf - -C "$src"
target=$(grep -oE "\\b${platform}(_[a-z0-9]+)?\\b" "$src/.goreleaser.yml" | head -n 1) ||
  fail "$platform is not a target of .goreleaser.yml"
sed -i -E "s/^(\s*targets: &targets )\[.*\]$/\1[$target]/" "$src/.goreleaser.yml"
grep -qE "^\s*targets: &targets \[$target\]$" "$src/.goreleaser.yml" || fail "could not narrow the targets of .goreleaser.yml"
git -C "$src" init --quiet
git -C "$src" add -A
git -C "$src" -c user.name=release-check -c user.email=release-check@example.invalid commit --quiet -m release-check
git -C "$src" tag "v$version"
# goreleaser reads the remote's URL (never contacts it: nothing is published).
git -C "$src" remote add origin https://github.com/jitsudo-community/terraform-provider-jitsudo.git

echo "release-check: goreleaser release of v$version for $platform (signing key $GPG_FINGERPRINT)"
(cd "$src" && goreleaser release --clean --skip=publish,announce,validate >"$tmp/goreleaser.log" 2>&1) || {
  cat "$tmp/goreleaser.log" >&2
  fail "goreleaser release failed"
}
dist="$src/dist"

# File names.
zip="${name}_${version}_${platform}.zip"
sums="${name}_${version}_SHA256SUMS"
manifest="${name}_${version}_manifest.json"
ext=tar.gz
[ "$(go env GOOS)" = windows ] && ext=zip
local_archive="jitsudo-local_${version}_${platform}.$ext"
# The release uploads terraform-registry-manifest.json as the manifest
# (release.extra_files), which no unpublished run writes to dist/; lay it
# beside the archives as the release has it (as `make release-snapshot`
# does), so that SHA256SUMS is checked against it.
cp "$src/terraform-registry-manifest.json" "$dist/$manifest"
for f in "$zip" "$sums" "$sums.sig" "$manifest" "$local_archive"; do
  [ -f "$dist/$f" ] || fail "dist/ has no $f; it has: $(cd "$dist" && ls | tr '\n' ' ')"
done

# SHA256SUMS lists exactly the archives and the manifest, and they match.
listed=$(awk '{ print $2 }' "$dist/$sums" | sort | tr '\n' ' ')
want=$(printf '%s\n' "$zip" "$manifest" "$local_archive" | sort | tr '\n' ' ')
[ "$listed" = "$want" ] || fail "$sums lists [$listed], want [$want]"
(cd "$dist" && sha256sum --check --quiet "$sums") || fail "a checksum of $sums does not match"

# The detached signature of SHA256SUMS, by the throwaway key.
status=$(gpg --batch --status-fd 1 --verify "$dist/$sums.sig" "$dist/$sums" 2>/dev/null) || fail "gpg --verify of $sums.sig failed"
grep -q "^\[GNUPG:\] VALIDSIG $GPG_FINGERPRINT " <<<"$status" || fail "$sums.sig is not a valid signature by $GPG_FINGERPRINT"

# The manifest: the registry reads the protocol versions from it.
protocols=$(tr -d ' \n\t' <"$dist/$manifest" | grep -oE '"protocol_versions":\[[^]]*\]') || fail "$manifest has no protocol_versions"
[ "$protocols" = '"protocol_versions":["6.0"]' ] || fail "$manifest has $protocols, want [\"6.0\"]"
cmp -s "$dist/$manifest" "$root/terraform-registry-manifest.json" || fail "$manifest differs from terraform-registry-manifest.json"

# The binaries, with the tag's version.
mkdir "$tmp/unpacked"
binary="${name}_v${version}"
unzip -q "$dist/$zip" -d "$tmp/unpacked/provider"
[ -f "$tmp/unpacked/provider/$binary" ] || fail "$zip has no $binary; it has: $(unzip -Z1 "$dist/$zip" | tr '\n' ' ')"
mkdir "$tmp/unpacked/local"
if [ "$ext" = zip ]; then unzip -q "$dist/$local_archive" -d "$tmp/unpacked/local"; else tar -xzf "$dist/$local_archive" -C "$tmp/unpacked/local"; fi
got=$("$tmp/unpacked/provider/$binary" -version)
[ "$got" = "$name $version" ] || fail "$binary -version printed \"$got\", want \"$name $version\""
got=$("$tmp/unpacked/local/jitsudo-local" -version)
[ "$got" = "jitsudo-local $version" ] || fail "jitsudo-local -version printed \"$got\", want \"jitsudo-local $version\""

echo "release-check: $zip, $sums (+ .sig by the throwaway key), $manifest (protocol 6.0) and $local_archive are what the registry expects; both binaries print $version"
