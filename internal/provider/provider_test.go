package provider

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// Values of a well-formed provider configuration for tests. Nothing
// listens on the endpoint: configuring the provider makes no API call.
const (
	testEndpoint = "http://127.0.0.1:1"
	testAPIKey   = "jsk_test_0123456789abcdef"
	testTenantID = "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0"
)

// TestMain points terraform-plugin-testing at the repository's pinned
// Terraform (.tools/bin/terraform, installed by `make tools`) when
// TF_ACC_TERRAFORM_PATH is not set, so `go test ./internal/provider/` works
// outside make too and never downloads a Terraform binary.
func TestMain(m *testing.M) {
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		if tf := repoTerraform(); tf != "" {
			_ = os.Setenv("TF_ACC_TERRAFORM_PATH", tf)
		}
	}
	_ = os.Setenv("CHECKPOINT_DISABLE", "1")
	os.Exit(m.Run())
}

// repoTerraform is the pinned Terraform binary of this repository, or "".
func repoTerraform() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	tf := filepath.Join(filepath.Dir(file), "..", "..", ".tools", "bin", "terraform")
	if _, err := os.Stat(tf); err != nil {
		return ""
	}
	return tf
}

// requireTerraform skips a test that runs the Terraform CLI when there is
// none; `make test` always provides one.
func requireTerraform(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		t.Skip("no Terraform binary: run `make tools` or set TF_ACC_TERRAFORM_PATH")
	}
}

// clearProviderEnv unsets the provider's environment variables for the
// test, so a developer's own settings cannot leak into it.
func clearProviderEnv(t *testing.T) {
	t.Helper()
	for _, env := range []string{envEndpoint, envAPIKey, envTenantID, envRequestTimeout} {
		t.Setenv(env, "")
	}
}

// checkProvider is the real provider plus one test-only data source,
// jitsudo_provider_check. Terraform validates and configures a provider
// only for configurations that use it, and the provider has no data
// sources of its own yet; the check data source also reports whether
// Configure handed over an API client.
type checkProvider struct {
	*jitsudoProvider
}

func (p checkProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{func() datasource.DataSource { return &checkDataSource{} }}
}

// checkProviderFactories serves checkProvider in-process to Terraform.
var checkProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"jitsudo": providerserver.NewProtocol6WithError(checkProvider{&jitsudoProvider{version: "test"}}),
}

type checkDataSource struct {
	data *providerData
}

func (d *checkDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_provider_check"
}

func (d *checkDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"configured": schema.BoolAttribute{Computed: true},
		},
	}
}

func (d *checkDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	data, ok := req.ProviderData.(*providerData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected Provider Data", "got a value of another type")
		return
	}
	d.data = data
}

func (d *checkDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	configured := d.data != nil && d.data.Client != nil
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("configured"), types.BoolValue(configured))...)
}

