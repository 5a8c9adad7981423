package scale_test

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/acctest"
)

// Environment of the scale benchmarks.
const (
	// envScale must be "1" for the benchmarks to run: each one applies
	// thousands of resources with the real terraform binary.
	envScale = "JITSUDO_SCALE"
	// envN is the number of rules (and of terraform_data resources of the
	// baseline); default 1000.
	envN = "JITSUDO_SCALE_N"
	// envParallelism lists the values of terraform's -parallelism to
	// measure, comma-separated; default "10,50" (10 is terraform's default).
	envParallelism = "JITSUDO_SCALE_PARALLELISM"
	// envPlanWrapper, for profiling only, is a command that the plans
	// (not the apply) run under, split at spaces, e.g.
	// "perf record -g -o /tmp/plan.perf.data --". It adds its own overhead
	// to every figure.
	envPlanWrapper = "JITSUDO_SCALE_PLAN_WRAPPER"
	// envExtraEnv, for experiments, is extra environment for terraform and
	// the providers it starts, space-separated NAME=VALUE pairs, e.g.
	// "TF_LOG_SDK=off" (TF_* variables of the caller are not passed on).
	envExtraEnv = "JITSUDO_SCALE_TF_ENV"
)

// BenchmarkPlanRules applies a configuration of one jitsudo_policy and N
// jitsudo_policy_rule resources against a fresh jitsudo-local (in process,
// loopback port, in-memory database), then times `terraform plan` (refresh
// of every resource, no changes; a plan that is not empty fails the
// benchmark) per op. The provider is the binary built from this
// repository, installed through dev_overrides; terraform is
// .tools/bin/terraform. Besides ns/op it reports:
//
//	s/op, req/op, rule-get-req/op, schema-req/op, non2xx/op
//	                      the plan's wall time and the API requests it made
//	tf-cpu-s/op           CPU (user+sys) of terraform and the provider
//	                      processes it started, from the kernel's rusage
//	provider-cpu-s/op     the provider processes' share, sampled from /proc
//	                      every 50ms (a lower bound)
//	server-cpu-s/op       CPU of this process, i.e. of jitsudo-local
//	tf-maxrss-MB          peak RSS of terraform (or of a provider process)
//	provider-maxrss-MB    the largest peak RSS (VmHWM) of a provider
//	                      process, sampled from /proc every 50ms
//	state-MB              size of terraform.tfstate after the apply
//	apply-*               the same for the one `terraform apply` that
//	                      created the resources (not part of ns/op)
func BenchmarkPlanRules(b *testing.B) {
	n, parallelisms := scaleSettings(b)
	tf := terraformPath(b)
	providerDir := buildProvider(b)
	config := rulesConfig(n)
	for _, p := range parallelisms {
		b.Run(fmt.Sprintf("n=%d/parallelism=%d", n, p), func(b *testing.B) {
			srv := acctest.NewServer(b)
			counts := serverCounts(b, srv)
			w := newWorkspace(b, tf, map[string]string{"jitsudo-community/jitsudo": providerDir}, config, p,
				"JITSUDO_ENDPOINT="+srv.URL, "JITSUDO_API_KEY="+srv.APIKey, "JITSUDO_TENANT_ID="+srv.TenantID)
			applyAndPlan(b, w, counts)
		})
	}
}

// BenchmarkPlanTimeStatic is the second baseline of BenchmarkPlanRules: the
// same graph (one root and N resources that depend on it) as time_static
// resources of hashicorp/terraform-provider-time v0.14.2
// (.tools/bin/terraform-provider-time, installed by `make bench`; through
// dev_overrides like the rules), a peer provider on the same plugin
// framework that makes no network calls and runs with the SDKs' default
// logging. Each resource carries its rule's attributes as one string in
// triggers. It shows what a framework provider costs for N resources.
func BenchmarkPlanTimeStatic(b *testing.B) {
	n, parallelisms := scaleSettings(b)
	tf := terraformPath(b)
	providerDir := timeProvider(b)
	config := timeStaticConfig(n)
	for _, p := range parallelisms {
		b.Run(fmt.Sprintf("n=%d/parallelism=%d", n, p), func(b *testing.B) {
			w := newWorkspace(b, tf, map[string]string{"hashicorp/time": providerDir}, config, p)
			applyAndPlan(b, w, nil)
		})
	}
}

