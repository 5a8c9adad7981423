package provider

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/oapi-codegen/nullable"
)

// The helpers here convert single values between the API's types and
// terraform's. Their names say the direction: ...FromAPI builds an attribute
// value from an API value, ...ToAPI builds a request field from an
// attribute value.

// stringFromAPI is the attribute value of a nullable API string: null when
// the API holds none.
func stringFromAPI(n nullable.Nullable[string]) types.String {
	if v, err := n.Get(); err == nil {
		return types.StringValue(v)
	}
	return types.StringNull()
}

// int64FromAPI is the attribute value of a nullable API integer: null when
// the API holds none.
func int64FromAPI(n nullable.Nullable[int]) types.Int64 {
	if v, err := n.Get(); err == nil {
		return types.Int64Value(int64(v))
	}
	return types.Int64Null()
}

// timestampFromAPI is the attribute value of an API timestamp: RFC 3339 in
// UTC, with the fraction of a second the server sent (the text earlier
// versions of the provider stored, so state does not change).
func timestampFromAPI(t time.Time) timetypes.RFC3339 {
	return timetypes.NewRFC3339ValueMust(t.UTC().Format(time.RFC3339Nano))
}

// nullableStringToAPI is the request field for an optional string
// attribute: its value, or for null and unknown either absent (the field is
// left out of the request) or, with clear, an explicit JSON null.
func nullableStringToAPI(v types.String, clear bool) nullable.Nullable[string] {
	switch {
	case !v.IsNull() && !v.IsUnknown():
		return nullable.NewNullableWithValue(v.ValueString())
	case clear:
		return nullable.NewNullNullable[string]()
	}
	return nil
}

// nullableInt64ToAPI is nullableStringToAPI for integer attributes.
func nullableInt64ToAPI(v types.Int64, clear bool) nullable.Nullable[int] {
	switch {
	case !v.IsNull() && !v.IsUnknown():
		return nullable.NewNullableWithValue(int(v.ValueInt64()))
	case clear:
		return nullable.NewNullNullable[int]()
	}
	return nil
}
