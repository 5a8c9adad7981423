terraform {
  required_providers {
    jitsudo = {
      source = "jitsudo-community/jitsudo"
    }
  }
}

# endpoint, api_key and tenant_id may also come from the JITSUDO_ENDPOINT,
# JITSUDO_API_KEY and JITSUDO_TENANT_ID environment variables.
provider "jitsudo" {
  endpoint  = "https://jitsudo.example.com"
  tenant_id = "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0"
  api_key   = var.jitsudo_api_key

  # Optional: retries of rate-limited (429), unavailable (502, 503, 504) and
  # failed requests.
  max_retries    = 4
  retry_wait_min = "250ms"
  retry_wait_max = "10s"

  # Optional: how long one HTTP attempt may wait for the API's answer
  # (JITSUDO_REQUEST_TIMEOUT when unset, else 30s). A timed-out attempt is
  # retried like a failed one.
  request_timeout = "30s"

  # Optional: `terraform plan` checks new and changed jitsudo_policy_rule
  # rules against a Cedar schema before anything is written: the tenant's
  # schema from the API, or the one in cedar_schema. Schema findings fail
  # the plan ("error", the default) or are only reported ("warning").
  # cedar_schema  = file("${path.module}/jitsudo.cedarschema")
  schema_findings = "error"
}

variable "jitsudo_api_key" {
  description = "JITSudo API key with read-write access to the tenant."
  type        = string
  sensitive   = true
}