// BenchmarkPlanTerraformData is the baseline of BenchmarkPlanRules: the
// same graph (one root and N resources that depend on it, with the same
// attribute values) as terraform_data resources of terraform's built-in
// provider, which runs inside terraform and makes no network calls. It
// shows what terraform itself costs for N resources.
func BenchmarkPlanTerraformData(b *testing.B) {
	n, parallelisms := scaleSettings(b)
	tf := terraformPath(b)
	config := terraformDataConfig(n)
	for _, p := range parallelisms {
		b.Run(fmt.Sprintf("n=%d/parallelism=%d", n, p), func(b *testing.B) {
			w := newWorkspace(b, tf, nil, config, p)
			applyAndPlan(b, w, nil)
		})
	}
}

// scaleSettings skips b unless JITSUDO_SCALE=1 and returns N and the
// -parallelism values to measure.
func scaleSettings(b *testing.B) (int, []int) {
	b.Helper()
	if os.Getenv(envScale) != "1" {
		b.Skipf("set %s=1 to run the scale benchmarks (they apply %s resources with the real terraform binary; see BENCHMARKS.md)", envScale, envN)
	}
	n := 1000
	if v := os.Getenv(envN); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("%s=%q: want a positive integer", envN, v)
		}
	}
	parallelisms := []int{10, 50}
	if v := os.Getenv(envParallelism); v != "" {
		parallelisms = nil
		for f := range strings.SplitSeq(v, ",") {
			p, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || p < 1 {
				b.Fatalf("%s=%q: want comma-separated positive integers", envParallelism, v)
			}
			parallelisms = append(parallelisms, p)
		}
	}
	return n, parallelisms
}

// terraformPath is TF_ACC_TERRAFORM_PATH or the pinned .tools/bin/terraform.
func terraformPath(b *testing.B) string {
	b.Helper()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		tf = filepath.Join(acctest.RepoRoot(), ".tools", "bin", "terraform")
	}
	out, err := exec.CommandContext(b.Context(), tf, "version").Output()
	if err != nil {
		b.Fatalf("%s version: %v (install the pinned terraform with `make tools`)", tf, err)
	}
	for line := range strings.SplitSeq(string(out), "\n") {
		if strings.HasPrefix(line, "Terraform v") {
			b.Logf("terraform: %s (%s)", tf, line)
		}
	}
	return tf
}

// buildProvider builds the provider binary of this repository into a
// folder for dev_overrides and returns the folder.
func buildProvider(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	cmd := exec.CommandContext(b.Context(), "go", "build", "-o", filepath.Join(dir, "terraform-provider-jitsudo"), ".")
	cmd.Dir = acctest.RepoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build the provider: %v\n%s", err, out)
	}
	return dir
}

// timeProvider returns a folder for dev_overrides that holds
// terraform-provider-time v0.14.2 from .tools/bin (a symbolic link).
func timeProvider(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(acctest.RepoRoot(), ".tools", "bin", "terraform-provider-time")
	out, err := exec.CommandContext(b.Context(), "go", "version", "-m", bin).Output()
	if err != nil || !strings.Contains(string(out), "v0.14.2") {
		b.Fatalf("%s is not terraform-provider-time v0.14.2 (%v); install it with `bash scripts/install-tools.sh terraform-provider-time`", bin, err)
	}
	dir := b.TempDir()
	if err := os.Symlink(bin, filepath.Join(dir, "terraform-provider-time")); err != nil {
		b.Fatal(err)
	}
	return dir
}

