resource "jitsudo_policy" "prod" {
  name                 = "prod"
  max_duration_seconds = 14400 # 4 hours
}

# Structured: the server assembles the Cedar statement, readable in
# policy_text after apply.
resource "jitsudo_policy_rule" "sre_prod" {
  policy_id = jitsudo_policy.prod.id
  ordinal   = 10 # optional: appended after the last rule when unset

  effect    = "permit"
  principal = { scope = "in", entity_type = "Group", entity_id = "sre" }
  action    = { scope = "in", ids = ["request_access", "extend"] }
  resource = {
    scope          = "is_in"
    entity_type    = "AwsPermissionSet"
    in_entity_type = "AwsAccount"
    entity_id      = "123456789012"
  }
  conditions = <<-EOT
    when { context.duration_seconds <= 3600 }
  EOT

  notice        = "Production access is audited."
  audit_session = true # the default
}

# Unset principal, action or resource mean "any".
resource "jitsudo_policy_rule" "approvers" {
  policy_id = jitsudo_policy.prod.id
  effect    = "permit"
  principal = { scope = "in", entity_type = "Group", entity_id = "sre-leads" }
  action    = { scope = "in", ids = ["approve", "deny", "revoke"] }
}

# Raw Cedar: exactly one statement. Comments and layout are not stored, and
# changing only them plans no update.
resource "jitsudo_policy_rule" "mfa" {
  policy_id   = jitsudo_policy.prod.id
  policy_text = <<-EOT
    // Nobody gets production access without MFA.
    forbid (principal, action, resource)
    unless { context.mfa_authenticated };
  EOT
  notice      = "Sign in with MFA to request production access."
}
