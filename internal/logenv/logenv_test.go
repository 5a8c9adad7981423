package logenv

import (
	"os"
	"testing"
)

func TestRequested(t *testing.T) {
	for _, tc := range []struct {
		name    string
		environ []string
		want    bool
	}{
		{"nothing", nil, false},
		{"unrelated", []string{"HOME=/root", "TF_CLI_CONFIG_FILE=/x", "TF_IN_AUTOMATION=1", "PATH=/bin"}, false},
		{"empty TF_LOG", []string{"TF_LOG=", "TF_LOG_PROVIDER="}, false},
		{"TF_LOG", []string{"TF_LOG=trace"}, true},
		{"TF_LOG json", []string{"TF_LOG=JSON"}, true},
		{"TF_LOG off", []string{"TF_LOG=off"}, true},
		{"TF_LOG_PROVIDER", []string{"TF_LOG_PROVIDER=debug"}, true},
		{"TF_LOG_CORE", []string{"TF_LOG_CORE=trace"}, true},
		{"TF_LOG_PATH", []string{"TF_LOG_PATH=/tmp/tf.log"}, true},
		{"TF_LOG_SDK", []string{"TF_LOG_SDK=info"}, true},
		{"TF_LOG_SDK_PROTO", []string{"TF_LOG_SDK_PROTO=trace"}, true},
		{"TF_LOG_SDK_FRAMEWORK", []string{"TF_LOG_SDK_FRAMEWORK=off"}, true},
		{"TF_LOG_PROVIDER_JITSUDO", []string{"TF_LOG_PROVIDER_JITSUDO=debug"}, true},
		{"TF_TEMP_LOG_PATH", []string{"TF_TEMP_LOG_PATH=/tmp/crash.log"}, true},
		{"TF_ACC_LOG_PATH", []string{"TF_ACC_LOG_PATH=/tmp/acc.log"}, true},
		{"lower case is another variable", []string{"tf_log=trace"}, false},
		{"among others", []string{"A=1", "TF_LOG=debug", "B=2"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Requested(tc.environ); got != tc.want {
				t.Errorf("Requested(%q) = %v, want %v", tc.environ, got, tc.want)
			}
		})
	}
}

// clearLogEnv unsets every variable Requested looks at for the test.
func clearLogEnv(t *testing.T) {
	t.Helper()
	for _, name := range append([]string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_CORE", "TF_LOG_PATH", "TF_LOG_PATH_MASK",
		"TF_TEMP_LOG_PATH", "TF_ACC_LOG_PATH"}, Off...) {
		t.Setenv(name, "") // restored after the test
		_ = os.Unsetenv(name)
	}
}

func TestQuiet(t *testing.T) {
	t.Run("no log variables", func(t *testing.T) {
		clearLogEnv(t)
		if got := Quiet(false); len(got) != len(Off) {
			t.Fatalf("Quiet(false) = %q, want %q", got, Off)
		}
		for _, name := range Off {
			if v := os.Getenv(name); v != "off" {
				t.Errorf("%s = %q, want off", name, v)
			}
		}
	})
	t.Run("debug", func(t *testing.T) {
		clearLogEnv(t)
		if got := Quiet(true); got != nil {
			t.Fatalf("Quiet(true) = %q, want nil", got)
		}
		for _, name := range Off {
			if v, ok := os.LookupEnv(name); ok {
				t.Errorf("%s = %q, want unset", name, v)
			}
		}
	})
	t.Run("TF_LOG set", func(t *testing.T) {
		clearLogEnv(t)
		t.Setenv("TF_LOG", "trace")
		if got := Quiet(false); got != nil {
			t.Fatalf("Quiet(false) with TF_LOG = %q, want nil", got)
		}
		for _, name := range Off {
			if v, ok := os.LookupEnv(name); ok {
				t.Errorf("%s = %q, want unset", name, v)
			}
		}
	})
	t.Run("TF_LOG_SDK_PROTO set", func(t *testing.T) {
		clearLogEnv(t)
		t.Setenv("TF_LOG_SDK_PROTO", "trace")
		if got := Quiet(false); got != nil {
			t.Fatalf("Quiet(false) with TF_LOG_SDK_PROTO = %q, want nil", got)
		}
		if v := os.Getenv("TF_LOG_SDK_PROTO"); v != "trace" {
			t.Errorf("TF_LOG_SDK_PROTO = %q, want trace (untouched)", v)
		}
	})
}
