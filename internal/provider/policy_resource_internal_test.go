package provider

import (
	"encoding/json"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func testPolicyModel() policyResourceModel {
	return policyResourceModel{
		ID:                     types.StringValue("2489e9ad-2ee2-8e00-8ec9-32d5f69181c0"),
		Name:                   types.StringValue("prod"),
		Description:            types.StringValue("desc"),
		Enabled:                types.BoolValue(true),
		Priority:               types.Int64Value(0),
		MaxDurationSeconds:     types.Int64Value(3600),
		DefaultDurationSeconds: types.Int64Value(1800),
		NotificationChannel:    types.StringValue("#ops"),
		CedarPolicySet:         types.StringValue(""),
		CreatedAt:              timetypes.NewRFC3339ValueMust("2024-01-01T00:00:00Z"),
		UpdatedAt:              timetypes.NewRFC3339ValueMust("2024-01-01T00:00:00Z"),
	}
}

func TestPolicyToUpdate(t *testing.T) {
	cases := map[string]struct {
		change func(*policyResourceModel)
		want   string
	}{
		"nothing": {
			change: func(*policyResourceModel) {},
			want:   `{}`,
		},
		"computed only": {
			change: func(m *policyResourceModel) {
				m.UpdatedAt = timetypes.NewRFC3339Unknown()
				m.CedarPolicySet = types.StringUnknown()
			},
			want: `{}`,
		},
		"priority only": {
			change: func(m *policyResourceModel) { m.Priority = types.Int64Value(-3) },
			want:   `{"priority":-3}`,
		},
		"every attribute": {
			change: func(m *policyResourceModel) {
				m.Name = types.StringValue("prod-2")
				m.Description = types.StringValue("")
				m.Enabled = types.BoolValue(false)
				m.Priority = types.Int64Value(5)
				m.MaxDurationSeconds = types.Int64Value(7200)
				m.DefaultDurationSeconds = types.Int64Value(60)
				m.NotificationChannel = types.StringValue("#sec")
			},
			want: `{"default_duration_seconds":60,"description":"","enabled":false,"max_duration_seconds":7200,"name":"prod-2","notification_channel":"#sec","priority":5}`,
		},
		"removed optional attributes are explicit nulls": {
			change: func(m *policyResourceModel) {
				m.Description = types.StringNull()
				m.DefaultDurationSeconds = types.Int64Null()
				m.NotificationChannel = types.StringNull()
			},
			want: `{"default_duration_seconds":null,"description":null,"notification_channel":null}`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			state, plan := testPolicyModel(), testPolicyModel()
			tc.change(&plan)
			body, _ := plan.toUpdate(&state)
			got, err := json.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("PATCH body = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestPolicyToCreate(t *testing.T) {
	m := testPolicyModel()
	m.Description = types.StringNull()
	m.NotificationChannel = types.StringNull()
	got, err := json.Marshal(m.toCreate())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"default_duration_seconds":1800,"enabled":true,"max_duration_seconds":3600,"name":"prod","priority":0}`
	if string(got) != want {
		t.Errorf("POST body = %s, want %s", got, want)
	}
}

func TestValidatePolicyDurations(t *testing.T) {
	cases := map[string]struct {
		def, maxDur types.Int64
		wantError   bool
	}{
		"below":           {types.Int64Value(60), types.Int64Value(3600), false},
		"equal":           {types.Int64Value(3600), types.Int64Value(3600), false},
		"above":           {types.Int64Value(7200), types.Int64Value(3600), true},
		"default null":    {types.Int64Null(), types.Int64Value(3600), false},
		"default unknown": {types.Int64Unknown(), types.Int64Value(3600), false},
		"max unknown":     {types.Int64Value(7200), types.Int64Unknown(), false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var diags diag.Diagnostics
			validatePolicyDurations(tc.def, tc.maxDur, &diags)
			if diags.HasError() != tc.wantError {
				t.Fatalf("errors = %v, want error %t", diags, tc.wantError)
			}
			if tc.wantError {
				d, ok := diags[0].(diag.DiagnosticWithPath)
				if !ok || !d.Path().Equal(path.Root("default_duration_seconds")) {
					t.Errorf("error %v is not on default_duration_seconds", diags[0])
				}
			}
		})
	}
}

func TestPolicyLocationPath(t *testing.T) {
	for _, loc := range []string{"name", "description", "enabled", "priority", "max_duration_seconds", "default_duration_seconds", "notification_channel"} {
		if p, ok := policyLocationPath(loc); !ok || !p.Equal(path.Root(loc)) {
			t.Errorf("policyLocationPath(%q) = %v, %t", loc, p, ok)
		}
	}
	for _, loc := range []string{"cedar_policy_set", "X-Tenant-ID", "limit", ""} {
		if _, ok := policyLocationPath(loc); ok {
			t.Errorf("policyLocationPath(%q) maps to an attribute", loc)
		}
	}
}
