// Package provider implements the jitsudo Terraform provider with the
// terraform-plugin-framework.
package provider

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
)

// Environment variables read for attributes the provider block leaves unset.
const (
	envEndpoint = "JITSUDO_ENDPOINT"
	envAPIKey   = "JITSUDO_API_KEY"
	envTenantID = "JITSUDO_TENANT_ID"
	// envRequestTimeout is the fallback of request_timeout, a Go duration.
	envRequestTimeout = "JITSUDO_REQUEST_TIMEOUT"
)

// Defaults of the optional retry settings: the API client's.
const (
	defaultMaxRetries   = client.DefaultMaxRetries
	maxMaxRetries       = 10
	defaultRetryWaitMin = client.DefaultRetryWaitMin
	defaultRetryWaitMax = client.DefaultRetryWaitMax
	// defaultRequestTimeout bounds each HTTP attempt (30s).
	defaultRequestTimeout = client.DefaultTimeout
)

// requestTimeoutAttr names request_timeout in the client's errors.
const requestTimeoutAttr = "request_timeout"

var (
	_ provider.Provider                   = (*jitsudoProvider)(nil)
	_ provider.ProviderWithValidateConfig = (*jitsudoProvider)(nil)
	_ provider.ProviderWithFunctions      = (*jitsudoProvider)(nil)
	_ provider.ProviderWithListResources  = (*jitsudoProvider)(nil)
)

// New returns a constructor of the provider for providerserver.Serve and
// for tests. version is the provider's release version ("dev" for local
// builds, "test" in tests).
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &jitsudoProvider{version: version}
	}
}

// providerTypeName is the provider's type name, the prefix of its
// resource and data source type names.
const providerTypeName = "jitsudo"

// jitsudoProvider is the provider.Provider of the jitsudo provider.
type jitsudoProvider struct {
	version string
}

// providerModel maps the provider block.
type providerModel struct {
	Endpoint     types.String `tfsdk:"endpoint"`
	APIKey       types.String `tfsdk:"api_key"`
	TenantID     types.String `tfsdk:"tenant_id"`
	MaxRetries   types.Int64  `tfsdk:"max_retries"`
	RetryWaitMin types.String `tfsdk:"retry_wait_min"`
	RetryWaitMax types.String `tfsdk:"retry_wait_max"`
	// RequestTimeout bounds each HTTP attempt.
	RequestTimeout types.String `tfsdk:"request_timeout"`
	// CedarSchema and SchemaFindings configure the plan-time Cedar schema
	// check of jitsudo_policy_rule (see cedarSchemaSource).
	CedarSchema    types.String `tfsdk:"cedar_schema"`
	SchemaFindings types.String `tfsdk:"schema_findings"`
}

// providerData is what Configure hands to resources and data sources as
// their ProviderData.
//
// ProviderData is nil when Configure has not run yet (during validation)
// and when the provider configuration still holds unknown values at plan
// time (for example an endpoint taken from a resource that is not created
// yet); resources must treat nil as "not configured yet", not as an error.
type providerData struct {
	Client *client.Client
	// CedarSchema is the Cedar schema jitsudo_policy_rule checks rules
	// against at plan time, with the schema_findings setting: the provider
	// block's cedar_schema, or the API's schema, fetched at most once per
	// provider instance (one Terraform command). Never nil when Client is
	// set.
	CedarSchema *cedarSchemaSource
	// Caches serve Reads from list responses (refresh by list). Never nil
	// when Client is set.
	Caches *refreshCaches
	// InternalRoles is the tenant's internal roles, fetched at most once
	// per provider instance, for the role names of plans. Never nil when
	// Client is set.
	InternalRoles *internalRolesCache
}

func (p *jitsudoProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = providerTypeName
	resp.Version = p.version
}

