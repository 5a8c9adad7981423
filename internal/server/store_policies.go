package server

// The policy aggregate of the store: a policy row and its rules. Validation
// and merging happen before these run (policy_input.go's checkPolicyCreate
// and mergePolicyUpdate).

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
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

// scanPolicyRow reads a row selected with policyColumns.
func scanPolicyRow(sc rowScanner) (policyRow, error) {
	var p policyRow
	err := sc.Scan(&p.ID, &p.Name, &p.Description, &p.Enabled, &p.Priority, &p.MaxDuration,
		&p.DefaultDuration, &p.NotificationChannel, &p.CreatedAt, &p.UpdatedAt)
	return p, err
}

// PolicyRow reads one policy of tenant without its rules; a missing one is
// a 404.
func (store) PolicyRow(ctx context.Context, tx *sql.Tx, tenant, id string) (policyRow, error) {
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

// PolicyByID reads the full representation of a policy: the row and all
// its rules in order.
func (st store) PolicyByID(ctx context.Context, tx *sql.Tx, tenant, id string) (api.Policy, error) {
	row, err := st.PolicyRow(ctx, tx, tenant, id)
	if err != nil {
		return api.Policy{}, err
	}
	rules, _, err := st.RulesPage(ctx, tx, tenant, id, nil, 0)
	if err != nil {
		return api.Policy{}, err
	}
	return fullPolicy(row, rules), nil
}

// PolicyIfMatch reads a policy's row after checking If-Match against the
// etag of the full policy (404 first, then 412).
func (st store) PolicyIfMatch(ctx context.Context, tx *sql.Tx, tenant, id string, ifMatch *string) (policyRow, error) {
	cur, err := st.PolicyByID(ctx, tx, tenant, id)
	if err != nil {
		return policyRow{}, err
	}
	if err := checkIfMatch(ifMatch, cur.Etag); err != nil {
		return policyRow{}, err
	}
	return st.PolicyRow(ctx, tx, tenant, id)
}

// PoliciesPage is one page of ListPolicies (policiesQuery): summaries
// with next_cursor.
func (st store) PoliciesPage(ctx context.Context, tx *sql.Tx, tenant string, params api.ListPoliciesParams, key *pageKey, limit int) (api.PolicyList, error) {
	out := api.PolicyList{Data: []api.PolicySummary{}}
	q, args := policiesQuery(tenant, params, key, limit)
	page, hasMore, err := queryPage(ctx, tx, "policies", limit, scanPolicyRow, q, args...)
	if err != nil {
		return out, err
	}
	// The summaries' etags are those of the full policies: the rules of
	// the whole page come in one query.
	ids := make([]string, len(page))
	for i, p := range page {
		ids[i] = p.ID
	}
	rules, err := st.RulesOf(ctx, tx, tenant, ids)
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

// CheckPolicyNameFree is a 409 when another policy of tenant than except
// is named name.
func (store) CheckPolicyNameFree(ctx context.Context, tx *sql.Tx, tenant, name, except string) error {
	var existing string
	err := tx.QueryRowContext(ctx, `SELECT id FROM policies WHERE tenant_id = ? AND name = ? AND id <> ?`,
		tenant, name, except).Scan(&existing)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("look up policy name: %w", err)
	}
	return errPolicyNameTaken(name, existing)
}

// InsertPolicy stores a new policy row (p.ID, p.CreatedAt and p.UpdatedAt
// set by the caller) and its rules with ordinals 1..n.
func (st store) InsertPolicy(ctx context.Context, tx *sql.Tx, tenant string, p policyRow, rules []parsedRule) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO policies (tenant_id, id, name, description, enabled, priority,
		max_duration_seconds, default_duration_seconds, notification_channel, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tenant, p.ID, p.Name, p.Description, p.Enabled, p.Priority,
		p.MaxDuration, p.DefaultDuration, p.NotificationChannel, p.CreatedAt, p.UpdatedAt)
	if err != nil {
		return fmt.Errorf("insert policy: %w", err)
	}
	for i, pr := range rules {
		pr.rule.Ordinal = i + 1
		if err := st.InsertRule(ctx, tx, tenant, p.ID, uuid.NewString(), p.CreatedAt, pr.rule); err != nil {
			return err
		}
	}
	return nil
}

// UpdatePolicy stores the fields of p and sets updated_at to now.
func (store) UpdatePolicy(ctx context.Context, tx *sql.Tx, tenant string, p policyRow, now string) error {
	_, err := tx.ExecContext(ctx, `UPDATE policies SET name = ?, description = ?, enabled = ?, priority = ?,
		max_duration_seconds = ?, default_duration_seconds = ?, notification_channel = ?, updated_at = ?
		WHERE tenant_id = ? AND id = ?`,
		p.Name, p.Description, p.Enabled, p.Priority, p.MaxDuration, p.DefaultDuration,
		p.NotificationChannel, now, tenant, p.ID)
	if err != nil {
		return fmt.Errorf("update policy %s: %w", p.ID, err)
	}
	return nil
}

// TouchPolicy bumps a policy's updated_at after its rules changed.
func (store) TouchPolicy(ctx context.Context, tx *sql.Tx, tenant, id, now string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE policies SET updated_at = ? WHERE tenant_id = ? AND id = ?`, now, tenant, id); err != nil {
		return fmt.Errorf("update policy %s: %w", id, err)
	}
	return nil
}

// DeletePolicy deletes a policy and its rules.
func (store) DeletePolicy(ctx context.Context, tx *sql.Tx, tenant, id string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM rules WHERE tenant_id = ? AND policy_id = ?`, tenant, id); err != nil {
		return fmt.Errorf("delete rules of policy %s: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM policies WHERE tenant_id = ? AND id = ?`, tenant, id); err != nil {
		return fmt.Errorf("delete policy %s: %w", id, err)
	}
	return nil
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
