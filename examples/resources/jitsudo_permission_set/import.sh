# A permission set is imported by its ARN.
terraform import jitsudo_permission_set.example arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef
