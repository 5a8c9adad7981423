package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/server"
)

// The RPCs terraform sends for a jitsudo_permission_sets of many sets,
// called in process on the provider server (no terraform, no gRPC, no SDK
// logging), to measure and profile the provider's own share:
//
//	go test ./internal/provider/ -run '^$' -bench PermissionSetsRPC -benchtime 1x -cpuprofile /tmp/ps.cpu
//	JITSUDO_PS_RPC_N=10000 go test ./internal/provider/ -run '^$' -bench PermissionSetsRPC -benchtime 1x
//
// N is JITSUDO_PS_RPC_N, 1000 by default.

// psRPC is a provider server configured against an in-process
// jitsudo-local, with the value types of jitsudo_permission_sets.
type psRPC struct {
	srv     tfprotov6.ProviderServer
	cfg     *tfprotov6.DynamicValue // the provider block
	client  *client.Client          // for changes out of band
	typ     tftypes.Object          // the resource
	itemTyp tftypes.Object          // one element of permission_sets
}

func newPSRPC(tb testing.TB) *psRPC {
	tb.Helper()
	ctx := context.Background()
	local, err := server.New(ctx, server.Options{DBPath: ":memory:"})
	if err != nil {
		tb.Fatal(err)
	}
	tenant, key := uuid.NewString(), "bench-"+uuid.NewString()
	if err := local.EnsureTenant(ctx, tenant); err != nil {
		tb.Fatal(err)
	}
	if err := local.AddKey(ctx, tenant, key, false); err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewServer(local.Handler())
	tb.Cleanup(func() { hs.Close(); _ = local.Close() })

	ps := NewProtocol6Server("test")()
	schemas, err := ps.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		tb.Fatal(err)
	}
	provTyp := schemas.Provider.ValueType().(tftypes.Object)
	pattrs := map[string]tftypes.Value{}
	for name, at := range provTyp.AttributeTypes {
		pattrs[name] = tftypes.NewValue(at, nil)
	}
	pattrs["endpoint"] = tftypes.NewValue(tftypes.String, hs.URL)
	pattrs["api_key"] = tftypes.NewValue(tftypes.String, key)
	pattrs["tenant_id"] = tftypes.NewValue(tftypes.String, tenant)
	c, err := client.New(client.Config{Endpoint: hs.URL, APIKey: key, TenantID: tenant})
	if err != nil {
		tb.Fatal(err)
	}
	typ := schemas.ResourceSchemas["jitsudo_permission_sets"].ValueType().(tftypes.Object)
	p := &psRPC{
		srv: ps, cfg: psDynamic(tb, provTyp, tftypes.NewValue(provTyp, pattrs)), client: c,
		typ: typ, itemTyp: typ.AttributeTypes["permission_sets"].(tftypes.Map).ElementType.(tftypes.Object),
	}
	p.configure(tb)
	return p
}

// configure configures the provider again, which starts with empty
// refresh caches, like the new provider process of each terraform command.
func (p *psRPC) configure(tb testing.TB) {
	tb.Helper()
	resp, err := p.srv.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{Config: p.cfg})
	if err != nil {
		tb.Fatal(err)
	}
	psCheckDiags(tb, "ConfigureProvider", resp.Diagnostics)
}

func psDynamic(tb testing.TB, typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	tb.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		tb.Fatal(err)
	}
	return &dv
}

func psCheckDiags(tb testing.TB, rpc string, diags []*tfprotov6.Diagnostic) {
	tb.Helper()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			tb.Fatalf("%s: %s: %s", rpc, d.Summary, d.Detail)
		}
	}
}

