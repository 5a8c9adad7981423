package server

// Rules: /v1/policies/{policyId}/rules, .../rules/{ruleId} and
// .../rules/reorder.

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
)

// Limits of rule fields (openapi.yaml, RuleCreate).
const (
	ruleOrdinalMax    = api.MaxRuleOrdinal
	rulePolicyTextMax = api.MaxPolicyTextLength
	ruleConditionsMax = api.MaxConditionsLength
	ruleNoticeMax     = api.MaxRuleNoticeLength
)

// validationErr is v.err() with the code invalid_cedar when every finding
// is a Cedar problem (cedar_syntax, cedar_statement_count,
// cedar_unsupported, cedar_too_deep), invalid_request otherwise.
func validationErr(v *validation) error {
	if v.ok() {
		return nil
	}
	v.code = api.CodeInvalidCedar
	for _, it := range v.items {
		switch it.Code {
		case api.CodeCedarSyntax, api.CodeCedarStatementCount, api.CodeCedarUnsupported, api.CodeCedarTooDeep:
		default:
			v.code = "invalid_request"
		}
	}
	return v.err()
}

// structuredRuleFields are the request fields that describe a rule's
// statement; policy_text replaces all of them.
var structuredRuleFields = []string{
	"effect",
	"principal_scope_type", "principal_entity_type", "principal_entity_id", "principal_in_entity_type",
	"action_scope_type", "action_ids",
	"resource_scope_type", "resource_entity_type", "resource_entity_id", "resource_in_entity_type",
	"conditions",
}

// Cedar ----------------------------------------------------------------------

// cedarRule is the structured form of r's statement.
func cedarRule(r api.Rule) cedar.Rule {
	return cedar.Rule{
		Effect: string(r.Effect),
		Principal: cedar.Scope{
			Type:         string(r.PrincipalScopeType),
			EntityType:   nullableOr(r.PrincipalEntityType, ""),
			EntityID:     nullableOr(r.PrincipalEntityId, ""),
			InEntityType: nullableOr(r.PrincipalInEntityType, ""),
		},
		ActionScopeType: string(r.ActionScopeType),
		ActionIDs:       r.ActionIds,
		Resource: cedar.Scope{
			Type:         string(r.ResourceScopeType),
			EntityType:   nullableOr(r.ResourceEntityType, ""),
			EntityID:     nullableOr(r.ResourceEntityId, ""),
			InEntityType: nullableOr(r.ResourceInEntityType, ""),
		},
		Conditions: nullableOr(r.Conditions, ""),
	}
}

// setCedarFields sets r's statement fields from cr; empty strings become
// nulls.
func setCedarFields(r *api.Rule, cr cedar.Rule) {
	orNull := func(s string) nullable.Nullable[string] {
		if s == "" {
			return nullable.NewNullNullable[string]()
		}
		return nullable.NewNullableWithValue(s)
	}
	r.Effect = api.Effect(cr.Effect)
	r.PrincipalScopeType = api.ScopeType(cr.Principal.Type)
	r.PrincipalEntityType = orNull(cr.Principal.EntityType)
	r.PrincipalEntityId = orNull(cr.Principal.EntityID)
	r.PrincipalInEntityType = orNull(cr.Principal.InEntityType)
	r.ActionScopeType = api.ActionScopeType(cr.ActionScopeType)
	r.ActionIds = append([]string{}, cr.ActionIDs...)
	r.ResourceScopeType = api.ScopeType(cr.Resource.Type)
	r.ResourceEntityType = orNull(cr.Resource.EntityType)
	r.ResourceEntityId = orNull(cr.Resource.EntityID)
	r.ResourceInEntityType = orNull(cr.Resource.InEntityType)
	r.Conditions = orNull(cr.Conditions)
}

// addCedarError records err, an error of cedar.CheckBounds or of parsing
// the text at location loc, as an error of the judgement (see
// cedarErrorDetail).
func addCedarError(v *validation, loc string, err error, prefix string) {
	v.addDetail(cedarErrorDetail(cedar.IssueOf(err, loc), loc, prefix))
}

