package server

// Policies: /v1/policies and /v1/policies/{policyId}.

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
)

// Limits of policy fields (openapi.yaml, PolicyCreate).
const (
	policyNameMax        = api.MaxPolicyNameLength
	policyDescriptionMax = api.MaxPolicyDescriptionLength
	policyChannelMax     = api.MaxNotificationChannelLength
	policyPriorityMin    = api.MinPolicyPriority
	policyPriorityMax    = api.MaxPolicyPriority
	policyDurationMin    = api.MinPolicyDurationSeconds
	policyDurationMax    = api.MaxPolicyDurationSeconds
)

// fullPolicy is the API representation of a policy with its rules;
// cedar_policy_set joins the rules' texts, in order, with blank lines.
func fullPolicy(p policyRow, rules []api.Rule) api.Policy {
	if rules == nil {
		rules = []api.Rule{}
	}
	texts := make([]string, len(rules))
	for i, r := range rules {
		texts[i] = r.PolicyText
	}
	p2 := api.Policy{
		Id:                     uuid.MustParse(p.ID),
		Name:                   p.Name,
		Description:            fromNullString(p.Description),
		Enabled:                p.Enabled,
		Priority:               int(p.Priority),
		MaxDurationSeconds:     int(p.MaxDuration),
		DefaultDurationSeconds: fromNullInt64(p.DefaultDuration),
		NotificationChannel:    fromNullString(p.NotificationChannel),
		Rules:                  rules,
		CedarPolicySet:         strings.Join(texts, "\n\n"),
		CreatedAt:              parseTime(p.CreatedAt),
		UpdatedAt:              parseTime(p.UpdatedAt),
	}
	p2.Etag = policyETag(p2)
	return p2
}

// policySummary is the list entry of a policy; its etag is that of the
// full policy with rules (fullPolicy).
func policySummary(p policyRow, rules []api.Rule) api.PolicySummary {
	return api.PolicySummary{
		Id:                     uuid.MustParse(p.ID),
		Name:                   p.Name,
		Description:            fromNullString(p.Description),
		Enabled:                p.Enabled,
		Priority:               int(p.Priority),
		MaxDurationSeconds:     int(p.MaxDuration),
		DefaultDurationSeconds: fromNullInt64(p.DefaultDuration),
		NotificationChannel:    fromNullString(p.NotificationChannel),
		RuleCount:              len(rules),
		CreatedAt:              parseTime(p.CreatedAt),
		UpdatedAt:              parseTime(p.UpdatedAt),
		Etag:                   fullPolicy(p, rules).Etag,
	}
}

func errPolicyNameTaken(name, existingID string) *apiError {
	return errConflict(fmt.Sprintf("a policy named %q already exists (id %s); choose another name, "+
		"or manage the existing policy with Terraform by importing it: terraform import <resource address> %s",
		name, existingID, existingID), existingID)
}

// pageParams validates limit and cursor together, so that both problems
// are reported at once.
func pageParams(limit *int, cursor *string, list string) (int, *pageKey, error) {
	n, limitErr := pageLimit(limit)
	key, cursorErr := readPageKey(cursor, list)
	if limitErr == nil && cursorErr == nil {
		return n, key, nil
	}
	v := &validation{}
	for _, err := range []error{limitErr, cursorErr} {
		if ae := asAPIError(err); ae != nil {
			if items, ok := ae.Details["validation"].([]api.ValidationDetail); ok {
				for _, it := range items {
					v.addDetail(it)
				}
			}
		}
	}
	return 0, nil, v.err()
}