func (p *jitsudoProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The JITSudo provider manages the configuration of a JITSudo just-in-time " +
			"AWS access broker through the JITSudo API. Every attribute is optional in the provider " +
			"block: `endpoint`, `api_key` and `tenant_id` fall back to the `" + envEndpoint + "`, `" +
			envAPIKey + "` and `" + envTenantID + "` environment variables, and the three must be set " +
			"one way or the other.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "Base URL of the JITSudo API, an `http://` or `https://` URL such as " +
					"`https://jitsudo.example.com` or `http://127.0.0.1:8080` for `jitsudo-local`. " +
					"Defaults to the `" + envEndpoint + "` environment variable.",
				Optional: true,
				Validators: []validator.String{
					providerValueCheck("Invalid JITSudo Endpoint", "value must be an http:// or https:// URL", client.CheckEndpoint),
				},
			},
			"api_key": schema.StringAttribute{
				MarkdownDescription: "API key sent as `X-API-Key`. A key belongs to one tenant and is " +
					"read-write or read-only; managing objects needs a read-write key. Defaults to the `" +
					envAPIKey + "` environment variable.",
				Optional:  true,
				Sensitive: true,
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
				},
			},
			"tenant_id": schema.StringAttribute{
				MarkdownDescription: "Tenant the API key belongs to, a UUID such as " +
					"`2489e9ad-2ee2-8e00-8ec9-32d5f69181c0`, sent as `X-Tenant-ID`. Defaults to the `" +
					envTenantID + "` environment variable.",
				Optional: true,
				Validators: []validator.String{
					providerValueCheck("Invalid JITSudo Tenant ID", "value must be a UUID", checkUUID),
				},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a request is retried after a gateway or "+
					"availability error (502, 503, 504) or a network error, from 0 (never) to %d. A rate "+
					"limit (429) does not count: while retries are on, a rate-limited request is retried "+
					"after each `Retry-After` (at most `retry_wait_max` apart) for up to %d minutes. "+
					"Creates are safe to retry: each carries an "+
					"idempotency key. Defaults to `%d`.", maxMaxRetries, int(client.DefaultRateLimitWait.Minutes()), defaultMaxRetries),
				Optional: true,
				Validators: []validator.Int64{
					int64validator.Between(0, maxMaxRetries),
				},
			},
			"retry_wait_min": schema.StringAttribute{
				MarkdownDescription: "Shortest wait before a retry, a Go duration such as `250ms` or `2s`; " +
					"waits grow exponentially up to `retry_wait_max`, and a `Retry-After` header of the " +
					"server is honored within these bounds. Defaults to `" + defaultRetryWaitMin.String() + "`.",
				Optional: true,
				Validators: []validator.String{
					providerValueCheck("Invalid Retry Wait Duration", "value must be a positive Go duration such as 250ms", checkWait),
				},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "How long one HTTP attempt may take, from connecting to reading the whole response, " +
					"a Go duration such as `30s` or `2m`. An attempt that runs out of time (an endpoint that accepts the " +
					"connection and never answers, for example) is retried like a network error, within `max_retries`, " +
					"so one call waits at most about `(max_retries + 1) × request_timeout` plus the retry waits; the error " +
					"then names the endpoint and this timeout. Defaults to the `" + envRequestTimeout + "` environment " +
					"variable, else `" + defaultRequestTimeout.String() + "`. The `timeouts` of a resource bound a whole " +
					"create, update or delete, retries included.",
				Optional: true,
				Validators: []validator.String{
					providerValueCheck("Invalid Request Timeout", "value must be a positive Go duration such as 30s", checkTimeout),
				},
			},
			"cedar_schema": schema.StringAttribute{
				MarkdownDescription: "Cedar schema that `jitsudo_policy_rule` checks rules against at plan time, in the human-readable " +
					"`.cedarschema` format, e.g. `file(\"jitsudo.cedarschema\")`. When unset, the provider fetches the tenant's schema " +
					"from the API (`GET /v1/cedar/schema`), at most once per Terraform command and only when a rule is created or " +
					"changed; if that fails, rules are checked for Cedar syntax only, with one warning. A schema that does not parse " +
					"or resolve is an error at `terraform validate`.",
				Optional: true,
				Validators: []validator.String{
					providerValueCheck("Invalid Cedar Schema", "value must be a Cedar schema in the .cedarschema format", checkCedarSchema),
				},
			},
			"schema_findings": schema.StringAttribute{
				MarkdownDescription: "What a finding of the plan-time Cedar schema check of `jitsudo_policy_rule` (an undeclared " +
					"entity type or action, an unknown attribute, a type error, an optional attribute used without a `has` guard) " +
					"does: `" + schemaFindingsError + "` fails the plan at the attribute the finding is about, before anything is " +
					"written; `" + schemaFindingsWarning + "` reports it as a warning and plans the rule anyway (the API accepts rules " +
					"with schema findings and returns them as notices). Defaults to `" + schemaFindingsError + "`.",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.OneOf(schemaFindingsError, schemaFindingsWarning),
				},
			},
			"retry_wait_max": schema.StringAttribute{
				MarkdownDescription: "Longest wait before a retry, a Go duration such as `30s` or `1m`; " +
					"must not be shorter than `retry_wait_min`. Defaults to `" +
					defaultRetryWaitMax.String() + "`.",
				Optional: true,
				Validators: []validator.String{
					providerValueCheck("Invalid Retry Wait Duration", "value must be a positive Go duration such as 30s", checkWait),
				},
			},
		},
	}
}

// ValidateConfig checks what the attribute validators cannot see on their
// own: that the retry waits are in order. It runs at validate and plan
// time, before Configure.
func (p *jitsudoProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.RetryWaitMin.IsUnknown() || cfg.RetryWaitMax.IsUnknown() {
		return
	}
	// Malformed values are reported by the attribute validators.
	waitMin, errMin := waitOrDefault(cfg.RetryWaitMin, defaultRetryWaitMin)
	waitMax, errMax := waitOrDefault(cfg.RetryWaitMax, defaultRetryWaitMax)
	if errMin != nil || errMax != nil {
		return
	}
	resp.Diagnostics.Append(checkWaitOrder(waitMin, waitMax, cfg.RetryWaitMax.IsNull())...)
}

func (p *jitsudoProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || deferUnknownConfig(ctx, cfg, req, resp) {
		return
	}

	s, diags := resolveSettings(cfg, os.Getenv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	ctx = maskSecrets(ctx, s.APIKey)
	tflog.Debug(ctx, "Configuring JITSudo API client", map[string]any{
		"endpoint":         s.Endpoint,
		"tenant_id":        s.TenantID,
		"api_key_source":   s.APIKeySource,
		"max_retries":      s.MaxRetries,
		"retry_wait_min":   s.RetryWaitMin.String(),
		"retry_wait_max":   s.RetryWaitMax.String(),
		"request_timeout":  s.RequestTimeout.String(),
		"cedar_schema_set": s.CedarSchemaSet,
		"schema_findings":  s.SchemaFindings,
	})

	c, err := p.newClient(s)
	if err != nil {
		resp.Diagnostics.AddError(
			"Unable to Create JITSudo API Client",
			"The provider could not create a JITSudo API client from its configuration: "+err.Error()+
				"\n\nCheck the endpoint, api_key and tenant_id settings of the provider block "+
				"and the "+envEndpoint+", "+envAPIKey+" and "+envTenantID+" environment variables.",
		)
		return
	}

	data := &providerData{Client: c, CedarSchema: newCedarSchemaSource(cfg, s, c), Caches: &refreshCaches{}, InternalRoles: newInternalRolesCache(c)}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ListResourceData = data
	tflog.Debug(ctx, "Configured JITSudo API client", map[string]any{"endpoint": s.Endpoint, "tenant_id": s.TenantID})
}

// deferUnknownConfig tells whether cfg has unknown values, and defers the
// provider then when Terraform allows it. A value that depends on a
// resource not created yet is unknown at plan time. Terraform configures
// the provider again with known values before it applies, so the client is
// left unset until then (or the framework defers everything, on a
// Terraform that allows it).
func deferUnknownConfig(ctx context.Context, cfg providerModel, req provider.ConfigureRequest, resp *provider.ConfigureResponse) bool {
	unknown := cfg.unknownAttributes()
	if len(unknown) == 0 {
		return false
	}
	if req.ClientCapabilities.DeferralAllowed {
		resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
	}
	tflog.Debug(ctx, "JITSudo provider configuration has unknown values, not creating the API client yet", map[string]any{
		"unknown_attributes": unknown,
		"deferred":           resp.Deferred != nil,
	})
	return true
}

// newClient is the API client of the settings s.
func (p *jitsudoProvider) newClient(s settings) (*client.Client, error) {
	return client.New(client.Config{
		Endpoint:     s.Endpoint,
		APIKey:       s.APIKey,
		TenantID:     s.TenantID,
		UserAgent:    "terraform-provider-jitsudo/" + p.version,
		MaxRetries:   clientMaxRetries(s.MaxRetries),
		RetryWaitMin: s.RetryWaitMin,
		RetryWaitMax: s.RetryWaitMax,
		Timeout:      s.RequestTimeout,
		// The client's error after unanswered attempts names the setting.
		TimeoutSetting: requestTimeoutAttr,
		Logger:         clientLogger{apiKey: s.APIKey},
	})
}

func (p *jitsudoProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewAwsRoleMappingResource,
		NewPermissionSetResource,
		NewPermissionSetsResource,
		NewPolicyResource,
		NewPolicyRuleResource,
	}
}

