// Command terraform-provider-jitsudo is the Terraform provider for the
// JITSudo just-in-time AWS access broker.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/logenv"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/provider"
)

// version is set at build time with -ldflags "-X main.version=<version>":
// by GNUmakefile (VERSION) and by .goreleaser.yml (the release tag without
// its "v"). `terraform-provider-jitsudo -version` prints it.
var version = "dev"

// envCPUProfile, for investigations (BENCHMARKS.md), names a folder: each
// provider process writes its CPU profile there, as cpu-<pid>.pprof, when
// terraform shuts it down.
const envCPUProfile = "JITSUDO_PROVIDER_CPUPROFILE"

// gcPercent is the provider's GOGC when the environment does not set it.
const gcPercent = 200

// memoryLimit is the provider's soft heap limit when GOMEMLIMIT is not set.
// With it the largest provider process of a plan of 10,000 permission sets
// peaked at 280-378 MB, without it at 745-762 MB (BENCHMARKS.md).
const memoryLimit = 384 << 20

func main() {
	var debugMode, showVersion bool
	flag.BoolVar(&debugMode, "debug", false, "run the provider with support for debuggers like delve")
	flag.BoolVar(&showVersion, "version", false, "print the version and exit")
	flag.Parse()

	if showVersion {
		fmt.Println("terraform-provider-jitsudo", version)
		return
	}

	if err := run(debugMode); err != nil {
		log.Fatal(err.Error())
	}
}

func run(debugMode bool) error {
	// Before Serve: the SDKs read their log levels from the environment
	// (see internal/logenv).
	logenv.Quiet(debugMode)

	// Garbage collection half as often as Go's default (GOGC=100), unless
	// GOGC says otherwise: the provider's live heap is small while every
	// RPC allocates a lot. In a plan of 1000 rules the provider processes
	// took 5.3 s of CPU with a peak RSS of 160 MB at 100, 4.1 s and 250 MB
	// at 200, 3.8 s and 340-390 MB at 400 (BENCHMARKS.md).
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	// And a soft limit on the heap, unless GOMEMLIMIT says otherwise: a
	// large jitsudo_permission_sets (10,000 sets, about 100 MB live while
	// its state is converted) would otherwise peak at several times its
	// live heap; near the limit the GC simply runs more often
	// (BENCHMARKS.md, "jitsudo_permission_sets at 10,000").
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}

	if dir := os.Getenv(envCPUProfile); dir != "" {
		stop, err := startCPUProfile(dir)
		if err != nil {
			return err
		}
		defer stop()
	}

	// The framework's server, with jitsudo_permission_sets planned on raw
	// values (internal/provider/permission_sets_plan.go).
	var opts []tf6server.ServeOpt
	if debugMode {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	return tf6server.Serve("registry.terraform.io/jitsudo-community/jitsudo", provider.NewProtocol6Server(version), opts...)
}

// startCPUProfile starts a CPU profile into dir/cpu-<pid>.pprof and returns
// the function that ends it.
func startCPUProfile(dir string) (func(), error) {
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("cpu-%d.pprof", os.Getpid())))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", envCPUProfile, err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("%s: %w", envCPUProfile, err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}
