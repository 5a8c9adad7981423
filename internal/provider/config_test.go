package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
)

// env is a fake environment for resolveSettings.
type env map[string]string

func (e env) get(k string) string { return e[k] }

// fullEnv sets every variable the provider reads.
var fullEnv = env{envEndpoint: testEndpoint, envAPIKey: testAPIKey, envTenantID: testTenantID}

// nullModel is a provider block that sets nothing.
func nullModel() providerModel {
	return providerModel{
		Endpoint:       types.StringNull(),
		APIKey:         types.StringNull(),
		TenantID:       types.StringNull(),
		MaxRetries:     types.Int64Null(),
		RetryWaitMin:   types.StringNull(),
		RetryWaitMax:   types.StringNull(),
		RequestTimeout: types.StringNull(),
		CedarSchema:    types.StringNull(),
		SchemaFindings: types.StringNull(),
	}
}

func TestResolveSettings(t *testing.T) {
	t.Run("environment and defaults", func(t *testing.T) {
		s, diags := resolveSettings(nullModel(), fullEnv.get)
		requireNoError(t, diags)
		want := settings{
			Endpoint: testEndpoint, APIKey: testAPIKey, TenantID: testTenantID,
			MaxRetries: defaultMaxRetries, RetryWaitMin: defaultRetryWaitMin, RetryWaitMax: defaultRetryWaitMax,
			RequestTimeout: 30 * time.Second,
			APIKeySource:   envAPIKey, SchemaFindings: schemaFindingsError,
		}
		if s != want {
			t.Errorf("settings = %+v, want %+v", s, want)
		}
	})

	t.Run("provider block wins over environment", func(t *testing.T) {
		m := nullModel()
		m.Endpoint = types.StringValue("https://jitsudo.example.com/api")
		m.APIKey = types.StringValue("block-key")
		m.TenantID = types.StringValue("5BF77342-221C-11EE-BE56-0242AC120002")
		m.MaxRetries = types.Int64Value(0)
		m.RetryWaitMin = types.StringValue("100ms")
		m.RetryWaitMax = types.StringValue("2s")
		m.RequestTimeout = types.StringValue("1m30s")
		m.CedarSchema = types.StringValue("entity User;")
		m.SchemaFindings = types.StringValue(schemaFindingsWarning)
		e := env{envEndpoint: testEndpoint, envAPIKey: testAPIKey, envTenantID: testTenantID, envRequestTimeout: "5s"}
		s, diags := resolveSettings(m, e.get)
		requireNoError(t, diags)
		want := settings{
			Endpoint: "https://jitsudo.example.com/api", APIKey: "block-key", TenantID: "5BF77342-221C-11EE-BE56-0242AC120002",
			MaxRetries: 0, RetryWaitMin: 100 * time.Millisecond, RetryWaitMax: 2 * time.Second,
			RequestTimeout: 90 * time.Second,
			APIKeySource:   "provider block",
			CedarSchema:    "entity User;", CedarSchemaSet: true, SchemaFindings: schemaFindingsWarning,
		}
		if s != want {
			t.Errorf("settings = %+v, want %+v", s, want)
		}
	})

	t.Run("request timeout from environment", func(t *testing.T) {
		e := env{envEndpoint: testEndpoint, envAPIKey: testAPIKey, envTenantID: testTenantID, envRequestTimeout: "750ms"}
		s, diags := resolveSettings(nullModel(), e.get)
		requireNoError(t, diags)
		if s.RequestTimeout != 750*time.Millisecond {
			t.Errorf("RequestTimeout = %s, want 750ms from %s", s.RequestTimeout, envRequestTimeout)
		}
	})

	for name, tc := range map[string]struct {
		model   func(*providerModel)
		env     env
		path    path.Path
		summary string
		detail  string // a substring of the detail
	}{
		"missing endpoint": {
			env: env{envAPIKey: testAPIKey, envTenantID: testTenantID}, path: pathEndpoint,
			summary: "Missing JITSudo Endpoint", detail: envEndpoint,
		},
		"missing api key": {
			env: env{envEndpoint: testEndpoint, envTenantID: testTenantID}, path: pathAPIKey,
			summary: "Missing JITSudo API Key", detail: "Set api_key in the provider block or the JITSUDO_API_KEY environment variable",
		},
		"empty api key in block": {
			model: func(m *providerModel) { m.APIKey = types.StringValue("") }, env: fullEnv, path: pathAPIKey,
			summary: "Missing JITSudo API Key", detail: envAPIKey,
		},
		"missing tenant": {
			env: env{envEndpoint: testEndpoint, envAPIKey: testAPIKey}, path: pathTenantID,
			summary: "Missing JITSudo Tenant ID", detail: envTenantID,
		},
		"malformed endpoint in environment": {
			env: env{envEndpoint: "jitsudo.example.com", envAPIKey: testAPIKey, envTenantID: testTenantID}, path: pathEndpoint,
			summary: "Invalid JITSudo Endpoint", detail: `The JITSUDO_ENDPOINT environment variable, which the provider reads because endpoint is not set in the provider block, is invalid: "jitsudo.example.com" is not an http:// or https:// base URL: it does not start with http:// or https://.`,
		},
		"malformed tenant in environment": {
			env: env{envEndpoint: testEndpoint, envAPIKey: testAPIKey, envTenantID: "tenant-1"}, path: pathTenantID,
			summary: "Invalid JITSudo Tenant ID", detail: `JITSUDO_TENANT_ID environment variable, which the provider reads because tenant_id is not set in the provider block, is invalid: "tenant-1" is not a UUID`,
		},
		"malformed tenant in block": {
			model: func(m *providerModel) { m.TenantID = types.StringValue("2489e9ad2ee28e008ec932d5f69181c0") }, env: fullEnv, path: pathTenantID,
			summary: "Invalid JITSudo Tenant ID", detail: `The tenant_id set in the provider block is invalid: "2489e9ad2ee28e008ec932d5f69181c0" is not a UUID`,
		},
		"malformed wait": {
			model: func(m *providerModel) { m.RetryWaitMax = types.StringValue("10") }, env: fullEnv, path: pathRetryWaitMax,
			summary: "Invalid Retry Wait Duration", detail: `"10"`,
		},
		"malformed request timeout in environment": {
			env: env{envEndpoint: testEndpoint, envAPIKey: testAPIKey, envTenantID: testTenantID, envRequestTimeout: "30"}, path: pathRequestTimeout,
			summary: "Invalid Request Timeout", detail: `The JITSUDO_REQUEST_TIMEOUT environment variable, which the provider reads because request_timeout is not set in the provider block, is invalid: "30" is not a Go duration such as 30s, 90s or 2m.`,
		},
		"negative request timeout in environment": {
			env: env{envEndpoint: testEndpoint, envAPIKey: testAPIKey, envTenantID: testTenantID, envRequestTimeout: "-1s"}, path: pathRequestTimeout,
			summary: "Invalid Request Timeout", detail: `"-1s" is not a positive duration`,
		},
		"malformed request timeout in block": {
			model: func(m *providerModel) { m.RequestTimeout = types.StringValue("soon") }, env: fullEnv, path: pathRequestTimeout,
			summary: "Invalid Request Timeout", detail: `The request_timeout set in the provider block is invalid: "soon" is not a Go duration`,
		},
		"min above default max": {
			model: func(m *providerModel) { m.RetryWaitMin = types.StringValue("1h") }, env: fullEnv, path: pathRetryWaitMin,
			summary: "Retry Wait Minimum Exceeds Maximum", detail: "the default retry_wait_max",
		},
	} {
		t.Run(name, func(t *testing.T) {
			m := nullModel()
			if tc.model != nil {
				tc.model(&m)
			}
			_, diags := resolveSettings(m, tc.env.get)
			if diags.ErrorsCount() != 1 {
				t.Fatalf("want exactly one error, got %v", diags)
			}
			d := diags.Errors()[0]
			withPath, ok := d.(diag.DiagnosticWithPath)
			if !ok || !withPath.Path().Equal(tc.path) {
				t.Errorf("error is not on attribute %s: %v", tc.path, d)
			}
			if d.Summary() != tc.summary || !strings.Contains(d.Detail(), tc.detail) {
				t.Errorf("error = %q: %q, want %q with %q", d.Summary(), d.Detail(), tc.summary, tc.detail)
			}
		})
	}

	t.Run("nothing set reports every missing value", func(t *testing.T) {
		_, diags := resolveSettings(nullModel(), env{}.get)
		if diags.ErrorsCount() != 3 {
			t.Errorf("want 3 errors (endpoint, api_key, tenant_id), got %v", diags)
		}
	})
}

