import {
  to = jitsudo_permission_set.example
  id = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef"
}
