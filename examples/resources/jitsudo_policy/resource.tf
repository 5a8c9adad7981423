# A break-glass policy for production. Its Cedar rules are separate
# jitsudo_policy_rule resources; cedar_policy_set shows them assembled.
resource "jitsudo_policy" "prod_breakglass" {
  name                     = "prod-breakglass"
  description              = "Emergency access to production accounts"
  priority                 = 10
  max_duration_seconds     = 3600 # 1 hour
  default_duration_seconds = 1800 # 30 minutes
  notification_channel     = "#sre-oncall"
}

# A policy that is prepared but not yet in force.
resource "jitsudo_policy" "staging_readonly" {
  name                 = "staging-readonly"
  enabled              = false
  max_duration_seconds = 28800 # 8 hours
}

output "prod_breakglass_cedar" {
  value = jitsudo_policy.prod_breakglass.cedar_policy_set
}
