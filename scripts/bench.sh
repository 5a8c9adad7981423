#!/usr/bin/env bash
# `make bench`: the benchmarks of BENCHMARKS.md.
#
#  1. The Cedar work per rule (internal/cedar, bench_test.go), -count
#     BENCH_COUNT (default 6: benchstat needs 6 samples for a 95%
#     confidence interval), with -benchmem.
#  2. The scale benchmarks (internal/scale): terraform apply, then terraform
#     plan, of JITSUDO_SCALE_N (default 1000) jitsudo_policy_rule resources
#     against an in-process jitsudo-local, and two baselines of the same
#     size: time_static (hashicorp/terraform-provider-time v0.14.2, a peer
#     provider on the same plugin framework, from .tools/bin) and
#     terraform_data (built into terraform), at each -parallelism of
#     JITSUDO_SCALE_PARALLELISM (default "10,50"). BENCH_SCALE_ROUNDS
#     (default 3) rounds, each running the rules and then the baselines, so
#     that all see the same machine load; BENCH_SCALE_PLANS (default 1)
#     plans per apply. The same rounds run N AWS role mappings
#     (BenchmarkPlanMappings), the rules against a server limited to 20
#     requests a second (BenchmarkPlanRulesRateLimited) and one
#     jitsudo_permission_sets of JITSUDO_SCALE_PS_N (default 10000) sets
#     (BenchmarkPlanPermissionSets). BENCH_SCALE=0 skips this part (it
#     takes about 10 minutes a round on 2 cores).
#
# The raw output, the machine and the load averages go to BENCH_OUT (default
# .local/bench/<UTC time>/). The summary: benchstat for the Cedar benchmarks
# when the Go module proxy can provide it (go run, go.mod untouched), else
# the median (min-max) of the runs; the median (min-max) over the rounds for
# the scale benchmarks, and per round the no-change plan times of rules,
# time_static and terraform_data side by side, and the request counts and
# rate-limit ratio against the targets of issue 7. The scale part needs the
# pinned terraform and terraform-provider-time in .tools/bin (`make bench`
# installs them).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

count=${BENCH_COUNT:-6}
rounds=${BENCH_SCALE_ROUNDS:-3}
plans=${BENCH_SCALE_PLANS:-1}
scale=${BENCH_SCALE:-1}
out=${BENCH_OUT:-$root/.local/bench/$(date -u +%Y%m%dT%H%M%SZ)}
terraform=$root/.tools/bin/terraform
# Pinned so that the summary does not change with benchstat releases.
benchstat_pkg=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

mkdir -p "$out"
export CHECKPOINT_DISABLE=1

load() { cut -d' ' -f1-3 /proc/loadavg; }

{
  echo "date:      $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc:     $(nproc)"
  echo "cpu:       $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  echo "memory:    $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "kernel:    $(uname -sr)"
  echo "go:        $(go version)"
  if [ -x "$terraform" ]; then echo "terraform: $("$terraform" version 2>/dev/null | grep -m 1 '^Terraform v')"; fi
  echo "commit:    $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$([ -z "$(git status --porcelain 2>/dev/null)" ] || echo ' (with uncommitted changes)')"
  echo "load:      $(load) (1, 5, 15 min averages at start)"
} | tee "$out/machine.txt"

# summarize FILE UNIT...: per benchmark in FILE, per unit, "median
# (min-max)" over the runs.
summarize() {
  local file=$1
  shift
  awk -v units="$*" '
    /^Benchmark/ {
      name = $1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name)
      if (!(name in seen)) { seen[name] = 1; names[++nn] = name }
      runs[name]++
      for (i = 3; i < NF; i += 2) { k = name SUBSEP $(i + 1); vals[k, ++cnt[k]] = $i }
    }
    function cell(k,   n, i, j, t, a, med) {
      n = cnt[k]
      for (i = 1; i <= n; i++) a[i] = vals[k, i] + 0
      for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      med = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
      if (n == 1) return sprintf("%.4g", med)
      return sprintf("%.4g (%.4g-%.4g)", med, a[1], a[n])
    }
    END {
      nu = split(units, u, " ")
      for (b = 1; b <= nn; b++) {
        printf "%s, %d run(s)\n", names[b], runs[names[b]]
        for (x = 1; x <= nu; x++) if (cnt[names[b] SUBSEP u[x]] > 0) printf "  %-22s %s\n", u[x], cell(names[b] SUBSEP u[x])
      }
    }' "$file"
}

echo
echo "==> Cedar benchmarks (internal/cedar), -count $count"
echo "load before: $(load)" >>"$out/load.txt"
go test ./internal/cedar/ -run '^$' -bench . -benchmem -count "$count" -timeout 30m | tee "$out/cedar.txt"
echo "load after cedar: $(load)" >>"$out/load.txt"

