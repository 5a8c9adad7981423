data "jitsudo_policy" "prod" {
  name = "prod-access"
}

# What the policy's rules, as stored now, decide for an SRE without MFA.
data "jitsudo_authorization" "sre_without_mfa" {
  policy_id = data.jitsudo_policy.prod.id
  principal = "User::\"alice\""
  action    = "Action::\"request_access\""
  resource  = "AwsAccount::\"123456789012\""
  context   = { duration_seconds = 3600, reason = "INC-1234", mfa_authenticated = false }
  entities  = [{ uid = "User::\"alice\"", parents = ["Group::\"sre\""] }]
}

check "production_requires_mfa" {
  assert {
    condition     = data.jitsudo_authorization.sre_without_mfa.decision == "deny"
    error_message = "Production access without MFA is allowed by ${join(", ", data.jitsudo_authorization.sre_without_mfa.reasons)}."
  }
}

# Without policy_id: every enabled policy of the tenant, highest priority
# first, as the broker evaluates them. The postcondition fails the run if a
# contractor could get production access.
data "jitsudo_authorization" "contractor" {
  principal = "User::\"carl\""
  action    = "Action::\"request_access\""
  resource  = "AwsAccount::\"123456789012\""
  context   = { duration_seconds = 3600, reason = "INC-1234", mfa_authenticated = true }
  entities  = [{ uid = "User::\"carl\"", parents = ["Group::\"contractors\""] }]

  lifecycle {
    postcondition {
      condition     = !self.allowed
      error_message = "Contractors get production access from policy ${coalesce(self.deciding_policy_id, "-")} (rules ${join(", ", self.reasons)})."
    }
  }
}
