import {
  to = jitsudo_policy_rule.example
  identity = {
    policy_id = "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0"
    rule_id   = "7b0c7a51-4a4e-4d4b-9b7e-0f5d1c2e3a4b"
  }
}
