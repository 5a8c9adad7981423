package server

// Rule request bodies: checking, merging and reordering in pure functions,
// before the rule handlers (rules.go) store the result in one transaction.

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/validate"
)

// newRule is the rule a create body describes, with the non-fatal
// findings about it; its ordinal is that of the body (the caller picks
// the next one when the body has none).
func (s *Server) newRule(raw map[string]json.RawMessage, body api.RuleUpdate) (api.Rule, []api.ValidationDetail, error) {
	v := &validation{}
	checkRuleBody(v, raw, body)
	rule := api.Rule{
		AuditSession: true,
		Notice:       orNullNullable(body.Notice),
	}
	if body.AuditSession != nil {
		rule.AuditSession = *body.AuditSession
	}
	findings := ruleStatement(v, raw, body, &rule, true)
	if err := validationErr(v); err != nil {
		return api.Rule{}, nil, err
	}
	if body.Ordinal != nil {
		rule.Ordinal = *body.Ordinal
	}
	return rule, append(findings, s.schemaFindings(rule.PolicyText)...), nil
}

// mergeRuleUpdate is cur changed by an update body (absent fields stay,
// a sent scope is replaced as a unit), with the non-fatal findings about
// the result.
func (s *Server) mergeRuleUpdate(cur api.Rule, raw map[string]json.RawMessage, body api.RuleUpdate) (api.Rule, []api.ValidationDetail, error) {
	v := &validation{}
	checkRuleBody(v, raw, body)
	next := cur
	next.ActionIds = slices.Clone(cur.ActionIds)
	findings := ruleStatement(v, raw, body, &next, false)
	if body.Ordinal != nil {
		next.Ordinal = *body.Ordinal
	}
	if body.Notice.IsSpecified() {
		next.Notice = body.Notice
	}
	if body.AuditSession != nil {
		next.AuditSession = *body.AuditSession
	}
	if err := validationErr(v); err != nil {
		return cur, nil, err
	}
	return next, append(findings, s.schemaFindings(next.PolicyText)...), nil
}

// ruleStatement sets r's statement from the body's policy_text or its
// structured fields and judges it, once the body's own checks passed; it
// returns the non-fatal findings.
func ruleStatement(v *validation, raw map[string]json.RawMessage, body api.RuleUpdate, r *api.Rule, create bool) []api.ValidationDetail {
	var findings []api.ValidationDetail
	if body.PolicyText != nil {
		if v.ok() {
			findings, _ = applyPolicyText(v, r, *body.PolicyText, "policy_text", "")
		}
	} else if applyStructuredBody(v, raw, body, r, create) && v.ok() {
		findings, _ = applyStructured(v, r)
	}
	return findings
}

// changedRules is []api.Rule{next} when next differs from cur, else nil.
func changedRules(cur, next api.Rule) []api.Rule {
	if string(marshal(next)) == string(marshal(cur)) {
		return nil
	}
	return []api.Rule{next}
}

// checkRuleBody records the problems of a create or update body that do
// not depend on the stored rule: nulls of non-nullable fields, ranges and
// lengths, and policy_text combined with structured fields.
func checkRuleBody(v *validation, raw map[string]json.RawMessage, body api.RuleUpdate) {
	rejectNulls(v, raw, "ordinal", "policy_text", "effect", "principal_scope_type", "action_scope_type",
		"action_ids", "resource_scope_type", "audit_session")
	if body.Ordinal != nil {
		checkRange(v, "ordinal", *body.Ordinal, 0, ruleOrdinalMax)
	}
	if body.PolicyText != nil {
		checkLength(v, "policy_text", *body.PolicyText, 1, rulePolicyTextMax)
		var conflicting []string
		for _, f := range structuredRuleFields {
			if _, ok := raw[f]; ok && !isNull(raw, f) {
				conflicting = append(conflicting, f)
			}
		}
		for _, f := range conflicting {
			v.add(f, "conflicting_field", "%s cannot be combined with policy_text (sent: %s): send either policy_text alone or the structured fields",
				f, strings.Join(conflicting, ", "))
		}
	}
	if c := nullablePtr[string](body.Conditions); c != nil {
		checkLength(v, "conditions", *c, 0, ruleConditionsMax)
	}
	if n := nullablePtr[string](body.Notice); n != nil {
		checkLength(v, "notice", *n, 0, ruleNoticeMax)
	}
	if body.ActionIds != nil {
		for i, id := range *body.ActionIds {
			if id == "" {
				v.add(fmt.Sprintf("action_ids[%d]", i), "required", "action_ids[%d] must not be empty", i)
			} else {
				checkLength(v, fmt.Sprintf("action_ids[%d]", i), id, 1, api.MaxActionIDLength)
			}
		}
	}
	for _, f := range []struct {
		name string
		val  nullable.Nullable[string]
		max  int
	}{
		{"principal_entity_type", body.PrincipalEntityType, api.MaxEntityTypeLength},
		{"principal_entity_id", body.PrincipalEntityId, api.MaxEntityIDLength},
		{"principal_in_entity_type", body.PrincipalInEntityType, api.MaxEntityTypeLength},
		{"resource_entity_type", body.ResourceEntityType, api.MaxEntityTypeLength},
		{"resource_entity_id", body.ResourceEntityId, api.MaxEntityIDLength},
		{"resource_in_entity_type", body.ResourceInEntityType, api.MaxEntityTypeLength},
	} {
		if s := nullablePtr[string](f.val); s != nil {
			checkLength(v, f.name, *s, 0, f.max)
		}
	}
}

