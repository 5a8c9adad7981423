# By ARN: unique, the safest lookup.
data "jitsudo_aws_role" "prod_admin" {
  arn = "arn:aws:iam::123456789012:role/Admin"
}

# By name: an error if several sources have a role of that name.
data "jitsudo_aws_role" "deployer" {
  name = "Deployer"
}

output "deployer_grants" {
  value = values(data.jitsudo_aws_role.deployer.roles)
}
