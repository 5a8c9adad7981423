# Policy tests of the quickstart's production access policy: who may
# request access and for how long, that MFA is required, and who approves.
#
# `make policy-test` (part of `make test`) runs them with `terraform test`
# against jitsudo-local, the local API server, on a loopback port: nothing
# leaves the machine. The first run applies the quickstart. Every other run
# decides one request with provider::jitsudo::cedar_is_authorized (in the
# helper module ./tests/decide) against the policy's cedar_policy_set as the
# API assembled it, which is what the broker evaluates, and asserts the
# decision and the rule that made it. `terraform test` destroys everything
# at the end.

variables {
  # The rules of cedar_policy_set are in ordinal order, and Cedar names them
  # policy0, policy1, ... (a JITSudo rule keeps no @id annotation). The
  # first run checks this mapping against the rules' ids.
  rule_names = {
    policy0 = "sre_request"
    policy1 = "security_approves"
    policy2 = "require_mfa"
  }

  # Who is who, as the broker's directory says: alice is an SRE, bob on the
  # security team, dave a developer, erin both an SRE and on the security
  # team. The BreakGlass role is inside the production account.
  entities = [
    { uid = "User::\"alice\"", parents = ["Group::\"sre\""] },
    { uid = "User::\"bob\"", parents = ["Group::\"security-admin\""] },
    { uid = "User::\"dave\"", parents = ["Group::\"developer\""] },
    { uid = "User::\"erin\"", parents = ["Group::\"sre\"", "Group::\"security-admin\""] },
    { uid = "AwsRole::\"BreakGlass\"", parents = ["AwsAccount::\"123456789012\""] },
  ]

  # Unless a run says otherwise: the production account, one hour, with MFA.
  resource = "AwsAccount::\"123456789012\""
  context  = { duration_seconds = 3600, mfa_authenticated = true, reason = "INC-1234" }
}

run "apply_quickstart" {
  assert {
    condition = [for r in data.jitsudo_policy.prod.rules : r.id] == [
      jitsudo_policy_rule.sre_request.id,
      jitsudo_policy_rule.security_approves.id,
      jitsudo_policy_rule.require_mfa.id,
    ]
    error_message = "The policy's rules are not in the order of rule_names."
  }
}

# ---- Who may request, and for how long --------------------------------------

run "sre_may_request_four_hours" {
  module {
    source = "./tests/decide"
  }
  variables {
    policies  = run.apply_quickstart.cedar_policy_set
    principal = "User::\"alice\""
    action    = "request_access"
    context   = { duration_seconds = 14400, mfa_authenticated = true, reason = "INC-1234" }
  }
  assert {
    condition     = output.decision == "allow" && output.deciding_rules == ["sre_request"]
    error_message = "An SRE should get four hours by sre_request; got ${output.decision} by ${jsonencode(output.deciding_rules)}."
  }
}

run "sre_may_not_request_more_than_four_hours" {
  module {
    source = "./tests/decide"
  }
  variables {
    policies  = run.apply_quickstart.cedar_policy_set
    principal = "User::\"alice\""
    action    = "request_access"
    context   = { duration_seconds = 14401, mfa_authenticated = true, reason = "INC-1234" }
  }
  assert {
    condition     = output.decision == "deny" && output.deciding_rules == [] && length(output.errors) == 0
    error_message = "Nothing should permit more than four hours; got ${output.decision} by ${jsonencode(output.deciding_rules)}; errors: ${jsonencode(output.errors)}."
  }
}

run "sre_may_extend" {
  module {
    source = "./tests/decide"
  }
  variables {
    policies  = run.apply_quickstart.cedar_policy_set
    principal = "User::\"alice\""
    action    = "extend"
  }
  assert {
    condition     = output.decision == "allow" && output.deciding_rules == ["sre_request"]
    error_message = "An SRE should be able to extend by sre_request; got ${output.decision} by ${jsonencode(output.deciding_rules)}."
  }
}

run "sre_may_request_a_role_in_production" {
  module {
    source = "./tests/decide"
  }
  variables {
    policies  = run.apply_quickstart.cedar_policy_set
    principal = "User::\"alice\""
    action    = "request_access"
    resource  = "AwsRole::\"BreakGlass\""
  }
  assert {
    condition     = output.decision == "allow" && output.deciding_rules == ["sre_request"]
    error_message = "A role inside the production account is in its scope; got ${output.decision} by ${jsonencode(output.deciding_rules)}."
  }
}

run "sre_may_not_request_another_account" {
  module {
    source = "./tests/decide"
  }
  variables {
    policies  = run.apply_quickstart.cedar_policy_set
    principal = "User::\"alice\""
    action    = "request_access"
    resource  = "AwsAccount::\"210987654321\""
  }
  assert {
    condition     = output.decision == "deny" && output.deciding_rules == [] && length(output.errors) == 0
    error_message = "The policy covers the production account only; got ${output.decision} by ${jsonencode(output.deciding_rules)}; errors: ${jsonencode(output.errors)}."
  }
}

run "developer_may_not_request" {
  module {
    source = "./tests/decide"
  }
  variables {
    policies  = run.apply_quickstart.cedar_policy_set
    principal = "User::\"dave\""
    action    = "request_access"
  }
  assert {
    condition     = output.decision == "deny" && output.deciding_rules == [] && length(output.errors) == 0
    error_message = "Only SREs may request; got ${output.decision} by ${jsonencode(output.deciding_rules)}; errors: ${jsonencode(output.errors)}."
  }
}