// workspace is a terraform working directory with its own CLI
// configuration and environment.
type workspace struct {
	dir         string
	tf          string
	env         []string
	parallelism int
}

// newWorkspace writes config to main.tf in a new folder. overrides maps
// provider sources (e.g. "jitsudo-community/jitsudo") to the folders that
// dev_overrides installs them from. terraform gets the caller's environment
// without TF_* and JITSUDO_* variables, HOME in the workspace (nothing is
// written to the user's home) and extraEnv.
func newWorkspace(b *testing.B, tf string, overrides map[string]string, config string, parallelism int, extraEnv ...string) *workspace {
	b.Helper()
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		b.Fatal(err)
	}
	rc := "provider_installation {\n"
	if len(overrides) > 0 {
		rc += "  dev_overrides {\n"
		for _, source := range slices.Sorted(maps.Keys(overrides)) {
			rc += fmt.Sprintf("    %q = %q\n", source, overrides[source])
		}
		rc += "  }\n"
	}
	rc += "  direct {}\n}\n"
	rcFile := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(rcFile, []byte(rc), 0o600); err != nil {
		b.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "JITSUDO_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	env = append(env, "HOME="+dir, "TF_CLI_CONFIG_FILE="+rcFile, "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1")
	env = append(env, extraEnv...)
	if v := os.Getenv(envExtraEnv); v != "" {
		b.Logf("terraform runs with %s=%q", envExtraEnv, v)
		env = append(env, strings.Fields(v)...)
	}
	return &workspace{dir: dir, tf: tf, env: env, parallelism: parallelism}
}

// runResult is what one terraform command cost.
type runResult struct {
	exitCode    int
	wall        time.Duration
	cpu         time.Duration // terraform and the children it waited for (the providers)
	maxRSS      int64         // bytes, peak RSS of terraform or of the largest child it waited for
	providerCPU time.Duration // sampled from /proc; a lower bound
	providers   int           // provider processes seen
	providerRSS int64         // bytes, the largest peak RSS (VmHWM) of a provider process, sampled
	samplerCPU  time.Duration // CPU time of the provider sampling, in this process
	log         string        // file with terraform's output
}

// run runs terraform with args; its output goes to <name>.log in the
// workspace.
func (w *workspace) run(b *testing.B, name string, args ...string) runResult {
	b.Helper()
	return w.runWrapped(b, name, nil, args...)
}

// runWrapped is run under the command wrapper (nil for none).
func (w *workspace) runWrapped(b *testing.B, name string, wrapper []string, args ...string) runResult {
	b.Helper()
	logFile := filepath.Join(w.dir, name+".log")
	f, err := os.Create(logFile)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	argv := append(slices.Clone(wrapper), w.tf)
	argv = append(argv, args...)
	cmd := exec.CommandContext(b.Context(), argv[0], argv[1:]...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = w.dir, w.env, f, f
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatalf("terraform %s: %v", name, err)
	}
	watch := watchProviders(cmd.Process.Pid)
	err = cmd.Wait()
	res := runResult{wall: time.Since(start), log: logFile}
	res.providerCPU, res.samplerCPU, res.providers, res.providerRSS = watch.stop()
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		res.exitCode = exitErr.ExitCode()
	case err != nil:
		b.Fatalf("terraform %s: %v", name, err)
	}
	res.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.maxRSS = ru.Maxrss * 1024 // kilobytes on Linux
	}
	return res
}

// mustSucceed fails b unless r exited with one of the codes.
func (r runResult) mustSucceed(b *testing.B, what string, codes ...int) {
	b.Helper()
	if slices.Contains(codes, r.exitCode) {
		return
	}
	out, _ := os.ReadFile(r.log)
	if len(out) > 6000 {
		out = append([]byte("...\n"), out[len(out)-6000:]...)
	}
	b.Fatalf("%s exited %d after %s (want %v); end of its output (%s):\n%s", what, r.exitCode, r.wall.Round(time.Millisecond), codes, r.log, out)
}

