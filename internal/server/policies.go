package server

// Policies: /v1/policies and /v1/policies/{policyId}.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

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

// policyRow is one row of the policies table.
type policyRow struct {
	ID                  string
	Name                string
	Description         sql.NullString
	Enabled             bool
	Priority            int64
	MaxDuration         int64
	DefaultDuration     sql.NullInt64
	NotificationChannel sql.NullString
	CreatedAt           string
	UpdatedAt           string
}

const policyColumns = `p.id, p.name, p.description, p.enabled, p.priority, p.max_duration_seconds,
	p.default_duration_seconds, p.notification_channel, p.created_at, p.updated_at`

func scanPolicyRow(sc rowScanner, extra ...any) (policyRow, error) {
	var p policyRow
	dest := append([]any{&p.ID, &p.Name, &p.Description, &p.Enabled, &p.Priority, &p.MaxDuration,
		&p.DefaultDuration, &p.NotificationChannel, &p.CreatedAt, &p.UpdatedAt}, extra...)
	err := sc.Scan(dest...)
	return p, err
}

// loadPolicyRow reads one policy of tenant; a missing one is a 404.
func loadPolicyRow(ctx context.Context, tx *sql.Tx, tenant, id string) (policyRow, error) {
	p, err := scanPolicyRow(tx.QueryRowContext(ctx,
		`SELECT `+policyColumns+` FROM policies p WHERE p.tenant_id = ? AND p.id = ?`, tenant, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, errNotFound("policy", id)
	}
	if err != nil {
		return p, fmt.Errorf("read policy %s: %w", id, err)
	}
	return p, nil
}

// loadPolicy reads the full representation of a policy: the row and all
// its rules in order.
func loadPolicy(ctx context.Context, tx *sql.Tx, tenant, id string) (api.Policy, error) {
	row, err := loadPolicyRow(ctx, tx, tenant, id)
	if err != nil {
		return api.Policy{}, err
	}
	rules, _, err := queryRules(ctx, tx, tenant, id, nil, 0)
	if err != nil {
		return api.Policy{}, err
	}
	return fullPolicy(row, rules), nil
}

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

// touchPolicy bumps a policy's updated_at after its rules changed.
func touchPolicy(ctx context.Context, tx *sql.Tx, tenant, id, now string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE policies SET updated_at = ? WHERE tenant_id = ? AND id = ?`, now, tenant, id); err != nil {
		return fmt.Errorf("update policy %s: %w", id, err)
	}
	return nil
}

// policyNameTaken returns the id of the tenant's policy named name other
// than except, or "".
func policyNameTaken(ctx context.Context, tx *sql.Tx, tenant, name, except string) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM policies WHERE tenant_id = ? AND name = ? AND id <> ?`, tenant, name, except).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("look up policy name: %w", err)
	}
	return id, nil
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
	tenant := tenantID(r.Context())
	q := `SELECT ` + policyColumns + ` FROM policies p WHERE p.tenant_id = ?`
	args := []any{tenant}
	if params.Name != nil {
		q += ` AND p.name = ?`
		args = append(args, *params.Name)
	}
	if key != nil {
		q += ` AND (p.priority < ? OR (p.priority = ? AND (p.name > ? OR (p.name = ? AND p.id > ?))))`
		args = append(args, key.Priority, key.Priority, key.Name, key.Name, key.ID)
	}
	q += ` ORDER BY p.priority DESC, p.name, p.id LIMIT ?`
	args = append(args, limit+1)

	out := api.PolicyList{Data: []api.PolicySummary{}}
	var last pageKey
	err = s.inTx(r.Context(), func(tx *sql.Tx) error {
		page, hasMore, err := queryPolicyRows(r.Context(), tx, limit, q, args...)
		if err != nil {
			return err
		}
		// The summaries' etags are those of the full policies: the rules
		// of the whole page come in one query.
		ids := make([]string, len(page))
		for i, p := range page {
			ids[i] = p.ID
		}
		rules, err := queryRulesOf(r.Context(), tx, tenant, ids)
		if err != nil {
			return err
		}
		out.HasMore = hasMore
		for _, p := range page {
			out.Data = append(out.Data, policySummary(p, rules[p.ID]))
			last = pageKey{List: "policies", Priority: p.Priority, Name: p.Name, ID: p.ID}
		}
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out.NextCursor = nextPageCursor(out.HasMore, last)
	writeJSON(w, http.StatusOK, out)
}

// queryPolicyRows runs q, which selects policyColumns and at most limit+1
// rows: it returns the first limit rows and whether there were more.
func queryPolicyRows(ctx context.Context, tx *sql.Tx, limit int, q string, args ...any) ([]policyRow, bool, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, false, fmt.Errorf("list policies: %w", err)
	}
	defer rows.Close()
	var page []policyRow
	for rows.Next() {
		p, err := scanPolicyRow(rows)
		if err != nil {
			return nil, false, fmt.Errorf("list policies: %w", err)
		}
		if len(page) == limit {
			return page, true, nil
		}
		page = append(page, p)
	}
	return page, false, rows.Err()
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
	v := &validation{}
	rejectNulls(v, raw, "enabled", "priority", "cedar_policy_set")
	if _, ok := raw["name"]; !ok || isNull(raw, "name") {
		v.add("name", "required", "name is required: a unique name of 1 to %d characters", policyNameMax)
	} else {
		validatePolicyFields(v, &body.Name, nil, nil, nil, nil, nil)
	}
	if _, ok := raw["max_duration_seconds"]; !ok || isNull(raw, "max_duration_seconds") {
		v.add("max_duration_seconds", "required", "max_duration_seconds is required: the longest grant in seconds, %d to %d", policyDurationMin, policyDurationMax)
	} else {
		validatePolicyFields(v, nil, nil, nil, nil, &body.MaxDurationSeconds, nil)
	}
	defDur := nullablePtr[int](body.DefaultDurationSeconds)
	validatePolicyFields(v, nil, nullablePtr[string](body.Description), nullablePtr[string](body.NotificationChannel),
		body.Priority, nil, defDur)
	if defDur != nil && *defDur > body.MaxDurationSeconds && body.MaxDurationSeconds >= policyDurationMin {
		v.add("default_duration_seconds", "exceeds_maximum",
			"default_duration_seconds (%d) must not exceed max_duration_seconds (%d)", *defDur, body.MaxDurationSeconds)
	}
	var rules []parsedRule
	if body.CedarPolicySet != nil {
		// Bounded before any Cedar parse sees the text.
		if utf8.RuneCountInString(*body.CedarPolicySet) > api.MaxCedarPolicySetLength {
			checkLength(v, "cedar_policy_set", *body.CedarPolicySet, 0, api.MaxCedarPolicySetLength)
		} else {
			rules = s.parsePolicySet(v, *body.CedarPolicySet)
		}
	}
	if err := validationErr(v); err != nil {
		s.writeError(w, r, err)
		return
	}

	enabled := true
	if body.Enabled != nil {
		enabled = *body.Enabled
	}
	priority := 0
	if body.Priority != nil {
		priority = *body.Priority
	}
	ctx := r.Context()
	tenant := tenantID(ctx)
	id := uuid.NewString()
	now := s.nowString()
	var out api.Policy
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		existing, err := policyNameTaken(ctx, tx, tenant, body.Name, "")
		if err != nil {
			return err
		}
		if existing != "" {
			return errPolicyNameTaken(body.Name, existing)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO policies (tenant_id, id, name, description, enabled, priority,
			max_duration_seconds, default_duration_seconds, notification_channel, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			tenant, id, body.Name, nullableArg(body.Description), enabled, priority,
			body.MaxDurationSeconds, nullableArg(body.DefaultDurationSeconds), nullableArg(body.NotificationChannel), now, now)
		if err != nil {
			return fmt.Errorf("insert policy: %w", err)
		}
		for i, pr := range rules {
			pr.rule.Ordinal = i + 1
			if err := insertRule(ctx, tx, tenant, id, uuid.NewString(), now, pr.rule); err != nil {
				return err
			}
		}
		out, err = loadPolicy(ctx, tx, tenant, id)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var notices []string
	for i, pr := range rules {
		for _, f := range pr.findings {
			notices = append(notices, fmt.Sprintf("cedar_policy_set (statement %d): %s", i+1, f.Message))
		}
	}
	if len(notices) > 0 {
		out.Notices = &notices
	}
	w.Header().Set("Location", "/v1/policies/"+id)
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
		out, err = loadPolicy(ctx, tx, tenantID(ctx), policyId.String())
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
		cur, err := loadPolicy(ctx, tx, tenant, id)
		if err != nil {
			return err
		}
		if err := checkIfMatch(params.IfMatch, cur.Etag); err != nil {
			return err
		}
		row, err := loadPolicyRow(ctx, tx, tenant, id)
		if err != nil {
			return err
		}

		v := &validation{}
		rejectNulls(v, raw, "name", "enabled", "priority", "max_duration_seconds")
		validatePolicyFields(v, body.Name, nullablePtr[string](body.Description), nullablePtr[string](body.NotificationChannel),
			body.Priority, body.MaxDurationSeconds, nullablePtr[int](body.DefaultDurationSeconds))

		next := row
		if body.Name != nil {
			next.Name = *body.Name
		}
		if body.Description.IsSpecified() {
			next.Description = sql.NullString{String: nullableOr(body.Description, ""), Valid: !body.Description.IsNull()}
		}
		if body.Enabled != nil {
			next.Enabled = *body.Enabled
		}
		if body.Priority != nil {
			next.Priority = int64(*body.Priority)
		}
		if body.MaxDurationSeconds != nil {
			next.MaxDuration = int64(*body.MaxDurationSeconds)
		}
		if body.DefaultDurationSeconds.IsSpecified() {
			next.DefaultDuration = sql.NullInt64{Int64: int64(nullableOr(body.DefaultDurationSeconds, 0)), Valid: !body.DefaultDurationSeconds.IsNull()}
		}
		if body.NotificationChannel.IsSpecified() {
			next.NotificationChannel = sql.NullString{String: nullableOr(body.NotificationChannel, ""), Valid: !body.NotificationChannel.IsNull()}
		}
		if v.ok() && next.DefaultDuration.Valid && next.DefaultDuration.Int64 > next.MaxDuration {
			loc := "default_duration_seconds"
			if !body.DefaultDurationSeconds.IsSpecified() {
				loc = "max_duration_seconds"
			}
			v.add(loc, "exceeds_maximum", "default_duration_seconds (%d) must not exceed max_duration_seconds (%d); lower the default or raise the maximum",
				next.DefaultDuration.Int64, next.MaxDuration)
		}
		if err := v.err(); err != nil {
			return err
		}
		if next.Name != row.Name {
			existing, err := policyNameTaken(ctx, tx, tenant, next.Name, id)
			if err != nil {
				return err
			}
			if existing != "" {
				return errPolicyNameTaken(next.Name, existing)
			}
		}
		if next != row {
			_, err = tx.ExecContext(ctx, `UPDATE policies SET name = ?, description = ?, enabled = ?, priority = ?,
				max_duration_seconds = ?, default_duration_seconds = ?, notification_channel = ?, updated_at = ?
				WHERE tenant_id = ? AND id = ?`,
				next.Name, next.Description, next.Enabled, next.Priority, next.MaxDuration, next.DefaultDuration,
				next.NotificationChannel, s.nowString(), tenant, id)
			if err != nil {
				return fmt.Errorf("update policy %s: %w", id, err)
			}
		}
		out, err = loadPolicy(ctx, tx, tenant, id)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeVersioned(w, http.StatusOK, out.Etag, out)
}

// DeletePolicy answers DELETE /v1/policies/{policyId}; its rules go with it.
func (s *Server) DeletePolicy(w http.ResponseWriter, r *http.Request, policyId api.PolicyID, params api.DeletePolicyParams) {
	ctx := r.Context()
	tenant := tenantID(ctx)
	id := policyId.String()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := loadPolicy(ctx, tx, tenant, id)
		if err != nil {
			return err
		}
		if err := checkIfMatch(params.IfMatch, cur.Etag); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM rules WHERE tenant_id = ? AND policy_id = ?`, tenant, id); err != nil {
			return fmt.Errorf("delete rules of policy %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM policies WHERE tenant_id = ? AND id = ?`, tenant, id); err != nil {
			return fmt.Errorf("delete policy %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
