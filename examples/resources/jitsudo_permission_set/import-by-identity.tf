import {
  to = jitsudo_permission_set.example
  identity = {
    arn = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef"
  }
}