func requireNoError(t *testing.T, diags diag.Diagnostics) {
	t.Helper()
	if diags.HasError() {
		t.Fatalf("unexpected errors: %v", diags)
	}
}

func TestCheckEndpoint(t *testing.T) {
	for _, ok := range []string{
		"http://127.0.0.1:8080", "https://jitsudo.example.com", "https://jitsudo.example.com/", "https://example.com/jitsudo/api",
	} {
		if err := client.CheckEndpoint(ok); err != nil {
			t.Errorf("client.CheckEndpoint(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{
		"", "jitsudo.example.com", "127.0.0.1:8080", "ftp://example.com", "https://", "http:///path",
		"https://user:pw@example.com", "https://example.com/?tenant=x", "https://example.com/#top", "http://exa mple.com",
	} {
		if err := client.CheckEndpoint(bad); err == nil {
			t.Errorf("client.CheckEndpoint(%q) = nil, want an error", bad)
		}
	}
}

func TestCheckUUID(t *testing.T) {
	for _, ok := range []string{testTenantID, "5BF77342-221C-11EE-BE56-0242AC120002", "00000000-0000-0000-0000-000000000000"} {
		if err := checkUUID(ok); err != nil {
			t.Errorf("checkUUID(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{
		"", "not-a-uuid", "2489e9ad2ee28e008ec932d5f69181c0", "{2489e9ad-2ee2-8e00-8ec9-32d5f69181c0}",
		"urn:uuid:2489e9ad-2ee2-8e00-8ec9-32d5f69181c0", "2489e9ad-2ee2-8e00-8ec9-32d5f69181c", "g489e9ad-2ee2-8e00-8ec9-32d5f69181c0",
		" " + testTenantID,
	} {
		if err := checkUUID(bad); err == nil {
			t.Errorf("checkUUID(%q) = nil, want an error", bad)
		}
	}
}

func TestCheckWait(t *testing.T) {
	for _, ok := range []string{"250ms", "1s", "1m30s", "2h"} {
		if err := checkWait(ok); err != nil {
			t.Errorf("checkWait(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"", "0", "0s", "-1s", "10", "1 second", "PT1S"} {
		if err := checkWait(bad); err == nil {
			t.Errorf("checkWait(%q) = nil, want an error", bad)
		}
	}
}

func TestCheckTimeout(t *testing.T) {
	for _, ok := range []string{"1ms", "1s", "30s", "1m30s", "2h"} {
		if err := checkTimeout(ok); err != nil {
			t.Errorf("checkTimeout(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"", "0", "0s", "-1s", "30", "30 seconds", "PT30S"} {
		if err := checkTimeout(bad); err == nil {
			t.Errorf("checkTimeout(%q) = nil, want an error", bad)
		}
	}
}

func TestStringValueCheck(t *testing.T) {
	v := providerValueCheck("Invalid JITSudo Tenant ID", "value must be a UUID", checkUUID)
	ctx := context.Background()
	for name, tc := range map[string]struct {
		value   types.String
		wantErr bool
	}{
		"null":    {types.StringNull(), false},
		"unknown": {types.StringUnknown(), false},
		"valid":   {types.StringValue(testTenantID), false},
		"invalid": {types.StringValue("not-a-uuid"), true},
	} {
		t.Run(name, func(t *testing.T) {
			var resp validator.StringResponse
			v.ValidateString(ctx, validator.StringRequest{Path: pathTenantID, ConfigValue: tc.value}, &resp)
			if resp.Diagnostics.HasError() != tc.wantErr {
				t.Fatalf("errors = %v, want error %v", resp.Diagnostics, tc.wantErr)
			}
			if tc.wantErr {
				d := resp.Diagnostics.Errors()[0]
				if d.Summary() != "Invalid JITSudo Tenant ID" || !strings.Contains(d.Detail(), `tenant_id: "not-a-uuid" is not a UUID`) {
					t.Errorf("error = %q: %q", d.Summary(), d.Detail())
				}
			}
		})
	}
}
