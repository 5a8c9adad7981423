# A rule is imported by "<policy_id>/<rule_id>". It is imported in structured
# mode (effect, principal, action, resource, conditions); a configuration
# that uses policy_text instead plans one in-place update that only changes
# the state.
terraform import jitsudo_policy_rule.example 2489e9ad-2ee2-8e00-8ec9-32d5f69181c0/7b0c7a51-4a4e-4d4b-9b7e-0f5d1c2e3a4b
