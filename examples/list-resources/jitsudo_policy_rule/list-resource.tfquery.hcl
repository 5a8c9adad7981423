# The rules of every policy (Terraform lists 100 unless `limit` says more).
list "jitsudo_policy_rule" "all" {
  provider = jitsudo
  limit    = 1000
}

# The rules of one policy.
list "jitsudo_policy_rule" "sre" {
  provider = jitsudo

  config {
    policy_id = "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0"
  }
}
