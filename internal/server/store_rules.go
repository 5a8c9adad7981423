package server

// The rule aggregate of the store: the rules of a policy, in evaluation
// order. A rule is judged (internal/cedar) before it is stored.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

const ruleColumns = `id, policy_id, ordinal, effect, policy_text,
	principal_scope_type, principal_entity_type, principal_entity_id, principal_in_entity_type,
	action_scope_type, action_ids,
	resource_scope_type, resource_entity_type, resource_entity_id, resource_in_entity_type,
	conditions, notice, audit_session, created_at, updated_at, rowid`

// scanRule reads a row selected with ruleColumns; it also returns the
// row's sort key.
func scanRule(sc rowScanner) (api.Rule, pageKey, error) {
	var (
		r                                 api.Rule
		id, policyID, effect, text        string
		pScope, aScope, rScope, actionIDs string
		pType, pID, pIn, rType, rID, rIn  sql.NullString
		conditions, notice                sql.NullString
		ordinal, rowid                    int64
		audit                             bool
		created, updated                  string
	)
	err := sc.Scan(&id, &policyID, &ordinal, &effect, &text, &pScope, &pType, &pID, &pIn, &aScope, &actionIDs,
		&rScope, &rType, &rID, &rIn, &conditions, &notice, &audit, &created, &updated, &rowid)
	if err != nil {
		return r, pageKey{}, err
	}
	ids := []string{}
	if err := json.Unmarshal([]byte(actionIDs), &ids); err != nil {
		return r, pageKey{}, fmt.Errorf("rule %s: stored action_ids %q: %w", id, actionIDs, err)
	}
	if ids == nil {
		ids = []string{}
	}
	r = api.Rule{
		Id:                    uuid.MustParse(id),
		PolicyId:              uuid.MustParse(policyID),
		Ordinal:               int(ordinal),
		Effect:                api.Effect(effect),
		PolicyText:            text,
		PrincipalScopeType:    api.ScopeType(pScope),
		PrincipalEntityType:   fromNullString(pType),
		PrincipalEntityId:     fromNullString(pID),
		PrincipalInEntityType: fromNullString(pIn),
		ActionScopeType:       api.ActionScopeType(aScope),
		ActionIds:             ids,
		ResourceScopeType:     api.ScopeType(rScope),
		ResourceEntityType:    fromNullString(rType),
		ResourceEntityId:      fromNullString(rID),
		ResourceInEntityType:  fromNullString(rIn),
		Conditions:            fromNullString(conditions),
		Notice:                fromNullString(notice),
		AuditSession:          audit,
		CreatedAt:             parseTime(created),
		UpdatedAt:             parseTime(updated),
	}
	r.Etag = ruleETag(r)
	return r, pageKey{Ordinal: ordinal, Created: created, RowID: rowid}, nil
}

// RulesPage reads a policy's rules in evaluation order (ordinal, then
// created_at, then insertion), after the key when given, at most limit
// (0: all). It returns each rule's sort key alongside.
func (store) RulesPage(ctx context.Context, tx *sql.Tx, tenant, policyID string, after *pageKey, limit int) ([]api.Rule, []pageKey, error) {
	q := `SELECT ` + ruleColumns + ` FROM rules WHERE tenant_id = ? AND policy_id = ?`
	args := []any{tenant, policyID}
	if after != nil {
		q += ` AND (ordinal > ? OR (ordinal = ? AND (created_at > ? OR (created_at = ? AND rowid > ?))))`
		args = append(args, after.Ordinal, after.Ordinal, after.Created, after.Created, after.RowID)
	}
	q += ` ORDER BY ordinal, created_at, rowid`
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("list rules of policy %s: %w", policyID, err)
	}
	defer rows.Close()
	rules := []api.Rule{}
	var keys []pageKey
	for rows.Next() {
		r, k, err := scanRule(rows)
		if err != nil {
			return nil, nil, fmt.Errorf("list rules of policy %s: %w", policyID, err)
		}
		rules = append(rules, r)
		keys = append(keys, k)
	}
	return rules, keys, rows.Err()
}

