package provider

// The Cedar schema of the plan-time check of jitsudo_policy_rule: the
// provider block's cedar_schema, or the tenant's schema from the API.

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
)

// cedarSchemaSource is the Cedar schema rules are checked against at plan
// time. It is created by the provider's Configure, so there is one per
// provider instance, which Terraform starts for each command (plan, apply,
// ...). The schema is loaded lazily, by the first rule that needs it, and
// at most once: the API's schema is fetched with one GET /v1/cedar/schema
// per instance however many rules are planned, concurrently or not. It is
// safe for concurrent use.
type cedarSchemaSource struct {
	client *client.Client

	text       string // the provider block's cedar_schema
	configured bool   // cedar_schema is set: text is the schema
	// unknown names the provider setting that is not known yet at plan
	// time ("cedar_schema" or "schema_findings"); the check is skipped.
	unknown  string
	asErrors bool // schema_findings = "error"

	once    sync.Once
	schema  *cedar.Schema // nil: none to check against
	origin  string        // where schema comes from, for messages
	failure string        // why the API's schema is not available, or ""
}

// newCedarSchemaSource is the schema source of a provider configuration:
// cfg as written (for unknown values) and s as resolved.
func newCedarSchemaSource(cfg providerModel, s settings, c *client.Client) *cedarSchemaSource {
	src := &cedarSchemaSource{
		client:     c,
		text:       s.CedarSchema,
		configured: s.CedarSchemaSet,
		asErrors:   s.SchemaFindings != schemaFindingsWarning,
	}
	switch {
	case cfg.CedarSchema.IsUnknown():
		src.unknown = "cedar_schema"
	case cfg.SchemaFindings.IsUnknown():
		src.unknown = "schema_findings"
	}
	return src
}

// Origins of the schema, as messages name them.
const (
	cedarSchemaOriginProvider = "the provider's cedar_schema"
	cedarSchemaOriginAPI      = "the tenant's Cedar schema (GET /v1/cedar/schema)"
)

// get returns the schema to check rules against, or nil when there is none
// (the API's schema could not be fetched or does not load), and where it
// comes from. The first call loads it; warning is not empty for that call
// alone when the API's schema is not available, so that a plan warns once,
// not once per rule.
func (s *cedarSchemaSource) get(ctx context.Context) (schema *cedar.Schema, origin, warning string) {
	first := false
	s.once.Do(func() {
		first = true
		s.load(ctx)
	})
	if first {
		warning = s.failure
	}
	return s.schema, s.origin, warning
}

// load sets schema and origin, or failure.
func (s *cedarSchemaSource) load(ctx context.Context) {
	if s.configured {
		s.origin = cedarSchemaOriginProvider
		sch, err := cedar.ParseSchema(s.text)
		if err != nil { // the attribute validator rejects this at validate time
			s.failure = fmt.Sprintf("The cedar_schema of the provider block is not a valid Cedar schema (%v), so rules are checked for Cedar syntax only.", err)
			return
		}
		s.schema = sch
		return
	}

	s.origin = cedarSchemaOriginAPI
	tflog.Debug(ctx, "Fetching the Cedar schema for plan-time checks of policy rules")
	out, err := s.client.GetCedarSchema(ctx)
	var why string
	switch {
	case err != nil:
		why = err.Error()
	case out.Format != api.CedarSchemaFormatCedarschema:
		why = fmt.Sprintf("the API returned it in the unsupported format %q", out.Format)
	default:
		sch, perr := cedar.ParseSchema(out.Schema)
		if perr == nil {
			s.schema = sch
			tflog.Debug(ctx, "Fetched the Cedar schema", map[string]any{"bytes": len(out.Schema)})
			return
		}
		why = "it is not a valid Cedar schema: " + perr.Error()
	}
	tflog.Warn(ctx, "Cedar schema not available; policy rules are checked for syntax only", map[string]any{"error": why})
	s.failure = "The provider could not use the tenant's Cedar schema from the JITSudo API (GET /v1/cedar/schema): " + why + ".\n\n" +
		"Rules are checked for Cedar syntax only in this plan. The API still checks them against its schema when they are " +
		"written and reports what it finds as warnings. To check rules against a schema without the API, set cedar_schema " +
		"in the provider block, e.g. cedar_schema = file(\"jitsudo.cedarschema\")."
}

// cedarSchemaFromProviderData is the schema source of the ProviderData of
// a Configure request, or nil before the provider is configured.
func cedarSchemaFromProviderData(pd any) *cedarSchemaSource {
	if data, ok := pd.(*providerData); ok && data != nil {
		return data.CedarSchema
	}
	return nil
}
