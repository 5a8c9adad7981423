package provider

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
)

// providerConfig builds the provider block with the given attribute values;
// the others are null.
func providerConfig(t *testing.T, p provider.Provider, values map[string]tftypes.Value) tfsdk.Config {
	t.Helper()
	ctx := context.Background()
	var resp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &resp)
	typ, ok := resp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatal("provider schema is not an object")
	}
	attrs := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, at := range typ.AttributeTypes {
		attrs[name] = tftypes.NewValue(at, nil)
		if v, ok := values[name]; ok {
			attrs[name] = v
		}
	}
	return tfsdk.Config{Raw: tftypes.NewValue(typ, attrs), Schema: resp.Schema}
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

func TestConfigure(t *testing.T) {
	clearProviderEnv(t)
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	p := New("test")()

	var resp provider.ConfigureResponse
	p.Configure(ctx, provider.ConfigureRequest{Config: providerConfig(t, p, map[string]tftypes.Value{
		"endpoint":    str(testEndpoint),
		"api_key":     str(testAPIKey),
		"tenant_id":   str(testTenantID),
		"max_retries": tftypes.NewValue(tftypes.Number, 0),
	})}, &resp)
	requireNoError(t, resp.Diagnostics)

	data, ok := resp.ResourceData.(*providerData)
	if !ok || data.Client == nil {
		t.Fatalf("ResourceData = %#v, want *providerData with a client", resp.ResourceData)
	}
	if resp.DataSourceData != resp.ResourceData {
		t.Errorf("DataSourceData = %#v, want the ResourceData", resp.DataSourceData)
	}
	if !strings.Contains(logs.String(), "Configuring JITSudo API client") {
		t.Errorf("no debug log of the configuration in %s", logs.String())
	}
	if strings.Contains(logs.String(), testAPIKey) {
		t.Errorf("the API key appears in the log: %s", logs.String())
	}
}

func TestConfigure_errors(t *testing.T) {
	clearProviderEnv(t)
	p := New("test")()
	var resp provider.ConfigureResponse
	p.Configure(context.Background(), provider.ConfigureRequest{Config: providerConfig(t, p, map[string]tftypes.Value{
		"endpoint": str("jitsudo.example.com"),
	})}, &resp)
	if resp.Diagnostics.ErrorsCount() != 3 {
		t.Errorf("want errors for endpoint, api_key and tenant_id, got %v", resp.Diagnostics)
	}
	if resp.ResourceData != nil || resp.DataSourceData != nil {
		t.Errorf("provider data set despite errors")
	}
}

func TestConfigure_unknown(t *testing.T) {
	clearProviderEnv(t)
	p := New("test")()
	config := providerConfig(t, p, map[string]tftypes.Value{
		"endpoint":  tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"api_key":   str(testAPIKey),
		"tenant_id": str(testTenantID),
	})

	t.Run("no deferral", func(t *testing.T) {
		var resp provider.ConfigureResponse
		p.Configure(context.Background(), provider.ConfigureRequest{Config: config}, &resp)
		requireNoError(t, resp.Diagnostics)
		if resp.ResourceData != nil || resp.DataSourceData != nil || resp.Deferred != nil {
			t.Errorf("want no provider data and no deferral, got %+v", resp)
		}
	})

	t.Run("deferral allowed", func(t *testing.T) {
		var resp provider.ConfigureResponse
		p.Configure(context.Background(), provider.ConfigureRequest{
			Config:             config,
			ClientCapabilities: provider.ConfigureProviderClientCapabilities{DeferralAllowed: true},
		}, &resp)
		requireNoError(t, resp.Diagnostics)
		if resp.Deferred == nil || resp.Deferred.Reason != provider.DeferredReasonProviderConfigUnknown {
			t.Errorf("Deferred = %+v, want provider config unknown", resp.Deferred)
		}
	})
}

func TestClientMaxRetries(t *testing.T) {
	// client.Config takes 0 as "the default" and client.NoRetries as "never".
	for in, want := range map[int]int{0: client.NoRetries, 1: 1, 4: 4, 10: 10} {
		if got := clientMaxRetries(in); got != want {
			t.Errorf("clientMaxRetries(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestClientLogger(t *testing.T) {
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	fields := map[string]any{
		"url":       "http://127.0.0.1:1/v1/policies?key=" + testAPIKey,
		"api_key":   "anything",
		"header":    http.Header{"X-Api-Key": {testAPIKey}, "Accept": {"application/json"}},
		"values":    []string{"a", "x" + testAPIKey},
		"status":    200,
		"tenant_id": testTenantID,
	}
	clientLogger{apiKey: testAPIKey}.Debug(ctx, "jitsudo API request with "+testAPIKey, fields)

	out := logs.String()
	if strings.Contains(out, testAPIKey) || strings.Contains(out, "anything") {
		t.Errorf("secret in log output: %s", out)
	}
	for _, want := range []string{"jitsudo API request with ***", testTenantID, "application/json", `"status":200`} {
		if !strings.Contains(out, want) {
			t.Errorf("log output lacks %q: %s", want, out)
		}
	}
	if fields["values"].([]string)[1] != "x"+testAPIKey {
		t.Errorf("the caller's fields were modified")
	}
}
