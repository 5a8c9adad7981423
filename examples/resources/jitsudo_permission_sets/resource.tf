locals {
  instance = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef"

  teams = {
    "ps-1111111111111111" = { name = "PlatformAdmin", team = "platform", duration = "PT4H" }
    "ps-2222222222222222" = { name = "DataReadOnly", team = "data", duration = "PT8H" }
    "ps-3333333333333333" = { name = "BillingViewer", team = "finance", duration = "PT1H" }
  }
}

# One resource for many sets: an apply sends only the added or changed sets,
# in bulk calls of at most 1000 sets each.
resource "jitsudo_permission_sets" "all" {
  permission_sets = {
    for id, ps in local.teams : "${local.instance}/${id}" => {
      name             = ps.name
      account_id       = "123456789012"
      metadata         = jsonencode({ team = ps.team })
      session_duration = ps.duration
    }
  }

  # Optional: how long an apply may take for this resource, all its bulk
  # calls and their retries included (default 20m each).
  timeouts = {
    create = "30m"
    update = "30m"
    delete = "30m"
  }
}