// sent reports whether any of fields is a member of raw.
func sent(raw map[string]json.RawMessage, fields ...string) bool {
	for _, f := range fields {
		if _, ok := raw[f]; ok {
			return true
		}
	}
	return false
}

// orNullNullable is n, or an explicit null when n is absent.
func orNullNullable(n nullable.Nullable[string]) nullable.Nullable[string] {
	if !n.IsSpecified() {
		return nullable.NewNullNullable[string]()
	}
	return n
}

// applyStructuredBody sets the statement fields of r from a structured
// body. Each scope is replaced as a unit when any of its fields was sent:
// its scope type is then required and its absent fields become null (or,
// for action_ids, empty). create requires every scope and the effect.
// It reports whether any statement field was sent.
func applyStructuredBody(v *validation, raw map[string]json.RawMessage, body api.RuleUpdate, r *api.Rule, create bool) bool {
	changed := create
	if body.Effect != nil {
		r.Effect = *body.Effect
		changed = true
	} else if create && !isNull(raw, "effect") {
		v.add("effect", "required", "effect is required (permit or forbid) unless policy_text is sent")
	}
	principal := scopeUpdate{"principal", body.PrincipalScopeType, body.PrincipalEntityType, body.PrincipalEntityId, body.PrincipalInEntityType}
	if sc, sent := principal.merge(v, raw, create); sent {
		changed = true
		if sc != nil {
			r.PrincipalScopeType, r.PrincipalEntityType, r.PrincipalEntityId, r.PrincipalInEntityType = *sc.typ, sc.entityType, sc.entityID, sc.inEntityType
		}
	}
	resource := scopeUpdate{"resource", body.ResourceScopeType, body.ResourceEntityType, body.ResourceEntityId, body.ResourceInEntityType}
	if sc, sent := resource.merge(v, raw, create); sent {
		changed = true
		if sc != nil {
			r.ResourceScopeType, r.ResourceEntityType, r.ResourceEntityId, r.ResourceInEntityType = *sc.typ, sc.entityType, sc.entityID, sc.inEntityType
		}
	}
	if mergeActionScope(v, raw, body, r, create) {
		changed = true
	}
	if body.Conditions.IsSpecified() {
		r.Conditions = body.Conditions
		changed = true
	} else if create {
		r.Conditions = nullable.NewNullNullable[string]()
	}
	return changed
}

// scopeUpdate is what a body says of one scope, principal or resource.
type scopeUpdate struct {
	prefix                             string
	typ                                *api.ScopeType
	entityType, entityID, inEntityType nullable.Nullable[string]
}

