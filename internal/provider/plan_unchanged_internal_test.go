package provider

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// unchangedPlanStates are a stored state of each type in
// plansUnchangedAsPrior (two for rules: structured and raw), with every
// attribute that has a default at its default, and the optional+computed
// attributes its configuration leaves out.
var unchangedPlanStates = map[string]struct {
	typeName, state string
	unset           []string
}{
	"policy": {"jitsudo_policy", `{"id":"2a1b1f0e-3c4d-4e5f-8a9b-0c1d2e3f4a5b","name":"oncall","description":"On-call access",` +
		`"enabled":true,"priority":0,"default_duration_seconds":3600,"max_duration_seconds":14400,"notification_channel":"#access",` +
		`"cedar_policy_set":"permit (principal, action, resource);","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-02T00:00:00Z","timeouts":null}`, nil},
	"rule": {"jitsudo_policy_rule", `{"id":"7c9e6679-7425-40de-944b-e07fc1f90ae7","policy_id":"2a1b1f0e-3c4d-4e5f-8a9b-0c1d2e3f4a5b",` +
		`"effect":"permit","principal":{"scope":"in","entity_type":"Group","entity_id":"oncall","in_entity_type":null},` +
		`"action":{"scope":"in","ids":["request","approve"]},"resource":null,"conditions":"context.mfa == true",` +
		`"policy_text":"permit (principal in Group::\"oncall\", action in [Action::\"request\", Action::\"approve\"], resource) when { context.mfa == true };",` +
		`"audit_session":true,"notice":null,"ordinal":1,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-02T00:00:00Z","timeouts":{"create":"5m","update":null,"delete":null}}`,
		[]string{"policy_text"}},
	"raw rule": {"jitsudo_policy_rule", `{"id":"7c9e6679-7425-40de-944b-e07fc1f90ae8","policy_id":"2a1b1f0e-3c4d-4e5f-8a9b-0c1d2e3f4a5b",` +
		`"effect":null,"principal":null,"action":null,"resource":null,"conditions":null,` +
		`"policy_text":"forbid (principal, action, resource) unless { context.mfa };",` +
		`"audit_session":true,"notice":"MFA only","ordinal":2,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-02T00:00:00Z","timeouts":null}`, nil},
	"mapping": {"jitsudo_aws_role_mapping", `{"aws_role_id":"0b6f1c2d-3e4f-4a5b-9c6d-7e8f9a0b1c2d","arn":"arn:aws:iam::123456789012:role/Dev",` +
		`"name":"Dev","role_ids":["r-admin","r-read"],"roles":{"r-admin":"Admin","r-read":"Read"},"timeouts":null}`, nil},
	"permission set": {"jitsudo_permission_set", `{"id":"arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef",` +
		`"name":"ReadOnly","description":null,"account_id":"123456789012","metadata":"{}","rank":3,"session_duration":"PT8H",` +
		`"relay_state":null,"last_synced_at":"2026-01-02T00:00:00Z","timeouts":null}`, nil},
}

