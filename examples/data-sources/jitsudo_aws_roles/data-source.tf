# Every AWS role discovered so far.
data "jitsudo_aws_roles" "all" {}

# Read-only roles of one directory source, rescanning AWS first.
data "jitsudo_aws_roles" "prod_read_only" {
  source     = "0b6f3a52-8f57-4c1e-9d1a-2f4b7c0e9a11"
  name_regex = "^Read"
  refresh    = true
}

# Roles that vanished from AWS but still have mappings to clean up.
data "jitsudo_aws_roles" "missing" {
  status = "MISSING"
}

output "missing_aws_roles" {
  value = {
    for r in data.jitsudo_aws_roles.missing.aws_roles : r.arn => values(r.roles)
  }
}
