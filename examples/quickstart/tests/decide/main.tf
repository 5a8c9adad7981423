# The helper module of the quickstart's policy tests (../policy.tftest.hcl):
# decides one request against a Cedar policy set with
# provider::jitsudo::cedar_is_authorized and names the deciding rules.

terraform {
  required_providers {
    jitsudo = {
      source = "jitsudo-community/jitsudo"
    }
  }
}

variable "policies" {
  description = "The Cedar policy set, e.g. a policy's cedar_policy_set."
  type        = string
}

variable "rule_names" {
  description = "Names of the policies of the set by their Cedar ids (policy0, policy1, ...), for deciding_rules."
  type        = map(string)
  default     = {}
}

variable "entities" {
  description = "The entities, in Cedar's JSON entity format."
  type        = any
  default     = []
}

variable "principal" {
  type = string
}

variable "action" {
  description = "The action's id; the action is Action::\"<id>\"."
  type        = string
}

variable "resource" {
  type = string
}

variable "context" {
  type    = any
  default = {}
}

locals {
  result = provider::jitsudo::cedar_is_authorized(var.policies, {
    principal = var.principal
    action    = { type = "Action", id = var.action }
    resource  = var.resource
    context   = var.context
  }, var.entities)
}

output "decision" {
  value = local.result.decision
}

output "reasons" {
  value = local.result.reasons
}

output "deciding_rules" {
  description = "The names (rule_names) of the rules that decided."
  value       = [for id in local.result.reasons : lookup(var.rule_names, id, id)]
}

output "errors" {
  value = local.result.errors
}
