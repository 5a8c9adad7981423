# All internal roles; ids_by_name turns names into ids.
data "jitsudo_roles" "all" {}

output "sre_role_id" {
  value = data.jitsudo_roles.all.ids_by_name["sre"]
}

# Exactly one role: a name no role has fails the plan.
data "jitsudo_roles" "auditor" {
  name = "auditor"
}

# Every role whose name starts with "data-".
data "jitsudo_roles" "data" {
  name_regex = "^data-"
}
