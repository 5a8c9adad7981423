package provider

// Planning a resource that does not change.
//
// In a plan, terraform asks the provider to plan every resource, also the
// ones whose configuration and refreshed state agree. The framework's
// PlanResourceChange decodes the configuration, the prior state and the
// proposed new state into its schema data, applies defaults, runs every
// attribute plan modifier and ModifyPlan, and encodes the result: 40% of
// the provider's CPU in a no-change plan of 1,000 rules (BENCHMARKS.md,
// "Below the framework floor"). When nothing changes, the framework's
// answer is known without it, and is the prior state:
//
//   - the proposed new state is the prior state, so no
//     computed attribute is marked unknown and no plan modifier of ours
//     changes anything (UseStateForUnknown keeps a known value,
//     RequiresReplace needs a change, permissionSetMetadataKeepState
//     keeps an equal value);
//   - no default applies: every attribute with a default that is null in
//     the configuration already has its default in the prior state;
//   - the resource type's ModifyPlan leaves an unchanged plan as it is and
//     adds no diagnostics (reviewed for each type in plansUnchangedAsPrior:
//     the rule's keepEquivalent and checkPlanSchema stop on an unchanged
//     statement, the mapping's fills only unknown values, the permission
//     set's keeps last_synced_at, the policy has none);
//   - the provider is configured and not deferred.
//
// Then the plan is the prior state, private data and identity (a null one
// when terraform sent none), as the
// framework would plan it (TestUnchangedPlanMatchesFramework). Anything
// else goes to the framework.

import (
	"bytes"
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/defaults"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// plansUnchangedAsPrior are the resource types whose unchanged plans are
// answered by planUnchanged. Add a type only after checking that its
// ModifyPlan and plan modifiers leave an unchanged plan as it is.
var plansUnchangedAsPrior = map[string]bool{
	"jitsudo_policy":           true,
	"jitsudo_policy_rule":      true,
	"jitsudo_permission_set":   true,
	"jitsudo_aws_role_mapping": true,
}

// ConfigureProvider is the framework's; planUnchanged is used only after
// a configuration without errors and without unknown values (with unknown
// values the framework may defer every plan).
func (s *rawPlanServer) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	resp, err := s.ProviderServer.ConfigureProvider(ctx, req)
	ok := err == nil && resp != nil && req != nil && req.Config != nil
	if ok {
		for _, d := range resp.Diagnostics {
			ok = ok && d.Severity != tfprotov6.DiagnosticSeverityError
		}
		cfg, uerr := req.Config.Unmarshal(providerConfigType())
		ok = ok && uerr == nil && cfg.IsFullyKnown()
	}
	s.configured.Store(ok)
	return resp, err
}

// providerConfigType is the value type of the provider block.
var providerConfigType = sync.OnceValue(func() tftypes.Type {
	var resp provider.SchemaResponse
	New("")().Schema(context.Background(), provider.SchemaRequest{}, &resp)
	return resp.Schema.Type().TerraformType(context.Background())
})

// planUnchanged is the plan of req when its resource does not change (see
// above), or nil when the framework has to plan it.
func (s *rawPlanServer) planUnchanged(req *tfprotov6.PlanResourceChangeRequest) *tfprotov6.PlanResourceChangeResponse {
	if !s.configured.Load() || !plansUnchangedAsPrior[req.TypeName] ||
		req.Config == nil || req.PriorState == nil || req.ProposedNewState == nil {
		return nil
	}
	st, ok := resourceStateTypes()[req.TypeName]
	if !ok || !st.defaultsKnown {
		return nil
	}
	prior, err := req.PriorState.Unmarshal(st.typ)
	if err != nil || prior.IsNull() || !prior.IsFullyKnown() {
		return nil // create, or values the framework should judge
	}
	// Terraform encodes equal values alike (cty sorts map keys); other
	// encoders may not, so different bytes are compared as values.
	if len(req.PriorState.MsgPack) == 0 || !bytes.Equal(req.PriorState.MsgPack, req.ProposedNewState.MsgPack) {
		proposed, err := req.ProposedNewState.Unmarshal(st.typ)
		if err != nil || !proposed.Equal(prior) {
			return nil // a change
		}
	}
	if len(st.defaults) > 0 {
		config, err := req.Config.Unmarshal(st.typ)
		if err != nil {
			return nil
		}
		configAttrs, err := rawObject(config)
		if err != nil || configAttrs == nil {
			return nil
		}
		priorAttrs, err := rawObject(prior)
		if err != nil {
			return nil
		}
		for name, def := range st.defaults {
			if configAttrs[name].IsNull() && !priorAttrs[name].Equal(def) {
				return nil // the default applies: a change
			}
		}
	}
	identity := req.PriorIdentity
	if identity == nil && st.identityType != nil {
		// A terraform without identities (before 1.12), or a state
		// written without one: the framework plans a null identity.
		dv, err := tfprotov6.NewDynamicValue(st.identityType, tftypes.NewValue(st.identityType, nil))
		if err != nil {
			return nil
		}
		identity = &tfprotov6.ResourceIdentityData{IdentityData: &dv}
	}
	return &tfprotov6.PlanResourceChangeResponse{
		PlannedState:    req.ProposedNewState,
		PlannedPrivate:  req.PriorPrivate,
		PlannedIdentity: identity,
	}
}

