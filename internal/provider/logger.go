package provider

import (
	"context"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
)

// maskedValue replaces secrets in log output.
const maskedValue = "***"

// secretFieldKeys are log field keys whose values are always masked.
var secretFieldKeys = []string{"api_key", "X-API-Key", "x-api-key"}

// maskSecrets makes every tflog call with the returned context mask the API
// key, in messages and in field values, and any field named like one.
func maskSecrets(ctx context.Context, apiKey string) context.Context {
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, secretFieldKeys...)
	if apiKey != "" {
		ctx = tflog.MaskAllFieldValuesStrings(ctx, apiKey)
		ctx = tflog.MaskMessageStrings(ctx, apiKey)
	}
	return ctx
}

// clientLogger adapts tflog to client.Logger, so the API client's request
// log shows up in TF_LOG=DEBUG output. The client logs with the context of
// each operation, not the one Configure masked, so the adapter masks the
// API key on every call itself.
type clientLogger struct {
	apiKey string
}

var _ client.Logger = clientLogger{}

func (l clientLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	ctx = maskSecrets(ctx, l.apiKey)
	tflog.Debug(ctx, msg, l.redact(fields))
}

// redact returns fields with the API key replaced in the composite values
// tflog's string masking does not look into (header maps, string slices).
// fields itself is not modified.
func (l clientLogger) redact(fields map[string]any) map[string]any {
	if l.apiKey == "" || len(fields) == 0 {
		return fields
	}
	out := make(map[string]any, len(fields))
	for k, v := range fields {
		switch v := v.(type) {
		case http.Header:
			out[k] = l.redactHeader(v)
		case map[string][]string:
			out[k] = map[string][]string(l.redactHeader(http.Header(v)))
		case []string:
			out[k] = l.redactStrings(v)
		default:
			out[k] = v
		}
	}
	return out
}

func (l clientLogger) redactHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		out[k] = l.redactStrings(vs)
	}
	return out
}

func (l clientLogger) redactStrings(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strings.ReplaceAll(v, l.apiKey, maskedValue)
	}
	return out
}