// value is the resource with n sets (session duration PT4H for the first
// `changed`); synced is the value of last_synced_at: "" for null (as in
// configuration), "?" for unknown.
func (p *psRPC) value(n, changed int, id any, synced string) tftypes.Value {
	elems := make(map[string]tftypes.Value, n)
	for i := range n {
		duration := "PT8H"
		if i < changed {
			duration = "PT4H"
		}
		var last any
		switch synced {
		case "":
		case "?":
			last = tftypes.UnknownValue
		default:
			last = synced
		}
		elems[fmt.Sprintf("arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-%016d", i)] = tftypes.NewValue(p.itemTyp, map[string]tftypes.Value{
			"name":             tftypes.NewValue(tftypes.String, fmt.Sprintf("Set%d", i)),
			"account_id":       tftypes.NewValue(tftypes.String, "123456789012"),
			"metadata":         tftypes.NewValue(tftypes.String, fmt.Sprintf(`{"index":%d}`, i)),
			"rank":             tftypes.NewValue(tftypes.Number, nil),
			"description":      tftypes.NewValue(tftypes.String, nil),
			"session_duration": tftypes.NewValue(tftypes.String, duration),
			"relay_state":      tftypes.NewValue(tftypes.String, nil),
			"last_synced_at":   tftypes.NewValue(tftypes.String, last),
		})
	}
	attrs := map[string]tftypes.Value{
		"id":              tftypes.NewValue(tftypes.String, id),
		"permission_sets": tftypes.NewValue(p.typ.AttributeTypes["permission_sets"], elems),
	}
	for name, at := range p.typ.AttributeTypes { // others (timeouts) null
		if _, ok := attrs[name]; !ok {
			attrs[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(p.typ, attrs)
}

func psBenchN(tb testing.TB) int {
	if s := os.Getenv("JITSUDO_PS_RPC_N"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			tb.Fatalf("JITSUDO_PS_RPC_N=%q is not a positive number", s)
		}
		return n
	}
	return 1000
}

// BenchmarkPermissionSetsRPC runs, per op, the RPCs of a create and of a
// no-change plan (validate, read, plan) of one jitsudo_permission_sets of
// N sets, and reports each RPC's wall time.
func BenchmarkPermissionSetsRPC(b *testing.B) {
	ctx := context.Background()
	n := psBenchN(b)
	p := newPSRPC(b)
	const tn = "jitsudo_permission_sets"
	config := psDynamic(b, p.typ, p.value(n, 0, nil, ""))
	timings := map[string]time.Duration{}
	timed := func(name string, f func()) {
		start := time.Now()
		f()
		timings[name] += time.Since(start)
	}
	for range b.N {
		var state *tfprotov6.DynamicValue
		timed("validate", func() {
			r, err := p.srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: tn, Config: config})
			if err != nil {
				b.Fatal(err)
			}
			psCheckDiags(b, "ValidateResourceConfig", r.Diagnostics)
		})
		var planned *tfprotov6.PlanResourceChangeResponse
		timed("plan-create", func() {
			var err error
			planned, err = p.srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
				TypeName: tn, Config: config, ProposedNewState: psDynamic(b, p.typ, p.value(n, 0, nil, "")),
				PriorState: psDynamic(b, p.typ, tftypes.NewValue(p.typ, nil)),
			})
			if err != nil {
				b.Fatal(err)
			}
			psCheckDiags(b, "PlanResourceChange", planned.Diagnostics)
		})
		timed("apply-create", func() {
			r, err := p.srv.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
				TypeName: tn, Config: config, PlannedState: planned.PlannedState, PlannedPrivate: planned.PlannedPrivate,
				PriorState: psDynamic(b, p.typ, tftypes.NewValue(p.typ, nil)),
			})
			if err != nil {
				b.Fatal(err)
			}
			psCheckDiags(b, "ApplyResourceChange", r.Diagnostics)
			state = r.NewState
		})
		p.configure(b)
		var read *tfprotov6.ReadResourceResponse
		timed("read", func() {
			var err error
			read, err = p.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: tn, CurrentState: state})
			if err != nil {
				b.Fatal(err)
			}
			psCheckDiags(b, "ReadResource", read.Diagnostics)
		})
		timed("plan-nochange", func() {
			r, err := p.srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
				TypeName: tn, Config: config, ProposedNewState: read.NewState, PriorState: read.NewState, PriorPrivate: read.Private,
			})
			if err != nil {
				b.Fatal(err)
			}
			psCheckDiags(b, "PlanResourceChange", r.Diagnostics)
		})
		b.StopTimer()
		// Leave an empty cache for the next op.
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-%016d", i)
		}
		for _, batch := range permissionSetChunks(ids, permissionSetBatchSize) {
			if _, err := p.client.DeletePermissionSets(ctx, batch, nil); err != nil {
				b.Fatal(err)
			}
		}
		p.configure(b)
		b.StartTimer()
	}
	for name, d := range timings {
		b.ReportMetric(d.Seconds()/float64(b.N), name+"-s/op")
	}
}