// cedarErrorDetail is the validation detail of an error of the judgement
// of a Cedar text at loc (see cedar.JudgeText and cedar.IssueOf), with
// each message starting with prefix and line and column (relative to
// that text) when known.
func cedarErrorDetail(is cedar.Issue, loc, prefix string) api.ValidationDetail {
	d := api.ValidationDetail{Type: api.ValidationDetailTypeERROR, Code: is.Code, Location: loc}
	switch is.Code {
	case api.CodeTooLong:
		var le *cedar.LimitError
		errors.As(is.Err, &le)
		d.Message = fmt.Sprintf("%s%s must be at most %d characters long, got %d", prefix, loc, le.Max, le.Actual)
	case api.CodeCedarTooDeep, api.CodeCedarSyntax:
		d.Message = prefix + is.Err.Error()
		if is.Line > 0 {
			line, col := is.Line, is.Column
			d.Line, d.Column = &line, &col
		}
	case api.CodeCedarStatementCount:
		d.Message = fmt.Sprintf("%s%s must hold exactly one Cedar statement: %v", prefix, loc, is.Err)
	case api.CodeCedarUnsupported:
		switch is.Cause {
		case cedar.CauseDecompose:
			d.Message = prefix + "the statement is valid Cedar but cannot be stored as a rule: " + is.Message
		case cedar.CauseAssembled:
			d.Message = fmt.Sprintf("%sthe statement cannot be stored as a rule: reassembled it does not parse: %v", prefix, is.Err)
		default:
			d.Message = prefix + "the statement cannot be stored as a rule: " + is.Message
		}
	}
	return d
}

// applyPolicyText judges text (one Cedar statement; cedar.JudgeText),
// sets r's structured fields from it and r.PolicyText to the canonical
// text. Problems are recorded in v at location loc (each message starting
// with prefix); ok is false when there were any. The findings are
// non-fatal notes about the statement.
func applyPolicyText(v *validation, r *api.Rule, text, loc, prefix string) (findings []api.ValidationDetail, ok bool) {
	j := cedar.JudgeText(text, 0)
	for _, is := range j.Issues {
		if is.Type == cedar.FindingError {
			v.addDetail(cedarErrorDetail(is, loc, prefix))
			continue
		}
		findings = append(findings, findingDetail(is.Finding, loc, prefix))
	}
	if !j.OK() {
		return nil, false
	}
	setCedarFields(r, j.Rule)
	r.PolicyText = j.Text
	return findings, true
}

// applyStructured judges r's structured fields (cedar.JudgeRule) and sets
// r.PolicyText to the statement assembled from them. Shape problems are
// recorded at the fields' locations, a conditions text that breaks the
// statement at "conditions" with line and column within the conditions.
func applyStructured(v *validation, r *api.Rule) (findings []api.ValidationDetail, ok bool) {
	j := cedar.JudgeRule(cedarRule(*r), cedar.Parts{})
	for _, is := range j.Issues {
		switch {
		case is.Type != cedar.FindingError:
			findings = append(findings, findingDetail(is.Finding, is.Location, ""))
		case is.Cause == cedar.CauseShape:
			v.addDetail(findingDetail(is.Finding, is.Location, ""))
		default:
			v.addDetail(conditionsErrorDetail(is))
		}
	}
	if !j.OK() {
		return nil, false
	}
	r.PolicyText = j.Text
	return findings, true
}

// conditionsErrorDetail is the validation detail of an error of the
// conditions (their bounds, or the statement assembled with them) in the
// judgement of a structured rule.
func conditionsErrorDetail(is cedar.Issue) api.ValidationDetail {
	switch {
	case is.Code == api.CodeCedarTooDeep && is.Location == "conditions":
		// Name the limit, positioned within the conditions.
		d := cedarErrorDetail(is, is.Location, "")
		d.Message = fmt.Sprintf("conditions nest deeper than the limit of %d levels (brackets, operators and namespaces)", cedar.MaxDepth)
		if is.Line > 0 {
			d.Message += fmt.Sprintf(" at line %d, column %d of conditions", is.Line, is.Column)
		}
		return d
	case is.Cause == cedar.CauseBounds:
		return cedarErrorDetail(is, is.Location, "")
	case is.Code == api.CodeTooLong || is.Code == api.CodeCedarTooDeep:
		return cedarErrorDetail(is, "", "the assembled statement: ")
	}
	d := api.ValidationDetail{Type: api.ValidationDetailTypeERROR, Code: is.Code, Location: is.Location}
	switch {
	case is.Location == "":
		d.Message = "the assembled statement does not parse: " + is.Err.Error()
	case is.Code == api.CodeCedarSyntax && is.Line > 0:
		line, col := is.Line, is.Column
		d.Line, d.Column = &line, &col
		d.Message = fmt.Sprintf("syntax error at line %d, column %d of conditions: %s", line, col, is.Message)
	case is.Code == api.CodeCedarSyntax:
		d.Message = "conditions do not form valid Cedar when/unless clauses: " + is.Err.Error() + " (position in the assembled policy_text)"
	default:
		d.Message = "conditions may only hold when { ... } and unless { ... } clauses, but they end the statement early: " + is.Err.Error()
	}
	return d
}

