package provider

import (
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/validate"
)

// settings is the provider configuration after merging the provider block
// over the environment and applying defaults: everything the API client
// needs.
type settings struct {
	Endpoint     string
	APIKey       string
	TenantID     string
	MaxRetries   int
	RetryWaitMin time.Duration
	RetryWaitMax time.Duration
	// RequestTimeout bounds each HTTP attempt.
	RequestTimeout time.Duration

	// APIKeySource is "provider block" or the environment variable the key
	// came from, for the debug log (which never shows the key itself).
	APIKeySource string

	// CedarSchema is the provider block's cedar_schema; CedarSchemaSet
	// tells whether it is set (else the API's schema is used).
	CedarSchema    string
	CedarSchemaSet bool
	// SchemaFindings is schema_findings: "error" (the default) or
	// "warning".
	SchemaFindings string
}

// resolveSettings merges the provider block (which wins) over the
// environment read through getenv, applies defaults and checks every
// value. All values of cfg must be known. Each problem is an attribute
// error saying what is wrong and how to fix it.
func resolveSettings(cfg providerModel, getenv func(string) string) (settings, diag.Diagnostics) {
	var diags diag.Diagnostics
	var s settings
	s.resolveConnection(cfg, getenv, &diags)
	s.resolveRetries(cfg, &diags)
	s.resolveRequestTimeout(cfg, getenv, &diags)
	s.resolveCedar(cfg)
	return s, diags
}

// resolveConnection sets the endpoint, the API key and the tenant.
func (s *settings) resolveConnection(cfg providerModel, getenv func(string) string, diags *diag.Diagnostics) {
	endpoint := stringSetting(cfg.Endpoint, "endpoint", envEndpoint, getenv)
	if endpoint.value == "" {
		diags.AddAttributeError(pathEndpoint, "Missing JITSudo Endpoint",
			"The provider needs the base URL of the JITSudo API. Set endpoint in the provider block "+
				"or the "+envEndpoint+" environment variable, for example \"https://jitsudo.example.com\" "+
				"or \"http://127.0.0.1:8080\" for jitsudo-local.")
	} else if err := client.CheckEndpoint(endpoint.value); err != nil {
		diags.AddAttributeError(pathEndpoint, "Invalid JITSudo Endpoint", endpoint.invalid(err,
			"an http:// or https:// URL such as \"https://jitsudo.example.com\""))
	}
	s.Endpoint = endpoint.value

	apiKey := stringSetting(cfg.APIKey, "api_key", envAPIKey, getenv)
	if apiKey.value == "" {
		diags.AddAttributeError(pathAPIKey, "Missing JITSudo API Key",
			"The provider needs an API key to call the JITSudo API. Set api_key in the provider block "+
				"or the "+envAPIKey+" environment variable. Prefer the environment variable (or a "+
				"sensitive input variable) so the key is not written into configuration files.")
	}
	s.APIKey = apiKey.value
	s.APIKeySource = apiKey.source

	tenant := stringSetting(cfg.TenantID, "tenant_id", envTenantID, getenv)
	if tenant.value == "" {
		diags.AddAttributeError(pathTenantID, "Missing JITSudo Tenant ID",
			"The provider needs the UUID of the tenant the API key belongs to. Set tenant_id in the "+
				"provider block or the "+envTenantID+" environment variable.")
	} else if err := checkUUID(tenant.value); err != nil {
		diags.AddAttributeError(pathTenantID, "Invalid JITSudo Tenant ID", tenant.invalid(err,
			"the UUID of your tenant"))
	}
	s.TenantID = tenant.value
}

// resolveRetries sets max_retries and the retry waits.
func (s *settings) resolveRetries(cfg providerModel, diags *diag.Diagnostics) {
	s.MaxRetries = defaultMaxRetries
	if !cfg.MaxRetries.IsNull() {
		// The schema validator has checked the range already.
		s.MaxRetries = int(cfg.MaxRetries.ValueInt64())
	}

	// Malformed durations in the provider block never get here: the schema
	// validators reject them first. These errors are a safety net.
	var errMin, errMax error
	s.RetryWaitMin, errMin = waitOrDefault(cfg.RetryWaitMin, defaultRetryWaitMin)
	if errMin != nil {
		diags.AddAttributeError(pathRetryWaitMin, "Invalid Retry Wait Duration", "retry_wait_min: "+errMin.Error()+".")
	}
	s.RetryWaitMax, errMax = waitOrDefault(cfg.RetryWaitMax, defaultRetryWaitMax)
	if errMax != nil {
		diags.AddAttributeError(pathRetryWaitMax, "Invalid Retry Wait Duration", "retry_wait_max: "+errMax.Error()+".")
	}
	if errMin == nil && errMax == nil {
		diags.Append(checkWaitOrder(s.RetryWaitMin, s.RetryWaitMax, cfg.RetryWaitMax.IsNull())...)
	}
}

