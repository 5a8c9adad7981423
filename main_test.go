package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestProviderLogs runs `terraform plan` with the provider binary built
// from this package (through dev_overrides, with its stderr also copied to
// a file) and checks internal/logenv end to end: with TF_LOG=trace the
// provider's own tflog lines and the framework's and terraform-plugin-go's
// lines reach terraform's log; with no TF_LOG* variable the provider writes
// no log line at all (the SDK loggers are off); with only TF_LOG_SDK_PROTO
// the protocol lines are written again (terraform drops them, so they only
// show in the copy). It runs the pinned terraform (.tools/bin, or
// TF_ACC_TERRAFORM_PATH) without the API: the plan creates one rule,
// checked against a cedar_schema from the provider block.
func TestProviderLogs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the provider and runs terraform")
	}
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		tf = filepath.Join(".tools", "bin", "terraform")
	}
	tf, err := filepath.Abs(tf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tf); err != nil {
		t.Skip("no Terraform binary: run `make tools` or set TF_ACC_TERRAFORM_PATH")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("needs bash for the stderr copy")
	}

	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	real := filepath.Join(dir, "real", "terraform-provider-jitsudo")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", real, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// dev_overrides runs this script, which runs the provider with its
	// stderr (the log lines) going to terraform and to $STDERR_COPY.
	overrides := filepath.Join(dir, "overrides")
	wrapper := "#!/usr/bin/env bash\nexec " + shellQuote(real) + " \"$@\" 2> >(tee -a \"$STDERR_COPY\" >&2)\n"
	if err := os.MkdirAll(overrides, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(overrides, "terraform-provider-jitsudo"), []byte(wrapper), 0o755); err != nil { //nolint:gosec // an executable script
		t.Fatal(err)
	}
	rc := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(rc, []byte("provider_installation {\n  dev_overrides {\n    \"jitsudo-community/jitsudo\" = \""+overrides+"\"\n  }\n  direct {}\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	schema, err := os.ReadFile(filepath.Join("internal", "cedar", "default.cedarschema"))
	if err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "schema.cedarschema"), schema, 0o600); err != nil {
		t.Fatal(err)
	}
	config := `terraform {
  required_providers {
    jitsudo = { source = "jitsudo-community/jitsudo" }
  }
}

provider "jitsudo" {
  endpoint     = "http://127.0.0.1:1"
  api_key      = "jsk_test_0123456789abcdef"
  tenant_id    = "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0"
  cedar_schema = file("schema.cedarschema")
}

resource "jitsudo_policy_rule" "r" {
  policy_id = "5d0c1b7e-3a51-4f0b-8f43-0d9c4f6b2a10"
  effect    = "permit"
  principal = { scope = "in", entity_type = "Group", entity_id = "sre" }
  action    = { scope = "in", ids = ["request_access"] }
}
`
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}

	// plan runs terraform plan with extra environment and returns
	// terraform's log file (TF_LOG_PATH) and the copy of the provider's
	// stderr.
	plan := func(name string, extra ...string) (tfLog, stderr string) {
		t.Helper()
		logFile, copyFile := filepath.Join(dir, name+".tf.log"), filepath.Join(dir, name+".stderr")
		var env []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "JITSUDO_") && !strings.HasPrefix(kv, "HOME=") {
				env = append(env, kv)
			}
		}
		env = append(env, "HOME="+dir, "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "STDERR_COPY="+copyFile)
		env = append(env, extra...)
		cmd := exec.CommandContext(ctx, tf, "plan", "-input=false", "-no-color")
		cmd.Dir, cmd.Env = work, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("terraform plan (%s): %v\n%s", name, err, out)
		}
		if !strings.Contains(string(out), "1 to add") {
			t.Fatalf("terraform plan (%s) does not plan the rule:\n%s", name, out)
		}
		read := func(f string) string {
			b, err := os.ReadFile(f)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			return string(b)
		}
		return read(logFile), read(copyFile)
	}
	// Lines of the provider (tflog), of the framework (sdk.framework) and of
	// terraform-plugin-go (sdk.proto), as hclog writes them as JSON on the
	// provider's stderr and as terraform writes them into its log.
	lines := map[string]struct{ stderr, tfLog string }{
		"provider":  {`"@message":"Configured JITSudo API client"`, "provider.terraform-provider-jitsudo: Configured JITSudo API client"},
		"framework": {`"@message":"Calling provider defined Resource ModifyPlan"`, "provider.terraform-provider-jitsudo: Calling provider defined Resource ModifyPlan"},
		"protocol":  {`"@module":"sdk.proto"`, "tf_proto_version=6."},
	}

	t.Run("TF_LOG=trace", func(t *testing.T) {
		tfLog, stderr := plan("trace", "TF_LOG=trace", "TF_LOG_PATH="+filepath.Join(dir, "trace.tf.log"))
		for what, l := range lines {
			if !strings.Contains(stderr, l.stderr) {
				t.Errorf("the provider did not write its %s line %s", what, l.stderr)
			}
			if !strings.Contains(tfLog, l.tfLog) {
				t.Errorf("terraform's log (TF_LOG_PATH) lacks the provider's %s line %q", what, l.tfLog)
			}
		}
	})
	t.Run("no TF_LOG variables", func(t *testing.T) {
		// go-plugin's own server logger still writes two lines when the
		// process starts ("configuring server automatic mTLS", "plugin
		// address"); the SDK and provider loggers name their @module.
		_, stderr := plan("quiet")
		if strings.Contains(stderr, `"@module"`) {
			t.Errorf("the provider wrote SDK or provider log lines although terraform discards them:\n%.2000s", stderr)
		}
		if !strings.Contains(stderr, `"@message":"plugin address"`) {
			t.Errorf("no copy of the provider's stderr (%q), so this test proves nothing:\n%.2000s", "plugin address", stderr)
		}
	})
	t.Run("TF_LOG_SDK_PROTO=trace", func(t *testing.T) {
		_, stderr := plan("proto", "TF_LOG_SDK_PROTO=trace")
		if !strings.Contains(stderr, lines["protocol"].stderr) {
			t.Errorf("with TF_LOG_SDK_PROTO=trace the provider did not write protocol lines:\n%.2000s", stderr)
		}
	})
}

// shellQuote quotes s for bash.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
