resource "jitsudo_permission_set" "read_only" {
  id         = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef"
  name       = "ReadOnly"
  account_id = "123456789012"

  # A JSON object; compared as JSON, so formatting never shows as a diff.
  metadata = jsonencode({
    team  = "platform"
    owner = "alice@example.com"
  })

  rank             = 1
  description      = "Read-only access to the production account"
  session_duration = "PT8H"
  relay_state      = "https://console.aws.amazon.com/"
}
