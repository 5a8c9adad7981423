# Every permission set of the tenant:
terraform import jitsudo_permission_sets.example '*'

# Or only the listed ones, comma-separated ARNs:
terraform import jitsudo_permission_sets.example arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1111111111111111,arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-2222222222222222
