# A policy is imported by its id (a UUID). The jitsudo_policy data source
# looks the id up by name.
terraform import jitsudo_policy.example 2489e9ad-2ee2-8e00-8ec9-32d5f69181c0