// TestUnchangedPlanMatchesFramework checks that planUnchanged answers
// exactly the plans it may, and answers them as the framework does, with
// the provider configured (a Cedar schema the rules do not fit, whose
// findings are warnings, and an API that fails every request): the
// ModifyPlans run as in a real plan, and any warning or change they made
// on an unchanged plan would show.
func TestUnchangedPlanMatchesFramework(t *testing.T) {
	framework, schemas := frameworkServer(t)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer hs.Close()
	raw := &rawPlanServer{ProviderServer: framework}
	unchangedPlanConfigure(t, raw, schemas, hs.URL)
	if !raw.configured.Load() {
		t.Fatal("not configured")
	}
	identities, err := framework.GetResourceIdentitySchemas(context.Background(), &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for name, c := range unchangedPlanStates {
		covered[c.typeName] = true
		st := resourceStateTypes()[c.typeName]
		prior, err := (&tfprotov6.RawState{JSON: []byte(c.state)}).Unmarshal(st.typ)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		u := unchangedPlanCase{t: t, typ: st.typ, prior: prior, schema: schemas.ResourceSchemas[c.typeName], identity: identities.IdentitySchemas[c.typeName], unset: c.unset}
		config := u.config(nil)

		t.Run(name+"/unchanged", func(t *testing.T) {
			u.t = t
			u.compare(framework, raw, c.typeName, config, prior, prior, true)
		})
		if len(st.defaults) > 0 {
			omitted := u.config(st.defaults)
			t.Run(name+"/defaults omitted", func(t *testing.T) {
				u.t = t
				u.compare(framework, raw, c.typeName, omitted, prior, prior, true)
			})
			t.Run(name+"/default applies", func(t *testing.T) {
				u.t = t
				// Changed out of band: the prior state has other values
				// than the defaults, and the proposed new state keeps them
				// (omitted optional+computed attributes). The default is
				// the change, which the framework must plan.
				changed := u.withAttrs(prior, otherValues(st.defaults))
				if got := u.compare(framework, raw, c.typeName, omitted, changed, changed, false); got.Equal(changed) {
					t.Fatal("the framework did not apply the default; the case tests nothing")
				}
			})
		}
		t.Run(name+"/changed", func(t *testing.T) {
			u.t = t
			attrs := u.schemaAttrs()
			for _, attr := range slices.Sorted(maps.Keys(attrs)) {
				if s := attrs[attr]; !s.Computed && s.Type != nil && s.Type.Is(tftypes.String) {
					changedConfig := u.withAttrs(config, map[string]tftypes.Value{attr: tftypes.NewValue(tftypes.String, "changed")})
					changedProposed := u.withAttrs(prior, map[string]tftypes.Value{attr: tftypes.NewValue(tftypes.String, "changed")})
					u.compare(framework, raw, c.typeName, changedConfig, prior, changedProposed, false)
					return
				}
			}
			t.Fatal("no configurable string attribute to change")
		})
		t.Run(name+"/not configured", func(t *testing.T) {
			u.t = t
			req := u.request(c.typeName, config, prior, prior)
			if resp := (&rawPlanServer{ProviderServer: framework}).planUnchanged(req); resp != nil {
				t.Fatal("planned without a configured provider")
			}
		})
		t.Run(name+"/no prior identity", func(t *testing.T) {
			u.t = t
			u.noIdentity = true
			defer func() { u.noIdentity = false }()
			u.compare(framework, raw, c.typeName, config, prior, prior, true)
		})
	}
	for typeName := range plansUnchangedAsPrior {
		if !covered[typeName] {
			t.Errorf("%s is in plansUnchangedAsPrior without a state in unchangedPlanStates", typeName)
		}
	}
}

// TestUnchangedPlanNeedsKnownConfig checks that planUnchanged is only used
// after a provider configuration without errors and unknown values (with
// unknown values the framework defers plans, or the client is not set).
func TestUnchangedPlanNeedsKnownConfig(t *testing.T) {
	framework, schemas := frameworkServer(t)
	raw := &rawPlanServer{ProviderServer: framework}
	for _, c := range []struct {
		name, endpoint, tenant string
		want                   bool
	}{
		{"unknown endpoint", "", "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0", false},
		{"known", "https://jitsudo.invalid", "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0", true},
		{"invalid tenant id", "https://jitsudo.invalid", "x", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			attrs := unchangedPlanProviderConfig(schemas, c.endpoint)
			attrs["tenant_id"] = tftypes.NewValue(tftypes.String, c.tenant)
			typ := schemas.Provider.ValueType()
			_, err := raw.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{
				Config:             psDynamic(t, typ, tftypes.NewValue(typ, attrs)),
				ClientCapabilities: &tfprotov6.ConfigureProviderClientCapabilities{DeferralAllowed: true},
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := raw.configured.Load(); got != c.want {
				t.Errorf("configured = %v, want %v", got, c.want)
			}
		})
	}
}

// unchangedPlanProviderConfig is a provider block for endpoint ("" for
// unknown) with a Cedar schema and schema findings as warnings.
func unchangedPlanProviderConfig(schemas *tfprotov6.GetProviderSchemaResponse, endpoint string) map[string]tftypes.Value {
	attrs := map[string]tftypes.Value{}
	for name, at := range schemas.Provider.ValueType().(tftypes.Object).AttributeTypes {
		attrs[name] = tftypes.NewValue(at, nil)
	}
	attrs["endpoint"] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	if endpoint != "" {
		attrs["endpoint"] = tftypes.NewValue(tftypes.String, endpoint)
	}
	attrs["api_key"] = tftypes.NewValue(tftypes.String, "test-key")
	attrs["tenant_id"] = tftypes.NewValue(tftypes.String, "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0")
	attrs["max_retries"] = tftypes.NewValue(tftypes.Number, 0)
	attrs["cedar_schema"] = tftypes.NewValue(tftypes.String, "entity User;\naction look appliesTo { principal: User, resource: User };\n")
	attrs["schema_findings"] = tftypes.NewValue(tftypes.String, "warning")
	return attrs
}

// unchangedPlanConfigure configures raw (and so its framework) with the
// provider block of unchangedPlanProviderConfig.
func unchangedPlanConfigure(t *testing.T, raw *rawPlanServer, schemas *tfprotov6.GetProviderSchemaResponse, endpoint string) {
	t.Helper()
	typ := schemas.Provider.ValueType()
	resp, err := raw.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{
		Config: psDynamic(t, typ, tftypes.NewValue(typ, unchangedPlanProviderConfig(schemas, endpoint))),
	})
	if err != nil {
		t.Fatal(err)
	}
	psCheckDiags(t, "ConfigureProvider", resp.Diagnostics)
}