func (p *jitsudoProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewAuthorizationDataSource,
		NewAwsRoleDataSource,
		NewAwsRolesDataSource,
		NewPermissionSetsDataSource,
		NewPolicyDataSource,
		NewRolesDataSource,
	}
}

// ListResources are the list resources of `terraform query` (Terraform
// 1.14 and later), one per resource with an identity.
func (p *jitsudoProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewAwsRoleMappingListResource,
		NewPermissionSetListResource,
		NewPolicyListResource,
		NewPolicyRuleListResource,
	}
}

// Functions are the provider-defined functions for writing Cedar rules.
func (p *jitsudoProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{
		NewCedarDecomposeFunction,
		NewCedarFormatFunction,
		NewCedarIsAuthorizedFunction,
		NewCedarValidateFunction,
	}
}

// clientMaxRetries maps max_retries to client.Config.MaxRetries: the
// setting's 0 means no retries, the client's 0 means its default.
func clientMaxRetries(n int) int {
	if n == 0 {
		return client.NoRetries
	}
	return n
}

// unknownAttributes names the attributes whose values are not known yet.
func (m providerModel) unknownAttributes() []string {
	var names []string
	for _, a := range []struct {
		name    string
		unknown bool
	}{
		{"endpoint", m.Endpoint.IsUnknown()},
		{"api_key", m.APIKey.IsUnknown()},
		{"tenant_id", m.TenantID.IsUnknown()},
		{"max_retries", m.MaxRetries.IsUnknown()},
		{"retry_wait_min", m.RetryWaitMin.IsUnknown()},
		{"retry_wait_max", m.RetryWaitMax.IsUnknown()},
		{"request_timeout", m.RequestTimeout.IsUnknown()},
	} {
		if a.unknown {
			names = append(names, a.name)
		}
	}
	return names
}

// path helpers, so that diagnostics of resolveSettings and of the
// validators point at the same attributes.
var (
	pathEndpoint       = path.Root("endpoint")
	pathAPIKey         = path.Root("api_key")
	pathTenantID       = path.Root("tenant_id")
	pathRetryWaitMin   = path.Root("retry_wait_min")
	pathRetryWaitMax   = path.Root("retry_wait_max")
	pathRequestTimeout = path.Root(requestTimeoutAttr)
)

// Values of schema_findings.
const (
	schemaFindingsError   = "error"
	schemaFindingsWarning = "warning"
)
