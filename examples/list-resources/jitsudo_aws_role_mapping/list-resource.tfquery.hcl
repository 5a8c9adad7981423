# The AWS roles that grant at least one internal role: the mappings that
# exist.
list "jitsudo_aws_role_mapping" "mapped" {
  provider = jitsudo

  config {
    mapped = true
  }
}

# The discovered roles of the production account under the path /ci/ that
# grant nothing yet.
list "jitsudo_aws_role_mapping" "ci_unmapped" {
  provider = jitsudo

  config {
    account_id = "123456789012"
    arn_regex  = ":role/ci/"
    status     = "OK"
    mapped     = false
  }
}
