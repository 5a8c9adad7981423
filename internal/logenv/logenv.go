// Package logenv switches off the log lines of the plugin SDKs when
// Terraform would discard them anyway.
//
// terraform-plugin-go and terraform-plugin-framework log every RPC at trace
// level, as JSON lines on the provider's stderr, unless TF_LOG_SDK,
// TF_LOG_SDK_PROTO and TF_LOG_SDK_FRAMEWORK say otherwise (they read these
// variables when they create their loggers, at the start of each RPC), and
// the provider's own tflog lines default to trace as well
// (TF_LOG_PROVIDER_JITSUDO). Terraform reads every one of those lines
// (go-plugin's Client.logStderr parses each as JSON) and passes it to its
// provider logger, whose level is TF_LOG_PROVIDER, else TF_LOG, else off
// (internal/logging.NewProviderLogger and providerLogLevel in
// hashicorp/terraform v1.8.5). With neither set the lines are dropped
// unless TF_TEMP_LOG_PATH adds a trace-level sink (main.go), yet writing,
// reading and parsing them costs about a third of the CPU of a plan.
//
// Quiet sets the SDKs' variables to "off" in exactly that case. Terraform
// starts the provider with its own environment (go-plugin's Client.Start
// appends os.Environ()), so the provider sees the variables terraform
// decides by.
package logenv

import (
	"os"
	"strings"
)

// Off lists the variables Quiet sets to "off": the levels of the root SDK
// logger (terraform-plugin-go and -log), of the protocol and framework
// subsystems, and of this provider's own tflog logger
// (TF_LOG_PROVIDER_<name of the provider address>).
var Off = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_JITSUDO"}

// Requested reports whether environ (os.Environ's format) asks for logs
// anywhere: any non-empty variable whose name starts with TF_LOG (TF_LOG,
// TF_LOG_PROVIDER, TF_LOG_CORE, TF_LOG_PATH, TF_LOG_SDK*, TF_LOG_PROVIDER_*,
// ...), TF_TEMP_LOG_PATH (terraform's trace-level log sink) or
// TF_ACC_LOG_PATH (terraform-plugin-log's test sink). It is deliberately
// broader than what terraform itself looks at (only TF_LOG_PROVIDER,
// TF_LOG and TF_TEMP_LOG_PATH let provider lines through): whoever sets
// any of these gets every line, as without this package.
func Requested(environ []string) bool {
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if value == "" {
			continue
		}
		if strings.HasPrefix(name, "TF_LOG") || name == "TF_TEMP_LOG_PATH" || name == "TF_ACC_LOG_PATH" {
			return true
		}
	}
	return false
}

// Quiet sets every variable of Off to "off" unless logs are Requested or
// debug is set (with -debug the provider runs on its own, its stderr is the
// developer's terminal, and terraform's settings do not apply). It returns
// the variables it set. Call it before providerserver.Serve.
func Quiet(debug bool) []string {
	if debug || Requested(os.Environ()) {
		return nil
	}
	for _, name := range Off {
		_ = os.Setenv(name, "off")
	}
	return Off
}