// attributeDefaults are the top-level attributes of s with a default and
// their default values. known is false when an attribute has a default
// this cannot read (a kind other than string, bool and int64), or any
// nested attribute or block has one.
func attributeDefaults(ctx context.Context, s schema.Schema) (map[string]tftypes.Value, bool) {
	out := map[string]tftypes.Value{}
	for name, a := range s.Attributes {
		var v interface {
			ToTerraformValue(context.Context) (tftypes.Value, error)
		}
		switch a := a.(type) {
		case schema.StringAttribute:
			if a.Default == nil {
				continue
			}
			var resp defaults.StringResponse
			a.Default.DefaultString(ctx, defaults.StringRequest{}, &resp)
			if resp.Diagnostics.HasError() {
				return nil, false
			}
			v = resp.PlanValue
		case schema.BoolAttribute:
			if a.Default == nil {
				continue
			}
			var resp defaults.BoolResponse
			a.Default.DefaultBool(ctx, defaults.BoolRequest{}, &resp)
			if resp.Diagnostics.HasError() {
				return nil, false
			}
			v = resp.PlanValue
		case schema.Int64Attribute:
			if a.Default == nil {
				continue
			}
			var resp defaults.Int64Response
			a.Default.DefaultInt64(ctx, defaults.Int64Request{}, &resp)
			if resp.Diagnostics.HasError() {
				return nil, false
			}
			v = resp.PlanValue
		default:
			if hasDefault(a) {
				return nil, false
			}
			continue
		}
		tv, err := v.ToTerraformValue(ctx)
		if err != nil {
			return nil, false
		}
		out[name] = tv
	}
	for _, b := range s.Blocks {
		if blockHasDefault(b) {
			return nil, false
		}
	}
	return out, true
}

// hasDefault reports whether an attribute of a kind attributeDefaults does
// not read has a default, in itself or a nested attribute.
func hasDefault(a schema.Attribute) bool {
	switch a := a.(type) {
	case schema.StringAttribute:
		return a.Default != nil
	case schema.BoolAttribute:
		return a.Default != nil
	case schema.Int64Attribute:
		return a.Default != nil
	case schema.Float64Attribute:
		return a.Default != nil
	case schema.Float32Attribute:
		return a.Default != nil
	case schema.Int32Attribute:
		return a.Default != nil
	case schema.NumberAttribute:
		return a.Default != nil
	case schema.ListAttribute:
		return a.Default != nil
	case schema.SetAttribute:
		return a.Default != nil
	case schema.MapAttribute:
		return a.Default != nil
	case schema.ObjectAttribute:
		return a.Default != nil
	case schema.DynamicAttribute:
		return a.Default != nil
	case schema.SingleNestedAttribute:
		return a.Default != nil || nestedHasDefault(a.Attributes)
	case schema.ListNestedAttribute:
		return a.Default != nil || nestedHasDefault(a.NestedObject.Attributes)
	case schema.SetNestedAttribute:
		return a.Default != nil || nestedHasDefault(a.NestedObject.Attributes)
	case schema.MapNestedAttribute:
		return a.Default != nil || nestedHasDefault(a.NestedObject.Attributes)
	}
	return true // a kind this does not know: assume it has one
}

func nestedHasDefault(attrs map[string]schema.Attribute) bool {
	for _, a := range attrs {
		if hasDefault(a) {
			return true
		}
	}
	return false
}

func blockHasDefault(b schema.Block) bool {
	switch b := b.(type) {
	case schema.SingleNestedBlock:
		return nestedHasDefault(b.Attributes) || blocksHaveDefault(b.Blocks)
	case schema.ListNestedBlock:
		return nestedHasDefault(b.NestedObject.Attributes) || blocksHaveDefault(b.NestedObject.Blocks)
	case schema.SetNestedBlock:
		return nestedHasDefault(b.NestedObject.Attributes) || blocksHaveDefault(b.NestedObject.Blocks)
	}
	return true
}

func blocksHaveDefault(blocks map[string]schema.Block) bool {
	for _, b := range blocks {
		if blockHasDefault(b) {
			return true
		}
	}
	return false
}
