package api

// Limits of the contract, in one place. openapi.yaml states the same
// numbers as maxLength (limits_test.go holds the two together); the server
// enforces them and the client and the provider import them from here
// instead of repeating the numbers.
//
// String lengths count Unicode code points, as JSON Schema's maxLength does.
const (
	// MaxRequestBodyBytes bounds every request body; a larger body is 413
	// `too_large`, without being read past the limit.
	MaxRequestBodyBytes = 16 << 20

	// MaxCedarPolicySetLength bounds PolicyCreate.cedar_policy_set: 1 MiB
	// of text, far above any real policy (16 rules at the rule limit).
	MaxCedarPolicySetLength = 1 << 20

	// MaxPolicyNameLength bounds a policy's name (and the name filter of
	// listPolicies).
	MaxPolicyNameLength = 128
	// MaxPolicyDescriptionLength bounds a policy's description.
	MaxPolicyDescriptionLength = 1024
	// MaxNotificationChannelLength bounds a policy's notification_channel.
	MaxNotificationChannelLength = 256

	// MaxPolicyTextLength bounds a rule's policy_text.
	MaxPolicyTextLength = 65536
	// MaxConditionsLength bounds a rule's conditions.
	MaxConditionsLength = 65536
	// MaxRuleNoticeLength bounds a rule's notice.
	MaxRuleNoticeLength = 1024
	// MaxEntityTypeLength bounds a rule's entity type fields
	// (principal_entity_type, principal_in_entity_type and the resource
	// ones): a Cedar type name with its namespaces.
	MaxEntityTypeLength = 256
	// MaxEntityIDLength bounds a rule's principal_entity_id and
	// resource_entity_id.
	MaxEntityIDLength = 1024
	// MaxActionIDLength bounds each of a rule's action_ids.
	MaxActionIDLength = 1024

	// MaxPermissionSetIDLength bounds a permission set id (its ARN), in
	// bodies and in bulk deletes.
	MaxPermissionSetIDLength = 2048
	// MaxPermissionSetNameLength bounds a permission set's name.
	MaxPermissionSetNameLength = 256
	// MaxPermissionSetDescriptionLength bounds a permission set's description.
	MaxPermissionSetDescriptionLength = 1024
	// MaxSessionDurationLength bounds a permission set's session_duration.
	MaxSessionDurationLength = 100
	// MaxRelayStateLength bounds a permission set's relay_state.
	MaxRelayStateLength = 240
	// MaxAccountIDLength bounds account_id (exactly 12 digits when valid).
	MaxAccountIDLength = 12

	// MaxIfMatchLength bounds the If-Match header and the if_match fields
	// of bulk requests (one or more quoted ETags).
	MaxIfMatchLength = 1024
	// MaxIdempotencyKeyLength bounds the Idempotency-Key header.
	MaxIdempotencyKeyLength = 255

	// MaxCursorLength bounds the cursor query parameter (the server's
	// cursors are far shorter).
	MaxCursorLength = 4096
	// MaxRoleNameLength bounds the name filter of listRoles (internal role
	// names are 1..128 characters).
	MaxRoleNameLength = 128
	// MaxAwsRoleNameLength bounds the name filter of listAwsRoles.
	MaxAwsRoleNameLength = 256
	// MaxArnLength bounds the arn filter of listAwsRoles.
	MaxArnLength = 2048
)

// Numeric limits of the contract (minimum and maximum in openapi.yaml).
const (
	// MinPolicyPriority and MaxPolicyPriority bound a policy's priority.
	MinPolicyPriority = -1000000
	MaxPolicyPriority = 1000000
	// MinPolicyDurationSeconds and MaxPolicyDurationSeconds bound a
	// policy's max_duration_seconds and default_duration_seconds: one
	// minute to seven days.
	MinPolicyDurationSeconds = 60
	MaxPolicyDurationSeconds = 604800
	// MaxRuleOrdinal bounds a rule's ordinal (from 0).
	MaxRuleOrdinal = 1000000
	// MaxBatchSize is the default bound of the bulk permission-set calls
	// and of a mapping's role ids.
	MaxBatchSize = 1000
	// MaxPageSize is the largest page a list serves (the maximum of the
	// limit query parameter); the provider reads every list in pages of it.
	MaxPageSize = 250
)