func TestProvider_invalidTenantID(t *testing.T) {
	requireTerraform(t)
	clearProviderEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: checkProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "jitsudo" {
  endpoint  = "` + testEndpoint + `"
  api_key   = "` + testAPIKey + `"
  tenant_id = "not-a-uuid"
}

data "jitsudo_provider_check" "test" {}
`,
			ExpectError: regexp.MustCompile(`Invalid JITSudo Tenant ID`),
		}},
	})
}

func TestProvider_invalidRetrySettings(t *testing.T) {
	requireTerraform(t)
	clearProviderEnv(t)
	for name, tc := range map[string]struct {
		settings string
		want     string
	}{
		"endpoint scheme": {`endpoint = "ftp://jitsudo.example.com"`, `Invalid JITSudo Endpoint`},
		"max_retries":     {`max_retries = 11`, `Attribute max_retries value must be between 0 and 10`},
		"retry_wait_min":  {`retry_wait_min = "fast"`, `Invalid Retry Wait Duration`},
		"wait order":      {"retry_wait_min = \"5s\"\n  retry_wait_max = \"1s\"", `Retry Wait Minimum Exceeds Maximum`},
		"request_timeout": {`request_timeout = "30"`, `(?s)Invalid Request Timeout.*request_timeout: "30" is not a Go duration`},
	} {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: checkProviderFactories,
				Steps: []resource.TestStep{{
					Config: `
provider "jitsudo" {
  api_key   = "` + testAPIKey + `"
  tenant_id = "` + testTenantID + `"
  ` + tc.settings + `
}

data "jitsudo_provider_check" "test" {}
`,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

func TestProvider_missingAPIKey(t *testing.T) {
	requireTerraform(t)
	clearProviderEnv(t)
	t.Setenv(envEndpoint, testEndpoint)
	t.Setenv(envTenantID, testTenantID)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: checkProviderFactories,
		Steps: []resource.TestStep{{
			Config:      `data "jitsudo_provider_check" "test" {}`,
			ExpectError: regexp.MustCompile(`(?s)Missing JITSudo API Key.*JITSUDO_API_KEY`),
		}},
	})
}

// TestProvider_invalidRequestTimeoutEnvironment fails the plan at
// request_timeout when JITSUDO_REQUEST_TIMEOUT is not a duration.
func TestProvider_invalidRequestTimeoutEnvironment(t *testing.T) {
	requireTerraform(t)
	clearProviderEnv(t)
	t.Setenv(envEndpoint, testEndpoint)
	t.Setenv(envAPIKey, testAPIKey)
	t.Setenv(envTenantID, testTenantID)
	t.Setenv(envRequestTimeout, "thirty seconds")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: checkProviderFactories,
		Steps: []resource.TestStep{{
			Config:      `data "jitsudo_provider_check" "test" {}`,
			ExpectError: regexp.MustCompile(`(?s)Invalid Request Timeout.*JITSUDO_REQUEST_TIMEOUT.*request_timeout`),
		}},
	})
}

// TestProvider_environment configures the provider from the environment
// alone.
func TestProvider_environment(t *testing.T) {
	requireTerraform(t)
	clearProviderEnv(t)
	t.Setenv(envEndpoint, testEndpoint)
	t.Setenv(envAPIKey, testAPIKey)
	t.Setenv(envTenantID, testTenantID)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: checkProviderFactories,
		Steps: []resource.TestStep{{
			Config: `data "jitsudo_provider_check" "test" {}`,
			Check:  resource.TestCheckResourceAttr("data.jitsudo_provider_check.test", "configured", "true"),
		}},
	})
}

// TestProvider_unknownConfiguration plans with an endpoint that is only
// known after apply: Configure must not fail at plan time, and the
// provider must be configured once the value is known. (The data source
// depends on terraform_data so that Terraform reads it at apply time; read
// at plan time it would see no provider data, which resources and data
// sources must expect.)
func TestProvider_unknownConfiguration(t *testing.T) {
	requireTerraform(t)
	clearProviderEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: checkProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
resource "terraform_data" "endpoint" {}

provider "jitsudo" {
  # terraform_data's id is only known after apply.
  endpoint  = "` + testEndpoint + `/${terraform_data.endpoint.id}"
  api_key   = "` + testAPIKey + `"
  tenant_id = "` + testTenantID + `"
}

data "jitsudo_provider_check" "test" {
  depends_on = [terraform_data.endpoint]
}
`,
			Check: resource.TestCheckResourceAttr("data.jitsudo_provider_check.test", "configured", "true"),
		}},
	})
}

func TestProvider_schema(t *testing.T) {
	ctx := context.Background()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Errorf("diagnostic %s: %s", d.Summary, d.Detail)
	}
	block := resp.Provider.Block
	if block.Description == "" || block.DescriptionKind != tfprotov6.StringKindMarkdown {
		t.Errorf("provider description = %q (%v), want a markdown description", block.Description, block.DescriptionKind)
	}
	var names []string
	for _, a := range block.Attributes {
		names = append(names, a.Name)
		if a.Description == "" || a.DescriptionKind != tfprotov6.StringKindMarkdown {
			t.Errorf("%s: description = %q (%v), want a markdown description", a.Name, a.Description, a.DescriptionKind)
		}
		if !a.Optional || a.Required || a.Computed {
			t.Errorf("%s: want optional only", a.Name)
		}
		if a.Sensitive != (a.Name == "api_key") {
			t.Errorf("%s: sensitive = %v", a.Name, a.Sensitive)
		}
	}
	slices.Sort(names)
	want := []string{"api_key", "cedar_schema", "endpoint", "max_retries", "request_timeout", "retry_wait_max", "retry_wait_min", "schema_findings", "tenant_id"}
	if !slices.Equal(names, want) {
		t.Errorf("attributes = %v, want %v", names, want)
	}

	var p provider.Provider = &jitsudoProvider{version: "test"}
	var sresp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &sresp)
	for _, d := range sresp.Schema.ValidateImplementation(ctx) {
		t.Errorf("schema implementation: %s: %s", d.Summary(), d.Detail())
	}
}

func TestProvider_metadata(t *testing.T) {
	var resp provider.MetadataResponse
	New("1.2.3")().Metadata(context.Background(), provider.MetadataRequest{}, &resp)
	if resp.TypeName != "jitsudo" || resp.Version != "1.2.3" {
		t.Errorf("metadata = %q %q, want jitsudo 1.2.3", resp.TypeName, resp.Version)
	}
}
