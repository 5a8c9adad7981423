# Every cached permission set of one AWS account.
list "jitsudo_permission_set" "prod" {
  provider = jitsudo
  limit    = 1000

  config {
    account_id = "123456789012"
  }
}
