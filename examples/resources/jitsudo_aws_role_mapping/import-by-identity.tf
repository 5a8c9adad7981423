# Import the mapping of an AWS role by the AWS role's id.
import {
  to = jitsudo_aws_role_mapping.example
  identity = {
    aws_role_id = "2f8823ef-16d5-4b86-b4f9-8a16a28f91d9"
  }
}
