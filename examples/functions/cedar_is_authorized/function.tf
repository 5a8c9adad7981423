locals {
  # The rules, e.g. the policy_text of your jitsudo_policy_rule resources,
  # or file("${path.module}/rules.cedar"). @id names a rule in reasons;
  # without it a rule is policy0, policy1, ... in order.
  prod_rules = <<-EOT
    @id("sre-request")
    permit (
      principal in Group::"sre",
      action in [Action::"request_access", Action::"extend"],
      resource is AwsAccount
    )
    when { context.duration_seconds <= 14400 };

    @id("require-mfa")
    forbid (principal, action == Action::"request_access", resource)
    unless { context.mfa_authenticated };
  EOT

  # Who is in which group, in Cedar's JSON entity format.
  entities = [
    { uid = "User::\"alice\"", attrs = { email = "alice@example.com" }, parents = ["Group::\"sre\""] },
    { uid = "AwsAccount::\"123456789012\"", attrs = { account_id = "123456789012", environment = "production" } },
  ]

  # The optional last argument validates the request and the entities
  # against a Cedar schema; "" is JITSudo's default schema.
  sre_with_mfa = provider::jitsudo::cedar_is_authorized(local.prod_rules, {
    principal = "User::\"alice\""
    action    = "Action::\"request_access\""
    resource  = { type = "AwsAccount", id = "123456789012" }
    context   = { duration_seconds = 14400, reason = "INC-1234", mfa_authenticated = true }
  }, local.entities, "")

  sre_without_mfa = provider::jitsudo::cedar_is_authorized(local.prod_rules, {
    principal = "User::\"alice\""
    action    = "Action::\"request_access\""
    resource  = "AwsAccount::\"123456789012\""
    context   = { duration_seconds = 3600, reason = "INC-1234", mfa_authenticated = false }
  }, local.entities, "")
}

# Assert what the rules decide before they are applied.
check "prod_access" {
  assert {
    condition     = local.sre_with_mfa.decision == "allow"
    error_message = "SREs with MFA should get four hours of production access."
  }
  assert {
    condition     = local.sre_without_mfa.decision == "deny" && contains(local.sre_without_mfa.reasons, "require-mfa")
    error_message = "Production access without MFA should be denied by require-mfa."
  }
}

# { decision = "deny", reasons = ["require-mfa"], errors = [] }
output "sre_without_mfa" {
  value = local.sre_without_mfa
}
