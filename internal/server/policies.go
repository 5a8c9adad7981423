package server

// Policies: /v1/policies and /v1/policies/{policyId}.

import (
	"context"
	"database/sql"
	"errors"
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
	ctx := r.Context()
	tenant := tenantID(ctx)
	q, args := policiesQuery(tenant, params, key, limit)
	var out api.PolicyList
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		out, err = policiesPage(ctx, tx, tenant, limit, q, args...)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// policiesQuery is the SELECT of one page of ListPolicies (priority
// descending, then name, then id), with limit+1 rows.
func policiesQuery(tenant string, params api.ListPoliciesParams, key *pageKey, limit int) (string, []any) {
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
	return q, append(args, limit+1)
}

// policiesPage runs policiesQuery's q and returns the page of summaries
// with next_cursor.
func policiesPage(ctx context.Context, tx *sql.Tx, tenant string, limit int, q string, args ...any) (api.PolicyList, error) {
	out := api.PolicyList{Data: []api.PolicySummary{}}
	page, hasMore, err := queryPolicyRows(ctx, tx, limit, q, args...)
	if err != nil {
		return out, err
	}
	// The summaries' etags are those of the full policies: the rules of
	// the whole page come in one query.
	ids := make([]string, len(page))
	for i, p := range page {
		ids[i] = p.ID
	}
	rules, err := queryRulesOf(ctx, tx, tenant, ids)
	if err != nil {
		return out, err
	}
	var last pageKey
	for _, p := range page {
		out.Data = append(out.Data, policySummary(p, rules[p.ID]))
		last = pageKey{List: "policies", Priority: p.Priority, Name: p.Name, ID: p.ID}
	}
	out.HasMore = hasMore
	out.NextCursor = nextPageCursor(hasMore, last)
	return out, nil
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
		if err := checkPolicyNameFree(ctx, tx, tenant, row.Name, ""); err != nil {
			return err
		}
		if err := insertPolicy(ctx, tx, tenant, row); err != nil {
			return err
		}
		if err := insertPolicyRules(ctx, tx, tenant, row.ID, now, rules); err != nil {
			return err
		}
		out, err = loadPolicy(ctx, tx, tenant, row.ID)
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
		row, err := loadPolicyIfMatch(ctx, tx, tenant, id, params.IfMatch)
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
		out, err = loadPolicy(ctx, tx, tenant, id)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeVersioned(w, http.StatusOK, out.Etag, out)
}

// loadPolicyIfMatch reads a policy's row after checking If-Match against
// the etag of the full policy (404 first, then 412).
func loadPolicyIfMatch(ctx context.Context, tx *sql.Tx, tenant, id string, ifMatch *string) (policyRow, error) {
	cur, err := loadPolicy(ctx, tx, tenant, id)
	if err != nil {
		return policyRow{}, err
	}
	if err := checkIfMatch(ifMatch, cur.Etag); err != nil {
		return policyRow{}, err
	}
	return loadPolicyRow(ctx, tx, tenant, id)
}

// storePolicyChange stores next in place of row when they differ; a new
// name must be free.
func (s *Server) storePolicyChange(ctx context.Context, tx *sql.Tx, tenant string, row, next policyRow) error {
	if next.Name != row.Name {
		if err := checkPolicyNameFree(ctx, tx, tenant, next.Name, row.ID); err != nil {
			return err
		}
	}
	if next == row {
		return nil
	}
	return updatePolicy(ctx, tx, tenant, next, s.nowString())
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
		return deletePolicy(ctx, tx, tenant, id)
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