// ListPolicies answers GET /v1/policies: summaries ordered by priority
// (highest first), name and id, paged by a keyset cursor.
func (s *Server) ListPolicies(w http.ResponseWriter, r *http.Request, params api.ListPoliciesParams) {
	limit, key, err := pageParams(params.Limit, params.Cursor, "policies")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	tenant := tenantID(ctx)
	var out api.PolicyList
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		out, err = s.store.PoliciesPage(ctx, tx, tenant, params, key, limit)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// validatePolicyFields checks the fields common to create and update that
// were sent (absent fields are not checked here).
func validatePolicyFields(v *validation, name *string, description, channel *string, priority, maxDur, defDur *int) {
	if name != nil {
		checkLength(v, "name", *name, 1, policyNameMax)
	}
	if description != nil {
		checkLength(v, "description", *description, 0, policyDescriptionMax)
	}
	if channel != nil {
		checkLength(v, "notification_channel", *channel, 1, policyChannelMax)
	}
	if priority != nil {
		checkRange(v, "priority", *priority, policyPriorityMin, policyPriorityMax)
	}
	if maxDur != nil {
		checkRange(v, "max_duration_seconds", *maxDur, policyDurationMin, policyDurationMax)
	}
	if defDur != nil {
		checkRange(v, "default_duration_seconds", *defDur, policyDurationMin, policyDurationMax)
	}
}

// nullablePtr is a pointer to the value of n, or nil when null or absent.
func nullablePtr[T any](n interface {
	IsSpecified() bool
	IsNull() bool
	Get() (T, error)
}) *T {
	if !n.IsSpecified() || n.IsNull() {
		return nil
	}
	v, _ := n.Get()
	return &v
}

// CreatePolicy answers POST /v1/policies.
func (s *Server) CreatePolicy(w http.ResponseWriter, r *http.Request, params api.CreatePolicyParams) {
	var body api.PolicyCreate
	raw, err := decodeFields(r, &body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	row, rules, err := s.checkPolicyCreate(raw, body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	tenant := tenantID(ctx)
	now := s.nowString()
	row.ID, row.CreatedAt, row.UpdatedAt = uuid.NewString(), now, now
	var out api.Policy
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.store.CheckPolicyNameFree(ctx, tx, tenant, row.Name, ""); err != nil {
			return err
		}
		if err := s.store.InsertPolicy(ctx, tx, tenant, row, rules); err != nil {
			return err
		}
		out, err = s.store.PolicyByID(ctx, tx, tenant, row.ID)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if notices := policySetNotices(rules); len(notices) > 0 {
		out.Notices = &notices
	}
	w.Header().Set("Location", "/v1/policies/"+row.ID)
	writeVersioned(w, http.StatusCreated, out.Etag, out)
}

// parsedRule is a rule read from Cedar text, ready to insert, with the
// non-fatal findings (schema warnings, dropped annotations) about it.
type parsedRule struct {
	rule     api.Rule
	findings []api.ValidationDetail
}

// parsePolicySet splits a cedar_policy_set into rules. Syntax errors and
// statements the rule model cannot express are recorded in v as Cedar
// findings at location "cedar_policy_set".
func (s *Server) parsePolicySet(v *validation, text string) []parsedRule {
	const loc = "cedar_policy_set"
	stmts, err := cedar.SplitPolicySet(text)
	if err != nil {
		addCedarError(v, loc, err, "")
		return nil
	}
	out := make([]parsedRule, 0, len(stmts))
	for i, stmt := range stmts {
		rule := api.Rule{AuditSession: true}
		findings, ok := applyPolicyText(v, &rule, stmt, loc, fmt.Sprintf("statement %d: ", i+1))
		if !ok {
			continue
		}
		findings = append(findings, s.schemaFindings(rule.PolicyText)...)
		out = append(out, parsedRule{rule: rule, findings: findings})
	}
	return out
}

// GetPolicy answers GET /v1/policies/{policyId}.
func (s *Server) GetPolicy(w http.ResponseWriter, r *http.Request, policyId api.PolicyID) {
	ctx := r.Context()
	var out api.Policy
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.store.PolicyByID(ctx, tx, tenantID(ctx), policyId.String())
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeVersioned(w, http.StatusOK, out.Etag, out)
}

// UpdatePolicy answers PATCH /v1/policies/{policyId}: absent fields stay,
// null clears the nullable ones, updated_at moves only on a real change.
func (s *Server) UpdatePolicy(w http.ResponseWriter, r *http.Request, policyId api.PolicyID, params api.UpdatePolicyParams) {
	var body api.PolicyUpdate
	raw, err := decodeFields(r, &body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	tenant := tenantID(ctx)
	id := policyId.String()
	var out api.Policy
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		row, err := s.store.PolicyIfMatch(ctx, tx, tenant, id, params.IfMatch)
		if err != nil {
			return err
		}
		next, err := mergePolicyUpdate(row, raw, body)
		if err != nil {
			return err
		}
		if err := s.storePolicyChange(ctx, tx, tenant, row, next); err != nil {
			return err
		}
		out, err = s.store.PolicyByID(ctx, tx, tenant, id)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeVersioned(w, http.StatusOK, out.Etag, out)
}

// storePolicyChange stores next in place of row when they differ; a new
// name must be free.
func (s *Server) storePolicyChange(ctx context.Context, tx *sql.Tx, tenant string, row, next policyRow) error {
	if next.Name != row.Name {
		if err := s.store.CheckPolicyNameFree(ctx, tx, tenant, next.Name, row.ID); err != nil {
			return err
		}
	}
	if next == row {
		return nil
	}
	return s.store.UpdatePolicy(ctx, tx, tenant, next, s.nowString())
}

// DeletePolicy answers DELETE /v1/policies/{policyId}; its rules go with it.
func (s *Server) DeletePolicy(w http.ResponseWriter, r *http.Request, policyId api.PolicyID, params api.DeletePolicyParams) {
	ctx := r.Context()
	tenant := tenantID(ctx)
	id := policyId.String()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.store.PolicyByID(ctx, tx, tenant, id)
		if err != nil {
			return err
		}
		if err := checkIfMatch(params.IfMatch, cur.Etag); err != nil {
			return err
		}
		return s.store.DeletePolicy(ctx, tx, tenant, id)
	})
	s.writeNoContent(w, r, err)
}
