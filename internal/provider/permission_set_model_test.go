package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

func psTestItem(i int) permissionSetItemModel {
	return permissionSetItemModel{
		Name:            types.StringValue(fmt.Sprintf("Set%d", i)),
		AccountID:       types.StringValue("123456789012"),
		Metadata:        jsontypes.NewNormalizedValue(fmt.Sprintf(`{"index":%d}`, i)),
		Rank:            types.Int64Null(),
		Description:     types.StringNull(),
		SessionDuration: types.StringValue("PT8H"),
		RelayState:      types.StringNull(),
		LastSyncedAt:    timetypes.NewRFC3339ValueMust("2026-01-01T00:00:00Z"),
	}
}

func TestPermissionSetItemRoundTrip(t *testing.T) {
	synced := time.Date(2026, 5, 4, 3, 2, 1, 123456789, time.UTC)
	ps := api.PermissionSet{
		Id: "arn:aws:sso:::permissionSet/i/ps-1", Name: "ReadOnly",
		AccountId:       nullable.NewNullableWithValue("123456789012"),
		Metadata:        map[string]any{"b": 1.0, "a": []any{"x", true}},
		Rank:            nullable.NewNullableWithValue(7),
		Description:     nullable.NewNullNullable[string](),
		SessionDuration: nullable.NewNullableWithValue("PT8H"),
		RelayState:      nil,
		LastSyncedAt:    synced,
	}
	got := permissionSetItemFromAPI(ps, nil)
	want := permissionSetItemModel{
		Name: types.StringValue("ReadOnly"), AccountID: types.StringValue("123456789012"),
		Metadata: jsontypes.NewNormalizedValue(`{"a":["x",true],"b":1}`), Rank: types.Int64Value(7),
		Description: types.StringNull(), SessionDuration: types.StringValue("PT8H"), RelayState: types.StringNull(),
		LastSyncedAt: timetypes.NewRFC3339ValueMust("2026-05-04T03:02:01.123456789Z"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("fromAPI = %+v\nwant %+v", got, want)
	}

	in, diags := got.toAPI(ps.Id, path.Empty())
	if diags.HasError() {
		t.Fatal(diags)
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	// Null attributes are left out: the server clears them.
	const wantJSON = `{"account_id":"123456789012","id":"arn:aws:sso:::permissionSet/i/ps-1","metadata":{"a":["x",true],"b":1},"name":"ReadOnly","rank":7,"session_duration":"PT8H"}`
	if string(b) != wantJSON {
		t.Errorf("toAPI = %s\nwant %s", b, wantJSON)
	}

	// Through the object form of permission_sets.
	back, diags := permissionSetItemFromObject(got.object())
	if diags.HasError() || !reflect.DeepEqual(back, got) {
		t.Errorf("object round trip = %+v, %v", back, diags)
	}
}

func TestPermissionSetMetadata(t *testing.T) {
	// Large integers keep their exact text; the API client decodes them
	// as float64.
	in := permissionSetItemModel{Name: types.StringValue("x"), Metadata: jsontypes.NewNormalizedValue(`{"big": 12345678901234567890, "f": 1.50}`)}
	req, diags := in.toAPI("arn", path.Empty())
	if diags.HasError() {
		t.Fatal(diags)
	}
	b, _ := json.Marshal(req.Metadata)
	if string(b) != `{"big":12345678901234567890,"f":1.50}` {
		t.Errorf("sent metadata %s", b)
	}
	var fromServer map[string]any
	_ = json.Unmarshal(b, &fromServer)
	if got := permissionSetMetadataFromAPI(fromServer, in.Metadata); !got.Equal(in.Metadata) {
		t.Errorf("metadata read back as %s, want the prior text kept", got)
	}
	// A real change is not hidden.
	fromServer["f"] = 2.0
	if got := permissionSetMetadataFromAPI(fromServer, in.Metadata); got.ValueString() != `{"big":12345678901234567000,"f":2}` {
		t.Errorf("changed metadata read as %s", got)
	}
	// Absent metadata reads as {}.
	if got := permissionSetMetadataFromAPI(nil, jsontypes.NewNormalizedNull()); got.ValueString() != "{}" {
		t.Errorf("nil metadata = %s", got)
	}

	for _, tc := range []struct {
		in   string
		want bool
	}{
		{`{"a":1}`, true},
		{`{}`, true},
		{`[1]`, false},
		{`"x"`, false},
		{`null`, false},
		{`{"a":1} {}`, false},
	} {
		_, err := decodePermissionSetMetadata(tc.in)
		if (err == nil) != tc.want {
			t.Errorf("decodePermissionSetMetadata(%s) error = %v, want ok %v", tc.in, err, tc.want)
		}
		var resp validator.StringResponse
		permissionSetMetadataObject{}.ValidateString(context.Background(), validator.StringRequest{
			Path: path.Root("metadata"), ConfigValue: types.StringValue(tc.in),
		}, &resp)
		if json.Valid([]byte(tc.in)) && resp.Diagnostics.HasError() == tc.want {
			t.Errorf("validator on %s: %v", tc.in, resp.Diagnostics)
		}
	}

	// The plan modifier keeps the state's text for the same JSON value.
	for _, tc := range []struct{ state, plan, want string }{
		{`{"a":1,"b":[1,2]}`, `{ "b": [1, 2], "a": 1 }`, `{"a":1,"b":[1,2]}`},
		{`{"a":1}`, `{"a":2}`, `{"a":2}`},
	} {
		resp := planmodifier.StringResponse{PlanValue: types.StringValue(tc.plan)}
		permissionSetMetadataKeepState{}.PlanModifyString(context.Background(), planmodifier.StringRequest{
			StateValue: types.StringValue(tc.state), PlanValue: types.StringValue(tc.plan),
		}, &resp)
		if resp.PlanValue.ValueString() != tc.want {
			t.Errorf("plan %s over state %s = %s, want %s", tc.plan, tc.state, resp.PlanValue, tc.want)
		}
	}
}

func TestPermissionSetLocations(t *testing.T) {
	for _, tc := range []struct {
		loc  string
		want string // "" when not mapped
	}{
		{"resources[0].session_duration", "session_duration"},
		{"resources[0].metadata", "metadata"},
		{"resources[0].id", "id"},
		{"resources[0]", "id"},
		{"resources[1].name", ""},
		{"resources", ""},
		{"X-Tenant-ID", ""},
	} {
		p, ok := permissionSetLocation(tc.loc)
		if got := map[bool]string{true: p.String()}[ok]; got != tc.want {
			t.Errorf("permissionSetLocation(%q) = %q, want %q", tc.loc, got, tc.want)
		}
	}
	batch := []string{"arn:a", "arn:b"}
	at := permissionSetsBulkLocation(batch)
	for _, tc := range []struct{ loc, want string }{
		{"resources[1].session_duration", `permission_sets["arn:b"].session_duration`},
		{"resources[0].id", `permission_sets["arn:a"]`},
		{"resources[2].name", ""},
		{"resources[0].bogus", ""},
	} {
		p, ok := at(tc.loc)
		if got := map[bool]string{true: p.String()}[ok]; got != tc.want {
			t.Errorf("bulk location %q = %q, want %q", tc.loc, got, tc.want)
		}
	}
}

func TestDiffPermissionSets(t *testing.T) {
	prior := map[string]permissionSetItemModel{"a": psTestItem(1), "b": psTestItem(2), "c": psTestItem(3)}
	changed := psTestItem(2)
	changed.SessionDuration = types.StringValue("PT1H")
	// The same metadata written differently, and last_synced_at unknown as
	// planned, are no change.
	same := psTestItem(1)
	same.Metadata = jsontypes.NewNormalizedValue(`{ "index": 1 }`)
	same.LastSyncedAt = timetypes.NewRFC3339Unknown()
	planned := map[string]permissionSetItemModel{"a": same, "b": changed, "d": psTestItem(4)}

	d := diffPermissionSets(prior, planned)
	if !slices.Equal(d.Upsert, []string{"b", "d"}) || !slices.Equal(d.Delete, []string{"c"}) {
		t.Errorf("diff = %+v", d)
	}

	got := permissionSetChunks([]int{1, 2, 3, 4, 5}, 2)
	if !reflect.DeepEqual(got, [][]int{{1, 2}, {3, 4}, {5}}) {
		t.Errorf("chunks = %v", got)
	}
	if got := permissionSetChunks([]int(nil), 2); len(got) != 0 {
		t.Errorf("chunks of nothing = %v", got)
	}
	if n := len(permissionSetChunks(make([]string, 2500), permissionSetBatchSize)); n != 3 {
		t.Errorf("2500 sets in %d calls, want 3", n)
	}
}

// BenchmarkPermissionSetsDiff plans an apply of 10000 sets of which half
// change, 1000 are added and 1000 dropped, and splits it into calls.
func BenchmarkPermissionSetsDiff(b *testing.B) {
	const n = 10000
	prior := make(map[string]permissionSetItemModel, n)
	planned := make(map[string]permissionSetItemModel, n)
	for i := range n {
		arn := fmt.Sprintf("arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-%016d", i)
		prior[arn] = psTestItem(i)
		item := psTestItem(i)
		switch {
		case i%2 == 0:
			item.SessionDuration = types.StringValue("PT4H")
		case i%5 == 1:
			item.Metadata = jsontypes.NewNormalizedValue(fmt.Sprintf(`{ "index" : %d }`, i)) // formatting only
		}
		item.LastSyncedAt = timetypes.NewRFC3339Unknown()
		if i < n-1000 {
			planned[arn] = item
		}
	}
	for i := n; i < n+1000; i++ {
		planned[fmt.Sprintf("arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-%016d", i)] = psTestItem(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d := diffPermissionSets(prior, planned)
		if calls := len(permissionSetChunks(d.Upsert, permissionSetBatchSize)) + len(permissionSetChunks(d.Delete, permissionSetBatchSize)); calls != 6+1 {
			b.Fatalf("%d upserts, %d deletes in %d calls", len(d.Upsert), len(d.Delete), calls)
		}
	}
}
