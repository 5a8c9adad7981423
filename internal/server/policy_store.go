package server

// Storage of policies: the SQL of the policy handlers, each statement in
// the caller's transaction. Validation and merging happen before these run
// (policy_input.go's checkPolicyCreate and mergePolicyUpdate).

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/google/uuid"
)

// checkPolicyNameFree is a 409 when another policy of tenant than except is
// named name.
func checkPolicyNameFree(ctx context.Context, tx *sql.Tx, tenant, name, except string) error {
	existing, err := policyNameTaken(ctx, tx, tenant, name, except)
	if err != nil {
		return err
	}
	if existing != "" {
		return errPolicyNameTaken(name, existing)
	}
	return nil
}

// insertPolicy stores a new policy row (p.ID, p.CreatedAt and p.UpdatedAt
// set by the caller).
func insertPolicy(ctx context.Context, tx *sql.Tx, tenant string, p policyRow) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO policies (tenant_id, id, name, description, enabled, priority,
		max_duration_seconds, default_duration_seconds, notification_channel, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tenant, p.ID, p.Name, p.Description, p.Enabled, p.Priority,
		p.MaxDuration, p.DefaultDuration, p.NotificationChannel, p.CreatedAt, p.UpdatedAt)
	if err != nil {
		return fmt.Errorf("insert policy: %w", err)
	}
	return nil
}

// insertPolicyRules stores the rules of a new policy with ordinals 1..n.
func insertPolicyRules(ctx context.Context, tx *sql.Tx, tenant, policyID, now string, rules []parsedRule) error {
	for i, pr := range rules {
		pr.rule.Ordinal = i + 1
		if err := insertRule(ctx, tx, tenant, policyID, uuid.NewString(), now, pr.rule); err != nil {
			return err
		}
	}
	return nil
}

// updatePolicy stores the fields of p and sets updated_at to now.
func updatePolicy(ctx context.Context, tx *sql.Tx, tenant string, p policyRow, now string) error {
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

// deletePolicy deletes a policy and its rules.
func deletePolicy(ctx context.Context, tx *sql.Tx, tenant, id string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM rules WHERE tenant_id = ? AND policy_id = ?`, tenant, id); err != nil {
		return fmt.Errorf("delete rules of policy %s: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM policies WHERE tenant_id = ? AND id = ?`, tenant, id); err != nil {
		return fmt.Errorf("delete policy %s: %w", id, err)
	}
	return nil
}
