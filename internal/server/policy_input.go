package server

// The pure part of the policy writes: a request body checked and merged
// into the row to store, with no database access.

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// checkPolicyCreate validates a create body (raw holds its fields as sent)
// and returns the row to insert (without id and timestamps) and the rules
// of its cedar_policy_set.
func (s *Server) checkPolicyCreate(raw map[string]json.RawMessage, body api.PolicyCreate) (policyRow, []parsedRule, error) {
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
		return policyRow{}, nil, err
	}
	return newPolicyRow(body), rules, nil
}

// newPolicyRow is the row of a valid create body, with the defaults of
// enabled (true) and priority (0).
func newPolicyRow(body api.PolicyCreate) policyRow {
	p := policyRow{
		Name:                body.Name,
		Description:         nullString(body.Description),
		Enabled:             true,
		MaxDuration:         int64(body.MaxDurationSeconds),
		DefaultDuration:     nullInt64(body.DefaultDurationSeconds),
		NotificationChannel: nullString(body.NotificationChannel),
	}
	if body.Enabled != nil {
		p.Enabled = *body.Enabled
	}
	if body.Priority != nil {
		p.Priority = int64(*body.Priority)
	}
	return p
}

// nullString is the column value of an optional string: NULL when null or
// absent.
func nullString(n nullable.Nullable[string]) sql.NullString {
	return sql.NullString{String: nullableOr(n, ""), Valid: n.IsSpecified() && !n.IsNull()}
}

// nullInt64 is the column value of an optional integer: NULL when null or
// absent.
func nullInt64(n nullable.Nullable[int]) sql.NullInt64 {
	return sql.NullInt64{Int64: int64(nullableOr(n, 0)), Valid: n.IsSpecified() && !n.IsNull()}
}

// mergePolicyUpdate validates a PATCH body against the stored row and
// returns the row after it: absent fields stay, null clears the nullable
// ones.
func mergePolicyUpdate(row policyRow, raw map[string]json.RawMessage, body api.PolicyUpdate) (policyRow, error) {
	v := &validation{}
	rejectNulls(v, raw, "name", "enabled", "priority", "max_duration_seconds")
	validatePolicyFields(v, body.Name, nullablePtr[string](body.Description), nullablePtr[string](body.NotificationChannel),
		body.Priority, body.MaxDurationSeconds, nullablePtr[int](body.DefaultDurationSeconds))
	next := row
	if body.Name != nil {
		next.Name = *body.Name
	}
	if body.Description.IsSpecified() {
		next.Description = nullString(body.Description)
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
		next.DefaultDuration = nullInt64(body.DefaultDurationSeconds)
	}
	if body.NotificationChannel.IsSpecified() {
		next.NotificationChannel = nullString(body.NotificationChannel)
	}
	if v.ok() && next.DefaultDuration.Valid && next.DefaultDuration.Int64 > next.MaxDuration {
		loc := "default_duration_seconds"
		if !body.DefaultDurationSeconds.IsSpecified() {
			loc = "max_duration_seconds"
		}
		v.add(loc, "exceeds_maximum", "default_duration_seconds (%d) must not exceed max_duration_seconds (%d); lower the default or raise the maximum",
			next.DefaultDuration.Int64, next.MaxDuration)
	}
	return next, v.err()
}

// policySetNotices are the non-fatal findings of a create's
// cedar_policy_set, for the response's notices.
func policySetNotices(rules []parsedRule) []string {
	var notices []string
	for i, pr := range rules {
		for _, f := range pr.findings {
			notices = append(notices, fmt.Sprintf("cedar_policy_set (statement %d): %s", i+1, f.Message))
		}
	}
	return notices
}
