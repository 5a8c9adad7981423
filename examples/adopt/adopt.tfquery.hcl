# What `terraform query -generate-config-out=generated.tf` adopts: every
# policy, rule and permission set, and every AWS role mapping that grants
# something. Terraform lists at most 100 objects per list block unless
# `limit` says otherwise.

list "jitsudo_policy" "all" {
  provider = jitsudo
  limit    = 1000
}

list "jitsudo_policy_rule" "all" {
  provider = jitsudo
  limit    = 10000
}

list "jitsudo_permission_set" "all" {
  provider = jitsudo
  limit    = 10000
}

# Only the AWS roles that grant at least one internal role: adopting an
# unmapped AWS role would make Terraform manage its empty mapping.
list "jitsudo_aws_role_mapping" "mapped" {
  provider = jitsudo
  limit    = 10000

  config {
    mapped = true
  }
}
