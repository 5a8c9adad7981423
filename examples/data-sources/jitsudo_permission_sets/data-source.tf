# The read-only permission sets of one account.
data "jitsudo_permission_sets" "read_only" {
  account_id = "123456789012"
  name_regex = "(?i)readonly"
}

output "read_only_arns" {
  value = data.jitsudo_permission_sets.read_only.permission_sets[*].id
}

output "read_only_teams" {
  value = { for ps in data.jitsudo_permission_sets.read_only.permission_sets : ps.name => jsondecode(ps.metadata).team if can(jsondecode(ps.metadata).team) }
}