// resolveRequestTimeout sets request_timeout: the provider block's value
// has passed the attribute validator already; the environment variable is
// checked here, with the same rule.
func (s *settings) resolveRequestTimeout(cfg providerModel, getenv func(string) string, diags *diag.Diagnostics) {
	s.RequestTimeout = defaultRequestTimeout
	timeout := stringSetting(cfg.RequestTimeout, requestTimeoutAttr, envRequestTimeout, getenv)
	if timeout.value == "" {
		return
	}
	if err := checkTimeout(timeout.value); err != nil {
		diags.AddAttributeError(pathRequestTimeout, "Invalid Request Timeout", timeout.invalid(err,
			"a positive Go duration such as 30s or 2m, or unset it for the default of "+defaultRequestTimeout.String()))
		return
	}
	s.RequestTimeout, _ = time.ParseDuration(timeout.value)
}

// resolveCedar sets cedar_schema and schema_findings. They may still be
// unknown when everything else is known: Configure leaves the schema check
// off then (see newCedarSchemaSource). The attribute validators have
// checked known values already.
func (s *settings) resolveCedar(cfg providerModel) {
	if !cfg.CedarSchema.IsNull() && !cfg.CedarSchema.IsUnknown() {
		s.CedarSchema, s.CedarSchemaSet = cfg.CedarSchema.ValueString(), true
	}
	s.SchemaFindings = schemaFindingsError
	if !cfg.SchemaFindings.IsNull() && !cfg.SchemaFindings.IsUnknown() {
		s.SchemaFindings = cfg.SchemaFindings.ValueString()
	}
}

// setting is a string value and where it came from.
type setting struct {
	value     string
	attribute string // the provider block attribute
	env       string // its environment variable
	source    string // "provider block" or env
}

// stringSetting takes a known attribute value over the environment
// variable env.
func stringSetting(v types.String, attribute, env string, getenv func(string) string) setting {
	s := setting{attribute: attribute, env: env}
	if !v.IsNull() {
		s.value, s.source = v.ValueString(), "provider block"
	} else {
		s.value, s.source = getenv(env), env
	}
	return s
}

// invalid is the detail of an error about the value: what is wrong with it,
// where it came from and what to set instead (want).
func (s setting) invalid(err error, want string) string {
	if s.source == "provider block" {
		return fmt.Sprintf("The %s set in the provider block is invalid: %s.\n\nSet it to %s.", s.attribute, err, want)
	}
	return fmt.Sprintf("The %s environment variable, which the provider reads because %s is not set "+
		"in the provider block, is invalid: %s.\n\nSet %s (or %s in the provider block) to %s.",
		s.env, s.attribute, err, s.env, s.attribute, want)
}

// waitOrDefault parses a known retry wait attribute, or returns def when it
// is null.
func waitOrDefault(v types.String, def time.Duration) (time.Duration, error) {
	if v.IsNull() || v.IsUnknown() {
		return def, nil
	}
	if err := checkWait(v.ValueString()); err != nil {
		return 0, err
	}
	return time.ParseDuration(v.ValueString())
}

// checkWaitOrder reports retry_wait_min exceeding retry_wait_max;
// maxDefaulted says the maximum is the default, not a configured value.
func checkWaitOrder(waitMin, waitMax time.Duration, maxDefaulted bool) diag.Diagnostics {
	var diags diag.Diagnostics
	if waitMin <= waitMax {
		return diags
	}
	maxDesc := fmt.Sprintf("retry_wait_max (%s)", waitMax)
	if maxDefaulted {
		maxDesc = fmt.Sprintf("the default retry_wait_max (%s)", waitMax)
	}
	diags.AddAttributeError(pathRetryWaitMin, "Retry Wait Minimum Exceeds Maximum",
		fmt.Sprintf("retry_wait_min (%s) is longer than %s, so retries could not back off between "+
			"them.\n\nLower retry_wait_min or raise retry_wait_max.", waitMin, maxDesc))
	return diags
}

// checkUUID accepts the canonical form of a UUID,
// xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, with the check jitsudo-local
// applies to X-Tenant-ID.
func checkUUID(s string) error {
	return validate.UUID(s)
}

// checkCedarSchema accepts Cedar schemas in the .cedarschema format that
// parse and resolve; the error is the schema parser's message.
func checkCedarSchema(s string) error {
	_, err := cedar.ParseSchema(s)
	return err
}

// checkWait accepts positive Go durations ("250ms", "2s", "1m30s").
func checkWait(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a Go duration such as 250ms, 2s or 1m", s)
	}
	if d <= 0 {
		return fmt.Errorf("%q is not a positive duration", s)
	}
	return nil
}

// checkTimeout accepts positive Go durations ("30s", "2m", "1m30s").
func checkTimeout(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a Go duration such as 30s, 90s or 2m", s)
	}
	if d <= 0 {
		return fmt.Errorf("%q is not a positive duration", s)
	}
	return nil
}

// providerValueCheck is the valueCheck of a provider block attribute, so
// that the provider block is checked at validate time with the same rules
// resolveSettings applies to environment variables.
func providerValueCheck(summary, description string, check func(string) error) valueCheck {
	return valueCheck{summary: summary, description: description, check: check,
		hint: "Fix the provider block: the " + description + "."}
}