if [ "$scale" != 0 ]; then
  [ -x "$terraform" ] || { echo "bench: $terraform is missing; run 'make tools'" >&2; exit 1; }
  [ -x "$root/.tools/bin/terraform-provider-time" ] ||
    { echo "bench: $root/.tools/bin/terraform-provider-time is missing; run 'bash scripts/install-tools.sh terraform-provider-time'" >&2; exit 1; }
  echo
  echo "==> Scale benchmarks (internal/scale): ${JITSUDO_SCALE_N:-1000} resources, -parallelism ${JITSUDO_SCALE_PARALLELISM:-10,50}, $rounds round(s), $plans plan(s) per apply"
  go test -c -o "$out/scale.test" ./internal/scale/
  for round in $(seq 1 "$rounds"); do
    echo "--- round $round of $rounds (load $(load))"
    echo "load before scale round $round: $(load)" >>"$out/load.txt"
    (cd internal/scale && JITSUDO_SCALE=1 "$out/scale.test" -test.run '^$' -test.bench . \
      -test.benchtime "${plans}x" -test.timeout 90m) | tee "$out/scale-round-$round.txt" | tee -a "$out/scale.txt"
    echo "load after scale round $round: $(load)" >>"$out/load.txt"
  done
  rm -f "$out/scale.test"
fi

echo
echo "==> Summary: Cedar, per rule"
if go run "$benchstat_pkg" "$out/cedar.txt" >"$out/cedar-benchstat.txt" 2>"$out/benchstat.err"; then
  cat "$out/cedar-benchstat.txt"
else
  echo "(benchstat is not available, see $out/benchstat.err; median (min-max) of the runs)"
  summarize "$out/cedar.txt" ns/op B/op allocs/op
fi
if [ "$scale" != 0 ]; then
  echo
  echo "==> Summary: scale, median (min-max) over the rounds"
  echo "    s/op: seconds per terraform plan (refresh, no changes); apply-*: the one terraform apply (create) before the plans;"
  echo "    cpu-s: CPU seconds (tf: terraform and the providers it starts; provider: their share, sampled; server: jitsudo-local)"
  summarize "$out/scale.txt" s/op tf-cpu-s/op provider-cpu-s/op server-cpu-s/op req/op rule-get-req/op schema-req/op non2xx/op \
    tf-maxrss-MB provider-maxrss-MB state-MB apply-s apply-tf-cpu-s apply-provider-cpu-s apply-server-cpu-s apply-req apply-schema-req apply-non2xx
  echo
  echo "==> Summary: no-change plan, s (wall), per round: rules / time_static / terraform_data, and rules as a multiple of time_static"
  for round in $(seq 1 "$rounds"); do
    awk -v round="$round" '
      /^Benchmark/ {
        split($1, a, "/"); kind = a[1]; sub(/^BenchmarkPlan/, "", kind); par = a[3]; sub(/-[0-9]+$/, "", par)
        if (par !~ /^parallelism=/) next
        for (i = 3; i < NF; i += 2) if ($(i + 1) == "s/op") v[kind, par] = $i
        if (!(par in seen)) { seen[par] = 1; pars[++np] = par }
      }
      END {
        for (p = 1; p <= np; p++) {
          r = v["Rules", pars[p]]; t = v["TimeStatic", pars[p]]; d = v["TerraformData", pars[p]]
          printf "  round %d, %-14s rules %6.2f   time_static %6.2f   terraform_data %6.2f   rules/time_static %s\n",
            round, pars[p], r, t, d, (t > 0 ? sprintf("%.2f", r / t) : "-")
        }
      }' "$out/scale-round-$round.txt"
  done
  echo
  echo "==> Summary: requests and rate limit, per round (issue 7 targets in brackets)"
  for round in $(seq 1 "$rounds"); do
    awk -v round="$round" '
      /^Benchmark/ {
        split($1, a, "/"); kind = a[1]; sub(/^BenchmarkPlan/, "", kind); sub(/-[0-9]+$/, "", kind)
        par = ""; for (j = 2; j <= length(a); j++) if (a[j] ~ /^parallelism=/) { par = a[j]; sub(/-[0-9]+$/, "", par) }
        n = a[2]; sub(/^n=/, "", n); sub(/-[0-9]+$/, "", n)
        for (i = 3; i < NF; i += 2) m[kind, par, $(i + 1)] = $i
        size[kind] = n
        if (par != "" && !(par in seen)) { seen[par] = 1; pars[++np] = par }
      }
      END {
        if (("PermissionSets", "", "req/op") in m)
          printf "  round %d: permission_sets n=%s: plan %d requests [<= 45 at 10000], apply %d requests\n",
            round, size["PermissionSets"], m["PermissionSets", "", "req/op"], m["PermissionSets", "", "apply-req"]
        for (p = 1; p <= np; p++) {
          q = pars[p]
          printf "  round %d, %s: rules n=%s plan %d requests [<= 5]", round, q, size["Rules"], m["Rules", q, "req/op"]
          if (("Mappings", q, "req/op") in m)
            printf "; mappings n=%s plan %d requests [<= 10], apply %d requests [<= %d]",
              size["Mappings"], m["Mappings", q, "req/op"], m["Mappings", q, "apply-req"], size["Mappings"] + 10
          r = m["Rules", q, "s/op"]; l = m["RulesRateLimited", q, "s/op"]
          if (r > 0 && l > 0) printf "; rules plan at 20 req/s %.2f s / %.2f s unlimited = %.2f [<= 1.3]", l, r, l / r
          printf "\n"
        }
      }' "$out/scale-round-$round.txt"
  done
fi
echo
echo "==> Load averages (1, 5, 15 min)"
cat "$out/load.txt"
echo
echo "bench: raw output in $out"
