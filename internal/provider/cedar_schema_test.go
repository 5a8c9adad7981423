package provider

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
)

func TestCheckCedarSchema(t *testing.T) {
	if err := checkCedarSchema(cedar.DefaultSchema()); err != nil {
		t.Errorf("checkCedarSchema(DefaultSchema) = %v", err)
	}
	if err := checkCedarSchema("entity User {"); err == nil || !strings.Contains(err.Error(), "parse schema: <input>:1:14: expected '}' to close record type, got EOF") {
		t.Errorf("checkCedarSchema(broken) = %v, want the schema parser's message", err)
	}
}

// TestProvider_cedarSchemaSettings checks cedar_schema and schema_findings
// at validate time: a broken schema and an unknown schema_findings value
// are attribute errors; valid ones configure the provider.
func TestProvider_cedarSchemaSettings(t *testing.T) {
	requireTerraform(t)
	clearProviderEnv(t)
	for name, tc := range map[string]struct {
		settings string
		want     string // "" means the configuration is valid
	}{
		"broken cedar_schema": {
			"cedar_schema = \"entity User {\"",
			`(?s)Invalid Cedar Schema.*with provider\["registry.terraform.io/hashicorp/jitsudo"\],.*cedar_schema = "entity User \{".*` +
				`cedar_schema: parse schema: <input>:1:14: expected '}' to close record type,\s+got EOF`,
		},
		"cedar_schema naming an undeclared type": {
			"cedar_schema = \"entity User in [Team];\"",
			`(?s)Invalid Cedar Schema.*cedar_schema: resolve schema:`,
		},
		"invalid schema_findings": {
			"schema_findings = \"fatal\"",
			`(?s)Invalid Attribute Value Match.*schema_findings = "fatal".*value must be one of:\s+\["error" "warning"\], got:\s+"fatal"`,
		},
		"valid settings": {
			"cedar_schema    = <<-EOT\n    entity User;\n    action look appliesTo { principal: User, resource: User };\n  EOT\n  schema_findings = \"warning\"",
			"",
		},
	} {
		t.Run(name, func(t *testing.T) {
			step := resource.TestStep{
				Config: `
provider "jitsudo" {
  endpoint  = "` + testEndpoint + `"
  api_key   = "` + testAPIKey + `"
  tenant_id = "` + testTenantID + `"
  ` + tc.settings + `
}

data "jitsudo_provider_check" "test" {}
`,
			}
			if tc.want != "" {
				step.ExpectError = regexp.MustCompile(tc.want)
			} else {
				step.Check = resource.TestCheckResourceAttr("data.jitsudo_provider_check.test", "configured", "true")
			}
			resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: checkProviderFactories, Steps: []resource.TestStep{step}})
		})
	}
}

func TestConfigure_cedarSchema(t *testing.T) {
	clearProviderEnv(t)
	p := New("test")()
	base := map[string]tftypes.Value{"endpoint": str(testEndpoint), "api_key": str(testAPIKey), "tenant_id": str(testTenantID)}
	with := func(extra map[string]tftypes.Value) map[string]tftypes.Value {
		out := map[string]tftypes.Value{}
		for k, v := range base {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	unknown := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	for name, tc := range map[string]struct {
		values                       map[string]tftypes.Value
		configured, asErrors         bool
		unknownSetting, schemaPrefix string
	}{
		"defaults: the API's schema, findings are errors": {base, false, true, "", ""},
		"cedar_schema and warnings": {with(map[string]tftypes.Value{"cedar_schema": str("entity User;"), "schema_findings": str("warning")}),
			true, false, "", "entity User;"},
		"explicit error": {with(map[string]tftypes.Value{"schema_findings": str("error")}), false, true, "", ""},
		// An unknown cedar_schema or schema_findings does not hold up the
		// client; only the schema check waits for it.
		"unknown cedar_schema":    {with(map[string]tftypes.Value{"cedar_schema": unknown}), false, true, "cedar_schema", ""},
		"unknown schema_findings": {with(map[string]tftypes.Value{"schema_findings": unknown}), false, true, "schema_findings", ""},
	} {
		t.Run(name, func(t *testing.T) {
			var resp provider.ConfigureResponse
			p.Configure(context.Background(), provider.ConfigureRequest{Config: providerConfig(t, p, tc.values)}, &resp)
			requireNoError(t, resp.Diagnostics)
			data, ok := resp.ResourceData.(*providerData)
			if !ok || data.Client == nil || data.CedarSchema == nil {
				t.Fatalf("ResourceData = %#v, want a client and a schema source", resp.ResourceData)
			}
			src := data.CedarSchema
			if src.configured != tc.configured || src.asErrors != tc.asErrors || src.unknown != tc.unknownSetting || src.text != tc.schemaPrefix {
				t.Errorf("schema source = configured %v, errors %v, unknown %q, text %q; want %v, %v, %q, %q",
					src.configured, src.asErrors, src.unknown, src.text, tc.configured, tc.asErrors, tc.unknownSetting, tc.schemaPrefix)
			}
			if cedarSchemaFromProviderData(resp.ResourceData) != src {
				t.Error("cedarSchemaFromProviderData does not return the source")
			}
		})
	}
	if cedarSchemaFromProviderData(nil) != nil {
		t.Error("cedarSchemaFromProviderData(nil) != nil")
	}
}

// schemaServer serves GET /v1/cedar/schema with handler and counts the
// requests.
func schemaServer(t *testing.T, handler http.HandlerFunc) (*client.Client, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/v1/cedar/schema" {
			t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
			http.NotFound(w, r)
			return
		}
		n.Add(1)
		handler(w, r)
	}))
	t.Cleanup(srv.Close)
	return testSchemaClient(t, srv.URL), &n
}

