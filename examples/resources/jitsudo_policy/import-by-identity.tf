import {
  to = jitsudo_policy.example
  identity = {
    id = "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0"
  }
}
