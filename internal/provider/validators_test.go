package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestRegexpValue(t *testing.T) {
	for value, wantErr := range map[string]bool{"^Admin$": false, "Read|Data": false, "Admin(": true, "[a-": true} {
		resp := &validator.StringResponse{}
		regexpValue().ValidateString(context.Background(), validator.StringRequest{
			Path: path.Root("name_regex"), ConfigValue: types.StringValue(value),
		}, resp)
		if resp.Diagnostics.HasError() != wantErr {
			t.Errorf("%q: error = %v, want %v", value, resp.Diagnostics, wantErr)
		}
	}
	resp := &validator.StringResponse{}
	regexpValue().ValidateString(context.Background(), validator.StringRequest{ConfigValue: types.StringUnknown()}, resp)
	if resp.Diagnostics.HasError() {
		t.Error("unknown values must be skipped")
	}
}