func testSchemaClient(t *testing.T, endpoint string) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{Endpoint: endpoint, APIKey: testAPIKey, TenantID: testTenantID, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func TestCedarSchemaSource(t *testing.T) {
	apiError := func(status int, code string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, status, map[string]any{"code": code, "message": code})
		}
	}
	schema := func(text, format string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, http.StatusOK, map[string]any{"schema": text, "format": format})
		}
	}
	for name, tc := range map[string]struct {
		handler http.HandlerFunc
		warning string // "" means the schema is used
	}{
		"the API's schema":     {schema(cedar.DefaultSchema(), "cedarschema"), ""},
		"not found":            {apiError(http.StatusNotFound, "not_found"), "404 not_found"},
		"server error":         {apiError(http.StatusInternalServerError, "internal"), "500 internal"},
		"unavailable":          {apiError(http.StatusServiceUnavailable, "unavailable"), "503"},
		"a schema that breaks": {schema("entity User {", "cedarschema"), "it is not a valid Cedar schema: parse schema:"},
		"another format":       {schema("{}", "json"), `unsupported format "json"`},
	} {
		t.Run(name, func(t *testing.T) {
			c, requests := schemaServer(t, tc.handler)
			src := &cedarSchemaSource{client: c, asErrors: true}
			// Many rules are planned concurrently: one fetch, one warning.
			var wg sync.WaitGroup
			var mu sync.Mutex
			var warnings []string
			schemas := map[*cedar.Schema]bool{}
			for range 20 {
				wg.Go(func() {
					s, origin, warning := src.get(context.Background())
					mu.Lock()
					defer mu.Unlock()
					schemas[s] = true
					if warning != "" {
						warnings = append(warnings, warning)
					}
					if origin != cedarSchemaOriginAPI {
						t.Errorf("origin = %q", origin)
					}
				})
			}
			wg.Wait()
			if n := requests.Load(); n != 1 {
				t.Errorf("%d requests for the schema, want 1", n)
			}
			if len(schemas) != 1 {
				t.Errorf("callers got %d different schemas", len(schemas))
			}
			if tc.warning == "" {
				if len(warnings) != 0 || schemas[nil] {
					t.Errorf("warnings %q, schemas %v; want the schema and no warning", warnings, schemas)
				}
				return
			}
			if !schemas[nil] {
				t.Error("a schema was returned, want none")
			}
			if len(warnings) != 1 || !strings.Contains(warnings[0], tc.warning) || !strings.Contains(warnings[0], "checked for Cedar syntax only") {
				t.Errorf("warnings = %q, want one containing %q", warnings, tc.warning)
			}
		})
	}

	t.Run("nothing listens", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		endpoint := "http://" + ln.Addr().String()
		_ = ln.Close()
		src := &cedarSchemaSource{client: testSchemaClient(t, endpoint)}
		if s, _, warning := src.get(context.Background()); s != nil || !strings.Contains(warning, "GET /v1/cedar/schema") {
			t.Errorf("get() = %v, %q; want no schema and a warning", s, warning)
		}
		if s, _, warning := src.get(context.Background()); s != nil || warning != "" {
			t.Errorf("second get() = %v, %q; want no schema and no second warning", s, warning)
		}
	})

	t.Run("cedar_schema is used without the API", func(t *testing.T) {
		c, requests := schemaServer(t, schema(cedar.DefaultSchema(), "cedarschema"))
		src := &cedarSchemaSource{client: c, configured: true, text: "entity Box;\naction open appliesTo { principal: Box, resource: Box };"}
		s, origin, warning := src.get(context.Background())
		if s == nil || warning != "" || origin != cedarSchemaOriginProvider {
			t.Errorf("get() = %v, %q, %q; want the provider's schema", s, origin, warning)
		}
		if n := requests.Load(); n != 0 {
			t.Errorf("%d requests for the API's schema, want none", n)
		}
	})
}