// logRefreshChanges logs the objects that an empty plan still reports as
// "changed outside of Terraform" (refreshed computed values).
func (r runResult) logRefreshChanges(b *testing.B) {
	b.Helper()
	out, err := os.ReadFile(r.log)
	if err != nil {
		b.Fatal(err)
	}
	var changed []string
	for line := range strings.SplitSeq(string(out), "\n") {
		if addr, ok := strings.CutSuffix(strings.TrimSpace(line), " has changed"); ok && strings.HasPrefix(addr, "# ") {
			changed = append(changed, strings.TrimPrefix(addr, "# "))
		}
	}
	if len(changed) > 0 {
		if len(changed) > 5 {
			changed = append(changed[:5], "...")
		}
		b.Logf("the (empty) plan notes objects changed outside of Terraform: %s", strings.Join(changed, ", "))
	}
}

// requestCounts is a snapshot of jitsudo-local's GET /debug/requests.
type requestCounts struct {
	total    int64
	routes   map[string]int64
	statuses map[string]int64
}

// since returns the requests counted after before.
func (c requestCounts) since(before requestCounts) requestCounts {
	d := requestCounts{total: c.total - before.total, routes: map[string]int64{}, statuses: map[string]int64{}}
	for k, v := range c.routes {
		if v -= before.routes[k]; v != 0 {
			d.routes[k] = v
		}
	}
	for k, v := range c.statuses {
		if v -= before.statuses[k]; v != 0 {
			d.statuses[k] = v
		}
	}
	return d
}

// add accumulates o into c.
func (c *requestCounts) add(o requestCounts) {
	if c.routes == nil {
		c.routes, c.statuses = map[string]int64{}, map[string]int64{}
	}
	c.total += o.total
	for k, v := range o.routes {
		c.routes[k] += v
	}
	for k, v := range o.statuses {
		c.statuses[k] += v
	}
}

// ruleGets counts GET requests of single rules.
func (c requestCounts) ruleGets() int64 {
	var n int64
	for route, v := range c.routes {
		if strings.HasPrefix(route, "GET ") && strings.Contains(route, "/rules/") {
			n += v
		}
	}
	return n
}

// schemaGets counts GET /v1/cedar/schema requests.
func (c requestCounts) schemaGets() int64 { return c.routes["GET /v1/cedar/schema"] }

// non2xx counts responses with a status outside 2xx.
func (c requestCounts) non2xx() int64 {
	var n int64
	for status, v := range c.statuses {
		if !strings.HasPrefix(status, "2") {
			n += v
		}
	}
	return n
}

