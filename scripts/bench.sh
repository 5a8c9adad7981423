#!/usr/bin/env bash
# `make bench`: the benchmarks of BENCHMARKS.md.
#
#  1. The Cedar work per rule (internal/cedar, bench_test.go), -count
#     BENCH_COUNT (default 6: benchstat needs 6 samples for a 95%
#     confidence interval), with -benchmem.
#  2. The scale benchmarks (internal/scale): terraform apply, then terraform
#     plan, of JITSUDO_SCALE_N (default 1000) jitsudo_policy_rule resources
#     against an in-process jitsudo-local, and the terraform_data baseline of
#     the same size, at each -parallelism of JITSUDO_SCALE_PARALLELISM
#     (default "10,50"). BENCH_SCALE_ROUNDS (default 3) rounds, each running
#     the rules and then the baseline, so that both see the same machine
#     load; BENCH_SCALE_PLANS (default 1) plans per apply. BENCH_SCALE=0
#     skips this part (it takes about 3.5 minutes a round on 2 cores).
#
# The raw output, the machine and the load averages go to BENCH_OUT (default
# .local/bench/<UTC time>/). The summary: benchstat for the Cedar benchmarks
# when the Go module proxy can provide it (go run, go.mod untouched), else
# the median (min-max) of the runs; the median (min-max) over the rounds for
# the scale benchmarks. The scale part needs the pinned terraform in
# .tools/bin (`make tools`).
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
  echo
  echo "==> Scale benchmarks (internal/scale): ${JITSUDO_SCALE_N:-1000} resources, -parallelism ${JITSUDO_SCALE_PARALLELISM:-10,50}, $rounds round(s), $plans plan(s) per apply"
  go test -c -o "$out/scale.test" ./internal/scale/
  for round in $(seq 1 "$rounds"); do
    echo "--- round $round of $rounds (load $(load))"
    echo "load before scale round $round: $(load)" >>"$out/load.txt"
    (cd internal/scale && JITSUDO_SCALE=1 "$out/scale.test" -test.run '^$' -test.bench . \
      -test.benchtime "${plans}x" -test.timeout 90m) | tee -a "$out/scale.txt"
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
    tf-maxrss-MB state-MB apply-s apply-tf-cpu-s apply-provider-cpu-s apply-server-cpu-s apply-req apply-schema-req apply-non2xx
fi
echo
echo "==> Load averages (1, 5, 15 min)"
cat "$out/load.txt"
echo
echo "bench: raw output in $out"
