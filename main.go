// Command terraform-provider-jitsudo is the Terraform provider for the
// JITSudo just-in-time AWS access broker.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/logenv"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/provider"
)

// version is set at build time with
// -ldflags "-X main.version=<version>" (see GNUmakefile).
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	// Before Serve: the SDKs read their log levels from the environment
	// (see internal/logenv).
	logenv.Quiet(debug)

	opts := providerserver.ServeOpts{
		Address: "registry.terraform.io/jitsudo-community/jitsudo",
		Debug:   debug,
	}

	if err := providerserver.Serve(context.Background(), provider.New(version), opts); err != nil {
		log.Fatal(err.Error())
	}
}