type unchangedPlanCase struct {
	t        *testing.T
	typ      tftypes.Type
	prior    tftypes.Value
	schema   *tfprotov6.Schema
	identity *tfprotov6.ResourceIdentitySchema
	// noIdentity leaves the prior identity out, as terraform before 1.12
	// does.
	noIdentity bool
	// unset are attributes the configuration leaves out.
	unset []string
}

func (u *unchangedPlanCase) schemaAttrs() map[string]*tfprotov6.SchemaAttribute {
	out := map[string]*tfprotov6.SchemaAttribute{}
	for _, a := range u.schema.Block.Attributes {
		out[a.Name] = a
	}
	return out
}

// config is the configuration of the prior state: computed-only
// attributes null, and so are u.unset and the attributes in omit.
func (u *unchangedPlanCase) config(omit map[string]tftypes.Value) tftypes.Value {
	nulls := map[string]tftypes.Value{}
	for name, a := range u.schemaAttrs() {
		_, omitted := omit[name]
		if (a.Computed && !a.Optional) || omitted || slices.Contains(u.unset, name) {
			nulls[name] = tftypes.NewValue(u.typ.(tftypes.Object).AttributeTypes[name], nil)
		}
	}
	return u.withAttrs(u.prior, nulls)
}

func (u *unchangedPlanCase) withAttrs(v tftypes.Value, set map[string]tftypes.Value) tftypes.Value {
	attrs, err := rawObject(v)
	if err != nil {
		u.t.Fatal(err)
	}
	out := make(map[string]tftypes.Value, len(attrs))
	for k, a := range attrs {
		out[k] = a
	}
	for k, a := range set {
		out[k] = a
	}
	return tftypes.NewValue(u.typ, out)
}

func (u *unchangedPlanCase) dynamic(typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		u.t.Fatal(err)
	}
	return &dv
}

