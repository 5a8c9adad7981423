# Look a policy up by its name...
data "jitsudo_policy" "prod_breakglass" {
  name = "prod-breakglass"
}

# ...or by its id.
data "jitsudo_policy" "by_id" {
  id = "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0"
}

output "prod_breakglass_max_duration" {
  value = data.jitsudo_policy.prod_breakglass.max_duration_seconds
}

# The policy's rules, in evaluation order.
output "prod_breakglass_rules" {
  value = [for r in data.jitsudo_policy.prod_breakglass.rules : "${r.ordinal}: ${r.effect}"]
}