// findingDetail converts a cedar finding to a validation detail at loc.
func findingDetail(f cedar.Finding, loc, prefix string) api.ValidationDetail {
	return api.ValidationDetail{Type: api.ValidationDetailType(f.Type), Code: f.Code, Location: loc, Message: prefix + f.Message}
}

// cedarSchema is the schema rules are validated against.
func (s *Server) cedarSchema() string {
	if s.opts.CedarSchema != "" {
		return s.opts.CedarSchema
	}
	return cedar.DefaultSchema()
}

// parsedSchema is cedarSchema parsed, once: it does not change while the
// server runs, and parsing it for every rule written costs more than the
// rule's own validation.
func (s *Server) parsedSchema() (*cedar.Schema, error) {
	s.schemaOnce.Do(func() { s.schema, s.schemaErr = cedar.ParseSchema(s.cedarSchema()) })
	return s.schema, s.schemaErr
}

// schemaFindings validates policyText against the server's Cedar schema.
// The findings are warnings: they never reject a write. A schema that does
// not load is logged and reported as an INFO finding.
func (s *Server) schemaFindings(policyText string) []api.ValidationDetail {
	schema, err := s.parsedSchema()
	if err != nil {
		s.log.Error("the Cedar schema does not load; rules are not validated against it", "error", err)
		return []api.ValidationDetail{{Type: api.ValidationDetailTypeINFO, Code: "schema_unavailable", Location: "policy_text",
			Message: "the rule was not checked against the Cedar schema: the server's schema does not load: " + err.Error()}}
	}
	fs := schema.ValidatePolicy(policyText)
	out := make([]api.ValidationDetail, len(fs))
	for i, f := range fs {
		out[i] = findingDetail(f, f.Location, "")
	}
	return out
}

// withFindings is a rule write response: r plus its findings as notices
// ("location: message") and validation details. Without findings both are
// omitted.
func withFindings(r api.Rule, findings []api.ValidationDetail) api.Rule {
	if len(findings) == 0 {
		return r
	}
	notices := make([]string, len(findings))
	for i, f := range findings {
		notices[i] = f.Location + ": " + f.Message
	}
	details := slices.Clone(findings)
	r.Notices, r.Validation = &notices, &details
	return r
}

// Handlers -------------------------------------------------------------------

