package server

// Rules: /v1/policies/{policyId}/rules, .../rules/{ruleId} and
// .../rules/reorder.

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

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

// Finding codes of Cedar problems. A 400 whose findings all have one of
// these codes is invalid_cedar rather than invalid_request.
const (
	codeCedarSyntax      = "cedar_syntax"          // the text does not parse
	codeCedarCount       = "cedar_statement_count" // not exactly one statement where one is expected
	codeCedarUnsupported = "cedar_unsupported"     // valid Cedar the rule model cannot hold
	codeCedarAnnotations = "annotations_dropped"   // INFO: annotations are not stored
	codeCedarTooDeep     = "cedar_too_deep"        // nested deeper than cedar.MaxDepth; refused before parsing
)

// validationErr is v.err() with the code invalid_cedar when every finding
// is a Cedar problem, invalid_request otherwise.
func validationErr(v *validation) error {
	if v.ok() {
		return nil
	}
	v.code = "invalid_cedar"
	for _, it := range v.items {
		switch it.Code {
		case codeCedarSyntax, codeCedarCount, codeCedarUnsupported, codeCedarTooDeep:
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

// addCedarError records a Cedar parse failure of the text at location loc,
// with line and column (relative to that text) when known.
func addCedarError(v *validation, loc string, err error, prefix string) {
	if addCedarLimitError(v, loc, err, prefix) {
		return
	}
	var se *cedar.SyntaxError
	if errors.As(err, &se) {
		d := api.ValidationDetail{Type: api.ValidationDetailTypeERROR, Code: codeCedarSyntax, Location: loc, Message: prefix + se.Error()}
		if se.Line > 0 {
			line, col := se.Line, se.Column
			d.Line, d.Column = &line, &col
		}
		v.addDetail(d)
		return
	}
	v.add(loc, codeCedarCount, "%s%s must hold exactly one Cedar statement: %v", prefix, loc, err)
}

// addCedarLimitError records err at loc when it is a *cedar.LimitError (a
// text over a bound checked before parsing) and reports whether it was:
// too_long for the length, cedar_too_deep (with line and column) for the
// nesting depth.
func addCedarLimitError(v *validation, loc string, err error, prefix string) bool {
	var le *cedar.LimitError
	if !errors.As(err, &le) {
		return false
	}
	if le.Limit == cedar.LimitLength {
		v.add(loc, "too_long", "%s%s must be at most %d characters long, got %d", prefix, loc, le.Max, le.Actual)
		return true
	}
	d := api.ValidationDetail{Type: api.ValidationDetailTypeERROR, Code: codeCedarTooDeep, Location: loc, Message: prefix + le.Error()}
	if le.Line > 0 {
		line, col := le.Line, le.Column
		d.Line, d.Column = &line, &col
	}
	v.addDetail(d)
	return true
}

// applyPolicyText parses text (one Cedar statement), decomposes it into
// r's structured fields and sets r.PolicyText to the assembled, canonical
// text. Problems are recorded in v at location loc (each message starting
// with prefix); ok is false when there were any. The findings are
// non-fatal notes about the statement.
func applyPolicyText(v *validation, r *api.Rule, text, loc, prefix string) (findings []api.ValidationDetail, ok bool) {
	p, err := cedar.ParseOne(text)
	if err != nil {
		addCedarError(v, loc, err, prefix)
		return nil, false
	}
	if anns := p.Annotations(); len(anns) > 0 {
		names := make([]string, 0, len(anns))
		for k := range anns {
			names = append(names, "@"+string(k))
		}
		sort.Strings(names)
		findings = append(findings, api.ValidationDetail{Type: api.ValidationDetailTypeINFO, Code: codeCedarAnnotations, Location: loc,
			Message: prefix + "annotations (" + strings.Join(names, ", ") + ") are not stored: a rule keeps only its effect, scopes and conditions; use notice for a message"})
	}
	cr, err := cedar.Decompose(text)
	if err != nil {
		v.add(loc, codeCedarUnsupported, "%sthe statement is valid Cedar but cannot be stored as a rule: %v", prefix, err)
		return nil, false
	}
	failed := false
	for _, f := range cedar.CheckShape(cr) {
		if f.Type == cedar.FindingError {
			v.add(loc, codeCedarUnsupported, "%sthe statement cannot be stored as a rule: %s", prefix, f.Message)
			failed = true
			continue
		}
		findings = append(findings, findingDetail(f, loc, prefix))
	}
	if failed {
		return nil, false
	}
	canonical := cedar.Assemble(cr)
	if _, err := cedar.ParseOne(canonical); err != nil {
		v.add(loc, codeCedarUnsupported, "%sthe statement cannot be stored as a rule: reassembled it does not parse: %v", prefix, err)
		return nil, false
	}
	setCedarFields(r, cr)
	r.PolicyText = canonical
	return findings, true
}

// applyStructured checks the shape of r's structured fields, assembles
// them into r.PolicyText and parses that. Shape problems are recorded at
// the fields' locations, a conditions text that breaks the statement at
// "conditions" with line and column within the conditions.
func applyStructured(v *validation, r *api.Rule) (findings []api.ValidationDetail, ok bool) {
	cr := cedarRule(*r)
	failed := false
	for _, f := range cedar.CheckShape(cr) {
		if f.Type == cedar.FindingError {
			v.addDetail(findingDetail(f, f.Location, ""))
			failed = true
			continue
		}
		findings = append(findings, findingDetail(f, f.Location, ""))
	}
	if failed {
		return nil, false
	}
	text := cedar.Assemble(cr)
	if _, err := cedar.ParseOne(text); err != nil {
		bare := cr
		bare.Conditions = ""
		head := cedar.Assemble(bare) // "...\n);": conditions start right after ")" and a newline
		start := len(head)
		var se *cedar.SyntaxError
		var le *cedar.LimitError
		switch {
		case errors.As(err, &le) && le.Limit == cedar.LimitDepth && cr.Conditions != "":
			// Only the conditions nest this deep (entity types are at most
			// 256 characters): report it on them, positioned within them,
			// and name the limit.
			d := api.ValidationDetail{Type: api.ValidationDetailTypeERROR, Code: codeCedarTooDeep, Location: "conditions",
				Message: fmt.Sprintf("conditions nest deeper than the limit of %d levels (brackets, operators and namespaces)", le.Max)}
			if line, col, ok := conditionsPosition(text, start, cr.Conditions, le.Line, le.Column); ok {
				d.Line, d.Column = &line, &col
				d.Message += fmt.Sprintf(" at line %d, column %d of conditions", line, col)
			}
			v.addDetail(d)
		case addCedarLimitError(v, "", err, "the assembled statement: "):
		case cr.Conditions == "":
			v.add("", codeCedarSyntax, "the assembled statement does not parse: %v", err)
		case errors.As(err, &se):
			d := api.ValidationDetail{Type: api.ValidationDetailTypeERROR, Code: codeCedarSyntax, Location: "conditions"}
			if line, col, ok := conditionsPosition(text, start, cr.Conditions, se.Line, se.Column); ok {
				d.Line, d.Column = &line, &col
				d.Message = fmt.Sprintf("syntax error at line %d, column %d of conditions: %s", line, col, se.Message)
			} else {
				d.Message = "conditions do not form valid Cedar when/unless clauses: " + se.Error() + " (position in the assembled policy_text)"
			}
			v.addDetail(d)
		default:
			v.add("conditions", codeCedarCount, "conditions may only hold when { ... } and unless { ... } clauses, but they end the statement early: %v", err)
		}
		return nil, false
	}
	r.PolicyText = text
	return findings, true
}

// conditionsPosition maps a 1-based line and column (in runes) of the
// assembled text, where the trimmed conditions start at byte start, to the
// same position in conditions as sent. Positions past the end of the
// conditions (the closing ";") map to just after their last character;
// positions before them do not map.
func conditionsPosition(assembled string, start int, conditions string, line, col int) (int, int, bool) {
	if line <= 0 || start > len(assembled) {
		return 0, 0, false
	}
	startLine := 1 + strings.Count(assembled[:start], "\n")
	if line < startLine {
		return 0, 0, false
	}
	trimmed := strings.TrimSpace(conditions)
	lead := conditions[:len(conditions)-len(strings.TrimLeftFunc(conditions, unicode.IsSpace))]
	leadLines := strings.Count(lead, "\n")
	leadCol := utf8.RuneCountInString(lead[strings.LastIndexByte(lead, '\n')+1:])

	lines := strings.Split(trimmed, "\n")
	rel := line - startLine // 0-based line within trimmed
	if rel >= len(lines) {
		rel = len(lines) - 1
		col = utf8.RuneCountInString(lines[rel]) + 1
	}
	// cedar-go reports some errors one token late, e.g. after the ";" that
	// follows the conditions: point just after their end instead.
	col = min(col, utf8.RuneCountInString(lines[rel])+1)
	if rel == 0 {
		return 1 + leadLines, leadCol + col, true
	}
	return 1 + leadLines + rel, col, true
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

// schemaFindings validates policyText against the server's Cedar schema.
// The findings are warnings: they never reject a write. A schema that does
// not load is logged and reported as an INFO finding.
func (s *Server) schemaFindings(policyText string) []api.ValidationDetail {
	fs, err := cedar.ValidatePolicy(policyText, s.cedarSchema())
	if err != nil {
		s.log.Error("the Cedar schema does not load; rules are not validated against it", "error", err)
		return []api.ValidationDetail{{Type: api.ValidationDetailTypeINFO, Code: "schema_unavailable", Location: "policy_text",
			Message: "the rule was not checked against the Cedar schema: the server's schema does not load: " + err.Error()}}
	}
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
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
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