// TestPermissionSetsRawPlanMatchesFramework compares the plan of
// jitsudo_permission_sets made on raw values with the framework's plan of
// the same request.
func TestPermissionSetsRawPlanMatchesFramework(t *testing.T) {
	ctx := context.Background()
	typ := permissionSetsRawType()
	mapTyp := typ.AttributeTypes["permission_sets"].(tftypes.Map)
	elemTyp := mapTyp.ElementType.(tftypes.Object)
	unknown := tftypes.UnknownValue
	str := func(v any) tftypes.Value { return tftypes.NewValue(tftypes.String, v) }
	// item: metadata and synced nil for null; name may be unknown.
	item := func(name, metadata, synced any) tftypes.Value {
		return tftypes.NewValue(elemTyp, map[string]tftypes.Value{
			"name": str(name), "account_id": str("123456789012"), "metadata": str(metadata),
			"rank": tftypes.NewValue(tftypes.Number, 7), "description": str(nil),
			"session_duration": str("PT8H"), "relay_state": str(nil), "last_synced_at": str(synced),
		})
	}
	res := func(id any, sets map[string]tftypes.Value) tftypes.Value {
		var m tftypes.Value
		if sets == nil {
			m = tftypes.NewValue(mapTyp, unknown)
		} else {
			m = tftypes.NewValue(mapTyp, sets)
		}
		attrs := map[string]tftypes.Value{"id": str(id), "permission_sets": m}
		for name, at := range typ.AttributeTypes { // others (timeouts) null
			if _, ok := attrs[name]; !ok {
				attrs[name] = tftypes.NewValue(at, nil)
			}
		}
		return tftypes.NewValue(typ, attrs)
	}
	// proposed is terraform's proposed new state for this schema: the
	// configuration, with the prior values of computed attributes the
	// configuration leaves null.
	proposed := func(config, prior tftypes.Value) tftypes.Value {
		if config.IsNull() {
			return config
		}
		ca, _ := rawObject(config)
		pa, _ := rawObject(prior)
		out := map[string]tftypes.Value{}
		for name, v := range ca {
			out[name] = v
		}
		out["id"] = pa["id"]
		if pa == nil {
			out["id"] = str(nil)
		}
		cs, _ := rawMap(ca["permission_sets"])
		ps, _ := rawMap(pa["permission_sets"])
		if cs != nil {
			m := map[string]tftypes.Value{}
			for arn, v := range cs {
				e, _ := rawObject(v)
				if e == nil {
					m[arn] = v
					continue
				}
				pe, _ := rawObject(ps[arn])
				ne := map[string]tftypes.Value{}
				for k, x := range e {
					ne[k] = x
				}
				ne["last_synced_at"] = str(nil)
				if pe != nil {
					ne["last_synced_at"] = pe["last_synced_at"]
					if e["metadata"].IsNull() {
						ne["metadata"] = pe["metadata"]
					}
				}
				m[arn] = tftypes.NewValue(elemTyp, ne)
			}
			out["permission_sets"] = tftypes.NewValue(mapTyp, m)
		}
		return tftypes.NewValue(typ, out)
	}
	const a, b, c = "arn:aws:sso:::permissionSet/i/ps-a", "arn:aws:sso:::permissionSet/i/ps-b", "arn:aws:sso:::permissionSet/i/ps-c"
	const t1 = "2026-01-01T00:00:00Z"
	state := res("permission-sets", map[string]tftypes.Value{
		a: item("A", `{"x":1,"y":[1,2]}`, t1), b: item("B", "{}", t1), c: item("C", `{"z":true}`, t1),
	})
	cases := []struct {
		name          string
		config, prior tftypes.Value
	}{
		{"create", res(nil, map[string]tftypes.Value{a: item("A", `{"x":1}`, nil), b: item("B", nil, nil)}), tftypes.NewValue(typ, nil)},
		{"no change", res(nil, map[string]tftypes.Value{a: item("A", `{"x":1,"y":[1,2]}`, nil), b: item("B", nil, nil), c: item("C", `{"z":true}`, nil)}), state},
		{"metadata reformatted", res(nil, map[string]tftypes.Value{a: item("A", `{ "y": [1, 2], "x": 1 }`, nil), b: item("B", "{ }", nil), c: item("C", `{"z":true}`, nil)}), state},
		{"one renamed", res(nil, map[string]tftypes.Value{a: item("A2", `{"x":1,"y":[1,2]}`, nil), b: item("B", nil, nil), c: item("C", `{"z":true}`, nil)}), state},
		{"metadata changed and reformatted", res(nil, map[string]tftypes.Value{a: item("A", `{"x":2}`, nil), b: item("B", nil, nil), c: item("C", `{ "z": true }`, nil)}), state},
		{"add and drop", res(nil, map[string]tftypes.Value{a: item("A", `{"x":1,"y":[1,2]}`, nil), c: item("C", nil, nil), "arn:aws:sso:::permissionSet/i/ps-d": item("D", nil, nil)}), state},
		{"unknown name", res(nil, map[string]tftypes.Value{a: item(unknown, `{"x":1,"y":[1,2]}`, nil), b: item("B", nil, nil), c: item("C", `{"z":true}`, nil)}), state},
		{"unknown metadata", res(nil, map[string]tftypes.Value{a: item("A", unknown, nil), b: item("B", nil, nil), c: item("C", `{"z":true}`, nil)}), state},
		{"unknown element", res(nil, map[string]tftypes.Value{a: tftypes.NewValue(elemTyp, unknown), b: item("B", nil, nil), c: item("C", `{"z":true}`, nil)}), state},
		{"unknown map", res(nil, nil), state},
		{"empty", res(nil, map[string]tftypes.Value{}), state},
		{"destroy", tftypes.NewValue(typ, nil), state},
	}
	if tt, ok := typ.AttributeTypes["timeouts"].(tftypes.Object); ok {
		// Only the timeouts change.
		withTimeouts := func(v tftypes.Value) tftypes.Value {
			a, _ := rawObject(v)
			ta := map[string]tftypes.Value{}
			for name, at := range tt.AttributeTypes {
				ta[name] = tftypes.NewValue(at, nil)
			}
			ta["create"] = str("5m")
			a["timeouts"] = tftypes.NewValue(tt, ta)
			return tftypes.NewValue(typ, a)
		}
		cases = append(cases, struct {
			name          string
			config, prior tftypes.Value
		}{"timeouts only", withTimeouts(res(nil, map[string]tftypes.Value{a: item("A", `{"x":1,"y":[1,2]}`, nil), b: item("B", nil, nil), c: item("C", `{"z":true}`, nil)})), state})
	}
	framework, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := framework.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{}); err != nil {
		t.Fatal(err)
	}
	// Private state as the framework encodes it (values base64).
	private, err := json.Marshal(map[string][]byte{"etag": []byte(`{"arn:aws:sso:::permissionSet/i/ps-a":"\"5d41402abc4b2a76\""}`)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := &tfprotov6.PlanResourceChangeRequest{
				TypeName: permissionSetsTypeName, Config: psDynamic(t, typ, tc.config),
				PriorState: psDynamic(t, typ, tc.prior), ProposedNewState: psDynamic(t, typ, proposed(tc.config, tc.prior)),
				PriorPrivate: private,
			}
			want, err := framework.PlanResourceChange(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			psCheckDiags(t, "framework PlanResourceChange", want.Diagnostics)
			got, err := planPermissionSetsRaw(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			psCheckSameValue(t, typ, "plan", got.PlannedState, want.PlannedState)
			if len(want.RequiresReplace) > 0 {
				t.Errorf("framework plan requires replace: %v", want.RequiresReplace)
			}
			if string(got.PlannedPrivate) != string(want.PlannedPrivate) {
				t.Errorf("planned private = %s, want %s", got.PlannedPrivate, want.PlannedPrivate)
			}
		})
	}
}

// psCheckSameValue fails t unless got, the raw server's value of typ
// (what: "plan" or "upgrade"), equals want, the framework's.
func psCheckSameValue(t *testing.T, typ tftypes.Type, what string, got, want *tfprotov6.DynamicValue) {
	t.Helper()
	wv, err := want.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	gv, err := got.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	if !gv.Equal(wv) {
		t.Errorf("raw %s differs from the framework's:\n got %s\nwant %s", what, gv, wv)
	}
}
