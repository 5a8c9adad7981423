# Look up the internal roles by name and the AWS role by its ARN.
data "jitsudo_roles" "all" {}

data "jitsudo_aws_role" "prod_admin" {
  arn = "arn:aws:iam::123456789012:role/Admin"
}

# Holders of the production Admin role in AWS get the sre and
# security-admin roles in JITSudo, and nothing else.
resource "jitsudo_aws_role_mapping" "prod_admin" {
  aws_role_id = data.jitsudo_aws_role.prod_admin.id
  role_ids = [
    data.jitsudo_roles.all.ids_by_name["sre"],
    data.jitsudo_roles.all.ids_by_name["security-admin"],
  ]
}

# An empty set explicitly grants nothing (and removes roles mapped by hand).
data "jitsudo_aws_role" "break_glass" {
  arn = "arn:aws:iam::123456789012:role/BreakGlass"
}

resource "jitsudo_aws_role_mapping" "break_glass" {
  aws_role_id = data.jitsudo_aws_role.break_glass.id
  role_ids    = []
}