func (u *unchangedPlanCase) request(typeName string, config, prior, proposed tftypes.Value) *tfprotov6.PlanResourceChangeRequest {
	idTypes := map[string]tftypes.Type{}
	idValues := map[string]tftypes.Value{}
	for _, a := range u.identity.IdentityAttributes {
		idTypes[a.Name] = a.Type
		idValues[a.Name] = tftypes.NewValue(a.Type, "id-"+a.Name)
	}
	idType := tftypes.Object{AttributeTypes: idTypes}
	private, err := json.Marshal(map[string][]byte{privateETagKey: []byte(`"\"7\""`)})
	if err != nil {
		u.t.Fatal(err)
	}
	priorState := u.dynamic(u.typ, prior)
	proposedState := priorState // as terraform encodes it, when equal
	if !proposed.Equal(prior) {
		proposedState = u.dynamic(u.typ, proposed)
	}
	req := &tfprotov6.PlanResourceChangeRequest{
		TypeName:         typeName,
		Config:           u.dynamic(u.typ, config),
		PriorState:       priorState,
		ProposedNewState: proposedState,
		PriorPrivate:     private,
		PriorIdentity:    &tfprotov6.ResourceIdentityData{IdentityData: u.dynamic(idType, tftypes.NewValue(idType, idValues))},
	}
	if u.noIdentity {
		req.PriorIdentity = nil
	}
	return req
}

// compare plans proposed with the framework and with planUnchanged, which
// must answer (when answered is true) with the framework's plan, or leave
// it to the framework. It returns the framework's planned state.
func (u *unchangedPlanCase) compare(framework tfprotov6.ProviderServer, raw *rawPlanServer, typeName string, config, prior, proposed tftypes.Value, answered bool) tftypes.Value {
	u.t.Helper()
	req := u.request(typeName, config, prior, proposed)
	want, err := framework.PlanResourceChange(context.Background(), req)
	if err != nil {
		u.t.Fatal(err)
	}
	psCheckDiags(u.t, "framework PlanResourceChange", want.Diagnostics)
	wantState, err := want.PlannedState.Unmarshal(u.typ)
	if err != nil {
		u.t.Fatal(err)
	}
	got := raw.planUnchanged(req)
	if !answered {
		if got != nil {
			u.t.Fatal("planUnchanged answered a plan that changes")
		}
		return wantState
	}
	if got == nil {
		u.t.Fatal("planUnchanged left an unchanged plan to the framework")
	}
	psCheckSameValue(u.t, u.typ, "planned state", got.PlannedState, want.PlannedState)
	if len(want.RequiresReplace) != 0 {
		u.t.Errorf("the framework's plan replaces %v", want.RequiresReplace)
	}
	for _, d := range want.Diagnostics {
		u.t.Errorf("the framework's plan has a diagnostic that planUnchanged drops: %s: %s", d.Summary, d.Detail)
	}
	var gotPrivate, wantPrivate map[string][]byte
	if json.Unmarshal(got.PlannedPrivate, &gotPrivate) != nil || json.Unmarshal(want.PlannedPrivate, &wantPrivate) != nil ||
		string(gotPrivate[privateETagKey]) != string(wantPrivate[privateETagKey]) || len(gotPrivate) != len(wantPrivate) {
		u.t.Errorf("private: got %s, the framework's %s", got.PlannedPrivate, want.PlannedPrivate)
	}
	if got.PlannedIdentity == nil || want.PlannedIdentity == nil ||
		string(got.PlannedIdentity.IdentityData.MsgPack) != string(want.PlannedIdentity.IdentityData.MsgPack) {
		u.t.Errorf("identity: got %v, the framework's %v", got.PlannedIdentity, want.PlannedIdentity)
	}
	return wantState
}

// otherValues are values other than the defaults, of the same types.
func otherValues(defaults map[string]tftypes.Value) map[string]tftypes.Value {
	out := map[string]tftypes.Value{}
	for name, d := range defaults {
		switch {
		case d.Type().Is(tftypes.Bool):
			var b bool
			_ = d.As(&b)
			out[name] = tftypes.NewValue(tftypes.Bool, !b)
		case d.Type().Is(tftypes.Number):
			out[name] = tftypes.NewValue(tftypes.Number, 42)
		default:
			out[name] = tftypes.NewValue(tftypes.String, `{"other":1}`)
		}
	}
	return out
}