// merge reports whether the body sent the scope (on create, always) and
// returns the scope that replaces the stored one: nil when none does (not
// sent, or sent without its required scope type, which is recorded in v),
// otherwise u with its absent entity fields null.
func (u scopeUpdate) merge(v *validation, raw map[string]json.RawMessage, create bool) (*scopeUpdate, bool) {
	typeField := u.prefix + "_scope_type"
	if !create && !sent(raw, typeField, u.prefix+"_entity_type", u.prefix+"_entity_id", u.prefix+"_in_entity_type") {
		return nil, false
	}
	if u.typ == nil {
		switch {
		case isNull(raw, typeField):
		case create:
			v.add(typeField, "required", "%s is required (any, eq, in, is or is_in) unless policy_text is sent", typeField)
		default:
			v.add(typeField, "required", "%s is required when any %s_* field is sent: the %s scope is replaced as a unit", typeField, u.prefix, u.prefix)
		}
		return nil, true
	}
	u.entityType, u.entityID, u.inEntityType = orNullNullable(u.entityType), orNullNullable(u.entityID), orNullNullable(u.inEntityType)
	return &u, true
}

// mergeActionScope replaces r's action scope as a unit when the body sent
// any of its fields (on create, always); it reports whether it did.
func mergeActionScope(v *validation, raw map[string]json.RawMessage, body api.RuleUpdate, r *api.Rule, create bool) bool {
	if !create && !sent(raw, "action_scope_type", "action_ids") {
		return false
	}
	switch {
	case body.ActionScopeType == nil && isNull(raw, "action_scope_type"):
	case body.ActionScopeType == nil && create:
		v.add("action_scope_type", "required", "action_scope_type is required (any, eq or in) unless policy_text is sent")
	case body.ActionScopeType == nil:
		v.add("action_scope_type", "required", "action_scope_type is required when action_ids is sent: the action scope is replaced as a unit")
	default:
		r.ActionScopeType = *body.ActionScopeType
		r.ActionIds = []string{}
		if body.ActionIds != nil {
			r.ActionIds = append(r.ActionIds, *body.ActionIds...)
		}
	}
	return true
}

// ruleReorderBody is api.RuleReorder with the ids as strings, so that a
// malformed id is reported at its index rather than as a decoding error.
type ruleReorderBody struct {
	Ids []string `json:"ids"`
}

// reorderRules is the reorder of a policy's rules (in evaluation order)
// that body asks for: the rules whose ordinal changes, with their new
// ordinals. The listed rules take the ordinals they hold among
// themselves, sorted, in the order given; unlisted rules keep theirs.
// Should listed rules share an ordinal, the later ones are raised just
// enough to keep the given order strict.
func reorderRules(rules []api.Rule, raw map[string]json.RawMessage, body ruleReorderBody, pid string) ([]api.Rule, error) {
	listed, err := listedRules(rules, raw, body, pid)
	if err != nil {
		return nil, err
	}
	ordinals := make([]int, len(listed))
	for i, k := range listed {
		ordinals[i] = rules[k].Ordinal
	}
	sort.Ints(ordinals)
	var moved []api.Rule
	prev := math.MinInt
	for i, k := range listed {
		o := max(ordinals[i], prev+1)
		prev = o
		if rules[k].Ordinal != o {
			r := rules[k]
			r.Ordinal = o
			moved = append(moved, r)
		}
	}
	return moved, nil
}

// listedRules are the indexes into rules of the ids of a reorder body, in
// its order; a missing list, a malformed, repeated or unknown id is a 400.
func listedRules(rules []api.Rule, raw map[string]json.RawMessage, body ruleReorderBody, pid string) ([]int, error) {
	byID := make(map[string]int, len(rules))
	for i, ru := range rules {
		byID[ru.Id.String()] = i
	}
	v := &validation{}
	if _, ok := raw["ids"]; !ok || len(body.Ids) == 0 {
		v.add("ids", "required", "ids must list at least one rule id of policy %s, in the wanted order", pid)
	}
	listed := make([]int, 0, len(body.Ids))
	first := map[string]int{}
	for i, id := range body.Ids {
		loc := fmt.Sprintf("ids[%d]", i)
		if err := validate.UUID(id); err != nil {
			v.add(loc, "invalid_uuid", "%v", err)
			continue
		}
		id = strings.ToLower(id)
		if j, dup := first[id]; dup {
			v.add(loc, "duplicate", "rule %s is listed twice (also at ids[%d]); list each rule once", id, j)
			continue
		}
		first[id] = i
		k, ok := byID[id]
		if !ok {
			v.add(loc, api.CodeNotFound, "rule %s is not a rule of policy %s", id, pid)
			continue
		}
		listed = append(listed, k)
	}
	return listed, v.err()
}
