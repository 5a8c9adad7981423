# Every policy of the tenant.
list "jitsudo_policy" "all" {
  provider = jitsudo
}

# The enabled policies whose name starts with "prod-".
list "jitsudo_policy" "prod" {
  provider = jitsudo

  config {
    name_regex = "^prod-"
    enabled    = true
  }
}
