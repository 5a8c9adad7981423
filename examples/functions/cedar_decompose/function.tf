locals {
  # A rule kept as Cedar text, e.g. file("${path.module}/rules/sre.cedar").
  sre_rule = provider::jitsudo::cedar_decompose(<<-EOT
    permit (
      principal in Group::"sre",
      action in [Action::"request_access", Action::"extend"],
      resource is AwsPermissionSet in AwsAccount::"123456789012"
    )
    when { context.duration_seconds <= 3600 };
  EOT
  )
}

resource "jitsudo_policy" "prod" {
  name                 = "prod"
  max_duration_seconds = 14400
}

# The parts fit the structured attributes of jitsudo_policy_rule as they are.
resource "jitsudo_policy_rule" "sre" {
  policy_id  = jitsudo_policy.prod.id
  effect     = local.sre_rule.effect
  principal  = local.sre_rule.principal
  action     = local.sre_rule.action
  resource   = local.sre_rule.resource
  conditions = local.sre_rule.conditions
}

# Or inspect them, e.g. to check that the rule never covers approvals.
check "sre_rule_does_not_approve" {
  assert {
    condition     = !contains(coalesce(local.sre_rule.action.ids, []), "approve")
    error_message = "The SRE rule must not let SRE approve requests."
  }
}
