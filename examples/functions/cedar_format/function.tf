locals {
  sre_rule = <<-EOT
    // SRE may request production access for up to an hour.
    permit (
      principal in Group::"sre",
      action in [Action::"request_access"],
      resource is AwsAccount
    )
    when { context.duration_seconds <= 3600 };
  EOT
}

# The normalized text: comments, whitespace and redundant parentheses are
# gone, annotations are kept.
output "sre_rule_formatted" {
  value = provider::jitsudo::cedar_format(local.sre_rule)
}

# Two texts mean the same rule when their formatted texts are equal.
output "same_rule" {
  value = provider::jitsudo::cedar_format(local.sre_rule) == provider::jitsudo::cedar_format(
    "permit (principal in Group::\"sre\", action in Action::\"request_access\", resource is AwsAccount) when { context.duration_seconds <= 3600 };"
  )
}