// ListRules answers GET /v1/policies/{policyId}/rules, in evaluation order.
func (s *Server) ListRules(w http.ResponseWriter, r *http.Request, policyId api.PolicyID, params api.ListRulesParams) {
	pid := policyId.String()
	limit, key, err := pageParams(params.Limit, params.Cursor, "rules/"+pid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	tenant := tenantID(ctx)
	out := api.RuleList{Data: []api.Rule{}}
	var last pageKey
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.store.PolicyRow(ctx, tx, tenant, pid); err != nil {
			return err
		}
		rules, keys, err := s.store.RulesPage(ctx, tx, tenant, pid, key, limit+1)
		if err != nil {
			return err
		}
		if len(rules) > limit {
			rules, keys, out.HasMore = rules[:limit], keys[:limit], true
		}
		out.Data = rules
		if len(keys) > 0 {
			last = keys[len(keys)-1]
		}
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	last.List = "rules/" + pid
	out.NextCursor = nextPageCursor(out.HasMore, last)
	writeJSON(w, http.StatusOK, out)
}

// CreateRule answers POST /v1/policies/{policyId}/rules.
func (s *Server) CreateRule(w http.ResponseWriter, r *http.Request, policyId api.PolicyID, params api.CreateRuleParams) {
	var create api.RuleCreate
	raw, err := decodeFields(r, &create)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body := api.RuleUpdate(create)
	rule, findings, err := s.newRule(raw, body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	tenant, pid, now := tenantID(ctx), policyId.String(), s.nowString()
	var out api.Rule
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.store.PolicyRow(ctx, tx, tenant, pid); err != nil {
			return err
		}
		if body.Ordinal == nil {
			next, err := s.store.NextOrdinal(ctx, tx, tenant, pid)
			if err != nil {
				return err
			}
			rule.Ordinal = next
		}
		var err error
		out, err = s.store.AddRule(ctx, tx, tenant, pid, now, rule)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/policies/"+pid+"/rules/"+out.Id.String())
	writeVersioned(w, http.StatusCreated, out.Etag, withFindings(out, findings))
}

// GetRule answers GET /v1/policies/{policyId}/rules/{ruleId}.
func (s *Server) GetRule(w http.ResponseWriter, r *http.Request, policyId api.PolicyID, ruleId api.RuleID) {
	ctx := r.Context()
	var out api.Rule
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.store.RuleIfMatch(ctx, tx, tenantID(ctx), policyId.String(), ruleId.String(), nil)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeVersioned(w, http.StatusOK, out.Etag, out)
}

// UpdateRule answers PATCH /v1/policies/{policyId}/rules/{ruleId}: 404 and
// 412 come before the body's 400.
func (s *Server) UpdateRule(w http.ResponseWriter, r *http.Request, policyId api.PolicyID, ruleId api.RuleID, params api.UpdateRuleParams) {
	var body api.RuleUpdate
	raw, err := decodeFields(r, &body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	tenant, pid, rid := tenantID(ctx), policyId.String(), ruleId.String()
	var (
		out      api.Rule
		findings []api.ValidationDetail
	)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.store.RuleIfMatch(ctx, tx, tenant, pid, rid, params.IfMatch)
		if err != nil {
			return err
		}
		next, f, err := s.mergeRuleUpdate(cur, raw, body)
		if err != nil {
			return err
		}
		findings = f
		if changed := changedRules(cur, next); changed != nil {
			if err := s.store.SaveRules(ctx, tx, tenant, pid, s.nowString(), changed); err != nil {
				return err
			}
		}
		out, err = s.store.RuleByID(ctx, tx, tenant, pid, rid)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeVersioned(w, http.StatusOK, out.Etag, withFindings(out, findings))
}

// DeleteRule answers DELETE /v1/policies/{policyId}/rules/{ruleId}. The
// other rules keep their ordinals.
func (s *Server) DeleteRule(w http.ResponseWriter, r *http.Request, policyId api.PolicyID, ruleId api.RuleID, params api.DeleteRuleParams) {
	ctx := r.Context()
	tenant, pid, rid := tenantID(ctx), policyId.String(), ruleId.String()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.store.RuleIfMatch(ctx, tx, tenant, pid, rid, params.IfMatch); err != nil {
			return err
		}
		return s.store.DeleteRule(ctx, tx, tenant, pid, rid, s.nowString())
	})
	s.writeNoContent(w, r, err)
}

// ReorderRules answers PATCH /v1/policies/{policyId}/rules/reorder
// (reorderRules says how) with all the policy's rules in their new order.
func (s *Server) ReorderRules(w http.ResponseWriter, r *http.Request, policyId api.PolicyID) {
	var body ruleReorderBody
	raw, err := decodeFields(r, &body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	tenant, pid := tenantID(ctx), policyId.String()
	out := api.RuleList{NextCursor: nullable.NewNullNullable[string]()}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		rules, err := s.store.RulesOfPolicy(ctx, tx, tenant, pid)
		if err != nil {
			return err
		}
		moved, err := reorderRules(rules, raw, body, pid)
		if err != nil {
			return err
		}
		if err := s.store.SaveRules(ctx, tx, tenant, pid, s.nowString(), moved); err != nil {
			return err
		}
		out.Data, err = s.store.RulesOfPolicy(ctx, tx, tenant, pid)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