// RulesOf reads the rules of several policies in one query, each policy's
// in evaluation order; policies without rules are absent.
func (store) RulesOf(ctx context.Context, tx *sql.Tx, tenant string, policyIDs []string) (map[string][]api.Rule, error) {
	out := make(map[string][]api.Rule, len(policyIDs))
	if len(policyIDs) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(policyIDs)+1)
	args = append(args, tenant)
	for _, id := range policyIDs {
		args = append(args, id)
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(policyIDs)), ",")
	rows, err := tx.QueryContext(ctx, `SELECT `+ruleColumns+` FROM rules WHERE tenant_id = ? AND policy_id IN (`+marks+`)
		ORDER BY policy_id, ordinal, created_at, rowid`, args...)
	if err != nil {
		return nil, fmt.Errorf("list rules of %d policies: %w", len(policyIDs), err)
	}
	defer rows.Close()
	for rows.Next() {
		r, _, err := scanRule(rows)
		if err != nil {
			return nil, fmt.Errorf("list rules of %d policies: %w", len(policyIDs), err)
		}
		pid := r.PolicyId.String()
		out[pid] = append(out[pid], r)
	}
	return out, rows.Err()
}

// RuleByID reads one rule of a policy of tenant; a rule of another policy
// (or tenant) is a 404 like a missing one.
func (store) RuleByID(ctx context.Context, tx *sql.Tx, tenant, policyID, id string) (api.Rule, error) {
	r, _, err := scanRule(tx.QueryRowContext(ctx,
		`SELECT `+ruleColumns+` FROM rules WHERE tenant_id = ? AND policy_id = ? AND id = ?`, tenant, policyID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, &apiError{Status: http.StatusNotFound, Code: api.CodeNotFound,
			Message: fmt.Sprintf("rule %s not found in policy %s", id, policyID)}
	}
	if err != nil {
		return r, fmt.Errorf("read rule %s: %w", id, err)
	}
	return r, nil
}

// ruleArgs are the column values of r in the order of InsertRule and
// UpdateRule.
func ruleArgs(r api.Rule) []any {
	ids := r.ActionIds
	if ids == nil {
		ids = []string{}
	}
	return []any{r.Ordinal, string(r.Effect), r.PolicyText,
		string(r.PrincipalScopeType), nullableArg(r.PrincipalEntityType), nullableArg(r.PrincipalEntityId), nullableArg(r.PrincipalInEntityType),
		string(r.ActionScopeType), string(marshal(ids)),
		string(r.ResourceScopeType), nullableArg(r.ResourceEntityType), nullableArg(r.ResourceEntityId), nullableArg(r.ResourceInEntityType),
		nullableArg(r.Conditions), nullableArg(r.Notice), r.AuditSession}
}

// InsertRule stores r (its id and timestamps are taken from the arguments).
func (store) InsertRule(ctx context.Context, tx *sql.Tx, tenant, policyID, id, now string, r api.Rule) error {
	args := append([]any{tenant, id, policyID}, ruleArgs(r)...)
	args = append(args, now, now)
	_, err := tx.ExecContext(ctx, `INSERT INTO rules (tenant_id, id, policy_id, ordinal, effect, policy_text,
		principal_scope_type, principal_entity_type, principal_entity_id, principal_in_entity_type,
		action_scope_type, action_ids,
		resource_scope_type, resource_entity_type, resource_entity_id, resource_in_entity_type,
		conditions, notice, audit_session, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	if err != nil {
		return fmt.Errorf("insert rule: %w", err)
	}
	return nil
}

// UpdateRule overwrites the stored rule r.Id with r and updated_at now.
func (store) UpdateRule(ctx context.Context, tx *sql.Tx, tenant, policyID, now string, r api.Rule) error {
	args := append(ruleArgs(r), now, tenant, policyID, r.Id.String())
	_, err := tx.ExecContext(ctx, `UPDATE rules SET ordinal = ?, effect = ?, policy_text = ?,
		principal_scope_type = ?, principal_entity_type = ?, principal_entity_id = ?, principal_in_entity_type = ?,
		action_scope_type = ?, action_ids = ?,
		resource_scope_type = ?, resource_entity_type = ?, resource_entity_id = ?, resource_in_entity_type = ?,
		conditions = ?, notice = ?, audit_session = ?, updated_at = ?
		WHERE tenant_id = ? AND policy_id = ? AND id = ?`, args...)
	if err != nil {
		return fmt.Errorf("update rule %s: %w", r.Id, err)
	}
	return nil
}

// RulesOfPolicy reads all the rules of a policy of tenant in evaluation
// order; a missing policy is a 404.
func (st store) RulesOfPolicy(ctx context.Context, tx *sql.Tx, tenant, policyID string) ([]api.Rule, error) {
	if _, err := st.PolicyRow(ctx, tx, tenant, policyID); err != nil {
		return nil, err
	}
	rules, _, err := st.RulesPage(ctx, tx, tenant, policyID, nil, 0)
	return rules, err
}

// RuleIfMatch reads one rule of a policy of tenant after checking If-Match
// against its etag: a missing policy is a 404, then a missing rule, then
// a mismatch is a 412.
func (st store) RuleIfMatch(ctx context.Context, tx *sql.Tx, tenant, policyID, id string, ifMatch *string) (api.Rule, error) {
	if _, err := st.PolicyRow(ctx, tx, tenant, policyID); err != nil {
		return api.Rule{}, err
	}
	cur, err := st.RuleByID(ctx, tx, tenant, policyID, id)
	if err != nil {
		return api.Rule{}, err
	}
	if err := checkIfMatch(ifMatch, cur.Etag); err != nil {
		return api.Rule{}, err
	}
	return cur, nil
}

// NextOrdinal is the ordinal after the highest of a policy's rules (1 for
// none); a policy whose highest ordinal is the maximum has none, a 400 at
// ordinal.
func (store) NextOrdinal(ctx context.Context, tx *sql.Tx, tenant, policyID string) (int, error) {
	var highest int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(ordinal), 0) FROM rules WHERE tenant_id = ? AND policy_id = ?`,
		tenant, policyID).Scan(&highest); err != nil {
		return 0, fmt.Errorf("next ordinal: %w", err)
	}
	if highest >= ruleOrdinalMax {
		v := &validation{}
		v.add("ordinal", "out_of_range", "the policy's highest ordinal is already %d, the maximum; send an explicit ordinal", highest)
		return 0, v.err()
	}
	return int(highest) + 1, nil
}

// AddRule stores r as a new rule of a policy, created now, bumps the
// policy's updated_at and returns the stored rule.
func (st store) AddRule(ctx context.Context, tx *sql.Tx, tenant, policyID, now string, r api.Rule) (api.Rule, error) {
	id := uuid.NewString()
	if err := st.InsertRule(ctx, tx, tenant, policyID, id, now, r); err != nil {
		return api.Rule{}, err
	}
	if err := st.TouchPolicy(ctx, tx, tenant, policyID, now); err != nil {
		return api.Rule{}, err
	}
	return st.RuleByID(ctx, tx, tenant, policyID, id)
}

// SaveRules overwrites the stored rules with rules, updated now, and bumps
// the policy's updated_at; no rules, no change.
func (st store) SaveRules(ctx context.Context, tx *sql.Tx, tenant, policyID, now string, rules []api.Rule) error {
	for _, r := range rules {
		if err := st.UpdateRule(ctx, tx, tenant, policyID, now, r); err != nil {
			return err
		}
	}
	if len(rules) == 0 {
		return nil
	}
	return st.TouchPolicy(ctx, tx, tenant, policyID, now)
}

// DeleteRule deletes one rule of a policy and bumps the policy's
// updated_at; the other rules keep their ordinals.
func (st store) DeleteRule(ctx context.Context, tx *sql.Tx, tenant, policyID, id, now string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM rules WHERE tenant_id = ? AND policy_id = ? AND id = ?`, tenant, policyID, id); err != nil {
		return fmt.Errorf("delete rule %s: %w", id, err)
	}
	return st.TouchPolicy(ctx, tx, tenant, policyID, now)
}
