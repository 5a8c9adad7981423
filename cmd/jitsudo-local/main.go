// Command jitsudo-local is a local implementation of the JITSudo access API
// (internal/api/openapi.yaml) on an embedded SQLite database, for tests,
// demos and trying Terraform configurations offline. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/server"
)

// version is set at build time with -ldflags "-X main.version=<version>".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := server.Main(ctx, version, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