func (c requestCounts) String() string {
	keys := func(m map[string]int64) string {
		var parts []string
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range m {
				if !yield(k) {
					return
				}
			}
		}) {
			parts = append(parts, fmt.Sprintf("%q: %d", k, m[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprintf("total %d, routes %s, statuses %s", c.total, keys(c.routes), keys(c.statuses))
}

// selfCPU is the CPU time (user+sys) this process has used so far: the
// in-process jitsudo-local, plus the benchmark's own bookkeeping (the
// callers take out the provider sampling, which they measure).
func selfCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// applyAndPlan applies w's configuration once (reported as apply-*), then
// times `terraform plan -detailed-exitcode` per op and fails if a plan is
// not empty. counts is nil when there is no API server.
func applyAndPlan(b *testing.B, w *workspace, counts func() requestCounts) {
	par := fmt.Sprintf("-parallelism=%d", w.parallelism)
	var before requestCounts
	if counts != nil {
		before = counts()
	}
	srvCPU := selfCPU(b)
	apply := w.run(b, "apply", "apply", "-auto-approve", "-input=false", "-no-color", par)
	apply.mustSucceed(b, "terraform apply", 0)
	srvCPU = selfCPU(b) - srvCPU - apply.samplerCPU
	// The metrics of the apply are reported after the plans: b.Loop resets
	// the metrics reported before it.
	metrics := map[string]float64{"apply-s": apply.wall.Seconds(), "apply-tf-cpu-s": apply.cpu.Seconds()}
	if fi, err := os.Stat(filepath.Join(w.dir, "terraform.tfstate")); err == nil {
		metrics["state-MB"] = float64(fi.Size()) / (1 << 20)
	}
	if counts != nil {
		reqs := counts().since(before)
		b.Logf("apply: %s wall, terraform+provider CPU %s (%d provider processes: %s sampled), server CPU %s (sampling %s taken out); requests: %s",
			apply.wall.Round(time.Millisecond), apply.cpu.Round(time.Millisecond), apply.providers, apply.providerCPU.Round(time.Millisecond),
			srvCPU.Round(time.Millisecond), apply.samplerCPU.Round(time.Millisecond), reqs)
		metrics["apply-provider-cpu-s"] = apply.providerCPU.Seconds()
		metrics["apply-server-cpu-s"] = srvCPU.Seconds()
		metrics["apply-req"] = float64(reqs.total)
		metrics["apply-schema-req"] = float64(reqs.schemaGets())
		metrics["apply-non2xx"] = float64(reqs.non2xx())
	} else {
		b.Logf("apply: %s wall, terraform CPU %s", apply.wall.Round(time.Millisecond), apply.cpu.Round(time.Millisecond))
	}

	wrapper := strings.Fields(os.Getenv(envPlanWrapper))
	if len(wrapper) > 0 {
		b.Logf("plans run under %s=%q: the figures include its overhead", envPlanWrapper, os.Getenv(envPlanWrapper))
	}
	var (
		plans, providers                        int
		wall, cpu, providerCPU, server, sampler time.Duration
		maxRSS, providerRSS                     int64
		reqs                                    requestCounts
	)
	for b.Loop() {
		if counts != nil {
			before = counts()
		}
		s := selfCPU(b)
		plan := w.runWrapped(b, fmt.Sprintf("plan-%d", plans), wrapper, "plan", "-detailed-exitcode", "-input=false", "-no-color", par)
		server += selfCPU(b) - s - plan.samplerCPU
		sampler += plan.samplerCPU
		providers += plan.providers
		// 0: no changes. 2 would be a diff right after apply: a bug.
		plan.mustSucceed(b, "terraform plan -detailed-exitcode (right after apply, so it must be empty)", 0)
		if plans == 0 {
			plan.logRefreshChanges(b)
		}
		if counts != nil {
			reqs.add(counts().since(before))
		}
		plans++
		wall += plan.wall
		cpu += plan.cpu
		providerCPU += plan.providerCPU
		maxRSS = max(maxRSS, plan.maxRSS)
		providerRSS = max(providerRSS, plan.providerRSS)
	}
	for unit, v := range metrics {
		b.ReportMetric(v, unit)
	}
	perPlan := func(d time.Duration) float64 { return d.Seconds() / float64(plans) }
	b.ReportMetric(perPlan(wall), "s/op")
	b.ReportMetric(perPlan(cpu), "tf-cpu-s/op")
	b.ReportMetric(float64(maxRSS)/(1<<20), "tf-maxrss-MB")
	if providers > 0 {
		b.ReportMetric(perPlan(providerCPU), "provider-cpu-s/op")
		b.ReportMetric(float64(providerRSS)/(1<<20), "provider-maxrss-MB")
	}
	if counts == nil {
		b.Logf("%d plan(s): %.2fs wall, terraform CPU %.2fs (%d provider processes: %.2fs sampled) per plan",
			plans, perPlan(wall), perPlan(cpu), providers/plans, perPlan(providerCPU))
		return
	}
	b.ReportMetric(perPlan(server), "server-cpu-s/op")
	b.ReportMetric(float64(reqs.total)/float64(plans), "req/op")
	b.ReportMetric(float64(reqs.ruleGets())/float64(plans), "rule-get-req/op")
	b.ReportMetric(float64(reqs.schemaGets())/float64(plans), "schema-req/op")
	b.ReportMetric(float64(reqs.non2xx())/float64(plans), "non2xx/op")
	b.Logf("%d plan(s): %.2fs wall, terraform+provider CPU %.2fs (%d provider processes: %.2fs sampled), server CPU %.2fs (sampling %.3fs taken out) per plan; requests of all plans: %s",
		plans, perPlan(wall), perPlan(cpu), providers/plans, perPlan(providerCPU), perPlan(server), perPlan(sampler), reqs)
}

// providerWatch samples the CPU time of the provider processes that a
// terraform process starts (several per command: terraform starts a
// provider for its schema and again for each phase).
type providerWatch struct {
	done    chan struct{}
	stopped chan struct{}
	cpu     map[int]time.Duration // per provider pid, the last sample
	hwm     int64                 // bytes, the largest VmHWM sampled
	self    time.Duration         // CPU time of the sampling itself (in this process)
}

// watchProviders samples the descendants of parent named
// terraform-provider-* every 50ms until stop.
func watchProviders(parent int) *providerWatch {
	w := &providerWatch{done: make(chan struct{}), stopped: make(chan struct{}), cpu: map[int]time.Duration{}}
	go func() {
		defer close(w.stopped)
		// The sampling runs on a thread of its own, so that its CPU time
		// can be measured and taken out of the server's.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		start := threadCPU()
		defer func() { w.self = threadCPU() - start }()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			// Breadth-first through the descendants (terraform may run
			// under a wrapper), not into the providers themselves.
			for queue := children(parent); len(queue) > 0; queue = queue[1:] {
				pid := queue[0]
				if cpu, ok := providerCPU(pid); ok {
					w.cpu[pid] = cpu
					w.hwm = max(w.hwm, providerHWM(pid))
				} else {
					queue = append(queue, children(pid)...)
				}
			}
			select {
			case <-w.done:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

// stop ends the sampling and returns the providers' total CPU, the CPU
// time the sampling took in this process and the number of provider
// processes seen.
func (w *providerWatch) stop() (cpu, self time.Duration, processes int, maxRSS int64) {
	close(w.done)
	<-w.stopped
	for _, c := range w.cpu {
		cpu += c
	}
	return cpu, w.self, len(w.cpu), w.hwm
}

// children lists the children of pid from /proc/<pid>/task/*/children
// (each thread lists the children it started).
func children(pid int) []int {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	tasks, _ := os.ReadDir(dir)
	var out []int
	for _, t := range tasks {
		data, err := os.ReadFile(filepath.Join(dir, t.Name(), "children"))
		if err != nil {
			continue
		}
		for field := range strings.FieldsSeq(string(data)) {
			if n, err := strconv.Atoi(field); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// threadCPU is the CPU time (user+sys) of the calling thread.
func threadCPU() time.Duration {
	const rusageThread = 1 // RUSAGE_THREAD, Linux
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// providerHWM is the peak resident set size (VmHWM) of pid in bytes, or 0.
func providerHWM(pid int) int64 {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat:
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// providerCPU reads the CPU time (utime+stime) of pid if it is a
// terraform provider process.
func providerCPU(pid int) (time.Duration, bool) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// pid (comm) state ppid ... utime(14) stime(15); comm is at most 15
	// bytes and may hold spaces, so split after its closing parenthesis.
	open, end := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
	if open < 0 || end < open || !strings.HasPrefix(string(stat[open+1:end]), "terraform-prov") {
		return 0, false
	}
	fields := strings.Fields(string(stat[end+1:]))
	if len(fields) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, true
}
