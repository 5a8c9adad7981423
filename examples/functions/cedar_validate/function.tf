locals {
  sre_rule = <<-EOT
    permit (
      principal in Group::"sre",
      action in [Action::"request_access", Action::"extend"],
      resource is AwsAccount
    )
    when { context.duration_seconds <= 3600 && context.mfa_authenticated };
  EOT

  # "" (or null) validates against JITSudo's default schema; pass your
  # tenant's schema instead, e.g. file("${path.module}/jitsudo.cedarschema").
  sre_rule_check = provider::jitsudo::cedar_validate(local.sre_rule, "")
}

resource "jitsudo_policy" "prod" {
  name                 = "prod"
  max_duration_seconds = 14400
}

# Refuse to plan a rule that is invalid Cedar or that the schema rejects
# (unknown entity types, actions or attributes, type errors). The JITSudo
# API itself only returns schema findings as notices.
resource "jitsudo_policy_rule" "sre" {
  policy_id   = jitsudo_policy.prod.id
  policy_text = local.sre_rule

  lifecycle {
    precondition {
      condition     = local.sre_rule_check.valid
      error_message = "The SRE rule is invalid: ${join("; ", [for e in local.sre_rule_check.errors : e.line == null ? e.message : "${e.line}:${e.column}: ${e.message}"])}"
    }
  }
}

# Report warnings, such as annotations that the API does not store, without
# failing the run.
check "sre_rule_warnings" {
  assert {
    condition     = length(local.sre_rule_check.warnings) == 0
    error_message = join("; ", [for w in local.sre_rule_check.warnings : "${w.code}: ${w.message}"])
  }
}
