# Adopting an existing JITSudo tenant: everything made by hand or by
# scripts through the API comes under Terraform in three commands
# (Terraform 1.14 or later, for `terraform query`):
#
#   terraform init
#   terraform query -generate-config-out=generated.tf
#   terraform apply
#
# `terraform query` runs the list blocks of adopt.tfquery.hcl and writes,
# for every object they find, a resource block with its current settings
# and an import block with its identity into generated.tf. `terraform
# apply` then only imports: it changes nothing on the tenant, and
# `terraform plan` afterwards is empty. Review generated.tf, rename the
# resources, and replace literal ids with references at leisure.
#
# The provider reads its settings from JITSUDO_ENDPOINT, JITSUDO_API_KEY
# and JITSUDO_TENANT_ID. `make adopt-demo` runs all of it against
# jitsudo-local with a tenant filled through the API.

terraform {
  required_version = ">= 1.14.0"
  required_providers {
    jitsudo = {
      source = "jitsudo-community/jitsudo"
    }
  }
}

provider "jitsudo" {}