run "security_admin_may_not_request" {
  module {
    source = "./tests/decide"
  }
  variables {
    policies  = run.apply_quickstart.cedar_policy_set
    principal = "User::\"bob\""
    action    = "request_access"
  }
  assert {
    condition     = output.decision == "deny" && output.deciding_rules == [] && length(output.errors) == 0
    error_message = "Approvers may not request for themselves; got ${output.decision} by ${jsonencode(output.deciding_rules)}; errors: ${jsonencode(output.errors)}."
  }
}

run "unknown_user_may_not_request" {
  module {
    source = "./tests/decide"
  }
  variables {
    policies  = run.apply_quickstart.cedar_policy_set
    principal = "User::\"mallory\""
    action    = "request_access"
  }
  assert {
    condition     = output.decision == "deny" && output.deciding_rules == [] && length(output.errors) == 0
    error_message = "A user in no group gets nothing; got ${output.decision} by ${jsonencode(output.deciding_rules)}; errors: ${jsonencode(output.errors)}."
  }
}

# ---- MFA is required ----------------------------------------------------------

run "no_request_without_mfa" {
  module {
    source = "./tests/decide"
  }
  variables {
    policies  = run.apply_quickstart.cedar_policy_set
    principal = "User::\"alice\""
    action    = "request_access"
    context   = { duration_seconds = 3600, mfa_authenticated = false, reason = "INC-1234" }
  }
  assert {
    condition     = output.decision == "deny" && output.deciding_rules == ["require_mfa"]
    error_message = "A request without MFA should be denied by require_mfa; got ${output.decision} by ${jsonencode(output.deciding_rules)}."
  }
}

run "mfa_is_required_of_approvers_who_are_sres_too" {
  module {
    source = "./tests/decide"
  }
  variables {
    policies  = run.apply_quickstart.cedar_policy_set
    principal = "User::\"erin\""
    action    = "request_access"
    context   = { duration_seconds = 3600, mfa_authenticated = false, reason = "INC-1234" }
  }
  assert {
    condition     = output.decision == "deny" && output.deciding_rules == ["require_mfa"]
    error_message = "require_mfa should win over sre_request; got ${output.decision} by ${jsonencode(output.deciding_rules)}."
  }
}

# require_mfa covers request_access only: an SRE can extend a grant without
# MFA. Asserted so that the behaviour is a decision; add Action::"extend" to
# require_mfa to change it.
run "extend_without_mfa_is_allowed" {
  module {
    source = "./tests/decide"
  }
  variables {
    policies  = run.apply_quickstart.cedar_policy_set
    principal = "User::\"alice\""
    action    = "extend"
    context   = { duration_seconds = 3600, mfa_authenticated = false, reason = "INC-1234" }
  }
  assert {
    condition     = output.decision == "allow" && output.deciding_rules == ["sre_request"]
    error_message = "Got ${output.decision} by ${jsonencode(output.deciding_rules)}."
  }
}

run "request_without_context_is_denied" {
  module {
    source = "./tests/decide"
  }
  variables {
    policies  = run.apply_quickstart.cedar_policy_set
    principal = "User::\"alice\""
    action    = "request_access"
    context   = {}
  }
  assert {
    condition     = output.decision == "deny" && output.deciding_rules == []
    error_message = "Got ${output.decision} by ${jsonencode(output.deciding_rules)}."
  }
  assert {
    condition     = [for e in output.errors : e.policy] == ["policy0", "policy2"]
    error_message = "sre_request and require_mfa should both fail on the missing context: ${jsonencode(output.errors)}."
  }
}

# ---- Who approves -------------------------------------------------------------

run "security_admin_approves" {
  module {
    source = "./tests/decide"
  }
  variables {
    policies  = run.apply_quickstart.cedar_policy_set
    principal = "User::\"bob\""
    action    = "approve"
  }
  assert {
    condition     = output.decision == "allow" && output.deciding_rules == ["security_approves"]
    error_message = "The security team approves by security_approves; got ${output.decision} by ${jsonencode(output.deciding_rules)}."
  }
}

run "security_admin_denies_without_mfa" {
  module {
    source = "./tests/decide"
  }
  variables {
    policies  = run.apply_quickstart.cedar_policy_set
    principal = "User::\"bob\""
    action    = "deny"
    context   = { duration_seconds = 3600, mfa_authenticated = false, reason = "INC-1234" }
  }
  assert {
    condition     = output.decision == "allow" && output.deciding_rules == ["security_approves"]
    error_message = "Denying a request needs no MFA; got ${output.decision} by ${jsonencode(output.deciding_rules)}."
  }
}

run "security_admin_may_not_revoke" {
  module {
    source = "./tests/decide"
  }
  variables {
    policies  = run.apply_quickstart.cedar_policy_set
    principal = "User::\"bob\""
    action    = "revoke"
  }
  assert {
    condition     = output.decision == "deny" && output.deciding_rules == [] && length(output.errors) == 0
    error_message = "No rule permits revoke; got ${output.decision} by ${jsonencode(output.deciding_rules)}; errors: ${jsonencode(output.errors)}."
  }
}

run "sre_may_not_approve" {
  module {
    source = "./tests/decide"
  }
  variables {
    policies  = run.apply_quickstart.cedar_policy_set
    principal = "User::\"alice\""
    action    = "approve"
  }
  assert {
    condition     = output.decision == "deny" && output.deciding_rules == [] && length(output.errors) == 0
    error_message = "SREs do not approve; got ${output.decision} by ${jsonencode(output.deciding_rules)}; errors: ${jsonencode(output.errors)}."
  }
}
