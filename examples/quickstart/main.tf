# A small, realistic JITSudo setup: who may request just-in-time access to
# production, under which conditions, which AWS permission sets exist, and
# which internal roles each discovered AWS role grants.
#
# The provider reads JITSUDO_ENDPOINT, JITSUDO_API_KEY and JITSUDO_TENANT_ID;
# `make demo` runs this against jitsudo-local.

terraform {
  required_version = ">= 1.8"
  required_providers {
    jitsudo = {
      source = "jitsudo-community/jitsudo"
    }
  }
}

provider "jitsudo" {}

# ---- Lookups: internal roles and discovered AWS roles ----------------------

data "jitsudo_roles" "all" {}

data "jitsudo_aws_role" "prod_readonly" {
  arn = "arn:aws:iam::123456789012:role/ReadOnly"
}

data "jitsudo_aws_role" "prod_breakglass" {
  arn = "arn:aws:iam::123456789012:role/BreakGlass"
}

locals {
  role = data.jitsudo_roles.all.ids_by_name
}

# ---- Which internal roles each AWS role grants ------------------------------

resource "jitsudo_aws_role_mapping" "prod_readonly" {
  aws_role_id = data.jitsudo_aws_role.prod_readonly.id
  role_ids    = [local.role["sre"], local.role["developer"], local.role["auditor"]]
}

resource "jitsudo_aws_role_mapping" "prod_breakglass" {
  aws_role_id = data.jitsudo_aws_role.prod_breakglass.id
  role_ids    = [local.role["sre"], local.role["security-admin"]]
}

# ---- The production access policy and its Cedar rules -----------------------

resource "jitsudo_policy" "prod" {
  name                     = "prod-access"
  description              = "Just-in-time access to the production AWS account"
  priority                 = 100
  max_duration_seconds     = 14400
  default_duration_seconds = 3600
  notification_channel     = "#sre-oncall"
}

# SREs may request and extend access to production for up to four hours.
resource "jitsudo_policy_rule" "sre_request" {
  policy_id = jitsudo_policy.prod.id
  ordinal   = 10
  effect    = "permit"
  principal = { scope = "in", entity_type = "Group", entity_id = "sre" }
  action    = { scope = "in", ids = ["request_access", "extend"] }
  resource  = { scope = "in", entity_type = "AwsAccount", entity_id = "123456789012" }

  conditions = <<-EOT
    when { context.duration_seconds <= 14400 }
  EOT

  notice = "Production access is recorded and reviewed weekly."
}

# The security team approves or denies requests.
resource "jitsudo_policy_rule" "security_approves" {
  policy_id = jitsudo_policy.prod.id
  ordinal   = 20
  effect    = "permit"
  principal = { scope = "in", entity_type = "Group", entity_id = "security-admin" }
  action    = { scope = "in", ids = ["approve", "deny"] }
}

# Nobody gets production access without MFA, written as raw Cedar.
resource "jitsudo_policy_rule" "require_mfa" {
  policy_id   = jitsudo_policy.prod.id
  ordinal     = 30
  policy_text = <<-EOT
    forbid (principal, action == Action::"request_access", resource)
    unless { context.mfa_authenticated };
  EOT
}

# ---- AWS permission sets, managed as one authoritative set ------------------

resource "jitsudo_permission_sets" "org" {
  permission_sets = {
    "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0000000000000001" = {
      name             = "ReadOnly"
      account_id       = "123456789012"
      description      = "Read-only access to production"
      session_duration = "PT8H"
      rank             = 1
      metadata         = jsonencode({ team = "platform", tier = "standard" })
    }
    "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0000000000000002" = {
      name             = "BreakGlass"
      account_id       = "123456789012"
      description      = "Emergency administrator access"
      session_duration = "PT1H"
      relay_state      = "https://console.aws.amazon.com/"
      rank             = 2
      metadata         = jsonencode({ team = "security", alarms = true })
    }
  }
}

output "policy_id" {
  value = jitsudo_policy.prod.id
}

# Read back after the rules exist: the rules as the broker evaluates them.
data "jitsudo_policy" "prod" {
  id = jitsudo_policy.prod.id

  depends_on = [
    jitsudo_policy_rule.sre_request,
    jitsudo_policy_rule.security_approves,
    jitsudo_policy_rule.require_mfa,
  ]
}

output "cedar_policy_set" {
  description = "The policy's rules as the broker evaluates them."
  value       = data.jitsudo_policy.prod.cedar_policy_set
}

output "breakglass_aws_role_id" {
  description = "The AWS role whose mapping the demo edits by hand."
  value       = data.jitsudo_aws_role.prod_breakglass.id
}
